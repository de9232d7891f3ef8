"""The value chain built year by year equals a full rebuild of the same inputs, row for row.

The sample workbooks of two plans (Tân Yên, Điện Biên) go through the real ingest and data-quality run one
reporting year at a time; after each year `plan_build` decides what dbt recomputes (the first build: all; then
only the year that arrived) and dbt runs incrementally. A copy of the same warehouse rebuilt with
`--full-refresh` must hold the same rows in every contract mart. Then a corrected file of an earlier year
supersedes the original: only that year is rebuilt, and the marts again equal a full rebuild.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ingest import warehouse
from orchestration.defs.assets.dbt_years import VALUE_CHAIN, BuildPlan, plan_build, record_build
from tests.reference_warehouse import land_reference

pytestmark = pytest.mark.slow  # five dbt runs and two full rebuilds: a minute and more

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT = REPO_ROOT / ".venv" / "bin" / "dbt"
PROJECT_DIR = REPO_ROOT / "dbt_project"
PLANS = ("tan-yen_", "dien-bien_")  # two plans keep the test to seconds per step


def _dbt(path: Path, work: Path, plan: BuildPlan | None, *select: str) -> None:
    env = {**os.environ, "TREEM_WAREHOUSE": str(path), "TREEM_DBT_TARGET": "duckdb"}
    env["TREEM_DBT_YEARS"] = plan.years_env if plan else "all"
    args = [str(DBT), "run", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    args += ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    if plan is None or plan.full:
        args.append("--full-refresh")
    if select:
        args += ["--select", *select]
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def _arrive(path: Path, work: Path, files: list[Path], *, whole_graph: bool) -> BuildPlan:
    """Ingest files, judge what is new, and build what the plan says (recording the build)."""
    from expectations.runner import validate_warehouse
    from ingest.workbook.loader import ingest_paths

    ingest_paths(files, warehouse_path=path, workers=0)
    with warehouse.connect(path) as con:
        validate_warehouse(con, run_id="test-incremental", only_new=True)
    plan = plan_build(set(VALUE_CHAIN), path)
    # between years only the chain (and what it reads) runs; the review marts are rebuilt whole at the end
    select = () if whole_graph else tuple(f"+{model}" for model in VALUE_CHAIN)
    _dbt(path, work, plan, *select)
    record_build(plan, path)
    return plan


def _value_years(path: Path, submission_ids: list[str]) -> list[int]:
    with warehouse.connect(path, read_only=True) as con:
        rows = con.execute(
            "select distinct year from raw.indicator_values where submission_id in (select unnest(?))",
            [submission_ids],
        ).fetchall()
    return sorted(year for (year,) in rows)


def _assert_marts_equal_full_rebuild(path: Path, work: Path) -> None:
    full = work / "full.duckdb"
    shutil.copy(path, full)
    _dbt(full, work, None)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{path}' as inc (read_only)")
        con.execute(f"attach '{full}' as full_ (read_only)")
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() "
                "where database_name = 'full_' and schema_name = 'marts'"
            ).fetchall()
        ]
        assert "fct_indicator_value" in tables and "mart_so_ket_2025" in tables
        for table in tables:
            rows = con.execute(f"select count(*) from full_.marts.{table}").fetchone()[0]
            for a, b in (("inc", "full_"), ("full_", "inc")):
                extra = con.execute(
                    f"select count(*) from (select * from {a}.marts.{table} except all "
                    f"select * from {b}.marts.{table})"
                ).fetchone()[0]
                assert extra == 0, f"{table}: {extra} of {rows} rows of {a} not in {b}"
    finally:
        con.close()


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    from ingest.inbox import list_inbox, reporting_year
    from ingest.samples import generate_samples

    work = tmp_path_factory.mktemp("incremental")
    path = work / "treem.duckdb"
    land_reference(path)
    inbox = work / "inbox"
    generate_samples(inbox)
    files = [p for p in list_inbox(inbox) if p.name.startswith(PLANS)]
    by_year: dict[int, list[Path]] = {}
    for file in files:
        by_year.setdefault(reporting_year(file), []).append(file)
    plans = {}
    years = sorted(by_year)
    for year in years:
        before = _submission_ids(path)
        plan = _arrive(path, work, sorted(by_year[year]), whole_graph=year == years[-1])
        plans[year] = (plan, sorted(set(_submission_ids(path)) - set(before)))
    return path, work, plans, by_year


def _submission_ids(path: Path) -> list[str]:
    with warehouse.connect(path, read_only=True) as con:
        if not con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'audit' and table_name = 'submissions'"
        ).fetchone()[0]:
            return []
        return [sid for (sid,) in con.execute("select submission_id from audit.submissions").fetchall()]


def test_year_by_year_equals_a_full_rebuild(staged):
    path, work, plans, _ = staged
    years = sorted(plans)
    assert len(years) >= 4
    assert plans[years[0]][0].full, "the first build has no record: everything is built"
    for year in years[1:]:
        plan, new_submissions = plans[year]
        assert not plan.full, plan.describe()
        # exactly the years of the values that arrived, nothing older
        assert plan.years == _value_years(path, new_submissions), plan.describe()
        assert year in plan.years
    _assert_marts_equal_full_rebuild(path, work)


def test_a_superseded_file_of_an_earlier_year_rebuilds_that_year_only(staged):
    path, work, _, by_year = staged
    year = sorted(by_year)[2]
    original = next(p for p in sorted(by_year[year]) if p.name.startswith("tan-yen_health"))
    corrected = work / f"{original.stem}_sua-doi.xlsx"
    book = openpyxl.load_workbook(original)
    sheet = book["Số liệu"]
    changed = None
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool) and cell.value > 1:
                cell.value = cell.value + 1
                changed = cell.coordinate
                break
        if changed:
            break
    assert changed, "the sample workbook has a number to correct"
    book.save(corrected)

    before = _submission_ids(path)
    plan = _arrive(path, work, [corrected], whole_graph=True)
    new = sorted(set(_submission_ids(path)) - set(before))
    assert len(new) == 1
    with warehouse.connect(path, read_only=True) as con:
        superseded = con.execute(
            "select count(*) from audit.submissions "
            "where status = 'superseded' and year = ? and file_name = ?",
            [year, original.name],
        ).fetchone()[0]
        in_marts = con.execute(
            "select count(*) from marts.fct_indicator_value where submission_id = ?", new
        ).fetchone()[0]
    assert superseded == 1
    assert in_marts > 0
    assert not plan.full and plan.years == [year], plan.describe()
    _assert_marts_equal_full_rebuild(path, work)


def test_rejudged_verdicts_rebuild_their_year_and_changed_reference_rebuilds_all(staged):
    path, work, _, by_year = staged
    copy = work / "rejudged.duckdb"
    shutil.copy(path, copy)
    assert plan_build(set(VALUE_CHAIN), copy).years == [], "nothing changed since the last build"

    year = sorted(by_year)[1]
    with warehouse.connect(copy) as con:
        # a re-judgement (a changed threshold) that changes one submission's verdicts
        judged = con.execute(
            "update dq.flagged_values"
            " set severity = case severity when 'error' then 'warning' else 'error' end"
            " where submission_id = ("
            " select min(submission_id) from raw.indicator_values where year = ?"
            " and submission_id in (select submission_id from dq.flagged_values)) returning year",
            [year],
        ).fetchall()
    assert judged
    plan = plan_build(set(VALUE_CHAIN), copy)
    assert not plan.full and plan.years == [year], plan.describe()

    with warehouse.connect(copy) as con:
        con.execute("update raw.indicators set plausible_max = plausible_max + 1")
    plan = plan_build(set(VALUE_CHAIN), copy)
    assert plan.full and "reference" in plan.reason, plan.describe()
    assert plan_build(set(VALUE_CHAIN) - {"fct_indicator_value"}, copy).full
    assert plan_build(set(VALUE_CHAIN), copy, force_full=True).full


def _dbt_test(path: Path, work: Path, years: str | None, select: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TREEM_WAREHOUSE": str(path), "TREEM_DBT_TARGET": "duckdb"}
    env.pop("TREEM_DBT_YEARS", None)
    if years is not None:
        env["TREEM_DBT_YEARS"] = years
    args = [str(DBT), "test", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    args += ["--target-path", str(work / "target-tests"), "--log-path", str(work / "logs")]
    args += ["--select", select]
    return subprocess.run(args, env=env, capture_output=True, text=True)


def test_an_incremental_build_tests_the_rebuilt_years_of_the_value_chain(staged):
    """A value-chain model's tests read only the years the build recomputed (the others were tested when
    they were built), yet a bad row of a rebuilt year still fails, and a hand-run `dbt test` reads all."""
    path, work, _, by_year = staged
    copy = work / "tested.duckdb"
    shutil.copy(path, copy)
    early, late = sorted(by_year)[0], sorted(by_year)[-1]
    with warehouse.connect(copy) as con:  # one value of `early` twice: a broken grain
        con.execute(
            "insert into intermediate.int_series_values_assembled select * from "
            "intermediate.int_series_values_assembled where year = ? limit 1",
            [early],
        )
    grain = "int_series_values_assembled,test_name:unique_combination"
    reference = "dim_locality,test_name:unique"  # not of the value chain: read whole whatever the years
    assert _dbt_test(copy, work, str(late), grain).returncode == 0, "a year not rebuilt is not read again"
    assert _dbt_test(copy, work, f"{late},{early}", grain).returncode == 1, "a rebuilt year is tested"
    assert _dbt_test(copy, work, None, grain).returncode == 1, "dbt by hand tests every year"
    assert _dbt_test(copy, work, "none", grain).returncode == 0
    with warehouse.connect(copy) as con:
        con.execute("insert into marts.dim_locality select * from marts.dim_locality limit 1")
    assert _dbt_test(copy, work, "none", reference).returncode == 1
