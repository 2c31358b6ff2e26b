"""The insight pages read their URL with the typed parsers: a shared link reproduces the view, and a broken or
hostile parameter is ignored with one line (the page keeps its default) instead of an exception."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT_DIR

HOSTILE = ["<img src=x onerror=1>", "[x](https://evil.example)", "-1", "2099-99-99", "1e309", "nan", ""]


def run(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(PROJECT_DIR / "pages" / page), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def ignored(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption if "Ignored in the link" in c.value)


def test_a_link_reproduces_each_insight_view(frontier_env):
    at = run("7_distillation.py", k="20", flagship="priciest", period="quarter")
    assert at.select_slider(key="distillation.k").value == 20
    assert at.radio(key="distillation.flagship").value == "priciest"
    at = run("8_outlook.py", metric="mmlu", threshold="70", price="0.5", cutoff="2024-03-31")
    assert at.selectbox(key="outlook.metric").value == "mmlu"
    assert at.number_input(key="outlook.threshold").value == 70
    assert str(at.date_input(key="outlook.cutoff").value) == "2024-03-31"
    at = run("9_changes.py", kinds=["price", "beaten"])
    assert at.multiselect(key="changes.kinds").value == ["price", "beaten"]
    at = run("10_switching.py", model="openai/gpt-4o-mini", since="2024-09-01", in_m="5", reviewed="false")
    assert at.selectbox(key="switching.model").value == "openai/gpt-4o-mini"
    assert at.toggle(key="switching.reviewed").value is False


@pytest.mark.parametrize("bad", HOSTILE)
def test_hostile_parameters_are_ignored_with_one_line(frontier_env, bad):
    pages = {
        "7_distillation.py": ["k", "flagship", "period", "metric", "basis"],
        "8_outlook.py": ["metric", "threshold", "price", "cutoff"],
        "9_changes.py": ["metric", "kinds"],
        "10_switching.py": ["model", "since", "in_m", "out_m", "reviewed", "metric"],
    }
    for page, names in pages.items():
        at = run(page, **{n: bad for n in names})
        if bad:
            assert ignored(at), (page, bad)
        assert "evil.example" not in "".join(m.value for m in at.markdown if "](" in m.value)
