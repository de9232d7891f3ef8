"""A small hand-built warehouse with the mart shapes the reports read.

The real marts are built by dbt from the plan registry and agency workbooks; the report tests must not
depend on that pipeline, so this fixture states the columns the reports rely on and hand-checked values:
Điện Biên (333/QĐ-UBND) chỉ tiêu 5, under-5 mortality: KQ 2020 22,8‰; targets < 18,5‰ (2025) and < 15‰
(2030); 2025 value 19,4‰, so "Không đạt", outlook "Cần đẩy nhanh".
"""

from datetime import date, datetime

import duckdb

from ingest.warehouse import DQ_TABLES

EVIL_NAME = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'

SO_KET = {
    "plan_id": "varchar",
    "locality_id": "varchar",
    "is_plan_territory": "boolean",
    "indicator_code": "varchar",
    "plan_item": "varchar",
    "goal_group": "integer",
    "indicator_name_vi": "varchar",
    "unit": "varchar",
    "direction": "varchar",
    "baseline_year": "integer",
    "baseline_value": "double",
    "baseline_source": "varchar",
    "value_2025": "double",
    "value_2025_is_approximate": "boolean",
    "value_2025_source": "varchar",
    "latest_year": "integer",
    "latest_value": "double",
    "target_2025": "double",
    "target_2025_high": "double",
    "comparator_2025": "varchar",
    "status_2025": "varchar",
    "target_2030": "double",
    "target_2030_high": "double",
    "comparator_2030": "varchar",
    "progress_2030": "varchar",
    "projected_2030": "double",
    "unsd_progress_ratio": "double",
    "eurostat_ratio": "double",
    "eurostat_category": "varchar",
    "aarr_actual": "double",
    "aarr_required": "double",
    "quality_status": "varchar",
    "warning_count": "integer",
    "judgement_rule": "varchar",
}

TONG_KET = {
    "plan_id": "varchar",
    "locality_id": "varchar",
    "is_plan_territory": "boolean",
    "indicator_code": "varchar",
    "plan_item": "varchar",
    "goal_group": "integer",
    "indicator_name_vi": "varchar",
    "unit": "varchar",
    "direction": "varchar",
    "baseline_year": "integer",
    "baseline_value": "double",
    "baseline_source": "varchar",
    "latest_year": "integer",
    "latest_value": "double",
    "target_2030": "double",
    "target_2030_high": "double",
    "comparator_2030": "varchar",
    "status_2030": "varchar",
    "quality_status": "varchar",
    "warning_count": "integer",
    "judgement_rule": "varchar",
    **{f"value_{y}": "double" for y in range(2020, 2031)},
}

TABLES = {
    "marts.dim_plan": {
        "plan_id": "varchar",
        "title_vi": "varchar",
        "document_no": "varchar",
        "issued_on": "date",
        "locality_id": "varchar",
        "issuer_vi": "varchar",
    },
    "marts.dim_locality": {
        "locality_id": "varchar",
        "name_vi": "varchar",
        "level": "varchar",
        "parent_id": "varchar",
    },
    "marts.dim_indicator": {
        "indicator_code": "varchar",
        "goal_group": "integer",
        "name_vi": "varchar",
        "unit": "varchar",
        "is_sensitive": "boolean",
    },
    "marts.fct_target": {
        "plan_id": "varchar",
        "indicator_code": "varchar",
        "plan_item": "varchar",
        "year": "integer",
        "comparator": "varchar",
        "target_value": "double",
        "target_value_high": "double",
        "source_quote": "varchar",
        "is_authoritative": "boolean",
        "is_conflicting": "boolean",
    },
    "marts.fct_indicator_value": {
        "indicator_code": "varchar",
        "locality_id": "varchar",
        "year": "integer",
        "value": "double",
        "numerator": "double",
        "denominator": "double",
        "origin": "varchar",
        "quality_status": "varchar",
    },
    "marts.mart_reporting_completeness": {
        "plan_id": "varchar",
        "sector": "varchar",
        "agency_id": "varchar",
        "locality_id": "varchar",
        "year": "integer",
        "expected_values": "integer",
        "received_values": "integer",
        "completeness_pct": "double",
        "first_received_at": "timestamp",
        "last_received_at": "timestamp",
        "deadline": "date",
        "on_time": "boolean",
    },
    **DQ_TABLES,
    "marts.mart_so_ket_2025": SO_KET,
    "marts.mart_tong_ket_2030": TONG_KET,
}

DB = "vn2008:11"
TP = "vn2008:094"
MUONG_THANH = "vn2008:03127"
EVIL = "vn2008:03130"

