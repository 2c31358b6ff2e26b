"""LLM price–quality frontier: store, analytics, figures and ingest.

Pages and the `python -m lib` CLI are thin layers over this package.
"""
