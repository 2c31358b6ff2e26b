"""`python -m lib backtest`: fit the cost-to-reach trend on data up to a cut-off and score its forecasts on what
happened after (share of actual dates inside the 90 % interval, median error in days)."""
from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    parser.add_argument("--metric", required=True, help="quality metric id")
    parser.add_argument("--cutoff", required=True, metavar="YYYY-MM-DD", help="fit on models released up to here")
    parser.add_argument("--threshold", type=float, nargs="+", default=None, metavar="X",
                        help="score levels to test (default: quantiles of the pre-cut-off scores)")
    parser.add_argument("--format", choices=["table", "json"], default="table")


def run(args) -> int:
    import json

    from lib import forecast
    from lib.commands.common import check_metric, open_db, write_frame
    from lib.trends import parse_date

    cutoff = parse_date(args.cutoff)
    con = open_db()
    try:
        check_metric(con, args.metric)
        out = forecast.backtest_from_db(con, args.metric, cutoff, args.threshold)
    finally:
        con.close()
    points = out.pop("points")
    if args.format == "json":
        json.dump({**out, "points": points.to_dict("records")}, sys.stdout, indent=1, default=str)
        sys.stdout.write("\n")
        return 0
    print(f"metric {args.metric}; fit on models released up to {out['cutoff']}; thresholds "
          f"{', '.join(f'{t:g}' for t in out['thresholds']) or '(none with enough points)'}")
    write_frame(points, "table")
    if out["n"]:
        print(f"n {out['n']}; inside the 90 % interval {out['coverage_90']:.0%}; median error "
              f"{out['median_abs_error_days']:.0f} days")
    return 0
