"""Land agency workbooks: one DuckDB transaction per file, idempotent by content hash, nothing lost.

Per file: hash → skip if that content was already loaded (also if it was later superseded: re-sending an
old file must not undo a correction) or was rejected for a reason that depends only on its bytes (corrupt,
encrypted, ...); files rejected for other reasons (unknown identity, a load failure) are retried. Then
archive the original under `archive/<sha[:2]>/<sha><suffix>`, run the safety checks, parse, and in ONE
transaction insert the submission row, its values and its quarantine rows and mark earlier `loaded`
submissions of the same plan × sector × year × territory `superseded` (a national plan is reported by every
province: one province's file must not replace another's; dbt's `int_submissions_ranked` uses the same key).
Any failure rolls the transaction back and records the file as `rejected` with the error; the batch
continues.

The file's task-sheet rows (`raw.task_reports`) go in the same transaction and follow the same supersede
rule. Superseded submissions keep their rows in `raw.indicator_values` and `raw.task_reports`: lineage
stays complete and dbt keeps only rows whose submission has status `loaded`. That is simpler and
reversible, unlike deleting.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import signal
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ingest.inbox import archive_copy, file_fingerprint, inbox_folder, list_files
from ingest.warehouse import INGEST_TABLES, connect, ensure_tables
from ingest.workbook.context import Reference, load_reference
from ingest.workbook.feedback import write_feedback
from ingest.workbook.parse import Parsed, RejectedFile, parse_workbook
from ingest.workbook.reasons import fix_vi, reason_vi
from ingest.workbook.safety import DEFAULT_LIMITS, Limits, UnsafeFileError, check_file
from ingest.workbook.summary import FileResult, IngestSummary

INSERT_CHUNK = 500


def _insert_rows(con, table: str, rows: list[dict]) -> None:
    """Insert dict rows into an ingest table in chunks (one registered frame per chunk)."""
    columns = list(INGEST_TABLES[table])
    if not rows:
        return
    for start in range(0, len(rows), INSERT_CHUNK):
        frame = pd.DataFrame(rows[start : start + INSERT_CHUNK], columns=columns)
        con.register("_treem_rows", frame)
        select = ", ".join(f"cast({c} as {t}) as {c}" for c, t in INGEST_TABLES[table].items())
        con.execute(f"insert into {table} select {select} from _treem_rows")
        con.unregister("_treem_rows")


# Rejections that depend only on the bytes: the same bytes will fail the same way, so a re-run skips them.
PERMANENT_REJECTIONS = (
    "empty_file",
    "oversized",
    "zip_bomb",
    "encrypted",
    "legacy_xls",
    "not_workbook",
    "corrupt",
)


def _rejection_message(file_name: str, code: str, detail: str) -> str:
    """Vietnamese message naming the file and reason; the code is tagged '(mã lỗi: <code>; ...)' so that
    re-runs can recognise permanent rejections without a separate column."""
    return (
        f"Tệp '{file_name}' không được tiếp nhận: {reason_vi(code)}. {fix_vi(code)} "
        f"(mã lỗi: {code}; chi tiết: {detail})"
    )


def _record_rejected(con, base: dict, code: str, detail: str) -> str:
    message = _rejection_message(base["file_name"], code, detail)
    row = {**base, "status": "rejected", "rows_read": 0, "cells_read": 0, "values_loaded": 0}
    row.update(values_quarantined=0, message=message)
    con.execute("begin transaction")
    _insert_rows(con, "audit.submissions", [row])
    con.execute("commit")
    return message


def _load_parsed(con, base: dict, parsed: Parsed, ref: Reference) -> list[str]:
    """Insert everything of one parsed file in one transaction; return superseded submission ids."""
    ident = parsed.identity
    sid = base["submission_id"]
    agency_id = ref.agency_id(ident.plan_id, ident.sector, ident.year)
    tasks_note = f"{len(parsed.task_reports)} báo cáo nhiệm vụ được ghi nhận, " if parsed.task_reports else ""
    message = (
        f"Đã tiếp nhận tệp '{base['file_name']}': {len(parsed.values)} giá trị được ghi nhận, "
        f"{tasks_note}{parsed.cells_quarantined} ô chưa được ghi nhận."
    )
    if ident.source == "inferred":
        message += " Lưu ý: biểu không còn thông tin nhận dạng của biểu mẫu, đã xác định theo tiêu đề."
    sub = {
        **base,
        "agency_id": agency_id,
        "plan_id": ident.plan_id,
        "sector": ident.sector,
        "year": ident.year,
        "locality_id": ident.territory_id,
        "status": "loaded",
        "rows_read": parsed.rows_read,
        "cells_read": parsed.cells_read,
        "values_loaded": len(parsed.values),
        "values_quarantined": parsed.cells_quarantined,
        "message": message,
    }
    common = {"submission_id": sid, "plan_id": ident.plan_id, "agency_id": agency_id, "year": ident.year}
    con.execute("begin transaction")
    try:
        earlier = con.execute(
            "select submission_id from audit.submissions "
            "where status = 'loaded' and plan_id = ? and sector = ? and year = ? "
            "and locality_id is not distinct from ?",
            [ident.plan_id, ident.sector, ident.year, ident.territory_id],
        ).fetchall()
        _insert_rows(con, "audit.submissions", [sub])
        _insert_rows(con, "raw.indicator_values", [{**common, **v} for v in parsed.values])
        _insert_rows(con, "raw.task_reports", [{"submission_id": sid, **t} for t in parsed.task_reports])
        _insert_rows(con, "audit.quarantine", [{"submission_id": sid, **q} for q in parsed.quarantine])
        superseded = [row[0] for row in earlier]
        if superseded:
            con.execute(
                "update audit.submissions set status = 'superseded', message = message || ? "
                "where submission_id in (select unnest(?))",
                [f" Đã được thay thế bởi tệp '{base['file_name']}'.", superseded],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return superseded


def ingest_paths(
    paths: Iterable[Path | str] | None,
    warehouse_path: Path | str | None = None,
    inbox_archive_dir: Path | str | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    feedback_dir: Path | str | None = None,
    reference: Reference | None = None,
    limits: Limits = DEFAULT_LIMITS,
    workers: int | None = None,
) -> IngestSummary:
    """Ingest files and folders (default: the inbox, see `ingest.inbox`) and summarise.

    `inbox_archive_dir` defaults to `archive/` next to the warehouse and `feedback_dir` to `feedback/`.
    `workers`: processes that read and parse ahead while this one writes (default: the machine's cores for
    batches of `PARALLEL_MIN_FILES` or more, else none; `TREEM_INGEST_WORKERS` overrides).
    """
    from ingest.warehouse import warehouse_path as default_warehouse

    wh = Path(warehouse_path) if warehouse_path else default_warehouse()
    root = wh.parent
    archive_dir = Path(inbox_archive_dir) if inbox_archive_dir else root / "archive"
    fb_dir = Path(feedback_dir) if feedback_dir else root / "feedback"
    files = list_files(paths if paths is not None else [inbox_folder(root)])
    ref = reference or load_reference()
    say = progress or (lambda line: None)
    summary = IngestSummary()
    # The pool forks before the connection opens: the workers never hold a handle on the warehouse.
    workers = _worker_count(workers, len(files))
    with read_ahead(files, ref, limits, workers) as prepared, connect(wh) as con:
        ensure_tables(con, INGEST_TABLES)
        for i, (path, ready) in enumerate(zip(files, prepared, strict=True), start=1):
            result = _ingest_one(con, path, archive_dir, fb_dir, ref, limits, ready)
            summary.add(result)
            say(f"[{i}/{len(files)}] {result.line()}")
    summary.check()
    return summary


# --- read-ahead --------------------------------------------------------------------------------------
# Reading and parsing a workbook is CPU work independent of the warehouse (~45 ms a national workbook);
# writing it is the one thing that must be serial (one DuckDB writer). Worker processes therefore read and
# parse the files in order while this process writes, which halves a national backfill's ingest on two
# cores. Workers are forked after the reference is built, so they share it instead of rebuilding it.
PARALLEL_MIN_FILES = 40


@dataclass
class Prepared:
    """A file read and parsed (or refused) ahead of its turn: what `_ingest_one` needs besides the DB."""

    sha256: str
    parsed: Parsed | None = None
    rejection: tuple[str, str] | None = None  # (reason code, detail)


def prepare(path: Path, ref: Reference, limits: Limits, sha: str | None = None) -> Prepared:
    """Hash, safety-check and parse one file; whole-file problems become a rejection, never an exception."""
    ready = Prepared(sha or file_fingerprint(path))
    try:
        check_file(path, limits)
        ready.parsed = parse_workbook(path, ref)
    except (UnsafeFileError, RejectedFile) as exc:
        ready.rejection = (exc.code, exc.detail)
    except Exception as exc:  # an unexpected parser failure: recorded like a failed load, the batch goes on
        ready.rejection = ("load_failed", f"{type(exc).__name__}: {exc}")
    return ready


def _worker_count(workers: int | None, files: int) -> int:
    if workers is None:
        configured = os.environ.get("TREEM_INGEST_WORKERS")
        workers = int(configured) if configured else (os.cpu_count() or 1)
        if files < PARALLEL_MIN_FILES:
            return 0
    return max(0, min(workers, files)) if workers > 1 else 0


_SHARED: tuple[Reference, Limits] | None = None  # set in the parent before forking the workers


def _reset_signals() -> None:
    """Workers inherit the parent's handlers (Dagster's raise on SIGTERM): restore the defaults, and leave
    Ctrl-C to the parent, which stops the pool."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _prepare_in_worker(path: Path) -> Prepared:
    ref, limits = _SHARED
    return prepare(path, ref, limits)


