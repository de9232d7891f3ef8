"""Deterministic sample submissions: what agencies of the numeric plans would send for 2020-2025.

Why: the pipeline, the dq suites and the reports need realistic input before real files arrive, and the
tests need known defects to prove they are caught. Every file is built by `build_template` (so it is exactly
what an agency receives) and filled like an agency would: numerators and denominators of plausible size
(live births per district ~800-3,000, per commune ~50-400), values moving from the plan's 2020 baseline
towards its 2025 target (from the target registry when present, else a generic start/end by unit and
direction), with seeded noise. Then a handful of real-world defects are applied, each listed in
`SEEDED_DEFECTS` with where it is and what must catch it (`ingest` with a reason code or outcome, or `dq`).

Task sheets ("Nhiệm vụ") are filled too, from a separate random stream per plan × task × sector (so the
numbers above do not move when tasks change): each task starts in a year after the plan was issued and is
finished a few years later or not by 2025, so statuses progress over the years ("Chưa triển khai" →
"Đang triển khai" → "Đã hoàn thành"), with a short narrative and sometimes an evidence reference; a few
status cells use accepted variants ("Hoàn thành", "Đang thực hiện") and a few tasks are left unreported.
Years before the plan was issued (2020 for the three sample plans) have no task statuses.

Reports for 2025 name vn2025 units (filed in November 2025, after the reorganisation), so the 2025 files list
communes; earlier years list vn2008 districts (Điện Biên, Bắc Ninh) or communes (Tân Yên).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import random
import re
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.workbook.context import Reference, load_reference
from ingest.workbook.task_sheet import STATUS_OPTIONS
from ingest.workbook.template import TemplateMap, build_template

SAMPLE_PLANS = ("dien-bien-2021", "bac-ninh-2021", "tan-yen-2021")
YEARS = tuple(range(2020, 2026))
BASE_TIME = dt.datetime(2026, 1, 5, 8, 0)  # file mtimes: arrival order = generation order


@dataclass
class SeededDefect:
    defect_id: str
    file_name: str
    description: str
    caught_by: str  # 'ingest' | 'dq'
    expect: str  # reason code, 'loaded', 'duplicate', 'superseded', or a dq check name
    sheet: str | None = None
    cell: str | None = None
    raw_value: str | None = None
    indicator_code: str | None = None
    locality_id: str | None = None
    year: int | None = None
    extra: dict = field(default_factory=dict)


SEEDED_DEFECTS: list[SeededDefect] = []  # filled by generate_samples (depends on reference data)

# Generic (start 2020, end 2025) when the registry has no baseline/target, by unit and direction.
GENERIC_PATH = {
    ("percent", "increase"): (78.0, 92.0),
    ("percent", "decrease"): (9.0, 6.0),
    ("per_1000_live_births", "decrease"): (24.0, 15.0),
    ("per_100000_children", "decrease"): (620.0, 540.0),
    ("count", "annual_reduction"): (30.0, 24.0),
}
# Denominator size relative to yearly live births, by indicator (default: all children ~16x births).
DENOMINATOR_PER_BIRTH = {
    "NEONATAL_MORTALITY": 1.0,
    "INFANT_MORTALITY": 1.0,
    "U5_MORTALITY": 1.0,
    "IMMUNIZATION_U1": 1.0,
    "PRESCHOOL_5Y": 1.0,
    "HIV_MTCT": 0.004,
    "IMMUNIZATION_U5": 5.0,
    "U5_UNDERWEIGHT": 5.0,
    "U5_STUNTING": 5.0,
    "U5_OVERWEIGHT_RURAL": 4.0,
    "U5_OVERWEIGHT_URBAN": 1.0,
    "BIRTH_REGISTRATION_U5": 5.0,
    "DEVELOPMENT_ON_TRACK_U5": 5.0,
    "PRIMARY_COMPLETION": 1.0,
    "PRIMARY_DROPOUT": 5.0,
    "LOWER_SECONDARY_COMPLETION": 1.0,
    "LOWER_SECONDARY_DROPOUT": 4.0,
    "SCHOOL_SANITATION": 0.02,
    "SCHOOL_PSYCH_SUPPORT": 0.02,
    "SCHOOL_DISABILITY_FRIENDLY": 0.02,
    "DISABLED_CHILDREN_EDUCATION": 0.1,
    "CHILD_FRIENDLY_COMMUNE": None,  # one per commune
    "PLAY_SPACE_COMMUNE": None,
    "SPECIAL_CIRCUMSTANCES_CARED": 0.9,
    "CHILD_ABUSE_HANDLED": 0.01,
    "DISASTER_RELIEF": 0.3,
}


_PATHS: dict[tuple[int, str, str], tuple[float, float]] = {}


def _path(ref: Reference, plan_id: str, code: str) -> tuple[float, float]:
    key = (id(ref), plan_id, code)
    if key not in _PATHS:
        _PATHS[key] = _compute_path(ref, plan_id, code)
    return _PATHS[key]


def _compute_path(ref: Reference, plan_id: str, code: str) -> tuple[float, float]:
    """(2020 value, 2025 value) for the plan's territory: registry baseline/target, else generic."""
    ind = ref.indicators.loc[code]
    start, end = GENERIC_PATH.get((ind["unit"], ind["direction"]), (50.0, 60.0))
    if ref.targets is not None and not ref.targets.empty:
        t = ref.targets
        hit = t[(t["plan_id"] == plan_id) & (t["indicator_code"] == code) & (t["year"] == 2025)][
            "target_value"
        ]
        if not hit.dropna().empty and ind["unit"] != "count":
            end = float(hit.dropna().iloc[0])
            # start from the other side of the target so that progress is visible
            start = end * (0.85 if ind["direction"] == "increase" else 1.35)
    baselines = ref.baselines
    if baselines is not None and not baselines.empty:
        b = baselines[(baselines["plan_id"] == plan_id) & (baselines["indicator_code"] == code)]["value"]
        if not b.dropna().empty:
            start = float(b.dropna().iloc[0])
    if ind["unit"] == "percent":
        start, end = min(start, 99.5), min(end, 99.8)
    return start, end


