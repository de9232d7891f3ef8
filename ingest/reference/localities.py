"""Vietnam's administrative units in both eras, the old→new bridge, and comparable series across 2025.

Why two schemes
---------------
Until 30/6/2025 Vietnam had three levels (63 provinces, ~700 districts, ~10,000 communes). From 1/7/2025
(Nghị quyết 202/2025/QH15) it has two (34 provinces, 3,321 communes); districts are gone. Official codes are
reused across the eras (`07330` was xã Hợp Đức and is now xã Phúc Hòa), so a locality key is
`<scheme>:<code>`, never a code alone:

- `vn2008:<code>`: the pre-2025 units (the scheme is named after the 1/8/2008 Hà Tây merger that fixed the
  63-province map). `valid_from` is the scheme's start, 2008-08-01, not each unit's own creation date (the
  library does not carry those); `valid_to` is 2025-06-30. Province codes 2 digits, district 3, commune 5.
- `vn2025:<code>`: the units since 2025-07-01 (`valid_to` null). Province 2 digits, commune 5.
- `vn:VN`: the nation, parent of every province in both schemes.

Source: the PyPI package `vietnam-provinces` 2026.9.0 (GPL-3.0, pinned; data retrieved 2026-09-20), which
ships the legacy units (`vietnam_provinces.legacy`), the current units, and the official old→new commune
crosswalk (`BangChuyendoiĐVHCmoi_cu_khong_merge.csv`, exposed through `Ward.get_legacy_sources` /
`Ward.search_from_legacy`). Names are the library's, with their official type prefix ("Tỉnh Điện Biên",
"Huyện Tân Yên", "Xã Liên Chung"); for vn2025 they are the names current at the library's data date (it
calls vn2025:24 "Thành phố Bắc Ninh" and vn2025:22 "Thành phố Quảng Ninh").

What the bridge (`raw.locality_succession`) holds
--------------------------------------------------
Each old unit maps at exactly one target level, so the shares of one old unit always sum to 1:

- commune → commune: vn2008 commune → vn2025 commune(s), from the library's crosswalk.
- district → province: vn2008 district → the vn2025 province its communes went to. Districts have no
  vn2025 counterpart; their values can only be compared at province level. (Every district's communes went
  to a single new province, so these rows are whole.) The five island districts without communes (Bạch
  Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo, now đặc khu) follow their province (`island_district`).
- province → province: vn2008 province → vn2025 province, derived from the commune rows (not from the
  library's province table, which inherits two mis-coded crosswalk rows and would wrongly split old Tiền
  Giang). share = fraction of the old province's crosswalked communes going to that new province; today all
  63 are whole (share 1.0).

Allocation rule
---------------
The library has no area or population, so the only rule fully computable from it is an equal split:

- `whole`: the crosswalk says the old commune was merged in its entirety (`is_partly_merged` false): share
  1.0, is_partial false.
- `equal_split_1/n`: the crosswalk lists n > 1 successors for a partly merged old commune: each gets 1/n,
  is_partial true. This is a documented approximation, not a fact about where the children live.
- `sole_listed_successor`: the crosswalk flags the old commune as partly merged but lists a single
  successor (the remainder went somewhere the crosswalk does not record): share 1.0, is_partial true, so
  anything built on it is marked approximate.
- `share_of_communes`: district and province rows; share = Σ(commune shares into the new province) / number
  of crosswalked communes of the old unit; is_partial when < 1.

28 legacy communes (dissolved in reorganisations shortly before 2025-07-01, after the library's legacy
snapshot) are absent from the crosswalk, and 10 crosswalk codes are absent from the legacy list: those have no
bridge rows. `UNBRIDGED_NOTE` says so in the data.

Comparable series rule (implemented once, by the dbt model `int_indicator_values_reexpressed`)
--------------------------------------------------------------------------------------------
A value reported for a vn2008 unit is re-expressed on vn2025 units by joining it to the bridge on
old_locality_id and summing, per new unit × indicator × year, numerator × allocation_share and
denominator × allocation_share; the new unit's value is Σnumerator / Σdenominator × factor (for a count
indicator with no denominator, Σnumerator). Rates are never averaged. One call/model run re-expresses values
of one old level (communes, districts or provinces) at a time, since mixing levels would double count. The
result is exact (`is_exact` true) only when every contributing bridge row is whole (is_partial false) and
every old unit that the bridge maps into that new unit (at that old level) reported a value for that
indicator and year; otherwise it is approximate (is_exact false) and must be shown as such.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandas as pd

from ingest.reference.labels import REORGANISATION_DATE, VN2008_LAST_DAY
from ingest.warehouse import RAW_TABLES

LIBRARY = "vietnam-provinces"
NATION_ID = "vn:VN"
VN2008_FROM = dt.date(2008, 8, 1)
VN2008_TO = VN2008_LAST_DAY
VN2025_FROM = REORGANISATION_DATE
# 2/7/1976: the Socialist Republic of Viet Nam; the nation row simply predates both schemes.
NATION_FROM = dt.date(1976, 7, 2)

RULE_WHOLE = "whole: the old unit was merged in its entirety into the new unit (library crosswalk)"
RULE_EQUAL_SPLIT = (
    "equal_split_1/n: old commune split across n new communes per the library crosswalk; each gets 1/n "
    "(the library has no area or population to weight by)"
)
RULE_SOLE = (
    "sole_listed_successor: the crosswalk flags the old commune as partly merged but lists only this "
    "successor; its whole value is attributed here, as an approximation"
)
RULE_SHARE_OF_COMMUNES = (
    "share_of_communes: share = sum of the old unit's commune shares going into this new province / number "
    "of its crosswalked communes"
)
RULE_WHOLE_ROLLUP = (
    "whole: every crosswalked commune of the old unit went into this new province (rolled up from communes)"
)
RULE_ISLAND_DISTRICT = (
    "island_district: a district without communes (now a đặc khu) follows its province's succession"
)
UNBRIDGED_NOTE = (
    "28 vn2008 communes of the library's legacy snapshot are absent from its crosswalk (dissolved shortly "
    "before 2025-07-01); they have no bridge rows"
)

_COLUMNS = list(RAW_TABLES["raw.localities"])
_SUCCESSION_COLUMNS = list(RAW_TABLES["raw.locality_succession"])


@lru_cache(maxsize=1)
def _build_localities_cached() -> pd.DataFrame:
    from vietnam_provinces import Province, Ward
    from vietnam_provinces.legacy import District as LegacyDistrict
    from vietnam_provinces.legacy import Province as LegacyProvince
    from vietnam_provinces.legacy import Ward as LegacyWard

    rows: list[tuple] = [(NATION_ID, "vn", "VN", "Việt Nam", "nation", None, None, NATION_FROM, None)]

    def vid(code: int, width: int) -> str:
        return f"vn2008:{code:0{width}d}"

    def nid(code: int, width: int) -> str:
        return f"vn2025:{code:0{width}d}"

    for p in LegacyProvince.iter_all():
        pid = vid(p.code.value, 2)
        rows.append(
            (pid, "vn2008", f"{p.code.value:02d}", p.name, "province", NATION_ID, pid, VN2008_FROM, VN2008_TO)
        )
    district_province: dict[int, int] = {}
    for d in LegacyDistrict.iter_all():
        district_province[d.code.value] = d.province_code.value
        rows.append(
            (
                vid(d.code.value, 3),
                "vn2008",
                f"{d.code.value:03d}",
                d.name,
                "district",
                vid(d.province_code.value, 2),
                vid(d.province_code.value, 2),
                VN2008_FROM,
                VN2008_TO,
            )
        )
    for w in LegacyWard.iter_all():
        dcode = w.district_code.value
        rows.append(
            (
                vid(w.code.value, 5),
                "vn2008",
                f"{w.code.value:05d}",
                w.name,
                "commune",
                vid(dcode, 3),
                vid(district_province[dcode], 2),
                VN2008_FROM,
                VN2008_TO,
            )
        )
    for p in Province.iter_all():
        pid = nid(p.code.value, 2)
        rows.append(
            (pid, "vn2025", f"{p.code.value:02d}", p.name, "province", NATION_ID, pid, VN2025_FROM, None)
        )
    for w in Ward.iter_all():
        pid = nid(w.province_code.value, 2)
        rows.append(
            (
                nid(w.code.value, 5),
                "vn2025",
                f"{w.code.value:05d}",
                w.name,
                "commune",
                pid,
                pid,
                VN2025_FROM,
                None,
            )
        )
    # Dates stay Python `date` objects (object dtype) so DuckDB casts them to DATE without time zones.
    return pd.DataFrame(rows, columns=_COLUMNS)


def build_localities() -> pd.DataFrame:
    """All units of both schemes plus the nation, with the `raw.localities` columns.

    Cached (the library's modules take ~0.3 s to load); a copy is returned so callers may mutate it.
    """
    return _build_localities_cached().copy()


@lru_cache(maxsize=1)
def _build_succession_cached() -> pd.DataFrame:
    from vietnam_provinces import _ward_conversion_2025 as conversion

    dim = _build_localities_cached()
    known = set(dim["locality_id"])
    parent = dict(zip(dim["locality_id"], dim["parent_id"], strict=True))
    province_of = dict(zip(dim["locality_id"], dim["province_id"], strict=True))

    commune_rows: list[tuple] = []
    for old_code, entry in conversion.OLD_TO_NEW.items():
        old_id = f"vn2008:{old_code:05d}"
        new_ids = [f"vn2025:{ref.code:05d}" for ref in entry.new_wards]
        if old_id not in known or not all(n in known for n in new_ids):
            continue  # codes the legacy snapshot lacks: see UNBRIDGED_NOTE
        n = len(new_ids)
        if n > 1:
            rule, partial = RULE_EQUAL_SPLIT, True
        elif entry.old_ward.is_partly_merged:
            rule, partial = RULE_SOLE, True
        else:
            rule, partial = RULE_WHOLE, False
        for new_id in new_ids:
            commune_rows.append((old_id, new_id, 1.0 / n, partial, rule))
    communes = pd.DataFrame(commune_rows, columns=_SUCCESSION_COLUMNS)

    # Roll the commune rows up to districts and provinces, landing on the new communes' provinces.
    up = communes.assign(
        district_id=communes["old_locality_id"].map(parent),
        old_province_id=communes["old_locality_id"].map(province_of),
        new_province_id=communes["new_locality_id"].map(province_of),
    )
    rolled = []
    for old_col in ("district_id", "old_province_id"):
        per_pair = up.groupby([old_col, "new_province_id"], as_index=False)["allocation_share"].sum()
        n_communes = up.groupby(old_col)["old_locality_id"].nunique()
        per_pair["allocation_share"] = per_pair["allocation_share"] / per_pair[old_col].map(n_communes)
        per_pair = per_pair.rename(columns={old_col: "old_locality_id", "new_province_id": "new_locality_id"})
        per_pair["is_partial"] = per_pair["allocation_share"] < 1.0 - 1e-9
        per_pair["allocation_rule"] = per_pair["is_partial"].map(
            {True: RULE_SHARE_OF_COMMUNES, False: RULE_WHOLE_ROLLUP}
        )
        rolled.append(per_pair[_SUCCESSION_COLUMNS])
    # Island districts without communes (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo; now đặc khu) have no
    # crosswalk rows: they follow their province.
    provinces = rolled[1]
    bridged = set(rolled[0]["old_locality_id"])
    orphan_districts = dim[(dim["level"] == "district") & ~dim["locality_id"].isin(bridged)]
    orphan_rows = orphan_districts[["locality_id", "province_id"]].merge(
        provinces, left_on="province_id", right_on="old_locality_id"
    )
    orphan_rows = orphan_rows.assign(
        old_locality_id=orphan_rows["locality_id"], allocation_rule=RULE_ISLAND_DISTRICT
    )[_SUCCESSION_COLUMNS]
    frame = pd.concat([communes, *rolled, orphan_rows], ignore_index=True)
    frame["is_partial"] = frame["is_partial"].astype(bool)
    return frame.sort_values(["old_locality_id", "new_locality_id"], ignore_index=True)


def build_succession() -> pd.DataFrame:
    """The old→new bridge (`raw.locality_succession`): commune→commune, district→province, province→province.

    Cached like `build_localities`; a copy is returned.
    """
    return _build_succession_cached().copy()
