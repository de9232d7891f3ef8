"""Turn one workbook's data sheet into value rows and quarantine rows, accounting for every cell.

Accounting (exact, asserted): the cells counted are the non-empty cells of the data rows, i.e. every row
below the header row of the data sheet. Each such cell is exactly one of
- `label`: STT / Mã địa bàn / Tên địa bàn of a row whose locality (or totals label) was understood;
- `loaded`: a Tử số / Mẫu số / Giá trị cell that went into a `raw.indicator_values` row;
- `not_reported`: a "-" (or similar) the agency typed for "no data";
- `quarantined`: one `audit.quarantine` row per cell, with a reason code.
So `cells_read = label + loaded + not_reported + quarantined`. The text of title rows and header rows,
and the hidden identity sheet, are not data and are not counted (a number in a title or header row is). A
value row combines up to three cells, so `values_loaded` (rows) ≤ `cells_loaded`. The task sheet ("Nhiệm
vụ", task_sheet.py) is counted the same way and its counts are added in, so one file has one accounting
whatever sheets it has.

A plan with tasks but no numeric targets (Lai Châu 2020, Kon Tum 2024) sends a workbook with the task sheet
only; a sector that leads indicators must still send its data sheet (else `no_header`), and a file that
has lost its task sheet still loads its values (older templates have none).

Every sheet is accounted for (README, multi-sheet rules): among the sheets with the template's header, the
one holding data is loaded whatever its name; copies without data count their rows as labels; identical
copies count as labels too (with a note); two data sheets that differ reject the file (`conflicting_sheets`,
naming them). Any other sheet's non-empty cells are quarantined `outside_data_area`. The instructions
sheet is counted: its text and the catalog factors the template prints beside each indicator are labels,
any other figure on it is quarantined `outside_data_area`. Not counted: the hidden identity sheet and the
text of the title and header rows — a number typed in those rows is quarantined `outside_data_area`.

The door reads, the warehouse judges: a readable number of a known indicator, locality and year is loaded
with its numerator and denominator even when numerator > denominator, the denominator is 0 (value left
empty unless typed), the typed value disagrees with the ratio, a percentage exceeds 100 or a number is
negative — those are data-quality findings (`expectations/config.yaml`). Quarantined here is only what
cannot be read as such a number: text that is no number, a unit written or formatted against the column's
unit, a bound in a numerator/denominator cell, an uncached formula, a rate with neither value nor both
parts, an unknown locality or column, a repeated locality row, a second totals row that differs.

Number formats are part of the value (`package.py` reads them): a `%`-formatted number cell in a percent
column holds the fraction Excel stores (98,5% is 0.985) and is loaded ×100; a `%` (or `‰`) format in any
column of another unit is quarantined `format_unit_mismatch`. A bound (`<2`, `≥95`, `dưới 1`) keeps its
number in `value` and its sign in `value_qualifier`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from math import isfinite
from pathlib import Path

from ingest.localities import LocalityResolutionError, is_total_label
from ingest.workbook.context import Reference, reporting_date
from ingest.workbook.identity import IDENTITY_SHEET, Identity, fold, header_codes, identify
from ingest.workbook.layout import DATA_SHEET as DATA_SHEET_NAME
from ingest.workbook.layout import INSTRUCTIONS_SHEET, Layout, find_layouts
from ingest.workbook.numbers import NumberParseError, ParsedNumber, number_text, parse_number, raw_text
from ingest.workbook.reader import SheetCells, cell_ref, column_letter, read_workbook
from ingest.workbook.reasons import reason_vi
from ingest.workbook.safety import DEFAULT_LIMITS, Limits, Package, UnsafeFileError, as_package
from ingest.workbook.task_sheet import TaskLayout, TaskParse, find_task_layout, parse_task_sheet

UNIT_MARKS = {"percent": "percent", "per_1000_live_births": "per_mille"}


class AccountingError(RuntimeError):
    """The cells of a file do not add up: a bug in the door, never a property of the file. Raised (not
    asserted) so that it survives `python -O` and fails the file's load instead of landing wrong counts."""


