"""Live ingestion: one module per source (a client plus a pure parser) and the pipeline that stores snapshots.

`SOURCES` maps the CLI name of each source to its module; `lib.ingest.pipeline` drives them.
"""
from __future__ import annotations

import importlib

# CLI name -> module under lib.ingest (the CLI name is also the folder under data/snapshots/)
SOURCES = {
    "openrouter": "lib.ingest.openrouter",
    "litellm": "lib.ingest.litellm",
    "llm_prices": "lib.ingest.llm_prices",
    "artificial_analysis": "lib.ingest.artificial_analysis",
    "lmarena": "lib.ingest.lmarena",
}


def source_module(name: str):
    return importlib.import_module(SOURCES[name])
