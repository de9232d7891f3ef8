"""The review workbook: what an officer opens, prints, and copies into the Word report.

Number decision: in the sheets meant for reading and pasting ("Bảng tổng hợp chỉ tiêu", "Theo địa bàn")
every figure is a right-aligned *text* cell written the Vietnamese way ("9,5", "214.825", "< 18,5"). An Excel
number format cannot force a decimal comma — the separators follow the reader's Windows locale, and many
provincial machines run an English locale — and officers retype or paste these figures into Word, where
text keeps its form. Analysts who want to compute get the same figures as real numbers in the sheet
"Số liệu dạng số" (format `#,##0.0##`, shown with the reader's own separators).

Every value passes through `safety.write_cell`, so nothing that came from data can become a formula.
"""

import math
from functools import cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.data import ReviewData, row_sort_key
from reports.safety import Suppressor, write_cell
from reports.table import Column, build_rows, columns, conflict_legend, conflict_notes, coverage_notes
from reports.tasks import SECTOR_COLUMNS, TASK_COLUMNS, sector_rows, task_rows
from reports.vn import (
    EUROSTAT_LABELS,
    LEVEL_LABELS,
    REVIEW_PERIOD,
    REVIEW_TITLE,
    SEVERITY_LABELS,
    fmt_date,
    fmt_datetime,
    fmt_number,
    fmt_target,
    progress_label,
    sector_label,
    status_label,
    unit_label,
)

FONT = "Times New Roman"
SUMMARY_SHEET = "Bảng tổng hợp chỉ tiêu"
LOCALITY_SHEET = "Theo địa bàn"
QUALITY_SHEET = "Chất lượng số liệu"
TARGETS_SHEET = "Căn cứ chỉ tiêu"
NUMERIC_SHEET = "Số liệu dạng số"
TASKS_SHEET = "Thực hiện nhiệm vụ"
NUMBER_FORMAT = "#,##0.0##"

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
GOAL_FILL = PatternFill("solid", fgColor="EDEDED")
STATUS_FILLS = {
    "achieved": PatternFill("solid", fgColor="E2F0D9"),
    "not_achieved": PatternFill("solid", fgColor="FBE5D6"),
    "target_already_met": PatternFill("solid", fgColor="E2F0D9"),
    "on_track": PatternFill("solid", fgColor="E2F0D9"),
    "acceleration_needed": PatternFill("solid", fgColor="FFF2CC"),
    "stagnation_or_regression": PatternFill("solid", fgColor="FBE5D6"),
}


@cache  # one object per style: write_cell shares computed styles by object identity
def font(size: float = 11, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic)


@cache
def _align(horizontal: str = "center", wrap: bool = True, indent: int = 0) -> Alignment:
    return Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap, indent=indent)


