"""Display names: pick each model's name from the best-named source, then make dated versions explicit.

Sources are tried in order (curated names of the article models, simonw/llm-prices, OpenRouter without its
"Vendor: " prefix, genai-prices, the Artificial Analysis leaderboards, Epoch's model registry) and a candidate is
accepted only when it names every word of the model id (so "Amazon Nova Pro" is refused for `nova-premier`).
Convention for versions: the API version of the id, in parentheses, dates in ISO form:
"GPT-4o (2024-05-13)", "GPT-4 (0613)", "Gemini 1.5 Flash (002)", "Claude 3.5 Sonnet (2024-06-20)".
Names are unique among all models (colliding ones fall back to the id's own words, then to the id).
Pure functions, no I/O.
"""
from __future__ import annotations

import re
import unicodedata

# The article's models (and their close relatives) named as their vendor does, with the version made explicit.
CURATED: dict[str, str] = {
    "openai/gpt-4-0314": "GPT-4 (0314)",
    "openai/gpt-4-0613": "GPT-4 (0613)",
    "openai/gpt-4-turbo": "GPT-4 Turbo",
    "openai/gpt-4-0125-preview": "GPT-4 Turbo Preview (0125)",
    "openai/gpt-3.5-turbo-0301": "GPT-3.5 Turbo (0301)",
    "openai/gpt-3.5-turbo-0613": "GPT-3.5 Turbo (0613)",
    "openai/gpt-3.5-turbo-1106": "GPT-3.5 Turbo (1106)",
    "openai/gpt-3.5-turbo-0125": "GPT-3.5 Turbo (0125)",
    "openai/gpt-4o-2024-05-13": "GPT-4o (2024-05-13)",
    "openai/gpt-4o-2024-08-06": "GPT-4o (2024-08-06)",
    "openai/gpt-4o-2024-11-20": "GPT-4o (2024-11-20)",
    "openai/gpt-4o-mini": "GPT-4o mini",
    "openai/davinci": "GPT-3 (davinci)",
    "openai/text-davinci-003": "GPT-3.5 (text-davinci-003)",
    "openai/text-davinci-002": "GPT-3.5 (text-davinci-002)",
    "google/gemini-1.5-pro-001": "Gemini 1.5 Pro (001)",
    "google/gemini-1.5-pro-002": "Gemini 1.5 Pro (002)",
    "google/gemini-1.5-flash-001": "Gemini 1.5 Flash (001)",
    "google/gemini-1.5-flash-002": "Gemini 1.5 Flash (002)",
    "google/gemini-2.0-flash-001": "Gemini 2.0 Flash (001)",
    "anthropic/claude-3-opus": "Claude 3 Opus",
    "anthropic/claude-3-sonnet": "Claude 3 Sonnet",
    "anthropic/claude-3-haiku": "Claude 3 Haiku",
    "anthropic/claude-3.5-sonnet-20240620": "Claude 3.5 Sonnet (2024-06-20)",
    "anthropic/claude-3.5-sonnet": "Claude 3.5 Sonnet (2024-10-22)",
    "anthropic/claude-3.5-haiku": "Claude 3.5 Haiku",
    "deepseek/deepseek-chat": "DeepSeek-V3 (deepseek-chat)",
    "deepseek/deepseek-r1": "DeepSeek-R1",
    "openai/o1-preview": "o1-preview",  # Epoch's registry calls it "o1 and o1-preview"
}

# source kinds, best first
SOURCE_ORDER = ["curated", "simonw_llm_prices", "openrouter", "genai_prices", "artificial_analysis",
                "epoch_benchmark_stitching"]

_TIER_MARK = re.compile(r"\s*(?:[≤<>]=?\s*\d+k|\((?:free|beta|extended|self-moderated|nitro|thinking)\))\s*$", re.I)
_VERSION = [
    (re.compile(r"-(20\d\d)-(\d\d)-(\d\d)$"), lambda m: f"{m[1]}-{m[2]}-{m[3]}"),
    (re.compile(r"-(20\d\d)(\d\d)(\d\d)$"), lambda m: f"{m[1]}-{m[2]}-{m[3]}"),
    (re.compile(r"-(\d\d)-(20\d\d)$"), lambda m: f"{m[1]}-{m[2]}"),
    (re.compile(r"(?<=-preview)-(\d\d)-(\d\d)$"), lambda m: f"{m[1]}-{m[2]}"),
    (re.compile(r"-(\d{4})$"), lambda m: m[1]),
    (re.compile(r"-(\d{3})$"), lambda m: m[1]),
]
_UPPER = {"gpt": "GPT", "glm": "GLM", "ai": "AI", "r1": "R1", "v2": "V2", "v3": "V3", "lfm": "LFM", "moe": "MoE",
          "vl": "VL", "pplx": "PPLX", "dbrx": "DBRX", "qwq": "QwQ", "deepseek": "DeepSeek", "minimax": "MiniMax",
          "openai": "OpenAI", "ernie": "ERNIE", "mini": "mini", "it": "IT"}


def version_of(slug: str) -> tuple[str, str] | None:
    """(raw suffix, display form) of the API version at the end of an id, e.g. ('-2024-05-13', '2024-05-13')."""
    for rx, fmt in _VERSION:
        m = rx.search(slug)
        if m:
            return m.group(0), fmt(m)
    return None


