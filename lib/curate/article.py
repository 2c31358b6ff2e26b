"""The article's models and teacher -> student pairs, as stable seed model ids.

Other modules (generations, pages, tests) import these instead of repeating literal ids.
"""
from __future__ import annotations

from lib.constants import DEFAULT_METRIC

# teacher, student, era. GPT-4 Turbo here is the gpt-4-1106-preview / gpt-4-turbo family (all $10/$30),
# GPT-3.5 Turbo the Nov '23 version (gpt-3.5-turbo-1106), both launched at OpenAI DevDay 2023-11-06.
ARTICLE_PAIRS: list[tuple[str, str, str]] = [
    ("openai/gpt-4-turbo", "openai/gpt-3.5-turbo-1106", "pre-distillation"),
    ("openai/gpt-4o-2024-05-13", "openai/gpt-4o-mini", "distillation"),
    ("google/gemini-1.5-pro-002", "google/gemini-1.5-flash-002", "distillation"),
    ("anthropic/claude-3-opus", "anthropic/claude-3.5-haiku", "distillation"),
]

ARTICLE_MODELS: list[str] = [
    "openai/gpt-4-0314",
    "openai/gpt-4-0613",
    "openai/gpt-4-turbo",
    "openai/gpt-3.5-turbo-0613",
    "openai/gpt-3.5-turbo-1106",
    "openai/gpt-3.5-turbo-0125",
    "openai/gpt-4o-2024-05-13",
    "openai/gpt-4o-2024-08-06",
    "openai/gpt-4o-2024-11-20",
    "openai/gpt-4o-mini",
    "google/gemini-1.5-pro-001",
    "google/gemini-1.5-pro-002",
    "google/gemini-1.5-flash-001",
    "google/gemini-1.5-flash-002",
    "google/gemini-2.0-flash-001",
    "anthropic/claude-3-opus",
    "anthropic/claude-3-sonnet",
    "anthropic/claude-3-haiku",
    "anthropic/claude-3.5-sonnet-20240620",
    "anthropic/claude-3.5-sonnet",
    "anthropic/claude-3.5-haiku",
]

COMPOSITE_METRIC = DEFAULT_METRIC  # the article's metric is the dashboard's default
