"""The one registry of data sources (id, name, home, licence, attribution, priority), read by curation (written to
data/seed/sources.csv) and by live ingest (a source missing from the store is added from here).

Licences as the sources' SOURCE.md files state them. Priority: lower wins when two sources disagree;
vendor-effective sources come first. Imports nothing.
"""
from __future__ import annotations

SOURCES: list[dict] = [
    dict(source_id="epoch_prices", name="Epoch AI API price records (llm-benchmark-efficiency)",
         home_url="https://github.com/epoch-research/llm-benchmark-efficiency",
         licence="no licence stated (Epoch AI usually publishes under CC-BY; unverified)",
         attribution="Epoch AI, historical API price database with Wayback Machine links", priority=1),
    dict(source_id="simonw_llm_prices", name="Simon Willison's llm-prices",
         home_url="https://github.com/simonw/llm-prices", licence="no licence stated",
         attribution="Simon Willison, llm-prices (llm-prices.com)", priority=2),
    dict(source_id="genai_prices", name="pydantic/genai-prices", home_url="https://github.com/pydantic/genai-prices",
         licence="MIT", attribution="Pydantic Services Inc., genai-prices", priority=3),
    dict(source_id="litellm", name="LiteLLM model_prices_and_context_window.json (dated copies)",
         home_url="https://github.com/BerriAI/litellm", licence="MIT",
         attribution="BerriAI LiteLLM; copies via PyPI wheels, AgentOps-AI/tokencost (MIT) and RoCry/llm-api-price",
         priority=5),
    dict(source_id="openrouter", name="OpenRouter /api/v1/models (recorded responses)",
         home_url="https://openrouter.ai/api/v1/models",
         licence="no licence stated (OpenRouter API output; recorded in sternelee/solid-pile and "
                 "sui414/openrouter-pricing-data, neither has a licence)",
         attribution="OpenRouter", priority=6),
    dict(source_id="epoch_aa_benchmarks", name="Epoch AI copy of Artificial Analysis benchmark scores",
         home_url="https://epoch.ai/data-insights/llm-inference-price-trends",
         licence="no licence stated (values from Artificial Analysis, whose terms require attribution)",
         attribution="Epoch AI and Artificial Analysis (artificialanalysis.ai)", priority=4),
    dict(source_id="artificial_analysis", name="Artificial Analysis leaderboards (third-party scrapes)",
         home_url="https://artificialanalysis.ai/",
         licence="AA Terms of Use; scrapes: demianarc/model-selector no licence stated, "
                 "deyil/artificial-analysis-leaderboards-scraper GPL-3.0, "
                 "Nidhal-Jegham/HowHungryisAIDashboard no licence stated",
         attribution="Artificial Analysis (https://artificialanalysis.ai/)", priority=7),
    dict(source_id="lmarena", name="LMArena (Chatbot Arena) text leaderboard",
         home_url="https://lmarena.ai/",
         licence="MPL-2.0 (fboulnois/llm-leaderboard-csv); numbers are LMArena's public leaderboard",
         attribution="LMArena (lmarena.ai); CSV snapshots by fboulnois/llm-leaderboard-csv", priority=8),
    dict(source_id="epoch_benchmark_stitching", name="Epoch AI benchmark-stitching (Epoch Capabilities Index)",
         home_url="https://github.com/epoch-research/benchmark-stitching", licence="MIT",
         attribution="Epoch AI, Epoch Capabilities Index and distilled_models.csv", priority=9),
    dict(source_id="livebench", name="LiveBench", home_url="https://livebench.ai/",
         licence="no licence stated (site repository); benchmark repository Apache-2.0",
         attribution="LiveBench (White et al., ICLR 2025)", priority=10),
    dict(source_id="aider", name="Aider LLM leaderboards", home_url="https://aider.chat/docs/leaderboards/",
         licence="Apache-2.0", attribution="Aider (Aider-AI/aider)", priority=11),
    dict(source_id="azure_retirements", name="Azure OpenAI model deprecations and retirements (Microsoft Learn)",
         home_url="https://learn.microsoft.com/azure/ai-services/openai/concepts/model-retirements",
         licence="CC BY 4.0 (MicrosoftDocs documentation content)",
         attribution="Microsoft, Azure OpenAI documentation (Azure's dates, not OpenAI's)", priority=13),
    dict(source_id="curation", name="Curated lineage and corrections (this project)",
         home_url="https://github.com/", licence="as the project",
         attribution="project curation; every row cites its evidence URL", priority=12),
]


def source_row(source_id: str) -> dict:
    """The registry row of `source_id` (a copy); KeyError names the known ids."""
    for row in SOURCES:
        if row["source_id"] == source_id:
            return dict(row)
    raise KeyError(f"source {source_id!r} is not in lib/sources.py (known: {', '.join(r['source_id'] for r in SOURCES)})")
