"""Time `validate_warehouse` on synthetic warehouses: sample-sized (~5,000 values) and 10x larger (~50,000).

    .venv/bin/python -m expectations.bench            # both sizes
    .venv/bin/python -m expectations.bench 1 10 20    # provinces per run (5,040 values each)

Each province has 69 communes plus a total row, three sectors reporting four indicators each, for
2020-2025; about 1 % of the values are made wrong so the flag paths are timed too. The first run in the
process also pays for importing Great Expectations (~2-4 s), reported separately.
"""

from __future__ import annotations

import sys
import time

import duckdb
import numpy as np
import pandas as pd

from ingest import warehouse

COMMUNES = 69
YEARS = list(range(2020, 2026))
SECTORS = {
    "health": [
        ("IMMUNIZATION_U1", "percent", 100, True, 0.95),
        ("NEONATAL_MORTALITY", "per_1000_live_births", 1000, True, 0.008),
        ("INFANT_MORTALITY", "per_1000_live_births", 1000, True, 0.012),
        ("U5_MORTALITY", "per_1000_live_births", 1000, True, 0.018),
    ],
    "education": [
        ("PRESCHOOL_5Y", "percent", 100, True, 0.99),
        ("PRIMARY_COMPLETION", "percent", 100, True, 0.97),
        ("PRIMARY_DROPOUT", "percent", 100, True, 0.002),
        ("LOWER_SECONDARY_COMPLETION", "percent", 100, True, 0.88),
    ],
    "social_affairs": [
        ("INJURY_RATE", "per_100000_children", 100000, False, 0.005),
        ("CHILD_MARRIAGE", "count", 1, False, None),
        ("BIRTH_REGISTRATION_U5", "percent", 100, True, 0.98),
        ("SPECIAL_CIRCUMSTANCES", "percent", 100, True, 0.06),
    ],
}
PLAUSIBLE = {"NEONATAL_MORTALITY": 100, "INFANT_MORTALITY": 150, "U5_MORTALITY": 200, "INJURY_RATE": 5000}


def build(con: duckdb.DuckDBPyConnection, provinces: int, seed: int = 7) -> int:
    """Fill an empty warehouse with `provinces` x 5,040 values; returns the number of values."""
    rng = np.random.default_rng(seed)
    warehouse.ensure_tables(con, warehouse.ALL_TABLES)
    indicators, assignments, localities, submissions, frames = [], [], [], [], []
    for items in SECTORS.values():
        for code, unit, factor, le, _ in items:
            indicators.append(
                {
                    "indicator_code": code,
                    "unit": unit,
                    "factor": factor,
                    "numerator_le_denominator": le,
                    "plausible_min": 0.0 if code in PLAUSIBLE else None,
                    "plausible_max": PLAUSIBLE.get(code),
                }
            )
    for p in range(provinces):
        province = f"vn2008:{p + 1:02d}"
        communes = [f"vn2008:{p + 1:02d}{c:03d}" for c in range(COMMUNES)]
        localities.append({"locality_id": province, "level": "province"})
        localities += [{"locality_id": c, "level": "commune", "parent_id": province} for c in communes]
        plan = f"plan-{p + 1:02d}"
        for sector, items in SECTORS.items():
            assignments += [{"plan_id": plan, "indicator_code": code, "sector": sector} for code, *_ in items]
            for year in YEARS:
                sid = f"{plan}-{sector}-{year}"
                submissions.append(
                    {
                        "submission_id": sid,
                        "file_name": f"{sid}.xlsx",
                        "agency_id": f"{plan}-{sector}",
                        "plan_id": plan,
                        "sector": sector,
                        "year": year,
                        "locality_id": province,
                        "status": "loaded",
                    }
                )
                for col, (code, _unit, factor, _le, rate) in enumerate(items):
                    den = rng.integers(500, 5000, COMMUNES).astype(float)
                    if rate is None:
                        num, den, value = None, None, rng.poisson(2.0, COMMUNES).astype(float)
                    else:
                        num = rng.binomial(den.astype(int), rate).astype(float)
                        value = num / den * factor
                    frame = pd.DataFrame(
                        {
                            "submission_id": sid,
                            "plan_id": plan,
                            "agency_id": f"{plan}-{sector}",
                            "indicator_code": code,
                            "locality_id": communes,
                            "year": year,
                            "value": value,
                            "numerator": num,
                            "denominator": den,
                            "is_total_row": False,
                            "sheet": "Số liệu",
                            "cell": [f"{chr(69 + col)}{10 + i}" for i in range(COMMUNES)],
                        }
                    )
                    total = {
                        "value": frame["value"].sum()
                        if rate is None
                        else frame["numerator"].sum() / frame["denominator"].sum() * factor,
                        "numerator": None if rate is None else frame["numerator"].sum(),
                        "denominator": None if rate is None else frame["denominator"].sum(),
                    }
                    total_row = frame.iloc[[0]].assign(
                        locality_id=province,
                        is_total_row=True,
                        cell=f"{chr(69 + col)}{10 + COMMUNES + 1}",
                        **total,
                    )
                    frames += [frame, total_row]
    values = pd.concat(frames, ignore_index=True)
    wrong = rng.random(len(values)) < 0.01
    values.loc[wrong, "value"] = values.loc[wrong, "value"] * 3 + 101  # out of range or outlying
    values["raw_value"] = values["value"].astype(str)
    _insert(con, "raw.indicators", pd.DataFrame(indicators))
    _insert(con, "raw.assignments", pd.DataFrame(assignments))
    _insert(con, "raw.localities", pd.DataFrame(localities))
    _insert(con, "audit.submissions", pd.DataFrame(submissions))
    _insert(con, "raw.indicator_values", values)
    return len(values)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    columns = warehouse.ALL_TABLES[table]
    frame = frame.reindex(columns=list(columns))
    con.register("_bench", frame)
    select = ", ".join(f"cast({c} as {t})" for c, t in columns.items())
    con.execute(f"insert into {table} select {select} from _bench")
    con.unregister("_bench")


def bench(provinces: int) -> dict:
    """Build an in-memory warehouse and time one validation and one report; returns the timings."""
    from expectations.report import write_reports
    from expectations.runner import validate_warehouse

    con = duckdb.connect(":memory:")
    n = build(con, provinces)
    started = time.perf_counter()
    summary = validate_warehouse(con)
    seconds = time.perf_counter() - started
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        write_reports(con, tmp)
        report_seconds = time.perf_counter() - started
    con.close()
    return {
        "values": n,
        "submissions": len(summary.submission_ids),
        "seconds": round(seconds, 2),
        "gx_seconds": round(summary.gx_seconds, 2),
        "report_seconds": round(report_seconds, 2),
        "flagged": len(summary.flagged_values),
    }


def main(argv: list[str] | None = None) -> int:
    sizes = [int(a) for a in (argv if argv is not None else sys.argv[1:])] or [1, 10]
    started = time.perf_counter()
    import great_expectations  # noqa: F401 - timed once so the runs below measure validation only

    print(f"import great_expectations: {time.perf_counter() - started:.2f} s")
    for provinces in sizes:
        r = bench(provinces)
        print(
            f"{r['values']:>7,} values, {r['submissions']:>3} submissions: validate {r['seconds']:.2f} s "
            f"(GX {r['gx_seconds']:.2f} s), report {r['report_seconds']:.2f} s, {r['flagged']:,} flags"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
