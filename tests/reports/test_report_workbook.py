"""The review workbook, opened as an officer's Excel would open it."""

import zipfile

import pytest
from openpyxl import load_workbook

from reports.excel import LOCALITY_SHEET, NUMERIC_SHEET, QUALITY_SHEET, SUMMARY_SHEET, TARGETS_SHEET
from tests.reports.report_fixture import EVIL_NAME


@pytest.fixture(scope="module")
def so_ket(built_reports):
    xlsx = built_reports["so-ket-2025"][0]
    assert xlsx.name == "dien-bien-2021_so-ket-2025.xlsx"
    return load_workbook(xlsx)


@pytest.fixture(scope="module")
def tong_ket(built_reports):
    return load_workbook(built_reports["tong-ket-2030"][0])


def _rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _find(ws, first: str, column: int = 1) -> list:
    for row in _rows(ws):
        if row[column - 1] == first:
            return row
    raise AssertionError(f"no row starting with {first!r} in {ws.title}")


def test_sheets_and_titles(so_ket):
    assert so_ket.sheetnames == [SUMMARY_SHEET, LOCALITY_SHEET, QUALITY_SHEET, TARGETS_SHEET, NUMERIC_SHEET]
    ws = so_ket[SUMMARY_SHEET]
    assert (
        ws["A1"].value
        == "BÁO CÁO SƠ KẾT 5 NĂM THỰC HIỆN CHƯƠNG TRÌNH HÀNH ĐỘNG VÌ TRẺ EM GIAI ĐOẠN 2021-2030"
    )
    assert ws["A2"].value == "Chương trình hành động vì trẻ em tỉnh Điện Biên giai đoạn 2021-2030"
    assert "333/QĐ-UBND ngày 15/03/2021" in ws["A3"].value
    header = _find(ws, "STT")
    assert header == [
        "STT",
        "Chỉ tiêu",
        "Đơn vị",
        "KQ 2020",
        "Kế hoạch 2025",
        "Kế hoạch 2030",
        "Thực hiện 2025",
        "Đánh giá",
        "Triển vọng 2030",
        "Ghi chú",
    ]


def test_dien_bien_under5_mortality_row(so_ket):
    """Hand-checked: chỉ tiêu 5 of 333/QĐ-UBND.

    KQ 2020 22,8‰; targets < 18,5 (2025) and < 15 (2030); 2025 value 19,4 → Không đạt.
    """
    ws = so_ket[SUMMARY_SHEET]
    row = _find(ws, "5")
    assert row == [
        "5",
        "Chỉ tiêu 5: Tỷ suất tử vong trẻ em dưới 5 tuổi",
        "‰",
        "22,8",
        "< 18,5",
        "< 15",
        "19,4",
        "Không đạt",
        "Cần đẩy nhanh",
        None,
    ]
    # the plan's own sentence rides along as a comment on the Chỉ tiêu cell
    label = next(c for c in ws["B"] if c.value == row[1])
    assert "dưới 18,5‰ vào năm 2025" in label.comment.text


def test_goal_sections_and_plan_numbering(so_ket):
    ws = so_ket[SUMMARY_SHEET]
    firsts = [(r[0], r[1]) for r in _rows(ws) if r[0] in ("I", "II", "III", "IV", "15", "15.1", "15.2", "18")]
    assert firsts == [
        ("I", "Mục tiêu 1: Về phát triển toàn diện trẻ em, chăm sóc sức khỏe, dinh dưỡng cho trẻ em"),
        ("II", "Mục tiêu 2: Về bảo vệ trẻ em"),
        ("15", "Chỉ tiêu 15"),
        ("15.1", "Tỷ suất trẻ em bị tai nạn thương tích"),
        ("15.2", "Tỷ suất trẻ em tử vong do tai nạn thương tích"),
        ("18", "Chỉ tiêu 18: Số cuộc tảo hôn"),
        ("III", "Mục tiêu 3: Về giáo dục, văn hóa, vui chơi, giải trí cho trẻ em"),
        ("IV", "Mục tiêu 4: Về sự tham gia của trẻ em vào các vấn đề về trẻ em"),
    ]
    marriage = _find(ws, "18")
    assert marriage[4] == "Giảm 2-3%/năm"
    assert "Số liệu 2025 là số ước thực hiện" in marriage[9]
    assert "Có 2 cảnh báo về chất lượng số liệu" in marriage[9]
    assert _find(ws, "11")[7] == "Không có chỉ tiêu"
    no_data = _find(ws, "19")
    assert no_data[6] is None and no_data[7] == "Chưa có số liệu" and "98,7 (năm 2023)" in no_data[9]


