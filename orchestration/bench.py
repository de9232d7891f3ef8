"""The national-scale benchmark: reader speed, full backfill, one incremental year, peak memory.

Why: a national deployment ingests ~3,000 agency workbooks a year-round and rebuilds the marts after each
reporting year; the goals (reader ≥ 5× a pandas baseline, ingest ≤ 3× a bare calamine read of the same
files, full backfill ≤ 150 s, a new year ≤ 30 s, peak memory ≤ 1.5 GB on a 2-core machine) are checked
here on synthetic data of national size (`ingest.synth.generate_national`), through the same jobs the CLI
and the schedules run (`run_job`), in one process tree and one run, so the numbers are the pipeline's
and not a micro-benchmark's.

Stages
------
(a) readers: the same fixed sample of workbooks read with treem's reader (python-calamine, every sheet, sparse
    cells) and with `pandas.read_excel(engine="openpyxl", sheet_name=None)`; non-empty cells per second,
    ratio. The real loader on the same sample (into a scratch warehouse) is profiled with cProfile (top
    functions by own and cumulative time), because that is where ingest time goes.
(b) backfill: a fresh warehouse file; `reference_job`, then `ingest_job` for every backfill year (the
    partition's files passed as run config, as the inbox sensor does), then `warehouse_job` (data quality,
    dbt build, reports). Per-step times come from the Dagster event log; the slowest dbt models from dbt's
    run_results.json.
(c) incremental: the next year's workbooks are added; `ingest_job` for that partition, then
    `warehouse_job`. Its time is split by stage (ingest / DQ / feedback / dbt / reports / snapshot, from the
    steps' durations; `overhead` is the rest: Dagster's run start and event handling).
(d) the floor: a bare python-calamine read of the same files (every sheet, values only, nothing kept), for
    the backfill's files and the incremental year's; the ingest's time divided by it says how far the door
    is from just reading the workbooks. Each year's files are read bare right before that year's ingest
    run, so that both are timed on the machine in the same state: a shared 2-core machine's speed drifts
    by a third over minutes, and one bare read at the start made the same code's ratio 3.9x in one run and
    5.4x in the next.
Memory: `resource.getrusage` maxrss of this process (RUSAGE_SELF) and of its waited-for children
(RUSAGE_CHILDREN: dbt, and the synth's pool workers, snapshotted before the pipeline starts); and this
process's maxrss after each stage, which says which stage raised the peak.

The bench points the runs at its own warehouse through TREEM_WAREHOUSE / TREEM_INBOX, which the resources
read when a run starts; it runs in its own process (`python -m orchestration.bench`, `treem bench`) so that
its memory figures are the pipeline's alone.

Scales: `national` (every province, every sector, backfill 2020-2029, incremental 2030), `province`
(Điện Biên, every sector, backfill 2020-2025, incremental 2026) and `tiny` (2 provinces, 1 sector, one
backfill year and one incremental year: the test's scale).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

GOALS = {
    "ingest_read_ratio_min": 5.0,
    "ingest_bare_read_ratio_max": 3.0,
    "backfill_seconds_max": 150.0,
    "incremental_seconds_max": 30.0,
    "peak_memory_mb_max": 1536.0,
}
# Which stage a warehouse_job step belongs to; every other step is dbt's.
STAGE_OF_STEP = {
    "data_quality": "dq",
    "agency_feedback": "feedback",
    "review_reports": "reports",
    "reader_snapshot": "snapshot",
}


@dataclass
class BenchScale:
    name: str
    backfill_years: list[int]
    incremental_year: int
    provinces: list[str] | None = None  # codes or ids; None: all
    sectors: list[str] | None = None  # None: every sector of the national plan


def _scale(name: str, backfill_years: list[int], incremental_year: int) -> BenchScale:
    from ingest.synth import SYNTH_SCALES

    provinces, sectors = SYNTH_SCALES[name]
    return BenchScale(name, backfill_years, incremental_year, provinces, sectors)


SCALES = {
    "national": _scale("national", list(range(2020, 2030)), 2030),
    "province": _scale("province", list(range(2020, 2026)), 2026),
    "tiny": _scale("tiny", [2024], 2025),
}


@dataclass
class Timer:
    stages: dict[str, float] = field(default_factory=dict)

    def record(self, name: str, seconds: float) -> None:
        self.stages[name] = round(self.stages.get(name, 0.0) + seconds, 3)


def _maxrss_mb(who: int) -> float:
    kb = resource.getrusage(who).ru_maxrss  # kilobytes on Linux, bytes on macOS
    return round(kb / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _peak_stage(high_water: dict[str, float]) -> str:
    """The first stage after which this process's maxrss stood at its final value."""
    peak = max(high_water.values())
    return next(stage for stage, mb in high_water.items() if mb == peak)


