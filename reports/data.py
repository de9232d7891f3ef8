"""Read what one review report needs from the warehouse marts into plain Python structures.

The writers (excel.py, html.py) never touch SQL: they get a `ReviewData` of records with None for missing
figures. The two review marts differ slightly (the 2030 mart carries the 2020-2030 trajectory, the 2025 mart
the outlook), so both are normalised here onto one row shape; columns a mart lacks are filled from the
other mart or from `fct_target` / `fct_indicator_value`, which keeps the writers free of review-specific
lookups and tolerant of marts that gain columns later.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import duckdb
import pandas as pd

from reports.vn import REVIEW_YEAR, is_missing

# Canonical order of the indicators (warehouse-contract.md), used inside one plan item with several rows.
INDICATOR_ORDER = [
    "CHILD_FRIENDLY_COMMUNE",
    "ECD_SERVICES_U8",
    "NEONATAL_MORTALITY",
    "INFANT_MORTALITY",
    "U5_MORTALITY",
    "U5_UNDERWEIGHT",
    "U5_STUNTING",
    "U5_OVERWEIGHT_RURAL",
    "U5_OVERWEIGHT_URBAN",
    "IMMUNIZATION_U1",
    "IMMUNIZATION_U5",
    "HIV_MTCT",
    "SCHOOL_SANITATION",
    "SPECIAL_CIRCUMSTANCES",
    "SPECIAL_CIRCUMSTANCES_CARED",
    "CHILD_ABUSE",
    "CHILD_ABUSE_HANDLED",
    "CHILD_LABOUR",
    "INJURY_RATE",
    "INJURY_DEATH_RATE",
    "DISASTER_RELIEF",
    "CHILD_MARRIAGE",
    "BIRTH_REGISTRATION_U5",
    "DEVELOPMENT_ON_TRACK_U5",
    "PRESCHOOL_5Y",
    "PRIMARY_COMPLETION",
    "PRIMARY_DROPOUT",
    "LOWER_SECONDARY_COMPLETION",
    "LOWER_SECONDARY_DROPOUT",
    "SCHOOL_PSYCH_SUPPORT",
    "SCHOOL_DISABILITY_FRIENDLY",
    "DISABLED_CHILDREN_EDUCATION",
    "PLAY_SPACE_COMMUNE",
    "CHILDREN_CONSULTED_7PLUS",
    "PARTICIPATION_AWARENESS",
    "PARTICIPATION_MODELS_11PLUS",
]

YEARS = list(range(2020, 2031))

LEVEL_ORDER = {"nation": 0, "province": 1, "district": 2, "commune": 3}

MART = {"so-ket-2025": "mart_so_ket_2025", "tong-ket-2030": "mart_tong_ket_2030"}

# Every row of the summary has these keys, whichever mart it came from.
ROW_FIELDS = [
    "plan_id",
    "locality_id",
    "is_plan_territory",
    "indicator_code",
    "plan_item",
    "goal_group",
    "indicator_name_vi",
    "unit",
    "direction",
    "baseline_year",
    "baseline_value",
    "baseline_source",
    "baseline_reporting_units",
    "baseline_expected_units",
    "plan_baseline_value",
    "target_2025",
    "target_2025_high",
    "comparator_2025",
    "target_2030",
    "target_2030_high",
    "comparator_2030",
    "value_2025",
    "value_2025_is_approximate",
    "value_2025_source",
    "value_2025_reporting_units",
    "value_2025_expected_units",
    "value_2025_is_withheld",
    "value_2030",
    "value_2030_is_approximate",
    "value_2030_source",
    "value_2030_reporting_units",
    "value_2030_expected_units",
    "value_2030_is_withheld",
    "latest_year",
    "latest_value",
    "status_2025",
    "status_2030",
    "progress_2030",
    "projected_2030",
    "unsd_progress_ratio",
    "eurostat_ratio",
    "eurostat_category",
    "aarr_actual",
    "aarr_required",
    "quality_status",
    "warning_count",
    "conflicting_value_count",
    "judgement_rule",
]


@dataclass
class ReviewData:
    review: str
    plan: dict
    territory_name: str
    rows: list[dict]  # plan territory, one per indicator, in the plan's order
    breakdown: list[dict]  # localities inside the territory × indicators
    trajectories: dict[str, dict[int, float]]
    targets: list[dict]  # every target claim of the plan (fct_target)
    completeness: list[dict]
    checks: list[dict]
    flagged: list[dict]
    sensitive: set[str]
    generated_at: datetime = field(default_factory=datetime.now)
    # Task implementation ("Thực hiện nhiệm vụ"): the year shown, counts per lead sector, and every task.
    task_year: int | None = None
    task_sectors: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)

    @property
    def year(self) -> int:
        return REVIEW_YEAR[self.review]


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return con.execute(query, [schema, table]).fetchone()[0] > 0


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    query = "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
    return [r[0] for r in con.execute(query, [schema, table]).fetchall()]


def _records(frame: pd.DataFrame) -> list[dict]:
    """Frame rows as dicts with None for every kind of missing value (NaN, NA, NaT).

    Converted column by column: a typed column's values are already plain (floats, ints, bools,
    timestamps) and only its missing ones need replacing, so only object columns (text, DECIMAL) are
    looked at value by value. Row by row through `DataFrame.to_dict` was half of reading the national
    plan's review (1.9 s of 8 reports' 80 queries; 0.9 s this way, the same values and types)."""
    columns = {}
    for name in frame.columns:
        series = frame[name]
        values = series.astype(object).tolist()
        if series.dtype == object:
            values = [_plain(value) for value in values]
        elif series.hasnans:
            missing = series.isna().tolist()
            values = [None if gone else value for value, gone in zip(values, missing, strict=True)]
        columns[name] = values
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _plain(value):
    """DECIMAL columns arrive as Decimal; the writers treat float as the one numeric type."""
    if is_missing(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def _query(con, sql: str, params=None) -> list[dict]:
    return _records(con.execute(sql, params or []).df())


def item_number(plan_item) -> tuple:
    """Sort key of a plan's own numbering: "Chỉ tiêu 5" < "Chỉ tiêu 15"; "5.2" after "5.1"."""
    numbers = [int(n) for n in re.findall(r"\d+", plan_item or "")]
    return (0, *numbers) if numbers else (1, plan_item or "")


