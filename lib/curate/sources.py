"""The raw folders curation reads, per source (raw_files.csv). The sources themselves (sources.csv) are
lib/sources.py's registry, which live ingest reads too.
"""
from __future__ import annotations

from lib.sources import SOURCES  # noqa: F401 - the one registry; curation writes it to sources.csv

# upstream commits and dates of the raw folders (from their SOURCE.md files), for raw_files.csv
RAW_FOLDERS: dict[str, tuple[str, str, str]] = {
    # folder: (source_id, upstream_commit, retrieved_at)
    "epoch-llm-benchmark-efficiency": ("epoch_prices", "34b923314338360d1b1bbed6ec30d9299e54fdae", "2025-03-13"),
    "simonw-llm-prices": ("simonw_llm_prices", "723ef0bd3a6254436e9fe8d7f05d4d787e99f4c5", "2026-08-05"),
    "pydantic-genai-prices": ("genai_prices", "47df840a5ab10bbcffb8e5ac01b9899032245d1b", "2026-08-21"),
    "litellm-price-changelog": ("litellm", "", "2026-07-24"),
    "openrouter-snapshots-solid-pile": ("openrouter", "0a56d70e9d4efd1000ddb5fc3322a59c9b568405", "2025-02-08"),
    "openrouter-snapshots-sui414": ("openrouter", "83ec0dd32d3c132382396cf19f27568a4c42ae99", "2026-08-08"),
    "artificialanalysis-scrapes": ("artificial_analysis", "", ""),
    "artificialanalysis-api": ("artificial_analysis", "487ef161d1e9886323b0779767083af019bbd10c", "2026-06-27"),
    "lmarena": ("lmarena", "44db9588e2b0d12fff17d6e607066746f0fa84d5", "2025-08-06"),
    "epoch-benchmark-stitching": ("epoch_benchmark_stitching", "f87d3cc8e8a8f8471be475ebce58fb9a73b4e756",
                                  "2025-12-03"),
    "livebench": ("livebench", "4bf96c8d9dc9b06c17d82dc76a54429975c2b2c2", "2026-07-01"),
    "litellm-history-pypi-wheels": ("litellm", "", ""),
    "litellm-history-tokencost": ("litellm", "", ""),
    "litellm-history-rocry": ("litellm", "", ""),
    "azure-openai-model-retirements": ("azure_retirements", "014bb4a1883dd54520fe0b9ce0887e8771b8dd87", "2025-01-09"),
    "aider": ("aider", "5dc9490bb35f9729ef2c95d00a19ccd30c26339c", "2026-05-22"),
}
