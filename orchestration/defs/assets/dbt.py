"""The dbt project as Dagster assets: every model an asset, every dbt test an asset check.

dbt sources map to the Python assets that land them (key `[source, table]`), so the graph runs from the
registry files and the agency workbooks through staging and intermediate models to the marts.

The value chain is incremental by reporting year: `dbt_years.plan_build` decides which years changed since
the last successful build (or that everything must be rebuilt) and passes them to dbt in the environment
(TREEM_DBT_YEARS), the variant of Dagster University's partitioned dbt assets that suits a job whose data
quality and reports are unpartitioned: the partitions to rebuild are found, not chosen. The build prints its
progress per model group (staging, intermediate, marts) on stderr, like the ingest's
per-file lines: the CLI keeps dbt's own event stream in the run's log file, and a person watching the console
should see the stage move rather than minutes of silence.
"""

import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetMaterialization,
    Config,
    Output,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.defs.assets.dbt_years import (
    YEARS_ENV,
    plan_build,
    record_build,
    reference_only_models,
    reference_only_tests,
)
from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.defs.project import PIPELINE_BUILD_EXCLUDE, dbt_project
from orchestration.defs.resources import WarehouseResource


class TreemDbtTranslator(DagsterDbtTranslator):
    """Groups dbt models by their layer folder (staging, intermediate, marts) in the asset graph."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") != "model":
            return super().get_group_name(dbt_resource_props)
        folders = dbt_resource_props.get("fqn", [])[1:-1]
        return f"dbt_{folders[0]}" if folders else "dbt"


class GroupProgress:
    """Counts built models and failed tests per group and prints a line when a group is complete."""

    def __init__(self, context: AssetExecutionContext, kept: frozenset[str] = frozenset()) -> None:
        """`kept`: models this build leaves as they are (an incremental build's reference-only models)."""
        groups = context.assets_def.group_names_by_key
        group_of = {key: groups.get(key, "dbt").removeprefix("dbt_") for key in context.selected_asset_keys}
        self._group_of = {key: group for key, group in group_of.items() if key.path[-1] not in kept}
        self._kept = Counter(group for key, group in group_of.items() if key.path[-1] in kept)
        self._total = Counter(self._group_of.values())
        self._built: Counter[str] = Counter()
        self._failed: Counter[str] = Counter()
        self._warned: Counter[str] = Counter()
        self._context = context
        self._started = time.perf_counter()

    def seen(self, event: object) -> None:
        if isinstance(event, AssetCheckResult):
            if not event.passed:
                # a test configured to warn (`severity: warn`) reports without failing the build: said apart
                counter = self._warned if event.severity == AssetCheckSeverity.WARN else self._failed
                counter[self._group_of.get(event.asset_key, "dbt")] += 1
            return
        if isinstance(event, Output):
            key = self._context.asset_key_for_output(event.output_name)
        elif isinstance(event, AssetMaterialization):
            key = event.asset_key
        else:
            return
        group = self._group_of.get(key)
        if group is None:
            return
        self._built[group] += 1
        if self._built[group] == self._total[group]:
            self._print(group)

    def finish(self) -> None:
        """Groups left incomplete (a model failed or was skipped) still get their line."""
        for group in self._total:
            if self._built[group] < self._total[group]:
                self._print(group)
        for group in self._kept.keys() - self._total.keys():  # a group all of whose models were kept
            self._print(group)

    def _print(self, group: str) -> None:
        tests = ""
        for count, what in ((self._failed[group], "failed"), (self._warned[group], "with warnings")):
            tests += f", {count} {'test' if count == 1 else 'tests'} {what}" if count else ""
        kept = self._kept[group]
        tests += f", {kept} reading only reference data kept" if kept else ""
        seconds = time.perf_counter() - self._started
        print(
            f"  dbt {group}: {self._built[group]}/{self._total[group]} models built{tests}"
            f" (at {seconds:.1f} s of the dbt step)",
            file=sys.stderr,
            flush=True,
        )


class DbtBuildConfig(Config):
    """`full_refresh: true` rebuilds every year and table whatever the record says (a `rebuild`)."""

    full_refresh: bool = False


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TreemDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def treem_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: DbtBuildConfig
):
    """`dbt build` of the selected models: runs them and their tests in dependency order.

    The years of the value chain to recompute are decided first (an incremental build also leaves out the
    models that read only reference data, and their tests: the reference data is the one the last build
    made and tested them from); the record of this build is written only once dbt succeeded (a failed
    build leaves the old record, so the next run redoes the same years). dbt's profile reads the DuckDB file
    from `TREEM_WAREHOUSE`; the run's warehouse resource decides it, so the loaders and dbt always agree on
    the file.
    """
    os.environ["TREEM_WAREHOUSE"] = str(warehouse.file)
    plan = plan_build(
        {key.path[-1] for key in context.selected_asset_keys}, warehouse.file, force_full=config.full_refresh
    )
    print(f"  dbt: {plan.describe()}", file=sys.stderr, flush=True)
    context.log.info(f"dbt: {plan.describe()}")
    args = ["build", *PIPELINE_BUILD_EXCLUDE, *(["--full-refresh"] if plan.full else [])]
    kept: list[str] = []
    if not plan.full:
        manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
        kept = reference_only_models(manifest)
        # `buildable`: a kept dim must not take the facts' `relationships` tests to it along (dbt's default
        # indirect selection leaves out every test one of whose models is left out)
        args += ["--indirect-selection", "buildable"]
        args += ["--exclude", " ".join(reference_only_tests(manifest) + kept)]
    progress = GroupProgress(context, frozenset(kept))
    target = _run_target(context.run.run_id)
    previous = os.environ.get(YEARS_ENV)
    os.environ[YEARS_ENV] = plan.years_env
    try:
        for event in dbt.cli(args, context=context, target_path=target).stream():
            progress.seen(event)
            yield event
    finally:
        if previous is None:
            os.environ.pop(YEARS_ENV, None)
        else:
            os.environ[YEARS_ENV] = previous
    progress.finish()
    record_build(plan, warehouse.file)
    _keep_parse_cache(target)