def _print_setup(ws: Worksheet, title_rows: str | None) -> None:
    """A4 landscape, all columns on one page width, header rows repeated, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = FONT


def _row_height(texts_and_widths: list[tuple[str, float]], base: float = 15.0) -> float:
    """Excel does not grow rows for wrapped text written by openpyxl; estimate the lines ourselves."""
    lines = 1
    for text, width in texts_and_widths:
        if not text:
            continue
        per_line = max(int(width * 1.15), 1)
        needed = sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))
        lines = max(lines, needed)
    return base * lines + 2


def _title(
    ws: Worksheet, row: int, text: str, last_col: int, size: float = 12, bold=True, italic=False
) -> None:
    write_cell(ws, row, 1, text, font=font(size, bold, italic), alignment=_align("center"))
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last_col)
    ws.row_dimensions[row].height = _row_height([(text, 150)], base=18)


def _header(ws: Worksheet, row: int, cols: list[Column], numbered: bool = True) -> int:
    for index, col in enumerate(cols, start=1):
        write_cell(
            ws,
            row,
            index,
            col.header,
            font=font(11, True),
            alignment=_align(),
            border=BORDER,
            fill=HEADER_FILL,
        )
        ws.column_dimensions[get_column_letter(index)].width = col.width
    ws.row_dimensions[row].height = _row_height([(c.header, c.width) for c in cols])
    if not numbered:
        return row + 1
    for index, _ in enumerate(cols, start=1):
        write_cell(
            ws, row + 1, index, f"({index})", font=font(10, italic=True), alignment=_align(), border=BORDER
        )
    return row + 2


def _plan_lines(data: ReviewData) -> list[str]:
    plan = data.plan
    basis = (
        ", ".join(
            part
            for part in (
                f"{plan['document_no']}" if plan.get("document_no") else "",
                f"ngày {fmt_date(plan.get('issued_on'))}" if plan.get("issued_on") else "",
                f"của {plan['issuer_vi']}" if plan.get("issuer_vi") else "",
            )
            if part
        )
        .replace(", ngày", " ngày")
        .replace(", của", " của")
    )
    return [
        plan.get("title_vi") or plan["plan_id"],
        f"(Kế hoạch/Quyết định số {basis})" if basis else "",
    ]


def write_summary(ws: Worksheet, data: ReviewData) -> None:
    cols = columns(data.review)
    last = len(cols)
    title, subtitle = _plan_lines(data)
    _title(ws, 1, REVIEW_TITLE[data.review], last, 13)
    _title(ws, 2, title, last, 12)
    if subtitle:
        _title(ws, 3, subtitle, last, 11, bold=False, italic=True)
    _title(
        ws, 4, f"BẢNG TỔNG HỢP KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU {REVIEW_PERIOD[data.review].upper()}", last, 12
    )
    _title(
        ws,
        5,
        f"Địa bàn: {data.territory_name} — số liệu tổng hợp đến ngày {fmt_date(data.generated_at)}",
        last,
        11,
        bold=False,
        italic=True,
    )
    header_row = 7
    row_no = _header(ws, header_row, cols)
    first_data = row_no

    for table_row in build_rows(data, "excel"):
        if table_row.kind == "goal":
            write_cell(
                ws,
                row_no,
                1,
                table_row.cells["stt"],
                font=font(11, True),
                alignment=_align(),
                border=BORDER,
                fill=GOAL_FILL,
            )
            write_cell(
                ws,
                row_no,
                2,
                table_row.cells["label"],
                font=font(11, True),
                alignment=_align("left"),
                fill=GOAL_FILL,
            )
            for c in range(2, last + 1):
                ws.cell(row_no, c).border = BORDER
                ws.cell(row_no, c).fill = GOAL_FILL
            ws.merge_cells(start_row=row_no, start_column=2, end_row=row_no, end_column=last)
            ws.row_dimensions[row_no].height = 20
            row_no += 1
            continue
        bold = table_row.kind == "item"
        for index, col in enumerate(cols, start=1):
            value = table_row.cells.get(col.key, "")
            horizontal = (
                col.align if col.key in ("stt", "label", "note", "status", "progress", "unit") else "right"
            )
            cell = write_cell(
                ws,
                row_no,
                index,
                value,
                font=font(11, bold),
                alignment=_align(horizontal, col.wrap),
                border=BORDER,
            )
            if col.key == "status" and table_row.status in STATUS_FILLS:
                cell.fill = STATUS_FILLS[table_row.status]
            if col.key == "progress" and table_row.progress in STATUS_FILLS:
                cell.fill = STATUS_FILLS[table_row.progress]
        if table_row.quotes:
            text = "Trích kế hoạch:\n" + "\n".join(f"• {q}" for q in table_row.quotes)
            comment = Comment(text, "treem")
            comment.width, comment.height = 420, min(60 + 18 * len(text) // 60, 400)
            ws.cell(row_no, 2).comment = comment
        ws.row_dimensions[row_no].height = _row_height(
            [(table_row.cells.get(c.key, ""), c.width) for c in cols if c.wrap]
        )
        row_no += 1

    ws.freeze_panes = f"C{first_data}"
    _print_setup(ws, f"{header_row}:{header_row + 1}")
    row_no += 1
    legend = [
        "Ghi chú:",
        "- Số liệu viết theo quy ước tiếng Việt (dấu phẩy thập phân); bản số để tính toán ở sheet "
        f'"{NUMERIC_SHEET}".',
        "- Đánh giá: so sánh số thực hiện với chỉ tiêu kế hoạch cùng năm "
        "(phân biệt “dưới” (<) và “xuống” (≤)).",
    ]
    if data.review == "so-ket-2025":
        legend.append(
            "- Triển vọng 2030: dự báo từ tốc độ thay đổi bình quân 2020-2025 "
            "(phương pháp SDG của Liên hợp quốc)."
        )
    legend.append(
        "- Nội dung chỉ tiêu trích nguyên văn từ kế hoạch được ghi trong chú thích của ô “Chỉ tiêu”."
    )
    legend.append(f"- {conflict_legend()}")
    for line in legend:
        write_cell(
            ws,
            row_no,
            1,
            line,
            font=font(10, line == "Ghi chú:", line != "Ghi chú:"),
            alignment=_align("left", False),
        )
        row_no += 1


def write_breakdown(ws: Worksheet, data: ReviewData, suppressor: Suppressor) -> int:
    """Localities inside the plan territory × indicators; returns the number of suppressed rows."""
    year = data.year
    cols = [
        Column("stt", "STT", 6),
        Column("locality", "Địa bàn", 28, align="left", wrap=True),
        Column("level", "Cấp", 8),
        Column("label", "Chỉ tiêu", 44, align="left", wrap=True),
        Column("unit", "Đơn vị", 10, wrap=True),
        Column("kq2020", "KQ 2020", 10),
        Column("target", f"Kế hoạch {year}", 12, wrap=True),
        Column("value", f"Thực hiện {year}", 12, wrap=True),
        Column("numerator", "Tử số", 10),
        Column("denominator", "Mẫu số", 12),
        Column("status", "Đánh giá", 14, wrap=True),
        Column("note", "Ghi chú", 26, align="left", wrap=True),
    ]
    last = len(cols)
    _title(ws, 1, "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THEO ĐỊA BÀN", last, 13)
    _title(
        ws,
        2,
        f"{data.plan.get('title_vi') or data.plan['plan_id']} — {REVIEW_PERIOD[data.review]}",
        last,
        11,
        False,
        True,
    )
    header_row = 4
    row_no = _header(ws, header_row, cols)
    first = row_no
    suppressed = 0
    levels = {"nation": 0, "province": 0, "district": 1, "commune": 2}
    for index, b in enumerate(data.breakdown, start=1):
        shown = suppressor.row(
            b["indicator_code"], b.get("level"), b.get("unit"), b.get("value"), b.get("numerator")
        )
        base = suppressor.row(
            b["indicator_code"],
            b.get("level"),
            b.get("unit"),
            b.get("baseline_value"),
            b.get("baseline_numerator"),
        )
        suppressed += shown["suppressed"] or base["suppressed"]
        note = []
        if b.get("value_year") not in (None, year) and b.get("value") is not None:
            note.append(f"Số liệu năm {int(b['value_year'])}")
        if b.get(f"value_{year}_is_approximate") and not b.get(f"value_{year}_is_withheld"):
            note.append("Số ước thực hiện")
        note.extend(coverage_notes(b, year))
        if b.get("quality_status") == "warning":
            note.append("Có cảnh báo chất lượng số liệu")
        note.extend(conflict_notes(b))
        if shown["suppressed"] or base["suppressed"]:
            note.append("Không công bố số nhỏ")
        item = b.get("item_label") or (b.get("plan_item") or "").strip()
        name = b.get("indicator_name_vi") or b["indicator_code"]
        values = {
            "stt": str(index),
            "locality": b["locality_name"],
            "level": LEVEL_LABELS.get(b.get("level"), b.get("level") or ""),
            "label": f"{item}: {name}" if item else name,
            "unit": unit_label(b.get("unit")),
            "kq2020": base["value"],
            "target": fmt_target(
                b.get(f"comparator_{year}"),
                b.get(f"target_{year}"),
                b.get(f"target_{year}_high"),
                b.get("direction"),
            ),
            "value": shown["value"],
            "numerator": shown["numerator"],
            "denominator": fmt_number(b.get("denominator"), 0) if b.get("denominator") is not None else "",
            "status": status_label(b.get(f"status_{year}")),
            "note": "; ".join(note),
        }
        for c_index, col in enumerate(cols, start=1):
            horizontal = (
                "right" if col.key in ("kq2020", "target", "value", "numerator", "denominator") else col.align
            )
            indent = levels.get(b.get("level"), 0) if col.key == "locality" else 0
            write_cell(
                ws,
                row_no,
                c_index,
                values[col.key],
                font=font(11),
                border=BORDER,
                alignment=_align(horizontal, col.wrap, indent),
            )
        ws.row_dimensions[row_no].height = _row_height([(values[c.key], c.width) for c in cols if c.wrap])
        row_no += 1
    if not data.breakdown:
        write_cell(ws, row_no, 1, "Chưa có số liệu theo địa bàn.", font=font(11, italic=True))
        row_no += 1
    else:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(last)}{row_no - 1}"
    ws.freeze_panes = f"C{first}"
    _print_setup(ws, f"{header_row}:{header_row + 1}")
    write_cell(
        ws,
        row_no + 1,
        1,
        "Ghi chú: " + suppressor.config.note_vi,
        font=font(10, italic=True),
        alignment=_align("left", False),
    )
    return suppressed


def _simple_table(ws: Worksheet, row_no: int, cols: list[Column], records: list[dict], empty: str) -> int:
    row_no = _header(ws, row_no, cols, numbered=False)
    if not records:
        write_cell(ws, row_no, 1, empty, font=font(11, italic=True), alignment=_align("left", False))
        return row_no + 2
    for record in records:
        for index, col in enumerate(cols, start=1):
            write_cell(
                ws,
                row_no,
                index,
                record.get(col.key, ""),
                font=font(11),
                border=BORDER,
                alignment=_align(col.align, col.wrap),
            )
        ws.row_dimensions[row_no].height = _row_height(
            [(str(record.get(c.key, "")), c.width) for c in cols if c.wrap]
        )
        row_no += 1
    return row_no + 1


def write_quality(ws: Worksheet, data: ReviewData) -> None:
    """Caveats to read before quoting a figure: missing reports, failed checks, flagged values."""
    last = 10
    _title(ws, 1, "CHẤT LƯỢNG SỐ LIỆU VÀ TÌNH HÌNH GỬI BÁO CÁO", last, 13)
    _title(
        ws,
        2,
        f"{data.plan.get('title_vi') or data.plan['plan_id']} — {REVIEW_PERIOD[data.review]}",
        last,
        11,
        False,
        True,
    )
    row_no = 4
    write_cell(ws, row_no, 1, "A. Tình hình gửi báo cáo của các cơ quan, đơn vị", font=font(12, True))
    completeness = []
    for r in data.completeness:
        expected, received = r.get("expected_values"), r.get("received_values")
        pct = received / expected * 100 if expected and received is not None else r.get("completeness_pct")
        on_time = r.get("on_time")
        completeness.append(
            {
                "year": str(r.get("year") or ""),
                "sector": sector_label(r.get("sector")),
                "agency": r.get("agency_name") or "",
                "locality": r.get("locality_name") or "",
                "expected": fmt_number(expected, 0) if expected is not None else "",
                "received": fmt_number(received, 0) if received is not None else "",
                "pct": fmt_number(pct, 1) if pct is not None else "",
                "deadline": fmt_date(r.get("deadline")),
                "last": fmt_date(r.get("last_received_at")),
                "on_time": "" if on_time is None else ("Đúng hạn" if on_time else "Chậm/chưa gửi"),
            }
        )
    cols = [
        Column("year", "Năm", 7),
        Column("sector", "Ngành", 18, "left", True),
        Column("agency", "Cơ quan báo cáo", 30, "left", True),
        Column("locality", "Địa bàn", 20, "left", True),
        Column("expected", "Số chỉ tiêu phải báo cáo", 12, "right", True),
        Column("received", "Số chỉ tiêu đã nhận", 12, "right", True),
        Column("pct", "Tỷ lệ đầy đủ (%)", 11, "right", True),
        Column("deadline", "Hạn gửi", 12),
        Column("last", "Ngày nhận cuối", 12, wrap=True),
        Column("on_time", "Đúng hạn", 14, wrap=True),
    ]
    row_no = _simple_table(ws, row_no + 1, cols, completeness, "Chưa có thông tin về tình hình gửi báo cáo.")

    write_cell(
        ws,
        row_no,
        1,
        "B. Các kiểm tra chất lượng số liệu chưa đạt (lần kiểm tra gần nhất)",
        font=font(12, True),
    )
    checks = [
        {
            "suite": c.get("suite") or "",
            "check": c.get("check_name") or "",
            "severity": SEVERITY_LABELS.get(c.get("severity"), c.get("severity") or ""),
            "elements": fmt_number(c.get("element_count"), 0) if c.get("element_count") is not None else "",
            "unexpected": fmt_number(c.get("unexpected_count"), 0)
            if c.get("unexpected_count") is not None
            else "",
            "sample": c.get("unexpected_sample") or "",
            "submission": c.get("submission_id") or "",
            "at": fmt_datetime(c.get("checked_at")),
        }
        for c in data.checks
    ]
    cols = [
        Column("suite", "Bộ kiểm tra", 18, "left", True),
        Column("check", "Nội dung kiểm tra", 30, "left", True),
        Column("severity", "Mức độ", 10),
        Column("elements", "Số giá trị kiểm tra", 11, "right", True),
        Column("unexpected", "Số giá trị không đạt", 11, "right", True),
        Column("sample", "Ví dụ", 30, "left", True),
        Column("submission", "Mã báo cáo", 16, "left", True),
        Column("at", "Thời điểm kiểm tra", 16, wrap=True),
    ]
    row_no = _simple_table(ws, row_no + 1, cols, checks, "Không có kiểm tra nào chưa đạt.")

    write_cell(ws, row_no, 1, "C. Các số liệu bị gắn cờ cần xem lại", font=font(12, True))
    names = {
        r["indicator_code"]: (r.get("item_label") or r.get("indicator_name_vi") or "") for r in data.rows
    }
    localities = {b["locality_id"]: b["locality_name"] for b in data.breakdown}
    localities.setdefault(data.plan.get("locality_id"), data.territory_name)
    flagged = [
        {
            "indicator": names.get(f.get("indicator_code"), f.get("indicator_code") or ""),
            "locality": localities.get(f.get("locality_id"), f.get("locality_id") or ""),
            "year": str(f.get("year") or ""),
            "severity": SEVERITY_LABELS.get(f.get("severity"), f.get("severity") or ""),
            "check": f.get("check_name") or "",
            "detail": f.get("detail") or "",
        }
        for f in data.flagged
    ]
    cols = [
        Column("indicator", "Chỉ tiêu", 18, "left", True),
        Column("locality", "Địa bàn", 24, "left", True),
        Column("year", "Năm", 7),
        Column("severity", "Mức độ", 10),
        Column("check", "Kiểm tra", 24, "left", True),
        Column("detail", "Chi tiết", 50, "left", True),
    ]
    _simple_table(ws, row_no + 1, cols, flagged, "Không có số liệu bị gắn cờ.")
    widths = [18, 30, 24, 20, 24, 50, 16, 16, 12, 14]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    _print_setup(ws, None)


def write_targets(ws: Worksheet, data: ReviewData) -> None:
    """Every target claim the plan makes, including the ones the marts do not use (never pick silently)."""
    _title(ws, 1, "CĂN CỨ CHỈ TIÊU: TRÍCH DẪN TỪ VĂN BẢN KẾ HOẠCH", 8, 13)
    items = {r["indicator_code"]: r for r in data.rows}
    ordered = sorted(
        data.targets,
        key=lambda t: (
            row_sort_key(items.get(t["indicator_code"], {"indicator_code": t["indicator_code"]})),
            t["year"],
        ),
    )
    records = [
        {
            "item": t.get("plan_item") or "",
            "name": items.get(t["indicator_code"], {}).get("indicator_name_vi") or t["indicator_code"],
            "year": str(t.get("year") or ""),
            "target": fmt_target(
                t.get("comparator"),
                t.get("target_value"),
                t.get("target_value_high"),
                items.get(t["indicator_code"], {}).get("direction"),
            ),
            "section": {"text": "Nội dung", "appendix": "Phụ lục"}.get(
                t.get("source_section"), t.get("source_section") or ""
            ),
            "quote": t.get("source_quote") or "",
            "used": "Có" if t.get("is_authoritative") in (True, None) else "Không",
            "conflict": "Có" if t.get("is_conflicting") else "",
        }
        for t in ordered
    ]
    cols = [
        Column("item", "Chỉ tiêu", 12, "left", True),
        Column("name", "Tên chỉ tiêu", 36, "left", True),
        Column("year", "Năm", 7),
        Column("target", "Chỉ tiêu kế hoạch", 14, "right", True),
        Column("section", "Vị trí trong văn bản", 12, wrap=True),
        Column("quote", "Trích dẫn nguyên văn", 60, "left", True),
        Column("used", "Dùng để đánh giá", 10, wrap=True),
        Column("conflict", "Không thống nhất", 11, wrap=True),
    ]
    _simple_table(ws, 3, cols, records, "Kế hoạch không có chỉ tiêu định lượng.")
    ws.freeze_panes = "A4"
    _print_setup(ws, "3:3")


def write_numeric(ws: Worksheet, data: ReviewData) -> None:
    """The same figures as real numbers for analysts (separators follow the reader's locale)."""
    fields = [
        ("indicator_code", "Mã chỉ tiêu", 26),
        ("plan_item", "Chỉ tiêu kế hoạch", 14),
        ("indicator_name_vi", "Tên chỉ tiêu", 40),
        ("unit", "Đơn vị", 12),
        ("baseline_year", "Năm gốc", 8),
        ("baseline_value", "Giá trị gốc", 11),
        ("comparator_2025", "So sánh 2025", 9),
        ("target_2025", "Kế hoạch 2025", 11),
        ("target_2025_high", "Kế hoạch 2025 (cận trên)", 11),
        ("comparator_2030", "So sánh 2030", 9),
        ("target_2030", "Kế hoạch 2030", 11),
        ("target_2030_high", "Kế hoạch 2030 (cận trên)", 11),
        ("value_2025", "Thực hiện 2025", 11),
        ("value_2030", "Thực hiện 2030", 11),
        ("latest_year", "Năm có số liệu gần nhất", 10),
        ("latest_value", "Số liệu gần nhất", 11),
        ("status", "Đánh giá", 14),
        ("progress_2030", "Triển vọng 2030", 16),
        ("projected_2030", "Dự báo 2030", 11),
        ("unsd_progress_ratio", "Hệ số tiến độ (UNSD)", 11),
        ("eurostat_ratio", "Tỷ số tốc độ (Eurostat)", 11),
        ("eurostat_category", "Xếp loại (Eurostat)", 14),
        ("aarr_actual", "Tốc độ giảm bình quân thực tế", 11),
        ("aarr_required", "Tốc độ giảm bình quân cần đạt", 11),
        ("judgement_rule", "Quy tắc đánh giá", 24),
    ]
    for index, (_, header, width) in enumerate(fields, start=1):
        write_cell(
            ws, 1, index, header, font=font(11, True), alignment=_align(), border=BORDER, fill=HEADER_FILL
        )
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.row_dimensions[1].height = 48
    for row_no, row in enumerate(data.rows, start=2):
        for index, (key, _, _) in enumerate(fields, start=1):
            value = row.get(key)
            if key == "status":
                value = status_label(value)
            elif key == "progress_2030":
                value = progress_label(value)
            elif key == "eurostat_category":
                value = EUROSTAT_LABELS.get(value, value or "")
            elif key == "unit":
                value = unit_label(value)
            elif key in ("baseline_year", "latest_year") and value is not None:
                value = int(value)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                value = float(value)
            cell = write_cell(ws, row_no, index, value, font=font(11), border=BORDER)
            if isinstance(value, float):
                cell.number_format = NUMBER_FORMAT
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(fields))}{max(len(data.rows) + 1, 2)}"
    _print_setup(ws, "1:1")