def _births(rng: random.Random, level: str) -> int:
    return rng.randint(800, 3000) if level == "district" else rng.randint(50, 400)


# Mortality rates are drawn as nested counts over the same live births: under-5 deaths, of which infant
# deaths, of which neonatal deaths -- so neonatal <= infant <= under-5 holds as it does in real registers.
MORTALITY_CHAIN = ("U5_MORTALITY", "INFANT_MORTALITY", "NEONATAL_MORTALITY")
UNIT_SPREAD = 0.12  # sd of a unit's stable log-odds offset from the plan's path (districts differ ~±12 %)
YEAR_SPREAD = 0.03  # sd of the yearly log-odds wobble of a unit's underlying rate (smooth trends)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _unit_offset(plan_id: str, locality_id: str, code: str) -> float:
    """A unit's stable log-odds offset for one indicator, whatever other indicators the sheet has."""
    return random.Random(f"{plan_id}/{locality_id}/{code}/offset").gauss(0, UNIT_SPREAD)


def _poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw (Knuth for small means, rounded normal for large ones)."""
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def _fill(ws, tmap: TemplateMap, ref: Reference, plan_id: str, year: int, units, rng: random.Random) -> None:
    """Fill every unit row and the Tổng cộng row with consistent numerators, denominators and values.

    A unit's underlying rate follows the plan's path from 2020 to 2025 with a stable offset of its own and a
    small yearly wobble (on the log-odds scale, so percents stay inside 0-100); the numerator is then a
    binomial draw from the denominator, so small communes are noisier than large districts, as in real
    reports. Mortality counts are nested (see MORTALITY_CHAIN); counts are Poisson; an indicator counted
    per commune (child-friendly, play space) is a status a commune reaches once and keeps.
    """
    codes = list(dict.fromkeys(code for code, _ in tmap.columns))
    info = {c: ref.indicators.loc[c] for c in codes}
    paths = {c: _path(ref, plan_id, c) for c in codes}
    totals: dict[str, list[float]] = {c: [0.0, 0.0] for c in codes}
    progress = (year - 2020) / 5
    for unit in units.itertuples():
        r = tmap.rows[unit.locality_id]
        unit_rng = random.Random(f"{plan_id}/{unit.locality_id}")  # stable per unit across years
        births = _births(unit_rng, unit.level)
        births = int(births * (1 - 0.015 * (year - 2020)) * rng.uniform(0.97, 1.03))
        mortality_offset = _unit_offset(plan_id, unit.locality_id, "mortality")
        deaths: dict[str, int] = {}
        for code in codes:
            ind = info[code]
            start, end = paths[code]
            offset = _unit_offset(plan_id, unit.locality_id, code)
            path_value = start + (end - start) * progress
            if ind["unit"] == "count":
                lam = path_value / max(len(units), 1) * math.exp(offset + rng.gauss(0, YEAR_SPREAD))
                n = _poisson(rng, lam)
                ws.cell(r, tmap.columns[(code, "value")], n)
                totals[code][0] += n
                continue
            factor = float(ind["factor"])
            if code in MORTALITY_CHAIN:
                offset = mortality_offset
            p = _expit(_logit(path_value / factor) + offset + rng.gauss(0, YEAR_SPREAD))
            per_birth = DENOMINATOR_PER_BIRTH.get(code, 16.0)
            if per_birth is None:  # communes that have reached the status: stable thresholds, monotone
                den = unit_rng.randint(10, 25) if unit.level == "district" else 1
                thresholds = random.Random(f"{plan_id}/{unit.locality_id}/{code}")
                num = sum(thresholds.random() < p for _ in range(den))
            else:
                den = max(1, round(births * per_birth))
                if code in MORTALITY_CHAIN and all(c in codes for c in MORTALITY_CHAIN):
                    num = _nested_deaths(rng, code, den, deaths, paths, factor, progress, offset)
                else:
                    num = rng.binomialvariate(den, p)
            ws.cell(r, tmap.columns[(code, "numerator")], num)
            ws.cell(r, tmap.columns[(code, "denominator")], den)
            if rng.random() < 0.7:  # most agencies also type the value, rounded to 2 decimals
                ws.cell(r, tmap.columns[(code, "value")], round(num / den * factor, 2))
            totals[code][0] += num
            totals[code][1] += den
    for code, (num, den) in totals.items():
        ind = ref.indicators.loc[code]
        if ind["unit"] == "count":
            ws.cell(tmap.total_row, tmap.columns[(code, "value")], num)
        elif den:
            ws.cell(tmap.total_row, tmap.columns[(code, "numerator")], num)
            ws.cell(tmap.total_row, tmap.columns[(code, "denominator")], den)
            ws.cell(tmap.total_row, tmap.columns[(code, "value")], round(num / den * float(ind["factor"]), 2))


def _nested_deaths(rng, code, births, deaths, paths, factor, progress, offset) -> int:
    """Deaths of `code` among `births`, the three rates of MORTALITY_CHAIN drawn together on first use.

    Under-5 deaths ~ Binomial(births, p_u5); infant deaths ~ Binomial(under-5 deaths, p_infant / p_u5);
    neonatal ~ Binomial(infant deaths, p_neonatal / p_infant); one unit offset and one yearly wobble for the
    three, so they move together. `deaths` carries the draws of this unit and year.
    """
    if not deaths:
        wobble = rng.gauss(0, YEAR_SPREAD)
        outer_n, outer_p = births, 1.0
        for c in MORTALITY_CHAIN:
            start, end = paths[c]
            rate = _expit(_logit((start + (end - start) * progress) / factor) + offset + wobble)
            rate = min(rate, outer_p)
            deaths[c] = rng.binomialvariate(outer_n, rate / outer_p)
            outer_n, outer_p = deaths[c], rate
    return deaths[code]


_ACTIVITIES = (
    "tổ chức {n} hội nghị, lớp tập huấn cho {m} lượt cán bộ, cộng tác viên",
    "ban hành {k} văn bản hướng dẫn, đôn đốc các đơn vị, địa phương",
    "đăng tải {x} tin, bài truyền thông trên báo, đài và trang thông tin điện tử",
    "lồng ghép nội dung vào kế hoạch công tác năm của ngành",
    "kiểm tra, giám sát tại {k} đơn vị, địa phương",
    "phối hợp tổ chức {n} đợt truyền thông trực tiếp tại trường học, cộng đồng",
)
_EVIDENCE_ABBR = {
    "health": "SYT",
    "education": "SGDĐT",
    "justice": "STP",
    "police": "CA",
    "social_affairs": "SLĐTBXH",
    "culture": "SVHTTDL",
}


def _plan_start_year(ref: Reference, plan_id: str) -> int:
    issued = ref.plans.at[plan_id, "issued_on"] if "issued_on" in ref.plans.columns else None
    try:
        return int(str(issued)[:4])
    except (TypeError, ValueError):
        return 2021


def _fill_tasks(wb, tmap: TemplateMap, ref: Reference, plan_id: str, sector: str, year: int) -> None:
    """Status, narrative and evidence of each task, progressing deterministically over the years."""
    if not tmap.task_sheet:
        return
    ws = wb[tmap.task_sheet]
    first_year = _plan_start_year(ref, plan_id)
    if year < first_year:
        return
    cols = tmap.task_columns
    for task_id, r in tmap.task_rows.items():
        task_rng = random.Random(f"{plan_id}/{task_id}/{sector}")  # the task's own path across years
        start = first_year + task_rng.choice((0, 0, 0, 1, 1, 2))
        done = start + task_rng.randint(1, 4) if task_rng.random() < 0.8 else None
        activity = task_rng.choice(_ACTIVITIES)
        variant = task_rng.random()
        year_rng = random.Random(f"{plan_id}/{task_id}/{sector}/{year}")
        if year_rng.random() < 0.06:
            continue  # not reported this year
        n, m, k, x = (year_rng.randint(a, b) for a, b in ((2, 12), (80, 900), (2, 9), (10, 120)))
        if year < start:
            status = STATUS_OPTIONS["not_started"] if variant > 0.1 else "Chưa thực hiện"
            narrative = f"Chưa triển khai trong năm {year}; dự kiến thực hiện từ năm {start}."
        elif done is None or year < done:
            status = STATUS_OPTIONS["in_progress"] if variant > 0.1 else "Đang thực hiện"
            narrative = f"Năm {year}: " + activity.format(n=n, m=m, k=k, x=x) + "."
        else:
            status = STATUS_OPTIONS["done"] if variant > 0.1 else "Hoàn thành"
            narrative = f"Đã hoàn thành năm {done}: " + activity.format(n=n, m=m, k=k, x=x) + "."
        ws.cell(r, cols["status"], status)
        ws.cell(r, cols["narrative"], narrative)
        if year >= start and year_rng.random() < 0.5:
            abbr = _EVIDENCE_ABBR.get(sector, "UBND")
            day, month = year_rng.randint(1, 28), year_rng.randint(10, 12)
            ws.cell(
                r,
                cols["evidence"],
                f"Báo cáo số {year_rng.randint(50, 480)}/BC-{abbr} ngày {day:02d}/{month:02d}/{year}",
            )


def _insert_rows_above(ws, n: int) -> None:
    """Insert n rows at the top keeping merged ranges (openpyxl does not move them)."""
    ranges = [str(r) for r in ws.merged_cells.ranges]
    for rng in ranges:
        ws.unmerge_cells(rng)
    ws.insert_rows(1, n)
    for rng in ranges:
        from openpyxl.worksheet.cell_range import CellRange

        cr = CellRange(rng)
        cr.shift(0, n)
        ws.merge_cells(cr.coord)
    ws.cell(1, 1, "UBND TỈNH / HUYỆN — CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    ws.cell(2, 1, "Độc lập - Tự do - Hạnh phúc")


def save_deterministic(wb, path: Path, stamp: dt.datetime = BASE_TIME) -> Path:
    """Save so that the same content gives the same bytes (and so the same sha256).

    openpyxl stamps the save time into docProps/core.xml and the zip entries; fixing both makes a
    regenerated sample inbox byte-identical, so re-running the demo finds duplicates instead of corrections.
    """
    wb.properties.created = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + iso.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return path


def _cell(ws, row: int, col: int) -> str:
    return ws.cell(row, col).coordinate


def generate_samples(
    out_dir: Path | str,
    seed: int = 2021,
    reference: Reference | None = None,
    plans: tuple[str, ...] = SAMPLE_PLANS,
    years: tuple[int, ...] = YEARS,
) -> list[Path]:
    """Write the sample inbox to `out_dir` and return the files in arrival order; fills SEEDED_DEFECTS.

    `plans` and `years` narrow the set (tests); the defects then land on other files of the same kinds.
    """
    ref = reference or load_reference()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    SEEDED_DEFECTS.clear()
    books: dict[str, tuple] = {}
    order: list[str] = []
    for plan_id in plans:
        if plan_id not in ref.plans.index:
            continue
        for sector in ref.sectors(plan_id):
            for year in years:
                wb, tmap = build_template(plan_id, sector, year, ref)
                units = ref.reporting_units(plan_id, year)
                _fill(wb.worksheets[0], tmap, ref, plan_id, year, units, rng)
                _fill_tasks(wb, tmap, ref, plan_id, sector, year)
                name = f"{plan_id.removesuffix('-2021')}_{sector}_{year}.xlsx"
                books[name] = (wb, tmap, plan_id, sector, year, units)
                order.append(name)
    _seed_defects(books, ref, rng)
    written: list[Path] = []
    for name in order:
        written.append(save_deterministic(books[name][0], out_dir / name))
    written += _seed_file_defects(books, out_dir, ref)
    for i, path in enumerate(written):  # arrival order, so corrections come after originals
        stamp = (BASE_TIME + dt.timedelta(minutes=i)).timestamp()
        os.utime(path, (stamp, stamp))
    return written


def _pick(books: dict, plan_ids: tuple[str, ...], sector: str | None, years: tuple[int, ...]) -> str | None:
    for plan_id in plan_ids:
        for year in years:
            for name, (_, _, p, s, y, _) in books.items():
                if p == plan_id and y == year and (sector is None or s == sector):
                    return name
    return None


def _first_rate(tmap: TemplateMap, ref: Reference) -> str:
    return next(
        c for c, role in tmap.columns if role == "denominator" and ref.indicators.at[c, "unit"] == "percent"
    )


def _record(**kw) -> None:
    SEEDED_DEFECTS.append(SeededDefect(**kw))


def _seed_defects(books: dict, ref: Reference, rng: random.Random) -> None:
    """In-sheet defects, each on a different file, each recorded with its expected outcome."""
    plans_any = SAMPLE_PLANS
    used: set[str] = set()

    def take(plans=plans_any, sector=None, years=(2023, 2022, 2024, 2021)) -> tuple:
        """The first unused file by preference, else any unused file, else any file (tiny sample sets)."""
        free = {k: v for k, v in books.items() if k not in used}
        name = None
        for plan_id in plans:
            name = name or _pick(free, (plan_id,), sector, years)
        name = name or _pick(free, plans, sector, YEARS) or next(iter(free), None) or next(iter(books))
        used.add(name)
        return (name, *books[name])

    # 1. "9,5" typed as text, 2. "98%": both must load as numbers.
    for defect_id, text, value in (("text_decimal_comma", "9,5", 9.5), ("percent_sign", "98%", 98.0)):
        name, wb, tmap, plan_id, sector, year, units = take(plans_any, "health")
        ws = wb.worksheets[0]
        per_mille = [c for c, _ in tmap.columns if ref.indicators.at[c, "unit"] == "per_1000_live_births"]
        code = per_mille[0] if text == "9,5" and per_mille else _first_rate(tmap, ref)
        loc = units.iloc[1]["locality_id"]
        r, c = tmap.rows[loc], tmap.columns[(code, "value")]
        for role in ("numerator", "denominator"):
            ws.cell(r, tmap.columns[(code, role)]).value = None
        ws.cell(r, c, text)
        _record(
            defect_id=defect_id,
            file_name=name,
            description=f"value typed as text '{text}'",
            caught_by="ingest",
            expect="loaded",
            sheet=wb.worksheets[0].title,
            cell=_cell(ws, r, c),
            raw_value=text,
            indicator_code=code,
            locality_id=loc,
            year=year,
            extra={"value": value},
        )
    # 3. renamed sheet.
    name, wb, tmap, plan_id, sector, year, units = take()
    wb.worksheets[0].title = "Bieu so lieu"
    _record(
        defect_id="renamed_sheet",
        file_name=name,
        description="data sheet renamed to 'Bieu so lieu'",
        caught_by="ingest",
        expect="loaded",
        sheet="Bieu so lieu",
        year=year,
    )
    # 4. two rows added above the header.
    name, wb, tmap, plan_id, sector, year, units = take()
    _insert_rows_above(wb.worksheets[0], 2)
    _record(
        defect_id="rows_above_header",
        file_name=name,
        description="2 rows inserted above the title/header",
        caught_by="ingest",
        expect="loaded",
        sheet=wb.worksheets[0].title,
        year=year,
        extra={"shift": 2},
    )
    # 5. misspelt commune (no diacritics, no code), 6. unknown commune.
    commune_plans = ("tan-yen-2021", "dien-bien-2021", "bac-ninh-2021")
    for defect_id in ("locality_without_diacritics", "unknown_locality"):
        picked = (
            take(commune_plans, None, (2023, 2022, 2021, 2024)) if "tan-yen-2021" in ref.plans.index else None
        )
        picked = picked or take(commune_plans, None, (2025,))
        name, wb, tmap, plan_id, sector, year, units = picked
        ws = wb.worksheets[0]
        row = units.iloc[2]
        r = tmap.rows[row["locality_id"]]
        ws.cell(r, 2).value = None
        if defect_id == "locality_without_diacritics":
            from ingest.workbook.identity import fold

            text = fold(row["name_vi"]).replace("thi tran ", "TT ").replace("xa ", "xa ").title()
            ws.cell(r, 3, text)
            _record(
                defect_id=defect_id,
                file_name=name,
                description=f"'{row['name_vi']}' written as '{text}'",
                caught_by="ingest",
                expect="loaded",
                sheet=wb.worksheets[0].title,
                cell=_cell(ws, r, 3),
                raw_value=text,
                locality_id=row["locality_id"],
                year=year,
            )
        else:
            ws.cell(r, 3, "Xã Hòa Bình Mới")
            _record(
                defect_id=defect_id,
                file_name=name,
                description="row renamed to a commune that does not exist",
                caught_by="ingest",
                expect="unknown_locality",
                sheet=wb.worksheets[0].title,
                cell=_cell(ws, r, 3),
                raw_value="Xã Hòa Bình Mới",
                year=year,
            )
    # 7. numerator > denominator, 8. percent above 100, 9. outlier (plausible but far from the series).
    name, wb, tmap, plan_id, sector, year, units = take()
    ws = wb.worksheets[0]
    code = _first_rate(tmap, ref)
    loc = units.iloc[0]["locality_id"]
    r = tmap.rows[loc]
    den = ws.cell(r, tmap.columns[(code, "denominator")]).value or 100
    ws.cell(r, tmap.columns[(code, "numerator")], int(den) + 17)
    ws.cell(r, tmap.columns[(code, "value")]).value = None
    _record(
        defect_id="numerator_exceeds_denominator",
        file_name=name,
        description="Tử số > Mẫu số",
        caught_by="dq",
        expect="numerator_le_denominator",
        sheet=wb.worksheets[0].title,
        cell=_cell(ws, r, tmap.columns[(code, "numerator")]),
        indicator_code=code,
        locality_id=loc,
        year=year,
    )
    name, wb, tmap, plan_id, sector, year, units = take()
    ws = wb.worksheets[0]
    code = _first_rate(tmap, ref)
    loc = units.iloc[0]["locality_id"]
    r = tmap.rows[loc]
    for role in ("numerator", "denominator"):
        ws.cell(r, tmap.columns[(code, role)]).value = None
    ws.cell(r, tmap.columns[(code, "value")], 120)
    _record(
        defect_id="percent_above_100",
        file_name=name,
        description="a percentage of 120",
        caught_by="dq",
        expect="value_range:percent",
        sheet=wb.worksheets[0].title,
        cell=_cell(ws, r, tmap.columns[(code, "value")]),
        raw_value="120",
        indicator_code=code,
        locality_id=loc,
        year=year,
    )
    name, wb, tmap, plan_id, sector, year, units = take(plans_any, "health", (2022, 2023, 2021))
    ws = wb.worksheets[0]
    code = next((c for c, _ in tmap.columns if c == "INFANT_MORTALITY"), _first_rate(tmap, ref))
    loc = units.iloc[0]["locality_id"]
    r = tmap.rows[loc]
    den_col = tmap.columns[(code, "denominator")]
    num = round((ws.cell(r, den_col).value or 1000) * (0.15 if code == "INFANT_MORTALITY" else 0.2))
    ws.cell(r, tmap.columns[(code, "numerator")], num)
    ws.cell(r, tmap.columns[(code, "value")]).value = None
    _record(
        defect_id="outlier_value",
        file_name=name,
        description="value ~6x the unit's usual level",
        caught_by="dq",
        expect="outlier",
        sheet=wb.worksheets[0].title,
        cell=_cell(ws, r, tmap.columns[(code, "numerator")]),
        indicator_code=code,
        locality_id=loc,
        year=year,
    )
    # 10. a task status outside the drop-down list (typed over the validation, or pasted).
    name, wb, tmap, plan_id, sector, year, units = take()
    ws = wb[tmap.task_sheet]
    task_id, r = next(iter(tmap.task_rows.items()))
    ws.cell(r, tmap.task_columns["status"], "Cơ bản hoàn thành")
    _record(
        defect_id="unknown_task_status",
        file_name=name,
        description="task status 'Cơ bản hoàn thành' is not one of the three options",
        caught_by="ingest",
        expect="unknown_task_status",
        sheet=ws.title,
        cell=_cell(ws, r, tmap.task_columns["status"]),
        raw_value="Cơ bản hoàn thành",
        year=year,
        extra={"task_id": task_id},
    )


def _seed_file_defects(books: dict, out_dir: Path, ref: Reference) -> list[Path]:
    """Whole-file defects: a duplicate, a corrected resubmission and a corrupt file."""
    out: list[Path] = []
    names = list(books)
    dup_src = names[0]
    dup = out_dir / f"{Path(dup_src).stem} (1).xlsx"
    dup.write_bytes((out_dir / dup_src).read_bytes())
    out.append(dup)
    _record(
        defect_id="duplicate_file",
        file_name=dup.name,
        description=f"same bytes as {dup_src}",
        caught_by="ingest",
        expect="duplicate",
        extra={"original": dup_src},
    )

    corr_src = names[1]
    wb, tmap, plan_id, sector, year, units = books[corr_src]
    ws = wb.worksheets[0]
    code, role = next(iter(tmap.columns))
    loc = units.iloc[0]["locality_id"]
    col = tmap.columns[(code, "value")]
    ws.cell(tmap.rows[loc], col).value = None
    if (code, "numerator") in tmap.columns:
        num_cell = ws.cell(tmap.rows[loc], tmap.columns[(code, "numerator")])
        num_cell.value = max(0, int(num_cell.value or 0) - 1)
    corrected = out_dir / f"{Path(corr_src).stem}_sua-doi.xlsx"
    out.append(save_deterministic(wb, corrected))
    _record(
        defect_id="corrected_resubmission",
        file_name=corrected.name,
        description=f"corrected version of {corr_src}",
        caught_by="ingest",
        expect="superseded",
        extra={"original": corr_src},
        year=year,
    )

    corrupt = out_dir / f"{Path(names[2]).stem}_loi.xlsx"
    corrupt.write_bytes((out_dir / names[2]).read_bytes()[:2500])
    out.append(corrupt)
    _record(
        defect_id="corrupt_file",
        file_name=corrupt.name,
        description="truncated download",
        caught_by="ingest",
        expect="corrupt",
    )
    return out


def defects_as_dicts() -> list[dict]:
    return [asdict(d) for d in SEEDED_DEFECTS]
