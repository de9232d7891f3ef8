"""The CLI's read-side commands over the shared fixture warehouse."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from orchestration.cli import main


def test_status_leads_with_what_needs_a_person(built_warehouse, capsys):
    assert main(["status"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "Needs a person:"
    where = lines.index("Where to look:")
    needs = "\n".join(lines[:where])
    # the sample's corrupt file, named with its Vietnamese reason and labelled as planted on purpose
    corrupt = next(line for line in lines[:where] if "dien-bien_culture_2022_loi.xlsx:" in line)
    assert "không được tiếp nhận" in corrupt and "[planted in the samples: truncated download]" in corrupt
    # the same notion of a failed check as Dagster's asset checks (one per family), not one per file
    # one line per failed check family, as many as the count says (Dagster's notion: one check per family)
    at = next(i for i, line in enumerate(lines) if "data-quality check(s) failed" in line)
    families = [line.split()[0] for line in lines[at + 1 : at + 1 + int(lines[at].split()[0])]]
    expected = {"mortality_ordering", "numerator_le_denominator", "total_vs_rollup", "value_range"}
    assert expected <= set(families)
    # agencies are named as people know them, not by internal ids
    assert "Sở Tư pháp tỉnh Điện Biên" in needs and "@vn2008" not in needs
    assert "dien-bien_culture_2021.xlsx was replaced by dien-bien_culture_2021_sua-doi.xlsx" in needs
    assert lines[-1].startswith("Built: ") and "marts.mart_so_ket_2025" in "\n".join(lines[where:])
    # each folder counts what it says it counts: not the reports' fingerprints, not the DQ index
    reports = next(line for line in lines[where:] if "review report files" in line)
    folder = Path(reports.rsplit(": ", 1)[1])
    assert int(reports.split()[0]) == len([*folder.glob("*.xlsx"), *folder.glob("*.html")]) > 0
    pages = next(line for line in lines[where:] if "data-quality pages" in line)
    dq = Path(pages.rsplit(": ", 1)[1])
    assert int(pages.split()[0]) == len(list(dq.glob("*.html"))) - 1  # index.html lists them


def test_a_corrupt_file_is_filed_under_the_year_its_name_states(tmp_path):
    from ingest.inbox import reporting_year

    corrupt = tmp_path / "dien-bien_culture_2022_loi.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 truncated")
    assert reporting_year(corrupt) == 2022


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


def test_national_template_for_a_province_lists_its_communes(tmp_path):
    """A province reporting the national plan gets its own communes (vn2025 from 2025) and its lead
    sector's indicators, and the file it sends back is read as that province's submission."""
    from ingest.workbook.context import load_reference
    from ingest.workbook.parse import parse_workbook

    out = tmp_path / "national_health_2025_11.xlsx"
    args = ["template", "--plan", "national-2021", "--sector", "health", "--year", "2025"]
    assert main([*args, "--territory", "11", "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out)["Số liệu"]
    names = [row[2] for row in sheet.iter_rows(values_only=True) if row[2]]
    ref = load_reference()
    communes = ref.reporting_units("national-2021", 2025, "vn2025:11")
    assert len(communes) == 45 and set(communes["level"]) == {"commune"}
    assert set(communes["name_vi"]) <= set(names) and "Tổng cộng" in names
    parsed = parse_workbook(out, ref)
    assert parsed.identity.territory_id == "vn2025:11"
    assert "IMMUNIZATION_U1" in parsed.layout.indicator_columns()


def test_synth_writes_the_national_inbox_and_its_manifest(tmp_path, capsys):
    from ingest.synth import SynthManifest

    assert main(["synth", "--scale", "tiny", "--years", "2025", "--out", str(tmp_path)]) == 0
    manifest = SynthManifest.read(tmp_path / "manifest.json")
    assert sorted(p.name for p in manifest.paths()) == ["2025_11_health.xlsx", "2025_12_health.xlsx"]
    assert all(p.exists() for p in manifest.paths())
    assert "wrote 2 workbooks" in capsys.readouterr().out
