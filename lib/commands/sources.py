"""`python -m lib sources`: every source with its licence, snapshot count, newest snapshot and row counts."""
from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")


def run(args) -> int:
    from lib import queries
    from lib.commands.common import open_db, write_frame

    con = open_db()
    df = queries.sources_summary(con)
    if args.format == "table":
        cols = ["source_id", "name", "licence", "snapshots", "newest_snapshot", "price_rows", "score_rows",
                "alias_rows"]
        write_frame(df[cols], "table")
        print("\nAttribution:")
        for row in df.itertuples():
            print(f"- {row.name}: {row.attribution} ({row.home_url})")
    else:
        write_frame(df, args.format)
    return 0
