"""Sensors: new workbooks in the inbox start an ingest run; a finished ingest starts the warehouse build.

The inbox holds only what is waiting: the ingest moves every processed original to the archive (by hash,
see `ingest.inbox`). The sensor's cursor therefore only has to remember the files it has requested a run
for that are still in the inbox (queued or running), each as (size, mtime): a tick lists the folder, stats
every file, forgets entries whose file has left, and hashes and opens only files that are new or changed.
The cursor is bounded by the inbox, not by history, and a tick on 3,000 waiting files costs a directory
listing. At most `MAX_FILES_PER_TICK` new files are requested per tick; the rest follow on the next ticks.

A changed file (same path, new size or mtime) is requested again: the ingest decides by content whether it
is new, a duplicate or a correction. A file whose run failed stays in the inbox and is not re-requested
until it changes; the yearly consolidation (or a re-executed run) picks it up.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_status_sensor,
    sensor,
)

from ingest.inbox import Stat, file_fingerprint, list_inbox, reporting_year
from orchestration.defs.jobs import ingest_job, postgres_job, warehouse_job
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.settings import SETTINGS

MAX_FILES_PER_TICK = 1000


def _pending(cursor: str | None) -> dict[str, list[int]]:
    """The cursor's pending files; an older cursor format (a list of every fingerprint) starts afresh."""
    if not cursor:
        return {}
    loaded = json.loads(cursor)
    return loaded.get("pending", {}) if isinstance(loaded, dict) else {}


def plan_inbox_runs(
    folder: Path, cursor: str | None, limit: int = MAX_FILES_PER_TICK
) -> tuple[list[RunRequest], str]:
    """Pure planning step of the sensor: run requests for new or changed files, one per reporting year."""
    waiting = {str(path): path for path in list_inbox(folder)}
    pending = {name: stat for name, stat in _pending(cursor).items() if name in waiting}
    new_by_year: dict[int, list[tuple[str, Path]]] = defaultdict(list)
    requested = 0
    for name, path in waiting.items():
        if requested >= limit:
            break
        try:
            stat = Stat.of(path)
            if pending.get(name) == [stat.size, stat.mtime_ns]:
                continue
            identity = f"{name}|{stat.size}|{stat.mtime_ns}|{file_fingerprint(path)}"
            year = reporting_year(path)
        except FileNotFoundError:  # taken by another run (e.g. the yearly consolidation) meanwhile
            continue
        requested += 1
        pending[name] = [stat.size, stat.mtime_ns]
        new_by_year[year].append((identity, path))
    requests = []
    for year, files in sorted(new_by_year.items()):
        key = hashlib.sha256()
        for identity, _ in files:
            key.update(f"{identity}\n".encode())
        requests.append(
            RunRequest(
                run_key=f"{year}:{key.hexdigest()[:16]}",
                partition_key=str(year),
                run_config={"ops": {"agency_submissions": {"config": {"paths": [str(p) for _, p in files]}}}},
                tags={
                    "treem/trigger": "inbox_sensor",
                    "treem/year": str(year),
                    "treem/files": str(len(files)),
                },
            )
        )
    return requests, json.dumps({"pending": pending}, sort_keys=True)


@sensor(
    job=ingest_job,
    minimum_interval_seconds=SETTINGS.inbox_interval_seconds,
    default_status=DefaultSensorStatus.STOPPED,
    description="Start an ingest run for the reporting years of newly arrived inbox workbooks.",
)
def inbox_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    requests, cursor = plan_inbox_runs(warehouse.inbox_dir, context.cursor)
    if not requests:
        return SensorResult(skip_reason=SkipReason("no new workbook in the inbox"), cursor=cursor)
    return SensorResult(run_requests=requests, cursor=cursor)


# A build that has not started yet, or started after an ingest ended, sees that ingest's data.
_BUILD_WAITING = [DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED]
_BUILD_UNDER_WAY = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.SUCCESS]


def covering_build(instance, ingest_run_id: str) -> str | None:
    """The id of a warehouse build that includes the data of ingest run `ingest_run_id`, if any: one still
    waiting in the queue, or one (running or done) that started after the ingest ended."""
    waiting = instance.get_runs(RunsFilter(job_name=warehouse_job.name, statuses=_BUILD_WAITING), limit=1)
    if waiting:
        return waiting[0].run_id
    ingest = instance.get_run_record_by_id(ingest_run_id)
    ended = ingest.end_time if ingest and ingest.end_time else None
    if ended is None:
        return None
    for record in instance.get_run_records(
        RunsFilter(job_name=warehouse_job.name, statuses=_BUILD_UNDER_WAY), limit=5
    ):
        if record.start_time and record.start_time >= ended:
            return record.dagster_run.run_id
    return None


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_job],
    request_job=warehouse_job,
    default_status=DefaultSensorStatus.STOPPED,
    minimum_interval_seconds=10,
    description="Rebuild facts, quality results, marts and reports after a successful ingest.",
)
def rebuild_after_ingest(context):
    """One build per burst of ingests: an ingest whose data a build already covers (see `covering_build`)
    asks for nothing. Returning None (not a SkipReason) lets the same tick go on to the next finished ingest;
    Dagster evaluates a run-status sensor one requesting event per tick, so a burst of ingests (one per
    reporting year) would otherwise queue one build each, a tick apart."""
    build = covering_build(context.instance, context.dagster_run.run_id)
    if build:
        context.log.info(f"ingest {context.dagster_run.run_id} is covered by warehouse build {build}")
        return None
    year = context.dagster_run.tags.get("dagster/partition", "")
    return RunRequest(
        run_key=f"rebuild-after-{context.dagster_run.run_id}",
        tags={"treem/trigger": "after_ingest", "treem/year": year},
    )


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[warehouse_job],
    request_job=postgres_job,
    default_status=DefaultSensorStatus.STOPPED,
    description="Publish to PostgreSQL and build the marts there after a successful warehouse build.",
)
def publish_after_build(context):
    return RunRequest(
        run_key=f"publish-after-{context.dagster_run.run_id}", tags={"treem/trigger": "after_build"}
    )
