"""The feedback workbook an agency gets back: what to fix, where, and how -- one line per row and problem.

Why it looks the way it does: an officer fixes a sheet row by row, so a misspelt commune is ONE line listing
its cells (not one line per cell), with the closest official names of the territory; a ratio that does not
match its numerator and denominator shows the value they give; nothing shows an internal id (`vn2008:216`),
only Vietnamese names. It is written after validation, so it carries the data-quality findings (errors and
warnings) as well as the cells the ingest could not load, and for a rejected file the reason and the fix.

Every cell goes through the one injection-safe writer (`reports.safety.write_cell`): agency text such as
`=HYPERLINK(...)` comes back as text, never as a live formula. The file name is the original stem plus the
first 8 hex digits of the file's content hash, so two `bao_cao.xlsx` from different folders never overwrite
each other, and a regenerated feedback replaces the earlier one of the same submission.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from expectations.report import SEVERITY_VI
from ingest.warehouse import CURRENT_SUBMISSIONS
from ingest.workbook.reasons import REASONS
from ingest.workers import map_in_workers
from reports import safety
from reports.safety import write_cell

KIND_VI = {
    "quarantine": "Chưa ghi nhận",
    "file": "Từ chối tệp",
    **SEVERITY_VI,
    "note": "Lưu ý",
}  # error, warning: the DQ report's
KIND_ORDER = {"file": 0, "quarantine": 1, "error": 2, "warning": 3, "note": 4}
HEADER = ["Mức độ", "Trang tính", "Dòng", "Địa bàn", "Ô", "Giá trị trong ô", "Vấn đề", "Gợi ý", "Cách sửa"]
WIDTHS = (14, 12, 7, 24, 16, 24, 50, 34, 50)
HEADER_ROW = 7
FEEDBACK_SUFFIX = ".xlsx"
ROLE_VI = {"numerator": "tử số", "denominator": "mẫu số", "value": "giá trị"}

_ID = re.compile(r"\b(?:vn2008|vn2025|vn):[0-9A-Za-z]+\b")
_PAREN_ID = re.compile(r"\s*\((?:vn2008|vn2025|vn):[0-9A-Za-z]+\)")
_CODE_TAG = re.compile(r"\s*\(mã lỗi: ([a-z_]+);[^)]*\)")
_CELL = re.compile(r"^([A-Z]+)([0-9]+)$")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="FCE4D6")
_WRAP = Alignment(wrap_text=True, vertical="top")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_KIND_FILL = {
    "file": PatternFill("solid", fgColor="F8CBAD"),
    "quarantine": PatternFill("solid", fgColor="FFE699"),
    "error": PatternFill("solid", fgColor="F8CBAD"),
    "warning": PatternFill("solid", fgColor="DDEBF7"),
    "note": PatternFill("solid", fgColor="E2EFDA"),
}


@dataclass
class Finding:
    """One line of the feedback: one problem of one row (or of the whole file)."""

    kind: str  # file | quarantine | error | warning | note (a superseded file's values now missing)
    problem: str
    fix: str = ""
    sheet: str | None = None
    row: int | None = None
    locality: str = ""
    cells: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    suggestion: str = ""


@dataclass
class Feedback:
    """Everything the feedback of one submission says; `ready` is what `treem check` reports."""

    file_name: str
    sha256: str
    status: str  # loaded | rejected
    title: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def cells_to_fix(self) -> int:
        """Distinct cells not loaded or failing an error-severity check; a whole-file error (a missing
        indicator) counts as one."""
        return len(
            {(f.sheet, c) for f in self.findings if f.kind in ("quarantine", "error") for c in f.cells}
            | {(None, i) for i, f in enumerate(self.findings) if f.kind == "error" and not f.cells}
        )

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.kind == "warning")

    @property
    def ready(self) -> bool:
        """Nothing refused and no error: warnings do not block, as they do not keep a value out of the
        marts either (expectations/config.yaml)."""
        return self.status != "rejected" and not any(f.kind in ("quarantine", "error") for f in self.findings)

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (KIND_ORDER[f.kind], f.sheet or "", f.row or 0, f.problem))


# --- names, not ids ------------------------------------------------------------------------------------


def humanise(text: str, names: dict[str, str]) -> str:
    """Replace internal locality ids by Vietnamese names; drop an id that only annotates a name."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    text = _CODE_TAG.sub("", text)
    text = _PAREN_ID.sub("", text)
    return _ID.sub(lambda m: names.get(m.group(0), "địa bàn"), text)


