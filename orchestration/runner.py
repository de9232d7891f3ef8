"""Run the Definitions' jobs in-process, as the CLI and the tests do.

The CLI never has a code path of its own: it resolves a job from `orchestration.definitions.defs` and
executes it here, against the Dagster instance in DAGSTER_HOME, so runs show up in the UI's history.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from dagster import DagsterInstance, ExecuteInProcessResult

from ingest.warehouse import PROJECT_ROOT, warehouse_path
from orchestration.defs.concurrency import CONCURRENCY, WAREHOUSE_POOL

QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


DEQUEUE_SECONDS = 1


def instance_config(existing: dict | None = None) -> dict:
    """The instance settings treem relies on, merged into an existing `dagster.yaml` (its storage kept).

    Telemetry off, and the one-writer rule of `orchestration.defs.concurrency`: a run queue of one and
    pools of one slot (the `concurrency` section is treem's; a different one is replaced).
    """
    config = dict(existing or {})
    config.setdefault("telemetry", {"enabled": False})
    config["concurrency"] = CONCURRENCY
    # Older run-queue limits conflict with `concurrency` (Dagster refuses both): the one-writer rule wins.
    queues = [config.get("run_queue"), (config.get("run_coordinator") or {}).get("config")]
    for queue in (q for q in queues if isinstance(q, dict)):
        for key in ("max_concurrent_runs", "tag_concurrency_limits", "block_op_concurrency_limited_runs"):
            queue.pop(key, None)
    # With one run at a time, the queue's poll interval is paid between every two runs (an ingest per
    # reporting year, then the build): 1 s instead of Dagster's 5 s. A configured run coordinator keeps its.
    if "run_coordinator" not in config:
        config["run_queue"] = {"dequeue_interval_seconds": DEQUEUE_SECONDS, **(config.get("run_queue") or {})}
    return config


def ensure_instance_yaml(home: Path | str) -> Path:
    """Write (or complete) `<home>/dagster.yaml` with `instance_config`; return its path."""
    path = Path(home) / "dagster.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    wanted = instance_config(existing)
    if wanted != existing:
        path.write_text(yaml.safe_dump(wanted, sort_keys=False), encoding="utf-8")
    return path


def ensure_pool(instance: DagsterInstance) -> None:
    """Give the warehouse pool its one slot now, before any run claims it.

    Left to the default limit, the pool is created by the first claim; two processes claiming at the same
    moment can each create it and hold a slot each. Set once, explicitly, no claim ever creates it.
    """
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return
    if storage.get_concurrency_info(WAREHOUSE_POOL).slot_count != 1:
        storage.set_concurrency_slots(WAREHOUSE_POOL, 1)


def dagster_instance() -> DagsterInstance:
    """The persistent instance in DAGSTER_HOME (default `.dagster_home/` in the project)."""
    home = os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))
    ensure_instance_yaml(home)
    instance = DagsterInstance.get()
    ensure_pool(instance)
    return instance


def run_log_path(job_name: str, partition: str | None) -> Path:
    """`warehouse/logs/<job>[-<partition>].log`: the full output of the last such run."""
    folder = warehouse_path().parent / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job_name}{'-' + partition if partition else ''}.log"


@dataclass
class JobOutcome:
    job_name: str
    partition: str | None
    seconds: float
    success: bool
    materialized: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)


@contextlib.contextmanager
def warehouse_lock():
    """Hold `<warehouse>.lock` (an exclusive flock) while a run started from this process executes.

    Why, beside the pool: runs the CLI, the tests or a second terminal start in their own processes claim
    the pool's one slot through the instance's storage, and on a loaded machine two claims made in the
    same millisecond were seen to both succeed. The lock makes such in-process runs wait for each other at
    the operating-system level; runs the daemon launches are held to one by the run queue. The lock is
    released when the run ends, or when its process dies.
    """
    import fcntl

    path = warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_heap_frozen = False


def _freeze_loaded_heap() -> None:
    """Once per process, before its first run: move what is loaded (the Definitions, dbt's manifest, ~450,000
    objects) out of the cyclic garbage collector's reach. They live as long as the process, and every full
    collection traversed them all: ~0.2 s, paid by whichever step happened to trigger it (in a backfill, the
    first year's ingest). Objects made afterwards are collected as usual."""
    global _heap_frozen
    if not _heap_frozen:
        gc.freeze()
        _heap_frozen = True


def run_job(
    job_name: str,
    partition: str | None = None,
    instance: DagsterInstance | None = None,
    quiet: bool = True,
    raise_on_error: bool = True,
    run_config: dict | None = None,
    tags: dict[str, str] | None = None,
) -> JobOutcome:
    """Execute one job of the Definitions in this process and summarise what it materialised."""
    from orchestration.definitions import defs

    job = defs.resolve_job_def(job_name)
    _freeze_loaded_heap()
    started = time.perf_counter()
    log_path = run_log_path(job_name, partition)
    # dbt's event stream is echoed on stdout by dagster-dbt; keep it in a log file, not on the console.
    with (
        warehouse_lock(),
        log_path.open("w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log if quiet else sys.stdout),
    ):
        result: ExecuteInProcessResult = job.execute_in_process(
            instance=instance or dagster_instance(),
            partition_key=partition,
            run_config={**(QUIET_RUN_CONFIG if quiet else {}), **(run_config or {})},
            raise_on_error=raise_on_error,
            tags={"treem/trigger": "cli", **(tags or {})},
        )
    materialized = sorted(
        {event.asset_key.to_user_string() for event in result.get_asset_materialization_events()}
    )
    failed_checks = sorted(
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in (
            event.event_specific_data
            for event in result.all_events
            if event.event_type_value == "ASSET_CHECK_EVALUATION"
        )
        if not evaluation.passed
    )
    return JobOutcome(
        job_name, partition, time.perf_counter() - started, result.success, materialized, failed_checks
    )
