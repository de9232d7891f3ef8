"""The contract marts refuse a row without its required columns at the insert (not_null constraints of their
enforced contracts), so no build and no hand-run insert can land a keyless row where analysts read."""

from __future__ import annotations

import shutil

import duckdb
import pytest

# (table, column): the keys an analyst joins on, in each family of contract marts
REQUIRED = [
    ("fct_indicator_value", "indicator_code"),
    ("fct_indicator_value", "year"),
    ("fct_indicator_value_comparable", "locality_id"),
    ("fct_reported_total", "quality_status"),
    ("mart_so_ket_2025", "plan_id"),
    ("mart_tong_ket_2030", "status_2030"),
    ("mart_reporting_completeness", "expected_values"),
    ("mart_task_progress", "task_id"),
    ("dim_indicator", "goal_group"),
    ("fct_target", "claim_id"),
]


@pytest.fixture()
def writable_copy(built_warehouse, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, copy)
    con = duckdb.connect(str(copy))
    yield con
    con.close()


def test_required_columns_are_not_null_in_the_database(warehouse_con):
    nullable = {
        (table, column): flag
        for table, column, flag in warehouse_con.execute(
            "select table_name, column_name, is_nullable from information_schema.columns "
            "where table_schema = 'marts'"
        ).fetchall()
    }
    assert {key: nullable[key] for key in REQUIRED} == dict.fromkeys(REQUIRED, "NO")
    assert nullable[("fct_indicator_value", "value")] == "YES"  # a missing figure is a row, not an error


def test_a_row_without_its_key_is_refused(writable_copy):
    before = writable_copy.execute("select count(*) from marts.mart_so_ket_2025").fetchone()[0]
    with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
        writable_copy.execute("insert into marts.mart_so_ket_2025 (plan_id) values (null)")
    assert writable_copy.execute("select count(*) from marts.mart_so_ket_2025").fetchone()[0] == before


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("mart_tong_ket_2030", "status_2030", "đạt"),
        ("mart_so_ket_2025", "quality_status", "error"),  # an error value never reaches a review
        ("fct_indicator_value", "origin", "guess"),
    ],
)
def test_a_value_outside_its_named_values_is_refused(writable_copy, table, column, value):
    """A column of named values (status, quality, origin) is a check constraint listing them: an update or an
    insert with any other value is refused, and the mart keeps what it had."""
    before = writable_copy.execute(
        f"select {column}, count(*) from marts.{table} group by all order by all"
    ).fetchall()
    assert before
    with pytest.raises(duckdb.ConstraintException, match="CHECK"):
        writable_copy.execute(f"update marts.{table} set {column} = ?", [value])
    after = writable_copy.execute(
        f"select {column}, count(*) from marts.{table} group by all order by all"
    ).fetchall()
    assert after == before
