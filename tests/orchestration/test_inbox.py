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
