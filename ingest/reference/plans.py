"""The target registry: plans, their target claims, lead agencies and baselines, read from reviewed YAML.

Why claims and not targets: one document can state two different numbers for the same thing (Bắc Ninh's
body text says 98 % vaccination for 2025, its appendix 97 %), and a province's appendix can misquote the
national decision. The registry keeps every statement as a *claim* with its section and a verbatim quote, so
the marts can flag disagreements and apply a documented rule instead of a silent choice (see
`data/target_overrides.yaml` for the rule).

Layout (`data/`):
- `plans/<plan_id>.yaml`: plan metadata; optional `targets`, `assignments`, `baselines` lists.
- `target_overrides.yaml`: reviewed exceptions to the default authoritative-claim rule.
- `indicators.yaml`: the catalog every indicator code is checked against.

A target entry is a *statement*: one quote that states one indicator for one or more years; each item of its
`claims` list becomes one row of `raw.targets`. claim_id is derived, not typed, so it cannot drift:
`<plan_id>/<item slug>/<indicator_code>/<year>/<section suffix>`, with the suffix `text`,
`appendix-rowtext` (the wording of an appendix row) or `appendix-values` (the row's value columns). Within
one plan × indicator × year × section, claim_ids sort in document order (row wording precedes its value
cells); the loader enforces this, because the dbt model breaks ties within a section by claim_id.

Everything is validated strictly and errors name the file and the entry, because a wrong target silently
turns an "achieved" into a "not achieved" in the sơ kết report.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ingest.reference.catalog import DATA_DIR, load_indicators
from ingest.warehouse import RAW_TABLES

TABLES = ("raw.plans", "raw.targets", "raw.target_overrides", "raw.assignments", "raw.plan_baselines")
COMPARATORS = {"<", "<=", ">=", "="}
SECTIONS = {"text", "appendix"}
APPENDIX_PARTS = {"rowtext", "values"}
TARGET_YEARS = {2025, 2030}
SECTORS = {
    "health",
    "education",
    "justice",
    "police",
    "social_affairs",
    "culture",
    "information",
    "planning",
    "finance",
}

_PLAN_REQUIRED = {"plan_id", "title_vi", "locality_id", "report_deadline"}
_PLAN_OPTIONAL = {
    "document_no",
    "issued_on",
    "issuer_vi",
    "source_file",
    "targets",
    "assignments",
    "baselines",
}
_STATEMENT_REQUIRED = {
    "plan_item",
    "indicator_code",
    "source_section",
    "unit_as_written",
    "source_quote",
    "claims",
}
_STATEMENT_OPTIONAL = {"appendix_part", "conversion_factor", "quote_file"}
_CLAIM_REQUIRED = {"year", "comparator", "value"}
_CLAIM_OPTIONAL = {"value_high"}
_ASSIGNMENT_REQUIRED = {"sector", "agency_as_written", "plan_items"}
_ASSIGNMENT_OPTIONAL = {"indicator_codes"}
_BASELINE_REQUIRED = {"indicator_code", "year", "value", "source_quote"}
_BASELINE_OPTIONAL = {"unit_as_written", "conversion_factor", "quote_file", "locality_id"}
_OVERRIDE_KEYS = set(RAW_TABLES["raw.target_overrides"])

_PLAN_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LOCALITY_ID = re.compile(r"^(?:vn:VN|vn2008:\d+|vn2025:\d+)$")
_DEADLINE = re.compile(r"^(\d{2})-(\d{2})$")
_CHI_TIEU = re.compile(r"^Chỉ tiêu (\d+)(?:\.?([a-z]))?$")


class RegistryError(ValueError):
    """A plan or override file is malformed; the message names the file and the entry."""


def normalize_space(text: str) -> str:
    """NFC and single spaces: how quotes are stored and compared with the seed documents."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def item_slug(plan_item: str) -> str:
    """'Chỉ tiêu 5' → 'ct05', 'Chỉ tiêu 3.b' → 'ct03b'; other labels → an ASCII slug."""
    match = _CHI_TIEU.match(plan_item)
    if match:
        return f"ct{int(match.group(1)):02d}{match.group(2) or ''}"
    ascii_text = unicodedata.normalize("NFD", plan_item.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(ch for ch in ascii_text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_keys(entry: Any, required: set[str], optional: set[str], where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise RegistryError(f"{where}: expected a mapping, got {type(entry).__name__}")
    keys = set(entry)
    if missing := sorted(required - keys):
        raise RegistryError(f"{where}: missing keys {missing}")
    if unknown := sorted(keys - required - optional):
        raise RegistryError(f"{where}: unknown keys {unknown}")
    return entry


def _text(entry: dict[str, Any], key: str, where: str, *, nullable: bool = False) -> str | None:
    value = entry.get(key)
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RegistryError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RegistryError(f"{where}: issued_on {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _list(entry: dict[str, Any], key: str, where: str) -> list[Any]:
    value = entry.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RegistryError(f"{where}: '{key}' must be a list")
    return value


class _Catalog:
    """What the registry needs from the indicator catalog."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.codes = set(frame["indicator_code"])
        self.range = {
            row.indicator_code: (row.plausible_min, row.plausible_max)
            for row in frame.itertuples(index=False)
        }

    def check_code(self, code: Any, where: str) -> str:
        if code not in self.codes:
            raise RegistryError(f"{where}: unknown indicator code {code!r} (not in indicators.yaml)")
        return code

    def check_value(self, code: str, value: float, where: str) -> None:
        low, high = self.range[code]
        if value < low or (not pd.isna(high) and value > high):
            raise RegistryError(
                f"{where}: value {value:g} is outside {code}'s plausible range {low:g}-{high:g}"
            )


def _plan_row(doc: dict[str, Any], fname: str) -> dict[str, Any]:
    plan_id = _text(doc, "plan_id", fname)
    if not _PLAN_ID.match(plan_id):
        raise RegistryError(f"{fname}: plan_id {plan_id!r} must be lower-case words joined by '-'")
    if Path(fname).stem != plan_id:
        raise RegistryError(f"{fname}: file name must be '{plan_id}.yaml' (its plan_id)")
    locality_id = _text(doc, "locality_id", fname)
    if not _LOCALITY_ID.match(locality_id):
        raise RegistryError(
            f"{fname}: locality_id {locality_id!r} is not vn:VN, vn2008:<code> or vn2025:<code>"
        )
    deadline = doc.get("report_deadline")
    match = _DEADLINE.match(deadline) if isinstance(deadline, str) else None
    if not match:
        raise RegistryError(f'{fname}: report_deadline {deadline!r} must be a quoted "MM-DD"')
    try:
        dt.date(2024, int(match.group(1)), int(match.group(2)))
    except ValueError:
        raise RegistryError(f"{fname}: report_deadline {deadline!r} is not a calendar day") from None
    return {
        "plan_id": plan_id,
        "title_vi": _text(doc, "title_vi", fname),
        "document_no": _text(doc, "document_no", fname, nullable=True),
        "issued_on": _date(doc.get("issued_on"), fname),
        "issuer_vi": _text(doc, "issuer_vi", fname, nullable=True),
        "locality_id": locality_id,
        "source_file": _text(doc, "source_file", fname, nullable=True),
        "report_deadline": deadline,
    }


def _target_rows(
    doc: dict[str, Any], plan: dict[str, Any], catalog: _Catalog, fname: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Expand the plan's statements into claim rows; also return their quote sources."""
    rows: list[dict[str, Any]] = []
    quotes: list[dict[str, Any]] = []
    for index, raw in enumerate(_list(doc, "targets", fname)):
        where = f"{fname}: targets[{index}]"
        if isinstance(raw, dict) and "plan_item" in raw:
            where += f" ({raw.get('plan_item')} {raw.get('indicator_code', '')})".rstrip()
        entry = _check_keys(raw, _STATEMENT_REQUIRED, _STATEMENT_OPTIONAL, where)
        plan_item = _text(entry, "plan_item", where)
        code = catalog.check_code(entry["indicator_code"], where)
        section = entry["source_section"]
        if section not in SECTIONS:
            raise RegistryError(f"{where}: source_section {section!r} must be one of {sorted(SECTIONS)}")
        part = entry.get("appendix_part")
        if section == "appendix" and part not in APPENDIX_PARTS:
            raise RegistryError(
                f"{where}: an appendix claim needs appendix_part, one of {sorted(APPENDIX_PARTS)}"
            )
        if section == "text" and part is not None:
            raise RegistryError(f"{where}: appendix_part is only for source_section 'appendix'")
        suffix = "text" if section == "text" else f"appendix-{part}"
        quote = entry.get("source_quote")
        if not isinstance(quote, str) or not quote.strip():
            raise RegistryError(
                f"{where}: missing source_quote (a verbatim quote of the document is required)"
            )
        quote_file = _text(entry, "quote_file", where, nullable=True) or plan["source_file"]
        if quote_file is None:
            raise RegistryError(f"{where}: the plan has no source_file, so the claim needs quote_file")
        factor = entry.get("conversion_factor", 1)
        if not _is_number(factor) or factor <= 0:
            raise RegistryError(f"{where}: conversion_factor must be a positive number")
        unit_as_written = _text(entry, "unit_as_written", where)
        claims = entry["claims"]
        if not isinstance(claims, list) or not claims:
            raise RegistryError(f"{where}: 'claims' must be a non-empty list")
        for claim_index, claim_raw in enumerate(claims):
            cwhere = f"{where} claims[{claim_index}]"
            claim = _check_keys(claim_raw, _CLAIM_REQUIRED, _CLAIM_OPTIONAL, cwhere)
            year = claim["year"]
            if year not in TARGET_YEARS:
                raise RegistryError(f"{cwhere}: year {year!r} must be one of {sorted(TARGET_YEARS)}")
            comparator = claim["comparator"]
            if comparator not in COMPARATORS:
                raise RegistryError(
                    f"{cwhere}: bad comparator {comparator!r} (allowed: {sorted(COMPARATORS)})"
                )
            value, high = claim["value"], claim.get("value_high")
            if not _is_number(value):
                raise RegistryError(f"{cwhere}: value must be a number, got {value!r}")
            if high is not None:
                if not _is_number(high) or high < value:
                    raise RegistryError(f"{cwhere}: value_high must be a number >= value")
                if comparator != ">=":
                    raise RegistryError(f"{cwhere}: a range (value_high) needs comparator '>='")
            target_value = float(value) * factor
            target_high = None if high is None else float(high) * factor
            catalog.check_value(code, target_value, cwhere)
            claim_id = f"{plan['plan_id']}/{item_slug(plan_item)}/{code}/{year}/{suffix}"
            rows.append(
                {
                    "claim_id": claim_id,
                    "plan_id": plan["plan_id"],
                    "locality_id": plan["locality_id"],
                    "indicator_code": code,
                    "plan_item": plan_item,
                    "year": year,
                    "comparator": comparator,
                    "target_value": target_value,
                    "target_value_high": target_high,
                    "unit_as_written": unit_as_written,
                    "conversion_factor": float(factor),
                    "source_section": section,
                    "source_quote": normalize_space(quote),
                    "_where": cwhere,
                }
            )
            quotes.append(
                {
                    "kind": "target",
                    "key": claim_id,
                    "source_file": quote_file,
                    "quote": normalize_space(quote),
                }
            )
    seen: dict[str, str] = {}
    for row in rows:
        if row["claim_id"] in seen:
            first = seen[row["claim_id"]]
            raise RegistryError(
                f"{row['_where']}: duplicate claim {row['claim_id']} (already stated at {first})"
            )
        seen[row["claim_id"]] = row["_where"]
    groups: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["indicator_code"], row["year"], row["source_section"]), []).append(row)
    for group in groups.values():
        ids = [row["claim_id"] for row in group]
        if ids != sorted(ids):
            raise RegistryError(
                f"{group[-1]['_where']}: claims {ids} are listed in document order but their claim_ids do "
                "not sort that way; the authoritative-claim rule breaks ties by claim_id"
            )
    for row in rows:
        del row["_where"]
    return rows, quotes


def _assignment_rows(
    doc: dict[str, Any], plan: dict[str, Any], targets: list[dict[str, Any]], catalog: _Catalog, fname: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per plan item × indicator × lead sector; indicators come from the plan's own claims."""
    by_item: dict[str, list[str]] = {}
    for row in targets:
        codes = by_item.setdefault(row["plan_item"], [])
        if row["indicator_code"] not in codes:
            codes.append(row["indicator_code"])
    rows: list[dict[str, Any]] = []
    quotes: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    for index, raw in enumerate(_list(doc, "assignments", fname)):
        where = f"{fname}: assignments[{index}]"
        entry = _check_keys(raw, _ASSIGNMENT_REQUIRED, _ASSIGNMENT_OPTIONAL, where)
        sector = entry["sector"]
        if sector not in SECTORS:
            raise RegistryError(f"{where}: unknown sector {sector!r} (allowed: {sorted(SECTORS)})")
        agency = _text(entry, "agency_as_written", where)
        items = entry["plan_items"]
        if not isinstance(items, list) or not items:
            raise RegistryError(f"{where}: 'plan_items' must be a non-empty list")
        explicit = entry.get("indicator_codes")
        if explicit is not None:
            if not isinstance(explicit, list) or not explicit:
                raise RegistryError(f"{where}: 'indicator_codes' must be a non-empty list")
            explicit = [catalog.check_code(code, where) for code in explicit]
        for item in items:
            codes = explicit or by_item.get(item)
            if not codes:
                raise RegistryError(
                    f"{where}: plan item {item!r} has no target claims in this plan; list indicator_codes"
                )
            for code in codes:
                key = (item, code, sector)
                if key in seen:
                    raise RegistryError(f"{where}: duplicate assignment of {item} {code} to {sector}")
                seen.add(key)
                rows.append(
                    {
                        "plan_id": plan["plan_id"],
                        "indicator_code": code,
                        "plan_item": item,
                        "sector": sector,
                        "agency_as_written": agency,
                    }
                )
        if plan["source_file"]:
            key = f"{plan['plan_id']}/{sector}"
            quotes.append(
                {
                    "kind": "assignment",
                    "key": key,
                    "source_file": plan["source_file"],
                    "quote": normalize_space(agency),
                }
            )
    return rows, quotes


def _baseline_rows(
    doc: dict[str, Any], plan: dict[str, Any], catalog: _Catalog, fname: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = []
    quotes: list[dict[str, Any]] = []
    seen: set[tuple[str, str, int]] = set()
    for index, raw in enumerate(_list(doc, "baselines", fname)):
        where = f"{fname}: baselines[{index}]"
        entry = _check_keys(raw, _BASELINE_REQUIRED, _BASELINE_OPTIONAL, where)
        code = catalog.check_code(entry["indicator_code"], where)
        year = entry["year"]
        if not isinstance(year, int) or not 2000 <= year <= 2030:
            raise RegistryError(f"{where}: year {year!r} must be an integer 2000-2030")
        value = entry["value"]
        factor = entry.get("conversion_factor", 1)
        if not _is_number(value) or not _is_number(factor) or factor <= 0:
            raise RegistryError(f"{where}: value and conversion_factor must be numbers")
        quote = entry.get("source_quote")
        if not isinstance(quote, str) or not quote.strip():
            raise RegistryError(f"{where}: missing source_quote")
        locality_id = _text(entry, "locality_id", where, nullable=True) or plan["locality_id"]
        if not _LOCALITY_ID.match(locality_id):
            raise RegistryError(f"{where}: bad locality_id {locality_id!r}")
        quote_file = _text(entry, "quote_file", where, nullable=True) or plan["source_file"]
        if quote_file is None:
            raise RegistryError(f"{where}: the plan has no source_file, so the baseline needs quote_file")
        converted = float(value) * factor
        catalog.check_value(code, converted, where)
        key = (code, locality_id, year)
        if key in seen:
            raise RegistryError(f"{where}: duplicate baseline for {code} {locality_id} {year}")
        seen.add(key)
        rows.append(
            {
                "plan_id": plan["plan_id"],
                "locality_id": locality_id,
                "indicator_code": code,
                "year": year,
                "value": converted,
                "source_quote": normalize_space(quote),
            }
        )
        key_text = f"{plan['plan_id']}/{code}/{year}"
        quotes.append(
            {"kind": "baseline", "key": key_text, "source_file": quote_file, "quote": normalize_space(quote)}
        )
    return rows, quotes


def _override_rows(path: Path, targets: list[dict[str, Any]], catalog: _Catalog) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    fname = path.name
    with path.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, dict) or set(document) != {"overrides"}:
        raise RegistryError(f"{fname}: expected a single top-level key 'overrides'")
    sections = {(t["plan_id"], t["indicator_code"], t["year"], t["source_section"]) for t in targets}
    rows, seen = [], set()
    for index, raw in enumerate(document["overrides"] or []):
        where = f"{fname}: overrides[{index}]"
        entry = _check_keys(raw, _OVERRIDE_KEYS, set(), where)
        code = catalog.check_code(entry["indicator_code"], where)
        section = entry["authoritative_section"]
        if section not in SECTIONS:
            raise RegistryError(
                f"{where}: authoritative_section {section!r} must be one of {sorted(SECTIONS)}"
            )
        reason = _text(entry, "reason", where)
        reviewer = _text(entry, "reviewed_by", where)
        key = (entry["plan_id"], code, entry["year"])
        if (*key, section) not in sections:
            raise RegistryError(
                f"{where}: no {section} claim of {key[0]} {code} {key[2]} to make authoritative"
            )
        if key in seen:
            raise RegistryError(f"{where}: duplicate override for {key}")
        seen.add(key)
        rows.append(
            {
                "plan_id": key[0],
                "indicator_code": code,
                "year": key[2],
                "authoritative_section": section,
                "reason": normalize_space(reason),
                "reviewed_by": reviewer,
            }
        )
    return rows


def _frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = list(RAW_TABLES[table])
    frame = pd.DataFrame(rows, columns=columns)
    for column, sql_type in RAW_TABLES[table].items():
        if sql_type == "integer":
            frame[column] = frame[column].astype("int64")
        elif sql_type == "double":
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        elif sql_type == "date":
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
    return frame


def _read(data_dir: Path | str | None) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    catalog = _Catalog(load_indicators(data_dir / "indicators.yaml"))
    plan_files = sorted((data_dir / "plans").glob("*.yaml"))
    if not plan_files:
        raise RegistryError(f"{data_dir / 'plans'}: no plan files")
    tables: dict[str, list[dict[str, Any]]] = {table: [] for table in TABLES}
    quotes: list[dict[str, Any]] = []
    plan_ids: set[str] = set()
    for path in plan_files:
        fname = f"plans/{path.name}"
        with path.open(encoding="utf-8") as handle:
            doc = yaml.safe_load(handle)
        doc = _check_keys(doc, _PLAN_REQUIRED, _PLAN_OPTIONAL, fname)
        plan = _plan_row(doc, fname)
        if plan["plan_id"] in plan_ids:
            raise RegistryError(f"{fname}: duplicate plan_id {plan['plan_id']}")
        plan_ids.add(plan["plan_id"])
        targets, target_quotes = _target_rows(doc, plan, catalog, fname)
        assignments, assignment_quotes = _assignment_rows(doc, plan, targets, catalog, fname)
        baselines, baseline_quotes = _baseline_rows(doc, plan, catalog, fname)
        tables["raw.plans"].append(plan)
        tables["raw.targets"].extend(targets)
        tables["raw.assignments"].extend(assignments)
        tables["raw.plan_baselines"].extend(baselines)
        quotes.extend(target_quotes + assignment_quotes + baseline_quotes)
    overrides = _override_rows(data_dir / "target_overrides.yaml", tables["raw.targets"], catalog)
    tables["raw.target_overrides"] = overrides
    return tables, quotes


def load_registry(data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Read every plan file and the overrides; return the five raw tables, validated, in document order."""
    tables, _ = _read(data_dir)
    return {table: _frame(table, rows) for table, rows in tables.items()}


def quote_sources(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Every quote the registry relies on with the seed file it must be found in (for verification).

    Columns: kind (target, baseline, assignment), key (claim_id, …), source_file, and the quote
    (whitespace-normalised).
    """
    _, quotes = _read(data_dir)
    return pd.DataFrame(quotes, columns=["kind", "key", "source_file", "quote"])
