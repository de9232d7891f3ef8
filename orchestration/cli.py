"""The `treem` command line. Every command is thin: it materialises the Definitions' assets in-process.

    treem demo                      build the warehouse from the bundled plans and sample submissions
    treem dev                       open the Dagster UI on the same definitions
"""

from __future__ import annotations

import argparse
import sys
import time

from ingest.warehouse import warehouse_path


def _print_outcome(outcome) -> None:
    label = outcome.job_name + (f" [{outcome.partition}]" if outcome.partition else "")
    status = "ok" if outcome.success else "FAILED"
    print(f"  {label:<28} {status:<6} {outcome.seconds:6.1f} s  {len(outcome.materialized)} assets")
    for check in outcome.checks_failed:
        print(f"      check failed: {check}")


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the whole warehouse on the bundled data, then say what was built and how to query it."""
    from orchestration.defs.project import ensure_manifest

    ensure_manifest()
    from orchestration.demo import build_demo_warehouse

    started = time.perf_counter()
    print(f"treem demo: building {warehouse_path()}")
    build_demo_warehouse(on_outcome=_print_outcome)
    print(f"done in {time.perf_counter() - started:.1f} s")
    print_warehouse_summary()
    return 0


def print_warehouse_summary() -> None:
    """Row counts of the contract tables, and how to query them."""
    from ingest.warehouse import connect

    with connect(read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('marts', 'audit', 'dq') order by 1, 2"
        ).fetchall()
        print("\nContract tables:")
        for schema, table in rows:
            count = con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
            print(f"  {schema}.{table:<32} {count:>9,} rows")
    print(f"\nQuery it:  duckdb -readonly {warehouse_path()}")
    print("  e.g.  select * from marts.fct_target where plan_id = 'dien-bien-2021' order by year, plan_item;")


def cmd_dev(args: argparse.Namespace) -> int:
    import os

    from orchestration.defs.project import ensure_manifest
    from orchestration.runner import dagster_instance

    ensure_manifest()
    dagster_instance()
    os.execvp(
        os.path.join(os.path.dirname(sys.executable), "dagster"),
        ["dagster", "dev", "-m", "orchestration.definitions", "-p", str(args.port)],
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="treem", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="build the warehouse from the bundled data").set_defaults(func=cmd_demo)
    dev = sub.add_parser("dev", help="open the Dagster UI")
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(func=cmd_dev)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