TASK_STATUS_FILLS = {
    "done": PatternFill("solid", fgColor="E2F0D9"),
    "in_progress": PatternFill("solid", fgColor="FFF2CC"),
    "not_started": PatternFill("solid", fgColor="FBE5D6"),
}


def _task_sector_table(ws: Worksheet, row_no: int, rows: list[dict]) -> int:
    """Table A under the task list's narrow first columns: the sector name spans A:C, counts from D."""
    if not rows:
        write_cell(ws, row_no, 1, "Chưa có báo cáo nhiệm vụ.", font=font(11, italic=True))
        return row_no + 2
    for r, record in enumerate([dict(SECTOR_COLUMNS), *rows]):
        is_header, is_total = r == 0, r == len(rows)
        for index, (key, _) in enumerate(SECTOR_COLUMNS):
            column = 1 if index == 0 else index + 3
            style = {"fill": HEADER_FILL} if is_header else {}
            write_cell(
                ws,
                row_no,
                column,
                record[key],
                font=font(11, is_header or is_total),
                alignment=_align("center" if is_header else ("left" if index == 0 else "right")),
                border=BORDER,
                **style,
            )
            if index == 0:
                for c in (2, 3):
                    ws.cell(row_no, c).border = BORDER
                    if is_header:
                        ws.cell(row_no, c).fill = HEADER_FILL
                ws.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=3)
        ws.row_dimensions[row_no].height = 32 if is_header else 18
        row_no += 1
    return row_no + 1


