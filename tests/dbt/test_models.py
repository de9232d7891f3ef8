"""End-to-end `dbt build` on a small hand-made warehouse, and checks of the facts and review marts.

One plan (Tân Yên district, vn2008:216) with two communes, one of which merged on 2025-07-01 with a commune of
another district; values for 2020 (one superseded file) and 2025 (on the vn2025 communes), one error-flagged
value and one warning-flagged value. Expected figures are computed by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest.reference.labels import REORGANISATION_DATE, VN2008_LAST_DAY
from ingest.warehouse import ALL_TABLES, ensure_tables
from ingest.workbook.context import Reference, expected_agencies_frame, reporting_units_frame

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")  # the dbt of the interpreter running the tests
PROJECT_DIR = REPO_ROOT / "dbt_project"

V2008_FROM = dt.date(2008, 8, 1)
V2008_TO, V2025_FROM = VN2008_LAST_DAY, REORGANISATION_DATE

INDICATORS = [
    # code, unit, factor, direction
    ("NEONATAL_MORTALITY", "per_1000_live_births", 1000, "decrease"),
    ("IMMUNIZATION_U1", "percent", 100, "increase"),
    ("U5_STUNTING", "percent", 100, "decrease"),
    ("CHILD_MARRIAGE", "count", 1, "annual_reduction"),
]

LOCALITIES = [
    # id, scheme, level, parent, province, valid_from, valid_to
    ("vn:VN", "vn", "nation", None, None, dt.date(1976, 7, 2), None),
    ("vn2008:24", "vn2008", "province", "vn:VN", "vn2008:24", V2008_FROM, V2008_TO),
    ("vn2008:216", "vn2008", "district", "vn2008:24", "vn2008:24", V2008_FROM, V2008_TO),
    ("vn2008:217", "vn2008", "district", "vn2008:24", "vn2008:24", V2008_FROM, V2008_TO),
    ("vn2008:07357", "vn2008", "commune", "vn2008:216", "vn2008:24", V2008_FROM, V2008_TO),
    ("vn2008:07330", "vn2008", "commune", "vn2008:216", "vn2008:24", V2008_FROM, V2008_TO),
    ("vn2008:07400", "vn2008", "commune", "vn2008:217", "vn2008:24", V2008_FROM, V2008_TO),
    ("vn2025:24", "vn2025", "province", "vn:VN", "vn2025:24", V2025_FROM, None),
    ("vn2025:07350", "vn2025", "commune", "vn2025:24", "vn2025:24", V2025_FROM, None),
    ("vn2025:07330", "vn2025", "commune", "vn2025:24", "vn2025:24", V2025_FROM, None),
]

SUCCESSION = [
    ("vn2008:07357", "vn2025:07350", 1.0, False, "whole"),
    ("vn2008:07330", "vn2025:07330", 1.0, False, "whole"),
    (
        "vn2008:07400",
        "vn2025:07330",
        1.0,
        False,
        "whole",
    ),  # Phúc Hòa also holds a commune from outside Tân Yên
    ("vn2008:216", "vn2025:24", 1.0, False, "share_of_communes"),
    ("vn2008:217", "vn2025:24", 1.0, False, "share_of_communes"),
    ("vn2008:24", "vn2025:24", 1.0, False, "share_of_communes"),
]

AGENCIES = [
    ("health@vn2008:216", "health", "vn2008:216", V2008_FROM, V2008_TO),
    ("social_affairs@vn2008:216", "social_affairs", "vn2008:216", V2008_FROM, dt.date(2025, 2, 28)),
    ("health@vn2025:24", "health", "vn2025:24", V2025_FROM, None),
]

TARGETS = [
    # indicator, year, comparator, value, high
    ("NEONATAL_MORTALITY", 2025, "<", 9.5, None),
    ("NEONATAL_MORTALITY", 2030, "<", 9.0, None),
    ("IMMUNIZATION_U1", 2025, ">=", 97.0, None),
    ("IMMUNIZATION_U1", 2030, ">=", 98.0, None),
    ("U5_STUNTING", 2025, "<", 17.0, None),
    ("U5_STUNTING", 2030, "<", 15.0, None),
    ("CHILD_MARRIAGE", 2030, ">=", 2.0, 3.0),  # "giảm 2-3% hằng năm", a 2030-only target
]

SUBMISSIONS = [
    # id, agency, sector, year, territory, status, received_at
    ("s1", "health@vn2008:216", "health", 2020, "vn2008:216", "superseded", dt.datetime(2020, 11, 10, 9)),
    ("s2", "health@vn2008:216", "health", 2020, "vn2008:216", "loaded", dt.datetime(2020, 12, 1, 9)),
    (
        "s4",
        "social_affairs@vn2008:216",
        "social_affairs",
        2020,
        "vn2008:216",
        "loaded",
        dt.datetime(2020, 11, 1),
    ),
    ("s3", "health@vn2025:24", "health", 2025, "vn2025:24", "loaded", dt.datetime(2025, 11, 15, 8)),
]

VALUES = [
    # submission, indicator, locality, year, value, numerator, denominator, is_total_row, cell
    ("s1", "NEONATAL_MORTALITY", "vn2008:07357", 2020, 40.0, 20, 500, False, "C5"),
    ("s1", "NEONATAL_MORTALITY", "vn2008:07330", 2020, 40.0, 20, 500, False, "C6"),
    ("s2", "NEONATAL_MORTALITY", "vn2008:07357", 2020, 12.0, 6, 500, False, "C5"),
    ("s2", "NEONATAL_MORTALITY", "vn2008:07330", 2020, 12.0, 6, 500, False, "C6"),
    ("s2", "NEONATAL_MORTALITY", None, 2020, 12.0, 12, 1000, True, "C7"),
    ("s2", "IMMUNIZATION_U1", "vn2008:07357", 2020, 90.0, 45, 50, False, "D5"),
    ("s2", "IMMUNIZATION_U1", "vn2008:07330", 2020, 80.0, 160, 200, False, "D6"),
    ("s2", "U5_STUNTING", "vn2008:07357", 2020, 20.0, 20, 100, False, "E5"),
    ("s2", "U5_STUNTING", "vn2008:07330", 2020, 20.0, 20, 100, False, "E6"),
    ("s4", "CHILD_MARRIAGE", "vn2008:07357", 2020, 5.0, None, None, False, "F5"),
    ("s4", "CHILD_MARRIAGE", "vn2008:07330", 2020, 5.0, None, None, False, "F6"),
    ("s3", "NEONATAL_MORTALITY", "vn2025:07350", 2025, 10.0, 10, 1000, False, "C5"),
    ("s3", "NEONATAL_MORTALITY", "vn2025:07330", 2025, 9.0, 9, 1000, False, "C6"),
    ("s3", "IMMUNIZATION_U1", "vn2025:07350", 2025, 97.0, 97, 100, False, "D5"),
    ("s3", "IMMUNIZATION_U1", "vn2025:07330", 2025, 97.0, 97, 100, False, "D6"),
    ("s3", "U5_STUNTING", "vn2025:07350", 2025, 15.0, 15, 100, False, "E5"),
    ("s3", "CHILD_MARRIAGE", "vn2025:07350", 2025, 4.0, None, None, False, "F5"),
    ("s3", "CHILD_MARRIAGE", "vn2025:07330", 2025, 4.0, None, None, False, "F6"),
]

FLAGS = [
    ("s3", "U5_STUNTING", "vn2025:07350", 2025, "error", "numerator_le_denominator", "hand-made error"),
    ("s3", "IMMUNIZATION_U1", "vn2025:07330", 2025, "warning", "year_on_year_jump", "hand-made warning"),
]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    columns = list(ALL_TABLES[table])
    placeholders = ", ".join("?" for _ in columns)
    con.executemany(
        f"insert into {table} ({', '.join(columns)}) values ({placeholders})",
        [[row.get(c) for c in columns] for row in rows],
    )


def build_fixture_warehouse(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        ensure_tables(con, ALL_TABLES)
        _insert(
            con,
            "raw.indicators",
            [
                {
                    "indicator_code": c,
                    "goal_group": 2,
                    "national_item": "3",
                    "name_vi": c,
                    "name_en": c,
                    "unit": u,
                    "factor": f,
                    "direction": d,
                }
                for c, u, f, d in INDICATORS
            ],
        )
        _insert(
            con,
            "raw.plans",
            [
                {
                    "plan_id": "tan-yen-2021",
                    "title_vi": "Chương trình hành động vì trẻ em huyện Tân Yên",
                    "locality_id": "vn2008:216",
                    "report_deadline": "11-20",
                }
            ],
        )
        _insert(
            con,
            "raw.targets",
            [
                {
                    "claim_id": f"t{i}",
                    "plan_id": "tan-yen-2021",
                    "locality_id": "vn2008:216",
                    "indicator_code": c,
                    "plan_item": str(i),
                    "year": y,
                    "comparator": cmp,
                    "target_value": v,
                    "target_value_high": hi,
                    "source_section": "text",
                    "source_quote": "trích dẫn",
                }
                for i, (c, y, cmp, v, hi) in enumerate(TARGETS)
            ],
        )
        _insert(
            con,
            "raw.assignments",
            [
                {
                    "plan_id": "tan-yen-2021",
                    "indicator_code": c,
                    "sector": "social_affairs" if c == "CHILD_MARRIAGE" else "health",
                }
                for c, *_ in INDICATORS
            ],
        )
        _insert(
            con,
            "raw.plan_baselines",
            [
                {
                    "plan_id": "tan-yen-2021",
                    "locality_id": "vn2008:216",
                    "indicator_code": "U5_STUNTING",
                    "year": 2020,
                    "value": 21.0,
                    "source_quote": "năm 2020: 21%",
                }
            ],
        )
        _insert(
            con,
            "raw.localities",
            [
                {
                    "locality_id": i,
                    "scheme": s,
                    "code": i.split(":")[1],
                    "name_vi": i,
                    "level": lv,
                    "parent_id": p,
                    "province_id": pr,
                    "valid_from": vf,
                    "valid_to": vt,
                }
                for i, s, lv, p, pr, vf, vt in LOCALITIES
            ],
        )
        _insert(
            con,
            "raw.locality_succession",
            [
                {
                    "old_locality_id": o,
                    "new_locality_id": n,
                    "allocation_share": sh,
                    "is_partial": pa,
                    "allocation_rule": r,
                }
                for o, n, sh, pa, r in SUCCESSION
            ],
        )
        _insert(
            con,
            "raw.agencies",
            [
                {
                    "agency_id": a,
                    "name_vi": a,
                    "sector": s,
                    "locality_id": loc,
                    "valid_from": vf,
                    "valid_to": vt,
                }
                for a, s, loc, vf, vt in AGENCIES
            ],
        )
        _insert(
            con,
            "audit.submissions",
            [
                {
                    "submission_id": i,
                    "file_name": f"{i}.xlsx",
                    "received_at": r,
                    "agency_id": a,
                    "plan_id": "tan-yen-2021",
                    "sector": s,
                    "year": y,
                    "locality_id": t,
                    "status": st,
                }
                for i, a, s, y, t, st, r in SUBMISSIONS
            ],
        )
        agency_of = {s[0]: s[1] for s in SUBMISSIONS}
        _insert(
            con,
            "raw.indicator_values",
            [
                {
                    "submission_id": s,
                    "plan_id": "tan-yen-2021",
                    "agency_id": agency_of[s],
                    "indicator_code": c,
                    "locality_id": loc,
                    "year": y,
                    "value": v,
                    "numerator": n,
                    "denominator": d,
                    "is_total_row": tot,
                    "sheet": "Biểu 1",
                    "cell": cell,
                    "raw_value": str(v),
                }
                for s, c, loc, y, v, n, d, tot, cell in VALUES
            ],
        )
        _insert(
            con,
            "dq.flagged_values",
            [
                {
                    "submission_id": s,
                    "indicator_code": c,
                    "locality_id": loc,
                    "year": y,
                    "severity": sev,
                    "check_name": chk,
                    "detail": det,
                }
                for s, c, loc, y, sev, chk, det in FLAGS
            ],
        )
        # the units each year's workbook lists and the agency it names, from the one rules the reference
        # landing writes them with
        reference = _reference(con)
        _insert(con, "raw.reporting_units", reporting_units_frame(reference).to_dict("records"))
        _insert(con, "raw.expected_agencies", expected_agencies_frame(reference).to_dict("records"))


def _reference(con) -> Reference:
    """The workbook reference of this warehouse's plan, localities, bridge and agencies."""

    def frame(table: str):
        return con.execute(f"select * from {table}").df()

    return Reference(
        indicators=frame("raw.indicators").set_index("indicator_code", drop=False),
        assignments=frame("raw.assignments"),
        plans=frame("raw.plans").set_index("plan_id", drop=False),
        localities=frame("raw.localities").set_index("locality_id", drop=False),
        succession=frame("raw.locality_succession"),
        resolver=None,
        agencies=frame("raw.agencies"),
    )


