"""Read a workbook's cells with their coordinates, using python-calamine.

calamine is ~7x faster than openpyxl read-only on the same sheets (stack-notes; `readers_bench.py`
re-measures it) and returns cached values, not formulas. Only non-empty cells are kept, keyed by 0-based
(row, column), so later stages can cite every cell as "E12" and account for each one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as pc


def column_letter(col: int) -> str:
    """0-based column index -> 'A', 'B', ..., 'AA'."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) -> 'E12'."""
    return f"{column_letter(col)}{row + 1}"


@dataclass
class SheetCells:
    name: str
    visible: bool
    cells: dict[tuple[int, int], object] = field(default_factory=dict)

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=-1)

    def get(self, row: int, col: int) -> object:
        return self.cells.get((row, col))

    def row(self, row: int) -> dict[int, object]:
        return {c: v for (r, c), v in self.cells.items() if r == row}

    def rows(self) -> dict[int, dict[int, object]]:
        out: dict[int, dict[int, object]] = {}
        for (r, c), v in sorted(self.cells.items()):
            out.setdefault(r, {})[c] = v
        return out


def _non_empty(value: object) -> bool:
    return not (value is None or (isinstance(value, str) and value.strip() == ""))


def read_workbook(path: Path) -> dict[str, SheetCells]:
    """All worksheets (visible or not) as sparse cell maps, in workbook order."""
    book = pc.CalamineWorkbook.from_path(str(path))
    try:
        out: dict[str, SheetCells] = {}
        for meta in book.sheets_metadata:
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            cells: dict[tuple[int, int], object] = {}
            start = sheet.start or (0, 0)
            for r, values in enumerate(sheet.to_python(skip_empty_area=True)):
                for c, value in enumerate(values):
                    if _non_empty(value):
                        cells[(start[0] + r, start[1] + c)] = value
            out[meta.name] = SheetCells(meta.name, meta.visible == pc.SheetVisibleEnum.Visible, cells)
        return out
    finally:
        book.close()
