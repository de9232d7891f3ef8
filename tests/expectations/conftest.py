"""Tiny DuckDB warehouses with hand-made rows for the data-quality tests.

The clean fixture is one province (Điện Biên, vn2008:11) with eight districts, reported by the health
agency for 2023 and 2024 (two loaded submissions), on sheet "Số liệu": one row per district (rows 10-17) and
a total row (row 20); columns E-H hold immunisation (%), neonatal, infant and under-5 mortality (‰).
Rates carry numerators and denominators that agree with the values and roll up exactly to the total row,
and move a little, evenly, between the years -- so every check has something to examine and nothing to flag.
Failing tests change one cell and assert the exact rows flagged.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest import warehouse

PROVINCE = "vn2008:11"
DISTRICTS = [f"vn2008:{code}" for code in range(101, 109)]
SHEET = "Số liệu"
COLUMN = {"IMMUNIZATION_U1": "E", "NEONATAL_MORTALITY": "F", "INFANT_MORTALITY": "G", "U5_MORTALITY": "H"}
TOTAL_ROW = 20

INDICATORS = [
    # code, unit, factor, numerator_le_denominator, plausible_min, plausible_max, name_vi
    ("IMMUNIZATION_U1", "percent", 100, True, None, None, "Tỷ lệ tiêm chủng đầy đủ trẻ dưới 1 tuổi"),
    ("NEONATAL_MORTALITY", "per_1000_live_births", 1000, True, 0, 100, "Tỷ suất tử vong trẻ sơ sinh"),
    ("INFANT_MORTALITY", "per_1000_live_births", 1000, True, 0, 150, "Tỷ suất tử vong trẻ dưới 1 tuổi"),
    ("U5_MORTALITY", "per_1000_live_births", 1000, True, 0, 200, "Tỷ suất tử vong trẻ dưới 5 tuổi"),
    ("INJURY_RATE", "per_100000_children", 100000, False, 0, 5000, "Tỷ suất trẻ em bị tai nạn thương tích"),
    ("CHILD_MARRIAGE", "count", 1, False, None, None, "Số vụ tảo hôn"),
]


def submission_id(year: int) -> str:
    return f"sub-health-{year}"


def _rates(year: int, index: int) -> dict[str, tuple[float, float]]:
    """(numerator, denominator) per indicator for district `index` in `year`: smooth, consistent, ordered."""
    shift = year - 2023
    births = 2000 + 100 * index
    return {
        "IMMUNIZATION_U1": (900 + 10 * index + 5 * shift, 1000 + 10 * index),
        "NEONATAL_MORTALITY": (16 + index % 3 - shift, births),
        "INFANT_MORTALITY": (26 + index % 3 - shift, births),
        "U5_MORTALITY": (38 + index % 3 - shift, births),
    }


def clean_values(year: int) -> list[dict]:
    factor = {code: factor for code, _, factor, *_ in INDICATORS}
    rows, sums = [], {}
    for index, district in enumerate(DISTRICTS):
        for code, (num, den) in _rates(year, index).items():
            rows.append(value_row(year, code, district, num / den * factor[code], num, den, row=10 + index))
            total = sums.setdefault(code, [0.0, 0.0])
            total[0] += num
            total[1] += den
    for code, (num, den) in sums.items():
        rows.append(
            value_row(year, code, PROVINCE, num / den * factor[code], num, den, row=TOTAL_ROW, total=True)
        )
    return rows


def value_row(year, code, locality, value, numerator=None, denominator=None, row=30, total=False, cell=None):
    return {
        "submission_id": submission_id(year),
        "plan_id": "dien-bien-2021",
        "agency_id": "dien-bien-health",
        "indicator_code": code,
        "locality_id": locality,
        "year": year,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "is_total_row": total,
        "sheet": SHEET,
        "cell": cell or f"{COLUMN.get(code, 'K')}{row}",
        "raw_value": None if value is None else str(value),
    }


def cell_of(code: str, district_index: int | None) -> str:
    """'Số liệu!E12' for a district (0-based index) or the total row (None)."""
    row = TOTAL_ROW if district_index is None else 10 + district_index
    return f"{SHEET}!{COLUMN[code]}{row}"


def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    columns = warehouse.ALL_TABLES[table]
    return pd.DataFrame(rows, columns=list(columns)).astype("object")


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if not rows:
        return
    columns = warehouse.ALL_TABLES[table]
    con.register("_rows", _frame(table, rows))
    select = ", ".join(f"cast({c} as {t})" for c, t in columns.items())
    con.execute(f"insert into {table} select {select} from _rows")
    con.unregister("_rows")


def build_reference(con: duckdb.DuckDBPyConnection) -> None:
    warehouse.ensure_tables(con, warehouse.ALL_TABLES)
    insert(
        con,
        "raw.indicators",
        [
            {
                "indicator_code": code,
                "unit": unit,
                "factor": factor,
                "numerator_le_denominator": le,
                "plausible_min": pmin,
                "plausible_max": pmax,
                "name_vi": name,
            }
            for code, unit, factor, le, pmin, pmax, name in INDICATORS
        ],
    )
    insert(
        con,
        "raw.localities",
        [
            {
                "locality_id": PROVINCE,
                "level": "province",
                "name_vi": "Điện Biên",
                "scheme": "vn2008",
                "code": "11",
            }
        ]
        + [
            {"locality_id": d, "level": "district", "parent_id": PROVINCE, "name_vi": f"Huyện {i + 1}"}
            for i, d in enumerate(DISTRICTS)
        ],
    )
    insert(con, "raw.plans", [{"plan_id": "dien-bien-2021", "locality_id": PROVINCE}])
    insert(
        con,
        "raw.assignments",
        [{"plan_id": "dien-bien-2021", "indicator_code": code, "sector": "health"} for code in COLUMN],
    )
    insert(
        con,
        "raw.agencies",
        [{"agency_id": "dien-bien-health", "name_vi": "Sở Y tế Điện Biên", "sector": "health"}],
    )


def add_submission(con, year: int, rows: list[dict], status: str = "loaded", sid: str | None = None) -> None:
    insert(
        con,
        "audit.submissions",
        [
            {
                "submission_id": sid or submission_id(year),
                "file_name": f"so_y_te_dien_bien_{year}.xlsx",
                "agency_id": "dien-bien-health",
                "plan_id": "dien-bien-2021",
                "sector": "health",
                "year": year,
                "locality_id": PROVINCE,
                "status": status,
                "received_at": pd.Timestamp(f"{year + 1}-01-15"),
            }
        ],
    )
    insert(con, "raw.indicator_values", rows)


@pytest.fixture
def make_warehouse(tmp_path: Path):
    """Factory: a warehouse with reference tables and the two clean submissions, after `edit(year, rows)`."""
    connections = []

    def factory(edit=None) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(str(tmp_path / "treem.duckdb"))
        connections.append(con)
        build_reference(con)
        for year in (2023, 2024):
            rows = clean_values(year)
            if edit is not None:
                rows = edit(year, rows)
            add_submission(con, year, rows)
        return con

    yield factory
    for con in connections:
        con.close()


def set_value(rows: list[dict], code: str, locality: str, **changes) -> list[dict]:
    """Change the row of `code` × `locality` (the first one) in place and return the rows."""
    for row in rows:
        if row["indicator_code"] == code and row["locality_id"] == locality:
            row.update(changes)
            return rows
    raise KeyError((code, locality))
