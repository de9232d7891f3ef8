"""The closing summary of a CLI run: first what needs a person, then where to look, then what was built.

Read from the warehouse itself (not from in-memory run state) so the numbers are the ones analysts will
see, and so `treem status` can print the same summary at any time. Its data-quality count is the one the
Dagster UI shows: one check per check family (`dq/check_results:<family>`), failed when any current result of
the family failed; the summary adds on how many files.

The bundled samples carry defects planted on purpose (ingest/samples.py records them); `treem demo` writes
that list beside the warehouse (`sample_defects.json`) and the summary labels each planted problem as such,
so a newcomer can tell the demonstration of a check from a real problem.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from ingest.snapshot import read_copy_path
from ingest.warehouse import connect, warehouse_path

PLANTED_FILE = "sample_defects.json"
PLANTED = "[planted in the samples: {}]"


def record_planted_defects(root: Path, defects: list[dict]) -> Path:
    """Keep the sample generator's list of planted defects beside the warehouse, for the summary."""
    path = root / PLANTED_FILE
    path.write_text(json.dumps(defects, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _planted(root: Path) -> dict[str, list[dict]]:
    path = root / PLANTED_FILE
    if not path.exists():
        return {}
    by_file: dict[str, list[dict]] = defaultdict(list)
    for defect in json.loads(path.read_text(encoding="utf-8")):
        by_file[defect["file_name"]].append(defect)
    return by_file


def _label(planted: dict[str, list[dict]], file_name: str, expect: str | None = None) -> str:
    """ " [planted ...]" when the samples planted this problem in this file (matching `expect` if given)."""
    for defect in planted.get(file_name, []):
        if expect is None or expect.startswith(defect["expect"]) or defect["expect"].startswith(expect):
            return " " + PLANTED.format(defect["description"])
    return ""


def _scalar(con, sql: str, default=0):
    try:
        value = con.execute(sql).fetchone()[0]
    except Exception:  # table not built yet (e.g. before the first warehouse_job)
        return default
    return default if value is None else value


def _rows(con, sql: str) -> list[tuple]:
    try:
        return con.execute(sql).fetchall()
    except Exception:  # table not built yet
        return []


FAILED_CHECKS_SQL = """
    with latest as (
        select *, row_number() over (
            partition by suite, check_name, coalesce(submission_id, '') order by checked_at desc
        ) as rn
        from dq.check_results
    )
    select split_part(l.check_name, ':', 1) as family, l.severity, s.file_name, s.agency_id
    from latest l left join audit.submissions s using (submission_id)
    where l.rn = 1 and not l.success
    order by family, s.file_name
"""


def _needs_a_person(con, planted: dict[str, list[dict]]) -> list[str]:
    lines: list[str] = []
    rejected = _rows(
        con, "select file_name, message from audit.submissions where status = 'rejected' order by file_name"
    )
    if rejected:
        lines.append(f"  {len(rejected)} file(s) rejected: ask the agency to send them again")
        for file_name, message in rejected:
            lines.append(f"    {file_name}: {message}{_label(planted, file_name)}")

    quarantined = _rows(
        con,
        "select s.file_name, q.reason_code, count(*) from audit.quarantine q "
        "join audit.submissions s using (submission_id) where s.status = 'loaded' "
        "group by all order by 1, 2",
    )
    if quarantined:
        cells = sum(n for *_, n in quarantined)
        files = len({f for f, *_ in quarantined})
        lines.append(
            f"  {cells} cell(s) not loaded in {files} file(s): each file's feedback workbook says why"
        )
        for file_name, reason, count in quarantined:
            lines.append(f"    {file_name}: {count} × {reason}{_label(planted, file_name, reason)}")

    failed = _rows(con, FAILED_CHECKS_SQL)
    families: dict[tuple[str, str], list[str]] = defaultdict(list)
    for family, severity, file_name, _ in failed:
        families[(family, severity)].append(file_name or "(all files)")
    if families:
        files = len({r[2] for r in failed})
        lines.append(
            f"  {len({f for f, _ in families})} data-quality check(s) failed (as in Dagster's asset checks), "
            f"on {files} file(s):"
        )
        for (family, severity), names in sorted(families.items()):
            flagged = [n for n in names if _label(planted, n, family)]
            note = f"; {len(flagged)} planted in the samples" if flagged else ""
            lines.append(f"    {family:<24} {severity:<8} {len(names)} file(s){note}")

    agency_names = dict(_rows(con, "select agency_id, name_vi from raw.agencies"))
    error_agencies = sorted(
        {agency_names.get(agency, agency or "?") for _, severity, _, agency in failed if severity == "error"}
    )
    errors = _scalar(con, "select count(*) from dq.flagged_values where severity = 'error'")
    warnings = _scalar(con, "select count(*) from dq.flagged_values where severity = 'warning'")
    if error_agencies:
        lines.append(
            f"  {len(error_agencies)} agency(ies) with errors ({errors} values kept out of the review "
            "marts): " + ", ".join(error_agencies)
        )
    else:
        lines.append(
            f"  no agency has errors; {warnings} value(s) pass with a warning (flagged in the marts)"
        )

    superseded = _rows(
        con,
        "select old.file_name, new.file_name from audit.submissions old join audit.submissions new "
        "on old.plan_id = new.plan_id and old.sector = new.sector and old.year = new.year "
        "and coalesce(old.locality_id, '') = coalesce(new.locality_id, '') and new.status = 'loaded' "
        "and new.received_at > old.received_at where old.status = 'superseded' order by 1",
    )
    for old, new in superseded:
        lines.append(f"  {old} was replaced by {new} (the later file counts){_label(planted, new)}")
    return lines or ["  nothing: every file loaded, every check passed"]


def warehouse_summary(path: Path | None = None) -> str:
    path = path or warehouse_path()
    root = path.parent
    planted = _planted(root)
    lines: list[str] = ["Needs a person:"]
    with connect(path, read_only=True) as con:
        lines.extend(_needs_a_person(con, planted))

        lines.append("\nWhere to look:")
        # counted by their kind: a folder also holds its index, the reports' fingerprints, GX's data docs
        for folder, pattern, what in (
            ("feedback", "*.xlsx", "feedback workbooks to send back to the agencies"),
            ("dq", "*_*.html", "data-quality pages, one per agency and year (index.html lists them)"),
            ("reports", "*.*", "review report files (Excel and HTML)"),
        ):
            files = (
                [p for p in (root / folder).glob(pattern) if p.is_file() and not p.name.startswith(".")]
                if (root / folder).exists()
                else []
            )
            if files:
                lines.append(f"  {len(files):>4} {what}: {root / folder}")
        lines.append("  query it (read-only, the readers' copy):")
        lines.append(
            '    .venv/bin/treem sql "select plan_item, indicator_code, value_2025, target_2025, '
            "status_2025, progress_2030 from marts.mart_so_ket_2025 where plan_id = 'dien-bien-2021' "
            'and is_plan_territory order by plan_item_order"'
        )
        lines.append(f"    or any DuckDB client from 1.4 on: duckdb -readonly {read_copy_path(path)}")

        by_status = dict(
            _rows(con, "select status, count(*) from audit.submissions group by status order by status")
        )
        values = _scalar(con, "select count(*) from marts.fct_indicator_value")
        review = _scalar(con, "select count(*) from marts.mart_so_ket_2025")
        marts = _scalar(con, "select count(*) from information_schema.tables where table_schema = 'marts'")
        files = ", ".join(f"{n} {status}" for status, n in by_status.items())
        lines.append(
            f"\nBuilt: {sum(by_status.values())} files ({files}); {values:,} indicator values; "
            f'{review:,} sơ kết rows; {marts} marts (treem sql "select table_name from '
            "information_schema.tables where table_schema = 'marts'\")."
        )
    return "\n".join(lines)
