"""The units a template lists are the units the warehouse expects to report, plan by plan and year by year.

Two places answer "which units report for this plan in year Y": `Reference.reporting_units`
(ingest/workbook/context.py) writes the rows of the workbook an agency fills, and
`int_reporting_obligations_expanded` decides what completeness expects. The template must be answerable
before any dbt build (a new warehouse with only reference data), so the rule is not read from the warehouse
there; this test keeps the two from drifting apart on every plan, year and territory the warehouse expects.
"""

from __future__ import annotations


def test_template_rows_are_the_expected_reporting_units(warehouse_con):
    from ingest.workbook.context import load_reference

    rows = warehouse_con.execute(
        "select distinct plan_id, year, territory_id, unit_id "
        "from intermediate.int_reporting_obligations_expanded"
    ).fetchall()
    expected: dict[tuple, set[str]] = {}
    for plan_id, year, territory, unit in rows:
        expected.setdefault((plan_id, year, territory), set()).add(unit)
    assert len({plan for plan, _, _ in expected}) >= 3
    assert {year for _, year, _ in expected} >= {2020, 2024, 2025}  # both sides of the reorganisation

    reference = load_reference()
    drift = []
    for (plan_id, year, territory), units in sorted(expected.items()):
        listed = set(reference.reporting_units(plan_id, year, territory)["locality_id"])
        if listed != units:
            drift.append(
                f"{plan_id} {year} {territory}: template only {sorted(listed - units)[:3]}, "
                f"expected only {sorted(units - listed)[:3]}"
            )
    assert not drift, "\n".join(drift)
