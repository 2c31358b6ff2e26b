"""`python -m lib trend-methods`: three ways to measure how fast reaching a quality level gets cheaper (Epoch AI's,
"LLMflation", frontier price at fixed quality), on the same data, one table."""
from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("--metric", required=True, help="quality metric id")
    parser.add_argument("--threshold", type=float, nargs="+", required=True, metavar="X", help="score level(s)")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")


def run(args) -> int:
    from lib import trend_methods
    from lib.commands.common import check_metric, open_db, write_frame

    con = open_db()
    try:
        check_metric(con, args.metric)
        table = trend_methods.compare_from_db(con, args.metric, args.threshold)
    finally:
        con.close()
    for c in ("first", "last"):
        table[c] = table[c].map(lambda d: d.strftime("%Y-%m-%d") if d is not None and d == d else None)
    if args.format != "table":
        write_frame(table, args.format)
        return 0
    print(f"metric {args.metric}; blended 3:1 prices; how many times cheaper per year")
    for method, text in trend_methods.METHODS.items():
        print(f"  {method}: {text}")
    write_frame(table.drop(columns=["definition"]), "table")
    return 0
