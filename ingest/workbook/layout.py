"""Find the data sheet, its header rows and what each column means, however the sheet was edited.

Agencies rename sheets, add or merge title rows above the header, unmerge headers, and move columns. So
nothing is found by position: the header row is the row (within the first `SCAN_ROWS`) holding the most
"Tử số / Mẫu số / Giá trị" labels; the row above it holds the indicator names (forward-filled across merged
or unmerged groups); the label columns (STT, Mã địa bàn, Tên địa bàn) are found by their words in either
row. An indicator group is matched to an indicator code by the header text the template wrote (kept in the
hidden identity sheet), else by the catalog's Vietnamese name. Every sheet with such a header is a
candidate (`find_layouts`); parse.py decides which one holds the data and accounts for the others.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.workbook.identity import IDENTITY_SHEET, fold
from ingest.workbook.reader import SheetCells

SCAN_ROWS = 40
DATA_SHEET = "Số liệu"
INSTRUCTIONS_SHEET = "Hướng dẫn"

ROLE_LABELS: dict[str, tuple[str, ...]] = {
    "numerator": ("tu so",),
    "denominator": ("mau so",),
    "value": ("gia tri", "ty le", "ty suat", "ket qua", "so luong", "so lieu", "so vu", "so ca"),
}
STT_LABELS = ("stt", "tt", "so tt", "so thu tu")
CODE_LABELS = ("ma dia ban", "ma don vi", "ma dvhc", "ma xa", "ma huyen", "ma")
NAME_LABELS = ("ten dia ban", "dia ban", "ten don vi", "don vi", "ten xa", "ten huyen", "xa", "huyen")


def role_of(text: object) -> str | None:
    """The measure role a header cell names, or None. Called for every cell of a sheet's first rows: a
    number names no role, and a text's answer is cached (templates repeat the same few labels)."""
    if isinstance(text, int | float):
        return None
    if type(text) is str:
        return _role_of_text(text)
    return _role_of_key(fold(text).rstrip(":. "))


@lru_cache(maxsize=8192)
def _role_of_text(text: str) -> str | None:
    return _role_of_key(fold(text).rstrip(":. "))


@lru_cache(maxsize=4096)
def _role_of_key(key: str) -> str | None:
    for role, labels in ROLE_LABELS.items():
        if any(
            key == label or key.startswith(label + " ") or key.startswith(label + "(") for label in labels
        ):
            return role
    return None


def _label_kind(text: object) -> str | None:
    key = fold(text).rstrip(":. ")
    if key in STT_LABELS:
        return "stt"
    if key in CODE_LABELS or key.startswith("ma dia ban"):
        return "code"
    if key in NAME_LABELS or key.startswith(("ten dia ban", "ten don vi", "xa, phuong", "xa/phuong")):
        return "name"
    return None


@dataclass
class MeasureColumn:
    col: int
    role: str  # numerator | denominator | value
    indicator_code: str | None
    header_text: str


@dataclass
class Layout:
    sheet: SheetCells
    group_row: int
    header_row: int
    stt_col: int | None
    code_col: int | None
    name_col: int | None
    measures: dict[int, MeasureColumn] = field(default_factory=dict)
    unmatched_headers: list[str] = field(default_factory=list)

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @property
    def label_cols(self) -> set[int]:
        return {c for c in (self.stt_col, self.code_col, self.name_col) if c is not None}

    def indicator_columns(self) -> dict[str, dict[str, int]]:
        """indicator_code -> {role: col} for matched groups."""
        out: dict[str, dict[str, int]] = {}
        for m in self.measures.values():
            if m.indicator_code:
                out.setdefault(m.indicator_code, {})[m.role] = m.col
        return out


def _match_indicator(
    header: str, header_codes: dict[str, str], names: dict[str, str], taken: set[str]
) -> str | None:
    key = fold(header)
    if not key:
        return None
    if key in header_codes:
        return header_codes[key]
    best, best_score = None, 0.0
    for code, name in names.items():
        if code in taken and header_codes:
            continue
        target = fold(name)
        if target and (target == key or key.startswith(target) or target in key):
            score = 1.0 + len(target) / 1000
        else:
            score = difflib.SequenceMatcher(None, key, target).ratio()
        if score > best_score:
            best, best_score = code, score
    return best if best_score >= 0.85 else None


def find_header(sheet: SheetCells, header_codes: dict[str, str], names: dict[str, str]) -> Layout | None:
    """The header of one sheet, or None if no row carries Tử số/Mẫu số/Giá trị labels."""
    rows = sheet.rows()
    best_row, best_count = None, 0
    for r in sorted(rows):
        if r >= SCAN_ROWS:
            break
        count = sum(1 for v in rows[r].values() if type(v) is not float and role_of(v))
        if count > best_count:
            best_row, best_count = r, count
    if best_row is None:
        return None
    header = rows[best_row]
    group_row = max((r for r in rows if r < best_row), default=best_row)
    group = rows.get(group_row, {}) if group_row != best_row else {}
    labels: dict[str, int] = {}
    for source in (group, header):
        for c, v in sorted(source.items()):
            kind = _label_kind(v)
            if kind and kind not in labels:
                labels[kind] = c
    layout = Layout(sheet, group_row, best_row, labels.get("stt"), labels.get("code"), labels.get("name"))
    measure_cols = sorted(c for c, v in header.items() if role_of(v))
    current_text, taken = "", set()
    group_code: dict[str, str | None] = {}
    for c in range(min(measure_cols), max(measure_cols) + 1):
        text = group.get(c)
        if isinstance(text, str) and text.strip() and not _label_kind(text):
            current_text = text.strip()
        if c not in measure_cols:
            continue
        if current_text not in group_code:
            code = _match_indicator(current_text, header_codes, names, taken)
            group_code[current_text] = code
            if code:
                taken.add(code)
            else:
                layout.unmatched_headers.append(current_text)
        layout.measures[c] = MeasureColumn(
            c, role_of(header[c]) or "value", group_code[current_text], current_text
        )
    return layout


def find_layouts(
    sheets: dict[str, SheetCells],
    header_codes: dict[str, str],
    names: dict[str, str],
    exclude: set[str] | None = None,
) -> list[Layout]:
    """Every sheet in the template's layout, best first: most matched measure columns, then the sheet
    named 'Số liệu', then visible before hidden, then workbook order.

    `exclude` names sheets known to be something else (the task sheet, whose "Kết quả thực hiện" header
    would otherwise read as a value column).
    """
    candidates: list[tuple[tuple[int, int, int, int], Layout]] = []
    for i, (name, sheet) in enumerate(sheets.items()):
        if name == IDENTITY_SHEET or fold(name) == fold(INSTRUCTIONS_SHEET) or name in (exclude or ()):
            continue
        layout = find_header(sheet, header_codes, names)
        if layout is None:
            continue
        matched = sum(1 for m in layout.measures.values() if m.indicator_code)
        is_named = int(fold(name) == fold(DATA_SHEET))
        candidates.append(((-matched, -is_named, -int(sheet.visible), i), layout))
    candidates.sort(key=lambda item: item[0])
    return [layout for _, layout in candidates]


def find_layout(
    sheets: dict[str, SheetCells],
    header_codes: dict[str, str],
    names: dict[str, str],
    exclude: set[str] | None = None,
) -> Layout | None:
    """The best sheet in the template's layout (see `find_layouts`), or None."""
    layouts = find_layouts(sheets, header_codes, names, exclude)
    return layouts[0] if layouts else None
