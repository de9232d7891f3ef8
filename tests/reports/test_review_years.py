"""A review shows what was known of its years: the sơ kết 2025 does not list data-quality checks of files
reported for later years (as its flagged values and completeness table do not), nor draw their values in its
trajectories; the tổng kết 2030 does both. So a later year's data does not make the mid-term report look
changed (it is not rewritten)."""

from __future__ import annotations

import shutil
from datetime import datetime

import duckdb

from ingest.snapshot import read_copy_path
from reports.data import load_review

PLAN = "dien-bien-2021"


def test_mid_term_review_lists_no_check_of_a_later_year(built_warehouse, tmp_path):
    copy = tmp_path / "treem.duckdb"
    shutil.copy(read_copy_path(built_warehouse), copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(
            "insert into audit.submissions (submission_id, plan_id, year, status, file_name) "
            "values ('sub-2026', ?, 2026, 'loaded', 'dien-bien_health_2026.xlsx')",
            [PLAN],
        )
        con.execute(
            "insert into dq.check_results (run_id, checked_at, suite, check_name, severity, success, "
            "element_count, unexpected_count, submission_id) "
            "values ('r', ?, 'cross', 'outlier_yoy', 'warning', false, 10, 1, 'sub-2026')",
            [datetime(2027, 1, 5)],
        )
        mid_term = {c["submission_id"] for c in load_review(con, "so-ket-2025", PLAN).checks}
        final = {c["submission_id"] for c in load_review(con, "tong-ket-2030", PLAN).checks}
    finally:
        con.close()
    assert "sub-2026" in final
    assert "sub-2026" not in mid_term
    assert mid_term - {None} and mid_term <= final  # the earlier years' failing checks are in both


def test_mid_term_trajectory_ends_in_2025(built_warehouse, tmp_path):
    copy = tmp_path / "treem.duckdb"
    shutil.copy(read_copy_path(built_warehouse), copy)
    con = duckdb.connect(str(copy))
    try:
        code, locality = con.execute(
            "select indicator_code, locality_id from marts.mart_tong_ket_2030 "
            "where plan_id = ? and value_2025 is not null and is_plan_territory order by 1 limit 1",
            [PLAN],
        ).fetchone()
        con.execute(
            "update marts.mart_tong_ket_2030 set value_2026 = 42.5 "
            "where plan_id = ? and indicator_code = ? and locality_id = ?",
            [PLAN, code, locality],
        )
        mid_term = load_review(con, "so-ket-2025", PLAN).trajectories[code]
        final = load_review(con, "tong-ket-2030", PLAN).trajectories[code]
    finally:
        con.close()
    assert final[2026] == 42.5 and 2025 in final
    assert 2025 in mid_term and max(mid_term) == 2025


def test_breakdown_order_does_not_follow_the_marts_scan():
    """Two communes of one name under one district (and a unit outside the hierarchy) come out in the same
    order whatever order the mart returned them in, so an unchanged report keeps its fingerprint."""
    from reports.data import _breakdown

    names = {
        "d1": {"name_vi": "Huyện A", "level": "district", "parent_id": None},
        "c1": {"name_vi": "Xã Tân Lập", "level": "commune", "parent_id": "d1"},
        "c2": {"name_vi": "Xã Tân Lập", "level": "commune", "parent_id": "d1"},
    }
    rows = [
        {"locality_id": loc, "indicator_code": code, "is_plan_territory": False, "goal_group": 1}
        for loc in ("c2", "x9", "c1")
        for code in ("U5_MORTALITY", "IMMUNIZATION_U1")
    ]
    orders = {
        tuple(
            (b["locality_id"], b["indicator_code"]) for b in _breakdown(None, ordered, names, "so-ket-2025")
        )
        for ordered in (rows, rows[::-1], rows[2:] + rows[:2])
    }
    assert len(orders) == 1


def test_task_sectors_and_completeness_do_not_follow_the_marts_scan():
    """Sectors with as many tasks, and completeness rows of one agency and year, come out in one order
    whatever order the marts returned them in (a rebuild of the marts reorders its rows): before, every
    rebuild made most reports look changed, and they were all written again."""
    from reports.data import _completeness, _task_progress

    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.mart_task_progress (plan_id varchar, task_id varchar, year integer, "
        "is_reported boolean)"
    )
    con.execute("insert into marts.mart_task_progress values ('p', 't01', 2025, true)")
    con.execute(
        "create table marts.mart_task_progress_by_agency "
        "(plan_id varchar, year integer, lead_sector varchar, tasks integer)"
    )
    con.execute(
        "create table marts.mart_reporting_completeness (plan_id varchar, year integer, agency_id varchar, "
        "sector varchar, locality_id varchar, reported boolean)"
    )
    sectors = [("police", 3), ("finance", 3), ("all_agencies", 9), ("health", 5), ("justice", 3)]
    units = [("u2", True), ("u1", False), ("u3", True)]
    seen = set()
    for ordered in (sectors, sectors[::-1], sectors[2:] + sectors[:2]):
        con.execute("delete from marts.mart_task_progress_by_agency")
        con.execute("delete from marts.mart_reporting_completeness")
        for sector, tasks in ordered:
            con.execute(
                "insert into marts.mart_task_progress_by_agency values ('p', 2025, ?, ?)", [sector, tasks]
            )
        for unit, reported in units if ordered is sectors else units[::-1]:
            con.execute(
                "insert into marts.mart_reporting_completeness values ('p', 2025, 'a', 'health', ?, ?)",
                [unit, reported],
            )
        _, by_sector, _ = _task_progress(con, "p", 2025)
        completeness = _completeness(con, "p", 2025, {})
        seen.add(
            (
                tuple(r["lead_sector"] for r in by_sector),
                tuple(r["locality_id"] for r in completeness),
            )
        )
    assert seen == {(("health", "finance", "justice", "police", "all_agencies"), ("u1", "u2", "u3"))}
