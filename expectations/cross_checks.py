"""The cross checks: checks Great Expectations cannot express, run as SQL in the warehouse itself.

They need more than a row: the plan's assignments (completeness), three indicators at once (mortality
ordering), a total against the localities under it (roll-up), a locality's history or its peers (robust
outliers), a value against its own numerator and denominator. Each is one query in `sql/<family>.sql`
that says what it judges and why; its thresholds are rendered into the text from `config.yaml` (nothing is
hard-coded there), and the text uses standard SQL only (medians as `percentile_cont(0.5)` aggregates, a
recursive CTE for the administrative hierarchy), so the same queries run on DuckDB and PostgreSQL
(`tests/postgres/test_cross_checks_sql.py` compares the verdicts of both).

Why SQL: judged in pandas, a national backfill moved its 2.5 M values and their context into Python once
for the row-level checks and once more per plan × sector × scheme group; in the warehouse only the flagged
rows and one count per submission come back.

How a run goes: `stage` writes the submissions judged and their context (the other loaded submissions of
the same plan × sector × scheme, `context_group`) into the temporary table `dq_scope`, and what
every check reads: the temporary view `dq_cross_values` and table `dq_cross_series` (`sql/cross_values.sql`,
`sql/cross_series.sql`). Each check query
returns the values (or expected indicators) it examined among the submissions judged, with `examined` and
`flagged`; `judge` counts the examined rows per submission in the same statement and returns only the
flagged rows, plus one row per submission to carry its count. The Vietnamese detail of each flag is
written here from the figures the query returns (a number as a Vietnamese reader writes it is formatting,
not a judgement). Rows of context submissions are never flagged.

Conflicting submissions (`CONFLICTS`, `sql/conflicting_submissions.sql`) run through the same staging and
judging, on their own: they compare files across plans, sectors and schemes, so the runner stages every
loaded submission of the years concerned as their context, not one context group (conflict_scope.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import Path

import pandas as pd

from expectations.checks import CHECK_FAMILIES, fmt_number, shown_ratio

SQL_DIR = Path(__file__).with_name("sql")
# What `stage` creates from sql/<name>.sql, in this order (dropped in reverse): name -> view or table.
STAGED = {"cross_values": "view", "cross_series": "table"}
SCOPE_TABLE = "dq_scope"
SCOPE_COLUMNS = {
    "submission_id": "varchar",
    "context_group": "varchar",
    "in_scope": "boolean",
    "plan_id": "varchar",
    "sector": "varchar",
    "year": "integer",
    "locality_id": "varchar",
    "file_name": "varchar",
}
# Iglewicz-Hoaglin: Φ⁻¹(0.75) makes the MAD comparable to a standard deviation under normality, √(π/2) the
# mean absolute deviation (the fallback when MAD = 0). Constants of the method, not tunable thresholds.
MAD_SCALE = 0.6745
MEAN_AD_SCALE = 1.253314
# Deepest administrative hierarchy walked for a total's localities (province > district > commune is 3):
# a guard against a cycle in raw.localities, not a data-quality threshold.
MAX_HIERARCHY_DEPTH = 32


def number(value: float) -> str:
    """A float as a SQL literal both engines read as the same double."""
    return repr(float(value))


def per_unit(table: dict, column: str = "unit") -> str:
    """A per-unit threshold of config.yaml as a CASE on `column`, the table's `default` for other units."""
    default = number(table.get("default", 0.0))
    whens = " ".join(
        f"when {column} = '{unit.replace(chr(39), chr(39) * 2)}' then {number(value)}"
        for unit, value in table.items()
        if unit != "default"
    )
    return f"(case {whens} else {default} end)" if whens else default


def _half_unit_whens(max_decimals: int) -> str:
    """Half a unit of a typed value's last decimal (9,17 → 0,005): the first d ≤ max_decimals with
    |x − round(x, d)| < 1e-9; a value with more decimals was computed, not typed (no half-unit)."""
    whens = []
    for decimals in range(max_decimals + 1):
        scale = number(10.0**decimals)
        whens.append(
            f"when abs(v.value - floor(v.value * {scale} + 0.5) / {scale}) < 1e-09 "
            f"then {number(0.5 * 10.0**-decimals)}"
        )
    return "\n                ".join(whens)


