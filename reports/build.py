"""Entry point: one review report (workbook + HTML) for one plan, from an open warehouse connection."""

from pathlib import Path
from typing import Literal

import duckdb

from reports.data import load_review
from reports.excel import write_workbook
from reports.html import write_html
from reports.safety import Suppressor, load_suppression_config

Review = Literal["so-ket-2025", "tong-ket-2030"]


def report_stem(plan_id: str, review: str) -> str:
    return f"{plan_id}_{review}"


def build_review_report(
    con: duckdb.DuckDBPyConnection,
    review: Review,
    plan_id: str,
    out_dir: Path | str,
    suppression_config: Path | str | None = None,
) -> list[Path]:
    """Write `<plan_id>_<review>.xlsx` and `.html` into `out_dir` and return their paths.

    The connection may be read-only: the report only reads marts. The suppression config defaults to
    reports/config.yaml; the sensitive indicators come from `marts.dim_indicator.is_sensitive` plus the
    config's extra list.
    """
    data = load_review(con, review, plan_id)
    suppressor = Suppressor(load_suppression_config(suppression_config), data.sensitive)
    out = Path(out_dir)
    stem = report_stem(plan_id, review)
    return [
        write_workbook(data, out / f"{stem}.xlsx", suppressor),
        write_html(data, out / f"{stem}.html", suppressor),
    ]
