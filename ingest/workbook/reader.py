"""Read a workbook's cells with their coordinates, using python-calamine.

calamine is ~7x faster than openpyxl read-only on the same sheets (stack-notes; `readers_bench.py`
re-measures it) and returns cached values, not formulas. Only non-empty cells are kept, keyed by 0-based
(row, column), so later stages can cite every cell as "E12" and account for each one.

calamine knows neither formats nor formulas and reads densely, so `package.scan_package` runs first: it
refuses a sheet too large to read densely, and adds to each sheet the unit formats of its number cells
(`formats`), its formulas with a cached value (`formulas`), and its formulas without one, which calamine
returns as '' and which are kept here as `UncachedFormula` cells so that they are accounted for.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as pc

from ingest.workbook.numbers import UncachedFormula
from ingest.workbook.package import SheetScan, column_letter, readable_zip, scan_package
from ingest.workbook.safety import DEFAULT_LIMITS, Limits, Package, as_package

__all__ = ["SheetCells", "cell_ref", "column_letter", "read_workbook"]


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) -> 'E12'."""
    return f"{column_letter(col)}{row + 1}"


@dataclass
class SheetCells:
    """One sheet's non-empty cells, kept by row (row -> {column: value}, rows and columns in order): every
    stage walks a sheet by rows, and building a second map keyed by (row, column) for each of a national
    year's 9 M cells cost as much as calamine's read. `cells` gives that map, built when first asked."""

    name: str
    visible: bool
    by_row: dict[int, dict[int, object]] = field(default_factory=dict)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # 'percent' | 'per_mille'
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # cached value loaded, noted
    _cells: dict[tuple[int, int], object] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def cells(self) -> dict[tuple[int, int], object]:
        """(row, column) -> value, in row then column order. Callers must not modify it."""
        if self._cells is None:
            self._cells = {(r, c): v for r, row in self.by_row.items() for c, v in row.items()}
        return self._cells

    @property
    def max_row(self) -> int:
        return max(self.by_row, default=-1)

    def get(self, row: int, col: int) -> object:
        return self.by_row.get(row, {}).get(col)

    def row(self, row: int) -> dict[int, object]:
        return self.by_row.get(row, {})

    def rows(self) -> dict[int, dict[int, object]]:
        """Row -> {column: value}, in order. Callers must not modify it."""
        return self.by_row


def read_workbook(source: Path | Package, limits: Limits = DEFAULT_LIMITS) -> dict[str, SheetCells]:
    """All worksheets (visible or not) as sparse cell maps, in workbook order.

    Raises `safety.UnsafeFileError` (before calamine reads anything) for a file that fails the safety checks
    (a path is checked here; a `Package` already was) or a sheet too large to read."""
    package = as_package(source, limits)
    scans = scan_package(package, limits)
    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(readable_zip(package)))
    try:
        out: dict[str, SheetCells] = {}
        for meta in book.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            rows: dict[int, dict[int, object]] = {}
            start = sheet.start or (0, 0)
            row0, col0 = start
            for r, values in enumerate(sheet.to_python(skip_empty_area=True), start=row0):
                row = {
                    c: value
                    for c, value in enumerate(values, start=col0)
                    # empty and blank-text cells are not kept (checked inline: every cell of the used range)
                    if type(value) is float  # most cells: decided without the tests below
                    or not (value == "" or value is None or (type(value) is str and value.isspace()))
                }
                if row:
                    rows[r] = row
            scan = scans.get(meta.name) or SheetScan(meta.name, "")
            if scan.uncached_formulas:
                rows = _with_uncached_formulas(rows, scan.uncached_formulas)
            visible = meta.visible == pc.SheetVisibleEnum.Visible
            out[meta.name] = SheetCells(meta.name, visible, rows, dict(scan.formats), dict(scan.formulas))
        return out
    finally:
        book.close()


def _with_uncached_formulas(
    rows: dict[int, dict[int, object]], formulas: dict[tuple[int, int], str]
) -> dict[int, dict[int, object]]:
    """The rows with each formula Excel never calculated (calamine reads it as empty) put in its cell as an
    `UncachedFormula`, so that it is accounted for; rows and columns stay in order."""
    cells = {(r, c): v for r, row in rows.items() for c, v in row.items()}
    for key, text in formulas.items():
        cells[key] = UncachedFormula(text)
    out: dict[int, dict[int, object]] = {}
    for (r, c), v in sorted(cells.items()):
        out.setdefault(r, {})[c] = v
    return out
