"""Recovery you can prove: rebuild the warehouse from the archive alone and compare it with the live one.

`treem rebuild` (i) reads the archive's arrivals log (`ingest.inbox`), (ii) stages every archived original
under its original name, in its original order, (iii) replays them into a fresh warehouse in a child
process through the same jobs (reference_job, one ingest_job per reporting year, warehouse_job) on an
ephemeral Dagster instance (the live instance's history stays untouched), restoring each submission's
recorded arrival time before the build (timeliness depends on it), and (iv) compares every table of the
contract schemas (`marts`, `audit`, `dq`) with the live warehouse, row for row.

What may differ by construction, and is normalised before comparing: submission ids (they embed the
moment of loading; compared as content hash + occurrence), the archive path's folder, and the data-quality
run id and check time. Anything else that differs is printed, and the command exits 1.

The child process is needed because the Definitions and dbt's profile bind the warehouse file from the
environment when they load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.inbox import ARRIVALS_LOG, archive_folder, archived_originals, archived_path, read_arrivals
from ingest.warehouse import PROJECT_ROOT

CONTRACT_SCHEMAS = ("marts", "audit", "dq")
# Columns that record when or by which run something happened, not what the data is.
VOLATILE_COLUMNS = {"run_id", "checked_at"}


@dataclass
class Comparison:
    tables: int = 0
    rows: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.differences


def stage_replay(archive_dir: Path, staging: Path) -> list[tuple[str, Path]]:
    """Copy every logged original to `staging/<seq>/<original name>`, mtimes increasing in arrival order
    (the ingest processes a batch in mtime order); return (reporting year, staged path) in arrival order."""
    arrivals = read_arrivals(archive_dir)
    if not arrivals:
        raise FileNotFoundError(f"no arrivals log in {archive_dir}: nothing to replay")
    base = dt.datetime(2000, 1, 1).timestamp()
    staged = []
    for seq, entry in enumerate(arrivals):
        source = archived_path(entry["sha256"], entry["suffix"], archive_dir)
        if not source.exists():
            raise FileNotFoundError(f"the archive lacks {source.name} ({entry['file_name']})")
        target = staging / f"{seq:06d}" / entry["file_name"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        os.utime(target, (base + seq, base + seq))
        staged.append((entry["year"], target))
    return staged


def replay(archive_dir: Path, target: Path) -> None:
    """In this process (TREEM_WAREHOUSE must name `target`): run the jobs over the staged originals."""
    from dagster import DagsterInstance

    from ingest.inbox import inbox_folder
    from orchestration.defs.project import ensure_manifest
    from orchestration.runner import run_job

    ensure_manifest()
    arrivals = read_arrivals(archive_dir)
    staged = stage_replay(archive_dir, inbox_folder(target.parent))
    by_year: dict[str, list[str]] = {}
    for year, path in staged:
        by_year.setdefault(year, []).append(str(path))
    with DagsterInstance.ephemeral() as instance:
        run_job("reference_job", instance=instance)
        for year, paths in by_year.items():
            config = {"ops": {"agency_submissions": {"config": {"paths": paths}}}}
            run_job("ingest_job", partition=year, run_config=config, instance=instance)
        restore_arrival_times(target, arrivals)
        run_job("warehouse_job", instance=instance)


def restore_arrival_times(target: Path, arrivals: list[dict]) -> None:
    """Give each replayed submission the arrival time recorded when it first arrived (matched by content
    hash and occurrence, both in arrival order)."""
    from ingest.warehouse import connect

    with connect(target) as con:
        rows = con.execute(
            "select submission_id, sha256 from audit.submissions order by received_at, submission_id"
        ).fetchall()
        seen: dict[str, list[str]] = {}
        for submission_id, sha in rows:
            seen.setdefault(sha, []).append(submission_id)
        updates = []
        for entry in arrivals:
            ids = seen.get(entry["sha256"], [])
            if ids:
                updates.append((ids.pop(0), dt.datetime.fromisoformat(entry["received_at"])))
        con.execute("begin transaction")
        con.executemany(
            "update audit.submissions set received_at = ? where submission_id = ?",
            [(at, sid) for sid, at in updates],
        )
        con.execute("commit")


def _normalised(db: str, schema: str, table: str, columns: list[str]) -> str:
    """A select of the table with volatile columns dropped and submission ids as hash#occurrence."""
    keep = [c for c in columns if c not in VOLATILE_COLUMNS]
    exprs = []
    for column in keep:
        if column == "submission_id":
            exprs.append("sid.sid_key as submission_id")
        elif column == "archived_path":
            exprs.append("regexp_extract(t.archived_path, '[^/]+$') as archived_path")
        else:
            exprs.append(f't."{column}"')
    join = (
        f" left join (select submission_id, sha256 || '#' || row_number() over (partition by sha256 "
        f"order by received_at, submission_id) as sid_key from {db}.audit.submissions) sid "
        "using (submission_id)"
        if "submission_id" in keep
        else ""
    )
    return f"select {', '.join(exprs)} from {db}.{schema}.{table} t{join}"


