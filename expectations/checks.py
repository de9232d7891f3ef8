"""Checks Great Expectations does not ship, as plain pandas functions over the warehouse's values.

GX validates rows one at a time (or one column pair, or a compound key). These checks need more than a row:
the plan's assignments (completeness), three indicators at once (mortality ordering), a total against the
localities under it (roll-up), a locality's history or its peers (robust outliers). Plain pandas keeps them
fast on 50,000 values, testable without GX, and free of GX's custom-expectation boilerplate.

Every check takes `values` -- all values of loaded submissions, with `in_scope` marking those of the
submissions being validated -- and returns a `CheckOutcome`: the row_ids it examined and the row_ids it flags
with a Vietnamese detail. Rows outside the scope serve as context (last year's value, a neighbour's value)
and are never flagged, so re-validating one submission cannot rewrite another's flags.
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

MAD_SCALE = 0.6745  # Φ⁻¹(0.75): makes MAD comparable to a standard deviation under normality
MEAN_AD_SCALE = 1.253314  # √(π/2): the same for the mean absolute deviation (fallback when MAD = 0)


@dataclass
class CheckOutcome:
    """What one check found: rows examined, rows flagged (row_id, detail), or a submission-level verdict."""

    check_name: str
    family: str
    examined: np.ndarray = field(default_factory=lambda: np.array([], dtype="int64"))
    flagged: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"row_id": [], "detail": []}))
    # Submission-level checks (completeness) fill this instead: submission_id, element_count,
    # unexpected_count, sample (list of str). No value is flagged.
    per_submission: pd.DataFrame | None = None


@dataclass
class Reference:
    """The reference tables the cross checks read, already loaded as frames."""

    submissions: pd.DataFrame  # audit.submissions of the submissions validated
    assignments: pd.DataFrame  # raw.assignments
    localities: pd.DataFrame  # raw.localities
    indicators: pd.DataFrame  # raw.indicators
    # (locality_id, ancestor_id, depth) of `localities`; the runner computes it once per run (a Python walk
    # over 14,000 units costs ~0.1 s, per group it was a quarter of the demo's cross-check time)
    ancestry: pd.DataFrame | None = None


def fmt_number(value) -> str:
    """A number as a Vietnamese reader writes it: decimal comma, thousands dot, no trailing zeros."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "(trống)"
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _per_unit(table: dict, units: pd.Series) -> pd.Series:
    """Look a per-unit threshold up for each row, with the table's `default` for other units."""
    default = float(table.get("default", 0.0))
    return units.map(lambda u: float(table.get(u, default)) if isinstance(u, str) else default).astype(float)


def _flagged(row_ids, details) -> pd.DataFrame:
    return pd.DataFrame({"row_id": np.asarray(row_ids, dtype="int64"), "detail": list(details)})


def _ids(frame: pd.DataFrame) -> np.ndarray:
    return frame["row_id"].to_numpy(dtype="int64")


def sample_json(items: list[str], size: int) -> str:
    return json.dumps(items[:size], ensure_ascii=False)


# --- completeness ------------------------------------------------------------------------------------------


def check_completeness(values: pd.DataFrame, reference: Reference, config: dict) -> CheckOutcome:
    """Each submission must carry every indicator its plan assigns to the agency's sector, for its year.

    A value for any locality counts (a province may send its districts without a total row). Missing values
    are listed per submission; nothing is flagged, as there is no value to flag.
    """
    subs = reference.submissions[["submission_id", "plan_id", "sector", "year"]]
    assigned = reference.assignments[["plan_id", "sector", "indicator_code"]].drop_duplicates()
    expected = subs.merge(assigned, on=["plan_id", "sector"], how="inner")
    received = values.loc[values["in_scope"], ["submission_id", "indicator_code", "year"]].drop_duplicates()
    received = received.assign(received=True)
    joined = expected.merge(received, on=["submission_id", "indicator_code", "year"], how="left")
    joined["received"] = joined["received"].astype("boolean").fillna(False).astype(bool)
    rows = []
    for sub in subs.itertuples(index=False):
        mine = joined[joined["submission_id"] == sub.submission_id]
        missing = sorted(mine.loc[~mine["received"], "indicator_code"].tolist())
        rows.append(
            {
                "submission_id": sub.submission_id,
                "element_count": len(mine),
                "unexpected_count": len(missing),
                "sample": [f"{code} năm {sub.year}" for code in missing],
            }
        )
    per_submission = pd.DataFrame(
        rows, columns=["submission_id", "element_count", "unexpected_count", "sample"]
    )
    return CheckOutcome("completeness", "completeness", per_submission=per_submission)


