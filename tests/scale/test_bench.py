"""The benchmark's machinery at a tiny scale (2 provinces, 1 sector, 2 years). Not a timed test:
no timeout (a busy machine may take several minutes) and no assertion on seconds, only on what every stage
produced. Marked `slow`: `make test` runs it, `pytest -m "not slow"` skips it while iterating.

The bench runs in its own process (as `python -m orchestration.bench` / `treem bench` does): its memory
figures are of its own process tree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.synth import SYNTH_SCALES
from ingest.warehouse import PROJECT_ROOT


@pytest.mark.slow
def test_tiny_bench_runs_every_stage(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.bench",
            "--scale",
            "tiny",
            "--out",
            str(out),
            "--sample-files",
            "2",
            "--work-dir",
            str(tmp_path / "work"),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["synth"]["files"] == 4
    readers = report["readers"]
    assert readers["treem_calamine"]["cells"] > 0 and readers["ratio"] > 0
    pipe = report["pipeline"]
    assert pipe["after_backfill"]["values_loaded"] > 0
    assert pipe["after_incremental"]["values_loaded"] > pipe["after_backfill"]["values_loaded"]
    assert (
        pipe["after_incremental"]["fct_indicator_value_rows"]
        > pipe["after_backfill"]["fct_indicator_value_rows"]
    )
    assert pipe["after_incremental"]["rejected"] == 0
    for stage in ("backfill.total", "incremental.total", "backfill.warehouse_job", "incremental.ingest_job"):
        assert report["stages"][stage] > 0
    for phase in ("backfill", "incremental"):
        versus = report["ingest_vs_bare_read"][phase]
        assert versus["files"] == 2 and versus["bare_read_seconds"] > 0 and versus["cells"] > 0
        assert versus["ratio"] == round(versus["ingest_seconds"] / versus["bare_read_seconds"], 2)
        assert 0 < versus["ingest_step_seconds"] < versus["ingest_seconds"]
    split = report["incremental_by_stage"]
    assert set(split) == {"ingest", "dq", "feedback", "dbt", "reports", "snapshot", "overhead"}
    assert all(split[stage] > 0 for stage in ("ingest", "dq", "dbt", "reports", "snapshot"))
    assert sum(split.values()) == pytest.approx(report["stages"]["incremental.total"], abs=0.05)
    assert set(report["goals"]) == {
        "ingest_read_ratio",
        "ingest_bare_read_ratio",
        "backfill_seconds",
        "incremental_seconds",
        "peak_memory_mb",
    }
    assert report["memory"]["peak_mb"] > 0
    high_water = pipe["memory_high_water_mb"]
    assert list(high_water) == [
        "readers and profile",
        "backfill.reference_job",
        "backfill.ingest_job",
        "backfill.warehouse_job",
        "incremental.ingest_job",
        "incremental.warehouse_job",
    ]
    assert list(high_water.values()) == sorted(high_water.values())  # maxrss only grows
    assert high_water["incremental.warehouse_job"] <= report["memory"]["self_mb"]
    assert "; the peak was reached in " in proc.stdout
    assert "treem bench — scale tiny" in proc.stdout
    assert "ingest ÷ bare calamine read (incremental, 2 files)" in proc.stdout
    assert f"incremental {report['scale']['incremental_year']} by stage: ingest " in proc.stdout


def test_bench_reuses_a_synthetic_inbox_only_when_it_holds_the_scale(tmp_path, capsys):
    """`--synth DIR` uses an inbox `treem synth` wrote instead of writing one; a folder without a manifest,
    without the scale's years, of another scale or seed, or with files gone is refused in one line (with the
    command that writes the right one), exit 2, before anything is created or removed."""
    from ingest.synth import DEFAULT_DEFECT_RATE, DEFAULT_SEED, SynthFile, SynthManifest, plan_tasks
    from orchestration.bench import SCALES, main, reuse_synth

    synth = tmp_path / "synth"
    synth.mkdir()
    work = tmp_path / "w"
    args = ["--scale", "tiny", "--out", str(tmp_path / "b.json"), "--work-dir", str(work)]
    assert main([*args, "--synth", str(synth)]) == 2
    said = capsys.readouterr().err
    assert "has no manifest.json" in said and "treem synth --scale tiny --years 2024-2025" in said
    assert not work.exists()  # refused before the work folder was made

    def manifest(seed: int) -> list[Path]:
        tasks = plan_tasks(synth, [2024, 2025], seed, *SYNTH_SCALES["tiny"], DEFAULT_DEFECT_RATE)
        made = SynthManifest(str(synth), seed, [2024, 2025], DEFAULT_DEFECT_RATE)
        for _, province, sector, year, _, _ in tasks:
            path = synth / f"{year}_{province}_{sector}.xlsx"
            path.write_bytes(b"x")
            made.files.append(SynthFile(str(path), province, sector, year, 1, 1, 1))
        made.write(synth / "manifest.json")
        return made.paths()

    files = manifest(DEFAULT_SEED)
    assert len(files) == 4
    assert reuse_synth(synth, SCALES["tiny"], [2024, 2025]).paths() == files

    assert main([*args, "--scale", "province", "--synth", str(synth)]) == 2
    assert "lacks the years 2020, 2021, 2022, 2023, 2026 of scale province" in capsys.readouterr().err
    manifest(7)
    assert main([*args, "--synth", str(synth)]) == 2
    assert "is not the inbox of scale tiny" in capsys.readouterr().err
    manifest(DEFAULT_SEED)
    files[0].unlink()
    assert main([*args, "--synth", str(synth)]) == 2
    assert "1 files of its manifest are gone" in capsys.readouterr().err
    assert not (tmp_path / "b.json").exists()


def test_bench_never_empties_a_warehouse_it_did_not_make(tmp_path, capsys):
    """`--work-dir .` must not cost the project its warehouse: a work folder whose `warehouse/` the bench did
    not mark is refused, untouched."""
    from orchestration.bench import main

    theirs = tmp_path / "warehouse" / "treem.duckdb"
    theirs.parent.mkdir()
    theirs.write_bytes(b"an analyst's warehouse")
    args = ["--scale", "tiny", "--out", str(tmp_path / "b.json"), "--work-dir", str(tmp_path)]
    assert main(args) == 2
    assert "holds a warehouse the bench did not make" in capsys.readouterr().err
    assert theirs.read_bytes() == b"an analyst's warehouse"
