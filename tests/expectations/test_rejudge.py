"""Verdicts follow their inputs: a changed threshold or a late catalog re-judges the submissions concerned.

The pipeline runs `validate_warehouse(only_new=True)` every time; nobody passes a "revalidate" flag here.
"""

from __future__ import annotations

from expectations import load_config
from expectations.runner import validate_warehouse
from tests.expectations.conftest import (
    DISTRICTS,
    add_submission,
    clean_values,
    insert,
    set_value,
    submission_id,
)

S23, S24 = submission_id(2023), submission_id(2024)


def _flagged(con, check_name: str) -> set[tuple]:
    return set(
        con.execute(
            "select submission_id, locality_id, indicator_code, year, severity from dq.flagged_values "
            "where check_name = ?",
            [check_name],
        ).fetchall()
    )


def test_changed_threshold_rejudges_without_a_flag(make_warehouse):
    # 2024 district 4: immunisation typed 91.0 against 945/1040 = 90.87: within the default tolerance 0.5 %.
    con = make_warehouse(
        lambda year, rows: (
            set_value(rows, "IMMUNIZATION_U1", DISTRICTS[4], value=91.0) if year == 2024 else rows
        )
    )
    config = load_config()
    first = validate_warehouse(con, run_id="first", config=config, only_new=True)
    assert sorted(first.submission_ids) == [S23, S24]
    assert _flagged(con, "value_matches_ratio") == set()

    # A reviewer tightens the tolerance: the next ordinary run re-judges both submissions.
    config["ratio"]["relative_tolerance"] = 0.0
    config["ratio"]["absolute_tolerance"]["percent"] = 0.01
    second = validate_warehouse(con, run_id="second", config=config, only_new=True)
    assert sorted(second.submission_ids) == [S23, S24]
    assert _flagged(con, "value_matches_ratio") == {(S24, DISTRICTS[4], "IMMUNIZATION_U1", 2024, "error")}
    recorded = {r[0] for r in con.execute("select distinct judged_against from dq.check_results").fetchall()}
    assert len(recorded) == 1 and recorded != {first.check_results["judged_against"].iloc[0]}

    # Nothing changed since: nothing is re-judged, the verdicts stand.
    third = validate_warehouse(con, run_id="third", config=config, only_new=True)
    assert third.submission_ids == []
    assert _flagged(con, "value_matches_ratio") == {(S24, DISTRICTS[4], "IMMUNIZATION_U1", 2024, "error")}


def test_values_judged_without_catalog_are_rejudged_when_it_lands(make_warehouse):
    con = make_warehouse()
    catalog = con.execute("select * from raw.indicators").df()
    con.execute("delete from raw.indicators")
    validate_warehouse(con, run_id="no-catalog", only_new=True)
    unknown = _flagged(con, "indicator_known")
    assert unknown and {severity for *_, severity in unknown} == {"error"}

    insert(con, "raw.indicators", catalog.astype(object).where(catalog.notna(), None).to_dict("records"))
    again = validate_warehouse(con, run_id="catalog", only_new=True)
    assert sorted(again.submission_ids) == [S23, S24]
    assert _flagged(con, "indicator_known") == set()
    assert con.execute("select count(*) from dq.flagged_values where severity = 'error'").fetchone()[0] == 0


def test_another_plans_assignments_do_not_rejudge(make_warehouse):
    con = make_warehouse()
    validate_warehouse(con, run_id="first", only_new=True)
    insert(
        con,
        "raw.assignments",
        [{"plan_id": "bac-ninh-2021", "indicator_code": "U5_MORTALITY", "sector": "health"}],
    )
    assert validate_warehouse(con, run_id="second", only_new=True).submission_ids == []
    insert(
        con,
        "raw.assignments",
        [{"plan_id": "dien-bien-2021", "indicator_code": "CHILD_MARRIAGE", "sector": "health"}],
    )
    assert sorted(validate_warehouse(con, run_id="third", only_new=True).submission_ids) == [S23, S24]


def test_conflict_follows_both_files(make_warehouse):
    """A later file of another sector contradicting 2024 flags both files; once it is corrected, neither."""
    con = make_warehouse()
    validate_warehouse(con, run_id="first", only_new=True)
    other = [
        dict(row, submission_id="sub-police-2024", agency_id="dien-bien-police", cell="E40")
        for row in clean_values(2024)
        if row["indicator_code"] == "IMMUNIZATION_U1" and row["locality_id"] == DISTRICTS[3]
    ]
    other[0]["value"] += 5.0
    add_submission(con, 2024, other, sid="sub-police-2024")
    con.execute("update audit.submissions set sector = 'police' where submission_id = 'sub-police-2024'")
    second = validate_warehouse(con, run_id="second", only_new=True)
    # the 2024 files are re-judged for conflicts; 2023's file shares no year with the new one: not touched
    conflicts = second.check_results[second.check_results["check_name"] == "conflicting_submissions"]
    assert set(conflicts["submission_id"]) == {S24, "sub-police-2024"}
    flagged = {r[0] for r in _flagged(con, "conflicting_submissions")}
    assert flagged == {S24, "sub-police-2024"}  # the old file too, though only the new one was judged
    # a verdict that changed is news (new run id); one that did not keeps its first run id and time
    assert _conflict_runs(con) == {S23: "first", S24: "second", "sub-police-2024": "second"}

    con.execute("update audit.submissions set status = 'superseded' where submission_id = 'sub-police-2024'")
    corrected = [dict(other[0], submission_id="sub-police-2024b", value=other[0]["value"] - 5.0)]
    add_submission(con, 2024, corrected, sid="sub-police-2024b")
    con.execute("update audit.submissions set sector = 'police' where submission_id = 'sub-police-2024b'")
    validate_warehouse(con, run_id="third", only_new=True)
    assert _flagged(con, "conflicting_submissions") == set()
    assert _conflict_runs(con) == {S23: "first", S24: "third", "sub-police-2024b": "third"}


def _conflict_runs(con) -> dict[str, str]:
    rows = con.execute(
        "select submission_id, run_id from dq.check_results where check_name = 'conflicting_submissions'"
    ).fetchall()
    return dict(rows)