# --- value vs numerator / denominator ----------------------------------------------------------------------


def check_value_matches_ratio(values: pd.DataFrame, reference: Reference, config: dict) -> CheckOutcome:
    """value ≈ numerator / denominator × factor when the agency typed all three."""
    cfg = config["ratio"]
    rows = values[
        values["in_scope"]
        & values["numerator"].notna()
        & values["denominator"].notna()
        & (values["denominator"] > 0)
        & values["value"].notna()
        & values["factor"].notna()
    ]
    ratio = rows["numerator"] / rows["denominator"] * rows["factor"]
    tolerance = np.maximum(
        _per_unit(cfg["absolute_tolerance"], rows["unit"]), float(cfg["relative_tolerance"]) * ratio.abs()
    )
    bad = rows[(rows["value"] - ratio).abs() > tolerance]
    details = [
        f"Giá trị {fmt_number(r.value)} ≠ {fmt_number(r.numerator)}/{fmt_number(r.denominator)} × "
        f"{fmt_number(r.factor)} = {fmt_number(shown_ratio(r.numerator / r.denominator * r.factor, r.value))}"
        for r in bad.itertuples(index=False)
    ]
    return CheckOutcome(
        "value_matches_ratio", "value_matches_ratio", _ids(rows), _flagged(_ids(bad), details)
    )


def shown_ratio(ratio: float, typed: float) -> float:
    """The computed figure as the report quotes it: two decimals, or three when two would read as the
    typed value (2/209 × 1000 = 9,57 against a typed 9,5)."""
    return round(ratio, 2) if round(ratio, 2) != round(typed, 2) else round(ratio, 3)


# --- mortality ordering ------------------------------------------------------------------------------------


