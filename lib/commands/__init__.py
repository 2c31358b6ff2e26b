"""CLI sub-commands of `python -m lib`: each module has add_arguments(parser) and run(args) -> int."""
