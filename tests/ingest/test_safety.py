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


# --- members read from the file's bytes (`safety._member`), with zipfile's checks -------------------------


def _workbook_with_sheet(tmp_path, name="ok.xlsx"):
    path = tmp_path / name
    book = openpyxl.Workbook()
    sheet = book.active
    for r in range(1, 60):
        sheet.append([r, f"Xã số {r}", r * 1.5, "98,5%"])
    book.save(path)
    return path


def test_the_parts_kept_are_the_parts_zipfile_reads(tmp_path):
    """Every part of a real workbook, stored or deflated, exactly as zipfile inflates it."""
    from ingest.workbook.safety import open_package

    source = _workbook_with_sheet(tmp_path)
    stored = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    for path in (source, stored):
        with zipfile.ZipFile(path) as zf:
            expected = {n: zf.read(n) for n in zf.namelist() if n.endswith((".xml", ".rels"))}
        assert open_package(path).parts == expected


def _patched(path, offset_of, value: int, width: int = 4) -> bytes:
    """The file's bytes with a field of the first member named sheet1.xml patched in the central directory
    and in the local header (so zipfile's own consistency checks pass and only the content can tell)."""
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    local = int.from_bytes(data[central + 42 : central + 46], "little")
    central_at, local_at = offset_of
    data[central + central_at : central + central_at + width] = value.to_bytes(width, "little")
    data[local + local_at : local + local_at + width] = value.to_bytes(width, "little")
    return bytes(data)


def test_a_member_longer_than_it_declares_is_corrupt(tmp_path):
    """Sizes patched smaller in both headers: the inflated content betrays it (zipfile: a CRC mismatch)."""
    path = _workbook_with_sheet(tmp_path)
    with zipfile.ZipFile(path) as zf:
        real = zf.getinfo("xl/worksheets/sheet1.xml").file_size
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(_patched(path, (24, 22), real // 2))  # uncompressed size
    assert _code(liar) == "corrupt"


def test_a_member_whose_crc_does_not_match_is_corrupt(tmp_path):
    path = _workbook_with_sheet(tmp_path)
    with zipfile.ZipFile(path) as zf:
        crc = zf.getinfo("xl/worksheets/sheet1.xml").CRC
    bad = tmp_path / "crc.xlsx"
    bad.write_bytes(_patched(path, (16, 14), crc ^ 0xFFFF))
    assert _code(bad) == "corrupt"


def test_a_local_header_naming_another_member_is_corrupt(tmp_path):
    path = _workbook_with_sheet(tmp_path)
    data = bytearray(path.read_bytes())
    local = data.find(b"PK\x03\x04")
    while not data[local + 30 :].startswith(b"xl/worksheets/sheet1.xml"):
        local = data.find(b"PK\x03\x04", local + 4)
    data[local + 30 + 14 : local + 30 + 19] = b"sheeX"  # xl/worksheets/sheeX1.xml in the local header only
    bad = tmp_path / "name.xlsx"
    bad.write_bytes(bytes(data))
    assert _code(bad) == "corrupt"


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_method_excel_never_writes_is_still_read_by_zipfile(tmp_path, method):
    from ingest.workbook.safety import open_package

    source = _workbook_with_sheet(tmp_path)
    other = tmp_path / f"method{method}.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(other, "w", method) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    with zipfile.ZipFile(source) as zf:
        expected = zf.read("xl/worksheets/sheet1.xml")
    assert open_package(other).parts["xl/worksheets/sheet1.xml"] == expected
