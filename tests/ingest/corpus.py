"""A deterministic corpus of hostile workbooks: the ways provincial officers (and broken tools) fill the
template, each with exactly what the officer meant, cell by cell.

Every case starts from the real template (`build_template`, Tân Yên health 2023: IMMUNIZATION_U1 in %,
with Tử số / Mẫu số / Giá trị, and INFANT_MORTALITY in ‰) and changes it the way a person would. The case
states its expected outcome literally — file status and reason, every value that must load (value,
numerator, denominator, bound), every cell that must be quarantined and why, how many cells say "no data" —
written by hand from what the officer meant, never computed by the code under test.
`tests/ingest/test_corpus.py` ingests the whole corpus in one batch and compares.

No randomness: the same call writes the same bytes (`save_deterministic`), so a duplicate is a duplicate.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from ingest.samples import save_deterministic
from ingest.workbook.identity import fold
from ingest.workbook.template import build_template

PLAN, SECTOR, YEAR = "tan-yen-2021", "health", 2023
IMM, IMR = "IMMUNIZATION_U1", "INFANT_MORTALITY"  # percent; per 1,000 live births
DATA = "Số liệu"
STAMP = dt.datetime(2026, 1, 5, 8, 0)


@dataclass
class Case:
    kind: str
    meant: str  # what the officer did, in one line
    file_name: str = ""
    status: str = "loaded"  # loaded | rejected | duplicate
    reason_code: str | None = None
    values: dict[tuple[str, str], tuple] = field(default_factory=dict)  # (code, loc) -> (v, num, den, qual)
    quarantine: dict[tuple[str, str], str] = field(default_factory=dict)  # (sheet, cell) -> reason code
    not_reported: int = 0
    value_sheet: str = DATA  # the sheet the values must come from
    duplicate_of: str | None = None
    vanished: list[str] | None = None  # values of the superseded file this one lacks (None: not checked)

    def outcome(self) -> str:
        if self.status != "loaded":
            return f"{self.status}" + (f" ({self.reason_code})" if self.reason_code else "")
        reasons = sorted(set(self.quarantine.values()))
        q = f", {len(self.quarantine)} quarantined ({', '.join(reasons)})" if self.quarantine else ""
        nr = f", {self.not_reported} not reported" if self.not_reported else ""
        return f"loaded {len(self.values)} values{q}{nr}"


class Book:
    """The template being filled, with where things are."""

    def __init__(self, reference):
        self.wb, self.tmap = build_template(PLAN, SECTOR, YEAR, reference)
        self.ws = self.wb[DATA]
        self.ref = reference
        territory = reference.territory(PLAN)
        self.total = territory
        self.units = [
            loc for loc, _ in sorted(self.tmap.rows.items(), key=lambda kv: kv[1]) if loc != territory
        ]
        self.patches: list[tuple[str, Callable[[bytes], bytes]]] = []

    def loc(self, i: int) -> str:
        return self.units[i]

    def name(self, loc: str) -> str:
        return str(self.ref.localities.at[loc, "name_vi"])

    def rc(self, loc: str, code: str, role: str) -> tuple[int, int]:
        return self.tmap.rows[loc], self.tmap.columns[(code, role)]

    def ref_of(self, loc: str, code: str, role: str) -> str:
        r, c = self.rc(loc, code, role)
        return f"{get_column_letter(c)}{r}"

    def put(self, loc: str, code: str, role: str, value, number_format: str | None = None, ws=None) -> str:
        r, c = self.rc(loc, code, role)
        cell = (ws or self.ws).cell(r, c)
        cell.value = value
        if number_format:
            cell.number_format = number_format
        return f"{get_column_letter(c)}{r}"

    def append_row(self, name: str, cells: dict[int, object]) -> int:
        r = self.ws.max_row + 1
        self.ws.cell(r, 3, name)
        for c, v in cells.items():
            self.ws.cell(r, c, v)
        return r

    def save(self, path: Path) -> Path:
        save_deterministic(self.wb, path, STAMP)
        for part, patch in self.patches:
            _patch_part(path, part, patch)
        return path


def _patch_part(path: Path, part: str, patch: Callable[[bytes], bytes]) -> None:
    """Rewrite one XML part of a saved package (what another tool would have written)."""
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            dst.writestr(info, patch(data) if info.filename == part else data)


def _after_declaration(xml: bytes, insert: bytes) -> bytes:
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + insert + xml[end:]
    return insert + xml


def _sheet_part(wb, title: str) -> str:
    return f"xl/worksheets/sheet{wb.sheetnames.index(title) + 1}.xml"


def _baseline(b: Book, case: Case) -> None:
    """A clean row every loadable case carries, so that the file has values besides the habit tested."""
    b.put(b.loc(0), IMM, "numerator", 95)
    b.put(b.loc(0), IMM, "denominator", 100)
    b.put(b.loc(0), IMR, "value", 4.5)
    case.values[(IMM, b.loc(0))] = (95.0, 95.0, 100.0, None)
    case.values[(IMR, b.loc(0))] = (4.5, None, None, None)


# --- the cases -----------------------------------------------------------------------------------------
# Each function fills `b` and states `case`'s expectations; `_baseline` is added unless it says otherwise.
def k_clean(b, c):
    c.meant = "fills two rows correctly"
    b.put(b.loc(1), IMM, "value", 97.2)
    c.values[(IMM, b.loc(1))] = (97.2, None, None, None)


def k_decimal_comma(b, c):
    c.meant = "types 4,8 as text (Vietnamese decimal comma)"
    b.put(b.loc(1), IMR, "value", "4,8")
    c.values[(IMR, b.loc(1))] = (4.8, None, None, None)


def k_thousands_dots(b, c):
    c.meant = "types 1.234 / 1.300 (thousands dots) as text"
    b.put(b.loc(1), IMM, "numerator", "1.234")
    b.put(b.loc(1), IMM, "denominator", "1.300")
    c.values[(IMM, b.loc(1))] = (94.923077, 1234.0, 1300.0, None)


def k_percent_sign_text(b, c):
    c.meant = "types '98,5%' as text in a % column"
    b.put(b.loc(1), IMM, "value", "98,5%")
    c.values[(IMM, b.loc(1))] = (98.5, None, None, None)


def k_percent_format(b, c):
    c.meant = "types 98,5% in Excel: the cell holds 0.985 formatted 0.0%"
    b.put(b.loc(1), IMM, "value", 0.985, "0.0%")
    c.values[(IMM, b.loc(1))] = (98.5, None, None, None)


def k_percent_format_whole(b, c):
    c.meant = "types 97% in Excel: 0.97 formatted 0% (built-in id 9)"
    b.put(b.loc(1), IMM, "value", 0.97, "0%")
    c.values[(IMM, b.loc(1))] = (97.0, None, None, None)


def k_percent_literal_format(b, c):
    c.meant = 'types 97 in a cell formatted 0" %" (a quoted %, no scaling: Excel shows 97 %)'
    b.put(b.loc(1), IMM, "value", 97, '0" %"')
    c.values[(IMM, b.loc(1))] = (97.0, None, None, None)


def k_percent_format_per_mille_column(b, c):
    c.meant = "a %-formatted 1.2% in the ‰ column: 12‰ or 1.2‰? unknowable"
    cell = b.put(b.loc(1), IMR, "value", 0.012, "0.0%")
    c.quarantine[(DATA, cell)] = "format_unit_mismatch"


def k_percent_format_numerator(b, c):
    c.meant = "a %-formatted numerator (a count shown as 95%) with its denominator"
    num = b.put(b.loc(1), IMM, "numerator", 0.95, "0%")
    den = b.put(b.loc(1), IMM, "denominator", 100)
    c.quarantine[(DATA, num)] = "format_unit_mismatch"
    c.quarantine[(DATA, den)] = "incomplete_rate"


def k_small_fraction_text(b, c):
    c.meant = "types 0,985 in a % column: ambiguous (tiny targets exist), loaded as typed for DQ to judge"
    b.put(b.loc(1), IMM, "value", "0,985")
    c.values[(IMM, b.loc(1))] = (0.985, None, None, None)


def k_per_mille_sign(b, c):
    c.meant = "types '3,2‰' and '2,9%0' in the ‰ column"
    b.put(b.loc(1), IMR, "value", "3,2‰")
    b.put(b.loc(2), IMR, "value", "2,9%0")
    c.values[(IMR, b.loc(1))] = (3.2, None, None, None)
    c.values[(IMR, b.loc(2))] = (2.9, None, None, None)


def k_percent_sign_per_mille_column(b, c):
    c.meant = "types '12%' in the ‰ column"
    cell = b.put(b.loc(1), IMR, "value", "12%")
    c.quarantine[(DATA, cell)] = "unit_mismatch"


def k_bound_less(b, c):
    c.meant = "types '<2' (fewer than 2 per 1,000)"
    b.put(b.loc(1), IMR, "value", "<2")
    c.values[(IMR, b.loc(1))] = (2.0, None, None, "<")


def k_bound_geq(b, c):
    c.meant = "types '≥95' in a % column"
    b.put(b.loc(1), IMM, "value", "≥95")
    c.values[(IMM, b.loc(1))] = (95.0, None, None, ">=")


def k_bound_words(b, c):
    c.meant = "types 'dưới 1' (below 1)"
    b.put(b.loc(1), IMR, "value", "dưới 1")
    c.values[(IMR, b.loc(1))] = (1.0, None, None, "<")


def k_bound_in_numerator(b, c):
    c.meant = "types '<5' as a numerator"
    num = b.put(b.loc(1), IMM, "numerator", "<5")
    den = b.put(b.loc(1), IMM, "denominator", 100)
    c.quarantine[(DATA, num)] = "unparseable_number"
    c.quarantine[(DATA, den)] = "incomplete_rate"


def k_not_reported(b, c):
    c.meant = "types '-' for no data"
    b.put(b.loc(1), IMR, "value", "-")
    c.not_reported = 1


def k_words(b, c):
    c.meant = "types 'chưa có' in a number cell"
    cell = b.put(b.loc(1), IMM, "value", "chưa có")
    c.quarantine[(DATA, cell)] = "unparseable_number"


def k_numerator_above_denominator(b, c):
    c.meant = "120 vaccinated of 100 (a DQ finding, not a reading problem)"
    b.put(b.loc(1), IMM, "numerator", 120)
    b.put(b.loc(1), IMM, "denominator", 100)
    c.values[(IMM, b.loc(1))] = (120.0, 120.0, 100.0, None)


def k_zero_denominator(b, c):
    c.meant = "5 of 0 (value left empty; DQ reports it)"
    b.put(b.loc(1), IMM, "numerator", 5)
    b.put(b.loc(1), IMM, "denominator", 0)
    c.values[(IMM, b.loc(1))] = (None, 5.0, 0.0, None)


def k_value_ratio_mismatch(b, c):
    c.meant = "types 9,5 against 2/209 × 1000 = 9,57 (loaded with its parts; DQ compares)"
    b.put(b.loc(1), IMR, "numerator", 2)
    b.put(b.loc(1), IMR, "denominator", 209)
    b.put(b.loc(1), IMR, "value", "9,5")
    c.values[(IMR, b.loc(1))] = (9.5, 2.0, 209.0, None)


def k_percent_over_100(b, c):
    c.meant = "types 120 in a % column"
    b.put(b.loc(1), IMM, "value", 120)
    c.values[(IMM, b.loc(1))] = (120.0, None, None, None)


def k_negative(b, c):
    c.meant = "types -3"
    b.put(b.loc(1), IMR, "value", -3)
    c.values[(IMR, b.loc(1))] = (-3.0, None, None, None)


def k_unknown_locality(b, c):
    c.meant = "adds a row for a commune that does not exist"
    r = b.append_row("Xã Không Có Thật", {b.tmap.columns[(IMM, "value")]: 90})
    c.quarantine[(DATA, f"C{r}")] = "unknown_locality"
    c.quarantine[(DATA, f"{get_column_letter(b.tmap.columns[(IMM, 'value')])}{r}")] = "unknown_locality"


def k_name_without_diacritics(b, c):
    c.meant = "deletes the code and retypes the commune name without diacritics"
    loc = b.loc(3)
    r = b.tmap.rows[loc]
    b.ws.cell(r, 2).value = None
    b.ws.cell(r, 3).value = fold(b.name(loc))
    b.put(loc, IMM, "value", 93)
    c.values[(IMM, loc)] = (93.0, None, None, None)


def k_note_outside(b, c):
    c.meant = "writes a note to the right of the table"
    r = b.tmap.rows[b.loc(1)]
    col = max(b.tmap.columns.values()) + 2
    b.ws.cell(r, col, "số liệu ước tính")
    c.quarantine[(DATA, f"{get_column_letter(col)}{r}")] = "outside_data_area"


def k_duplicate_row(b, c):
    c.meant = "adds a second row for the same commune"
    b.put(b.loc(1), IMM, "value", 90)
    c.values[(IMM, b.loc(1))] = (90.0, None, None, None)
    col = b.tmap.columns[(IMM, "value")]
    r = b.append_row(b.name(b.loc(1)), {col: 88})
    c.quarantine[(DATA, f"C{r}")] = "duplicate_row"
    c.quarantine[(DATA, f"{get_column_letter(col)}{r}")] = "duplicate_row"


def _totals(b, c):
    b.put(b.total, IMM, "numerator", 1000)
    b.put(b.total, IMM, "denominator", 1100)
    c.values[(IMM, b.total)] = (90.909091, 1000.0, 1100.0, None)


def k_second_total_differs(b, c):
    c.meant = "a 'Tổng cộng' row and a 'Toàn huyện' row with different totals"
    _totals(b, c)
    num, den = b.tmap.columns[(IMM, "numerator")], b.tmap.columns[(IMM, "denominator")]
    r = b.append_row("Toàn huyện", {num: 990, den: 1100})
    for col in (3, num, den):
        c.quarantine[(DATA, f"{get_column_letter(col)}{r}")] = "second_total_row"


def k_second_total_same(b, c):
    c.meant = "the totals row typed twice, identically (loaded once)"
    _totals(b, c)
    num, den = b.tmap.columns[(IMM, "numerator")], b.tmap.columns[(IMM, "denominator")]
    b.append_row("Tổng cộng", {num: 1000, den: 1100})


def k_formula_cached(b, c):
    c.meant = "a formula =D/E*100 that Excel calculated (cached 96)"
    num = b.put(b.loc(1), IMM, "numerator", 96)
    den = b.put(b.loc(1), IMM, "denominator", 100)
    cell = b.put(b.loc(1), IMM, "value", f"={num}/{den}*100")
    c.values[(IMM, b.loc(1))] = (96.0, 96.0, 100.0, None)
    pattern = re.compile(rb'(<c r="' + cell.encode() + rb'"[^>]*>)<f>([^<]*)</f><v\s*/>')
    b.patches.append((_sheet_part(b.wb, DATA), lambda d: pattern.sub(rb"\1<f>\2</f><v>96</v>", d)))


def k_formula_uncached(b, c):
    c.meant = "a formula a tool wrote and Excel never calculated (no cached value)"
    cell = b.put(b.loc(1), IMR, "value", "=2/400*1000")
    c.quarantine[(DATA, cell)] = "uncached_formula"


def k_hidden_row(b, c):
    c.meant = "hides a filled row"
    b.put(b.loc(1), IMM, "value", 91)
    b.ws.row_dimensions[b.tmap.rows[b.loc(1)]].hidden = True
    c.values[(IMM, b.loc(1))] = (91.0, None, None, None)


def k_renamed_sheet(b, c):
    c.meant = "renames the data sheet 'Bieu 1'"
    b.ws.title = "Bieu 1"
    b.put(b.loc(1), IMM, "value", 92)
    c.values[(IMM, b.loc(1))] = (92.0, None, None, None)
    c.value_sheet = "Bieu 1"


def k_data_on_copy_only(b, c):
    c.meant = "copies the sheet to 'Số liệu (2)' and fills only the copy"
    copy = b.wb.copy_worksheet(b.ws)
    copy.title = "Số liệu (2)"
    b.put(b.loc(1), IMM, "value", 94, ws=copy)
    b.put(b.loc(0), IMR, "value", 4.5, ws=copy)
    c.values[(IMM, b.loc(1))] = (94.0, None, None, None)
    c.values[(IMR, b.loc(0))] = (4.5, None, None, None)
    c.value_sheet = "Số liệu (2)"


def k_identical_hidden_copy(b, c):
    c.meant = "a hidden 'Sheet2' that is an identical copy of the filled sheet"
    b.put(b.loc(1), IMM, "value", 89)
    c.values[(IMM, b.loc(1))] = (89.0, None, None, None)
    copy = b.wb.copy_worksheet(b.ws)
    copy.title = "Sheet2"
    copy.sheet_state = "hidden"


def k_sheets_disagree(b, c):
    c.meant = "a corrected copy 'Số liệu (sửa)' next to the old sheet, with other figures"
    b.put(b.loc(1), IMM, "value", 89)
    copy = b.wb.copy_worksheet(b.ws)
    copy.title = "Số liệu (sửa)"
    b.put(b.loc(1), IMM, "value", 91, ws=copy)
    c.status, c.reason_code = "rejected", "conflicting_sheets"


def k_notes_sheet(b, c):
    c.meant = "adds a sheet 'Ghi chú' with a remark and a number"
    ws = b.wb.create_sheet("Ghi chú")
    ws["A1"] = "Số liệu xã Ngọc Lý ước tính"
    ws["B2"] = 12
    c.quarantine[("Ghi chú", "A1")] = "outside_data_area"
    c.quarantine[("Ghi chú", "B2")] = "outside_data_area"


def k_very_hidden_numbers(b, c):
    c.meant = "a very hidden sheet of working numbers"
    ws = b.wb.create_sheet("calc")
    ws.sheet_state = "veryHidden"
    ws["C3"] = 0.5
    c.quarantine[("calc", "C3")] = "outside_data_area"


def k_number_in_title_rows(b, c):
    c.meant = "types a figure into the title rows above the header"
    col = max(b.tmap.columns.values()) + 2  # beyond the merged title cells
    b.ws.cell(2, col, 95)
    c.quarantine[(DATA, f"{get_column_letter(col)}2")] = "outside_data_area"


def k_empty_template(b, c):
    c.meant = "sends the blank template back"
    c.status, c.reason_code = "rejected", "no_values"


def k_all_dashes(b, c):
    c.meant = "types '-' everywhere (no data at all)"
    for loc in b.units[:3]:
        b.put(loc, IMM, "value", "-")
    c.status, c.reason_code = "rejected", "no_values"
    c.not_reported = 3


def k_range_bomb(b, c):
    c.meant = "one stray cell at XFD20000 (a dense reader would allocate ~10 GB)"
    b.ws["XFD20000"] = "x"
    c.status, c.reason_code = "rejected", "sheet_too_large"


def k_entity_expansion(b, c):
    c.meant = "a package whose XML declares entities (billion laughs)"
    dtd = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b.patches.append(("xl/styles.xml", lambda d: _after_declaration(d, dtd)))
    c.status, c.reason_code = "rejected", "unsafe_xml"


BOOK_KINDS: list[Callable] = [
    k_clean, k_decimal_comma, k_thousands_dots, k_percent_sign_text, k_percent_format,
    k_percent_format_whole, k_percent_literal_format, k_percent_format_per_mille_column,
    k_percent_format_numerator, k_small_fraction_text, k_per_mille_sign, k_percent_sign_per_mille_column,
    k_bound_less, k_bound_geq, k_bound_words, k_bound_in_numerator, k_not_reported, k_words,
    k_numerator_above_denominator, k_zero_denominator, k_value_ratio_mismatch, k_percent_over_100,
    k_negative, k_unknown_locality, k_name_without_diacritics, k_note_outside, k_duplicate_row,
    k_second_total_differs, k_second_total_same, k_formula_cached, k_formula_uncached, k_hidden_row,
    k_renamed_sheet, k_data_on_copy_only, k_identical_hidden_copy, k_sheets_disagree, k_notes_sheet,
    k_very_hidden_numbers, k_number_in_title_rows, k_empty_template, k_all_dashes,
    k_range_bomb, k_entity_expansion,
]  # fmt: skip
NO_BASELINE = {k_data_on_copy_only, k_empty_template, k_all_dashes}


def _file_cases(out: Path, first_loaded: Case, last_loaded: Case, reference) -> list[tuple[Case, Path]]:
    """Cases that are whole files rather than sheet habits."""
    cases: list[tuple[Case, Path]] = []
    dup = Case("duplicate_file", "sends the same file again under another name", "resent-copy.xlsx")
    dup.status, dup.duplicate_of = "duplicate", first_loaded.file_name
    path = out / dup.file_name
    path.write_bytes((out / first_loaded.file_name).read_bytes())
    cases.append((dup, path))

    text = Case(
        "not_a_workbook", "attaches the cover letter instead", "cong-van.xlsx", "rejected", "not_workbook"
    )
    path = out / text.file_name
    path.write_text("Kính gửi: Phòng Y tế huyện Tân Yên", encoding="utf-8")
    cases.append((text, path))

    cut = Case("truncated", "a file cut off by the mail server", "bi-cat.xlsx", "rejected", "corrupt")
    path = out / cut.file_name
    path.write_bytes((out / first_loaded.file_name).read_bytes()[:3000])
    cases.append((cut, path))

    bomb = Case("zip_bomb", "a sheet part that inflates 30 MB of zeros", "bom.xlsx", "rejected", "zip_bomb")
    path = out / bomb.file_name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 30_000_000)
    cases.append((bomb, path))

    # A correction that drops a commune the earlier file had: it supersedes, and says what disappears.
    b = Book(reference)
    b.put(b.loc(0), IMM, "numerator", 95)
    b.put(b.loc(0), IMM, "denominator", 100)
    shrink = Case("supersede_drops_values", "resends a correction that lacks some earlier values")
    shrink.file_name = "sua-lan-2.xlsx"
    shrink.values[(IMM, b.loc(0))] = (95.0, 95.0, 100.0, None)
    shrink.vanished = sorted(
        f"{code} @ {b.name(loc)}" for code, loc in last_loaded.values if (code, loc) != (IMM, b.loc(0))
    )
    cases.append((shrink, b.save(out / shrink.file_name)))

    empty = Case("empty_after_good", "then sends the blank template: must not wipe the correction")
    empty.file_name, empty.status, empty.reason_code = "trong.xlsx", "rejected", "no_values"
    cases.append((empty, Book(reference).save(out / empty.file_name)))
    return cases


def generate_corpus(out: Path, reference) -> list[tuple[Case, Path]]:
    """Write every case into `out`, in arrival order (mtimes), and return (case, path) pairs."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Case, Path]] = []
    for i, kind in enumerate(BOOK_KINDS):
        b = Book(reference)
        name = kind.__name__.removeprefix("k_")
        case = Case(name, "", file_name=f"{i:02d}-{name}.xlsx")
        if kind not in NO_BASELINE:
            _baseline(b, case)
        kind(b, case)
        if case.status != "loaded":
            case.values = {}
            if case.reason_code != "no_values":
                case.quarantine, case.not_reported = {}, 0
        written.append((case, b.save(out / case.file_name)))
    loaded = [c for c, _ in written if c.status == "loaded"]
    written.extend(_file_cases(out, loaded[0], loaded[-1], reference))
    for i, (_, path) in enumerate(written):
        stamp = STAMP.timestamp() + i
        os.utime(path, (stamp, stamp))
    return written
