"""dbt's unit tests (the SQL of roll-ups, judgements, quotes, fixed inputs and expected rows) pass.

The pipeline's builds leave them out (`PIPELINE_BUILD_EXCLUDE`): they test the SQL, not the data, and would
give the same answer on every build. Here they run once, on a copy of the fixture warehouse (dbt reads the
column types of a model's inputs from the warehouse).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from orchestration.defs.project import DBT_PROJECT_DIR, dbt_executable


def test_dbt_unit_tests_pass(built_warehouse, tmp_path):
    copy = tmp_path / "treem.duckdb"
    shutil.copy(built_warehouse, copy)
    env = {**os.environ, "TREEM_WAREHOUSE": str(copy), "TREEM_DBT_TARGET": "duckdb"}
    args = ["test", "--select", "test_type:unit", "--project-dir", str(DBT_PROJECT_DIR)]
    args += ["--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target")]
    args += ["--log-path", str(tmp_path / "logs")]
    done = subprocess.run([dbt_executable(), *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 9 and {r["status"] for r in unit_tests} == {"pass"}
