"""`treem check FILE...`: the officer's dry run -- would this workbook be accepted, and what must be fixed?

Why a throwaway warehouse instead of a second code path: a check that reimplemented the rules would drift
from what the pipeline does. So each file goes through the REAL loader (`ingest_paths`: safety checks,
reader, parser, quarantine) into a temporary DuckDB that holds only the reference tables, then through the
SAME data-quality entry point the pipeline uses (`expectations.runner.validate_warehouse`), and the feedback
workbook is built from that database exactly as the pipeline builds it after validation. Checks that need
history (year-over-year outliers) have none to compare with; everything that needs only the file and the
reference runs. The real warehouse is only read (its readers' copy, for the reference tables) and never
written.

Cost: the reference tables are set up once per batch (copied from the readers' copy when there is one, else
landed from the reference code) into a template database; each file gets its own copy of it, so files of
the same plan, sector and year never supersede or judge each other.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.workbook.feedback import Feedback, archived_roles, collect, is_feedback_file, save

REFERENCE_TABLES = (
    "raw.indicators",
    "raw.plans",
    "raw.targets",
    "raw.target_overrides",
    "raw.assignments",
    "raw.plan_baselines",
    "raw.localities",
    "raw.locality_succession",
    "raw.agencies",
    "raw.tasks",
    "raw.task_coordination",
)
MAX_LINES = 8  # findings printed per file: one screen; the feedback workbook has them all


@dataclass
class CheckResult:
    path: Path
    feedback: Feedback
    feedback_path: Path | None
    values_loaded: int
    seconds: float

    @property
    def ready(self) -> bool:
        return self.feedback.ready


class CheckInputError(ValueError):
    """A path given to `treem check` that is not there or holds no file."""


def reference_frames() -> dict:
    """Every reference table as the reference assets land it (used when no readers' copy exists)."""
    from ingest.reference.agencies import build_agencies
    from ingest.reference.catalog import load_indicators
    from ingest.reference.localities import build_localities, build_succession
    from ingest.reference.plans import load_registry
    from ingest.reference.tasks import load_tasks

    registry = load_registry()
    localities = build_localities()
    return {
        "raw.indicators": load_indicators(),
        **registry,
        "raw.localities": localities,
        "raw.locality_succession": build_succession(),
        "raw.agencies": build_agencies(registry["raw.plans"], localities),
        **load_tasks(),
    }


def build_reference_db(target: Path, readers_copy: Path | None) -> str:
    """A DuckDB holding the reference tables and the empty ingest/dq tables; says where they came from."""
    from ingest import warehouse

    with warehouse.connect(target) as con:
        warehouse.ensure_tables(con, warehouse.ALL_TABLES)
        if readers_copy is not None and readers_copy.exists():
            quoted = str(readers_copy).replace("'", "''")
            con.execute(f"attach '{quoted}' as src (read_only)")
            present = {
                f"{s}.{t}"
                for s, t in con.execute(
                    "select schema_name, table_name from duckdb_tables() where database_name = 'src'"
                ).fetchall()
            }
            if all(name in present for name in REFERENCE_TABLES):
                for name in REFERENCE_TABLES:
                    columns = ", ".join(warehouse.ALL_TABLES[name])
                    con.execute(f"insert into {name} select {columns} from src.{name}")
                con.execute("detach src")
                return str(readers_copy)
            con.execute("detach src")
        for name, frame in reference_frames().items():
            if name in REFERENCE_TABLES:
                warehouse.replace_table(con, name, frame, warehouse.ALL_TABLES[name])
    return "reference code"


def narrow_localities(con) -> int:
    """Drop the districts and communes of provinces the file does not report on; returns rows dropped.

    Why: the checks read `raw.localities` only for the file's own localities and the units above them
    (levels, roll-up ancestry), but walking the ancestry of all 14,000 units took a third of a check.
    The throwaway database holds one file, so the other provinces' units can never be looked up.
    """
    before = con.execute("select count(*) from raw.localities").fetchall()[0][0]
    con.execute(
        """
        delete from raw.localities
        where level in ('district', 'commune')
          and province_id not in (
              select distinct coalesce(l.province_id, l.locality_id)
              from raw.indicator_values v join raw.localities l using (locality_id)
          )
        """
    )
    return before - con.execute("select count(*) from raw.localities").fetchall()[0][0]


def expand(paths: list[str]) -> list[Path]:
    from ingest.inbox import list_files

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise CheckInputError(f"Không tìm thấy: {', '.join(missing)} (no such file or folder).")
    # Feedback written by an earlier check of the same folder is not a submission.
    named = {Path(p).resolve() for p in paths}
    files = [f for f in list_files(paths) if f.resolve() in named or not is_feedback_file(f)]
    if not files:
        raise CheckInputError("Không có tệp nào để kiểm tra (no file to check in the folders given).")
    return files


def check_files(
    files: list[Path],
    out_dir: Path | None = None,
    readers_copy: Path | None = None,
    reference=None,
    on_result: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Check each file in its own throwaway warehouse; write its feedback next to it (or into `out_dir`)."""
    from expectations.runner import validate_warehouse
    from ingest import warehouse
    from ingest.workbook.context import load_reference
    from ingest.workbook.loader import ingest_paths

    ref = reference or load_reference()
    results = []
    with tempfile.TemporaryDirectory(prefix="treem-check-") as tmp:
        tmp = Path(tmp)
        template = tmp / "reference.duckdb"
        build_reference_db(template, readers_copy)
        # Start-up, not per file: Great Expectations takes seconds to import on first use.
        import great_expectations  # noqa: F401

        for i, path in enumerate(files):
            started = time.perf_counter()
            db = tmp / f"check-{i}.duckdb"
            shutil.copyfile(template, db)
            summary = ingest_paths(
                [path], db, tmp / "archive", feedback_dir=tmp / "feedback", reference=ref, workers=0
            )
            loaded = summary.results[0]
            with warehouse.connect(db) as con:
                if loaded.status == "loaded":
                    narrow_localities(con)
                    validate_warehouse(con, run_id=f"check-{i}")
                sid = loaded.submission_id
                feedback = collect(con, sid, ref, archived_roles(con, [sid], ref).get(sid))
            written = save(feedback, out_dir or path.parent)
            db.unlink()
            result = CheckResult(path, feedback, written, loaded.values_loaded, time.perf_counter() - started)
            results.append(result)
            if on_result:
                on_result(result)
    return results


# --- what the officer reads ----------------------------------------------------------------------------


def summary_lines(result: CheckResult) -> list[str]:
    """One screen per file, in Vietnamese: ready to send, N cells to fix, or rejected and why."""
    fb = result.feedback
    head = result.path.name + (f" — {fb.title}" if fb.title else "")
    lines = [head]
    if fb.status == "rejected":
        finding = fb.findings[0]
        lines.append(f"  BỊ TỪ CHỐI: {finding.problem}.")
        if finding.fix:
            lines.append(f"  Cách sửa: {finding.fix}")
    elif fb.ready:
        note = f"; {fb.warnings} cảnh báo nên xem lại" if fb.warnings else ""
        lines.append(f"  SẴN SÀNG GỬI: đọc được {result.values_loaded} giá trị, không có lỗi{note}.")
    else:
        lines.append(
            f"  CẦN SỬA {fb.cells_to_fix} Ô trước khi gửi"
            + (f" (và {fb.warnings} cảnh báo nên xem lại)" if fb.warnings else "")
            + f"; đọc được {result.values_loaded} giá trị."
        )
    if fb.status != "rejected":
        findings = [f for f in fb.sorted_findings()]
        # a file whose findings are on several sheets (a copied data sheet) names each line's sheet: the
        # same cell of two sheets otherwise reads as one line written twice
        several = len({f.sheet for f in findings if f.sheet}) > 1
        for f in findings[:MAX_LINES]:
            where = f"Dòng {f.row}" if f.row else "Cả tệp"
            if several and f.sheet:
                where = f"Trang '{f.sheet}', {where[0].lower()}{where[1:]}"
            if f.locality:
                where += f" ({f.locality})"
            problem = f.problem.split("\n")[0]
            cells = f" [{', '.join(f.cells[:6])}{', …' if len(f.cells) > 6 else ''}]" if f.cells else ""
            hint = f" {f.suggestion.splitlines()[0]}" if f.suggestion else ""
            lines.append(f"  - {KIND_LABEL[f.kind]} {where}{cells}: {problem}{hint}")
        if len(findings) > MAX_LINES:
            lines.append(f"  … và {len(findings) - MAX_LINES} dòng khác trong tệp phản hồi.")
    if result.feedback_path:
        lines.append(f"  Phản hồi chi tiết: {result.feedback_path}")
    return lines


KIND_LABEL = {"quarantine": "[chưa ghi nhận]", "error": "[lỗi]", "warning": "[cảnh báo]", "file": "[tệp]"}


def run_check(paths: list[str], out: str | None = None, say: Callable[[str], None] = print) -> int:
    """The `treem check` command: 0 when every file is ready to send, 1 otherwise, 2 for a bad argument."""
    from ingest.snapshot import read_copy_path
    from ingest.warehouse import warehouse_path

    try:
        files = expand(paths)
    except CheckInputError as exc:
        say(str(exc))
        return 2
    out_dir = Path(out) if out else None
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        say(f"--out phải là một thư mục: {out_dir} (--out must be a folder).")
        return 2
    started = time.perf_counter()

    def show(result: CheckResult) -> None:
        say("\n".join(summary_lines(result)))

    try:
        results = check_files(files, out_dir, read_copy_path(warehouse_path()), on_result=show)
    except OSError as exc:  # a feedback folder that cannot be written, a file removed meanwhile
        say(f"Không ghi được tệp phản hồi: {exc.strerror or exc} ({exc.filename or out_dir}).")
        return 2
    ready = sum(r.ready for r in results)
    seconds = time.perf_counter() - started
    say(
        f"\n{ready}/{len(results)} tệp sẵn sàng gửi. Đã kiểm tra trong {seconds:.1f} giây "
        f"({sum(r.seconds for r in results) / len(results):.2f} giây/tệp, không kể khởi động)."
    )
    return 0 if ready == len(results) else 1
