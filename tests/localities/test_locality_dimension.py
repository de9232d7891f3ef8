"""The locality dimension and the succession bridge, checked against the pinned library's own numbers."""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd
import pytest

from ingest.reference.localities import build_localities, build_succession
from ingest.warehouse import RAW_TABLES


@pytest.fixture(scope="module")
def dim() -> pd.DataFrame:
    return build_localities().set_index("locality_id", drop=False)


@pytest.fixture(scope="module")
def bridge() -> pd.DataFrame:
    return build_succession()


def test_build_is_fast_and_has_contract_columns():
    start = time.process_time()  # CPU time: a busy machine slows the wall clock, not this
    frame = build_localities()
    build_succession()
    assert time.process_time() - start < 3.0
    assert list(frame.columns) == list(RAW_TABLES["raw.localities"])
    assert list(build_succession().columns) == list(RAW_TABLES["raw.locality_succession"])


def test_library_is_the_pinned_release():
    import vietnam_provinces

    assert vietnam_provinces.__version__ == "2026.9.0"


def test_counts_per_scheme_and_level(dim):
    counts = dim.groupby(["scheme", "level"]).size().to_dict()
    assert counts == {
        ("vn", "nation"): 1,
        ("vn2008", "province"): 63,
        ("vn2008", "district"): 696,
        ("vn2008", "commune"): 10051,
        ("vn2025", "province"): 34,
        ("vn2025", "commune"): 3321,
    }
    assert dim["locality_id"].is_unique


def test_codes_are_zero_padded_and_ids_are_scheme_code(dim):
    width = {"province": 2, "district": 3, "commune": 5}
    units = dim[dim["scheme"] != "vn"]
    assert (units["code"].str.len() == units["level"].map(width)).all()
    assert (units["locality_id"] == units["scheme"] + ":" + units["code"]).all()


def test_hierarchy_and_validity(dim):
    vn2008 = dim[dim["scheme"] == "vn2008"]
    vn2025 = dim[dim["scheme"] == "vn2025"]
    assert set(vn2008["valid_from"]) == {dt.date(2008, 8, 1)}
    assert set(vn2008["valid_to"]) == {dt.date(2025, 6, 30)}
    assert set(vn2025["valid_from"]) == {dt.date(2025, 7, 1)}
    assert vn2025["valid_to"].isna().all()
    # parents: commune → district → province → nation (vn2008); commune → province → nation (vn2025)
    parent_level = dim["parent_id"].map(dim["level"])
    expected = {
        ("vn2008", "commune"): "district",
        ("vn2008", "district"): "province",
        ("vn2008", "province"): "nation",
        ("vn2025", "commune"): "province",
        ("vn2025", "province"): "nation",
    }
    for (scheme, level), parent in expected.items():
        rows = (dim["scheme"] == scheme) & (dim["level"] == level)
        assert (parent_level[rows] == parent).all(), (scheme, level)
        assert (dim.loc[rows, "province_id"].map(dim["level"]) == "province").all()
    assert pd.isna(dim.at["vn:VN", "parent_id"])


def test_known_units(dim):
    assert dim.at["vn2008:11", "name_vi"] == "Tỉnh Điện Biên"
    assert dim.at["vn2025:11", "name_vi"] == "Tỉnh Điện Biên"
    assert dim.at["vn2008:216", "name_vi"] == "Huyện Tân Yên"
    assert dim.at["vn2008:216", "parent_id"] == "vn2008:24"
    assert dim.at["vn2008:24", "name_vi"] == "Tỉnh Bắc Giang"
    assert dim.at["vn2008:27", "name_vi"] == "Tỉnh Bắc Ninh"
    liên_chung = dim.loc["vn2008:07357"]
    assert (
        liên_chung["name_vi"],
        liên_chung["level"],
        liên_chung["parent_id"],
        liên_chung["province_id"],
    ) == (
        "Xã Liên Chung",
        "commune",
        "vn2008:216",
        "vn2008:24",
    )
    # codes are reused across eras: 07330 was xã Hợp Đức and is now xã Phúc Hòa
    assert dim.at["vn2008:07330", "name_vi"] == "Xã Hợp Đức"
    assert dim.at["vn2025:07330", "name_vi"] == "Xã Phúc Hòa"
    assert dim.at["vn2025:07330", "province_id"] == "vn2025:24"
    assert (dim["parent_id"] == "vn2008:216").sum() == 19
    assert (dim["parent_id"] == "vn2025:11").sum() == 45
    assert (dim["parent_id"] == "vn2025:12").sum() == 38


