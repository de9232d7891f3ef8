"""One writer at a time: every warehouse asset is in the warehouse pool, the instance treem creates limits
that pool and the run queue to one, and competing runs started at the same moment are serialised with
nothing lost."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.instance.config import PoolGranularity

from ingest.warehouse import PROJECT_ROOT
from orchestration.definitions import defs
from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.runner import ensure_instance_yaml, ensure_pool


def test_every_asset_that_opens_the_warehouse_is_in_the_pool():
    ops = {assets_def.op.name: assets_def.op.pool for assets_def in defs.resolve_asset_graph().assets_defs}
    assert ops, "no assets"
    assert {name for name, pool in ops.items() if pool != WAREHOUSE_POOL} == set()


def test_the_instance_admits_one_run_and_one_warehouse_step(tmp_path):
    ensure_instance_yaml(tmp_path)
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        config = instance.get_concurrency_config()
        assert config.run_queue_config.max_concurrent_runs == 1
        assert config.pool_config.pool_granularity == PoolGranularity.OP
        assert config.pool_config.default_pool_limit == 1
        assert instance.run_coordinator.dequeue_interval_seconds == 1  # the next queued run starts promptly
        ensure_pool(instance)  # created before any claim: two first claims cannot each create it
        assert instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).slot_count == 1


def test_an_existing_instance_yaml_keeps_its_storage(tmp_path):
    storage = {"postgres": {"postgres_url": "postgresql://dagster@db.example/dagster"}}
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump({"storage": storage}))
    ensure_instance_yaml(tmp_path)
    written = yaml.safe_load((tmp_path / "dagster.yaml").read_text())
    assert written["storage"] == storage
    assert written["concurrency"]["runs"]["max_concurrent_runs"] == 1


def test_an_older_run_queue_limit_gives_way_to_the_one_writer_rule(tmp_path):
    coordinator = {
        "module": "dagster._core.run_coordinator",
        "class": "QueuedRunCoordinator",
        "config": {"max_concurrent_runs": 10, "dequeue_interval_seconds": 2},
    }
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump({"run_coordinator": coordinator}))
    ensure_instance_yaml(tmp_path)
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
    kept = yaml.safe_load((tmp_path / "dagster.yaml").read_text())["run_coordinator"]["config"]
    assert kept == {"dequeue_interval_seconds": 2}


# Each competitor is its own process, exactly as the CLI, the daemon's run workers and a second terminal are.
COMPETITOR = textwrap.dedent(
    """
    import sys
    from orchestration.runner import run_job
    year, paths = sys.argv[1], sys.argv[2:]
    config = {"ops": {"agency_submissions": {"config": {"paths": paths}}}}
    outcome = run_job("ingest_job", partition=year, run_config=config, raise_on_error=False)
    sys.exit(0 if outcome.success else 1)
    """
)


@pytest.mark.slow
def test_competing_runs_are_serialised_and_nothing_is_lost(tmp_path):
    from ingest.inbox import reporting_year
    from ingest.samples import generate_samples

    files = generate_samples(tmp_path / "arrivals", plans=("tan-yen-2021",), years=(2023, 2024))
    by_year: dict[str, list[str]] = {}
    for path in files:
        by_year.setdefault(str(reporting_year(path)), []).append(str(path))
    home, warehouse = tmp_path / "dagster_home", tmp_path / "wh" / "treem.duckdb"
    ensure_instance_yaml(home)
    with DagsterInstance.from_config(str(home)) as instance:  # as `treem` and `treem dev` prepare it
        ensure_pool(instance)
    env = {**os.environ, "DAGSTER_HOME": str(home), "TREEM_WAREHOUSE": str(warehouse)}
    # the reference data first, as on any warehouse (an ingest refuses to judge against no catalog)
    landed = subprocess.run(
        [sys.executable, "-c", "from orchestration.runner import run_job; run_job('reference_job')"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert landed.returncode == 0, landed.stdout[-2000:] + landed.stderr[-2000:]
    # three writers at once: each year, and the 2024 files a second time (a re-sent batch)
    batches = [*by_year.items(), ("2024", by_year["2024"])]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", COMPETITOR, year, *paths],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for year, paths in batches
    ]
    outputs = [proc.communicate()[0] for proc in procs]
    for proc, output in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, output[-3000:]
        assert "Could not set lock" not in output

    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs(RunsFilter(job_name="ingest_job"))
        assert len(runs) == len(batches) and {run.status for run in runs} == {DagsterRunStatus.SUCCESS}
        windows = []
        for run in runs:
            stamps = {
                record.event_log_entry.dagster_event.event_type: record.event_log_entry.timestamp
                for record in instance.get_records_for_run(run.run_id).records
                if record.event_log_entry.is_dagster_event
                and record.event_log_entry.dagster_event.event_type
                in (DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS)
            }
            windows.append((stamps[DagsterEventType.STEP_START], stamps[DagsterEventType.STEP_SUCCESS]))
    windows.sort()
    for (_, end), (start, _) in zip(windows, windows[1:], strict=False):
        assert end <= start, f"two warehouse steps overlapped: {windows}"

    with duckdb.connect(str(warehouse), read_only=True) as con:
        statuses = dict(con.execute("select status, count(*) from audit.submissions group by 1").fetchall())
        loaded_shas = con.execute("select count(distinct sha256) from audit.submissions").fetchone()[0]
    # every distinct file recorded once as loaded or rejected; the re-sent batch recorded as duplicates
    received = sum(n for status, n in statuses.items() if status != "duplicate")
    assert received == loaded_shas == len({Path(p).read_bytes() for p in map(str, files)})
    assert statuses.get("duplicate", 0) >= len(by_year["2024"])
