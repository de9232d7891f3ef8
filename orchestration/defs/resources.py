"""Resources shared by every asset: the warehouse file, PostgreSQL and the dbt CLI.

Nothing here reads the environment when the Definitions load: empty fields resolve from `TREEM_*` when a
run or a sensor tick uses them, so one loaded code location follows the configuration it runs with.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as package_version
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource
from packaging.version import Version

from ingest import warehouse
from ingest.inbox import archive_folder, inbox_folder
from orchestration.defs.project import dbt_executable, dbt_project


class WarehouseResource(ConfigurableResource):
    """Where the embedded warehouse lives and where the inbox, archive and reports are.

    Connections are opened per asset and closed before the next step: DuckDB admits one writer, and dbt
    runs in its own process.
    """

    path: str = ""  # empty: `TREEM_WAREHOUSE` when the run starts, else `warehouse/treem.duckdb`
    inbox: str = ""  # empty: `TREEM_INBOX` when the run starts, else `inbox/` beside the warehouse file

    @property
    def file(self) -> Path:
        """The DuckDB file, resolved when a run uses it (never when the Definitions load)."""
        return Path(self.path).resolve() if self.path else warehouse.warehouse_path()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.file, read_only=read_only) as con:
            yield con

    @property
    def root(self) -> Path:
        return self.file.parent

    @property
    def inbox_dir(self) -> Path:
        return Path(self.inbox).resolve() if self.inbox else inbox_folder(self.root)

    @property
    def archive_dir(self) -> Path:
        return archive_folder(self.root)


class PostgresResource(ConfigurableResource):
    """Where the PostgreSQL deployment is and as whom the pipeline connects (its own, non-superuser role).

    Empty fields fall back to the `TREEM_PG_*` variables when a run starts (the dbt profile reads the same).
    """

    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""
    database: str = ""

    def settings(self) -> dict[str, str]:
        values = {
            "TREEM_PG_HOST": self.host,
            "TREEM_PG_PORT": self.port,
            "TREEM_PG_USER": self.user,
            "TREEM_PG_PASSWORD": self.password,
            "TREEM_PG_DATABASE": self.database,
        }
        return {**os.environ, **{name: value for name, value in values.items() if value}}

    def conninfo(self) -> str:
        from ingest.postgres import pg_conninfo

        return pg_conninfo(self.settings())

    def dbt_env(self) -> dict[str, str]:
        return self.settings()


class TreemDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource, told the dbt version instead of asking, and without a second dbt.

    dagster-dbt learns which dbt it drives by running `dbt --version` once per resource, that is once per
    run: 1.5-1.9 s of a new year's build on two cores. treem's dbt is the dbt-core of this environment
    (`dbt_executable`), so its version is the installed package's.

    Before every `dbt.cli(...)` dagster-dbt also builds a dbt adapter inside the Dagster process (imports
    dbt, loads the profile and parses dbt's 540 macros: 5.3 s of a national new year's 20 s dbt step on
    two cores). That adapter serves only `fetch_row_counts` / `fetch_column_metadata`, which treem does
    not call: the dbt subprocess does all the work. Without it (dagster-dbt accepts no adapter) events
    stream as dbt emits them, as before. The pin of dagster-dbt in pyproject.toml keeps these two
    overrides of its private methods in step with the version they were written against.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(package_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # noqa: ARG002 (dagster-dbt's signature)
        return None


def build_resources() -> dict:
    return {
        "warehouse": WarehouseResource(),
        "postgres": PostgresResource(),
        "dbt": TreemDbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.profiles_dir),
            dbt_executable=dbt_executable(),
        ),
    }
