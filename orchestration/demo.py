"""The main job, end to end: what `treem demo` runs and what the test session builds its fixture with.

1. land the reference data (catalog, plan registry, localities, agencies, tasks);
2. put the deterministic sample submissions in the inbox (`TREEM_INBOX`, else `warehouse/inbox`) and ingest
   them, one reporting-year partition at a time (the same partitions the inbox sensor would request); each
   processed original moves to the archive;
3. build the warehouse: data quality, dbt models and marts, review reports.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dagster import DagsterInstance

from ingest.inbox import inbox_folder, list_inbox, reporting_year
from orchestration.runner import JobOutcome, run_job


def build_demo_warehouse(
    instance: DagsterInstance | None = None,
    inbox: Path | None = None,
    on_outcome: Callable[[JobOutcome], None] | None = None,
) -> list[JobOutcome]:
    from ingest.samples import defects_as_dicts, generate_samples
    from ingest.warehouse import warehouse_path
    from orchestration.summary import record_planted_defects

    inbox = inbox or inbox_folder()
    report = on_outcome or (lambda outcome: None)
    outcomes = []

    def run(job_name: str, partition: str | None = None) -> None:
        outcome = run_job(job_name, partition=partition, instance=instance)
        outcomes.append(outcome)
        report(outcome)

    run("reference_job")
    generate_samples(inbox)
    record_planted_defects(warehouse_path().parent, defects_as_dicts())  # the summary labels them as planted
    years = sorted({reporting_year(path) for path in list_inbox(inbox)})
    for year in years:
        run("ingest_job", partition=str(year))
    run("warehouse_job")
    return outcomes