class RejectedFile(Exception):
    """The whole file cannot be loaded; `code` is a reasons.py code."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


VALUE_COLUMNS = (
    "indicator_code",
    "locality_id",
    "value",
    "value_qualifier",
    "numerator",
    "denominator",
    "is_total_row",
    "sheet",
    "cell",
    "raw_value",
)


class ValueRows:
    """A parse's value rows, kept as one tuple per row in `VALUE_COLUMNS` order and read as dicts.

    Why not a list of dicts: a national year is ~240,000 values, and a dict per value (then one look-up
    per column to build the Arrow table) was a quarter of a reading worker's time; a tuple per value,
    transposed once in C (`column`), is not."""

    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict]:
        return (dict(zip(VALUE_COLUMNS, row, strict=True)) for row in self.rows)

    def append(self, row: dict) -> None:
        self.rows.append(tuple(row[name] for name in VALUE_COLUMNS))

    def columns(self) -> dict[str, tuple]:
        """Each column's values, in row order."""
        transposed = list(zip(*self.rows, strict=True)) or [()] * len(VALUE_COLUMNS)
        return dict(zip(VALUE_COLUMNS, transposed, strict=True))


@dataclass
class Parsed:
    identity: Identity
    layout: Layout | None
    values: ValueRows = field(default_factory=ValueRows)
    task_reports: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    rows_read: int = 0
    cells_read: int = 0
    cells_label: int = 0
    cells_loaded: int = 0
    cells_not_reported: int = 0
    notes: list[str] = field(default_factory=list)  # for developers (English)
    notes_vi: list[str] = field(default_factory=list)  # for the agency: in the submission's message

    @property
    def cells_quarantined(self) -> int:
        return len(self.quarantine)

    def add_tasks(self, tasks: TaskParse) -> None:
        """Fold the task sheet's rows and cells into this file's accounting."""
        self.task_reports.extend(tasks.reports)
        self.quarantine.extend(tasks.quarantine)
        self.rows_read += tasks.rows_read
        self.cells_read += tasks.cells_read
        self.cells_label += tasks.cells_label
        self.cells_loaded += tasks.cells_loaded
        self.cells_not_reported += tasks.cells_not_reported

    def check(self) -> None:
        total = self.cells_label + self.cells_loaded + self.cells_not_reported + self.cells_quarantined
        if self.cells_read != total:
            raise AccountingError(f"cells read {self.cells_read} != {total} accounted for")
        if len(self.values) + len(self.task_reports) > self.cells_loaded:
            raise AccountingError(f"{len(self.values)} values from {self.cells_loaded} loaded cells")

    def add_sheet(self, other: Parsed, loaded_as_label: bool = False) -> None:
        """Fold another data-layout sheet's accounting in: a copy without data, or an identical copy whose
        numbers are already loaded from the chosen sheet (its number cells then count as labels)."""
        self.quarantine.extend(other.quarantine)
        self.notes_vi.extend(other.notes_vi)
        self.rows_read += other.rows_read
        self.cells_read += other.cells_read
        self.cells_label += other.cells_label
        if loaded_as_label:
            self.cells_label += other.cells_loaded + other.cells_not_reported
        else:
            self.cells_loaded += other.cells_loaded
            self.cells_not_reported += other.cells_not_reported


