"""The dbt project as Dagster assets: every model an asset, every dbt test an asset check.

dbt sources map to the Python assets that land them (key `[source, table]`), so the graph runs from the
registry files and the agency workbooks through staging and intermediate models to the marts.
"""

import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import WarehouseResource


class TreemDbtTranslator(DagsterDbtTranslator):
    """Groups dbt models by their layer folder (staging, intermediate, marts) in the asset graph."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") != "model":
            return super().get_group_name(dbt_resource_props)
        folders = dbt_resource_props.get("fqn", [])[1:-1]
        return f"dbt_{folders[0]}" if folders else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TreemDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def treem_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """`dbt build` of the selected models: runs them and their tests in dependency order.

    dbt's profile reads the DuckDB file from `TREEM_WAREHOUSE`; the run's warehouse resource decides it, so
    the loaders and dbt always agree on the file.
    """
    os.environ["TREEM_WAREHOUSE"] = str(warehouse.file)
    yield from dbt.cli(["build"], context=context).stream()
