"""PostgreSQL as a second warehouse: the same landing tables give the same marts, row for row.

The sample warehouse is built on DuckDB by the real jobs (session fixture `built_warehouse`), its landing
tables are published to a fresh PostgreSQL database created for this test, dbt builds there, and every
table of DuckDB's `marts` schema is compared with PostgreSQL's. Rows are compared as sorted multisets of
normalised tuples (numbers as floats within a relative tolerance, timestamps as naive UTC), so the engines
may differ in numeric types and row order but not in content. Skipped when no server answers.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import os
import tempfile

import pytest

psycopg = pytest.importorskip("psycopg")

REL_TOL = 1e-9
ABS_TOL = 1e-9


def _norm(value):
    """One comparable representation per value, whatever engine and driver produced it."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float | decimal.Decimal):
        number = float(value)
        return None if math.isnan(number) else number
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return value


def _sort_key(row):
    """Total order over mixed, nullable values; floats rounded so float noise cannot reorder rows."""
    key = []
    for v in row:
        if v is None:
            key.append((0, ""))
        elif isinstance(v, float):
            key.append((1, float(f"{v:.9g}")))
        else:
            key.append((2, str(v)))
    return key


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return a == b


def _duckdb_marts(con) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def _columns(con, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def compare_tables(name: str, columns: list[str], left: list[tuple], right: list[tuple]) -> list[str]:
    """Differences between two row sets (empty list when equal), described for a failure message."""
    a = sorted((tuple(_norm(v) for v in row) for row in left), key=_sort_key)
    b = sorted((tuple(_norm(v) for v in row) for row in right), key=_sort_key)
    if len(a) != len(b):
        return [f"{name}: {len(a)} rows on DuckDB, {len(b)} on PostgreSQL"]
    problems = []
    for i, (ra, rb) in enumerate(zip(a, b, strict=True)):
        bad = [
            f"{c}: {va!r} != {vb!r}" for c, va, vb in zip(columns, ra, rb, strict=True) if not _same(va, vb)
        ]
        if bad:
            problems.append(f"{name} row {i}: " + "; ".join(bad))
            if len(problems) >= 5:
                break
    return problems


def test_compare_tables_tolerates_engine_differences():
    left = [(1, 0.1 + 0.2, dt.datetime(2026, 1, 1, 8)), (2, None, None)]
    right = [
        (decimal.Decimal(2), None, None),
        (1.0, 0.3, dt.datetime(2026, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-7)))),
    ]
    assert compare_tables("t", ["a", "b", "c"], left, right) == []
    assert compare_tables("t", ["a", "b", "c"], left, right[:1])


@pytest.mark.slow
@pytest.mark.postgres
def test_marts_identical_on_postgres(built_warehouse, pg_database):
    import duckdb

    from ingest.postgres import pg_conninfo, publish_to_postgres, run_dbt_build

    env = {**os.environ, "TREEM_PG_DATABASE": pg_database}
    published = publish_to_postgres(built_warehouse, env)
    assert published.rows["raw.indicator_values"] > 0
    with tempfile.TemporaryDirectory(prefix="treem-dbt-pg-") as tmp:
        build = run_dbt_build(pg_database, target_path=f"{tmp}/target", log_path=f"{tmp}/logs")
    assert build.returncode == 0, (
        f"dbt build on PostgreSQL failed:\n{build.stdout[-6000:]}\n{build.stderr[-2000:]}"
    )

    with duckdb.connect(str(built_warehouse), read_only=True) as dcon:
        tables = _duckdb_marts(dcon)
        assert tables, "DuckDB has no marts"
        expected = {
            t: (_columns(dcon, t), dcon.execute(f"select * from marts.{t}").fetchall()) for t in tables
        }

    assert any(rows for _, rows in expected.values()), "every DuckDB mart is empty: nothing compared"
    print("compared:", ", ".join(f"{t} ({len(rows)} rows)" for t, (_, rows) in expected.items()))
    problems: list[str] = []
    with psycopg.connect(pg_conninfo(env)) as pg:
        for table, (columns, rows) in expected.items():
            cur = pg.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = %s",
                (table,),
            )
            pg_columns = {r[0] for r in cur.fetchall()}
            if not pg_columns:
                problems.append(f"{table}: missing on PostgreSQL")
                continue
            if pg_columns != set(columns):
                problems.append(f"{table}: columns differ: {sorted(set(columns) ^ pg_columns)}")
                continue
            pg_rows = pg.execute(f"select {', '.join(columns)} from marts.{table}").fetchall()
            problems.extend(compare_tables(table, columns, rows, pg_rows))
    assert not problems, "DuckDB and PostgreSQL marts differ:\n" + "\n".join(problems)
