"""The PostgreSQL deployment as assets of the same Definitions: publish the landing tables, build dbt there.

Selected by configuration: with `TREEM_DEPLOY_POSTGRES=1` (orchestration/defs/settings.py) the Definitions
gain these assets, `postgres_job`, and a sensor that runs it after every successful warehouse build. The
DuckDB warehouse stays where files land (one code path for ingest and data quality); PostgreSQL serves the
many readers. The pipeline connects as its own role (`TREEM_PG_USER`, normally `treem_pipeline`, never a
superuser), through `PostgresResource`; the roles are provisioned once by an administrator
(`ingest.postgres.provision_roles`).
"""

import tempfile

from dagster import AssetExecutionContext, AssetKey, Config, MaterializeResult, asset

from orchestration.defs.concurrency import WAREHOUSE_POOL
from orchestration.defs.project import PIPELINE_BUILD_EXCLUDE
from orchestration.defs.resources import PostgresResource, WarehouseResource

GROUP = "postgres"
LANDING = AssetKey(["postgres", "landing"])
MARTS = AssetKey(["postgres", "marts"])
# Published after the warehouse build: the landing tables are complete once data quality has run.
PUBLISHED_AFTER = [AssetKey(["reader_snapshot"])]


@asset(
    key=LANDING,
    group_name=GROUP,
    deps=PUBLISHED_AFTER,
    pool=WAREHOUSE_POOL,  # reads the DuckDB file
    description="raw, audit and dq landing tables copied to PostgreSQL in one transaction.",
)
def postgres_landing(
    context: AssetExecutionContext, warehouse: WarehouseResource, postgres: PostgresResource
) -> MaterializeResult:
    from ingest.postgres import publish_to_postgres

    result = publish_to_postgres(warehouse.file, postgres.conninfo())
    context.log.info(f"published {result.total_rows:,} rows in {result.seconds:.1f} s")
    return MaterializeResult(metadata={"rows": result.total_rows, "seconds": round(result.seconds, 2)})


class PostgresBuildConfig(Config):
    select: list[str] = []  # dbt node selection; empty: the whole project


@asset(
    key=MARTS,
    group_name=GROUP,
    deps=[LANDING],
    description="dbt build of the whole project on the postgres target, then the readers' grants.",
)
def postgres_marts(
    context: AssetExecutionContext, config: PostgresBuildConfig, postgres: PostgresResource
) -> MaterializeResult:
    from ingest.postgres import grant_readers, run_dbt_build

    # a partial build runs only the tests whose every parent is selected
    args = ["--select", *config.select, "--indirect-selection", "cautious"] if config.select else []
    args += PIPELINE_BUILD_EXCLUDE
    with tempfile.TemporaryDirectory(prefix="treem-dbt-pg-") as tmp:  # own target: no partial-parse race
        done = run_dbt_build(
            args=args, target_path=f"{tmp}/target", log_path=f"{tmp}/logs", env=postgres.dbt_env()
        )
    context.log.info(done.stdout[-4000:])
    if done.returncode != 0:
        raise RuntimeError("dbt build on PostgreSQL failed:\n" + (done.stdout + done.stderr)[-3000:])
    grant_readers(postgres.conninfo())
    return MaterializeResult(metadata={"select": " ".join(config.select) or "all"})


postgres_assets = [postgres_landing, postgres_marts]
