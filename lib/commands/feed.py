"""`python -m lib feed --out DIR`: write the frontier change feed (Atom and JSON, static files a host can serve);
run it after each ingest."""
from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write frontier-changes.atom/.json into")
    parser.add_argument("--metric", nargs="+", default=None, metavar="M",
                        help="metric id(s) (default: every metric with scores)")
    parser.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="only changes from this date on")
    parser.add_argument("--limit", type=int, default=500, metavar="N",
                        help="newest N changes in the Atom feed (default 500; 0 = all); the JSON file has all")
    parser.add_argument("--base-url", default="", metavar="URL",
                        help="the dashboard's address, e.g. https://frontier.example.org/ (default: relative links)")


def run(args) -> int:
    import pandas as pd

    from lib import distillation, feed, queries
    from lib.commands.common import check_metric, open_db
    from lib.errors import UsageError
    from lib.trends import parse_date

    since = parse_date(args.since) if args.since else None
    if args.limit < 0:
        raise UsageError(f"--limit must be 0 (all) or a positive number, got {args.limit}")
    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        raise UsageError(f"--base-url must start with http:// or https://, got {args.base_url!r}")
    con = open_db()
    try:
        if args.metric:
            for m in args.metric:
                check_metric(con, m)
            metric_ids = list(args.metric)
        else:
            metric_ids = feed.scored_metrics(con)
        events = pd.concat([feed.changes_from_db(con, m, since=since) for m in metric_ids], ignore_index=True) \
            if metric_ids else pd.DataFrame(columns=feed.EVENT_COLUMNS)
        names = queries.models(con).set_index("model_id")["name"].to_dict()
        hi = distillation.data_end(con)[1]
    finally:
        con.close()
    atom, js = feed.write_feed(args.out, events, names, hi=hi, base_url=args.base_url, limit=args.limit or None)
    counts = events["kind"].value_counts().to_dict() if len(events) else {}
    print(f"{len(events)} change(s) on {len(metric_ids)} metric(s) "
          f"({', '.join(f'{counts.get(k, 0)} {k}' for k in feed.KINDS)}): wrote {atom} and {js}")
    return 0
