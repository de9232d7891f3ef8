"""Time-bound agencies and who is expected to report for a sector on a date."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ingest.reference.agencies import SECTORS, build_agencies, responsible_agency
from ingest.warehouse import RAW_TABLES

PLANS = pd.DataFrame(
    {
        "plan_id": ["national-2021", "dien-bien-2021", "bac-ninh-2021", "tan-yen-2021"],
        "title_vi": ["", "", "", ""],
        "locality_id": ["vn:VN", "vn2008:11", "vn2008:27", "vn2008:216"],
    }
)


@pytest.fixture(scope="module")
def agencies() -> pd.DataFrame:
    return build_agencies(PLANS)


def test_shape_and_ids(agencies):
    assert list(agencies.columns) == list(RAW_TABLES["raw.agencies"])
    assert agencies["agency_id"].is_unique
    assert (agencies["agency_id"] == agencies["sector"] + "@" + agencies["locality_id"]).all()
    assert set(agencies["sector"]) == set(SECTORS)
    # territories: the plans', Tân Yên's province (old Bắc Giang), and the vn2025 successors
    assert set(agencies["locality_id"]) == {
        "vn:VN",
        "vn2008:11",
        "vn2008:27",
        "vn2008:216",
        "vn2008:24",
        "vn2025:11",
        "vn2025:24",
    }


def test_names(agencies):
    name = dict(zip(agencies["agency_id"], agencies["name_vi"], strict=True))
    assert name["health@vn2008:11"] == "Sở Y tế tỉnh Điện Biên"
    assert name["education@vn2008:216"] == "Phòng Giáo dục và Đào tạo huyện Tân Yên"
    assert name["health@vn:VN"] == "Bộ Y tế"
    assert name["police@vn2008:216"] == "Công an huyện Tân Yên"
    assert name["social_affairs@vn2008:27"] == "Sở Lao động - Thương binh và Xã hội tỉnh Bắc Ninh"
    assert name["health@vn2025:11"] == "Sở Y tế tỉnh Điện Biên"


def test_validity(agencies):
    a = agencies.set_index("agency_id")
    assert a.at["social_affairs@vn2008:11", "valid_to"] == dt.date(2025, 2, 28)
    assert a.at["social_affairs@vn2008:216", "valid_to"] == dt.date(2025, 2, 28)
    assert a.at["education@vn2008:216", "valid_to"] == dt.date(2025, 6, 30)
    assert a.at["health@vn2008:27", "valid_to"] == dt.date(2025, 6, 30)
    assert a.at["health@vn2025:24", "valid_from"] == dt.date(2025, 7, 1)
    assert pd.isna(a.at["health@vn2025:24", "valid_to"])
    assert "social_affairs@vn2025:24" not in a.index


@pytest.mark.parametrize(
    ("territory", "sector", "on", "expected"),
    [
        ("vn2008:11", "social_affairs", "2024-11-20", "social_affairs@vn2008:11"),
        ("vn2008:11", "social_affairs", "2025-03-01", "health@vn2008:11"),
        ("vn2008:11", "social_affairs", "2025-11-20", "health@vn2025:11"),
        ("vn:VN", "social_affairs", "2024-11-20", "social_affairs@vn:VN"),
        ("vn:VN", "social_affairs", "2025-11-20", "health@vn:VN"),
        ("vn2008:216", "social_affairs", "2024-11-20", "social_affairs@vn2008:216"),
        ("vn2008:216", "social_affairs", "2025-04-15", "health@vn2008:216"),
        ("vn2008:216", "social_affairs", "2025-11-20", "health@vn2025:24"),
        ("vn2008:216", "education", "2025-06-30", "education@vn2008:216"),
        ("vn2008:216", "education", "2025-07-01", "education@vn2025:24"),
        ("vn2008:216", "police", "2025-04-15", "police@vn2008:24"),  # district police gone from 1/3/2025
        ("vn2008:27", "health", "2024-11-20", "health@vn2008:27"),
        ("vn2008:27", "health", "2025-11-20", "health@vn2025:24"),  # old Bắc Ninh → new Bắc Ninh
        ("vn2025:24", "justice", "2026-11-20", "justice@vn2025:24"),
        ("vn2008:07357", "health", "2024-11-20", "health@vn2008:216"),  # communes report via their district
    ],
)
def test_responsible_agency_follows_transfers(agencies, territory, sector, on, expected):
    assert responsible_agency(agencies, territory, sector, on) == expected


def test_no_agency_is_a_clear_error(agencies):
    with pytest.raises(LookupError, match="Không xác định được cơ quan"):
        responsible_agency(agencies, "vn2025:24", "health", "2024-01-01")
    with pytest.raises(LookupError):
        responsible_agency(agencies, "vn2008:11", "planning", "2024-01-01")


def test_unknown_plan_territory_is_rejected():
    with pytest.raises(ValueError, match="not in the locality dimension"):
        build_agencies(pd.DataFrame({"plan_id": ["x"], "locality_id": ["vn2008:999"]}))
