"""Workbooks an officer might send: one clean, and one per kind of problem, all derived from one template.

The clean workbook is Tân Yên's 2023 health template filled by the samples' deterministic filler (seeded), so
its figures pass every data-quality rule; each problem file changes a few cells of a copy of it.
"""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest

PLAN, SECTOR, YEAR = "tan-yen-2021", "health", 2023
HYPERLINK = '=HYPERLINK("http://example.invalid/x","bấm vào đây")'


@pytest.fixture(scope="session")
def real_reference():
    from ingest.workbook.context import load_reference

    return load_reference()


@pytest.fixture(scope="session")
def clean_book(real_reference, tmp_path_factory) -> tuple[Path, object]:
    """(path, TemplateMap) of a filled, clean Tân Yên 2023 health workbook."""
    from ingest.samples import _fill
    from ingest.workbook.template import build_template

    ref = real_reference
    wb, tmap = build_template(PLAN, SECTOR, YEAR, ref)
    units = ref.reporting_units(PLAN, YEAR, ref.territory(PLAN))
    _fill(wb["Số liệu"], tmap, ref, PLAN, YEAR, units, random.Random(5))
    path = tmp_path_factory.mktemp("clean") / "tan-yen-y-te-2023.xlsx"
    wb.save(path)
    return path, tmap


def derive(clean: tuple[Path, object], dest: Path, edit) -> Path:
    """A copy of the clean workbook with `edit(ws, tmap)` applied to its data sheet."""
    path, tmap = clean
    wb = openpyxl.load_workbook(path)
    edit(wb["Số liệu"], tmap)
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def text_cell(ws, row: int, col: int, text: str) -> None:
    """Store text exactly as an agency's Excel would (a string cell, even when it starts with '=')."""
    cell = ws.cell(row, col)
    cell.value = text
    cell.data_type = "s"


LIEN_CHUNG = "vn2008:07357"
NGOC_CHAU = "vn2008:07348"
VIET_LAP = "vn2008:07354"
NHA_NAM = "vn2008:07306"


def _misspelt(ws, tmap):
    r = tmap.rows[LIEN_CHUNG]
    ws.cell(r, 2).value = None  # no code: the name alone must identify the commune
    ws.cell(r, 3).value = "Xã Lien Chug"


def _formula_text(ws, tmap):
    text_cell(ws, tmap.rows[NHA_NAM], tmap.columns[("IMMUNIZATION_U1", "value")], HYPERLINK)
    r = tmap.rows[VIET_LAP]
    ws.cell(r, 2).value = None
    text_cell(ws, r, 3, HYPERLINK)  # a "commune name" that is a formula


def _ratio_mismatch(ws, tmap):
    r = tmap.rows[VIET_LAP]
    ws.cell(r, tmap.columns[("IMMUNIZATION_U1", "numerator")], 180)
    ws.cell(r, tmap.columns[("IMMUNIZATION_U1", "denominator")], 200)
    ws.cell(r, tmap.columns[("IMMUNIZATION_U1", "value")], 80)  # 180 / 200 x 100 = 90


def _numerator_above_denominator(ws, tmap):
    r = tmap.rows[NGOC_CHAU]
    ws.cell(r, tmap.columns[("IMMUNIZATION_U1", "numerator")], 250)
    ws.cell(r, tmap.columns[("IMMUNIZATION_U1", "denominator")], 200)
    ws.cell(r, tmap.columns[("IMMUNIZATION_U1", "value")]).value = None


def _implausible(ws, tmap):
    r = tmap.rows[NGOC_CHAU]
    for role in ("numerator", "denominator"):
        ws.cell(r, tmap.columns[("INFANT_MORTALITY", role)]).value = None
    ws.cell(r, tmap.columns[("INFANT_MORTALITY", "value")], 650)  # per 1,000 live births: above 200


def _total_off(ws, tmap):
    col = tmap.columns[("IMMUNIZATION_U1", "numerator")]
    ws.cell(tmap.total_row, col, ws.cell(tmap.total_row, col).value - 400)
    ws.cell(tmap.total_row, tmap.columns[("IMMUNIZATION_U1", "value")]).value = None


def _missing_indicator(ws, tmap):
    for (code, _), col in tmap.columns.items():
        if code == "HIV_MTCT":
            for row in tmap.rows.values():
                ws.cell(row, col).value = None


PROBLEMS = {
    "misspelt": _misspelt,
    "formula": _formula_text,
    "ratio": _ratio_mismatch,
    "num_gt_den": _numerator_above_denominator,
    "implausible": _implausible,
    "total_off": _total_off,
    "missing": _missing_indicator,
}


@pytest.fixture(scope="session")
def problem_files(clean_book, tmp_path_factory) -> dict[str, Path]:
    """One workbook per kind of problem, plus a clean copy and a file that is not a workbook."""
    root = tmp_path_factory.mktemp("officer")
    files = {name: derive(clean_book, root / f"{name}.xlsx", edit) for name, edit in PROBLEMS.items()}
    files["clean"] = derive(clean_book, root / "clean.xlsx", lambda ws, tmap: None)
    files["not_workbook"] = root / "cong-van.xlsx"
    files["not_workbook"].write_bytes(b"Kinh gui So Y te: bao cao dinh kem.\n")
    return files


@pytest.fixture(scope="session")
def checked(problem_files, real_reference, tmp_path_factory):
    """`check_files` on every file at once (one reference set-up), feedback into one folder."""
    from ingest.workbook.check import check_files

    out = tmp_path_factory.mktemp("feedback")
    results = check_files(list(problem_files.values()), out, readers_copy=None, reference=real_reference)
    by_name = {r.path.stem: r for r in results}
    return {name: by_name[path.stem] for name, path in problem_files.items()}, out


def feedback_rows(path: Path) -> list[tuple]:
    """The finding lines of a feedback workbook (below its header row)."""
    from ingest.workbook.feedback import HEADER_ROW

    ws = openpyxl.load_workbook(path).active
    return [row for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True) if any(row)]
