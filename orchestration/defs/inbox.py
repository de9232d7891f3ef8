"""The inbox: where agency workbooks wait, and how a file is assigned to a reporting year.

Kept apart from the sensor so that the sensor, the ingest asset and the CLI agree on what "a new file" is:
a file is identified by its path and content hash, and belongs to the reporting year its workbook identity
states. A file whose year cannot be read (corrupt, encrypted, not a workbook) still has to be recorded as
rejected, so it goes to the year it arrived in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


def inbox_dir(warehouse_root: Path) -> Path:
    return warehouse_root / "inbox"


def list_inbox(folder: Path) -> list[Path]:
    """Every regular file below the inbox, except hidden and temporary (~$) files, in a stable order."""
    if not folder.exists():
        return []
    return sorted(
        path for path in folder.rglob("*") if path.is_file() and not path.name.startswith((".", "~$"))
    )


def file_fingerprint(path: Path) -> str:
    """Content hash: the same bytes under another name are the same submission."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def reporting_year(path: Path) -> int:
    """The year the workbook reports on; for an unreadable file, the one programme year its name states
    (`dien-bien_culture_2022_loi.xlsx` is a 2022 report, whatever day it came), else the year it arrived."""
    from ingest.workbook.identity import peek_year

    year = peek_year(path)
    if year is not None:
        return year
    named = [int(y) for y in re.findall(r"(?<!\d)(20[23]\d)(?!\d)", path.stem) if 2020 <= int(y) <= 2030]
    if len(set(named)) == 1:
        return named[0]
    return dt.datetime.fromtimestamp(path.stat().st_mtime).year
