"""The Dagster asset builds both reviews for every numeric plan into <warehouse>/reports/."""

from dagster import AssetKey, materialize

from orchestration.defs.assets.reports import review_reports
from orchestration.defs.resources import WarehouseResource


def test_asset_deps():
    deps = {key.to_user_string() for key in review_reports.asset_deps[AssetKey("review_reports")]}
    assert deps == {
        "marts/mart_so_ket_2025",
        "marts/mart_tong_ket_2030",
        "marts/mart_reporting_completeness",
        "dq/check_results",
    }


def test_asset_builds_every_numeric_plan(report_warehouse):
    resource = WarehouseResource(path=str(report_warehouse))
    result = materialize([review_reports], resources={"warehouse": resource})
    assert result.success
    out = report_warehouse.parent / "reports"
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        f"{plan}_{review}.{ext}"
        for plan in ("bac-ninh-2021", "dien-bien-2021")
        for review in ("so-ket-2025", "tong-ket-2030")
        for ext in ("html", "xlsx")
    ]  # lai-chau-2020 has no numeric targets


def test_asset_config_restricts_plans_and_reviews(report_warehouse, tmp_path):
    import shutil

    copy = tmp_path / "treem.duckdb"
    shutil.copy(report_warehouse, copy)
    resource = WarehouseResource(path=str(copy))
    config = {
        "ops": {"review_reports": {"config": {"plan_ids": ["bac-ninh-2021"], "reviews": ["so-ket-2025"]}}}
    }
    result = materialize([review_reports], resources={"warehouse": resource}, run_config=config)
    assert result.success
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "bac-ninh-2021_so-ket-2025.html",
        "bac-ninh-2021_so-ket-2025.xlsx",
    ]
