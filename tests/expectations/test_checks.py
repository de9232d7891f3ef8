"""Pure helpers of the cross checks, without a warehouse."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from expectations.checks import fmt_number, modified_z
from expectations.runner import validate_warehouse


def test_modified_z_score_and_mad_zero_fallback():
    frame = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 5, "x": [1, 2, 3, 4, 100, 5, 5, 5, 5, 9]})
    z = modified_z(frame, "x", ["g"])
    # group a: median 3, MAD 1 -> 0.6745 * (100 - 3) / 1
    assert z[4] == pytest.approx(0.6745 * 97)
    assert z[0] == pytest.approx(-0.6745 * 2)
    # group b: MAD 0 -> (x - 5) / (1.253314 * mean |x - 5|) = 4 / (1.253314 * 0.8)
    assert z[9] == pytest.approx(4 / (1.253314 * 0.8))
    assert z[5] == 0
    same = modified_z(pd.DataFrame({"g": ["c"] * 3, "x": [7, 7, 7]}), "x", ["g"])
    assert (same == 0).all()


def test_vietnamese_number_format():
    assert fmt_number(214825) == "214.825"
    assert fmt_number(9.5) == "9,5"
    assert fmt_number(1693.94) == "1.693,94"
    assert fmt_number(None) == "(trống)"


def test_empty_warehouse_validates_to_nothing():
    con = duckdb.connect(":memory:")
    summary = validate_warehouse(con)
    assert summary.success and summary.check_results.empty and summary.flagged_values.empty
    assert con.execute("select count(*) from dq.check_results").fetchone()[0] == 0
