"""Reporting agencies per plan territory and sector, bound in time, and who must report on a given date.

Why time-bound: two 2025 reforms moved reporting duties while the 2021-2030 plans stayed in force.

- From 1/3/2025 (Nghị định 42/2025/NĐ-CP and the matching provincial decisions) the labour/social-affairs
  ministry and the provincial Sở / district Phòng Lao động - Thương binh và Xã hội were dissolved; child
  affairs moved to the health sector. `social_affairs` agencies are valid until 2025-02-28.
- From 1/3/2025 district police (Công an huyện) were no longer organised (Ministry of Public Security
  restructuring); their work passed to the provincial police. District `police` agencies end 2025-02-28.
- From 1/7/2025 districts were abolished and provinces merged (Nghị quyết 202/2025/QH15). Every vn2008
  district and province agency ends 2025-06-30; the successor vn2025 province's agencies start 2025-07-01
  (`health@vn2025:24`, Sở Y tế of the new Bắc Ninh, succeeds both `health@vn2008:24` of old Bắc Giang and
  `health@vn2008:27` of old Bắc Ninh). A province that was not merged (Điện Biên) still gets a new id
  (`health@vn2008:11` → `health@vn2025:11`) because its territory, and so its locality_id, is new.

Sectors (SECTORS): health, education, justice, police, social_affairs, culture. Agencies are created for
every plan territory, its province ancestor (which takes over a district's abolished duties), and the
vn2025 successor provinces. agency_id = `<sector>@<locality_id>`. Communes have no agencies of their own.

The transfer rule (`responsible_agency`): start from `<sector>@<territory>` and, while that agency does not
exist or is not valid on the date, apply the first rule that fits: (1) a dissolved sector after its last day
→ its successor sector at the same territory (`SECTOR_SUCCESSORS`: social_affairs on/after 2025-03-01 →
health); (2) a vn2008 unit on/after 2025-07-01 → its vn2025 successor province (via the
locality succession bridge); (3) a district or commune → its parent. So Tân Yên's social_affairs in 2024 is
Phòng LĐTBXH huyện Tân Yên; on 2025-11-20 it is `health@vn2025:24`, Sở Y tế of the new Bắc Ninh.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandas as pd

from ingest.reference.localities import (
    VN2008_FROM,
    VN2008_TO,
    VN2025_FROM,
    build_localities,
    build_succession,
)
from ingest.warehouse import RAW_TABLES

SOCIAL_AFFAIRS_END = dt.date(2025, 2, 28)  # Nghị định 42/2025/NĐ-CP: child affairs to health from 1/3/2025
DISTRICT_POLICE_END = dt.date(2025, 2, 28)  # district police not organised from 1/3/2025

# A dissolved sector -> (its last day, the sector its duties pass to). The one home of the successor-sector
# rule: `responsible_agency` applies it, and the warehouse reads its answer (raw.expected_agencies).
SECTOR_SUCCESSORS: dict[str, tuple[dt.date, str]] = {"social_affairs": (SOCIAL_AFFAIRS_END, "health")}

# sector → (ministry, provincial department, district office). Police are named after the territory itself.
SECTORS: dict[str, tuple[str, str, str]] = {
    "health": ("Bộ Y tế", "Sở Y tế", "Phòng Y tế"),
    "education": ("Bộ Giáo dục và Đào tạo", "Sở Giáo dục và Đào tạo", "Phòng Giáo dục và Đào tạo"),
    "justice": ("Bộ Tư pháp", "Sở Tư pháp", "Phòng Tư pháp"),
    "police": ("Bộ Công an", "Công an", "Công an"),
    "social_affairs": (
        "Bộ Lao động - Thương binh và Xã hội",
        "Sở Lao động - Thương binh và Xã hội",
        "Phòng Lao động - Thương binh và Xã hội",
    ),
    "culture": (
        "Bộ Văn hóa, Thể thao và Du lịch",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Phòng Văn hóa và Thông tin",
    ),
}

_COLUMNS = list(RAW_TABLES["raw.agencies"])
_TYPE_WORDS = ("Thành phố", "Thị xã", "Thị trấn", "Đặc khu", "Tỉnh", "Huyện", "Quận", "Xã", "Phường")


def _in_sentence(name: str) -> str:
    """'Tỉnh Điện Biên' → 'tỉnh Điện Biên': the type word is lowercase inside an agency name."""
    for word in _TYPE_WORDS:
        if name.startswith(word + " "):
            return word.lower() + name[len(word) :]
    return name


def _agency_name(sector: str, level: str, locality_name: str) -> str:
    ministry, department, office = SECTORS[sector]
    if level == "nation":
        return ministry
    head = department if level == "province" else office
    return f"{head} {_in_sentence(locality_name)}"


def _validity(sector: str, scheme: str, level: str) -> tuple[dt.date | None, dt.date | None]:
    if scheme == "vn":
        start, end = None, None
    elif scheme == "vn2008":
        start, end = VN2008_FROM, VN2008_TO
    else:
        start, end = VN2025_FROM, None
    if sector == "social_affairs":
        end = SOCIAL_AFFAIRS_END
    if sector == "police" and level == "district":
        end = DISTRICT_POLICE_END
    return start, end


def build_agencies(plans: pd.DataFrame, localities: pd.DataFrame | None = None) -> pd.DataFrame:
    """`raw.agencies` for the plans' territories (column `locality_id`), their provinces and successors."""
    dim = build_localities() if localities is None else localities
    info = dim.set_index("locality_id")
    succession = build_succession()
    province_successors = (
        succession[succession["new_locality_id"].map(info["level"]).eq("province")]
        .groupby("old_locality_id")["new_locality_id"]
        .apply(list)
        .to_dict()
    )
    territories = sorted(set(plans["locality_id"].dropna()))
    unknown = [t for t in territories if t not in info.index]
    if unknown:
        raise ValueError(f"plan territories not in the locality dimension: {unknown}")

    wanted: set[str] = set()
    for territory in territories:
        node: str | None = territory
        while isinstance(node, str) and node != "vn:VN" and info.at[node, "level"] in ("district", "commune"):
            wanted.add(node)
            node = info.at[node, "parent_id"]
        if isinstance(node, str):
            wanted.add(node)  # the province (or the nation)
            wanted.update(province_successors.get(node, ()))

    rows = []
    for locality_id in sorted(wanted):
        scheme, level = info.at[locality_id, "scheme"], info.at[locality_id, "level"]
        if level == "commune":
            continue
        for sector in SECTORS:
            if scheme == "vn2025" and sector == "social_affairs":
                continue  # no labour/social-affairs department exists after 1/3/2025
            start, end = _validity(sector, scheme, level)
            name = _agency_name(sector, level, info.at[locality_id, "name_vi"])
            rows.append((f"{sector}@{locality_id}", name, sector, locality_id, start, end))
    return pd.DataFrame(rows, columns=_COLUMNS)


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


