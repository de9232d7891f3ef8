"""Land agency workbooks: each file atomically, idempotent by content hash, nothing lost.

Per file: hash → skip if that content was already loaded (also if it was later superseded: re-sending an
old file must not undo a correction) or was rejected for a reason that depends only on its bytes (corrupt,
encrypted, ...); files rejected for other reasons (unknown identity, a load failure) are retried. Then
archive the original under `archive/<sha[:2]>/<sha><suffix>` (a reading worker writes the very bytes it
hashed and parsed), run the safety checks, parse, and atomically
insert the submission row, its values and its quarantine rows and mark earlier `loaded`
submissions of the same plan × sector × year × territory `superseded` (a national plan is reported by every
province: one province's file must not replace another's; dbt's `int_submissions_ranked` uses the same key).
Files share a transaction until their rows fill `COMMIT_ROWS` (or `COMMIT_EVERY` files); any failure rolls
it back and lands those files again one transaction each, where the failing file is recorded as `rejected`
with the error; the batch continues. A run stopped mid-way keeps only committed files (the rest stay in the
inbox). Every file leaves one `audit.submissions` row per receipt: `loaded`, `rejected` (with its
`reason_code`), or `duplicate` (naming the file whose content it repeats).

A submission never silently erases data: a file with no value and no task report is rejected (`no_values`)
and supersedes nothing; a file that supersedes an earlier one and lacks some of its values says which ones
disappear (summary line, `audit.submissions.message`, feedback workbook).

The file's task-sheet rows (`raw.task_reports`) go in the same transaction and follow the same supersede
rule. Superseded submissions keep their rows in `raw.indicator_values` and `raw.task_reports`: lineage
stays complete and dbt keeps only rows whose submission has status `loaded`. That is simpler and
reversible, unlike deleting.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import multiprocessing as mp
import os
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from ingest.inbox import archive_copy, file_fingerprint, inbox_folder, list_files, recorded_arrivals
from ingest.warehouse import INGEST_TABLES, MissingReference, connect, ensure_tables, holds_reference
from ingest.workbook.context import Reference, load_reference
from ingest.workbook.feedback import vanished_note, write_rejection_feedback
from ingest.workbook.identity import Identity
from ingest.workbook.parse import Parsed, RejectedFile, ValueRows, parse_workbook
from ingest.workbook.reading_pool import KeptPool
from ingest.workbook.reasons import REASONS, fix_vi, reason_vi
from ingest.workbook.safety import DEFAULT_LIMITS, Limits, UnsafeFileError, open_package
from ingest.workbook.summary import FileResult, IngestSummary
from ingest.workers import exit_with_parent, reset_worker_signals

# Arrow types of the portable SQL types the ingest tables use (ingest/warehouse.py).
_ARROW_TYPES = {
    "varchar": pa.string(),
    "integer": pa.int32(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
}


def _frame(table: str, rows: list[dict], constants: dict | None = None) -> pa.Table:
    """Dict rows as an Arrow table typed by the ingest table's declared shape, built column by column
    (C-level conversion). `constants`: columns with one value for every row (the file's submission, plan,
    agency, year), filled without a dict per row (merging them into each value's dict cost ~1.5 ms a
    national workbook)."""
    constants = constants or {}
    known = _columns(table, rows, skip=constants)
    return _with_constants(table, known, constants)


def _columns(table: str, rows: list[dict] | ValueRows, skip: Iterable[str] = ()) -> pa.Table:
    """The columns of the ingest table that the rows carry, typed, without the `skip` ones."""
    if not len(rows):  # most files have no task sheet, many no quarantined cell
        return _empty(table, tuple(skip))
    shape = INGEST_TABLES[table]
    if isinstance(rows, ValueRows):
        columns = rows.columns()

        def column(name: str) -> Sequence:
            return columns.get(name) or [None] * len(rows)

    else:

        def column(name: str) -> list:
            return [row.get(name) for row in rows]

    return pa.table(
        {name: pa.array(column(name), _ARROW_TYPES[kind]) for name, kind in shape.items() if name not in skip}
    )


@lru_cache(maxsize=32)
def _empty(table: str, skip: tuple[str, ...]) -> pa.Table:
    shape = {name: kind for name, kind in INGEST_TABLES[table].items() if name not in skip}
    return pa.table({name: pa.array([], _ARROW_TYPES[kind]) for name, kind in shape.items()})


def _with_constants(table: str, frame: pa.Table, constants: dict) -> pa.Table:
    """`frame` with the constant columns added, in the ingest table's declared order."""
    shape = INGEST_TABLES[table]
    n = frame.num_rows
    return pa.table(
        {
            name: pa.repeat(pa.scalar(constants[name], _ARROW_TYPES[kind]), n)
            if name in constants
            else frame.column(name)
            for name, kind in shape.items()
        }
    )


