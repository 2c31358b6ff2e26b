"""Model-id normalisation: any external id or display name -> the seed's OpenRouter-style `vendor/slug`.

Pure functions, reused by live ingest: `normalise_id(...)` for unseen ids, `resolve(alias_table, ...)` for
ids already in data/seed/aliases.csv (which takes precedence).
"""
from __future__ import annotations

import functools
import re
from typing import Mapping

from lib.constants import VENDOR_SLUGS

# Explicit ids for names that rules cannot get right (display names, moving aliases, article models).
# Keys are `_key()` forms (lowercase, spaces/underscores -> '-', no provider prefix).
EXPLICIT: dict[str, str] = {
    # OpenAI
    "gpt-4": "openai/gpt-4-0613",  # the `gpt-4` alias pointed at 0613 from 2023-06-27
    "gpt-4-0314": "openai/gpt-4-0314",
    "gpt-4-0613": "openai/gpt-4-0613",
    "gpt-4-1106-preview": "openai/gpt-4-turbo",
    "gpt-4-turbo-preview": "openai/gpt-4-turbo",
    "gpt-4-turbo-2024-04-09": "openai/gpt-4-turbo",
    "gpt-4-turbo": "openai/gpt-4-turbo",
    "gpt-4-0125-preview": "openai/gpt-4-0125-preview",
    "gpt-3.5-turbo": "openai/gpt-3.5-turbo-0125",  # moving alias; its current target
    "gpt-3.5-turbo-0125": "openai/gpt-3.5-turbo-0125",
    "gpt-3.5-turbo-1106": "openai/gpt-3.5-turbo-1106",
    "gpt-3.5-turbo-0613": "openai/gpt-3.5-turbo-0613",
    "gpt-3.5-turbo-0301": "openai/gpt-3.5-turbo-0301",
    "gpt-3.5-turbo-16k": "openai/gpt-3.5-turbo-0613",
    "gpt-3.5-turbo-16k-0613": "openai/gpt-3.5-turbo-0613",
    "gpt-4o": "openai/gpt-4o-2024-08-06",  # moving alias; target since 2024-10-02
    "gpt-4o-2024-05-13": "openai/gpt-4o-2024-05-13",
    "gpt-4o-2024-08-06": "openai/gpt-4o-2024-08-06",
    "gpt-4o-2024-11-20": "openai/gpt-4o-2024-11-20",
    "gpt-4o-mini": "openai/gpt-4o-mini",
    "gpt-4o-mini-2024-07-18": "openai/gpt-4o-mini",
    "gpt-4o-(may-'24)": "openai/gpt-4o-2024-05-13",
    "gpt-4o-(aug-'24)": "openai/gpt-4o-2024-08-06",
    "gpt-4o-(nov-'24)": "openai/gpt-4o-2024-11-20",
    "gpt-4-turbo-2024-04-09-(udiff)": "openai/gpt-4-turbo",
    "gpt-3.5-turbo-(nov-'23)": "openai/gpt-3.5-turbo-1106",
    "gpt-3.5-turbo-(jan-'24)": "openai/gpt-3.5-turbo-0125",
    "text-davinci-003": "openai/text-davinci-003",
    "davinci": "openai/davinci",
    "gpt-3-175b-(davinci)": "openai/davinci",
    # Anthropic
    "claude-3-opus": "anthropic/claude-3-opus",
    "claude-3-sonnet": "anthropic/claude-3-sonnet",
    "claude-3-haiku": "anthropic/claude-3-haiku",
    "claude-3-5-sonnet-20240620": "anthropic/claude-3.5-sonnet-20240620",
    "claude-3.5-sonnet-20240620": "anthropic/claude-3.5-sonnet-20240620",
    "claude-3.5-sonnet-(20240620)": "anthropic/claude-3.5-sonnet-20240620",
    "claude-3.5-sonnet-(june-'24)": "anthropic/claude-3.5-sonnet-20240620",
    "claude-3.5-sonnet-(jun-'24)": "anthropic/claude-3.5-sonnet-20240620",
    "claude-3-5-sonnet-20241022": "anthropic/claude-3.5-sonnet",
    "claude-3.5-sonnet-(oct-'24)": "anthropic/claude-3.5-sonnet",
    "claude-3.5-sonnet-(20241022)": "anthropic/claude-3.5-sonnet",
    "claude-3-5-sonnet-latest": "anthropic/claude-3.5-sonnet",
    "claude-3.5-sonnet": "anthropic/claude-3.5-sonnet",
    "claude-3.5-haiku": "anthropic/claude-3.5-haiku",
    "claude-3.5-sonnet-(june)": "anthropic/claude-3.5-sonnet-20240620",  # AA leaderboard names
    "claude-3.5-sonnet-(oct)": "anthropic/claude-3.5-sonnet",
    "claude-instant": "anthropic/claude-instant-1.2",
    "claude-instant-1": "anthropic/claude-instant-1.2",
    "claude-2": "anthropic/claude-2.0",
    "claude-2.0": "anthropic/claude-2.0",
    "claude-2.1": "anthropic/claude-2.1",
    # Google (undated 1.5 aliases pointed at -002 from 2024-09-24; their prices were the same)
    "gemini-1.5-pro": "google/gemini-1.5-pro-002",
    "gemini-1.5-flash": "google/gemini-1.5-flash-002",
    "gemini-pro-1.5": "google/gemini-1.5-pro-002",
    "gemini-flash-1.5": "google/gemini-1.5-flash-002",
    "gemini-flash-1.5-8b": "google/gemini-1.5-flash-8b",
    "gemini-1.5-pro-(may-'24)": "google/gemini-1.5-pro-001",
    "gemini-1.5-pro-(sep-'24)": "google/gemini-1.5-pro-002",
    "gemini-1.5-flash-(may-'24)": "google/gemini-1.5-flash-001",
    "gemini-1.5-flash-(sep-'24)": "google/gemini-1.5-flash-002",
    "gemini-1.5-pro-api-0514": "google/gemini-1.5-pro-001",
    "gemini-1.5-flash-api-0514": "google/gemini-1.5-flash-001",
    "gemini-1.5-pro-api-0409-preview": "google/gemini-1.5-pro-001",
    "gemini-2.0-flash": "google/gemini-2.0-flash-001",
    "gemini-2.0-flash-001": "google/gemini-2.0-flash-001",
    "gemini-pro": "google/gemini-1.0-pro",
    "gemini-1.0-pro": "google/gemini-1.0-pro",
    "gemini-1.0-pro-001": "google/gemini-1.0-pro",
    # DeepSeek's API names
    "deepseek-chat": "deepseek/deepseek-chat",
    "deepseek-reasoner": "deepseek/deepseek-r1",
    "deepseek-r1": "deepseek/deepseek-r1",
    "deepseek-v3": "deepseek/deepseek-chat",
    # Qwen's own API (Alibaba Cloud) run by Aider in non-thinking mode
    "qwen3-235b-a22b-diff,-no-think,-alibaba-api": "qwen/qwen3-235b-a22b",
}

