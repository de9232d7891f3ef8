"""Open exports for publishing: indicator values and targets as SDMX-CSV and Parquet, with their structure.

SDMX-CSV is what the .Stat Suite and the SDG national reporting platforms import; Parquet is what every
analytics tool reads. Both come from the marts as they are, with no figure chosen or recomputed here:

- values (`marts.fct_indicator_value`): one observation per indicator x locality x year x origin. The origin
  (`reported`, `rollup`, `plan_baseline`) is a dimension, so no value is dropped in favour of another; the
  marts' own selection of one value per year is the review marts' business. Error-flagged values are left
  out, as they are left out of the review marts; warnings are published with their flag.
- targets (`marts.fct_target`, authoritative claims): one observation per plan x indicator x locality x
  year, the comparator and a range's upper bound as attributes.

SDMX identifiers allow letters, digits, `_`, `@`, `$` and `-` only, so a locality key `vn2008:11` is the
code `vn2008_11` (the REF_AREA codelist in the structure file maps each code back to its key and name).
The structure file (`structure.json`) describes both data structures: dimensions, measure, attributes and
their codelists, in SDMX terms (agency TREEM, version 1.0).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

AGENCY = "TREEM"
VERSION = "1.0"
VALUES_FLOW = "CAP_VALUES"
TARGETS_FLOW = "CAP_TARGETS"
ORIGIN_CODES = {"reported": "REPORTED", "rollup": "ROLLUP", "plan_baseline": "PLAN_BASELINE"}
COMPARATOR_CODES = {"<": "LT", "<=": "LE", ">=": "GE", "=": "EQ"}

VALUES_SQL = """
    select v.indicator_code, v.locality_id, v.year, v.origin, v.value, v.numerator, v.denominator,
           i.unit, v.is_approximate, v.quality_status, v.plan_id, v.agency_id, v.submission_id,
           v.sheet, v.cell
    from marts.fct_indicator_value v
    join marts.dim_indicator i using (indicator_code)
    where v.quality_status <> 'error' and v.value is not null
    order by v.indicator_code, v.locality_id, v.year, v.origin
"""
TARGETS_SQL = """
    select t.plan_id, t.indicator_code, t.locality_id, t.year, t.target_value, t.target_value_high,
           t.comparator, i.unit, t.plan_item, t.source_section, t.source_quote
    from marts.fct_target t
    join marts.dim_indicator i using (indicator_code)
    where t.is_authoritative and t.target_value is not null
    order by t.plan_id, t.indicator_code, t.locality_id, t.year
