"""Vietnamese rendering of figures and targets, the strings officers retype into Word."""

import math

import pytest

from reports.vn import fmt_date, fmt_number, fmt_target


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (9.5, "9,5"),
        (214825, "214.825"),
        (0.005, "0,005"),
        (99.99, "99,99"),
        (100.0, "100"),
        (98.70, "98,7"),
        (-1.25, "-1,25"),
        (None, ""),
        (math.nan, ""),
    ],
)
def test_fmt_number(value, expected):
    assert fmt_number(value) == expected


def test_fmt_number_fixed_decimals():
    assert fmt_number(60, 1) == "60,0"
    assert fmt_number(1234.5, 0) == "1.234"  # banker's rounding of .5 is fine for counts that are integers


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("<", 9.5, None, "decrease"), "< 9,5"),
        (("<=", 12.5, None, "decrease"), "≤ 12,5"),
        ((">=", 97, None, "increase"), "≥ 97"),
        (("=", 100, None, "increase"), "100"),
        ((">=", 2, 3, "annual_reduction"), "Giảm 2-3%/năm"),
        ((None, None, None, "increase"), ""),
    ],
)
def test_fmt_target(args, expected):
    assert fmt_target(*args) == expected


def test_fmt_date():
    from datetime import date

    assert fmt_date(date(2021, 3, 15)) == "15/03/2021"
    assert fmt_date(None) == ""
