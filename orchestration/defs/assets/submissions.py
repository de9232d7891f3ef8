"""The yearly ingest: agency workbooks in the inbox become raw values, audit rows and quarantine rows.

Partitioned by reporting year so a late or corrected workbook re-runs only its year. The asset writes
through `ingest.workbook.ingest_paths`, which loads each file in one transaction and is idempotent by
content hash, so a retried or repeated run never double-loads. It refuses to run on a warehouse without
reference data (the CLI lands it first): a verdict must never rest on a missing catalog.
"""

import itertools
import sys
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    Backoff,
    Config,
    Failure,
    MaterializeResult,
    RetryPolicy,
    multi_asset,
)

from ingest.inbox import list_inbox, reporting_year, settle
from orchestration.defs.assets.reference import source_description, source_key
from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.defs.partitions import year_partitions
from orchestration.defs.resources import WarehouseResource

SUBMISSION_TABLES = ("raw.indicator_values", "raw.task_reports", "audit.submissions", "audit.quarantine")
# Used where the dbt source (models/staging/_sources.yml) carries no description of its own.
TABLE_DESCRIPTIONS = {
    "raw.indicator_values": "Indicator values from agency workbooks, each with its file, sheet and cell.",
    "raw.task_reports": "Task statuses and narratives from the workbooks' task sheet (Nhiệm vụ).",
    "audit.submissions": "Every file received: loaded, rejected or superseded, with its counts and message.",
    "audit.quarantine": "Every non-empty cell not loaded, with its reason code and Vietnamese reason.",
}
EVENT_LOG_EVERY = 100  # files between two progress lines in the run's event log
REFERENCE_DEPS = (
    "raw.plans",
    "raw.assignments",
    "raw.localities",
    "raw.locality_succession",
    "raw.agencies",
    "raw.tasks",
)


class IngestConfig(Config):
    """Which files to ingest; empty means every inbox file of the partition's year."""

    paths: list[str] = []


@multi_asset(
    specs=[
        AssetSpec(
            source_key(name),
            group_name="submissions",
            deps=[source_key(dep) for dep in REFERENCE_DEPS],
            description=source_description(name) or TABLE_DESCRIPTIONS[name],
        )
        for name in SUBMISSION_TABLES
    ],
    partitions_def=year_partitions,
    retry_policy=RetryPolicy(max_retries=2, delay=5, backoff=Backoff.EXPONENTIAL),
    pool=WAREHOUSE_POOL,
)
def agency_submissions(context: AssetExecutionContext, config: IngestConfig, warehouse: WarehouseResource):
    from ingest.warehouse import MissingReference
    from ingest.workbook import ingest_paths

    no_reference = Failure(
        allow_retries=False,
        description="No reference data in the warehouse (raw.indicators, raw.plans, raw.localities): "
        "run reference_job first; values judged against a missing catalog would all be errors.",
    )
    if not warehouse.file.exists():
        raise no_reference
    year = int(context.partition_key)
    if config.paths:
        files = [Path(p) for p in config.paths]
    else:
        files = [p for p in list_inbox(warehouse.inbox_dir) if reporting_year(p) == year]
    context.log.info(f"{len(files)} file(s) for {year}")

    done = itertools.count(1)

    def progress(line: str) -> None:
        # Every file's line on stderr: the CLI's console and the UI's compute logs. The event log gets every
        # EVENT_LOG_EVERY-th and the last: an event per file cost ~1 ms, as much as writing the file's rows.
        print(f"  {year}: {line}", file=sys.stderr, flush=True)
        n = next(done)
        if n % EVENT_LOG_EVERY == 0 or n == len(files):
            context.log.info(line)

    try:  # the reference is checked on the ingest's own connection, before anything is loaded
        summary = ingest_paths(
            files, warehouse_path=warehouse.file, progress=progress, require_reference=True
        )
    except MissingReference as exc:
        raise no_reference from exc
    # Log the arrivals and move the processed inbox originals to the archive (see ingest.inbox).
    settle(summary, warehouse.inbox_dir, warehouse.archive_dir, year)
    metadata = summary.as_metadata()
    for name in SUBMISSION_TABLES:
        yield MaterializeResult(asset_key=source_key(name), metadata=metadata)
