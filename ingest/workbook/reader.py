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
from ingest.workbook.package import SheetScan, column_letter, scan_package
from ingest.workbook.safety import DEFAULT_LIMITS, Limits, Package, as_package

__all__ = ["SheetCells", "cell_ref", "column_letter", "read_workbook"]


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) -> 'E12'."""
    return f"{column_letter(col)}{row + 1}"


@dataclass
class SheetCells:
    name: str
    visible: bool
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # 'percent' | 'per_mille'
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # cached value loaded, noted
    _rows: dict[int, dict[int, object]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=-1)

    def get(self, row: int, col: int) -> object:
        return self.cells.get((row, col))

    def row(self, row: int) -> dict[int, object]:
        return {c: v for (r, c), v in self.cells.items() if r == row}

    def rows(self) -> dict[int, dict[int, object]]:
        """Row -> {column: value}, in order. Built once: identifying, finding the header and parsing each
        walk the sheet by rows, and the cells do not change after reading. Callers must not modify it."""
        if self._rows is None:
            out: dict[int, dict[int, object]] = {}
            for (r, c), v in sorted(self.cells.items()):
                out.setdefault(r, {})[c] = v
            self._rows = out
        return self._rows


def read_workbook(source: Path | Package, limits: Limits = DEFAULT_LIMITS) -> dict[str, SheetCells]:
    """All worksheets (visible or not) as sparse cell maps, in workbook order.

    Raises `safety.UnsafeFileError` (before calamine reads anything) for a file that fails the safety checks
    (a path is checked here; a `Package` already was) or a sheet too large to read."""
    package = as_package(source, limits)
    scans = scan_package(package, limits)
    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(package.data))
    try:
        out: dict[str, SheetCells] = {}
        for meta in book.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            cells: dict[tuple[int, int], object] = {}
            rows: dict[int, dict[int, object]] = {}  # the same cells by row, in order (`SheetCells.rows`)
            start = sheet.start or (0, 0)
            row0, col0 = start
            for r, values in enumerate(sheet.to_python(skip_empty_area=True), start=row0):
                row = None
                for c, value in enumerate(values, start=col0):
                    # empty and blank-text cells are not kept (checked inline: every cell of the used range)
                    if value == "" or value is None or (type(value) is str and value.isspace()):
                        continue
                    cells[(r, c)] = value
                    if row is None:
                        row = rows[r] = {}
                    row[c] = value
            scan = scans.get(meta.name) or SheetScan(meta.name, "")
            for key, text in scan.uncached_formulas.items():
                cells[key] = UncachedFormula(text)
            visible = meta.visible == pc.SheetVisibleEnum.Visible
            out[meta.name] = SheetCells(meta.name, visible, cells, dict(scan.formats), dict(scan.formulas))
            if not scan.uncached_formulas:  # else built from the cells when first asked, formulas in place
                out[meta.name]._rows = rows
        return out
    finally:
        book.close()