# Display names of Epoch's AA table (aa_data_with_math5.csv / epoch_ai_price_data_not_in_aa_with_benchmarks.csv).
EPOCH_AA_NAMES: dict[str, str] = {
    "Claude-3-Haiku": "anthropic/claude-3-haiku",
    "Claude-3-Opus": "anthropic/claude-3-opus",
    "Claude-3-Sonnet": "anthropic/claude-3-sonnet",
    "Claude-3.5-Haiku": "anthropic/claude-3.5-haiku",
    "Claude-3.5-Sonnet-2024-06": "anthropic/claude-3.5-sonnet-20240620",
    "Claude-3.5-Sonnet-2024-10": "anthropic/claude-3.5-sonnet",
    "Gemini 2.0 Flash": "google/gemini-2.0-flash-001",
    "Gemini-1.5-Flash-2024-05": "google/gemini-1.5-flash-001",
    "Gemini-1.5-Flash-2024-09": "google/gemini-1.5-flash-002",
    "Gemini-1.5-Flash-8B": "google/gemini-1.5-flash-8b",
    "Gemini-1.5-Pro-2024-05": "google/gemini-1.5-pro-001",
    "Gemini-1.5-Pro-2024-09": "google/gemini-1.5-pro-002",
    "Gemma-2-27B": "google/gemma-2-27b-it",
    "Gemma-2-9B": "google/gemma-2-9b-it",
    "GPT-3.5-Turbo-2023-11": "openai/gpt-3.5-turbo-1106",
    "GPT-4-0314": "openai/gpt-4-0314",
    "GPT-4 Turbo": "openai/gpt-4-turbo",
    "GPT-4o-2024-05": "openai/gpt-4o-2024-05-13",
    "GPT-4o-2024-08": "openai/gpt-4o-2024-08-06",
    "GPT-4o-2024-11": "openai/gpt-4o-2024-11-20",
    "GPT-4o-mini": "openai/gpt-4o-mini",
    "Llama-2-Chat-13B": "meta-llama/llama-2-13b-chat",
    "Llama-2-Chat-7B": "meta-llama/llama-2-7b-chat",
    "Llama-3-Instruct-70B": "meta-llama/llama-3-70b-instruct",
    "Llama-3-Instruct-8B": "meta-llama/llama-3-8b-instruct",
    "Llama-3.1-Instruct-405B": "meta-llama/llama-3.1-405b-instruct",
    "Llama-3.1-Instruct-70B": "meta-llama/llama-3.1-70b-instruct",
    "Llama-3.1-Instruct-8B": "meta-llama/llama-3.1-8b-instruct",
    "Llama-3.2-Instruct-1B": "meta-llama/llama-3.2-1b-instruct",
    "Llama-3.2-Instruct-3B": "meta-llama/llama-3.2-3b-instruct",
    "Mistral Small 3": "mistralai/mistral-small-24b-instruct-2501",
    "Mistral-8x22": "mistralai/mixtral-8x22b-instruct",
    "Mistral-Large-2-2024-07": "mistralai/mistral-large-2407",
    "Mistral-Large-2-2024-11": "mistralai/mistral-large-2411",
    "Mistral-Large-2024-02": "mistralai/mistral-large-2402",
    "Mistral-NeMo": "mistralai/mistral-nemo",
    "Mistral-Small-2024-02": "mistralai/mistral-small-2402",
    "Phi 4": "microsoft/phi-4",
    "Claude 2": "anthropic/claude-2.0",
    "Claude 2.1": "anthropic/claude-2.1",
    "Claude Instant": "anthropic/claude-instant-1.2",
    "Cohere Command": "cohere/command",
    "Cohere Command Light": "cohere/command-light",
    "Command R": "cohere/command-r",
    "Command R+": "cohere/command-r-plus",
    "DeepSeek-Coder-V2 236B": "deepseek/deepseek-coder-v2",
    "DeepSeek-R1": "deepseek/deepseek-r1",
    "DeepSeek-V3": "deepseek/deepseek-chat",
    "Gemini 1.0 Pro": "google/gemini-1.0-pro",
    "GPT-3 175B (davinci)": "openai/davinci",
    "GPT-3.5": "openai/text-davinci-003",
    "GPT-3.5-Turbo-2023-06": "openai/gpt-3.5-turbo-0613",
    "GPT-3.5-Turbo-2024-01": "openai/gpt-3.5-turbo-0125",
    "GPT-3.5 Turbo": "openai/gpt-3.5-turbo-0301",
    "GPT-4-0613": "openai/gpt-4-0613",
    "GPT-4-0125": "openai/gpt-4-0125-preview",
    "Jamba 1.5-Large": "ai21/jamba-1.5-large",
    "Llama 2-13B": "meta-llama/llama-2-13b-chat",
    "Llama 2-70B Chat": "meta-llama/llama-2-70b-chat",
    "Llama 2-70B": "meta-llama/llama-2-70b-chat",
    "Llama 2-7B": "meta-llama/llama-2-7b-chat",
    "Mistral 7B": "mistralai/mistral-7b-instruct",
    "o1": "openai/o1",
    "o1-mini": "openai/o1-mini",
    "o1-preview": "openai/o1-preview",
    "o3-mini": "openai/o3-mini",
    "Reka Core": "reka/reka-core",
    "Llama 3.1-405B": "meta-llama/llama-3.1-405b-instruct",
    "Llama 3.1-70B": "meta-llama/llama-3.1-70b-instruct",
    "Llama 3-8B": "meta-llama/llama-3-8b-instruct",
    "Ministral 3B": "mistralai/ministral-3b",
    "Ministral 8B": "mistralai/ministral-8b",
    "GPT-4": "openai/gpt-4-0314",
    "GPT-4o mini": "openai/gpt-4o-mini",
    "Claude 3 Opus": "anthropic/claude-3-opus",
    "Claude 3 Haiku": "anthropic/claude-3-haiku",
    "Claude 3 Sonnet": "anthropic/claude-3-sonnet",
    "Claude 3.5 Sonnet": "anthropic/claude-3.5-sonnet-20240620",
    "Claude 3.5 Haiku": "anthropic/claude-3.5-haiku",
}

