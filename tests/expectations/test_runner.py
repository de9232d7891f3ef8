"""Every check through `validate_warehouse`: a failing fixture asserting the exact rows, and a passing one.

The GX checks (ranges, numerator/denominator, uniqueness, known codes) run as real GX 1.x expectations; the
assertions read their results back from dq.check_results and dq.flagged_values, as the marts do.
"""

from __future__ import annotations

import json

import pytest

from expectations import load_config, validate_config
from expectations.runner import validate_warehouse
from tests.expectations.conftest import (
    DISTRICTS,
    PROVINCE,
    SHEET,
    cell_of,
    set_value,
    submission_id,
    value_row,
)

S23, S24 = submission_id(2023), submission_id(2024)


def flags(summary, check_name: str) -> set[tuple]:
    """(locality, indicator, year, cell) of the values a check flagged."""
    rows = summary.flagged_values[summary.flagged_values["check_name"] == check_name]
    return {(r.locality_id, r.indicator_code, int(r.year), r.cell_ref) for r in rows.itertuples()}


def result(con, check_name: str, submission: str = S24) -> dict:
    row = con.execute(
        "select * from dq.check_results where check_name = ? and submission_id = ?", [check_name, submission]
    ).df()
    assert len(row) == 1, f"expected one row for {check_name} x {submission}, got {len(row)}"
    return row.iloc[0].to_dict()


def only_24(edit):
    return lambda year, rows: edit(rows) if year == 2024 else rows


# --- passing fixture ------------------------------------------------------------------------------


def test_clean_warehouse_passes_every_check(make_warehouse):
    con = make_warehouse()
    summary = validate_warehouse(con)
    assert summary.success
    assert summary.flagged_values.empty
    assert con.execute("select count(*) from dq.flagged_values").fetchone()[0] == 0
    results = con.execute("select * from dq.check_results").df()
    assert results["success"].all()
    assert set(results["suite"]) == {"indicator_values", "cross_checks"}
    # Each check examined something in the 2024 file (injury and counts are not reported by this agency).
    examined = results[results["submission_id"] == S24].set_index("check_name")["element_count"]
    # (no other file gives these localities' values: conflicting_submissions has nothing to compare)
    idle = {"value_range:INJURY_RATE", "value_range:count", "conflicting_submissions"}
    assert (examined.drop(list(idle)) > 0).all(), examined
    assert (examined[list(idle)] == 0).all()
    assert summary.counts["checks_failed_error"] == 0 and summary.counts["values_checked"] == 72


# --- GX row-level checks (errors) ---------------------------------------------------------------------


def test_percent_out_of_range(make_warehouse):
    con = make_warehouse(only_24(lambda r: set_value(r, "IMMUNIZATION_U1", DISTRICTS[2], value=120.0)))
    summary = validate_warehouse(con)
    assert flags(summary, "value_range:percent") == {
        (DISTRICTS[2], "IMMUNIZATION_U1", 2024, cell_of("IMMUNIZATION_U1", 2))
    }
    res = result(con, "value_range:percent")
    assert (res["success"], res["severity"], res["element_count"], res["unexpected_count"]) == (
        False,
        "error",
        9,
        1,
    )
    assert res["suite"] == "indicator_values"
    assert json.loads(res["unexpected_sample"])[0].startswith(
        f"{SHEET}!E12 {DISTRICTS[2]} IMMUNIZATION_U1 2024"
    )
    assert result(con, "value_range:percent", S23)["success"]
    stored = con.execute("select * from dq.flagged_values where check_name = 'value_range:percent'").df()
    assert stored[["locality_id", "indicator_code", "year", "severity"]].values.tolist() == [
        [DISTRICTS[2], "IMMUNIZATION_U1", 2024, "error"]
    ]
    assert "120" in stored["detail"][0] and "0 – 100" in stored["detail"][0]
    assert not summary.success


