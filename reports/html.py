"""The review as one self-contained HTML file: same table as the workbook, charts as inline SVG.

Jinja autoescaping keeps data from becoming markup; `neutralise_text` additionally prefixes formula-like
data strings with an apostrophe, because officers select the table in the browser and paste it into Excel,
which would evaluate a pasted "=HYPERLINK(…)".
"""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from reports.charts import PROGRESS_COLOURS, STATUS_COLOURS, bars_svg, target_text, trajectory_svg
from reports.data import ReviewData
from reports.safety import Suppressor, neutralise_text
from reports.table import build_rows, columns, conflict_legend, overview_counts
from reports.tasks import SECTOR_COLUMNS, TASK_COLUMNS, sector_rows, task_rows
from reports.vn import (
    LEVEL_LABELS,
    REVIEW_PERIOD,
    REVIEW_TITLE,
    SEVERITY_LABELS,
    fmt_date,
    fmt_number,
    fmt_target,
    sector_label,
    status_label,
    unit_label,
)

TEMPLATES = Path(__file__).with_name("templates")


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_text"] = lambda v: neutralise_text("" if v is None else str(v))
    env.filters["num"] = fmt_number
    env.filters["vn_date"] = fmt_date
    return env


def render_html(data: ReviewData, suppressor: Suppressor) -> str:
    rows = build_rows(data, "html")
    counts = overview_counts(data)
    overview = [bars_svg(f"Đánh giá thực hiện chỉ tiêu năm {data.year}", counts["status"], STATUS_COLOURS)]
    if "progress" in counts:
        overview.append(bars_svg("Triển vọng đạt chỉ tiêu năm 2030", counts["progress"], PROGRESS_COLOURS))
    charts = [
        {
            "row": r,
            "svg": trajectory_svg(r.source, data.trajectories.get(r.indicator_code, {}), data.review),
            "status": status_label(r.status),
            "status_code": r.status,
            "targets": "; ".join(
                f"KH {year}: {text}" for year in (2025, 2030) if (text := target_text(r.source, year))
            ),
        }
        for r in rows
        if r.kind == "indicator"
    ]
    year = data.year
    breakdown = []
    for b in data.breakdown:
        shown = suppressor.row(
            b["indicator_code"], b.get("level"), b.get("unit"), b.get("value"), b.get("numerator")
        )
        item = b.get("item_label") or (b.get("plan_item") or "").strip()
        name = b.get("indicator_name_vi") or b["indicator_code"]
        breakdown.append(
            {
                "locality": b["locality_name"],
                "level": LEVEL_LABELS.get(b.get("level"), b.get("level") or ""),
                "depth": {"district": 1, "commune": 2}.get(b.get("level"), 0),
                "label": f"{item}: {name}" if item else name,
                "unit": unit_label(b.get("unit")),
                "target": fmt_target(
                    b.get(f"comparator_{year}"),
                    b.get(f"target_{year}"),
                    b.get(f"target_{year}_high"),
                    b.get("direction"),
                ),
                "value": shown["value"],
                "numerator": shown["numerator"],
                "status": status_label(b.get(f"status_{year}")),
                "status_code": b.get(f"status_{year}"),
            }
        )
    completeness = []
    for r in data.completeness:
        expected, received = r.get("expected_values"), r.get("received_values")
        pct = received / expected * 100 if expected and received is not None else r.get("completeness_pct")
        completeness.append(
            {
                "year": r.get("year"),
                "sector": sector_label(r.get("sector")),
                "agency": r.get("agency_name") or "",
                "locality": r.get("locality_name") or "",
                "expected": fmt_number(expected, 0) if expected is not None else "",
                "received": fmt_number(received, 0) if received is not None else "",
                "pct": fmt_number(pct, 1) if pct is not None else "",
                "on_time": None if r.get("on_time") is None else bool(r.get("on_time")),
            }
        )
    checks = [
        {**c, "severity_vi": SEVERITY_LABELS.get(c.get("severity"), c.get("severity") or "")}
        for c in data.checks
    ]
    return (
        environment()
        .get_template("review.html.j2")
        .render(
            data=data,
            title=REVIEW_TITLE[data.review],
            period=REVIEW_PERIOD[data.review],
            columns=columns(data.review),
            rows=rows,
            overview=overview,
            status_counts=[(label, n) for _, label, n in counts["status"] if n],
            progress_counts=[(label, n) for _, label, n in counts.get("progress", []) if n],
            charts=charts,
            breakdown=breakdown,
            completeness=completeness,
            checks=checks,
            flagged=data.flagged,
            suppression_note=suppressor.config.note_vi,
            conflict_legend=conflict_legend(),
            generated=fmt_date(data.generated_at),
            task_sector_columns=SECTOR_COLUMNS,
            task_sectors=sector_rows(data),
            task_columns=TASK_COLUMNS,
            tasks=task_rows(data),
        )
    )


def write_html(data: ReviewData, path: Path, suppressor: Suppressor) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data, suppressor), encoding="utf-8")
    return path
