"""The national synthetic inbox: deterministic, in the template's layout, defects caught where promised."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from ingest.synth import SynthManifest, generate_national


@pytest.fixture(scope="module")
def tiny_inbox(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    manifest = generate_national(
        out, years=[2024, 2025], provinces=["11", "12"], sectors=["health"], workers=2
    )
    return manifest


def _digest(paths):
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def test_one_workbook_per_province_sector_year_in_both_schemes(tiny_inbox):
    files = {(f.province_id, f.sector, f.year) for f in tiny_inbox.files}
    assert files == {
        ("vn2008:11", "health", 2024),
        ("vn2008:12", "health", 2024),
        ("vn2025:11", "health", 2025),
        ("vn2025:12", "health", 2025),
    }
    # vn2008 rows are the province's communes (Điện Biên had ~130), vn2025 its 45 new communes
    rows = {(f.province_id): f.rows for f in tiny_inbox.files}
    assert rows["vn2025:11"] == 45 and rows["vn2008:11"] > 100
    assert SynthManifest.read(tiny_inbox.out_dir + "/manifest.json").summary() == tiny_inbox.summary()


def test_deterministic_whatever_the_workers(tiny_inbox, tmp_path):
    again = generate_national(tmp_path, years=[2024], provinces=["11"], sectors=["health"], workers=1)
    first = [p for p in tiny_inbox.paths(2024) if p.name == again.paths()[0].name]
    assert _digest(first) == _digest(again.paths())


def test_ingest_catches_every_recorded_defect(tiny_inbox, tmp_path):
    from ingest.workbook import ingest_paths

    assert tiny_inbox.defects, "the tiny inbox should carry some defects"
    warehouse = tmp_path / "w.duckdb"
    summary = ingest_paths(tiny_inbox.paths(), warehouse_path=warehouse)
    assert not [r for r in summary.results if r.status != "loaded"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        quarantined = {
            (file, cell): reason
            for file, cell, reason in con.execute(
                "select s.file_name, q.cell, q.reason_code from audit.quarantine q "
                "join audit.submissions s using (submission_id)"
            ).fetchall()
        }
        statuses = dict(con.execute("select file_name, status from audit.submissions").fetchall())
        loaded = set(
            con.execute(
                "select s.file_name, v.locality_id, v.indicator_code from raw.indicator_values v "
                "join audit.submissions s using (submission_id)"
            ).fetchall()
        )
    # Two provinces reporting the same national plan, sector and year: neither supersedes the other.
    assert statuses == {p.name: "loaded" for p in tiny_inbox.paths()}
    for d in tiny_inbox.defects:
        if d.expect == "loaded":
            assert (d.file, d.locality_id, d.indicator_code) in loaded, d
        else:
            assert quarantined.get((d.file, d.cell)) == d.expect, d


def test_parallel_read_ahead_loads_exactly_what_serial_ingest_loads(tiny_inbox, tmp_path):
    """Workers parse ahead while one process writes: same statuses, values and quarantine, same order."""
    import shutil

    from ingest.workbook import ingest_paths

    corrupt = tmp_path / "hong.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 not really a workbook")
    copy = tmp_path / "gui-lai.xlsx"
    shutil.copy(tiny_inbox.paths()[0], copy)
    files = [*tiny_inbox.paths(), corrupt, copy]

    def ingest(workers: int, name: str):
        warehouse = tmp_path / name / "w.duckdb"
        summary = ingest_paths(files, warehouse_path=warehouse, workers=workers)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            values = con.execute(
                "select s.file_name, v.sheet, v.cell, v.indicator_code, v.locality_id, v.value "
                "from raw.indicator_values v join audit.submissions s using (submission_id) order by all"
            ).fetchall()
            quarantine = con.execute(
                "select s.file_name, q.cell, q.reason_code from audit.quarantine q "
                "join audit.submissions s using (submission_id) order by all"
            ).fetchall()
        statuses = [(r.path.name, r.status, r.reason_code, r.values_loaded) for r in summary.results]
        return statuses, values, quarantine

    serial, parallel = ingest(0, "serial"), ingest(2, "parallel")
    assert parallel == serial
    statuses = serial[0]
    assert [s[1] for s in statuses] == ["loaded"] * 4 + ["rejected", "duplicate"]
    assert statuses[4][2] == "corrupt"
