"""Validate the loaded submissions and record the verdicts in `dq.check_results` and `dq.flagged_values`.

One call judges the submissions in scope -- those never judged, and those judged against another config or
reference than today's (fingerprint.py), or the ones named -- in three passes:
- cross checks (cross_checks.py, one SQL query each in the warehouse), the other loaded submissions of the
  same plan x sector x scheme as context;
- conflicting submissions (cross_checks.py, `sql/conflicting_submissions.sql`): the files sharing a year with
  a file that came or went, year by year, every loaded file of those years as context (conflict_scope.py);
- row-level checks as Great Expectations expectations, last (for memory, see `_gx_verdicts`): one
  ephemeral context per run, one validation per batch of up to GX_BATCH_VALUES values across all plans (a
  validation costs ~0.2 s whatever its size, so the demo's 34 plan x sector x scheme groups are one
  validation, not 34). A small scope (up to GX_BESIDE_MAX_VALUES: a reporting year) is judged on a thread
  beside the cross checks instead (`_gx_beside_cross_checks`). Their verdicts come first in the results.
Results are split per submission, because a submission is what an agency fixes and resends: each (check x
submission) gets one row in check_results, and each flagged value one row in flagged_values. They replace
the previous results of the same submissions in one transaction, so the dbt marts never see half a run.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import numpy as np
import pandas as pd

from expectations import cross_checks, load_config
from expectations.checks import CheckOutcome, sample_json
from expectations.conflict_scope import conflict_batches
from expectations.fingerprint import fingerprints
from expectations.suites import GxCheck, build_gx_checks, build_suite, describe, gx_frame
from ingest.warehouse import CURRENT_SUBMISSIONS, cross_check_memory_limit, memory_capped

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

CHECK_RESULT_COLUMNS = [
    "run_id",
    "checked_at",
    "suite",
    "check_name",
    "severity",
    "success",
    "element_count",
    "unexpected_count",
    "unexpected_sample",
    "submission_id",
    "judged_against",
]
FLAGGED_COLUMNS = [
    "submission_id",
    "indicator_code",
    "locality_id",
    "year",
    "severity",
    "check_name",
    "detail",
]

# Keys repeat across millions of rows (national scale: 2.5M values, 36 indicators, 14k localities): as
# categoricals they take a few bytes a row instead of a Python string each, and group and merge on codes.
# Values per GX validation: the demo's 10,000 values are one validation (a GX run costs ~0.25 s whatever
# its size below ~100,000 rows); a national backfill's 2.5M values are nine. GX's pandas metrics copy the
# frame per expectation: data quality alone on the national warehouse peaked at 1,334 MB with 500,000-value
# batches, 1,158 MB with 300,000 (GX 2 s slower) and 1,145 MB with 200,000 (GX 8 s slower).
GX_BATCH_VALUES = 300_000
# Values staged per cross-check run: whole plan x sector x scheme groups (a check compares within a group)
# up to this many values. One run over a national backfill (2.4M values) outgrows DuckDB's 1 GB cap.
CROSS_BATCH_VALUES = 400_000
# Values judged by GX on a thread beside the cross checks (`_gx_beside_cross_checks`): a national reporting
# year (~120,000) and less; a larger scope (a backfill) is judged after them, batch by batch.
GX_BESIDE_MAX_VALUES = 150_000

CATEGORICAL_COLUMNS = (
    "submission_id",
    "plan_id",
    "agency_id",
    "indicator_code",
    "locality_id",
    "sheet",
    "unit",
    "level",
    "parent_id",
    "flag_locality_id",
)

VALUES_SQL = """
with indicators as (
    select * from raw.indicators qualify row_number() over (partition by indicator_code) = 1
), localities as (
    select * from raw.localities qualify row_number() over (partition by locality_id) = 1
)
select v.submission_id, v.plan_id, v.agency_id, v.indicator_code, v.locality_id, v.year,
       v.value, v.numerator, v.denominator, v.is_total_row, v.sheet, v.cell, v.raw_value,
       i.unit, i.factor, i.numerator_le_denominator as requires_le, l.level, l.parent_id,
       -- a total row typed without a locality stands for the file's territory (as in the dbt facts), so
       -- its flags name that locality and match exactly that row downstream
       coalesce(v.locality_id, case when v.is_total_row then s.locality_id end) as flag_locality_id
