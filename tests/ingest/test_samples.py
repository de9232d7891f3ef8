"""The sample inbox is deterministic, clean where it should be, and every seeded defect is caught."""

from __future__ import annotations

import duckdb
import pytest

from ingest.samples import SEEDED_DEFECTS, generate_samples
from ingest.workbook import ingest_paths


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    root = tmp_path_factory.mktemp("samples")
    files = generate_samples(root / "inbox")
    defects = list(SEEDED_DEFECTS)
    summary = ingest_paths([root / "inbox"], root / "t.duckdb")
    con = duckdb.connect(str(root / "t.duckdb"), read_only=True)
    yield files, summary, con, defects
    con.close()


def _sub(con, file_name):
    return con.execute(
        "select submission_id, status from audit.submissions where file_name = ?", [file_name]
    ).fetchone()


def test_deterministic(tmp_path):
    """Same seed, same bytes: a regenerated inbox is all duplicates on re-ingest."""
    first = generate_samples(tmp_path / "a", plans=("tan-yen-2021",), years=(2022, 2023, 2025))
    again = generate_samples(tmp_path / "b", plans=("tan-yen-2021",), years=(2022, 2023, 2025))
    assert [f.name for f in first] == [f.name for f in again]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, again, strict=True))


def test_every_seeded_defect_is_caught(landed):
    files, summary, con, defects = landed
    assert {d.defect_id for d in defects} >= {
        "text_decimal_comma", "percent_sign", "renamed_sheet", "rows_above_header",
        "locality_without_diacritics", "unknown_locality", "numerator_exceeds_denominator",
        "percent_above_100", "duplicate_file",
        "corrected_resubmission", "corrupt_file", "outlier_value",
    }  # fmt: skip
    by_name = {r.path.name: r for r in summary.results}
    for d in defects:
        result = by_name[d.file_name]
        if d.expect == "duplicate":
            assert result.status == "duplicate", d
        elif d.expect == "superseded":
            assert result.status == "loaded" and _sub(con, d.extra["original"])[1] == "superseded", d
        elif d.expect == "corrupt":
            assert result.status == "rejected" and result.reason_code == "corrupt", d
        elif d.caught_by == "ingest" and d.expect != "loaded":
            sid, _ = _sub(con, d.file_name)
            codes = con.execute(
                "select reason_code from audit.quarantine where submission_id = ? and cell = ?", [sid, d.cell]
            ).fetchall()
            assert codes == [(d.expect,)], d
        else:  # loaded as a value; dq defects must reach raw so the dq suite can flag them
            sid, status = _sub(con, d.file_name)
            assert status == "loaded", d
            assert result.cells_quarantined == 0, d
            if d.extra.get("value") is not None:
                got = con.execute(
                    "select value, locality_id from raw.indicator_values "
                    "where submission_id = ? and cell = ?",
                    [sid, d.cell],
                ).fetchone()
                assert got == (d.extra["value"], d.locality_id), d
            if d.defect_id == "renamed_sheet":
                sheets = con.execute(
                    "select distinct sheet from raw.indicator_values where submission_id = ?", [sid]
                ).fetchall()
                assert sheets == [("Bieu so lieu",)]
            if d.defect_id in ("locality_without_diacritics", "outlier_value"):
                n = con.execute(
                    "select count(*) from raw.indicator_values where submission_id = ? and locality_id = ?",
                    [sid, d.locality_id],
                ).fetchone()[0]
                assert n > 0, d


def test_clean_files_have_no_quarantine(landed):
    _, summary, con, defects = landed
    defect_files = {d.file_name for d in defects}
    noisy = [r.path.name for r in summary.results if r.cells_quarantined and r.path.name not in defect_files]
    assert noisy == []
    assert summary.rejected == 1 and summary.duplicates == 1 and summary.superseded == 1
    assert (
        summary.cells_read
        == summary.total("cells_label") + summary.total("cells_loaded") + summary.quarantined
    )


def test_2025_files_name_new_units(landed):
    _, _, con, _ = landed
    schemes = con.execute(
        "select distinct v.year, split_part(v.locality_id, ':', 1) from raw.indicator_values v "
        "where not v.is_total_row order by 1"
    ).fetchall()
    assert all((scheme == "vn2025") == (year >= 2025) for year, scheme in schemes)
