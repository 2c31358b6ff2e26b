"""`python -m lib ingest SOURCE|all`: fetch live sources (or a recorded file) into dated snapshots.

Prints per source: new models, changed prices (old → new), unchanged, skipped rows with reasons.
"""
from __future__ import annotations

SOURCE_NAMES = ["openrouter", "litellm", "llm_prices", "artificial_analysis", "lmarena"]


def add_arguments(parser) -> None:
    parser.add_argument("source", metavar="SOURCE", help=f"one of {', '.join(SOURCE_NAMES)}, or all")
    parser.add_argument("--from-file", metavar="PATH", help="import a recorded payload instead of fetching")
    parser.add_argument("--dry-run", action="store_true", help="parse and compare, write nothing")
    parser.add_argument("--retrieved-at", metavar="WHEN",
                        help="UTC date or time the payload was retrieved (with --from-file; default: now)")
    parser.add_argument("--aa-endpoint", choices=["free", "legacy"], default="free",
                        help="Artificial Analysis endpoint: paginated /language/models/free (default) or the "
                             "legacy /data/llms/models")


def _when(value: str | None):
    import datetime as dt

    from lib.errors import UsageError

    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--retrieved-at: '{value}' is not a date or time like 2026-08-08 or "
                         "2026-08-08T06:00:00Z") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc)


def run(args) -> int:
    from pathlib import Path

    from lib.errors import UsageError

    if args.source != "all" and args.source not in SOURCE_NAMES:
        raise UsageError(f"unknown source '{args.source}' (one of: {', '.join(SOURCE_NAMES)}, all)")
    if args.source == "all" and args.from_file:
        raise UsageError("--from-file needs one SOURCE, not all")
    if args.retrieved_at and not args.from_file:
        raise UsageError("--retrieved-at is only for --from-file (a live fetch is dated when it arrives)")
    from lib.ingest import pipeline

    when = _when(args.retrieved_at)
    extra = {"endpoint": args.aa_endpoint} if args.source == "artificial_analysis" and not args.from_file else {}
    if args.source == "all":
        outcomes = pipeline.run_all(dry_run=args.dry_run)
        failed = [s for s, o in outcomes.items() if isinstance(o, Exception)]
        if failed:
            import sys

            print(f"error: {len(failed)} source(s) failed: {', '.join(failed)}", file=sys.stderr)
            return 1
        return 0
    pipeline.run_source(args.source, from_file=Path(args.from_file) if args.from_file else None,
                        dry_run=args.dry_run, retrieved_at=when, **extra)
    return 0
