"""The one Definitions object of treem, loaded by `dagster dev`, the schedules, the CLI and the tests."""

from dagster import Definitions

from orchestration.defs.assets.dbt import treem_dbt_models
from orchestration.defs.assets.reference import reference_assets
from orchestration.defs.jobs import reference_job, warehouse_job
from orchestration.defs.resources import build_resources

defs = Definitions(
    assets=[*reference_assets, treem_dbt_models],
    jobs=[reference_job, warehouse_job],
    resources=build_resources(),
)
