"""The data-quality vocabulary every check shares: the check families, a row-level check's outcome, and how
a number and a sample read in the Vietnamese reports.

The checks themselves live where they run: row-level ones as Great Expectations expectations (suites.py),
the cross checks GX cannot express, conflicting submissions among them, as SQL in the warehouse
(cross_checks.py, sql/).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

CHECK_FAMILIES = (
    "indicator_known",
    "value_range",
    "numerator_non_negative",
    "denominator_positive",
    "numerator_le_denominator",
    "unique_per_submission",
    "completeness",
    "value_matches_ratio",
    "mortality_ordering",
    "total_vs_rollup",
    "outlier_yoy",
    "outlier_cross_locality",
    "conflicting_submissions",
)


@dataclass
class CheckOutcome:
    """What one row-level (GX) check found: the row_ids it examined and those it flags, with a detail."""

    check_name: str
    family: str
    examined: np.ndarray = field(default_factory=lambda: np.array([], dtype="int64"))
    flagged: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"row_id": [], "detail": []}))


def fmt_number(value) -> str:
    """A number as a Vietnamese reader writes it: decimal comma, thousands dot, no trailing zeros."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "(trống)"
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def sample_json(items: list[str], size: int) -> str:
    return json.dumps(items[:size], ensure_ascii=False)


def shown_ratio(ratio: float, typed: float) -> float:
    """The computed figure as the report quotes it: two decimals, or three when two would read as the
    typed value (2/209 × 1000 = 9,57 against a typed 9,5)."""
    return round(ratio, 2) if round(ratio, 2) != round(typed, 2) else round(ratio, 3)
