"""`treem rebuild`: the archive alone rebuilds a warehouse identical to the live one, and a difference is
reported, not hidden."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from ingest.inbox import read_arrivals
from orchestration.cli import main
from orchestration.rebuild import compare_warehouses


@pytest.mark.slow
def test_rebuild_from_the_archive_matches_the_live_warehouse(built_warehouse, tmp_path, capsys):
    arrivals = read_arrivals(built_warehouse.parent / "archive")
    # each content once, plus the sample's re-sent copy under another name (a duplicate submission)
    received = [a for a in arrivals if a["status"] != "duplicate"]
    assert received and len({a["sha256"] for a in received}) == len(received)
    assert {a["sha256"] for a in arrivals} == {a["sha256"] for a in received}

    assert main(["rebuild", "--out", str(tmp_path / "rebuilt")]) == 0
    out = capsys.readouterr().out
    assert "identical" in out and "DIFFERENT" not in out
    rebuilt = tmp_path / "rebuilt" / "treem.duckdb"
    with duckdb.connect(str(rebuilt), read_only=True) as con:
        assert con.execute("select count(*) from audit.submissions").fetchone()[0] == len(arrivals)

    # the comparison sees a lost row and a changed value
    tampered = tmp_path / "tampered.duckdb"
    shutil.copyfile(rebuilt, tampered)
    with duckdb.connect(str(tampered)) as con:
        con.execute("delete from marts.fct_indicator_value where rowid = 0")
        con.execute("update marts.dim_plan set issuer_vi = issuer_vi || ' ' where plan_id = 'tan-yen-2021'")
    comparison = compare_warehouses(rebuilt, tampered)
    assert not comparison.same
    assert {line.split(":")[0] for line in comparison.differences} == {
        "marts.fct_indicator_value",
        "marts.dim_plan",
    }


def test_rebuild_refuses_a_folder_in_use(built_warehouse, tmp_path, capsys):
    (tmp_path / "something").write_text("x")
    assert main(["rebuild", "--out", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err


def test_rebuild_without_an_archive_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TREEM_WAREHOUSE", str(tmp_path / "treem.duckdb"))
    assert main(["rebuild"]) == 2
    assert "nothing to replay" in capsys.readouterr().err
    assert not (tmp_path / "rebuild").exists()
