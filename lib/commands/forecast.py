"""`python -m lib forecast`: when a model scoring at least X will cost at most $Y (or its price at a date), from
the cost-to-reach trend, always with its 90 % interval."""
from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    parser.add_argument("--metric", required=True, help="quality metric id")
    parser.add_argument("--threshold", type=float, required=True, metavar="X", help="minimum score")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--price", type=float, default=None, metavar="Y",
                       help="target price, USD per million tokens (blended 3:1): when will it cost this?")
    which.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="what will it cost at this date?")
    parser.add_argument("--format", choices=["table", "json"], default="table")


def run(args) -> int:
    import json

    from lib import forecast
    from lib.commands.common import check_metric, open_db
    from lib.trends import parse_date

    date = parse_date(args.date) if args.date else None
    con = open_db()
    try:
        check_metric(con, args.metric)
        out = forecast.forecast_from_db(con, args.metric, args.threshold, price=args.price, date=date)
    finally:
        con.close()
    if args.format == "json":
        json.dump(out, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    if args.price is not None:
        what = f"a model scoring >= {args.threshold:g} on {args.metric} costs <= ${args.price:g} / M tokens"
        if out["method"] == "observed":
            print(f"{what}: already on {out['date']} ({out['model']})")
        else:
            print(f"{what}: {out['date'] or 'never on this trend'} "
                  f"(90 % interval {out['low'] or 'open'} to {out['high'] or 'open'}; n = {out['n']})")
    else:
        print(f"cheapest model scoring >= {args.threshold:g} on {args.metric} at {out['date']}: "
              f"${out['price']:.3g} / M tokens (90 % interval ${out['low']:.3g} to ${out['high']:.3g}; n = {out['n']})")
    print(f"method: {out['method']}")
    return 0
