"""`python -m lib trend`: how fast the cheapest price of reaching a quality level falls (Epoch AI's method)."""
from __future__ import annotations

import sys


def add_arguments(parser) -> None:
    parser.add_argument("--metric", default=None,
                        help="quality metric id in the store (required unless --data is given)")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--threshold", type=float, default=None, metavar="X", help="minimum score")
    group.add_argument("--threshold-model", default=None, metavar="ID", help="use this model's score as threshold")
    parser.add_argument("--data", default=None, metavar="FILE",
                        help="CSV with columns model,release_date,price,score instead of the store")
    parser.add_argument("--price-date", default="release", metavar="POLICY",
                        help="store only: price each model at its release (default), today, or YYYY-MM-DD")
    parser.add_argument("--format", choices=["table", "json"], default="table")


def run(args) -> int:
    import json

    import pandas as pd

    from lib import trends
    from lib.commands.common import check_metric, open_db
    from lib.errors import UsageError

    if args.data:
        try:
            table = pd.read_csv(args.data)
        except FileNotFoundError:
            raise UsageError(f"--data: file not found: {args.data}") from None
        fit = trends.price_trend(table, threshold=args.threshold, threshold_model=args.threshold_model)
        where = f"{args.data}"
    else:
        if not args.metric:
            raise UsageError("--metric is required (or give --data FILE)")
        if args.price_date not in ("release", "today"):
            trends.parse_date(args.price_date, "release, today or YYYY-MM-DD")
        con = open_db()
        try:
            check_metric(con, args.metric)
            fit = trends.price_trend_from_db(con, args.metric, threshold=args.threshold,
                                             threshold_model=args.threshold_model, price_date=args.price_date)
        finally:
            con.close()
        where = f"metric {args.metric}, prices at {args.price_date}"
    if args.format == "json":
        json.dump(fit.to_dict(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(f"{where}; threshold score >= {fit.threshold:g}")
        pts = fit.points.assign(release_date=fit.points["release_date"].dt.strftime("%Y-%m-%d"))
        print(pts[["model", "release_date", "price", "score"]].to_string(index=False) if len(pts) else "(no points)")
        if fit.ok:
            print(f"price falls {fit.factor_per_year:.3g}x per year (90% CI {fit.ci90[0]:.3g}-{fit.ci90[1]:.3g}), "
                  f"R^2 {fit.r_squared:.2f}, n {fit.n}")
    if not fit.ok:
        print(f"error: {fit.message}", file=sys.stderr)
        return 1
    return 0