# First matching prefix of a slug decides its vendor (OpenRouter's vendor slugs).
VENDOR_RULES: list[tuple[str, str]] = [
    (r"^(gpt-|o\d(-|$)|chatgpt|text-davinci|text-(ada|babbage|curie)-\d|davinci|babbage|codex)", "openai"),
    (r"^claude", "anthropic"),
    (r"^(gemini|gemma|palm|learnlm)", "google"),
    (r"^(llama|meta-llama|codellama|muse-spark)", "meta-llama"),
    (r"^(mistral|mixtral|codestral|ministral|magistral|devstral|pixtral|open-mistral|open-mixtral|voxtral)",
     "mistralai"),
    (r"^deepseek", "deepseek"),
    (r"^(qwen|qwq)", "qwen"),
    (r"^grok", "x-ai"),
    (r"^(command|c4ai|aya)", "cohere"),
    (r"^phi-", "microsoft"),
    (r"^(nova|amazon)", "amazon"),
    (r"^jamba", "ai21"),
    (r"^(kimi|moonshot)", "moonshotai"),
    (r"^(glm|chatglm)", "z-ai"),
    (r"^(minimax|abab)", "minimax"),
    (r"^(sonar|pplx-)", "perplexity"),
    (r"^reka", "reka"),
    (r"^(nemotron|llama-3.1-nemotron)", "nvidia"),
    (r"^(yi-)", "01-ai"),
    (r"^(ernie)", "baidu"),
    (r"^(hunyuan)", "tencent"),
    (r"^(doubao|seed-)", "bytedance"),
    (r"^(step-)", "stepfun"),
    (r"^(lfm)", "liquid"),
    (r"^(dbrx)", "databricks"),
    (r"^(inflection)", "inflection"),
    (r"^(hermes|nous)", "nousresearch"),
]

