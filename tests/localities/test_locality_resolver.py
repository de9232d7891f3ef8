"""Locality names as agencies really write them, resolved within a plan's territory on a date."""

from __future__ import annotations

import itertools
import time

import pytest

from ingest.localities import (
    LocalityResolutionError,
    LocalityResolver,
    default_resolver,
    fold,
    is_total_label,
)
from ingest.reference.localities import build_localities, build_succession

BEFORE = "2024-12-31"  # vn2008 units
AFTER = "2025-11-20"  # vn2025 units

TAN_YEN, DIEN_BIEN, OLD_BAC_NINH, BAC_GIANG, NEW_BAC_NINH = (
    "vn2008:216",
    "vn2008:11",
    "vn2008:27",
    "vn2008:24",
    "vn2025:24",
)


@pytest.fixture(scope="module")
def resolver() -> LocalityResolver:
    return default_resolver()


MESSY = [
    # Tân Yên district, before the reorganisation
    ("xa lien chung", TAN_YEN, BEFORE, "vn2008:07357"),
    ("X. Liên  Chung", TAN_YEN, BEFORE, "vn2008:07357"),
    ("  XÃ LIÊN CHUNG ", TAN_YEN, BEFORE, "vn2008:07357"),
    ("Liên Chung", TAN_YEN, BEFORE, "vn2008:07357"),
    ("X.Liên Chung", TAN_YEN, BEFORE, "vn2008:07357"),
    ("07357", TAN_YEN, BEFORE, "vn2008:07357"),
    ("7357", TAN_YEN, BEFORE, "vn2008:07357"),
    ("vn2008:07357", TAN_YEN, BEFORE, "vn2008:07357"),
    ("TT Cao Thượng", TAN_YEN, BEFORE, "vn2008:07339"),
    ("TT. Cao Thuong", TAN_YEN, BEFORE, "vn2008:07339"),
    ("Thị trấn Nhã Nam", TAN_YEN, BEFORE, "vn2008:07306"),
    ("thi tran nha nam", TAN_YEN, BEFORE, "vn2008:07306"),
    ("Xã Hoà Phúc".replace("Hoà Phúc", "Phúc Hoà"), TAN_YEN, BEFORE, "vn2008:07324"),  # old tone placement
    ("Hợp Đức", TAN_YEN, BEFORE, "vn2008:07330"),
    ("Xa Que Nham", TAN_YEN, BEFORE, "vn2008:07366"),
    ("Huyện Tân Yên", TAN_YEN, BEFORE, TAN_YEN),
    # Tân Yên after 1/7/2025: its communes' successors
    ("Phúc Hòa", TAN_YEN, AFTER, "vn2025:07330"),
    ("xa phuc hoa", TAN_YEN, AFTER, "vn2025:07330"),
    ("Phường Đa Mai", TAN_YEN, AFTER, "vn2025:07228"),
    ("P. Đa Mai", TAN_YEN, AFTER, "vn2025:07228"),
    ("TT Nhã Nam", TAN_YEN, AFTER, "vn2025:07306"),  # thị trấn abolished: the xã that took it over
    ("Xã Tân Yên", TAN_YEN, AFTER, "vn2025:07339"),
    ("07330", TAN_YEN, AFTER, "vn2025:07330"),
    # Điện Biên
    ("H. Mường Chà", DIEN_BIEN, BEFORE, "vn2008:097"),
    ("huyen muong cha", DIEN_BIEN, BEFORE, "vn2008:097"),
    ("TT Mường Chà", DIEN_BIEN, BEFORE, "vn2008:03172"),
    ("TP. Điện Biên Phủ", DIEN_BIEN, BEFORE, "vn2008:094"),
    ("TP Dien Bien Phu", DIEN_BIEN, BEFORE, "vn2008:094"),
    ("Thành phố  Điện Biên Phủ", DIEN_BIEN, BEFORE, "vn2008:094"),
    ("TX Mường Lay", DIEN_BIEN, BEFORE, "vn2008:095"),
    ("Mường Lay", DIEN_BIEN, BEFORE, "vn2008:095"),
    ("H.Điện Biên Đông", DIEN_BIEN, BEFORE, "vn2008:101"),
    ("Nậm Pồ", DIEN_BIEN, BEFORE, "vn2008:103"),
    ("T. Điện Biên", DIEN_BIEN, BEFORE, DIEN_BIEN),
    ("Tỉnh Điện Biên", DIEN_BIEN, BEFORE, DIEN_BIEN),
    ("Phường Điện Biên Phủ", DIEN_BIEN, AFTER, "vn2025:03127"),
    ("Xa Dung", DIEN_BIEN, AFTER, "vn2025:03208"),  # a name that starts with a prefix word
    ("Xã Xa Dung", DIEN_BIEN, AFTER, "vn2025:03208"),
    ("muong cha", DIEN_BIEN, AFTER, "vn2025:03166"),
    ("Tỉnh Điện Biên", DIEN_BIEN, AFTER, "vn2025:11"),
    # Bắc Ninh, old and new
    ("Thanh pho Bac Ninh", OLD_BAC_NINH, BEFORE, "vn2008:256"),
    ("TP. Từ Sơn", OLD_BAC_NINH, BEFORE, "vn2008:261"),
    ("TX Quế Võ", OLD_BAC_NINH, BEFORE, "vn2008:259"),
    ("P. Vũ Ninh", OLD_BAC_NINH, BEFORE, "vn2008:09163"),
    ("phuong dap cau", OLD_BAC_NINH, BEFORE, "vn2008:09166"),
    ("TT Gia Bình", OLD_BAC_NINH, BEFORE, "vn2008:09454"),
    ("Phường Kinh Bắc", OLD_BAC_NINH, AFTER, "vn2025:09187"),
    ("Tỉnh Bắc Ninh", NEW_BAC_NINH, AFTER, NEW_BAC_NINH),  # the library styles it Thành phố Bắc Ninh now
    ("Thanh pho Bac Ninh", NEW_BAC_NINH, AFTER, NEW_BAC_NINH),
    ("Phường Bắc Giang", NEW_BAC_NINH, AFTER, "vn2025:07210"),
    ("x. phuc hoa", NEW_BAC_NINH, AFTER, "vn2025:07330"),
    ("X. Tân An", BAC_GIANG, BEFORE, "vn2008:07693"),
    ("P. Tân An", BAC_GIANG, BEFORE, "vn2008:07682"),
    # numeric ward names
    ("P1", "vn2008:770", BEFORE, "vn2008:27160"),
    ("Phường 01", "vn2008:770", BEFORE, "vn2008:27160"),
    ("phuong 1", "vn2008:770", BEFORE, "vn2008:27160"),
    ("P.1", "vn2008:770", BEFORE, "vn2008:27160"),
    ("Quận 3", "vn2008:79", BEFORE, "vn2008:770"),
    ("Q.3", "vn2008:79", BEFORE, "vn2008:770"),
]