def indicator_rank(code: str) -> tuple:
    return (INDICATOR_ORDER.index(code), code) if code in INDICATOR_ORDER else (len(INDICATOR_ORDER), code)


def row_sort_key(row: dict) -> tuple:
    return (
        row.get("goal_group") or 9,
        item_number(row.get("plan_item")),
        indicator_rank(row["indicator_code"]),
    )


def numeric_plans(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Plans with at least one numeric target: the ones a sơ kết / tổng kết table makes sense for."""
    if not _exists(con, "marts", "fct_target"):
        return []
    rows = con.execute(
        "select distinct plan_id from marts.fct_target where target_value is not null order by plan_id"
    ).fetchall()
    return [r[0] for r in rows]


def plans_largest_first(con: duckdb.DuckDBPyConnection, plan_ids: list[str]) -> list[str]:
    """`plan_ids` by the rows their reviews show, most first (then by id): the reports are written by a pool
    of workers, and the national plan's (seconds, where a province's takes a fraction of one) started last
    finished alone after the others."""
    sizes: dict[str, int] = {}
    if _exists(con, "marts", MART["tong-ket-2030"]):
        sizes = dict(
            con.execute(f"select plan_id, count(*) from marts.{MART['tong-ket-2030']} group by 1").fetchall()
        )
    return sorted(plan_ids, key=lambda plan_id: (-sizes.get(plan_id, 0), plan_id))


def _mart_rows(con, review: str, plan_id: str) -> list[dict]:
    table = MART[review]
    if not _exists(con, "marts", table):
        raise LookupError(f"marts.{table} does not exist: build the marts first")
    present = set(_columns(con, "marts", table))
    select = ", ".join(f"m.{c}" if c in present else f"null as {c}" for c in ROW_FIELDS)
    trajectory = [f"value_{y}" for y in YEARS if f"value_{y}" in present and f"value_{y}" not in ROW_FIELDS]
    if trajectory:
        select += ", " + ", ".join(f"m.{c}" for c in trajectory)
    rows = _query(con, f"select {select} from marts.{table} m where m.plan_id = ?", [plan_id])
    if review == "tong-ket-2030" and _exists(con, "marts", "mart_so_ket_2025"):
        # The 2030 mart may not repeat the mid-term figures; take them from the 2025 mart.
        mid = _query(
            con,
            "select * from marts.mart_so_ket_2025 where plan_id = ?",
            [plan_id],
        )
        by_key = {(r["locality_id"], r["indicator_code"]): r for r in mid}
        for row in rows:
            other = by_key.get((row["locality_id"], row["indicator_code"]), {})
            for column in (
                "target_2025",
                "target_2025_high",
                "comparator_2025",
                "value_2025",
                "status_2025",
                "value_2025_is_approximate",
                "value_2025_source",
                "value_2025_reporting_units",
                "value_2025_expected_units",
                "value_2025_is_withheld",
                "baseline_year",
                "baseline_value",
            ):
                if row.get(column) is None and other.get(column) is not None:
                    row[column] = other[column]
    return rows


def _fill_targets_from_fct(rows: list[dict], targets: list[dict]) -> None:
    """Where a mart row has no target of a year, use the plan's authoritative claim for it."""
    authoritative = {
        (t["indicator_code"], t["year"]): t for t in targets if t.get("is_authoritative") in (True, None)
    }
    for row in rows:
        for year in (2025, 2030):
            claim = authoritative.get((row["indicator_code"], year))
            if claim and row.get(f"target_{year}") is None:
                row[f"target_{year}"] = claim["target_value"]
                row[f"target_{year}_high"] = claim.get("target_value_high")
                row[f"comparator_{year}"] = claim.get("comparator")


