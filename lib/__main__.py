"""`python -m lib`: the one command-line entry point; each sub-command lives in lib/commands/<name>.py.

Sub-command modules are imported lazily so that start-up stays fast; a UsageError becomes one line on stderr
and exit status 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "build": "(re)build the database from data/seed and data/snapshots",
    "snapshot": "every model that exists at a date, with price, quality and frontier membership",
    "sources": "every source with its licence, snapshots and row counts",
    "curate": "curate data/seed/*.csv from the raw public data",
    "check": "validate the seed and print the data-quality report",
    "generations": "teacher → student price and quality deltas, with a summary per era",
    "trend": "cost of reaching a quality level over time (Epoch AI's method)",
    "distillation": "the distillation index: quality a >= Kx cheaper model keeps of its flagship's, over time",
    "trend-methods": "three published ways to measure the cost-to-reach trend, side by side on the same data",
    "forecast": "when a model scoring >= X will cost <= $Y (or its price at a date), with a 90-percent interval",
    "backtest": "fit the trend up to a cut-off date and score its forecasts on what happened after",
    "feed": "write the frontier change feed (Atom and JSON) into a folder, for a host to serve",
    "ingest": "fetch live sources into dated snapshots",
    "reversals": "pairs where the model with the lower list price costs more per task",
    "export": "export charts for presentations (PNG, SVG, PDF, HTML, CSV) or a whole deck",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, exit 2
        self.exit(2, f"error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    from lib.errors import DataError, UsageError

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _Parser(prog="python -m lib", description="LLM price–quality frontier: data store and analytics.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    wanted = argv[0] if argv and argv[0] in COMMANDS else None
    modules = {}
    for name, help_text in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == wanted:
            try:
                modules[name] = importlib.import_module(f"lib.commands.{name.replace('-', '_')}")
            except ModuleNotFoundError as exc:
                if exc.name == f"lib.commands.{name.replace('-', '_')}":
                    parser.exit(2, f"error: command '{name}' is not available in this version\n")
                raise
            modules[name].add_arguments(p)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return int(modules[args.command].run(args) or 0)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
