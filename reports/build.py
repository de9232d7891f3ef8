"""Entry point: one review report (workbook + HTML) for one plan, from an open warehouse connection.

A report is rebuilt only when what it shows changed: `changed_report` fingerprints the report's data
(everything `load_review` read, except the generation time), the report code and templates, and the
suppression config, and skips the writing when the fingerprint stored beside the reports
(`<reports>/.fingerprints.json`) is the same and both files are still there. Fingerprinting the data
itself, not the tables it came from, means no input can be forgotten: a report whose plan's rows did not
change is byte-for-byte the one a rebuild would write, except for its date.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import duckdb

from ingest.records import read_record, write_record
from reports.data import ReviewData, load_review
from reports.excel import write_workbook
from reports.html import write_html
from reports.safety import CONFIG_PATH, Suppressor, load_suppression_config

Review = Literal["so-ket-2025", "tong-ket-2030"]
FINGERPRINTS = ".fingerprints.json"
REPORTS_DIR = Path(__file__).resolve().parent


def report_stem(plan_id: str, review: str) -> str:
    return f"{plan_id}_{review}"


def _write(data: ReviewData, out: Path, stem: str, suppression_config: Path | str | None) -> list[Path]:
    suppressor = Suppressor(load_suppression_config(suppression_config), data.sensitive)
    return [
        write_workbook(data, out / f"{stem}.xlsx", suppressor),
        write_html(data, out / f"{stem}.html", suppressor),
    ]


def build_review_report(
    con: duckdb.DuckDBPyConnection,
    review: Review,
    plan_id: str,
    out_dir: Path | str,
    suppression_config: Path | str | None = None,
) -> list[Path]:
    """Write `<plan_id>_<review>.xlsx` and `.html` into `out_dir` and return their paths.

    The connection may be read-only: the report only reads marts. The suppression config defaults to
    reports/config.yaml; the sensitive indicators come from `marts.dim_indicator.is_sensitive` plus the
    config's extra list.
    """
    data = load_review(con, review, plan_id)
    return _write(data, Path(out_dir), report_stem(plan_id, review), suppression_config)


def _code_fingerprint() -> str:
    """The report writers' code and templates: a new version of them rebuilds every report."""
    digest = hashlib.sha256()
    for path in sorted([*REPORTS_DIR.glob("*.py"), *REPORTS_DIR.glob("templates/*")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _plain(value: object) -> object:
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def report_fingerprint(data: ReviewData, suppression_config: Path | str | None = None) -> str:
    """Fingerprint of everything a report shows except its date (data, code, suppression config).

    The fields are read as they are, not through `dataclasses.asdict`, whose deep copy of the national
    plan's ~100,000 values took most of the fingerprint's time: the JSON text is the same (ReviewData
    holds plain dicts, lists and sets, no nested dataclass)."""
    content = {f.name: getattr(data, f.name) for f in dataclasses.fields(data) if f.name != "generated_at"}
    config = Path(suppression_config) if suppression_config else CONFIG_PATH
    digest = hashlib.sha256(_code_fingerprint().encode())
    digest.update(config.read_bytes() if config.exists() else b"")
    digest.update(json.dumps(content, default=_plain, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def read_fingerprints(out_dir: Path | str) -> dict[str, str]:
    return read_record(Path(out_dir) / FINGERPRINTS)


def write_fingerprints(out_dir: Path | str, fingerprints: dict[str, str]) -> None:
    write_record(Path(out_dir) / FINGERPRINTS, fingerprints)


def changed_report(
    con: duckdb.DuckDBPyConnection,
    review: Review,
    plan_id: str,
    out_dir: Path | str,
    recorded: str | None,
    suppression_config: Path | str | None = None,
) -> tuple[str, ReviewData | None]:
    """(fingerprint, data): `data` is None when both files exist and their fingerprint is `recorded`
    (nothing to write)."""
    out, stem = Path(out_dir), report_stem(plan_id, review)
    data = load_review(con, review, plan_id)
    fingerprint = report_fingerprint(data, suppression_config)
    if recorded == fingerprint and all((out / f"{stem}{ext}").exists() for ext in (".xlsx", ".html")):
        return fingerprint, None
    return fingerprint, data


@dataclasses.dataclass(frozen=True)
class ReportTask:
    """One report to bring up to date, as a worker process receives it: where to read, what is recorded."""

    warehouse: Path
    review: Review
    plan_id: str
    out_dir: Path
    recorded: str | None = None  # the fingerprint recorded for its files; None rewrites them
    suppression_config: Path | str | None = None

    @property
    def stem(self) -> str:
        return report_stem(self.plan_id, self.review)


@dataclasses.dataclass(frozen=True)
class ReportOutcome:
    fingerprint: str
    written: list[Path]  # empty: unchanged, not rewritten


def update_report(task: ReportTask) -> ReportOutcome:
    """Read one report's data (a read-only connection of its own) and write its files if it changed."""
    from ingest.warehouse import connect

    with connect(task.warehouse, read_only=True) as con:
        fingerprint, data = changed_report(
            con, task.review, task.plan_id, task.out_dir, task.recorded, task.suppression_config
        )
    if data is None:
        return ReportOutcome(fingerprint, [])
    return ReportOutcome(fingerprint, _write(data, Path(task.out_dir), task.stem, task.suppression_config))


def update_reports(
    tasks: list[ReportTask], workers: int | None = None
) -> Iterator[tuple[ReportTask, ReportOutcome | Exception]]:
    """Bring the reports up to date, yielding (task, outcome or the error) as each is done.

    Each report is read and, if changed, written by a worker process (`ingest.workers.map_in_workers`), each
    with its own read-only connection (DuckDB admits many readers while no process writes, and the
    pipeline's warehouse pool keeps writers out of this step): reading the national plan's data (1-2 s a
    review) and writing it with openpyxl (2-3 s) are both CPU, so both run on every core. Reading first in
    one process, then writing in parallel, left the reading serial: 2.9 s of a national year's 6 s.
    """
    from ingest.workers import map_in_workers

    return map_in_workers(update_report, tasks, preload=[__name__], workers=workers)
