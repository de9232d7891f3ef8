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
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
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
    assert sorted(p.name for p in (tmp_path / "reports").iterdir() if not p.name.startswith(".")) == [
        "bac-ninh-2021_so-ket-2025.html",
        "bac-ninh-2021_so-ket-2025.xlsx",
    ]


def _mtimes(folder):
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if not p.name.startswith(".")}


def test_only_reports_whose_rows_changed_are_rewritten(report_warehouse, tmp_path, capsys):
    """A second run with the same marts writes nothing; a change in one plan's review rows rewrites that
    plan's report and no other; `force` rewrites all."""
    import shutil

    import duckdb

    copy = tmp_path / "treem.duckdb"
    shutil.copy(report_warehouse, copy)
    resource = WarehouseResource(path=str(copy))
    out = tmp_path / "reports"
    first = materialize([review_reports], resources={"warehouse": resource})
    assert first.success
    before = _mtimes(out)
    assert len(before) == 8
    capsys.readouterr()

    again = materialize([review_reports], resources={"warehouse": resource})
    assert again.success
    assert _mtimes(out) == before
    progress = [
        line.strip() for line in capsys.readouterr().err.splitlines() if line.startswith("  reports: ")
    ]
    # one line per report as its worker finishes (in the order they finish)
    assert any(line.endswith("/4] bac-ninh-2021 so-ket-2025: unchanged, not rewritten") for line in progress)
    assert progress[-1].endswith("0 file(s) written, 4 report(s) unchanged")
    assert again.asset_materializations_for_node("review_reports")[0].metadata["unchanged"].value == 4

    with duckdb.connect(str(copy)) as con:
        changed = con.execute(
            "update marts.mart_so_ket_2025 set value_2025 = coalesce(value_2025, 0) + 1 "
            "where plan_id = 'bac-ninh-2021' and is_plan_territory"
        ).fetchone()[0]
    assert changed > 0
    third = materialize([review_reports], resources={"warehouse": resource})
    assert third.success
    after = _mtimes(out)
    rewritten = sorted(name for name in after if after[name] != before[name])
    assert rewritten == ["bac-ninh-2021_so-ket-2025.html", "bac-ninh-2021_so-ket-2025.xlsx"]

    (out / "dien-bien-2021_tong-ket-2030.html").unlink()  # a missing file is written again
    config = {"ops": {"review_reports": {"config": {"plan_ids": ["dien-bien-2021"]}}}}
    assert materialize([review_reports], resources={"warehouse": resource}, run_config=config).success
    assert (out / "dien-bien-2021_tong-ket-2030.html").exists()
    assert _mtimes(out)["dien-bien-2021_so-ket-2025.xlsx"] == after["dien-bien-2021_so-ket-2025.xlsx"]

    forced = {"ops": {"review_reports": {"config": {"force": True}}}}
    assert materialize([review_reports], resources={"warehouse": resource}, run_config=forced).success
    assert all(t != after[name] for name, t in _mtimes(out).items())


def test_the_largest_plans_reports_are_started_first():
    """The pool writes the national plan's report (seconds) first, not last after every province's."""
    import duckdb

    from reports.data import plans_largest_first

    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.mart_tong_ket_2030 (plan_id varchar, locality_id varchar)")
    rows = (
        [("tinh-a", "x")]
        + [("quoc-gia", f"u{i}") for i in range(3)]
        + [("tinh-b", f"u{i}") for i in range(3)]
    )
    con.executemany("insert into marts.mart_tong_ket_2030 values (?, ?)", rows)
    assert plans_largest_first(con, ["tinh-a", "tinh-b", "quoc-gia", "chua-co"]) == [
        "quoc-gia",
        "tinh-b",
        "tinh-a",
        "chua-co",
    ]