def _attach_quotes(rows: list[dict], targets: list[dict]) -> None:
    """The plan's own sentence for each target (shown as a cell comment / under the name in HTML)."""
    for row in rows:
        quotes, conflicting = [], False
        for t in targets:
            if t["indicator_code"] != row["indicator_code"]:
                continue
            conflicting = conflicting or bool(t.get("is_conflicting"))
            used = t.get("is_authoritative") in (True, None)
            if used and t.get("source_quote") and t["source_quote"] not in quotes:
                quotes.append(t["source_quote"])
        row["source_quotes"] = quotes
        row["is_conflicting"] = conflicting


def _attach_item_labels(rows: list[dict]) -> None:
    """One label per plan item and indicator, the same in every table: "Chỉ tiêu 8.1" and "Chỉ tiêu 8.2"
    when a plan item covers several indicators (numbered in the main table's order), else the item."""
    members: dict[tuple, list[str]] = {}
    for row in sorted(rows, key=row_sort_key):
        key = (row.get("goal_group"), (row.get("plan_item") or "").strip())
        codes = members.setdefault(key, [])
        if row["indicator_code"] not in codes:
            codes.append(row["indicator_code"])
    labels: dict[tuple, str] = {}
    for (goal, item), codes in members.items():
        for index, code in enumerate(codes, start=1):
            labels[(goal, item, code)] = f"{item}.{index}" if item and len(codes) > 1 else item
    for row in rows:
        item = (row.get("plan_item") or "").strip()
        row["item_label"] = labels.get((row.get("goal_group"), item, row["indicator_code"]), item)


def _locality_names(con) -> dict[str, dict]:
    if not _exists(con, "marts", "dim_locality"):
        return {}
    present = set(_columns(con, "marts", "dim_locality"))
    cols = [c for c in ("locality_id", "name_vi", "level", "parent_id") if c in present]
    return {r["locality_id"]: r for r in _query(con, f"select {', '.join(cols)} from marts.dim_locality")}


def _series(con, plan_id: str) -> dict[tuple[str, str], dict[int, float]]:
    """The 2020-2030 series the marts selected, per locality x indicator of the plan's review rows.

    Read from mart_tong_ket_2030's value_2020 ... value_2030 (the same rows as the sơ kết, and the same
    selection and error filter as every review figure): a report never picks among origins itself.
    """
    table = "mart_tong_ket_2030"
    if not _exists(con, "marts", table):
        return {}
    present = set(_columns(con, "marts", table))
    years = [y for y in YEARS if f"value_{y}" in present]
    columns = ", ".join(f"value_{y}" for y in years)
    rows = con.execute(
        f"select locality_id, indicator_code, {columns} from marts.{table} where plan_id = ?", [plan_id]
    ).fetchall()
    return {
        (locality, code): {y: float(v) for y, v in zip(years, values, strict=True) if v is not None}
        for locality, code, *values in rows
    }


