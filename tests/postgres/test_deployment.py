"""The PostgreSQL deployment through the same Definitions, on Dagster storage in PostgreSQL, with least
privilege: the pipeline's own role writes, analysts read the marts only, statisticians also dq and audit."""

from __future__ import annotations

import dataclasses
import os

import pytest
import yaml
from dagster import DagsterInstance, DagsterRunStatus, materialize

from ingest.postgres import ANALYST_ROLE, PIPELINE_ROLE, STATISTICIAN_ROLE
from orchestration.definitions import build_definitions, defs
from orchestration.defs.assets.postgres import postgres_assets
from orchestration.defs.resources import PostgresResource, WarehouseResource
from orchestration.defs.settings import SETTINGS
from orchestration.runner import ensure_instance_yaml
from tests.postgres.conftest import admin_conninfo, fresh_database

psycopg = pytest.importorskip("psycopg")


def test_postgres_deployment_is_selected_by_configuration():
    assert "postgres_job" not in {job.name for job in defs.resolve_all_job_defs()}
    deployed = build_definitions(dataclasses.replace(SETTINGS, deploy_postgres=True))
    assert deployed.resolve_job_def("postgres_job") is not None
    assert {s.name for s in deployed.sensors} >= {"publish_after_build"}


@pytest.fixture(scope="module")
def dagster_on_postgres(tmp_path_factory):
    """A DAGSTER_HOME whose run, event and schedule storage live in a fresh PostgreSQL database."""
    with fresh_database(f"treem_dagster_{os.getpid()}") as database:
        home = tmp_path_factory.mktemp("dagster_pg_home")
        storage = {
            "hostname": os.environ.get("TREEM_PG_HOST", "127.0.0.1"),
            "port": int(os.environ.get("TREEM_PG_PORT", "5432")),
            "username": os.environ.get("TREEM_PG_USER", "postgres"),
            "db_name": database,
            "scheme": "postgresql+psycopg2",  # SQLAlchemy 2.1 would pick psycopg 3: Dagster needs psycopg2
        }
        if os.environ.get("TREEM_PG_PASSWORD"):
            storage["password"] = {"env": "TREEM_PG_PASSWORD"}
        (home / "dagster.yaml").write_text(
            yaml.safe_dump({"storage": {"postgres": {"postgres_db": storage}}})
        )
        ensure_instance_yaml(home)  # treem's one-writer settings added, the storage kept
        yield home


def _as_role(con, role: str, statement: str) -> str:
    """Run `statement` as `role`: 'ok', or the SQLSTATE class name of the refusal."""
    try:
        with con.transaction():
            con.execute(f"set local role {role}")
            con.execute(statement)
        return "ok"
    except psycopg.errors.InsufficientPrivilege:
        return "denied"


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_job_on_dagster_postgres_storage_with_least_privilege(
    built_warehouse, pg_database, dagster_on_postgres
):
    with DagsterInstance.from_config(str(dagster_on_postgres)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        result = materialize(
            postgres_assets,
            instance=instance,
            resources={
                "warehouse": WarehouseResource(path=str(built_warehouse)),
                "postgres": PostgresResource(user=PIPELINE_ROLE, database=pg_database),
            },
            run_config={"ops": {"postgres__marts": {"config": {"select": ["+dim_indicator"]}}}},
        )
        assert result.success
        run = instance.get_run_by_id(result.run_id)
        assert run.status == DagsterRunStatus.SUCCESS
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1

    with psycopg.connect(admin_conninfo(pg_database), autocommit=True) as con:
        assert con.execute(
            "select rolsuper from pg_roles where rolname = %s", (PIPELINE_ROLE,)
        ).fetchone() == (False,)
        owner = con.execute("select tableowner from pg_tables where schemaname = 'marts' limit 1").fetchone()
        assert owner == (PIPELINE_ROLE,)
        assert con.execute("select count(*) from marts.dim_indicator").fetchone()[0] == 36

        assert _as_role(con, ANALYST_ROLE, "select count(*) from marts.dim_indicator") == "ok"
        assert _as_role(con, ANALYST_ROLE, "delete from marts.dim_indicator") == "denied"
        assert _as_role(con, ANALYST_ROLE, "create table marts.mine (a int)") == "denied"
        assert _as_role(con, ANALYST_ROLE, "select count(*) from raw.indicator_values") == "denied"
        assert _as_role(con, ANALYST_ROLE, "select count(*) from audit.submissions") == "denied"

        assert _as_role(con, STATISTICIAN_ROLE, "select count(*) from dq.check_results") == "ok"
        assert _as_role(con, STATISTICIAN_ROLE, "select count(*) from audit.quarantine") == "ok"
        assert _as_role(con, STATISTICIAN_ROLE, "update audit.submissions set message = ''") == "denied"
        assert _as_role(con, STATISTICIAN_ROLE, "select count(*) from raw.indicator_values") == "denied"
