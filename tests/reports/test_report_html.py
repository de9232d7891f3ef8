"""The HTML review: self-contained, escaped, and rendered by a real browser."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.reports.report_fixture import EVIL_NAME

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_OUTPUT = REPO_ROOT / "test-output"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def so_ket_html(built_reports) -> tuple[Path, str]:
    path = built_reports["so-ket-2025"][1]
    assert path.name == "dien-bien-2021_so-ket-2025.html"
    return path, path.read_text(encoding="utf-8")


def test_self_contained_no_scripts_or_remote_resources(so_ket_html):
    _, html = so_ket_html
    assert "<script" not in html.lower()
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    assert "<link" not in html.lower()
    assert "<style>" in html


def test_table_and_charts(so_ket_html):
    _, html = so_ket_html
    assert "BÁO CÁO SƠ KẾT 5 NĂM THỰC HIỆN CHƯƠNG TRÌNH HÀNH ĐỘNG VÌ TRẺ EM GIAI ĐOẠN 2021-2030" in html
    assert "Mục tiêu 2: Về bảo vệ trẻ em" in html
    assert "Chỉ tiêu 5: Tỷ suất tử vong trẻ em dưới 5 tuổi" in html
    assert "&lt; 18,5" in html and "Không đạt" in html and "Cần đẩy nhanh" in html
    # one trajectory chart per indicator, plus the two overview charts
    assert html.count("<svg") == 11 + 2
    assert "Đánh giá thực hiện chỉ tiêu năm 2025" in html
    assert "Triển vọng đạt chỉ tiêu năm 2030" in html
    assert "KH 2025: &lt; 18,5; KH 2030: &lt; 15" in html


def test_data_is_escaped_and_neutralised(so_ket_html):
    _, html = so_ket_html
    assert EVIL_NAME not in html  # never raw
    assert "&#39;=HYPERLINK(&#34;http://evil.example/x&#34;" in html  # apostrophe-prefixed, escaped
    assert "<5" not in html.replace("&lt;5", "")  # suppressed counts are escaped text
    assert "&lt;5" in html


def test_tong_ket_html(built_reports):
    html = built_reports["tong-ket-2030"][1].read_text(encoding="utf-8")
    assert "BÁO CÁO TỔNG KẾT 10 NĂM" in html
    assert "Thực hiện 2030" in html and "Triển vọng đạt chỉ tiêu" not in html


def test_screenshot_in_headless_chromium(so_ket_html, built_reports, tmp_path):
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip("chromium not installed: apt-get install chromium")
    TEST_OUTPUT.mkdir(exist_ok=True)
    for review, (_, html_path) in built_reports.items():
        png = TEST_OUTPUT / f"report_{review}.png"
        png.unlink(missing_ok=True)
        command = [
            CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / ('profile-' + review)}",
            f"--screenshot={png}",
            "--window-size=1280,2000",
            html_path.resolve().as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=90)
        assert png.exists()
        assert png.stat().st_size > 50_000  # a blank 1280x2000 page is a few kB
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