def _outlier_parameters(config: dict, min_group: str) -> dict:
    cfg = config["outliers"]
    return {
        "min_group": int(cfg[min_group]),
        "threshold": number(cfg["threshold"]),
        "sampling_z": number(cfg["sampling_z"]),
        "min_abs_deviation": per_unit(cfg["min_abs_deviation"]),
        "mad_scale": number(MAD_SCALE),
        "mean_ad_scale": number(MEAN_AD_SCALE),
    }


def _parameters(family: str, config: dict) -> dict:
    """What `sql/<family>.sql` reads from config.yaml, as SQL literals."""
    if family == "completeness":
        return {}
    if family == "value_matches_ratio":
        cfg = config["ratio"]
        return {
            "absolute_tolerance": per_unit(cfg["absolute_tolerance"]),
            "relative_tolerance": number(cfg["relative_tolerance"]),
        }
    if family == "mortality_ordering":
        cfg = config["mortality_ordering"]
        chain = " union all ".join(
            f"select '{code}' as indicator_code, {position} as chain_position"
            for position, code in enumerate(cfg["chain"])
        )
        return {
            "chain": chain,
            "half_unit": _half_unit_whens(int(cfg.get("max_reported_decimals", 3))),
            "tolerance": number(cfg.get("tolerance", 0.0)),
            "relative_tolerance": number(cfg.get("relative_tolerance", 0.0)),
        }
    if family == "total_vs_rollup":
        cfg = config["total_vs_rollup"]
        return {
            "max_depth": MAX_HIERARCHY_DEPTH,
            "absolute_tolerance": per_unit(cfg["absolute_tolerance"]),
            "relative_tolerance": number(cfg["relative_tolerance"]),
        }
    if family == "outlier_yoy":
        return _outlier_parameters(config, "yoy_min_group")
    if family == "outlier_cross_locality":
        return {
            **_outlier_parameters(config, "cross_min_group"),
            "min_years": int(config["outliers"].get("cross_own_history_years", 3)),
        }
    if family == CONFLICTS:
        cfg = config[CONFLICTS]
        return {
            "absolute_tolerance": per_unit(cfg["absolute_tolerance"], "u.unit"),
            "relative_tolerance": number(cfg["relative_tolerance"]),
        }
    raise ValueError(f"no cross check {family!r}")


@lru_cache(maxsize=16)
def sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def render(family: str, config: dict, all_judged: bool = False) -> str:
    """The query of one cross check with config.yaml's thresholds in it; `all_judged`: every staged value is
    being judged (none is context only), which lets a check skip looking for the judged ones."""
    return sql_text(family).format(**_parameters(family, config), all_judged=str(all_judged).lower())


# --- running -----------------------------------------------------------------------------------------------


def fetch(con, sql: str) -> pd.DataFrame:
    """A query's rows as a frame, through the DB-API both DuckDB and psycopg connections offer."""
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=columns).astype("object")


def _literal(value) -> str:
    """A staged submission's field as a SQL literal (text, integer, boolean or null)."""
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


def stage(con, submissions: pd.DataFrame, rows_per_insert: int = 500) -> None:
    """Write `dq_scope` (SCOPE_COLUMNS: the submissions judged, `in_scope`, and their context) and create
    the view and table the checks read. Temporary objects: each connection sees its own, none outlives it."""
    unstage(con)
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in SCOPE_COLUMNS.items())
    con.execute(f"create temporary table {SCOPE_TABLE} ({columns})")
    records = submissions[list(SCOPE_COLUMNS)].astype("object").itertuples(index=False, name=None)
    rows = [f"({', '.join(_literal(v) for v in record)})" for record in records]
    for start in range(0, len(rows), rows_per_insert):
        con.execute(f"insert into {SCOPE_TABLE} values {', '.join(rows[start : start + rows_per_insert])}")
    for name in STAGED:
        con.execute(sql_text(name))