def test_count_negative_and_rate_outside_plausible_bounds(make_warehouse):
    def edit(rows):
        rows.append(value_row(2024, "CHILD_MARRIAGE", PROVINCE, -2.0, cell="K30"))
        return set_value(
            rows, "NEONATAL_MORTALITY", DISTRICTS[0], value=250.0, numerator=None, denominator=None
        )

    con = make_warehouse(only_24(edit))
    summary = validate_warehouse(con)
    assert flags(summary, "value_range:count") == {(PROVINCE, "CHILD_MARRIAGE", 2024, f"{SHEET}!K30")}
    assert flags(summary, "value_range:NEONATAL_MORTALITY") == {
        (DISTRICTS[0], "NEONATAL_MORTALITY", 2024, cell_of("NEONATAL_MORTALITY", 0))
    }
    assert flags(summary, "value_range:INFANT_MORTALITY") == set()


def test_plausible_override_from_config(make_warehouse):
    config = load_config()
    config["plausible_overrides"] = {"INFANT_MORTALITY": {"max": 12.5}}
    con = make_warehouse()
    summary = validate_warehouse(con, config=config)
    # Infant mortality is (26 + i % 3 - shift) deaths / (2000 + 100 i) births: above 12.5 for a few districts.
    expected = {
        (d, "INFANT_MORTALITY", year, cell_of("INFANT_MORTALITY", i))
        for year in (2023, 2024)
        for i, d in enumerate(DISTRICTS)
        if (26 + i % 3 - (year - 2023)) / (2000 + 100 * i) * 1000 > 12.5
    }
    assert 0 < len(expected) < 16
    assert flags(summary, "value_range:INFANT_MORTALITY") == expected


def test_numerator_above_denominator_only_where_catalog_requires(make_warehouse):
    def edit(rows):
        set_value(rows, "IMMUNIZATION_U1", DISTRICTS[1], numerator=1200.0, denominator=1010.0, value=100.0)
        rows.append(
            value_row(2024, "INJURY_RATE", PROVINCE, 500.0, numerator=30.0, denominator=6.0, cell="K31")
        )
        return rows

    con = make_warehouse(only_24(edit))
    summary = validate_warehouse(con)
    assert flags(summary, "numerator_le_denominator") == {
        (DISTRICTS[1], "IMMUNIZATION_U1", 2024, cell_of("IMMUNIZATION_U1", 1))
    }
    res = result(con, "numerator_le_denominator")
    assert res["element_count"] == 36 and res["unexpected_count"] == 1  # INJURY_RATE is not in scope


def test_denominator_zero_and_negative_numerator(make_warehouse):
    def edit(rows):
        set_value(rows, "U5_MORTALITY", DISTRICTS[3], denominator=0.0)
        return set_value(rows, "INFANT_MORTALITY", DISTRICTS[4], numerator=-3.0)

    con = make_warehouse(only_24(edit))
    summary = validate_warehouse(con)
    assert flags(summary, "denominator_positive") == {
        (DISTRICTS[3], "U5_MORTALITY", 2024, cell_of("U5_MORTALITY", 3))
    }
    assert flags(summary, "numerator_non_negative") == {
        (DISTRICTS[4], "INFANT_MORTALITY", 2024, cell_of("INFANT_MORTALITY", 4))
    }


def test_duplicate_locality_indicator_year_in_one_file(make_warehouse):
    def edit(rows):
        rows.append(value_row(2024, "IMMUNIZATION_U1", DISTRICTS[5], 91.0, cell="E25"))
        return rows

    con = make_warehouse(only_24(edit))
    summary = validate_warehouse(con)
    assert flags(summary, "unique_per_submission") == {
        (DISTRICTS[5], "IMMUNIZATION_U1", 2024, cell_of("IMMUNIZATION_U1", 5)),
        (DISTRICTS[5], "IMMUNIZATION_U1", 2024, f"{SHEET}!E25"),
    }
    detail = summary.flagged_values.query("check_name == 'unique_per_submission'")["detail"].iloc[0]
    assert f"{SHEET}!E15" in detail and f"{SHEET}!E25" in detail