def _insert_frame(con, table: str, frame: pa.Table) -> None:
    """ONE `INSERT … SELECT` of an Arrow table DuckDB scans without copying, by column name (an older
    warehouse may hold a column added later at the end)."""
    con.register("_treem_rows", frame)
    try:
        con.execute(f"insert into {table} ({', '.join(frame.column_names)}) select * from _treem_rows")
    finally:
        con.unregister("_treem_rows")


class PendingRows:
    """The rows (submissions, values, task reports, quarantine) of a batch's files, inserted with one
    statement per table when the batch commits, or earlier when a file reads them back: a duplicate checks
    the duplicates recorded, a correction reads the values of the file it supersedes and updates its row.

    Why: an insert costs ~1 ms of fixed work (register, plan, scan) whatever its size; a national year's
    ~1,100 values a file insert in ~0.5 ms each when 32 files go together, and its one submission row in
    ~1 ms alone. A file's parts are kept as they come (its Arrow tables without the columns the writer
    fills, its submission row as a dict) and made into one table per insert (`_batch_frame`): building
    each file's constant columns and one-row table on its own cost ~0.2 ms a file in the serial writer."""

    def __init__(self) -> None:
        self.parts: dict[str, list[tuple[pa.Table | dict, dict]]] = {}
        self.rows = 0  # rows added since the batch began (flushed or not): what decides when it commits
        self.unflushed = 0  # rows added since the last flush

    def add(self, table: str, part: pa.Table | dict, constants: dict | None = None) -> None:
        """`part`: a `Landing` table, `constants` its columns with one value, or one row as a dict."""
        self.parts.setdefault(table, []).append((part, constants or {}))
        n = part.num_rows if isinstance(part, pa.Table) else 1
        self.rows += n
        self.unflushed += n

    def flush(self, con) -> None:
        for table, parts in self.parts.items():
            _insert_frame(con, table, _batch_frame(table, parts))
        self.parts.clear()
        self.unflushed = 0

    def clear(self) -> None:
        self.parts.clear()
        self.rows = self.unflushed = 0


def _batch_frame(table: str, parts: list[tuple[pa.Table | dict, dict]]) -> pa.Table:
    """One table of a batch's parts, in order: a run of row dicts is one `_frame`, a run of Arrow tables
    with the same constant columns one concatenation whose constant columns are each one `take` of the
    parts' values."""
    frames = []
    for (is_row, _), run in itertools.groupby(parts, key=lambda p: (isinstance(p[0], dict), tuple(p[1]))):
        run = list(run)
        if is_row:
            frames.append(_frame(table, [{**row, **constants} for row, constants in run]))
            continue
        joined = pa.concat_tables([frame for frame, _ in run])
        owner = pa.array(np.repeat(np.arange(len(run), dtype=np.int32), [frame.num_rows for frame, _ in run]))
        constants = run[0][1]
        frames.append(
            pa.table(
                {
                    name: pa.array([c[name] for _, c in run], _ARROW_TYPES[kind]).take(owner)
                    if name in constants
                    else joined.column(name)
                    for name, kind in INGEST_TABLES[table].items()
                }
            )
        )
    return frames[0] if len(frames) == 1 else pa.concat_tables(frames)


def _insert_rows(
    con,
    table: str,
    rows: list[dict] | pa.Table,
    constants: dict | None = None,
    pending: PendingRows | None = None,
) -> None:
    """Insert rows (dicts, or an Arrow table of a `Landing`) into an ingest table: now, with one statement
    (the writer is the serial part of the ingest, and per-row Python work there cost ~40 ms a national
    workbook), or with the batch (`pending`)."""
    if not len(rows):
        return
    if pending is not None:
        for part in [rows] if isinstance(rows, pa.Table) else rows:
            pending.add(table, part, constants)
        return
    if isinstance(rows, pa.Table):
        _insert_frame(con, table, _with_constants(table, rows, constants or {}))
        return
    if len(rows) == 1 and not constants:  # a submission row: no frame to register
        shape = INGEST_TABLES[table]
        marks = ", ".join("?" * len(shape))
        con.execute(
            f"insert into {table} ({', '.join(shape)}) values ({marks})", [rows[0].get(c) for c in shape]
        )
        return
    _insert_frame(con, table, _frame(table, rows, constants))


