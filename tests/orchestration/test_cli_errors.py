"""Every CLI error a person can meet: a non-zero exit, at most two plain lines, the valid choices listed,
no traceback (unless --debug). Fast: none of these builds the fixture warehouse."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest

from orchestration import cli
from orchestration.cli import EXIT_FAILURE, EXIT_USER_ERROR, main

PLANS = ("bac-ninh-2021", "dien-bien-2021", "national-2021", "tan-yen-2021")


def run(capsys, *argv: str) -> tuple[int, list[str]]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip().splitlines()


@pytest.fixture()
def no_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("TREEM_WAREHOUSE", str(tmp_path / "treem.duckdb"))
    return tmp_path / "treem.duckdb"


@pytest.fixture()
def tiny_warehouse(tmp_path, monkeypatch):
    """A warehouse file with one small mart: enough for `treem sql`, not for a report."""
    path = tmp_path / "treem.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_plan as select * from (values ('dien-bien-2021', 'Điện Biên', 12.5), "
            "('tan-yen-2021', 'Tân Yên, Bắc Giang', null)) t(plan_id, title_vi, some_value)"
        )
    monkeypatch.setenv("TREEM_WAREHOUSE", str(path))
    return path


def test_report_for_an_unknown_plan_fails_and_lists_the_plans(no_warehouse, capsys):
    code, lines = run(capsys, "report", "so-ket-2025", "--plan", "nope-2021")
    assert code == EXIT_USER_ERROR and len(lines) == 2
    assert "nope-2021" in lines[0]
    assert all(plan in lines[1] for plan in PLANS)


def test_template_for_an_unknown_plan_lists_the_plans(tmp_path, capsys):
    code, lines = run(capsys, "template", "--plan", "nope-2021", "--sector", "health", "--year", "2025")
    assert code == EXIT_USER_ERROR and len(lines) == 2
    assert all(plan in lines[1] for plan in PLANS)
    assert not list(tmp_path.iterdir())


def test_template_for_an_unknown_sector_lists_the_plans_sectors(capsys):
    code, lines = run(capsys, "template", "--plan", "tan-yen-2021", "--sector", "helth", "--year", "2025")
    assert code == EXIT_USER_ERROR and len(lines) == 2
    assert "'helth'" in lines[0] and "tan-yen-2021" in lines[0]
    assert "health" in lines[1] and "education" in lines[1]


def test_template_for_a_year_outside_the_programme_lists_the_years(capsys):
    code, lines = run(capsys, "template", "--plan", "tan-yen-2021", "--sector", "health", "--year", "2035")
    assert code == EXIT_USER_ERROR and len(lines) == 2
    assert "2020" in lines[1] and "2030" in lines[1]


def test_template_for_an_unknown_territory_says_what_a_territory_looks_like(capsys):
    args = ["template", "--plan", "national-2021", "--sector", "health", "--year", "2025"]
    code, lines = run(capsys, *args, "--territory", "99")
    assert code == EXIT_USER_ERROR and len(lines) == 2 and "vn2025:11" in lines[1]


def test_ingest_of_a_missing_file_fails_before_any_run(no_warehouse, capsys):
    code, lines = run(capsys, "ingest", "missing.xlsx")
    assert code == EXIT_USER_ERROR and len(lines) == 2
    assert "missing.xlsx" in lines[0]
    assert not no_warehouse.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ("sql", "select 1"),
        ("report", "so-ket-2025", "--plan", "dien-bien-2021"),
        ("status",),
        ("export",),
    ],
)
def test_read_commands_before_any_build_say_how_to_build(no_warehouse, capsys, argv):
    code, lines = run(capsys, *argv)
    assert code == EXIT_USER_ERROR and len(lines) == 2
    assert "no warehouse" in lines[0] and "treem demo" in lines[1]


def test_report_before_the_marts_are_built(tiny_warehouse, capsys):
    code, lines = run(capsys, "report", "so-ket-2025", "--plan", "dien-bien-2021")
    assert code == EXIT_USER_ERROR and len(lines) == 2
    assert "marts.mart_so_ket_2025" in lines[0]


def test_sql_typo_is_one_line(tiny_warehouse, capsys):
    code, lines = run(capsys, "sql", "selec plan_id from marts.dim_plan")
    assert code == EXIT_USER_ERROR and len(lines) == 1
    assert "syntax error" in lines[0]


def test_sql_unknown_table_gives_the_suggestion(tiny_warehouse, capsys):
    code, lines = run(capsys, "sql", "select * from marts.dim_plann")
    assert code == EXIT_USER_ERROR and len(lines) == 2
    assert "dim_plann" in lines[0] and "dim_plan" in lines[1]


def test_argparse_choice_errors_list_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "so-ket-2026", "--plan", "dien-bien-2021"])
    assert exit_info.value.code == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "so-ket-2025" in err and "tong-ket-2030" in err and "Traceback" not in err


def test_unexpected_errors_are_two_lines_and_debug_shows_the_traceback(no_warehouse, capsys, monkeypatch):
    def broken(args):
        raise RuntimeError("disk on fire\nsecond line of detail")

    monkeypatch.setattr(cli, "cmd_status", broken)
    code, lines = run(capsys, "status")
    assert code == EXIT_FAILURE and len(lines) == 2
    assert "disk on fire" in lines[0] and "--debug" in lines[1]
    with pytest.raises(RuntimeError):
        main(["status", "--debug"])


def test_sql_writes_csv_and_json_with_every_row(tiny_warehouse, tmp_path, capsys):
    query = "select plan_id, title_vi, some_value from marts.dim_plan order by plan_id"
    assert main(["sql", query, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [
        ["plan_id", "title_vi", "some_value"],
        ["dien-bien-2021", "Điện Biên", "12.5"],
        ["tan-yen-2021", "Tân Yên, Bắc Giang", ""],
    ]
    out = tmp_path / "plans.json"
    assert main(["sql", query, "--format", "json", "--output", str(out)]) == 0
    assert "wrote 2 rows" in capsys.readouterr().out
    records = json.loads(out.read_text(encoding="utf-8"))
    assert records[1] == {"plan_id": "tan-yen-2021", "title_vi": "Tân Yên, Bắc Giang", "some_value": None}


def test_wide_results_show_every_column_one_row_per_block():
    from orchestration.sql_output import format_table

    columns = [f"column_{i}" for i in range(30)]
    rows = [[f"value {i}" for i in range(30)], [None] * 30]
    text = format_table(columns, rows, width=100)
    assert "-[ row 2 ]" in text
    assert "column_29 | value 29" in text.splitlines()
    assert "column_29 | NULL" in text.splitlines()
    assert sum(line.startswith("column_") for line in text.splitlines()) == 60
    narrow = format_table(["a", "b"], [[1, "x"]], width=100).splitlines()
    assert narrow[0].split("|")[0].strip() == "a" and len(narrow) == 3
