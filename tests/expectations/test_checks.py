"""The cross checks' SQL and helpers, on tiny hand-made warehouses (the verdicts through the runner are in
test_runner.py; the same queries on PostgreSQL in tests/postgres/test_cross_checks_sql.py)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from expectations import load_config
from expectations.checks import fmt_number
from expectations.cross_checks import fetch, render, stage, unstage
from expectations.runner import _context_groups, _loaded_submissions, validate_warehouse
from tests.expectations.conftest import DISTRICTS, add_submission, build_reference, value_row


def _staged(con) -> None:
    loaded = _loaded_submissions(con)
    stage(con, loaded.assign(context_group=_context_groups(loaded), in_scope=True))


def test_modified_z_score_and_mad_zero_fallback(tmp_path):
    """The outliers' modified z-score, read from the query itself: 0.6745 (x − median) / MAD, and with
    MAD = 0 (x − median) / (1.253314 × mean absolute deviation); all equal: 0. One year, so a locality's
    usual deviation is 0 and the deviation scored is the value's distance from the median."""
    con = duckdb.connect(str(tmp_path / "z.duckdb"))
    build_reference(con)
    groups = {
        "CHILD_MARRIAGE": [1, 2, 3, 4, 100],  # median 3, MAD 1
        "INJURY_RATE": [5, 5, 5, 5, 9],  # median 5, MAD 0, mean |x − 5| = 0.8
        "IMMUNIZATION_U1": [7, 7, 7, 7, 7],  # no spread at all
    }
    rows = [
        value_row(2024, code, DISTRICTS[i], float(x), cell=f"K{10 + i}")
        for code, xs in groups.items()
        for i, x in enumerate(xs)
    ]
    add_submission(con, 2024, rows)
    _staged(con)
    scored = fetch(con, render("outlier_cross_locality", load_config()))
    z = {(r.indicator_code, r.locality_id): r.z for r in scored.itertuples(index=False)}
    assert z[("CHILD_MARRIAGE", DISTRICTS[4])] == pytest.approx(0.6745 * 97)
    assert z[("CHILD_MARRIAGE", DISTRICTS[0])] == pytest.approx(-0.6745 * 2)
    assert z[("INJURY_RATE", DISTRICTS[4])] == pytest.approx(4 / (1.253314 * 0.8))
    assert z[("INJURY_RATE", DISTRICTS[0])] == 0
    assert all(z[("IMMUNIZATION_U1", d)] == 0 for d in DISTRICTS[:5])
    unstage(con)
    con.close()


def test_thresholds_come_from_the_config():
    """Every number a query judges with is rendered from config.yaml: change it and the text changes."""
    config = load_config()
    before = render("value_matches_ratio", config)
    assert "when unit = 'percent' then 0.05" in before and "0.005 * abs(" in before
    config["ratio"]["absolute_tolerance"]["percent"] = 0.25
    config["ratio"]["relative_tolerance"] = 0.02
    after = render("value_matches_ratio", config)
    assert "when unit = 'percent' then 0.25" in after and "0.02 * abs(" in after
    config["outliers"]["threshold"] = 4.25
    assert "abs(z) > 4.25" in render("outlier_yoy", config)
    assert "abs(z) > 4.25" in render("outlier_cross_locality", config)


def test_staging_leaves_nothing_behind(make_warehouse):
    con = make_warehouse()
    validate_warehouse(con)
    temporary = con.execute(
        "select table_name from information_schema.tables where table_name like 'dq\\_%' escape '\\'"
    ).fetchall()
    assert temporary == []


def test_vietnamese_number_format():
    assert fmt_number(214825) == "214.825"
    assert fmt_number(9.5) == "9,5"
    assert fmt_number(1693.94) == "1.693,94"
    assert fmt_number(None) == "(trống)"
    assert fmt_number(pd.NA) == "(trống)"


def test_empty_warehouse_validates_to_nothing():
    con = duckdb.connect(":memory:")
    summary = validate_warehouse(con)
    assert summary.success and summary.check_results.empty and summary.flagged_values.empty
    assert con.execute("select count(*) from dq.check_results").fetchone()[0] == 0
