"""One test per rule family: cells typed into real templates, through the real ingest, DQ and dbt marts.

Two workbooks of Điện Biên's health sector for 2023 are written from the templates the agencies receive:
its own plan's file (districts, a total row) and, received later, the file it sends the ministry under the
national plan (communes, a total row). Each defect sits in its own district row, so each family's test reads
exactly one cell: what the ingest did with it, the verdict in dq.flagged_values, and what the marts show.

The ingest reads and the warehouse judges: a readable value that breaks a rule (numerator > denominator,
zero denominator, value vs ratio, percent over 100, negatives) must reach raw, never audit.quarantine
(`_loaded_by_the_door`), and its verdict is data quality's.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pytest

from ingest import warehouse
from ingest.workbook import ingest_paths
from tests.reference_warehouse import dbt_run, land_reference

YEAR = 2023
OWN, NATIONAL = "dien-bien-2021", "national-2021"
# Data rows of the Điện Biên template (districts, vn2008) and the columns Tử số / Mẫu số / Giá trị.
FIRST_ROW, TOTAL_ROW = 8, 18
COLUMNS = {
    "NEONATAL_MORTALITY": ("D", "E", "F"),
    "INFANT_MORTALITY": ("G", "H", "I"),
    "U5_MORTALITY": ("J", "K", "L"),
    "U5_UNDERWEIGHT": ("M", "N", "O"),
    "IMMUNIZATION_U1": ("Y", "Z", "AA"),
}
# district row -> the defect it carries
RANGE, ORDERING, RATIO, NUM_GT_DEN, ZERO_DEN, PERCENT_OVER, NEGATIVE, OUTLIER = range(8)


def _own_plan_file(template: Path, dest: Path) -> Path:
    """Clean rates for ten districts, one defect per district row, and a total row."""
    wb = openpyxl.load_workbook(template)
    ws = wb["Số liệu"]
    sums = {code: [0, 0] for code in COLUMNS}
    for i in range(10):
        row = FIRST_ROW + i
        births = 1000 + 100 * i
        clean = {
            "NEONATAL_MORTALITY": (8 + i % 3, births),
            "INFANT_MORTALITY": (14 + i % 3, births),
            "U5_MORTALITY": (20 + i % 3, births),
            "IMMUNIZATION_U1": (900 + i, 1000),
        }
        for code, (num, den) in clean.items():
            n, d, _ = COLUMNS[code]
            ws[f"{n}{row}"], ws[f"{d}{row}"] = num, den
            sums[code][0] += num
            sums[code][1] += den
        ws[f"O{row}"] = round(15 + 0.3 * i, 1)  # underweight %, typed without numerator / denominator
    # the defects (each replaces a clean entry of its row)
    ws[f"J{FIRST_ROW + RANGE}"] = ws[f"K{FIRST_ROW + RANGE}"] = None
    ws[f"L{FIRST_ROW + RANGE}"] = 900  # under-5 mortality 900 ‰: beyond the catalog's plausible 200
    ws[f"D{FIRST_ROW + ORDERING}"] = ws[f"E{FIRST_ROW + ORDERING}"] = None
    ws[f"F{FIRST_ROW + ORDERING}"] = 40  # neonatal 40 ‰ above infant ~13 ‰
    ws[f"D{FIRST_ROW + RATIO}"], ws[f"E{FIRST_ROW + RATIO}"], ws[f"F{FIRST_ROW + RATIO}"] = 2, 209, 9.5
    ws[f"Y{FIRST_ROW + NUM_GT_DEN}"] = 1200  # immunised 1,200 of 1,000 children
    ws[f"H{FIRST_ROW + ZERO_DEN}"] = 0  # infant deaths over 0 live births
    ws[f"Y{FIRST_ROW + PERCENT_OVER}"] = ws[f"Z{FIRST_ROW + PERCENT_OVER}"] = None
    ws[f"AA{FIRST_ROW + PERCENT_OVER}"] = 105  # 105 % immunised
    # a negative percentage (typed without numerator / denominator, as the underweight column always is, so
    # the infant-mortality total below keeps a roll-up of numerators and denominators to be checked against)
    ws[f"O{FIRST_ROW + NEGATIVE}"] = -3
    ws[f"O{FIRST_ROW + OUTLIER}"] = 80  # underweight 80 % among districts at 15-18 %
    # total row: neonatal as the province states it (8,75), infant far from its districts' roll-up
    ws[f"F{TOTAL_ROW}"] = 8.75
    ws[f"I{TOTAL_ROW}"] = 25
    wb.save(dest)
    return dest


def _national_plan_file(template: Path, dest: Path) -> Path:
    """The ministry's workbook for the same province: a few communes and a different neonatal total."""
    wb = openpyxl.load_workbook(template)
    ws = wb["Số liệu"]
    total = next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, 3).value == "Tổng cộng")
    for row in range(FIRST_ROW, FIRST_ROW + 5):
        ws[f"F{row}"] = 11.0
    ws[f"F{total}"] = 11.2
    wb.save(dest)
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from expectations.runner import validate_warehouse
    from ingest.workbook.context import load_reference
    from ingest.workbook.template import write_template

    work = tmp_path_factory.mktemp("rules")
    path = work / "treem.duckdb"
    land_reference(path)
    reference = load_reference()
    own = write_template(OWN, "health", YEAR, work / "own_template.xlsx", reference)
    national = write_template(NATIONAL, "health", YEAR, work / "nat_template.xlsx", reference, "vn2008:11")
    files = [
        _own_plan_file(own, work / "dien-bien_health_2023.xlsx"),
        _national_plan_file(national, work / "national_health_2023_11.xlsx"),
    ]
    for file in files:  # one after the other: the national-plan file is received last
        ingest_paths([file], path, work / "archive", lambda line: None, reference=reference)
    with warehouse.connect(path) as con:
        validate_warehouse(con, only_new=True)
    result = dbt_run(path, work, "+fct_indicator_value", "+fct_reported_total")
    assert result.returncode == 0, result.stdout[-3000:]
    return path


