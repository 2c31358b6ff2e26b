"""The sources the seed credits (sources.csv), with licences as their SOURCE.md files state them.

Priority: lower wins when two sources disagree; vendor-effective sources come first.
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
