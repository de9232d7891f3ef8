"""Formula injection is neutralised and small sensitive counts are suppressed."""

import zipfile

from openpyxl import Workbook, load_workbook

from reports.safety import SuppressionConfig, Suppressor, load_suppression_config, neutralise_text, write_cell

PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_write_cell_keeps_payloads_inert(tmp_path):
    wb = Workbook()
    ws = wb.active
    for row, payload in enumerate(PAYLOADS, start=1):
        write_cell(ws, row, 1, payload)
    write_cell(ws, len(PAYLOADS) + 1, 1, 9.5)
    write_cell(ws, len(PAYLOADS) + 2, 1, "Tỉnh Điện Biên")
    path = tmp_path / "x.xlsx"
    wb.save(path)

    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml

    ws = load_workbook(path).active
    for row, payload in enumerate(PAYLOADS, start=1):
        cell = ws.cell(row, 1)
        assert cell.data_type == "s"
        # shown exactly, no visible apostrophe (XML reads a bare CR back as LF)
        assert cell.value == payload.replace("\r", "\n")
        assert cell.quotePrefix  # stays text if the officer edits the cell
    assert ws.cell(len(PAYLOADS) + 1, 1).value == 9.5
    assert not ws.cell(len(PAYLOADS) + 2, 1).quotePrefix


def test_neutralise_text_for_untyped_channels():
    assert neutralise_text("=1+1") == "'=1+1"
    assert neutralise_text("Xã Liên Chung") == "Xã Liên Chung"


def test_config_file_loads():
    config = load_suppression_config()
    assert config.threshold == 5
    assert config.levels == ("commune",)
    assert config.count_symbol == "<5"


def test_suppressor_rules():
    suppressor = Suppressor(SuppressionConfig(), sensitive_from_catalog={"CHILD_MARRIAGE", "CHILD_ABUSE"})
    # sensitive count at commune level below 5
    assert suppressor.row("CHILD_MARRIAGE", "commune", "count", 3, None) == {
        "value": "<5",
        "numerator": "<5",
        "suppressed": True,
    }
    # a rate whose numerator is small: the rate goes too (rate x denominator = numerator)
    shown = suppressor.row("CHILD_ABUSE", "commune", "percent", 0.12, 2)
    assert shown["value"] == "x" and shown["numerator"] == "<5"
    # at district level, at or above the threshold, zero, or not sensitive: printed
    assert suppressor.row("CHILD_MARRIAGE", "district", "count", 3, None)["value"] == "3"
    assert suppressor.row("CHILD_MARRIAGE", "commune", "count", 5, None)["value"] == "5"
    assert suppressor.row("CHILD_MARRIAGE", "commune", "count", 0, None)["value"] == "0"
    assert suppressor.row("U5_MORTALITY", "commune", "per_1000_live_births", 17.2, 2)["value"] == "17,2"
