"""Conflicts are re-judged for the files sharing a year with a file that came or went, a year group at a
time (expectations/conflict_scope.py): the batches must never separate two files that could conflict."""

from __future__ import annotations

import duckdb
import pytest

from expectations.conflict_scope import conflict_batches, linked_years


def test_linked_years_joins_the_years_a_file_spans():
    years_of = {"a": {2023}, "b": {2024, 2025}, "c": {2025}, "d": {2027}, "e": set()}
    assert linked_years(years_of) == [{2023}, {2024, 2025}, {2027}]


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.indicator_values (submission_id varchar, year integer, value double)")
    rows = [
        ("s23", 2023, 1.0),
        ("s24", 2024, 1.0),
        ("s24-25", 2024, 2.0),
        ("s24-25", 2025, 2.0),
        ("s25", 2025, 3.0),
        ("s26", 2026, 4.0),
        ("s26", 2026, None),  # a quarantined cell's row: no value, nothing to conflict with
        ("gone26", 2026, 5.0),  # superseded: its values stay in raw, it is no longer loaded
        ("blank", None, None),
    ]
    con.executemany("insert into raw.indicator_values values (?, ?, ?)", rows)
    yield con
    con.close()


LOADED = ["blank", "s23", "s24", "s24-25", "s25", "s26"]


def test_a_new_file_re_judges_the_files_of_its_years_only(con):
    assert conflict_batches(con, LOADED, {"s25"}) == [["s24", "s24-25", "s25"]]
    assert conflict_batches(con, LOADED, {"s23"}) == [["s23"]]


def test_a_file_that_went_re_judges_the_files_it_shared_a_year_with(con):
    assert conflict_batches(con, LOADED, {"gone26"}) == [["s26"]]


def test_batches_follow_the_year_groups_and_files_without_values_come_last(con):
    assert conflict_batches(con, LOADED, set(LOADED)) == [
        ["s23"],
        ["s24", "s24-25", "s25"],
        ["s26"],
        ["blank"],
    ]


def test_nothing_changed_nothing_to_judge(con):
    assert conflict_batches(con, LOADED, set()) == []
