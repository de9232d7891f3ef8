"""Publish the built warehouse to its readers: the last step of the warehouse job.

DuckDB locks its file for one writer, so analysts read `treem.read.duckdb`, a copy swapped in atomically
after every successful build (see `ingest.snapshot`). The asset depends on the marts and the reports, so a
failed build never replaces what readers see.
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource

PUBLISHED_AFTER = [
    AssetKey(["marts", "mart_so_ket_2025"]),
    AssetKey(["marts", "mart_tong_ket_2030"]),
    AssetKey(["marts", "mart_reporting_completeness"]),
    AssetKey(["marts", "mart_task_progress"]),
    AssetKey(["review_reports"]),
]


@asset(
    group_name="publish",
    deps=PUBLISHED_AFTER,
    description="Read-only copy of the warehouse for analysts, replaced atomically after each build.",
    pool=WAREHOUSE_POOL,
)
def reader_snapshot(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from ingest.snapshot import snapshot_for_readers

    path = snapshot_for_readers(warehouse.file)
    context.log.info(f"readers' copy: {path}")
    return MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})