class _SheetParser:
    def __init__(self, ref: Reference, identity: Identity, layout: Layout):
        self.ref, self.identity, self.layout = ref, identity, layout
        self.sheet: SheetCells = layout.sheet
        self.territory = identity.territory_id or ref.territory(identity.plan_id)
        self.on_date = reporting_date(identity.year)
        self.out = Parsed(identity, layout)
        self.seen: dict[str, int] = {}
        self.total_row: tuple[int, dict[int, str]] | None = None  # first totals row: (row, measure texts)
        self.formulas_loaded = 0
        # The layout's column sets, computed once per sheet, not once per row.
        self.label_cols = layout.label_cols
        self.label_order = sorted(self.label_cols)
        self.known_cols = self.label_cols | set(layout.measures)  # a cell elsewhere is outside the data
        self.unknown_cols = {c for c, m in layout.measures.items() if m.indicator_code is None}
        self.row_label_cols = (layout.stt_col, layout.name_col, layout.code_col)
        self.indicator_cols = layout.indicator_columns()
        # (code, numerator col, denominator col, value col, roles) per indicator: the plain-row path's input
        # (unit, factor) per indicator of the sheet: looked up once, not per value
        self.unit_factor = {
            c: _memo(ref, ("parse.unit_factor", c), lambda c=c: _unit_factor(ref.indicators.loc[c]))
            for c in self.indicator_cols
        }
        # per indicator: (code, numerator col, denominator col, value col, roles, factor, the letters of
        # the value and numerator columns): the plain-row path's input, computed once per sheet
        self.triples = [
            (
                code,
                roles.get("numerator"),
                roles.get("denominator"),
                roles.get("value"),
                roles,
                self.unit_factor[code][1],
                None if roles.get("value") is None else column_letter(roles["value"]),
                None if roles.get("numerator") is None else column_letter(roles["numerator"]),
            )
            for code, roles in self.indicator_cols.items()
        ]

    # -- helpers -------------------------------------------------------------------------------------
    def quarantine(self, row: int, col: int, value: object, code: str, message: str | None = None) -> None:
        self.out.quarantine.append(
            {
                "sheet": self.sheet.name,
                "cell": cell_ref(row, col),
                "raw_value": raw_text(value),
                "reason_code": code,
                "reason_vi": message or reason_vi(code),
            }
        )

    def resolve(self, cells: dict[int, object]) -> tuple[str | None, bool, str | None]:
        """(locality_id, is_total_row, error message) for one data row.

        Memoised by the row's label cells within the territory and date: every sector's file of a territory
        lists the same units, so most rows of a national year are answered without resolving again."""
        stt, name, code = self.row_label_cols
        get = cells.get  # a missing label column is None, which no cell is keyed by
        key = ("parse.row", (get(stt), get(name), get(code)), self.territory, self.on_date)
        found = self.ref._cache.get(key)
        if found is None:
            found = self.ref._cache[key] = self._resolve(cells)
        return found

    def _resolve(self, cells: dict[int, object]) -> tuple[str | None, bool, str | None]:
        lay = self.layout
        labels = {c: cells.get(c) for c in (lay.stt_col, lay.name_col, lay.code_col) if c is not None}
        if any(is_total_label(v) for v in labels.values() if isinstance(v, str)):
            return self.territory, True, None
        found: dict[str, str] = {}
        errors: list[str] = []
        by_code: str | None = None  # the unit the row's code gives, when it gives one
        for col in (lay.code_col, lay.name_col):
            text = cells.get(col) if col is not None else None
            if text is None:
                continue
            text = raw_text(text).strip()
            if by_code is not None and self.ref.resolver.names(text, by_code):
                # the code's unit under its own name (most rows): resolving the name can only agree
                found[str(col)] = by_code
                continue
            # Every sector's file of a territory lists the same units: a name resolved once is reused
            # (only successes are kept; a failure is resolved again, for its message).
            key = ("parse.locality", text, self.territory, self.on_date)
            cached = self.ref._cache.get(key)
            if cached is None:
                try:
                    # beside a code that resolved, a failing name's message is never shown: no suggestions
                    cached = self.ref._cache[key] = self.ref.resolver.resolve(
                        text, self.territory, self.on_date, suggest=by_code is None
                    )
                except LocalityResolutionError as exc:
                    errors.append(exc.message_vi)
                    continue
            found[str(col)] = cached
            if col == lay.code_col:
                by_code = cached
        ids = set(found.values())
        if len(ids) == 1:
            return ids.pop(), False, None
        if len(ids) > 1:
            return None, False, "Mã địa bàn và tên địa bàn không khớp nhau: " + ", ".join(sorted(ids))
        if not errors:
            return None, False, "Dòng không ghi tên hoặc mã địa bàn"
        return None, False, errors[-1]

    # -- rows ----------------------------------------------------------------------------------------
    def parse(self) -> Parsed:
        lay = self.layout
        for r, cells in sorted(self.sheet.rows().items()):
            if r < lay.first_data_row:  # titles and headers are template text; a number there is not
                for c, v in cells.items():
                    if not isinstance(v, str):
                        self.out.cells_read += 1
                        self.quarantine(r, c, v, "outside_data_area")
                continue
            self.out.rows_read += 1
            self.out.cells_read += len(cells)
            self.parse_row(r, cells)
        self.out.check()
        if self.formulas_loaded:
            self.out.notes_vi.append(
                f"{self.formulas_loaded} ô công thức trên trang '{self.sheet.name}': đã ghi nhận giá trị "
                "Excel đã tính"
            )
        return self.out

    def second_total(self, r: int, label_cells: dict[int, object], measure_cells: dict[int, object]) -> bool:
        """True when row r repeats a totals row: identical figures count as labels (a note says so),
        differing figures are quarantined — the door never chooses between two totals."""
        texts = {c: raw_text(v) for c, v in measure_cells.items()}
        if self.total_row is None:
            self.total_row = (r, texts)
            return False
        first, first_texts = self.total_row
        if texts == first_texts:
            self.out.cells_label += len(label_cells) + len(measure_cells)
            self.out.notes_vi.append(f"dòng tổng thứ hai (dòng {r + 1}) giống dòng {first + 1}, không nạp")
            return True
        message = f"{reason_vi('second_total_row')} (dòng {first + 1} đã là dòng tổng)"
        for c, v in {**label_cells, **measure_cells}.items():
            self.quarantine(r, c, v, "second_total_row", message)
        return True

    def parse_row(self, r: int, cells: dict[int, object]) -> None:
        measures = self.layout.measures
        # This runs for every row of every national workbook: the common row (label and measure cells
        # only, a known locality) is told by set operations, and its cells are not sorted into dicts.
        if not cells.keys() <= self.known_cols:
            for c, v in cells.items():
                if c not in self.known_cols:
                    self.quarantine(r, c, v, "outside_data_area")
        label_cells = {c: cells[c] for c in self.label_order if c in cells}
        locality_id, is_total, error = self.resolve(cells)
        if locality_id is None and not label_cells and cells.keys().isdisjoint(measures):
            return
        if is_total and self.second_total(r, label_cells, _only(cells, measures)):
            return
        if locality_id is not None and not is_total:
            if locality_id in self.seen:
                error = f"Địa bàn đã có ở dòng {self.seen[locality_id] + 1}; mỗi địa bàn chỉ ghi một dòng"
                locality_id = None
            else:
                self.seen[locality_id] = r
        if locality_id is None:
            code = "duplicate_row" if error and error.startswith("Địa bàn đã có") else "unknown_locality"
            for c, v in {**label_cells, **_only(cells, measures)}.items():
                self.quarantine(r, c, v, code, f"{reason_vi(code)}: {error}")
            return
        self.out.cells_label += len(label_cells)
        if self.unknown_cols:
            for c, v in cells.items():
                if c in self.unknown_cols:
                    self.quarantine(r, c, v, "unknown_indicator")
        # A sheet without unit formats or formulas (nearly every workbook) takes the plain path for a triple
        # of plain finite numbers: what `parse_triple` would do, without its per-cell bookkeeping.
        plain_sheet = not self.sheet.formats and not self.sheet.formulas
        get, append, sheet, row_no = cells.get, self.out.values.rows.append, self.sheet.name, str(r + 1)
        loaded = 0
        for code, num_col, den_col, val_col, roles, factor, val_letter, num_letter in self.triples:
            num, den, val = get(num_col), get(den_col), get(val_col)
            if plain_sheet and type(num) is float and type(den) is float and num - num == den - den == 0.0:
                # The commonest values: a numerator and a denominator, plain finite floats (x - x is 0.0
                # only for a finite x), with a plain value or none; what `parse_triple` does for them.
                if val is None:
                    raw = number_text(num) + "/" + number_text(den)
                    value = round(num / den * factor, 6) if den else None
                    append(
                        (code, locality_id, value, None, num, den, is_total, sheet, num_letter + row_no, raw)
                    )
                    loaded += 2
                    continue
                if type(val) is float and val - val == 0.0:
                    raw = number_text(val)
                    append(
                        (code, locality_id, val, None, num, den, is_total, sheet, val_letter + row_no, raw)
                    )
                    loaded += 3
                    continue
            if num is None and den is None and val is None:
                continue
            if (
                plain_sheet
                and (val is not None or (num is not None and den is not None))
                and (num is None or (type(num) in _NUMBER and isfinite(num)))
                and (den is None or (type(den) in _NUMBER and isfinite(den)))
                and (val is None or (type(val) in _NUMBER and isfinite(val)))
            ):
                # What `parse_triple` does for plain finite numbers (no format, no formula, no text): the
                # typed value, else the ratio (empty when the denominator is 0), cited at the value cell,
                # else the numerator's; inline, as this runs for every value of every national workbook.
                if val is not None:
                    loaded += 1 + (num is not None) + (den is not None)
                    value, cell = float(val), val_letter + row_no
                    raw = number_text(val)
                else:
                    loaded += 2
                    raw, cell = number_text(num) + "/" + number_text(den), num_letter + row_no
                    value = round(float(num) / float(den) * factor, 6) if den else None
                num = None if num is None else float(num)
                den = None if den is None else float(den)
                append((code, locality_id, value, None, num, den, is_total, sheet, cell, raw))
                continue
            present = {role: (col, cells[col]) for role, col in roles.items() if col in cells}
            self.parse_triple(r, code, present, locality_id, is_total)
        self.out.cells_loaded += loaded

    def read_cell(self, r: int, col: int, value: object, role: str, unit: str) -> ParsedNumber | None:
        """One number cell on the indicator's unit, or None (not reported, or quarantined here). The common
        cell, a plain finite number without a format, never comes here: `parse_triple` reads it inline."""
        try:
            number = parse_number(value)
        except NumberParseError as exc:
            self.quarantine(r, col, value, exc.code)
            return None
        if number.value is None:
            self.out.cells_not_reported += 1
            return None
        expected = UNIT_MARKS.get(unit)
        formatted = self.sheet.formats.get((r, col))
        if formatted and (role != "value" or formatted != expected):
            self.quarantine(r, col, value, "format_unit_mismatch")
            return None
        if number.unit_mark and (role != "value" or number.unit_mark != expected):
            self.quarantine(r, col, value, "unit_mismatch")
            return None
        if number.comparator and role != "value":
            self.quarantine(r, col, value, "unparseable_number")
            return None
        if math.isnan(number.value) or math.isinf(number.value):
            self.quarantine(r, col, value, "unparseable_number")
            return None
        if formatted == "percent":  # Excel stores 98,5% as 0.985
            return ParsedNumber(round(number.value * 100, 10), "percent", number.comparator)
        return number

    def parse_triple(
        self, r: int, code: str, present: dict[str, tuple[int, object]], locality_id: str, is_total: bool
    ) -> None:
        unit, factor = self.unit_factor[code]
        formats = self.sheet.formats
        # role -> (col, cell value, number, comparator)
        parsed: dict[str, tuple[int, object, float, str | None]] = {}
        for role, (col, value) in present.items():
            kind = type(value)
            if (kind is float or kind is int) and (r, col) not in formats and math.isfinite(value):
                parsed[role] = (col, value, float(value), None)  # the common cell: nothing to check
                continue
            number = self.read_cell(r, col, value, role, unit)
            if number is not None:
                parsed[role] = (col, value, number.value, number.comparator)
        if not parsed:
            return
        num = parsed["numerator"][2] if "numerator" in parsed else None
        den = parsed["denominator"][2] if "denominator" in parsed else None
        val = parsed["value"][2] if "value" in parsed else None
        if val is None and (num is None or den is None):
            for col, value, *_ in parsed.values():
                self.quarantine(r, col, value, "incomplete_rate")
            return
        if val is None:  # a zero denominator leaves the value empty: the DQ layer reports it
            val = round(num / den * factor, 6) if den else None
        anchor = parsed.get("value") or parsed.get("numerator") or parsed.get("denominator")
        if self.sheet.formulas:
            self.formulas_loaded += sum(1 for p in parsed.values() if (r, p[0]) in self.sheet.formulas)
        self.out.cells_loaded += len(parsed)
        self.out.values.append(
            {
                "indicator_code": code,
                "locality_id": locality_id,
                "value": None if val is None else float(val),
                "value_qualifier": parsed["value"][3] if "value" in parsed else None,
                "numerator": num,
                "denominator": den,
                "is_total_row": is_total,
                "sheet": self.sheet.name,
                "cell": cell_ref(r, anchor[0]),
                "raw_value": self.raw(r, parsed),
            }
        )

    def raw(self, r: int, parsed: dict[str, tuple]) -> str:
        """What the officer saw: the value cell as typed (a %-formatted number as Excel shows it), else
        'numerator/denominator'."""
        if "value" in parsed:
            return self.shown(r, parsed["value"][0], parsed["value"][1])
        parts = [
            self.shown(r, parsed[k][0], parsed[k][1]) for k in ("numerator", "denominator") if k in parsed
        ]
        return "/".join(parts)

    def shown(self, r: int, col: int, value: object) -> str:
        formats = self.sheet.formats
        if formats and formats.get((r, col)) == "percent" and isinstance(value, int | float):
            return f"{round(value * 100, 10):g}%"
        return raw_text(value)