def write_tasks(ws: Worksheet, data: ReviewData) -> None:
    """Task implementation by agency: counts per lead sector, then every task with status and narrative."""
    last = len(TASK_COLUMNS)
    _title(ws, 1, "TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH", last, 13)
    _title(
        ws,
        2,
        f"{data.plan.get('title_vi') or data.plan['plan_id']} — theo báo cáo của các cơ quan năm "
        f"{data.task_year}",
        last,
        11,
        False,
        True,
    )
    row_no = 4
    write_cell(ws, row_no, 1, "A. Tổng hợp theo ngành chủ trì", font=font(12, True))
    row_no = _task_sector_table(ws, row_no + 1, sector_rows(data))
    write_cell(ws, row_no, 1, "B. Danh sách nhiệm vụ và kết quả thực hiện", font=font(12, True))
    header_row = row_no + 1
    widths = {"stt": 6, "label": 10, "text": 60, "sector": 20, "status": 14, "narrative": 44, "evidence": 24}
    cols = [
        Column(k, h, widths[k], "center" if k in ("stt", "label", "status") else "left", True)
        for k, h in TASK_COLUMNS
    ]
    tasks = task_rows(data)
    end = _simple_table(ws, header_row, cols, tasks, "Kế hoạch chưa có nhiệm vụ được theo dõi.")
    status_col = [c.key for c in cols].index("status") + 1
    for offset, task in enumerate(tasks, start=1):
        fill = TASK_STATUS_FILLS.get(task["status_code"])
        if fill:
            ws.cell(header_row + offset, status_col).fill = fill
    for letter in "HI":  # the last count columns of table A, beyond the task list
        ws.column_dimensions[letter].width = 12
    if tasks:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(last)}{end - 2}"
    _print_setup(ws, None)
    write_cell(
        ws,
        end,
        1,
        "Ghi chú: tình trạng theo báo cáo gần nhất của cơ quan chủ trì; nhiệm vụ giao chung cho các sở, "
        "ban, ngành theo báo cáo gửi sau cùng. 'Chưa báo cáo': chưa có cơ quan nào báo cáo nhiệm vụ "
        "trong năm.",
        font=font(10, italic=True),
        alignment=_align("left", False),
    )


def write_workbook(data: ReviewData, path: Path, suppressor: Suppressor) -> Path:
    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY_SHEET
    write_summary(summary, data)
    write_breakdown(wb.create_sheet(LOCALITY_SHEET), data, suppressor)
    write_quality(wb.create_sheet(QUALITY_SHEET), data)
    if data.tasks:  # only plans with tasks: a plan without any gets no empty sheet
        write_tasks(wb.create_sheet(TASKS_SHEET), data)
    write_targets(wb.create_sheet(TARGETS_SHEET), data)
    write_numeric(wb.create_sheet(NUMERIC_SHEET), data)
    wb.properties.title = f"{REVIEW_TITLE[data.review]} — {data.plan.get('title_vi') or data.plan['plan_id']}"
    wb.properties.creator = "treem"
    wb.properties.language = "vi-VN"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
