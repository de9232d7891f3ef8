"""The one Definitions object of treem, loaded by `dagster dev`, the daemon, the CLI and the tests.

`build_definitions` assembles it from the settings fixed at load (orchestration/defs/settings.py); with
`TREEM_DEPLOY_POSTGRES=1` it includes the PostgreSQL deployment (publish + dbt build on PostgreSQL).
"""

from dagster import Definitions

from orchestration.defs.assets.backup import warehouse_backup
from orchestration.defs.assets.dbt import treem_dbt_models
from orchestration.defs.assets.feedback import agency_feedback
from orchestration.defs.assets.postgres import postgres_assets
from orchestration.defs.assets.publish import reader_snapshot
from orchestration.defs.assets.quality import quality_assets
from orchestration.defs.assets.reference import reference_assets
from orchestration.defs.assets.reports import review_reports as review_reports_asset
from orchestration.defs.assets.submissions import agency_submissions
from orchestration.defs.jobs import (
    backup_job,
    ingest_job,
    postgres_job,
    reference_job,
    report_job,
    warehouse_job,
)
from orchestration.defs.resources import build_resources
from orchestration.defs.schedules import nightly_backup, review_reports, yearly_consolidation
from orchestration.defs.sensors import inbox_sensor, publish_after_build, rebuild_after_ingest
from orchestration.defs.settings import SETTINGS, DefinitionSettings
from orchestration.memory import return_large_frees_to_the_os

# every process that runs treem's steps loads these definitions first (memory.py says why)
return_large_frees_to_the_os()


def build_definitions(settings: DefinitionSettings = SETTINGS) -> Definitions:
    assets = [
        *reference_assets,
        agency_submissions,
        *quality_assets,
        agency_feedback,
        treem_dbt_models,
        review_reports_asset,
        reader_snapshot,
        warehouse_backup,
    ]
    jobs = [reference_job, ingest_job, warehouse_job, report_job, backup_job]
    sensors = [inbox_sensor, rebuild_after_ingest]
    if settings.deploy_postgres:
        assets += postgres_assets
        jobs.append(postgres_job)
        sensors.append(publish_after_build)
    return Definitions(
        assets=assets,
        jobs=jobs,
        schedules=[yearly_consolidation, review_reports, nightly_backup],
        sensors=sensors,
        resources=build_resources(),
    )


defs = build_definitions()