def _only(cells: dict[int, object], columns: dict[int, object]) -> dict[int, object]:
    """The cells of a row that lie in `columns`, in column order."""
    return {c: v for c, v in cells.items() if c in columns}


_NUMBER = frozenset({float, int})  # a plain number cell's types (not bool: True is not a figure)


def _unit_factor(indicator) -> tuple[str, float]:
    """An indicator's unit and the factor its ratio is expressed in (1 when the catalog gives none)."""
    return indicator["unit"], float(indicator["factor"] or 1)


def _has_data(layout: Layout) -> bool:
    """True when any cell below the header sits in a Tử số / Mẫu số / Giá trị column."""
    measures, first = layout.measures, layout.first_data_row
    return any(any(c in measures for c in row) for r, row in layout.sheet.rows().items() if r >= first)


def _outside(sheet: SheetCells, is_label: Callable[[int, int, object], bool] | None = None) -> Parsed:
    """A sheet that is not in the template's layout: every non-empty cell quarantined, none dropped, except
    the cells `is_label` says are the template's own (counted as labels)."""
    out = Parsed(Identity(), None)
    for (r, c), v in sorted(sheet.cells.items()):
        out.cells_read += 1
        if is_label is not None and is_label(r, c, v):
            out.cells_label += 1
            continue
        out.quarantine.append(
            {
                "sheet": sheet.name,
                "cell": cell_ref(r, c),
                "raw_value": raw_text(v),
                "reason_code": "outside_data_area",
                "reason_vi": f"{reason_vi('outside_data_area')} (trang '{sheet.name}')",
            }
        )
    if out.cells_read:
        out.rows_read = len({r for r, _ in sheet.cells})
    return out


