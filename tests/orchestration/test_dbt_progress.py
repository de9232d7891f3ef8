"""The dbt step's per-group progress lines: what a person watching the console reads of the build."""

from types import SimpleNamespace

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, AssetMaterialization

from orchestration.defs.assets.dbt import GroupProgress


def _progress(groups: dict[AssetKey, str]) -> GroupProgress:
    context = SimpleNamespace(
        assets_def=SimpleNamespace(group_names_by_key=groups),
        selected_asset_keys=set(groups),
    )
    return GroupProgress(context)


def test_a_test_that_warns_is_not_called_failed(capsys):
    model, other = AssetKey("int_values"), AssetKey("int_series")
    progress = _progress({model: "dbt_intermediate", other: "dbt_intermediate"})
    progress.seen(AssetCheckResult(asset_key=model, passed=False, severity=AssetCheckSeverity.WARN))
    progress.seen(AssetCheckResult(asset_key=model, passed=True))
    progress.seen(AssetMaterialization(model))
    assert capsys.readouterr().err == ""  # a group's line comes when all its models are built
    progress.seen(AssetMaterialization(other))
    line = capsys.readouterr().err
    assert "intermediate: 2/2 models built, 1 test with warnings (at " in line
    assert "failed" not in line


def test_failed_and_warned_tests_are_counted_apart(capsys):
    model = AssetKey("stg_values")
    progress = _progress({model: "dbt_staging"})
    for severity in (AssetCheckSeverity.ERROR, AssetCheckSeverity.ERROR, AssetCheckSeverity.WARN):
        progress.seen(AssetCheckResult(asset_key=model, passed=False, severity=severity))
    progress.finish()  # the model never built (a failed build): its group still gets its line
    assert "staging: 0/1 models built, 2 tests failed, 1 test with warnings" in capsys.readouterr().err


def test_models_an_incremental_build_keeps_are_said_not_counted_as_missing(capsys):
    view, dim, fact = AssetKey("stg_values"), AssetKey("stg_reference__plans"), AssetKey("dim_plan")
    context = SimpleNamespace(
        assets_def=SimpleNamespace(
            group_names_by_key={view: "dbt_staging", dim: "dbt_staging", fact: "dbt_marts"}
        ),
        selected_asset_keys={view, dim, fact},
    )
    progress = GroupProgress(context, frozenset({"stg_reference__plans", "dim_plan"}))
    progress.seen(AssetMaterialization(view))
    assert "staging: 1/1 models built, 1 reading only reference data kept (at " in capsys.readouterr().err
    progress.finish()  # a group whose every model was kept still gets its line
    assert "marts: 0/0 models built, 1 reading only reference data kept" in capsys.readouterr().err
