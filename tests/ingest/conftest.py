"""Shared fixtures for the workbook ingest tests.

The reference is the real indicator catalog, locality dimension, bridge, resolver and agencies, with a small
explicit plan/assignment table (`TEST_PLANS`, `TEST_ASSIGNMENTS`) so that the tests state which indicators a
sheet carries instead of depending on the plan registry's current content.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ingest.workbook.context import Reference

TEST_PLANS = pd.DataFrame(
    [
        ("national-2021", "Chương trình hành động quốc gia vì trẻ em 2021-2030", "vn:VN", "11-20"),
        (
            "dien-bien-2021",
            "Kế hoạch thực hiện Chương trình hành động vì trẻ em tỉnh Điện Biên",
            "vn2008:11",
            "11-20",
        ),
        (
            "bac-ninh-2021",
            "Kế hoạch thực hiện Chương trình hành động vì trẻ em tỉnh Bắc Ninh",
            "vn2008:27",
            "11-20",
        ),
        (
            "tan-yen-2021",
            "Kế hoạch thực hiện Chương trình hành động vì trẻ em huyện Tân Yên",
            "vn2008:216",
            "11-20",
        ),
    ],
    columns=["plan_id", "title_vi", "locality_id", "report_deadline"],
)
TEST_ASSIGNMENTS = pd.DataFrame(
    [
        ("dien-bien-2021", "INFANT_MORTALITY", "4", "health", "Sở Y tế"),
        ("dien-bien-2021", "IMMUNIZATION_U1", "7", "health", "Sở Y tế"),
        ("dien-bien-2021", "CHILD_MARRIAGE", "20", "health", "Sở Y tế"),
        ("tan-yen-2021", "IMMUNIZATION_U1", "5", "health", "Phòng Y tế"),
        ("tan-yen-2021", "INFANT_MORTALITY", "3", "health", "Phòng Y tế"),
        ("tan-yen-2021", "PRESCHOOL_5Y", "16", "education", "Phòng GD&ĐT"),
    ],
    columns=["plan_id", "indicator_code", "plan_item", "sector", "agency_as_written"],
)


@pytest.fixture(scope="session")
def reference() -> Reference:
    from ingest.localities import LocalityResolver
    from ingest.reference.agencies import build_agencies
    from ingest.reference.catalog import load_indicators
    from ingest.reference.localities import build_localities, build_succession

    localities = build_localities()
    succession = build_succession()
    return Reference(
        indicators=load_indicators().set_index("indicator_code", drop=False),
        assignments=TEST_ASSIGNMENTS,
        plans=TEST_PLANS.set_index("plan_id", drop=False),
        localities=localities.set_index("locality_id", drop=False),
        succession=succession,
        resolver=LocalityResolver(localities, succession),
        agencies=build_agencies(TEST_PLANS, localities),
    )


@pytest.fixture(scope="session")
def tan_yen_template(reference, tmp_path_factory) -> Path:
    """Tân Yên health 2023 (vn2008 communes): IMMUNIZATION_U1 (num/den/value), INFANT_MORTALITY."""
    from ingest.workbook.template import write_template

    return write_template(
        "tan-yen-2021", "health", 2023, tmp_path_factory.mktemp("tpl") / "tan-yen.xlsx", reference
    )


def data_rows(ws) -> dict[str, int]:
    """Locality name -> 1-based row in a template's data sheet."""
    from ingest.workbook.template import FIRST_DATA_ROW

    out = {}
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        name = ws.cell(r, 3).value
        if name:
            out[name] = r
    return out


def open_copy(template: Path, dest: Path):
    """Load a template for filling (openpyxl keeps the hidden sheet, properties and defined names)."""
    wb = openpyxl.load_workbook(template)
    return wb, dest


def fill(template: Path, dest: Path, values: dict[tuple[str, str], object], edit=None) -> Path:
    """Copy a template filling `values` keyed by (locality name as printed, column letter).

    `edit(ws)` may change the sheet further (rename rows, add cells) before saving.
    """
    wb = openpyxl.load_workbook(template)
    ws = wb["Số liệu"]
    rows = data_rows(ws)
    for (name, letter), value in values.items():
        ws[f"{letter}{rows[name]}"] = value
    if edit:
        edit(wb, ws, rows)
    wb.save(dest)
    return dest


def copy_values_only(src: Path, dest: Path, sheet_title: str, rows_above: list[list[object]]) -> Path:
    """Re-type a filled sheet into a fresh workbook: no hidden sheet, no properties, no defined names,
    extra rows above, another sheet name — what an agency produces by copy-pasting into its own file."""
    source = openpyxl.load_workbook(src)["Số liệu"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet_title
    for row in rows_above:
        ws.append(row)
    offset = len(rows_above)
    for row in source.iter_rows():
        for cell in row:
            if cell.value is not None:
                ws.cell(cell.row + offset, cell.column, cell.value)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    wb.save(dest)
    return dest


def feedback_after_ingest(warehouse_file: Path, reference, folder: Path) -> dict[str, Path | None]:
    """The feedback workbook of every loaded submission, as the pipeline's `agency_feedback` step writes it
    after validation (`regenerate`), here without data-quality findings: the ingest itself writes only the
    feedback of the files it refuses."""
    from ingest import warehouse
    from ingest.workbook.feedback import regenerate

    with warehouse.connect(warehouse_file) as con:
        warehouse.ensure_tables(con, warehouse.ALL_TABLES)  # the dq tables, empty: nothing judged
        ids = [
            sid
            for (sid,) in con.execute(
                "select submission_id from audit.submissions where status = 'loaded' order by received_at"
            ).fetchall()
        ]
        return regenerate(con, folder, reference, ids)
