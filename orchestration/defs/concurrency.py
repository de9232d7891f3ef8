"""One writer at a time, enforced by Dagster rather than by luck.

DuckDB locks its file for one process: while one process holds it read-write, no other can open it at all.
Sensors, schedules, the run-status sensor, the UI and the CLI can all start runs, so two runs could open the
warehouse at once and one would fail with "Could not set lock on file". Two Dagster mechanisms prevent it:

- every asset that opens the warehouse belongs to the pool `WAREHOUSE_POOL`, and the instance limits every
  pool to one slot at op granularity: a step of any run (queued by the daemon or executed in-process by the
  CLI) waits for the slot before it opens the file;
- the run queue admits one run at a time (`max_concurrent_runs: 1`), so queued runs (an ingest per year, the
  warehouse build after it) run one after another and never interleave their steps.

`INSTANCE_YAML` is the `dagster.yaml` treem writes into a new `DAGSTER_HOME` (orchestration/runner.py); an
existing `dagster.yaml` (e.g. one pointing at PostgreSQL storage) gets the same `concurrency` section added.
"""

from __future__ import annotations

WAREHOUSE_POOL = "treem_warehouse"

CONCURRENCY = {
    "runs": {"max_concurrent_runs": 1},
    "pools": {"granularity": "op", "default_limit": 1},
}
