"""The door under hostile conditions the corpus cannot express as cells: a reader process that dies, a
warehouse without reference data, and the cost of reading number formats."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb

from ingest.workbook import ingest_paths
from tests.ingest.conftest import fill

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_a_dying_reader_rejects_its_file_and_the_batch_goes_on(
    tan_yen_template, tmp_path, reference, monkeypatch
):
    """A worker killed mid-read (as by the OOM killer) is noticed, not waited for: its file is rejected
    `worker_died`, the files after it load, and a re-run skips the file instead of dying again."""
    from ingest.workbook import loader

    real = loader.parse_workbook

    def parse_or_die(path, ref, limits):
        if path.name.startswith("die"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, ref, limits)

    monkeypatch.setattr(loader, "parse_workbook", parse_or_die)  # forked workers inherit the patch
    files = [
        fill(tan_yen_template, tmp_path / "a.xlsx", {("Thị trấn Nhã Nam", "F"): 90}),
        fill(tan_yen_template, tmp_path / "die.xlsx", {("Thị trấn Nhã Nam", "F"): 91}),
        fill(tan_yen_template, tmp_path / "b.xlsx", {("Xã Tân Trung", "F"): 92}),
    ]
    for i, f in enumerate(files):
        os.utime(f, (1_700_000_000 + i, 1_700_000_000 + i))
    wh = tmp_path / "wh" / "t.duckdb"
    summary = ingest_paths(files, wh, reference=reference, workers=2)
    got = [(r.path.name, r.status, r.reason_code) for r in summary.results]
    assert got == [
        ("a.xlsx", "loaded", None),
        ("die.xlsx", "rejected", "worker_died"),
        ("b.xlsx", "loaded", None),
    ]
    again = ingest_paths([files[1]], wh, reference=reference, workers=2)
    assert again.results[0].status == "duplicate"  # recorded as a permanent rejection: never read again
    with duckdb.connect(str(wh), read_only=True) as con:
        message = con.execute("select message from audit.submissions where file_name = 'die.xlsx'").fetchone()
    assert "bị dừng bất thường" in message[0]


def test_ingest_lands_reference_data_first(tan_yen_template, tmp_path):
    """A new warehouse: `treem ingest` lands the reference through reference_job before any value, so no
    verdict rests on a missing catalog."""
    wb = tmp_path / "new" / "treem.duckdb"
    path = fill(tan_yen_template, tmp_path / "tan-yen.xlsx", {("Thị trấn Nhã Nam", "F"): 90})
    env = {**os.environ, "TREEM_WAREHOUSE": str(wb), "DAGSTER_HOME": str(tmp_path / "dh")}
    (tmp_path / "dh").mkdir()
    out = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "ingest", str(path), "--no-build"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "landing it first" in out.stdout
    with duckdb.connect(str(wb), read_only=True) as con:
        assert con.execute("select count(*) from raw.indicators").fetchone()[0] > 0
        assert con.execute("select status from audit.submissions").fetchall() == [("loaded",)]