def _memory() -> dict[str, float]:
    return {"self_mb": _maxrss_mb(resource.RUSAGE_SELF), "children_mb": _maxrss_mb(resource.RUSAGE_CHILDREN)}


# --- (a) readers -------------------------------------------------------------------------------------
def sample_paths(paths: list[Path], n: int) -> list[Path]:
    """A fixed, spread-out sample: every k-th file of the sorted list."""
    ordered = sorted(paths)
    if len(ordered) <= n:
        return ordered
    step = len(ordered) / n
    return [ordered[int(i * step)] for i in range(n)]


def bench_readers(paths: list[Path], repeat: int = 3) -> dict:
    """Best-of-`repeat` seconds for treem's reader and the pandas baseline on the same files."""
    import pandas as pd

    from ingest.workbook.reader import read_workbook

    def treem() -> int:  # counted by row, as the parse walks them (the (row, col) map is built on demand)
        return sum(len(row) for p in paths for s in read_workbook(p).values() for row in s.rows().values())

    def baseline() -> int:
        total = 0
        for p in paths:
            for frame in pd.read_excel(p, sheet_name=None, header=None, engine="openpyxl").values():
                total += int(frame.notna().sum().sum())
        return total

    out = {"files": len(paths), "bytes": sum(p.stat().st_size for p in paths)}
    for name, fn in (("treem_calamine", treem), ("pandas_openpyxl", baseline)):
        best, cells = float("inf"), 0
        for _ in range(repeat):
            started = time.perf_counter()
            cells = fn()
            best = min(best, time.perf_counter() - started)
        out[name] = {"seconds": round(best, 3), "cells": cells, "cells_per_second": round(cells / best)}
    out["ratio"] = round(
        out["treem_calamine"]["cells_per_second"] / out["pandas_openpyxl"]["cells_per_second"], 2
    )
    return out


def bare_read(paths: list[Path]) -> dict:
    """Seconds python-calamine takes to read every sheet's values of `paths` and nothing else (no package
    scan, no sparse cells, no parsing): the floor any ingest of these files stands on."""
    import python_calamine as pc

    started = time.perf_counter()
    cells = 0
    for path in paths:
        book = pc.CalamineWorkbook.from_path(str(path))
        try:
            for name in book.sheet_names:
                cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
        finally:
            book.close()
    return {"files": len(paths), "seconds": round(time.perf_counter() - started, 3), "cells": cells}


def _summed(reads: list[dict]) -> dict:
    """Several bare reads as one: files, seconds and cells added up."""
    return {
        "files": sum(r["files"] for r in reads),
        "seconds": round(sum(r["seconds"] for r in reads), 3),
        "cells": sum(r["cells"] for r in reads),
    }


def ingest_vs_bare(ingest_seconds: float, step_seconds: float, bare: dict) -> dict:
    """The ingest jobs' time (what a person waits) and their ingest steps' time (without starting the runs)
    divided by the bare read's."""
    seconds = bare["seconds"]
    return {
        **bare,
        "bare_read_seconds": seconds,
        "ingest_seconds": round(ingest_seconds, 3),
        "ratio": round(ingest_seconds / seconds, 2) if seconds else None,
        "ingest_step_seconds": round(step_seconds, 3),
        "step_ratio": round(step_seconds / seconds, 2) if seconds else None,
    }


def _ingest_steps(steps: dict[str, dict[str, float]], phase: str) -> float:
    """Seconds of the ingest steps of one phase's `ingest_job` runs."""
    return sum(sum(s.values()) for label, s in steps.items() if label.startswith(f"{phase}.ingest_job"))


def split_by_stage(ingest_seconds: float, steps: dict[str, float], total: float) -> dict[str, float]:
    """The incremental year's seconds per stage: ingest (its job), then the warehouse job's steps."""
    out = {
        "ingest": round(ingest_seconds, 3),
        **dict.fromkeys(("dq", "feedback", "dbt", "reports", "snapshot"), 0.0),
    }
    for step, seconds in steps.items():
        stage = STAGE_OF_STEP.get(step, "dbt")
        out[stage] = round(out[stage] + seconds, 3)
    out["overhead"] = round(max(0.0, total - sum(out.values())), 3)
    return out