def test_unknown_indicator_code(make_warehouse):
    con = make_warehouse(
        only_24(lambda r: r + [value_row(2024, "NOT_AN_INDICATOR", PROVINCE, 1.0, cell="K40")])
    )
    summary = validate_warehouse(con)
    assert flags(summary, "indicator_known") == {(PROVINCE, "NOT_AN_INDICATOR", 2024, f"{SHEET}!K40")}


# --- completeness (error, submission level) -------------------------------------------------------


def test_completeness_lists_missing_indicators_without_flagging_values(make_warehouse):
    con = make_warehouse(only_24(lambda rows: [r for r in rows if r["indicator_code"] != "U5_MORTALITY"]))
    summary = validate_warehouse(con)
    res = result(con, "completeness")
    assert (res["success"], res["severity"], res["element_count"], res["unexpected_count"]) == (
        False,
        "error",
        4,
        1,
    )
    assert json.loads(res["unexpected_sample"]) == ["U5_MORTALITY năm 2024"]
    assert result(con, "completeness", S23)["success"]
    assert summary.flagged_values.query("check_name == 'completeness'").empty


def test_value_disagrees_with_numerator_and_denominator(make_warehouse):
    con = make_warehouse(only_24(lambda r: set_value(r, "IMMUNIZATION_U1", DISTRICTS[4], value=97.0)))
    summary = validate_warehouse(con)
    assert flags(summary, "value_matches_ratio") == {
        (DISTRICTS[4], "IMMUNIZATION_U1", 2024, cell_of("IMMUNIZATION_U1", 4))
    }
    assert result(con, "value_matches_ratio")["severity"] == "error"
    detail = summary.flagged_values.query("check_name == 'value_matches_ratio'")["detail"].iloc[0]
    # district 4 in 2024: 945 / 1040 × 100 = 90,865...; the page quotes the computed figure
    assert detail == "Giá trị 97 ≠ 945/1.040 × 100 = 90,87"


def test_mortality_ordering_flags_both_values(make_warehouse):
    def edit(rows):
        return set_value(
            rows, "NEONATAL_MORTALITY", DISTRICTS[5], value=14.0, numerator=None, denominator=None
        )

    con = make_warehouse(only_24(edit))
    summary = validate_warehouse(con)
    assert flags(summary, "mortality_ordering") == {
        (DISTRICTS[5], "NEONATAL_MORTALITY", 2024, cell_of("NEONATAL_MORTALITY", 5)),
        (DISTRICTS[5], "INFANT_MORTALITY", 2024, cell_of("INFANT_MORTALITY", 5)),
    }
    rows = summary.flagged_values.query("check_name == 'mortality_ordering'")
    assert set(rows["severity"]) == {"warning"}
    neonatal = rows[rows["indicator_code"] == "NEONATAL_MORTALITY"]["detail"].iloc[0]
    assert cell_of("INFANT_MORTALITY", 5) in neonatal  # points at the partner cell
    assert summary.success  # warnings only


def test_mortality_ordering_across_submissions_only_flags_the_validated_one(make_warehouse):
    """A partner value in another file is context: re-validating one file does not flag the other."""

    def edit(year, rows):
        if year == 2024:
            rows = [r for r in rows if r["indicator_code"] != "U5_MORTALITY"]
        return rows

    con = make_warehouse(edit)
    from tests.expectations.conftest import add_submission

    add_submission(
        con, 2024, [value_row(2024, "U5_MORTALITY", DISTRICTS[0], 5.0, cell="H10")], sid="sub-health-2024-u5"
    )
    con.execute(
        "update raw.indicator_values set submission_id = 'sub-health-2024-u5' "
        "where cell = 'H10' and year = 2024"
    )
    summary = validate_warehouse(con, submission_ids=[S24])
    assert flags(summary, "mortality_ordering") == {
        (DISTRICTS[0], "NEONATAL_MORTALITY", 2024, cell_of("NEONATAL_MORTALITY", 0)),
        (DISTRICTS[0], "INFANT_MORTALITY", 2024, cell_of("INFANT_MORTALITY", 0)),
    }