def test_shares_of_each_old_unit_sum_to_one(bridge):
    sums = bridge.groupby("old_locality_id")["allocation_share"].sum()
    assert ((sums - 1.0).abs() < 1e-9).all()
    assert bridge["old_locality_id"].str.startswith("vn2008:").all()
    assert bridge["new_locality_id"].str.startswith("vn2025:").all()
    assert not bridge.duplicated(["old_locality_id", "new_locality_id"]).any()


def test_bridge_levels(bridge, dim):
    levels = bridge.assign(
        old=bridge["old_locality_id"].map(dim["level"]), new=bridge["new_locality_id"].map(dim["level"])
    )
    pairs = set(zip(levels["old"], levels["new"], strict=True))
    assert pairs == {("commune", "commune"), ("district", "province"), ("province", "province")}
    # every old province and district is bridged; the 28 communes missing from the crosswalk are not
    bridged = set(bridge["old_locality_id"])
    for level, missing in (("province", 0), ("district", 0), ("commune", 28)):
        ids = dim.loc[(dim["scheme"] == "vn2008") & (dim["level"] == level), "locality_id"]
        assert (~ids.isin(bridged)).sum() == missing, level


def test_province_level_succession(bridge):
    rows = bridge.set_index(["old_locality_id", "new_locality_id"])
    for old in ("vn2008:24", "vn2008:27"):  # Bắc Giang + Bắc Ninh → new Bắc Ninh (code 24)
        row = rows.loc[(old, "vn2025:24")]
        assert row["allocation_share"] == 1.0 and not row["is_partial"]
    assert rows.loc[("vn2008:11", "vn2025:11"), "allocation_share"] == 1.0
    assert rows.loc[("vn2008:216", "vn2025:24"), "allocation_share"] == 1.0  # Tân Yên district → province
    provinces = bridge[bridge["old_locality_id"].str.len() == len("vn2008:24")]
    assert len(provinces) == 63 and not provinces["is_partial"].any()
    assert provinces["new_locality_id"].nunique() == 34


def test_whole_merge_and_split(bridge):
    by_old = {old: g for old, g in bridge.groupby("old_locality_id")}
    # whole merge: xã Liên Chung, xã Hợp Đức and xã Phúc Hòa became the new xã Phúc Hòa
    for old in ("vn2008:07357", "vn2008:07330", "vn2008:07324"):
        row = by_old[old].iloc[0]
        assert len(by_old[old]) == 1
        assert (row["new_locality_id"], row["allocation_share"], bool(row["is_partial"])) == (
            "vn2025:07330",
            1.0,
            False,
        )
        assert row["allocation_rule"].startswith("whole")
    # Quế Nham went into a ward, phường Đa Mai
    assert by_old["vn2008:07366"].iloc[0]["new_locality_id"] == "vn2025:07228"
    # split: phường Điện Biên (Ba Đình, Hà Nội) was divided among four new wards: 1/4 each
    split = by_old["vn2008:00019"]
    assert set(split["new_locality_id"]) == {"vn2025:00004", "vn2025:00070", "vn2025:00190", "vn2025:00226"}
    assert (split["allocation_share"] == 0.25).all() and split["is_partial"].all()
    assert split["allocation_rule"].str.startswith("equal_split_1/n").all()
    # partly merged with a single listed successor: share 1, but flagged partial
    sole = bridge[bridge["allocation_rule"].str.startswith("sole_listed_successor")]
    assert len(sole) == 132 and (sole["allocation_share"] == 1.0).all() and sole["is_partial"].all()
    assert bridge.loc[bridge["is_partial"], "old_locality_id"].nunique() == 572
