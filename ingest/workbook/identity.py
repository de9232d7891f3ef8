"""What a workbook is about: plan, sector, year, territory and template version.

The template stores this machine-readably in three places, because agencies edit, copy and re-save files and
each place survives different handling: a very hidden sheet `_treem` (survives copy-paste of sheets and
Google Sheets round-trips), workbook custom document properties (survive sheet renames and deletions), and a
workbook-level defined name `treem_identity` (survives "save as" in most tools). The first place found wins;
disagreements are reported. If all three are gone, the identity is inferred from the title rows and the
file name (year, territory name, sector words), which is weaker and flagged as inferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from xml.etree import ElementTree as ET

from ingest.localities.normalize import fold_text as fold
from ingest.reference.labels import SECTOR_VI as SECTOR_VI
from ingest.workbook.reader import SheetCells
from ingest.workbook.safety import Package, as_package, open_package

TEMPLATE_VERSION = "treem-wb-1"
IDENTITY_SHEET = "_treem"
DEFINED_NAME = "treem_identity"
PROPERTY_PREFIX = "treem_"

# Sector codes and the words agencies use for them (folded, no diacritics).
SECTOR_WORDS: dict[str, tuple[str, ...]] = {
    "health": ("y te",),
    "education": ("giao duc",),
    "justice": ("tu phap",),
    "police": ("cong an",),
    "social_affairs": ("lao dong", "thuong binh", "xa hoi"),
    "culture": ("van hoa",),
    "information": ("thong tin",),
    "planning_investment": ("ke hoach va dau tu", "ke hoach - dau tu"),
    "finance": ("tai chinh",),
    "home_affairs": ("noi vu",),
    "ethnic_affairs": ("dan toc",),
    "agriculture": ("nong nghiep",),
    "natural_resources": ("tai nguyen",),
}


@dataclass
class Identity:
    plan_id: str | None = None
    sector: str | None = None
    year: int | None = None
    territory_id: str | None = None
    template_version: str | None = None
    source: str = "none"  # hidden_sheet | custom_properties | defined_name | inferred | none
    notes: list[str] = field(default_factory=list)

    KEYS = ("plan_id", "sector", "year", "territory_id", "template_version")

    @property
    def complete(self) -> bool:
        return bool(self.plan_id and self.sector and self.year)

    def as_pairs(self) -> list[tuple[str, str]]:
        return [(k, str(getattr(self, k))) for k in self.KEYS if getattr(self, k) is not None]

    def encoded(self) -> str:
        return ";".join(f"{k}={v}" for k, v in self.as_pairs())

    @classmethod
    def from_mapping(cls, data: dict[str, str], source: str) -> Identity:
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, object] = {k: v for k, v in data.items() if k in known and k in cls.KEYS and v}
        if "year" in kwargs:
            try:
                kwargs["year"] = int(float(str(kwargs["year"])))
            except ValueError:
                kwargs.pop("year")
        return cls(**kwargs, source=source)  # type: ignore[arg-type]


def decode(text: str) -> dict[str, str]:
    pairs = (part.split("=", 1) for part in text.strip().strip('"').split(";") if "=" in part)
    return {k.strip(): v.strip() for k, v in pairs}


def from_hidden_sheet(sheets: dict[str, SheetCells]) -> dict[str, str]:
    sheet = sheets.get(IDENTITY_SHEET)
    if sheet is None:
        return {}
    out = {}
    for _, cells in sheet.rows().items():
        key, value = cells.get(0), cells.get(1)
        if isinstance(key, str) and value is not None:
            out[key.strip()] = (
                str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
            )
    return out


def _xml(package: Package, name: str) -> ET.Element | None:
    data = package.part(name)
    if data is None:
        return None
    try:
        return ET.fromstring(data)
    except ET.ParseError:
        return None


def from_package(source: Path | Package) -> tuple[dict[str, str], dict[str, str]]:
    """(custom document properties, defined name) read straight from the xlsx package parts (a path is
    opened and checked first: `safety.open_package`)."""
    package = as_package(source)
    props: dict[str, str] = {}
    named: dict[str, str] = {}
    root = _xml(package, "docProps/custom.xml")
    if root is not None:
        for prop in root:
            name = prop.get("name", "")
            if name.startswith(PROPERTY_PREFIX) and len(prop):
                props[name[len(PROPERTY_PREFIX) :]] = (prop[0].text or "").strip()
    root = _xml(package, "xl/workbook.xml")
    if root is not None:
        for el in root.iter():
            if el.tag.endswith("definedName") and el.get("name") == DEFINED_NAME:
                named = decode(el.text or "")
    return props, named


def infer_from_text(
    texts: list[str], file_name: str, plan_territories: dict[str, list[str]]
) -> dict[str, str]:
    """Guess identity from title rows and the file name.

    `plan_territories` maps plan_id to folded territory names ("dien bien"). A plan is picked only when
    exactly one plan's territory name appears; a sector only when exactly one sector's words appear.
    """
    blob = fold(" ".join(texts + [re.sub(r"[_\-.]+", " ", file_name)]))
    out: dict[str, str] = {}
    years = sorted(set(re.findall(r"\b(20[12]\d|2030)\b", blob)))
    if len(years) == 1:
        out["year"] = years[0]
    elif years:
        # Titles say "năm 2023"; prefer the year following "nam".
        after = re.findall(r"nam (20[123]\d)", blob)
        if len(set(after)) == 1:
            out["year"] = after[0]
    plans = [p for p, names in plan_territories.items() if any(n and n in blob for n in names)]
    if len(plans) == 1:
        out["plan_id"] = plans[0]
    sectors = [s for s, words in SECTOR_WORDS.items() if any(w in blob for w in words)]
    if len(sectors) == 1:
        out["sector"] = sectors[0]
    return out


def identify(
    path: Path,
    sheets: dict[str, SheetCells],
    plan_territories: dict[str, list[str]],
    title_rows: int = 6,
    package: Package | None = None,
) -> Identity:
    """Identity from the strongest source available, with notes on disagreements and fallbacks (`package`:
    the file's parts, when the caller has them already)."""
    hidden = from_hidden_sheet(sheets)
    props, named = from_package(package or path)
    sources = [("hidden_sheet", hidden), ("custom_properties", props), ("defined_name", named)]
    found = [(name, data) for name, data in sources if data.get("plan_id")]
    if found:
        ident = Identity.from_mapping(found[0][1], found[0][0])
        for name, data in found[1:]:
            other = Identity.from_mapping(data, name)
            for key in ("plan_id", "sector", "year"):
                if getattr(other, key) != getattr(ident, key):
                    ident.notes.append(
                        f"{key}: {ident.source}={getattr(ident, key)} ≠ {name}={getattr(other, key)}"
                    )
        if ident.complete:
            return ident
    texts: list[str] = []
    for sheet in sheets.values():
        if sheet.name == IDENTITY_SHEET:
            continue
        for r in range(title_rows):
            texts.extend(str(v) for v in sheet.row(r).values() if isinstance(v, str))
        texts.append(sheet.name)
    guessed = infer_from_text(texts, path.name, plan_territories)
    if found:  # keep what the machine-readable source had, fill the gaps from the text
        guessed = {**guessed, **{k: v for k, v in found[0][1].items() if v}}
    ident = Identity.from_mapping(guessed, "inferred")
    ident.notes.append("identity inferred from titles and file name")
    return ident


def header_codes(sheets: dict[str, SheetCells]) -> dict[str, str]:
    """Folded indicator header text -> indicator_code, as the template recorded it in the hidden sheet."""
    sheet = sheets.get(IDENTITY_SHEET)
    if sheet is None:
        return {}
    out = {}
    for cells in sheet.rows().values():
        if cells.get(0) == "indicator" and isinstance(cells.get(1), str) and isinstance(cells.get(2), str):
            out[fold(cells[2])] = cells[1]
    return out


def peek_year(path: Path) -> int | None:
    """The reporting year a file declares, cheaply and without raising (for routing files to partitions).

    Unsafe or unreadable files return None; the caller decides (e.g. the arrival year).
    """
    from ingest.workbook.reader import read_workbook

    try:
        package = open_package(Path(path))
        props, named = from_package(package)
        for data in (props, named):
            if data.get("year"):
                return int(data["year"])
        sheets = read_workbook(package)
        year = identify(Path(path), sheets, {}, package=package).year
        return int(year) if year else None
    except Exception:
        return None
