"""Which reporting years the dbt value chain recomputes, and the record of the last build.

The value chain (int_indicator_values_flagged ... fct_indicator_value, fct_indicator_value_comparable) is
incremental by year (dbt_project/macros/incremental.sql): a year's rows depend only on that year's values,
their submissions' status, their data-quality flags and the reference data. So a year is rebuilt when the
fingerprint of those inputs for that year differs from the one recorded after the last successful build; a
year that no longer has inputs is rebuilt too (its rows are deleted). Everything is rebuilt (`--full-refresh`)
when there is no record, or the reference tables, the dbt project's files or the dbt target changed, or the
selection does not include the whole chain (a partial build cannot keep the record true).

Fingerprints are content hashes computed in the warehouse (no timestamps: a re-judged submission whose
verdicts come out the same does not cost a rebuild, and a clock never decides what is current). The record
lives in `dbt_state.builds`, a bookkeeping table of the pipeline outside the contract schemas.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest import warehouse
from orchestration.defs.project import DBT_PROJECT_DIR

# The incremental models: the years of these are rebuilt; the rest of the graph is rebuilt whole.
VALUE_CHAIN = (
    "int_indicator_values_flagged",
    "int_indicator_values_rolled_up",
    "int_indicator_values_unioned",
    "int_indicator_values_selected",
    "int_indicator_values_reexpressed",
    "int_indicator_values_bridged_forward",
    "int_series_values_assembled",
    "fct_indicator_value",
    "fct_indicator_value_comparable",
)

# The dbt sources whose rows a new or corrected submission changes; the reference source (catalog, plans,
# localities) changes only with a full rebuild.
VALUE_SOURCES = sorted(
    {source for source, _ in warehouse.SOURCE_OF_TABLE.values()} - {warehouse.REFERENCE_SOURCE}
)

STATE_TABLE = "dbt_state.builds"
YEARS_ENV = "TREEM_DBT_YEARS"

# Per reporting year of the values: the current status of every submission holding values of that year,
# and every data-quality flag that can reach them (a flag without a year reaches every year of its file).
_YEAR_FINGERPRINTS = """
with value_years as (
    select distinct submission_id, year from raw.indicator_values
),
parts as (
    select value_years.year, hash('submission', s.submission_id, s.status) as h
    from value_years
    inner join audit.submissions as s on s.submission_id = value_years.submission_id
    union all
    select value_years.year,
           hash('flag', f.submission_id, f.indicator_code, f.locality_id, f.year, f.severity, f.check_name,
                f.detail) as h
    from dq.flagged_values as f
    inner join value_years
        on f.submission_id = value_years.submission_id and (f.year is null or f.year = value_years.year)
)
select year, cast(count(*) as varchar) || ':' || cast(sum(h) as varchar) from parts
where year is not null
group by year
"""


@dataclass
class BuildPlan:
    """What this dbt build does: everything, or the named years of the value chain."""

    full: bool
    years: list[int]
    reason: str
    project_fingerprint: str
    year_fingerprints: dict[int, str] = field(default_factory=dict)

    @property
    def years_env(self) -> str:
        """The value of TREEM_DBT_YEARS for this build (read by dbt_project/macros/incremental.sql)."""
        if self.full:
            return "all"
        return ",".join(str(year) for year in self.years) or "none"

    def describe(self) -> str:
        if self.full:
            return f"full rebuild ({self.reason})"
        if not self.years:
            return "value chain unchanged: no year rebuilt"
        return f"incremental: years {', '.join(map(str, self.years))} rebuilt ({self.reason})"


def _project_files_digest() -> str:
    digest = hashlib.sha256()
    files = [DBT_PROJECT_DIR / "dbt_project.yml"]
    for folder in ("models", "macros", "tests"):
        files += sorted((DBT_PROJECT_DIR / folder).rglob("*"))
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _reference_digest(con: duckdb.DuckDBPyConnection) -> str:
    parts = []
    for table in sorted(warehouse.RAW_TABLES):
        count, total = con.execute(
            f"select count(*), cast(sum(hash(t)) as varchar) from {table} as t"
        ).fetchone()
        parts.append(f"{table}:{count}:{total}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _tables_exist(con: duckdb.DuckDBPyConnection, *names: str) -> bool:
    found = {
        f"{schema}.{table}"
        for schema, table in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
    }
    return all(name in found for name in names)


def plan_build(selected_models: set[str], path: Path | None = None, force_full: bool = False) -> BuildPlan:
    """Compare the inputs with the last build's record and decide what the dbt build recomputes."""
    if not set(VALUE_CHAIN) <= selected_models:
        # no record: the models left out would still reflect the recorded inputs, not these
        return BuildPlan(True, [], "part of the value chain selected", "")
    target = os.environ.get("TREEM_DBT_TARGET", "duckdb")
    with warehouse.connect(path, read_only=False) as con:
        if not _tables_exist(con, *warehouse.ALL_TABLES):
            return BuildPlan(True, [], "the landing tables are not all there yet", "")
        project = hashlib.sha256(
            f"{target}|{_project_files_digest()}|{_reference_digest(con)}".encode()
        ).hexdigest()
        now = {int(year): fp for year, fp in con.execute(_YEAR_FINGERPRINTS).fetchall()}
        if not _tables_exist(con, STATE_TABLE):
            return BuildPlan(True, [], "no earlier build recorded", project, now)
        recorded = con.execute(f"select kind, key, fingerprint from {STATE_TABLE}").fetchall()
    last_project = next((fp for kind, _, fp in recorded if kind == "project"), None)
    if force_full:
        return BuildPlan(True, [], "full refresh requested", project, now)
    if last_project != project:
        return BuildPlan(True, [], "reference data, dbt project or target changed", project, now)
    last = {int(key): fp for kind, key, fp in recorded if kind == "year"}
    changed = sorted(year for year in set(now) | set(last) if now.get(year) != last.get(year))
    return BuildPlan(False, changed, "their submissions or verdicts changed", project, now)


