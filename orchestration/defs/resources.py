"""Resources shared by every asset: the warehouse file and the dbt CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource

from ingest import warehouse
from orchestration.defs.project import dbt_executable, dbt_project


class WarehouseResource(ConfigurableResource):
    """Where the embedded warehouse lives and where the inbox, archive and reports are.

    Connections are opened per asset and closed before the next step: DuckDB admits one writer, and dbt
    runs in its own process.
    """

    path: str

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse.connect(self.path, read_only=read_only) as con:
            yield con

    @property
    def root(self):
        from pathlib import Path

        return Path(self.path).resolve().parent


def build_resources() -> dict:
    return {
        "warehouse": WarehouseResource(path=str(warehouse.warehouse_path())),
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.profiles_dir),
            dbt_executable=dbt_executable(),
        ),
    }