def closest_names(ref, text: str, territory_id: str, on_date, n: int = 3) -> list[str]:
    """The official names within the territory closest to a written one (difflib over folded names)."""
    from ingest.localities.normalize import fold, split_official

    if not isinstance(text, str) or not text.strip() or territory_id not in ref.localities.index:
        return []
    scope = ref.resolver.scope(territory_id, on_date)
    names = ref.localities["name_vi"]
    keys: dict[str, list[str]] = {}
    for unit in scope:
        if unit in names.index and unit != territory_id:
            keys.setdefault(split_official(names[unit])[1], []).append(names[unit])
    written = split_official(text)[1] or fold(text)
    hits = difflib.get_close_matches(written, list(keys), n=n, cutoff=0.5)
    return [name for key in hits for name in sorted(set(keys[key]))][:n]


def _split_cell(cell: str) -> tuple[str, int]:
    match = _CELL.match(cell or "")
    return (match.group(1), int(match.group(2))) if match else ("", 0)


def _fmt(value) -> str:
    from expectations.checks import fmt_number

    return fmt_number(value)


# --- findings from the ingest's quarantine ----------------------------------------------------------------


def quarantine_findings(
    rows: list[dict],
    ref=None,
    territory_id: str | None = None,
    year: int | None = None,
    roles: dict[tuple[str, str], tuple[str, str]] | None = None,
    row_names: dict[tuple[str, int], str] | None = None,
    names: dict[str, str] | None = None,
) -> list[Finding]:
    """Quarantine rows (sheet, cell, raw_value, reason_code, reason_vi) grouped by sheet x row x reason.

    `roles` maps (sheet, column letter) to (indicator_code, role): with it a ratio mismatch shows the value
    its numerator and denominator give. `row_names` maps (sheet, row) to the locality's name when other
    cells of the row were loaded.
    """
    names = names or {}
    groups: dict[tuple, list[dict]] = {}
    for q in rows:
        letter, row = _split_cell(q["cell"])
        groups.setdefault((q["sheet"], row, q["reason_code"]), []).append(q)
    out = []
    for (sheet, row, code), cells in groups.items():
        reason = REASONS.get(code)
        problem = humanise(cells[0]["reason_vi"] or (reason.reason_vi if reason else code), names)
        finding = Finding(
            kind="quarantine",
            problem=problem,
            fix=reason.fix_vi if reason else "",
            sheet=sheet,
            row=row or None,
            cells=[c["cell"] for c in cells],
            values=[f"{c['cell']}: {c['raw_value']}" for c in cells],
            locality=(row_names or {}).get((sheet, row), ""),
        )
        if code in ("unknown_locality", "duplicate_row"):
            written = _written_name(cells)
            finding.locality = written or finding.locality
            if code == "unknown_locality" and ref is not None and territory_id and year:
                from ingest.workbook.context import reporting_date

                near = closest_names(ref, written, territory_id, reporting_date(int(year)))
                territory = names.get(territory_id, "địa bàn báo cáo")
                finding.problem = (
                    f'Không tìm thấy địa bàn "{written}" trong {territory}; '
                    f"{len(cells)} ô của dòng chưa được ghi nhận."
                    if written
                    else problem
                )
                if near:
                    finding.suggestion = "Có phải là: " + "; ".join(near) + "?"
        if code == "inconsistent_rate" and ref is not None and roles:
            finding.suggestion = _computed_from_cells(cells, ref, roles)
        out.append(finding)
    return out


