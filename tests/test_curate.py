"""Curation: id normalisation, determinism of the seed build, and validation catching bad rows."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lib.curate.aliases import normalise_id
from lib.curate.validate import validate_seed
from lib.errors import DataError
from lib.paths import default_raw_dir

RAW = default_raw_dir()
SEED = Path(__file__).resolve().parent.parent / "data" / "seed"


@pytest.mark.parametrize("external,expected", [
    ("gpt-4o-mini", "openai/gpt-4o-mini"), ("openai/gpt-4o-mini", "openai/gpt-4o-mini"),
    ("GPT-4o mini", "openai/gpt-4o-mini"), ("GPT-4o-mini", "openai/gpt-4o-mini"),
    ("gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini"), ("gpt-4o-2024-05-13", "openai/gpt-4o-2024-05-13"),
    ("gpt-4-1106-preview", "openai/gpt-4-turbo"), ("claude-3-5-haiku-20241022", "anthropic/claude-3.5-haiku"),
    ("claude-3-5-sonnet-20240620", "anthropic/claude-3.5-sonnet-20240620"),
    ("claude-3-5-sonnet-20241022", "anthropic/claude-3.5-sonnet"), ("Claude 3 Opus", "anthropic/claude-3-opus"),
    ("claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4.5"), ("claude-4.5-opus", "anthropic/claude-opus-4.5"),
    ("gemini/gemini-1.5-flash-002", "google/gemini-1.5-flash-002"), ("Gemini-1.5-Flash-002", "google/gemini-1.5-flash-002"),
    ("google/gemini-2.0-flash-001", "google/gemini-2.0-flash-001"), ("gpt-4.1-2025-04-14", "openai/gpt-4.1"),
    ("deepseek-reasoner", "deepseek/deepseek-r1"), ("meta-llama/llama-3.1-70b-instruct", "meta-llama/llama-3.1-70b-instruct"),
])
def test_normalise_id(external, expected):
    assert normalise_id(external) == expected


@pytest.mark.parametrize("external,expected", [
    ("amazon.nova-pro-v1:0", "amazon/nova-pro-v1"), ("mistral.mistral-large-2407-v1:0", "mistralai/mistral-large-2407"),
    ("Meta-Llama-3.1-405b-Instruct-bf16", "meta-llama/llama-3.1-405b-instruct"), ("text-curie-001", "openai/text-curie-001"),
])
def test_normalise_bedrock_and_precision_ids(external, expected):
    assert normalise_id(external) == expected


@pytest.mark.parametrize("external,is_junk", [
    ("ollama/codestral", True), ("yi-coder:9b-chat-q4_0", True), ("qwen2.5-coder:32b", True),
    ("Codestral-22B-v0.1-Q4_K_M", True), ("glm-4.5-air-fp8", True), ("Qwen3 235B (FP8)", True),
    ("gpt-4o", False), ("claude-3-5-sonnet-20241022", False), ("mistral-7b-instruct-v0.2", False),
    ("amazon.nova-pro-v1:0", False), ("Meta-Llama-3.1-405b-Instruct-bf16", False),
])
def test_non_api_reason(external, is_junk):
    from lib.curate.aliases import non_api_reason
    assert (non_api_reason(external) is not None) == is_junk


def test_display_names():
    from lib.curate.names import choose_names
    c = {"amazon/amazon-nova-premier": [("simonw_llm_prices", "Amazon Nova Pro")],  # simonw's wrong name
         "z-ai/glm-5v-turbo": [("openrouter", "Z.ai: GLM 5V Turbo")],
         "deepseek/deepseek-r1-0528": [("openrouter", "DeepSeek: R1 0528")],
         "qwen/qwen-plus-2025-01-25": [("openrouter", "Qwen: Qwen-Plus")],
         "qwen/qwen-plus": [("openrouter", "Qwen: Qwen-Plus")]}
    n = choose_names(c, sorted(c), set(c))
    assert n["amazon/amazon-nova-premier"] == "Amazon Nova Premier"
    assert n["z-ai/glm-5v-turbo"] == "GLM 5V Turbo"
    assert n["deepseek/deepseek-r1-0528"] == "DeepSeek R1 0528"
    assert n["qwen/qwen-plus-2025-01-25"] == "Qwen-Plus (2025-01-25)" and n["qwen/qwen-plus"] == "Qwen-Plus"


@pytest.mark.skipif(not RAW.is_dir(), reason="raw data folder not available")
def test_curation_is_deterministic_and_matches_the_committed_seed(tmp_path):
    """One run reproduces the committed seed byte for byte (which a run on another day, machine or hash seed did
    too: that is the determinism that matters, at half the cost of comparing two runs here)."""
    from lib.curate.build import curate
    a = tmp_path / "a"
    curate(RAW, a)
    names = sorted(p.name for p in a.glob("*.csv"))
    assert names == sorted(p.name for p in SEED.glob("*.csv"))
    for n in names:
        assert (a / n).read_bytes() == (SEED / n).read_bytes(), f"committed {n} is stale: run python -m lib curate"


def _copy_seed(tmp_path):
    d = tmp_path / "seed"
    shutil.copytree(SEED, d)
    return d


def test_validation_rejects_overlapping_intervals(tmp_path):
    d = _copy_seed(tmp_path)
    lines = (d / "prices.csv").read_text().splitlines()
    # o1-mini's launch price ran 2024-09-12 .. 2025-01-31 (exclusive); a second row inside it must fail
    row = next(line for line in lines if line.startswith("openai/o1-mini,openai,true,standard,2024-09-12,2025-01-31"))
    lines.append(row.replace("2024-09-12", "2024-12-01", 1))
    (d / "prices.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="overlap"):
        validate_seed(d)


def test_validation_rejects_negative_price_unknown_model_and_out_of_range_score(tmp_path):
    d = _copy_seed(tmp_path)
    p = (d / "prices.csv").read_text().splitlines()
    p[1] = p[1].split(",", 1)[0] + ",x,true,standard,2024-01-01,,-1,2,,observed,litellm,raw:x,ref,"
    (d / "prices.csv").write_text("\n".join(p) + "\n")
    s = (d / "scores.csv").read_text().splitlines()
    s.append("nobody/unknown,mmlu,140,2024-01-01,v,epoch_aa_benchmarks,raw:x,ref")
    (d / "scores.csv").write_text("\n".join(s) + "\n")
    with pytest.raises(DataError) as exc:
        validate_seed(d)
    msg = str(exc.value)
    assert "nobody/unknown" in msg and "outside" in msg and "input_usd_per_mtok" in msg
