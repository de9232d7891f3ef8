"""The dbt project as Dagster sees it.

The manifest must exist before the definitions load; `treem setup`/`make setup` and the test session run
`dbt parse` once (see `ensure_manifest`), never at import time, so importing the definitions stays fast.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from ingest.warehouse import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


# The pipeline's builds run the models and their data tests, not dbt's unit tests: those test the SQL, not
# the data, and give the same answer on every build (dbt's advice: run them in development and CI). The test
# suite runs them (tests/dbt/test_unit_tests.py), on PostgreSQL too (tests/postgres/test_parity.py).
PIPELINE_BUILD_EXCLUDE = ["--exclude-resource-type", "unit_test"]


def dbt_executable() -> str:
    """The dbt of this interpreter's environment (the venv), whatever the caller's PATH."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def ensure_manifest(force: bool = False) -> Path:
    """Run `dbt parse` if the manifest is missing (or `force`), and return its path."""
    manifest = dbt_project.manifest_path
    if force or not manifest.exists():
        subprocess.run(
            [
                dbt_executable(),
                "parse",
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
            ],
            check=True,
        )
    return manifest