@contextmanager
def _atomic(con, batched: bool) -> Iterator[None]:
    """One file's statements as one unit: a transaction of their own, or (`batched`) part of the open batch
    transaction, whose failure `_BatchWriter` answers by rolling the batch back and replaying its files one
    transaction each -- so a file is never half loaded either way."""
    if batched:
        yield
        return
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


# Rejections that depend only on the bytes: the same bytes will fail the same way, so a re-run skips them.
PERMANENT_REJECTIONS = (
    "empty_file",
    "oversized",
    "zip_bomb",
    "encrypted",
    "legacy_xls",
    "not_workbook",
    "corrupt",
    "unsafe_xml",
    "sheet_too_large",
    "too_many_strings",
    "worker_died",
)
if not set(PERMANENT_REJECTIONS) <= set(REASONS):  # every code an agency can be told must have its words
    raise ImportError(f"reason codes without a Vietnamese text: {set(PERMANENT_REJECTIONS) - set(REASONS)}")


def _rejection_message(file_name: str, code: str, detail: str) -> str:
    """Vietnamese message naming the file and reason (the code itself is data: `reason_code`)."""
    return (
        f"Tệp '{file_name}' không được tiếp nhận: {reason_vi(code)}. {fix_vi(code)} "
        f"(mã lỗi: {code}; chi tiết: {detail})"
    )


def _record_rejected(
    con,
    base: dict,
    code: str,
    detail: str,
    index: SubmissionIndex,
    parsed: Landing | None = None,
    pending: PendingRows | None = None,
) -> str:
    """One `rejected` row; a file read but refused as a whole (no values) keeps its counts and its
    quarantined cells, so that what was wrong stays visible."""
    message = _rejection_message(base["file_name"], code, detail)
    row = {**base, "status": "rejected", "reason_code": code, "rows_read": 0, "cells_read": 0}
    row.update(values_loaded=0, values_quarantined=0, message=message)
    if parsed is not None:
        row.update(rows_read=parsed.rows_read, cells_read=parsed.cells_read)
        row.update(values_quarantined=parsed.cells_quarantined)
    with _atomic(con, pending is not None):
        _insert_rows(con, "audit.submissions", [row], None, pending)
        if parsed is not None:
            sid = base["submission_id"]
            _insert_rows(con, "audit.quarantine", parsed.quarantine, {"submission_id": sid}, pending)
    index.rejected_now(base, code)
    return message


def _backfill_reason_codes(con) -> None:
    """Rejections recorded before `reason_code` existed carry their code only in the message's
    '(mã lỗi: <code>;' tag: copy it once into the column, so a permanent rejection stays permanent."""
    con.execute(
        "update audit.submissions set reason_code = regexp_extract(message, '\\(mã lỗi: ([a-z_]+);', 1) "
        "where status = 'rejected' and reason_code is null and message like '%(mã lỗi: %'"
    )


class SubmissionIndex:
    """The two questions the writer asks of `audit.submissions` for every file, answered from memory: is
    this content known (loaded, superseded or permanently rejected: then the file is a duplicate), and which
    loaded submission of the same plan × sector × year × territory does it replace?

    Why: two DuckDB statements a file were ~1-3 ms each of the writer's ~25 ms, and the writer is the serial
    part of the ingest. Read once when the run opens the warehouse: the run holds DuckDB's write lock from
    then on, so no other process can change the table; updated only after a file's transaction committed."""

    def __init__(self, con) -> None:
        self.known: dict[str, tuple[str, str]] = {}
        for sha, submission_id, file_name in con.execute(
            "select sha256, submission_id, file_name from audit.submissions "
            "where status in ('loaded', 'superseded') "
            "or (status = 'rejected' and reason_code in (select unnest(?))) order by received_at",
            [list(PERMANENT_REJECTIONS)],
        ).fetchall():
            self.known.setdefault(sha, (submission_id, file_name))
        self.loaded: dict[tuple, list[str]] = {}
        for submission_id, *key in con.execute(
            "select submission_id, plan_id, sector, year, locality_id from audit.submissions "
            "where status = 'loaded' order by received_at"
        ).fetchall():
            self.loaded.setdefault(tuple(key), []).append(submission_id)

    def loaded_now(self, base: dict, key: tuple) -> None:
        """`base`'s file was loaded for `key`: it is known content, and the one loaded submission there."""
        self.known.setdefault(base["sha256"], (base["submission_id"], base["file_name"]))
        self.loaded[key] = [base["submission_id"]]

    def rejected_now(self, base: dict, code: str) -> None:
        if code in PERMANENT_REJECTIONS:
            self.known.setdefault(base["sha256"], (base["submission_id"], base["file_name"]))


