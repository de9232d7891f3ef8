"""Turn one workbook's data sheet into value rows and quarantine rows, accounting for every cell.

Accounting (exact, asserted): the cells counted are the non-empty cells of the data rows, i.e. every row
below the header row of the data sheet. Each such cell is exactly one of
- `label`: STT / Mã địa bàn / Tên địa bàn of a row whose locality (or totals label) was understood;
- `loaded`: a Tử số / Mẫu số / Giá trị cell that went into a `raw.indicator_values` row;
- `not_reported`: a "-" (or similar) the agency typed for "no data";
- `quarantined`: one `audit.quarantine` row per cell, with a reason code.
So `cells_read = label + loaded + not_reported + quarantined`. Title rows, header rows, the instructions and
the hidden identity sheet are not data and are not counted. A value row combines up to three cells, so
`values_loaded` (rows) ≤ `cells_loaded`. The task sheet ("Nhiệm vụ", task_sheet.py) is counted the same way
and its counts are added in, so one file has one accounting whatever sheets it has.

A plan with tasks but no numeric targets (Lai Châu 2020, Kon Tum 2024) sends a workbook with the task sheet
only; a sector that leads indicators must still send its data sheet (else `no_header`), and a file that
has lost its task sheet still loads its values (older templates have none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ingest.workbook.context import Reference, reporting_date
from ingest.workbook.identity import Identity, header_codes, identify
from ingest.workbook.layout import Layout, find_layout
from ingest.workbook.numbers import NumberParseError, ParsedNumber, parse_number, raw_text
from ingest.workbook.reader import SheetCells, cell_ref, read_workbook
from ingest.workbook.reasons import reason_vi
from ingest.workbook.task_sheet import TaskLayout, TaskParse, find_task_layout, parse_task_sheet

UNIT_MARKS = {"percent": "percent", "per_1000_live_births": "per_mille"}


class RejectedFile(Exception):
    """The whole file cannot be loaded; `code` is a reasons.py code."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class Parsed:
    identity: Identity
    layout: Layout | None
    values: list[dict] = field(default_factory=list)
    task_reports: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    rows_read: int = 0
    cells_read: int = 0
    cells_label: int = 0
    cells_loaded: int = 0
    cells_not_reported: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def cells_quarantined(self) -> int:
        return len(self.quarantine)

    def add_tasks(self, tasks: TaskParse) -> None:
        """Fold the task sheet's rows and cells into this file's accounting."""
        self.task_reports.extend(tasks.reports)
        self.quarantine.extend(tasks.quarantine)
        self.rows_read += tasks.rows_read
        self.cells_read += tasks.cells_read
        self.cells_label += tasks.cells_label
        self.cells_loaded += tasks.cells_loaded
        self.cells_not_reported += tasks.cells_not_reported

    def check(self) -> None:
        total = self.cells_label + self.cells_loaded + self.cells_not_reported + self.cells_quarantined
        assert self.cells_read == total, f"accounting: read {self.cells_read} != {total}"
        assert len(self.values) + len(self.task_reports) <= self.cells_loaded


def rate_tolerance(computed: float) -> float:
    """Agencies round to one decimal: accept half a unit of that, or 0.5 % of the value if larger."""
    return max(0.051, 0.005 * abs(computed))