# The fact row behind a value the review marts name by its source (value_2025_source, baseline_source).
_SOURCE_FACT = {
    "reported": ("fct_indicator_value", "origin", "reported"),
    "rollup": ("fct_indicator_value", "origin", "rollup"),
    "plan_baseline": ("fct_indicator_value", "origin", "plan_baseline"),
}


class _Facts:
    """Numerator and denominator of the very values the mart selected (never an error-flagged one), for
    every row of a breakdown: one query per fact table for all its localities and indicators, not one per
    row (a national plan's breakdown has thousands of rows; a query each made the report minutes long)."""

    def __init__(self, con, rows: list[dict]):
        self.con = con
        self.codes = sorted({r["indicator_code"] for r in rows})
        self.localities = sorted({r["locality_id"] for r in rows})
        self.tables: dict[str, dict[tuple, dict]] = {}

    def get(self, source: str | None, code: str, locality_id: str, year) -> dict:
        if source is None or year is None:
            return {}
        if source.startswith("reexpressed_from_"):
            table, column, key = "fct_indicator_value_comparable", "basis", source
        elif source in _SOURCE_FACT:
            table, column, key = _SOURCE_FACT[source]
        else:
            return {}
        if table not in self.tables:
            self.tables[table] = self._load(table, column) if _exists(self.con, "marts", table) else {}
        return self.tables[table].get((code, locality_id, int(year), key), {})

    def _load(self, table: str, column: str) -> dict[tuple, dict]:
        rows = self.con.execute(
            f"select indicator_code, locality_id, year, {column}, numerator, denominator from marts.{table} "
            "where quality_status is distinct from 'error' and indicator_code in (select unnest(?)) "
            "and locality_id in (select unnest(?))",
            [self.codes, self.localities],
        ).fetchall()
        out: dict[tuple, dict] = {}
        for code, locality_id, year, key, numerator, denominator in rows:
            out.setdefault(
                (code, locality_id, int(year), key),
                {"numerator": _plain(numerator), "denominator": _plain(denominator)},
            )
        return out


def _trajectories(
    rows: list[dict], series: dict[tuple[str, str], dict[int, float]], review: str
) -> dict[str, dict[int, float]]:
    """The series of the plan territory per indicator, as the marts selected it, up to the review's year.

    A review shows what was known of its years (as its checks, flagged values and completeness do): the
    sơ kết 2025's chart ends in 2025, so a 2026 value neither appears in it nor makes it look changed."""
    last = REVIEW_YEAR[review]
    out: dict[str, dict[int, float]] = {}
    for r in rows:
        points = dict(series.get((r["locality_id"], r["indicator_code"]), {}))
        if r.get("baseline_value") is not None:
            points.setdefault(int(r.get("baseline_year") or 2020), float(r["baseline_value"]))
        for year in YEARS:
            if r.get(f"value_{year}") is not None:
                points[year] = float(r[f"value_{year}"])
        if r.get("latest_value") is not None and r.get("latest_year") is not None:
            points.setdefault(int(r["latest_year"]), float(r["latest_value"]))
        out[r["indicator_code"]] = {year: value for year, value in sorted(points.items()) if year <= last}
    return out


def _depth_path(locality_id: str, names: dict[str, dict]) -> tuple:
    """Sort key placing every unit right after its parent (province, its districts, their communes)."""
    path, seen, current = [], set(), locality_id
    while current and current in names and current not in seen:
        seen.add(current)
        row = names[current]
        path.append((LEVEL_ORDER.get(row.get("level"), 9), row.get("name_vi") or current))
        current = row.get("parent_id")
    return tuple(reversed(path))