# The indicator table the template writes at the foot of its instructions sheet: name in column A, the
# unit's factor (100, 1000, 100000) in column E (ingest/workbook/template.py `_write_instructions`);
# 0-based, as the reader's coordinates are.
INSTRUCTIONS_NAME_COLUMN, INSTRUCTIONS_FACTOR_COLUMN = 0, 4


@lru_cache(maxsize=4096, typed=True)  # an instructions sheet repeats its template's texts in every file
def _reads_as_number(value: object) -> bool:
    try:
        return parse_number(value).value is not None
    except NumberParseError:
        return False


def _instructions(sheet: SheetCells, factors: dict[str, float]) -> Parsed:
    """The template's own instructions sheet: its text is labels, and so is each catalog factor beside its
    indicator's name; any other figure on it (a number, or text that reads as one) is quarantined, so a
    figure an officer typed there is never dropped silently."""

    def is_label(r: int, c: int, v: object) -> bool:
        if not _reads_as_number(v):
            return True
        name = sheet.cells.get((r, INSTRUCTIONS_NAME_COLUMN))
        return c == INSTRUCTIONS_FACTOR_COLUMN and isinstance(name, str) and factors.get(name.strip()) == v

    return _outside(sheet, is_label)


def _catalog_factors(ref: Reference) -> dict[str, float]:
    """Indicator name (as the template writes it) -> the factor printed beside it on the instructions."""
    table = ref.indicators
    return {
        str(name).strip(): float(factor)
        for name, factor in zip(table["name_vi"], table["factor"], strict=True)
        if factor == factor and factor is not None
    }


