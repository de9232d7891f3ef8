"""The embedded DuckDB warehouse: where it lives, how to connect, and the raw layer's table shapes.

The raw layer is the contract between the Python loaders (this package) and the dbt project: dbt declares
these tables as sources. Keeping their DDL in one place means a loader cannot silently drift from what the
staging models expect. Only one process may hold a read-write DuckDB connection at a time, so callers open
a connection, do their work in one transaction, and close it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from ingest.snapshot import READER_STORAGE_VERSION

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "treem.duckdb"

# Column lists of every table the Python side writes. Types are portable SQL types so the same shapes can
# be created on PostgreSQL.
RAW_TABLES: dict[str, dict[str, str]] = {
    "raw.indicators": {
        "indicator_code": "varchar",
        "goal_group": "integer",
        "national_item": "varchar",
        "name_vi": "varchar",
        "name_en": "varchar",
        "unit": "varchar",
        "factor": "integer",
        "direction": "varchar",
        "numerator_vi": "varchar",
        "denominator_vi": "varchar",
        "numerator_le_denominator": "boolean",
        "plausible_min": "double",
        "plausible_max": "double",
        "is_sensitive": "boolean",
    },
    "raw.plans": {
        "plan_id": "varchar",
        "title_vi": "varchar",
        "document_no": "varchar",
        "issued_on": "date",
        "issuer_vi": "varchar",
        "locality_id": "varchar",
        "source_file": "varchar",
        "report_deadline": "varchar",  # MM-DD, yearly reporting deadline of the plan's agencies
    },
    "raw.targets": {
        "claim_id": "varchar",
        "plan_id": "varchar",
        "locality_id": "varchar",
        "indicator_code": "varchar",
        "plan_item": "varchar",
        "year": "integer",
        "comparator": "varchar",
        "target_value": "double",
        "target_value_high": "double",
        "unit_as_written": "varchar",
        "conversion_factor": "double",
        "source_section": "varchar",
        "source_quote": "varchar",
    },
    "raw.target_overrides": {
        "plan_id": "varchar",
        "indicator_code": "varchar",
        "year": "integer",
        "authoritative_section": "varchar",
        "reason": "varchar",
        "reviewed_by": "varchar",
    },
    "raw.assignments": {
        "plan_id": "varchar",
        "indicator_code": "varchar",
        "plan_item": "varchar",
        "sector": "varchar",
        "agency_as_written": "varchar",
    },
    "raw.plan_baselines": {
        "plan_id": "varchar",
        "locality_id": "varchar",
        "indicator_code": "varchar",
        "year": "integer",
        "value": "double",
        "source_quote": "varchar",
    },
    "raw.localities": {
        "locality_id": "varchar",
        "scheme": "varchar",
        "code": "varchar",
        "name_vi": "varchar",
        "level": "varchar",
        "parent_id": "varchar",
        "province_id": "varchar",
        "valid_from": "date",
        "valid_to": "date",
    },
    "raw.locality_succession": {
        "old_locality_id": "varchar",
        "new_locality_id": "varchar",
        "allocation_share": "double",
        "is_partial": "boolean",
        "allocation_rule": "varchar",
    },
    "raw.agencies": {
        "agency_id": "varchar",
        "name_vi": "varchar",
        "sector": "varchar",
        "locality_id": "varchar",
        "valid_from": "date",
        "valid_to": "date",
    },
    "raw.reporting_units": {  # written from ingest/workbook/context.py reporting_units_frame
        "plan_id": "varchar",
        "year": "integer",
        "valid_on": "date",  # the reporting date the units are valid on (context.reporting_date)
        "unit_id": "varchar",
        "unit_level": "varchar",
    },
    "raw.expected_agencies": {  # written from ingest/workbook/context.py expected_agencies_frame
        "plan_id": "varchar",
        "sector": "varchar",
        "year": "integer",
        "valid_on": "date",  # the reporting date the agency is valid on (context.reporting_date)
        "expected_agency_id": "varchar",  # null: the transfer rule finds no agency
    },
    "raw.tasks": {
        "task_id": "varchar",
        "plan_id": "varchar",
        "section": "varchar",
        "task_label": "varchar",
        "text_vi": "varchar",
        "lead_sector": "varchar",
        "lead_as_written": "varchar",
        "locality_id": "varchar",
    },
    "raw.task_coordination": {
        "task_id": "varchar",
        "sector": "varchar",
        "agency_as_written": "varchar",
    },
}

# Tables written by the workbook ingest. `audit.*` are contract tables (warehouse-contract.md); the values
# land in `raw.indicator_values` with full lineage and are shaped into facts by dbt.
INGEST_TABLES: dict[str, dict[str, str]] = {
    "audit.submissions": {
        "submission_id": "varchar",
        "file_name": "varchar",
        "sha256": "varchar",
        "received_at": "timestamp",
        "agency_id": "varchar",
        "plan_id": "varchar",
        "sector": "varchar",
        "year": "integer",
        "locality_id": "varchar",
        "status": "varchar",  # loaded | superseded | rejected | duplicate
        "rows_read": "integer",
        "cells_read": "integer",
        "values_loaded": "integer",
        "values_quarantined": "integer",
        "message": "varchar",
        "archived_path": "varchar",
        "reason_code": "varchar",  # why a file was rejected (reasons.py code); null otherwise
    },
    "audit.quarantine": {
        "submission_id": "varchar",
        "sheet": "varchar",
        "cell": "varchar",
        "raw_value": "varchar",
        "reason_code": "varchar",
        "reason_vi": "varchar",
    },
    "raw.indicator_values": {
        "submission_id": "varchar",
        "plan_id": "varchar",
        "agency_id": "varchar",
        "indicator_code": "varchar",
        "locality_id": "varchar",
        "year": "integer",
        "value": "double",
        "numerator": "double",
        "denominator": "double",
        "is_total_row": "boolean",
        "sheet": "varchar",
        "cell": "varchar",
        "raw_value": "varchar",
        "value_qualifier": "varchar",  # '<', '<=', '>', '>=' when the agency wrote a bound ("<2", "≥95")
    },
    "raw.task_reports": {
        "submission_id": "varchar",
        "task_id": "varchar",
        "year": "integer",
        "status": "varchar",
        "narrative_vi": "varchar",
        "evidence_ref": "varchar",
        "sheet": "varchar",
        "cell": "varchar",
    },
}

# Results of the Great Expectations runs (contract schema `dq`).
DQ_TABLES: dict[str, dict[str, str]] = {
    "dq.check_results": {
        "run_id": "varchar",
        "checked_at": "timestamp",
        "suite": "varchar",
        "check_name": "varchar",
        "severity": "varchar",
        "success": "boolean",
        "element_count": "integer",
        "unexpected_count": "integer",
        "unexpected_sample": "varchar",
        "submission_id": "varchar",
        "judged_against": "varchar",  # config and reference fingerprint (expectations/fingerprint.py)
    },
    "dq.flagged_values": {
        "submission_id": "varchar",
        "indicator_code": "varchar",
        "locality_id": "varchar",
        "year": "integer",
        "severity": "varchar",
        "check_name": "varchar",
        "detail": "varchar",
    },
}


ALL_TABLES: dict[str, dict[str, str]] = {**RAW_TABLES, **INGEST_TABLES, **DQ_TABLES}

# Which dbt source (dbt_project/models/staging/_sources.yml) declares each table; Dagster asset keys are
# [source, table], the dagster-dbt default, so lineage flows from the Python assets into the dbt models.
_SOURCE_BY_SCHEMA = {"audit": "audit", "dq": "dq"}
REFERENCE_SOURCE = (
    "reference"  # the source of every raw table but the workbooks' (catalog, plans, localities)
)
_WORKBOOK_TABLES = {"raw.indicator_values", "raw.task_reports"}
SOURCE_OF_TABLE: dict[str, tuple[str, str]] = {
    name: (
        "agency_workbooks"
        if name in _WORKBOOK_TABLES
        else _SOURCE_BY_SCHEMA.get(name.split(".")[0], REFERENCE_SOURCE),
        name.split(".")[1],
    )
    for name in ALL_TABLES
}


def warehouse_path() -> Path:
    """The DuckDB file to use: `TREEM_WAREHOUSE` if set, else `warehouse/treem.duckdb`."""
    return Path(os.environ.get("TREEM_WAREHOUSE", DEFAULT_WAREHOUSE)).resolve()


def memory_limit() -> str:
    """DuckDB's memory cap for the pipeline's connections (and dbt's, see profiles.yml).

    DuckDB's default is 80 % of the machine's RAM, kept as buffer cache; capped, it spills large sorts and
    joins to `<file>.tmp/` instead, which keeps a national backfill inside a 2 GB budget on a shared box.
    """
    return os.environ.get("TREEM_DUCKDB_MEMORY_LIMIT", "1GB")


def cross_check_memory_limit() -> str:
    """DuckDB's lower cap while data quality's cross checks run (`expectations.runner`).

    Why lower: they run in the pipeline's process, next to what its earlier runs left on the heap, and
    DuckDB fills whatever cap it is given with their joins and medians. On the national warehouse the cross
    checks peaked ~180 MB higher under 1 GB than under 768 MB, for ~3 s more of spilling (of ~60 s).
    """
    return os.environ.get("TREEM_DUCKDB_DQ_MEMORY_LIMIT", "768MB")


@contextmanager
def memory_capped(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """Run a stage under DuckDB memory cap `limit`, then give the connection its cap back."""
    before = con.execute("select current_setting('memory_limit')").fetchone()[0]
    con.execute(f"set memory_limit = '{limit}'")
    try:
        yield
    finally:
        con.execute(f"set memory_limit = '{before}'")


@contextmanager
def connect(path: Path | str | None = None, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, yield the connection, and always close it (DuckDB allows one writer)."""
    target = Path(path) if path else warehouse_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    # A new warehouse is written in the readers' storage format, so that the readers' copy after each build
    # is a byte copy of the checkpointed file (see `ingest.snapshot`); an existing file keeps its format.
    config = {"memory_limit": memory_limit(), "storage_compatibility_version": READER_STORAGE_VERSION}
    con = duckdb.connect(str(target), read_only=read_only, config=config)
    try:
        yield con
    finally:
        con.close()


# The reference tables every judgement of a submission rests on (indicator catalog, plans, localities).
# audit.submissions keeps one row per event of a submission (received, superseded, rejected): its current
# state is its latest row. Every Python reader of the warehouse (data quality, its report, the agencies'
# feedback) selects submissions through this one subquery.
CURRENT_SUBMISSIONS = """(
    select * from audit.submissions
    qualify row_number() over (partition by submission_id order by received_at desc nulls last) = 1
)"""

REFERENCE_REQUIRED = ("raw.indicators", "raw.plans", "raw.localities")


class MissingReference(RuntimeError):
    """The warehouse lacks the reference data every judgement of a submission rests on."""


def has_reference(path: Path | str | None = None) -> bool:
    """True when the warehouse holds the reference data (non-empty `REFERENCE_REQUIRED` tables).

    Ingesting into a warehouse without it would load values that every check then judges against an empty
    catalog, so callers land the reference first (or refuse)."""
    target = Path(path) if path else warehouse_path()
    if not target.exists():
        return False
    with connect(target, read_only=True) as con:
        return holds_reference(con)


def holds_reference(con: duckdb.DuckDBPyConnection) -> bool:
    """`has_reference` on an open connection (the ingest asks on its own: a second connection cost ~25 ms a
    run)."""
    tables = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    return all(
        t in tables and con.execute(f"select count(*) from {t}").fetchone()[0] > 0 for t in REFERENCE_REQUIRED
    )


def create_table_sql(qualified_name: str, columns: dict[str, str]) -> str:
    cols = ",\n  ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
    return f"create table if not exists {qualified_name} (\n  {cols}\n)"


def ensure_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, dict[str, str]]) -> None:
    """Create the schemas and tables if they do not exist yet, and add columns declared since (shapes only
    grow: a warehouse built by an older version keeps its rows, new columns start empty)."""
    for qualified_name, columns in tables.items():
        schema, table = qualified_name.split(".")
        con.execute(f"create schema if not exists {schema}")
        con.execute(create_table_sql(qualified_name, columns))
        have = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchall()
        }
        for name, sql_type in columns.items():
            if name not in have:
                con.execute(f"alter table {qualified_name} add column {name} {sql_type}")


def replace_table(
    con: duckdb.DuckDBPyConnection,
    qualified_name: str,
    frame: pd.DataFrame,
    columns: dict[str, str] | None = None,
) -> int:
    """Replace a table's whole content with `frame`, in one transaction, keeping the declared column types.

    Reference tables are small and fully derived from reviewed files, so a full replace is both simplest and
    idempotent. Returns the number of rows written.
    """
    columns = columns or RAW_TABLES[qualified_name]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{qualified_name}: frame lacks columns {missing}")
    ordered = frame[list(columns)]
    con.execute("begin transaction")
    try:
        schema = qualified_name.split(".")[0]
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"drop table if exists {qualified_name}")
        con.execute(create_table_sql(qualified_name, columns))
        con.register("_treem_frame", ordered)
        select = ", ".join(f"cast({c} as {t}) as {c}" for c, t in columns.items())
        con.execute(f"insert into {qualified_name} select {select} from _treem_frame")
        con.unregister("_treem_frame")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(ordered)
