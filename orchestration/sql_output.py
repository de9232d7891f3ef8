"""How `treem sql` prints or writes a result: a readable table, CSV or JSON.

DuckDB's own `show()` elides columns when a result is wider than the terminal, which hides exactly the
columns an analyst asked for in a wide mart. The table here prints every column; when the rows do not fit the
width it switches to one block per row (`column | value` lines, like psql's expanded mode), so nothing is
cut. CSV and JSON carry every row and the exact values (no display rounding) for spreadsheets and scripts.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
from collections.abc import Iterable, Sequence

FORMATS = ("table", "csv", "json")
NULL = "NULL"


def _text(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _is_number(value) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def format_table(columns: Sequence[str], rows: Sequence[Sequence], width: int) -> str:
    """Every column of every row: a grid when it fits `width` characters, else one block per row."""
    cells = [[_text(v) for v in row] for row in rows]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(columns)]
    if sum(widths) + 3 * (len(widths) - 1) <= width:
        numeric = [any(_is_number(row[i]) for row in rows) for i in range(len(columns))]

        def line(values: Sequence[str]) -> str:
            return " | ".join(
                v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)
            ).rstrip()

        out = [line(columns), "-+-".join("-" * w for w in widths)]
        out.extend(line(row) for row in cells)
        return "\n".join(out)
    name_width = max(len(name) for name in columns)
    blocks = []
    for number, row in enumerate(cells, start=1):
        block = [f"-[ row {number} ]" + "-" * max(0, min(width, 60) - 12 - len(str(number)))]
        block.extend(f"{name.ljust(name_width)} | {value}" for name, value in zip(columns, row, strict=True))
        blocks.append("\n".join(block))
    return "\n".join(blocks)


def csv_text(columns: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([("" if v is None else v) for v in row] for row in rows)
    return buffer.getvalue()


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def json_text(columns: Sequence[str], rows: Iterable[Sequence]) -> str:
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=1, default=_json_default) + "\n"
