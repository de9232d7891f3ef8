"""A scheduled backup of the warehouse file: DuckDB `EXPORT DATABASE` into `<warehouse>/backups/<time>/`.

Why an export and not a file copy: the export (schema SQL plus one Parquet file per table) is readable by
any later DuckDB version, while a database file may not be, and it is taken through a normal connection
under the warehouse pool, so it never races a writer. Restore with `IMPORT DATABASE` into a new file:

    duckdb warehouse/treem.duckdb -c "import database 'warehouse/backups/20251121-020000'"

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


class BackupConfig(Config):
    keep: int = 14  # how many backups to keep


def export_warehouse(warehouse: WarehouseResource, backups: Path, keep: int) -> tuple[Path, list[Path]]:
    """Export the warehouse into a new timestamped folder; drop the oldest beyond `keep`."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    target = backups / dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    partial = target.with_name(f".{target.name}.partial")
    backups.mkdir(parents=True, exist_ok=True)
    with warehouse.connect(read_only=True) as con:
        con.execute(f"export database '{partial}' (format parquet)")
    partial.rename(target)  # only complete exports carry a backup's name
    existing = sorted(p for p in backups.iterdir() if p.is_dir() and not p.name.startswith("."))
    dropped = existing[:-keep]
    for old in dropped:
        shutil.rmtree(old)
    return target, dropped


@asset(
    group_name="backup",
    description="DuckDB EXPORT DATABASE of the warehouse into <warehouse>/backups/<time>/ (restore: IMPORT).",
    pool=WAREHOUSE_POOL,
)
def warehouse_backup(
    context: AssetExecutionContext, config: BackupConfig, warehouse: WarehouseResource
) -> MaterializeResult:
    target, dropped = export_warehouse(warehouse, warehouse.root / "backups", config.keep)
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    context.log.info(f"backup {target} ({size:,} bytes); removed {len(dropped)} old backup(s)")
    return MaterializeResult(metadata={"path": str(target), "bytes": size, "removed": len(dropped)})
