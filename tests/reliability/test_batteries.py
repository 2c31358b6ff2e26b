"""Hypothesis batteries of hostile input, each ending in a clean result or one line, never a traceback:
ingest payloads (the database unchanged on error), uploads of your own models, and names in exports."""
from __future__ import annotations

import contextlib
import io
import json
import xml.dom.minidom
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import export, figures, store, views
from lib.__main__ import main
from tests.conftest import SMALL_SEED

FIX = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"
SETTINGS = dict(deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

NASTY_TEXT = ["=HYPERLINK(\"https://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx",
              "[Click](https://evil.example/x)", "<script>alert(1)</script>", "\x00\x07\x1b[2J", "\u202eevil",
              "a\nb", "x" * 2000, "", " ", "名前", "🙂"]
NASTY_NUMBERS = ["1e999999999", "-1e999999999", "NaN", "Infinity", "-0", "0x10", "1_000", "1e-400", "", "-1",
                 "0.0000025", "99999999999999999999999"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from(NASTY_TEXT + NASTY_NUMBERS), st.text(max_size=20))
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=3))


@pytest.fixture(scope="module")
def ingest_env(tmp_path_factory):
    """A database of the small fixture seed: an import runs every step (parse, resolve, quarantine, write, derive,
    swap) on a store a fraction of the committed one's size."""
    base = tmp_path_factory.mktemp("battery")
    db, snaps = base / "b.duckdb", base / "snaps"
    store.build(db, SMALL_SEED, snaps)
    env = {"FRONTIER_DB": str(db), "FRONTIER_SEED_DIR": str(SMALL_SEED), "FRONTIER_SNAPSHOT_DIR": str(snaps)}
    return base, db, snaps, env


def _state(db: Path, snaps: Path) -> tuple:
    return db.read_bytes(), sorted(str(p) for p in snaps.rglob("*")) if snaps.exists() else []


BASE_ROWS = json.loads((FIX / "openrouter_2026-08-08_slice.json").read_text())
BASE_ROWS = BASE_ROWS["data"] if isinstance(BASE_ROWS, dict) else BASE_ROWS


@st.composite
def openrouter_payloads(draw):
    rows = json.loads(json.dumps(BASE_ROWS[:8]))
    for _ in range(draw(st.integers(1, 4))):
        row = rows[draw(st.integers(0, len(rows) - 1))]
        field = draw(st.sampled_from(["id", "name", "created", "context_length", "pricing", "pricing.prompt",
                                      "pricing.completion", "pricing.input_cache_read"]))
        value = draw(values)
        if field.startswith("pricing.") and isinstance(row.get("pricing"), dict):
            row["pricing"][field.split(".")[1]] = value
        else:
            row[field] = value
    kind = draw(st.sampled_from(["object", "array", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    body = json.dumps({"data": rows} if kind == "object" else rows, allow_nan=True).encode()
    if draw(st.booleans()) and draw(st.booleans()):
        body = body[: draw(st.integers(0, len(body)))]  # truncated
    return body


@settings(max_examples=25, **SETTINGS)
@given(body=openrouter_payloads())
def test_hostile_ingest_payloads(ingest_env, monkeypatch, body):
    base, db, snaps, env = ingest_env
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    f = base / "payload.json"
    f.write_bytes(body)
    before = _state(db, snaps)
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(["ingest", "openrouter", "--from-file", str(f), "--retrieved-at", "2026-08-08T06:00:00Z"])
    lines = err.getvalue().strip().splitlines()
    assert code in (0, 1), (code, err.getvalue())
    assert "Traceback" not in err.getvalue()
    if code == 1:
        assert len(lines) == 1 and lines[0].startswith("error: "), err.getvalue()
        assert _state(db, snaps) == before  # a refused payload writes nothing


METRICS = pd.DataFrame({"metric_id": ["aa_quality_2024"], "name": ["q"], "min_value": [0.0], "max_value": [100.0]})
cells = st.one_of(st.sampled_from(NASTY_TEXT + NASTY_NUMBERS + ["aa_quality_2024", "50", "2024-01-01"]),
                  st.text(max_size=15))


@settings(max_examples=40, **SETTINGS)
@given(header=st.lists(st.sampled_from(views.USER_COLUMNS + ["value", "metric_id", "junk", "=x"]), max_size=8),
       rows=st.lists(st.lists(cells, min_size=0, max_size=8), max_size=5), raw=st.binary(max_size=64))
def test_hostile_uploads(header, rows, raw):
    buf = io.StringIO()
    pd.DataFrame(rows).to_csv(buf, header=header if len(header) == len(pd.DataFrame(rows).columns) else True,
                              index=False)
    for data in (buf.getvalue().encode(), raw, b",".join(h.encode() for h in header) + b"\n" + raw):
        parsed, errors = views.parse_user_csv(data, METRICS)
        assert all("\n" not in e for e in errors)
        if not errors and len(parsed):
            market = pd.DataFrame(columns=["model_id", "name", "vendor", "price", "quality"])
            pts = views.add_user_models(market, parsed, "aa_quality_2024", "blended", "3:1")
            assert all(not any(ord(c) < 32 for c in str(n)) for n in pts["name"])


names = st.one_of(st.sampled_from(NASTY_TEXT), st.text(min_size=1, max_size=30))


def _points(model_names: list[str]) -> pd.DataFrame:
    n = len(model_names)
    return pd.DataFrame({"model_id": [f"v/m{i}" for i in range(n)], "name": model_names,
                         "vendor": [model_names[i % n][:10] or "v" for i in range(n)],
                         "price": [0.1 * (i + 1) for i in range(n)], "quality": [50.0 + i for i in range(n)],
                         "on_frontier": [i == n - 1 for i in range(n)]})


@settings(max_examples=30, **SETTINGS)
@given(model_names=st.lists(names, min_size=1, max_size=5))
def test_names_in_csv_and_html_exports(model_names):
    fig = figures.frontier_figure(_points(model_names), metric_label="Quality (%)", title="t")
    csv_text = export.to_bytes(fig, "csv", points=_points(model_names)).decode("utf-8")
    back = pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)
    for col in back.columns:
        for cell in back[col]:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or _is_number(cell), (col, cell)
    html = export.to_bytes(fig, "html").decode("utf-8")
    assert "<script>alert(1)</script>" not in html


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


@pytest.mark.skipif(not export.chromium_available(), reason="static export needs Chromium")
@settings(max_examples=3, **SETTINGS)
@given(model_names=st.lists(st.sampled_from(NASTY_TEXT), min_size=2, max_size=4))
def test_names_in_svg_exports_stay_valid_xml(model_names):
    fig = figures.frontier_figure(_points(model_names), metric_label="Quality (%)", title="t")
    svg = export.to_bytes(export.prepare_for_export(fig, export.SLIDE_PRESETS["16:9"], "light"), "svg")
    xml.dom.minidom.parseString(svg)  # raises on a control character
