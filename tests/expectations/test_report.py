"""The Vietnamese report pages and the GX Data Docs site."""

from __future__ import annotations

from expectations.report import build_data_docs, write_reports
from expectations.runner import validate_warehouse
from tests.expectations.conftest import DISTRICTS, set_value


def _broken(year, rows):
    if year == 2024:
        set_value(rows, "IMMUNIZATION_U1", DISTRICTS[2], value=120.0)
        rows = [r for r in rows if r["indicator_code"] != "U5_MORTALITY"]
    return rows


def test_pages_per_agency_year_with_cells_and_fixes(make_warehouse, tmp_path):
    con = make_warehouse(_broken)
    validate_warehouse(con)
    paths = write_reports(con, tmp_path / "dq")
    assert sorted(p.name for p in paths.pages) == ["dien-bien-health_2023.html", "dien-bien-health_2024.html"]
    page = (tmp_path / "dq" / "dien-bien-health_2024.html").read_text(encoding="utf-8")
    assert "Sở Y tế Điện Biên, năm 2024" in page
    assert "Số liệu!E12" in page  # the cell, as text
    assert "Giá trị nằm ngoài khoảng hợp lệ" in page and "Kiểm tra đơn vị tính" in page  # problem + fix
    assert "U5_MORTALITY năm 2024" in page  # missing values listed
    # value_range:percent, value_matches_ratio (120 ≠ its numerator/denominator) and completeness failed
    assert "<b>3</b> lỗi" in page
    clean = (tmp_path / "dq" / "dien-bien-health_2023.html").read_text(encoding="utf-8")
    assert "<b>0</b> lỗi" in clean and "Không phát hiện vấn đề" in clean
    index = paths.index.read_text(encoding="utf-8")
    assert 'href="dien-bien-health_2024.html"' in index and "Data Docs" not in index


def test_data_docs_site(make_warehouse, tmp_path):
    con = make_warehouse(_broken)
    validate_warehouse(con)
    site = build_data_docs(con, tmp_path / "dq")
    assert site == (tmp_path / "dq" / "data_docs" / "index.html").resolve() and site.exists()
    pages = list(site.parent.glob("validations/indicator_values/*/*/*.html"))
    assert {p.parts[-3] for p in pages} == {"sub-health-2023", "sub-health-2024"}
    index = write_reports(con, tmp_path / "dq").index.read_text(encoding="utf-8")
    assert 'href="data_docs/index.html"' in index
