"""`python -m lib snapshot --as-of D`: one row per model that exists at D, with price, quality and frontier flag.

`--price per-task --benchmark B` prices each model by its measured cost per task on benchmark B (models without a
measurement are left out, with a count on stderr); `--price workload --workload FILE|PRESET` by the cost of one
task of that workload at the token prices in force then.
"""
from __future__ import annotations

import sys

from lib.commands.common import add_cost_basis_arguments


def add_arguments(parser) -> None:
    parser.add_argument("--as-of", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--metric", default=None,
                        help="quality metric id (default: the one scoring the article's headline pairs)")
    add_cost_basis_arguments(parser)
    parser.add_argument("--host", choices=["vendor", "cheapest-host", "median-host"], default="vendor",
                        help="which host's price where several sell the model (default: the vendor's own)")
    parser.add_argument("--min-speed", type=float, default=None, metavar="TOK_S",
                        help="only models measured at least this many output tokens per second")
    parser.add_argument("--vendor", nargs="+", action="extend", default=None, metavar="V")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")


def run(args) -> int:
    from lib import clock, costs, queries
    from lib.commands.common import check_metric, cost_basis_workload, open_db, parse_date, write_frame
    from lib.errors import UsageError
    from lib.snapshot import SNAPSHOT_COLUMNS, default_metric

    as_of = parse_date(args.as_of)
    workload = cost_basis_workload(args)
    if as_of > clock.today():
        print(f"note: --as-of {as_of} is in the future: only prices already scheduled for then are shown, "
              "not a forecast", file=sys.stderr)
    con = open_db()
    metric = args.metric or default_metric(con)
    check_metric(con, metric)
    if args.vendor:
        known = set(queries.vendors(con))
        unknown = [v for v in args.vendor if v not in known]
        if unknown:
            raise UsageError(f"unknown vendor '{unknown[0]}' (known: {', '.join(sorted(known))})")
    df, summary = costs.market_on_basis(con, as_of, metric, args.price, args.ratio, host=args.host,
                                        benchmark_id=args.benchmark, workload=workload, vendors=args.vendor)
    cols = list(SNAPSHOT_COLUMNS)
    if args.min_speed is not None:
        df = df[df["output_tokens_per_s"] >= args.min_speed]
        cols += ["output_tokens_per_s", "ttft_s"]
    if args.host != "vendor":
        cols += ["price_rule", "hosts"]
    if args.price == "per-task":
        cols += ["usd_per_task", "variant", "task_observed_date", "task_source_id"]
        print(f"{summary['measured']} models with a measured cost per task on {summary['benchmark']}; "
              f"{summary['left_out']} without one left out (never estimated)", file=sys.stderr)
    elif args.price == "workload":
        cols += ["usd_per_task", "reasoning_multiplier_applied", "long_context_applied"]
        note = (f"workload {summary['workload']} {summary['workload_json']}: {summary['measured']} models priced; "
                f"{summary['left_out']} without a price left out")
        if workload.batch:
            note += f" ({summary['no_batch_price']} of them for want of a known batch discount)"
        if summary.get("over_context"):
            note += f"; {summary['over_context']} left out as the prompt is longer than their context window"
        if summary.get("long_context"):
            note += f"; {summary['long_context']} billed at their long-context tier"
        print(note, file=sys.stderr)
    if args.price in costs.PER_TASK_BASES:
        df = df[df["usd_per_task"].notna()]
    write_frame(df[cols], args.format)
    return 0