def test_numbers_are_vietnamese_text_in_summary_and_numeric_in_data_sheet(so_ket):
    """Decision: text with decimal comma where officers copy; real numbers for analysts."""
    ws = so_ket[SUMMARY_SHEET]
    value_cell = next(c for c in ws["G"] if c.value == "19,4")
    assert value_cell.data_type == "s"
    assert value_cell.alignment.horizontal == "right"
    numeric = so_ket[NUMERIC_SHEET]
    header = [c.value for c in numeric[1]]
    row = next(r for r in numeric.iter_rows(min_row=2) if r[0].value == "U5_MORTALITY")
    value = row[header.index("Thực hiện 2025")]
    assert value.value == pytest.approx(19.4)
    assert value.data_type == "n"
    assert value.number_format == "#,##0.0##"


def test_print_setup(so_ket):
    ws = so_ket[SUMMARY_SHEET]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$7:$8"
    assert ws.freeze_panes == "C9"
    assert ws.column_dimensions["B"].width > 40
    assert ws["A7"].border.left.style == "thin"


def test_small_sensitive_commune_counts_are_suppressed(so_ket):
    ws = so_ket[LOCALITY_SHEET]
    rows = _rows(ws)
    header = next(r for r in rows if r[0] == "STT")
    col = {name: header.index(name) for name in header}
    marriage_mt = next(r for r in rows if r[1] == "Phường Mường Thanh" and "tảo hôn" in (r[3] or ""))
    assert marriage_mt[col["Thực hiện 2025"]] == "<5"
    assert marriage_mt[col["KQ 2020"]] == "<5"  # baseline 4 is just as identifying
    handled = next(r for r in rows if r[1] == "Phường Mường Thanh" and "xâm hại" in (r[3] or ""))
    assert handled[col["Tử số"]] == "<5" and handled[col["Thực hiện 2025"]] == "x"
    district = next(r for r in rows if r[1] == "Thành phố Điện Biên Phủ")
    assert district[col["Thực hiện 2025"]] == "9"  # district level is not suppressed
    not_sensitive = next(r for r in rows if "dưới 5 tuổi" in (r[3] or ""))
    assert not_sensitive[col["Tử số"]] == "2"  # U5 mortality is not a sensitive indicator
    assert any("không được công bố" in (r[0] or "") for r in rows)


def test_formula_in_locality_name_comes_out_inert(built_reports, so_ket):
    ws = so_ket[LOCALITY_SHEET]
    cells = [c for c in ws["B"] if c.value == EVIL_NAME]
    assert cells, "the hostile locality name is shown verbatim"
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(built_reports["so-ket-2025"][0]) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sheets:
            xml = archive.read(name).decode()
            assert "<f>" not in xml and "<f " not in xml, name
    # the hostile sample from a failed check is inert too
    quality = so_ket[QUALITY_SHEET]
    sample = next(c for row in quality.iter_rows() for c in row if c.value == "=cmd|' /C calc'!A0")
    assert sample.data_type == "s" and sample.quotePrefix


def test_quality_and_targets_sheets(so_ket):
    quality = _rows(so_ket[QUALITY_SHEET])
    late = next(r for r in quality if r[1] == "Giáo dục và Đào tạo")
    assert late[6] == "60,0" and late[9] == "Chậm/chưa gửi"
    assert any(r[0] == "Chỉ tiêu 18" and r[5] == "Giảm 21% so với năm trước" for r in quality)
    targets = _rows(so_ket[TARGETS_SHEET])
    conflicting = [r for r in targets if r[0] == "Chỉ tiêu 1" and r[2] == "2025"]
    assert {(r[3], r[6], r[7]) for r in conflicting} == {("≥ 65", "Có", "Có"), ("≥ 60", "Không", "Có")}


def test_tong_ket_columns_and_2030_judgement(tong_ket):
    ws = tong_ket[SUMMARY_SHEET]
    assert ws["A1"].value.startswith("BÁO CÁO TỔNG KẾT 10 NĂM")
    header = _find(ws, "STT")
    assert header[6:9] == ["Thực hiện 2025", "Thực hiện 2030", "Đánh giá"]
    assert "Triển vọng 2030" not in header
    row = _find(ws, "5")
    assert row[3:9] == ["22,8", "< 18,5", "< 15", "19,4", "14,2", "Đạt"]
