"""Task sheets round-trip from a filled agency workbook into the task marts and the review report.

One small warehouse: the real reference registries (plans, tasks) and four workbooks written by the template
writer and filled with openpyxl like an agency would:
- Tân Yên, social affairs, 2023: done (with evidence), in progress written without diacritics, an unknown
  status ("Hoàn thành tốt" → quarantined), a narrative without a status (quarantined), blank rows (not
  reported), and an added row with a task code that is not in the plan (quarantined);
- Lai Châu (tasks, no numeric target), education, 2023: a task-only workbook;
- Tân Yên, social affairs, 2024, twice: the later file supersedes the earlier one's statuses.
Then `dbt build --select +mart_task_progress+` and checks of the marts row by row.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from ingest import warehouse
from ingest.reference.plans import load_registry
from ingest.reference.tasks import load_tasks
from ingest.workbook.context import load_reference
from ingest.workbook.loader import ingest_paths
from ingest.workbook.template import build_template

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")  # the dbt of the interpreter running the tests
PROJECT_DIR = REPO_ROOT / "dbt_project"

PLAN, SECTOR = "tan-yen-2021", "social_affairs"
AGENCY = "social_affairs@vn2008:216"


def _template(tmp: Path, plan_id: str, sector: str, year: int, name: str, fill) -> tuple[Path, dict]:
    """Build the template, let `fill(ws, tmap)` fill its task sheet, save; return path and task rows."""
    wb, tmap = build_template(plan_id, sector, year, load_reference())
    ws = wb[tmap.task_sheet]
    fill(ws, tmap)
    path = tmp / name
    wb.save(path)
    return path, dict(tmap.task_rows)


def _set(ws, tmap, task_id: str, status=None, narrative=None, evidence=None) -> None:
    r = tmap.task_rows[task_id]
    for key, value in (("status", status), ("narrative", narrative), ("evidence", evidence)):
        if value is not None:
            ws.cell(r, tmap.task_columns[key], value)


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tasks")
    ref = load_reference()
    tasks = list(ref.sector_tasks(PLAN, SECTOR)["task_id"])
    assert len(tasks) >= 6
    t = tasks

    def fill_2023(ws, tmap):
        _set(
            ws, tmap, t[0], "Đã hoàn thành", "Đã ban hành kế hoạch và tổ chức 4 hội nghị.", "Báo cáo số 12/BC"
        )
        _set(ws, tmap, t[1], "dang thuc hien", "Đang xây dựng mô hình tại 3 xã.")
        _set(ws, tmap, t[2], "Hoàn thành tốt", "Kết quả tốt.")
        _set(ws, tmap, t[3], narrative="Đã tổ chức tập huấn nhưng quên chọn tình trạng.")
        _set(ws, tmap, t[4], "Chưa thực hiện")
        extra = max(tmap.task_rows.values()) + 1
        ws.cell(extra, 2, "tan-yen-2021/t99")
        ws.cell(extra, 3, "Nhiệm vụ đơn vị tự thêm")
        ws.cell(extra, 4, "Đã hoàn thành")

    def fill_2024_first(ws, tmap):
        for task_id in t:
            _set(ws, tmap, task_id, "Chưa triển khai", "Bản gửi lần đầu.")

    def fill_2024_second(ws, tmap):
        for task_id in t[:-1]:
            _set(ws, tmap, task_id, "Đã hoàn thành", "Bản sửa đổi.")

    lai_chau = list(ref.sector_tasks("lai-chau-2020", "education")["task_id"])

    def fill_lai_chau(ws, tmap):
        _set(ws, tmap, lai_chau[0], "Hoàn thành", "Đã hoàn thành.")

    files = [
        _template(tmp, PLAN, SECTOR, 2023, "tan-yen_2023.xlsx", fill_2023),
        _template(tmp, "lai-chau-2020", "education", 2023, "lai-chau_2023.xlsx", fill_lai_chau),
        _template(tmp, PLAN, SECTOR, 2024, "tan-yen_2024.xlsx", fill_2024_first),
        _template(tmp, PLAN, SECTOR, 2024, "tan-yen_2024_sua.xlsx", fill_2024_second),
    ]
    wh = tmp / "treem.duckdb"
    summaries = [ingest_paths([path], wh, feedback_dir=tmp / "feedback") for path, _ in files]
    with duckdb.connect(str(wh)) as con:
        warehouse.ensure_tables(con, warehouse.ALL_TABLES)
        frames = {**load_registry(), **load_tasks()}
        for name in ("raw.plans", "raw.tasks", "raw.task_coordination"):
            warehouse.replace_table(con, name, frames[name], warehouse.ALL_TABLES[name])
    env = {**os.environ, "TREEM_WAREHOUSE": str(wh), "TREEM_DBT_TARGET": "duckdb"}
    result = subprocess.run(
        [
            str(DBT),
            "build",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
            "--select",
            "+mart_task_progress+",
            "+fct_task_assignment",
            # tests of a selected model that also need an unselected one (dim_task -> dim_plan) are skipped
            "--indirect-selection",
            "cautious",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    con = duckdb.connect(str(wh), read_only=True)
    yield {"con": con, "tasks": t, "lai_chau": lai_chau, "summaries": summaries, "tmp": tmp, "files": files}
    con.close()


def _mart(con, plan_id: str, year: int) -> dict[str, tuple]:
    rows = con.execute(
        "select task_id, status, narrative_vi, evidence_ref, reported_by, is_reported, sheet, cell, "
        "received_at is not null from marts.mart_task_progress where plan_id = ? and year = ?",
        [plan_id, year],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_ingest_lands_task_reports_and_quarantines_problems(landed):
    con, t = landed["con"], landed["tasks"]
    first = landed["summaries"][0].results[0]
    assert first.status == "loaded" and first.task_reports_loaded == 3
    # every cell accounted for, task-sheet cells included (asserted again by summary.check)
    assert first.cells_read == (
        first.cells_label + first.cells_loaded + first.cells_not_reported + first.cells_quarantined
    )
    reports = con.execute(
        "select task_id, status, sheet, cell from raw.task_reports where submission_id = ? order by task_id",
        [first.submission_id],
    ).fetchall()
    assert reports == [
        (t[0], "done", "Nhiệm vụ", "D7"),
        (t[1], "in_progress", "Nhiệm vụ", "D8"),
        (t[4], "not_started", "Nhiệm vụ", "D11"),
    ]
    quarantined = con.execute(
        "select cell, raw_value, reason_code, reason_vi from audit.quarantine where submission_id = ? "
        "order by cell",
        [first.submission_id],
    ).fetchall()
    extra_row = 7 + len(t)
    codes = {(cell, code) for cell, _, code, _ in quarantined}
    assert codes == {
        ("D9", "unknown_task_status"),
        ("E9", "unknown_task_status"),
        ("E10", "task_report_without_status"),
        (f"B{extra_row}", "unknown_task"),
        (f"C{extra_row}", "unknown_task"),
        (f"D{extra_row}", "unknown_task"),
    }
    by_cell = {cell: (raw, vi) for cell, raw, _, vi in quarantined}
    assert by_cell["D9"] == ("Hoàn thành tốt", "Tình trạng thực hiện nhiệm vụ không đúng danh mục")
    assert "tan-yen-2021/t99" in by_cell[f"B{extra_row}"][1]
    # the feedback workbook lists the task problems for the agency
    from ingest.workbook.feedback import collect, save

    written = save(collect(con, first.submission_id, load_reference()), landed["tmp"] / "feedback")
    feedback = load_workbook(written)  # as the agency_feedback step writes it after validation
    lines = [row for row in feedback.active.iter_rows(min_row=8, values_only=True) if row[1] == "Nhiệm vụ"]
    assert sum(len(line[4].split(", ")) for line in lines) == len(quarantined)
    assert len(lines) == 3  # one line per row and reason: D9+E9, E10, the unknown task B15:D15
    # the task-only plan (no numeric target) loads from its task sheet alone
    lai_chau = landed["summaries"][1].results[0]
    assert lai_chau.status == "loaded" and lai_chau.task_reports_loaded == 1 and lai_chau.values_loaded == 0


def test_mart_rows_of_a_filled_sheet(landed):
    con, t = landed["con"], landed["tasks"]
    mart = _mart(con, PLAN, 2023)
    assert (
        len(mart)
        == con.execute("select count(*) from marts.dim_task where plan_id = ?", [PLAN]).fetchone()[0]
    )
    done = "Đã ban hành kế hoạch và tổ chức 4 hội nghị."
    assert mart[t[0]] == ("done", done, "Báo cáo số 12/BC", AGENCY, True, "Nhiệm vụ", "D7", True)
    assert mart[t[1]][:2] == ("in_progress", "Đang xây dựng mô hình tại 3 xã.")
    assert mart[t[4]][0] == "not_started"
    for task_id in (t[2], t[3], t[5]):  # quarantined or blank: not reported, still listed
        assert mart[task_id] == (None, None, None, None, False, None, None, False)
    # years: from the plan's start (Tân Yên has no issue date: the year in its id, 2021) to 2025
    years = con.execute(
        "select distinct year from marts.mart_task_progress where plan_id = ? order by 1", [PLAN]
    ).fetchall()
    assert [y for (y,) in years] == [2021, 2022, 2023, 2024, 2025]


def test_task_only_plan_reaches_the_mart(landed):
    con, lai_chau = landed["con"], landed["lai_chau"]
    mart = _mart(con, "lai-chau-2020", 2023)
    assert mart[lai_chau[0]][:2] == ("done", "Đã hoàn thành.")
    assert mart[lai_chau[0]][3] == "education@vn2008:12"
    n_tasks = con.execute("select count(*) from marts.dim_task where plan_id = 'lai-chau-2020'").fetchone()[0]
    n_rows = con.execute(
        "select count(*) from marts.mart_task_progress where plan_id = 'lai-chau-2020'"
    ).fetchone()[0]
    assert n_rows == n_tasks * 6  # 2020 .. 2025


def test_agency_share_of_tasks_done(landed):
    con = landed["con"]
    tasks = con.execute(
        "select task_id, lead_sector from marts.dim_task where plan_id = ?", [PLAN]
    ).fetchall()
    statuses = {k: v[0] for k, v in _mart(con, PLAN, 2023).items()}
    expected = {}
    for task_id, sector in tasks:
        row = expected.setdefault(sector, [0, 0, 0, 0, 0])
        status = statuses[task_id]
        row[0] += 1
        row[{"done": 1, "in_progress": 2, "not_started": 3, None: 4}[status]] += 1
    got = con.execute(
        "select lead_sector, tasks, done, in_progress, not_started, not_reported, done_pct "
        "from marts.mart_task_progress_by_agency where plan_id = ? and year = 2023",
        [PLAN],
    ).fetchall()
    assert {g[0]: list(g[1:6]) for g in got} == expected
    social = next(g for g in got if g[0] == SECTOR)
    assert social[1] == sum(1 for _, s in tasks if s == SECTOR)
    assert social[6] == pytest.approx(100.0 * social[2] / social[1])


def test_later_file_supersedes_task_statuses(landed):
    con, t = landed["con"], landed["tasks"]
    first, second = (landed["summaries"][i].results[0] for i in (2, 3))
    assert second.superseded == [first.submission_id]
    status = con.execute(
        "select status from audit.submissions where submission_id = ?", [first.submission_id]
    ).fetchone()[0]
    assert status == "superseded"
    mart = _mart(con, PLAN, 2024)
    assert {mart[task_id][:2] for task_id in t[:-1]} == {("done", "Bản sửa đổi.")}
    assert mart[t[-1]][4] is False  # left blank in the correction: not reported, not the first file's status
    submissions = con.execute(
        "select distinct submission_id from marts.mart_task_progress where plan_id = ? and year = 2024 "
        "and is_reported",
        [PLAN],
    ).fetchall()
    assert submissions == [(second.submission_id,)]
    fct = con.execute("select role, count(*) from marts.fct_task_assignment group by 1 order by 1").fetchall()
    assert dict(fct)["lead"] == con.execute("select count(*) from marts.dim_task").fetchone()[0]


def test_review_report_has_the_task_sheet(built_warehouse, tmp_path):
    """The demo warehouse's sơ kết report of Điện Biên shows task implementation by agency."""
    from reports import build_review_report
    from reports.excel import TASKS_SHEET

    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        paths = build_review_report(con, "so-ket-2025", "dien-bien-2021", tmp_path)
        by_sector = con.execute(
            "select sum(tasks), sum(done) from marts.mart_task_progress_by_agency "
            "where plan_id = 'dien-bien-2021' and year = 2025"
        ).fetchone()
        reported = con.execute(
            "select count(*) from marts.mart_task_progress where plan_id = 'dien-bien-2021' and is_reported"
        ).fetchone()[0]
    finally:
        con.close()
    assert reported > 0
    xlsx = next(p for p in paths if p.suffix == ".xlsx")
    wb = load_workbook(xlsx)
    assert TASKS_SHEET in wb.sheetnames
    ws = wb[TASKS_SHEET]
    values = [row for row in ws.iter_rows(values_only=True)]
    total = next(row for row in values if row[0] == "Tổng cộng")
    assert (total[3], total[4]) == (str(by_sector[0]), str(by_sector[1]))  # sector name spans A:C
    statuses = {row[4] for row in values if row[0] and str(row[0]).isdigit()}
    assert statuses <= {"Đã hoàn thành", "Đang triển khai", "Chưa triển khai", "Chưa báo cáo"}
    assert "Đã hoàn thành" in statuses
    html = next(p for p in paths if p.suffix == ".html").read_text(encoding="utf-8")
    assert "6. Thực hiện nhiệm vụ" in html


