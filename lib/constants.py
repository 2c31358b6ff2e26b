"""Constants the dashboard, the CLI and the exports share, in one place: the default metric, price bases and
ratios, vendor display names and the export choices (slide presets, themes, formats).

Imports nothing of lib: every layer may read it.
"""

from __future__ import annotations

import functools
import re

# The article's composite metric (Artificial Analysis quality index, 2024 edition). Pages and commands open on
# lib.snapshot.default_metric (chosen from the data: the metric scoring the article's headline pairs; this one wins a
# tie); this constant is its fallback on an empty store and the default of library functions' parameters.
DEFAULT_METRIC = "aa_quality_2024"

BASIS_LABELS = {"blended": "Blended", "input": "Input", "output": "Output"}
DEFAULT_BASIS = "blended"
DEFAULT_RATIO = "3:1"  # Artificial Analysis's blend: (3 × input + output) / 4
RATIOS = ["3:1", "1:1", "2:1", "4:1", "10:1", "1:3"]
CONTEXT_OPTIONS = [0, 8_000, 32_000, 128_000, 200_000, 1_000_000]
# The calculator's default workload (millions of tokens a month, input and output): page and CLI share it.
DEFAULT_WORKLOAD_MTOK = (100.0, 20.0)

# How vendors are named on screen and on slides (the data keeps its ids; the URL carries ids).
VENDOR_NAMES = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "google": "Google",
    "meta-llama": "Meta",
    "meta": "Meta",
    "mistralai": "Mistral",
    "mistral": "Mistral",
    "deepseek": "DeepSeek",
    "qwen": "Qwen (Alibaba)",
    "alibaba": "Alibaba",
    "x-ai": "xAI",
    "xai": "xAI",
    "z-ai": "Z.ai",
    "moonshotai": "Moonshot AI",
    "cohere": "Cohere",
    "perplexity": "Perplexity",
    "microsoft": "Microsoft",
    "nvidia": "NVIDIA",
    "minimax": "MiniMax",
    "amazon": "Amazon",
    "nousresearch": "Nous Research",
    "ai21": "AI21 Labs",
    "reka": "Reka",
    "tencent": "Tencent",
    "01-ai": "01.AI",
    "bytedance": "ByteDance",
    "stepfun": "StepFun",
    "ibm-granite": "IBM Granite",
    "inclusionai": "inclusionAI",
    "thinkingmachines": "Thinking Machines",
    "databricks": "Databricks",
    "inflection": "Inflection",
    "liquid": "Liquid AI",
    "xiaomi": "Xiaomi",
    "xiaomimimo": "Xiaomi MiMo",
    "togethercomputer": "Together AI",
    "baidu": "Baidu",
    "upstage": "Upstage",
    "snowflake": "Snowflake",
    "writer": "Writer",
    "allenai": "Ai2",
    "yours": "your models",
    "other": "other",
}

# How sources spell a vendor (lowercased) -> the vendor's slug in model ids (OpenRouter style). With VENDOR_NAMES
# (slug -> screen name) the one vendor table: curation's normaliser and live ingest's resolution read it.
VENDOR_SLUGS: dict[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "google deepmind": "google",
    "meta": "meta-llama",
    "meta-llama": "meta-llama",
    "meta-ai": "meta-llama",
    "mistral": "mistralai",
    "mistral ai": "mistralai",
    "mistralai": "mistralai",
    "deepseek": "deepseek",
    "alibaba": "qwen",
    "qwen": "qwen",
    "xai": "x-ai",
    "x-ai": "x-ai",
    "cohere": "cohere",
    "microsoft": "microsoft",
    "microsoft azure": "microsoft",
    "amazon": "amazon",
    "ai21": "ai21",
    "ai21 labs": "ai21",
    "moonshot-ai": "moonshotai",
    "moonshotai": "moonshotai",
    "moonshot ai": "moonshotai",
    "minimax": "minimax",
    "zhipu ai": "z-ai",
    "z ai": "z-ai",
    "z-ai": "z-ai",
    "perplexity": "perplexity",
    "nvidia": "nvidia",
}


def vendor_display_name(vendor) -> str:
    """ "openai" → "OpenAI"; an unknown slug is shown with spaces and capitals ("eva-unit-01" → "Eva Unit 01")."""
    return _display_name(str(vendor or "").strip())


@functools.lru_cache(maxsize=4096)  # the Frontier's vendor picker names its 500 vendors on every rerun
def _display_name(v: str) -> str:
    if not v:
        return "unknown"
    return VENDOR_NAMES.get(v.lower()) or " ".join(w[:1].upper() + w[1:] for w in re.split(r"[-_\s]+", v) if w)


# Export choices (lib.export holds the presets' sizes, lib.themes the themes' colours; these are the names the CLI offers).
SLIDE_PRESET_NAMES = ("16:9", "4:3", "square")
EXPORT_THEMES = ("light", "dark", "print")
IMAGE_FORMATS = ("png", "svg", "pdf")
DATA_FORMATS = ("csv", "parquet")
EXPORT_FORMATS = IMAGE_FORMATS + ("html",) + DATA_FORMATS
