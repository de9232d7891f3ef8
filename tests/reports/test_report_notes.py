"""The review table says exactly what a figure is: coverage, mixed sources, the plan's own baseline,
sub-items with names, and the outlook wording."""

from __future__ import annotations

from reports.data import _attach_item_labels, row_sort_key
from reports.table import notes
from reports.vn import PROGRESS_LABELS, progress_label


def test_partial_coverage_and_mixed_sources_are_in_the_notes():
    """New Bắc Ninh (vn2025:24): its 2025 roll-up covers 47 of 99 communes and is withheld; its 2020
    value is old Bắc Ninh plus an old Bắc Giang that only one district in ten reported for."""
    row = {
        "baseline_year": 2020,
        "baseline_value": 15.18,
        "baseline_source": "reexpressed_from_province",
        "baseline_reporting_units": 9,
        "baseline_expected_units": 18,
        "value_2025": None,
        "value_2025_source": "rollup",
        "value_2025_reporting_units": 47,
        "value_2025_expected_units": 99,
        "value_2025_is_withheld": True,
        "value_2025_is_approximate": True,
        "latest_value": 10.66,
        "latest_year": 2024,
    }
    text = notes(row, "so-ket-2025")
    assert "Số liệu 2025 không công bố: chỉ 47/99 đơn vị báo cáo, dưới ngưỡng công bố" in text
    assert "KQ 2020: 9/18 đơn vị báo cáo" in text
    assert "Số liệu gần nhất: 10,66 (năm 2024)" in text
    assert "số ước" not in text  # nothing is published for 2025, so nothing to call an estimate

    published = {**row, "value_2025": 11.3, "value_2025_is_withheld": False}
    text = notes(published, "so-ket-2025")
    assert "Số liệu 2025: 47/99 đơn vị báo cáo" in text
    assert (
        "KQ 2020 (quy đổi từ tỉnh cũ) và số liệu 2025 (tổng hợp từ cấp dưới) lấy từ nguồn khác nhau" in text
    )

    complete = {**published, "value_2025_reporting_units": 99, "baseline_reporting_units": 18}
    assert "đơn vị báo cáo" not in notes(complete, "so-ket-2025")


def test_a_baseline_other_than_the_plans_figure_says_so():
    """Điện Biên infant mortality: the plan writes 31,0 for 2020, the agencies reported 25."""
    row = {
        "baseline_year": 2020,
        "baseline_value": 25.0,
        "baseline_source": "reported",
        "plan_baseline_value": 31.0,
    }
    assert "KQ 2020 theo số liệu báo cáo (25); Kế hoạch ghi 31" in notes(row, "so-ket-2025")
    same = {**row, "baseline_value": 31.0}
    assert "Kế hoạch ghi" not in notes(same, "so-ket-2025")
    from_plan = {**row, "baseline_source": "plan_baseline", "baseline_value": 31.0}
    assert "Kế hoạch ghi" not in notes(from_plan, "so-ket-2025")


def test_sub_items_are_numbered_and_ordered_naturally():
    rows = [
        {"goal_group": 3, "plan_item": "Chỉ tiêu 10", "indicator_code": "CHILD_LABOUR"},
        {"goal_group": 1, "plan_item": "Chỉ tiêu 8", "indicator_code": "U5_OVERWEIGHT_URBAN"},
        {"goal_group": 1, "plan_item": "Chỉ tiêu 8", "indicator_code": "U5_OVERWEIGHT_RURAL"},
        {"goal_group": 1, "plan_item": "Chỉ tiêu 2", "indicator_code": "ECD_SERVICES_U8"},
    ]
    _attach_item_labels(rows)
    labels = {r["indicator_code"]: r["item_label"] for r in rows}
    assert labels == {
        "CHILD_LABOUR": "Chỉ tiêu 10",
        "U5_OVERWEIGHT_RURAL": "Chỉ tiêu 8.1",
        "U5_OVERWEIGHT_URBAN": "Chỉ tiêu 8.2",
        "ECD_SERVICES_U8": "Chỉ tiêu 2",
    }
    ordered = [r["plan_item"] for r in sorted(rows, key=row_sort_key) if r["goal_group"] == 1]
    assert ordered[0] == "Chỉ tiêu 2"


def test_no_2030_target_is_not_insufficient_data():
    assert progress_label("no_2030_target") == "Không có chỉ tiêu 2030"
    assert progress_label("insufficient_data") == "Chưa đủ số liệu"
    assert len(set(PROGRESS_LABELS.values())) == len(PROGRESS_LABELS)
