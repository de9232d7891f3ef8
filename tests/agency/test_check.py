"""`treem check`: the officer's dry run says ready or not, per cell and in Vietnamese, and loads nothing."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import openpyxl

from orchestration.cli import main
from tests.agency.conftest import HYPERLINK, derive, feedback_rows

INTERNAL_ID = re.compile(r"\b(?:vn2008|vn2025|vn):[0-9A-Za-z]+")


def _row_cells(path: Path, row: int) -> list[str]:
    """The non-empty cells of one row of a workbook's data sheet."""
    ws = openpyxl.load_workbook(path)["Số liệu"]
    return [c.coordinate for c in ws[row] if c.value not in (None, "")]


def _line(rows, problem_part: str):
    hits = [r for r in rows if problem_part in (r[6] or "")]
    assert len(hits) == 1, [r[6] for r in rows]
    return hits[0]


def test_clean_file_is_ready_and_gets_no_feedback(checked):
    results, out = checked
    clean = results["clean"]
    assert clean.ready and clean.feedback.findings == [] and clean.feedback_path is None
    assert clean.values_loaded == 200


def test_misspelt_commune_is_one_line_with_the_closest_name(checked, clean_book):
    from tests.agency.conftest import LIEN_CHUNG

    result = checked[0]["misspelt"]
    expected = _row_cells(result.path, clean_book[1].rows[LIEN_CHUNG])
    assert not result.ready
    rows = feedback_rows(result.feedback_path)
    line = _line(rows, "Xã Lien Chug")
    kind, sheet, row, locality, cells, _, problem, suggestion, fix = line
    assert (kind, sheet, locality) == ("Chưa ghi nhận", "Số liệu", "Xã Lien Chug")
    assert cells.split(", ") == expected  # the row's every cell, on one line
    assert "Huyện Tân Yên" in problem
    assert suggestion.startswith("Có phải là: Xã Liên Chung")
    assert fix.startswith("Ghi đúng tên địa bàn")
    assert result.feedback.cells_to_fix == len(expected) > 20


def test_formula_like_agency_text_comes_back_as_text(checked):
    result = checked[0]["formula"]
    assert not result.ready
    with zipfile.ZipFile(result.feedback_path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        xml = "".join(archive.read(n).decode() for n in sheets)
    assert "<f>" not in xml and "<f " not in xml  # no formula cell anywhere
    ws = openpyxl.load_workbook(result.feedback_path).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and HYPERLINK in c.value]
    assert len(cells) >= 3 and all(c.data_type == "s" for c in cells)
    # the misnamed row's "Địa bàn" is the agency's text itself: shown exactly, kept as text when edited
    (exact,) = [c for c in cells if c.value == HYPERLINK]
    assert exact.column == 4 and exact.quotePrefix


def test_ratio_mismatch_shows_the_computed_value(checked):
    result = checked[0]["ratio"]
    rows = feedback_rows(result.feedback_path)
    hits = [r for r in rows if r[7] and "tử số / mẫu số" in r[7]]
    assert len(hits) == 1
    kind, _, _, locality, cells, values, _, suggestion, _ = hits[0]
    assert locality == "Xã Việt Lập"
    assert "180 / 200 × 100 = 90" in suggestion
    assert "80" in values
    # the door loads the readable value; data quality judges the mismatch an error: not ready to send
    assert kind == "Lỗi"
    assert not result.ready


def test_numerator_above_denominator_is_not_ready(checked):
    result = checked[0]["num_gt_den"]
    assert not result.ready
    rows = feedback_rows(result.feedback_path)
    hits = [r for r in rows if "Tử số lớn hơn mẫu số" in (r[6] or "")]
    assert len(hits) == 1 and hits[0][3] == "Xã Ngọc Châu" and hits[0][0] in ("Chưa ghi nhận", "Lỗi")


def test_implausible_value_is_a_data_quality_error(checked):
    result = checked[0]["implausible"]
    assert not result.ready and result.feedback.cells_to_fix == 1
    (line,) = [r for r in feedback_rows(result.feedback_path) if r[0] == "Lỗi"]
    assert line[3] == "Xã Ngọc Châu" and "650" in line[5]
    assert line[6].startswith("Giá trị nằm ngoài khoảng hợp lệ")
    assert "Tỷ suất tử vong của trẻ em dưới 1 tuổi" in line[6]  # the indicator's name, not its code


def test_warning_only_file_is_ready_and_still_gets_feedback(checked):
    result = checked[0]["total_off"]
    assert result.ready and result.feedback.warnings == 1 and result.feedback_path is not None
    (line,) = feedback_rows(result.feedback_path)
    assert line[0] == "Cảnh báo" and line[6].startswith("Dòng tổng cộng không khớp")
    assert line[3] == "Huyện Tân Yên"


def test_missing_indicator_is_named_not_coded(checked):
    result = checked[0]["missing"]
    assert not result.ready
    (line,) = feedback_rows(result.feedback_path)
    assert line[0] == "Lỗi" and line[1] is None and line[4] is None  # about the file, no cell
    assert line[6] == "Thiếu chỉ tiêu được giao: Tỷ lệ lây truyền HIV từ mẹ sang con năm 2023"


def test_rejected_file_says_why(checked):
    result = checked[0]["not_workbook"]
    assert not result.ready and result.feedback.status == "rejected"
    (line,) = feedback_rows(result.feedback_path)
    assert line[0] == "Từ chối tệp" and line[6] == "Tệp không phải là sổ làm việc Excel (.xlsx)"
    assert "mã lỗi" not in " ".join(str(v) for v in line)


