"""The Dagster multi-asset: materialises both dq tables and reports each check family as an asset check."""

from __future__ import annotations

import ast
import subprocess
import sys

from dagster import AssetKey, materialize

from ingest.warehouse import PROJECT_ROOT
from orchestration.defs.assets.quality import data_quality
from orchestration.defs.resources import WarehouseResource
from tests.expectations.conftest import DISTRICTS, set_value


def test_asset_materialises_and_reports_failed_error_checks(make_warehouse, tmp_path, capsys):
    con = make_warehouse(
        lambda y, r: set_value(r, "IMMUNIZATION_U1", DISTRICTS[2], value=120.0) if y == 2024 else r
    )
    con.close()
    result = materialize(
        [data_quality], resources={"warehouse": WarehouseResource(path=str(tmp_path / "treem.duckdb"))}
    )
    assert result.success
    keys = {e.asset_key for e in result.get_asset_materialization_events()}
    assert keys == {AssetKey(["dq", "check_results"]), AssetKey(["dq", "flagged_values"])}
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not checks["value_range"].passed and checks["value_range"].severity.value == "ERROR"
    assert checks["value_range"].metadata["unexpected"].value == 1
    assert "Số liệu!E12" in checks["value_range"].metadata["failures"].value
    assert checks["completeness"].passed and checks["numerator_le_denominator"].passed
    assert (
        not checks["outlier_cross_locality"].passed
        and checks["outlier_cross_locality"].severity.value == "WARN"
    )
    assert (tmp_path / "dq" / "index.html").exists()
    err = capsys.readouterr().err.splitlines()
    progress = [line for line in err if line.startswith("  data quality:")]
    assert "judging submissions loaded or changed" in progress[0]
    assert " submissions judged in " in progress[1] and "pages written to" in progress[2]


def test_great_expectations_is_imported_lazily():
    """The definitions import the asset module; GX (seconds to import) must wait for a run."""
    code = (
        "import sys, expectations.runner, expectations.report, expectations.suites, expectations.checks; "
        "sys.exit('great_expectations' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT).returncode == 0
    module = ast.parse((PROJECT_ROOT / "orchestration/defs/assets/quality.py").read_text(encoding="utf-8"))
    top_level = {
        alias.name if isinstance(node, ast.Import) else node.module
        for node in module.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {m for m in top_level if m and m.split(".")[0] == "great_expectations"}
    assert not top_level & {"expectations.runner", "expectations.report", "__future__"}
