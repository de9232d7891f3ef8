"""The "Bảng tổng hợp chỉ tiêu" as rendered rows, shared by the workbook and the HTML page.

Both outputs must show the same strings (officers compare the printed HTML with the Excel file), so the
layout decisions live here once: objective-group section rows, the plan's own numbering (a plan item with
several indicators, such as Bắc Ninh's "Chỉ tiêu 3" on three mortality rates, becomes a heading row with
numbered sub-rows 3.1, 3.2 …), Vietnamese number and target rendering, and the notes column.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from ingest.reference.labels import CONFLICT_RULE_VI
from reports.data import ReviewData
from reports.vn import (
    PROGRESS_LABELS,
    ROMAN,
    SOURCE_LABELS,
    STATUS_LABELS,
    fmt_number,
    fmt_target,
    goal_heading,
    progress_label,
    source_kind,
    status_label,
    unit_label,
)


@dataclass
class Column:
    key: str
    header: str
    width: float  # Excel character widths; the HTML uses them as relative widths
    align: str = "center"
    wrap: bool = False


@dataclass
class TableRow:
    kind: str  # "goal", "item" (heading of a plan item with sub-rows), "indicator"
    cells: dict[str, str]
    status: str | None = None
    progress: str | None = None
    indicator_code: str | None = None
    quotes: list[str] = field(default_factory=list)
    source: dict | None = None


def columns(review: str) -> list[Column]:
    cols = [
        Column("stt", "STT", 6),
        Column("label", "Chỉ tiêu", 52, align="left", wrap=True),
        Column("unit", "Đơn vị", 10, wrap=True),
        Column("kq2020", "KQ 2020", 10),
        Column("kh2025", "Kế hoạch 2025", 12, wrap=True),
        Column("kh2030", "Kế hoạch 2030", 12, wrap=True),
        Column("th2025", "Thực hiện 2025", 12, wrap=True),
    ]
    if review == "tong-ket-2030":
        cols.append(Column("th2030", "Thực hiện 2030", 12, wrap=True))
        cols.append(Column("status", "Đánh giá", 14, wrap=True))
    else:
        cols.append(Column("status", "Đánh giá", 14, wrap=True))
        cols.append(Column("progress", "Triển vọng 2030", 15, wrap=True))
    cols.append(Column("note", "Ghi chú", 34, align="left", wrap=True))
    return cols


def _item_label(plan_item: str | None) -> str:
    return (plan_item or "").strip()


def _stt(plan_item: str | None) -> str | None:
    numbers = re.findall(r"\d+", plan_item or "")
    return ".".join(numbers) if numbers else None


def coverage_notes(row: dict, year: int) -> list[str]:
    """Coverage of the year's value and of the baseline, when not every unit reported (marts' counts)."""
    parts = []
    reporting, expected = row.get(f"value_{year}_reporting_units"), row.get(f"value_{year}_expected_units")
    if row.get(f"value_{year}_is_withheld"):
        parts.append(
            f"Số liệu {year} không công bố: chỉ {int(reporting)}/{int(expected)} đơn vị báo cáo, "
            "dưới ngưỡng công bố"
        )
    elif reporting is not None and expected is not None and reporting < expected:
        parts.append(f"Số liệu {year}: {int(reporting)}/{int(expected)} đơn vị báo cáo")
    b_reporting, b_expected = row.get("baseline_reporting_units"), row.get("baseline_expected_units")
    if b_reporting is not None and b_expected is not None and b_reporting < b_expected:
        parts.append(f"KQ 2020: {int(b_reporting)}/{int(b_expected)} đơn vị báo cáo")
    return parts


def source_notes(row: dict, year: int) -> list[str]:
    """Mixed sources along the series, and a baseline other than the plan's own figure."""
    parts = []
    baseline, value = row.get("baseline_source"), row.get(f"value_{year}_source")
    both = row.get("baseline_value") is not None and row.get(f"value_{year}") is not None
    if both and source_kind(baseline) != source_kind(value):
        parts.append(
            f"KQ 2020 ({SOURCE_LABELS.get(baseline, baseline)}) và số liệu {year} "
            f"({SOURCE_LABELS.get(value, value)}) lấy từ nguồn khác nhau"
        )
    plan_figure = row.get("plan_baseline_value")
    if (
        plan_figure is not None
        and row.get("baseline_value") is not None
        and baseline != "plan_baseline"
        and abs(float(plan_figure) - float(row["baseline_value"])) > 1e-9
    ):
        parts.append(
            f"KQ 2020 theo {SOURCE_LABELS.get(baseline, baseline)} ({fmt_number(row['baseline_value'])}); "
            f"Kế hoạch ghi {fmt_number(plan_figure)}"
        )
    return parts


def conflict_notes(row: dict) -> list[str]:
    """The review's rule for differing files, on a row whose figures it chose (the marts' count)."""
    count = row.get("conflicting_value_count") or 0
    if not count:
        return []
    return [f"{int(count)} số liệu có giá trị khác nhau giữa các tệp báo cáo: {CONFLICT_RULE_VI}"]