def check_mortality_ordering(values: pd.DataFrame, reference: Reference, config: dict) -> CheckOutcome:
    """Neonatal ≤ infant ≤ under-5 mortality for each locality × year; both values of a violation are flagged.

    Every pair of the chain is compared (so neonatal > under-5 is caught when infant is missing). Values of
    other submissions take part as partners, which catches a province whose neonatal and under-5 figures
    arrive in different files.

    Like is compared with like, so that rounding is not reported as an error: when both rates count deaths
    over the same live births (equal denominators) their numerators are compared; otherwise each rate is
    taken as numerator / denominator × factor when both are known (exact), else as the typed value, which
    stands for anything within half a unit of its last reported decimal (a typed 9,17 is 9,165-9,175).
    A pair is flagged when the lower rate exceeds the higher by more than those two half-units plus the
    configured `tolerance` and `relative_tolerance` × the higher rate.
    """
    cfg = config["mortality_ordering"]
    chain: list[str] = list(cfg["chain"])
    tolerance = float(cfg.get("tolerance", 0.0))
    relative = float(cfg.get("relative_tolerance", 0.0))
    max_decimals = int(cfg.get("max_reported_decimals", 3))
    names = _names_vi(reference)
    cols = [
        "row_id",
        "locality_id",
        "year",
        "indicator_code",
        "value",
        "numerator",
        "denominator",
        "factor",
        "cell_ref",
        "in_scope",
    ]
    rates = values.loc[values["indicator_code"].isin(chain) & values["value"].notna(), cols].copy()
    exact = rates["numerator"].notna() & (rates["denominator"] > 0) & rates["factor"].notna()
    rates["rate"] = np.where(
        exact, rates["numerator"] / rates["denominator"].where(exact, 1.0) * rates["factor"], rates["value"]
    )
    rates["half_unit"] = np.where(exact, 0.0, rates["value"].map(lambda v: _half_unit(v, max_decimals)))
    partnered: set[int] = set()
    problems: dict[int, list[str]] = {}
    for i, lower in enumerate(chain):
        for higher in chain[i + 1 :]:
            pairs = rates[rates["indicator_code"] == lower].merge(
                rates[rates["indicator_code"] == higher], on=["locality_id", "year"], suffixes=("_lo", "_hi")
            )
            partnered.update(pairs["row_id_lo"].tolist())
            partnered.update(pairs["row_id_hi"].tolist())
            pairs["same_births"] = (
                pairs["numerator_lo"].notna()
                & pairs["numerator_hi"].notna()
                & (pairs["denominator_lo"] > 0)
                & (pairs["denominator_lo"] == pairs["denominator_hi"])
            )
            allowed = (
                pairs["half_unit_lo"] + pairs["half_unit_hi"] + tolerance + relative * pairs["rate_hi"].abs()
            )
            bad = pairs[
                np.where(
                    pairs["same_births"],
                    pairs["numerator_lo"] > pairs["numerator_hi"],
                    pairs["rate_lo"] > pairs["rate_hi"] + allowed,
                )
            ]
            for p in bad.itertuples(index=False):
                text = (
                    f"{names.get(lower, lower)} {fmt_number(p.value_lo)} lớn hơn "
                    f"{names.get(higher, higher)} {fmt_number(p.value_hi)}"
                )
                if p.same_births:
                    text += (
                        f" (số ca tử vong {fmt_number(p.numerator_lo)} > {fmt_number(p.numerator_hi)} "
                        f"trên cùng {fmt_number(p.denominator_lo)} trẻ đẻ sống)"
                    )
                problems.setdefault(p.row_id_lo, []).append(f"{text} (ô {p.cell_ref_hi})")
                problems.setdefault(p.row_id_hi, []).append(f"{text} (ô {p.cell_ref_lo})")
    in_scope = set(rates.loc[rates["in_scope"], "row_id"].tolist())
    examined = np.array(sorted(partnered & in_scope), dtype="int64")
    flagged_ids = sorted(set(problems) & in_scope)
    details = ["; ".join(dict.fromkeys(problems[r])) for r in flagged_ids]
    return CheckOutcome("mortality_ordering", "mortality_ordering", examined, _flagged(flagged_ids, details))


def _half_unit(value: float, max_decimals: int) -> float:
    """Half a unit of the last decimal a typed value shows (9.17 -> 0.005, 14.0 -> 0.5).

    A value with more than `max_decimals` decimals was computed, not typed, and is taken as exact.
    """
    for decimals in range(max_decimals + 1):
        if abs(value - round(value, decimals)) < 1e-9:
            return 0.5 * 10.0**-decimals
    return 0.0


def _names_vi(reference: Reference) -> dict[str, str]:
    ind = reference.indicators
    if ind.empty or "name_vi" not in ind:
        return {}
    return {
        r.indicator_code: (r.name_vi if isinstance(r.name_vi, str) and r.name_vi else r.indicator_code)
        for r in ind.itertuples(index=False)
    }


# --- total row vs roll-up ----------------------------------------------------------------------------------


def ancestors(localities: pd.DataFrame) -> pd.DataFrame:
    """(locality_id, ancestor_id, depth) for every locality and each unit above it (depth 1 = parent)."""
    parent = {
        r.locality_id: r.parent_id
        for r in localities[["locality_id", "parent_id"]].itertuples(index=False)
        if isinstance(r.parent_id, str) and r.parent_id
    }
    rows = []
    for locality in parent:
        seen, current, depth = {locality}, parent.get(locality), 1
        while isinstance(current, str) and current not in seen:
            rows.append((locality, current, depth))
            seen.add(current)
            current, depth = parent.get(current), depth + 1
    return pd.DataFrame(rows, columns=["locality_id", "ancestor_id", "depth"])


