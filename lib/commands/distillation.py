"""`python -m lib distillation`: per period and vendor, the share of the flagship's quality the best model at least
K× cheaper keeps (the distillation index), plus the market-wide median."""
from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    parser.add_argument("--metric", default=None,
                        help="percent-scale quality metric id (default: the one scoring the article's headline "
                             "pairs)")
    parser.add_argument("--ratio", type=float, default=10.0, metavar="K",
                        help="the student costs at most 1/K of the flagship (default 10: a >= 90%% price cut)")
    parser.add_argument("--scope", choices=["vendor", "market"], default=None,
                        help="vendor: each vendor's flagship and its own cheaper model; market: the market's "
                             "flagship and any vendor's cheaper model (default: both)")
    parser.add_argument("--flagship", choices=["best", "priciest"], default="best",
                        help="a vendor's flagship is its best-scoring model (default) or its most expensive one")
    parser.add_argument("--period", choices=["month", "quarter"], default="month")
    parser.add_argument("--price", choices=["blended", "input", "output"], default="blended",
                        help="price basis (default: blended)")
    parser.add_argument("--price-ratio", default="3:1", metavar="I:O",
                        help="input:output token ratio of the blended price (default 3:1)")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")


def run(args) -> int:
    import json

    from lib import distillation, pricing
    from lib.commands.common import check_metric, open_db, write_frame

    pricing.parse_ratio(args.price_ratio)
    scopes = (args.scope,) if args.scope else distillation.SCOPES
    con = open_db()
    try:
        from lib.snapshot import default_metric

        args.metric = args.metric or default_metric(con)
        check_metric(con, args.metric)
        series, median = distillation.distillation_from_db(
            con, args.metric, args.ratio, scopes=scopes, period=args.period, basis=args.price,
            price_ratio=args.price_ratio, flagship=args.flagship)
    finally:
        con.close()
    if args.format == "json":
        json.dump(distillation.to_json_dict(series, median if "vendor" in scopes else None), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    out = series.assign(period_end=series["period_end"].dt.strftime("%Y-%m-%d"))
    if args.format == "csv":
        write_frame(out, "csv")
        return 0
    print(f"metric {args.metric}; student at least {args.ratio:g}x cheaper than the flagship ({args.flagship}); "
          f"{args.price} price in force at each {args.period} end")
    write_frame(out[["period_end", "scope", "vendor", "flagship", "student", "price_ratio", "quality_kept"]], "table")
    if "vendor" in scopes and len(median):
        print("\nmarket-wide median over vendors:")
        write_frame(median.assign(period_end=median["period_end"].dt.strftime("%Y-%m-%d"),
                                  quality_lost_pct=100 * (1 - median["quality_kept"])), "table")
    return 0
