"""Bad input and faults: each gives a clear message naming source and field, and leaves the database file and
data/snapshots exactly as they were. HTTP faults run against a local http.server on 127.0.0.1 (no network)."""
from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lib import queries, store
from lib.__main__ import main
from lib.errors import DataError
from lib.ingest import artificial_analysis, openrouter, pipeline
from lib.ingest import http as ingest_http
from tests.conftest import run_cli

FIX = Path(__file__).parent / "fixtures" / "ingest"
SEED = Path(__file__).parent / "fixtures" / "seed_small"
PROJECT = Path(__file__).resolve().parent.parent
OR_2024 = FIX / "openrouter_2024-09-27_slice.json"


@pytest.fixture
def env(tmp_path, monkeypatch, build_db):
    db, snaps = tmp_path / "x.duckdb", tmp_path / "snaps"
    for k, v in {"FRONTIER_DB": db, "FRONTIER_SNAPSHOT_DIR": snaps, "FRONTIER_SEED_DIR": SEED}.items():
        monkeypatch.setenv(k, str(v))
    monkeypatch.delenv("AA_API_KEY", raising=False)
    build_db(db, SEED, snaps)
    return db, snaps


def state(db: Path, snaps: Path):
    """Database bytes and visible snapshot files: what a failed import must leave untouched."""
    files = sorted(str(p.relative_to(snaps)) for p in snaps.rglob("*")
                   if p.is_file() and not p.name.startswith(".")) if snaps.exists() else []
    return db.read_bytes(), files


def write(tmp_path, name, body) -> Path:
    p = tmp_path / name
    p.write_bytes(body if isinstance(body, bytes) else body.encode())
    return p


