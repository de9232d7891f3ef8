"""A reviewed figure chosen between files that disagree says so, with the rule, in the review report.

The bundled samples carry such disagreements: Điện Biên's police and social-affairs workbooks both report
child-abuse cases handled (CHILD_ABUSE_HANDLED) for the same districts and years with different figures,
each flagged `conflicting_submissions`. The review uses one of them by the rule of
`int_indicator_values_flagged.is_preferred`; the mart counts such values (`conflicting_value_count`, through
the roll-up to the province) and the report states the rule (`labels.CONFLICT_RULE_VI`) on those rows and
once in its general notes.
"""

from __future__ import annotations

import openpyxl
import pytest

from ingest.reference.labels import CONFLICT_RULE_VI

PLAN, REVIEW = "dien-bien-2021", "so-ket-2025"


@pytest.fixture(scope="module")
def report(built_warehouse, tmp_path_factory):
    import duckdb

    from reports import build_review_report

    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        counts = dict(
            con.execute(
                "select locality_id || ' ' || indicator_code, conflicting_value_count "
                "from marts.mart_so_ket_2025 where plan_id = ?",
                [PLAN],
            ).fetchall()
        )
        xlsx, html = build_review_report(con, REVIEW, PLAN, tmp_path_factory.mktemp("conflict-report"))[:2]
    finally:
        con.close()
    return counts, xlsx, html.read_text(encoding="utf-8")


def test_the_mart_counts_values_chosen_between_conflicting_files(report, warehouse_con):
    counts, _, _ = report
    flagged = warehouse_con.execute(
        "select count(*) from dq.flagged_values f join audit.submissions s using (submission_id) "
        "where f.check_name = 'conflicting_submissions' and s.plan_id = ? "
        "and f.indicator_code = 'CHILD_ABUSE_HANDLED'",
        [PLAN],
    ).fetchone()[0]
    assert flagged > 0  # the samples' disagreement is still there
    assert counts["vn2008:11 CHILD_ABUSE_HANDLED"] > 0  # the province's roll-up stands on such values
    assert counts["vn2008:11 INFANT_MORTALITY"] == 0  # a figure no two files disagree on


def test_the_report_states_the_rule_on_those_rows_and_once_in_its_notes(report):
    counts, xlsx, html = report
    wb = openpyxl.load_workbook(xlsx)
    ws = wb.worksheets[0]
    header = next(r for r in ws.iter_rows(values_only=True) if "Ghi chú" in r)
    note_col, label_col = header.index("Ghi chú"), header.index("Chỉ tiêu")
    notes = {
        str(row[label_col]): row[note_col] or ""
        for row in ws.iter_rows(values_only=True)
        if row[label_col] and row[note_col] is not None and row is not header
    }
    with_rule = [label for label, note in notes.items() if CONFLICT_RULE_VI in note]
    assert any("xâm hại" in label for label in with_rule), notes  # CHILD_ABUSE_HANDLED
    assert len(with_rule) == sum(
        1 for key, n in counts.items() if key.startswith("vn2008:11 ") and n
    )  # the plan territory's rows: exactly those whose figures the rule chose
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    legend = [c for c in cells if c.startswith("- ")]
    assert sum(CONFLICT_RULE_VI in line for line in legend) == 1
    assert html.count(CONFLICT_RULE_VI) >= 2  # the general notes and the territory's row
