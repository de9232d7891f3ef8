"""Session-wide test set-up: one fixture warehouse, built once through the real Dagster jobs.

The warehouse location is fixed before any project module is imported (the Definitions bind their resources
at import), so every test that needs built marts shares one DuckDB file built by `built_warehouse`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="treem-tests-"))
os.environ["TREEM_WAREHOUSE"] = str(_SESSION_DIR / "treem.duckdb")
os.environ["TREEM_INBOX"] = str(_SESSION_DIR / "inbox")
# Runs launched by the CLI under test go to the session's own instance, not the project's `.dagster_home`:
# two test processes (`make test` runs two workers) must not share one run queue and pool.
os.environ["DAGSTER_HOME"] = str(_SESSION_DIR / "dagster_home")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Group tests for `make test`'s two workers: a module's tests run on one worker, so its module-scoped
    fixture (a staged warehouse, a feedback run) is built once; the PostgreSQL tests all run on one worker,
    because the treem roles they provision are server-wide. `tryfirst`: xdist reads the group marker in its
    own hook of the same name, which would otherwise run first and see no marker.

    Slow tests come first (stable sort; `make test` passes `--no-loadscope-reorder` so xdist keeps this
    order instead of putting the groups with the most tests first): the soak or the bench started last would
    be the suite's tail, with the other worker idle."""
    for item in items:
        group = "postgres" if item.get_closest_marker("postgres") else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def dagster_instance():
    from dagster import DagsterInstance

    with DagsterInstance.ephemeral() as instance:
        yield instance


@pytest.fixture(scope="session")
def built_warehouse(dagster_instance) -> Path:
    """The sample warehouse: reference data, every sample submission, data quality, dbt marts, reports.

    Built exactly as `treem demo` builds it (same jobs, same definitions), once per test session.
    """
    from orchestration.defs.project import ensure_manifest
    from orchestration.demo import build_demo_warehouse

    ensure_manifest()
    build_demo_warehouse(instance=dagster_instance, inbox=Path(os.environ["TREEM_INBOX"]))
    return Path(os.environ["TREEM_WAREHOUSE"])


@pytest.fixture()
def warehouse_con(built_warehouse):
    import duckdb

    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()
