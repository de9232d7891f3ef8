"""Re-expression of vn2008 values on vn2025 units: the dbt model itself, on the real bridge.

The comparable-series rule lives once, in `int_indicator_values_reexpressed` (surfaced by
`fct_indicator_value_comparable`); these tests run it on the real administrative units and succession
bridge with a few loaded values.
"""

from __future__ import annotations

import duckdb
import pytest

from ingest import warehouse
from tests.reference_warehouse import dbt_run, land_reference

# (locality, indicator, year, numerator, denominator); counts carry their figure as the value.
VALUES = [
    # Phúc Hòa (new) = Phúc Hòa + Hợp Đức + Liên Chung (old), all whole: 2024 complete, 2023 two of three
    ("vn2008:07324", "IMMUNIZATION_U1", 2024, 95.0, 100.0),
    ("vn2008:07330", "IMMUNIZATION_U1", 2024, 40.0, 50.0),
    ("vn2008:07357", "IMMUNIZATION_U1", 2024, 180.0, 200.0),
    ("vn2008:07324", "IMMUNIZATION_U1", 2023, 95.0, 100.0),
    ("vn2008:07357", "IMMUNIZATION_U1", 2023, 180.0, 200.0),
    # phường Điện Biên (Ba Đình) was divided among four new wards: 1/4 each
    ("vn2008:00019", "INJURY_RATE", 2023, 8.0, 4000.0),
    # provinces: Bắc Giang and Bắc Ninh became the new Bắc Ninh
    ("vn2008:24", "CHILD_MARRIAGE", 2024, 120.0, None),
    ("vn2008:27", "CHILD_MARRIAGE", 2024, 30.0, None),
]


@pytest.fixture(scope="module")
def comparable(tmp_path_factory) -> dict[tuple, tuple]:
    work = tmp_path_factory.mktemp("reexpress")
    path = work / "treem.duckdb"
    land_reference(path)
    submission = {
        "submission_id": "sub-reexpress",
        "file_name": "reexpress.xlsx",
        "received_at": "2025-01-15 00:00:00",
        "plan_id": "national-2021",
        "sector": "health",
        "year": 2024,
        "locality_id": "vn:VN",
        "status": "loaded",
    }
    rows = [
        {
            "submission_id": "sub-reexpress",
            "plan_id": "national-2021",
            "indicator_code": code,
            "locality_id": locality,
            "year": year,
            "value": numerator if denominator is None else None,
            "numerator": numerator,
            "denominator": denominator,
            "is_total_row": False,
            "sheet": "Số liệu",
            "cell": f"A{i + 8}",
        }
        for i, (locality, code, year, numerator, denominator) in enumerate(VALUES)
    ]
    with warehouse.connect(path) as con:
        for table, data in (("audit.submissions", [submission]), ("raw.indicator_values", rows)):
            columns = warehouse.ALL_TABLES[table]
            names = [c for c in columns if c in data[0]]
            con.executemany(
                f"insert into {table} ({', '.join(names)}) values ({', '.join('?' * len(names))})",
                [[row[c] for c in names] for row in data],
            )
        # rates typed as numerator / denominator: the value is their ratio x factor, as the ingest loads it
        con.execute(
            "update raw.indicator_values v set value = v.numerator / v.denominator * i.factor "
            "from raw.indicators i where i.indicator_code = v.indicator_code and v.denominator is not null"
        )
    result = dbt_run(path, work, "+fct_indicator_value_comparable")
    assert result.returncode == 0, result.stdout[-3000:]
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = con.execute(
            "select locality_id, indicator_code, year, basis, numerator, denominator, value, is_exact "
            "from marts.fct_indicator_value_comparable where basis like 'reexpressed_from_%'"
        ).fetchall()
    finally:
        con.close()
    return {(r[0], r[1], r[2], r[3]): r[4:] for r in found}


def test_whole_merge_is_the_exact_sum_of_numerators_over_denominators(comparable):
    numerator, denominator, value, exact = comparable[
        ("vn2025:07330", "IMMUNIZATION_U1", 2024, "reexpressed_from_commune")
    ]
    assert (numerator, denominator) == (315.0, 350.0)
    assert value == pytest.approx(315 / 350 * 100)  # Σnum/Σden, not the mean of 95, 80, 90
    assert exact


def test_missing_constituent_or_partial_bridge_is_approximate(comparable):
    numerator, denominator, value, exact = comparable[
        ("vn2025:07330", "IMMUNIZATION_U1", 2023, "reexpressed_from_commune")
    ]
    assert value == pytest.approx(275 / 300 * 100) and not exact
    split = {
        key[0]: row
        for key, row in comparable.items()
        if key[1:] == ("INJURY_RATE", 2023, "reexpressed_from_commune")
    }
    assert set(split) == {"vn2025:00004", "vn2025:00070", "vn2025:00190", "vn2025:00226"}
    assert sum(row[0] for row in split.values()) == pytest.approx(8.0)
    assert all(row[1] == pytest.approx(1000.0) and not row[3] for row in split.values())


def test_provinces_and_counts(comparable):
    numerator, _, value, exact = comparable[
        ("vn2025:24", "CHILD_MARRIAGE", 2024, "reexpressed_from_province")
    ]
    assert value == 150.0 and exact
