"""Files that must never reach a spreadsheet reader are refused with the right reason code."""

import zipfile

import openpyxl
import pytest

from ingest.workbook.safety import OLE2_MAGIC, Limits, UnsafeFileError, check_file


def _code(path, limits=None):
    with pytest.raises(UnsafeFileError) as err:
        check_file(path, limits or Limits())
    return err.value.code


def test_valid_workbook_passes(tmp_path):
    path = tmp_path / "ok.xlsx"
    openpyxl.Workbook().save(path)
    check_file(path)


def test_empty(tmp_path):
    (tmp_path / "e.xlsx").write_bytes(b"")
    assert _code(tmp_path / "e.xlsx") == "empty_file"


def test_not_a_workbook(tmp_path):
    (tmp_path / "n.xlsx").write_text("Kính gửi Sở LĐTBXH,\nsố liệu xem file đính kèm.")
    assert _code(tmp_path / "n.xlsx") == "not_workbook"


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert _code(path) == "not_workbook"


def test_oversized(tmp_path):
    path = tmp_path / "big.xlsx"
    openpyxl.Workbook().save(path)
    assert _code(path, Limits(max_file_bytes=100)) == "oversized"


def test_encrypted_ole(tmp_path):
    """A password-protected .xlsx is an OLE2 compound file with an EncryptionInfo stream."""
    path = tmp_path / "locked.xlsx"
    body = bytearray(4096)
    body[:8] = OLE2_MAGIC
    name = "EncryptionInfo".encode("utf-16-le")
    body[1024 : 1024 + len(name)] = name
    path.write_bytes(bytes(body))
    assert _code(path) == "encrypted"


def test_legacy_xls(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(OLE2_MAGIC + bytes(1024))
    assert _code(path) == "legacy_xls"


def test_corrupt_truncated(tmp_path):
    path = tmp_path / "ok.xlsx"
    openpyxl.Workbook().save(path)
    data = path.read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    assert _code(tmp_path / "cut.xlsx") == "corrupt"


def test_zip_bomb_declared_size(tmp_path):
    """Craft a central directory that declares a huge uncompressed member."""
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * 2_000_000)
    data = bytearray(path.read_bytes())
    # Patch the central directory's uncompressed size of sheet1.xml to 4 GB - 1.
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert _code(path) == "zip_bomb"


def test_zip_bomb_ratio(tmp_path):
    path = tmp_path / "ratio.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 30_000_000)
    assert _code(path) == "zip_bomb"


def test_zip_bomb_lying_sizes(tmp_path):
    """Declared sizes small, real content large: the streamed check stops at the budget."""
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<row/>" * 400_000)
    assert _code(path, Limits(max_uncompressed_bytes=1_000_000)) == "zip_bomb"