def conflict_legend() -> str:
    """The same rule, once, for the report's general notes."""
    return f"Khi các tệp báo cáo cho cùng một số liệu có giá trị khác nhau: {CONFLICT_RULE_VI}."


def notes(row: dict, review: str, channel: str = "excel") -> str:
    """Ghi chú: why a figure should be read with care, in the officers' words."""
    year = 2030 if review == "tong-ket-2030" else 2025
    parts = []
    baseline_year = row.get("baseline_year")
    if row.get("baseline_value") is not None and baseline_year not in (None, 2020):
        parts.append(f"KQ 2020 lấy theo số liệu năm {int(baseline_year)}")
    for y in sorted({2025, year}):
        if row.get(f"value_{y}_is_approximate") and not row.get(f"value_{y}_is_withheld"):
            parts.append(f"Số liệu {y} là số ước thực hiện")
    parts.extend(coverage_notes(row, year))
    parts.extend(source_notes(row, year))
    if row.get(f"value_{year}") is None and row.get("latest_value") is not None:
        parts.append(f"Số liệu gần nhất: {fmt_number(row['latest_value'])} (năm {int(row['latest_year'])})")
    if row.get("direction") == "annual_reduction" and row.get("aarr_actual") is not None:
        parts.append(f"Tốc độ giảm bình quân thực tế: {fmt_number(float(row['aarr_actual']) * 100, 1)}%/năm")
    warnings = row.get("warning_count") or 0
    if row.get("quality_status") == "warning" or warnings:
        parts.append(f"Có {int(warnings) or 1} cảnh báo về chất lượng số liệu")
    parts.extend(conflict_notes(row))
    if row.get("is_conflicting"):
        where = 'sheet "Căn cứ chỉ tiêu"' if channel == "excel" else "mục Căn cứ chỉ tiêu"
        parts.append(f"Kế hoạch ghi chỉ tiêu ở các chỗ không thống nhất, xem {where}")
    return "; ".join(parts)


def indicator_cells(row: dict, review: str, channel: str = "excel") -> dict[str, str]:
    direction = row.get("direction")
    return {
        "unit": unit_label(row.get("unit")),
        "kq2020": fmt_number(row.get("baseline_value")),
        "kh2025": fmt_target(
            row.get("comparator_2025"), row.get("target_2025"), row.get("target_2025_high"), direction
        ),
        "kh2030": fmt_target(
            row.get("comparator_2030"), row.get("target_2030"), row.get("target_2030_high"), direction
        ),
        "th2025": fmt_number(row.get("value_2025")),
        "th2030": fmt_number(row.get("value_2030")),
        "status": status_label(row.get("status")),
        "progress": progress_label(row.get("progress_2030")),
        "note": notes(row, review, channel),
    }


def build_rows(data: ReviewData, channel: str = "excel") -> list[TableRow]:
    """Section rows per objective group, then the plan items in the plan's numbering."""
    out: list[TableRow] = []
    by_item: dict[tuple, list[dict]] = {}
    for row in data.rows:
        by_item.setdefault((row.get("goal_group"), _item_label(row.get("plan_item"))), []).append(row)

    current_goal = object()
    sequence = 0
    for (goal, item), members in by_item.items():
        if goal != current_goal:
            current_goal = goal
            label = goal_heading(int(goal)) if goal is not None else "Chỉ tiêu khác"
            out.append(TableRow("goal", {"stt": ROMAN.get(goal, ""), "label": label}))
        sequence += 1
        number = _stt(item) or str(sequence)
        if len(members) == 1:
            row = members[0]
            name = row.get("indicator_name_vi") or row["indicator_code"]
            label = f"{item}: {name}" if item else name
            out.append(_indicator_row(row, number, label, data.review, channel))
            continue
        out.append(TableRow("item", {"stt": number, "label": item or f"Chỉ tiêu {number}"}))
        for index, row in enumerate(members, start=1):
            name = row.get("indicator_name_vi") or row["indicator_code"]
            out.append(_indicator_row(row, f"{number}.{index}", name, data.review, channel))
    return out


def _indicator_row(row: dict, stt: str, label: str, review: str, channel: str) -> TableRow:
    cells = {"stt": stt, "label": label, **indicator_cells(row, review, channel)}
    return TableRow(
        "indicator",
        cells,
        status=row.get("status"),
        progress=row.get("progress_2030"),
        indicator_code=row["indicator_code"],
        quotes=list(row.get("source_quotes") or []),
        source=row,
    )


def overview_counts(data: ReviewData) -> dict[str, list[tuple[str, str, int]]]:
    """Counts for the overview: (code, Vietnamese label, count) of judgements and of 2030 outlooks."""
    status = Counter(r.get("status") or "no_data" for r in data.rows)
    result = {"status": [(code, label, status.get(code, 0)) for code, label in STATUS_LABELS.items()]}
    if data.review == "so-ket-2025":
        progress = Counter(r.get("progress_2030") or "insufficient_data" for r in data.rows)
        result["progress"] = [(code, label, progress.get(code, 0)) for code, label in PROGRESS_LABELS.items()]
    return result
