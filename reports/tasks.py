"""The "Thực hiện nhiệm vụ" tables as display strings, shared by the workbook and the HTML page.

Officers compare the printed HTML with the Excel file, so both show the same strings: per lead sector the
number of tasks, done, in progress, not started, not reported and the share done (Vietnamese decimal
comma), then every task with its status, the agency's narrative and evidence.
"""

from reports.data import ReviewData
from reports.vn import fmt_number, sector_label, task_status_label

SECTOR_COLUMNS = [
    ("sector", "Ngành chủ trì"),
    ("tasks", "Số nhiệm vụ"),
    ("done", "Đã hoàn thành"),
    ("in_progress", "Đang triển khai"),
    ("not_started", "Chưa triển khai"),
    ("not_reported", "Chưa báo cáo"),
    ("done_pct", "Tỷ lệ hoàn thành (%)"),
]
TASK_COLUMNS = [
    ("stt", "STT"),
    ("label", "Mục"),
    ("text", "Nội dung nhiệm vụ"),
    ("sector", "Ngành chủ trì"),
    ("status", "Tình trạng"),
    ("narrative", "Kết quả thực hiện"),
    ("evidence", "Minh chứng"),
]
COUNTS = ("tasks", "done", "in_progress", "not_started", "not_reported")


def sector_rows(data: ReviewData) -> list[dict]:
    """One row per lead sector plus a 'Tổng cộng' row; empty when the plan has no task."""
    rows, totals = [], dict.fromkeys(COUNTS, 0)
    for r in data.task_sectors:
        for key in COUNTS:
            totals[key] += int(r.get(key) or 0)
        rows.append(_counts(sector_label(r.get("lead_sector")), r))
    if rows:
        rows.append(_counts("Tổng cộng", totals))
    return rows


def _counts(label: str, r: dict) -> dict:
    tasks = int(r.get("tasks") or 0)
    done = int(r.get("done") or 0)
    row = {"sector": label, **{k: fmt_number(int(r.get(k) or 0), 0) for k in COUNTS}}
    row["done_pct"] = fmt_number(100.0 * done / tasks, 1) if tasks else ""
    return row


def task_rows(data: ReviewData) -> list[dict]:
    return [
        {
            "stt": str(i),
            "label": t.get("task_label") or "",
            "text": t.get("text_vi") or "",
            "sector": sector_label(t.get("lead_sector")),
            "status": task_status_label(t.get("status") if t.get("is_reported") else None),
            "status_code": t.get("status") or "not_reported",
            "narrative": t.get("narrative_vi") or "",
            "evidence": t.get("evidence_ref") or "",
        }
        for i, t in enumerate(data.tasks, start=1)
    ]