def profile_ingest(paths: list[Path], ref, scratch: Path, top: int = 15) -> dict:
    """The real loader (`ingest_paths`: hash, archive, safety, parse, insert) on the sample, into a
    scratch warehouse, under cProfile: seconds, values/s and the functions with the most own time."""
    from ingest.workbook import ingest_paths

    scratch.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    summary = ingest_paths(paths, warehouse_path=scratch / "profile.duckdb", reference=ref)
    profiler.disable()
    seconds = time.perf_counter() - started
    values = sum(r.values_loaded for r in summary.results)
    stats = pstats.Stats(profiler)
    rows = [
        {
            "function": f"{Path(filename).name}:{line}:{func}",
            "calls": ncalls,
            "tottime": round(tt, 3),
            "cumtime": round(ct, 3),
        }
        for (filename, line, func), (_, ncalls, tt, ct, _) in sorted(
            stats.stats.items(), key=lambda kv: kv[1][2], reverse=True
        )[:top]
    ]
    cumulative = [
        {"function": f"{Path(filename).name}:{line}:{func}", "cumtime": round(ct, 3)}
        for (filename, line, func), (_, _, _, ct, _) in sorted(
            stats.stats.items(), key=lambda kv: kv[1][3], reverse=True
        )
        if "/ingest/" in filename
    ][:top]
    return {
        "seconds": round(seconds, 3),
        "values": values,
        "values_per_second": round(values / seconds) if seconds else None,
        "top_by_own_time": rows,
        "top_cumulative_in_ingest": cumulative,
    }


# --- (b)/(c) pipeline --------------------------------------------------------------------------------
def _step_seconds(instance, run_id: str) -> dict[str, float]:
    from dagster import DagsterEventType

    out: dict[str, float] = {}
    for record in instance.all_logs(run_id, of_type=DagsterEventType.STEP_SUCCESS):
        event = record.dagster_event
        out[event.step_key] = round(event.event_specific_data.duration_ms / 1000, 3)
    return out


def _latest_run_id(instance) -> str:
    return instance.get_runs(limit=1)[0].run_id


def _dbt_top_models(since: float, top: int = 8) -> list[dict]:
    """Slowest dbt nodes of the newest run_results.json written after `since` (dagster-dbt's target dirs)."""
    from ingest.warehouse import PROJECT_ROOT

    candidates = [
        p
        for p in (PROJECT_ROOT / "dbt_project" / "target").rglob("run_results.json")
        if p.stat().st_mtime >= since
    ]
    if not candidates:
        return []
    results = json.loads(max(candidates, key=lambda p: p.stat().st_mtime).read_text())["results"]
    results.sort(key=lambda r: r.get("execution_time", 0), reverse=True)
    return [{"node": r["unique_id"], "seconds": round(r["execution_time"], 3)} for r in results[:top]]


def _counts(warehouse: Path) -> dict:
    from ingest.warehouse import connect

    with connect(warehouse, read_only=True) as con:
        sub = con.execute(
            "select count(*), coalesce(sum(values_loaded), 0), coalesce(sum(values_quarantined), 0), "
            "coalesce(sum(cells_read), 0), count(*) filter (where status = 'rejected') from audit.submissions"
        ).fetchone()
        marts = con.execute("select count(*) from marts.fct_indicator_value").fetchone()[0]
    return {
        "submissions": sub[0],
        "values_loaded": int(sub[1]),
        "values_quarantined": int(sub[2]),
        "cells_read": int(sub[3]),
        "rejected": sub[4],
        "fct_indicator_value_rows": marts,
    }


def _ensure_definitions_for(warehouse: Path) -> None:
    """Point the runs at the bench's warehouse: the resources read these when a run starts."""
    os.environ["TREEM_WAREHOUSE"] = str(warehouse)
    os.environ["TREEM_INBOX"] = str(warehouse.parent / "inbox")


