"""Data quality: validate the loaded submissions, record the verdicts in `dq.*`, write the Vietnamese report.

One multi-asset produces both dq tables, because one validation run writes both in one transaction; asset
checks (one per check family of expectations/config.yaml) surface what failed in the Dagster UI with the
offending cells. The checks never block: an error keeps the value out of the review marts through
`dq.flagged_values`, so dbt must still run to publish everything else. Great Expectations is imported inside
the asset body only -- it costs seconds and the definitions must load fast.
"""

import json
import sys
import time

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Config,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from expectations import load_config
from expectations.checks import CHECK_FAMILIES
from ingest.warehouse import SOURCE_OF_TABLE
from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource

GROUP = "quality"
CHECK_RESULTS = AssetKey(list(SOURCE_OF_TABLE["dq.check_results"]))
FLAGGED_VALUES = AssetKey(list(SOURCE_OF_TABLE["dq.flagged_values"]))
UPSTREAM = [
    AssetKey(list(SOURCE_OF_TABLE[name]))
    for name in (
        "raw.indicator_values",
        "audit.submissions",
        "raw.indicators",
        "raw.assignments",
        "raw.localities",
        "raw.plans",
    )
]
_CONFIG = load_config()


class DataQualityConfig(Config):
    """Run-time switches of the data-quality asset."""

    build_data_docs: bool = False  # GX Data Docs take a few seconds per run; build them when asked
    # Each run judges the submissions not judged yet and those judged against another config.yaml or
    # reference data than today's (expectations/fingerprint.py); earlier verdicts otherwise stand. Set to
    # re-judge everything anyway (e.g. after a change of the check code itself).
    revalidate_all: bool = False


def _check_spec(family: str) -> AssetCheckSpec:
    entry = _CONFIG["checks"][family]
    return AssetCheckSpec(
        name=family,
        asset=CHECK_RESULTS,
        description=f"[{entry['severity']}] {entry.get('why', '')}".strip(),
    )


@multi_asset(
    name="data_quality",
    specs=[
        AssetSpec(
            CHECK_RESULTS,
            deps=UPSTREAM,
            group_name=GROUP,
            description="One row per check x submission: GX expectations and cross checks (expectations/).",
        ),
        AssetSpec(
            FLAGGED_VALUES,
            deps=UPSTREAM,
            group_name=GROUP,
            description="One row per value flagged; errors keep the value out of the review marts.",
        ),
    ],
    check_specs=[_check_spec(family) for family in CHECK_FAMILIES],
    pool=WAREHOUSE_POOL,
)
def data_quality(context: AssetExecutionContext, config: DataQualityConfig, warehouse: WarehouseResource):
    from expectations.report import build_data_docs, write_reports
    from expectations.runner import validate_warehouse

    out_dir = warehouse.root / "dq"

    def say(line: str) -> None:  # stderr: the CLI's console and the UI's compute logs
        print(f"  data quality: {line}", file=sys.stderr, flush=True)
        context.log.info(f"data quality: {line}")

    say(
        "judging submissions loaded or changed since their last verdict"
        if not config.revalidate_all
        else "judging every submission (revalidate_all)"
    )
    with warehouse.connect() as con:
        summary = validate_warehouse(con, run_id=context.run.run_id, only_new=not config.revalidate_all)
        counts = summary.counts
        say(
            f"{len(summary.submission_ids)} submissions judged in {summary.seconds:.2f} s "
            f"(GX {summary.gx_seconds:.2f} s): {counts}"
        )
        started = time.perf_counter()
        all_results = con.execute("select * from dq.check_results").df()
        docs = build_data_docs(con, out_dir) if config.build_data_docs else None
        report = write_reports(con, out_dir)
        say(f"pages written to {out_dir} in {time.perf_counter() - started:.2f} s")

    report_meta = {
        "report": MetadataValue.path(str(report.index)),
        "report_url": MetadataValue.url(report.index.resolve().as_uri()),
    }
    if docs is not None:
        report_meta["data_docs"] = MetadataValue.url(docs.resolve().as_uri())
    yield MaterializeResult(
        asset_key=CHECK_RESULTS,
        metadata={
            **{key: MetadataValue.int(value) for key, value in counts.items()},
            "dq_run_id": summary.run_id,
            "seconds": MetadataValue.float(round(summary.seconds, 3)),
            "failed_checks": MetadataValue.md(_failed_table(summary.failed_checks())),
            **report_meta,
        },
    )
    flagged = summary.flagged_values
    yield MaterializeResult(
        asset_key=FLAGGED_VALUES,
        metadata={
            "rows": MetadataValue.int(len(flagged)),
            "error": MetadataValue.int(int((flagged["severity"] == "error").sum())),
            "warning": MetadataValue.int(int((flagged["severity"] == "warning").sum())),
            "by_check": MetadataValue.json(
                {str(k): int(v) for k, v in flagged["check_name"].value_counts().sort_index().items()}
            ),
            **report_meta,
        },
    )
    # The checks judge the warehouse as it now stands (every loaded submission's latest verdicts), not only
    # this run's submissions; the sample cells are this run's.
    results = all_results.assign(family=all_results["check_name"].str.split(":").str[0])
    for family in CHECK_FAMILIES:
        yield _family_result(family, results[results["family"] == family], flagged, report_meta)


def _family_result(
    family: str, results: pd.DataFrame, flagged: pd.DataFrame, report_meta: dict
) -> AssetCheckResult:
    """Pass/fail of one check family over all submissions, with the submissions and cells that failed."""
    severity = _CONFIG["checks"][family]["severity"]
    failed = results[~results["success"]]
    mine = flagged[flagged["check_name"].str.split(":").str[0] == family]
    cells = [
        f"{r.submission_id} {r.cell_ref} {r.locality_id} {r.indicator_code} {r.year}: {r.detail}"
        for r in mine.head(20).itertuples(index=False)
    ]
    return AssetCheckResult(
        asset_key=CHECK_RESULTS,
        check_name=family,
        passed=failed.empty,
        severity=AssetCheckSeverity.ERROR if severity == "error" else AssetCheckSeverity.WARN,
        metadata={
            "severity": severity,
            "submissions_checked": MetadataValue.int(int(results["submission_id"].nunique())),
            "submissions_failed": MetadataValue.int(int(failed["submission_id"].nunique())),
            "elements_checked": MetadataValue.int(int(results["element_count"].sum())),
            "unexpected": MetadataValue.int(int(results["unexpected_count"].sum())),
            "failures": MetadataValue.md(_failed_table(failed)),
            "sample": MetadataValue.json(cells),
            **report_meta,
        },
    )


def _failed_table(failed: pd.DataFrame, limit: int = 30) -> str:
    """A markdown table of failed check x submission rows, the first offending cells quoted."""
    if failed.empty:
        return "No failed checks."
    lines = ["| submission | check | severity | unexpected / checked | first rows |", "|---|---|---|---|---|"]
    for r in failed.head(limit).itertuples(index=False):
        sample = json.loads(r.unexpected_sample) if isinstance(r.unexpected_sample, str) else []
        first = "; ".join(sample[:3]).replace("|", "/")
        lines.append(
            f"| {r.submission_id} | {r.check_name} | {r.severity} "
            f"| {r.unexpected_count} / {r.element_count} | {first} |"
        )
    if len(failed) > limit:
        lines.append(f"| … {len(failed) - limit} more | | | | |")
    return "\n".join(lines)


quality_assets = [data_quality]
