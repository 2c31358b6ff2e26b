"""`python -m lib generations`: teacher → student price and quality deltas, with a summary per era."""
from __future__ import annotations

import sys

from lib.commands.common import add_cost_basis_arguments


def add_arguments(parser) -> None:
    parser.add_argument("--metric", default=None,
                        help="quality metric id (default: the one scoring the article's headline pairs)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--pairs", default=None, metavar="FILE",
                       help="CSV of pairs: teacher_id,student_id[,relation,era] (default: the lineage table)")
    which.add_argument("--pair-set", choices=["lineage", "distilled", "article"], default=None,
                       help="a named set instead of a file: the whole lineage table (default), its distilled pairs, "
                            "or the article's four pairs")
    parser.add_argument("--price-date", default="student-launch", metavar="POLICY",
                        help="student-launch (default: both priced at the student's release), today, or YYYY-MM-DD")
    add_cost_basis_arguments(parser, "both models of each pair")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")


def run(args) -> int:
    import json

    from lib import generations
    from lib.commands.common import check_metric, cost_basis_workload, open_db, write_frame
    from lib.trends import parse_date

    workload = cost_basis_workload(args)
    if args.price_date not in generations.PRICE_DATE_POLICIES:
        parse_date(args.price_date, "student-launch, today or YYYY-MM-DD")
    pairs = generations.read_pairs(args.pairs) if args.pairs else None
    con = open_db()
    try:
        from lib.snapshot import default_metric

        args.metric = args.metric or default_metric(con)
        check_metric(con, args.metric)
        if args.pair_set in ("distilled", "article"):
            import pandas as pd

            from lib import queries, views
            from lib.curate.article import ARTICLE_PAIRS

            rows = views.pair_set_rows(args.pair_set, queries.lineage(con), ARTICLE_PAIRS)
            pairs = pd.DataFrame(rows, columns=generations.PAIR_COLUMNS)
        deltas, summary = generations.generations_from_db(con, args.metric, pairs=pairs, price_date=args.price_date,
                                                          basis=args.price, ratio=args.ratio,
                                                          benchmark_id=args.benchmark, workload=workload)
    finally:
        con.close()
    unpriced = int(deltas[["teacher_price", "student_price"]].isna().any(axis=1).sum())
    if unpriced and args.price in ("per-task", "workload"):
        why = ("a measured cost per task on or before its price date (never estimated)" if args.price == "per-task"
               else "a token price then, or the prompt is longer than its context window")
        print(f"note: {unpriced} of {len(deltas)} pairs have no price on this basis (a model lacks {why})",
              file=sys.stderr)
    if args.format == "json":
        json.dump(generations.to_json_dict(deltas, summary, args.metric, args.price_date), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    cols = ["teacher_id", "student_id", "relation", "era", "teacher_price_date", "student_price_date",
            "teacher_price", "student_price", "price_drop_pct", "teacher_quality", "student_quality", "quality_drop_pct", "quality_delta_points",
            "quality_kept_per_price_cut"]
    if args.format == "csv":
        write_frame(deltas[cols], "csv")
        return 0
    basis = {"per-task": f"measured cost per task on {args.benchmark or 'aa_index'}",
             "workload": f"cost per task of workload {workload.name if workload else ''}"}.get(args.price,
                                                                                           f"{args.price} price")
    print(f"metric {args.metric}; {basis}; both models priced at: {args.price_date}")
    write_frame(deltas[cols], "table")
    print()
    write_frame(summary, "table")
    return 0