def run_pipeline(
    warehouse: Path, files_by_year: dict[int, list[Path]], incremental_year: int, timer: Timer
) -> dict:
    from dagster import DagsterInstance

    from orchestration.defs.project import ensure_manifest
    from orchestration.runner import run_job

    ensure_manifest()
    out: dict = {"steps": {}, "memory_high_water_mb": {}, "bare_read": {}}
    with DagsterInstance.ephemeral() as instance:

        def job(name: str, partition: int | None = None, paths: list[Path] | None = None) -> float:
            config = (
                {"ops": {"agency_submissions": {"config": {"paths": [str(p) for p in paths]}}}}
                if paths
                else None
            )
            outcome = run_job(
                name,
                partition=None if partition is None else str(partition),
                instance=instance,
                run_config=config,
            )
            label = f"{phase}.{name}" + ("" if partition is None else f"[{partition}]")
            out["steps"][label] = _step_seconds(instance, _latest_run_id(instance))
            # maxrss only grows: its value after each job says which job raised the peak
            out["memory_high_water_mb"][f"{phase}.{name}"] = _maxrss_mb(resource.RUSAGE_SELF)
            if outcome.checks_failed:
                out.setdefault("checks_failed", {})[label] = outcome.checks_failed
            return outcome.seconds

        phase = "backfill"
        started = time.perf_counter()
        timer.record("backfill.reference_job", job("reference_job"))
        for year in sorted(y for y in files_by_year if y != incremental_year):
            out["bare_read"][year] = bare_read(files_by_year[year])  # see (d): right before its ingest
            timer.record("backfill.ingest_job", job("ingest_job", year, files_by_year[year]))
        dbt_since = time.time()
        timer.record("backfill.warehouse_job", job("warehouse_job"))
        out["dbt_top_models_backfill"] = _dbt_top_models(dbt_since)
        bare_seconds = sum(read["seconds"] for read in out["bare_read"].values())  # not the pipeline's time
        timer.record("backfill.total", time.perf_counter() - started - bare_seconds)
        out["after_backfill"] = _counts(warehouse)

        phase = "incremental"
        out["bare_read"][incremental_year] = bare_read(files_by_year[incremental_year])
        started = time.perf_counter()
        timer.record(
            "incremental.ingest_job", job("ingest_job", incremental_year, files_by_year[incremental_year])
        )
        dbt_since = time.time()
        timer.record("incremental.warehouse_job", job("warehouse_job"))
        out["dbt_top_models_incremental"] = _dbt_top_models(dbt_since)
        timer.record("incremental.total", time.perf_counter() - started)
        out["after_incremental"] = _counts(warehouse)
    return out


