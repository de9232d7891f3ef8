"""The inbox: where agency workbooks wait, the archive where their originals are kept, and what "new" means.

One module, used by the inbox sensor, the ingest asset, the loader, the CLI and the demo, so that they agree:

- where the inbox is: `TREEM_INBOX` if set, else `inbox/` beside the warehouse file (read when asked, never
  at import);
- which files count: every regular file below a folder except hidden and temporary (`~$`) files, in arrival
  order (modification time, then name), so a corrected resubmission is processed after the original;
- what a file is: its content hash (the same bytes under another name are the same submission);
- what happens after processing: the original is MOVED to `archive/<sha[:2]>/<sha><suffix>`, so the inbox
  holds only what is waiting and the archive holds every original exactly once, by content;
- cheap change detection: a file is known by (path, size, mtime) until it changes; only new or changed files
  are hashed and opened to find their reporting year.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


def inbox_folder(warehouse_root: Path | str | None = None) -> Path:
    """`TREEM_INBOX` if set, else `<warehouse folder>/inbox`."""
    configured = os.environ.get("TREEM_INBOX")
    if configured:
        return Path(configured).resolve()
    if warehouse_root is None:
        from ingest.warehouse import warehouse_path

        warehouse_root = warehouse_path().parent
    return Path(warehouse_root).resolve() / "inbox"


def archive_folder(warehouse_root: Path | str) -> Path:
    return Path(warehouse_root) / "archive"


def _counts(path: Path) -> bool:
    return path.is_file() and not path.name.startswith((".", "~$"))


def list_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given plus every file inside given folders, once each, in arrival order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(f for f in p.rglob("*") if _counts(f))
        elif p.is_file():
            out.append(p)
    arrived = []
    for f in dict.fromkeys(out):
        try:
            arrived.append((f.stat().st_mtime, f.name, f))
        except FileNotFoundError:  # moved to the archive by a run meanwhile (the sensor lists concurrently)
            continue
    return [f for _, _, f in sorted(arrived, key=lambda item: item[:2])]


def list_inbox(folder: Path | str) -> list[Path]:
    """Every waiting file of the inbox folder, in arrival order (none if the folder does not exist)."""
    return list_files([folder]) if Path(folder).is_dir() else []


def file_fingerprint(path: Path | str) -> str:
    """SHA-256 of the content."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def reporting_year(path: Path) -> int:
    """The year the workbook reports on; for an unreadable file, the one programme year its name states
    (`dien-bien_culture_2022_loi.xlsx` is a 2022 report, whatever day it came), else the year it arrived
    (so it is still ingested, and recorded as rejected)."""
    from ingest.workbook.identity import peek_year

    year = peek_year(path)
    if year is not None:
        return year
    named = [int(y) for y in re.findall(r"(?<!\d)(20[23]\d)(?!\d)", path.stem) if 2020 <= int(y) <= 2030]
    if len(set(named)) == 1:
        return named[0]
    return dt.datetime.fromtimestamp(path.stat().st_mtime).year


def archived_path(sha: str, suffix: str, archive_dir: Path) -> Path:
    return archive_dir / sha[:2] / f"{sha}{suffix.lower() or '.bin'}"


