"""The Great Expectations suite of `raw.indicator_values`, built from config.yaml and the indicator catalog.

The suite is described first as plain `GxCheck` records (no GX import), then turned into GX 1.x expectations
only when a validation runs. The records also carry what GX does not tell us per submission: the rows each
expectation looked at (`where` + `columns`, mirrored in pandas) so the runner can report element counts per
submission from one GX validation of all submissions, and the Vietnamese wording of each failure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from expectations import severity_of
from expectations.checks import fmt_number
from ingest.reference.labels import unit_vi

# Columns of the frame handed to GX (one row per value of the submissions validated).
GX_COLUMNS = [
    "row_id",
    "submission_id",
    "indicator_code",
    "locality_id",
    "year",
    "value",
    "numerator",
    "denominator",
    "unit",
    "requires_le",
]
UNIQUE_KEY = ["submission_id", "locality_id", "indicator_code", "year"]


@dataclass(frozen=True, eq=False)
class GxCheck:
    """One GX expectation plus what the runner needs to account for it per submission."""

    check_name: str
    family: str
    severity: str
    expectation: str  # class name in great_expectations.expectations
    kwargs: dict = field(default_factory=dict)
    where: tuple[str, object] | None = None  # row condition (column == value), also applied in pandas
    columns: tuple[str, ...] = ()  # a row counts as examined only if these are not null
    bounds: tuple[float | None, float | None] | None = None
    description: str = ""

    def scope(self, frame: pd.DataFrame) -> pd.Series:
        """Rows this expectation examines: the pandas mirror of its row condition and null handling."""
        mask = pd.Series(True, index=frame.index)
        if self.where is not None:
            column, value = self.where
            mask &= (frame[column] == value).fillna(False).astype(bool)
        for column in self.columns:
            mask &= frame[column].notna()
        return mask


def _bound(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def build_gx_checks(config: dict, indicators: pd.DataFrame) -> list[GxCheck]:
    """The row-level checks, one GX expectation each, from the config and the catalog (`raw.indicators`)."""
    checks: list[GxCheck] = []
    codes = sorted(indicators["indicator_code"].dropna().unique().tolist()) if len(indicators) else []
    checks.append(
        GxCheck(
            "indicator_known",
            "indicator_known",
            severity_of(config, "indicator_known"),
            "ExpectColumnValuesToBeInSet",
            {"column": "indicator_code", "value_set": codes},
            columns=("indicator_code",),
            description="Indicator code is in the catalog (raw.indicators).",
        )
    )
    range_severity = severity_of(config, "value_range")
    for unit, bounds in (config.get("unit_ranges") or {}).items():
        low, high = _bound(bounds.get("min")), _bound(bounds.get("max"))
        checks.append(
            GxCheck(
                f"value_range:{unit}",
                "value_range",
                range_severity,
                "ExpectColumnValuesToBeBetween",
                {"column": "value", "min_value": low, "max_value": high},
                where=("unit", unit),
                columns=("value",),
                bounds=(low, high),
                description=f"Values in {unit} lie within [{low}, {high}].",
            )
        )
    overrides = config.get("plausible_overrides") or {}
    plausible_units = set(config.get("plausible_units") or [])
    for row in indicators.sort_values("indicator_code").itertuples(index=False):
        code = row.indicator_code
        if row.unit not in plausible_units and code not in overrides:
            continue
        override = overrides.get(code) or {}
        low = _bound(override["min"]) if "min" in override else _bound(row.plausible_min)
        high = _bound(override["max"]) if "max" in override else _bound(row.plausible_max)
        if low is None and "min" not in override:
            low = _bound(config.get("fallback_min"))
        if low is None and high is None:
            continue
        checks.append(
            GxCheck(
                f"value_range:{code}",
                "value_range",
                range_severity,
                "ExpectColumnValuesToBeBetween",
                {"column": "value", "min_value": low, "max_value": high},
                where=("indicator_code", code),
                columns=("value",),
                bounds=(low, high),
                description=f"{code} lies within its plausible bounds [{low}, {high}] ({row.unit}).",
            )
        )
    checks += [
        GxCheck(
            "numerator_non_negative",
            "numerator_non_negative",
            severity_of(config, "numerator_non_negative"),
            "ExpectColumnValuesToBeBetween",
            {"column": "numerator", "min_value": 0.0},
            columns=("numerator",),
            description="Numerators are not negative.",
        ),
        GxCheck(
            "denominator_positive",
            "denominator_positive",
            severity_of(config, "denominator_positive"),
            "ExpectColumnValuesToBeBetween",
            {"column": "denominator", "min_value": 0.0, "strict_min": True},
            columns=("denominator",),
            description="Denominators are greater than zero.",
        ),
        GxCheck(
            "numerator_le_denominator",
            "numerator_le_denominator",
            severity_of(config, "numerator_le_denominator"),
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "denominator",
                "column_B": "numerator",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            where=("requires_le", True),
            columns=("numerator", "denominator"),
            description="denominator >= numerator where the catalog says the numerator is a subset.",
        ),
        GxCheck(
            "unique_per_submission",
            "unique_per_submission",
            severity_of(config, "unique_per_submission"),
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": list(UNIQUE_KEY)},
            description="One value per locality x indicator x year in each submission.",
        ),
    ]
    return checks


def build_suite(checks: list[GxCheck], name: str):
    """A GX 1.x ExpectationSuite of the checks (imports GX: call only when validating)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    suite = gx.ExpectationSuite(name=name)
    for check in checks:
        kwargs = dict(check.kwargs)
        if check.where is not None:
            column, value = check.where
            kwargs["row_condition"] = Column(column) == value
        expectation = getattr(gxe, check.expectation)(
            **kwargs,
            meta={"check_name": check.check_name, "family": check.family, "treem_severity": check.severity},
            severity="critical" if check.severity == "error" else "warning",
            description=check.description or None,
        )
        suite.add_expectation(expectation)
    return suite