def fails(source, path, capsys, *needles):
    assert main(["ingest", source, "--from-file", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err                      # one clear line
    for n in (f"{source}:", *needles):
        assert n in err, err
    return err


def or_rows():
    return json.loads(OR_2024.read_text())["data"]


# --- payload faults (--from-file) -----------------------------------------------------------------------------

def test_malformed_json(env, tmp_path, capsys):
    before = state(*env)
    fails("openrouter", write(tmp_path, "bad.json", '{"data": [{"id": "a/b",, }]}'), capsys,
          "not valid JSON", "(line 1 column")
    assert state(*env) == before


def test_truncated_file(env, tmp_path, capsys):
    before = state(*env)
    body = OR_2024.read_bytes()
    fails("openrouter", write(tmp_path, "cut.json", body[: len(body) // 2]), capsys, "not valid JSON", "truncated")
    assert state(*env) == before


def test_truncated_csv_row(env, tmp_path, capsys):
    before = state(*env)
    body = (FIX / "lmarena_text_2025-08-04_slice.csv").read_bytes()
    cut = body[: body.index(b"\n", 500) + 8]  # ends mid-row, before the score
    fails("lmarena", write(tmp_path, "cut.csv", cut), capsys, "incomplete", "truncated")
    assert state(*env) == before


def test_html_error_page_in_a_file(env, tmp_path, capsys):
    before = state(*env)
    fails("litellm", write(tmp_path, "page.json", "<!DOCTYPE html><html><body>Rate limited</body></html>"),
          capsys, "HTML page")
    assert state(*env) == before


def test_schema_drift_top_level_field_renamed(env, tmp_path, capsys):
    before = state(*env)
    fails("openrouter", write(tmp_path, "drift.json", json.dumps({"models": or_rows()})), capsys,
          "field 'data' missing")
    fails("artificial_analysis", write(tmp_path, "aa.json", json.dumps({"items": []})), capsys,
          "field 'data' missing")
    assert state(*env) == before


def test_schema_drift_row_field_renamed_in_every_row(env, tmp_path, capsys):
    before = state(*env)
    rows = [{**{k: v for k, v in r.items() if k != "pricing"}, "prices": r["pricing"]} for r in or_rows()]
    fails("openrouter", write(tmp_path, "drift.json", json.dumps({"data": rows})), capsys,
          "field 'pricing' is missing in 20 of 20 rows", "schema drift")
    header = b"rank,model,elo_rating,votes\n1,GPT-4o,1287,100\n"
    fails("lmarena", write(tmp_path, "drift.csv", header), capsys, "field 'arena_score' missing")
    assert state(*env) == before


def test_unknown_intelligence_index_version_is_refused(env, tmp_path, capsys):
    before = state(*env)
    doc = json.loads((FIX / "aa_language_models_free_page1_2026-06-27.json").read_text())
    doc["intelligence_index_version"] = 5.0
    fails("artificial_analysis", write(tmp_path, "aa.json", json.dumps(doc)), capsys,
          "field 'intelligence_index_version'", "5.0")
    assert state(*env) == before


def test_bad_prices_skip_their_row_and_keep_the_rest(env, tmp_path, capsys):
    db, _ = env
    rows = or_rows()
    rows[0]["pricing"]["prompt"] = "abc"            # non-numeric
    rows[1]["pricing"]["completion"] = "-0.000002"  # negative
    rows[2]["pricing"]["prompt"] = "0.05"           # $50,000 / Mtok: absurd
    rows[3]["pricing"]["prompt"] = None             # null prompt with a completion price: kept
    assert main(["ingest", "openrouter", "--from-file", str(write(tmp_path, "p.json", json.dumps({"data": rows})))]) == 0
    out = capsys.readouterr().out
    assert f"{rows[0]['id']} (pricing.prompt): non-numeric price 'abc'" in out
    assert f"{rows[1]['id']} (pricing.completion): negative price '-0.000002'" in out
    assert f"{rows[2]['id']} (pricing.prompt): absurd price 50000 USD/Mtok" in out
    con = store.connect_readonly(db)
    n = con.execute("SELECT count(*) FROM prices WHERE source_id = 'openrouter'").fetchall()[0][0]
    con.close()
    assert n == len(rows) - 3 - 2  # 3 bad rows, plus the router and one dated duplicate skipped as usual


def test_duplicate_ids_keep_the_first(env, tmp_path, capsys):
    rows = or_rows()
    dup = dict(rows[0], pricing={**rows[0]["pricing"], "prompt": "0.001"})
    p = write(tmp_path, "dup.json", json.dumps({"data": rows + [dup]}))
    assert main(["ingest", "openrouter", "--from-file", str(p)]) == 0
    assert f"{rows[0]['id']} (id): duplicate id in payload (first occurrence kept)" in capsys.readouterr().out


def test_html_and_script_in_names_are_stored_verbatim(env, tmp_path, capsys):
    db, _ = env
    rows = or_rows()[:3]
    evil = '<script>alert("x")</script><b>Bold</b> & "quotes"'
    rows[0] = dict(rows[0], id="evil-vendor/evil-model", name=evil)
    assert main(["ingest", "openrouter", "--from-file", str(write(tmp_path, "e.json", json.dumps({"data": rows})))]) == 0
    con = store.connect_readonly(db)
    name = con.execute("SELECT name FROM models WHERE model_id = 'evil-vendor/evil-model'").fetchall()[0][0]
    con.close()
    assert name == evil


def test_oversized_file_is_refused(env, tmp_path, capsys, monkeypatch):
    before = state(*env)
    monkeypatch.setattr(openrouter, "MAX_BYTES", 1000)
    fails("openrouter", OR_2024, capsys, "exceeds the cap of 1,000 bytes")
    assert state(*env) == before


# --- HTTP faults ----------------------------------------------------------------------------------------------

class Script:
    """Per-path list of responses served in order (the last one repeats)."""

    def __init__(self):
        self.routes: dict[str, list] = {}
        self.hits: dict[str, list[float]] = {}
        self.headers_seen: list[dict] = []


@pytest.fixture
def server():
    script = Script()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            path = self.path.split("?")[0]
            script.hits.setdefault(path, []).append(time.monotonic())
            script.headers_seen.append(dict(self.headers))
            steps = script.routes[path]
            step = steps.pop(0) if len(steps) > 1 else steps[0]
            status, headers, body, mode = step
            if mode == "sleep":
                time.sleep(2)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if mode == "truncate":
                self.send_header("Content-Length", str(len(body) * 2))
            elif mode != "chunked":
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            if mode == "truncate":
                self.close_connection = True

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    script.base = f"http://127.0.0.1:{srv.server_address[1]}"
    yield script
    srv.shutdown()
    srv.server_close()


def ok(body: bytes, ctype="application/json"):
    return (200, {"Content-Type": ctype}, body, None)


def fast_session(total=2):
    return ingest_http.make_session(ingest_http.make_retry(total=total, backoff_factor=0.01, max_retry_after=5))


def run_or(server, monkeypatch, steps, session=None):
    server.routes["/models"] = steps
    monkeypatch.setattr(openrouter, "URL", server.base + "/models")
    return pipeline.run_source("openrouter", session=session or fast_session(), out=open(os.devnull, "w"))


def test_429_with_retry_after_is_honoured_then_succeeds(env, server, monkeypatch):
    db, _ = env
    result = run_or(server, monkeypatch, [(429, {"Retry-After": "1"}, b"slow down", None), ok(OR_2024.read_bytes())])
    hits = server.hits["/models"]
    assert result["status"] == "imported" and len(hits) == 2
    assert hits[1] - hits[0] >= 0.9  # waited as told, not the 0.01 s backoff


def test_429_forever_fails_clearly_after_retries(env, server, monkeypatch):
    before = state(*env)
    with pytest.raises(DataError, match=r"openrouter: gave up after retries: .*429.*127\.0\.0\.1"):
        run_or(server, monkeypatch, [(429, {"Retry-After": "0"}, b"", None)])
    assert len(server.hits["/models"]) == 3 and state(*env) == before


def test_5xx_then_success_and_5xx_forever(env, server, monkeypatch):
    assert run_or(server, monkeypatch, [(503, {}, b"", None), (502, {}, b"", None),
                                        ok(OR_2024.read_bytes())])["status"] == "imported"
    before = state(*env)
    server.hits.clear()
    with pytest.raises(DataError, match=r"openrouter: gave up after retries: .*500"):
        run_or(server, monkeypatch, [(500, {}, b"oops", None)])
    assert state(*env) == before


def test_timeout(env, server, monkeypatch):
    before = state(*env)
    monkeypatch.setattr(ingest_http, "DEFAULT_TIMEOUT", (1.0, 0.3))
    with pytest.raises(DataError, match=r"openrouter: timed out"):
        run_or(server, monkeypatch, [(200, {}, b"{}", "sleep")], session=fast_session(total=1))
    assert state(*env) == before


def test_html_error_page_served_with_200(env, server, monkeypatch):
    before = state(*env)
    page = b"<!DOCTYPE html><html><title>Just a moment...</title></html>"
    with pytest.raises(DataError, match=r"openrouter: expected JSON but got an HTML page \(Content-Type text/html"):
        run_or(server, monkeypatch, [ok(page, "text/html; charset=utf-8")])
    assert state(*env) == before


def test_truncated_body_over_http(env, server, monkeypatch):
    before = state(*env)
    with pytest.raises(DataError, match=r"openrouter: .*(truncated body|connection)"):
        run_or(server, monkeypatch, [(200, {"Content-Type": "application/json"}, OR_2024.read_bytes(), "truncate")],
               session=fast_session(total=0))
    assert state(*env) == before


def test_oversized_body_over_http_is_capped(env, server, monkeypatch):
    before = state(*env)
    monkeypatch.setattr(openrouter, "MAX_BYTES", 4096)
    with pytest.raises(DataError, match=r"openrouter: payload of [\d,]+ bytes exceeds the cap of 4,096 bytes"):
        run_or(server, monkeypatch, [ok(OR_2024.read_bytes())])
    with pytest.raises(DataError, match=r"openrouter: payload exceeds the cap of 4,096 bytes"):  # no length given
        run_or(server, monkeypatch, [(200, {"Content-Type": "application/json"}, OR_2024.read_bytes(), "chunked")])
    assert state(*env) == before


def test_artificial_analysis_key_is_sent_but_never_shown(env, server, monkeypatch, capsys):
    key = "sk-aa-SECRET-123"
    monkeypatch.setenv("AA_API_KEY", key)
    monkeypatch.setattr(artificial_analysis, "FREE_URL", server.base + "/free")
    server.routes["/free"] = [(401, {}, f'{{"error": "invalid key {key}"}}'.encode(), None)]
    with pytest.raises(DataError) as exc:
        pipeline.run_source("artificial_analysis", session=fast_session())
    assert "HTTP 401" in str(exc.value) and key not in str(exc.value)
    assert server.headers_seen[-1].get("x-api-key") == key


def test_artificial_analysis_pages_are_followed(env, server, monkeypatch, capsys):
    db, snaps = env
    monkeypatch.setenv("AA_API_KEY", "k")
    page1 = json.loads((FIX / "aa_language_models_free_page1_2026-06-27.json").read_text())
    page2 = dict(page1, data=page1["data"][:5], pagination={"page": 2, "total_pages": 2, "has_more": False})
    page1["data"] = page1["data"][5:]
    monkeypatch.setattr(artificial_analysis, "FREE_URL", server.base + "/free")
    server.routes["/free"] = [ok(json.dumps(page1).encode()), ok(json.dumps(page2).encode())]
    result = pipeline.run_source("artificial_analysis", session=fast_session(), out=open(os.devnull, "w"))
    assert result["status"] == "imported" and len(server.hits["/free"]) == 2
    assert len(list((snaps / "artificial_analysis").glob("*.meta.json"))) == 2
    con = store.connect_readonly(db)
    n = con.execute("SELECT count(*) FROM scores WHERE metric_id = 'aa_intelligence_v4'").fetchall()[0][0]
    scored = {e for (e,) in con.execute(
        "SELECT DISTINCT a.external_id FROM aliases a JOIN scores s USING (model_id) "
        "WHERE a.source_id = 'artificial_analysis' AND s.metric_id = 'aa_intelligence_v4'").fetchall()}
    con.close()
    # the 197 indexed rows of the two pages are 178 models: the efforts of one model ("GPT-5 nano (minimal)",
    # "GPT-5 nano (high)") are one model, which keeps one score
    assert n == 178
    assert {r["slug"] for r in page2["data"]} <= scored  # the second page's models are stored too


# --- a run killed in the middle of an import ------------------------------------------------------------------

def test_sigkill_mid_import_leaves_previous_data_and_the_next_import_succeeds(env, tmp_path):
    db, snaps = env
    before = state(db, snaps)
    counts_before = store.table_counts(store.connect_readonly(db))
    marker = tmp_path / "inside-transaction"
    run_env = dict(os.environ, FRONTIER_INGEST_HOOK_SLEEP="60", FRONTIER_INGEST_HOOK_FILE=str(marker))
    cmd = [sys.executable, "-m", "lib", "ingest", "openrouter", "--from-file", str(OR_2024)]
    proc = subprocess.Popen(cmd, cwd=PROJECT, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the import never reached its transaction"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert state(db, snaps) == before                     # database bytes and visible snapshots as they were
    con = store.connect_readonly(db)
    assert store.table_counts(con) == counts_before
    con.close()
    assert list((snaps / "openrouter").glob(".*.partial-*"))   # the killed run's hidden temporaries

    done = run_cli("ingest", "openrouter", "--from-file", OR_2024)  # the next run (in-process) cleans up and imports
    assert done.returncode == 0, done.stderr
    assert "imported 1 payload" in done.stdout
    assert not list((snaps / "openrouter").glob(".*.partial-*"))  # cleaned up
    con = store.connect_readonly(db)
    assert con.execute(queries.SNAPSHOT_BY_SHA, ["openrouter", __import__("hashlib").sha256(
        OR_2024.read_bytes()).hexdigest()]).fetchall()
    con.close()
    assert store.stored_version(db) == store.data_version()