class _SheetParser:
    def __init__(self, ref: Reference, identity: Identity, layout: Layout):
        self.ref, self.identity, self.layout = ref, identity, layout
        self.sheet: SheetCells = layout.sheet
        self.territory = identity.territory_id or ref.territory(identity.plan_id)
        self.on_date = reporting_date(identity.year)
        self.out = Parsed(identity, layout)
        self.seen: dict[str, int] = {}
        self.info = {c: ref.indicators.loc[c].to_dict() for c in layout.indicator_columns()}

    # -- helpers -------------------------------------------------------------------------------------
    def quarantine(self, row: int, col: int, value: object, code: str, message: str | None = None) -> None:
        self.out.quarantine.append(
            {
                "sheet": self.sheet.name,
                "cell": cell_ref(row, col),
                "raw_value": raw_text(value),
                "reason_code": code,
                "reason_vi": message or reason_vi(code),
            }
        )

    def resolve(self, cells: dict[int, object]) -> tuple[str | None, bool, str | None]:
        """(locality_id, is_total_row, error message) for one data row."""
        from ingest.localities import LocalityResolutionError, is_total_label

        lay = self.layout
        labels = {c: cells.get(c) for c in (lay.stt_col, lay.name_col, lay.code_col) if c is not None}
        if any(is_total_label(v) for v in labels.values() if isinstance(v, str)):
            return self.territory, True, None
        found: dict[str, str] = {}
        errors: list[str] = []
        for col in (lay.code_col, lay.name_col):
            text = cells.get(col) if col is not None else None
            if text is None:
                continue
            text = raw_text(text).strip()
            try:
                found[str(col)] = self.ref.resolver.resolve(text, self.territory, self.on_date)
            except LocalityResolutionError as exc:
                errors.append(exc.message_vi)
        ids = set(found.values())
        if len(ids) == 1:
            return ids.pop(), False, None
        if len(ids) > 1:
            return None, False, "Mã địa bàn và tên địa bàn không khớp nhau: " + ", ".join(sorted(ids))
        if not errors:
            return None, False, "Dòng không ghi tên hoặc mã địa bàn"
        return None, False, errors[-1]

    # -- rows ----------------------------------------------------------------------------------------
    def parse(self) -> Parsed:
        lay = self.layout
        for r, cells in sorted(self.sheet.rows().items()):
            if r < lay.first_data_row:
                continue
            self.out.rows_read += 1
            self.out.cells_read += len(cells)
            self.parse_row(r, cells)
        self.out.check()
        return self.out

    def parse_row(self, r: int, cells: dict[int, object]) -> None:
        lay = self.layout
        label_cells = {c: v for c, v in cells.items() if c in lay.label_cols}
        measure_cells = {c: v for c, v in cells.items() if c in lay.measures}
        other = {c: v for c, v in cells.items() if c not in lay.label_cols and c not in lay.measures}
        for c, v in other.items():
            self.quarantine(r, c, v, "outside_data_area")
        locality_id, is_total, error = self.resolve(cells)
        if locality_id is None and not measure_cells and not label_cells:
            return
        if locality_id is not None and not is_total:
            if locality_id in self.seen:
                error = f"Địa bàn đã có ở dòng {self.seen[locality_id] + 1}; mỗi địa bàn chỉ ghi một dòng"
                locality_id = None
            else:
                self.seen[locality_id] = r
        if locality_id is None:
            code = "duplicate_row" if error and error.startswith("Địa bàn đã có") else "unknown_locality"
            for c, v in {**label_cells, **measure_cells}.items():
                self.quarantine(r, c, v, code, f"{reason_vi(code)}: {error}")
            return
        self.out.cells_label += len(label_cells)
        for c, v in measure_cells.items():
            if lay.measures[c].indicator_code is None:
                self.quarantine(r, c, v, "unknown_indicator")
        for code, roles in lay.indicator_columns().items():
            present = {role: (col, cells[col]) for role, col in roles.items() if col in cells}
            if present:
                self.parse_triple(r, code, present, locality_id, is_total)

    def parse_triple(
        self, r: int, code: str, present: dict[str, tuple[int, object]], locality_id: str, is_total: bool
    ) -> None:
        ind = self.info[code]
        unit, factor = ind["unit"], float(ind["factor"] or 1)
        parsed: dict[str, tuple[int, object, ParsedNumber]] = {}
        for role, (col, value) in present.items():
            try:
                number = parse_number(value)
            except NumberParseError as exc:
                self.quarantine(r, col, value, exc.code)
                continue
            if number.value is None:
                self.out.cells_not_reported += 1
                continue
            if number.unit_mark and (role != "value" or UNIT_MARKS.get(unit) != number.unit_mark):
                self.quarantine(r, col, value, "unit_mismatch")
                continue
            if number.comparator and role != "value":
                self.quarantine(r, col, value, "unparseable_number")
                continue
            parsed[role] = (col, value, number)
        if not parsed:
            return

        def reject(reason: str) -> None:
            for col, value, _ in parsed.values():
                self.quarantine(r, col, value, reason)

        num = parsed["numerator"][2].value if "numerator" in parsed else None
        den = parsed["denominator"][2].value if "denominator" in parsed else None
        val = parsed["value"][2].value if "value" in parsed else None
        if num is not None and den is not None:
            if den == 0:
                return reject("zero_denominator")
            if bool(ind.get("numerator_le_denominator")) and num > den:
                return reject("numerator_exceeds_denominator")
            computed = num / den * factor
            if val is None:
                val = round(computed, 6)
            elif abs(val - computed) > rate_tolerance(computed):
                return reject("inconsistent_rate")
        elif val is None:
            return reject("incomplete_rate")
        if unit == "percent" and bool(ind.get("numerator_le_denominator")) and val > 100 + 1e-9:
            return reject("out_of_range")
        if math.isnan(val):
            return reject("unparseable_number")
        anchor = parsed.get("value") or parsed.get("numerator") or parsed.get("denominator")
        if "value" in parsed:
            raw = raw_text(parsed["value"][1])
        else:
            raw = f"{raw_text(parsed['numerator'][1])}/{raw_text(parsed['denominator'][1])}"
        self.out.cells_loaded += len(parsed)
        self.out.values.append(
            {
                "indicator_code": code,
                "locality_id": locality_id,
                "value": float(val),
                "numerator": num,
                "denominator": den,
                "is_total_row": is_total,
                "sheet": self.sheet.name,
                "cell": cell_ref(r, anchor[0]),
                "raw_value": raw,
            }
        )


