"""Measure python-calamine against openpyxl (read-only) and pandas.read_excel(openpyxl) on the same files.

Why: the ingest reads with calamine because it is several times faster; this script re-checks that claim on
this machine instead of trusting stack-notes. Run:
`python -m ingest.workbook.readers_bench [N_ROWS [FILE_OR_FOLDER ...]]`. Without files it writes one
synthetic agency-like sheet (N_ROWS × 24 columns of mixed numbers and text) to a temp folder; then it times
each reader over all cells of the first sheet of every file (best of 3).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import pandas as pd
import python_calamine as pc


def make_file(path: Path, rows: int, cols: int = 24) -> int:
    rng = random.Random(0)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Số liệu")
    for _ in range(rows):
        ws.append(
            [
                rng.choice([rng.randint(0, 500), round(rng.random() * 100, 1), "9,5", None])
                for _ in range(cols)
            ]
        )
    wb.save(path)
    return rows * cols


def read_calamine(path: Path) -> int:
    book = pc.CalamineWorkbook.from_path(str(path))
    n = sum(1 for row in book.get_sheet_by_index(0).to_python() for v in row if v != "")
    book.close()
    return n


def read_openpyxl(path: Path) -> int:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = sum(1 for row in wb.worksheets[0].iter_rows(values_only=True) for v in row if v is not None)
    wb.close()
    return n


def read_pandas(path: Path) -> int:
    frame = pd.read_excel(path, sheet_name=0, header=None, engine="openpyxl")
    return int(frame.notna().sum().sum())


READERS = {"calamine": read_calamine, "openpyxl_read_only": read_openpyxl, "pandas_openpyxl": read_pandas}


def bench(paths: list[Path], repeat: int = 3) -> dict[str, float]:
    """Best-of-`repeat` seconds per reader over all `paths`; the readers must agree on cell counts."""
    out: dict[str, float] = {}
    counts: dict[str, int] = {}
    for name, reader in READERS.items():
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            counts[name] = sum(reader(p) for p in paths)
            best = min(best, time.perf_counter() - start)
        out[name] = best
    assert len(set(counts.values())) == 1, counts
    return out


def main(argv: list[str]) -> int:
    rows = int(argv[1]) if len(argv) > 1 else 10_000
    paths: list[Path] = []
    for arg in argv[2:]:  # files or folders of .xlsx
        p = Path(arg)
        paths.extend(sorted(p.glob("*.xlsx")) if p.is_dir() else [p])
    with tempfile.TemporaryDirectory() as tmp:
        if not paths:
            paths = [Path(tmp) / "bench.xlsx"]
            cells = make_file(paths[0], rows)
            print(f"synthetic sheet: {rows} rows, {cells} cells")
        for name, seconds in bench(paths).items():
            print(f"{name:<20} {seconds:7.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