def _written_name(cells: list[dict]) -> str:
    """The locality as the agency wrote it: the longest text cell of the row that is not a number."""
    from ingest.workbook.numbers import NumberParseError, parse_number

    texts = []
    for c in cells:
        raw = c.get("raw_value")
        if not isinstance(raw, str) or not raw.strip():
            continue
        try:
            parse_number(raw)
        except NumberParseError:
            texts.append(raw.strip())
    return max(texts, key=len) if texts else ""


def _computed_from_cells(cells: list[dict], ref, roles) -> str:
    """numerator / denominator x factor of each indicator whose three cells were quarantined together."""
    from ingest.workbook.numbers import NumberParseError, parse_number

    by_code: dict[str, dict[str, float]] = {}
    for c in cells:
        letter, _ = _split_cell(c["cell"])
        code_role = roles.get((c["sheet"], letter))
        if not code_role:
            continue
        try:
            number = parse_number(c["raw_value"]).value
        except NumberParseError:
            continue
        if number is not None:
            by_code.setdefault(code_role[0], {})[code_role[1]] = number
    parts = []
    for code, got in by_code.items():
        if got.get("denominator") and got.get("numerator") is not None and code in ref.indicators.index:
            factor = float(ref.indicators.at[code, "factor"] or 1)
            parts.append(_ratio_text(got["numerator"], got["denominator"], factor))
    return "; ".join(parts)


def _ratio_text(numerator: float, denominator: float, factor: float) -> str:
    value = round(numerator / denominator * factor, 2)
    return (
        f"Giá trị tính từ tử số / mẫu số: {_fmt(numerator)} / {_fmt(denominator)} × {_fmt(factor)} = "
        f"{_fmt(value)}"
    )


# --- findings from data quality ---------------------------------------------------------------------------

# Every query reads the submissions of a batch at once (`_fb_ids`): a national backfill regenerates the
# feedback of thousands of submissions, and one scan of raw.indicator_values per submission would dominate.
DQ_SQL = """
select f.submission_id, f.severity, f.check_name, f.detail, f.indicator_code, f.locality_id, f.year,
       v.sheet, v.cell, v.raw_value, v.value, v.numerator, v.denominator
from dq.flagged_values f
left join raw.indicator_values v
  on v.submission_id = f.submission_id and v.indicator_code is not distinct from f.indicator_code
 and v.locality_id is not distinct from f.locality_id and v.year is not distinct from f.year
where f.submission_id in (select submission_id from _fb_ids)
order by f.submission_id, v.sheet, v.cell, f.check_name
"""

SUBMISSION_CHECKS_SQL = """
select c.submission_id, c.check_name, c.severity, c.unexpected_sample
from dq.check_results c
where c.submission_id in (select submission_id from _fb_ids) and not c.success
  and not exists (select 1 from dq.flagged_values f
                  where f.submission_id = c.submission_id and f.check_name = c.check_name)
order by c.submission_id, c.check_name
"""

SUBMISSIONS_SQL = f"""
select submission_id, file_name, sha256, status, message, plan_id, sector, year, locality_id
from {CURRENT_SUBMISSIONS} as current where submission_id in (select submission_id from _fb_ids)
"""

QUARANTINE_SQL = """
select submission_id, sheet, cell, raw_value, reason_code, reason_vi
from audit.quarantine where submission_id in (select submission_id from _fb_ids)
order by submission_id, rowid  -- the order the reader met the cells: row by row, left to right
"""

