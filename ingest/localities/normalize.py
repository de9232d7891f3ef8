"""Folding Vietnamese unit names into comparable keys, and splitting off their type prefix.

Agency sheets write the same unit many ways: with or without diacritics, "Xã"/"X."/"xa", "TP."/"Thành phố",
"P1"/"Phường 01", odd spacing and case. Everything is folded to lowercase ASCII words (đ→d, tone marks
removed, punctuation → space, letters split from digits, leading zeros dropped) so that old and new tone
placement ("Hoà"/"Hòa") also compare equal. The type prefix is parsed separately because it carries meaning:
it decides between "Thị trấn Mường Chà" and "Huyện Mường Chà".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Unit types as parsed from prefixes, and the levels each may denote. "Thành phố" is a province
# (centrally-run city) or a district-level city; all the others denote one level.
TYPE_LEVELS: dict[str, frozenset[str]] = {
    "tinh": frozenset({"province"}),
    "thanh_pho": frozenset({"province", "district"}),
    "huyen": frozenset({"district"}),
    "quan": frozenset({"district"}),
    "thi_xa": frozenset({"district"}),
    "xa": frozenset({"commune"}),
    "phuong": frozenset({"commune"}),
    "thi_tran": frozenset({"commune"}),
    "dac_khu": frozenset({"commune"}),
}

# Folded prefix words → type, longest first. Abbreviations ("tp", "h", "x", ...) are accepted in input only;
# official names always use the full words (OFFICIAL_PREFIXES).
OFFICIAL_PREFIXES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("thanh", "pho"), "thanh_pho"),
    (("thi", "xa"), "thi_xa"),
    (("thi", "tran"), "thi_tran"),
    (("dac", "khu"), "dac_khu"),
    (("tinh",), "tinh"),
    (("huyen",), "huyen"),
    (("quan",), "quan"),
    (("xa",), "xa"),
    (("phuong",), "phuong"),
)
INPUT_PREFIXES: tuple[tuple[tuple[str, ...], str], ...] = OFFICIAL_PREFIXES + (
    (("tp",), "thanh_pho"),
    (("tx",), "thi_xa"),
    (("tt",), "thi_tran"),
    (("dk",), "dac_khu"),
    (("t",), "tinh"),
    (("h",), "huyen"),
    (("q",), "quan"),
    (("x",), "xa"),
    (("p",), "phuong"),
)

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_LEADING_ZEROS = re.compile(r"\b0+(?=[0-9])")


def fold_text(text: object) -> str:
    """The one text fold of treem: lowercase ASCII, single spaces, punctuation kept: 'Tử số ' -> 'tu so'.

    Header labels, sheet names, status words and sector words are compared on it (their punctuation can
    matter: "Tổng cộng:"); numbers are returned as written. `fold` builds the locality-name key on it.
    """
    return _fold_text(str(text or "")) if not isinstance(text, float | int) else str(text)


@lru_cache(maxsize=65536)
def _fold_text(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).replace("đ", "d").replace("Đ", "D")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " ".join(stripped.split())


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Locality-name key, `fold_text` in words: 'X. Liên  Chung' → 'x lien chung', 'P01' → 'p 1',
    'Hoà' == 'Hòa' (punctuation → space, letters split from digits, leading zeros dropped)."""
    spaced = _LETTER_DIGIT.sub(" ", _NON_ALNUM.sub(" ", _fold_text(text)))
    return _LEADING_ZEROS.sub("", " ".join(spaced.split()))


def _split(words: list[str], prefixes: tuple[tuple[tuple[str, ...], str], ...]) -> tuple[str | None, str]:
    for prefix, unit_type in prefixes:
        n = len(prefix)
        if len(words) > n and tuple(words[:n]) == prefix:
            return unit_type, " ".join(words[n:])
    return None, " ".join(words)


def split_official(name: str) -> tuple[str | None, str]:
    """(type, folded bare name) of an official name: 'Xã Xa Dung' → ('xa', 'xa dung')."""
    return _split(fold(name).split(), OFFICIAL_PREFIXES)


@lru_cache(maxsize=65536)
def interpretations(text: str) -> tuple[tuple[str | None, str], ...]:
    """Readings of a written name, most specific first: with its prefix split off, then taken literally.

    Both are kept because a bare name can begin with a prefix word (xã "Xa Dung" written without "Xã").
    """
    words = fold(text).split()
    if not words:
        return ()
    unit_type, bare = _split(words, INPUT_PREFIXES)
    literal = (None, " ".join(words))
    return ((unit_type, bare), literal) if unit_type else (literal,)


TOTAL_LABELS = frozenset(
    {
        "tong",
        "tong cong",
        "tong so",
        "cong",
        "toan tinh",
        "toan huyen",
        "toan thanh pho",
        "toan thi xa",
        "toan xa",
        "toan quoc",
        "ca nuoc",
        "tong cong toan tinh",
        "tong cong toan huyen",
        "tong so toan tinh",
        "tong so toan huyen",
    }
)


def is_total_label(text: object) -> bool:
    """True for a totals row label ('Tổng cộng', 'TOAN TINH:', 'Cộng') — a figure to check, not a locality."""
    if not isinstance(text, str):
        return False
    return fold(text) in TOTAL_LABELS
