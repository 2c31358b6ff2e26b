"""`python -m lib snapshot --as-of D`: one row per model that exists at D, with price, quality and frontier flag."""
from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("--as-of", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--metric", default=None, help="quality metric id (default: aa_quality_2024)")
    parser.add_argument("--price", choices=["blended", "input", "output"], default="blended",
                        help="price basis for the frontier (default: blended)")
    parser.add_argument("--ratio", default="3:1", help="input:output token ratio of the blended price")
    parser.add_argument("--vendor", nargs="+", action="extend", default=None, metavar="V")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")


def run(args) -> int:
    from lib import pricing, queries
    from lib.commands.common import check_metric, open_db, parse_date, write_frame
    from lib.errors import UsageError
    from lib.snapshot import DEFAULT_METRIC, SNAPSHOT_COLUMNS, market_as_of

    as_of = parse_date(args.as_of)
    pricing.parse_ratio(args.ratio)
    con = open_db()
    metric = args.metric or DEFAULT_METRIC
    check_metric(con, metric)
    if args.vendor:
        known = set(queries.vendors(con))
        unknown = [v for v in args.vendor if v not in known]
        if unknown:
            raise UsageError(f"unknown vendor '{unknown[0]}' (known: {', '.join(sorted(known))})")
    df = market_as_of(con, as_of, metric, args.price, args.ratio, vendors=args.vendor)
    write_frame(df[SNAPSHOT_COLUMNS], args.format)
    return 0
