"""A warehouse file holding the real reference data, and a dbt run against it: for tests that need the real
catalog, administrative units and bridge (not a hand-made subset) under their values."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ingest import warehouse

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT = REPO_ROOT / ".venv" / "bin" / "dbt"


def land_reference(path: Path) -> None:
    """Every reference table, built by the same functions the reference assets call."""
    from ingest.reference.agencies import build_agencies
    from ingest.reference.catalog import load_indicators
    from ingest.reference.localities import build_localities, build_succession
    from ingest.reference.plans import load_registry
    from ingest.reference.tasks import load_tasks
    from ingest.workbook.context import expected_agencies_frame, load_reference, reporting_units_frame

    registry = load_registry()
    localities = build_localities()
    frames = {
        **registry,
        **load_tasks(),
        "raw.indicators": load_indicators(),
        "raw.localities": localities,
        "raw.locality_succession": build_succession(),
        "raw.agencies": build_agencies(registry["raw.plans"], localities),
        "raw.reporting_units": reporting_units_frame(load_reference()),
        "raw.expected_agencies": expected_agencies_frame(load_reference()),
    }
    with warehouse.connect(path) as con:
        warehouse.ensure_tables(con, warehouse.ALL_TABLES)
        for name, frame in frames.items():
            warehouse.replace_table(con, name, frame, warehouse.ALL_TABLES[name])


def dbt_run(path: Path, work: Path, *select: str) -> subprocess.CompletedProcess:
    """`dbt run --select <select>` on the warehouse at `path` (target and logs under `work`)."""
    env = {**os.environ, "TREEM_WAREHOUSE": str(path), "TREEM_DBT_TARGET": "duckdb"}
    return subprocess.run(
        [
            str(DBT),
            "run",
            "--select",
            *select,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
