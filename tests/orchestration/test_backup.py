"""The scheduled backup: an export that restores to the same warehouse, and old backups pruned."""

from __future__ import annotations

import datetime as dt
import shutil

from dagster import build_schedule_context

from orchestration.definitions import defs
from orchestration.defs.assets.backup import BACKUP_FILE
from orchestration.defs.schedules import nightly_backup
from orchestration.rebuild import compare_warehouses
from orchestration.runner import run_job


def test_backup_restores_to_the_same_warehouse_and_keeps_the_last_ones(
    built_warehouse, dagster_instance, tmp_path
):
    config = {"ops": {"warehouse_backup": {"config": {"keep": 1}}}}
    for _ in range(2):
        assert run_job("backup_job", instance=dagster_instance, run_config=config).success
    backups = [p for p in (built_warehouse.parent / "backups").iterdir() if not p.name.startswith(".")]
    assert len(backups) == 1

    restored = tmp_path / "restored.duckdb"
    shutil.copyfile(backups[0] / BACKUP_FILE, restored)  # the documented restore: copy it into place
    comparison = compare_warehouses(built_warehouse, restored)
    assert comparison.same, comparison.differences
    assert comparison.tables >= 20 and comparison.rows > 10_000


def test_the_backup_is_scheduled_nightly():
    context = build_schedule_context(
        repository_def=defs.get_repository_def(),
        scheduled_execution_time=dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC),
    )
    request = nightly_backup.evaluate_tick(context).run_requests[0]
    assert request.tags["treem/trigger"] == "nightly_backup" and request.run_key == "backup-20260301"
    assert defs.resolve_job_def("backup_job") is not None
    assert "warehouse_backup" not in {
        key.to_user_string()
        for key in defs.resolve_job_def("warehouse_job").asset_layer.executable_asset_keys
    }
