"""Inline SVG charts for the HTML report, drawn by hand.

The report machines are offline and the file must open from a USB stick, so no JavaScript and no charting
CDN: each chart is a small SVG string. Every text that came from data is escaped (markupsafe), and numbers
on the axes use the decimal comma like the table.
"""

import math

from markupsafe import Markup, escape

from reports.vn import fmt_number, fmt_target

BLUE = "#1f4e79"
GREEN = "#2e7d32"
RED = "#c62828"
AMBER = "#b26a00"
GREY = "#757575"
TARGET = "#c2185b"

STATUS_COLOURS = {
    "achieved": GREEN,
    "not_achieved": RED,
    "no_data": "#9e9e9e",
    "no_target": "#cfd8dc",
}
PROGRESS_COLOURS = {
    "on_track": GREEN,
    "target_already_met": "#66bb6a",
    "acceleration_needed": "#f9a825",
    "stagnation_or_regression": RED,
    "no_2030_target": "#cfd8dc",
    "insufficient_data": "#9e9e9e",
}


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _domain(values: list[float], unit: str | None) -> tuple[float, float, float]:
    low, high = min(values), max(values)
    if low == high:
        low, high = (low - 1, high + 1) if low else (0, 1)
    pad = (high - low) * 0.12
    low, high = low - pad, high + pad
    if low < 0 <= min(values):
        low = 0.0
    if unit == "percent" and high > 100 >= max(values):
        high = 100.0
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    return low, high, step


def target_text(row: dict, year: int) -> str:
    return fmt_target(
        row.get(f"comparator_{year}"),
        row.get(f"target_{year}"),
        row.get(f"target_{year}_high"),
        row.get("direction"),
    )


def trajectory_svg(
    row: dict, series: dict[int, float], review: str, width: int = 330, height: int = 190
) -> Markup:
    """One indicator's 2020-2030 values against its 2025 and 2030 targets.

    Values: solid line and dots; the review year's dot takes the colour of the judgement. Targets: dashed
    markers at 2025 and 2030 labelled as the plan writes them. Sơ kết also draws the projection to 2030 the
    outlook was judged on (dashed grey).
    """
    left, right, top, bottom = 46, 12, 12, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    year_of_review = 2030 if review == "tong-ket-2030" else 2025
    direction = row.get("direction")
    level_targets = direction != "annual_reduction"
    targets = {}
    for year in (2025, 2030):
        value = row.get(f"target_{year}")
        if value is not None and level_targets:
            targets[year] = float(value)
    projected = row.get("projected_2030") if review == "so-ket-2025" else None
    points = {y: v for y, v in series.items() if 2020 <= y <= 2030 and v is not None}
    everything = (
        list(points.values()) + list(targets.values()) + ([float(projected)] if projected is not None else [])
    )
    label = escape(
        f"{row.get('item_label') or row.get('plan_item') or ''} "
        f"{row.get('indicator_name_vi') or row['indicator_code']}".strip()
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" '
        f'role="img" aria-label="{label}" font-family="Arial, sans-serif" font-size="10">',
        f"<title>{label}</title>",
    ]
    if not everything:
        parts.append(
            f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fafafa" stroke="#e0e0e0"/>'
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" fill="{GREY}">'
            "Chưa có số liệu</text></svg>"
        )
        return Markup("".join(parts))

    low, high, step = _domain(everything, row.get("unit"))

    def x(year: float) -> float:
        return left + (year - 2020) / 10 * plot_w

    def y(value: float) -> float:
        return top + (high - value) / (high - low) * plot_h

    parts.append(
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#bdbdbd"/>'
    )
    tick = low
    while tick <= high + step / 1000:
        ty = y(tick)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="#eeeeee"/>')
        parts.append(
            f'<text x="{left - 4}" y="{ty + 3:.1f}" text-anchor="end" fill="{GREY}">'
            f"{escape(fmt_number(tick))}</text>"
        )
        tick += step
    for year in range(2020, 2031):
        tx = x(year)
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 3}" stroke="{GREY}"/>'
        )
        if year in (2020, 2022, 2025, 2028, 2030):
            parts.append(
                f'<text x="{tx:.1f}" y="{height - 8}" text-anchor="middle" fill="{GREY}">{year}</text>'
            )
    mid = x(2025)
    parts.append(
        f'<line x1="{mid:.1f}" x2="{mid:.1f}" y1="{top}" y2="{top + plot_h}" '
        'stroke="#9e9e9e" stroke-dasharray="2 3"/>'
    )

    for year, value in targets.items():
        # Target markers only; their wording ("KH 2025: < 18,5") is printed under the chart by the caller,
        # because labels inside a 330 px chart collide with the data labels.
        tx, ty = x(year), y(value)
        x1, x2 = max(left, tx - 14), min(left + plot_w, tx + 14)
        parts.append(
            f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{TARGET}" stroke-width="3" '
            f'stroke-dasharray="4 2"><title>KH {year}: {escape(target_text(row, year))}</title></line>'
        )

    ordered = sorted(points.items())
    if projected is not None and ordered:
        last_year, last_value = ordered[-1]
        parts.append(
            f'<line x1="{x(last_year):.1f}" y1="{y(last_value):.1f}" '
            f'x2="{x(2030):.1f}" y2="{y(float(projected)):.1f}" '
            f'stroke="{GREY}" stroke-width="1.5" stroke-dasharray="5 4"/>'
            f'<circle cx="{x(2030):.1f}" cy="{y(float(projected)):.1f}" r="3" fill="#fff" stroke="{GREY}"/>'
        )
    if len(ordered) > 1:
        path = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in ordered)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2"/>')
    status_colour = STATUS_COLOURS.get(row.get("status"), BLUE)
    for year, value in ordered:
        colour = status_colour if year == year_of_review else BLUE
        radius = 4.5 if year == year_of_review else 3
        parts.append(
            f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="{radius}" fill="{colour}" '
            'stroke="#fff" stroke-width="1">'
            f"<title>{year}: {escape(fmt_number(value))}</title></circle>"
        )
    if ordered:
        last_year, last_value = ordered[-1]
        ly = y(last_value)
        parts.append(
            f'<text x="{x(last_year) + (6 if last_year < 2029 else -6):.1f}" '
            f'y="{ly + (12 if ly < top + 14 else -6):.1f}" '
            f'text-anchor="{"start" if last_year < 2029 else "end"}" fill="{BLUE}" font-weight="bold">'
            f"{escape(fmt_number(last_value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bars_svg(
    title: str, items: list[tuple[str, str, int]], colours: dict[str, str], width: int = 440
) -> Markup:
    """Horizontal bars: one per category (Đạt, Không đạt, …) with its count."""
    row_h, label_w, top = 26, 150, 28
    height = top + row_h * len(items) + 8
    total = sum(count for _, _, count in items) or 1
    bar_w = width - label_w - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" font-family="Arial, sans-serif" font-size="12">',
        f'<text x="0" y="16" font-weight="bold" font-size="13">{escape(title)}</text>',
    ]
    for index, (code, label, count) in enumerate(items):
        y0 = top + index * row_h
        w = bar_w * count / total
        parts.append(
            f'<text x="{label_w - 8}" y="{y0 + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y0 + 3}" width="{bar_w}" height="16" fill="#f5f5f5"/>'
            f'<rect x="{label_w}" y="{y0 + 3}" width="{w:.1f}" height="16" fill="{colours.get(code, GREY)}"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y0 + 15}" font-weight="bold">{count}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