from raw.indicator_values v
join loaded s using (submission_id)
left join indicators i using (indicator_code)
left join localities l on l.locality_id = v.locality_id
order by v.submission_id, v.sheet, v.cell
"""


@dataclass
class DqSummary:
    """What a validation run found; the same rows it wrote, plus lineage (sheet, cell) for the flags."""

    run_id: str
    checked_at: datetime
    submission_ids: list[str]
    values_checked: int
    check_results: pd.DataFrame
    flagged_values: pd.DataFrame  # FLAGGED_COLUMNS + family, sheet, cell, cell_ref
    seconds: float = 0.0
    gx_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def failed_checks(self, severity: str | None = None) -> pd.DataFrame:
        failed = self.check_results[~self.check_results["success"].astype(bool)]
        return failed if severity is None else failed[failed["severity"] == severity]

    @property
    def counts(self) -> dict[str, int]:
        """Failed (check x submission) rows and flagged values per severity, for logs and Dagster metadata."""
        flagged = self.flagged_values["severity"].value_counts()
        return {
            "submissions": len(self.submission_ids),
            "values_checked": self.values_checked,
            "checks_run": len(self.check_results),
            "checks_failed_error": len(self.failed_checks("error")),
            "checks_failed_warning": len(self.failed_checks("warning")),
            "values_flagged_error": int(flagged.get("error", 0)),
            "values_flagged_warning": int(flagged.get("warning", 0)),
        }

    @property
    def success(self) -> bool:
        """True when no error-severity check failed (warnings do not stop anything)."""
        return self.failed_checks("error").empty


def validate_warehouse(
    con: duckdb.DuckDBPyConnection,
    run_id: str | None = None,
    submission_ids: list[str] | None = None,
    config: dict | None = None,
    write: bool = True,
    only_new: bool = False,
) -> DqSummary:
    """Validate loaded submissions (all, the ones named, or with `only_new` those never validated), write
    the dq tables, and summarise.

    Values of other loaded submissions of the same plan, sector and administrative scheme are read as
    context (last year's value, a neighbour's value, the partner mortality rate) but never flagged: every
    check compares values within one plan, one indicator family and one scheme, so that is all the context
    there is. Submissions are validated in those groups, one at a time, which bounds memory by the largest
    group rather than by the warehouse (a national backfill is 2.5M values). Results of submissions that
    are no longer loaded (superseded, rejected) are removed unless named submissions are validated: their
    flags must not linger in the marts.
    """
    from ingest.warehouse import ALL_TABLES, ensure_tables

    started = time.perf_counter()
    config = config or load_config()
    checked_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    run_id = run_id or f"dq-{checked_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    ensure_tables(con, ALL_TABLES)
    _add_missing_columns(con)

    loaded = _loaded_submissions(con)
    plan_keys = loaded["plan_id"].fillna("").astype(str)
    current = fingerprints(con, config, set(plan_keys))
    judged_against = plan_keys.map(current)
    if submission_ids is not None:
        in_scope = loaded["submission_id"].isin(submission_ids)
    elif only_new:
        # new submissions, and those judged against another config or reference than today's
        recorded = dict(
            con.execute(
                "select submission_id, max(judged_against) from dq.check_results group by submission_id"
            ).fetchall()
        )
        in_scope = loaded["submission_id"].map(recorded) != judged_against
    else:
        in_scope = pd.Series(True, index=loaded.index)
    groups = _context_groups(loaded)
    scope_subs = loaded[in_scope]
    results, flags, scope_ids = [], [], []
    # Cross checks: SQL in the warehouse, each judged submission with the other loaded submissions of its
    # plan x sector x scheme as context.
    judged_groups = sorted(set(groups[in_scope]))
    scope_ids = [
        sid for key in judged_groups for sid in loaded.loc[(groups == key) & in_scope, "submission_id"]
    ]
    staged = loaded[groups.isin(judged_groups)].assign(context_group=groups, in_scope=in_scope)
    gx_beside = _gx_beside_cross_checks(con, scope_subs, config, run_id, checked_at)
    # under a lower DuckDB cap than the pipeline's (cross_check_memory_limit says why)
    with memory_capped(con, cross_check_memory_limit()):
        for batch in _group_batches(staged, CROSS_BATCH_VALUES) if scope_ids else []:
            for found in cross_checks.run_cross_checks(con, batch, config):
                results.append(_verdict_rows(found.family, found.per_submission, config, run_id, checked_at))
                flags.append(_flag_rows(found.family, found.flagged, config))
        # Conflicting submissions: across plans, sectors and schemes. A conflict depends on two files, so the
        # files sharing a year with a file that came or went are re-judged with it (conflict_scope.py): a new
        # file's conflict shows on the old file too, and a superseded file's conflict goes. Named submissions
        # are judged alone, every loaded file of their years as context.
        changed = set(scope_ids)
        if submission_ids is None:
            changed |= _unloaded_with_verdicts(con, set(loaded["submission_id"]))
        conflict_scope: list[str] = []
        for batch_ids in conflict_batches(con, loaded["submission_id"].tolist(), changed):
            judged = batch_ids if submission_ids is None else [s for s in batch_ids if s in changed]
            conflict_scope += judged
            batch = loaded[loaded["submission_id"].isin(batch_ids)]
            staged = batch.assign(
                context_group=groups[batch.index], in_scope=batch["submission_id"].isin(judged)
            )
            for found in cross_checks.run_cross_checks(con, staged, config, (cross_checks.CONFLICTS,)):
                results.append(_verdict_rows(found.family, found.per_submission, config, run_id, checked_at))
                flags.append(_flag_rows(found.family, found.flagged, config))
    # Row-level checks last (see _gx_verdicts), or beside the cross checks for a small scope. Their rows
    # come first, as the checks' order says.
    gx = gx_beside.result() if gx_beside else _gx_verdicts(con, scope_subs, config, run_id, checked_at)
    results, flags = gx.results + results, gx.flags + flags
    check_results = (
        pd.concat(results, ignore_index=True).sort_values(
            ["submission_id", "suite", "check_name"], ignore_index=True
        )
        if results
        else _check_results([], None, [], {}, {}, run_id, checked_at, config)
    )
    check_results["judged_against"] = check_results["submission_id"].map(
        dict(zip(loaded["submission_id"], judged_against, strict=True))
    )
    check_results = _keep_unchanged_verdicts(con, check_results, cross_checks.CONFLICTS, set(scope_ids))
    flagged = pd.concat(flags, ignore_index=True) if flags else _flagged_values([], None, {})
    if write:
        refreshed = {cross_checks.CONFLICTS: conflict_scope}
        _write(con, scope_ids, check_results, flagged, submission_ids is None, refreshed)
    return DqSummary(
        run_id=run_id,
        checked_at=checked_at,
        submission_ids=scope_ids,
        values_checked=gx.checked,
        check_results=check_results,
        flagged_values=flagged,
        seconds=time.perf_counter() - started,
        gx_seconds=gx.seconds,
    )


class _GxRun:
    """The row-level checks of one validation run: the GX suite built once, then one validation per batch.

    Reading (the catalog here, each batch's values in `load_values`) is kept apart from judging (`judge`:
    GX and pandas only, no connection), so that judging can run on a thread beside the cross checks.
    """

    def __init__(self, con, config: dict, run_id: str, checked_at) -> None:
        self.checks = build_gx_checks(config, con.execute("select * from raw.indicators").df())
        self.severity = {c.check_name: c.severity for c in self.checks}
        self.suites = {c.check_name: config["suites"]["gx"] for c in self.checks}
        self.config, self.run_id, self.checked_at = config, run_id, checked_at
        self.validator: GxValidator | None = None

    def judge(self, batch: pd.DataFrame, values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """check_results and flagged_values rows of one batch of submissions (`values`: their values)."""
        if self.validator is None and len(values):
            self.validator = GxValidator(self.checks, self.config["suites"]["gx"])
        outcomes = self.validator.run(values) if len(values) else []
        ran = {o.check_name for o in outcomes}
        # A GX check with no rows still gets its (empty, successful) row per submission.
        outcomes += [CheckOutcome(c.check_name, c.family) for c in self.checks if c.check_name not in ran]
        ids = batch["submission_id"].tolist()
        results = _check_results(
            outcomes, values, ids, self.severity, self.suites, self.run_id, self.checked_at, self.config
        )
        return results, _flagged_values(outcomes, values, self.severity)


@dataclass
class _GxVerdicts:
    results: list[pd.DataFrame]
    flags: list[pd.DataFrame]
    checked: int  # values checked
    seconds: float


def _gx_verdicts(con, scope_subs: pd.DataFrame, config: dict, run_id: str, checked_at) -> _GxVerdicts:
    """The row-level checks: GX, one context per run, one validation per batch of submissions (any groups).

    Why after the cross checks: each GX batch's frame leaves ~0.5 GB of heap the process keeps (freed, not
    returned); run first, the cross checks' DuckDB working memory came on top of it and made the run's peak.
    """
    started = time.perf_counter()
    gx = _GxRun(con, config, run_id, checked_at)
    results, flags, checked = [], [], 0
    for batch in _batches(scope_subs, GX_BATCH_VALUES):
        values = load_values(con, batch, set(batch["submission_id"]))
        batch_results, batch_flags = gx.judge(batch, values)
        results.append(batch_results)
        flags.append(batch_flags)
        checked += len(values)
    return _GxVerdicts(results, flags, checked, time.perf_counter() - started)


def _gx_beside_cross_checks(
    con, scope_subs: pd.DataFrame, config: dict, run_id: str, checked_at
) -> Future[_GxVerdicts] | None:
    """GX judging a small scope on a thread while the cross checks run; None for a larger scope.

    Why: the cross checks are DuckDB queries, which release the GIL, and GX is pandas and Python; side by
    side they share the two cores instead of taking turns (a national reporting year, ~120,000 values:
    GX 0.9-1.5 s of the data-quality step's 6 s, 3-4 s in a fresh process, which imports GX first). The
    values are read here, on this thread: the thread judges a frame and never touches the connection.
    Only up to GX_BESIDE_MAX_VALUES: a backfill's batches keep the sequential order for memory (see
    `_gx_verdicts`).
    """
    if not len(scope_subs) or scope_subs["values_loaded"].fillna(0).sum() > GX_BESIDE_MAX_VALUES:
        return None
    started = time.perf_counter()
    gx = _GxRun(con, config, run_id, checked_at)
    values = load_values(con, scope_subs, set(scope_subs["submission_id"]))

    def judge() -> _GxVerdicts:
        results, flags = gx.judge(scope_subs, values)
        return _GxVerdicts([results], [flags], len(values), time.perf_counter() - started)

    pool = ThreadPoolExecutor(1, thread_name_prefix="treem-gx")
    future = pool.submit(judge)
    pool.shutdown(wait=False)  # the thread ends with its one task; the caller collects the future
    return future


# What a verdict says; run_id and checked_at say when it was said.
_VERDICT_COLUMNS = [
    "suite",
    "severity",
    "success",
    "element_count",
    "unexpected_count",
    "unexpected_sample",
    "judged_against",
]


def _verdict_key(frame: pd.DataFrame) -> pd.Series:
    def text(value) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return frame[_VERDICT_COLUMNS].astype(object).map(text).agg("\x1f".join, axis=1)


def _keep_unchanged_verdicts(
    con: duckdb.DuckDBPyConnection, check_results: pd.DataFrame, check_name: str, judged: set[str]
) -> pd.DataFrame:
    """`check_name`'s verdicts on submissions re-judged only as context (not in `judged`) keep the run_id and
    checked_at they were first given when they say what they said before.

    Why: conflicts are re-judged for every file sharing a year with a file that came or went (a correction
    re-judges its whole year). A verdict that did not change is not news: stamped anew, it would make review
    reports and hundreds of agency feedbacks look changed after each correction (both show the check's time,
    and the feedback step picks the latest run's submissions)."""
    rows = (check_results["check_name"] == check_name) & ~check_results["submission_id"].isin(judged)
    if not rows.any():
        return check_results
    before = con.execute(
        f"select submission_id, run_id, checked_at, {', '.join(_VERDICT_COLUMNS)} from dq.check_results "
        "where check_name = ?",
        [check_name],
    ).df()
    if before.empty:
        return check_results
    before = before.drop_duplicates("submission_id", keep=False)
    earlier = dict(zip(before["submission_id"] + "\x1e" + _verdict_key(before), before.index, strict=True))
    now = check_results.loc[rows]
    found = (now["submission_id"] + "\x1e" + _verdict_key(now)).map(earlier).dropna().astype(int)
    out = check_results.copy()
    out.loc[found.index, "run_id"] = before.loc[found.to_numpy(), "run_id"].to_numpy()
    out.loc[found.index, "checked_at"] = before.loc[found.to_numpy(), "checked_at"].to_numpy()
    return out


def _unloaded_with_verdicts(con: duckdb.DuckDBPyConnection, loaded: set[str]) -> set[str]:
    """Submissions superseded or rejected since their last verdict (the run removes their verdicts)."""
    judged = con.execute(
        "select distinct submission_id from dq.check_results where submission_id is not null"
    )
    return {s for (s,) in judged.fetchall()} - loaded


def _add_missing_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Add dq columns that ingest/warehouse.py declares but an older warehouse file lacks."""
    from ingest.warehouse import DQ_TABLES

    for table, columns in DQ_TABLES.items():
        schema, name = table.split(".")
        present = {
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                [schema, name],
            ).fetchall()
        }
        for column, sql_type in columns.items():
            if column not in present:
                con.execute(f"alter table {table} add column {column} {sql_type}")


def _context_groups(submissions: pd.DataFrame) -> pd.Series:
    """plan × sector × scheme of each submission: reports for 2025 on name vn2025 units."""
    from ingest.workbook.context import VN2025_FROM, reporting_date

    scheme = submissions["year"].map(
        lambda y: "vn2025" if pd.notna(y) and reporting_date(int(y)) >= VN2025_FROM else "vn2008"
    )
    return submissions["plan_id"].fillna("?") + "|" + submissions["sector"].fillna("?") + "|" + scheme


def _batches(submissions: pd.DataFrame, max_values: int) -> list[pd.DataFrame]:
    """Consecutive slices of `submissions` holding at most ~`max_values` values each (by values_loaded)."""
    sizes = submissions["values_loaded"].fillna(0).astype("int64").to_numpy()
    batches, start, total = [], 0, 0
    for i, size in enumerate(sizes):
        if i > start and total + size > max_values:
            batches.append(submissions.iloc[start:i])
            start, total = i, 0
        total += int(size)
    if start < len(submissions):
        batches.append(submissions.iloc[start:])
    return batches


def _group_batches(staged: pd.DataFrame, max_values: int) -> list[pd.DataFrame]:
    """`staged` cut into batches of whole context groups holding ~`max_values` values at most (a group
    larger than that is a batch of its own): a check never sees a group without its context."""
    sizes = staged.groupby("context_group", sort=True)["values_loaded"].sum()
    batches, current, total = [], [], 0
    for group, size in sizes.items():
        if current and total + int(size) > max_values:
            batches.append(current)
            current, total = [], 0
        current.append(group)
        total += int(size)
    if current:
        batches.append(current)
    return [staged[staged["context_group"].isin(groups)] for groups in batches]


def load_values(con: duckdb.DuckDBPyConnection, submissions: pd.DataFrame, scope: set[str]) -> pd.DataFrame:
    """The values of `submissions` (audit rows), prepared for the checks, `in_scope` marking `scope`'s."""
    con.register("loaded", submissions[["submission_id", "locality_id"]])
    try:
        values = _fetch_values(con)
    finally:
        con.unregister("loaded")
    return _prepare(values, scope)


def _fetch_values(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """VALUES_SQL as a frame whose key columns (CATEGORICAL_COLUMNS) are categoricals, through Arrow.

    Why: the key columns repeat across every row; Arrow dictionary-encodes them in C++, so no Python string
    is made per cell. Fetched as Python strings (in chunks, encoded chunk by chunk), a 500,000-value batch
    made ~5 M strings: 1.0 s against 0.34 s, and a heap fragmented for the rest of the run. Categories are
    sorted, so ordering by a key column is ordering by its text.
    """
    frame = con.sql(VALUES_SQL).to_arrow_table().to_pandas(categories=list(CATEGORICAL_COLUMNS))
    for column in CATEGORICAL_COLUMNS:
        frame[column] = frame[column].cat.reorder_categories(sorted(frame[column].cat.categories))
    return frame


def _loaded_submissions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest audit row of each loaded submission."""
    return con.execute(
        f"select * from {CURRENT_SUBMISSIONS} as current where status = 'loaded' order by submission_id"
    ).df()


def _prepare(values: pd.DataFrame, scope: set[str]) -> pd.DataFrame:
    values = values.reset_index(drop=True)
    values.insert(0, "row_id", np.arange(len(values), dtype="int64"))
    values["in_scope"] = values["submission_id"].isin(scope).astype(bool)
    for column in ("value", "numerator", "denominator", "factor"):
        values[column] = values[column].astype("float64")
    values["year"] = values["year"].astype("Int64")
    values["is_total_row"] = values["is_total_row"].astype("boolean").fillna(False).astype(bool)
    values["requires_le"] = values["requires_le"].astype("boolean").fillna(False).astype(bool)
    sheet = values["sheet"].astype("object")
    cell = values["cell"].astype("object")
    values["cell_ref"] = [
        (f"{s}!{c}" if isinstance(s, str) and s else c) if isinstance(c, str) and c else "(không rõ ô)"
        for s, c in zip(sheet, cell, strict=True)
    ]
    return values


class GxValidator:
    """One Great Expectations context, suite and validation definition per run, validating frame after frame.

    Why one per run: building a GX context, data source and suite costs ~0.3 s, and a run validates one
    context group (plan x sector x scheme) at a time -- 34 groups on the demo, hundreds nationally. The suite
    depends only on the config and the catalog, which are the same for every group of a run.
    Why GX's pandas engine and not its SQL execution against the warehouse: GX 1.x reaches DuckDB only through
    the `duckdb_engine` SQLAlchemy dialect (not a dependency of this project), and the row ids GX returns for
    unexpected rows must be joined back to their cell lineage, which the frame holds. The checks GX cannot
    express do run in the warehouse (cross_checks.py).
    """

    def __init__(self, checks: list[GxCheck], suite_name: str):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.checks = {c.check_name: c for c in checks}
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        batch_definition = (
            context.data_sources.add_pandas("treem")
            .add_dataframe_asset("indicator_values")
            .add_batch_definition_whole_dataframe("all")
        )
        suite = context.suites.add(build_suite(checks, suite_name))
        self.validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite_name, data=batch_definition, suite=suite)
        )

    def run(self, values: pd.DataFrame) -> list[CheckOutcome]:
        """One GX validation of `values`; unexpected rows come back as row_ids (COMPLETE format)."""
        result = self.validation.run(
            batch_parameters={"dataframe": gx_frame(values)},
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": ["row_id"],
                "return_unexpected_index_query": False,
            },
        )
        outcomes = []
        for item in result.results:
            check = self.checks[item.expectation_config.meta["check_name"]]
            if item.exception_info and item.exception_info.get("raised_exception"):
                raise RuntimeError(f"GX expectation {check.check_name} failed to run: {item.exception_info}")
            unexpected = [entry["row_id"] for entry in item.result.get("unexpected_index_list") or []]
            rows = values.set_index("row_id", drop=False).loc[unexpected] if unexpected else values.iloc[0:0]
            flagged = pd.DataFrame(
                {"row_id": rows["row_id"].to_numpy(dtype="int64"), "detail": describe(check, rows).to_list()}
            )
            examined = values.loc[check.scope(values), "row_id"].to_numpy(dtype="int64")
            outcomes.append(CheckOutcome(check.check_name, check.family, examined, flagged))
        return outcomes


def run_gx(values: pd.DataFrame, checks: list[GxCheck], suite_name: str) -> list[CheckOutcome]:
    """One GX validation of `values` in a context of its own (tests and one-off use)."""
    return GxValidator(checks, suite_name).run(values)


def _check_results(outcomes, values, scope_ids, severity, suites, run_id, checked_at, config) -> pd.DataFrame:
    """One row per check x submission in scope; counts and samples split by the submission of each row."""
    if not outcomes:
        return pd.DataFrame(columns=CHECK_RESULT_COLUMNS).astype(
            {"success": bool, "element_count": "int64", "unexpected_count": "int64"}
        )
    # row_id is the position in `values` (see _prepare), so lineage lookups are plain array indexing. A
    # row's submission is its code among the batch's submissions, and only the rows a sample quotes get a
    # label: a national batch is 300,000 rows, which were 300,000 Python strings of each kind per batch.
    submissions = pd.Categorical(values["submission_id"])
    names = np.asarray(submissions.categories, dtype=object)
    code_of = submissions.codes
    size = int(config.get("sample_size", 10))
    rows = []
    for outcome in outcomes:
        counts = np.bincount(code_of[outcome.examined], minlength=len(names))
        examined = {names[c]: int(counts[c]) for c in np.flatnonzero(counts)}
        ids = outcome.flagged["row_id"].to_numpy(dtype="int64")
        flagged = pd.DataFrame({"submission_id": names[code_of[ids]], "row_id": ids})
        flagged["detail"] = outcome.flagged["detail"].to_numpy(dtype=object)
        unexpected = flagged["submission_id"].value_counts().to_dict()
        samples: dict[str, list[str]] = {}
        quoted = flagged.sort_values("row_id").groupby("submission_id").head(size)
        labels = _labels(values.iloc[quoted["row_id"].to_numpy()])
        for r, label in zip(quoted.itertuples(index=False), labels, strict=True):
            samples.setdefault(r.submission_id, []).append(f"{label}: {r.detail}")
        verdicts = {
            sid: (int(examined.get(sid, 0)), int(unexpected.get(sid, 0)), samples.get(sid, []))
            for sid in scope_ids
        }
        for submission_id in scope_ids:
            element_count, unexpected_count, sample = verdicts.get(submission_id, (0, 0, []))
            rows.append(
                {
                    "run_id": run_id,
                    "checked_at": checked_at,
                    "suite": suites[outcome.check_name],
                    "check_name": outcome.check_name,
                    "severity": severity[outcome.check_name],
                    "success": unexpected_count == 0,
                    "element_count": element_count,
                    "unexpected_count": unexpected_count,
                    "unexpected_sample": sample_json(sample, size) if sample else None,
                    "submission_id": submission_id,
                }
            )
    frame = pd.DataFrame(rows, columns=CHECK_RESULT_COLUMNS).astype(
        {"success": bool, "element_count": "int64", "unexpected_count": "int64"}
    )
    return frame.sort_values(["submission_id", "suite", "check_name"], ignore_index=True)


def _labels(rows: pd.DataFrame) -> list[str]:
    """How a sample quotes a value: cell, locality, indicator, year."""
    return (
        rows["cell_ref"].astype(str)
        + " "
        + rows["locality_id"].astype(str)
        + " "
        + rows["indicator_code"].astype(str)
        + " "
        + rows["year"].astype(str)
    ).tolist()


def _verdict_rows(family: str, verdicts: pd.DataFrame, config: dict, run_id, checked_at) -> pd.DataFrame:
    """check_results rows of a submission-level verdict frame (submission_id, counts, sample)."""
    size = int(config.get("sample_size", 10))
    frame = pd.DataFrame(
        {
            "run_id": run_id,
            "checked_at": checked_at,
            "suite": config["suites"]["custom"],
            "check_name": family,
            "severity": config["checks"][family]["severity"],
            "success": verdicts["unexpected_count"].to_numpy() == 0,
            "element_count": verdicts["element_count"].astype("int64"),
            "unexpected_count": verdicts["unexpected_count"].astype("int64"),
            "unexpected_sample": [sample_json(s, size) if s else None for s in verdicts["sample"]],
            "submission_id": verdicts["submission_id"],
        },
        columns=CHECK_RESULT_COLUMNS,
    )
    return frame.astype({"success": bool})


def _flag_rows(family: str, flagged: pd.DataFrame, config: dict) -> pd.DataFrame:
    """flagged_values rows of a check judged in SQL (its flags already carry their lineage; no row_id)."""
    return flagged.assign(
        check_name=family, family=family, severity=config["checks"][family]["severity"], row_id=-1
    )[[*FLAGGED_COLUMNS, "family", "sheet", "cell", "cell_ref", "row_id"]]


def _flagged_values(outcomes, values, severity) -> pd.DataFrame:
    parts = [
        o.flagged.assign(check_name=o.check_name, family=o.family, severity=severity[o.check_name])
        for o in outcomes
        if len(o.flagged)
    ]
    columns = [*FLAGGED_COLUMNS, "family", "sheet", "cell", "cell_ref", "row_id"]
    if not parts:
        return pd.DataFrame(columns=columns)
    flagged = pd.concat(parts, ignore_index=True)
    lineage = values.set_index("row_id")[
        ["submission_id", "indicator_code", "flag_locality_id", "year", "sheet", "cell", "cell_ref"]
    ].rename(columns={"flag_locality_id": "locality_id"})
    flagged = flagged.join(lineage, on="row_id")
    flagged = flagged.drop_duplicates(["row_id", "check_name"])
    return flagged[columns].sort_values(
        ["submission_id", "severity", "check_name", "row_id"], ignore_index=True
    )


def _write(con, scope_ids, check_results, flagged, purge_unloaded: bool, refreshed: dict) -> None:
    """Replace the dq rows of the validated submissions in one transaction, and the rows of each check in
    `refreshed` (check_name -> submission ids it was re-run for)."""
    con.execute("begin transaction")
    try:
        con.register("_dq_scope", pd.DataFrame({"submission_id": pd.Series(scope_ids, dtype="object")}))
        for table in ("dq.check_results", "dq.flagged_values"):
            con.execute(f"delete from {table} where submission_id in (select submission_id from _dq_scope)")
            for check_name, ids in refreshed.items():
                con.execute(
                    f"delete from {table} where check_name = ? and submission_id in (select unnest(?))",
                    [check_name, list(ids)],
                )
            if purge_unloaded:
                con.execute(
                    f"delete from {table} where submission_id is null or submission_id not in "
                    "(select submission_id from audit.submissions where status = 'loaded')"
                )
        con.register("_dq_checks", check_results[CHECK_RESULT_COLUMNS])
        con.execute(
            f"insert into dq.check_results ({', '.join(CHECK_RESULT_COLUMNS)}) select * from _dq_checks"
        )
        con.register("_dq_flags", flagged[FLAGGED_COLUMNS].astype({"year": "Int64"}))
        con.execute(f"insert into dq.flagged_values ({', '.join(FLAGGED_COLUMNS)}) select * from _dq_flags")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        for name in ("_dq_scope", "_dq_checks", "_dq_flags"):
            with contextlib.suppress(Exception):  # a view that was never registered
                con.unregister(name)
