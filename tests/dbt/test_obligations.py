"""Completeness expects exactly the units the agencies' workbooks list.

Which units report for a plan in a year is decided once, by `Reference.reporting_units`
(ingest/workbook/context.py): the template writer uses it, and the reference landing writes its answer as
`raw.reporting_units`, which `int_reporting_obligations_expanded` reads. These tests check what a programme
officer relies on: the rows of Tân Yên's health template are the units the completeness mart counts, on both
sides of the 1/7/2025 reorganisation, and after it they are the six new communes that took over old Tân Yên.
"""

from __future__ import annotations

import pytest

PLAN, SECTOR = "tan-yen-2021", "health"
# The vn2025 communes (province Bắc Ninh) that received old Tân Yên's communes on 1/7/2025.
TAN_YEN_2025 = {"Phường Đa Mai", "Xã Nhã Nam", "Xã Phúc Hòa", "Xã Quang Trung", "Xã Tân Yên", "Xã Ngọc Thiện"}


def _template_units(year: int) -> set[str]:
    from ingest.workbook.context import load_reference
    from ingest.workbook.template import build_template

    reference = load_reference()
    _, tmap = build_template(PLAN, SECTOR, year, reference)
    return set(tmap.rows) - {reference.territory(PLAN)}  # the Tổng cộng row is the territory itself


@pytest.mark.parametrize("year", [2024, 2025])
def test_template_rows_are_the_units_completeness_expects(warehouse_con, year):
    template = _template_units(year)
    expected = {
        unit
        for (unit,) in warehouse_con.execute(
            "select distinct unit_id from intermediate.int_reporting_obligations_expanded "
            "where plan_id = ? and sector = ? and year = ?",
            [PLAN, SECTOR, year],
        ).fetchall()
    }
    assert expected == template
    assigned, expected_values = warehouse_con.execute(
        "select (select count(distinct indicator_code) from marts.fct_assignment "
        "        where plan_id = ? and sector = ?), "
        "       (select expected_values from marts.mart_reporting_completeness "
        "        where plan_id = ? and sector = ? and year = ?)",
        [PLAN, SECTOR, PLAN, SECTOR, year],
    ).fetchone()
    assert expected_values == len(template) * assigned


def test_tan_yen_reports_on_its_successor_communes_from_2025(warehouse_con):
    units = dict(
        warehouse_con.execute(
            "select year, count(distinct unit_id) from intermediate.int_reporting_obligations_expanded "
            "where plan_id = ? and sector = ? and year in (2024, 2025) group by year",
            [PLAN, SECTOR],
        ).fetchall()
    )
    assert units == {2024: 19, 2025: 6}  # old Tân Yên's 19 communes, then the 6 that received them
    names = {
        name
        for (name,) in warehouse_con.execute(
            "select l.name_vi from intermediate.int_reporting_obligations_expanded o "
            "join marts.dim_locality l on l.locality_id = o.unit_id "
            "where o.plan_id = ? and o.sector = ? and o.year = 2025",
            [PLAN, SECTOR],
        ).fetchall()
    }
    assert names == TAN_YEN_2025


def test_landed_units_are_valid_on_the_reporting_date(warehouse_con):
    """One date rule: a year's units (and its expected agency) are those valid on 15/11 of the year."""
    from ingest.workbook.context import reporting_date

    dates = warehouse_con.execute(
        "select distinct year, valid_on from raw.reporting_units where plan_id = ? order by year", [PLAN]
    ).fetchall()
    assert dates and all(valid_on == reporting_date(year) for year, valid_on in dates)
    stale = warehouse_con.execute(
        "select count(*) from raw.reporting_units u join marts.dim_locality l on l.locality_id = u.unit_id "
        "where not (l.valid_from <= u.valid_on and (l.valid_to is null or l.valid_to >= u.valid_on))"
    ).fetchone()[0]
    assert stale == 0
