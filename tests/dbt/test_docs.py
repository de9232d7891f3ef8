"""Every column of every contract mart is described, and the description reaches Dagster intact.

The list of marts comes from the dbt manifest (models in schema `marts` with an enforced contract) and the
list of columns from the built warehouse itself, so a column added to a model without a yml line fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

MANIFEST = Path(__file__).resolve().parents[2] / "dbt_project" / "target" / "manifest.json"
# Text the Dagster UI reads as an HTML tag and swallows ("Locality key <scheme>:<code>" -> "Locality key :").
HTML_TAG = re.compile(r"<[A-Za-z/][^>]*>")


def contract_marts() -> dict[str, dict]:
    from orchestration.defs.project import ensure_manifest

    ensure_manifest()
    nodes = json.loads(MANIFEST.read_text(encoding="utf-8"))["nodes"].values()
    return {
        node["name"]: node
        for node in nodes
        if node["resource_type"] == "model"
        and node["schema"] == "marts"
        and node["config"].get("contract", {}).get("enforced")
    }


def test_every_column_of_every_contract_mart_is_described(warehouse_con):
    marts = contract_marts()
    assert {"fct_target", "dim_locality", "mart_so_ket_2025", "fct_indicator_value"} <= set(marts)
    undescribed, checked = [], 0
    for name, node in sorted(marts.items()):
        columns = [
            row[0]
            for row in warehouse_con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                [name],
            ).fetchall()
        ]
        assert columns, f"marts.{name} is not in the warehouse"
        for column in columns:
            checked += 1
            description = (node["columns"].get(column) or {}).get("description", "").strip()
            if len(description) < 8:
                undescribed.append(f"{name}.{column}")
    assert checked > 250
    assert not undescribed, f"{len(undescribed)} mart columns without a description: {undescribed}"


def test_descriptions_render_in_dagster_without_markup_loss():
    from orchestration.definitions import defs

    marts = contract_marts()
    seen = 0
    for spec in defs.resolve_all_asset_specs():
        name = spec.key.path[-1]
        if name not in marts:
            continue
        schema = spec.metadata.get("dagster/column_schema")
        assert schema is not None, name
        for column in schema.columns:
            seen += 1
            assert column.description, f"{name}.{column.name} has no description in Dagster"
            assert not HTML_TAG.search(column.description), f"{name}.{column.name}: {column.description}"
        assert not HTML_TAG.search(spec.description or ""), name
    assert seen > 250


def test_no_two_assets_share_a_description():
    """Each landed table says what it holds, not what the function that lands it does."""
    from collections import defaultdict

    from orchestration.definitions import defs

    by_text = defaultdict(list)
    for spec in defs.resolve_all_asset_specs():
        by_text[(spec.description or "").strip()].append(spec.key.to_user_string())
    shared = {text: keys for text, keys in by_text.items() if len(keys) > 1}
    assert not shared
    assert "" not in by_text
