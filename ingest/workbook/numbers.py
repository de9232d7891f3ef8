"""Parse numbers the way Vietnamese agencies type them into spreadsheets.

Agencies type "9,5" (decimal comma), "214.825" (thousands dot), "98%", "‰" or "%0" for per-mille, "<2" or
"≥95" for a bound, and "-" or nothing for "not reported" (domain-notes §6). Excel stores most of these as
text, so every cell value goes through `parse_number`, which either returns the number with what was
written around it, returns "not reported", or raises `NumberParseError` with a reason code.

Ambiguity rule for a single separator: a comma is a decimal comma (Vietnamese habit); a single dot followed
by exactly three digits is a thousands dot ("214.825" = 214825) unless the integer part is 0 ("0.125");
any other single dot is a decimal point ("9.5", typed on an English keyboard). Several dots (or commas) are
thousands groups. When both appear, the last one is the decimal separator ("1.234,5" and "1,234.5").

The door reads, the warehouse judges: a negative number ("-3") is a readable number and is returned as
such; whether it is plausible is a data-quality check (`expectations/`), not a parse error.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

NOT_REPORTED = frozenset({"", "-", "--", "–", "—", ".", "..", "...", "…", "x", "n/a", "na", "kbc", "không"})

_COMPARATORS = [
    ("<=", "<="),
    ("≤", "<="),
    (">=", ">="),
    ("≥", ">="),
    ("<", "<"),
    (">", ">"),
    ("dưới", "<"),
    ("trên", ">"),
]
_PER_MILLE_SUFFIXES = ("‰", "%0", "%o")
_NUMBER = re.compile(r"^\d[\d.,]*$")
_THOUSANDS_GROUPS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


class NumberParseError(ValueError):
    """A cell that holds something that is not a number; `code` is a reasons.py code."""

    def __init__(self, code: str, raw: object):
        super().__init__(f"{code}: {raw!r}")
        self.code = code
        self.raw = raw


@dataclass(frozen=True)
class UncachedFormula:
    """A formula cell whose result Excel never stored (e.g. written by a tool, never opened in Excel):
    its number is unknown, so it is quarantined `uncached_formula`, never dropped."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ParsedNumber:
    value: float | None  # None: the agency marked the cell as not reported
    unit_mark: str | None = None  # 'percent' or 'per_mille' when written in the cell
    comparator: str | None = None  # '<', '<=', '>', '>=' when the agency wrote a bound

    @property
    def reported(self) -> bool:
        return self.value is not None


def number_text(number: float | int) -> str:
    """A number cell as text for lineage: integers without '.0' (`raw_text` of a number, without its other
    type tests: the parse calls it for every plain value)."""
    return str(int(number)) if isinstance(number, float) and number.is_integer() else str(number)


def raw_text(value: object) -> str:
    """The cell as text for lineage (`raw_value`): integers without '.0', text as typed."""
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _to_float(digits: str, raw: object) -> float:
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:
        decimal = "." if digits.rfind(".") > digits.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        if digits.count(decimal) > 1:
            raise NumberParseError("unparseable_number", raw)
        digits = digits.replace(thousands, "").replace(decimal, ".")
    elif dots > 1 or commas > 1:
        if not _THOUSANDS_GROUPS.match(digits):
            raise NumberParseError("unparseable_number", raw)
        digits = digits.replace(".", "").replace(",", "")
    elif commas == 1:
        digits = digits.replace(",", ".")
    elif dots == 1:
        whole, frac = digits.split(".")
        if len(frac) == 3 and whole.lstrip("0") != "":
            digits = whole + frac
    if digits.endswith(".") or digits.startswith("."):
        raise NumberParseError("unparseable_number", raw)
    return float(digits)


def parse_number(value: object) -> ParsedNumber:
    """Parse one cell value; raise NumberParseError for anything that is not a number."""
    if value is None:
        return ParsedNumber(None)
    if isinstance(value, UncachedFormula):
        raise NumberParseError("uncached_formula", value)
    if isinstance(value, bool | dt.datetime | dt.date | dt.time | dt.timedelta):
        # A date usually means Excel turned "9.5" or "9/5" into a date: the number is lost.
        raise NumberParseError("unparseable_number", value)
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberParseError("unparseable_number", value)
        return ParsedNumber(float(value))
    text = unicodedata.normalize("NFC", str(value)).replace("\u00a0", " ").replace("\u202f", " ")
    text = text.strip().lower()
    if text in NOT_REPORTED:
        return ParsedNumber(None)
    comparator = None
    for prefix, comp in _COMPARATORS:
        if text.startswith(prefix):
            comparator, text = comp, text[len(prefix) :].strip()
            break
    unit_mark = None
    for suffix in _PER_MILLE_SUFFIXES:
        if text.endswith(suffix):
            unit_mark, text = "per_mille", text[: -len(suffix)].strip()
            break
    else:
        if text.endswith("%"):
            unit_mark, text = "percent", text[:-1].strip()
    negative = text.startswith(("-", "−"))
    if negative:
        text = text[1:].strip()
    text = re.sub(r"(?<=\d) (?=\d{3}\b)", "", text)  # "1 234" -> "1234"
    if text.startswith("+"):
        text = text[1:]
    if not _NUMBER.match(text):
        raise NumberParseError("unparseable_number", value)
    number = _to_float(text, value)
    return ParsedNumber(-number if negative else number, unit_mark, comparator)