# The locality of each row that has quarantined cells, from the row's cells that were loaded.
ROW_LOCALITY_SQL = """
with rows as (
    select distinct submission_id, sheet, regexp_extract(cell, '[0-9]+$') as row_no
    from audit.quarantine where submission_id in (select submission_id from _fb_ids)
)
select v.submission_id, v.sheet, v.cell, any_value(v.locality_id)
from raw.indicator_values v
join rows r on r.submission_id = v.submission_id and r.sheet is not distinct from v.sheet
 and r.row_no = regexp_extract(v.cell, '[0-9]+$')
group by all
"""


def dq_findings(flags: list[tuple], checks: list[tuple], ref, names: dict[str, str]) -> list[Finding]:
    """Flagged values (DQ_SQL rows without the id) grouped by sheet x row x check family, plus the failed
    submission-level checks (SUBMISSION_CHECKS_SQL rows without the id)."""
    import json

    from expectations.report import CHECK_TEXT_VI

    groups: dict[tuple, Finding] = {}
    for r in flags:
        severity, check_name, detail, code, locality_id, _year, sheet, cell, raw, value, num, den = r
        family = check_name.split(":")[0]
        title, fix = CHECK_TEXT_VI.get(family, (check_name, ""))
        _, row = _split_cell(cell or "")
        kind = "error" if severity == "error" else "warning"
        key = (sheet, row, family, kind)
        finding = groups.get(key)
        if finding is None:
            finding = groups[key] = Finding(
                kind=kind,
                problem=title,
                fix=fix,
                sheet=sheet,
                row=row or None,
                locality=names.get(locality_id, "") if locality_id else "",
            )
        indicator = _indicator_name(ref, code)
        line = f"{indicator}: {humanise(detail, names)}" if indicator else humanise(detail, names)
        if line not in finding.problem:
            finding.problem += "\n" + line
        if cell and cell not in finding.cells:
            finding.cells.append(cell)
            finding.values.append(f"{cell}: {raw}")
        if family == "value_matches_ratio" and num is not None and den and code in ref.indicators.index:
            text = _ratio_text(num, den, float(ref.indicators.at[code, "factor"] or 1))
            finding.suggestion = "\n".join(filter(None, [finding.suggestion, text]))
    out = list(groups.values())
    for check_name, severity, sample in checks:
        family = check_name.split(":")[0]
        title, fix = CHECK_TEXT_VI.get(family, (check_name, ""))
        items = json.loads(sample) if isinstance(sample, str) else []
        listed = "; ".join(_name_codes(ref, humanise(item, names)) for item in items)
        out.append(
            Finding(
                kind="error" if severity == "error" else "warning",
                problem=f"{title}: {listed}" if listed else title,
                fix=fix,
            )
        )
    return out


def _indicator_name(ref, code) -> str:
    if ref is None or not isinstance(code, str) or code not in ref.indicators.index:
        return ""
    return str(ref.indicators.at[code, "name_vi"])


def _name_codes(ref, text: str) -> str:
    """Replace indicator codes (INFANT_MORTALITY) in a submission-level sample by their names."""
    if ref is None:
        return text
    return re.sub(
        r"\b[A-Z][A-Z0-9_]{3,}\b",
        lambda m: _indicator_name(ref, m.group(0)) or m.group(0),
        text,
    )


# --- one submission, from a warehouse ---------------------------------------------------------------------


def locality_names(ref) -> dict[str, str]:
    """locality_id -> Vietnamese name, built once per reference (14,000 units; feedback is per file)."""
    cached = ref._cache.get("feedback_names") if hasattr(ref, "_cache") else None
    if cached is None:
        cached = ref.localities["name_vi"].astype(str).to_dict()
        if hasattr(ref, "_cache"):
            ref._cache["feedback_names"] = cached
    return cached


def collect(con, submission_id: str, ref, roles=None) -> Feedback:
    """The feedback of one submission from a warehouse connection (audit, raw and dq tables)."""
    return collect_many(con, [submission_id], ref, {submission_id: roles or {}})[submission_id]


