"""Agency feedback workbooks, regenerated after validation.

The ingest writes the feedback of a file it refuses as a whole (never judged); a loaded file's is written
here, once, because its data-quality findings (errors and warnings) exist only after `data_quality` has run.
This asset writes the feedback of every submission judged in the same run from the warehouse
(`ingest.workbook.feedback.regenerate`): unread cells, findings, and a correction's missing values, so an
agency gets one workbook per submission with everything to look at, and the feedback folder holds the latest
one per submission (the name is stable per file content). The ingest sensor and `treem ingest` always
follow an ingest with this build.
"""

from dagster import AssetExecutionContext, AssetKey, Config, MaterializeResult, MetadataValue, asset

from ingest.warehouse import SOURCE_OF_TABLE
from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource

JUDGED = [AssetKey(list(SOURCE_OF_TABLE[name])) for name in ("dq.check_results", "dq.flagged_values")]


class FeedbackConfig(Config):
    """Which submissions get their feedback rewritten."""

    # Default: those the latest data-quality run judged (this run's step). True: every loaded submission
    # (after a change of the feedback's wording).
    all_submissions: bool = False


@asset(
    group_name="feedback",
    deps=JUDGED,
    description="One feedback workbook per submission with problems: unread cells and data-quality findings.",
    pool=WAREHOUSE_POOL,
)
def agency_feedback(
    context: AssetExecutionContext, config: FeedbackConfig, warehouse: WarehouseResource
) -> MaterializeResult:
    from ingest.workbook.context import load_reference
    from ingest.workbook.feedback import regenerate

    with warehouse.connect() as con:
        if config.all_submissions:
            sql = "select distinct submission_id from audit.submissions where status = 'loaded'"
            params = []
        else:  # the latest validation (this run's data_quality step, however its run id is chosen)
            sql = (
                "select distinct submission_id from dq.check_results where run_id = "
                "(select run_id from dq.check_results order by checked_at desc, run_id desc limit 1)"
            )
            params = []
        ids = sorted(sid for (sid,) in con.execute(sql, params).fetchall())
        written = regenerate(con, warehouse.root / "feedback", load_reference(), ids)
    files = sorted(str(path) for path in written.values() if path is not None)
    context.log.info(f"feedback: {len(files)} workbook(s) for {len(ids)} submission(s) judged")
    return MaterializeResult(
        metadata={
            "submissions": MetadataValue.int(len(ids)),
            "workbooks": MetadataValue.int(len(files)),
            "files": MetadataValue.json(files[:50]),
        }
    )