def unstage(con) -> None:
    for name, kind in reversed(STAGED.items()):
        con.execute(f"drop {kind} if exists dq_{name}")
    con.execute(f"drop table if exists {SCOPE_TABLE}")


JUDGE_SQL = """
select * from (
    select judged.*,
           sum(case when judged.examined then 1 else 0 end) over (partition by judged.submission_id)
               as examined_count,
           row_number() over (partition by judged.submission_id) as carrier
    from ({query}) judged
) counted
where flagged or carrier = 1
"""


def judge(con, family: str, config: dict, all_judged: bool = False) -> tuple[dict[str, int], pd.DataFrame]:
    """Run one check on the staged scope: (examined rows per submission, the flagged rows)."""
    rows = fetch(con, JUDGE_SQL.format(query=render(family, config, all_judged)))
    examined = (
        rows.groupby("submission_id", sort=False)["examined_count"].first().astype("int64").to_dict()
        if len(rows)
        else {}
    )
    flagged = rows[rows["flagged"].fillna(False).astype(bool)] if len(rows) else rows
    return examined, flagged.reset_index(drop=True)


# --- verdicts ----------------------------------------------------------------------------------------------


def cell_ref(sheet, cell) -> str:
    """'Sheet!E12' as the reports quote a cell; the cell alone without a sheet; a placeholder without one."""
    if not isinstance(cell, str) or not cell:
        return "(không rõ ô)"
    return f"{sheet}!{cell}" if isinstance(sheet, str) and sheet else cell


def _file_order(flags: pd.DataFrame) -> pd.DataFrame:
    """Flags in file order (sheet, cell; a missing one last), as the warehouse orders a file's values."""
    if flags.empty:
        return flags
    key = pd.DataFrame(
        {
            "sheet_missing": flags["sheet"].isna(),
            "sheet": flags["sheet"].fillna(""),
            "cell_missing": flags["cell"].isna(),
            "cell": flags["cell"].fillna(""),
        }
    )
    order = key.sort_values(list(key.columns), kind="stable").index
    return flags.loc[order].reset_index(drop=True)


def _label(row) -> str:
    """The sample's prefix of a flagged value: cell, locality, indicator, year (as the GX checks quote)."""
    locality = row.locality_id if isinstance(row.locality_id, str) else "nan"
    year = "<NA>" if row.year is None or row.year != row.year else str(int(row.year))
    return f"{cell_ref(row.sheet, row.cell)} {locality} {row.indicator_code} {year}"


def _ratio_detail(r) -> str:
    ratio = r.numerator / r.denominator * r.factor
    return (
        f"Giá trị {fmt_number(r.value)} ≠ {fmt_number(r.numerator)}/{fmt_number(r.denominator)} × "
        f"{fmt_number(r.factor)} = {fmt_number(shown_ratio(ratio, r.value))}"
    )


def _rollup_detail(r) -> str:
    text = (
        f"Dòng tổng {fmt_number(r.value)} khác số cộng từ {int(r.parts)} địa bàn "
        f"{fmt_number(round(r.rolled_up, 3))}"
    )
    if r.unit != "count":
        text += f" (Σ tử số {fmt_number(r.sum_num)} / Σ mẫu số {fmt_number(r.sum_den)})"
    return text


def _yoy_detail(r) -> str:
    return (
        f"Thay đổi bất thường so với năm {int(r.year) - 1}: "
        f"{fmt_number(r.value_prev)} → {fmt_number(r.value)} "
        f"(chênh {fmt_number(round(r.change, 3))}; các địa bàn cùng cấp thường thay đổi khoảng "
        f"{fmt_number(round(r.median_change, 3))}; điểm z hiệu chỉnh {fmt_number(round(r.z, 1))})"
    )


