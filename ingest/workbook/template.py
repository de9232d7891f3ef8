"""Write the reporting workbook an agency fills: one plan × sector × year.

The workbook is designed so that the ingest can read it back however it is edited: Vietnamese labels the
layout module recognises, indicator names whose exact header text is recorded in the hidden identity sheet,
locked header and ID columns (sheet protection without a password, so an agency that must edit can), data
cells unlocked with a "decimal ≥ 0" validation, frozen panes, a "Tổng cộng" row for the agency's own total
(a reported figure checked against the roll-up, domain-notes §4), and an instructions sheet.

The task sheet "Nhiệm vụ" lists the plan's tasks the sector reports on (those it leads, and the duties
addressed to every agency, which each sector reports for its own part): code and verbatim text locked, a
drop-down "Tình trạng" and free "Kết quả thực hiện" / "Minh chứng" cells. A sector that leads tasks but no
indicator (every sector of Lai Châu 2020 and Kon Tum 2024, whose plans set no numeric target) gets a
workbook with the task sheet only.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.header_footer import HeaderFooterItem

from ingest.workbook.context import UNIT_VI, Reference, load_reference, reporting_date
from ingest.workbook.identity import (
    DEFINED_NAME,
    IDENTITY_SHEET,
    PROPERTY_PREFIX,
    SECTOR_VI,
    TEMPLATE_VERSION,
    Identity,
)
from ingest.workbook.layout import DATA_SHEET, INSTRUCTIONS_SHEET
from ingest.workbook.task_sheet import STATUS_OPTIONS, TASK_COLUMNS, TASK_SHEET

GROUP_ROW = 6  # 1-based rows of the header
SUB_ROW = 7
FIRST_DATA_ROW = 8
TASK_HEADER_ROW = 6  # 1-based header row of the task sheet; its data starts on the next row
LABEL_COLUMNS = ("STT", "Mã địa bàn", "Tên địa bàn")
ROLE_HEADERS = {"numerator": "Tử số", "denominator": "Mẫu số", "value": "Giá trị"}

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def measure_roles(unit: str) -> tuple[str, ...]:
    """A count indicator has one value column; a rate has numerator, denominator and value."""
    return ("value",) if unit == "count" else ("numerator", "denominator", "value")


def deadline_text(ref: Reference, plan_id: str, year: int) -> str:
    raw = ref.plans.at[plan_id, "report_deadline"] if "report_deadline" in ref.plans.columns else None
    try:
        month, day = (int(x) for x in str(raw).split("-"))
        return dt.date(year, month, day).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return f"20/11/{year}"


def reporting_agency_name(ref: Reference, plan_id: str, sector: str, year: int, territory: str) -> str:
    """Who fills this workbook: the sector's agency of the reporting territory on the reporting date.

    For the plan's own territory that is the plan's agency (Phòng Y tế huyện Tân Yên). A province reporting
    the national plan is not the Ministry: its own department reports (Sở Y tế tỉnh Điện Biên), found by
    the same transfer rule as every agency (`responsible_agency`), or named by the agencies' naming rule
    when the registry does not list that province.
    """
    from ingest.reference.agencies import SECTORS, _agency_name, responsible_agency

    if territory == ref.territory(plan_id):
        agency_id = ref.agency_id(plan_id, sector, year)
    else:
        try:
            agency_id = responsible_agency(ref.agencies, territory, sector, reporting_date(year))
        except (LookupError, TypeError):
            agency_id = None
    name = ref.agency_name(agency_id)
    if name:
        return name
    if sector in SECTORS and territory in ref.localities.index:
        level = ref.localities.at[territory, "level"]
        return _agency_name(
            sector, "province" if level == "nation" else level, ref.localities.at[territory, "name_vi"]
        )
    return f"Cơ quan ngành {SECTOR_VI.get(sector, sector)}"


# Paper: A4 landscape unless the columns are so wide that fitting them on A4 would shrink the print below
# about two thirds (column widths in Excel character units; ~200 fit A4 landscape at 70 %).
A3_FROM_WIDTH = 200
ONE_PAGE_ROWS = 40  # up to this many locality rows the data sheet is also fitted to one page tall
SIGNATURE_LEFT = "\nNGƯỜI LẬP BIỂU\n(Ký, ghi rõ họ tên)"
SIGNATURE_RIGHT = "…, ngày … tháng … năm …\nTHỦ TRƯỞNG ĐƠN VỊ\n(Ký, ghi rõ họ tên, đóng dấu)"


def print_setup(
    ws, header_rows: tuple[int, int], label_columns: str, width: float, one_page_tall: bool = False
) -> None:
    """Landscape, one page wide, header rows and label columns repeated, page numbers and signatures.

    The signature block (Người lập biểu / Thủ trưởng đơn vị, date line, seal) is printed in the page footer,
    not written into cells: every non-empty cell below the header row is read back by the ingest, and a
    signature written into the sheet would come back as an unknown locality.
    """
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if width > A3_FROM_WIDTH else ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page_tall else 0  # a district's 20 rows on one sheet of paper
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = 0.5
    ws.page_margins.bottom = 1.4  # room for the signatures above the footer text
    ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
    ws.print_title_cols = label_columns
    _wrap_titles(ws, range(1, header_rows[0]), width)
    footer = _LineBreakFooter()
    footer.left.text = SIGNATURE_LEFT + "\n\n"
    footer.center.text = "Trang &P/&N"
    footer.right.text = SIGNATURE_RIGHT + "\n\n"
    for part in (footer.left, footer.center, footer.right):
        part.size = 10
    ws.HeaderFooter.oddFooter = footer
    ws.HeaderFooter.scaleWithDoc = False  # the signatures keep their size when a wide sheet is shrunk


def _wrap_titles(ws, rows: range, width: float) -> None:
    """Wrap a title line longer than the sheet is wide (a narrow sheet would cut it off in print).

    Excel does not grow a merged row for wrapped text: the height is set from an estimate of the lines.
    """
    for r in rows:
        cell = ws.cell(r, 1)
        if not isinstance(cell.value, str):
            continue
        size = cell.font.sz or 11
        lines = math.ceil(len(cell.value) * size / 11 / max(width * 0.95, 1))
        if lines > 1:
            cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="top", wrap_text=True)
            ws.row_dimensions[r].height = lines * size * 1.4


class _LineBreakFooter(HeaderFooterItem):
    """openpyxl writes a line break in a footer as `_x000a_`, which LibreOffice prints as such; a literal
    line break in the XML is read by Excel and LibreOffice alike."""

    def to_tree(self, tagname):
        element = super().to_tree(tagname)
        element.text = element.text.replace("_x000a_", "\n")
        return element


@dataclass
class TemplateMap:
    """Where things are in a built template (1-based), for code that fills it (samples, tests)."""

    rows: dict[str, int] = field(default_factory=dict)  # locality_id (territory id for Tổng cộng) -> row
    columns: dict[tuple[str, str], int] = field(default_factory=dict)  # (indicator_code, role) -> column
    total_row: int = 0
    task_sheet: str | None = None  # title of the task sheet, None when the sector has no task
    task_rows: dict[str, int] = field(default_factory=dict)  # task_id -> row
    task_columns: dict[str, int] = field(default_factory=dict)  # status | narrative | evidence -> column


def write_template(
    plan_id: str,
    sector: str,
    year: int,
    out_path: Path | str,
    reference: Reference | None = None,
    territory: str | None = None,
) -> Path:
    """Write the template and return its path; raises ValueError if the sector leads no indicator and
    reports on no task."""
    out_path = Path(out_path)
    wb, _ = build_template(plan_id, sector, year, reference, territory)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out_path)
    return out_path


def build_template(
    plan_id: str, sector: str, year: int, reference: Reference | None = None, territory: str | None = None
) -> tuple[Workbook, TemplateMap]:
    """The template as an openpyxl workbook plus where its rows and columns are.

    `territory` (a locality id): the reporting territory when it is narrower than the plan's, e.g. a
    province reporting the national plan; its rows are then its communes (`Reference.reporting_units`).
    """
    ref = reference or load_reference()
    tmap = TemplateMap()
    codes = ref.sector_indicators(plan_id, sector)
    tasks = ref.sector_tasks(plan_id, sector)
    if not codes and tasks.empty:
        raise ValueError(f"{plan_id}: sector {sector} leads no catalog indicator and no task")
    if territory is not None and territory not in ref.localities.index:
        raise ValueError(f"unknown territory {territory!r} (expected a locality id such as 'vn2008:11')")
    territory = territory or ref.territory(plan_id)
    territory_name = ref.localities.at[territory, "name_vi"]
    agency_name = reporting_agency_name(ref, plan_id, sector, year, territory)
    deadline = deadline_text(ref, plan_id, year)
    identity = Identity(plan_id, sector, year, territory, TEMPLATE_VERSION)
    plan_title = (
        f"Kế hoạch: {ref.plans.at[plan_id, 'title_vi']}"
        if "title_vi" in ref.plans.columns
        else f"Kế hoạch {plan_id}"
    )
    agency_line = (
        f"Đơn vị báo cáo: {agency_name} — Ngành: {SECTOR_VI.get(sector, sector)} — Địa bàn: {territory_name}"
    )

    wb = Workbook()
    _add_styles(wb)
    header_texts: dict[str, str] = {}
    if codes:
        header_texts = _write_data_sheet(
            wb.active, tmap, ref, plan_id, year, codes, territory, plan_title, agency_line, deadline
        )
    if not tasks.empty:
        ws = wb.active if not codes else wb.create_sheet(TASK_SHEET)
        _write_task_sheet(ws, tmap, tasks, year, plan_title, agency_line, deadline)

    _write_instructions(wb, ref, codes, year, deadline, agency_name, territory_name, len(tasks))
    _write_identity(wb, identity, header_texts)
    return wb, tmap


def _write_data_sheet(
    ws, tmap: TemplateMap, ref: Reference, plan_id, year, codes, territory, plan_title, agency_line, deadline
) -> dict[str, str]:
    """The numeric sheet 'Số liệu'; returns indicator_code -> the header text written."""
    units = ref.reporting_units(plan_id, year, territory)
    ws.title = DATA_SHEET
    columns: list[tuple[str, str]] = [
        (code, role) for code in codes for role in measure_roles(ref.indicators.at[code, "unit"])
    ]
    last_col = len(LABEL_COLUMNS) + len(columns)

    titles = [
        f"BIỂU BÁO CÁO SỐ LIỆU CHỈ TIÊU VỀ TRẺ EM NĂM {year}",
        plan_title,
        agency_line,
        f"Hạn gửi báo cáo: {deadline}. Số liệu của năm {year}; xem trang 'Hướng dẫn' trước khi điền.",
    ]
    for i, text in enumerate(titles, start=1):
        ws.cell(i, 1, text).font = Font(bold=(i == 1), size=14 if i == 1 else 11)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=last_col)
        ws.cell(i, 1).alignment = Alignment(horizontal="center" if i == 1 else "left", wrap_text=False)

    for c, label in enumerate(LABEL_COLUMNS, start=1):
        ws.cell(GROUP_ROW, c, label)
        ws.merge_cells(start_row=GROUP_ROW, start_column=c, end_row=SUB_ROW, end_column=c)
    col = len(LABEL_COLUMNS) + 1
    header_texts: dict[str, str] = {}
    for code in codes:
        roles = measure_roles(ref.indicators.at[code, "unit"])
        header = ref.header_text(code)
        header_texts[code] = header
        ws.cell(GROUP_ROW, col, header)
        if len(roles) > 1:
            ws.merge_cells(
                start_row=GROUP_ROW, start_column=col, end_row=GROUP_ROW, end_column=col + len(roles) - 1
            )
        for offset, role in enumerate(roles):
            tmap.columns[(code, role)] = col + offset
            cell = ws.cell(
                SUB_ROW,
                col + offset,
                "Số lượng" if role == "value" and len(roles) == 1 else ROLE_HEADERS[role],
            )
            hint = {
                "numerator": ref.indicators.at[code, "numerator_vi"],
                "denominator": ref.indicators.at[code, "denominator_vi"],
            }.get(role)
            if isinstance(hint, str) and hint:
                cell.comment = Comment(hint, "treem")
        col += len(roles)
    for r in (GROUP_ROW, SUB_ROW):
        for c in range(1, last_col + 1):
            ws.cell(r, c).style = "treem_header"
    ws.row_dimensions[GROUP_ROW].height = 60

    data_rows = [(i + 1, row.code, row.name_vi, row.locality_id) for i, row in enumerate(units.itertuples())]
    data_rows.append((None, None, "Tổng cộng", territory))
    for r, (stt, code, name, locality_id) in enumerate(data_rows, start=FIRST_DATA_ROW):
        tmap.rows[locality_id] = r
        for c, v in enumerate((stt, code, name), start=1):
            ws.cell(r, c, v).style = "treem_code" if c == 2 else "treem_label"
            if name == "Tổng cộng":
                ws.cell(r, c).font = Font(bold=True)
        for c in range(len(LABEL_COLUMNS) + 1, last_col + 1):
            ws.cell(r, c).style = "treem_input"
    last_row = FIRST_DATA_ROW + len(data_rows) - 1

    dv = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Số liệu không hợp lệ",
        error="Chỉ nhập số không âm (ví dụ 9,5). Để trống nếu không có số liệu.",
    )
    dv.add(
        f"{get_column_letter(len(LABEL_COLUMNS) + 1)}{FIRST_DATA_ROW}:{get_column_letter(last_col)}{last_row}"
    )
    ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, len(LABEL_COLUMNS) + 1)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 11
    ws.column_dimensions["C"].width = 28
    for c in range(len(LABEL_COLUMNS) + 1, last_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 13
    ws.protection.sheet = True  # no password: protection prevents accidents, not edits
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    width = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, last_col + 1))
    print_setup(
        ws,
        (GROUP_ROW, SUB_ROW),
        f"A:{get_column_letter(len(LABEL_COLUMNS))}",
        width,
        one_page_tall=len(data_rows) <= ONE_PAGE_ROWS,
    )

    tmap.total_row = last_row
    return header_texts


def _write_task_sheet(ws, tmap: TemplateMap, tasks, year, plan_title, agency_line, deadline) -> None:
    """The task sheet: one row per task, code and text locked, status from a drop-down list."""
    ws.title = TASK_SHEET
    tmap.task_sheet = TASK_SHEET
    headers = list(TASK_COLUMNS.values())
    kinds = list(TASK_COLUMNS)
    last_col = len(headers)
    titles = [
        f"BIỂU BÁO CÁO TÌNH HÌNH THỰC HIỆN NHIỆM VỤ NĂM {year}",
        plan_title,
        agency_line,
        f"Hạn gửi báo cáo: {deadline}. Chọn tình trạng của từng nhiệm vụ trong năm {year}; "
        "xem trang 'Hướng dẫn' trước khi điền.",
    ]
    for i, text in enumerate(titles, start=1):
        ws.cell(i, 1, text).font = Font(bold=(i == 1), size=14 if i == 1 else 11)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=last_col)
        ws.cell(i, 1).alignment = Alignment(horizontal="center" if i == 1 else "left", wrap_text=False)
    for c, text in enumerate(headers, start=1):
        ws.cell(TASK_HEADER_ROW, c, text).style = "treem_header"
    ws.row_dimensions[TASK_HEADER_ROW].height = 32
    tmap.task_columns = {k: kinds.index(k) + 1 for k in ("status", "narrative", "evidence")}
    first = TASK_HEADER_ROW + 1
    for i, task in enumerate(tasks.itertuples(), start=0):
        r = first + i
        tmap.task_rows[task.task_id] = r
        ws.cell(r, 1, i + 1).style = "treem_label"
        ws.cell(r, 2, task.task_id).style = "treem_code"
        ws.cell(r, 3, task.text_vi).style = "treem_text"
        for c in range(4, last_col + 1):
            ws.cell(r, c).style = "treem_text_input"
        # Excel does not grow rows for wrapped text written by openpyxl: estimate the lines of the text.
        ws.row_dimensions[r].height = max(30, 15 * (len(task.text_vi) // 70 + 1))
    last_row = first + max(len(tasks), 1) - 1
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_OPTIONS.values()) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Tình trạng không hợp lệ",
        error="Chọn một trong: " + ", ".join(STATUS_OPTIONS.values()) + ".",
    )
    dv.add(f"D{first}:D{last_row}")
    ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(first, 4)
    for letter, width in zip("ABCDEF", (6, 22, 70, 18, 50, 28), strict=True):
        ws.column_dimensions[letter].width = width
    ws.protection.sheet = True  # no password, as on the data sheet
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    print_setup(ws, (TASK_HEADER_ROW, TASK_HEADER_ROW), "A:B", 6 + 22 + 70 + 18 + 50 + 28)


def _add_styles(wb: Workbook) -> None:
    """Named styles: one registration per workbook instead of hashing styles on every cell (~3x faster)."""
    styles = [
        NamedStyle("treem_header", font=Font(bold=True), fill=_HEAD_FILL, alignment=_CENTER, border=_BORDER),
        NamedStyle("treem_label", border=_BORDER),
        NamedStyle("treem_code", border=_BORDER, number_format="@"),
        NamedStyle(
            "treem_input",
            fill=_INPUT_FILL,
            border=_BORDER,
            number_format="#,##0.0#",
            protection=Protection(locked=False),
        ),
        NamedStyle(
            "treem_text",
            border=_BORDER,
            alignment=Alignment(vertical="top", wrap_text=True),
            protection=Protection(locked=True),
        ),
        NamedStyle(
            "treem_text_input",
            fill=_INPUT_FILL,
            border=_BORDER,
            number_format="@",
            alignment=Alignment(vertical="top", wrap_text=True),
            protection=Protection(locked=False),
        ),
    ]
    for style in styles:
        wb.add_named_style(style)


DATA_INSTRUCTIONS = [
    "1. Điền số liệu vào trang 'Số liệu', mỗi địa bàn một dòng; không thêm, xóa hay đổi tên địa bàn.",
    "2. Với chỉ tiêu tỷ lệ: nhập Tử số và Mẫu số (số đối tượng thực tế); cột Giá trị có thể để trống, "
    "hệ thống tự tính Giá trị = Tử số / Mẫu số × hệ số của đơn vị. Nếu nhập cả ba thì phải khớp nhau.",
    "3. Chấp nhận số viết theo thói quen: 9,5 hoặc 9.5; 214.825 (dấu chấm ngăn cách hàng nghìn); 98%; "
    "‰ hoặc %0; '<2', '≥95' (ghi nhận giá trị ngưỡng).",
    "4. Không có số liệu: để trống hoặc ghi '-'. Không ghi chữ hay ghi chú vào ô số liệu.",
    "5. Dòng 'Tổng cộng': ghi số liệu chung của toàn địa bàn (nếu có); hệ thống đối chiếu với tổng các dòng.",
]


def _write_instructions(
    wb, ref: Reference, codes, year, deadline, agency_name, territory_name, task_count: int = 0
) -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    lines = [
        "HƯỚNG DẪN ĐIỀN BIỂU SỐ LIỆU" if codes else "HƯỚNG DẪN ĐIỀN BIỂU BÁO CÁO NHIỆM VỤ",
        f"Đơn vị báo cáo: {agency_name}. Địa bàn: {territory_name}. "
        f"Năm số liệu: {year}. Hạn gửi: {deadline}.",
    ]
    if codes:
        lines += DATA_INSTRUCTIONS
    n = 6 if codes else 1
    if task_count:
        options = ", ".join(f"'{v}'" for v in STATUS_OPTIONS.values())
        lines += [
            f"{n}. Trang 'Nhiệm vụ' liệt kê {task_count} nhiệm vụ của kế hoạch mà đơn vị báo cáo: "
            "các nhiệm vụ đơn vị được giao chủ trì và các nhiệm vụ giao chung cho các sở, ban, ngành "
            "(mỗi cơ quan báo cáo phần việc của mình). Không sửa mã và nội dung nhiệm vụ.",
            f"{n + 1}. Cột 'Tình trạng': chọn một trong {options} cho tình hình đến hết năm {year}. "
            "Cột 'Kết quả thực hiện': tóm tắt ngắn kết quả chính (vài dòng). "
            "Cột 'Minh chứng' (không bắt buộc): số, ngày văn bản, báo cáo hoặc đường dẫn tài liệu.",
            f"{n + 2}. Ghi kết quả thực hiện mà không chọn tình trạng, hoặc ghi tình trạng khác danh sách, "
            "thì dòng đó chưa được ghi nhận và sẽ được phản hồi để đơn vị sửa.",
        ]
        n += 3
    lines += [
        f"{n}. Không đổi tên, không xóa trang tính; trang tính được khóa (không mật khẩu) "
        "để tránh sửa nhầm tiêu đề.",
        f"{n + 1}. Lưu tệp dạng .xlsx, không đặt mật khẩu mở tệp. "
        "Nếu gửi lại bản sửa, gửi cả tệp; bản sau thay thế bản trước.",
    ]
    if codes:
        lines += ["", "Danh mục chỉ tiêu trong biểu:"]
    for i, line in enumerate(lines, start=1):
        ws.cell(i, 1, line).font = Font(bold=(i == 1 or line.endswith(":")), size=13 if i == 1 else 11)
    ws.column_dimensions["A"].width = 60
    for letter in "BCDE":
        ws.column_dimensions[letter].width = 24
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if not codes:
        return
    header = ["Chỉ tiêu", "Đơn vị", "Tử số", "Mẫu số", "Hệ số"]
    r = len(lines) + 1
    for c, h in enumerate(header, start=1):
        ws.cell(r, c, h).font = Font(bold=True)
    for code in codes:
        r += 1
        row = ref.indicators.loc[code]
        values = [
            row["name_vi"],
            UNIT_VI.get(row["unit"], row["unit"]),
            row.get("numerator_vi"),
            row.get("denominator_vi"),
            row.get("factor"),
        ]
        for c, v in enumerate(values, start=1):
            ws.cell(r, c, None if v is None or v != v else v)


def _write_identity(wb, identity: Identity, header_texts: dict[str, str]) -> None:
    ws = wb.create_sheet(IDENTITY_SHEET)
    for key, value in identity.as_pairs():
        ws.append([key, value])
    for code, text in header_texts.items():
        ws.append(["indicator", code, text])
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    for key, value in identity.as_pairs():
        wb.custom_doc_props.append(StringProperty(name=PROPERTY_PREFIX + key, value=value))
    wb.defined_names[DEFINED_NAME] = DefinedName(DEFINED_NAME, attr_text=f'"{identity.encoded()}"')
