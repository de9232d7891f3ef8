"""Completeness expects exactly the units the agencies' workbooks list.

Which units report for a plan in a year is decided once, by `Reference.reporting_units`
(ingest/workbook/context.py): the template writer uses it, and the reference landing writes its answer as
`raw.reporting_units`, which `int_reporting_obligations_expanded` reads. These tests check what a programme
officer relies on: the rows of Tân Yên's health template are the units the completeness mart counts, on both
sides of the 1/7/2025 reorganisation, and after it they are the six new communes that took over old Tân Yên.

Who reports is decided once too, by `Reference.agency_id` (the transfer rule of ingest/reference/agencies.py,
landed as `raw.expected_agencies`): completeness waits for the agency the template names, also when a sector
was dissolved (social affairs, whose duties passed to health) or a territory replaced (1/7/2025).
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


def test_completeness_waits_for_the_agency_the_template_names(warehouse_con):
    """One answer to "who reports": every completeness row's agency is `Reference.agency_id`'s, the agency
    the template names and the loader stamps on the sector's submissions."""
    from ingest.workbook.context import load_reference

    reference = load_reference()
    rows = warehouse_con.execute(
        "select plan_id, sector, year, agency_id from marts.mart_reporting_completeness"
    ).fetchall()
    assert len(rows) > 50
    drift = [row for row in rows if row[3] != reference.agency_id(*row[:3])]
    assert not drift, drift[:5]


def test_social_affairs_duties_pass_to_the_health_agency_that_took_over(warehouse_con):
    """Tân Yên's social affairs office was dissolved on 1/3/2025: its 2025 report is expected from, named
    on the template as, and loaded for Sở Y tế of the new Bắc Ninh (health@vn2025:24)."""
    from ingest.workbook.context import load_reference
    from ingest.workbook.template import reporting_agency_name

    expected = dict(
        warehouse_con.execute(
            "select year, agency_id from marts.mart_reporting_completeness "
            "where plan_id = ? and sector = 'social_affairs' and year in (2024, 2025)",
            [PLAN],
        ).fetchall()
    )
    assert expected == {2024: "social_affairs@vn2008:216", 2025: "health@vn2025:24"}
    reference = load_reference()
    assert reporting_agency_name(reference, PLAN, "social_affairs", 2025, reference.territory(PLAN)) == (
        reference.agency_name("health@vn2025:24")
    )
    loaded, first_received = warehouse_con.execute(
        "select (select list(distinct agency_id) from audit.submissions "
        "        where plan_id = ? and sector = 'social_affairs' and year = 2025 and status = 'loaded'), "
        "       (select first_received_at from marts.mart_reporting_completeness "
        "        where plan_id = ? and sector = 'social_affairs' and year = 2025)",
        [PLAN, PLAN],
    ).fetchone()
    assert loaded == ["health@vn2025:24"]
    assert first_received is not None  # the health agency's file counts as the social affairs report


def test_province_plan_agency_changes_with_the_reorganisation(warehouse_con):
    """Điện Biên (not merged) gets a new territory on 1/7/2025, and so a new health department id."""
    rows = warehouse_con.execute(
        "select year, valid_on, expected_agency_id from raw.expected_agencies "
        "where plan_id = 'dien-bien-2021' and sector = 'health' and year in (2024, 2025, 2030) order by year"
    ).fetchall()
    assert [(year, agency) for year, _, agency in rows] == [
        (2024, "health@vn2008:11"),
        (2025, "health@vn2025:11"),
        (2030, "health@vn2025:11"),
    ]
    marts = dict(
        warehouse_con.execute(
            "select year, agency_id from marts.mart_reporting_completeness "
            "where plan_id = 'dien-bien-2021' and sector = 'health' and year in (2024, 2025)"
        ).fetchall()
    )
    assert marts == {2024: "health@vn2008:11", 2025: "health@vn2025:11"}