INDICATORS = [
    # code, goal, name, unit, direction, sensitive
    (
        "CHILD_FRIENDLY_COMMUNE",
        1,
        "Tỷ lệ xã, phường, thị trấn đạt tiêu chuẩn phù hợp với trẻ em",
        "percent",
        "increase",
        False,
    ),
    ("INFANT_MORTALITY", 1, "Tỷ suất tử vong trẻ em dưới 1 tuổi", "per_1000_live_births", "decrease", False),
    ("U5_MORTALITY", 1, "Tỷ suất tử vong trẻ em dưới 5 tuổi", "per_1000_live_births", "decrease", False),
    ("HIV_MTCT", 1, "Tỷ lệ lây truyền HIV từ mẹ sang con", "percent", "decrease", False),
    ("INJURY_RATE", 2, "Tỷ suất trẻ em bị tai nạn thương tích", "per_100000_children", "decrease", False),
    (
        "INJURY_DEATH_RATE",
        2,
        "Tỷ suất trẻ em tử vong do tai nạn thương tích",
        "per_100000_children",
        "decrease",
        False,
    ),
    ("CHILD_ABUSE_HANDLED", 2, "Tỷ lệ trẻ em bị xâm hại được can thiệp, hỗ trợ", "percent", "increase", True),
    ("CHILD_MARRIAGE", 2, "Số cuộc tảo hôn", "count", "annual_reduction", True),
    (
        "BIRTH_REGISTRATION_U5",
        2,
        "Tỷ lệ trẻ em dưới 5 tuổi được đăng ký khai sinh",
        "percent",
        "increase",
        False,
    ),
    ("PRESCHOOL_5Y", 3, "Tỷ lệ huy động trẻ em 5 tuổi đi học mẫu giáo", "percent", "increase", False),
    (
        "CHILDREN_CONSULTED_7PLUS",
        4,
        "Tỷ lệ trẻ em từ 7 tuổi trở lên được hỏi ý kiến",
        "percent",
        "increase",
        False,
    ),
]
INFO = {code: (goal, name, unit, direction) for code, goal, name, unit, direction, _ in INDICATORS}

# code: plan_item, baseline, value_2025, (cmp25, t25, t25_high), (cmp30, t30, t30_high), status, progress,
#       projected, extras
DIEN_BIEN = {
    "CHILD_FRIENDLY_COMMUNE": (
        "Chỉ tiêu 1",
        63.0,
        68.2,
        (">=", 65, None),
        (">=", 75, None),
        "achieved",
        "on_track",
        74.0,
        {},
    ),
    "INFANT_MORTALITY": (
        "Chỉ tiêu 4",
        31.0,
        12.1,
        ("<=", 12.5, None),
        ("<=", 10, None),
        "achieved",
        "on_track",
        4.7,
        {},
    ),
    "U5_MORTALITY": (
        "Chỉ tiêu 5",
        22.8,
        19.4,
        ("<", 18.5, None),
        ("<", 15, None),
        "not_achieved",
        "acceleration_needed",
        16.5,
        {"unsd_progress_ratio": 0.81},
    ),
    "HIV_MTCT": (
        "Chỉ tiêu 11",
        2.4,
        1.2,
        (None, None, None),
        ("<", 2, None),
        "no_target",
        "target_already_met",
        0.6,
        {},
    ),
    "INJURY_RATE": (
        "Chỉ tiêu 15",
        590.0,
        512.0,
        ("<=", 550, None),
        ("<=", 500, None),
        "achieved",
        "on_track",
        444.0,
        {},
    ),
    "INJURY_DEATH_RATE": (
        "Chỉ tiêu 15",
        18.0,
        16.8,
        ("<=", 16, None),
        ("<=", 15, None),
        "not_achieved",
        "acceleration_needed",
        15.7,
        {},
    ),
    "CHILD_ABUSE_HANDLED": (
        "Chỉ tiêu 16",
        96.0,
        100.0,
        (">=", 100, None),
        (">=", 100, None),
        "achieved",
        "target_already_met",
        100.0,
        {},
    ),
    "CHILD_MARRIAGE": (
        "Chỉ tiêu 18",
        52.0,
        41.0,
        (">=", 2, 3),
        (">=", 2, 3),
        "achieved",
        "on_track",
        None,
        {
            "value_2025_is_approximate": True,
            "aarr_actual": 0.0459,
            "quality_status": "warning",
            "warning_count": 2,
        },
    ),
    "BIRTH_REGISTRATION_U5": (
        "Chỉ tiêu 19",
        98.1,
        None,
        (">=", 100, None),
        (">=", 100, None),
        "no_data",
        "insufficient_data",
        None,
        {"latest_year": 2023, "latest_value": 98.7},
    ),
    "PRESCHOOL_5Y": (
        "Chỉ tiêu 21",
        99.6,
        99.95,
        (">=", 99.9, None),
        (">=", 99.9, None),
        "achieved",
        "target_already_met",
        None,
        {},
    ),
    "CHILDREN_CONSULTED_7PLUS": (
        "Chỉ tiêu 27",
        26.0,
        27.5,
        (">=", 30, None),
        (">=", 35, None),
        "not_achieved",
        "stagnation_or_regression",
        29.1,
        {},
    ),
}