def clean(name: str, source: str = "") -> str:
    """Strip a reseller's "Vendor: " prefix, context-tier marks and spacing noise from a source's name."""
    n = "".join(ch for ch in str(name) if not unicodedata.category(ch).startswith("So"))  # emoji
    n = " ".join(n.split())
    while _TIER_MARK.search(n):
        n = _TIER_MARK.sub("", n)
    if source in ("artificial_analysis", "epoch_benchmark_stitching"):
        n = re.sub(r"\s*\([^()]*\)$", "", n)  # "(May '24)", "(Reasoning)", "(Jun 2025)": re-added from the id
    # a month-year or reasoning-mode remark in any source: the id's own version is appended instead
    n = re.sub(r"\s*\((?:[A-Z][a-z]{2,8} '?\d{2,4}|reasoning|non-reasoning)\)", "", n, flags=re.I)
    return n.strip()


def _squash(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def _words(slug: str) -> list[str]:
    base = slug
    v = version_of(base)
    if v:
        base = base[: -len(v[0])]
    return [w for w in re.split(r"[-_.:/ ]+", base) if w and w not in {"it", "hf", "v"}]


def acceptable(name: str, slug: str) -> bool:
    """A candidate must name every alphabetic word of the id (digits may be spelled differently)."""
    if not name or (name == name.lower() and not re.match(r"^o\d", name)) or " + " in name:
        return False  # all-lowercase ids posing as names; agent scaffolds ("OpenHands + Nova Pro")
    sq = _squash(name)
    for w in _words(slug):
        if w.isalpha() and _squash(w) not in sq:
            return False
    return True


def with_vendor_word(name: str, prefix: str, slug: str) -> str:
    """`DeepSeek: R1` -> `DeepSeek R1`: keep the vendor word when the id starts with it and the name lost it."""
    first = _words(slug)[0] if _words(slug) else ""
    if first and _squash(first) not in _squash(name) and _squash(first) in _squash(prefix):
        return f"{prefix.strip()} {name}"
    return name


def strip_vendor_prefix(name: str, slug: str) -> str:
    if ": " in name:
        prefix, rest = name.split(": ", 1)
        return with_vendor_word(rest, prefix, slug)
    return name


def pretty_slug(slug: str) -> str:
    """Readable words of an id: `llama-3.2-1b-instruct` -> `Llama 3.2 1B Instruct`."""
    v = version_of(slug)
    base = slug[: -len(v[0])] if v else slug
    base = re.sub(r"(?<![\d.])(\d)-(\d)(?![\d.a-z])", r"\1.\2", base)  # claude-3-5 / jamba-1-5 -> 3.5 / 1.5
    out = []
    for w in re.split(r"[-_ ]+", base):
        if not w:
            continue
        lw = w.lower()
        if lw in _UPPER:
            out.append(_UPPER[lw])
        elif re.fullmatch(r"\d+(\.\d+)?[bkm]", lw) or re.fullmatch(r"\d+x\d+b", lw) or re.fullmatch(r"a\d+b", lw):
            out.append(w.upper())
        elif re.match(r"^[a-z]", lw):
            out.append(w[0].upper() + w[1:])
        else:
            out.append(w)
    name = " ".join(out)
    return f"{name} ({v[1]})" if v else name


def add_version(name: str, slug: str) -> str:
    """Append the id's API version unless the name already shows it."""
    v = version_of(slug)
    if not v:
        return name
    digits = re.sub(r"\D", "", v[1])
    if digits and digits in re.sub(r"\D", "", name):
        return name
    return f"{name} ({v[1]})"


def choose_names(candidates: dict[str, list[tuple[str, str]]], model_ids: list[str],
                 priority: set[str] | None = None) -> dict[str, str]:
    """model_id -> display name. `candidates[mid]` = [(source kind, raw name), ...] in any order.

    Uniqueness: when two models get the same name, the ones in `priority` (priced) keep it only if they are
    alone; every colliding model then falls back to the words of its id, and finally to the id itself.
    """
    rank = {s: i for i, s in enumerate(SOURCE_ORDER)}
    names: dict[str, str] = {}
    for mid in model_ids:
        slug = mid.split("/", 1)[1]
        if mid in CURATED:
            names[mid] = CURATED[mid]
            continue
        chosen = None
        for src, raw in sorted(candidates.get(mid, []), key=lambda c: (rank.get(c[0], 99), c[1])):
            n = clean(raw, src)
            if src == "openrouter":
                n = strip_vendor_prefix(n, slug)
            if acceptable(n, slug):
                chosen = n
                break
        names[mid] = add_version(chosen, slug) if chosen else pretty_slug(slug)
    # resolve collisions (case-insensitive): first the id's own words, then the id itself in brackets
    priority = priority or set()
    for step in ("pretty", "bracket"):
        groups: dict[str, list[str]] = {}
        for mid, n in names.items():
            groups.setdefault(n.lower(), []).append(mid)
        for mids in groups.values():
            if len(mids) < 2:
                continue
            # the model that keeps the name: curated, else priced, else the shortest id
            keep = sorted(mids, key=lambda m: (m not in CURATED, m not in priority, len(m), m))[0]
            for mid in mids:
                slug = mid.split("/", 1)[1]
                if step == "pretty":
                    if mid not in CURATED and pretty_slug(slug).lower() != names[mid].lower():
                        names[mid] = pretty_slug(slug)
                elif mid != keep:
                    names[mid] = f"{names[mid]} [{slug}]"
    return names
