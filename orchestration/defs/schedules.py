"""Schedules: the yearly consolidation after the reporting deadline, and the review reports.

Agencies report by 20 November (Tân Yên's plan; others similar), so the consolidation runs the next day by
default; `TREEM_CONSOLIDATION_CRON` changes it. Review reports are rebuilt at the end of each review year
(sơ kết 2025, tổng kết 2030) and skipped in other years.
"""

from __future__ import annotations

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from orchestration.defs.jobs import backup_job, ingest_job, warehouse_job
from orchestration.defs.partitions import PROGRAMME_YEARS
from orchestration.defs.settings import SETTINGS

CONSOLIDATION_CRON = SETTINGS.consolidation_cron
REVIEW_CRON = SETTINGS.review_cron
BACKUP_CRON = SETTINGS.backup_cron
REVIEW_YEARS = {2025, 2030}
TIMEZONE = "Asia/Ho_Chi_Minh"


@schedule(
    job=ingest_job,
    cron_schedule=CONSOLIDATION_CRON,
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.STOPPED,
    description="Yearly consolidation: ingest everything of the current reporting year after the deadline.",
)
def yearly_consolidation(context: ScheduleEvaluationContext):
    year = context.scheduled_execution_time.year
    if str(year) not in PROGRAMME_YEARS:
        return SkipReason(f"{year} is outside the programme years")
    return RunRequest(
        run_key=f"consolidation-{year}",
        partition_key=str(year),
        tags={"treem/trigger": "yearly_consolidation", "treem/year": str(year)},
    )


@schedule(
    job=warehouse_job,
    cron_schedule=REVIEW_CRON,
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.STOPPED,
    description="Rebuild marts and review reports at the end of the review years 2025 and 2030.",
)
def review_reports(context: ScheduleEvaluationContext):
    year = context.scheduled_execution_time.year
    if year not in REVIEW_YEARS:
        return SkipReason(f"{year} is not a review year (2025 sơ kết, 2030 tổng kết)")
    return RunRequest(
        run_key=f"review-{year}", tags={"treem/trigger": "review_reports", "treem/year": str(year)}
    )


@schedule(
    job=backup_job,
    cron_schedule=BACKUP_CRON,
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.STOPPED,
    description="Nightly export of the warehouse to <warehouse>/backups/ (the last 14 kept).",
)
def nightly_backup(context: ScheduleEvaluationContext):
    return RunRequest(
        run_key=f"backup-{context.scheduled_execution_time:%Y%m%d}", tags={"treem/trigger": "nightly_backup"}
    )