def check_total_vs_rollup(values: pd.DataFrame, reference: Reference, config: dict) -> CheckOutcome:
    """A total row ("Tổng cộng", "Toàn tỉnh") against the roll-up of the localities under it in the same file.

    Localities under the total are found through raw.localities (any depth); when a file lists two levels
    (districts and their communes) only the level nearest the total is summed, so nothing counts twice.
    When the total's locality is not in raw.localities, every other locality of the same file, indicator
    and year is taken. Rates roll up as Σ numerators / Σ denominators × factor (never an average of rates);
    counts as a sum. Rates whose localities lack a numerator or denominator are not checked.
    """
    cfg = config["total_vs_rollup"]
    keys = ["submission_id", "indicator_code", "year"]
    scoped = values[values["in_scope"]]
    is_total = scoped["is_total_row"].fillna(False).astype(bool)
    totals = scoped[is_total & scoped["value"].notna()].copy()
    if totals.empty:
        return CheckOutcome("total_vs_rollup", "total_vs_rollup")
    subs_locality = reference.submissions.set_index("submission_id")["locality_id"]
    totals["total_locality"] = totals["locality_id"].fillna(totals["submission_id"].map(subs_locality))
    parts = scoped[~is_total & scoped["value"].notna()]
    ancestry = reference.ancestry if reference.ancestry is not None else ancestors(reference.localities)
    known = set(reference.localities["locality_id"].dropna())

    # Localities under a total, through the hierarchy...
    under = parts.merge(ancestry, on="locality_id").merge(
        totals[[*keys, "row_id", "total_locality"]].rename(columns={"row_id": "total_row_id"}),
        left_on=[*keys, "ancestor_id"],
        right_on=[*keys, "total_locality"],
    )
    # ...or, for a total whose locality is unknown, every other locality in the same file/indicator/year.
    unknown = totals[~totals["total_locality"].isin(known)]
    fallback = parts.merge(
        unknown[[*keys, "row_id", "total_locality"]].rename(columns={"row_id": "total_row_id"}), on=keys
    )
    fallback = fallback[fallback["locality_id"] != fallback["total_locality"]].assign(depth=1)
    under = pd.concat([under, fallback], ignore_index=True)
    if under.empty:
        return CheckOutcome("total_vs_rollup", "total_vs_rollup")
    under = under[under["depth"] == under.groupby("total_row_id")["depth"].transform("min")]

    agg = under.groupby("total_row_id").agg(
        parts=("row_id", "size"),
        sum_value=("value", "sum"),
        sum_num=("numerator", "sum"),
        sum_den=("denominator", "sum"),
        num_known=("numerator", "count"),
        den_known=("denominator", "count"),
    )
    merged = totals.set_index("row_id").join(agg, how="inner")
    is_count = merged["unit"] == "count"
    rate_ok = (
        ~is_count
        & (merged["num_known"] == merged["parts"])
        & (merged["den_known"] == merged["parts"])
        & (merged["sum_den"] > 0)
        & merged["factor"].notna()
    )
    merged["rollup"] = np.where(
        is_count, merged["sum_value"], merged["sum_num"] / merged["sum_den"] * merged["factor"]
    )
    checked = merged[is_count | rate_ok]
    tolerance = np.maximum(
        _per_unit(cfg["absolute_tolerance"], checked["unit"]),
        float(cfg["relative_tolerance"]) * checked["rollup"].abs(),
    )
    bad = checked[(checked["value"] - checked["rollup"]).abs() > tolerance]
    details = [
        f"Dòng tổng {fmt_number(r.value)} khác số cộng từ {int(r.parts)} địa bàn "
        f"{fmt_number(round(r.rollup, 3))}"
        + (
            ""
            if r.unit == "count"
            else f" (Σ tử số {fmt_number(r.sum_num)} / Σ mẫu số {fmt_number(r.sum_den)})"
        )
        for r in bad.itertuples()
    ]
    return CheckOutcome(
        "total_vs_rollup",
        "total_vs_rollup",
        checked.index.to_numpy(dtype="int64"),
        _flagged(bad.index.to_numpy(dtype="int64"), details),
    )


# --- robust outliers ---------------------------------------------------------------------------------------


