"""The `treem` command line. Every pipeline command is thin: it materialises the Definitions' assets
in-process (orchestration/runner.py), exactly as a scheduled run would.

    treem demo                                   build the warehouse from the bundled plans and samples
    treem template --plan P --sector S --year Y  write an agency reporting workbook
    treem ingest [PATH ...]                      ingest workbooks (default: warehouse/inbox/), then rebuild
    treem report so-ket-2025 --plan P            write a review report (also tong-ket-2030)
    treem status                                 what the warehouse holds and what needs attention
    treem sql ["select ..."]                     query the warehouse read-only
    treem synth --scale national --years 2020-2030 --out DIR
                                                 write a deterministic synthetic national inbox
    treem bench [--scale national]               benchmark readers, backfill, one new year, memory
    treem rebuild [--out DIR]                    replay the archive into a fresh warehouse and compare
    treem dev                                    open the Dagster UI on the same definitions (127.0.0.1)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from ingest.warehouse import warehouse_path


def _print_outcome(outcome) -> None:
    label = outcome.job_name + (f" [{outcome.partition}]" if outcome.partition else "")
    status = "ok" if outcome.success else "FAILED"
    print(
        f"  {label:<28} {status:<6} {outcome.seconds:6.1f} s  {len(outcome.materialized)} assets", flush=True
    )
    for check in outcome.checks_failed:
        print(f"      check failed: {check}", flush=True)


def _prepare() -> None:
    """The dbt manifest must exist before the definitions load (stack-notes: parse once, not at import)."""
    from orchestration.defs.project import ensure_manifest

    ensure_manifest()


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the whole warehouse on the bundled data, then say what was built and how to query it."""
    _prepare()
    from orchestration.demo import build_demo_warehouse

    started = time.perf_counter()
    print(f"treem demo: building {warehouse_path()}", flush=True)
    build_demo_warehouse(on_outcome=_print_outcome)
    print(f"done in {time.perf_counter() - started:.1f} s")
    print_warehouse_summary()
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from ingest.workbook.context import VN2025_FROM, reporting_date
    from ingest.workbook.template import write_template

    territory = args.territory
    if territory and ":" not in territory:  # a bare province code: the scheme valid on the reporting date
        territory = f"{'vn2025' if reporting_date(args.year) >= VN2025_FROM else 'vn2008'}:{territory}"
    suffix = f"_{territory.split(':')[1]}" if territory else ""
    out = Path(
        args.out
        or warehouse_path().parent / "templates" / f"{args.plan}_{args.sector}_{args.year}{suffix}.xlsx"
    )
    write_template(args.plan, args.sector, args.year, out, territory=territory)
    print(f"wrote {out}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files or folders: one ingest run per reporting year, then rebuild the warehouse."""
    _prepare()
    from ingest.inbox import inbox_folder, list_inbox, reporting_year
    from orchestration.runner import run_job

    files: list[Path] = []
    for raw in args.paths or [str(inbox_folder())]:
        path = Path(raw)
        files.extend(list_inbox(path) if path.is_dir() else [path])
    if not files:
        print("no workbook to ingest")
        return 0
    by_year: dict[int, list[str]] = {}
    for path in files:
        by_year.setdefault(reporting_year(path), []).append(str(path.resolve()))
    ok = True
    for year, paths in sorted(by_year.items()):
        config = {"ops": {"agency_submissions": {"config": {"paths": paths}}}}
        outcome = run_job("ingest_job", partition=str(year), run_config=config, raise_on_error=False)
        _print_outcome(outcome)
        ok &= outcome.success
    if ok and not args.no_build:
        _print_outcome(run_job("warehouse_job", raise_on_error=False))
    return 0 if ok else 1


def cmd_report(args: argparse.Namespace) -> int:
    _prepare()
    from orchestration.runner import run_job

    config = {"ops": {"review_reports": {"config": {"plan_ids": args.plan, "reviews": [args.review]}}}}
    outcome = run_job("report_job", run_config=config, raise_on_error=False)
    _print_outcome(outcome)
    print(f"reports in {warehouse_path().parent / 'reports'}")
    return 0 if outcome.success else 1


def print_warehouse_summary() -> None:
    from orchestration.summary import warehouse_summary

    print("\n" + warehouse_summary())


def cmd_status(args: argparse.Namespace) -> int:
    if not warehouse_path().exists():
        print(f"No warehouse at {warehouse_path()} yet: build it with `treem demo` or `treem ingest`.")
        return 1
    print_warehouse_summary()
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    """Query the warehouse read-only; with no query, a small interactive prompt (one statement per line)."""
    import duckdb

    from ingest.snapshot import read_copy_path

    # Readers use the copy the pipeline publishes after each build, so a running pipeline never blocks them.
    path = read_copy_path(warehouse_path())
    if args.live or not path.exists():
        path = warehouse_path()
    con = duckdb.connect(str(path), read_only=True)
    try:
        if args.query:
            con.sql(args.query).show(max_rows=args.max_rows, max_width=200)
            return 0
        print(f"{path} (read-only). One SQL statement per line; empty line or Ctrl-D quits.")
        while True:
            try:
                line = input("treem> ").strip()
            except EOFError:
                return 0
            if not line:
                return 0
            try:
                relation = con.sql(line)
                if relation is not None:
                    relation.show(max_rows=args.max_rows, max_width=200)
            except duckdb.Error as error:
                print(f"error: {error}")
    finally:
        con.close()


def parse_years(text: str) -> list[int]:
    """'2020-2030' or '2024,2025' or '2025' -> the years."""
    years: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        years.extend(range(int(first), int(last or first) + 1))
    return years


def cmd_synth(args: argparse.Namespace) -> int:
    from ingest.synth import SYNTH_SCALES, generate_national

    provinces, sectors = SYNTH_SCALES[args.scale]
    years = parse_years(args.years)
    print(f"treem synth: scale {args.scale}, years {years[0]}-{years[-1]} -> {args.out}", flush=True)
    manifest = generate_national(
        args.out,
        years=years,
        seed=args.seed,
        provinces=provinces,
        sectors=sectors,
        progress=partial(print, flush=True),
    )
    s = manifest.summary()
    print(
        f"wrote {s['files']} workbooks, {s['values']:,} values ({s['cells']:,} cells) in {s['seconds']} s "
        f"with {s['workers']} workers; recorded defects {s['defects']}; manifest {args.out}/manifest.json"
    )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    # The Definitions bind the warehouse path at import: the bench runs in a fresh interpreter.
    command = [sys.executable, "-m", "orchestration.bench", "--scale", args.scale, "--out", args.out]
    if args.work_dir:
        command += ["--work-dir", args.work_dir]
    if args.keep:
        command.append("--keep")
    return subprocess.call(command)


def cmd_rebuild(args: argparse.Namespace) -> int:
    """Replay every archived original into a fresh warehouse and compare it with the live one."""
    _prepare()
    import duckdb

    from orchestration.rebuild import rebuild

    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else warehouse_path().parent / "rebuild" / stamp
    try:
        comparison = rebuild(warehouse_path(), out, progress=partial(print, flush=True))
    except (OSError, RuntimeError, duckdb.Error) as error:
        print(f"treem rebuild: {error}", file=sys.stderr)
        return 2
    for line in comparison.differences:
        print(f"  DIFFERENT {line}")
    verdict = "identical" if comparison.same else f"{len(comparison.differences)} difference(s)"
    print(f"{comparison.tables} tables, {comparison.rows:,} rows compared: {verdict}; rebuilt in {out}")
    return 0 if comparison.same else 1


def cmd_dev(args: argparse.Namespace) -> int:
    _prepare()
    from orchestration.runner import dagster_instance

    dagster_instance()
    os.execvp(
        os.path.join(os.path.dirname(sys.executable), "dagster"),
        ["dagster", "dev", "-m", "orchestration.definitions", "-h", "127.0.0.1", "-p", str(args.port)],
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="treem", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="build the warehouse from the bundled data").set_defaults(func=cmd_demo)

    template = sub.add_parser("template", help="write an agency reporting workbook")
    template.add_argument("--plan", required=True)
    template.add_argument("--sector", required=True)
    template.add_argument("--year", required=True, type=int)
    template.add_argument(
        "--territory", help="reporting province when narrower than the plan's, e.g. 11 or vn2025:11"
    )
    template.add_argument("--out")
    template.set_defaults(func=cmd_template)

    ingest = sub.add_parser("ingest", help="ingest workbooks (files or folders)")
    ingest.add_argument("paths", nargs="*")
    ingest.add_argument("--no-build", action="store_true", help="skip the warehouse rebuild")
    ingest.set_defaults(func=cmd_ingest)

    report = sub.add_parser("report", help="write a review report")
    report.add_argument("review", choices=["so-ket-2025", "tong-ket-2030"])
    report.add_argument("--plan", action="append", required=True)
    report.set_defaults(func=cmd_report)

    sub.add_parser("status", help="summarise the warehouse").set_defaults(func=cmd_status)

    sql = sub.add_parser("sql", help="query the warehouse read-only")
    sql.add_argument("query", nargs="?")
    sql.add_argument("--max-rows", type=int, default=60)
    sql.add_argument("--live", action="store_true", help="query the pipeline's file, not the readers' copy")
    sql.set_defaults(func=cmd_sql)

    synth = sub.add_parser("synth", help="write a synthetic national inbox (deterministic)")
    synth.add_argument("--scale", choices=["national", "province", "tiny"], default="national")
    synth.add_argument("--years", default="2020-2030", help="e.g. 2020-2030 or 2024,2025")
    synth.add_argument("--seed", type=int, default=2021)
    synth.add_argument("--out", required=True)
    synth.set_defaults(func=cmd_synth)

    bench = sub.add_parser("bench", help="benchmark ingest, backfill, an incremental year and memory")
    bench.add_argument("--scale", choices=["national", "province", "tiny"], default="national")
    bench.add_argument("--out", default="bench.json")
    bench.add_argument("--work-dir")
    bench.add_argument("--keep", action="store_true", help="keep the synthetic inbox and warehouse")
    bench.set_defaults(func=cmd_bench)

    rebuild = sub.add_parser("rebuild", help="replay the archive into a fresh warehouse and compare")
    rebuild.add_argument(
        "--out", help="an empty folder for the rebuilt warehouse (default: warehouse/rebuild/<time>)"
    )
    rebuild.set_defaults(func=cmd_rebuild)

    dev = sub.add_parser("dev", help="open the Dagster UI (on 127.0.0.1)")
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(func=cmd_dev)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