def _cross_detail(r) -> str:
    usual = (
        f"; các năm khác địa bàn này thường chênh {fmt_number(round(r.usual, 3))} so với trung vị"
        if r.usual
        else ""
    )
    return (
        f"Giá trị {fmt_number(r.value)} khác thường so với các địa bàn cùng cấp cùng năm "
        f"(trung vị {fmt_number(round(r.median, 3))}{usual}; điểm z hiệu chỉnh {fmt_number(round(r.z, 1))})"
    )


def _mortality_text(r) -> str:
    text = f"{r.lower_name} {fmt_number(r.lower_value)} lớn hơn {r.higher_name} {fmt_number(r.higher_value)}"
    if r.same_births:
        text += (
            f" (số ca tử vong {fmt_number(r.lower_numerator)} > {fmt_number(r.higher_numerator)} "
            f"trên cùng {fmt_number(r.births)} trẻ đẻ sống)"
        )
    return f"{text} (ô {cell_ref(r.partner_sheet, r.partner_cell)})"


def _one_flag_per_value(pairs: pd.DataFrame) -> pd.DataFrame:
    """mortality_ordering returns a value once per inverted pair: one flag per value, the texts joined."""
    if pairs.empty:
        return pairs.assign(detail=pd.Series(dtype="object"))
    pairs = pairs.sort_values(["submission_id", "rid", "pair_order", "partner_rid"], kind="stable")
    pairs = pairs.assign(text=[_mortality_text(r) for r in pairs.itertuples(index=False)])
    first = pairs.drop_duplicates(["submission_id", "rid"]).set_index(["submission_id", "rid"])
    texts = pairs.groupby(["submission_id", "rid"], sort=False)["text"].agg(
        lambda s: "; ".join(dict.fromkeys(s))
    )
    return first.assign(detail=texts).reset_index()


# conflicting_submissions: one value's flag lists every other file's value it differs from. Flags (and the
# sample) follow this key, as they always have: a value with its conflicts on other sheets sorts together.
CONFLICT_KEY = ["submission_id", "indicator_code", "flag_locality_id", "year", "sheet", "cell"]


def _conflict_text(r) -> str:
    return (
        f"{fmt_number(r.other_value)} trong tệp {r.other_file} ({r.other_plan}, {r.other_sector}, "
        f"ô {cell_ref(r.other_sheet, r.other_cell)})"
    )


def _one_flag_per_conflict(pairs: pd.DataFrame) -> pd.DataFrame:
    """conflicting_submissions returns a value once per differing value of another file: one flag per value,
    in CONFLICT_KEY order, naming the other files' values in the order of their submission and cell."""
    if pairs.empty:
        return pairs.assign(detail=pd.Series(dtype="object"))
    pairs = pairs.sort_values(
        [*CONFLICT_KEY, "other_submission_id", "other_sheet", "other_cell"], kind="stable", na_position="last"
    )
    flags = []
    for _, part in groupby(
        pairs.itertuples(index=False), key=lambda r: tuple(getattr(r, c) for c in CONFLICT_KEY)
    ):
        part = list(part)
        others = "; ".join(_conflict_text(r) for r in part)
        detail = (
            f"Giá trị {fmt_number(part[0].value)} khác với tệp khác cho cùng địa bàn, chỉ tiêu, năm: {others}"
        )
        flags.append({**part[0]._asdict(), "detail": detail})
    return pd.DataFrame(flags, columns=[*pairs.columns, "detail"])


DETAILS: dict[str, Callable] = {
    "value_matches_ratio": _ratio_detail,
    "total_vs_rollup": _rollup_detail,
    "outlier_yoy": _yoy_detail,
    "outlier_cross_locality": _cross_detail,
}


@dataclass
class CrossVerdicts:
    """One cross check's verdicts: per submission (submission_id, element_count, unexpected_count,
    sample) and the flagged values (FLAG_COLUMNS)."""

    family: str
    per_submission: pd.DataFrame
    flagged: pd.DataFrame


FLAG_COLUMNS = [
    "submission_id",
    "indicator_code",
    "locality_id",
    "year",
    "sheet",
    "cell",
    "cell_ref",
    "detail",
]


