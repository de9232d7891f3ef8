"""The CLI's read-side commands over the shared fixture warehouse."""

from __future__ import annotations

import openpyxl

from orchestration.cli import main


def test_status_summarises_what_needs_attention(built_warehouse, capsys):
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "marts.mart_so_ket_2025" in out
    assert "rejected:" in out  # the sample's corrupt file is named with its Vietnamese reason
    assert "Data quality:" in out


def test_sql_queries_read_only(built_warehouse, capsys):
    assert main(["sql", "select plan_id from marts.dim_plan order by plan_id"]) == 0
    out = capsys.readouterr().out
    for plan_id in ("bac-ninh-2021", "dien-bien-2021", "national-2021", "tan-yen-2021"):
        assert plan_id in out


def test_template_writes_an_agency_workbook(tmp_path, capsys):
    out = tmp_path / "tan-yen_health_2024.xlsx"
    assert (
        main(
            ["template", "--plan", "tan-yen-2021", "--sector", "health", "--year", "2024", "--out", str(out)]
        )
        == 0
    )
    workbook = openpyxl.load_workbook(out)
    assert "Hướng dẫn" in workbook.sheetnames
