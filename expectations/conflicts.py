"""Conflicting submissions: two current files giving different values for one locality × indicator × year.

It happens by design: a province reports its communes both in its own plan's workbook and, for the national
plan, in the workbook the ministry asks for; one plan assigns an indicator to two sectors and both answer.
The marts can use only one of the values (the rule is in dbt, `int_indicator_values_flagged`: the file of
the plan whose own territory it is first, then the latest received); this check makes the disagreement a
finding instead of a silent replacement, on every side of it, naming the other file and its value.

It runs as one SQL query in the warehouse, like the other cross checks (cross_checks.py), but over every
loaded file: it compares values across plans, sectors and schemes, while those compare within one plan ×
sector × scheme.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from expectations.checks import fmt_number

FAMILY = "conflicting_submissions"

CONFLICTS_SQL = """
with subs as (
    select * from audit.submissions
    qualify row_number() over (partition by submission_id order by received_at desc nulls last) = 1
), current_values as (
    select v.submission_id, v.indicator_code, v.year, v.value, v.sheet, v.cell,
           coalesce(v.is_total_row, false) as is_total_row,
           coalesce(v.locality_id, case when v.is_total_row then s.locality_id end) as locality_id,
           s.file_name, s.plan_id, s.sector
    from raw.indicator_values v
    join subs s on s.submission_id = v.submission_id and s.status = 'loaded'
    where v.value is not null
), units as (
    select indicator_code, any_value(unit) as unit from raw.indicators group by indicator_code
), pairs as (
    select a.submission_id, a.indicator_code, a.locality_id, a.year, a.value, a.sheet, a.cell,
           b.submission_id as other_submission_id, b.file_name as other_file, b.plan_id as other_plan,
           b.sector as other_sector, b.value as other_value, b.sheet as other_sheet, b.cell as other_cell,
           abs(a.value - b.value) > greatest({absolute}, {relative} * greatest(abs(a.value), abs(b.value)))
               as differs
    from current_values a
    join current_values b
      on a.indicator_code = b.indicator_code and a.locality_id = b.locality_id and a.year = b.year
     and a.is_total_row = b.is_total_row and a.submission_id <> b.submission_id
    left join units u on u.indicator_code = a.indicator_code
    where a.submission_id in (select submission_id from _conflict_scope)
)
select * from pairs order by submission_id, sheet, cell, other_submission_id
"""


def _absolute_case(tolerances: dict) -> str:
    default = float(tolerances.get("default", 0.0))
    whens = " ".join(
        f"when u.unit = '{unit}' then {float(value)}"
        for unit, value in tolerances.items()
        if unit != "default"
    )
    return f"(case {whens} else {default} end)" if whens else str(default)


def find_conflicts(con: duckdb.DuckDBPyConnection, scope_ids: list[str], config: dict) -> pd.DataFrame:
    """Every value of the `scope_ids` submissions met by a value of another current submission.

    Two figures for one quantity agree within the `conflicting_submissions` tolerance of config.yaml (the
    same numbers as value vs ratio: rounding is not a conflict); `differs` says which pairs disagree.
    """
    cfg = config[FAMILY]
    sql = CONFLICTS_SQL.format(
        absolute=_absolute_case(cfg["absolute_tolerance"]), relative=float(cfg["relative_tolerance"])
    )
    con.register("_conflict_scope", pd.DataFrame({"submission_id": pd.Series(scope_ids, dtype="object")}))
    try:
        return con.execute(sql).df()
    finally:
        con.unregister("_conflict_scope")


def conflict_verdicts(
    con: duckdb.DuckDBPyConnection, scope_ids: list[str], config: dict, sample_size: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per-submission verdicts, flagged values) of the conflicting_submissions check.

    Verdicts: submission_id, element_count (values another file also gives), unexpected_count (values
    it gives differently), sample. Flags: one row per value, the detail naming every other file's value.
    """
    pairs = find_conflicts(con, scope_ids, config)
    key = ["submission_id", "indicator_code", "locality_id", "year", "sheet", "cell"]
    examined = pairs.drop_duplicates(key)
    bad = pairs[pairs["differs"]].copy()
    bad["other"] = [
        f"{fmt_number(r.other_value)} trong tệp {r.other_file} ({r.other_plan}, {r.other_sector}, "
        f"ô {r.other_sheet}!{r.other_cell})"
        for r in bad.itertuples(index=False)
    ]
    flags = (
        bad.groupby(key, dropna=False, sort=True)
        .agg(value=("value", "first"), others=("other", lambda s: "; ".join(s)))
        .reset_index()
    )
    flags["detail"] = [
        f"Giá trị {fmt_number(r.value)} khác với tệp khác cho cùng địa bàn, chỉ tiêu, năm: {r.others}"
        for r in flags.itertuples(index=False)
    ]
    flags["cell_ref"] = flags["sheet"].fillna("") + "!" + flags["cell"].fillna("")
    rows = []
    for submission_id in scope_ids:
        mine = flags[flags["submission_id"] == submission_id]
        sample = [
            f"{r.cell_ref} {r.locality_id} {r.indicator_code} {r.year}: {r.detail}"
            for r in mine.head(sample_size).itertuples(index=False)
        ]
        rows.append(
            {
                "submission_id": submission_id,
                "element_count": int((examined["submission_id"] == submission_id).sum()),
                "unexpected_count": len(mine),
                "sample": sample,
            }
        )
    verdicts = pd.DataFrame(rows, columns=["submission_id", "element_count", "unexpected_count", "sample"])
    return verdicts, flags
