"""The pipeline's feedback folder after the demo build: one workbook per submission with something to say,
data-quality findings included, named so that nothing collides, no internal ids."""

from __future__ import annotations

import re

import openpyxl

from ingest.workbook.feedback import HEADER_ROW, feedback_path

INTERNAL_ID = re.compile(r"\b(?:vn2008|vn2025|vn):[0-9A-Za-z]+")

WITH_PROBLEMS = """
select s.submission_id, s.file_name, s.sha256, s.status,
       exists (select 1 from dq.flagged_values f where f.submission_id = s.submission_id) as flagged,
       exists (select 1 from audit.quarantine q where q.submission_id = s.submission_id) as quarantined
from audit.submissions s
where s.status = 'rejected'
   or exists (select 1 from audit.quarantine q where q.submission_id = s.submission_id)
   or (s.status = 'loaded' and (
        exists (select 1 from dq.flagged_values f where f.submission_id = s.submission_id)
        or exists (select 1 from dq.check_results c
                   where c.submission_id = s.submission_id and not c.success)))
"""


def test_every_submission_with_problems_has_its_feedback(built_warehouse, warehouse_con):
    folder = built_warehouse.parent / "feedback"
    rows = warehouse_con.execute(WITH_PROBLEMS).fetchall()
    expected = {feedback_path(folder, name, sha).name for _, name, sha, *_ in rows}
    present = {p.name for p in folder.glob("*.xlsx")}
    assert expected and expected <= present
    known = {
        feedback_path(folder, name, sha).name
        for name, sha in warehouse_con.execute("select file_name, sha256 from audit.submissions").fetchall()
    }
    assert present <= known  # nothing in the folder that is not a submission's latest feedback

    # a loaded file whose only findings are data-quality ones (nothing quarantined) gets feedback too
    dq_only = [r for r in rows if r[3] == "loaded" and r[4] and not r[5]]
    assert dq_only
    ws = openpyxl.load_workbook(feedback_path(folder, dq_only[0][1], dq_only[0][2])).active
    kinds = {row[0] for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if row[0]}
    assert kinds and kinds <= {"Lỗi", "Cảnh báo"}


def test_pipeline_feedback_has_no_internal_ids_and_no_formulas(built_warehouse):
    for path in sorted((built_warehouse.parent / "feedback").glob("*.xlsx")):
        ws = openpyxl.load_workbook(path).active
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, cell.coordinate)
                assert not (isinstance(cell.value, str) and INTERNAL_ID.search(cell.value)), (
                    path.name,
                    cell.value,
                )


def test_check_takes_its_reference_from_the_readers_copy(built_warehouse, tmp_path):
    """`treem check` copies the reference tables the warehouse judges with, and writes nothing there."""
    import duckdb

    from ingest.snapshot import read_copy_path
    from ingest.workbook.check import REFERENCE_TABLES, build_reference_db

    source = read_copy_path(built_warehouse)
    before = source.stat().st_mtime
    assert build_reference_db(tmp_path / "ref.duckdb", source) == str(source)
    counts = []
    for path in (source, tmp_path / "ref.duckdb"):
        con = duckdb.connect(str(path), read_only=True)
        counts.append([con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in REFERENCE_TABLES])
        con.close()
    assert counts[0] == counts[1] and all(counts[0][:2])
    assert source.stat().st_mtime == before


def test_unchanged_feedback_is_not_written_again(built_warehouse, warehouse_con, tmp_path):
    """Data quality re-judges conflicts for every loaded file on each run: feedback whose content did not
    change keeps its file untouched; a changed finding rewrites it."""
    from ingest.workbook.context import load_reference
    from ingest.workbook.feedback import Finding, collect_many, regenerate, save, written_fingerprint

    ids = [sid for (sid,) in warehouse_con.execute("select submission_id from audit.submissions").fetchall()]
    ref = load_reference()
    first = {sid: path for sid, path in regenerate(warehouse_con, tmp_path, ref, ids).items() if path}
    assert first
    stamps = {path: path.stat().st_mtime_ns for path in first.values()}
    again = regenerate(warehouse_con, tmp_path, ref, ids)
    assert {sid: path for sid, path in again.items() if path} == first
    assert {path: path.stat().st_mtime_ns for path in first.values()} == stamps

    sid, path = next(iter(first.items()))
    feedback = collect_many(warehouse_con, [sid], ref, {})[sid]
    before = written_fingerprint(path)
    assert save(feedback, tmp_path) == path and path.stat().st_mtime_ns == stamps[path]
    feedback.findings.append(Finding(kind="warning", problem="Một cảnh báo mới"))
    save(feedback, tmp_path)
    assert written_fingerprint(path) != before
    rows = [r[6] for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    assert "Một cảnh báo mới" in rows


def test_a_correction_lacking_values_says_which_in_its_feedback(built_warehouse, warehouse_con):
    """The sample correction (dien-bien_culture_2021_sua-doi) lacks one value of the file it replaces: its
    feedback, written after validation, has a "Lưu ý" line naming the indicator and the place in words."""
    from ingest.workbook.context import load_reference

    name, sha, message = warehouse_con.execute(
        "select file_name, sha256, message from audit.submissions "
        "where file_name = 'dien-bien_culture_2021_sua-doi.xlsx'"
    ).fetchone()
    assert "CHILD_MARRIAGE @ Thành phố Điện Biên Phủ" in message  # the message keeps the code for engineers
    ws = openpyxl.load_workbook(feedback_path(built_warehouse.parent / "feedback", name, sha)).active
    notes = [r for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if r[0] == "Lưu ý"]
    child_marriage = load_reference().indicators.at["CHILD_MARRIAGE", "name_vi"]
    assert [r[5] for r in notes] == [f"{child_marriage} — Thành phố Điện Biên Phủ"]