def _vanished(con, superseded: list[str], parsed: Landing, ref: Reference) -> list[str]:
    """'INDICATOR @ locality name' of the values the superseded submissions had and this file lacks."""
    if not superseded:
        return []
    earlier = con.execute(
        "select distinct indicator_code, locality_id from raw.indicator_values "
        "where submission_id in (select unnest(?)) order by 1, 2",
        [superseded],
    ).fetchall()
    values = parsed.values
    now = set(zip(values["indicator_code"].to_pylist(), values["locality_id"].to_pylist(), strict=True))
    names = ref.localities.get("name_vi", {})
    return [f"{code} @ {names.get(loc, loc)}" for code, loc in earlier if (code, loc) not in now]


def _record_duplicate(con, base: dict, original: tuple[str, str], pending: PendingRows | None = None) -> str:
    """One `duplicate` row per receipt of known content, naming the file it repeats (not twice for the
    same file name: re-running a folder does not grow the audit trail)."""
    _, original_name = original
    # named by file, not by submission id: what the sender recognises, and the same on a replay
    message = (
        f"Tệp '{base['file_name']}' trùng nội dung với tệp '{original_name}' đã nhận trước đó; không nạp lại."
    )
    if pending is not None:  # the batch's rows, an earlier duplicate of this one among them, are read back
        pending.flush(con)
    seen = con.execute(
        "select 1 from audit.submissions where sha256 = ? and status = 'duplicate' and file_name = ?",
        [base["sha256"], base["file_name"]],
    ).fetchone()
    if not seen:
        row = {**base, "status": "duplicate", "rows_read": 0, "cells_read": 0, "values_loaded": 0}
        row.update(values_quarantined=0, message=message, reason_code=None)
        with _atomic(con, pending is not None):
            _insert_rows(con, "audit.submissions", [row], None, pending)
    return message


def _load_parsed(
    con,
    base: dict,
    parsed: Landing,
    ref: Reference,
    index: SubmissionIndex,
    pending: PendingRows | None = None,
) -> tuple[list[str], list[str]]:
    """Insert everything of one parsed file atomically (see `_atomic`); return the superseded submission ids
    and the values they had that this file lacks."""
    ident = parsed.identity
    sid = base["submission_id"]
    key = ("loader.agency", ident.plan_id, ident.sector, ident.year)
    if key not in ref._cache:  # walks the agencies' transfers: once per plan × sector × year, not per file
        ref._cache[key] = ref.agency_id(ident.plan_id, ident.sector, ident.year)
    agency_id = ref._cache[key]
    tasks_note = f"{len(parsed.task_reports)} báo cáo nhiệm vụ được ghi nhận, " if parsed.task_reports else ""
    message = (
        f"Đã tiếp nhận tệp '{base['file_name']}': {len(parsed.values)} giá trị được ghi nhận, "
        f"{tasks_note}{parsed.cells_quarantined} ô chưa được ghi nhận."
    )
    if ident.source == "inferred":
        message += " Lưu ý: biểu không còn thông tin nhận dạng của biểu mẫu, đã xác định theo tiêu đề."
    if parsed.notes_vi:
        message += " Ghi chú: " + "; ".join(parsed.notes_vi) + "."
    sub = {
        **base,
        "agency_id": agency_id,
        "plan_id": ident.plan_id,
        "sector": ident.sector,
        "year": ident.year,
        "locality_id": ident.territory_id,
        "status": "loaded",
        "reason_code": None,
        "rows_read": parsed.rows_read,
        "cells_read": parsed.cells_read,
        "values_loaded": len(parsed.values),
        "values_quarantined": parsed.cells_quarantined,
        "message": message,
    }
    common = {"submission_id": sid, "plan_id": ident.plan_id, "agency_id": agency_id, "year": ident.year}
    key = (ident.plan_id, ident.sector, ident.year, ident.territory_id)
    superseded = list(index.loaded.get(key, []))
    with _atomic(con, pending is not None):
        _insert_rows(con, "audit.submissions", [sub], None, pending)
        _insert_rows(con, "raw.indicator_values", parsed.values, common, pending)
        _insert_rows(con, "raw.task_reports", parsed.task_reports, {"submission_id": sid}, pending)
        _insert_rows(con, "audit.quarantine", parsed.quarantine, {"submission_id": sid}, pending)
        if superseded and pending is not None:  # the superseded file's rows (and this one's) may be pending
            pending.flush(con)
        vanished = _vanished(con, superseded, parsed, ref)
        if vanished:
            con.execute(
                "update audit.submissions set message = message || ? where submission_id = ?",
                [vanished_note(vanished), sid],
            )
        if superseded:
            con.execute(
                "update audit.submissions set status = 'superseded', message = message || ? "
                "where submission_id in (select unnest(?))",
                [f" Đã được thay thế bởi tệp '{base['file_name']}'.", superseded],
            )
    index.loaded_now(base, key)
    return superseded, vanished