"""


def area_code(locality_id: str) -> str:
    """`vn2008:11` -> `vn2008_11`: an SDMX code id cannot hold a colon."""
    return locality_id.replace(":", "_")


def number(value) -> str:
    """The shortest text that reads back as the same float (SDMX-CSV carries exact values)."""
    if value is None:
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


@dataclass
class ExportResult:
    files: dict[str, Path]
    values: int
    targets: int

    def sizes(self) -> dict[str, int]:
        return {name: path.stat().st_size for name, path in self.files.items()}


def export_open_data(con: duckdb.DuckDBPyConnection, out_dir: Path) -> ExportResult:
    """Write values and targets as SDMX-CSV and Parquet, and the structure, into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    values = con.execute(VALUES_SQL).fetchall()
    targets = con.execute(TARGETS_SQL).fetchall()
    files = {
        "values.csv": _write_values_csv(values, out_dir / "values.csv"),
        "targets.csv": _write_targets_csv(targets, out_dir / "targets.csv"),
        "values.parquet": _parquet(con, VALUES_SQL, out_dir / "values.parquet"),
        "targets.parquet": _parquet(con, TARGETS_SQL, out_dir / "targets.parquet"),
    }
    structure = _structure(con, {row[1] for row in values} | {row[2] for row in targets})
    path = out_dir / "structure.json"
    path.write_text(json.dumps(structure, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    files["structure.json"] = path
    return ExportResult(files, len(values), len(targets))


def _flow(flow: str) -> str:
    return f"{AGENCY}:{flow}({VERSION})"


def _write_values_csv(rows, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["DATAFLOW", "INDICATOR", "REF_AREA", "TIME_PERIOD", "VALUE_ORIGIN", "OBS_VALUE"]
            + ["UNIT_MEASURE", "OBS_STATUS", "QUALITY_FLAG", "NUMERATOR", "DENOMINATOR"]
        )
        for code, locality, year, origin, value, num, den, unit, approximate, quality, *_ in rows:
            writer.writerow(
                [_flow(VALUES_FLOW), code, area_code(locality), year, ORIGIN_CODES[origin], number(value)]
                + [unit.upper(), "E" if approximate else "A", quality.upper(), number(num), number(den)]
            )
    return path


def _write_targets_csv(rows, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["DATAFLOW", "PLAN", "INDICATOR", "REF_AREA", "TIME_PERIOD", "OBS_VALUE"]
            + ["COMPARATOR", "UPPER_BOUND", "UNIT_MEASURE", "PLAN_ITEM"]
        )
        for plan, code, locality, year, value, high, comparator, unit, item, *_ in rows:
            writer.writerow(
                [_flow(TARGETS_FLOW), plan, code, area_code(locality), year, number(value)]
                + [COMPARATOR_CODES[comparator], number(high), unit.upper(), item or ""]
            )
    return path


def _parquet(con, sql: str, path: Path) -> Path:
    escaped = str(path).replace("'", "''")
    con.execute(f"copy ({sql}) to '{escaped}' (format parquet, compression zstd)")
    return path


def _codelist(codes: list[tuple[str, str]], **extra) -> dict:
    return {"codes": [{"id": code, "name": name} for code, name in codes], **extra}


def _structure(con, locality_ids: set[str]) -> dict:
    """Both data structure definitions and their codelists, in SDMX terms."""
    indicators = con.execute(
        "select indicator_code, name_vi, name_en, unit from marts.dim_indicator order by indicator_code"
    ).fetchall()
    plans = con.execute("select plan_id, title_vi from marts.dim_plan order by plan_id").fetchall()
    areas = con.execute(
        "select locality_id, name_vi, level from marts.dim_locality where locality_id in (select unnest(?)) "
        "order by locality_id",
        [sorted(locality_ids)],
    ).fetchall()
    units = sorted({unit for *_, unit in indicators})
    codelists = {
        "CL_INDICATOR": {
            "codes": [{"id": c, "name": vi, "name_en": en, "unit": u} for c, vi, en, u in indicators]
        },
        "CL_REF_AREA": {
            "codes": [
                {"id": area_code(lid), "locality_id": lid, "name": name, "level": level}
                for lid, name, level in areas
            ]
        },
        "CL_PLAN": _codelist([(p, t) for p, t in plans]),
        "CL_VALUE_ORIGIN": _codelist(
            [
                ("REPORTED", "reported by the agency"),
                ("ROLLUP", "Σ numerators / Σ denominators of the units"),
                ("PLAN_BASELINE", "figure quoted by a plan"),
            ]
        ),
        "CL_UNIT_MEASURE": _codelist([(u.upper(), u) for u in units]),
        "CL_OBS_STATUS": _codelist([("A", "normal"), ("E", "estimated: roll-up over part of the units")]),
        "CL_QUALITY_FLAG": _codelist([("OK", "passed every check"), ("WARNING", "passed with a warning")]),
        "CL_COMPARATOR": _codelist([(code, sign) for sign, code in COMPARATOR_CODES.items()]),
    }
    time = {"id": "TIME_PERIOD", "role": "time", "format": "YYYY"}
    return {
        "agency": AGENCY,
        "version": VERSION,
        "format": "SDMX-CSV 1.0 (one file per dataflow), Parquet with the same rows plus lineage",
        "dataflows": {
            _flow(VALUES_FLOW): {
                "file": "values.csv",
                "parquet": "values.parquet",
                "description": "Indicator values by locality and year (marts.fct_indicator_value), "
                "error-flagged values excluded",
                "dimensions": [
                    {"id": "INDICATOR", "codelist": "CL_INDICATOR"},
                    {"id": "REF_AREA", "codelist": "CL_REF_AREA"},
                    time,
                    {"id": "VALUE_ORIGIN", "codelist": "CL_VALUE_ORIGIN"},
                ],
                "measure": {"id": "OBS_VALUE", "type": "double", "unit": "UNIT_MEASURE"},
                "attributes": [
                    {"id": "UNIT_MEASURE", "codelist": "CL_UNIT_MEASURE"},
                    {"id": "OBS_STATUS", "codelist": "CL_OBS_STATUS"},
                    {"id": "QUALITY_FLAG", "codelist": "CL_QUALITY_FLAG"},
                    {"id": "NUMERATOR", "type": "double"},
                    {"id": "DENOMINATOR", "type": "double"},
                ],
            },
            _flow(TARGETS_FLOW): {
                "file": "targets.csv",
                "parquet": "targets.parquet",
                "description": "Authoritative targets of every plan (marts.fct_target)",
                "dimensions": [
                    {"id": "PLAN", "codelist": "CL_PLAN"},
                    {"id": "INDICATOR", "codelist": "CL_INDICATOR"},
                    {"id": "REF_AREA", "codelist": "CL_REF_AREA"},
                    time,
                ],
                "measure": {"id": "OBS_VALUE", "type": "double", "unit": "UNIT_MEASURE"},
                "attributes": [
                    {"id": "COMPARATOR", "codelist": "CL_COMPARATOR"},
                    {"id": "UPPER_BOUND", "type": "double"},
                    {"id": "UNIT_MEASURE", "codelist": "CL_UNIT_MEASURE"},
                    {"id": "PLAN_ITEM", "type": "string"},
                ],
            },
        },
        "codelists": codelists,
    }
