"""Times parse + resolve + store (one transaction, file swap) of a ~400-model OpenRouter payload and a ~3,000-key
LiteLLM file into a small throwaway database; network excluded.

Issue 7 targets: OpenRouter <= 0.5 s, LiteLLM <= 1 s. Run: `python benchmarks/bench_ingest.py [repeats]`.
Reads the full recorded payloads from ../shared/data/raw (skips with a message when they are absent).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lib import paths, store  # noqa: E402
from lib.ingest import common, load, source_module  # noqa: E402

SEED = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "seed_small"
CASES = [
    ("openrouter", "openrouter-snapshots-sui414/snapshots/openrouter_api_v1_models_data_2026-08-08.json", 0.5),
    ("litellm", "litellm-history-rocry/snapshots/model_prices_and_context_window_2026-07-24_8442b939.json", 1.0),
]


def once(source: str, body: bytes, tmp: Path) -> tuple[float, dict]:
    db = tmp / f"{source}.duckdb"
    store.build(db, seed_dir=SEED, snapshot_dir=tmp / "none")
    payload = common.Payload(source=source, body=body, url="bench",
                             retrieved_at=dt.datetime(2026, 8, 8, tzinfo=dt.timezone.utc))
    t0 = time.perf_counter()
    con = store.connect_readonly(db)
    prep = load.prepare(con, source, payload)             # parse + alias resolution + validation
    con.close()
    module = source_module(source)

    def write(c):
        load.ensure_reference_rows(c, module)
        return load.import_one(c, module, prep, f"{source}/bench")

    result = store.apply_import(write, db)                  # one transaction on a copy, then os.replace
    return time.perf_counter() - t0, {"rows": prep.parsed.rows_seen, "prices": len(prep.parsed.prices),
                                      "skipped": len(prep.parsed.skipped), "new_models": len(result["new_models"])}


def main(repeats: int = 5) -> int:
    raw = paths.default_raw_dir()
    status = 0
    for source, rel, target in CASES:
        f = raw / rel
        if not f.is_file():
            print(f"{source}: skipped, {f} not found")
            continue
        body = f.read_bytes()
        with tempfile.TemporaryDirectory() as tmp:
            runs = [once(source, body, Path(tmp)) for _ in range(repeats)]
        best = min(t for t, _ in runs)
        info = runs[0][1]
        ok = best <= target
        status |= not ok
        print(f"{source:<10} {info['rows']:>5} rows ({len(body) / 1e6:.1f} MB, sha {hashlib.sha256(body).hexdigest()[:12]}):"
              f" {info['prices']} prices, {info['new_models']} new models, {info['skipped']} skipped;"
              f" parse+store best of {repeats}: {best:.3f} s (target <= {target} s) {'OK' if ok else 'SLOW'}")
    return status


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:2])))