def run_bench(
    out_json: Path | str,
    scale: str | BenchScale = "national",
    sample_files: int = 20,
    work_dir: Path | str | None = None,
    keep: bool = False,
    synth_dir: Path | str | None = None,
) -> dict:
    """Run the whole benchmark, write `out_json`, print a short table, and return the report.

    `synth_dir`: an inbox `treem synth` already wrote (its manifest.json), used instead of writing one (the
    generator is deterministic, so the same arguments give the same files; ~2 minutes saved nationally)."""
    from ingest.synth import generate_national
    from ingest.workbook.context import load_reference

    spec = SCALES[scale] if isinstance(scale, str) else scale
    years = [*spec.backfill_years, spec.incremental_year]
    # checked before anything is created or removed: a refused run leaves the work folder as it was
    reused = reuse_synth(Path(synth_dir), spec, years) if synth_dir else None
    if work_dir:
        _check_work_dir(Path(work_dir))
    work = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix=f"treem-bench-{spec.name}-"))
    warehouse = _fresh_warehouse_folder(work) / "treem.duckdb"
    _ensure_definitions_for(warehouse)
    timer = Timer()
    report: dict = {
        "scale": asdict(spec),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "work_dir": str(work),
    }
    wall = time.perf_counter()

    if reused:
        manifest = reused
        report["synth"] = {**manifest.summary(), "reused": str(synth_dir)}
    else:
        manifest = generate_national(
            work / "synth",
            years=years,
            provinces=spec.provinces,
            sectors=spec.sectors,
            progress=partial(print, flush=True),
        )
        timer.record("synth.generate", manifest.seconds)
        report["synth"] = manifest.summary()
    report["memory_after_synth"] = _memory()

    files_by_year = {year: manifest.paths(year) for year in years}
    backfill_files = [p for y in spec.backfill_years for p in files_by_year[y]]
    sample = sample_paths(backfill_files, sample_files)
    report["readers"] = bench_readers(sample)
    ref = load_reference()
    report["ingest_profile"] = profile_ingest(sample, ref, work / "profile")
    before_pipeline = _maxrss_mb(resource.RUSAGE_SELF)  # readers compared and the sample profiled

    report["pipeline"] = run_pipeline(warehouse, files_by_year, spec.incremental_year, timer)
    reads = report["pipeline"]["bare_read"]
    bare = {
        "backfill": _summed([reads[year] for year in spec.backfill_years]),
        "incremental": reads[spec.incremental_year],
    }
    report["pipeline"]["memory_high_water_mb"] = {
        "readers and profile": before_pipeline,
        **report["pipeline"]["memory_high_water_mb"],
    }

    report["stages"] = timer.stages
    report["memory"] = _memory()
    report["memory"]["peak_mb"] = max(report["memory"].values())
    report["wall_seconds"] = round(time.perf_counter() - wall, 2)
    pipe = report["pipeline"]
    backfill_s = timer.stages["backfill.total"]
    incr_s = timer.stages["incremental.total"]
    ingest_s = timer.stages.get("backfill.ingest_job", 0.0)
    report["ingest_vs_bare_read"] = {
        "backfill": ingest_vs_bare(ingest_s, _ingest_steps(pipe["steps"], "backfill"), bare["backfill"]),
        "incremental": ingest_vs_bare(
            timer.stages["incremental.ingest_job"],
            _ingest_steps(pipe["steps"], "incremental"),
            bare["incremental"],
        ),
    }
    warehouse_steps = pipe["steps"].get("incremental.warehouse_job", {})
    report["incremental_by_stage"] = split_by_stage(
        timer.stages["incremental.ingest_job"], warehouse_steps, incr_s
    )
    report["throughput"] = {
        "backfill_values_per_second": round(pipe["after_backfill"]["values_loaded"] / backfill_s),
        "ingest_values_per_second": round(pipe["after_backfill"]["values_loaded"] / ingest_s)
        if ingest_s
        else None,
        "ingest_cells_per_second": round(pipe["after_backfill"]["cells_read"] / ingest_s)
        if ingest_s
        else None,
        "incremental_values_per_second": round(
            (pipe["after_incremental"]["values_loaded"] - pipe["after_backfill"]["values_loaded"]) / incr_s
        ),
    }
    report["goals"] = {
        "ingest_read_ratio": _goal(report["readers"]["ratio"], GOALS["ingest_read_ratio_min"], ">="),
        "ingest_bare_read_ratio": _goal(
            report["ingest_vs_bare_read"]["backfill"]["ratio"] or float("inf"),
            GOALS["ingest_bare_read_ratio_max"],
            "<=",
        ),
        "backfill_seconds": _goal(backfill_s, GOALS["backfill_seconds_max"], "<="),
        "incremental_seconds": _goal(incr_s, GOALS["incremental_seconds_max"], "<="),
        "peak_memory_mb": _goal(report["memory"]["peak_mb"], GOALS["peak_memory_mb_max"], "<="),
    }
    out_json = Path(out_json)
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(format_table(report))
    if not keep and work_dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return report


class BenchInputError(ValueError):
    """A bench argument a person can fix (printed as one line, exit 2)."""


# A bench work folder's warehouse folder carries this mark: only such a folder is emptied by the next run.
BENCH_MARK = ".treem-bench"


def _check_work_dir(work: Path) -> None:
    """Refuse a work folder whose `warehouse/` the bench did not make (`--work-dir .` would otherwise empty
    the project's own warehouse)."""
    folder = work / "warehouse"
    if folder.exists() and any(folder.iterdir()) and not (folder / BENCH_MARK).exists():
        raise BenchInputError(
            f"{folder} holds a warehouse the bench did not make: give --work-dir an empty or bench folder"
        )


def _fresh_warehouse_folder(work: Path) -> Path:
    """`<work>/warehouse`, emptied: a rerun in the same work folder must not find the last run's reports,
    fingerprints or archive (unchanged reports are not rewritten, which would flatter the timings)."""
    folder = work / "warehouse"
    if (folder / BENCH_MARK).exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / BENCH_MARK).write_text("made by treem bench; emptied by its next run\n", encoding="utf-8")
    return folder


