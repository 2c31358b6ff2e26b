"""Argument parsing and output helpers shared by the CLI sub-commands (no heavy imports at module level)."""
from __future__ import annotations

import datetime as dt
import sys

from lib.errors import UsageError


def parse_date(value: str, flag: str = "--as-of") -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise UsageError(f"{flag}: '{value}' is not a date of the form YYYY-MM-DD") from None


def open_db():
    """The store, built from the seed when missing, stale or corrupt (every block is checked), opened read-only.
    What happened on the way (a corrupt file rebuilt, a stale one served from a read-only folder) is one line each
    on stderr."""
    from lib import store

    notices: list[str] = []
    path = store.ensure_db(verify=True, notices=notices)
    for n in notices:
        print(f"note: {n}", file=sys.stderr)
    return store.connect_readonly(path)


def check_metric(con, metric_id: str) -> None:
    from lib import queries

    known = queries.metric_ids(con)
    if metric_id not in known:
        close = ", ".join(sorted(m for m in known if metric_id.split("_")[0] in m)[:5])
        hint = f" (did you mean: {close})" if close else " (see the metrics table in the README or `python -m lib check`)"
        raise UsageError(f"unknown metric '{metric_id}'{hint}")


def check_model(con, model_id: str) -> None:
    from lib import queries

    if model_id not in queries.model_ids(con):
        raise UsageError(f"unknown model '{model_id}' (model ids look like vendor/slug, e.g. openai/gpt-4o-mini)")


def write_frame(df, fmt: str, out=None) -> None:
    """Print a DataFrame as an aligned table, CSV or JSON records."""
    out = out or sys.stdout
    floats = df.select_dtypes("float").columns
    df = df.assign(**{c: df[c].round(6) for c in floats})  # hides float noise like 0.13124999999999998
    if fmt == "csv":
        from lib.safe_csv import write_csv

        write_csv(df, out)
    elif fmt == "json":
        out.write(df.to_json(orient="records", date_format="iso", indent=1))
        out.write("\n")
    else:
        if df.empty:
            out.write("(no rows)\n")
        else:
            out.write(df.to_string(index=False, na_rep="", max_colwidth=48))
            out.write("\n")


BASE_CHOICES = ["blended", "input", "output", "per-task", "workload"]


def add_cost_basis_arguments(parser, what: str = "the frontier") -> None:
    """--price (per token, per task measured, per task of a workload), --ratio, --benchmark and --workload."""
    parser.add_argument("--price", choices=BASE_CHOICES, default="blended",
                        help=f"price basis for {what} (default: blended)")
    parser.add_argument("--ratio", default="3:1", help="input:output token ratio of the blended price")
    parser.add_argument("--benchmark", default=None, metavar="B",
                        help="with --price per-task: whose measured cost per task (aa_index, aider_polyglot, "
                             "aider_edit; default aa_index)")
    parser.add_argument("--workload", default=None, metavar="FILE|PRESET",
                        help="with --price workload: a JSON file or a preset (chat, rag-cached, agentic-coding, "
                             "batch-summarisation)")


def cost_basis_workload(args):
    """Check the cost-basis flags go together; the parsed workload (or None). UsageError (one line) if not."""
    from lib import costs, pricing
    from lib.errors import UsageError

    pricing.parse_ratio(args.ratio)
    if args.benchmark and args.price != "per-task":
        raise UsageError("--benchmark goes with --price per-task")
    if args.workload and args.price != "workload":
        raise UsageError("--workload goes with --price workload")
    if args.price == "workload" and not args.workload:
        raise UsageError(f"--price workload needs --workload FILE or a preset ({', '.join(costs.PRESETS)})")
    return costs.parse_workload(args.workload) if args.price == "workload" else None