# When a batch commits: once its files' rows reach COMMIT_ROWS, or after COMMIT_EVERY files. DuckDB writes a
# transaction's rows to its write-ahead log, and checkpoints that log into the file once it passes 16 MB:
# both redo the work, and a year's commits cost ~1-1.5 s that way with 32 files a batch. A transaction that
# appends a whole row group (122,880 rows) to a table writes it straight into the file instead, so a batch
# holds two row groups' worth (~220 national workbooks' values), and its WAL stays small. Each file stays
# atomic: a failure rolls the batch back and replays its files one transaction each.
COMMIT_ROWS = 2 * 122_880
# Rows inserted into the open batch while the workers read on, rather than all at its commit: the last
# batch's inserts (~0.07 s a national reporting year) otherwise wait until every file is read, when
# nothing else is left to do.
FLUSH_ROWS = 30_000
COMMIT_EVERY = 512


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
    require_reference: bool = False,
) -> IngestSummary:
    """Ingest files and folders (default: the inbox, see `ingest.inbox`) and summarise.

    `inbox_archive_dir` defaults to `archive/` next to the warehouse and `feedback_dir` to `feedback/`.
    `workers`: processes that read and parse ahead while this one writes (default: the machine's cores for
    batches of `PARALLEL_MIN_FILES` or more, else none; `TREEM_INGEST_WORKERS` overrides).
    `require_reference`: raise `MissingReference`, loading nothing, when the warehouse lacks the reference.
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
    with read_ahead(files, ref, limits, workers, archive_dir) as prepared, connect(wh) as con:
        # One DuckDB thread: the writer's statements are small, and the reading workers need the other cores.
        con.execute("set threads = 1")
        if require_reference and not holds_reference(con):
            raise MissingReference(f"{wh}: no reference data (raw.indicators, raw.plans, raw.localities)")
        ensure_tables(con, INGEST_TABLES)
        _backfill_reason_codes(con)
        writer = _BatchWriter(con, SubmissionIndex(con), archive_dir, fb_dir, ref, limits)
        for result in writer.land_all(zip(files, prepared, strict=True)):
            summary.add(result)
            say(f"[{len(summary.results)}/{len(files)}] {result.line()}")
        summary.recorded_at = recorded_arrivals(con, [r.submission_id for r in summary.results])
    summary.check()
    return summary


class _BatchWriter:
    """Lands files in batch transactions (`COMMIT_ROWS`) and hands back each file's result once its rows are
    committed. If anything inside a batch fails (a file's statements, the batch's inserts, the commit), the
    batch is rolled back and its files are landed again one transaction each, exactly as without batches:
    a file that fails again is recorded `load_failed`, the others load."""

    def __init__(self, con, index: SubmissionIndex, archive_dir: Path, fb_dir: Path, ref, limits) -> None:
        self.con, self.index = con, index
        self.args = (archive_dir, fb_dir, ref, limits)
        self.batch: list[tuple[Path, Prepared | None, FileResult]] = []
        self.pending = PendingRows()  # the batch's rows

    def land_all(self, files: Iterable[tuple[Path, Prepared | None]]) -> Iterator[FileResult]:
        """Each file's result, in order, as soon as its batch is committed."""
        for path, ready in files:
            yield from self.land(path, ready)
        if self.batch:
            yield from self._commit()

    def land(self, path: Path, ready: Prepared | None) -> list[FileResult]:
        """Land one file in the open batch; the results committed by this call (none, or the batch's)."""
        if not self.batch:
            self.con.execute("begin transaction")
        try:
            result = _ingest_one(self.con, self.index, path, *self.args, ready, self.pending)
        except Exception:
            return self._replay(failed=(path, ready))
        self.batch.append((path, ready, result))
        if self.pending.rows >= COMMIT_ROWS or len(self.batch) >= COMMIT_EVERY:
            return self._commit()
        if self.pending.unflushed >= FLUSH_ROWS:
            try:
                self.pending.flush(self.con)
            except Exception:
                return self._replay()
        return []

    def _commit(self) -> list[FileResult]:
        try:
            self.pending.flush(self.con)
            self.con.execute("commit")
        except Exception:
            return self._replay()
        results = [result for *_, result in self.batch]
        self.batch.clear()
        self.pending.clear()
        return results

    def _replay(self, failed: tuple[Path, Prepared | None] | None = None) -> list[FileResult]:
        self.con.execute("rollback")
        self.pending.clear()
        self.index = SubmissionIndex(self.con)  # forget what the rolled-back files taught it
        files = [(path, ready) for path, ready, _ in self.batch] + ([failed] if failed else [])
        self.batch.clear()
        return [_ingest_one(self.con, self.index, path, *self.args, ready) for path, ready in files]