# Vendor names as sources spell them -> OpenRouter vendor slug: lib.constants.VENDOR_SLUGS (one vendor table).

PROVIDER_PREFIXES = re.compile(
    r"^(openrouter/|gemini/|deepseek/|xai/|mistral/|anthropic/|openai/|groq/|together_ai/|fireworks_ai/|"
    r"dashscope/|moonshot/|perplexity/|cohere_chat/|cohere/|ai21/|zai/|minimax/|vertex_ai/|azure/|bedrock/|"
    r"~)+"
)


def alias_key(external_id: str) -> str:
    """Lowercase, unify separators, drop a routing prefix and OpenRouter variant suffixes."""
    k = str(external_id).strip().lower()
    k = re.sub(r"[\s_]+", "-", k)
    k = re.sub(r":(free|beta|extended|nitro|floor|online|thinking|exacto|batch)$", "", k)
    return k


_key = alias_key  # the name this module uses internally


# Quantised / precision variants and local runs (Ollama tags, GGUF files): not an LLM API.
_QUANT = re.compile(r"(?:^|[-_:.\s(,])(fp8|nvfp4|fp4|int4|int8|q[2-8](?:_k)?(?:_[0-9a-z]{1,2})?|gguf|awq|gptq|exl2|mlx)"
                    r"(?:$|[-_:.\s),])", re.I)
_OLLAMA_TAG = re.compile(r"^[\w.\-/]+:[\w.\-]*\d+(\.\d+)?b\b", re.I)  # yi-coder:9b-chat, qwen2.5:32b


# Ids of models that are not text chat models (images, audio, embeddings, moderation, fine-tunes...): left out of
# the market by curation and by live ingest alike.
NOT_CHAT = re.compile(
    r"(embed|audio|realtime|tts|transcribe|whisper|dall-e|image|moderation|search-preview|computer-use|"
    r"rerank|^ft:|/ft:|\.ft-|-vision-preview|imagen|veo|lyria|-live-|omni-moderation|sora|codex-mini-latest|"
    r"text-similarity|text-search|guard)", re.I)


def non_api_reason(external_id: str) -> str | None:
    """Why an external id names a local or quantised run rather than an LLM API model (else None)."""
    s = str(external_id).strip()
    if re.match(r"^ollama(_chat)?/", s, re.I):
        return "local Ollama run (quantised weights on the benchmark author's machine), not an API model"
    if _OLLAMA_TAG.match(s):
        return "local Ollama tag (model:size-quantisation), not an API model"
    m = _QUANT.search(s)
    if m:
        return f"quantised / precision variant ({m.group(1)}) of a model, not the vendor's API model"
    return None


_BEDROCK = re.compile(r"^(amazon|mistral|cohere|ai21|deepseek|qwen|writer)\.(?=[a-z])")


