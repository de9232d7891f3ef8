"""Vietnamese number habits parse to exact values; junk raises with a reason code."""

import datetime as dt

import pytest

from ingest.workbook.numbers import NumberParseError, UncachedFormula, parse_number


@pytest.mark.parametrize(
    ("raw", "value", "mark", "comparator"),
    [
        ("9,5", 9.5, None, None),
        ("9.5", 9.5, None, None),
        ("98%", 98.0, "percent", None),
        ("45 %", 45.0, "percent", None),
        ("<2", 2.0, None, "<"),
        ("≥95", 95.0, None, ">="),
        (">= 95", 95.0, None, ">="),
        ("dưới 9,5", 9.5, None, "<"),
        ("12,3‰", 12.3, "per_mille", None),
        ("12%0", 12.0, "per_mille", None),
        ("214.825", 214825.0, None, None),
        ("1.234.567", 1234567.0, None, None),
        ("1.234,5", 1234.5, None, None),
        ("1,234.5", 1234.5, None, None),
        ("0.125", 0.125, None, None),
        ("1 234", 1234.0, None, None),
        ("\u00a012\u00a0", 12.0, None, None),
        (17, 17.0, None, None),
        (0.0, 0.0, None, None),
        ("-3", -3.0, None, None),  # readable: a negative is a data-quality finding, not a parse error
        ("− 1,5", -1.5, None, None),
        (-0.5, -0.5, None, None),
    ],
)
def test_parses(raw, value, mark, comparator):
    parsed = parse_number(raw)
    assert parsed.value == value
    assert parsed.unit_mark == mark
    assert parsed.comparator == comparator


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "–", "…", "x", "KBC"])
def test_not_reported(raw):
    assert parse_number(raw).value is None


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("abc", "unparseable_number"),
        ("9,5,1", "unparseable_number"),
        ("1.2.3", "unparseable_number"),
        ("12 trẻ", "unparseable_number"),
        (dt.datetime(2024, 5, 9), "unparseable_number"),
        (True, "unparseable_number"),
        (UncachedFormula("=SUM(D8:D9)"), "uncached_formula"),
    ],
)
def test_rejects(raw, code):
    with pytest.raises(NumberParseError) as err:
        parse_number(raw)
    assert err.value.code == code