# --- read-ahead --------------------------------------------------------------------------------------
# Reading and parsing a workbook is CPU work independent of the warehouse (~45 ms a national workbook);
# writing it is the one thing that must be serial (one DuckDB writer). Worker processes therefore read and
# parse the files in order while this process writes, which halves a national backfill's ingest on two
# cores. Workers are forked after the reference is built, so they share it instead of rebuilding it.
# `concurrent.futures.ProcessPoolExecutor`, not `multiprocessing.Pool`: when a worker dies (abort, OOM
# kill) the executor raises BrokenProcessPool instead of waiting forever; the file in hand is then read
# again alone in a fresh one-worker pool, and if that dies too the file is rejected (`worker_died`,
# permanent: a retry skips it) and the rest of the batch goes on in a new pool.
PARALLEL_MIN_FILES = 40
# Files each worker may be ahead of the writer: enough to keep reading through a batch's insert and commit
# (~0.2 s, ~25 national workbooks a worker, more on a loaded machine); 4 left the workers idle for most of
# each commit. A prepared national workbook is ~120 KB: 48 a worker hold ~12 MB on two cores.
READ_AHEAD_PER_WORKER = 48


@dataclass
class Landing:
    """What the writer needs of a parse, made where the file was parsed: its identity, counts and notes,
    and its rows as Arrow tables (the columns the parse knows; the writer adds the submission's).

    Why: a national workbook's ~1,100 value dicts cost ~1.4 ms to pickle from the reading worker to the
    writer and ~1 ms to turn into a table there, in the one serial process; its table pickles in ~0.4 ms.
    Row-count attributes keep `Parsed`'s names, so `len(landing.values)` reads as it did. Its tables cross
    the process boundary as one Arrow IPC stream each (`__getstate__`): pickling an Arrow table copies it
    buffer by buffer, ~5× slower to write and ~10× slower to read back than the stream."""

    identity: Identity
    values: pa.Table
    task_reports: pa.Table
    quarantine: pa.Table
    rows_read: int
    cells_read: int
    cells_label: int
    cells_loaded: int
    cells_not_reported: int
    notes_vi: list[str]

    @property
    def cells_quarantined(self) -> int:
        return self.quarantine.num_rows

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for name in _LANDING_TABLES:
            state[name] = _ipc_bytes(state[name])
        return state

    def __setstate__(self, state: dict) -> None:
        for name in _LANDING_TABLES:
            state[name] = pa.ipc.open_stream(state[name]).read_all()
        self.__dict__.update(state)

    @classmethod
    def of(cls, parsed: Parsed) -> Landing:
        return cls(
            identity=parsed.identity,
            values=_columns("raw.indicator_values", parsed.values, _WRITER_COLUMNS["raw.indicator_values"]),
            task_reports=_columns(
                "raw.task_reports", parsed.task_reports, _WRITER_COLUMNS["raw.task_reports"]
            ),
            quarantine=_columns("audit.quarantine", parsed.quarantine, _WRITER_COLUMNS["audit.quarantine"]),
            rows_read=parsed.rows_read,
            cells_read=parsed.cells_read,
            cells_label=parsed.cells_label,
            cells_loaded=parsed.cells_loaded,
            cells_not_reported=parsed.cells_not_reported,
            notes_vi=parsed.notes_vi,
        )