def verdicts(con, family: str, scope_ids: list[str], config: dict, all_judged: bool = False) -> CrossVerdicts:
    """Run `family` on the staged scope and shape its verdicts for dq.check_results / dq.flagged_values."""
    size = int(config.get("sample_size", 10))
    examined, rows = judge(con, family, config, all_judged)
    if family == "completeness":
        missing = rows.sort_values(["submission_id", "indicator_code"]) if len(rows) else rows
        samples = {
            sid: [f"{r.indicator_code} năm {_year_text(r.year)}" for r in part.itertuples(index=False)]
            for sid, part in (missing.groupby("submission_id", sort=False) if len(missing) else [])
        }
        counts = {sid: len(missing_codes) for sid, missing_codes in samples.items()}
        per_submission = _per_submission(scope_ids, examined, samples, counts)
        return CrossVerdicts(family, per_submission, pd.DataFrame(columns=FLAG_COLUMNS))
    if family == CONFLICTS:
        rows = _one_flag_per_conflict(rows)
    elif family == "mortality_ordering":
        rows = _file_order(_one_flag_per_value(rows))
    else:
        rows = _file_order(rows.assign(detail=[DETAILS[family](r) for r in rows.itertuples(index=False)]))
    labels = [_label(r) for r in rows.itertuples(index=False)]
    rows = rows.assign(label=labels)
    samples: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for r in rows.itertuples(index=False):
        counts[r.submission_id] = counts.get(r.submission_id, 0) + 1
        if len(samples.setdefault(r.submission_id, [])) < size:
            samples[r.submission_id].append(f"{r.label}: {r.detail}")
    flagged = pd.DataFrame(
        {
            "submission_id": rows["submission_id"],
            "indicator_code": rows["indicator_code"],
            "locality_id": rows["flag_locality_id"],
            "year": rows["year"],
            "sheet": rows["sheet"],
            "cell": rows["cell"],
            "cell_ref": [cell_ref(s, c) for s, c in zip(rows["sheet"], rows["cell"], strict=True)],
            "detail": rows["detail"],
        },
        columns=FLAG_COLUMNS,
    )
    return CrossVerdicts(family, _per_submission(scope_ids, examined, samples, counts), flagged)


def _year_text(year) -> str:
    return str(int(year)) if isinstance(year, int | float) and year == year else str(year)


def _per_submission(scope_ids, examined, samples, counts) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "submission_id": list(scope_ids),
            "element_count": [int(examined.get(s, 0)) for s in scope_ids],
            "unexpected_count": [int(counts.get(s, 0)) for s in scope_ids],
            "sample": [samples.get(s, []) for s in scope_ids],
        },
        columns=["submission_id", "element_count", "unexpected_count", "sample"],
    )


# Across plans, sectors and schemes: its context is every loaded submission of the years judged.
CONFLICTS = "conflicting_submissions"
# The check families judged by a query of their own in sql/ (the others are Great Expectations'), in the
# order of checks.CHECK_FAMILIES; conflicts run apart, a group of years at a time.
CROSS_CHECKS = tuple(
    family for family in CHECK_FAMILIES if family != CONFLICTS and (SQL_DIR / f"{family}.sql").exists()
)


def run_cross_checks(
    con, submissions: pd.DataFrame, config: dict, families: tuple[str, ...] = CROSS_CHECKS
) -> list[CrossVerdicts]:
    """The cross checks `families` over `submissions` (SCOPE_COLUMNS; `in_scope` marks those judged, the
    others are their context), on a DuckDB or PostgreSQL connection holding the warehouse's raw and audit
    tables. CROSS_CHECKS compare within a context group; CONFLICTS across all of `submissions`, so it is
    run on its own with every loaded submission of the years judged staged."""
    scope_ids = submissions.loc[submissions["in_scope"].astype(bool), "submission_id"].tolist()
    all_judged = len(scope_ids) == len(submissions)
    stage(con, submissions)
    try:
        return [verdicts(con, family, scope_ids, config, all_judged) for family in families]
    finally:
        unstage(con)