@pytest.mark.parametrize(("text", "territory", "on", "expected"), MESSY)
def test_messy_spellings_resolve(resolver, text, territory, on, expected):
    assert resolver.resolve(text, territory, on) == expected


def test_there_are_enough_real_spellings():
    assert len(MESSY) >= 30


@pytest.mark.parametrize(
    ("text", "territory", "expected"),
    [
        ("Đồng Tiến", BAC_GIANG, {"vn2008:07243", "vn2008:07816"}),  # two xã in Yên Thế and Hiệp Hòa
        ("Xã Đồng Tiến", BAC_GIANG, {"vn2008:07243", "vn2008:07816"}),
        ("Tân An", BAC_GIANG, {"vn2008:07682", "vn2008:07693"}),  # phường and xã in TP Bắc Giang
        ("Tuần Giáo", DIEN_BIEN, {"vn2008:099", "vn2008:03253"}),  # huyện and thị trấn
        ("Dien Bien", DIEN_BIEN, {"vn2008:11", "vn2008:100"}),  # tỉnh and huyện
        ("Gia Bình", OLD_BAC_NINH, {"vn2008:263", "vn2008:09454"}),
    ],
)
def test_ambiguous_names_raise_with_candidates(resolver, text, territory, expected):
    with pytest.raises(LocalityResolutionError) as info:
        resolver.resolve(text, territory, BEFORE)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.text == text
    assert {c[0] for c in error.candidates} == expected and len(error.candidates) >= 2
    assert error.message_vi.startswith(
        f'Không xác định được địa bàn "{text}": có {len(expected)} đơn vị trùng tên'
    )
    assert "Hãy ghi rõ loại đơn vị hoặc mã." in error.message_vi
    for _, name in error.candidates:
        assert name in error.message_vi


