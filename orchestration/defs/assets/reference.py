"""Reference assets: the reviewed registry files and the administrative-units library, landed as `raw.*`.

Each raw table is its own asset (key `[dbt source, table]`) so the dbt models downstream of it show their
real lineage in the UI. All are unpartitioned: they describe the programme, not a reporting year.
"""

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from ingest import warehouse
from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource

GROUP = "reference"


def land_frames(
    context: AssetExecutionContext, resource: WarehouseResource, frames: dict[str, pd.DataFrame]
) -> list[MaterializeResult]:
    """Replace each `raw.<table>` with its frame and report one materialisation per table."""
    results = []
    with resource.connect() as con:
        warehouse.ensure_tables(con, warehouse.ALL_TABLES)
        for qualified_name, frame in frames.items():
            rows = warehouse.replace_table(con, qualified_name, frame, warehouse.ALL_TABLES[qualified_name])
            context.log.info(f"{qualified_name}: {rows} rows")
            results.append(MaterializeResult(asset_key=source_key(qualified_name), metadata={"rows": rows}))
    return results


def source_key(qualified_name: str) -> AssetKey:
    """`raw.targets` -> the dbt source's asset key, `reference/targets`."""
    return AssetKey(list(warehouse.SOURCE_OF_TABLE[qualified_name]))


def source_description(qualified_name: str) -> str | None:
    """The table's own description from the dbt sources (one home), so that the tables one asset function
    lands do not all show that function's description in the Dagster UI."""
    import json

    from orchestration.defs.project import dbt_project

    schema, table = warehouse.SOURCE_OF_TABLE[qualified_name]
    try:
        sources = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))["sources"].values()
    except (OSError, ValueError, KeyError):
        return None
    for source in sources:
        if (source["source_name"], source["name"]) == (schema, table) and source.get("description"):
            return source["description"]
    return None


def specs(*qualified_names: str, deps: tuple[str, ...] = (), description: str = "") -> list[AssetSpec]:
    return [
        AssetSpec(
            source_key(name),
            group_name=GROUP,
            deps=[source_key(d) for d in deps],
            description=source_description(name) or description or None,
        )
        for name in qualified_names
    ]


@multi_asset(
    specs=specs("raw.indicators", description="Indicator catalog (indicators.yaml)."), pool=WAREHOUSE_POOL
)
def indicator_catalog(context: AssetExecutionContext, warehouse: WarehouseResource):
    from ingest.reference.catalog import load_indicators

    yield from land_frames(context, warehouse, {"raw.indicators": load_indicators()})


@multi_asset(
    specs=specs(
        "raw.plans",
        "raw.targets",
        "raw.target_overrides",
        "raw.assignments",
        "raw.plan_baselines",
        description="Plan registry: targets with quotes, assignments, baselines (data/plans/*.yaml).",
    ),
    pool=WAREHOUSE_POOL,
)
def plan_registry(context: AssetExecutionContext, warehouse: WarehouseResource):
    from ingest.reference.plans import load_registry

    yield from land_frames(context, warehouse, load_registry())


@multi_asset(
    specs=specs(
        "raw.localities",
        "raw.locality_succession",
        description="Both administrative schemes and the old-to-new crosswalk (vietnam-provinces).",
    ),
    pool=WAREHOUSE_POOL,
)
def administrative_units(context: AssetExecutionContext, warehouse: WarehouseResource):
    from ingest.reference.localities import build_localities, build_succession

    frames = {"raw.localities": build_localities(), "raw.locality_succession": build_succession()}
    yield from land_frames(context, warehouse, frames)


@multi_asset(
    specs=specs("raw.agencies", deps=("raw.plans",), description="Time-bound reporting agencies."),
    pool=WAREHOUSE_POOL,
)
def reporting_agencies(context: AssetExecutionContext, warehouse: WarehouseResource):
    from ingest.reference.agencies import build_agencies
    from ingest.reference.plans import load_registry

    plans = load_registry()["raw.plans"]
    yield from land_frames(context, warehouse, {"raw.agencies": build_agencies(plans)})


@multi_asset(
    specs=specs(
        "raw.tasks",
        "raw.task_coordination",
        description="Task registry (nhiệm vụ) with lead and coordinating sectors (data/tasks/*.yaml).",
    ),
    pool=WAREHOUSE_POOL,
)
def task_registry(context: AssetExecutionContext, warehouse: WarehouseResource):
    from ingest.reference.tasks import load_tasks

    yield from land_frames(context, warehouse, load_tasks())


@multi_asset(
    specs=specs(
        "raw.reporting_units",
        deps=("raw.plans", "raw.localities", "raw.locality_succession"),
        description="The units each plan's yearly report lists (the template's rows).",
    ),
    pool=WAREHOUSE_POOL,
)
def reporting_units(context: AssetExecutionContext, warehouse: WarehouseResource):
    """The template's rule, landed: completeness expects exactly the units the agencies' workbooks list."""
    from ingest.workbook.context import load_reference, reporting_units_frame

    frames = {"raw.reporting_units": reporting_units_frame(load_reference())}
    yield from land_frames(context, warehouse, frames)


@multi_asset(
    specs=specs(
        "raw.expected_agencies",
        deps=(
            "raw.plans",
            "raw.assignments",
            "raw.tasks",
            "raw.agencies",
            "raw.localities",
            "raw.locality_succession",
        ),
        description="The agency expected to report each plan's sector per year (the template's agency).",
    ),
    pool=WAREHOUSE_POOL,
)
def expected_agencies(context: AssetExecutionContext, warehouse: WarehouseResource):
    """The template's agency rule, landed: completeness waits for the agency the workbooks name."""
    from ingest.workbook.context import expected_agencies_frame, load_reference

    frames = {"raw.expected_agencies": expected_agencies_frame(load_reference())}
    yield from land_frames(context, warehouse, frames)


reference_assets = [
    indicator_catalog,
    plan_registry,
    administrative_units,
    reporting_agencies,
    reporting_units,
    expected_agencies,
    task_registry,
]