U5_SERIES = {2020: 22.8, 2021: 22.1, 2022: 21.3, 2023: 20.6, 2024: 19.9, 2025: 19.4}

QUOTES = {
    "U5_MORTALITY": "Chỉ tiêu 5: Giảm tỷ suất tử vong trẻ em dưới 5 tuổi trên 1.000 trẻ đẻ sống "
    "dưới 18,5‰ vào năm 2025 và dưới 15‰ vào năm 2030.",
    "CHILD_MARRIAGE": "Chỉ tiêu 18: Từng bước xóa bỏ tình trạng tảo hôn, duy trì mức giảm số cuộc tảo hôn "
    "từ 2 đến 3% hằng năm giai đoạn từ năm 2025 đến năm 2030.",
}


def _row(plan_id, locality_id, territory, code, spec, **overrides) -> dict:
    item, baseline, v25, t25, t30, status, progress, projected, extras = spec
    goal, name, unit, direction = INFO[code]
    row = {
        "plan_id": plan_id,
        "locality_id": locality_id,
        "is_plan_territory": territory,
        "indicator_code": code,
        "plan_item": item,
        "goal_group": goal,
        "indicator_name_vi": name,
        "unit": unit,
        "direction": direction,
        "baseline_year": 2020,
        "baseline_value": baseline,
        "baseline_source": "reported" if baseline is not None else None,
        "value_2025": v25,
        "value_2025_is_approximate": False,
        "value_2025_source": "reported" if v25 is not None else None,
        "latest_year": 2025 if v25 is not None else None,
        "latest_value": v25,
        "comparator_2025": t25[0],
        "target_2025": t25[1],
        "target_2025_high": t25[2],
        "status_2025": status,
        "comparator_2030": t30[0],
        "target_2030": t30[1],
        "target_2030_high": t30[2],
        "progress_2030": progress,
        "projected_2030": projected,
        "quality_status": "ok",
        "warning_count": 0,
        "judgement_rule": "strict_comparator",
    }
    row.update(extras)
    row.update(overrides)
    return row


