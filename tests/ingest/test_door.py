"""The door under hostile conditions the corpus cannot express as cells: a reader process that dies, a
warehouse without reference data, and the cost of reading number formats."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingest.workbook import ingest_paths
from tests.ingest.conftest import fill

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_a_dying_reader_rejects_its_file_and_the_batch_goes_on(
    tan_yen_template, tmp_path, reference, monkeypatch
):
    """A worker killed mid-read (as by the OOM killer) is noticed, not waited for: its file is rejected
    `worker_died`, the files after it load, and a re-run skips the file instead of dying again."""
    from ingest.workbook import loader

    real = loader.parse_workbook

    def parse_or_die(package, ref, limits):  # the file as read once by the safety checks
        if package.path.name.startswith("die"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(package, ref, limits)

    monkeypatch.setattr(loader, "parse_workbook", parse_or_die)  # forked workers inherit the patch
    files = [
        fill(tan_yen_template, tmp_path / "a.xlsx", {("Thị trấn Nhã Nam", "F"): 90}),
        fill(tan_yen_template, tmp_path / "die.xlsx", {("Thị trấn Nhã Nam", "F"): 91}),
        fill(tan_yen_template, tmp_path / "b.xlsx", {("Xã Tân Trung", "F"): 92}),
    ]
    for i, f in enumerate(files):
        os.utime(f, (1_700_000_000 + i, 1_700_000_000 + i))
    wh = tmp_path / "wh" / "t.duckdb"
    summary = ingest_paths(files, wh, reference=reference, workers=2)
    got = [(r.path.name, r.status, r.reason_code) for r in summary.results]
    assert got == [
        ("a.xlsx", "loaded", None),
        ("die.xlsx", "rejected", "worker_died"),
        ("b.xlsx", "loaded", None),
    ]
    again = ingest_paths([files[1]], wh, reference=reference, workers=2)
    assert again.results[0].status == "duplicate"  # recorded as a permanent rejection: never read again
    with duckdb.connect(str(wh), read_only=True) as con:
        message = con.execute("select message from audit.submissions where file_name = 'die.xlsx'").fetchone()
    assert "bị dừng bất thường" in message[0]


def test_reading_workers_exit_when_their_process_is_killed(tmp_path):
    """The ingest keeps its reading workers between batches; a process killed while it holds them (here it
    ends with `os._exit`, which runs no clean-up) must not leave them waiting for work forever."""
    script = (
        "import os\n"
        "from ingest.workbook import loader\n"
        "pool = loader._pool(2)\n"
        "assert all(f.result() for f in [pool.submit(os.getpid) for _ in range(8)])\n"
        "print(' '.join(map(str, sorted(pool._processes))), flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    pids = [int(p) for p in out.stdout.split()]
    assert len(pids) == 2, out.stdout + out.stderr
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in pids):
        time.sleep(0.1)
    assert not any(_running(pid) for pid in pids)


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _damage_deflate_stream(path: Path) -> Path:
    """The file with bytes in the middle of its sheet's compressed data overwritten (a broken download)."""
    import zipfile

    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 20 : start + 28] = b"\xff" * 8
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("workers", [0, 2])
def test_a_damaged_compressed_part_is_refused_as_corrupt_and_the_batch_goes_on(
    tan_yen_template, tmp_path, reference, workers
):
    """A damaged deflate stream raised zlib's own error out of the door: the whole run stopped with a
    traceback and the files read with it never landed. It is a file that cannot be opened, like any."""
    files = [
        fill(tan_yen_template, tmp_path / "a.xlsx", {("Thị trấn Nhã Nam", "F"): 90}),
        _damage_deflate_stream(fill(tan_yen_template, tmp_path / "broken.xlsx", {("Xã Tân Trung", "F"): 91})),
        fill(tan_yen_template, tmp_path / "b.xlsx", {("Xã Tân Trung", "F"): 92}),
    ]
    summary = ingest_paths(files, tmp_path / "wh" / "t.duckdb", reference=reference, workers=workers)
    got = [(r.path.name, r.status, r.reason_code) for r in summary.results]
    assert got == [
        ("a.xlsx", "loaded", None),
        ("broken.xlsx", "rejected", "corrupt"),
        ("b.xlsx", "loaded", None),
    ]
    assert "Tệp bị hỏng" in summary.results[1].message


