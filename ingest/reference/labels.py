"""The labels and dates every part of treem shares: one home each, imported everywhere else.

Why one module: the same sector name, unit word or switch date typed in three modules drifts (three words
for "count", the 1/7/2025 switch in three places). Workbook templates, header matching, the DQ pages and the
review reports all read these, so an agency sees the same words on every page and a reader's header typed
from a template still matches.
"""

from __future__ import annotations

import datetime as dt

# The administrative reorganisation (Nghị quyết 202/2025/QH15, 76/2025/UBTVQH15): vn2008 units (province,
# district, commune) until 30/6/2025, vn2025 units (province, commune) from 1/7/2025.
REORGANISATION_DATE = dt.date(2025, 7, 1)
VN2008_LAST_DAY = REORGANISATION_DATE - dt.timedelta(days=1)

# The programme's reporting years: the plans run 2021-2030, with 2020 as the baseline year. The Dagster year
# partitions and the landed reporting units and expected agencies (raw.reporting_units, raw.expected_agencies)
# cover exactly these.
PROGRAMME_YEARS = range(2020, 2031)

# The unit of an indicator as a reader writes it after a name: template headers "... (‰)", DQ pages, reports.
# Header matching of returned workbooks depends on these words: change them only with the templates.
UNIT_VI: dict[str, str] = {
    "percent": "%",
    "per_1000_live_births": "‰",
    "per_100000_children": "/100.000 trẻ em",
    "count": "số lượng",
}

# Sector codes -> the Vietnamese name of the sector (ngành).
SECTOR_VI: dict[str, str] = {
    "health": "Y tế",
    "education": "Giáo dục và Đào tạo",
    "justice": "Tư pháp",
    "police": "Công an",
    "social_affairs": "Lao động - Thương binh và Xã hội",
    "labour": "Lao động - Thương binh và Xã hội",
    "culture": "Văn hóa, Thể thao và Du lịch",
    "information": "Thông tin và Truyền thông",
    "planning_investment": "Kế hoạch và Đầu tư",
    "finance": "Tài chính",
    "home_affairs": "Nội vụ",
    "ethnic_affairs": "Dân tộc",
    "agriculture": "Nông nghiệp và Phát triển nông thôn",
    "natural_resources": "Tài nguyên và Môi trường",
    # sectors that lead tasks (ingest/reference/tasks.py) without leading an indicator
    "planning": "Kế hoạch và Đầu tư",
    "construction": "Xây dựng",
    "transport": "Giao thông vận tải",
    "people_committee": "Ủy ban nhân dân các cấp",
    "mass_organisation": "Mặt trận Tổ quốc và các đoàn thể",
    "party_committee": "Cấp ủy, ban của Đảng",
    "all_agencies": "Các sở, ban, ngành (nhiệm vụ chung)",
}


# The review's rule when current files give different figures for one value (the data-quality finding
# `conflicting_submissions`; the rule itself is int_indicator_values_flagged.is_preferred in dbt). The review
# reports state it in their general notes and on every row whose figures were chosen by it.
CONFLICT_RULE_VI = (
    "dùng số liệu trong tệp của kế hoạch có địa bàn là chính địa bàn đó (ví dụ kế hoạch của tỉnh cho tỉnh, "
    "trước tệp gửi theo kế hoạch quốc gia), sau đó đến tệp nhận sau cùng"
)


def unit_vi(unit: object) -> str:
    """The unit word of `unit`, the code itself when unknown, and a plain phrase when missing."""
    return UNIT_VI.get(unit, unit) if isinstance(unit, str) and unit else "không rõ đơn vị"