_LANDING_TABLES = ("values", "task_reports", "quarantine")


def _ipc_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


# The columns the writer fills for every row of a file (`_load_parsed`): not known where it is parsed.
_WRITER_COLUMNS = {
    "raw.indicator_values": ("submission_id", "plan_id", "agency_id", "year"),
    "raw.task_reports": ("submission_id",),
    "audit.quarantine": ("submission_id",),
}


def _parsed_rows(table: str, rows: list[dict]) -> pa.Table:
    return _columns(table, rows, skip=_WRITER_COLUMNS[table])


@dataclass
class Prepared:
    """A file read and parsed (or refused) ahead of its turn: what `_ingest_one` needs besides the DB."""

    sha256: str
    parsed: Landing | None = None
    rejection: tuple[str, str] | None = None  # (reason code, detail)


def prepare(
    path: Path, ref: Reference, limits: Limits, sha: str | None = None, archive_dir: Path | None = None
) -> Prepared:
    """Check, hash and parse one file, read once; whole-file problems become a rejection, never an
    exception. `sha`: the writer's hash of the file, when it has one (the serial path). `archive_dir`: keep
    the bytes read there under their hash (a reading worker does, so that the writer need not copy them,
    and the archive holds exactly what was parsed)."""
    try:
        package = open_package(path, limits)
    except UnsafeFileError as exc:
        return Prepared(sha or file_fingerprint(path), rejection=(exc.code, exc.detail))
    except Exception as exc:  # an unexpected failure to open: recorded like a failed load, the batch goes on
        detail = f"{type(exc).__name__}: {exc}"
        return Prepared(sha or file_fingerprint(path), rejection=("load_failed", detail))
    ready = Prepared(sha or package.sha256)
    if archive_dir is not None:
        archive_copy(path, package.sha256, archive_dir, package.data)
    try:
        ready.parsed = Landing.of(parse_workbook(package, ref, limits))
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
_READERS = KeptPool()  # the workers, kept between batches (`reading_pool`)


def _prepare_in_worker(path: Path, archive_dir: Path) -> Prepared:
    ref, limits = _SHARED
    return prepare(path, ref, limits, archive_dir=archive_dir)


def _reading_worker() -> None:
    """Pool initializer of the reading workers: signals as every worker's and an exit when the parent is gone
    (`ingest.workers`), and the heap inherited from the parent frozen out of the cyclic garbage collector. A
    forked worker starts with the parent's objects (the reference, and in a Dagster run its definitions:
    ~300,000 of them), which live as long as the worker; each full collection traversed them all, ~0.4 s,
    ~10 % of a worker's CPU over a national year. Frozen, collections look only at what the worker allocates
    itself."""
    reset_worker_signals()
    exit_with_parent()
    gc.freeze()


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=mp.get_context("fork"), initializer=_reading_worker)


def _submit(pool: ProcessPoolExecutor, path: Path, archive_dir: Path):
    """Submit one file; a new pool's first submit forks its workers."""
    with warnings.catch_warnings():
        # Workers only parse files (no DuckDB, no Dagster): fork's caveat for threaded parents does not bite.
        warnings.filterwarnings("ignore", message=".*use of fork\\(\\) may lead to deadlocks.*")
        return pool.submit(_prepare_in_worker, path, archive_dir)


def _readers(workers: int, ref: Reference, limits: Limits) -> ProcessPoolExecutor:
    """The process's kept reading pool when its workers were forked with this reference, these limits and
    this parse function; else a new one (forked at its first submit)."""

    def new() -> ProcessPoolExecutor:
        global _SHARED
        _SHARED = (ref, limits)
        return _pool(workers)

    return _READERS.acquire((workers, ref, limits, parse_workbook), new)


