"""What a verdict was judged against: a fingerprint of the config and the reference data, per plan.

A verdict is only as good as its inputs. A value judged while the indicator catalog was missing is an error
("unknown indicator") that must disappear once the catalog lands; a threshold changed in config.yaml must
apply to every submission, not only to the next year's files. So every row of `dq.check_results` records
`judged_against`, and a run re-judges each loaded submission whose recorded fingerprint differs from the
current one -- no flag, no manual `revalidate_all`.

The fingerprint of a submission covers what its checks read: the whole config (thresholds, severities), the
catalog (`raw.indicators`: units, bounds, the numerator ≤ denominator flag), the administrative units
(`raw.localities`: roll-up hierarchy, levels) and its own plan's assignments (`raw.assignments`:
completeness). Another plan's assignments changing re-judges nothing of this plan. Table contents are hashed
in the warehouse (order-independent sum of row hashes), so re-landing identical reference data changes
nothing.
"""

from __future__ import annotations

import hashlib
import json

import duckdb

# Reference every verdict reads whatever its plan.
GLOBAL_REFERENCE = ("raw.indicators", "raw.localities")


def config_digest(config: dict) -> str:
    """A short, stable digest of the config as the checks see it (key order does not matter)."""
    text = json.dumps(config, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _table_digest(con: duckdb.DuckDBPyConnection, table: str) -> str:
    count, total = con.execute(f"select count(*), cast(sum(hash(t)) as varchar) from {table} t").fetchone()
    return f"{count}:{total or 0}"


def fingerprints(con: duckdb.DuckDBPyConnection, config: dict, plan_ids) -> dict[str, str]:
    """plan_id -> 'config:<digest> reference:<digest>' for each plan named (None for a submission without).

    Readable on purpose: a statistician comparing two rows of dq.check_results sees which half changed.
    """
    config_part = config_digest(config)
    shared = "|".join(_table_digest(con, table) for table in GLOBAL_REFERENCE)
    per_plan = dict(
        con.execute(
            "select plan_id, cast(count(*) as varchar) || ':' || cast(sum(hash(a)) as varchar) "
            "from raw.assignments a group by plan_id"
        ).fetchall()
    )
    out = {}
    for plan_id in plan_ids:
        text = f"{shared}|{per_plan.get(plan_id, '0:0')}"
        reference_part = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        out[plan_id] = f"config:{config_part} reference:{reference_part}"
    return out