def compare_warehouses(live: Path, rebuilt: Path, limit: int = 5) -> Comparison:
    """Every table of the contract schemas of `live`, row for row (as multisets) against `rebuilt`."""
    result = Comparison()
    con = duckdb.connect()
    try:
        con.execute(f"attach '{live}' as live (read_only)")
        con.execute(f"attach '{rebuilt}' as rebuilt (read_only)")

        def tables(db: str) -> dict[tuple[str, str], list[str]]:
            rows = con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where table_catalog = ? and table_schema in (select unnest(?)) order by ordinal_position",
                [db, list(CONTRACT_SCHEMAS)],
            ).fetchall()
            out: dict[tuple[str, str], list[str]] = {}
            for schema, table, column in rows:
                out.setdefault((schema, table), []).append(column)
            return out

        live_tables, rebuilt_tables = tables("live"), tables("rebuilt")
        for key in sorted(set(rebuilt_tables) - set(live_tables)):
            result.differences.append(f"{key[0]}.{key[1]}: only in the rebuilt warehouse")
        for (schema, table), columns in sorted(live_tables.items()):
            name = f"{schema}.{table}"
            result.tables += 1
            if (schema, table) not in rebuilt_tables:
                result.differences.append(f"{name}: missing from the rebuilt warehouse")
                continue
            if rebuilt_tables[(schema, table)] != columns:
                result.differences.append(f"{name}: columns differ")
                continue
            a = _normalised("live", schema, table, columns)
            b = _normalised("rebuilt", schema, table, columns)
            result.rows += con.execute(f"select count(*) from live.{schema}.{table}").fetchone()[0]
            for label, first, second in (("only live", a, b), ("only rebuilt", b, a)):
                diff = con.execute(f"select * from ({first} except all {second})").fetchall()
                if diff:
                    sample = "; ".join(str(row)[:200] for row in diff[:limit])
                    result.differences.append(f"{name}: {len(diff)} row(s) {label}, e.g. {sample}")
    finally:
        con.close()
    return result


def rebuild(live: Path, work_dir: Path, progress=print) -> Comparison:
    """Replay the archive of `live` into `work_dir/treem.duckdb` and compare the two."""
    archive_dir = archive_folder(live.parent)
    if not read_arrivals(archive_dir):
        raise FileNotFoundError(f"nothing to replay: no arrivals log in {archive_dir} (ingest runs write it)")
    if work_dir.exists() and any(work_dir.iterdir()):
        raise FileExistsError(f"{work_dir} is not empty: choose a new folder for the rebuilt warehouse")
    work_dir.mkdir(parents=True, exist_ok=True)
    target = work_dir / "treem.duckdb"
    arrivals = read_arrivals(archive_dir)
    logged = {archived_path(a["sha256"], a["suffix"], archive_dir) for a in arrivals}
    unlogged = [p for p in archived_originals(archive_dir) if p not in logged and p.name != ARRIVALS_LOG]
    for path in unlogged:  # e.g. a crash between loading a file and logging it: compare will show it
        progress(f"warning: {path.name} is in the archive but not in its arrivals log; not replayed")
    progress(f"replaying {len(arrivals)} archived originals into {target}")
    env = {
        **os.environ,
        "TREEM_WAREHOUSE": str(target),
        "TREEM_INBOX": str(work_dir / "inbox"),
    }
    command = [sys.executable, "-m", "orchestration.rebuild", "--archive", str(archive_dir), str(target)]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError("replay failed: " + " / ".join(tail))
    from ingest.snapshot import read_copy_path

    reference = read_copy_path(live) if read_copy_path(live).exists() else live
    progress(f"comparing with {reference}")
    return compare_warehouses(reference, target)


def main(argv: list[str] | None = None) -> int:
    """Child-process entry point: replay an archive into the warehouse TREEM_WAREHOUSE names."""
    parser = argparse.ArgumentParser(description="replay an archive into a fresh warehouse")
    parser.add_argument("--archive", required=True)
    parser.add_argument("target")
    args = parser.parse_args(argv)
    target = Path(args.target).resolve()
    if Path(os.environ.get("TREEM_WAREHOUSE", "")).resolve() != target:
        raise SystemExit("TREEM_WAREHOUSE must name the target warehouse")
    replay(Path(args.archive), target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
