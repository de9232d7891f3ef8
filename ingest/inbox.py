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
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


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
    unique = list(dict.fromkeys(out))
    return sorted(unique, key=lambda f: (f.stat().st_mtime, f.name))


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
    """The year the workbook reports on; for an unreadable file, the year it arrived (so it is still
    ingested, and recorded as rejected)."""
    from ingest.workbook.identity import peek_year

    year = peek_year(path)
    if year is not None:
        return year
    return dt.datetime.fromtimestamp(path.stat().st_mtime).year


def archived_path(sha: str, suffix: str, archive_dir: Path) -> Path:
    return archive_dir / sha[:2] / f"{sha}{suffix.lower() or '.bin'}"


def archive_copy(path: Path, sha: str, archive_dir: Path) -> Path:
    """Keep the original under its hash (once); the file itself stays where it is."""
    target = archived_path(sha, path.suffix, archive_dir)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.part")
        shutil.copy2(path, tmp)
        os.replace(tmp, target)  # a crash never leaves a half-copied original under the final name
    return target


def retire(path: Path, sha: str, archive_dir: Path) -> Path:
    """After processing: make sure the original is archived by hash, then remove it from the inbox."""
    target = archive_copy(path, sha, archive_dir)
    path.unlink(missing_ok=True)
    return target


def is_inside(path: Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def archived_originals(archive_dir: Path) -> list[Path]:
    """Every original in the archive (any order; replay order comes from `audit.submissions`)."""
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
