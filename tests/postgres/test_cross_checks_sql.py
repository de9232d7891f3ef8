"""The cross checks' SQL is portable: the same query texts, on the same input tables, give PostgreSQL the
verdicts DuckDB gives -- the same rows examined per submission, the same values flagged, the same
Vietnamese details and samples.

The input is the small hand-made warehouse of tests/expectations (one province, eight districts, 2023 and
2024) with one planted defect per check, so that no comparison is between two empty results, and a 2024 file
of another sector giving two of the same immunisation values (one differs: conflicting_submissions; one is
the same figure rounded: no conflict). Its landing tables are published to a fresh PostgreSQL database as the
deployment publishes them. Only the health 2024 file is judged; the others are context (their planted
defects must not be flagged). Skipped when no server answers.
"""

from __future__ import annotations

import os

import duckdb
import pandas as pd
import pytest

from expectations import load_config
from expectations.cross_checks import CONFLICTS, CROSS_CHECKS, run_cross_checks
from expectations.runner import _context_groups, _loaded_submissions
from tests.expectations.conftest import (
    DISTRICTS,
    PROVINCE,
    add_submission,
    build_reference,
    clean_values,
    insert,
    set_value,
    submission_id,
)

psycopg = pytest.importorskip("psycopg")

S23, S24 = submission_id(2023), submission_id(2024)
OTHER_SECTOR = "sub-social-2024"
FAMILIES = (*CROSS_CHECKS, CONFLICTS)


def _with_defects(year: int, rows: list[dict]) -> list[dict]:
    if year == 2023:  # a 2023 jump, so 2024's change looks odd too (outlier_yoy); 2023 itself is context
        return set_value(rows, "IMMUNIZATION_U1", DISTRICTS[7], value=84.0, numerator=None, denominator=None)
    set_value(rows, "IMMUNIZATION_U1", DISTRICTS[4], value=97.0)  # value_matches_ratio
    set_value(rows, "IMMUNIZATION_U1", DISTRICTS[6], value=60.0)  # outlier_cross_locality, ratio
    set_value(rows, "IMMUNIZATION_U1", PROVINCE, value=80.0)  # total_vs_rollup
    # mortality_ordering: a typed neonatal rate above infant; an equal-births numerator inversion
    set_value(rows, "NEONATAL_MORTALITY", DISTRICTS[5], value=14.0, numerator=None, denominator=None)
    return set_value(rows, "NEONATAL_MORTALITY", DISTRICTS[0], value=12.5, numerator=26, denominator=2000)


def _other_sector_file(con) -> None:
    """Social affairs answering for immunisation in 2024 too: district 2's value differs from health's,
    district 3's is health's figure rounded to one decimal (within the tolerance: not a conflict)."""
    insert(
        con,
        "audit.submissions",
        [
            {
                "submission_id": OTHER_SECTOR,
                "file_name": "so_ldtbxh_dien_bien_2024.xlsx",
                "agency_id": "dien-bien-social",
                "plan_id": "dien-bien-2021",
                "sector": "social_affairs",
                "year": 2024,
                "locality_id": PROVINCE,
                "status": "loaded",
                "received_at": pd.Timestamp("2025-02-01"),
            }
        ],
    )
    clean = {
        row["locality_id"]: row for row in clean_values(2024) if row["indicator_code"] == "IMMUNIZATION_U1"
    }
    other = {"submission_id": OTHER_SECTOR, "numerator": None, "denominator": None}
    insert(
        con,
        "raw.indicator_values",
        [
            {**clean[DISTRICTS[1]], **other, "value": 70.0},
            {**clean[DISTRICTS[2]], **other, "value": round(clean[DISTRICTS[2]]["value"], 1)},
        ],
    )


@pytest.fixture(scope="module")
def fixture_warehouse(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("cross") / "treem.duckdb")
    with duckdb.connect(path) as con:
        build_reference(con)
        # the plan also assigns INJURY_RATE to health, which no file reports: completeness
        insert(
            con,
            "raw.assignments",
            [{"plan_id": "dien-bien-2021", "indicator_code": "INJURY_RATE", "sector": "health"}],
        )
        for year in (2023, 2024):
            add_submission(con, year, _with_defects(year, clean_values(year)))
        _other_sector_file(con)
    return path


def _scope(con) -> pd.DataFrame:
    loaded = _loaded_submissions(con)
    return loaded.assign(context_group=_context_groups(loaded), in_scope=loaded["submission_id"] == S24)


def _comparable(found) -> dict:
    per_submission = found.per_submission.assign(sample=found.per_submission["sample"].map(tuple))
    flagged = found.flagged.astype("object").where(found.flagged.notna(), None)
    return {
        "per_submission": sorted(per_submission.itertuples(index=False, name=None)),
        "flagged": sorted(flagged.itertuples(index=False, name=None), key=repr),
    }


@pytest.mark.postgres
def test_cross_checks_give_postgres_the_verdicts_of_duckdb(fixture_warehouse, pg_database):
    from ingest.postgres import pg_conninfo, publish_to_postgres

    env = {**os.environ, "TREEM_PG_DATABASE": pg_database}
    published = publish_to_postgres(fixture_warehouse, env, vacuum=False)
    assert published.rows["raw.indicator_values"] == 74
    config = load_config()
    with duckdb.connect(fixture_warehouse) as con:
        scope = _scope(con)
        found = run_cross_checks(con, scope, config, FAMILIES)
        on_duckdb = {verdicts.family: _comparable(verdicts) for verdicts in found}
    with psycopg.connect(pg_conninfo(env)) as pg:
        found = run_cross_checks(pg, scope, config, FAMILIES)
        on_postgres = {verdicts.family: _comparable(verdicts) for verdicts in found}

    assert set(on_duckdb) == set(FAMILIES)
    for family in FAMILIES:
        duck = on_duckdb[family]
        # every check has something to compare: it examined values of the judged file and flagged some
        examined = {sid: count for sid, count, *_ in duck["per_submission"]}
        assert set(examined) == {S24}, family  # the context file gets no verdict
        assert examined[S24] > 0, family
        unexpected = {sid: count for sid, _, count, _ in duck["per_submission"]}
        assert unexpected[S24] > 0, family
        assert {row[0] for row in duck["flagged"]} <= {S24}, family
        assert on_postgres[family] == duck, family
    # the conflict is the planted one: two values shared with the other file, the rounded one agrees
    conflicts = on_duckdb[CONFLICTS]
    assert [(sid, examined, unexpected) for sid, examined, unexpected, _ in conflicts["per_submission"]] == [
        (S24, 2, 1)
    ]
    ((_, code, locality, year, _, _, _, detail),) = conflicts["flagged"]
    assert (code, locality, year) == ("IMMUNIZATION_U1", DISTRICTS[1], 2024)
    assert (
        "70 trong tệp so_ldtbxh_dien_bien_2024.xlsx (dien-bien-2021, social_affairs, ô Số liệu!E11)" in detail
    )
