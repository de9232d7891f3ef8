"""A scheduled backup of the warehouse: a checkpointed copy into `<warehouse>/backups/<time>/treem.duckdb`.

Why a copy and not DuckDB's `EXPORT DATABASE`: an export writes the dbt views in name order, not in the
order they depend on each other (intermediate views on staging views), so `IMPORT DATABASE` of it fails.
The copy is made the way the readers' copy is (`ingest.snapshot`: `COPY FROM DATABASE` into a file in the
v1.4.0 storage format, which every later DuckDB opens), under the warehouse pool, so it never races a
writer. Restore by copying it into place:

    cp warehouse/backups/20251121-020000-000000/treem.duckdb warehouse/treem.duckdb

The archive (`warehouse/archive/`) is the other half of recovery: `treem rebuild` replays it. A backup
makes recovery fast; the archive makes it possible even with no backup. `keep` backups are kept, oldest
removed first. Back up the `backups/` and `archive/` folders off the machine as well.
"""

import datetime as dt
import shutil
from pathlib import Path

from dagster import AssetExecutionContext, Config, MaterializeResult, asset

from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource

BACKUP_FILE = "treem.duckdb"


class BackupConfig(Config):
    keep: int = 14  # how many backups to keep


def export_warehouse(warehouse: WarehouseResource, backups: Path, keep: int) -> tuple[Path, list[Path]]:
    """Copy the warehouse into a new timestamped folder; drop the oldest beyond `keep`."""
    from ingest.snapshot import snapshot_for_readers

    if keep < 1:
        raise ValueError("keep must be at least 1")
    target = backups / dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    partial = target.with_name(f".{target.name}.partial")
    partial.mkdir(parents=True, exist_ok=True)
    snapshot_for_readers(warehouse.file, partial / BACKUP_FILE)
    partial.rename(target)  # only complete copies carry a backup's name
    existing = sorted(p for p in backups.iterdir() if p.is_dir() and not p.name.startswith("."))
    dropped = existing[:-keep]
    for old in dropped:
        shutil.rmtree(old)
    return target, dropped


@asset(
    group_name="backup",
    description="A checkpointed copy of the warehouse into <warehouse>/backups/<time>/treem.duckdb.",
    pool=WAREHOUSE_POOL,
)
def warehouse_backup(
    context: AssetExecutionContext, config: BackupConfig, warehouse: WarehouseResource
) -> MaterializeResult:
    target, dropped = export_warehouse(warehouse, warehouse.root / "backups", config.keep)
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    context.log.info(f"backup {target} ({size:,} bytes); removed {len(dropped)} old backup(s)")
    return MaterializeResult(metadata={"path": str(target), "bytes": size, "removed": len(dropped)})