Lookups = tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]


def transfer_lookups(localities: pd.DataFrame, succession: pd.DataFrame) -> Lookups:
    """Level, parent, province and vn2025 successor province (bridge rows landing on provinces) per unit.

    Taken from the localities and bridge given, so a reference built from another set of units (a test's
    hand-made warehouse) walks its own units, not the bundled ones.
    """
    # as lists: zipping the (Arrow-backed) string columns themselves steps through them one Python object
    # at a time, 0.2 s of every ingest run's start for the bundled units
    ids = localities["locality_id"].tolist()
    level_of = dict(zip(ids, localities["level"].tolist(), strict=True))
    to_province = succession[succession["new_locality_id"].map(level_of).eq("province")]
    return (
        level_of,
        dict(zip(ids, localities["parent_id"].tolist(), strict=True)),
        dict(zip(ids, localities["province_id"].tolist(), strict=True)),
        dict(
            zip(to_province["old_locality_id"].tolist(), to_province["new_locality_id"].tolist(), strict=True)
        ),
    )


@lru_cache(maxsize=1)
def _lookups() -> Lookups:
    """`transfer_lookups` of the bundled localities and bridge."""
    return transfer_lookups(build_localities(), build_succession())


def responsible_agency(
    agencies: pd.DataFrame,
    territory_id: str,
    sector: str,
    on_date: object,
    lookups: Lookups | None = None,
) -> str:
    """The agency_id expected to report for `sector` in `territory_id` on `on_date` (module docstring).

    `lookups` (`transfer_lookups`) default to the bundled localities. Raises LookupError, with a Vietnamese
    message, when the transfers lead nowhere (e.g. a sector that was never modelled, or a vn2025 territory
    before 2025-07-01).
    """
    on = _as_date(on_date)
    valid = {}
    for agency_id, start, end in zip(
        agencies["agency_id"], agencies["valid_from"], agencies["valid_to"], strict=True
    ):
        valid[agency_id] = (
            None if pd.isna(start) else _as_date(start),
            None if pd.isna(end) else _as_date(end),
        )
    level_of, parent_of, province_of, successor = _lookups() if lookups is None else lookups

    current_sector, current_territory = sector, territory_id
    for _ in range(10):
        agency_id = f"{current_sector}@{current_territory}"
        if agency_id in valid:
            start, end = valid[agency_id]
            if (start is None or start <= on) and (end is None or on <= end):
                return agency_id
        scheme = current_territory.split(":", 1)[0]
        level = level_of.get(current_territory)
        if current_sector in SECTOR_SUCCESSORS and on > SECTOR_SUCCESSORS[current_sector][0]:
            current_sector = SECTOR_SUCCESSORS[current_sector][1]
        elif scheme == "vn2008" and on >= VN2025_FROM and current_territory in successor:
            current_territory = successor[current_territory]
        elif scheme == "vn2008" and on >= VN2025_FROM and level == "commune":
            current_territory = province_of[current_territory]
        elif level in ("district", "commune"):
            current_territory = parent_of[current_territory]
        else:
            break
    raise LookupError(
        f"Không xác định được cơ quan báo cáo lĩnh vực {sector} của địa bàn {territory_id} "
        f"vào ngày {on:%d/%m/%Y}."
    )
