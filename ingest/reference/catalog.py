"""The indicator catalog (`data/indicators.yaml`) as the `raw.indicators` table.

Why a reviewed file and a strict loader: every other reference table (targets, baselines, agency
workbooks) is validated against these codes, units and plausible ranges, so a typo here would silently
mis-scale or drop values downstream. The loader therefore refuses anything it does not understand instead of
guessing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ingest.warehouse import RAW_TABLES

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_PATH = DATA_DIR / "indicators.yaml"
COLUMNS = list(RAW_TABLES["raw.indicators"])

# The unit fixes the factor: value = numerator / denominator × factor.
UNIT_FACTORS: dict[str, int] = {
    "percent": 100,
    "per_1000_live_births": 1000,
    "per_100000_children": 100000,
    "count": 1,
}
DIRECTIONS = {"increase", "decrease", "annual_reduction"}
_REQUIRED = {
    "indicator_code",
    "goal_group",
    "national_item",
    "name_vi",
    "name_en",
    "unit",
    "factor",
    "direction",
    "numerator_vi",
    "denominator_vi",
    "numerator_le_denominator",
    "plausible_min",
    "plausible_max",
    "is_sensitive",
}
_NULLABLE = {"national_item", "denominator_vi", "plausible_max"}


class CatalogError(ValueError):
    """The indicator catalog file is malformed; the message names the file and the entry."""


def _check_entry(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: expected a mapping, got {type(entry).__name__}")
    keys = set(entry)
    if missing := sorted(_REQUIRED - keys):
        raise CatalogError(f"{where}: missing keys {missing}")
    if unknown := sorted(keys - _REQUIRED):
        raise CatalogError(f"{where}: unknown keys {unknown}")
    for key in sorted(_REQUIRED - _NULLABLE):
        if entry[key] is None or entry[key] == "":
            raise CatalogError(f"{where}: '{key}' must not be empty")
    code = entry["indicator_code"]
    if not isinstance(code, str) or not code.replace("_", "").isalnum() or code.upper() != code:
        raise CatalogError(f"{where}: indicator_code {code!r} must be UPPER_SNAKE_CASE")
    if entry["goal_group"] not in (1, 2, 3, 4):
        raise CatalogError(f"{where}: goal_group must be 1-4, got {entry['goal_group']!r}")
    unit = entry["unit"]
    if unit not in UNIT_FACTORS:
        raise CatalogError(f"{where}: unknown unit {unit!r} (allowed: {sorted(UNIT_FACTORS)})")
    if entry["factor"] != UNIT_FACTORS[unit]:
        raise CatalogError(f"{where}: factor {entry['factor']!r} does not match unit {unit!r}")
    if entry["direction"] not in DIRECTIONS:
        raise CatalogError(
            f"{where}: unknown direction {entry['direction']!r} (allowed: {sorted(DIRECTIONS)})"
        )
    for key in ("numerator_le_denominator", "is_sensitive"):
        if not isinstance(entry[key], bool):
            raise CatalogError(f"{where}: '{key}' must be true or false")
    if entry["national_item"] is not None and not isinstance(entry["national_item"], str):
        raise CatalogError(f'{where}: national_item must be a quoted string such as "3"')
    if unit != "count" and entry["denominator_vi"] is None:
        raise CatalogError(f"{where}: a rate needs denominator_vi")
    low, high = entry["plausible_min"], entry["plausible_max"]
    if not isinstance(low, int | float) or (high is not None and not isinstance(high, int | float)):
        raise CatalogError(f"{where}: plausible_min/plausible_max must be numbers")
    if high is not None and high < low:
        raise CatalogError(f"{where}: plausible_max {high} < plausible_min {low}")
    if unit == "percent" and (low < 0 or high is None or high > 100):
        raise CatalogError(f"{where}: a percent's plausible range must lie within 0-100")
    return entry


def load_indicators(path: Path | str | None = None) -> pd.DataFrame:
    """Read and validate the catalog; return a frame with exactly the columns of `raw.indicators`."""
    path = Path(path) if path else DEFAULT_PATH
    with path.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    if not isinstance(document, dict) or set(document) != {"indicators"}:
        raise CatalogError(f"{path.name}: expected a single top-level key 'indicators'")
    entries = document["indicators"]
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{path.name}: 'indicators' must be a non-empty list")
    rows, seen = [], set()
    for index, raw in enumerate(entries):
        label = raw.get("indicator_code", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
        entry = _check_entry(raw, f"{path.name}: indicator {label}")
        if entry["indicator_code"] in seen:
            raise CatalogError(f"{path.name}: indicator {label}: duplicate indicator_code")
        seen.add(entry["indicator_code"])
        rows.append({column: entry[column] for column in COLUMNS})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["goal_group"] = frame["goal_group"].astype("int64")
    frame["factor"] = frame["factor"].astype("int64")
    frame["plausible_min"] = frame["plausible_min"].astype("float64")
    frame["plausible_max"] = pd.to_numeric(frame["plausible_max"]).astype("float64")
    return frame