@contextmanager
def read_ahead(files: list[Path], ref: Reference, limits: Limits, workers: int) -> Iterator:
    """An iterator of `Prepared` per file, in order: from a forked pool, or None per file (prepare lazily,
    so a duplicate is never parsed) when `workers` is 0 or the platform cannot fork."""
    global _SHARED
    if workers < 2 or "fork" not in mp.get_all_start_methods():
        yield iter([None] * len(files))
        return
    _SHARED = (ref, limits)
    with warnings.catch_warnings():
        # Workers only parse files (no DuckDB, no Dagster): fork's caveat for threaded parents does not bite.
        warnings.filterwarnings("ignore", message=".*use of fork\\(\\) may lead to deadlocks.*")
        pool = mp.get_context("fork").Pool(workers, initializer=_reset_signals)
    try:
        yield pool.imap(_prepare_in_worker, files, chunksize=2)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _SHARED = None


def _ingest_one(
    con,
    path: Path,
    archive_dir: Path,
    fb_dir: Path,
    ref: Reference,
    limits: Limits = DEFAULT_LIMITS,
    ready: Prepared | None = None,
) -> FileResult:
    sha = ready.sha256 if ready else file_fingerprint(path)
    result = FileResult(path=path, sha256=sha)
    permanent = " or ".join(f"message like '%(mã lỗi: {c};%'" for c in PERMANENT_REJECTIONS)
    known = con.execute(
        "select submission_id from audit.submissions where sha256 = ? "
        f"and (status in ('loaded', 'superseded') or (status = 'rejected' and ({permanent})))",
        [sha],
    ).fetchone()
    if known:
        result.status, result.submission_id = "duplicate", known[0]
        return result
    received = dt.datetime.now()
    archived = archive_copy(path, sha, archive_dir)
    base = {
        "submission_id": f"{sha[:12]}-{received:%Y%m%d%H%M%S%f}",
        "file_name": path.name,
        "sha256": sha,
        "received_at": received,
        "agency_id": None,
        "plan_id": None,
        "sector": None,
        "year": None,
        "locality_id": None,
        "archived_path": str(archived),
    }
    result.submission_id = base["submission_id"]
    ready = ready or prepare(path, ref, limits, sha)
    parsed = ready.parsed
    try:
        if ready.rejection:
            raise RejectedFile(*ready.rejection)
        result.superseded = _load_parsed(con, base, parsed, ref)
    except RejectedFile as exc:
        result.status, result.reason_code = "rejected", exc.code
        result.message = _record_rejected(con, base, exc.code, exc.detail)
        parsed = None
    except Exception as exc:  # a failure mid-file: the transaction rolled back; record and continue
        result.status, result.reason_code = "rejected", "load_failed"
        result.message = _record_rejected(con, base, "load_failed", f"{type(exc).__name__}: {exc}")
        parsed = None
    else:
        result.status = "loaded"
        result.take_counts(parsed)
    if result.status == "rejected" or (parsed and parsed.quarantine):
        problems = parsed.quarantine if parsed and result.status == "loaded" else []
        message = result.message or f"Tệp '{path.name}' đã được tiếp nhận."
        result.feedback_path = write_feedback(fb_dir, path.name, result.status, message, problems)
    return result
