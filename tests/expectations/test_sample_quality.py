"""The data-quality run on the sample inbox: the seeded defects are flagged, and little else.

The sample generator draws realistic data (binomial numerators, nested mortality counts, smooth trends), so
on its clean values the warnings must stay rare; a check that flags hundreds of clean values hides the real
defects from the statisticians. The sample is narrowed to two plans (Điện Biên: districts to 2024, then
communes; Tân Yên: communes) to keep the test fast; every seeded defect still lands on one of their files.
"""

from __future__ import annotations

import duckdb
import pytest

from expectations.runner import validate_warehouse
from ingest import warehouse
from ingest.samples import SEEDED_DEFECTS, generate_samples
from ingest.workbook import ingest_paths
from ingest.workbook.context import load_reference

PLANS = ("dien-bien-2021", "tan-yen-2021")

# ~7,000 values are validated. Under a clean, realistic sample the outlier checks still flag a few values by
# chance (a 4-sigma binomial draw happens in 7,000; MAD from 8-20 peers is itself noisy) -- about 0.1 %, so
# ~5 -- and each seeded defect that reaches the warehouse flags ~2-6 values (the outlier: cross-locality,
# both year-over-year changes, the mortality pair, the total row). 30 leaves room for that and for a few
# more chance flags after a change of seed; the checks and generator before the guards flagged 325
# here (536 on the full sample).
MAX_WARNINGS = 30


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    from ingest.reference.agencies import build_agencies
    from ingest.reference.catalog import load_indicators
    from ingest.reference.localities import build_localities, build_succession
    from ingest.reference.plans import load_registry

    root = tmp_path_factory.mktemp("sample_dq")
    reference = load_reference()
    generate_samples(root / "inbox", reference=reference, plans=PLANS)
    defects = list(SEEDED_DEFECTS)
    registry = load_registry()
    frames = {
        "raw.indicators": load_indicators(),
        **registry,
        "raw.localities": build_localities(),
        "raw.locality_succession": build_succession(),
        "raw.agencies": build_agencies(registry["raw.plans"]),
    }
    wh = root / "treem.duckdb"
    con = duckdb.connect(str(wh))
    warehouse.ensure_tables(con, warehouse.ALL_TABLES)
    for name, frame in frames.items():
        if name in warehouse.ALL_TABLES:
            warehouse.replace_table(con, name, frame, warehouse.ALL_TABLES[name])
    con.close()
    ingest_paths([root / "inbox"], wh, reference=reference)
    con = duckdb.connect(str(wh))
    summary = validate_warehouse(con)
    yield summary, defects
    con.close()


def _flags_at(summary, locality_id, indicator_code, year) -> set[str]:
    fv = summary.flagged_values
    hit = fv[
        (fv["locality_id"] == locality_id) & (fv["indicator_code"] == indicator_code) & (fv["year"] == year)
    ]
    return set(hit["check_name"])


def test_every_dq_defect_is_flagged(validated):
    summary, defects = validated
    meant_for_dq = [d for d in defects if d.caught_by == "dq"]
    assert meant_for_dq, "the sample must seed at least one defect for the dq run"
    for d in meant_for_dq:
        checks = _flags_at(summary, d.locality_id, d.indicator_code, d.year)
        if d.expect == "outlier":
            # ~6x the district's usual rate: odd among its neighbours and as a change from last year.
            assert {"outlier_cross_locality", "outlier_yoy"} <= checks, (d, checks)
        else:
            assert d.expect in checks, (d, checks)


def test_few_warnings_on_the_clean_sample(validated):
    summary, defects = validated
    counts = summary.flagged_values.groupby("check_name").size().to_dict()
    # Errors only where a defect was seeded for the dq run (the ingest loads readable values; dq judges).
    fv = summary.flagged_values
    errors = {
        (r.locality_id, r.indicator_code, int(r.year)) for r in fv[fv["severity"] == "error"].itertuples()
    }
    seeded = {(d.locality_id, d.indicator_code, d.year) for d in defects if d.caught_by == "dq"}
    assert errors <= seeded, (errors - seeded, counts)
    # conflicting submissions are findings of the sample's design, not chance (next test)
    chance = summary.counts["values_flagged_warning"] - counts.get("conflicting_submissions", 0)
    assert chance <= MAX_WARNINGS, counts


def test_conflicts_only_where_two_sectors_report_one_indicator(validated):
    """Indicators a plan assigns to two sectors are answered twice in the sample, drawn independently:
    those are real conflicts (before, the review silently used the later file); nothing else is one."""
    from ingest.reference.plans import load_registry

    summary, _ = validated
    assignments = load_registry()["raw.assignments"]
    sectors = assignments.groupby(["plan_id", "indicator_code"])["sector"].nunique()
    twice = set(sectors[sectors > 1].index)
    fv = summary.flagged_values
    conflicts = fv[fv["check_name"] == "conflicting_submissions"]
    assert len(conflicts) > 0
    flagged = set(conflicts["indicator_code"])
    assert flagged <= {code for _, code in twice}, flagged


def test_mortality_ordering_flags_only_real_inversions(validated):
    """No rounding noise: the generator's nested counts never invert, so only a seeded defect can."""
    summary, defects = validated
    fv = summary.flagged_values
    flagged = {
        (r.locality_id, int(r.year)) for r in fv[fv["check_name"] == "mortality_ordering"].itertuples()
    }
    seeded = {
        (d.locality_id, d.year) for d in defects if d.indicator_code and "MORTALITY" in d.indicator_code
    }
    assert flagged <= seeded, flagged - seeded
