"""Vietnamese wording and number rendering shared by the Excel and HTML reports.

Officers paste the review tables into Word reports, so every figure in the summary tables is rendered as text
the way a Vietnamese administrative document writes it: decimal comma ("9,5"), thousands dot ("214.825"),
comparators as symbols ("< 9,5", "≥ 97"), yearly-rate targets as "Giảm 2-3%/năm". Keeping the rendering in
one module means the workbook, the HTML and the tests agree on every string.
"""

import math
from datetime import date, datetime

from ingest.reference.labels import SECTOR_VI, UNIT_VI

REVIEWS = ("so-ket-2025", "tong-ket-2030")

REVIEW_YEAR = {"so-ket-2025": 2025, "tong-ket-2030": 2030}

REVIEW_TITLE = {
    "so-ket-2025": "BÁO CÁO SƠ KẾT 5 NĂM THỰC HIỆN CHƯƠNG TRÌNH HÀNH ĐỘNG VÌ TRẺ EM GIAI ĐOẠN 2021-2030",
    "tong-ket-2030": "BÁO CÁO TỔNG KẾT 10 NĂM THỰC HIỆN CHƯƠNG TRÌNH HÀNH ĐỘNG VÌ TRẺ EM GIAI ĐOẠN 2021-2030",
}

REVIEW_PERIOD = {"so-ket-2025": "giai đoạn 2021-2025", "tong-ket-2030": "giai đoạn 2021-2030"}

# Wording of the four objective groups as the plans write them (Điện Biên 333/QĐ-UBND, Tân Yên, Bắc Ninh
# 359/KH-UBND appendix: "Mục tiêu 1: Về phát triển toàn diện trẻ em, ...").
GOAL_NAMES = {
    1: "Về phát triển toàn diện trẻ em, chăm sóc sức khỏe, dinh dưỡng cho trẻ em",
    2: "Về bảo vệ trẻ em",
    3: "Về giáo dục, văn hóa, vui chơi, giải trí cho trẻ em",
    4: "Về sự tham gia của trẻ em vào các vấn đề về trẻ em",
}

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}

STATUS_LABELS = {
    "achieved": "Đạt",
    "not_achieved": "Không đạt",
    "no_data": "Chưa có số liệu",
    "no_target": "Không có chỉ tiêu",
}

PROGRESS_LABELS = {
    "on_track": "Đúng hướng",
    "acceleration_needed": "Cần đẩy nhanh",
    "stagnation_or_regression": "Chậm hoặc đi lùi",
    "target_already_met": "Đã đạt chỉ tiêu",
    "no_2030_target": "Không có chỉ tiêu 2030",
    "insufficient_data": "Chưa đủ số liệu",
}

UNIT_LABELS = UNIT_VI


# Where a review figure comes from (the marts' baseline_source / value_<year>_source), in the officers' words.
SOURCE_LABELS = {
    "reported": "số liệu báo cáo",
    "rollup": "tổng hợp từ cấp dưới",
    "plan_baseline": "số liệu Kế hoạch",
    "reexpressed_from_province": "quy đổi từ tỉnh cũ",
    "reexpressed_from_district": "quy đổi từ huyện cũ",
    "reexpressed_from_commune": "quy đổi từ xã cũ",
    "from_vn2025_province": "lấy theo tỉnh mới",
    "from_vn2025_communes": "tổng hợp từ các xã mới",
}


def source_kind(source: str | None) -> str | None:
    """reported / rollup / plan_baseline, or the 2025 reorganisation bridge a value crossed."""
    if source is None:
        return None
    if source.startswith("reexpressed_from_") or source.startswith("from_vn2025_"):
        return "bridge"
    return source


# marts' eurostat_category, computed from the Eurostat ratio R (target_already_met: R measures nothing then).
EUROSTAT_LABELS = {
    "on_track": "Đúng hướng",
    "moderate": "Tiến bộ vừa phải",
    "insufficient": "Tiến bộ chưa đủ",
    "moving_away": "Đi ngược mục tiêu",
    "target_already_met": "Đã đạt chỉ tiêu",
}