def modified_z(frame: pd.DataFrame, column: str, by: list[str]) -> pd.Series:
    """Iglewicz-Hoaglin modified z-score of `column` within groups `by`: 0.6745 (x − median) / MAD.

    With MAD = 0 (more than half the group identical) it falls back to (x − median) / (1.253314 × mean
    absolute deviation); when that is 0 too every member equals the median and scores 0.
    """
    x = frame[column].astype(float)
    groups = [frame[c] for c in by]
    median = x.groupby(groups, dropna=False).transform("median")
    deviation = (x - median).abs()
    mad = deviation.groupby(groups, dropna=False).transform("median")
    mean_ad = deviation.groupby(groups, dropna=False).transform("mean")
    with np.errstate(divide="ignore", invalid="ignore"):
        primary = MAD_SCALE * (x - median) / mad
        fallback = (x - median) / (MEAN_AD_SCALE * mean_ad)
    return pd.Series(np.where(mad > 0, primary, np.where(mean_ad > 0, fallback, 0.0)), index=frame.index)


def _fill_missing(column: pd.Series, label: str) -> pd.Series:
    """fillna that also works on the runner's categorical keys (a new label must be a category first)."""
    if isinstance(column.dtype, pd.CategoricalDtype) and label not in column.cat.categories:
        column = column.cat.add_categories([label])
    return column.fillna(label)


def _series(values: pd.DataFrame) -> pd.DataFrame:
    """One value per locality × indicator × year for the outlier statistics (duplicates: the first row).

    Adds `scheme` (vn2008 / vn2025, from the locality id) and, for the sampling guard, `p` (the value as a
    proportion, rates only) and `n` (its denominator, when reported).
    """
    cols = [
        "row_id",
        "plan_id",
        "locality_id",
        "indicator_code",
        "year",
        "value",
        "numerator",
        "denominator",
        "factor",
        "unit",
        "level",
        "in_scope",
        "cell_ref",
    ]
    frame = values.loc[values["value"].notna() & values["locality_id"].notna() & values["year"].notna(), cols]
    frame = frame.sort_values(["in_scope", "row_id"], ascending=[False, True])
    frame = frame.drop_duplicates(["locality_id", "indicator_code", "year"]).copy()
    frame["level"] = _fill_missing(frame["level"], "unknown")
    frame["plan_id"] = _fill_missing(frame["plan_id"], "unknown")
    # map() on the runner's categorical ids maps the few thousand categories, not the million rows
    frame["scheme"] = frame["locality_id"].map(lambda locality: str(locality).split(":")[0]).astype(str)
    is_rate = (frame["unit"] != "count") & (frame["factor"] > 0)
    frame["p"] = (frame["value"] / frame["factor"]).where(is_rate).clip(0.0, 1.0)
    frame["n"] = frame["denominator"].where(is_rate & (frame["denominator"] > 0))
    return frame


# Peers of a locality: the same indicator at the same administrative level of the same scheme in the same
# plan (a province's districts, a district's communes). Other provinces follow other paths.
PEERS = ["indicator_code", "level", "scheme", "plan_id"]


def _stabilised(p: pd.Series, n: pd.Series) -> pd.Series:
    """Anscombe's variance-stabilising transform of a proportion p out of n: variance ≈ 1 / (n + 0.5)."""
    with np.errstate(invalid="ignore"):
        return 2.0 * np.arcsin(np.sqrt((p * n + 0.375) / (n + 0.75)))


def _count_scale(x: pd.Series) -> pd.Series:
    """Anscombe's transform of a Poisson count: variance ≈ 1 whatever the mean."""
    return 2.0 * np.sqrt(x.clip(lower=0) + 0.375)


