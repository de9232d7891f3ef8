"""Publish the landing tables (`raw.*`, `audit.*`, `dq.*`) from the DuckDB warehouse to PostgreSQL.

Why a second warehouse
----------------------
The embedded DuckDB file serves one province well; a national deployment needs a server that many
analysts, BI tools and report jobs read at once. The Python loaders keep landing into DuckDB (one code
path, fast local COPY, tested); this module copies the landed tables to PostgreSQL, and dbt then builds
staging, intermediate and marts there (`TREEM_DBT_TARGET=postgres`). The parity test
(`tests/postgres/test_parity.py`) proves both targets build the same marts row for row.

How it copies
-------------
Table shapes come from `ingest.warehouse.ALL_TABLES` (the one declaration of the landing layer), mapped to
PostgreSQL types. Each table is exported by DuckDB as CSV (DuckDB quotes empty strings and leaves NULLs
unquoted, so the two stay distinct) and streamed into PostgreSQL with psycopg 3 `cursor.copy(... FROM
STDIN)`: no per-row Python work, so a national raw layer copies at hundreds of thousands of rows a second.

Readers are never blocked
-------------------------
- PostgreSQL: all tables of one publish are replaced in ONE transaction with `DELETE` + `COPY` (not
  `TRUNCATE`, which takes an ACCESS EXCLUSIVE lock that would block every reader until commit). Under MVCC
  readers keep seeing the previous complete set until the commit and the new complete set after it, never
  a mix. dbt's table materialisations on PostgreSQL likewise build `<model>__dbt_tmp` and rename it in a
  short transaction, so marts readers are only held for the rename. Dead rows are reclaimed by a
  `VACUUM ANALYZE` after the commit (which also refreshes planner statistics for the dbt build).
- DuckDB: one process holds the file for writing and then no other process can open it, even read-only.
  Analysts therefore open the read copy that `ingest.snapshot.snapshot_for_readers` swaps in atomically
  after each build (see that module).

A table whose PostgreSQL columns differ from the declared shape (the shape evolved) is dropped with
CASCADE and recreated; the dbt build that follows recreates the dependent staging views.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.warehouse import ALL_TABLES

DEFAULT_SCHEMAS = ("raw", "audit", "dq")
COPY_BLOCK = 1 << 20  # bytes per write into the COPY stream

# Portable type names of ALL_TABLES -> PostgreSQL types.
PG_TYPES = {
    "varchar": "varchar",
    "integer": "integer",
    "bigint": "bigint",
    "double": "double precision",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}

# How information_schema.columns.data_type spells the PostgreSQL types above (for shape comparison).
INFO_SCHEMA_TYPES = {"varchar": "character varying", "timestamp": "timestamp without time zone"}


@dataclass
class PublishResult:
    """What one publish did: rows per table and how long the copy took (seconds)."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    recreated: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def pg_conninfo(dsn_or_env: str | Mapping[str, str] | None = None) -> str:
    """A libpq connection string from a DSN, or from TREEM_PG_* variables (the dbt profile's settings).

    Passing the environment (default `os.environ`) keeps one source of truth for where PostgreSQL is:
    dbt's `postgres` target reads the same variables.
    """
    if isinstance(dsn_or_env, str):
        return dsn_or_env
    env = os.environ if dsn_or_env is None else dsn_or_env
    parts = {
        "host": env.get("TREEM_PG_HOST", "127.0.0.1"),
        "port": env.get("TREEM_PG_PORT", "5432"),
        "user": env.get("TREEM_PG_USER", "postgres"),
        "dbname": env.get("TREEM_PG_DATABASE", "test"),
    }
    password = env.get("TREEM_PG_PASSWORD")
    if password:
        parts["password"] = password
    from psycopg.conninfo import make_conninfo

    return make_conninfo(**parts)


def pg_type(portable: str) -> str:
    try:
        return PG_TYPES[portable.lower()]
    except KeyError as exc:
        raise ValueError(f"no PostgreSQL type for portable type {portable!r}") from exc