@pytest.mark.parametrize(
    ("text", "territory", "on", "suggested"),
    [
        ("Lien Chug", TAN_YEN, BEFORE, "vn2008:07357"),
        ("Xã Liên Trung", TAN_YEN, BEFORE, "vn2008:07357"),
        ("Xã Đa Mai", TAN_YEN, AFTER, "vn2025:07228"),  # a xã is not the phường of that name
        ("TP. Điện Biên Phủ", DIEN_BIEN, AFTER, "vn2025:03127"),  # the city is gone; the ward is another unit
        ("Huyện Nậm Pồ Đông", DIEN_BIEN, BEFORE, "vn2008:103"),
        ("Xã Không Có", DIEN_BIEN, BEFORE, None),
    ],
)
def test_unknown_names_raise_with_suggestions_never_a_guess(resolver, text, territory, on, suggested):
    with pytest.raises(LocalityResolutionError) as info:
        resolver.resolve(text, territory, on)
    error = info.value
    assert error.candidates == []
    assert error.message_vi.startswith(f'Không tìm thấy địa bàn "{text}"')
    if suggested:
        assert suggested in [s[0] for s in error.suggestions]
        assert "Có phải là:" in error.message_vi


def test_units_outside_territory_or_era_do_not_resolve(resolver):
    with pytest.raises(LocalityResolutionError):
        resolver.resolve("Xã Liên Chung", DIEN_BIEN, BEFORE)
    with pytest.raises(LocalityResolutionError):
        resolver.resolve("Xã Liên Chung", TAN_YEN, AFTER)  # merged into xã Phúc Hòa
    with pytest.raises(LocalityResolutionError):
        resolver.resolve("vn2008:07357", TAN_YEN, AFTER)
    with pytest.raises(LocalityResolutionError):
        resolver.resolve("", TAN_YEN, BEFORE)


def test_vn2025_territory_before_the_switch_searches_its_predecessors(resolver):
    assert resolver.resolve("Xã Liên Chung", NEW_BAC_NINH, BEFORE) == "vn2008:07357"
    assert resolver.resolve("Hợp Đức", "vn2025:07330", BEFORE) == "vn2008:07330"


def test_resolver_accepts_a_given_dimension_and_bridge():
    resolver = LocalityResolver(build_localities(), build_succession())
    assert resolver.resolve("xa lien chung", TAN_YEN, BEFORE) == "vn2008:07357"


def test_ten_thousand_names_under_a_second(resolver):
    names = [
        resolver._name[u]
        for u in sorted(resolver.scope(BAC_GIANG, BEFORE))
        if resolver._level[u] == "commune" and u not in {"vn2008:07243", "vn2008:07816"}
    ]
    written = [
        fold(n) if i % 2 else n for i, n in enumerate(itertools.islice(itertools.cycle(names), 10_000))
    ]
    start = time.process_time()  # CPU time: a busy machine slows the wall clock, not this
    for text in written:
        resolver.resolve(text, BAC_GIANG, BEFORE)
    assert time.process_time() - start < 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Tổng cộng",
        "TỔNG CỘNG",
        "Tong cong",
        "Tổng",
        "Toàn tỉnh",
        "toan tinh",
        "Toàn huyện",
        "Cộng",
        "Tổng số",
        "Tổng cộng:",
        " Toàn  huyện ",
    ],
)
def test_total_labels(text):
    assert is_total_label(text)


@pytest.mark.parametrize("text", ["Xã Liên Chung", "Tân Yên", "Công an", "", None, 3.0])
def test_not_total_labels(text):
    assert not is_total_label(text)


def test_a_name_names_a_unit_only_where_resolving_it_finds_that_unit(resolver):
    """`names` lets a row whose code gave a unit skip resolving its name, so it must be sound: a name that
    resolves to one unit names no other unit of that scope; namesakes are each named (the code settles
    which); a xã is not the phường of its name; and every official name names its unit (the common row,
    code and official name, is never resolved twice)."""
    for text, territory, on, expected in MESSY:
        if any(ch.isdigit() for ch in text):
            continue
        others = resolver.scope(territory, on) - {expected}
        assert not [unit for unit in others if resolver.names(text, unit)], text
    for candidate in ("vn2008:07243", "vn2008:07816"):  # xã Đồng Tiến in Yên Thế and in Hiệp Hòa
        assert resolver.names("Xã Đồng Tiến", candidate)
    assert not resolver.names("Xã Đa Mai", "vn2025:07228")
    assert not resolver.names("Xã Liên Trung", "vn2008:07357")
    localities = build_localities()
    officials = zip(localities["locality_id"], localities["name_vi"], strict=True)
    assert all(resolver.names(name, unit) for unit, name in officials)