def _breakdown(con, rows: list[dict], names: dict[str, dict], review: str) -> list[dict]:
    year = REVIEW_YEAR[review]
    out = []
    rows = [r for r in rows if r.get("is_plan_territory") not in (True, None)]
    facts = _Facts(con, rows)
    for r in rows:
        locality = names.get(r["locality_id"], {})
        value = r.get(f"value_{year}")
        value_year, source = year, r.get(f"value_{year}_source")
        if value is None and r.get("latest_value") is not None:
            value, value_year, source = r["latest_value"], r.get("latest_year"), r.get("latest_source")
        fact = facts.get(source, r["indicator_code"], r["locality_id"], value_year)
        base = facts.get(
            r.get("baseline_source"), r["indicator_code"], r["locality_id"], r.get("baseline_year")
        )
        out.append(
            {
                **r,
                "locality_name": locality.get("name_vi") or r["locality_id"],
                "level": locality.get("level"),
                "value": value,
                "value_year": value_year,
                "numerator": fact.get("numerator"),
                "denominator": fact.get("denominator"),
                "baseline_numerator": base.get("numerator"),
                "_path": _depth_path(r["locality_id"], names),
            }
        )
    # the locality id breaks ties between units of one name under one parent (and units outside the
    # hierarchy): without it their order followed the mart's scan, and a report looked changed when nothing
    # in it had
    out.sort(key=lambda b: (b["_path"], b["locality_id"], row_sort_key(b)))
    return out


def _completeness(con, plan_id: str, year: int, names: dict[str, dict]) -> list[dict]:
    if not _exists(con, "marts", "mart_reporting_completeness"):
        return []
    present = set(_columns(con, "marts", "mart_reporting_completeness"))
    where = "where year <= ?" + (" and plan_id = ?" if "plan_id" in present else "")
    params = [year] + ([plan_id] if "plan_id" in present else [])
    rows = _query(con, f"select * from marts.mart_reporting_completeness {where}", params)
    agencies = {}
    if _exists(con, "marts", "dim_agency"):
        agencies = {
            a["agency_id"]: a for a in _query(con, "select agency_id, name_vi, sector from marts.dim_agency")
        }
    for r in rows:
        agency = agencies.get(r.get("agency_id"), {})
        r["agency_name"] = agency.get("name_vi") or r.get("agency_id")
        r["sector"] = r.get("sector") or agency.get("sector")
        r["locality_name"] = names.get(r.get("locality_id"), {}).get("name_vi") or r.get("locality_id")
    # the unit and then the whole row break ties: an order that followed the mart's scan changed with every
    # rebuild of the marts, and an unchanged report looked changed (it was written again)
    rows.sort(
        key=lambda r: (
            r.get("year") or 0,
            r.get("sector") or "",
            r.get("agency_name") or "",
            r.get("locality_name") or "",
            repr(sorted(r.items())),
        )
    )
    return rows


def _checks(con, plan_id: str, year: int) -> list[dict]:
    """Failing data-quality checks, latest result of each, limited to this plan's submissions of the review
    year and earlier if known (as the flagged values and the completeness table are: a mid-term review
    does not list the checks of later years' files)."""
    if not _exists(con, "dq", "check_results"):
        return []
    plan_filter = ""
    params: list = []
    if _exists(con, "audit", "submissions") and "plan_id" in _columns(con, "audit", "submissions"):
        plan_filter = (
            "and (c.submission_id is null or c.submission_id in "
            "(select submission_id from audit.submissions where plan_id = ? and year <= ?))"
        )
        params += [plan_id, year]
    sql = f"""
        select * from (
            select c.*, row_number() over (
                partition by c.suite, c.check_name, coalesce(c.submission_id, '') order by c.checked_at desc
            ) as rn
            from dq.check_results c
            where true {plan_filter}
        ) where rn = 1 and not success
        order by case severity when 'error' then 0 else 1 end, suite, check_name, submission_id nulls first
    """
    return _query(con, sql, params)


def _flagged(con, locality_ids: list[str], codes: list[str], year: int) -> list[dict]:
    if not locality_ids or not _exists(con, "dq", "flagged_values"):
        return []
    return _query(
        con,
        "select * from dq.flagged_values where locality_id in (select unnest(?)) "
        "and indicator_code in (select unnest(?)) and (year is null or year <= ?) "
        "order by indicator_code, locality_id, year, check_name, submission_id, detail",
        [locality_ids, codes, year],
    )


