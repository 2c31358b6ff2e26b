"""`python -m lib reversals --as-of D [--benchmark B]`: pairs where the model with the lower list price costs more
per task (measured), with the factor."""
from __future__ import annotations

from lib.constants import DEFAULT_METRIC


def add_arguments(parser) -> None:
    parser.add_argument("--as-of", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--benchmark", default="aa_index", metavar="B",
                        help="whose measured cost per task (aa_index, aider_polyglot, aider_edit; default aa_index)")
    parser.add_argument("--min-factor", type=float, default=1.0,
                        help="list only reversals whose per-task factor is at least this (default 1)")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")


def run(args) -> int:
    from lib import costs, queries
    from lib.commands.common import open_db, parse_date, write_frame
    from lib.snapshot import market_as_of

    as_of = parse_date(args.as_of)
    con = open_db()
    bench = costs.check_benchmark(con, args.benchmark)
    market = market_as_of(con, as_of, bench["metric_id"] or DEFAULT_METRIC)
    df, _ = costs.with_per_task(market, con, as_of, args.benchmark)
    rev = costs.reversals(df)
    rev = rev[rev["factor"] >= args.min_factor]
    tc = queries.task_costs_as_of(con, as_of, args.benchmark).set_index("model_id")
    rev.insert(len(rev.columns), "benchmark", args.benchmark)
    rev["measured_a"] = rev["cheaper_list_price"].map(tc["task_observed_date"]).astype(str)
    rev["measured_b"] = rev["cheaper_per_task"].map(tc["task_observed_date"]).astype(str)
    write_frame(rev.reset_index(drop=True), args.format)
    return 0
