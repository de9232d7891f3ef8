"""The target registry against the source documents, and the loader's refusal of malformed plan files.

Counts and sampled values were determined by reading the plan texts (ingest/reference/data/sources);
every quote must be found verbatim in its plan text once whitespace is collapsed, so a mistyped figure
or a paraphrase fails here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from ingest.reference.catalog import DEFAULT_PATH as INDICATORS_PATH
from ingest.reference.plans import (
    DATA_DIR,
    RegistryError,
    item_slug,
    load_registry,
    normalize_space,
    quote_sources,
)
from ingest.warehouse import RAW_TABLES, replace_table

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = REPO_ROOT / "ingest" / "reference" / "data" / "sources"
APPENDIX_MARKER = "BẢNG TỔNG HỢP CHỈ TIÊU CHƯƠNG TRÌNH HÀNH ĐỘNG"
OUR_PLANS = ("national-2021", "dien-bien-2021", "bac-ninh-2021", "tan-yen-2021")


@pytest.fixture(scope="module")
def registry() -> dict[str, pd.DataFrame]:
    return load_registry()


@pytest.fixture(scope="module")
def targets(registry) -> pd.DataFrame:
    return registry["raw.targets"]


def seed_text(name: str) -> str:
    return normalize_space((SEEDS / name).read_text(encoding="utf-8"))


def claim(targets: pd.DataFrame, plan: str, code: str, year: int, suffix: str = "text") -> pd.Series:
    rows = targets[
        (targets.plan_id == plan)
        & (targets.indicator_code == code)
        & (targets.year == year)
        & targets.claim_id.str.endswith("/" + suffix)
    ]
    assert len(rows) == 1, (plan, code, year, suffix, rows.claim_id.tolist())
    return rows.iloc[0]


def check(row: pd.Series, comparator: str, value: float, plan_item: str, high: float | None = None) -> None:
    assert row.comparator == comparator, row.claim_id
    assert row.target_value == pytest.approx(value), row.claim_id
    assert row.plan_item == plan_item, row.claim_id
    if high is None:
        assert pd.isna(row.target_value_high), row.claim_id
    else:
        assert row.target_value_high == pytest.approx(high), row.claim_id


# ---- shape -------------------------------------------------------------------------------------------------


def test_tables_have_exactly_the_raw_columns(registry):
    assert set(registry) == {
        "raw.plans",
        "raw.targets",
        "raw.target_overrides",
        "raw.assignments",
        "raw.plan_baselines",
    }
    for table, frame in registry.items():
        assert list(frame.columns) == list(RAW_TABLES[table]), table


def test_tables_land_in_duckdb(registry):
    con = duckdb.connect()
    try:
        for table, frame in registry.items():
            assert replace_table(con, table, frame) == len(frame)
        row = con.execute(
            "select issued_on, report_deadline from raw.plans where plan_id = 'dien-bien-2021'"
        ).fetchone()
        assert str(row[0]) == "2021-03-15" and row[1] == "12-15"
        assert con.execute(
            "select count(*) from raw.targets where target_value_high is not null"
        ).fetchone() == (3,)
    finally:
        con.close()


def test_claim_counts_per_plan(targets):
    counts = targets.groupby("plan_id").size().to_dict()
    assert {plan: counts.get(plan) for plan in OUR_PLANS} == {
        "national-2021": 114,
        "dien-bien-2021": 61,
        "bac-ninh-2021": 138,
        "tan-yen-2021": 66,
    }
    sections = targets.groupby(["plan_id", "source_section"]).size().to_dict()
    assert sections[("bac-ninh-2021", "text")] == 62
    assert sections[("bac-ninh-2021", "appendix")] == 76
    assert sections[("national-2021", "text")] == 52
    assert sections[("national-2021", "appendix")] == 62
    rowtext = targets.claim_id.str.endswith("/appendix-rowtext")
    assert targets[rowtext].groupby("plan_id").size().to_dict() == {"bac-ninh-2021": 12}


def test_claim_ids_are_unique_and_well_formed(targets):
    assert targets.claim_id.is_unique
    for row in targets.itertuples(index=False):
        expected = f"{row.plan_id}/{item_slug(row.plan_item)}/{row.indicator_code}/{row.year}/"
        assert row.claim_id.startswith(expected)
    assert set(targets.comparator) <= {"<", "<=", ">=", "="}
    assert set(targets.source_section) == {"text", "appendix"}
    assert set(targets.year) == {2025, 2030}
    assert item_slug("Chỉ tiêu 5") == "ct05"
    assert item_slug("Chỉ tiêu 3.b") == "ct03b"


def test_every_chi_tieu_of_the_local_plans_has_a_claim(targets):
    for plan, last in (("dien-bien-2021", 29), ("bac-ninh-2021", 24), ("tan-yen-2021", 24)):
        items = set(targets.loc[targets.plan_id == plan, "plan_item"])
        assert items == {f"Chỉ tiêu {n}" for n in range(1, last + 1)}, plan


# ---- quotes ------------------------------------------------------------------------------------------------


def test_every_quote_is_verbatim_in_its_seed():
    quotes = quote_sources()
    assert len(quotes) > 400
    texts: dict[str, str] = {}
    missing = []
    for row in quotes.itertuples(index=False):
        if row.source_file not in texts:
            texts[row.source_file] = seed_text(row.source_file)
        if row.quote not in texts[row.source_file]:
            missing.append((row.kind, row.key, row.source_file, row.quote[:80]))
    assert not missing, missing


def test_bac_ninh_quotes_come_from_the_section_they_claim(targets):
    """Text quotes are found in the body, appendix quotes in the appendix table (002 has both)."""
    body, appendix = seed_text("002_82e3b703260a75cf.txt").split(APPENDIX_MARKER)
    sources = quote_sources().set_index("key")
    from_002 = targets[targets.claim_id.map(sources["source_file"]) == "002_82e3b703260a75cf.txt"]
    assert len(from_002) == 62 + 76 + 62 + 2  # Bắc Ninh, national appendix, national text from 002
    for row in from_002.itertuples(index=False):
        part = body if row.source_section == "text" else appendix
        assert row.source_quote in part, row.claim_id


def test_numbers_are_stated_in_their_quotes(targets):
    """The value as written (before unit conversion) occurs in the quote, with a decimal comma or point."""
    for row in targets.itertuples(index=False):
        written = row.target_value / row.conversion_factor
        if written == 0:  # elimination: "xóa bỏ", or a "0%" drop-out target
            assert "xóa bỏ" in row.source_quote or " 0%" in row.source_quote, row.claim_id
            continue
        number = f"{written:g}"
        pattern = (
            r"(?<![\d.,])0*(?:" + re.escape(number) + "|" + re.escape(number.replace(".", ",")) + r")(?![\d])"
        )
        assert re.search(pattern, row.source_quote), (row.claim_id, number)


def test_equality_is_only_used_at_the_natural_limits(targets):
    equal = targets[targets.comparator == "="]
    assert set(equal.target_value) == {0.0, 100.0}


# ---- Điện Biên ---------------------------------------------------------------------------------------------


def test_dien_bien_samples(targets):
    plan = "dien-bien-2021"
    check(claim(targets, plan, "U5_MORTALITY", 2025), "<", 18.5, "Chỉ tiêu 5")
    check(claim(targets, plan, "INFANT_MORTALITY", 2030), "<=", 10, "Chỉ tiêu 4")
    check(claim(targets, plan, "U5_UNDERWEIGHT", 2030), "<", 10.5, "Chỉ tiêu 6")
    check(claim(targets, plan, "IMMUNIZATION_U1", 2030), ">=", 95, "Chỉ tiêu 9")
    check(claim(targets, plan, "SPECIAL_CIRCUMSTANCES", 2030), "<", 3.5, "Chỉ tiêu 13")
    check(claim(targets, plan, "CHILD_ABUSE_HANDLED", 2025), "=", 100, "Chỉ tiêu 16")
    check(claim(targets, plan, "CHILD_MARRIAGE", 2030), ">=", 2, "Chỉ tiêu 18", high=3)
    check(claim(targets, plan, "PRESCHOOL_5Y", 2030), ">=", 99.9, "Chỉ tiêu 21")
    check(claim(targets, plan, "LOWER_SECONDARY_COMPLETION", 2025), ">=", 99.8, "Chỉ tiêu 23")
    check(claim(targets, plan, "DISABLED_CHILDREN_EDUCATION", 2030), ">=", 90, "Chỉ tiêu 25")
    check(claim(targets, plan, "INJURY_DEATH_RATE", 2025), "<=", 16, "Chỉ tiêu 15")
    hiv = targets[(targets.plan_id == plan) & (targets.indicator_code == "HIV_MTCT")]
    assert hiv.year.tolist() == [2030]  # stated for 2030 only
    psych = targets[(targets.plan_id == plan) & (targets.indicator_code == "SCHOOL_PSYCH_SUPPORT")]
    assert psych.year.tolist() == [2025]
    assert claim(targets, plan, "U5_MORTALITY", 2025).claim_id == "dien-bien-2021/ct05/U5_MORTALITY/2025/text"
    # Điện Biên sets no child-abuse rate, child-labour or drop-out target.
    absent = ["CHILD_ABUSE", "CHILD_LABOUR", "PRIMARY_DROPOUT", "LOWER_SECONDARY_DROPOUT"]
    assert targets[(targets.plan_id == plan) & targets.indicator_code.isin(absent)].empty


# ---- Tân Yên -----------------------------------------------------------------------------------------------


def test_tan_yen_samples(targets):
    plan = "tan-yen-2021"
    check(claim(targets, plan, "CHILD_FRIENDLY_COMMUNE", 2030), ">=", 86, "Chỉ tiêu 1")
    check(claim(targets, plan, "U5_STUNTING", 2025), "<=", 17, "Chỉ tiêu 4")
    check(claim(targets, plan, "HIV_MTCT", 2030), "<=", 2, "Chỉ tiêu 6")
    check(claim(targets, plan, "SPECIAL_CIRCUMSTANCES_CARED", 2030), ">=", 98, "Chỉ tiêu 8")
    check(claim(targets, plan, "CHILD_LABOUR", 2025), "<", 4.5, "Chỉ tiêu 10")
    check(claim(targets, plan, "BIRTH_REGISTRATION_U5", 2025), ">=", 99.9, "Chỉ tiêu 14")
    check(claim(targets, plan, "PRIMARY_DROPOUT", 2030), "=", 0, "Chỉ tiêu 17")
    check(claim(targets, plan, "LOWER_SECONDARY_DROPOUT", 2025), "<", 0.14, "Chỉ tiêu 18")
    check(claim(targets, plan, "DISASTER_RELIEF", 2025), "=", 100, "Chỉ tiêu 12")


def test_tan_yen_injury_rates_are_converted_from_per_4000(targets):
    injuries = targets[
        (targets.plan_id == "tan-yen-2021")
        & targets.indicator_code.isin(["INJURY_RATE", "INJURY_DEATH_RATE"])
    ]
    assert len(injuries) == 4
    assert (injuries.conversion_factor == 25).all()
    assert (injuries.unit_as_written == "/4.000 trẻ em").all()
    check(claim(targets, "tan-yen-2021", "INJURY_RATE", 2025), "<", 100, "Chỉ tiêu 11")  # "dưới 04/4.000"
    check(claim(targets, "tan-yen-2021", "INJURY_RATE", 2030), "<", 75, "Chỉ tiêu 11")  # "03/4.000"
    check(claim(targets, "tan-yen-2021", "INJURY_DEATH_RATE", 2025), "<=", 75, "Chỉ tiêu 11")
    check(claim(targets, "tan-yen-2021", "INJURY_DEATH_RATE", 2030), "<=", 50, "Chỉ tiêu 11")  # "02/4.000"
    others = targets[targets.plan_id != "tan-yen-2021"]
    assert (others.conversion_factor == 1).all()


# ---- Bắc Ninh ----------------------------------------------------------------------------------------------


def test_bac_ninh_vaccination_text_98_against_appendix_97(targets):
    text = claim(targets, "bac-ninh-2021", "IMMUNIZATION_U1", 2025, "text")
    appendix = claim(targets, "bac-ninh-2021", "IMMUNIZATION_U1", 2025, "appendix-values")
    check(text, ">=", 98, "Chỉ tiêu 5")
    check(appendix, ">=", 97, "Chỉ tiêu 5")
    assert text.source_section == "text" and appendix.source_section == "appendix"


def test_bac_ninh_play_spaces_wording_and_value_cells_are_distinct_claims(targets):
    plan = "bac-ninh-2021"
    check(claim(targets, plan, "PLAY_SPACE_COMMUNE", 2025, "appendix-rowtext"), ">=", 70, "Chỉ tiêu 21")
    check(claim(targets, plan, "PLAY_SPACE_COMMUNE", 2030, "appendix-rowtext"), ">=", 80, "Chỉ tiêu 21")
    check(claim(targets, plan, "PLAY_SPACE_COMMUNE", 2025, "appendix-values"), ">=", 90, "Chỉ tiêu 21")
    check(claim(targets, plan, "PLAY_SPACE_COMMUNE", 2030, "appendix-values"), ">=", 95, "Chỉ tiêu 21")
    check(claim(targets, plan, "PLAY_SPACE_COMMUNE", 2030, "text"), ">=", 95, "Chỉ tiêu 21")


def test_bac_ninh_samples(targets):
    plan = "bac-ninh-2021"
    check(claim(targets, plan, "CHILD_FRIENDLY_COMMUNE", 2030), ">=", 87, "Chỉ tiêu 1")
    check(claim(targets, plan, "NEONATAL_MORTALITY", 2030), "<", 9, "Chỉ tiêu 3")
    check(claim(targets, plan, "U5_MORTALITY", 2030, "appendix-values"), "<", 12, "Chỉ tiêu 3")
    check(claim(targets, plan, "U5_MORTALITY", 2025, "appendix-rowtext"), "<", 16.5, "Chỉ tiêu 3")
    check(claim(targets, plan, "U5_UNDERWEIGHT", 2025), "<=", 5, "Chỉ tiêu 4")
    check(claim(targets, plan, "CHILD_ABUSE", 2030), "<", 0.005, "Chỉ tiêu 9")
    check(claim(targets, plan, "CHILD_ABUSE", 2030, "appendix-values"), "<=", 0.003, "Chỉ tiêu 9")
    check(claim(targets, plan, "INJURY_RATE", 2025), "<=", 54, "Chỉ tiêu 11")
    check(claim(targets, plan, "CHILD_MARRIAGE", 2030), "=", 0, "Chỉ tiêu 13")
    check(claim(targets, plan, "PRIMARY_COMPLETION", 2030, "appendix-values"), "=", 100, "Chỉ tiêu 17")
    overweight = targets[(targets.plan_id == plan) & (targets.indicator_code == "U5_OVERWEIGHT_URBAN")]
    assert sorted(zip(overweight.source_section, overweight.year, strict=True)) == [
        ("appendix", 2025),
        ("appendix", 2030),
        ("text", 2030),
    ]


def test_appendix_rowtext_sorts_before_values_in_each_group(targets):
    """The dbt model breaks ties within a section by claim_id; that must equal document order."""
    appendix = targets[targets.source_section == "appendix"]
    for _, group in appendix.groupby(["plan_id", "indicator_code", "year"]):
        suffixes = [cid.rsplit("/", 1)[1] for cid in sorted(group.claim_id)]
        assert suffixes == sorted(suffixes, key=["appendix-rowtext", "appendix-values"].index)


# ---- national ----------------------------------------------------------------------------------------------


def test_national_under5_mortality_conflict(targets):
    plan = "national-2021"
    check(claim(targets, plan, "U5_MORTALITY", 2025, "text"), "<", 18.5, "Chỉ tiêu 3")
    check(claim(targets, plan, "U5_MORTALITY", 2030, "text"), "<", 15, "Chỉ tiêu 3")
    check(claim(targets, plan, "U5_MORTALITY", 2025, "appendix-values"), "<", 16.5, "Chỉ tiêu 3")
    check(claim(targets, plan, "U5_MORTALITY", 2030, "appendix-values"), "<", 14.7, "Chỉ tiêu 3")


def test_national_samples(targets):
    plan = "national-2021"
    check(claim(targets, plan, "CHILD_FRIENDLY_COMMUNE", 2025), ">=", 65, "Chỉ tiêu 1")
    check(claim(targets, plan, "IMMUNIZATION_U1", 2025), ">=", 97, "Chỉ tiêu 5")
    check(claim(targets, plan, "IMMUNIZATION_U1", 2025, "appendix-values"), ">=", 98, "Chỉ tiêu 5")
    check(claim(targets, plan, "CHILD_ABUSE", 2030), "<", 4, "Chỉ tiêu 9")
    check(claim(targets, plan, "CHILD_ABUSE", 2030, "appendix-values"), "<", 0.5, "Chỉ tiêu 9")
    check(claim(targets, plan, "CHILD_LABOUR", 2025, "appendix-values"), "<=", 4.9, "Chỉ tiêu 10")
    check(claim(targets, plan, "INJURY_RATE", 2030), "<=", 500, "Chỉ tiêu 11")
    check(claim(targets, plan, "CHILD_MARRIAGE", 2030), ">=", 2, "Chỉ tiêu 13", high=3)
    check(claim(targets, plan, "BIRTH_REGISTRATION_U5", 2025, "appendix-values"), ">=", 98.5, "Chỉ tiêu 14")
    check(
        claim(targets, plan, "LOWER_SECONDARY_COMPLETION", 2030, "appendix-values"), ">=", 93, "Chỉ tiêu 18"
    )
    check(claim(targets, plan, "PLAY_SPACE_COMMUNE", 2030), ">=", 45, "Chỉ tiêu 21")
    national = targets[targets.plan_id == plan]
    assert (national.locality_id == "vn:VN").all()


# ---- plans, assignments, baselines, overrides --------------------------------------------------------------


def test_plan_metadata(registry):
    plans = registry["raw.plans"].set_index("plan_id")
    assert plans.loc["tan-yen-2021", "report_deadline"] == "11-20"
    assert plans.loc["tan-yen-2021", "locality_id"] == "vn2008:216"
    assert pd.isna(plans.loc["tan-yen-2021", "issued_on"])
    assert plans.loc["dien-bien-2021", "locality_id"] == "vn2008:11"
    assert plans.loc["bac-ninh-2021", "locality_id"] == "vn2008:27"
    assert plans.loc["bac-ninh-2021", "document_no"] == "359/KH-UBND"
    assert str(plans.loc["bac-ninh-2021", "issued_on"].date()) == "2021-06-10"
    assert plans.loc["national-2021", "locality_id"] == "vn:VN"
    assert str(plans.loc["national-2021", "issued_on"].date()) == "2021-01-07"
    assert pd.isna(plans.loc["national-2021", "source_file"])


def test_assignments_cover_every_claimed_indicator(registry, targets):
    assignments = registry["raw.assignments"]
    for plan in ("dien-bien-2021", "bac-ninh-2021", "tan-yen-2021"):
        claimed = set(
            targets.loc[targets.plan_id == plan, ["plan_item", "indicator_code"]].itertuples(
                index=False, name=None
            )
        )
        assigned = set(
            assignments.loc[assignments.plan_id == plan, ["plan_item", "indicator_code"]].itertuples(
                index=False, name=None
            )
        )
        assert claimed == assigned, plan
    assert assignments[assignments.plan_id == "national-2021"].empty


def test_assignment_samples(registry):
    a = registry["raw.assignments"]

    def sectors(plan: str, item: str) -> set[str]:
        return set(a.loc[(a.plan_id == plan) & (a.plan_item == item), "sector"])

    assert sectors("dien-bien-2021", "Chỉ tiêu 16") == {"social_affairs", "police"}
    assert sectors("dien-bien-2021", "Chỉ tiêu 19") == {"justice"}
    assert sectors("dien-bien-2021", "Chỉ tiêu 25") == {"social_affairs"}  # as written, not education
    assert sectors("dien-bien-2021", "Chỉ tiêu 18") == {"culture"}
    assert sectors("bac-ninh-2021", "Chỉ tiêu 9") == {"social_affairs", "police"}
    assert sectors("bac-ninh-2021", "Chỉ tiêu 7") == {"education"}
    assert sectors("tan-yen-2021", "Chỉ tiêu 9") == {"social_affairs"}  # Công an huyện only coordinates
    assert sectors("tan-yen-2021", "Chỉ tiêu 3") == {"health"}
    row = a[(a.plan_id == "dien-bien-2021") & (a.plan_item == "Chỉ tiêu 26")].iloc[0]
    assert row.agency_as_written == "Sở Văn hoá, Thể thao và Du lịch"


def test_baselines(registry):
    b = registry["raw.plan_baselines"]
    bn = b[b.plan_id == "bac-ninh-2021"].set_index("indicator_code")
    assert len(bn) == 20
    assert (bn.year == 2020).all() and (bn.locality_id == "vn2008:27").all()
    assert bn.loc["U5_MORTALITY", "value"] == 27
    assert bn.loc["U5_STUNTING", "value"] == pytest.approx(13.8)
    assert bn.loc["PLAY_SPACE_COMMUNE", "value"] == 87
    assert bn.loc["CHILD_ABUSE", "value"] == pytest.approx(0.005)
    assert "HIV_MTCT" not in bn.index and "CHILD_MARRIAGE" not in bn.index
    db = b[b.plan_id == "dien-bien-2021"].set_index("indicator_code")
    assert db["value"].to_dict() == pytest.approx(
        {"CHILD_FRIENDLY_COMMUNE": 63, "U5_STUNTING": 26.4, "U5_UNDERWEIGHT": 15.9, "INFANT_MORTALITY": 31.0}
    )


def test_no_override_is_in_force(registry):
    assert registry["raw.target_overrides"].empty
    assert list(registry["raw.target_overrides"].columns) == list(RAW_TABLES["raw.target_overrides"])


# ---- validation --------------------------------------------------------------------------------------------

GOOD_STATEMENT = {
    "plan_item": "Chỉ tiêu 1",
    "indicator_code": "CHILD_FRIENDLY_COMMUNE",
    "source_section": "text",
    "unit_as_written": "%",
    "source_quote": "Chỉ tiêu 1: ... đạt 65% vào năm 2025",
    "claims": [{"year": 2025, "comparator": ">=", "value": 65}],
}


def make_data_dir(tmp_path: Path, plan: dict, overrides: list | None = None, name: str | None = None) -> Path:
    (tmp_path / "plans").mkdir(parents=True)
    shutil.copy(INDICATORS_PATH, tmp_path / "indicators.yaml")
    file_name = name or f"{plan.get('plan_id', 'x')}.yaml"
    (tmp_path / "plans" / file_name).write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    if overrides is not None:
        (tmp_path / "target_overrides.yaml").write_text(
            yaml.safe_dump({"overrides": overrides}), encoding="utf-8"
        )
    return tmp_path


def plan_doc(**changes) -> dict:
    doc = {
        "plan_id": "test-2021",
        "title_vi": "Kế hoạch thử",
        "locality_id": "vn2008:11",
        "source_file": "000_x.txt",
        "report_deadline": "12-15",
        "targets": [dict(GOOD_STATEMENT)],
    }
    doc.update(changes)
    return doc


def statement(**changes) -> dict:
    entry = dict(GOOD_STATEMENT)
    entry.update(changes)
    return entry


def test_a_good_minimal_plan_loads(tmp_path):
    registry = load_registry(make_data_dir(tmp_path, plan_doc()))
    assert registry["raw.targets"].claim_id.tolist() == ["test-2021/ct01/CHILD_FRIENDLY_COMMUNE/2025/text"]
    assert registry["raw.target_overrides"].empty  # no overrides file: no overrides


def test_a_task_only_plan_without_targets_loads(tmp_path):
    doc = plan_doc(document_no=None, issued_on=None)
    del doc["targets"]
    registry = load_registry(make_data_dir(tmp_path, doc))
    assert len(registry["raw.plans"]) == 1
    assert registry["raw.targets"].empty and registry["raw.assignments"].empty


def claims_of(*claims: dict) -> dict:
    return plan_doc(targets=[statement(claims=list(claims))])


def assigning(sector: str, item: str) -> dict:
    return plan_doc(assignments=[{"sector": sector, "agency_as_written": "Sở Y tế", "plan_items": [item]}])


WITHOUT_QUOTE = {k: v for k, v in GOOD_STATEMENT.items() if k != "source_quote"}
BAD_BASELINE = {"indicator_code": "NOPE", "year": 2020, "value": 1, "source_quote": "q"}
MALFORMED = [
    (plan_doc(targets=[statement(indicator_code="U5_RATE")]), "unknown indicator code 'U5_RATE'"),
    (claims_of({"year": 2025, "comparator": "≥", "value": 65}), "bad comparator '≥'"),
    (plan_doc(targets=[statement(source_quote="  ")]), "missing source_quote"),
    (plan_doc(targets=[WITHOUT_QUOTE]), "missing keys ['source_quote']"),
    (
        plan_doc(targets=[statement(), statement()]),
        "duplicate claim test-2021/ct01/CHILD_FRIENDLY_COMMUNE/2025/text",
    ),
    (claims_of({"year": 2024, "comparator": ">=", "value": 65}), "year 2024"),
    (claims_of({"year": 2025, "comparator": "<", "value": 2, "value_high": 3}), "needs comparator '>='"),
    (
        claims_of({"year": 2025, "comparator": ">=", "value": 650}),
        "outside CHILD_FRIENDLY_COMMUNE's plausible",
    ),
    (plan_doc(targets=[statement(source_section="annex")]), "source_section 'annex'"),
    (plan_doc(targets=[statement(source_section="appendix")]), "needs appendix_part"),
    (plan_doc(mandate="x"), "unknown keys ['mandate']"),
    (plan_doc(report_deadline="20/11"), "report_deadline '20/11'"),
    (plan_doc(locality_id="11"), "locality_id '11'"),
    (plan_doc(source_file=None), "needs quote_file"),
    (assigning("health", "Chỉ tiêu 9"), "plan item 'Chỉ tiêu 9' has no target claims"),
    (assigning("labour", "Chỉ tiêu 1"), "unknown sector 'labour'"),
    (plan_doc(baselines=[BAD_BASELINE]), "unknown indicator code 'NOPE'"),
]


@pytest.mark.parametrize(("doc", "message"), MALFORMED)
def test_malformed_plan_files_are_refused(tmp_path, doc, message):
    with pytest.raises(RegistryError) as error:
        load_registry(make_data_dir(tmp_path, doc))
    assert message in str(error.value)
    assert "plans/test-2021.yaml" in str(error.value)


def test_error_names_the_entry(tmp_path):
    doc = plan_doc(targets=[statement(), statement(plan_item="Chỉ tiêu 2", indicator_code="NOT_A_CODE")])
    with pytest.raises(RegistryError, match=r"plans/test-2021\.yaml: targets\[1\] \(Chỉ tiêu 2 NOT_A_CODE\)"):
        load_registry(make_data_dir(tmp_path, doc))


def test_file_name_must_match_plan_id(tmp_path):
    with pytest.raises(RegistryError, match="file name must be 'test-2021.yaml'"):
        load_registry(make_data_dir(tmp_path, plan_doc(), name="other.yaml"))


def test_values_listed_before_rowtext_are_refused(tmp_path):
    appendix = {"source_section": "appendix", "source_quote": "… | 74 | 82"}
    doc = plan_doc(
        targets=[
            statement(**appendix, appendix_part="values"),
            statement(**appendix, appendix_part="rowtext"),
        ]
    )
    with pytest.raises(RegistryError, match="do not sort that way"):
        load_registry(make_data_dir(tmp_path, doc))


def test_overrides_are_validated(tmp_path):
    good = {
        "plan_id": "test-2021",
        "indicator_code": "CHILD_FRIENDLY_COMMUNE",
        "year": 2025,
        "authoritative_section": "text",
        "reason": "Because the documents say so.",
        "reviewed_by": "tester",
    }
    registry = load_registry(make_data_dir(tmp_path / "a", plan_doc(), overrides=[good]))
    assert registry["raw.target_overrides"].to_dict("records") == [good]
    with pytest.raises(RegistryError, match="no appendix claim of test-2021 CHILD_FRIENDLY_COMMUNE 2025"):
        load_registry(
            make_data_dir(
                tmp_path / "b", plan_doc(), overrides=[{**good, "authoritative_section": "appendix"}]
            )
        )
    with pytest.raises(RegistryError, match="'reason' must be a non-empty string"):
        load_registry(make_data_dir(tmp_path / "c", plan_doc(), overrides=[{**good, "reason": ""}]))


def test_the_shipped_data_dir_is_the_default():
    assert REPO_ROOT / "ingest" / "reference" / "data" == DATA_DIR