def _query(path: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _verdict(path: Path, code: str, row: int, column: str) -> tuple[set[tuple], str | None]:
    """({(check family, severity, detail)}, fct_indicator_value.quality_status) of one cell."""
    flags = _query(
        path,
        """
        select split_part(f.check_name, ':', 1), f.severity, f.detail
        from dq.flagged_values f
        join raw.indicator_values v on v.submission_id = f.submission_id
         and v.indicator_code = f.indicator_code and v.locality_id = f.locality_id and v.year = f.year
        where v.indicator_code = ? and v.cell = ? and v.sheet = 'Số liệu'
          and v.submission_id in (select submission_id from audit.submissions where plan_id = ?)
        """,
        [code, f"{column}{row}", OWN],
    )
    status = _query(
        path,
        """
        select quality_status from marts.fct_indicator_value
        where indicator_code = ? and cell = ? and origin = 'reported' and plan_id = ?
        """,
        [code, f"{column}{row}", OWN],
    )
    return set(flags), (status[0][0] if status else None)


def _loaded_by_the_door(path: Path, row: int, columns: tuple[str, ...]) -> None:
    """The cells reached the warehouse: the door does not judge readable values."""
    cells = [f"{c}{row}" for c in columns]
    held = _query(
        path,
        f"select cell, reason_code from audit.quarantine where cell in ({', '.join('?' * len(cells))})",
        cells,
    )
    assert not held, f"the ingest quarantined readable values: {held}"


def test_value_outside_plausible_range_is_an_error(built):
    flags, status = _verdict(built, "U5_MORTALITY", FIRST_ROW + RANGE, "L")
    assert ("value_range", "error") in {f[:2] for f in flags}
    assert status == "error"


def test_mortality_ordering_is_a_warning_on_both_values(built):
    flags, status = _verdict(built, "NEONATAL_MORTALITY", FIRST_ROW + ORDERING, "F")
    assert ("mortality_ordering", "warning") in {f[:2] for f in flags}
    assert status == "warning"
    partner, partner_status = _verdict(built, "INFANT_MORTALITY", FIRST_ROW + ORDERING, "G")
    assert ("mortality_ordering", "warning") in {f[:2] for f in partner} and partner_status == "warning"


def test_value_against_its_ratio_is_an_error_quoting_the_computed_figure(built):
    _loaded_by_the_door(built, FIRST_ROW + RATIO, ("D", "E", "F"))
    flags, status = _verdict(built, "NEONATAL_MORTALITY", FIRST_ROW + RATIO, "F")
    assert ("value_matches_ratio", "error", "Giá trị 9,5 ≠ 2/209 × 1.000 = 9,57") in flags
    assert status == "error"


def test_numerator_above_denominator_is_an_error(built):
    _loaded_by_the_door(built, FIRST_ROW + NUM_GT_DEN, ("Y", "Z"))
    flags, status = _verdict(built, "IMMUNIZATION_U1", FIRST_ROW + NUM_GT_DEN, "Y")
    assert ("numerator_le_denominator", "error") in {f[:2] for f in flags}
    assert status == "error"


def test_zero_denominator_is_an_error(built):
    _loaded_by_the_door(built, FIRST_ROW + ZERO_DEN, ("G", "H"))
    flags, status = _verdict(built, "INFANT_MORTALITY", FIRST_ROW + ZERO_DEN, "G")
    assert ("denominator_positive", "error") in {f[:2] for f in flags}
    assert status == "error"


def test_percent_over_100_is_an_error(built):
    _loaded_by_the_door(built, FIRST_ROW + PERCENT_OVER, ("AA",))
    flags, status = _verdict(built, "IMMUNIZATION_U1", FIRST_ROW + PERCENT_OVER, "AA")
    assert ("value_range", "error") in {f[:2] for f in flags}
    assert status == "error"


def test_negative_value_is_an_error(built):
    _loaded_by_the_door(built, FIRST_ROW + NEGATIVE, ("O",))
    flags, status = _verdict(built, "U5_UNDERWEIGHT", FIRST_ROW + NEGATIVE, "O")
    assert ("value_range", "error") in {f[:2] for f in flags}
    assert status == "error"


def test_outlier_among_districts_is_a_warning(built):
    flags, status = _verdict(built, "U5_UNDERWEIGHT", FIRST_ROW + OUTLIER, "O")
    assert ("outlier_cross_locality", "warning") in {f[:2] for f in flags}
    assert status == "warning"


def test_total_row_against_rollup_has_one_verdict(built):
    flags = _query(
        built,
        "select severity, detail from dq.flagged_values where check_name = 'total_vs_rollup' "
        "and indicator_code = 'INFANT_MORTALITY' and locality_id = 'vn2008:11'",
    )
    assert len(flags) == 1 and flags[0][0] == "warning" and flags[0][1].startswith("Dòng tổng 25 khác")
    # the mart shows DQ's verdict, not a second computation with another tolerance
    shown = _query(
        built,
        "select agrees_with_rollup from marts.fct_reported_total "
        "where indicator_code = 'INFANT_MORTALITY' and locality_id = 'vn2008:11' and year = ?",
        [YEAR],
    )
    assert shown == [(False,)]


def test_missing_assigned_indicators_fail_completeness(built):
    rows = _query(
        built,
        "select r.success, r.severity, r.unexpected_count from dq.check_results r "
        "join audit.submissions s using (submission_id) "
        "where s.plan_id = ? and r.check_name = 'completeness'",
        [OWN],
    )
    assert len(rows) == 1 and rows[0][:2] == (False, "error") and rows[0][2] > 0


def test_conflicting_submissions_are_a_finding_and_the_own_plan_file_is_used(built):
    flags = _query(
        built,
        """
        select s.plan_id, f.severity, f.detail from dq.flagged_values f
        join audit.submissions s using (submission_id)
        where f.check_name = 'conflicting_submissions' and f.indicator_code = 'NEONATAL_MORTALITY'
          and f.locality_id = 'vn2008:11'
        """,
    )
    assert {(plan, severity) for plan, severity, _ in flags} == {(OWN, "warning"), (NATIONAL, "warning")}
    own_detail = next(detail for plan, _, detail in flags if plan == OWN)
    assert (
        own_detail.startswith("Giá trị 8,75 khác")
        and "11,2 trong tệp national_health_2023_11.xlsx" in own_detail
    )
    # the national-plan file came last, yet the review uses the province's own plan's figure
    used = _query(
        built,
        "select t.reported_value, s.plan_id from marts.fct_reported_total t join audit.submissions s "
        "using (submission_id) where t.indicator_code = 'NEONATAL_MORTALITY' and t.locality_id = 'vn2008:11'",
    )
    assert used == [(8.75, OWN)]
