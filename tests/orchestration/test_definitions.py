"""The Definitions load, every dbt source is fed by an asset, and the schedules fire when they should."""

from __future__ import annotations

import datetime as dt

from dagster import RunRequest, SkipReason, build_schedule_context

from orchestration.definitions import defs
from orchestration.defs.schedules import review_reports, yearly_consolidation

CONTRACT_MARTS = [
    "dim_indicator",
    "dim_locality",
    "bridge_locality_succession",
    "dim_agency",
    "dim_plan",
    "fct_target",
    "fct_assignment",
    "fct_indicator_value",
    "mart_so_ket_2025",
    "mart_tong_ket_2030",
    "mart_reporting_completeness",
]


def _materializable_keys() -> set[str]:
    graph = defs.resolve_asset_graph()
    return {key.to_user_string() for key in graph.materializable_asset_keys}


def test_jobs_resolve():
    for name in ("reference_job", "ingest_job", "warehouse_job"):
        assert defs.resolve_job_def(name) is not None


def test_contract_marts_are_assets():
    keys = _materializable_keys()
    missing = [mart for mart in CONTRACT_MARTS if f"marts/{mart}" not in keys]
    assert not missing


def test_every_dbt_source_is_produced_by_an_asset():
    """A dbt source nobody lands would be an external asset: the graph would have a hole."""
    graph = defs.resolve_asset_graph()
    external = {key.to_user_string() for key in graph.get_all_asset_keys()} - _materializable_keys()
    assert external == set()


def _at(year: int, month: int, day: int):
    return build_schedule_context(
        scheduled_execution_time=dt.datetime(year, month, day, 6, tzinfo=dt.UTC),
        repository_def=defs.get_repository_def(),
    )


def test_yearly_consolidation_runs_the_current_year_partition():
    request = yearly_consolidation.evaluate_tick(_at(2025, 11, 21)).run_requests[0]
    assert isinstance(request, RunRequest)
    assert request.partition_key == "2025"
    assert request.tags["treem/trigger"] == "yearly_consolidation"


def test_yearly_consolidation_skips_outside_the_programme():
    result = yearly_consolidation.evaluate_tick(_at(2031, 11, 21))
    assert not result.run_requests and result.skip_message


def test_review_reports_only_in_review_years():
    assert review_reports.evaluate_tick(_at(2025, 12, 31)).run_requests
    assert review_reports.evaluate_tick(_at(2030, 12, 31)).run_requests
    skipped = review_reports.evaluate_tick(_at(2027, 12, 31))
    assert not skipped.run_requests
    assert "2027" in skipped.skip_message
    assert isinstance(SkipReason(skipped.skip_message), SkipReason)


def test_only_the_latest_runs_keep_their_dbt_target_folder(tmp_path):
    """One folder per build (~10 MB each) would fill the disk of a pipeline left running for years."""
    import os

    from orchestration.defs.assets.dbt import prune_run_targets

    for i in range(25):
        folder = tmp_path / f"treem-run{i:02d}"
        folder.mkdir()
        (folder / "run_results.json").write_text("{}")
        os.utime(folder, ns=(i * 10**9, i * 10**9))
    (tmp_path / "partial_parse.msgpack").write_bytes(b"cache")
    removed = prune_run_targets(tmp_path, keep=20)
    assert sorted(p.name for p in removed) == [f"treem-run{i:02d}" for i in range(5)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "partial_parse.msgpack",
        *[f"treem-run{i:02d}" for i in range(5, 25)],
    ]


def test_the_dbt_resource_knows_the_version_of_the_dbt_it_runs():
    """The resource states the dbt version instead of running `dbt --version` every run; what it states
    must be what that dbt says."""
    import re
    import subprocess

    from orchestration.defs.project import dbt_executable
    from orchestration.defs.resources import build_resources

    said = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True).stdout
    installed = re.search(r"installed:\s*(\d+\.\d+\.\d+)", said).group(1)
    assert str(build_resources()["dbt"]._cli_version) == installed
