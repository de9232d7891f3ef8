"""The inbox after the demo build: every processed original moved to the archive, once per content."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.inbox import archived_originals, file_fingerprint, inbox_folder, list_inbox


def test_inbox_folder_honours_treem_inbox(tmp_path, monkeypatch):
    monkeypatch.setenv("TREEM_INBOX", str(tmp_path / "elsewhere"))
    assert inbox_folder(tmp_path / "wh") == tmp_path / "elsewhere"
    monkeypatch.delenv("TREEM_INBOX")
    assert inbox_folder(tmp_path / "wh") == tmp_path / "wh" / "inbox"


def test_processed_originals_leave_the_inbox_for_the_archive(warehouse_con, built_warehouse):
    assert list_inbox(Path(os.environ["TREEM_INBOX"])) == []
    rows = warehouse_con.execute("select distinct sha256, archived_path from audit.submissions").fetchall()
    archived = archived_originals(built_warehouse.parent / "archive")
    assert sorted(str(p) for p in archived) == sorted(path for _, path in rows)
    for sha, path in rows:
        assert file_fingerprint(path) == sha


def test_the_warehouse_resource_reads_its_configuration_when_used(tmp_path, monkeypatch):
    """Loaded once, the Definitions follow the environment a run starts with (no import-time binding)."""
    from orchestration.definitions import defs

    resource = defs.resources["warehouse"]
    monkeypatch.setenv("TREEM_WAREHOUSE", str(tmp_path / "elsewhere" / "w.duckdb"))
    monkeypatch.setenv("TREEM_INBOX", str(tmp_path / "drop"))
    assert resource.file == tmp_path / "elsewhere" / "w.duckdb"
    assert resource.inbox_dir == tmp_path / "drop"
    assert resource.archive_dir == tmp_path / "elsewhere" / "archive"


def _filled(sector: str, path):
    """Tân Yên's 2024 template of `sector` with one figure typed (a blank template is refused as empty)."""
    from ingest.workbook.template import build_template

    wb, where = build_template("tan-yen-2021", sector, 2024)
    code = next(code for code, role in where.columns if role == "value")
    wb["Số liệu"].cell(next(iter(where.rows.values())), where.columns[(code, "value")], 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def test_settle_moves_inbox_originals_logs_arrivals_and_leaves_other_files(tmp_path):
    from ingest.inbox import read_arrivals, settle
    from ingest.workbook import ingest_paths

    wh, inbox, elsewhere = tmp_path / "treem.duckdb", tmp_path / "inbox", tmp_path / "mine"
    _filled("health", inbox / "y-te.xlsx")
    sent_again = (inbox / "y-te.xlsx").read_bytes()
    (inbox / "rac.xlsx").write_bytes(b"not a workbook")
    _filled("education", elsewhere / "giao-duc.xlsx")
    batch = [*list_inbox(inbox), elsewhere / "giao-duc.xlsx"]
    summary = ingest_paths(batch, warehouse_path=wh)
    assert settle(summary, inbox, tmp_path / "archive", 2024) == 2

    assert list_inbox(inbox) == []
    assert (elsewhere / "giao-duc.xlsx").exists()  # `treem ingest` of the user's own folder moves nothing
    log = read_arrivals(tmp_path / "archive")
    assert [(a["file_name"], a["status"], a["year"]) for a in log] == [
        (r.path.name, r.status, "2024") for r in summary.results
    ]
    assert {a["status"] for a in log} == {"loaded", "rejected"}
    assert len(archived_originals(tmp_path / "archive")) == 3

    # the same content again under another name: a duplicate submission, logged so a replay makes it too
    (inbox / "y-te (gui lai).xlsx").write_bytes(sent_again)
    again = ingest_paths(list_inbox(inbox), warehouse_path=wh)
    assert [r.status for r in again.results] == ["duplicate"]
    assert settle(again, inbox, tmp_path / "archive", 2024) == 1
    assert len(read_arrivals(tmp_path / "archive")) == len(log) + 1 and list_inbox(inbox) == []

    # a file that changed after it was read (still being copied in) stays waiting, as a new arrival
    _filled("culture", inbox / "van-hoa.xlsx")
    third = ingest_paths(list_inbox(inbox), warehouse_path=wh)
    with (inbox / "van-hoa.xlsx").open("ab") as grown:
        grown.write(b"more bytes")
    assert settle(third, inbox, tmp_path / "archive", 2024) == 0
    assert [p.name for p in list_inbox(inbox)] == ["van-hoa.xlsx"]
