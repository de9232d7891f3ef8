"""The template carries what the ingest needs, and a filled template round-trips exactly."""

from __future__ import annotations

import random

import duckdb
import openpyxl

from ingest.workbook import ingest_paths, write_template
from ingest.workbook.identity import DEFINED_NAME, from_package, peek_year
from tests.ingest.conftest import data_rows


def test_template_structure(tan_yen_template):
    wb = openpyxl.load_workbook(tan_yen_template)
    assert wb.sheetnames == ["Số liệu", "Hướng dẫn", "_treem"]
    assert wb["_treem"].sheet_state == "veryHidden"
    ws = wb["Số liệu"]
    assert ws.protection.sheet and not ws.protection.password
    assert ws.freeze_panes == "D8"
    assert [ws.cell(7, c).value for c in range(4, 10)] == ["Tử số", "Mẫu số", "Giá trị"] * 2
    assert ws["D6"].value.startswith("Tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng")
    rows = data_rows(ws)
    assert "Tổng cộng" in rows and "Xã Liên Chung" in rows and len(rows) == 20
    assert ws.cell(rows["Xã Liên Chung"], 2).value == "07357"
    assert ws.cell(8, 4).protection.locked is False and ws.cell(8, 3).protection.locked is True
    dv = ws.data_validations.dataValidation[0]
    assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert "Hạn gửi" in " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"] if c.value)
    props, named = from_package(tan_yen_template)
    assert props["plan_id"] == named["plan_id"] == "tan-yen-2021" and props["year"] == "2023"
    assert DEFINED_NAME in wb.defined_names
    assert peek_year(tan_yen_template) == 2023


def test_round_trip(tan_yen_template, tmp_path, reference):
    rng = random.Random(7)
    wb = openpyxl.load_workbook(tan_yen_template)
    ws = wb["Số liệu"]
    expected = {}
    for r in data_rows(ws).values():
        code = ws.cell(r, 2).value
        loc = f"vn2008:{code}" if code else "vn2008:216"
        births = rng.randint(50, 400)
        ws.cell(r, 4, births - rng.randint(0, 5))
        ws.cell(r, 5, births)
        deaths = rng.randint(0, 4)
        ws.cell(r, 7, deaths)
        ws.cell(r, 8, births)
        expected[("IMMUNIZATION_U1", loc)] = ws.cell(r, 4).value / births * 100
        expected[("INFANT_MORTALITY", loc)] = deaths / births * 1000
    wb.save(tmp_path / "filled.xlsx")
    summary = ingest_paths([tmp_path / "filled.xlsx"], tmp_path / "t.duckdb", reference=reference)
    assert summary.quarantined == 0 and summary.values_loaded == len(expected) == 40
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    got = {
        (c, loc): v
        for c, loc, v in con.execute(
            "select indicator_code, locality_id, value from raw.indicator_values"
        ).fetchall()
    }
    con.close()
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert abs(got[key] - value) < 1e-5


def test_2025_template_uses_new_communes(reference, tmp_path):
    path = write_template("tan-yen-2021", "health", 2025, tmp_path / "ty2025.xlsx", reference)
    ws = openpyxl.load_workbook(path)["Số liệu"]
    rows = data_rows(ws)
    assert "Phường Đa Mai" in rows and "Xã Phúc Hòa" in rows
    assert ws.cell(rows["Xã Phúc Hòa"], 2).value == "07330"  # new Phúc Hòa, not old Hợp Đức
    ws.cell(rows["Xã Phúc Hòa"], 6, "97,5")
    ws.parent.save(path)
    ingest_paths([path], tmp_path / "t.duckdb", reference=reference)
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    row = con.execute("select locality_id, value, agency_id from raw.indicator_values").fetchall()
    con.close()
    assert row == [("vn2025:07330", 97.5, "health@vn2025:24")]


def test_count_indicator_has_one_column(reference, tmp_path):
    path = write_template("dien-bien-2021", "health", 2024, tmp_path / "db.xlsx", reference)
    ws = openpyxl.load_workbook(path)["Số liệu"]
    subs = [ws.cell(7, c).value for c in range(4, ws.max_column + 1)]
    assert subs == ["Tử số", "Mẫu số", "Giá trị", "Tử số", "Mẫu số", "Giá trị", "Số lượng"]


def test_template_page_setup(tan_yen_template):
    """Printed: landscape, one page wide, header rows and locality columns repeated, signatures in the
    footer (not in cells, which the ingest would read back as data)."""
    ws = openpyxl.load_workbook(tan_yen_template)["Số liệu"]
    setup = ws.page_setup
    assert (setup.orientation, int(setup.paperSize), setup.fitToWidth) == ("landscape", 9, 1)  # 9: A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$6:$7" and ws.print_title_cols == "$A:$C"
    footer = ws.oddFooter
    assert "&P" in footer.center.text and "&N" in footer.center.text
    assert "NGƯỜI LẬP BIỂU" in footer.left.text and "THỦ TRƯỞNG ĐƠN VỊ" in footer.right.text
    assert "(Ký, ghi rõ họ tên, đóng dấu)" in footer.right.text
    assert "…, ngày … tháng … năm …" in footer.right.text
    assert max(r for r in data_rows(ws).values()) == ws.max_row  # nothing written below the data


def test_province_reporting_the_national_plan_names_its_department():
    from ingest.workbook.context import load_reference
    from ingest.workbook.template import build_template

    reference = load_reference()  # the national plan's lead sectors come from the real registry
    wb, _ = build_template("national-2021", "health", 2025, reference, territory="vn2025:11")
    agency_line = wb["Số liệu"]["A3"].value
    assert agency_line.startswith("Đơn vị báo cáo: Sở Y tế tỉnh Điện Biên —") and "Bộ Y tế" not in agency_line
    wb, _ = build_template("national-2021", "health", 2024, reference)
    assert wb["Số liệu"]["A3"].value.startswith("Đơn vị báo cáo: Bộ Y tế —")  # the nation: the Ministry


def test_cli_template_out_folder_and_year_range(tmp_path, capsys):
    from orchestration.cli import main

    args = ["template", "--plan", "tan-yen-2021", "--sector", "health"]
    assert main([*args, "--year", "2024", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "tan-yen-2021_health_2024.xlsx").exists()
    capsys.readouterr()
    assert main([*args, "--year", "1999", "--out", str(tmp_path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2 and "1999" in lines[0] and "2020" in lines[1] and "2030" in lines[1]
    assert main(["template", "--plan", "tan-yen-2021", "--sector", "y-te", "--year", "2024"]) == 2
    assert "culture, education," in capsys.readouterr().err
