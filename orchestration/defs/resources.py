"""Resources shared by every asset: the warehouse file and the dbt CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from ingest import warehouse
from ingest.inbox import archive_folder, inbox_folder
from orchestration.defs.project import dbt_executable, dbt_project


class WarehouseResource(ConfigurableResource):
    """Where the embedded warehouse lives and where the inbox, archive and reports are.

    Connections are opened per asset and closed before the next step: DuckDB admits one writer, and dbt
    runs in its own process.
    """

    path: str
    inbox: str = ""  # empty: `TREEM_INBOX` when the run starts, else `inbox/` beside the warehouse file

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.path, read_only=read_only) as con:
            yield con

    @property
    def root(self) -> Path:
        return Path(self.path).resolve().parent

    @property
    def inbox_dir(self) -> Path:
        return Path(self.inbox).resolve() if self.inbox else inbox_folder(self.root)

    @property
    def archive_dir(self) -> Path:
        return archive_folder(self.root)


def build_resources() -> dict:
    return {
        "warehouse": WarehouseResource(path=str(warehouse.warehouse_path())),
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.profiles_dir),
            dbt_executable=dbt_executable(),
        ),
    }