def test_ingest_lands_reference_data_first(tan_yen_template, tmp_path):
    """A new warehouse: `treem ingest` lands the reference through reference_job before any value, so no
    verdict rests on a missing catalog."""
    wb = tmp_path / "new" / "treem.duckdb"
    path = fill(tan_yen_template, tmp_path / "tan-yen.xlsx", {("Thị trấn Nhã Nam", "F"): 90})
    env = {**os.environ, "TREEM_WAREHOUSE": str(wb), "DAGSTER_HOME": str(tmp_path / "dh")}
    (tmp_path / "dh").mkdir()
    out = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "ingest", str(path), "--no-build"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "landing it first" in out.stdout
    with duckdb.connect(str(wb), read_only=True) as con:
        assert con.execute("select count(*) from raw.indicators").fetchone()[0] > 0
        assert con.execute("select status from audit.submissions").fetchall() == [("loaded",)]


def test_an_ingest_that_requires_the_reference_loads_nothing_without_it(
    tan_yen_template, tmp_path, reference
):
    """The ingest job checks the reference on the ingest's own connection: a warehouse without it gets no
    submission, value or audit row (and the job fails, telling to run reference_job)."""
    from ingest.warehouse import MissingReference

    wh = tmp_path / "wh" / "t.duckdb"
    wh.parent.mkdir()
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema raw; create table raw.indicators (indicator_code varchar)")
    path = fill(tan_yen_template, tmp_path / "tan-yen.xlsx", {("Thị trấn Nhã Nam", "F"): 90})
    with pytest.raises(MissingReference):
        ingest_paths([path], wh, reference=reference, require_reference=True)
    with duckdb.connect(str(wh), read_only=True) as con:
        tables = {
            name for (name,) in con.execute("select table_name from information_schema.tables").fetchall()
        }
    assert tables == {"indicators"}