def gx_frame(values: pd.DataFrame) -> pd.DataFrame:
    """The columns GX needs, indexed by row_id, with GX-friendly dtypes (plain bool for the condition)."""
    frame = values[GX_COLUMNS].copy()
    frame["requires_le"] = frame["requires_le"].fillna(False).astype(bool)
    frame.index = frame["row_id"].to_numpy()
    return frame


def describe(check: GxCheck, flagged: pd.DataFrame) -> pd.Series:
    """Vietnamese wording of each failing row (the agency reads it in the report and the review marts)."""
    if flagged.empty:
        return pd.Series([], dtype="object")
    if check.family == "indicator_known":
        return flagged["indicator_code"].map(
            lambda code: f"Mã chỉ tiêu {code} không có trong danh mục chỉ tiêu"
        )
    if check.family == "value_range":
        low, high = check.bounds or (None, None)
        low_text = fmt_number(low) if low is not None else "-∞"
        span = f"{low_text} – {fmt_number(high) if high is not None else '+∞'}"
        return flagged.apply(
            lambda r: (
                f"Giá trị {fmt_number(r['value'])} nằm ngoài khoảng hợp lệ {span} ({unit_vi(r['unit'])})"
            ),
            axis=1,
        )
    if check.family == "numerator_non_negative":
        return flagged["numerator"].map(lambda v: f"Tử số âm ({fmt_number(v)})")
    if check.family == "denominator_positive":
        return flagged["denominator"].map(lambda v: f"Mẫu số phải lớn hơn 0 (đang là {fmt_number(v)})")
    if check.family == "numerator_le_denominator":
        return flagged.apply(
            lambda r: f"Tử số {fmt_number(r['numerator'])} lớn hơn mẫu số {fmt_number(r['denominator'])}",
            axis=1,
        )
    if check.family == "unique_per_submission":
        key = flagged[UNIQUE_KEY].astype("object").fillna("")
        cells = flagged["cell_ref"].groupby([key[c] for c in UNIQUE_KEY]).transform(lambda s: ", ".join(s))
        return cells.map(lambda c: f"Cùng địa bàn, chỉ tiêu và năm được nhập nhiều lần trong tệp (các ô {c})")
    return pd.Series(check.check_name, index=flagged.index)