def _value_keys(parsed: Parsed) -> set[tuple]:
    keys = ("indicator_code", "locality_id", "value", "value_qualifier", "numerator", "denominator")
    return {tuple(v[k] for k in keys) for v in parsed.values}


def _parse_data_sheets(
    ref: Reference, identity: Identity, layouts: list[Layout], say: Callable[[str], None]
) -> Parsed:
    """Choose the data sheet among the sheets in the template's layout, and account for the others."""
    parses = [(lay, _SheetParser(ref, identity, lay).parse()) for lay in layouts]
    with_data = [(lay, p) for lay, p in parses if _has_data(lay)]
    chosen_layout, chosen = (with_data or parses)[0]
    for lay, p in with_data[1:]:
        if _value_keys(p) != _value_keys(chosen):
            names = ", ".join(f"'{lay.sheet.name}'" for lay, _ in with_data)
            raise RejectedFile("conflicting_sheets", f"sheets {names} hold different figures")
    for lay, p in parses:
        if lay is chosen_layout:
            continue
        chosen.add_sheet(p, loaded_as_label=True)
        if _has_data(lay):
            say(f"trang '{lay.sheet.name}' là bản sao giống hệt trang '{chosen_layout.sheet.name}'")
        else:
            say(f"trang '{lay.sheet.name}' theo mẫu nhưng chưa có số liệu")
    if with_data and fold(chosen_layout.sheet.name) != fold(DATA_SHEET_NAME):
        say(f"số liệu được lấy từ trang '{chosen_layout.sheet.name}'")
    return chosen