def tables_in(schemas: Iterable[str]) -> dict[str, dict[str, str]]:
    wanted = set(schemas)
    return {name: cols for name, cols in ALL_TABLES.items() if name.split(".")[0] in wanted}


def _pg_columns(cur, qualified_name: str) -> list[tuple[str, str]] | None:
    schema, table = qualified_name.split(".")
    cur.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = %s and table_name = %s order by ordinal_position",
        (schema, table),
    )
    rows = cur.fetchall()
    return [(r[0], r[1]) for r in rows] or None


def _ensure_pg_table(cur, qualified_name: str, columns: dict[str, str]) -> bool:
    """Create the table if missing, or recreate it if its shape differs; True if (re)created."""
    wanted = [(name, pg_type(t)) for name, t in columns.items()]
    existing = _pg_columns(cur, qualified_name)
    if existing is not None and existing == [(n, INFO_SCHEMA_TYPES.get(t, t)) for n, t in wanted]:
        return False
    if existing is not None:
        cur.execute(f"drop table {qualified_name} cascade")
    cols = ", ".join(f"{name} {t}" for name, t in wanted)
    cur.execute(f"create table {qualified_name} ({cols})")
    return True


def _duckdb_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall()
    return {r[0] for r in rows}


def publish_to_postgres(
    duckdb_path: Path | str,
    dsn_or_env: str | Mapping[str, str] | None = None,
    schemas: Iterable[str] = DEFAULT_SCHEMAS,
    vacuum: bool = True,
) -> PublishResult:
    """Replace the content of every landing table of `schemas` on PostgreSQL with DuckDB's, atomically.

    Tables missing from DuckDB (e.g. `dq.*` before the first validation) are published empty, so dbt's
    sources always resolve. Returns rows per table. The DuckDB file is opened read-only: call this when no
    pipeline step holds it for writing.
    """
    import psycopg

    started = time.perf_counter()
    result = PublishResult()
    tables = tables_in(schemas)
    with tempfile.TemporaryDirectory(prefix="treem-publish-") as tmp:
        exports: dict[str, Path | None] = {}
        with duckdb.connect(str(duckdb_path), read_only=True) as dcon:
            present = _duckdb_tables(dcon)
            for name, columns in tables.items():
                if name not in present:
                    exports[name] = None
                    continue
                out = Path(tmp) / f"{name}.csv"
                cols = ", ".join(columns)
                dcon.execute(f"copy (select {cols} from {name}) to '{out}' (format csv, header false)")
                exports[name] = out
        with psycopg.connect(pg_conninfo(dsn_or_env)) as pg:  # one transaction for the whole table set
            with pg.cursor() as cur:
                for schema in sorted({n.split(".")[0] for n in tables}):
                    cur.execute(f"create schema if not exists {schema}")
                for name, columns in tables.items():
                    if _ensure_pg_table(cur, name, columns):
                        result.recreated.append(name)
                    else:
                        cur.execute(f"delete from {name}")
                    path = exports[name]
                    if path is not None:
                        cols = ", ".join(columns)
                        statement = f"copy {name} ({cols}) from stdin (format csv)"
                        with cur.copy(statement) as copy, path.open("rb") as handle:
                            while block := handle.read(COPY_BLOCK):
                                copy.write(block)
                    cur.execute(f"select count(*) from {name}")
                    result.rows[name] = cur.fetchone()[0]
            pg.commit()
    if vacuum:
        with psycopg.connect(pg_conninfo(dsn_or_env), autocommit=True) as pg:
            for name in tables:
                pg.execute(f"vacuum analyze {name}")
    result.seconds = time.perf_counter() - started
    return result


