"""The hostile corpus (tests/ingest/corpus.py) through the real ingest, in one batch: every cell accounted
for, every loaded value exactly what the officer meant, nothing loaded that the officer did not mean."""

from __future__ import annotations

import duckdb
import openpyxl
import pytest

from ingest.workbook import ingest_paths
from ingest.workbook.identity import IDENTITY_SHEET, fold
from ingest.workbook.layout import INSTRUCTIONS_SHEET
from tests.ingest.corpus import BOOK_KINDS, generate_corpus


@pytest.fixture(scope="module")
def landed(tmp_path_factory, reference):
    root = tmp_path_factory.mktemp("corpus")
    cases = generate_corpus(root / "inbox", reference)
    summary = ingest_paths([root / "inbox"], root / "wh" / "t.duckdb", reference=reference, workers=0)
    con = duckdb.connect(str(root / "wh" / "t.duckdb"), read_only=True)
    yield cases, summary, con
    con.close()


def _non_empty_cells(path, first_data_row: int) -> int:
    """Cells a person typed, counted independently of the reader: every non-empty cell below the header of
    a sheet in the template's layout and every number above its header, every non-empty cell of any other
    sheet, the instructions included; the hidden identity sheet is the template's."""
    wb = openpyxl.load_workbook(path)
    count = 0
    for ws in wb.worksheets:
        if ws.title == IDENTITY_SHEET:
            continue
        if fold(ws.title) == fold(INSTRUCTIONS_SHEET):  # counted too: text and factors as labels
            count += sum(1 for row in ws.iter_rows() for c in row if str(c.value or "").strip())
            continue
        header = [fold(c.value) for c in ws[first_data_row - 1] if isinstance(c.value, str)]
        text_until = first_data_row if "tu so" in header else 1  # title and header rows: template text
        for row in ws.iter_rows():
            for c in row:
                if c.value is None or str(c.value).strip() == "":
                    continue
                is_text = isinstance(c.value, str) and not c.value.startswith("=")
                count += c.row >= text_until or not is_text
    return count


def _same(got: tuple, meant: tuple) -> bool:
    """Equal field by field; numbers to 1e-9 relative (a rate is stored rounded to 6 decimals)."""
    return all(
        g == m if g is None or m is None or isinstance(m, str) else g == pytest.approx(m, rel=1e-9)
        for g, m in zip(got, meant, strict=True)
    )


def test_corpus_has_enough_kinds(landed):
    cases, _, _ = landed
    assert len(cases) >= 30 and len(BOOK_KINDS) >= 30
    assert len({c.kind for c, _ in cases}) == len(cases)


def test_every_cell_accounted_and_every_value_as_meant(landed, reference):
    from ingest.workbook.template import build_template

    cases, summary, con = landed
    first_data_row = min(build_template("tan-yen-2021", "health", 2023, reference)[1].rows.values())
    results = {r.path.name: r for r in summary.results}
    problems: list[str] = []
    for case, path in cases:
        r = results[case.file_name]
        got_status = (r.status, r.reason_code if r.status == "rejected" else None)
        if got_status != (case.status, case.reason_code):
            problems.append(f"{case.kind}: {got_status} != {(case.status, case.reason_code)}")
            continue
        if case.status == "duplicate":
            assert r.duplicate_of == case.duplicate_of, case.kind
            continue
        sid = r.submission_id
        rows = con.execute(
            "select indicator_code, locality_id, value, numerator, denominator, value_qualifier, sheet "
            "from raw.indicator_values where submission_id = ?",
            [sid],
        ).fetchall()
        got_values = {(a, b): (v, n, d, q) for a, b, v, n, d, q, _ in rows}
        if got_values.keys() != case.values.keys():
            problems.append(f"{case.kind}: values {sorted(got_values)} != {sorted(case.values)}")
        for key, meant in case.values.items():
            if key in got_values and not _same(got_values[key], meant):
                problems.append(f"{case.kind}: {key} = {got_values[key]}, meant {meant}")
        if rows and {s for *_, s in rows} != {case.value_sheet}:
            problems.append(f"{case.kind}: values from {sorted({s for *_, s in rows})}")
        quarantined = dict(
            ((s, c), code)
            for s, c, code in con.execute(
                "select sheet, cell, reason_code from audit.quarantine where submission_id = ?", [sid]
            ).fetchall()
        )
        if quarantined != case.quarantine:
            problems.append(f"{case.kind}: quarantine {quarantined} != {case.quarantine}")
        if r.cells_not_reported != case.not_reported:
            problems.append(f"{case.kind}: {r.cells_not_reported} not reported != {case.not_reported}")
        if case.status == "loaded" or case.reason_code == "no_values":
            typed = _non_empty_cells(path, first_data_row)
            if r.cells_read != typed:
                problems.append(f"{case.kind}: {r.cells_read} cells read, {typed} typed")
        if case.vanished is not None and sorted(r.vanished) != case.vanished:
            problems.append(f"{case.kind}: vanished {r.vanished} != {case.vanished}")
    assert not problems, "\n".join(problems)


def test_corpus_audit_trail(landed):
    """One audit row per file; rejections carry their code as data; the empty file superseded nothing."""
    cases, summary, con = landed
    rows = dict(con.execute("select file_name, status from audit.submissions").fetchall())
    assert len(rows) == len(cases)
    codes = dict(
        con.execute(
            "select file_name, reason_code from audit.submissions where status = 'rejected'"
        ).fetchall()
    )
    assert codes == {c.file_name: c.reason_code for c, _ in cases if c.status == "rejected"}
    assert rows["sua-lan-2.xlsx"] == "loaded"  # the blank file sent after it did not supersede it
    assert next(r for r in summary.results if r.path.name == "trong.xlsx").superseded == []
    message = con.execute(
        "select message from audit.submissions where file_name = 'sua-lan-2.xlsx'"
    ).fetchone()[0]
    assert "không còn" in message and "INFANT_MORTALITY" in message


def test_outcome_per_kind(landed, capsys):
    """The table of kinds and outcomes (run with -s to read it)."""
    cases, _, _ = landed
    with capsys.disabled():
        print()
        for case, _ in cases:
            print(f"  {case.kind:<36} {case.outcome():<60} {case.meant}")


def test_read_ahead_workers_give_the_same_outcome(landed, tmp_path, reference):
    """The same corpus through forked read-ahead workers: same statuses, reasons, values and quarantine."""
    cases, serial, con = landed
    inbox = cases[0][1].parent
    pooled = ingest_paths([inbox], tmp_path / "t.duckdb", reference=reference, workers=2)

    def outcome(summary):
        return [
            (r.path.name, r.status, r.reason_code, r.values_loaded, r.cells_read) for r in summary.results
        ]

    assert outcome(pooled) == outcome(serial)
    # the feedback workbooks of the refused files (a loaded file's comes after validation) are the same
    serial_dir = serial.results[0].path.parent.parent / "wh" / "feedback"

    def feedback(folder):
        return {
            p.name: [row for row in openpyxl.load_workbook(p).active.iter_rows(min_row=4, values_only=True)]
            for p in sorted(folder.glob("*.xlsx"))
        }

    expected = feedback(serial_dir)
    assert expected and feedback(tmp_path / "feedback") == expected
    assert {r.feedback_path.name for r in pooled.results if r.feedback_path} == set(expected)
