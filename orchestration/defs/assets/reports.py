"""Review reports as a Dagster asset: sơ kết 2025 and tổng kết 2030 for every plan with numeric targets.

One asset for all plans because the reports are cheap and always rebuilt together after the marts; the
config narrows a run to some plans or one review when an officer asks for a single file again.
"""

from dagster import AssetExecutionContext, AssetKey, Config, MaterializeResult, MetadataValue, asset

from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource
from reports.build import build_review_report
from reports.data import numeric_plans
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
    written, failures = [], []
    with warehouse.connect(read_only=True) as con:
        available = numeric_plans(con)
        plans = [p for p in available if not config.plan_ids or p in config.plan_ids]
        missing = sorted(set(config.plan_ids) - set(available))
        if missing:
            context.log.warning(f"no numeric targets for {missing}; skipped")
        for plan_id in plans:
            for review in config.reviews:
                try:
                    paths = build_review_report(con, review, plan_id, out_dir)
                except Exception as error:  # one plan's bad data must not hide the other reports
                    context.log.error(f"{plan_id} {review}: {error!r}")
                    failures.append(f"{plan_id} {review}: {error}")
                    continue
                for path in paths:
                    context.log.info(f"wrote {path} ({path.stat().st_size} bytes)")
                    written.append({"file": path.name, "bytes": path.stat().st_size})
    if failures:
        raise RuntimeError("review reports failed for: " + "; ".join(failures))
    return MaterializeResult(
        metadata={
            "plans": MetadataValue.int(len(plans)),
            "files": MetadataValue.int(len(written)),
            "directory": MetadataValue.path(str(out_dir)),
            "written": MetadataValue.json(written),
        }
    )