def _beyond_sampling(frame: pd.DataFrame, prefix: str, by: list[str], config: dict) -> pd.Series:
    """Whether a value (or change) deviates from its peers' median by more than sampling noise explains.

    Rates with a denominator n are put on the binomial variance-stabilised scale and counts on the Poisson
    one, where each has a known standard error; |deviation| / SE must exceed `sampling_z`. A rate of 1 child
    out of 1 (a commune that has a play space or not) can then never be an outlier, and 3 deaths among 50
    births only when peers rarely see any. Values without a denominator (typed rates) have no known
    sampling error and pass this guard: the modified z-score alone judges them.
    """
    y = frame[f"{prefix}y"]
    var = frame[f"{prefix}var"]
    median = y.groupby([frame[c] for c in by], dropna=False).transform("median")
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (y - median).abs() / np.sqrt(var)
    return z.fillna(np.inf) > float(config["sampling_z"])


def _scale(
    frame: pd.DataFrame, p: str = "p", n: str = "n", value: str = "value"
) -> tuple[pd.Series, pd.Series]:
    """(stabilised value, its sampling variance) per row: binomial for rates with n, Poisson for counts."""
    is_count = frame["unit"] == "count"
    y = _stabilised(frame[p], frame[n]).where(frame[n].notna() & frame[p].notna())
    var = 1.0 / (frame[n] + 0.5)
    y = y.where(~is_count, _count_scale(frame[value].astype(float)))
    var = var.where(~is_count, 1.0)
    return y, var


def check_outlier_yoy(values: pd.DataFrame, reference: Reference, config: dict) -> CheckOutcome:
    """A locality's change from its own previous year against its peers' changes.

    The change x(t) − x(t−1) pairs a locality with itself (same id, so the same scheme: the 2024 → 2025
    reorganisation breaks the series instead of comparing a district with a commune). Changes are scored
    with the modified z-score among peers (same indicator, level, scheme and plan, all years pooled; at
    least `yoy_min_group` changes), so a province-wide trend is not a jump. The value of year t is flagged
    when |z| > threshold, the change differs from the peers' median change by at least
    `min_abs_deviation`, and by more than sampling noise of both years explains (`sampling_z`). A typing
    error in one year usually flags that year and, with the opposite sign, the next one: the report shows
    both cells.
    """
    cfg = config["outliers"]
    series = _series(values)
    previous = series[["locality_id", "indicator_code", "year", "value", "p", "n", "in_scope"]].copy()
    previous["year"] = previous["year"] + 1
    changes = series.merge(previous, on=["locality_id", "indicator_code", "year"], suffixes=("", "_prev"))
    changes["change"] = changes["value"] - changes["value_prev"]
    size = changes.groupby(PEERS)["change"].transform("size")
    changes = changes[size >= int(cfg["yoy_min_group"])].copy()
    if changes.empty:
        return CheckOutcome("outlier_yoy", "outlier_yoy")
    changes["z"] = modified_z(changes, "change", PEERS)
    median = changes.groupby(PEERS)["change"].transform("median")
    min_dev = _per_unit(cfg["min_abs_deviation"], changes["unit"])
    # A year without a denominator is taken to have the other year's (same population, one year apart).
    n_now, n_prev = changes["n"].fillna(changes["n_prev"]), changes["n_prev"].fillna(changes["n"])
    y_now, var_now = _scale(changes.assign(n=n_now))
    y_prev, var_prev = _scale(changes.assign(n=n_prev), p="p_prev", value="value_prev")
    changes["dy"], changes["dvar"] = y_now - y_prev, var_now + var_prev
    beyond = _beyond_sampling(changes, "d", PEERS, cfg)
    keep = (
        (changes["z"].abs() > float(cfg["threshold"]))
        & ((changes["change"] - median).abs() >= min_dev)
        & beyond
    )
    scoped = changes[changes["in_scope"]]
    bad = scoped[keep[scoped.index]]
    details = [
        f"Thay đổi bất thường so với năm {int(r.year) - 1}: "
        f"{fmt_number(r.value_prev)} → {fmt_number(r.value)} "
        f"(chênh {fmt_number(round(r.change, 3))}; các địa bàn cùng cấp thường thay đổi khoảng "
        f"{fmt_number(round(m, 3))}; điểm z hiệu chỉnh {fmt_number(round(r.z, 1))})"
        for r, m in zip(bad.itertuples(index=False), median[bad.index], strict=True)
    ]
    return CheckOutcome("outlier_yoy", "outlier_yoy", _ids(scoped), _flagged(_ids(bad), details))