def test_mortality_ordering_allows_the_reported_precision(make_warehouse):
    """A computed 7,504 ‰ against a typed 7,5 ‰ (anything in 7,45-7,55) is rounding, not an inversion."""

    def edit(rows):
        set_value(
            rows, "NEONATAL_MORTALITY", DISTRICTS[0], value=15 / 1999 * 1000, numerator=15, denominator=1999
        )
        return set_value(rows, "INFANT_MORTALITY", DISTRICTS[0], value=7.5, numerator=None, denominator=None)

    summary = validate_warehouse(make_warehouse(only_24(edit)))
    assert flags(summary, "mortality_ordering") == set()


def test_mortality_ordering_compares_deaths_over_the_same_births(make_warehouse):
    """26 neonatal deaths > 25 infant deaths among the same 2,000 births, whatever the typed rounding."""

    def edit(rows):
        set_value(rows, "NEONATAL_MORTALITY", DISTRICTS[0], value=12.5, numerator=26, denominator=2000)
        return rows

    summary = validate_warehouse(make_warehouse(only_24(edit)))
    assert flags(summary, "mortality_ordering") == {
        (DISTRICTS[0], "NEONATAL_MORTALITY", 2024, cell_of("NEONATAL_MORTALITY", 0)),
        (DISTRICTS[0], "INFANT_MORTALITY", 2024, cell_of("INFANT_MORTALITY", 0)),
    }


def test_total_row_disagrees_with_rollup(make_warehouse):
    con = make_warehouse(only_24(lambda r: set_value(r, "IMMUNIZATION_U1", PROVINCE, value=80.0)))
    summary = validate_warehouse(con)
    assert flags(summary, "total_vs_rollup") == {
        (PROVINCE, "IMMUNIZATION_U1", 2024, cell_of("IMMUNIZATION_U1", None))
    }
    detail = summary.flagged_values.query("check_name == 'total_vs_rollup'")["detail"].iloc[0]
    assert "8 địa bàn" in detail
    assert result(con, "total_vs_rollup")["element_count"] == 4


def test_total_row_of_counts_with_unknown_locality_uses_the_other_rows(make_warehouse):
    def edit(rows):
        rows += [
            value_row(2024, "CHILD_MARRIAGE", d, 2.0, cell=f"K{10 + i}") for i, d in enumerate(DISTRICTS[:3])
        ]
        rows.append(value_row(2024, "CHILD_MARRIAGE", "vn2008:99", 9.0, cell="K20", total=True))
        return rows

    con = make_warehouse(only_24(edit))
    summary = validate_warehouse(con)
    assert flags(summary, "total_vs_rollup") == {("vn2008:99", "CHILD_MARRIAGE", 2024, f"{SHEET}!K20")}


def test_cross_locality_outlier(make_warehouse):
    con = make_warehouse(only_24(lambda r: set_value(r, "IMMUNIZATION_U1", DISTRICTS[6], value=60.0)))
    summary = validate_warehouse(con)
    assert flags(summary, "outlier_cross_locality") == {
        (DISTRICTS[6], "IMMUNIZATION_U1", 2024, cell_of("IMMUNIZATION_U1", 6))
    }
    assert set(summary.flagged_values.query("check_name == 'outlier_cross_locality'")["severity"]) == {
        "warning"
    }


def test_cross_locality_small_denominator_is_judged_on_the_count_scale(make_warehouse):
    """7 of 10 children against peers' ~91 %: far in points (modified z huge), but 1.6 binomial standard
    errors on so few children -- sampling noise, not an error. 60 of 1,060 (the test above) is flagged."""
    con = make_warehouse(
        only_24(
            lambda r: set_value(r, "IMMUNIZATION_U1", DISTRICTS[6], value=70.0, numerator=7, denominator=10)
        )
    )
    summary = validate_warehouse(con)
    assert flags(summary, "outlier_cross_locality") == set()


