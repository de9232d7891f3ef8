"""The indicator catalog against the warehouse contract, and the loader's refusal of malformed catalogs.

The contract's table ("Canonical indicators", kept verbatim in ingest/reference/data/sources) is parsed
rather than copied, so a change to the contract that the catalog does not follow fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import yaml

from ingest.reference.catalog import DEFAULT_PATH, UNIT_FACTORS, CatalogError, load_indicators
from ingest.warehouse import RAW_TABLES, replace_table

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTRACT = REPO_ROOT / "ingest" / "reference" / "data" / "sources" / "canonical-indicators.md"

SENSITIVE = {"CHILD_ABUSE", "CHILD_ABUSE_HANDLED", "HIV_MTCT", "CHILD_MARRIAGE", "CHILD_LABOUR"}


def contract_indicators() -> dict[str, dict[str, str]]:
    """indicator_code → {national_item, unit, direction} from the contract's markdown table."""
    text = CONTRACT.read_text(encoding="utf-8")
    section = text.split("## Canonical indicators", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[A-Z0-9_]+", cells[0]):
            rows[cells[0]] = {"national_item": cells[1], "unit": cells[2], "direction": cells[3]}
    return rows


@pytest.fixture(scope="module")
def catalog():
    return load_indicators()


def test_contract_table_is_parsed():
    assert len(contract_indicators()) == 36


def test_catalog_has_exactly_the_contract_codes(catalog):
    assert sorted(catalog["indicator_code"]) == sorted(contract_indicators())
    assert catalog["indicator_code"].is_unique


def test_units_and_directions_match_the_contract(catalog):
    contract = contract_indicators()
    for row in catalog.itertuples(index=False):
        assert row.unit == contract[row.indicator_code]["unit"], row.indicator_code
        assert row.direction == contract[row.indicator_code]["direction"], row.indicator_code
        assert row.factor == UNIT_FACTORS[row.unit], row.indicator_code


def test_national_item_matches_the_contract(catalog):
    contract = contract_indicators()
    for row in catalog.itertuples(index=False):
        item = contract[row.indicator_code]["national_item"]
        if item.isdigit():
            assert row.national_item == item, row.indicator_code
        else:  # "(Điện Biên 16)": not a national chỉ tiêu
            assert row.national_item is None or row.national_item != row.national_item, row.indicator_code


def test_goal_groups_follow_the_national_objective_groups(catalog):
    def expected(item: str | None) -> int:
        number = int(item)
        return 1 if number <= 7 else 2 if number <= 14 else 3 if number <= 21 else 4

    for row in catalog.itertuples(index=False):
        if row.indicator_code == "CHILD_ABUSE_HANDLED":
            assert row.goal_group == 2  # Điện Biên's Mục tiêu 2 "Về bảo vệ trẻ em"
        else:
            assert row.goal_group == expected(row.national_item), row.indicator_code
    assert catalog.groupby("goal_group").size().to_dict() == {1: 13, 2: 10, 3: 10, 4: 3}


def test_sensitive_indicators(catalog):
    assert set(catalog.loc[catalog["is_sensitive"], "indicator_code"]) == SENSITIVE


def test_plausible_ranges(catalog):
    for row in catalog.itertuples(index=False):
        assert row.plausible_min == 0, row.indicator_code
        expected_max = {"percent": 100, "per_1000_live_births": 200, "per_100000_children": 20000}
        if row.unit == "count":
            assert row.plausible_max != row.plausible_max  # NaN: counts have no upper bound
        else:
            assert row.plausible_max == expected_max[row.unit], row.indicator_code


def test_rates_define_numerator_and_denominator(catalog):
    for row in catalog.itertuples(index=False):
        assert row.numerator_vi and row.name_vi and row.name_en
        if row.unit == "count":
            assert not row.numerator_le_denominator
        else:
            assert row.denominator_vi and row.numerator_le_denominator, row.indicator_code


def test_columns_and_types_land_in_duckdb(catalog):
    assert list(catalog.columns) == list(RAW_TABLES["raw.indicators"])
    con = duckdb.connect()
    try:
        assert replace_table(con, "raw.indicators", catalog) == 36
        row = con.execute(
            "select factor, unit, plausible_max, is_sensitive from raw.indicators "
            "where indicator_code = 'U5_MORTALITY'"
        ).fetchone()
        assert row == (1000, "per_1000_live_births", 200.0, False)
    finally:
        con.close()


def _write(tmp_path: Path, mutate) -> Path:
    document = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    mutate(document["indicators"])
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda e: e[0].update(unit="percentage"), "unknown unit 'percentage'"),
        (lambda e: e[2].update(factor=100), "factor 100 does not match unit 'per_1000_live_births'"),
        (lambda e: e.append(dict(e[0])), "duplicate indicator_code"),
        (lambda e: e[0].update(colour="red"), "unknown keys ['colour']"),
        (lambda e: e[0].pop("direction"), "missing keys ['direction']"),
        (lambda e: e[0].update(goal_group=5), "goal_group must be 1-4"),
        (lambda e: e[0].update(plausible_max=120), "within 0-100"),
        (lambda e: e[3].update(national_item=3), "quoted string"),
    ],
)
def test_malformed_catalog_is_refused(tmp_path, mutate, message):
    with pytest.raises(CatalogError) as error:
        load_indicators(_write(tmp_path, mutate))
    assert message in str(error.value)
    assert "indicators.yaml" in str(error.value)
