"""The closing summary of a CLI run: what was built, what needs a person's attention, and where to look.

Read from the warehouse itself (not from in-memory run state) so the numbers are the ones analysts will
see, and so `treem status` can print the same summary at any time.
"""

from __future__ import annotations

from pathlib import Path

from ingest.snapshot import read_copy_path
from ingest.warehouse import connect, warehouse_path


def _scalar(con, sql: str, default=0):
    try:
        value = con.execute(sql).fetchone()[0]
    except Exception:  # table not built yet (e.g. before the first warehouse_job)
        return default
    return default if value is None else value


def warehouse_summary(path: Path | None = None) -> str:
    path = path or warehouse_path()
    lines: list[str] = []
    with connect(path, read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('marts', 'audit', 'dq') order by 1, 2"
        ).fetchall()
        lines.append("Contract tables:")
        for schema, table in tables:
            count = con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
            lines.append(f"  {schema}.{table:<34} {count:>9,} rows")

        lines.append("\nSubmissions:")
        for status, files, loaded, quarantined in con.execute(
            "select status, count(*), sum(values_loaded), sum(values_quarantined) "
            "from audit.submissions group by status order by status"
        ).fetchall():
            lines.append(
                f"  {status:<11} {files:>5} files {loaded or 0:>8,} values {quarantined or 0:>6,} quarantined"
            )
        rejected = con.execute(
            "select file_name, message from audit.submissions where status = 'rejected' order by file_name"
        ).fetchall()
        for file_name, message in rejected:
            lines.append(f"  rejected: {file_name}: {message}")

        errors = _scalar(con, "select count(*) from dq.flagged_values where severity = 'error'")
        warnings = _scalar(con, "select count(*) from dq.flagged_values where severity = 'warning'")
        failed = _scalar(con, "select count(*) from dq.check_results where not success")
        lines.append(
            f"\nData quality: {failed} failed checks; {errors} values with errors (kept out of the review "
            f"marts), {warnings} with warnings (flagged)."
        )

    root = path.parent
    for folder, what in (
        ("feedback", "feedback workbooks for agencies"),
        ("dq", "data-quality report (index.html)"),
        ("reports", "review reports"),
    ):
        files = sorted((root / folder).glob("*")) if (root / folder).exists() else []
        if files:
            lines.append(f"{len(files):>4} {what}: {root / folder}")
    lines.append("\nQuery it (read-only, the readers' copy):")
    lines.append(
        '  .venv/bin/treem sql "select plan_item, indicator_code, value_2025, target_2025, status_2025, '
        "progress_2030 from marts.mart_so_ket_2025 where plan_id = 'dien-bien-2021' and is_plan_territory\""
    )
    lines.append(f"  or any DuckDB client from 1.4 on: duckdb -readonly {read_copy_path(path)}")
    return "\n".join(lines)