def run_dbt_build(warehouse: Path, work_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TREEM_WAREHOUSE": str(warehouse), "TREEM_DBT_TARGET": "duckdb"}
    return subprocess.run(
        [
            str(DBT),
            "build",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work_dir = tmp_path_factory.mktemp("dbt_models")
    path = work_dir / "treem.duckdb"
    build_fixture_warehouse(path)
    result = run_dbt_build(path, work_dir)
    assert result.returncode == 0, result.stdout[-6000:]
    return path


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def so_ket(path: Path, indicator: str) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute(
            "select * from marts.mart_so_ket_2025 "
            "where plan_id = 'tan-yen-2021' and locality_id = 'vn2008:216' "
            "and indicator_code = ?",
            [indicator],
        )
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


def test_superseded_submission_values_are_not_facts(warehouse: Path) -> None:
    assert query(warehouse, "select count(*) from marts.fct_indicator_value where submission_id = 's1'") == [
        (0,)
    ]
    rows = query(
        warehouse,
        """
        select value, submission_id, sheet, cell from marts.fct_indicator_value
        where indicator_code = 'NEONATAL_MORTALITY' and locality_id = 'vn2008:07357' and year = 2020
    """,
    )
    assert rows == [(12.0, "s2", "Biểu 1", "C5")]


def test_rollups_are_sums_of_numerators_over_sums_of_denominators(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select numerator, denominator, value, child_count, is_approximate from marts.fct_indicator_value
        where origin = 'rollup' and indicator_code = 'IMMUNIZATION_U1'
            and locality_id = 'vn2008:216' and year = 2020
    """,
    )
    # communes 45/50 (90 %) and 160/200 (80 %): 205/250 = 82 %, not the mean 85 %
    assert rows == [(205.0, 250.0, pytest.approx(82.0), 2, False)]
    # the province has one of its two districts: approximate
    province = query(
        warehouse,
        """
        select numerator, denominator, is_approximate from marts.fct_indicator_value
        where origin = 'rollup' and indicator_code = 'IMMUNIZATION_U1'
            and locality_id = 'vn2008:24' and year = 2020
    """,
    )
    assert province == [(205.0, 250.0, True)]


def test_total_rows_are_checked_not_added(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select locality_id, reported_value, rollup_value, agrees_with_rollup from marts.fct_reported_total
    """,
    )
    assert rows == [("vn2008:216", 12.0, pytest.approx(12.0), True)]
    reported_district = query(
        warehouse,
        """
        select count(*) from marts.fct_indicator_value
        where origin = 'reported' and locality_id = 'vn2008:216'
    """,
    )
    assert reported_district == [(0,)]


def test_error_value_stays_visible_in_facts_but_never_reaches_the_review(warehouse: Path) -> None:
    assert query(
        warehouse,
        """
        select quality_status from marts.fct_indicator_value
        where indicator_code = 'U5_STUNTING' and locality_id = 'vn2025:07350' and year = 2025
    """,
    ) == [("error",)]
    assert query(
        warehouse,
        """
        select count(*) from marts.fct_indicator_value
        where origin = 'rollup' and indicator_code = 'U5_STUNTING' and year = 2025
    """,
    ) == [(0,)]
    row = so_ket(warehouse, "U5_STUNTING")
    assert row["value_2025"] is None
    assert row["status_2025"] == "no_data"
    assert row["baseline_value"] == pytest.approx(20.0)  # the rollup beats the plan's quoted 21
    assert query(warehouse, "select count(*) from marts.mart_so_ket_2025 where quality_status = 'error'") == [
        (0,)
    ]


def test_warning_value_reaches_the_review_flagged(warehouse: Path) -> None:
    row = so_ket(warehouse, "IMMUNIZATION_U1")
    assert row["value_2025"] == pytest.approx(97.0)
    assert row["quality_status"] == "warning"
    assert row["warning_count"] == 1
    assert row["status_2025"] == "achieved"
    # 82 -> 97 projects past 100 %: capped at 100, P = (100 - 82) / (98 - 82) = 1.125
    assert row["projected_2030"] == pytest.approx(100.0)
    assert row["progress_2030"] == "on_track"
    assert "capped" in row["judgement_rule"]


def test_strict_target_and_vn2008_territory_after_2025(warehouse: Path) -> None:
    row = so_ket(warehouse, "NEONATAL_MORTALITY")
    # 2025 on the new communes covering Tân Yên: (10 + 9) / (1000 + 1000) = 9.5 per 1000; Phúc Hòa also holds
    # a commune from outside the district, so the value is approximate. "dưới 9,5" is not met by 9.5.
    assert row["baseline_value"] == pytest.approx(12.0)
    assert row["value_2025"] == pytest.approx(9.5)
    assert row["value_2025_is_approximate"] is True
    assert row["value_2025_source"] == "from_vn2025_communes"
    assert row["status_2025"] == "not_achieved"
    # 12 -> 9.5 projects to 9.5 x 9.5/12 = 7.52 < 9: P = (7.52 - 12) / (9 - 12) = 1.49
    assert row["projected_2030"] == pytest.approx(9.5 * 9.5 / 12)
    assert row["progress_2030"] == "on_track"


def test_annual_reduction_target_for_2030_only(warehouse: Path) -> None:
    row = so_ket(warehouse, "CHILD_MARRIAGE")
    # counts are summed: 10 in 2020, 8 in 2025; AARR = 1 - 0.8^(1/5) = 4.36 % >= 2 %
    assert row["baseline_value"] == pytest.approx(10.0)
    assert row["value_2025"] == pytest.approx(8.0)
    assert row["status_2025"] == "no_target"
    assert row["aarr_actual"] == pytest.approx(1 - 0.8**0.2)
    assert row["progress_2030"] == "on_track"


def test_comparable_series_on_current_units(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select locality_id, value, is_exact from marts.fct_indicator_value_comparable
        where indicator_code = 'NEONATAL_MORTALITY' and year = 2020 and basis = 'reexpressed_from_commune'
        order by locality_id
    """,
    )
    # Phúc Hòa's other predecessor (vn2008:07400) did not report: not exact
    assert rows == [("vn2025:07330", pytest.approx(12.0), False), ("vn2025:07350", pytest.approx(12.0), True)]
    native = query(
        warehouse,
        """
        select value from marts.fct_indicator_value_comparable
        where basis = 'native' and indicator_code = 'NEONATAL_MORTALITY' and locality_id = 'vn2025:07350'
    """,
    )
    assert native == [(10.0,)]


def test_reporting_completeness(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """
        select sector, year, agency_id, expected_values, received_values, deadline, on_time
        from marts.mart_reporting_completeness where year in (2020, 2025) order by sector, year
    """,
    )
    assert rows == [
        # 2 communes x 3 health indicators; the first (superseded) file came before 20/11
        ("health", 2020, "health@vn2008:216", 6, 6, dt.date(2020, 11, 20), True),
        # 2025: the vn2025 communes covering Tân Yên; U5_STUNTING only for one commune
        ("health", 2025, "health@vn2025:24", 6, 5, dt.date(2025, 11, 20), True),
        ("social_affairs", 2020, "social_affairs@vn2008:216", 2, 2, dt.date(2020, 11, 20), True),
        # social affairs ended 2025-02-28: its duties passed to health
        ("social_affairs", 2025, "health@vn2025:24", 2, 2, dt.date(2025, 11, 20), True),
    ]
