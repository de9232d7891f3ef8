"""A read-only copy of the DuckDB warehouse for analysts, swapped in atomically after each build.

Why: DuckDB admits one writer per file, and while a process holds the file read-write no other process can
open it at all, not even read-only ("Could not set lock on file"). If analysts (notebooks, BI, the report
viewer) opened `treem.duckdb` itself, they would block the pipeline, or the pipeline would lock them out for
the length of a build. So the pipeline owns `warehouse/treem.duckdb`, and readers open
`warehouse/treem.read.duckdb`, which this module refreshes after a successful build:

1. checkpoint the warehouse, so everything committed is in the main file and none is left in the WAL;
2. write the copy into a temporary file in the same folder (same filesystem, so the rename below is atomic),
   in DuckDB's v1.4.0 storage format: the pipeline runs DuckDB 2.x, whose own files DuckDB 1.x cannot
   open, and many desktop SQL tools still bundle a 1.x engine. A warehouse created by treem is itself in
   that format (`ingest.warehouse.connect`), so the copy is a byte copy of the checkpointed file, made while
   the checkpointing connection still holds DuckDB's lock (nobody writes meanwhile): seconds for a national
   warehouse, where re-encoding every table took 14 s. A warehouse file in a newer format (created by
   another tool or an older treem) is re-encoded instead: `ATTACH ... (STORAGE_VERSION 'v1.4.0')` plus
   `COPY FROM DATABASE` writes the same schemas, tables and views in the older format;
3. `os.replace` the temporary file onto `treem.read.duckdb`.

A reader that opens the read copy sees either the previous complete build or the new one, never a
half-written file. On POSIX a reader that already has the old copy open keeps reading that (unlinked)
file until it reconnects; nobody waits on anybody. (On Windows `os.replace` fails while a reader has the file
open; the function then raises and the previous copy stays in place.) Readers must open it with
`read_only=True`; writes to the read copy are lost at the next swap.

On PostgreSQL none of this is needed: MVCC gives readers the last committed state (see `ingest.postgres`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

READ_SUFFIX = ".read.duckdb"
# The oldest storage format the readers' copy is written in: DuckDB 1.4 and later clients open it.
READER_STORAGE_VERSION = "v1.4.0"


def read_copy_path(duckdb_path: Path | str) -> Path:
    """`warehouse/treem.duckdb` -> `warehouse/treem.read.duckdb`."""
    path = Path(duckdb_path)
    return path.with_name(path.name.removesuffix(".duckdb") + READ_SUFFIX)


def snapshot_for_readers(duckdb_path: Path | str, read_path: Path | str | None = None) -> Path:
    """Checkpoint `duckdb_path` and atomically replace its read copy; return the read copy's path.

    Call it when no other connection holds the warehouse (at the end of the warehouse job).
    """
    source = Path(duckdb_path).resolve()
    target = Path(read_path) if read_path else read_copy_path(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB creates the file itself; an empty file is not a database
    try:
        with duckdb.connect(str(source)) as con:
            con.execute("checkpoint")
            catalog, tags = con.execute(
                "select database_name, tags from duckdb_databases() where database_name = current_database()"
            ).fetchone()
            if str((tags or {}).get("storage_version", "")).startswith(READER_STORAGE_VERSION):
                shutil.copyfile(source, tmp)
            else:
                con.execute(
                    f"attach '{_sql_text(tmp)}' as readers_copy (storage_version '{READER_STORAGE_VERSION}')"
                )
                con.execute(f'copy from database "{catalog}" to readers_copy')
                con.execute("detach readers_copy")
        with open(tmp, "rb+") as handle:  # the bytes are on disk before the name points at them
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        raise
    return target


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")