def _alone(path: Path, archive_dir: Path) -> Prepared:
    """Read one file in its own one-worker pool: a file that kills its reader is rejected, nothing else."""
    sha = file_fingerprint(path)
    pool = _pool(1)
    try:
        return _submit(pool, path, archive_dir).result()
    except BrokenProcessPool:
        return Prepared(sha, rejection=("worker_died", "the reading process died (abort or out of memory)"))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Pooled:
    """`Prepared` per file, in order, at most `workers × READ_AHEAD_PER_WORKER` files ahead.

    Built, it has already handed the workers their first files (forking them, unless the process's kept
    pool is reused): the caller opens the warehouse while they read (waiting for the first file first cost
    ~50 ms a run)."""

    def __init__(self, files: list[Path], workers: int, ref: Reference, limits: Limits, archive_dir: Path):
        self.files, self.args, self.archive_dir = files, (workers, ref, limits), archive_dir
        self.window = workers * READ_AHEAD_PER_WORKER
        self.pool = _readers(*self.args)
        self.pending: deque = deque()
        self.next_i = 0
        self._fill()

    def _fill(self) -> None:
        while self.next_i < len(self.files) and len(self.pending) < self.window:
            self.pending.append((self.next_i, _submit(self.pool, self.files[self.next_i], self.archive_dir)))
            self.next_i += 1

    def __iter__(self) -> Iterator[Prepared]:
        while self.pending:
            i, future = self.pending.popleft()
            try:
                ready = future.result()
            except BrokenProcessPool:
                _READERS.release(self.pool, keep=False)
                ready = _alone(self.files[i], self.archive_dir)
                self.pending.clear()
                self.next_i = i + 1
                self.pool = _readers(*self.args)
            self._fill()
            yield ready

    def close(self) -> None:
        """Hand the pool back: kept for the next batch when this one read every file, else shut down."""
        _READERS.release(self.pool, keep=not self.pending)


@contextmanager
def read_ahead(
    files: list[Path], ref: Reference, limits: Limits, workers: int, archive_dir: Path
) -> Iterator:
    """An iterator of `Prepared` per file, in order: from forked workers (which archive what they read), or
    None per file (prepare lazily, so a duplicate is never parsed) when `workers` is 0 or the platform
    cannot fork."""
    if workers < 2 or "fork" not in mp.get_all_start_methods():
        yield iter([None] * len(files))
        return
    # Any new workers fork here, before the caller opens the warehouse: they never hold its handle.
    pooled = _Pooled(files, workers, ref, limits, archive_dir)
    try:
        yield iter(pooled)
    finally:
        pooled.close()


def _ingest_one(
    con,
    index: SubmissionIndex,
    path: Path,
    archive_dir: Path,
    fb_dir: Path,
    ref: Reference,
    limits: Limits = DEFAULT_LIMITS,
    ready: Prepared | None = None,
    pending: PendingRows | None = None,
) -> FileResult:
    """Land one file; with `pending`, inside the open batch transaction of `_BatchWriter`, its rows kept
    there until the batch commits."""
    sha = ready.sha256 if ready else file_fingerprint(path)
    result = FileResult(path=path, sha256=sha)
    known = index.known.get(sha)
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
    if known:
        result.status, result.duplicate_of = "duplicate", known[1]
        result.message = _record_duplicate(con, base, known, pending)
        return result
    ready = ready or prepare(path, ref, limits, sha)
    parsed = ready.parsed
    try:
        if ready.rejection:
            raise RejectedFile(*ready.rejection)
        if not parsed.values and not parsed.task_reports:
            raise RejectedFile("no_values", f"{parsed.cells_read} cells read, none loaded")
        result.superseded, result.vanished = _load_parsed(con, base, parsed, ref, index, pending)
    except RejectedFile as exc:
        result.status, result.reason_code = "rejected", exc.code
        kept = parsed if exc.code == "no_values" else None
        result.message = _record_rejected(con, base, exc.code, exc.detail, index, kept, pending)
        if kept is not None:
            result.take_counts(kept, loaded=False)
        else:
            parsed = None
    except Exception as exc:  # a failure mid-file: the transaction rolled back; record and continue
        if pending is not None:  # the batch's transaction is rolled back and its files replayed one by one
            raise
        result.status, result.reason_code = "rejected", "load_failed"
        result.message = _record_rejected(con, base, "load_failed", f"{type(exc).__name__}: {exc}", index)
        parsed = None
    else:
        result.status = "loaded"
        result.take_counts(parsed)
    if result.status == "rejected":  # never judged: its feedback is written now (a loaded file's, after DQ)
        result.feedback_path = write_rejection_feedback(
            fb_dir, path.name, result.message, sha256=sha, reference=ref
        )
    return result
