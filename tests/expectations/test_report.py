"""The Vietnamese report pages and the GX Data Docs site."""

from __future__ import annotations

import pandas as pd

from expectations.report import build_data_docs, write_reports
from expectations.runner import validate_warehouse
from tests.expectations.conftest import DISTRICTS, insert, set_value


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


def test_quarantined_cells_rejected_files_and_a_worst_first_index(make_warehouse, tmp_path):
    con = make_warehouse(_broken)
    insert(
        con,
        "audit.quarantine",
        [
            {
                "submission_id": "sub-health-2024",
                "sheet": "Số liệu",
                "cell": "K31",
                "raw_value": "khoảng 40",
                "reason_code": "unparseable_number",
                "reason_vi": "Không đọc được số",
            }
        ],
    )
    insert(
        con,
        "audit.submissions",
        [
            {
                "submission_id": "sub-broken",
                "file_name": "bao_cao_loi.xlsx",
                "status": "rejected",
                "message": "Tệp 'bao_cao_loi.xlsx' không được tiếp nhận: Tệp bị hỏng, không mở được.",
                "received_at": pd.Timestamp("2025-01-20"),
            }
        ],
    )
    validate_warehouse(con)
    paths = write_reports(con, tmp_path / "dq")

    page = (tmp_path / "dq" / "dien-bien-health_2024.html").read_text(encoding="utf-8")
    assert "Các ô không đọc được" in page and "Số liệu!K31" in page and "khoảng 40" in page
    assert "Không đọc được số" in page

    rejected = [p for p in paths.pages if "bao_cao_loi" in p.name]
    assert len(rejected) == 1
    text = rejected[0].read_text(encoding="utf-8")
    assert "nan" not in text.split("<style>")[0] and "bao_cao_loi.xlsx" in text.split("<style>")[0]
    assert "Tệp bị hỏng, không mở được" in text and "Không phát hiện vấn đề" not in text
    assert "<b>1</b> tệp bị từ chối" in text

    index = paths.index.read_text(encoding="utf-8")
    # worst first: the 2024 page (errors), then the refused file, then the clean 2023 page
    names = ["dien-bien-health_2024.html", rejected[0].name, "dien-bien-health_2023.html"]
    positions = [index.index(f'href="{name}"') for name in names]
    assert positions == sorted(positions)
    assert 'id="filter"' in index and "Tổng cộng (3 trang)" in index
    totals = index.split('class="total"')[1].split("</tr>")[0]
    assert "<td>3</td>" in totals and "<td>1</td>" in totals  # three files, one refused, one unreadable cell


def test_a_page_is_rewritten_only_when_what_it_shows_changed(make_warehouse, tmp_path):
    """A run rewrites the pages whose submissions, verdicts, flags or names changed, and those exactly as a
    first run would write them; the others are left as they are, and the index still lists every page."""
    con = make_warehouse(_broken)
    validate_warehouse(con)
    out = tmp_path / "dq"
    pages = write_reports(con, out).pages
    written = {p.name: p.stat().st_mtime_ns for p in pages}
    again = write_reports(con, out)
    assert {p.name: p.stat().st_mtime_ns for p in again.pages} == written, (
        "nothing changed: nothing rewritten"
    )

    con.execute("update dq.flagged_values set detail = detail || ' (đã xem lại)' where year = 2024")
    assert con.execute("select count(*) from dq.flagged_values where year = 2024").fetchone()[0] > 0
    after = write_reports(con, out)
    rewritten = {p.name for p in after.pages if p.stat().st_mtime_ns != written[p.name]}
    assert rewritten == {"dien-bien-health_2024.html"}
    fresh = write_reports(con, tmp_path / "fresh")  # no record: every page written from scratch
    for page in fresh.pages:
        assert page.read_text(encoding="utf-8") == (out / page.name).read_text(encoding="utf-8"), page.name
    assert "(đã xem lại)" in (out / "dien-bien-health_2024.html").read_text(encoding="utf-8")
    index = after.index.read_text(encoding="utf-8")
    assert 'href="dien-bien-health_2023.html"' in index and 'href="dien-bien-health_2024.html"' in index

    con.execute("update raw.agencies set name_vi = name_vi || ' (tên mới)'")  # a name every page quotes
    renamed = write_reports(con, out)
    assert all("(tên mới)" in p.read_text(encoding="utf-8") for p in renamed.pages)