def parse_workbook(path: Path, ref: Reference) -> Parsed:
    """Read, identify, find the layout and parse; raise RejectedFile for whole-file problems."""
    try:
        sheets = read_workbook(path)
    except Exception as exc:  # calamine raises several types for broken packages
        raise RejectedFile("corrupt", f"{type(exc).__name__}: {exc}") from exc
    identity = identify(path, sheets, ref.plan_territory_names())
    if not identity.complete or identity.plan_id not in ref.plans.index:
        raise RejectedFile("unknown_identity", f"{identity}")
    if not identity.territory_id:
        identity.territory_id = ref.territory(identity.plan_id)
    codes = ref.sector_indicators(identity.plan_id, identity.sector)
    tasks = ref.sector_tasks(identity.plan_id, identity.sector)
    if not codes and tasks.empty:
        raise RejectedFile(
            "unknown_identity", f"{identity.plan_id}/{identity.sector}: no indicators and no tasks"
        )
    task_layout: TaskLayout | None = find_task_layout(sheets) if not tasks.empty else None
    exclude = {task_layout.sheet.name} if task_layout else set()
    layout = None
    if codes:
        layout = find_layout(sheets, header_codes(sheets), ref.indicator_names(codes), exclude)
        if layout is None or not layout.indicator_columns():
            raise RejectedFile(
                "no_header", "no sheet with Tử số/Mẫu số/Giá trị labels matching the indicators"
            )
    elif task_layout is None:
        raise RejectedFile("no_task_sheet", "no sheet with Mã nhiệm vụ / Tình trạng headers")
    parsed = _SheetParser(ref, identity, layout).parse() if layout is not None else Parsed(identity, None)
    if task_layout is not None:
        plan_tasks = ref.plan_tasks(identity.plan_id)
        texts = dict(zip(plan_tasks["task_id"], plan_tasks["text_vi"], strict=True))
        parsed.add_tasks(parse_task_sheet(task_layout, texts, int(identity.year)))
        parsed.check()
    parsed.notes.extend(identity.notes)
    if layout is not None and layout.unmatched_headers:
        parsed.notes.append("unmatched headers: " + "; ".join(layout.unmatched_headers))
    return parsed