def archive_copy(path: Path, sha: str, archive_dir: Path, data: bytes | None = None) -> Path:
    """Keep the original under its hash (once); the file itself stays where it is. `data`: its bytes as
    read and hashed (the ingest's reading workers archive what they parsed), written with its times."""
    target = archived_path(sha, path.suffix, archive_dir)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")  # two processes may archive a copy
        if data is None:
            shutil.copy2(path, tmp)
        else:
            tmp.write_bytes(data)
            stat = path.stat()
            os.utime(tmp, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        os.replace(tmp, target)  # a crash never leaves a half-copied original under the final name
    return target


def retire(path: Path, sha: str, archive_dir: Path) -> bool:
    """After processing: make sure the original is archived by hash, then remove it from the inbox.

    Only if the file still has the content that was processed: a file still being copied in, or replaced
    since, stays in the inbox as a new arrival (the sensor sees its new size and mtime). Returns whether it
    was removed.
    """
    if file_fingerprint(path) != sha:
        return False
    archive_copy(path, sha, archive_dir)
    path.unlink()
    return True


def archived_originals(archive_dir: Path) -> list[Path]:
    """Every original in the archive (any order; the arrivals log has the order)."""
    if not archive_dir.is_dir():
        return []
    return [p for p in archive_dir.glob("??/*") if p.is_file() and not p.name.startswith(".")]


@dataclass(frozen=True)
class Stat:
    """What is compared before hashing: a file whose size and mtime are unchanged is not read again."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Stat:
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns)


# --- the arrivals log: the archive's own record of what arrived when -------------------------------------
# The archive keeps each original once, by content; it cannot say in which order files arrived, under which
# name, or when (the review marts judge timeliness by arrival). `archive/arrivals.jsonl` records that, one
# line per file that made a submission row, in processing order, so the archive alone is enough to replay
# the warehouse (`treem rebuild`) if the DuckDB file is lost.
ARRIVALS_LOG = "arrivals.jsonl"


def record_arrivals(archive_dir: Path, entries: list[dict]) -> None:
    """Append entries (file_name, sha256, suffix, year, status, submission_id, received_at) durably."""
    if not entries:
        return
    archive_dir.mkdir(parents=True, exist_ok=True)
    with (archive_dir / ARRIVALS_LOG).open("a", encoding="utf-8") as log:
        for entry in entries:
            log.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        log.flush()
        os.fsync(log.fileno())


def read_arrivals(archive_dir: Path) -> list[dict]:
    path = archive_dir / ARRIVALS_LOG
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def recorded_arrivals(con, submission_ids: list[str]) -> dict[str, str]:
    """submission_id -> its `received_at` as the warehouse recorded it (ISO text to the microsecond), for
    those of `submission_ids` that made a row: what the arrivals log keeps, so that a replay gives the same
    times. Read by the ingest on its own connection once its rows are committed (`IngestSummary`)."""
    if not submission_ids:
        return {}
    return dict(
        con.execute(
            "select submission_id, strftime(received_at, '%Y-%m-%dT%H:%M:%S.%f') "
            "from audit.submissions where submission_id in (select unnest(?))",
            [submission_ids],
        ).fetchall()
    )


def settle(summary, inbox_dir: Path, archive_dir: Path, year: int) -> int:
    """After an ingest batch: log every new submission in the arrivals log (with its recorded arrival time,
    `summary.recorded_at`), then move the processed inbox originals to the archive. Returns how many
    originals left the inbox.

    `year` is the reporting-year partition the batch ran in, logged so that a replay runs the same one."""
    # duplicates are submissions too (audit.submissions records them, naming the file they repeat), so a
    # replay of the log makes the same rows; a receipt already recorded makes no new row and is not logged
    made_rows = {
        r.submission_id: r for r in summary.results if r.status in ("loaded", "rejected", "duplicate")
    }
    if made_rows:
        stamps = summary.recorded_at
        entries = []
        for submission_id, result in made_rows.items():
            if submission_id not in stamps and result.status == "duplicate":
                continue
            if submission_id not in stamps:
                raise RuntimeError(f"{result.path.name}: submission {submission_id} is not in the warehouse")
            entries.append(
                {
                    "file_name": result.path.name,
                    "sha256": result.sha256,
                    "suffix": result.path.suffix.lower(),
                    "status": result.status,
                    "year": str(year),
                    "submission_id": submission_id,
                    "received_at": stamps[submission_id],
                }
            )
        record_arrivals(archive_dir, entries)
    moved = 0
    # string prefixes of real paths: pathlib's resolve and is_relative_to cost ~0.1 ms a file (~400 a year)
    inbox = os.path.join(os.path.realpath(inbox_dir), "")
    for result in summary.results:
        if os.path.realpath(result.path).startswith(inbox) and result.path.exists():
            moved += retire(result.path, result.sha256, archive_dir)
    return moved
