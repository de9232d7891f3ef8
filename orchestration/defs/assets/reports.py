"""Review reports as a Dagster asset: sơ kết 2025 and tổng kết 2030 for every plan with numeric targets.

One asset for all plans, run after the marts; a report whose data did not change is not written again
(`reports.build.changed_report`: a fingerprint of the report's data, code and suppression config, stored
beside the reports), so a new reporting year rewrites only the plans it touched. Reports are read and written
by parallel worker processes, each with a read-only connection (`reports.build.update_reports`). The
config narrows a run to some plans or one review when an officer asks for a single file again; `force`
rewrites regardless.
Each report prints a progress line (stderr: the CLI's console and the UI's compute logs).
"""

import sys

from dagster import AssetExecutionContext, AssetKey, Config, MaterializeResult, MetadataValue, asset

from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource
from reports.build import ReportTask, read_fingerprints, report_stem, update_reports, write_fingerprints
from reports.data import numeric_plans, plans_largest_first
from reports.vn import REVIEWS

UPSTREAM = [
    AssetKey(["marts", "mart_so_ket_2025"]),
    AssetKey(["marts", "mart_tong_ket_2030"]),
    AssetKey(["marts", "mart_reporting_completeness"]),
    AssetKey(["dq", "check_results"]),
]


class ReviewReportsConfig(Config):
    plan_ids: list[str] = []  # empty: every plan with at least one numeric target
    reviews: list[str] = list(REVIEWS)
    force: bool = False  # rewrite every selected report even if its data did not change


@asset(
    group_name="reports",
    deps=UPSTREAM,
    description="Sơ kết 2025 / tổng kết 2030 workbooks and HTML pages per plan, in <warehouse>/reports/.",
    pool=WAREHOUSE_POOL,
)
def review_reports(
    context: AssetExecutionContext, config: ReviewReportsConfig, warehouse: WarehouseResource
) -> MaterializeResult:
    unknown = sorted(set(config.reviews) - set(REVIEWS))
    if unknown:
        raise ValueError(f"unknown reviews {unknown}; expected some of {list(REVIEWS)}")
    out_dir = warehouse.root / "reports"
    written, unchanged, failures = [], [], []

    def say(line: str) -> None:
        print(f"  reports: {line}", file=sys.stderr, flush=True)
        context.log.info(line)

    fingerprints = {} if config.force else read_fingerprints(out_dir)
    with warehouse.connect(read_only=True) as con:
        available = numeric_plans(con)
        plans = plans_largest_first(
            con, [p for p in available if not config.plan_ids or p in config.plan_ids]
        )
    missing = sorted(set(config.plan_ids) - set(available))
    if missing:
        context.log.warning(f"no numeric targets for {missing}; skipped")
    tasks = [
        ReportTask(warehouse.file, review, plan_id, out_dir, fingerprints.get(report_stem(plan_id, review)))
        for plan_id in plans
        for review in config.reviews
    ]
    for done, (task, outcome) in enumerate(update_reports(tasks), start=1):
        if isinstance(outcome, Exception):  # one plan's bad data must not hide the other reports
            context.log.error(f"{task.plan_id} {task.review}: {outcome!r}")
            failures.append(f"{task.plan_id} {task.review}: {outcome}")
            fingerprints.pop(task.stem, None)  # retried on the next run
        elif not outcome.written:
            unchanged.append(f"{task.plan_id} {task.review}")
            say(f"[{done}/{len(tasks)}] {task.plan_id} {task.review}: unchanged, not rewritten")
        else:
            fingerprints[task.stem] = outcome.fingerprint
            written += [{"file": path.name, "bytes": path.stat().st_size} for path in outcome.written]
            say(f"[{done}/{len(tasks)}] written: " + ", ".join(path.name for path in outcome.written))
    write_fingerprints(out_dir, fingerprints)
    say(f"{len(written)} file(s) written, {len(unchanged)} report(s) unchanged")
    if failures:
        raise RuntimeError("review reports failed for: " + "; ".join(failures))
    return MaterializeResult(
        metadata={
            "plans": MetadataValue.int(len(plans)),
            "files": MetadataValue.int(len(written)),
            "unchanged": MetadataValue.int(len(unchanged)),
            "directory": MetadataValue.path(str(out_dir)),
            "written": MetadataValue.json(written),
        }
    )