def dbt_env(database: str | None = None, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for a dbt subprocess building on the `postgres` target (optionally another database)."""
    env = dict(os.environ if base is None else base)
    env["TREEM_DBT_TARGET"] = "postgres"
    if database:
        env["TREEM_PG_DATABASE"] = database
    return env


def run_dbt_build(
    database: str | None = None,
    args: Iterable[str] = (),
    target_path: Path | str | None = None,
    log_path: Path | str | None = None,
    env: Mapping[str, str] | None = None,
):
    """`dbt build` on PostgreSQL in a subprocess; returns the CompletedProcess (caller checks returncode).

    A separate target/log path keeps this build from racing the DuckDB build's partial-parse cache.
    """
    import subprocess
    import sys

    from ingest.warehouse import PROJECT_ROOT

    dbt = Path(sys.executable).with_name("dbt")
    project = PROJECT_ROOT / "dbt_project"
    cmd = [
        str(dbt) if dbt.exists() else "dbt",
        "build",
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
    ]
    if target_path:
        cmd += ["--target-path", str(target_path)]
    if log_path:
        cmd += ["--log-path", str(log_path)]
    cmd += list(args)
    return subprocess.run(cmd, env=dbt_env(database, env), capture_output=True, text=True, check=False)


# --- least privilege on the shared server ---------------------------------------------------------------
# Three roles. The pipeline logs in as `treem_pipeline`, owns the schemas it writes (raw, audit, dq and dbt's
# staging, intermediate, marts) and is no superuser. Analysts are members of `treem_analyst`: read-only on
# `marts`. Statisticians are members of `treem_statistician`: read-only on `marts`, `dq` and `audit`.
# Nobody but the pipeline reads `raw` (cell-level values, including small counts of sensitive indicators).
# The marts' SELECT grants are dbt `grants` (dbt_project.yml); schema USAGE and the landing tables' grants
# are applied by `grant_readers` after each publish and build, because dbt grants cover relations only.
PIPELINE_ROLE = "treem_pipeline"
ANALYST_ROLE = "treem_analyst"
STATISTICIAN_ROLE = "treem_statistician"
READ_ACCESS = {ANALYST_ROLE: ("marts",), STATISTICIAN_ROLE: ("marts", "dq", "audit")}


def provision_roles(admin_conninfo: str, database: str, pipeline_password: str | None = None) -> None:
    """Once, as an administrator: create the three roles (if missing) and let the pipeline create schemas
    in `database`. After this the pipeline runs with `TREEM_PG_USER=treem_pipeline`."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_conninfo, autocommit=True) as con:
        for role, login in ((PIPELINE_ROLE, True), (ANALYST_ROLE, False), (STATISTICIAN_ROLE, False)):
            exists = con.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
            if not exists:
                con.execute(
                    sql.SQL("create role {} {}").format(
                        sql.Identifier(role), sql.SQL("login" if login else "nologin")
                    )
                )
            con.execute(
                sql.SQL("alter role {} nosuperuser nocreatedb nocreaterole").format(sql.Identifier(role))
            )
        if pipeline_password:
            con.execute(
                sql.SQL("alter role {} password {}").format(
                    sql.Identifier(PIPELINE_ROLE), sql.Literal(pipeline_password)
                )
            )
        con.execute(
            sql.SQL("grant connect, create on database {} to {}").format(
                sql.Identifier(database), sql.Identifier(PIPELINE_ROLE)
            )
        )
        con.execute(
            sql.SQL("grant connect on database {} to {}, {}").format(
                sql.Identifier(database), sql.Identifier(ANALYST_ROLE), sql.Identifier(STATISTICIAN_ROLE)
            )
        )


def grant_readers(dsn_or_env: str | Mapping[str, str] | None = None) -> None:
    """As the pipeline: schema USAGE for the reader roles, and SELECT on the landing schemas they may read
    (`dq`, `audit`; the marts' SELECT comes from dbt grants). Idempotent; nothing on `raw`."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(pg_conninfo(dsn_or_env)) as con:
        present = {row[0] for row in con.execute("select schema_name from information_schema.schemata")}
        for role, schemas in READ_ACCESS.items():
            for schema in (s for s in schemas if s in present):
                names = {"schema": sql.Identifier(schema), "role": sql.Identifier(role)}
                con.execute(sql.SQL("grant usage on schema {schema} to {role}").format(**names))
                if schema in DEFAULT_SCHEMAS:
                    grant = "grant select on all tables in schema {schema} to {role}"
                    con.execute(sql.SQL(grant).format(**names))
        con.commit()
