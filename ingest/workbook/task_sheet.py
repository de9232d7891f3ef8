"""The task sheet ("Nhiệm vụ"): how it is laid out, found again however it was edited, and read.

Half of every plan is tasks, not numbers, so the workbook carries a second sheet on which the agency says,
for each task it leads (and each duty addressed to every agency), whether it is done, and what it did. Like
the data sheet, nothing is found by position: the header row is the row (within the first `SCAN_ROWS`)
holding both "Mã nhiệm vụ" and "Tình trạng"; columns are found by their words. The sheet is the one named
"Nhiệm vụ" when it has such a header, else any sheet that does (a renamed sheet still loads).

Status words are matched after folding (no diacritics, lower case), so "Đã hoàn thành", "da hoan thanh",
"Hoàn thành" and "HOÀN THÀNH" are one status; anything else is quarantined rather than guessed.

Accounting follows parse.py: every non-empty cell below the header is exactly one of `label` (STT, Mã
nhiệm vụ, Nội dung of a row whose task was understood), `loaded` (Tình trạng, Kết quả thực hiện, Minh chứng
cells that went into a `raw.task_reports` row), `not_reported` (a "-" typed as the status with nothing
else), or `quarantined`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.workbook.identity import IDENTITY_SHEET, fold
from ingest.workbook.numbers import raw_text
from ingest.workbook.reader import SheetCells, cell_ref
from ingest.workbook.reasons import reason_vi

TASK_SHEET = "Nhiệm vụ"
SCAN_ROWS = 40

# Header texts the template writes, in column order.
TASK_COLUMNS = {
    "stt": "STT",
    "task_id": "Mã nhiệm vụ",
    "text": "Nội dung nhiệm vụ",
    "status": "Tình trạng",
    "narrative": "Kết quả thực hiện",
    "evidence": "Minh chứng",
}
# Words recognised per column (folded); a header cell is matched by equality or prefix.
_COLUMN_WORDS = {
    "stt": ("stt", "tt", "so tt", "so thu tu"),
    "task_id": ("ma nhiem vu", "ma nv", "ma"),
    "text": ("noi dung nhiem vu", "noi dung", "nhiem vu", "ten nhiem vu"),
    "status": ("tinh trang", "trang thai", "tien do", "muc do hoan thanh"),
    "narrative": ("ket qua thuc hien", "ket qua", "tom tat ket qua", "ket qua trien khai"),
    "evidence": ("minh chung", "tai lieu minh chung", "van ban minh chung", "can cu"),
}
LABEL_KINDS = ("stt", "task_id", "text")
REPORT_KINDS = ("status", "narrative", "evidence")

# Status options of the template's drop-down list, and the code each lands as in raw.task_reports.
STATUS_OPTIONS = {"done": "Đã hoàn thành", "in_progress": "Đang triển khai", "not_started": "Chưa triển khai"}
STATUS_VI = dict(STATUS_OPTIONS)
_STATUS_WORDS = {
    "done": ("da hoan thanh", "hoan thanh", "da xong", "hoan thanh xong"),
    "in_progress": ("dang trien khai", "dang thuc hien", "dang tien hanh", "dang trien khai thuc hien"),
    "not_started": ("chua trien khai", "chua thuc hien", "chua bat dau", "chua tien hanh"),
}
_STATUS_BY_WORD = {word: code for code, words in _STATUS_WORDS.items() for word in words}
NOT_REPORTED_MARKS = {"-", "--", "—", "–", "x"}


def normalise_status(value: object) -> str | None:
    """'Đã hoàn thành' / 'hoan thanh.' -> 'done'; None when the text is not a known status."""
    key = fold(raw_text(value)).strip(" .:;,!")
    return _STATUS_BY_WORD.get(key)


def _column_kind(text: object) -> str | None:
    key = fold(text).rstrip(":. ")
    if not key:
        return None
    for kind in ("task_id", "status", "narrative", "evidence", "text", "stt"):
        words = _COLUMN_WORDS[kind]
        if key in words or any(
            key.startswith(w + " ") or key.startswith(w + "(") for w in words if len(w) > 3
        ):
            return kind
    return None


@dataclass
class TaskLayout:
    sheet: SheetCells
    header_row: int  # 0-based
    columns: dict[str, int] = field(default_factory=dict)  # kind -> 0-based column

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1


def find_task_header(sheet: SheetCells) -> TaskLayout | None:
    """The task header of one sheet: a row holding both a task-id and a status column."""
    for r, cells in sorted(sheet.rows().items()):
        if r >= SCAN_ROWS:
            break
        kinds: dict[str, int] = {}
        for c, v in sorted(cells.items()):
            if not isinstance(v, str):
                continue
            kind = _column_kind(v)
            if kind and kind not in kinds:
                kinds[kind] = c
        if "task_id" in kinds and "status" in kinds:
            return TaskLayout(sheet, r, kinds)
    return None


def find_task_layout(sheets: dict[str, SheetCells], exclude: set[str] | None = None) -> TaskLayout | None:
    """'Nhiệm vụ' if it has a task header, else the first other sheet that has one."""
    exclude = exclude or set()
    ordered = sorted(sheets.values(), key=lambda s: fold(s.name) != fold(TASK_SHEET))
    for sheet in ordered:
        if sheet.name == IDENTITY_SHEET or sheet.name in exclude:
            continue
        layout = find_task_header(sheet)
        if layout is not None:
            return layout
    return None


@dataclass
class TaskParse:
    reports: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    rows_read: int = 0
    cells_read: int = 0
    cells_label: int = 0
    cells_loaded: int = 0
    cells_not_reported: int = 0


def parse_task_sheet(layout: TaskLayout, plan_tasks: dict[str, str], year: int) -> TaskParse:
    """Rows of the task sheet as `raw.task_reports` rows (without submission_id) and quarantine rows.

    `plan_tasks` maps every task_id of the plan to its text: a row whose id cell is empty or wrong but whose
    text is a task's verbatim text is matched by the text (agencies delete or mistype the code column).
    """
    out = TaskParse()
    sheet, cols = layout.sheet, layout.columns
    by_text = {fold(text): tid for tid, text in plan_tasks.items() if isinstance(text, str)}
    known = {c for c in cols.values()}
    kind_of = {c: k for k, c in cols.items()}
    seen: dict[str, int] = {}

    def quarantine(r: int, c: int, value: object, code: str, message: str | None = None) -> None:
        out.quarantine.append(
            {
                "sheet": sheet.name,
                "cell": cell_ref(r, c),
                "raw_value": raw_text(value),
                "reason_code": code,
                "reason_vi": message or reason_vi(code),
            }
        )

    for r, cells in sorted(sheet.rows().items()):
        if r < layout.first_data_row:
            continue
        out.rows_read += 1
        out.cells_read += len(cells)
        for c, v in cells.items():
            if c not in known:
                quarantine(r, c, v, "outside_data_area")
        row = {kind_of[c]: v for c, v in cells.items() if c in known}
        labels = {k: v for k, v in row.items() if k in LABEL_KINDS}
        reported = {k: v for k, v in row.items() if k in REPORT_KINDS}
        task_id = raw_text(row.get("task_id")).strip() if "task_id" in row else ""
        if task_id not in plan_tasks:
            task_id = by_text.get(fold(raw_text(row.get("text")))) if "text" in row else None
        error = None
        if not task_id:
            error = (
                f"{reason_vi('unknown_task')}: '{raw_text(row['task_id'])}'"
                if "task_id" in row
                else f"{reason_vi('unknown_task')}: dòng không ghi mã nhiệm vụ"
            )
        elif task_id in seen:
            error = f"{reason_vi('duplicate_task_row')}: đã có ở dòng {seen[task_id] + 1}"
        if error:
            if not reported and set(labels) <= {"stt", "text"}:
                # a note or a continuation line with no code and no report: not a task row
                for kind, v in labels.items():
                    quarantine(r, cols[kind], v, "outside_data_area")
                continue
            code = "duplicate_task_row" if task_id else "unknown_task"
            for kind, v in {**labels, **reported}.items():
                quarantine(r, cols[kind], v, code, error)
            continue
        seen[task_id] = r
        out.cells_label += len(labels)
        if not reported:
            continue
        status_value = reported.get("status")
        status = normalise_status(status_value) if status_value is not None else None
        if status_value is not None and status is None:
            if raw_text(status_value).strip() in NOT_REPORTED_MARKS and len(reported) == 1:
                out.cells_not_reported += 1
                continue
            for kind, v in reported.items():
                message = None if kind == "status" else f"{reason_vi('unknown_task_status')} (ô cùng dòng)"
                quarantine(r, cols[kind], v, "unknown_task_status", message)
            continue
        if status is None:
            for kind, v in reported.items():
                quarantine(r, cols[kind], v, "task_report_without_status")
            continue
        out.cells_loaded += len(reported)
        narrative = raw_text(reported["narrative"]).strip() if "narrative" in reported else None
        evidence = raw_text(reported["evidence"]).strip() if "evidence" in reported else None
        out.reports.append(
            {
                "task_id": task_id,
                "year": year,
                "status": status,
                "narrative_vi": narrative or None,
                "evidence_ref": evidence or None,
                "sheet": sheet.name,
                "cell": cell_ref(r, cols["status"]),
            }
        )
    return out
