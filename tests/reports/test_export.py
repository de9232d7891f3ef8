"""`treem export`: SDMX-CSV read back with pysdmx (a maintained SDMX library) gives the marts' numbers
exactly; Parquet holds the same rows; the structure file describes every code used."""

from __future__ import annotations

import json

import duckdb
import pytest

from reports.export import export_open_data

pysdmx_io = pytest.importorskip("pysdmx.io")

VALUES = [
    # indicator, locality, year, origin, value, numerator, denominator, approximate, quality
    ("INFANT_MORTALITY", "vn2008:11", 2020, "reported", 25.0, 150.0, 6000.0, False, "ok"),
    ("INFANT_MORTALITY", "vn2008:11", 2020, "plan_baseline", 31.0, None, None, False, "ok"),
    ("INFANT_MORTALITY", "vn2008:11", 2025, "rollup", 1000 / 3, 1.0, 3.0, True, "warning"),
    ("INFANT_MORTALITY", "vn2025:24", 2025, "reported", 0.1 + 0.2, 3.0, 10000.0, False, "ok"),
    ("IMMUNIZATION_U1", "vn2008:11", 2025, "reported", 98.5, 197.0, 200.0, False, "error"),
]
TARGETS = [
    ("dien-bien-2021", "INFANT_MORTALITY", "vn2008:11", 2025, "<", 12.5, None, "Chỉ tiêu 4", True),
    ("dien-bien-2021", "INFANT_MORTALITY", "vn2008:11", 2030, "<=", 10.0, None, "Chỉ tiêu 4", True),
    ("dien-bien-2021", "IMMUNIZATION_U1", "vn2008:11", 2025, ">=", 95.0, 97.5, "Chỉ tiêu 9", True),
    ("dien-bien-2021", "IMMUNIZATION_U1", "vn2008:11", 2030, ">=", 90.0, None, "Chỉ tiêu 9", False),
]


@pytest.fixture()
def marts(tmp_path):
    con = duckdb.connect(str(tmp_path / "treem.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_indicator_value (indicator_code varchar, locality_id varchar, year integer, "
        "origin varchar, value double, numerator double, denominator double, is_approximate boolean, "
        "quality_status varchar, plan_id varchar, agency_id varchar, submission_id varchar, sheet varchar, "
        "cell varchar)"
    )
    con.executemany(
        "insert into marts.fct_indicator_value values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'dien-bien-2021', null, "
        "null, null, null)",
        VALUES,
    )
    con.execute(
        "create table marts.fct_target (plan_id varchar, indicator_code varchar, locality_id varchar, "
        "year integer, comparator varchar, target_value double, target_value_high double, plan_item varchar, "
        "is_authoritative boolean, source_section varchar, source_quote varchar)"
    )
    con.executemany(
        "insert into marts.fct_target values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'text', 'trích dẫn')", TARGETS
    )
    con.execute(
        "create table marts.dim_indicator as select * from (values "
        "('INFANT_MORTALITY', 'Tỷ suất tử vong trẻ em dưới 1 tuổi', 'Infant mortality', "
        "'per_1000_live_births'),"
        "('IMMUNIZATION_U1', 'Tỷ lệ tiêm chủng đầy đủ', 'Full immunisation under 1', 'percent')) "
        "t(indicator_code, name_vi, name_en, unit)"
    )
    con.execute(
        "create table marts.dim_plan as "
        "select 'dien-bien-2021' as plan_id, 'Chương trình Điện Biên' as title_vi"
    )
    con.execute(
        "create table marts.dim_locality as select * from (values "
        "('vn2008:11', 'Tỉnh Điện Biên', 'province'), "
        "('vn2025:24', 'Tỉnh Bắc Ninh', 'province')) t(locality_id, name_vi, level)"
    )
    yield con
    con.close()


def test_sdmx_csv_round_trips_the_numbers_through_pysdmx(marts, tmp_path):
    out = tmp_path / "export"
    result = export_open_data(marts, out)
    assert (result.values, result.targets) == (
        4,
        3,
    )  # the error value and the non-authoritative claim stay out

    message = pysdmx_io.read_sdmx(out / "values.csv")
    (dataset,) = message.data
    assert dataset.short_urn == "Dataflow=TREEM:CAP_VALUES(1.0)"
    frame = dataset.data
    read = {
        (r.INDICATOR, r.REF_AREA, int(r.TIME_PERIOD), r.VALUE_ORIGIN): float(r.OBS_VALUE)
        for r in frame.itertuples()
    }
    expected = {
        (code, loc.replace(":", "_"), year, origin.upper()): value
        for code, loc, year, origin, value, *_, quality in VALUES
        if quality != "error"
    }
    assert read == expected  # exact floats: 1000/3 and 0.1 + 0.2 come back bit for bit
    flags = {
        (r.REF_AREA, int(r.TIME_PERIOD), r.VALUE_ORIGIN): (r.OBS_STATUS, r.QUALITY_FLAG)
        for r in frame.itertuples()
    }
    assert flags[("vn2008_11", 2025, "ROLLUP")] == ("E", "WARNING")
    baseline = frame[frame.VALUE_ORIGIN == "PLAN_BASELINE"].iloc[0]
    assert baseline.NUMERATOR in ("", None) or baseline.NUMERATOR != baseline.NUMERATOR  # empty, not 0

    (targets,) = pysdmx_io.read_sdmx(out / "targets.csv").data
    got = {
        (r.PLAN, r.INDICATOR, int(r.TIME_PERIOD)): (float(r.OBS_VALUE), r.COMPARATOR)
        for r in targets.data.itertuples()
    }
    assert got == {
        ("dien-bien-2021", "INFANT_MORTALITY", 2025): (12.5, "LT"),
        ("dien-bien-2021", "INFANT_MORTALITY", 2030): (10.0, "LE"),
        ("dien-bien-2021", "IMMUNIZATION_U1", 2025): (95.0, "GE"),
    }


def test_parquet_holds_the_same_rows_and_the_structure_every_code(marts, tmp_path):
    out = tmp_path / "export"
    export_open_data(marts, out)
    rows = marts.execute(
        "select indicator_code, locality_id, year, origin, value "
        f"from read_parquet('{out / 'values.parquet'}') order by all"
    ).fetchall()
    assert rows == sorted((c, loc, y, o, v) for c, loc, y, o, v, *_, q in VALUES if q != "error")

    structure = json.loads((out / "structure.json").read_text(encoding="utf-8"))
    areas = {code["id"]: code["locality_id"] for code in structure["codelists"]["CL_REF_AREA"]["codes"]}
    assert areas == {"vn2008_11": "vn2008:11", "vn2025_24": "vn2025:24"}
    flow = structure["dataflows"]["TREEM:CAP_VALUES(1.0)"]
    assert [d["id"] for d in flow["dimensions"]] == ["INDICATOR", "REF_AREA", "TIME_PERIOD", "VALUE_ORIGIN"]
    header = (out / "values.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    described = [d["id"] for d in flow["dimensions"]] + ["OBS_VALUE"] + [a["id"] for a in flow["attributes"]]
    assert header == ["DATAFLOW", *described]