def test_no_internal_ids_in_any_feedback(checked):
    _, out = checked
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == 8  # every file but the clean one
    for path in files:
        ws = openpyxl.load_workbook(path).active
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and INTERNAL_ID.search(value)), (path.name, value)


def test_feedback_names_cannot_collide(clean_book, tmp_path, real_reference):
    """Two bao_cao.xlsx from two folders (different content) get two feedback workbooks."""
    from ingest.workbook.check import check_files
    from tests.agency.conftest import PROBLEMS

    first = derive(clean_book, tmp_path / "xa-a" / "bao_cao.xlsx", PROBLEMS["misspelt"])
    second = derive(clean_book, tmp_path / "xa-b" / "bao_cao.xlsx", PROBLEMS["implausible"])
    out = tmp_path / "phan-hoi"
    results = check_files([first, second], out, reference=real_reference)
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2 and all(re.fullmatch(r"bao_cao__[0-9a-f]{8}\.xlsx", n) for n in names)
    assert {r.feedback_path.name for r in results} == set(names)
    # checking the same file again replaces its feedback instead of adding one
    check_files([first], out, reference=real_reference)
    assert sorted(p.name for p in out.iterdir()) == names


def test_cli_exit_codes_and_summary(problem_files, clean_book, tmp_path, capsys):
    from tests.agency.conftest import LIEN_CHUNG

    warehouse = Path(os.environ["TREEM_WAREHOUSE"])
    before = warehouse.stat().st_mtime if warehouse.exists() else None
    out = tmp_path / "fb"
    assert main(["check", str(problem_files["clean"]), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "clean.xlsx — Ngành Y tế — Huyện Tân Yên — năm 2023" in text
    assert "SẴN SÀNG GỬI: đọc được 200 giá trị, không có lỗi." in text
    assert "1/1 tệp sẵn sàng gửi" in text

    args = [str(problem_files[n]) for n in ("misspelt", "not_workbook", "total_off")]
    assert main(["check", *args, "--out", str(out)]) == 1
    text = capsys.readouterr().out
    to_fix = len(_row_cells(problem_files["misspelt"], clean_book[1].rows[LIEN_CHUNG]))
    # the total row still counts Liên Chung, so the roll-up check warns as well
    assert f"CẦN SỬA {to_fix} Ô trước khi gửi (và 1 cảnh báo nên xem lại); đọc được 190 giá trị." in text
    assert "Có phải là: Xã Liên Chung" in text
    assert "BỊ TỪ CHỐI: Tệp không phải là sổ làm việc Excel (.xlsx)." in text
    assert "SẴN SÀNG GỬI: đọc được 200 giá trị, không có lỗi; 1 cảnh báo nên xem lại." in text
    assert "2/3 tệp sẵn sàng gửi" not in text and "1/3 tệp sẵn sàng gửi" in text
    # nothing was loaded into the warehouse
    assert (warehouse.stat().st_mtime if warehouse.exists() else None) == before


def test_cli_missing_path_is_a_plain_error(tmp_path, capsys):
    assert main(["check", str(tmp_path / "khong-co.xlsx")]) == 2
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("Không tìm thấy:")


def test_checking_a_folder_twice_skips_its_own_feedback(clean_book, tmp_path, capsys):
    from tests.agency.conftest import PROBLEMS

    folder = tmp_path / "gui-so"
    derive(clean_book, folder / "bao_cao.xlsx", PROBLEMS["implausible"])
    assert main(["check", str(folder)]) == 1
    assert len(list(folder.glob("bao_cao__*.xlsx"))) == 1  # written next to the file
    first = capsys.readouterr().out
    assert main(["check", str(folder)]) == 1
    second = capsys.readouterr().out
    assert "0/1 tệp sẵn sàng gửi" in first and "0/1 tệp sẵn sàng gửi" in second


def test_cli_out_must_be_a_writable_folder(problem_files, capsys):
    clean = str(problem_files["clean"])
    assert main(["check", str(problem_files["implausible"]), "--out", clean]) == 2
    assert capsys.readouterr().out.strip() == f"--out phải là một thư mục: {clean} (--out must be a folder)."
    assert main(["check", str(problem_files["implausible"]), "--out", f"{clean}/sub"]) == 2
    assert capsys.readouterr().out.strip().startswith("Không ghi được tệp phản hồi:")


def test_a_line_names_its_sheet_when_the_findings_are_on_several():
    """An officer's copied data sheet repeats its problems: each line then says which sheet it is on; a file
    whose findings are all on one sheet keeps the short form."""
    from ingest.workbook.check import CheckResult, summary_lines
    from ingest.workbook.feedback import Feedback, Finding

    def lines(*sheets: str) -> list[str]:
        findings = [
            Finding("quarantine", "Ô chứa công thức chưa được tính", sheet=sheet, row=10, cells=["D10"])
            for sheet in sheets
        ]
        result = CheckResult(
            Path("a.xlsx"), Feedback("a.xlsx", "0" * 64, "loaded", findings=findings), None, 4, 0.1
        )
        return [line for line in summary_lines(result) if line.startswith("  - ")]

    assert lines("Số liệu", "Số liệu (2)") == [
        "  - [chưa ghi nhận] Trang 'Số liệu', dòng 10 [D10]: Ô chứa công thức chưa được tính",
        "  - [chưa ghi nhận] Trang 'Số liệu (2)', dòng 10 [D10]: Ô chứa công thức chưa được tính",
    ]
    assert lines("Số liệu") == ["  - [chưa ghi nhận] Dòng 10 [D10]: Ô chứa công thức chưa được tính"]
