"""The `treem` command line. Every pipeline command is thin: it materialises the Definitions' assets
in-process (orchestration/runner.py), exactly as a scheduled run would.

    treem demo                                   build the warehouse from the bundled plans and samples
    treem template --plan P --sector S --year Y  write an agency reporting workbook
    treem check FILE...                          check workbooks before sending: feedback, exit 0 if ready
    treem ingest [PATH ...]                      ingest workbooks (default: warehouse/inbox/), then rebuild
    treem report so-ket-2025 --plan P            write a review report (also tong-ket-2030)
    treem status                                 what the warehouse holds and what needs attention
    treem sql ["select ..."] [--format csv|json|table] [--output FILE]
                                                 query the warehouse read-only
    treem export [--out DIR]                     values and targets as SDMX-CSV and Parquet, with structure
    treem synth --scale national --years 2020-2030 --out DIR
                                                 write a deterministic synthetic national inbox
    treem bench [--scale national] [--synth DIR] benchmark readers, backfill, one new year, memory
    treem rebuild [--out DIR]                    replay the archive into a fresh warehouse and compare
    treem dev                                    open the Dagster UI on the same definitions (127.0.0.1)

A mistake a person can fix (an unknown plan, a missing file, no warehouse yet, a SQL typo) ends in one or two
plain lines and a non-zero exit; `treem --debug ...` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from ingest.warehouse import warehouse_path

EXIT_USER_ERROR = 2  # the person can fix it (argparse uses 2 for its own usage errors too)
EXIT_FAILURE = 1  # something broke: a failed run, an unexpected exception


class UserError(Exception):
    """A mistake the person running `treem` can fix: one or two plain lines, no traceback.

    The first line says what is wrong, the optional second what to do or which values are valid.
    """

    def __init__(self, problem: str, hint: str | None = None):
        super().__init__(problem)
        self.lines = [problem] + ([hint] if hint else [])


def _listing(choices, limit: int = 12) -> str:
    choices = [str(c) for c in choices]
    shown = ", ".join(choices[:limit])
    return shown + (f", … ({len(choices)} in all)" if len(choices) > limit else "")


def require_choice(kind: str, value, choices, where: str = "") -> None:
    """Fail with the valid choices listed when `value` is not one of them (`where`: " of plan P")."""
    choices = list(choices)
    if value not in choices:
        raise UserError(f"unknown {kind} {value!r}{where}", f"valid {kind}s{where}: {_listing(choices)}")


def plan_ids() -> list[str]:
    """The plans of the reference registry (the YAML files under ingest/reference/data/plans/)."""
    from ingest.reference.plans import load_registry

    return sorted(load_registry()["raw.plans"]["plan_id"])


def programme_years() -> list[int]:
    from orchestration.defs.partitions import PROGRAMME_YEARS

    return [int(year) for year in PROGRAMME_YEARS]


def require_built(path: Path, table: str = "marts.mart_so_ket_2025") -> None:
    """Fail in plain words when the warehouse (or its marts) has not been built yet."""
    import duckdb

    hint = "build it first with `treem demo` (bundled data) or `treem ingest FILES`"
    if not path.exists():
        raise UserError(f"no warehouse at {path} yet", hint)
    schema, name = table.split(".")
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            found = con.execute(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                [schema, name],
            ).fetchone()[0]
    except duckdb.Error as error:
        raise UserError(f"cannot open the warehouse {path}: {_first_line(error)}") from error
    if not found:
        raise UserError(f"the warehouse {path} has no {table} yet", hint)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


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
    from ingest.workbook.context import VN2025_FROM, load_reference, reporting_date
    from ingest.workbook.template import write_template

    require_choice("plan", args.plan, plan_ids())
    require_choice("year", args.year, programme_years())
    ref = load_reference()
    require_choice("sector", args.sector, ref.reporting_sectors(args.plan), where=f" of plan {args.plan}")
    territory = args.territory
    if territory and ":" not in territory:  # a bare province code: the scheme valid on the reporting date
        territory = f"{'vn2025' if reporting_date(args.year) >= VN2025_FROM else 'vn2008'}:{territory}"
    if territory and territory not in ref.localities.index:
        raise UserError(
            f"unknown territory {args.territory!r}",
            "give a province code such as 11 or a locality id such as vn2025:11",
        )
    suffix = f"_{territory.split(':')[1]}" if territory else ""
    name = f"{args.plan}_{args.sector}_{args.year}{suffix}.xlsx"
    out = Path(args.out) if args.out else warehouse_path().parent / "templates"
    if not args.out or out.is_dir() or args.out.endswith(("/", os.sep)):  # --out may name a folder
        out = out / name
    try:
        write_template(args.plan, args.sector, args.year, out, territory=territory)
    except ValueError as exc:
        print(f"Không tạo được biểu mẫu: {exc}")
        return 2
    print(f"wrote {out}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """The officer's dry run: read and judge the files as the pipeline would, touching no warehouse."""
    from ingest.workbook.check import run_check

    return run_check(args.paths, args.out)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files or folders: one ingest run per reporting year, then rebuild the warehouse."""
    _prepare()
    from ingest.inbox import inbox_folder, list_inbox, reporting_year
    from orchestration.runner import run_job

    files: list[Path] = []
    missing = [raw for raw in args.paths if not Path(raw).exists()]
    if missing:
        raise UserError(
            f"no such file or folder: {_listing(missing, limit=3)}",
            "give workbooks (.xlsx) or folders of them; with no path, treem ingests the inbox (TREEM_INBOX)",
        )
    for raw in args.paths or [str(inbox_folder())]:
        path = Path(raw)
        files.extend(list_inbox(path) if path.is_dir() else [path])
    if not files:
        print("no workbook to ingest")
        return 0
    from ingest.warehouse import has_reference

    if not has_reference():  # values judged against an empty catalog would all be errors: land it first
        print("  no reference data in the warehouse yet: landing it first", flush=True)
        _print_outcome(landed := run_job("reference_job", raise_on_error=False))
        if not landed.success:
            print("treem ingest: the reference data could not be landed (warehouse/logs/); nothing ingested")
            return 1
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
    known = plan_ids()
    for plan_id in args.plan:
        require_choice("plan", plan_id, known)
    require_built(warehouse_path())
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
    require_built(warehouse_path(), table="audit.submissions")
    print_warehouse_summary()
    return 0


def _sql_error(error: Exception) -> UserError:
    """DuckDB's message in one line, plus its "Did you mean ...?" suggestion when it has one."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    hint = next((line for line in lines[1:] if line.startswith("Did you mean")), None)
    return UserError(lines[0] if lines else type(error).__name__, hint)