def record_build(plan: BuildPlan, path: Path | None = None) -> None:
    """After a successful build: the fingerprints the marts now reflect (one transaction)."""
    if not plan.project_fingerprint:
        return
    rows = [("project", "", plan.project_fingerprint)] + [
        ("year", str(year), fp) for year, fp in sorted(plan.year_fingerprints.items())
    ]
    with warehouse.connect(path) as con:
        con.execute("begin")
        con.execute("create schema if not exists dbt_state")
        con.execute(
            f"create table if not exists {STATE_TABLE} "
            "(kind varchar, key varchar, fingerprint varchar, built_at timestamp default current_timestamp)"
        )
        con.execute(f"delete from {STATE_TABLE}")
        con.executemany(f"insert into {STATE_TABLE} (kind, key, fingerprint) values (?, ?, ?)", rows)
        con.execute("commit")


def _reading_values(manifest: dict) -> set[str]:
    """The unique ids of the nodes downstream of `VALUE_SOURCES` (what a new submission can change)."""
    nodes = manifest["nodes"]
    children: dict[str, list[str]] = manifest.get("child_map") or {}
    if not children:
        for unique_id, node in nodes.items():
            for parent in node.get("depends_on", {}).get("nodes", []):
                children.setdefault(parent, []).append(unique_id)
    reached: set[str] = set()
    todo = [uid for uid, src in manifest["sources"].items() if src["source_name"] in VALUE_SOURCES]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in reached:
                reached.add(child)
                todo.append(child)
    return reached


def reference_only_tests(manifest: dict) -> list[str]:
    """The data tests whose every model reads only reference data (not downstream of `VALUE_SOURCES`).

    An incremental build leaves them out: the reference data is what it was at the last successful build
    (else the build is full), so these tests would judge the same rows again (44 of the graph's 102 tests).
    A test that also reads a value model (a fact's `relationships` test to a dim) still runs."""
    reached = _reading_values(manifest)
    return sorted(
        node["name"]
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test"
        and uid not in reached
        and any(parent.startswith("model.") for parent in node["depends_on"]["nodes"])
    )


def reference_only_models(manifest: dict) -> list[str]:
    """The models that read only reference data (dims, targets, assignments and their staging views).

    An incremental build leaves them out for the same reason as their tests: they would be rebuilt from the
    very rows the last successful build made them from (25 of the graph's 52 models, ~1.5 s of a national
    incremental build)."""
    reached = _reading_values(manifest)
    return sorted(
        node["name"]
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and uid not in reached
    )
