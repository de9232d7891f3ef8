"""PostgreSQL test fixtures: fresh databases on the local server (127.0.0.1:5432), the treem roles
provisioned, everything dropped afterwards. Tests skip, saying why, when no server answers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

psycopg = pytest.importorskip("psycopg")

PG_HOST = os.environ.get("TREEM_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("TREEM_PG_PORT", "5432")


def admin_conninfo(dbname: str | None = None) -> str:
    """The administrator's connection (the server's default user): only tests and provisioning use it."""
    from ingest.postgres import pg_conninfo

    return pg_conninfo(
        {**os.environ, "TREEM_PG_DATABASE": dbname or os.environ.get("TREEM_PG_DATABASE", "test")}
    )


def server_or_skip() -> None:
    try:
        with psycopg.connect(admin_conninfo(), connect_timeout=3):
            pass
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {str(exc).strip()}")


@contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """A new database with the treem roles provisioned; dropped afterwards, even if the test fails."""
    from ingest.postgres import provision_roles

    server_or_skip()
    with psycopg.connect(admin_conninfo(), autocommit=True) as con:
        con.execute(f"drop database if exists {name} with (force)")
        con.execute(f"create database {name}")
    try:
        provision_roles(admin_conninfo(), name)
        yield name
    finally:
        with psycopg.connect(admin_conninfo(), autocommit=True) as con:
            con.execute(f"drop database if exists {name} with (force)")


@pytest.fixture(scope="module")
def pg_database():
    with fresh_database(f"treem_test_{os.getpid()}") as name:
        yield name
