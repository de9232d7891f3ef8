"""End to end through the real jobs: the shared fixture warehouse is built as `treem demo` builds it."""

from __future__ import annotations

from dagster import AssetKey

CONTRACT_TABLES = {
    "marts": [
        "dim_indicator",
        "dim_locality",
        "bridge_locality_succession",
        "dim_agency",
        "dim_plan",
        "fct_target",
        "fct_assignment",
        "fct_indicator_value",
        "mart_so_ket_2025",
        "mart_tong_ket_2030",
        "mart_reporting_completeness",
    ],
    "audit": ["submissions", "quarantine"],
    "dq": ["check_results"],
}


def test_contract_tables_exist_and_are_populated(warehouse_con):
    for schema, tables in CONTRACT_TABLES.items():
        for table in tables:
            count = warehouse_con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
            assert count > 0, f"{schema}.{table} is empty"


def test_each_year_partition_was_materialised_and_built_its_facts(
    built_warehouse, dagster_instance, warehouse_con
):
    key = AssetKey(["agency_workbooks", "indicator_values"])
    materialised = dagster_instance.get_materialized_partitions(key)
    years_with_submissions = {
        str(year)
        for (year,) in warehouse_con.execute(
            "select distinct year from audit.submissions where status = 'loaded'"
        ).fetchall()
    }
    assert years_with_submissions <= materialised
    fact_years = {
        str(year)
        for (year,) in warehouse_con.execute(
            "select distinct year from marts.fct_indicator_value where origin = 'reported'"
        ).fetchall()
    }
    assert fact_years == years_with_submissions


def test_every_loaded_value_reaches_the_facts(warehouse_con):
    """Each value of a loaded submission is a reported fact, unless another current submission reported the
    same indicator x locality x year (two sectors owing one indicator; Tân Yên's communes inside the new Bắc
    Ninh from 2025): the fact's grain keeps one of them, the latest received."""
    missing = warehouse_con.execute(
        """
        select v.submission_id, v.indicator_code, v.locality_id, v.year
        from raw.indicator_values v
        join audit.submissions s using (submission_id)
        where s.status = 'loaded' and not v.is_total_row
          and not exists (
            select 1 from marts.fct_indicator_value f
            where f.origin = 'reported'
              and f.indicator_code = v.indicator_code and f.locality_id = v.locality_id and f.year = v.year
          )
        """
    ).fetchall()
    assert missing == []


def test_facts_keep_their_cell_lineage(warehouse_con):
    rows = warehouse_con.execute(
        """
        select count(*), count(f.cell), count(f.submission_id)
        from marts.fct_indicator_value f where f.origin = 'reported'
        """
    ).fetchone()
    assert rows[0] > 0 and rows[0] == rows[1] == rows[2]


def test_ingest_accounting_adds_up(warehouse_con):
    """Every non-empty cell read is loaded or quarantined (labels and 'not reported' marks counted apart)."""
    rows = warehouse_con.execute(
        "select s.submission_id, s.values_quarantined, count(q.cell) "
        "from audit.submissions s left join audit.quarantine q using (submission_id) "
        "group by s.submission_id, s.values_quarantined"
    ).fetchall()
    assert rows
    for submission_id, declared, actual in rows:
        assert declared == actual, submission_id


def test_readers_copy_is_readable_while_the_pipeline_holds_the_warehouse(built_warehouse):
    """While a writer holds treem.duckdb, another process can still read the published copy."""
    import subprocess
    import sys

    import duckdb

    from ingest.snapshot import read_copy_path

    read_copy = read_copy_path(built_warehouse)
    assert read_copy.exists()
    writer = duckdb.connect(str(built_warehouse))
    try:
        reader = subprocess.run(
            [
                sys.executable,
                "-c",
                "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
                "print(con.execute('select count(*) from marts.mart_so_ket_2025').fetchone()[0])",
                str(read_copy),
            ],
            capture_output=True,
            text=True,
        )
    finally:
        writer.close()
    assert reader.returncode == 0, reader.stderr
    assert int(reader.stdout) > 0
