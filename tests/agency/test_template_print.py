"""The template prints: rendered by LibreOffice to PDF, one page wide, the title on page 1, signatures.

The PNG of page 1 is kept in `test-output/` so a person can look at it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

OUTPUT = REPO_ROOT / "test-output"
TOOLS = ("soffice", "pdfinfo", "pdftotext", "pdftoppm")


def _render(xlsx: Path, work: Path) -> Path:
    """xlsx -> PDF with LibreOffice headless, in a private profile (parallel runs must not share one)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (Debian: libreoffice-calc-nogui, poppler-utils)")
    profile = work / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return work / f"{xlsx.stem}.pdf"


def _pages(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    out = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    sizes = []
    for line in out.splitlines():
        if line.startswith("Page") and "size:" in line:
            parts = line.split("size:")[1].split()
            sizes.append((float(parts[0]), float(parts[2])))
    return sizes


def _page_text(pdf: Path, page: int) -> str:
    """The page's text in reading order (a wrapped header comes out as one run of words)."""
    args = ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize(
    ("plan", "sector", "year", "territory", "paper", "agency"),
    [
        ("tan-yen-2021", "health", 2023, None, "A3", "Phòng Y tế huyện Tân Yên"),
        ("tan-yen-2021", "culture", 2023, None, "A4", "Phòng Văn hóa và Thông tin huyện Tân Yên"),
        ("national-2021", "health", 2025, "vn2025:11", "A3", "Sở Y tế tỉnh Điện Biên"),
    ],
)
def test_template_prints_one_page_wide_with_title_and_signatures(
    tmp_path, plan, sector, year, territory, paper, agency
):
    from ingest.workbook.context import load_reference
    from ingest.workbook.template import build_template

    ref = load_reference()
    wb, tmap = build_template(plan, sector, year, ref, territory)
    xlsx = tmp_path / f"{plan}_{sector}_{year}.xlsx"
    wb.save(xlsx)
    pdf = _render(xlsx, tmp_path)

    sizes = _pages(pdf)
    assert all(width > height for width, height in sizes)  # every page landscape
    expected = {"A4": (841.9, 595.3), "A3": (1190.6, 841.9)}[paper]
    assert sizes[0] == pytest.approx(expected, abs=0.2)
    texts = [" ".join(_page_text(pdf, p).split()) for p in range(1, len(sizes) + 1)]
    codes = list(dict.fromkeys(code for code, _ in tmap.columns))
    first, last = (" ".join(ref.indicators.at[c, "name_vi"].split()[:5]) for c in (codes[0], codes[-1]))
    data_pages = [i for i, text in enumerate(texts, start=1) if "Tên địa bàn" in text]
    assert data_pages[0] == 1
    # one page wide: every page of the data sheet carries the label columns, the first and the last
    # indicator (header rows and label columns repeat; a split would leave the last one on another page)
    assert all(first in texts[p - 1] and last in texts[p - 1] for p in data_pages)
    page1 = texts[0]
    assert f"BIỂU BÁO CÁO SỐ LIỆU CHỈ TIÊU VỀ TRẺ EM NĂM {year}" in page1
    assert f"Đơn vị báo cáo: {agency} —" in page1 and "Bộ Y tế" not in page1
    assert "Tổng cộng" in texts[data_pages[-1] - 1]
    for text in ("NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)", "Trang 1/"):
        assert text in page1
    assert "…, ngày … tháng … năm …" in page1

    OUTPUT.mkdir(exist_ok=True)
    png = OUTPUT / f"template_{plan}_{sector}_{year}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png)], check=True
    )
    assert png.with_suffix(".png").stat().st_size > 10_000