def reuse_synth(folder: Path, spec: BenchScale, years: list[int]):
    """The manifest of a synthetic inbox `treem synth` wrote, checked to be the one this scale would write:
    the same seed and defect rate, every province x sector workbook of its years, each file present."""
    from ingest.synth import DEFAULT_DEFECT_RATE, DEFAULT_SEED, SynthManifest, plan_tasks

    make = f"treem synth --scale {spec.name} --years {years[0]}-{years[-1]} --out {folder}"
    path = folder / "manifest.json"
    if not path.exists():
        raise BenchInputError(f"{folder} has no manifest.json: run `{make}` first")
    manifest = SynthManifest.read(path)
    missing_years = sorted(set(years) - set(manifest.years))
    if missing_years:
        raise BenchInputError(
            f"{folder} lacks the years {', '.join(map(str, missing_years))} of scale {spec.name}: "
            f"run `{make}`"
        )
    expected = {
        (province, sector, year)
        for _, province, sector, year, _, _ in plan_tasks(
            folder, years, DEFAULT_SEED, spec.provinces, spec.sectors, DEFAULT_DEFECT_RATE
        )
    }
    present = {(f.province_id, f.sector, f.year) for f in manifest.files if f.year in set(years)}
    if (manifest.seed, manifest.defect_rate) != (DEFAULT_SEED, DEFAULT_DEFECT_RATE) or present != expected:
        raise BenchInputError(
            f"{folder} is not the inbox of scale {spec.name} ({len(present)} workbooks of its years, "
            f"{len(expected)} expected, seed {manifest.seed}): run `{make}`"
        )
    missing = [p for p in manifest.paths() if not p.exists()]
    if missing:
        raise BenchInputError(f"{folder}: {len(missing)} files of its manifest are gone, e.g. {missing[0]}")
    return manifest


def _goal(measured: float, limit: float, op: str) -> dict:
    met = {">=": measured >= limit, "<=": measured <= limit}[op]
    return {"measured": round(measured, 2), "goal": f"{op} {limit:g}", "met": met}


def format_table(report: dict) -> str:
    pipe = report["pipeline"]
    lines = [
        f"treem bench — scale {report['scale']['name']}, {report['cores']} cores, "
        f"wall {report['wall_seconds']} s",
        f"synthetic inbox: {report['synth']['files']} files, {report['synth']['values']:,} values, "
        f"{report['synth']['cells']:,} cells, "
        + (
            f"reused from {report['synth']['reused']}"
            if "reused" in report["synth"]
            else f"written in {report['synth']['seconds']} s ({report['synth']['workers']} workers)"
        ),
        f"{'stage':34} {'seconds':>9}",
    ]
    lines += [f"{name:34} {seconds:9.2f}" for name, seconds in report["stages"].items()]
    r = report["readers"]
    lines.append(
        f"read {r['files']} files: treem {r['treem_calamine']['cells_per_second']:,} cells/s, "
        f"pandas {r['pandas_openpyxl']['cells_per_second']:,} cells/s, ratio {r['ratio']}×"
    )
    for phase, b in report["ingest_vs_bare_read"].items():
        lines.append(
            f"ingest ÷ bare calamine read ({phase}, {b['files']} files): {b['ingest_seconds']:.2f} s ÷ "
            f"{b['bare_read_seconds']:.3f} s = {b['ratio']}× (ingest steps alone "
            f"{b['ingest_step_seconds']:.2f} s = {b['step_ratio']}×)"
        )
    split = report["incremental_by_stage"]
    lines.append(
        f"incremental {report['scale']['incremental_year']} by stage: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in split.items())
    )
    lines.append(
        f"backfill: {pipe['after_backfill']['values_loaded']:,} values loaded, "
        f"{pipe['after_backfill']['values_quarantined']:,} quarantined, "
        f"{pipe['after_backfill']['fct_indicator_value_rows']:,} fact rows; "
        f"{report['throughput']['backfill_values_per_second']:,} values/s end to end"
    )
    lines.append(
        f"memory peak: self {report['memory']['self_mb']} MB, children {report['memory']['children_mb']} MB"
    )
    high_water = pipe["memory_high_water_mb"]
    lines.append(
        "memory high-water of this process after each stage (MB): "
        + ", ".join(f"{stage} {mb}" for stage, mb in high_water.items())
        + f"; the peak was reached in {_peak_stage(high_water)}"
    )
    lines.append(
        "goals: "
        + ", ".join(
            f"{k} {v['measured']} ({v['goal']}: {'met' if v['met'] else 'MISSED'})"
            for k, v in report["goals"].items()
        )
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="national")
    parser.add_argument("--out", default="bench.json")
    parser.add_argument("--sample-files", type=int, default=20)
    parser.add_argument("--work-dir")
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder (synthetic inbox, warehouse)"
    )
    parser.add_argument("--synth", help="use the synthetic inbox `treem synth` wrote in this folder")
    args = parser.parse_args(argv)
    try:
        report = run_bench(args.out, args.scale, args.sample_files, args.work_dir, args.keep, args.synth)
    except BenchInputError as error:
        print(f"treem bench: {error}", file=sys.stderr)
        return 2
    return 0 if all(g["met"] for g in report["goals"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