def _package(path: Path, sheet_xml: str, shared: str | None = None, styles: str | None = None) -> Path:
    """A minimal xlsx with one sheet 'S' whose sheetData is `sheet_xml` (what other tools write), and the
    styles part's content when given."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Target="xl/workbook.xml" '
            f'Type="{rel}/officeDocument"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{main}"><sheetData>{sheet_xml}</sheetData></worksheet>',
        )
        if shared is not None:
            zf.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">{shared}</sst>')
        if styles is not None:
            zf.writestr("xl/styles.xml", f'<styleSheet xmlns="{main}">{styles}</styleSheet>')
    return path


def test_far_cell_refused_whatever_the_attribute_order(tmp_path):
    import pytest

    from ingest.workbook.reader import read_workbook
    from ingest.workbook.safety import UnsafeFileError

    xml = '<row r="1"><c r="A1"><v>1</v></c></row><row r="20000"><c s="0" r="XFD20000"><v>1</v></c></row>'
    with pytest.raises(UnsafeFileError) as err:
        read_workbook(_package(tmp_path / "far.xlsx", xml))
    assert err.value.code == "sheet_too_large" and "XFD20000" in err.value.detail


def test_far_cell_in_a_near_row_is_refused_before_calamine_reads_it(tmp_path):
    """A cell is placed by its own reference, whatever its row says: `<row r="1">` holding `XFD900000` would
    make calamine allocate 900,000 × 16,384 cells and abort the process (no exception to catch)."""
    import pytest

    from ingest.workbook.reader import read_workbook
    from ingest.workbook.safety import UnsafeFileError

    xml = '<row r="1"><c r="A1"><v>1</v></c><c r="XFD900000"><v>1</v></c></row>'
    with pytest.raises(UnsafeFileError) as err:
        read_workbook(_package(tmp_path / "far-in-row-1.xlsx", xml))
    assert err.value.code == "sheet_too_large" and "XFD900000" in err.value.detail
    # a deep row whose number is written on its row is caught the same way
    xml = '<row r="1"><c r="A1"><v>1</v></c></row><row r="900000"><c r="XFD900000"><v>1</v></c></row>'
    with pytest.raises(UnsafeFileError):
        read_workbook(_package(tmp_path / "far-row.xlsx", xml))


@pytest.mark.parametrize(
    "far",
    [
        '<c\nr="XFD900000">',  # whitespace other than a space before the attribute
        '<c\tr="XFD900000">',
        "<c r='XFD900000'>",  # single quotes
        '<c r = "XFD900000">',  # whitespace around '='
        '<c r="xfd900000">',  # lowercase
        '<c  r="XFD900000">',
        '<c r="B1" r="XFD900000">',  # a repeated attribute: calamine takes the last
        '<c r="B1" x="a>b" r="XFD900000">',  # a '>' inside a quoted attribute value
    ],
)
def test_a_far_cell_is_refused_however_its_reference_is_spelled(tmp_path, far):
    """XML allows these spellings and calamine reads each as XFD900000: without the exact scan it would
    allocate 900,000 × 16,384 cells and abort the process (seen for each of them)."""
    from ingest.workbook.reader import read_workbook
    from ingest.workbook.safety import UnsafeFileError

    xml = f'<row r="1"><c r="A1"><v>1</v></c>{far}<v>1</v></c></row>'
    with pytest.raises(UnsafeFileError) as err:
        read_workbook(_package(tmp_path / "far.xlsx", xml))
    assert err.value.code == "sheet_too_large" and "XFD900000" in err.value.detail


def test_calamine_reads_only_the_parts_the_door_checked(tmp_path, reference):
    """A sheet part not named .xml was neither kept nor scanned, yet calamine read it: its far cell aborted
    the process. calamine now gets the checked XML parts only, so such a file is refused as unreadable."""
    import zipfile

    from ingest.workbook.parse import RejectedFile, parse_workbook

    path = _package(tmp_path / "dat.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>')
    with zipfile.ZipFile(path) as zf:
        members = [(info.filename, zf.read(info)) for info in zf.infolist()]
    far = '<row r="1"><c r="A1"><v>1</v></c><c r="XFD900000"><v>1</v></c></row>'
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if name == "xl/worksheets/sheet1.xml":
                zf.writestr(
                    "xl/worksheets/sheet1.dat",
                    f'<worksheet xmlns="{main}"><sheetData>{far}</sheetData></worksheet>',
                )
            else:
                zf.writestr(name, data.replace(b"sheet1.xml", b"sheet1.dat"))
    with pytest.raises(RejectedFile) as err:
        parse_workbook(path, reference)
    assert err.value.code == "corrupt"


def test_the_zip_calamine_reads_holds_exactly_the_checked_parts(tmp_path):
    """`readable_zip` writes its zip records itself: a valid zip (CRCs checked by zipfile) whose members are
    the checked parts, names (an accented one too) and bytes as they were, in order."""
    import io
    import zipfile

    from ingest.workbook.package import readable_zip
    from ingest.workbook.safety import Package

    parts = {
        "xl/workbook.xml": b"<workbook/>",
        "xl/worksheets/trang s\u1ed1 li\u1ec7u.xml": "<c>Tổng</c>".encode(),
        "[Content_Types].xml": b"",
    }
    with zipfile.ZipFile(io.BytesIO(readable_zip(Package(tmp_path / "x.xlsx", b"", parts)))) as zf:
        assert zf.testzip() is None
        assert [(i.filename, i.compress_type) for i in zf.infolist()] == [
            (name, zipfile.ZIP_STORED) for name in parts
        ]
        assert {name: zf.read(name) for name in zf.namelist()} == parts


def test_a_far_cell_after_a_comment_is_found(tmp_path):
    """A comment is no markup: a quote opened inside one must not hide the cell after it from the scan
    (calamine skips the comment and reads the far cell)."""
    from ingest.workbook.reader import read_workbook
    from ingest.workbook.safety import UnsafeFileError

    xml = '<row r="1"><c r="A1"><v>1</v></c><!-- <c x="--><c r="XFD900000"><v>1</v></c></row>'
    with pytest.raises(UnsafeFileError) as err:
        read_workbook(_package(tmp_path / "comment.xlsx", xml))
    assert "XFD900000" in err.value.detail


def test_unclosed_tags_do_not_stall_the_reader(tmp_path):
    """120 KB of unclosed cell tags took the former scan five minutes (its patterns spanned whole cells and
    backtracked from every tag); the reader now refuses or reads such a sheet at once. Run in a child
    process so that a regression fails here instead of hanging the suite."""
    path = _package(tmp_path / "unclosed.xlsx", '<row r="1"><c r="A1"><v>1</v></c>' + "<c " * 40_000)
    code = (
        "import sys; from ingest.workbook.reader import read_workbook\n"
        "try:\n    read_workbook(sys.argv[1])\nexcept Exception as exc:\n    print(type(exc).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=REPO_ROOT, timeout=120, capture_output=True
    )
    assert done.returncode == 0, done.stderr[-500:]


def test_more_cell_tags_than_a_sheet_may_hold_is_refused(tmp_path):
    from ingest.workbook.reader import read_workbook
    from ingest.workbook.safety import Limits, UnsafeFileError

    xml = '<row r="1">' + '<c r="A1"><v>1</v></c>' * 101 + "</row>"
    with pytest.raises(UnsafeFileError) as err:
        read_workbook(_package(tmp_path / "many.xlsx", xml), Limits(max_sheet_cells=100))
    assert err.value.code == "sheet_too_large" and "more than 100 cells" in err.value.detail


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path):
    """A writer may leave out cell references: each such cell sits in its row, one column after the cell
    before it. A sheet of them is read (300 rows × 20 columns), and a few of them in a far row are bounded
    by that row, not by their count: 900,000 rows × 3 columns is refused before calamine allocates it."""
    from ingest.workbook.reader import read_workbook
    from ingest.workbook.safety import UnsafeFileError

    cells = "".join("<c><v>1</v></c>" for _ in range(20))
    rows = "".join(f'<row r="{r}">{cells}</row>' for r in range(1, 301))
    sheet = read_workbook(_package(tmp_path / "no-refs.xlsx", rows))["S"]
    assert (sheet.max_row, len(sheet.cells)) == (299, 6000)
    far = '<row r="900000"><c><v>1</v></c><c><v>1</v></c><c><v>1</v></c></row>'
    with pytest.raises(UnsafeFileError) as err:
        read_workbook(_package(tmp_path / "far-row.xlsx", far))
    assert err.value.code == "sheet_too_large" and "C900000" in err.value.detail


@pytest.mark.parametrize("style", [" s='1'", ' s = "1"', '\ns="1"'])
def test_a_percent_format_is_seen_however_its_style_is_spelled(tmp_path, style):
    """98,5% typed in Excel is the number 0.985 in a %-formatted cell: the format must be seen whatever
    spelling of the style attribute the writer used, or the value would load 100 times too small."""
    from ingest.workbook.reader import read_workbook

    styles = '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="10"/></cellXfs>'
    xml = f'<row r="1"><c r="A1"{style}><v>0.985</v></c><c r="B1" s="0"><v>2</v></c></row>'
    sheet = read_workbook(_package(tmp_path / "pct.xlsx", xml, styles=styles))["S"]
    assert sheet.formats == {(0, 0): "percent"} and sheet.cells == {(0, 0): 0.985, (0, 1): 2.0}


def test_a_sheet_written_with_a_namespace_prefix_is_scanned_like_any_other(tmp_path):
    """SpreadsheetML may be written with a prefix (`<x:c>`), which calamine reads as usual: its far cell
    is refused before the dense read, and its uncached formula is kept, not dropped as an empty cell."""
    import pytest

    from ingest.workbook.numbers import UncachedFormula
    from ingest.workbook.reader import read_workbook
    from ingest.workbook.safety import UnsafeFileError

    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    far = (
        f'<x:row {ns} r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
        f'<x:row {ns} r="900000"><x:c r="XFD900000"><x:v>1</x:v></x:c></x:row>'
    )
    with pytest.raises(UnsafeFileError) as err:
        read_workbook(_package(tmp_path / "prefixed-far.xlsx", far))
    assert err.value.code == "sheet_too_large" and "XFD900000" in err.value.detail
    formula = f'<x:row {ns} r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="B1"><x:f>A1*2</x:f></x:c></x:row>'
    sheets = read_workbook(_package(tmp_path / "prefixed-formula.xlsx", formula))
    assert sheets["S"].cells == {(0, 0): 1.0, (0, 1): UncachedFormula("=A1*2")}


def test_far_empty_styled_cell_is_no_data(tmp_path):
    """Formatting a far cell without typing in it is harmless: the sheet is read (one cell)."""
    from ingest.workbook.reader import read_workbook

    xml = '<row r="1"><c r="A1"><v>7</v></c></row><row r="20000"><c r="XFD20000" s="1"/></row>'
    sheets = read_workbook(_package(tmp_path / "styled.xlsx", xml))
    assert sheets["S"].cells == {(0, 0): 7.0}


def test_shared_strings_budget(tmp_path):
    import pytest

    from ingest.workbook.reader import read_workbook
    from ingest.workbook.safety import Limits, UnsafeFileError

    path = _package(
        tmp_path / "s.xlsx", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', "<si><t>a</t></si>" * 3
    )
    with pytest.raises(UnsafeFileError) as err:
        read_workbook(path, Limits(max_shared_strings=2))
    assert err.value.code == "too_many_strings"
    assert read_workbook(path)["S"].cells == {(0, 0): "a"}


def test_warehouse_of_an_older_version_gains_the_new_columns(tmp_path, reference):
    """Shapes only grow: an audit table without `reason_code` gets it, and a rejection recorded before
    (code only in its message) stays permanent."""
    from ingest.inbox import file_fingerprint
    from ingest.warehouse import INGEST_TABLES, create_table_sql

    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\0" * 200)
    wh = tmp_path / "wh" / "t.duckdb"
    wh.parent.mkdir()
    old = {k: v for k, v in INGEST_TABLES["audit.submissions"].items() if k != "reason_code"}
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema audit")
        con.execute(create_table_sql("audit.submissions", old))
        con.execute(
            "insert into audit.submissions (submission_id, file_name, sha256, status, message) values "
            "('s0', 'hong.xlsx', ?, 'rejected', 'Tệp hỏng (mã lỗi: corrupt; chi tiết: x)')",
            [file_fingerprint(broken)],
        )
    summary = ingest_paths([broken], wh, reference=reference)
    assert summary.results[0].status == "duplicate"
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute(
            "select reason_code from audit.submissions where submission_id = 's0'"
        ).fetchone() == ("corrupt",)
        columns = {r[0] for r in con.execute("describe raw.indicator_values").fetchall()}
    assert "value_qualifier" in columns


def test_the_instructions_sheet_is_accounted_and_a_figure_typed_there_is_not_dropped(
    tan_yen_template, tmp_path, reference
):
    """The template's own instructions (text, and the catalog factors beside the indicator names) are
    labels; a figure an officer types on that sheet is quarantined, never silently ignored."""
    import openpyxl

    from ingest.workbook.layout import INSTRUCTIONS_SHEET
    from ingest.workbook.parse import parse_workbook

    clean = fill(tan_yen_template, tmp_path / "clean.xlsx", {("Thị trấn Nhã Nam", "F"): 90})
    parsed = parse_workbook(clean, reference)
    guide = openpyxl.load_workbook(clean)[INSTRUCTIONS_SHEET]
    guide_cells = sum(1 for row in guide.iter_rows() for c in row if c.value not in (None, ""))
    assert guide_cells > 10 and not parsed.quarantine
    typed = tmp_path / "typed.xlsx"
    wb = openpyxl.load_workbook(clean)
    wb[INSTRUCTIONS_SHEET]["B3"] = 98.5
    wb[INSTRUCTIONS_SHEET]["C4"] = "97,2"
    wb.save(typed)
    again = parse_workbook(typed, reference)
    assert again.cells_read == parsed.cells_read + 2
    held = {(q["sheet"], q["cell"], q["reason_code"]) for q in again.quarantine}
    assert held == {
        (INSTRUCTIONS_SHEET, "B3", "outside_data_area"),
        (INSTRUCTIONS_SHEET, "C4", "outside_data_area"),
    }
