"""The dbt sources declare exactly the landing tables ingest/warehouse.py creates (names, order, types)."""

from __future__ import annotations

from pathlib import Path

import yaml

from ingest.warehouse import ALL_TABLES, SOURCE_OF_TABLE

SOURCES_YML = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "staging" / "_sources.yml"


def _declared() -> dict[str, list[tuple[str, str]]]:
    doc = yaml.safe_load(SOURCES_YML.read_text(encoding="utf-8"))
    table_of = {source: name for name, source in SOURCE_OF_TABLE.items()}
    out = {}
    for source in doc["sources"]:
        for table in source["tables"]:
            name = table_of.get((source["name"], table["name"]), f"{source['name']}.{table['name']}")
            out[name] = [(c["name"], c.get("data_type")) for c in table.get("columns") or []]
    return out


def _expected_block(name: str) -> str:
    return "\n".join(f"          - {{name: {c}, data_type: {t}}}" for c, t in ALL_TABLES[name].items())


def test_every_landing_table_is_a_source_with_its_columns():
    declared = _declared()
    assert set(declared) == set(ALL_TABLES), "sources and ingest/warehouse.py list different tables"
    for name, columns in ALL_TABLES.items():
        assert declared[name] == list(columns.items()), (
            f"_sources.yml columns of {name} differ from ingest/warehouse.py; declare:\n"
            + _expected_block(name)
        )