def _bedrock(k: str) -> str:
    """AWS Bedrock ids (`mistral.mistral-large-2407-v1:0`) -> the vendor's model id."""
    if not _BEDROCK.match(k):
        return k
    k = _BEDROCK.sub("", k)
    k = re.sub(r"-v0:(\d+)$", r"-v0.\1", k)  # mistral-7b-instruct-v0:2 is version 0.2 of the model
    if k.startswith("nova-"):
        return re.sub(r":\d+$", "", k)  # amazon.nova-pro-v1:0 -> nova-pro-v1 (Amazon's own id)
    return re.sub(r"-v\d+:\d+$", "", k)  # Bedrock's API version suffix


def _vendor_for(slug: str) -> str | None:
    for pattern, vendor in VENDOR_RULES:
        if re.search(pattern, slug):
            return vendor
    return None


def _anthropic_slug(slug: str) -> str:
    slug = re.sub(r"-(\d{8}|latest)(-v\d+:\d+)?$", "", slug)
    slug = re.sub(r"-v\d+:\d+$", "", slug)
    # claude-3-5-haiku -> claude-3.5-haiku ; claude-sonnet-4-5 -> claude-sonnet-4.5
    slug = re.sub(r"(?<=-)(\d)-(\d)(?=-|$)", r"\1.\2", slug)
    # claude-4.5-opus (simonw's alternative spelling) -> claude-opus-4.5
    m = re.match(r"^claude-(\d(?:\.\d)?)-(opus|sonnet|haiku)$", slug)
    if m and float(m.group(1)) >= 4:
        slug = f"claude-{m.group(2)}-{m.group(1)}"
    return slug


@functools.lru_cache(maxsize=65536)  # pure: the rules and tables below are constants
def normalise_id(external_id: str, vendor_hint: str | None = None) -> str | None:
    """Map an external model id or display name to `vendor/slug`, or None when no vendor can be told.

    Dated OpenAI snapshots (`gpt-4.1-2025-04-14`) fold into the undated model except the GPT-4o versions,
    which the seed keeps apart; Anthropic ids lose their date suffix except Claude 3.5 Sonnet (June '24).
    """
    k = _key(external_id)
    if k in EXPLICIT:
        return EXPLICIT[k]
    # full-precision reference weights (bf16 / fp16) are the model as released: same model
    k = re.sub(r"(-\(reference,-(fp16|bf16)\)|-\((fp16|bf16)\)|-(fp16|bf16))$", "", k)
    vendor = None
    if "/" in k:
        head, _, rest = k.rpartition("/")
        k_stripped = PROVIDER_PREFIXES.sub("", k)
        if "/" in k_stripped:  # OpenRouter / HF style vendor/slug
            head, _, rest = k_stripped.rpartition("/")
            vendor = VENDOR_SLUGS.get(head, head.split("/")[-1])
        k = rest
        if k in EXPLICIT:
            return EXPLICIT[k]
    k = re.sub(r"^(accounts-fireworks-models-|models-)", "", k)
    k = _bedrock(k)
    if k in EXPLICIT:
        return EXPLICIT[k]
    if vendor is None and vendor_hint:
        vendor = VENDOR_SLUGS.get(vendor_hint.strip().lower(), None)
    rule_vendor = _vendor_for(k)
    vendor = rule_vendor or vendor
    if vendor is None:
        return None
    if vendor == "anthropic":
        k = _anthropic_slug(k)
        return EXPLICIT.get(k, f"anthropic/{k}")
    if vendor == "openai":
        if not k.startswith("gpt-4o-20"):
            k = re.sub(r"-20\d\d-\d\d-\d\d$", "", k)
        k = re.sub(r"-latest$", "", k)
        return EXPLICIT.get(k, f"openai/{k}")
    if vendor == "google":
        k = re.sub(r"-latest$", "", k)
        return EXPLICIT.get(k, f"google/{k}")
    if vendor == "meta-llama":
        k = re.sub(r"^meta-llama-", "llama-", k)
        k = re.sub(r"^meta-", "", k)
    return f"{vendor}/{k}"


def resolve(alias_table: Mapping[tuple[str, str], str], source_id: str, external_id: str) -> str | None:
    """The seed's alias table first (exact, then case-insensitive key), else the rules of `normalise_id`."""
    hit = alias_table.get((source_id, external_id))
    if hit:
        return hit
    return normalise_id(external_id)