def test_template_task_sheet(tmp_path):
    """Task-only plans get a task-only workbook; numeric plans get the task sheet after the data sheet."""
    from ingest.workbook.task_sheet import STATUS_OPTIONS, TASK_COLUMNS
    from ingest.workbook.template import TASK_HEADER_ROW, write_template

    ref = load_reference()
    path = write_template("lai-chau-2020", "education", 2023, tmp_path / "lai-chau.xlsx", ref)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Nhiệm vụ", "Hướng dẫn", "_treem"]
    ws = wb["Nhiệm vụ"]
    assert [c.value for c in ws[TASK_HEADER_ROW]] == list(TASK_COLUMNS.values())
    expected = ref.sector_tasks("lai-chau-2020", "education")
    first = TASK_HEADER_ROW + 1
    assert ws.cell(first + len(expected) - 1, 2).value == expected["task_id"].iloc[-1]
    assert ws.cell(first, 3).protection.locked and ws.cell(first, 3).alignment.wrap_text
    assert not ws.cell(first, 4).protection.locked and not ws.cell(first, 5).protection.locked
    dv = ws.data_validations.dataValidation[0]
    assert dv.type == "list" and all(option in dv.formula1 for option in STATUS_OPTIONS.values())
    assert ws.protection.sheet and not ws.protection.password
    instructions = " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"] if c.value)
    assert "giao chung cho các sở, ban, ngành" in instructions and "Đã hoàn thành" in instructions
    # every sector also reports the duties addressed to all agencies
    assert set(expected["lead_sector"]) == {"education", "all_agencies"}

    wb = load_workbook(write_template("dien-bien-2021", "health", 2023, tmp_path / "db.xlsx", ref))
    assert wb.sheetnames == ["Số liệu", "Nhiệm vụ", "Hướng dẫn", "_treem"]
    with pytest.raises(ValueError):
        write_template("lai-chau-2020", "natural_resources", 2023, tmp_path / "none.xlsx", ref)


def test_renamed_task_sheet_is_found_by_its_header(tmp_path):
    """Agencies rename sheets and add rows above the header: the task sheet is found by its header."""
    from ingest.workbook.parse import parse_workbook

    ref = load_reference()
    wb, tmap = build_template(PLAN, SECTOR, 2023, ref)
    ws = wb[tmap.task_sheet]
    task_id, r = next(iter(tmap.task_rows.items()))
    ws.cell(r, tmap.task_columns["status"], "ĐÃ HOÀN THÀNH")
    ws.title = "NV 2023"
    ws.insert_rows(1, 2)
    path = tmp_path / "renamed.xlsx"
    wb.save(path)
    parsed = parse_workbook(path, ref)
    assert [(t["task_id"], t["status"], t["sheet"], t["cell"]) for t in parsed.task_reports] == [
        (task_id, "done", "NV 2023", f"D{r + 2}")
    ]
    assert parsed.quarantine == []
    parsed.check()
