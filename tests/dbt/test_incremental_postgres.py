"""The incremental years on PostgreSQL: delete+insert by year gives the marts of a full rebuild.

The sample warehouse's landing tables are published to a fresh PostgreSQL database and built once; then one
loaded submission of an earlier year is superseded there, only that year of the value chain is rebuilt
(TREEM_DBT_YEARS), and every mart must equal a `--full-refresh` build of the same landing tables, row for
row. Skipped when no server answers (tests/postgres/test_parity.py owns the connection helpers).
"""

from __future__ import annotations

import os

import pytest

from tests.postgres.conftest import fresh_database

psycopg = pytest.importorskip("psycopg")


@pytest.fixture(scope="module")
def pg_database():
    with fresh_database(f"treem_test_inc_{os.getpid()}") as name:
        yield name


def _build(database: str, tmp_path, *args: str) -> None:
    from ingest.postgres import run_dbt_build

    result = run_dbt_build(database, args=args, target_path=tmp_path / "target", log_path=tmp_path / "logs")
    assert result.returncode == 0, f"{result.stdout[-5000:]}\n{result.stderr[-2000:]}"


def _marts(pg) -> list[str]:
    rows = pg.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()
    return [name for (name,) in rows]


@pytest.mark.slow
@pytest.mark.postgres
def test_one_year_rebuilt_on_postgres_equals_a_full_rebuild(
    built_warehouse, pg_database, tmp_path, monkeypatch
):
    from ingest.postgres import pg_conninfo, publish_to_postgres

    env = {**os.environ, "TREEM_PG_DATABASE": pg_database}
    publish_to_postgres(built_warehouse, env)
    monkeypatch.setenv("TREEM_DBT_YEARS", "all")
    _build(pg_database, tmp_path, "--full-refresh", "--exclude", "resource_type:test")

    with psycopg.connect(pg_conninfo(env), autocommit=True) as pg:
        submission_id, year = pg.execute(
            "select s.submission_id, s.year from audit.submissions s "
            "where s.status = 'loaded' and s.year = 2022 "
            "and exists (select 1 from marts.fct_indicator_value f where f.submission_id = s.submission_id) "
            "order by s.submission_id limit 1"
        ).fetchone()
        pg.execute(
            "update audit.submissions set status = 'superseded' where submission_id = %s", (submission_id,)
        )

    monkeypatch.setenv("TREEM_DBT_YEARS", str(year))
    _build(pg_database, tmp_path, "--exclude", "resource_type:test")
    with psycopg.connect(pg_conninfo(env), autocommit=True) as pg:
        gone = pg.execute(
            "select count(*) from marts.fct_indicator_value where submission_id = %s", (submission_id,)
        ).fetchone()[0]
        assert gone == 0, "the superseded submission's values left the facts"
        tables = _marts(pg)
        pg.execute("create schema incremental_copy")
        for table in tables:
            pg.execute(f"create table incremental_copy.{table} as select * from marts.{table}")

    monkeypatch.setenv("TREEM_DBT_YEARS", "all")
    _build(pg_database, tmp_path, "--full-refresh", "--exclude", "resource_type:test")
    with psycopg.connect(pg_conninfo(env), autocommit=True) as pg:
        assert "fct_indicator_value" in tables and "mart_so_ket_2025" in tables
        for table in tables:
            for a, b in (("marts", "incremental_copy"), ("incremental_copy", "marts")):
                extra = pg.execute(
                    f"select count(*) from (select * from {a}.{table} except all select * from {b}.{table}) d"
                ).fetchone()[0]
                assert extra == 0, f"{table}: {extra} rows of {a} not in {b}"