LEVEL_LABELS = {"nation": "Toàn quốc", "province": "Tỉnh", "district": "Huyện", "commune": "Xã"}

SECTOR_LABELS = SECTOR_VI

# Task statuses of marts.mart_task_progress, as the template's drop-down list writes them.
TASK_STATUS_LABELS = {
    "done": "Đã hoàn thành",
    "in_progress": "Đang triển khai",
    "not_started": "Chưa triển khai",
}
TASK_NOT_REPORTED = "Chưa báo cáo"

SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}

COMPARATOR_SYMBOLS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "=": ""}


def is_missing(value) -> bool:
    """None, NaN and pandas' NA all mean 'no figure'; `bool(pd.NA)` raises, so test without truthiness."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NA are not equal to themselves
    except TypeError:
        return True


def default_decimals(value: float) -> int:
    """Two decimals for ordinary figures (99,99 % birth registration), three below 1 (0,005 % abuse)."""
    return 2 if abs(value) >= 1 else 3


def fmt_number(value, decimals: int | None = None) -> str:
    """A figure as a Vietnamese document writes it: "9,5", "214.825", "0,005"; "" for no figure.

    Trailing zeros are dropped (the plans write "100", "98,7", not "100,00") unless `decimals` is fixed.
    """
    if is_missing(value):
        return ""
    number = float(value)
    if math.isinf(number):
        return ""
    fixed = decimals is not None
    places = decimals if fixed else default_decimals(number)
    text = f"{abs(number):,.{places}f}"
    integer, _, fraction = text.partition(".")
    if not fixed:
        fraction = fraction.rstrip("0")
    integer = integer.replace(",", ".")
    sign = "-" if number < 0 and (integer.strip("0.") or fraction.strip("0")) else ""
    return f"{sign}{integer},{fraction}" if fraction else f"{sign}{integer}"


def fmt_target(comparator, value, high=None, direction=None) -> str:
    """A plan target as written in the appendix tables: "< 9,5", "≤ 12,5", "≥ 97", "100", "Giảm 2-3%/năm".

    `annual_reduction` targets (child marriage) are a yearly rate of change, not a level, so they read
    "Giảm x%/năm" rather than a bare number that would be mistaken for a count.
    """
    if is_missing(value):
        return ""
    low = fmt_number(value)
    if direction == "annual_reduction":
        span = f"{low}-{fmt_number(high)}" if not is_missing(high) else low
        return f"Giảm {span}%/năm"
    if not is_missing(high):
        return f"{low}-{fmt_number(high)}"
    symbol = COMPARATOR_SYMBOLS.get(comparator or "=", comparator or "")
    return f"{symbol} {low}" if symbol else low


def fmt_date(value) -> str:
    """dd/mm/yyyy, the date form of Vietnamese administrative documents."""
    if is_missing(value):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime | date):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    return str(value)


def fmt_datetime(value) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, datetime):
        return f"{value.hour:02d}:{value.minute:02d} {fmt_date(value)}"
    return fmt_date(value)


def unit_label(unit) -> str:
    return UNIT_LABELS.get(unit, unit or "")


def status_label(status) -> str:
    return STATUS_LABELS.get(status, "" if is_missing(status) else str(status))


def progress_label(progress) -> str:
    return PROGRESS_LABELS.get(progress, "" if is_missing(progress) else str(progress))


def sector_label(sector) -> str:
    return SECTOR_LABELS.get(sector, "" if is_missing(sector) else str(sector))


def task_status_label(status) -> str:
    return TASK_STATUS_LABELS.get(status, TASK_NOT_REPORTED if is_missing(status) else str(status))


def goal_heading(goal_group: int) -> str:
    return f"Mục tiêu {goal_group}: {GOAL_NAMES.get(goal_group, '')}".rstrip(": ")
