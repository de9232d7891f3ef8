"""What the xlsx package says that calamine does not: cell bounds, number formats and formulas.

calamine returns values only, and reads a sheet densely: one stray cell at `XFD20000` makes it allocate
rows × 16,384 cells (~10 GB) and abort the process, with no Python exception to catch. A typed `98,5%` is
the number 0.985 whose `%` lives in the cell's style, and a formula Excel never calculated comes back as an
empty string. So before calamine touches a sheet, each sheet's XML is scanned at the byte level (no DOM, no
entity expansion: `safety.check_file` has already refused any DTD): one regular expression clears a sheet
whose cells are all written the way Excel writes them, any other is read tag by tag in one linear pass
(`_cells`), and calamine is then given exactly the parts scanned (`readable_zip`). What is found:

- the bounds of the cells that hold something: a sheet whose dense rectangle exceeds `max_sheet_cells` is
  refused (`sheet_too_large`, naming the farthest cell) before any dense read;
- the number cells whose format is a percentage (built-in ids 9/10 or a custom code with an unquoted `%`)
  or per-mille (`‰`): `parse.py` decides what that means per indicator unit (README, number-format rules);
- formula cells, with or without a cached value.

The shared-strings part is bounded too (`max_shared_strings`). Measured on a national workbook (see README):
the scan costs a fraction of calamine's own read.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from xml.etree import ElementTree as ET

from ingest.workbook.safety import DEFAULT_LIMITS, Limits, Package, UnsafeFileError

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
}
PERCENT_BUILTIN = frozenset({9, 10})
# A cell start tag as Excel and openpyxl write it: `<c r="B12">`, the reference first (one or two letters,
# at most three row digits), then at most ` s="…"` and ` t="…"`, once each. A sheet whose every cell is
# written so is bounded by 999 rows × 702 columns and its styles are found by their text; any other spelling
# (another attribute, order, quote or whitespace, lowercase, a far or repeated reference, no reference)
# sends the sheet through the exact scan, which reads every spelling XML allows. calamine reads them all: a
# far cell written `<c\nr="XFD900000">`, `r='XFD900000'` or `<c r="B1" r="XFD900000">` made it allocate
# 900,000 × 16,384 cells and abort the process.
_UNCOMMON_CELL = re.compile(
    rb'<c(?! r="[A-Z]{1,2}\d{1,3}"(?: s="\d{1,6}")?(?: t="[a-zA-Z]{1,12}")? ?/?>)[\s/>]'
)
COMMON_ROWS, COMMON_COLUMNS = 999, 702
_PREFIX_HINT = re.compile(rb":(?:c|row|f|v|is|si)[\s/>]")  # where a prefixed element the scans read may be
_PREFIX = re.compile(rb"<(/?)[A-Za-z_][\w.-]*:")
_FORMULA = re.compile(rb"<f[\s>/]")  # not <formula1> of a data validation
# The start of a cell or row tag, and the rest of a start tag: its attributes (a quoted '>' is no end), then
# '>' or '/>'. Possessive, and matched from each start only (`_cells`): patterns spanning a whole cell
# (`<c …>…</c>`) backtracked from every '<c', and 100 KB of unclosed tags took minutes.
_START = re.compile(rb"<(c|row)(?=[\s/>])")
_TAG_REST = re.compile(rb"""(?:[^>"'/]++|/(?!>)|"[^"]*+"|'[^']*+')*+(/?)>""")
_FORMULA_TAG = re.compile(rb"<f(?=[\s/>])")
# comments, character data and processing instructions: no XML reader takes a tag in them
_NOT_MARKUP = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
_ATTR_R_ANY = re.compile(rb"""(?:^|\s)r\s*=\s*["']\s*([A-Za-z]*)(\d*)""")  # any reference, however far
_ROW_NUMBER = re.compile(rb"""(?:^|\s)r\s*=\s*["']\s*(\d+)""")
_ATTR_S = re.compile(rb"""(?:^|\s)s\s*=\s*["'](\d+)["']""")
_ATTR_T = re.compile(rb"""(?:^|\s)t\s*=\s*["'](\w+)["']""")
# a value Excel computed; openpyxl writes an empty <v /> after a formula it cannot compute
_CACHED = re.compile(rb"<v(?:\s[^>]{0,200})?>[^<]|<is[\s>]")


@lru_cache(maxsize=16384)  # a cell reference per loaded value: the few columns of a sheet, computed once
def column_letter(col: int) -> str:
    """0-based column index -> 'A', 'B', ..., 'AA'."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """'A' -> 0, 'XFD' -> 16383."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


@dataclass
class SheetScan:
    """One sheet's facts from its XML; coordinates are 0-based (row, col) like `reader.SheetCells`."""

    name: str
    part: str
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # 'percent' | 'per_mille'
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # formula text, cached value kept
    uncached_formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # no value Excel computed


def _format_kind(code: str) -> str | None:
    """'percent' for a format code that shows a percentage, 'per_mille' for one with ‰, else None."""
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    if "%" in bare:
        return "percent"
    if "‰" in bare:
        return "per_mille"
    return None


def style_kinds(package: Package) -> dict[int, str]:
    """cellXfs index -> 'percent' / 'per_mille' for the styles whose number format carries a unit."""
    data = package.part("xl/styles.xml")
    if data is None:
        return {}
    return dict(_style_kinds(data))


@lru_cache(maxsize=16)  # the files of one template share their styles part: parsed once, not per file
def _style_kinds(data: bytes) -> tuple[tuple[int, str], ...]:
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return ()
    custom = {
        int(nf.get("numFmtId", "-1")): nf.get("formatCode", "")
        for nf in root.iterfind("m:numFmts/m:numFmt", _NS)
    }
    out: dict[int, str] = {}
    for i, xf in enumerate(root.iterfind("m:cellXfs/m:xf", _NS)):
        fmt_id = int(xf.get("numFmtId", "0"))
        kind = "percent" if fmt_id in PERCENT_BUILTIN else _format_kind(custom.get(fmt_id, ""))
        if kind:
            out[i] = kind
    return tuple(out.items())


def sheet_parts(package: Package) -> dict[str, str]:
    """Sheet name -> part path inside the package (xl/worksheets/sheetN.xml), in workbook order."""
    book = ET.fromstring(package.part("xl/workbook.xml") or b"")
    rels_xml = package.part("xl/_rels/workbook.xml.rels")
    if rels_xml is None:
        return {}
    rels = ET.fromstring(rels_xml)
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iterfind("pr:Relationship", _NS)}
    out = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        out[sheet.get("name", "")] = part
    return out


def _common(data: bytes, limits: Limits) -> bool:
    """True when every cell of the sheet is written the common way (`_UNCOMMON_CELL`), which bounds it
    within `limits` without reading a cell: one pass of one pattern, a fifth of the former bounds."""
    return limits.max_sheet_cells >= COMMON_ROWS * COMMON_COLUMNS and _UNCOMMON_CELL.search(data) is None


def _value_bounds(data: bytes) -> tuple[int, int, str]:
    """Exact bounds of the cells that hold a value or formula (empty styled cells do not count: calamine
    skips them), 1-based, with the far corner's reference. Only run when a cell is written in an uncommon
    way (`_common`). A cell is where its references say (all of them, if it repeats the attribute); one
    without a reference where calamine puts it (`_cells`)."""
    max_r = max_c = 0
    for _, body, refs, (row_no, col_no) in _cells(data):
        if not _holds(body):
            continue
        for r, c in refs or [(max(row_no, 1), col_no)]:
            max_r, max_c = max(max_r, r), max(max_c, c)
    return max_r, max_c, f"{column_letter(max_c - 1)}{max_r}" if max_c else ""


def _cells(data: bytes) -> Iterator[tuple[bytes, bytes, list[tuple[int, int]], tuple[int, int]]]:
    """Each cell of a sheet part in order: (its start tag's attributes, its body up to `</c>` (empty for
    `<c …/>`), its references as 1-based (row, column), and where calamine puts it without one: its row (the
    row's `r`, else the one after the row before) and the column after the cell before it). One pass, linear
    in the part's size whatever it holds; a tag left unterminated ends it (no XML reader reads past one)."""
    data = _markup_only(data)
    starts = [(m.start(), m.end(), m.group(1)) for m in _START.finditer(data)]
    pos = row_no = col_no = 0
    following = 0  # index of the first start at or after `pos`
    for start, name_end, name in starts:
        if start < pos:  # inside the tag before (a quoted value): not a tag
            continue
        end = _TAG_REST.match(data, name_end)
        if end is None:
            return
        attrs, pos = data[name_end : end.start(1)], end.end()
        if name == b"row":
            numbers = _ROW_NUMBER.findall(attrs)
            row_no, col_no = (max(map(int, numbers)) if numbers else row_no + 1), 0
            continue
        refs = [(int(n), col_index(c.decode().upper()) + 1) for c, n in _ATTR_R_ANY.findall(attrs) if c and n]
        col_no = refs[-1][1] if refs else col_no + 1
        body = b""
        if not end.group(1):
            while following < len(starts) and starts[following][0] < pos:
                following += 1
            body = data[pos : starts[following][0] if following < len(starts) else len(data)]
            close = body.find(b"</c")
            body = body[:close] if close >= 0 else body
        yield attrs, body, refs, (row_no, col_no)


def _markup_only(data: bytes) -> bytes:
    """`data` without comments, character data and processing instructions (an unterminated one ends it)."""
    if not any(opening in data for opening, _ in _NOT_MARKUP):
        return data
    out, pos = [], 0
    while True:
        found = [(data.find(opening, pos), opening, closing) for opening, closing in _NOT_MARKUP]
        found = [f for f in found if f[0] >= 0]
        if not found:
            out.append(data[pos:])
            return b"".join(out)
        at, opening, closing = min(found)
        out.append(data[pos:at])
        end = data.find(closing, at + len(opening))
        if end < 0:
            return b"".join(out)
        pos = end + len(closing)


def _holds(body: bytes) -> bool:
    """A cell body with a value, an inline string or a formula (calamine skips an empty cell)."""
    return b"<v" in body or b"<is" in body or b"<f" in body


def _cells_of_interest(data: bytes, kinds: dict[int, str], scan: SheetScan, common: bool) -> None:
    """Fill `scan` with number cells styled with a unit format and with formula cells. In a sheet whose
    cells are written the common way (`common`) a style's cells are where its ` s="…"` text is; else every
    cell is read. A cell is keyed by its last reference, as calamine places it."""
    has_formula = _FORMULA.search(data) is not None
    styled = [i for i in kinds if not common or f' s="{i}"'.encode() in data]
    if not has_formula and not styled:
        return
    for attrs, body, refs, _ in _cells(data):
        formula = _FORMULA_TAG.search(body) if has_formula else None
        styles = _ATTR_S.findall(attrs) if styled else []
        kind = kinds.get(int(styles[-1])) if styles else None
        if (formula is None and kind is None) or not refs:
            continue
        row, col = refs[-1]
        key = (row - 1, col - 1)
        types = _ATTR_T.findall(attrs)
        cell_type = types[-1].decode() if types else "n"
        if kind and cell_type == "n" and _CACHED.search(body):
            scan.formats[key] = kind
        if formula is not None:
            text = "=" + _formula_text(body, formula.end()).decode("utf-8", "replace")
            if _CACHED.search(body):
                scan.formulas[key] = text
            else:
                scan.uncached_formulas[key] = text


def _formula_text(body: bytes, name_end: int) -> bytes:
    """The text of the `<f …>…</f>` whose name ends at `name_end` in a cell's body (empty for `<f/>`)."""
    end = _TAG_REST.match(body, name_end)
    if end is None or end.group(1):
        return b""
    close = body.find(b"</f", end.end())
    return body[end.end() : close if close >= 0 else len(body)]


def _unprefixed(data: bytes) -> bytes:
    """The part's XML with its element prefixes dropped (`<x:c r="A1">` -> `<c r="A1">`), for the byte-level
    scans here. SpreadsheetML may be written with a namespace prefix, which calamine reads like any sheet:
    unseen by the scans, a far cell would make it abort the process, a `%` format or a formula would go
    unnoticed (98,5% loaded as 0.985, an uncached formula dropped as an empty cell)."""
    return _PREFIX.sub(rb"<\1", data) if _PREFIX_HINT.search(data) else data


def scan_package(package: Package, limits: Limits = DEFAULT_LIMITS) -> dict[str, SheetScan]:
    """Per sheet name, the facts above; raise UnsafeFileError before any dense read could hurt."""
    strings = package.part("xl/sharedStrings.xml")
    if strings is not None and len(strings) > limits.max_shared_strings_bytes:
        raise UnsafeFileError("too_many_strings", f"sharedStrings.xml {len(strings)} bytes")
    if strings is not None:
        count = _unprefixed(strings).count(b"<si")
        if count > limits.max_shared_strings:
            raise UnsafeFileError("too_many_strings", f"{count} shared strings")
    kinds = style_kinds(package)
    out: dict[str, SheetScan] = {}
    for name, part in sheet_parts(package).items():
        data = package.part(part)
        if data is None:
            continue  # calamine reads only the package's XML parts (`readable_zip`): it will not find it
        data = _unprefixed(data)
        scan = SheetScan(name, part)
        _cells_of_interest(data, kinds, scan, _bounded(name, data, limits))
        out[name] = scan
    # Any other part with sheet data is bounded too: a reader may resolve a sheet's part otherwise
    # (an escaped or oddly cased target) than `sheet_parts` does.
    mapped = {scan.part for scan in out.values()}
    for part, data in package.parts.items():
        if part not in mapped and b"sheetData" in data:
            _bounded(part, _unprefixed(data), limits)
    return out


def _bounded(name: str, data: bytes, limits: Limits) -> bool:
    """Raise `sheet_too_large` for a sheet calamine must not read densely; True when its cells are all
    written the common way (`_common`: bounded, however many tags). Otherwise more cell tags than
    `max_sheet_cells` is refused outright: no sheet within the limit has them, and the exact scan of tens of
    millions of tags would take minutes."""
    if _common(data, limits):
        return True
    if data.count(b"<c") > limits.max_sheet_cells:
        raise UnsafeFileError("sheet_too_large", f"sheet '{name}': more than {limits.max_sheet_cells} cells")
    rows, cols, far = _value_bounds(data)
    if rows * cols > limits.max_sheet_cells:
        raise UnsafeFileError("sheet_too_large", f"sheet '{name}': cell {far} ({rows} rows × {cols} columns)")
    return False


def readable_zip(package: Package) -> bytes:
    """The package's XML parts, the ones the checks and scans read, as an uncompressed zip: what calamine
    is given. It reads exactly what was checked (a part that is not XML, a duplicate member or a sheet
    part not named .xml never reaches it unscanned), and inflates nothing a second time.

    Written here with `struct` (the same bytes `zipfile` writes for stored members dated 1980-01-01):
    zipfile's per-member bookkeeping cost ~0.2 ms a workbook, about a tenth of reading it."""
    local, central, offset = [], [], 0
    for name, content in package.parts.items():
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), 0x800
        crc, size = zlib.crc32(content), len(content)
        fields = (flags, 0, 0, _DOS_1980, crc, size, size, len(encoded), 0)
        header = _LOCAL_HEADER.pack(_LOCAL_SIGNATURE, _STORED_VERSION, *fields) + encoded
        local += (header, content)
        central.append(
            _CENTRAL_HEADER.pack(
                _CENTRAL_SIGNATURE, _MADE_BY_UNIX, _STORED_VERSION, *fields, 0, 0, 0, _RW_FILE, offset
            )
            + encoded
        )
        offset += len(header) + size
    directory = b"".join(central)
    n = len(central)
    end = _END_RECORD.pack(_END_SIGNATURE, 0, 0, n, n, len(directory), offset, 0)
    return b"".join(local) + directory + end


# Zip records of a stored member (APPNOTE 4.3.7, 4.3.12, 4.3.16), as zipfile writes them.
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END_RECORD = struct.Struct("<4s4H2LH")
_LOCAL_SIGNATURE, _CENTRAL_SIGNATURE, _END_SIGNATURE = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_STORED_VERSION = 20
_MADE_BY_UNIX = 3 << 8 | 20
_DOS_1980 = (1980 - 1980) << 9 | 1 << 5 | 1  # the date field of 1980-01-01
_RW_FILE = 0o600 << 16