def _task_progress(con, plan_id: str, review_year: int) -> tuple[int | None, list[dict], list[dict]]:
    """(year, per lead sector counts, task rows) of the task marts for the review.

    The year is the latest year <= the review year with any task report (a 2030 review read in 2026 shows
    the latest year reported), else the latest expected year <= the review year. Empty when the plan has no
    task or the task marts are not built (older warehouses).
    """
    if not _exists(con, "marts", "mart_task_progress"):
        return None, [], []
    row = con.execute(
        "select max(case when is_reported then year end), max(year) from marts.mart_task_progress "
        "where plan_id = ? and year <= ?",
        [plan_id, review_year],
    ).fetchone()
    year = row[0] if row[0] is not None else row[1]
    if year is None:
        return None, [], []
    tasks = _query(
        con,
        "select * from marts.mart_task_progress where plan_id = ? and year = ?",
        [plan_id, year],
    )
    tasks.sort(key=lambda t: t.get("task_id") or "")  # t01, t02 …: the plan's own order
    if _exists(con, "marts", "mart_task_progress_by_agency"):
        sectors = _query(
            con,
            "select * from marts.mart_task_progress_by_agency where plan_id = ? and year = ?",
            [plan_id, year],
        )
    else:
        sectors = []
    # sectors with as many tasks in the sector's name order, not the mart's scan (see _completeness)
    sectors.sort(
        key=lambda r: (
            r.get("lead_sector") == "all_agencies",
            -(r.get("tasks") or 0),
            r.get("lead_sector") or "",
        )
    )
    return int(year), sectors, tasks


def load_review(con: duckdb.DuckDBPyConnection, review: str, plan_id: str) -> ReviewData:
    """Everything one report shows, read once from the warehouse."""
    if review not in MART:
        raise ValueError(f"unknown review {review!r}; expected one of {sorted(MART)}")
    plans = _query(con, "select * from marts.dim_plan where plan_id = ?", [plan_id])
    if not plans:
        raise LookupError(f"plan {plan_id!r} not in marts.dim_plan")
    plan = plans[0]
    names = _locality_names(con)

    targets = []
    if _exists(con, "marts", "fct_target"):
        targets = _query(
            con,
            "select * from marts.fct_target where plan_id = ? order by indicator_code, year",
            [plan_id],
        )
        # Claims of one indicator and year (text and appendix) in one order whatever the table's physical
        # order after a rebuild: the quotes shown follow it, and an unchanged plan keeps its report.
        targets.sort(key=lambda t: (t["indicator_code"] or "", t["year"] or 0, repr(sorted(t.items()))))
    mart_rows = _mart_rows(con, review, plan_id)
    _fill_targets_from_fct(mart_rows, targets)
    _attach_quotes(mart_rows, targets)
    _attach_item_labels(mart_rows)
    for row in mart_rows:
        row["status"] = row.get(f"status_{REVIEW_YEAR[review]}")

    territory_rows = [r for r in mart_rows if r.get("is_plan_territory") in (True, None)]
    territory_rows.sort(key=row_sort_key)
    locality_ids = sorted({r["locality_id"] for r in mart_rows})
    codes = sorted({r["indicator_code"] for r in mart_rows})

    sensitive: set[str] = set()
    if _exists(con, "marts", "dim_indicator") and "is_sensitive" in _columns(con, "marts", "dim_indicator"):
        sensitive = {
            r[0]
            for r in con.execute(
                "select indicator_code from marts.dim_indicator where is_sensitive"
            ).fetchall()
        }

    territory_id = plan.get("locality_id") or (territory_rows[0]["locality_id"] if territory_rows else None)
    task_year, task_sectors, tasks = _task_progress(con, plan_id, REVIEW_YEAR[review])
    return ReviewData(
        review=review,
        plan=plan,
        territory_name=names.get(territory_id, {}).get("name_vi") or territory_id or "",
        rows=territory_rows,
        breakdown=_breakdown(con, mart_rows, names, review),
        trajectories=_trajectories(territory_rows, _series(con, plan_id), review),
        targets=targets,
        completeness=_completeness(con, plan_id, REVIEW_YEAR[review], names),
        checks=_checks(con, plan_id, REVIEW_YEAR[review]),
        flagged=_flagged(con, locality_ids, codes, REVIEW_YEAR[review]),
        sensitive=sensitive,
        task_year=task_year,
        task_sectors=task_sectors,
        tasks=tasks,
    )
