"""Which loaded submissions a run re-judges for conflicting submissions, and in which batches.

A conflict is two current files giving different values for one indicator x locality x year
(`sql/conflicting_submissions.sql` joins on the year), so a file's conflict verdict depends only on the
files with values in the same years as its own. Hence:
- a run re-judges the conflicts of the files sharing a year with a file that came (judged now) or went
  (superseded or rejected since its last verdict), and no other: a new national year used to re-judge
  every loaded file (2.5 M values) to find that nothing before it changed;
- the query runs once per group of years that files link together (one year each, unless a file gives
  values for several), so its self-join holds one year's values at a time instead of the warehouse's (a
  national backfill's single query took 1.5 GB).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

YEARS_SQL = """
select distinct v.submission_id, v.year
from raw.indicator_values v
join _conflict_subs s using (submission_id)
where v.year is not null and v.value is not null
"""


def value_years(con: duckdb.DuckDBPyConnection, submission_ids: Iterable[str]) -> dict[str, set[int]]:
    """The years each submission gives values for (a submission without values has none)."""
    ids = pd.DataFrame({"submission_id": pd.Series(sorted(set(submission_ids)), dtype="object")})
    con.register("_conflict_subs", ids)
    try:
        rows = con.execute(YEARS_SQL).fetchall()
    finally:
        con.unregister("_conflict_subs")
    years: dict[str, set[int]] = {}
    for submission_id, year in rows:
        years.setdefault(submission_id, set()).add(int(year))
    return years


def linked_years(years_of: dict[str, set[int]]) -> list[set[int]]:
    """Groups of years that no file's values span across: a file giving 2024 and 2025 links the two."""
    parent: dict[int, int] = {}

    def root(year: int) -> int:
        while parent.setdefault(year, year) != year:
            parent[year] = parent[parent[year]]
            year = parent[year]
        return year

    for years in years_of.values():
        ordered = sorted(years)
        for year in ordered:
            parent[root(year)] = root(ordered[0])
    groups: dict[int, set[int]] = {}
    for year in parent:
        groups.setdefault(root(year), set()).add(year)
    return sorted(groups.values(), key=min)


def conflict_batches(
    con: duckdb.DuckDBPyConnection, loaded_ids: list[str], changed_ids: Iterable[str]
) -> list[list[str]]:
    """The loaded submissions whose conflict verdicts `changed_ids` (files judged now, and files no longer
    loaded that still have verdicts) can change, in batches that can be judged apart: each batch holds
    every loaded file of a group of linked years, so each file meets every file it could conflict with.
    Changed files without any value (nothing to conflict with) come last, on their own, to get their
    verdict."""
    loaded = set(loaded_ids)
    changed = set(changed_ids)
    years_of = value_years(con, loaded | changed)
    touched = set().union(*(years_of.get(s, set()) for s in changed))
    batches = [
        [s for s in loaded_ids if years_of.get(s, set()) & years]
        for years in linked_years({s: y for s, y in years_of.items() if s in loaded})
        if years & touched
    ]
    empty = [s for s in loaded_ids if s in changed and not years_of.get(s)]
    return [batch for batch in [*batches, empty] if batch]
