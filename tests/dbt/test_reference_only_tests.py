"""An incremental build leaves out the data tests of models that read only reference data, and nothing else:
a test that reads a value model (a fact's `relationships` test to a dim included) must still run."""

from __future__ import annotations

import json

from orchestration.defs.assets.dbt_years import VALUE_CHAIN, reference_only_models, reference_only_tests
from orchestration.defs.project import dbt_project


def _manifest() -> dict:
    return json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))


def test_reference_only_tests_leave_every_test_of_a_value_model():
    manifest = _manifest()
    left_out = set(reference_only_tests(manifest))
    tests = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    # the dims' own tests are left out ...
    assert any(name.startswith("unique_dim_locality") for name in left_out)
    assert any(name.startswith("relationships_fct_target") for name in left_out)
    # ... every test touching the value chain or a review mart runs, including those also reading a dim
    for name, node in tests.items():
        parents = " ".join(node["depends_on"]["nodes"])
        if any(f"model.treem.{model}" in parents for model in (*VALUE_CHAIN, "mart_so_ket_2025")):
            assert name not in left_out, name
    assert any(
        "fct_indicator_value" in name and "dim_locality" in name and name not in left_out for name in tests
    )
    assert 0 < len(left_out) < len(tests)


def test_reference_only_models_are_the_dims_and_what_builds_them_never_a_value_model():
    manifest = _manifest()
    kept = set(reference_only_models(manifest))
    assert {"dim_locality", "dim_indicator", "fct_target", "stg_reference__plans"} <= kept
    models = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    reads_values = {*VALUE_CHAIN, "mart_so_ket_2025", "mart_tong_ket_2030", "mart_reporting_completeness"}
    assert not kept & reads_values
    for name in kept:  # nothing it reads is rebuilt by an incremental build
        parents = [p.split(".")[-1] for p in models[name]["depends_on"]["nodes"] if p.startswith("model.")]
        assert set(parents) <= kept, name
    assert 0 < len(kept) < len(models)