def test_year_over_year_outlier(make_warehouse):
    """District 8 rises 7 points while its peers rise 0.5: not odd among 2024 values, odd as a change.

    7 points on ~1,070 infants is ~4.6 binomial standard errors of a change beyond the peers' trend; a
    3-point rise (the fixture before the sampling guard) is ~2 SE, within sampling noise, and rightly passes.
    """

    def edit(year, rows):
        if year == 2023:
            set_value(rows, "IMMUNIZATION_U1", DISTRICTS[7], value=84.0, numerator=None, denominator=None)
        return rows

    con = make_warehouse(edit)
    summary = validate_warehouse(con)
    assert flags(summary, "outlier_yoy") == {
        (DISTRICTS[7], "IMMUNIZATION_U1", 2024, cell_of("IMMUNIZATION_U1", 7))
    }
    assert flags(summary, "outlier_cross_locality") == set() or all(
        year == 2023 for _, _, year, _ in flags(summary, "outlier_cross_locality")
    )
    assert result(con, "outlier_yoy")["element_count"] == 32


# --- bookkeeping ----------------------------------------------------------------------------------


def test_rerun_replaces_results_of_the_validated_submissions(make_warehouse):
    con = make_warehouse(only_24(lambda r: set_value(r, "IMMUNIZATION_U1", DISTRICTS[2], value=120.0)))
    validate_warehouse(con, run_id="first")
    n_checks = con.execute("select count(*) from dq.check_results").fetchone()[0]
    validate_warehouse(con, run_id="second", submission_ids=[S24])
    runs = dict(
        con.execute(
            "select submission_id, max(run_id) from dq.check_results "
            "where check_name <> 'conflicting_submissions' group by 1"  # re-run for every file each run
        ).fetchall()
    )
    assert runs == {S23: "first", S24: "second"}
    assert con.execute("select count(*) from dq.check_results").fetchone()[0] == n_checks
    assert (
        con.execute(
            "select count(*) from dq.flagged_values where check_name = 'value_range:percent'"
        ).fetchone()[0]
        == 1
    )

    con.execute(f"update audit.submissions set status = 'superseded' where submission_id = '{S24}'")
    validate_warehouse(con, run_id="third")
    assert {r[0] for r in con.execute("select distinct submission_id from dq.check_results").fetchall()} == {
        S23
    }
    assert con.execute("select count(*) from dq.flagged_values").fetchone()[0] == 0


def test_only_new_validates_what_was_never_validated(make_warehouse):
    """The pipeline's incremental mode: a new year's files are judged, the history is not re-judged."""
    con = make_warehouse(only_24(lambda r: set_value(r, "IMMUNIZATION_U1", DISTRICTS[2], value=120.0)))
    validate_warehouse(con, run_id="first", submission_ids=[S23])
    summary = validate_warehouse(con, run_id="second", only_new=True)
    assert summary.submission_ids == [S24]
    runs = dict(
        con.execute(
            "select submission_id, max(run_id) from dq.check_results "
            "where check_name <> 'conflicting_submissions' group by 1"  # re-run for every file each run
        ).fetchall()
    )
    assert runs == {S23: "first", S24: "second"}
    # S23's values were context: the S24 range error is flagged, nothing of S23 is re-judged
    assert flags(summary, "value_range:percent") and not set(summary.flagged_values["submission_id"]) - {S24}
    again = validate_warehouse(con, run_id="third", only_new=True)
    assert again.submission_ids == []
    # no file came or went: no conflict can have changed, so nothing is re-judged, not even conflicts
    assert again.check_results.empty
    assert con.execute("select count(distinct submission_id) from dq.check_results").fetchone()[0] == 2


def test_config_rejects_unknown_severity():
    config = load_config()
    config["checks"]["mortality_ordering"]["severity"] = "fatal"
    with pytest.raises(ValueError, match="mortality_ordering"):
        validate_config(config)