def _emit(relation, args: argparse.Namespace, out) -> int:
    """Print or write one result in the chosen format; return the number of rows."""
    from orchestration import sql_output

    if relation is None:  # a statement without a result (SET, PRAGMA ...)
        return 0
    columns = list(relation.columns)
    if args.format == "table":
        rows = relation.limit(args.max_rows + 1).fetchall()
        shown = rows[: args.max_rows]
        width = shutil.get_terminal_size((160, 40)).columns
        out.write(sql_output.format_table(columns, shown, width) + "\n")
        more = " (more rows: raise --max-rows or use --format csv)" if len(rows) > args.max_rows else ""
        out.write(f"({len(shown)} rows{more})\n")
        return len(shown)
    rows = relation.fetchall()
    render = sql_output.csv_text if args.format == "csv" else sql_output.json_text
    out.write(render(columns, rows))
    return len(rows)


def cmd_sql(args: argparse.Namespace) -> int:
    """Query the warehouse read-only; with no query, a small interactive prompt (one statement per line)."""
    import duckdb

    from ingest.snapshot import read_copy_path

    # Readers use the copy the pipeline publishes after each build, so a running pipeline never blocks them.
    path = read_copy_path(warehouse_path())
    if args.live or not path.exists():
        path = warehouse_path()
    require_built(path, table="marts.dim_plan")
    if args.output and not args.query:
        raise UserError(
            "--output needs a query", 'e.g. treem sql "select * from marts.dim_plan" --output plans.csv'
        )
    con = duckdb.connect(str(path), read_only=True)
    try:
        if args.query:
            try:
                relation = con.sql(args.query)
                if args.output:
                    with open(args.output, "w", encoding="utf-8", newline="") as handle:
                        count = _emit(relation, args, handle)
                    print(f"wrote {count} rows to {args.output}")
                else:
                    _emit(relation, args, sys.stdout)
            except duckdb.Error as error:
                raise _sql_error(error) from error
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
                _emit(con.sql(line), args, sys.stdout)
            except duckdb.Error as error:
                print("error: " + "\n       ".join(_sql_error(error).lines))
    finally:
        con.close()


def cmd_export(args: argparse.Namespace) -> int:
    """Write indicator values and targets as SDMX-CSV and Parquet, with their data structure."""
    import duckdb

    from ingest.snapshot import read_copy_path
    from reports.export import export_open_data

    path = read_copy_path(warehouse_path())
    if args.live or not path.exists():
        path = warehouse_path()
    require_built(path, table="marts.fct_indicator_value")
    out = Path(args.out) if args.out else warehouse_path().parent / "export"
    with duckdb.connect(str(path), read_only=True) as con:
        result = export_open_data(con, out)
    print(f"exported {result.values:,} values and {result.targets:,} targets to {out}")
    for name, size in result.sizes().items():
        print(f"  {name:<16} {size:>12,} bytes")
    return 0