def _insert(con, table: str, columns: dict[str, str], rows: list[dict]) -> None:
    con.execute(f"create table {table} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
    if rows:
        placeholders = ", ".join("?" for _ in columns)
        con.executemany(
            f"insert into {table} values ({placeholders})", [[r.get(c) for c in columns] for r in rows]
        )


def so_ket_rows() -> list[dict]:
    rows = [_row("dien-bien-2021", DB, True, code, spec) for code, spec in DIEN_BIEN.items()]
    # Sub-localities of Điện Biên.
    marriage, handled, u5 = (
        DIEN_BIEN["CHILD_MARRIAGE"],
        DIEN_BIEN["CHILD_ABUSE_HANDLED"],
        DIEN_BIEN["U5_MORTALITY"],
    )
    rows += [
        _row(
            "dien-bien-2021",
            TP,
            False,
            "CHILD_MARRIAGE",
            marriage,
            baseline_value=11,
            value_2025=9,
            latest_value=9,
        ),
        _row(
            "dien-bien-2021",
            MUONG_THANH,
            False,
            "CHILD_MARRIAGE",
            marriage,
            baseline_value=4,
            value_2025=3,
            latest_value=3,
        ),
        _row(
            "dien-bien-2021",
            EVIL,
            False,
            "CHILD_MARRIAGE",
            marriage,
            baseline_value=7,
            value_2025=6,
            latest_value=6,
        ),
        _row(
            "dien-bien-2021",
            MUONG_THANH,
            False,
            "CHILD_ABUSE_HANDLED",
            handled,
            baseline_value=100,
            value_2025=75.0,
            latest_value=75.0,
            status_2025="not_achieved",
        ),
        _row(
            "dien-bien-2021",
            EVIL,
            False,
            "U5_MORTALITY",
            u5,
            baseline_value=20.1,
            value_2025=17.2,
            latest_value=17.2,
            status_2025="achieved",
        ),
    ]
    # A second numeric plan (Bắc Ninh 359/KH-UBND), two rows.
    rows += [
        _row(
            "bac-ninh-2021",
            "vn2008:27",
            True,
            "U5_MORTALITY",
            ("Chỉ tiêu 3", 27.0, 13.9, ("<", 15, None), ("<", 12, None), "achieved", "on_track", 7.2, {}),
        ),
        _row(
            "bac-ninh-2021",
            "vn2008:27",
            True,
            "CHILD_FRIENDLY_COMMUNE",
            (
                "Chỉ tiêu 1",
                74.0,
                80.0,
                (">=", 82, None),
                (">=", 87, None),
                "not_achieved",
                "acceleration_needed",
                86.0,
                {},
            ),
        ),
    ]
    return rows


def tong_ket_rows(so_ket: list[dict]) -> list[dict]:
    out = []
    for r in so_ket:
        row = {k: r.get(k) for k in TONG_KET if k in r}
        row["status_2030"] = "no_data"
        row["value_2020"] = r["baseline_value"]
        row["value_2025"] = r["value_2025"]
        if r["indicator_code"] == "U5_MORTALITY" and r["locality_id"] == DB:
            row.update({f"value_{y}": v for y, v in U5_SERIES.items()})
            row.update(
                {
                    "value_2027": 17.8,
                    "value_2030": 14.2,
                    "latest_year": 2030,
                    "latest_value": 14.2,
                    "status_2030": "achieved",
                }
            )
        out.append(row)
    return out


def build(path) -> str:
    """Create the fixture warehouse at `path` and return its path as a string."""
    con = duckdb.connect(str(path))
    try:
        for schema in ("marts", "dq"):
            con.execute(f"create schema if not exists {schema}")
        plans = [
            {
                "plan_id": "dien-bien-2021",
                "title_vi": "Chương trình hành động vì trẻ em tỉnh Điện Biên giai đoạn 2021-2030",
                "document_no": "333/QĐ-UBND",
                "issued_on": date(2021, 3, 15),
                "locality_id": DB,
                "issuer_vi": "UBND tỉnh Điện Biên",
            },
            {
                "plan_id": "bac-ninh-2021",
                "title_vi": "Kế hoạch thực hiện Chương trình hành động vì trẻ em tỉnh Bắc "
                "Ninh giai đoạn 2021-2030",
                "document_no": "359/KH-UBND",
                "issued_on": date(2021, 6, 10),
                "locality_id": "vn2008:27",
                "issuer_vi": "UBND tỉnh Bắc Ninh",
            },
            {
                "plan_id": "lai-chau-2020",
                "title_vi": "Kế hoạch thực hiện Chỉ thị 23/CT-TTg",
                "document_no": None,
                "issued_on": None,
                "locality_id": "vn2008:12",
                "issuer_vi": "UBND tỉnh Lai Châu",
            },
        ]
        localities = [
            {"locality_id": "vn:VN", "name_vi": "Việt Nam", "level": "nation", "parent_id": None},
            {"locality_id": DB, "name_vi": "Tỉnh Điện Biên", "level": "province", "parent_id": "vn:VN"},
            {"locality_id": TP, "name_vi": "Thành phố Điện Biên Phủ", "level": "district", "parent_id": DB},
            {
                "locality_id": MUONG_THANH,
                "name_vi": "Phường Mường Thanh",
                "level": "commune",
                "parent_id": TP,
            },
            {"locality_id": EVIL, "name_vi": EVIL_NAME, "level": "commune", "parent_id": TP},
            {
                "locality_id": "vn2008:27",
                "name_vi": "Tỉnh Bắc Ninh",
                "level": "province",
                "parent_id": "vn:VN",
            },
        ]
        indicators = [
            {"indicator_code": c, "goal_group": g, "name_vi": n, "unit": u, "is_sensitive": s}
            for c, g, n, u, _, s in INDICATORS
        ]
        targets = []
        for code, spec in DIEN_BIEN.items():
            for year, (cmp, value, high) in ((2025, spec[3]), (2030, spec[4])):
                if value is not None:
                    targets.append(
                        {
                            "plan_id": "dien-bien-2021",
                            "indicator_code": code,
                            "plan_item": spec[0],
                            "year": year,
                            "comparator": cmp,
                            "target_value": value,
                            "target_value_high": high,
                            "source_quote": QUOTES.get(code, f"{spec[0]}: {INFO[code][1]}"),
                            "is_authoritative": True,
                            "is_conflicting": code == "CHILD_FRIENDLY_COMMUNE",
                        }
                    )
        targets.append(
            {
                "plan_id": "dien-bien-2021",
                "indicator_code": "CHILD_FRIENDLY_COMMUNE",
                "plan_item": "Chỉ tiêu 1",
                "year": 2025,
                "comparator": ">=",
                "target_value": 60,
                "source_quote": "Phụ lục: 60%",
                "is_authoritative": False,
                "is_conflicting": True,
            }
        )
        targets.append(
            {
                "plan_id": "bac-ninh-2021",
                "indicator_code": "U5_MORTALITY",
                "plan_item": "Chỉ tiêu 3",
                "year": 2025,
                "comparator": "<",
                "target_value": 15,
                "source_quote": "<15",
                "is_authoritative": True,
                "is_conflicting": False,
            }
        )
        values = [
            {
                "indicator_code": "U5_MORTALITY",
                "locality_id": DB,
                "year": y,
                "value": v,
                "origin": "reported",
                "quality_status": "ok",
            }
            for y, v in U5_SERIES.items()
        ]
        values += [
            {
                "indicator_code": "U5_MORTALITY",
                "locality_id": DB,
                "year": 2020,
                "value": 25.0,
                "origin": "plan_baseline",
            },
            {
                "indicator_code": "CHILD_FRIENDLY_COMMUNE",
                "locality_id": DB,
                "year": 2022,
                "value": 65.1,
                "origin": "rollup",
            },
            {
                "indicator_code": "CHILD_MARRIAGE",
                "locality_id": MUONG_THANH,
                "year": 2025,
                "origin": "reported",
                "value": 3,
                "numerator": 3,
            },
            {
                "indicator_code": "CHILD_MARRIAGE",
                "locality_id": MUONG_THANH,
                "year": 2020,
                "origin": "reported",
                "value": 4,
                "numerator": 4,
            },
            {
                "indicator_code": "CHILD_ABUSE_HANDLED",
                "locality_id": MUONG_THANH,
                "year": 2025,
                "value": 75.0,
                "numerator": 3,
                "denominator": 4,
                "origin": "reported",
            },
            {
                "indicator_code": "U5_MORTALITY",
                "locality_id": EVIL,
                "year": 2025,
                "value": 17.2,
                "numerator": 2,
                "denominator": 116,
                "origin": "reported",
            },
        ]
        completeness = [
            {
                "plan_id": "dien-bien-2021",
                "sector": "health",
                "agency_id": "db:so-y-te",
                "locality_id": DB,
                "year": 2025,
                "expected_values": 8,
                "received_values": 8,
                "completeness_pct": 100.0,
                "last_received_at": datetime(2025, 11, 12, 9, 30),
                "deadline": date(2025, 11, 20),
                "on_time": True,
            },
            {
                "plan_id": "dien-bien-2021",
                "sector": "education",
                "agency_id": "db:so-gd",
                "locality_id": DB,
                "year": 2025,
                "expected_values": 10,
                "received_values": 6,
                "completeness_pct": 60.0,
                "last_received_at": datetime(2025, 12, 2, 14, 0),
                "deadline": date(2025, 11, 20),
                "on_time": False,
            },
        ]
        checks = [
            {
                "run_id": "r1",
                "checked_at": datetime(2025, 12, 3, 8),
                "suite": "indicator_values",
                "check_name": "numerator_le_denominator",
                "severity": "error",
                "success": False,
                "element_count": 120,
                "unexpected_count": 1,
                "unexpected_sample": "=cmd|' /C calc'!A0",
                "submission_id": None,
            },
            {
                "run_id": "r1",
                "checked_at": datetime(2025, 12, 3, 8),
                "suite": "indicator_values",
                "check_name": "value_in_plausible_range",
                "severity": "warning",
                "success": True,
                "element_count": 120,
                "unexpected_count": 0,
                "unexpected_sample": None,
                "submission_id": None,
            },
        ]
        flagged = [
            {
                "submission_id": "s1",
                "indicator_code": "CHILD_MARRIAGE",
                "locality_id": DB,
                "year": 2025,
                "severity": "warning",
                "check_name": "yoy_change",
                "detail": "Giảm 21% so với năm trước",
            },
        ]
        so_ket = so_ket_rows()
        data = {
            "marts.dim_plan": plans,
            "marts.dim_locality": localities,
            "marts.dim_indicator": indicators,
            "marts.fct_target": targets,
            "marts.fct_indicator_value": values,
            "marts.mart_reporting_completeness": completeness,
            "dq.check_results": checks,
            "dq.flagged_values": flagged,
            "marts.mart_so_ket_2025": so_ket,
            "marts.mart_tong_ket_2030": tong_ket_rows(so_ket),
        }
        for table, columns in TABLES.items():
            _insert(con, table, columns, data[table])
    finally:
        con.close()
    return str(path)
