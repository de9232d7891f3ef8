"""Sensors: new workbooks in the inbox start an ingest run; a finished ingest starts the warehouse build.

The inbox sensor keeps, in its cursor, the fingerprints (content hashes) of the files it has already
requested a run for, so a file is picked up once however many ticks see it, and a renamed copy of a file
already seen is not picked up again (the ingest would skip it as a duplicate anyway).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_status_sensor,
    sensor,
)

from ingest.warehouse import warehouse_path
from orchestration.defs.inbox import file_fingerprint, inbox_dir, list_inbox, reporting_year
from orchestration.defs.jobs import ingest_job, warehouse_job


def _inbox_folder() -> Path:
    return Path(os.environ.get("TREEM_INBOX", inbox_dir(warehouse_path().parent)))


def plan_inbox_runs(folder: Path, cursor: str | None) -> tuple[list[RunRequest], str]:
    """Pure planning step of the sensor: run requests for unseen files, one per reporting year."""
    seen: set[str] = set(json.loads(cursor)) if cursor else set()
    new_by_year: dict[int, list[tuple[str, Path]]] = defaultdict(list)
    for path in list_inbox(folder):
        fingerprint = file_fingerprint(path)
        if fingerprint in seen:
            continue
        seen.add(fingerprint)
        new_by_year[reporting_year(path)].append((fingerprint, path))
    requests = []
    for year, files in sorted(new_by_year.items()):
        run_key = f"{year}:" + ",".join(sorted(fp[:12] for fp, _ in files))
        requests.append(
            RunRequest(
                run_key=run_key,
                partition_key=str(year),
                run_config={"ops": {"agency_submissions": {"config": {"paths": [str(p) for _, p in files]}}}},
                tags={
                    "treem/trigger": "inbox_sensor",
                    "treem/year": str(year),
                    "treem/files": str(len(files)),
                },
            )
        )
    return requests, json.dumps(sorted(seen))


@sensor(
    job=ingest_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Start an ingest run for the reporting years of newly arrived inbox workbooks.",
)
def inbox_sensor(context: SensorEvaluationContext):
    requests, cursor = plan_inbox_runs(_inbox_folder(), context.cursor)
    if not requests:
        return SkipReason("no new workbook in the inbox")
    return SensorResult(run_requests=requests, cursor=cursor)


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_job],
    request_job=warehouse_job,
    default_status=DefaultSensorStatus.STOPPED,
    description="Rebuild facts, quality results, marts and reports after a successful ingest.",
)
def rebuild_after_ingest(context):
    year = context.dagster_run.tags.get("dagster/partition", "")
    return RunRequest(
        run_key=f"rebuild-after-{context.dagster_run.run_id}",
        tags={"treem/trigger": "after_ingest", "treem/year": year},
    )