def _memo(ref: Reference, key: tuple, compute: Callable[[], object]):
    """What a file needs from the reference, looked up once per plan × sector rather than per file: the
    lookups filter pandas frames, which cost more than parsing a small workbook's cells."""
    cache = ref._cache
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _task_texts(ref: Reference, plan_id: str) -> dict[str, str]:
    plan_tasks = ref.plan_tasks(plan_id)
    return dict(zip(plan_tasks["task_id"], plan_tasks["text_vi"], strict=True))


def parse_workbook(source: Path | Package, ref: Reference, limits: Limits = DEFAULT_LIMITS) -> Parsed:
    """Read, identify, find the layout and parse; raise RejectedFile for whole-file problems (and
    `safety.UnsafeFileError` for a path that fails the safety checks; a `Package` passed them already)."""
    package = as_package(source, limits)
    path = package.path
    try:
        sheets = read_workbook(package, limits)
    except UnsafeFileError:
        raise
    except Exception as exc:  # calamine raises several types for broken packages
        raise RejectedFile("corrupt", f"{type(exc).__name__}: {exc}") from exc
    territory_names = _memo(ref, ("parse.territory_names",), ref.plan_territory_names)
    identity = identify(path, sheets, territory_names, package=package)
    if not identity.complete or identity.plan_id not in ref.plans.index:
        raise RejectedFile("unknown_identity", f"{identity}")
    if not identity.territory_id:
        identity.territory_id = ref.territory(identity.plan_id)
    key = (identity.plan_id, identity.sector)
    codes = _memo(ref, ("parse.codes", *key), lambda: ref.sector_indicators(*key))
    has_tasks = _memo(ref, ("parse.has_tasks", *key), lambda: not ref.sector_tasks(*key).empty)
    if not codes and not has_tasks:
        raise RejectedFile(
            "unknown_identity", f"{identity.plan_id}/{identity.sector}: no indicators and no tasks"
        )
    task_layout: TaskLayout | None = find_task_layout(sheets) if has_tasks else None
    not_data = {IDENTITY_SHEET} | ({task_layout.sheet.name} if task_layout else set())
    layouts = (
        find_layouts(
            sheets,
            header_codes(sheets),
            _memo(ref, ("parse.names", *key), lambda: ref.indicator_names(codes)),
            not_data,
        )
        if codes
        else []
    )
    layouts = [lay for lay in layouts if lay.indicator_columns()]
    notes: list[str] = []
    if codes and not layouts:
        raise RejectedFile("no_header", "no sheet with Tử số/Mẫu số/Giá trị labels matching the indicators")
    if not codes and task_layout is None:
        raise RejectedFile("no_task_sheet", "no sheet with Mã nhiệm vụ / Tình trạng headers")
    parsed = _parse_data_sheets(ref, identity, layouts, notes.append) if layouts else Parsed(identity, None)
    if task_layout is not None:
        texts = _memo(ref, ("parse.task_texts", identity.plan_id), lambda: _task_texts(ref, identity.plan_id))
        parsed.add_tasks(parse_task_sheet(task_layout, texts, int(identity.year)))
    accounted = not_data | {lay.sheet.name for lay in layouts}
    for name, sheet in sheets.items():
        if name in accounted or not sheet.by_row:
            continue
        if fold(name) == fold(INSTRUCTIONS_SHEET):
            factors = _memo(ref, ("parse.factors",), lambda: _catalog_factors(ref))
            guide = _instructions(sheet, factors)
            parsed.add_sheet(guide)
            if guide.quarantine:
                notes.append(f"trang '{name}': {len(guide.quarantine)} ô có số không được ghi nhận")
            continue
        parsed.add_sheet(_outside(sheet))
        notes.append(f"trang '{name}' không theo mẫu: {len(sheet.cells)} ô không được ghi nhận")
    parsed.check()
    parsed.notes.extend(identity.notes)
    parsed.notes_vi.extend(notes)
    if parsed.layout is not None and parsed.layout.unmatched_headers:
        parsed.notes.append("unmatched headers: " + "; ".join(parsed.layout.unmatched_headers))
    return parsed