def parse_years(text: str) -> list[int]:
    """'2020-2030' or '2024,2025' or '2025' -> the years."""
    years: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        years.extend(range(int(first), int(last or first) + 1))
    return years


def cmd_synth(args: argparse.Namespace) -> int:
    from ingest.synth import DEFAULT_SEED, SYNTH_SCALES, generate_national

    provinces, sectors = SYNTH_SCALES[args.scale]
    years = parse_years(args.years)
    print(f"treem synth: scale {args.scale}, years {years[0]}-{years[-1]} -> {args.out}", flush=True)
    manifest = generate_national(
        args.out,
        years=years,
        seed=DEFAULT_SEED if args.seed is None else args.seed,
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
    if args.synth:
        command += ["--synth", args.synth]
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


def _scale_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """The synthetic country's scale, one choice list for `synth` and `bench`."""
    parser.add_argument(
        "--scale",
        choices=["national", "province", "tiny"],
        default="national",
        help=f"{what} (default: national)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="treem", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="build the warehouse from the bundled data").set_defaults(func=cmd_demo)

    template = sub.add_parser("template", help="write an agency reporting workbook")
    template.add_argument("--plan", required=True)
    template.add_argument("--sector", required=True)
    template.add_argument("--year", required=True, type=int)
    template.add_argument(
        "--territory", help="reporting province when narrower than the plan's, e.g. 11 or vn2025:11"
    )
    template.add_argument("--out", help="file or folder (default: warehouse/templates/)")
    template.set_defaults(func=cmd_template)

    check = sub.add_parser("check", help="check workbooks before sending them (nothing is loaded)")
    check.add_argument("paths", nargs="+", metavar="FILE", help="workbooks or folders of workbooks")
    check.add_argument("--out", help="folder for the feedback workbooks (default: next to each file)")
    check.set_defaults(func=cmd_check)

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
    sql.add_argument("--max-rows", type=int, default=60, help="rows shown by --format table (default 60)")
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sql.add_argument("--output", metavar="FILE", help="write the result to FILE instead of the screen")
    sql.add_argument("--live", action="store_true", help="query the pipeline's file, not the readers' copy")
    sql.set_defaults(func=cmd_sql)

    export = sub.add_parser("export", help="write values and targets as SDMX-CSV and Parquet")
    export.add_argument("--out", help="folder to write into (default: warehouse/export/)")
    export.add_argument("--live", action="store_true", help="read the pipeline's file, not the readers' copy")
    export.set_defaults(func=cmd_export)

    synth = sub.add_parser("synth", help="write a synthetic national inbox (deterministic)")
    _scale_argument(
        synth,
        "national: every province and sector (204-378 workbooks a year, ~3 min for 2020-2030); "
        "province: Điện Biên; tiny: 2 provinces, 1 sector",
    )
    synth.add_argument("--years", default="2020-2030", help="e.g. 2024,2025 (default: 2020-2030)")
    synth.add_argument("--seed", type=int, help="default: the seed the bench's inboxes use")
    synth.add_argument("--out", required=True, help="folder for the workbooks and manifest.json")
    synth.set_defaults(func=cmd_synth)

    bench = sub.add_parser("bench", help="benchmark ingest, backfill, an incremental year and memory")
    _scale_argument(
        bench,
        "the synthetic country benchmarked (as for `treem synth`): a backfill of several years, then the "
        "next year (national ~6 min on 2 cores)",
    )
    bench.add_argument("--out", default="bench.json", help="the JSON report (default: bench.json)")
    bench.add_argument(
        "--work-dir", help="keep the run's inbox and warehouse here (default: a temporary folder, removed)"
    )
    bench.add_argument("--keep", action="store_true", help="keep the synthetic inbox and warehouse")
    bench.add_argument("--synth", help="use the synthetic inbox `treem synth` wrote in this folder")
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
    """Run one command; the one place where errors become plain lines and an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # accepted anywhere on the line, not only before the command
    argv = [arg for arg in argv if arg != "--debug"]
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as error:
        if debug:
            raise
        for line in error.lines:
            print(f"treem {args.command}: {line}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print(f"treem {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the top-level handler: a person gets two lines, not a traceback
        if debug:
            raise
        print(
            f"treem {args.command}: unexpected error: {type(error).__name__}: {_first_line(error)}",
            file=sys.stderr,
        )
        print(
            f"run it again with --debug for the details; run logs are in {warehouse_path().parent / 'logs'}",
            file=sys.stderr,
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