def collect_many(con, submission_ids: list[str], ref, roles: dict | None = None) -> dict[str, Feedback]:
    """The feedback of each submission, read with one query per table for the whole batch.

    `roles`: per submission, (sheet, column letter) -> (indicator_code, role) of its data sheet.
    """
    import pandas as pd

    names = locality_names(ref)
    con.register("_fb_ids", pd.DataFrame({"submission_id": pd.Series(submission_ids, dtype="object")}))
    try:
        subs = con.execute(SUBMISSIONS_SQL).fetchall()
        quarantine = _by_submission(con.execute(QUARANTINE_SQL).fetchall())
        located = con.execute(ROW_LOCALITY_SQL).fetchall() if quarantine else []
        flags = _by_submission(con.execute(DQ_SQL).fetchall())
        checks = _by_submission(con.execute(SUBMISSION_CHECKS_SQL).fetchall())
    finally:
        con.unregister("_fb_ids")
    row_names: dict[str, dict[tuple[str, int], str]] = {}
    for sid, sheet, cell, locality_id in located:
        row_names.setdefault(sid, {})[(sheet, _split_cell(cell)[1])] = names.get(locality_id, "")
    out: dict[str, Feedback] = {}
    for sid, file_name, sha, status, message, plan_id, sector, year, territory in subs:
        feedback = Feedback(
            file_name=file_name, sha256=sha, status="rejected" if status == "rejected" else "loaded"
        )
        out[sid] = feedback
        if status == "rejected":
            feedback.findings.append(rejection_finding(message, names))
            continue
        if territory is None and plan_id in ref.plans.index:
            territory = ref.territory(plan_id)
        feedback.title = title_line(sector, territory, year, names)
        rows = [
            dict(zip(("sheet", "cell", "raw_value", "reason_code", "reason_vi"), r, strict=True))
            for r in quarantine.get(sid, [])
        ]
        feedback.findings += quarantine_findings(
            rows, ref, territory, year, (roles or {}).get(sid), row_names.get(sid, {}), names
        )
        feedback.findings += dq_findings(flags.get(sid, []), checks.get(sid, []), ref, names)
        vanished = vanished_finding(message, ref)
        if vanished is not None:
            feedback.findings.append(vanished)
    return out


def _by_submission(rows: list[tuple]) -> dict[str, list[tuple]]:
    """Rows whose first column is the submission id, grouped by it (the id dropped)."""
    out: dict[str, list[tuple]] = {}
    for row in rows:
        out.setdefault(row[0], []).append(tuple(row[1:]))
    return out


def title_line(sector: str | None, territory: str | None, year: int | None, names: dict[str, str]) -> str:
    """'Ngành Y tế — Huyện Tân Yên — năm 2023': whose report this is, in words."""
    from ingest.workbook.identity import SECTOR_VI

    parts = [
        f"Ngành {SECTOR_VI.get(sector, sector)}" if sector else "",
        names.get(territory, "") if territory else "",
        f"năm {year}" if year else "",
    ]
    return " — ".join(p for p in parts if p)


def rejection_finding(message: str | None, names: dict[str, str] | None = None) -> Finding:
    """A rejected file: the reason and the fix from reasons.py, without the internal code tag."""
    match = _CODE_TAG.search(message or "")
    reason = REASONS.get(match.group(1)) if match else None
    if reason:
        return Finding(kind="file", problem=reason.reason_vi, fix=reason.fix_vi)
    return Finding(kind="file", problem=humanise(message or "Không tiếp nhận được tệp", names or {}))


def column_roles(layout) -> dict[tuple[str, str], tuple[str, str]]:
    """(sheet, column letter) -> (indicator_code, role) of a parsed workbook's data sheet."""
    from ingest.workbook.reader import column_letter

    if layout is None:
        return {}
    return {
        (layout.sheet.name, column_letter(col)): (m.indicator_code, m.role)
        for col, m in layout.measures.items()
        if m.indicator_code
    }


# --- the workbook ----------------------------------------------------------------------------------------


