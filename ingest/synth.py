"""National synthetic submissions: every province and commune, every sector, 2020-2030, as agency workbooks.

Why: the three sample plans (`ingest.samples`) are a few hundred rows; a national deployment is ~10,000
vn2008 communes a year until 2024 and 3,321 vn2025 communes from 2025, for 36 indicators. The scale bench
(`orchestration.bench`) needs that volume, deterministically, in exactly the files agencies send, to
measure ingest, validation and dbt at national size.

What it writes
--------------
One workbook per province × sector × year under `out_dir/<year>/`, built by the colleagues' template
(`ingest.workbook.template.build_template`, so the layout, identity sheet, properties and header texts are
the template's and nothing of it is duplicated here) for the national plan `national-2021`, with the
province as the submission's territory and one row per commune of the province valid on the reporting
date: vn2008 communes for 2020-2024 (the three-level units), vn2025 communes from 2025 (reports are filed in
November, after the 1/7/2025 reorganisation). Rows are filled like an agency would: numerators and
denominators of plausible size (commune live births ~50-400 a year), values moving from a national 2020
level towards the national 2030 target (from the target registry, else a generic path by unit and
direction), with a stable per-province and per-commune offset and yearly noise; numerator ≤ denominator;
the value column typed in ~70 % of rows, rounded to 2 decimals; the "Tổng cộng" row holds the sums.

Known defects (`defect_rate`, default 0.5 % of the value cells), each recorded in the manifest with file,
sheet, cell and what the ingest must do with it:
- `text_number`: a number typed as text with Vietnamese separators ("1.234", "12,5"): must be loaded;
- `unparseable`: words in a number cell ("khoảng 50"): quarantined `unparseable_number`;
- `out_of_range`: a numerator above its denominator: loaded (the door reads, the warehouse judges: the
  data-quality check `numerator_le_denominator` flags it);
- `misspelt_name`: (1 row in 2,000) a commune name with two letters swapped and no code: the row is
  quarantined `unknown_locality`.

The national plan is reported by each province (`build_template(..., territory=province)`, rows: the
province's communes) with the lead sectors `ingest.workbook.context.with_national_lead_sectors` derives;
the files are ordinary agency workbooks, so `treem ingest DIR` loads them through the same pipeline.

Speed: openpyxl writes styled cells at roughly 100,000 cells/s per core, so workbooks are written by a
process pool over the machine's cores (fork start: the reference, ~3 s to load, is built once in the parent).
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.samples import DENOMINATOR_PER_BIRTH  # one definition of plausible denominators
from ingest.workbook.context import NATIONAL_PLAN, Reference, load_reference
from ingest.workers import reset_worker_signals

VN2025_FIRST_YEAR = 2025
DEFAULT_YEARS = range(2020, 2031)
DEFAULT_DEFECT_RATE = 0.005
DEFAULT_SEED = 2021
MISSPELT_ROW_RATE = 0.0005
VALUE_TYPED_SHARE = 0.7

# Generic (2020, 2030) levels when the registry has no national 2030 target, by unit and direction.
GENERIC_PATH = {
    ("percent", "increase"): (78.0, 95.0),
    ("percent", "decrease"): (9.0, 5.0),
    ("per_1000_live_births", "decrease"): (24.0, 14.0),
    ("per_100000_children", "decrease"): (620.0, 500.0),
    ("count", "annual_reduction"): (1.2, 0.9),  # child marriages per commune a year
}
# Scale -> (provinces, sectors); None: all. `province` is Điện Biên, `tiny` the tests' two provinces.
SYNTH_SCALES: dict[str, tuple[list[str] | None, list[str] | None]] = {
    "national": (None, None),
    "province": (["11"], None),
    "tiny": (["11", "12"], ["health"]),
}
DEFECT_EXPECT = {
    "text_number": "loaded",
    "unparseable": "unparseable_number",
    "out_of_range": "loaded",
    "misspelt_name": "unknown_locality",
}


# --- manifest ----------------------------------------------------------------------------------------
@dataclass
class SynthFile:
    path: str
    province_id: str
    sector: str
    year: int
    rows: int
    values: int  # indicator × locality values written (rows × indicators, incl. Tổng cộng)
    cells: int  # non-empty measure cells written


@dataclass
class SynthDefect:
    file: str
    sheet: str
    cell: str
    kind: str
    raw_value: str
    expect: str
    locality_id: str | None = None
    indicator_code: str | None = None


@dataclass
class SynthManifest:
    out_dir: str
    seed: int
    years: list[int]
    defect_rate: float
    files: list[SynthFile] = field(default_factory=list)
    defects: list[SynthDefect] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1

    @property
    def values(self) -> int:
        return sum(f.values for f in self.files)

    @property
    def cells(self) -> int:
        return sum(f.cells for f in self.files)

    def defect_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(d.kind for d in self.defects).items()))

    def paths(self, year: int | None = None) -> list[Path]:
        return [Path(f.path) for f in self.files if year is None or f.year == year]

    def summary(self) -> dict:
        return {
            "files": len(self.files),
            "values": self.values,
            "cells": self.cells,
            "defects": self.defect_counts(),
            "seconds": round(self.seconds, 2),
            "workers": self.workers,
            "files_per_second": round(len(self.files) / self.seconds, 2) if self.seconds else None,
        }

    def write(self, path: Path | str) -> Path:
        path = Path(path)
        data = dataclasses.asdict(self)
        data["summary"] = self.summary()
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path | str) -> SynthManifest:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        data.pop("summary", None)
        data["files"] = [SynthFile(**f) for f in data["files"]]
        data["defects"] = [SynthDefect(**d) for d in data["defects"]]
        return cls(**data)


# --- values ------------------------------------------------------------------------------------------
def national_path(ref: Reference, code: str) -> tuple[float, float]:
    """(2020 level, 2030 level) of the country: the national 2030 target with a start on the far side."""
    ind = ref.indicators.loc[code]
    start, end = GENERIC_PATH.get((ind["unit"], ind["direction"]), (50.0, 60.0))
    t = ref.targets
    if t is not None and not t.empty and ind["unit"] != "count":
        hit = t[(t["plan_id"] == NATIONAL_PLAN) & (t["indicator_code"] == code)].sort_values("year")
        hit = hit["target_value"].dropna()
        if not hit.empty:
            end = float(hit.iloc[-1])
            if ind["direction"] == "increase":
                start = end * 0.88
            elif end > 0:
                start = end * 1.4
            else:
                start, end = 1.0, 0.2  # "eliminate": from a low level towards zero
    if ind["unit"] == "percent":
        start, end = min(start, 99.5), min(end, 99.9)
    return start, end


def _swap_letters(name: str, rng: random.Random) -> str:
    letters = [i for i in range(len(name) - 1) if name[i].isalpha() and name[i + 1].isalpha()]
    if not letters:
        return name + "x"
    i = rng.choice(letters[len(letters) // 2 :] or letters)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :] + "h"


def _fmt_vi(number: float) -> str:
    """A number as an agency types it as text: thousands dot, decimal comma."""
    if float(number).is_integer():
        return f"{int(number):,}".replace(",", ".")
    return f"{number:.2f}".replace(".", ",")


def _reference() -> Reference:
    return load_reference()  # cached; built once in the parent before the pool forks


def write_workbook(
    out_dir: Path, province_id: str, sector: str, year: int, seed: int, defect_rate: float
) -> tuple[SynthFile, list[SynthDefect]]:
    """Build one province × sector × year workbook from the template, fill it, save it deterministically."""
    from ingest.samples import save_deterministic
    from ingest.workbook.reader import cell_ref
    from ingest.workbook.template import build_template

    ref = _reference()
    wb, tmap = build_template(NATIONAL_PLAN, sector, year, ref, territory=province_id)
    units = ref.reporting_units(NATIONAL_PLAN, year, province_id)
    ws = wb.worksheets[0]
    code = province_id.split(":")[1]
    path = out_dir / str(year) / f"{year}_{code}_{sector}.xlsx"
    rng = random.Random(f"{seed}/{province_id}/{sector}/{year}")
    province_rng = random.Random(f"{seed}/{province_id}")
    province_shift = {c: province_rng.uniform(0.85, 1.15) for c in ref.indicators.index}
    codes = list(dict.fromkeys(c for c, _ in tmap.columns))
    info = {c: ref.indicators.loc[c] for c in codes}
    paths = {c: national_path(ref, c) for c in codes}
    totals = {c: [0.0, 0.0] for c in codes}
    defects: list[SynthDefect] = []
    cells = 0
    progress = (year - 2020) / 10

    def defect(r: int, c: int, kind: str, raw: str, locality_id: str | None, indicator: str | None) -> None:
        defects.append(
            SynthDefect(
                path.name,
                ws.title,
                cell_ref(r - 1, c - 1),
                kind,
                raw,
                DEFECT_EXPECT[kind],
                locality_id,
                indicator,
            )
        )

    for unit in units.itertuples():
        r = tmap.rows[unit.locality_id]
        unit_rng = random.Random(f"{seed}/{unit.locality_id}")
        births = unit_rng.randint(50, 400)
        births = max(5, int(births * (1 - 0.015 * (year - 2020)) * rng.uniform(0.95, 1.05)))
        if rng.random() < MISSPELT_ROW_RATE:
            misspelt = _swap_letters(str(unit.name_vi), rng)
            ws.cell(r, 2, None)
            ws.cell(r, 3, misspelt)
            defect(r, 3, "misspelt_name", misspelt, unit.locality_id, None)
        for c in codes:
            ind = info[c]
            start, end = paths[c]
            level = (start + (end - start) * progress) * province_shift[c] * unit_rng.uniform(0.9, 1.1)
            level *= rng.uniform(0.97, 1.03)
            if ind["unit"] == "count":
                n = max(0, round(level * rng.uniform(0.3, 1.7)))
                ws.cell(r, tmap.columns[(c, "value")], n)
                totals[c][0] += n
                cells += 1
                continue
            per_birth = DENOMINATOR_PER_BIRTH.get(c, 16.0)
            den = 1 if per_birth is None else max(1, round(births * per_birth))
            if ind["unit"] == "percent":
                level = min(level, 100.0)
            factor = float(ind["factor"])
            if per_birth is None:
                num = 1 if rng.random() < level / factor else 0
            else:
                num = min(den, max(0, round(level / factor * den)))
            cols = [(tmap.columns[(c, "numerator")], num), (tmap.columns[(c, "denominator")], den)]
            if rng.random() < VALUE_TYPED_SHARE:
                cols.append((tmap.columns[(c, "value")], round(num / den * factor, 2)))
            totals[c][0] += num
            totals[c][1] += den
            for col, value in cols:
                cells += 1
                if rng.random() >= defect_rate:
                    ws.cell(r, col, value)
                    continue
                kind = rng.choice(("text_number", "unparseable", "out_of_range"))
                if kind == "out_of_range" and not (
                    bool(ind.get("numerator_le_denominator")) and col == cols[0][0]
                ):
                    kind = "text_number"
                if kind == "text_number":
                    raw = _fmt_vi(value)
                elif kind == "unparseable":
                    raw = f"khoảng {_fmt_vi(value)}"
                else:
                    raw = str(den + max(1, den // 2))
                ws.cell(r, col, raw if kind != "out_of_range" else int(raw))
                defect(r, col, kind, raw, unit.locality_id, c)
    for c, (num, den) in totals.items():
        cells += 1
        if info[c]["unit"] == "count":
            ws.cell(tmap.total_row, tmap.columns[(c, "value")], num)
        elif den:
            ws.cell(tmap.total_row, tmap.columns[(c, "numerator")], num)
            ws.cell(tmap.total_row, tmap.columns[(c, "denominator")], den)
            ws.cell(
                tmap.total_row, tmap.columns[(c, "value")], round(num / den * float(info[c]["factor"]), 2)
            )
            cells += 2
    path.parent.mkdir(parents=True, exist_ok=True)
    save_deterministic(wb, path)
    values = (len(units) + 1) * len(codes)
    return SynthFile(str(path), province_id, sector, year, len(units), values, cells), defects


def _write_task(task: tuple) -> tuple[SynthFile, list[SynthDefect]]:
    return write_workbook(*task)


def province_ids(ref: Reference, year: int, provinces: Iterable[str] | None) -> list[str]:
    """Provinces of the scheme valid in `year`; `provinces` filters by id ('vn2008:11') or code ('11')."""
    scheme = "vn2025" if year >= VN2025_FIRST_YEAR else "vn2008"
    loc = ref.localities
    ids = sorted(loc[(loc["scheme"] == scheme) & (loc["level"] == "province")]["locality_id"])
    if provinces is None:
        return ids
    wanted = {str(p) for p in provinces}
    return [i for i in ids if i in wanted or i.split(":")[1] in wanted]


def plan_tasks(
    out_dir: Path,
    years: Iterable[int],
    seed: int,
    provinces: Iterable[str] | None,
    sectors: Iterable[str] | None,
    defect_rate: float,
) -> list[tuple]:
    ref = _reference()
    all_sectors = ref.sectors(NATIONAL_PLAN)
    chosen = all_sectors if sectors is None else [s for s in all_sectors if s in set(sectors)]
    provinces = None if provinces is None else list(provinces)
    return [
        (out_dir, province_id, sector, year, seed, defect_rate)
        for year in years
        for province_id in province_ids(ref, year, provinces)
        for sector in chosen
    ]


def generate_national(
    out_dir: Path | str,
    years: Iterable[int] = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    provinces: Iterable[str] | None = None,
    sectors: Iterable[str] | None = None,
    *,
    defect_rate: float = DEFAULT_DEFECT_RATE,
    workers: int | None = None,
    manifest_name: str = "manifest.json",
    progress: Callable[[str], None] | None = None,
) -> SynthManifest:
    """Write the national synthetic inbox under `out_dir` and return (and save) its manifest.

    Deterministic: the same arguments give byte-identical files (per-file seeds, fixed zip timestamps),
    whatever the number of workers. `progress` gets a line about every 5 % of the files.
    """
    import multiprocessing as mp

    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    years = list(years)
    tasks = plan_tasks(out_dir, years, seed, provinces, sectors, defect_rate)
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks) or 1))
    every = max(1, len(tasks) // 20)

    def report(done: int, file: SynthFile) -> None:
        if progress and (done % every == 0 or done == len(tasks)):
            elapsed = time.perf_counter() - started
            progress(f"  [{done}/{len(tasks)}] {Path(file.path).name}  {elapsed:6.1f} s")

    results = []
    if workers == 1:
        for task in tasks:
            results.append(_write_task(task))
            report(len(results), results[-1][0])
    else:
        context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
        with context.Pool(workers, initializer=reset_worker_signals) as pool:
            for result in pool.imap(_write_task, tasks, chunksize=2):
                results.append(result)
                report(len(results), result[0])
            pool.close()  # every task is done: let the workers exit on their own before the pool is torn down
            pool.join()
    manifest = SynthManifest(str(out_dir), seed, years, defect_rate, workers=workers)
    for file, defects in results:
        manifest.files.append(file)
        manifest.defects.extend(defects)
    manifest.seconds = time.perf_counter() - started
    manifest.write(out_dir / manifest_name)
    return manifest
