"""Fixtures of the report tests: a hand-built mart warehouse and the reports built from it once."""

from pathlib import Path

import duckdb
import pytest

from tests.reports import report_fixture


@pytest.fixture(scope="session")
def report_warehouse(tmp_path_factory) -> Path:
    return Path(report_fixture.build(tmp_path_factory.mktemp("report-warehouse") / "treem.duckdb"))


@pytest.fixture(scope="session")
def built_reports(report_warehouse, tmp_path_factory) -> dict[str, list[Path]]:
    """Both reviews of Điện Biên's plan, built through the public entry point."""
    from reports import build_review_report

    out = tmp_path_factory.mktemp("reports")
    con = duckdb.connect(str(report_warehouse), read_only=True)
    try:
        return {
            review: build_review_report(con, review, "dien-bien-2021", out)
            for review in ("so-ket-2025", "tong-ket-2030")
        }
    finally:
        con.close()