_FEEDBACK_NAME = re.compile(r"__[0-9a-f]{8}\.xlsx$")


def is_feedback_file(path: Path) -> bool:
    """A feedback workbook written by treem (so `treem check FOLDER` run twice does not check its own
    output): the name pattern and a first sheet titled 'Phản hồi'."""
    import zipfile

    if not _FEEDBACK_NAME.search(Path(path).name):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return 'name="Phản hồi"' in archive.read("xl/workbook.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def feedback_path(feedback_dir: Path | str, file_name: str, sha256: str) -> Path:
    """`<original stem>__<first 8 hex of the content hash>.xlsx`: unique per submission, stable per
    content."""
    return Path(feedback_dir) / f"{Path(file_name).stem}__{sha256[:8]}{FEEDBACK_SUFFIX}"


def content_fingerprint(feedback: Feedback) -> str:
    """What a feedback workbook says (its findings and wording) plus the code that lays it out: equal
    fingerprints, equal workbooks (but for the file's own timestamps)."""
    digest = hashlib.sha256(_code_digest())
    content = json.dumps(dataclasses.asdict(feedback), sort_keys=True, default=str, ensure_ascii=False)
    digest.update(content.encode())
    return digest.hexdigest()


@functools.cache
def _code_digest() -> bytes:
    """This module (layout, wording) and the injection-safe cell writer: new code rewrites every feedback."""
    return hashlib.sha256(b"".join(Path(m).read_bytes() for m in (__file__, safety.__file__))).digest()


_FINGERPRINT = re.compile(r"<dc:identifier>([0-9a-f]{64})</dc:identifier>")


def written_fingerprint(path: Path) -> str | None:
    """The fingerprint stored in a feedback workbook's document properties (None: no such file, or an
    older workbook without one)."""
    try:
        with zipfile.ZipFile(path) as archive:
            found = _FINGERPRINT.search(archive.read("docProps/core.xml").decode("utf-8", "replace"))
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    return found.group(1) if found else None


def write_workbook(feedback: Feedback, out: Path) -> Path:
    """Write the feedback workbook, every cell through the injection-safe writer; its content fingerprint
    goes into the document properties (`dc:identifier`), so an unchanged feedback is not written again."""
    wb = Workbook()
    wb.properties.identifier = content_fingerprint(feedback)
    ws = wb.active
    ws.title = "Phản hồi"
    status_vi = {
        "loaded": "Đã đọc được tệp",
        "rejected": "Không tiếp nhận được tệp",
    }
    findings = feedback.sorted_findings()
    if feedback.status == "rejected":
        verdict = "Tệp bị từ chối; sửa theo hướng dẫn dưới đây rồi gửi lại."
    elif feedback.ready:
        verdict = f"Sẵn sàng gửi; có {feedback.warnings} cảnh báo nên xem lại."
    else:
        verdict = (
            f"Còn {feedback.cells_to_fix} ô cần sửa trước khi gửi; {feedback.warnings} cảnh báo nên xem lại."
        )
    lines = [
        (f"PHẢN HỒI VỀ TỆP BÁO CÁO: {feedback.file_name}", _TITLE),
        (feedback.title, None),
        (f"Kết quả: {status_vi.get(feedback.status, feedback.status)}. {verdict}", _BOLD),
        (f"Số dòng cần xem: {len(findings)}", None),
        (
            "Chưa ghi nhận: ô không đọc được, cần sửa. Lỗi: số liệu sai, không được dùng cho đến khi sửa. "
            "Cảnh báo: cần kiểm tra lại, nếu đúng thì giữ nguyên.",
            None,
        ),
    ]
    for r, (text, font) in enumerate(lines, start=1):
        write_cell(ws, r, 1, text, **({"font": font} if font else {}))
    for c, text in enumerate(HEADER, start=1):
        write_cell(ws, HEADER_ROW, c, text, font=_BOLD, fill=_HEAD_FILL, border=_BORDER, alignment=_WRAP)
    for r, f in enumerate(findings, start=HEADER_ROW + 1):
        values = [
            KIND_VI[f.kind],
            f.sheet,
            f.row,
            f.locality,
            ", ".join(f.cells),
            "; ".join(f.values),
            f.problem,
            f.suggestion,
            f.fix,
        ]
        for c, value in enumerate(values, start=1):
            style = {"border": _BORDER, "alignment": _WRAP}
            if c == 1:
                style["fill"] = _KIND_FILL[f.kind]
            write_cell(ws, r, c, value, **style)
        ws.row_dimensions[r].height = _row_height(values)
    for c, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[chr(64 + c)].width = width
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _row_height(values: list) -> float:
    """Excel and LibreOffice do not grow a row for text wrapped by openpyxl: estimate its lines."""
    lines = 1
    for value, width in zip(values, WIDTHS, strict=True):
        if value:
            per_line = max(int(width * 1.1), 1)
            lines = max(lines, sum(-(-max(len(part), 1) // per_line) for part in str(value).split("\n")))
    return 15.0 * lines + 2


def _to_write(feedback: Feedback, feedback_dir: Path | str) -> tuple[Path | None, bool]:
    """(path or None, whether it must be written): no findings removes a stale workbook; a workbook already
    saying exactly this is left as it is (data quality re-judges conflicts for every loaded file on each
    run, and rewriting thousands of unchanged workbooks cost a national year 22 s)."""
    out = feedback_path(feedback_dir, feedback.file_name, feedback.sha256)
    if not feedback.findings:
        out.unlink(missing_ok=True)
        return None, False
    return out, written_fingerprint(out) != content_fingerprint(feedback)


def save(feedback: Feedback, feedback_dir: Path | str) -> Path | None:
    """Write the feedback of a submission with something to say, or remove a stale one; the path or None."""
    out, write = _to_write(feedback, feedback_dir)
    return write_workbook(feedback, out) if write else out


def _write_job(job: tuple[Feedback, Path]) -> Path:
    return write_workbook(*job)


def write_rejection_feedback(
    feedback_dir: Path, file_name: str, message: str, *, sha256: str, reference=None
) -> Path | None:
    """The feedback of a file the ingest refused as a whole: the reason and the fix. Such a file is never
    judged, so this is its only feedback. A loaded file's feedback is written once, after validation
    (`regenerate`), with everything it has to say: an earlier first version written here at the ingest was
    replaced by that one seconds later in every run, at ~13 ms of openpyxl a file."""
    names = locality_names(reference) if reference is not None else {}
    feedback = Feedback(file_name=file_name, sha256=sha256, status="rejected")
    feedback.findings.append(rejection_finding(message, names))
    return save(feedback, feedback_dir)


# The note a loaded file's message carries when it supersedes a file whose values it lacks (written by the
# loader, read back here for the feedback): one wording for both.
VANISHED_LEAD = "Lưu ý: {n} giá trị của tệp trước không có trong tệp này nên không còn: "
VANISHED_SHOWN = 20
_VANISHED = re.compile(
    re.escape(VANISHED_LEAD).replace(re.escape("{n}"), r"(?P<n>[0-9]+)")
    + r"(?P<shown>.*?)\.(?= Đã được thay thế|$)",  # the loader's superseded note may follow
    re.DOTALL,
)


def vanished_note(vanished: list[str]) -> str:
    """' Lưu ý: N giá trị … không còn: A @ X; B @ Y.' appended to the submission's message."""
    shown = "; ".join(vanished[:VANISHED_SHOWN])
    if len(vanished) > VANISHED_SHOWN:
        shown += f"; … (+{len(vanished) - VANISHED_SHOWN})"
    return " " + VANISHED_LEAD.format(n=len(vanished)) + shown + "."


def vanished_finding(message: str | None, ref=None) -> Finding | None:
    """The values an earlier file had and this one lacks, as a line of the feedback (None: none vanished),
    each named by its indicator's Vietnamese name and its place, never by a code."""
    found = _VANISHED.search(message or "")
    if not found:
        return None
    values = []
    for part in found["shown"].split(";"):
        code, _, place = part.strip().partition(" @ ")
        if code:
            values.append(f"{_indicator_name(ref, code) or code} — {place}" if place else code)
    return Finding(
        kind="note",
        problem=f"{found['n']} giá trị của tệp gửi trước không có trong tệp này nên không còn được dùng",
        values=values,
        fix="Nếu các giá trị này vẫn đúng, bổ sung vào tệp và gửi lại.",
    )


REGENERATE_BATCH = 500  # submissions read per query batch: bounded memory at national scale


def regenerate(con, feedback_dir: Path | str, ref, submission_ids: list[str]) -> dict[str, Path | None]:
    """Rewrite the feedback of these submissions from the warehouse (after validation)."""
    import pandas as pd

    out: dict[str, Path | None] = {}
    con.register("_fb_ids", pd.DataFrame({"submission_id": pd.Series(submission_ids, dtype="object")}))
    try:
        # One query finds who has anything to say; a national backfill judges thousands of clean files.
        with_problems = {
            sid
            for (sid,) in con.execute(
                """
                select submission_id from audit.quarantine where submission_id in (select * from _fb_ids)
                union select submission_id from dq.flagged_values
                      where submission_id in (select * from _fb_ids)
                union select submission_id from dq.check_results
                      where not success and submission_id in (select * from _fb_ids)
                union select submission_id from audit.submissions
                      where (status = 'rejected' or strpos(message, ?) > 0)
                      and submission_id in (select * from _fb_ids)
                """,
                [VANISHED_LEAD.split("{n}")[1]],
            ).fetchall()
        }
        files = {
            sid: (name, sha)
            for sid, name, sha in con.execute(
                "select submission_id, file_name, sha256 from audit.submissions "
                "where submission_id in (select * from _fb_ids)"
            ).fetchall()
        }
    finally:
        con.unregister("_fb_ids")
    todo = [sid for sid in submission_ids if sid in with_problems]
    roles = archived_roles(con, todo, ref) if todo else {}
    collected = {}
    for start in range(0, len(todo), REGENERATE_BATCH):
        collected.update(collect_many(con, todo[start : start + REGENERATE_BATCH], ref, roles))
    jobs = {}
    for sid in submission_ids:
        if sid in collected:
            out[sid], write = _to_write(collected[sid], feedback_dir)
            if write:
                jobs[sid] = (collected[sid], out[sid])
        elif sid in files:  # judged clean now: an earlier feedback of the same file is stale
            feedback_path(feedback_dir, *files[sid]).unlink(missing_ok=True)
            out[sid] = None
    # openpyxl is most of the time (a national backfill writes ~2,500 workbooks): written in parallel
    for _, written in map_in_workers(_write_job, jobs.values(), preload=[__name__]):
        if isinstance(written, Exception):
            raise written
    return out


def archived_roles(con, submission_ids: list[str], ref) -> dict[str, dict]:
    """Column roles of the archived originals, read only for files where a ratio mismatch was quarantined
    (the quarantine row has the cells, not which is numerator and which denominator)."""
    from ingest.workbook.parse import RejectedFile, parse_workbook

    rows = con.execute(
        "select distinct s.submission_id, s.archived_path from audit.submissions s "
        "join audit.quarantine q using (submission_id) "
        "where q.reason_code = 'inconsistent_rate' and list_contains(?, s.submission_id)",
        [list(submission_ids)],
    ).fetchall()
    out: dict[str, dict] = {}
    for sid, archived in rows:
        if archived and Path(archived).exists():
            try:
                out[sid] = column_roles(parse_workbook(Path(archived), ref).layout)
            except (RejectedFile, OSError):
                continue
    return out
