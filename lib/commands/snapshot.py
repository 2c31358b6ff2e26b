"""`python -m lib snapshot --as-of D`: one row per model that exists at D, with price, quality and frontier flag.

`--price per-task --benchmark B` prices each model by its measured cost per task on benchmark B (models without a
measurement are left out, with a count on stderr); `--price workload --workload FILE|PRESET` by the cost of one
task of that workload at the token prices in force then.
"""
from __future__ import annotations

import sys

BASE_CHOICES = ["blended", "input", "output", "per-task", "workload"]


def add_arguments(parser) -> None:
    parser.add_argument("--as-of", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--metric", default=None, help="quality metric id (default: aa_quality_2024)")
    parser.add_argument("--price", choices=BASE_CHOICES, default="blended",
                        help="price basis for the frontier (default: blended)")
    parser.add_argument("--ratio", default="3:1", help="input:output token ratio of the blended price")
    parser.add_argument("--benchmark", default=None, metavar="B",
                        help="with --price per-task: whose measured cost per task (aa_index, aider_polyglot, "
                             "aider_edit; default aa_index)")
    parser.add_argument("--workload", default=None, metavar="FILE|PRESET",
                        help="with --price workload: a JSON file or a preset (chat, rag-cached, agentic-coding, "
                             "batch-summarisation)")
    parser.add_argument("--vendor", nargs="+", action="extend", default=None, metavar="V")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")


def run(args) -> int:
    from lib import costs, pricing, queries
    from lib.commands.common import check_metric, open_db, parse_date, write_frame
    from lib.errors import UsageError
    from lib.snapshot import DEFAULT_METRIC, SNAPSHOT_COLUMNS, market_as_of, metric_row

    as_of = parse_date(args.as_of)
    pricing.parse_ratio(args.ratio)
    if args.benchmark and args.price != "per-task":
        raise UsageError("--benchmark goes with --price per-task")
    if args.workload and args.price != "workload":
        raise UsageError("--workload goes with --price workload")
    if args.price == "workload" and not args.workload:
        raise UsageError(f"--price workload needs --workload FILE or a preset ({', '.join(costs.PRESETS)})")
    workload = costs.parse_workload(args.workload) if args.price == "workload" else None
    con = open_db()
    metric = args.metric or DEFAULT_METRIC
    check_metric(con, metric)
    if args.vendor:
        known = set(queries.vendors(con))
        unknown = [v for v in args.vendor if v not in known]
        if unknown:
            raise UsageError(f"unknown vendor '{unknown[0]}' (known: {', '.join(sorted(known))})")
    token_basis = args.price if args.price in pricing.BASES else "blended"
    df = market_as_of(con, as_of, metric, token_basis, args.ratio, vendors=args.vendor)
    if args.price in costs.PER_TASK_BASES:
        hib = bool(metric_row(con, metric)["higher_is_better"])
        if args.price == "per-task":
            df, summary = costs.with_per_task(df, con, as_of, args.benchmark or costs.DEFAULT_BENCHMARK, hib)
            extra = ["usd_per_task", "variant", "task_observed_date", "task_source_id"]
            note = (f"{summary['measured']} models with a measured cost per task on {summary['benchmark']}; "
                    f"{summary['left_out']} without one left out (never estimated)")
        else:
            df, summary = costs.with_workload(df, con, as_of, workload, hib)
            extra = ["usd_per_task", "reasoning_multiplier_applied"]
            note = (f"workload {summary['workload']} {summary['workload_json']}: {summary['measured']} models priced; "
                    f"{summary['left_out']} without a price left out")
            if workload.batch:
                note += f" ({summary['no_batch_price']} of them for want of a known batch discount)"
        df = df[df["usd_per_task"].notna()]
        print(note, file=sys.stderr)
        write_frame(df[SNAPSHOT_COLUMNS + extra], args.format)
        return 0
    write_frame(df[SNAPSHOT_COLUMNS], args.format)
    return 0