# dagster-dbt gives every invocation a fresh target folder (so concurrent runs never share artifacts), which
# leaves dbt without its partial-parse cache: every build parsed the whole project again (10-15 s on two
# shared cores). Each run's folder is seeded with the cache of the last successful build, and hands its own
# back when it succeeds.
_PARSE_CACHE = "partial_parse.msgpack"


# Each run's folder (manifest, run_results.json, dbt.log: ~10 MB) is kept for the latest runs only: a pipeline
# left running for years would otherwise fill the disk with one folder per build.
RUN_TARGETS_KEPT = 20


def prune_run_targets(folder: Path, keep: int = RUN_TARGETS_KEPT) -> list[Path]:
    """Remove all but the `keep` newest `treem-<run id>` folders under `folder`; return the removed ones."""
    runs = sorted(
        (p for p in folder.glob("treem-*") if p.is_dir()), key=lambda p: p.stat().st_mtime_ns, reverse=True
    )
    for old in runs[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    return runs[keep:]


def _run_target(run_id: str) -> Path:
    target = Path(dbt_project.project_dir) / "target" / f"treem-{run_id}"
    target.mkdir(parents=True, exist_ok=True)
    prune_run_targets(target.parent)
    cache = Path(dbt_project.project_dir) / "target" / _PARSE_CACHE
    if cache.exists():
        shutil.copyfile(cache, target / _PARSE_CACHE)
    return target


def _keep_parse_cache(target: Path) -> None:
    fresh = target / _PARSE_CACHE
    if fresh.exists():
        kept = Path(dbt_project.project_dir) / "target" / _PARSE_CACHE
        staging = kept.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(fresh, staging)
        os.replace(staging, kept)