def _usual(frame: pd.DataFrame, column: str, min_years: int) -> tuple[pd.Series, pd.Series]:
    """A locality's usual `column` in its OTHER years (median) and how many years that is.

    (0, 0) where it has fewer than `min_years` other years.
    """
    key = ["locality_id", "indicator_code"]
    rows = frame[[*key, "year"]].reset_index(names="_row")
    pairs = rows.merge(frame[[*key, "year", column]], on=key, suffixes=("", "_other"))
    pairs = pairs[pairs["year"] != pairs["year_other"]]
    agg = pairs.groupby("_row")[column].agg(["median", "count"])
    enough = agg["count"] >= min_years
    usual = agg["median"].where(enough).reindex(frame.index).fillna(0.0)
    return usual, agg["count"].where(enough).reindex(frame.index).fillna(0).astype(int)


def check_outlier_cross_locality(values: pd.DataFrame, reference: Reference, config: dict) -> CheckOutcome:
    """A value against its peers' values in the same year (same indicator, level, scheme and plan).

    What is scored is the value's deviation from the peers' median, less the locality's usual deviation in
    its other years (when it has at least `cross_own_history_years` of them): a district that is always a
    little above its neighbours is a real difference, not a data error, while a one-year jump away from its
    usual position is. Flagged when the modified z-score of that deviation exceeds the threshold, the
    deviation is at least `min_abs_deviation`, and it exceeds sampling noise given the value's
    denominator (`sampling_z`). Groups smaller than `cross_min_group` are not scored.
    """
    cfg = config["outliers"]
    series = _series(values)
    by = [*PEERS, "year"]
    size = series.groupby(by)["value"].transform("size")
    series = series[size >= int(cfg["cross_min_group"])].copy()
    if series.empty:
        return CheckOutcome("outlier_cross_locality", "outlier_cross_locality")
    min_years = int(cfg.get("cross_own_history_years", 3))
    series["median"] = series.groupby(by)["value"].transform("median")
    series["residual"] = series["value"] - series["median"]
    series["usual"], history = _usual(series, "residual", min_years)
    series["deviation"] = series["residual"] - series["usual"]
    series["z"] = modified_z(series, "deviation", by)
    centre = series.groupby(by)["deviation"].transform("median")
    min_dev = _per_unit(cfg["min_abs_deviation"], series["unit"])
    series["y"], series["var"] = _scale(series)
    y_residual = series["y"] - series.groupby(by)["y"].transform("median")
    series["adj_y"] = y_residual - _usual(series.assign(y_residual=y_residual), "y_residual", min_years)[0]
    # the usual position is a median of k noisy years: its variance ~ (π/2) var / k adds to the value's
    series["adj_var"] = series["var"] * (1.0 + np.where(history > 0, np.pi / 2 / history.clip(lower=1), 0.0))
    keep = (
        (series["z"].abs() > float(cfg["threshold"]))
        & ((series["deviation"] - centre).abs() >= min_dev)
        & _beyond_sampling(series, "adj_", by, cfg)
    )
    scoped = series[series["in_scope"]]
    bad = scoped[keep[scoped.index]]
    details = [
        f"Giá trị {fmt_number(r.value)} khác thường so với các địa bàn cùng cấp cùng năm "
        f"(trung vị {fmt_number(round(r.median, 3))}"
        + (
            f"; các năm khác địa bàn này thường chênh {fmt_number(round(r.usual, 3))} so với trung vị"
            if r.usual
            else ""
        )
        + f"; điểm z hiệu chỉnh {fmt_number(round(r.z, 1))})"
        for r in bad.itertuples(index=False)
    ]
    return CheckOutcome(
        "outlier_cross_locality", "outlier_cross_locality", _ids(scoped), _flagged(_ids(bad), details)
    )


CUSTOM_CHECKS = (
    check_completeness,
    check_value_matches_ratio,
    check_mortality_ordering,
    check_total_vs_rollup,
    check_outlier_yoy,
    check_outlier_cross_locality,
)
