"""Secrets never reach the terminal, in any form: raw, repr (a key with a line break), URL-encoded."""
from __future__ import annotations

import urllib.parse

from lib.__main__ import main
from lib.ingest.http import redact

KEY = "sk-live-SECRETPART\nSECONDLINE-123"


def test_redact_catches_every_form():
    for form in (KEY, repr(KEY), urllib.parse.quote(KEY, safe=""), urllib.parse.quote_plus(KEY),
                 urllib.parse.quote(KEY).lower(), KEY.encode("unicode_escape").decode()):
        out = redact(f"error: bad header {form} (https://example.invalid/?key={form})", [KEY])
        assert "SECRETPART" not in out and "SECONDLINE" not in out, out


def test_a_key_with_a_newline_is_not_printed(tmp_path, monkeypatch, capsys, frontier_db):
    monkeypatch.setenv("AA_API_KEY", KEY)
    monkeypatch.setenv("FRONTIER_DB", str(tmp_path / "x.duckdb"))
    monkeypatch.setenv("FRONTIER_SEED_DIR", str(frontier_db["seed"]))
    monkeypatch.setenv("FRONTIER_SNAPSHOT_DIR", str(tmp_path / "snaps"))
    code = main(["ingest", "artificial_analysis"])  # requests refuses the header before any connection
    out = capsys.readouterr()
    assert code == 1
    for text in (out.out, out.err):
        assert "SECRETPART" not in text and "SECONDLINE" not in text
    assert len(out.err.strip().splitlines()) == 1 and out.err.startswith("error: ")
