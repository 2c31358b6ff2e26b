"""The dashboard's in-process loader cache (lib.ui.loader): one read per data version and arguments, and every
caller gets a value it may change without changing what the next caller (another session) gets."""
from __future__ import annotations

import pandas as pd
import pytest

from lib import generations, queries, store, ui


@pytest.fixture
def db(frontier_db):
    reader = store.LiveReader(frontier_db["db"])
    reader.refresh()
    try:
        yield ui.Db(reader)
    finally:
        reader.close()


def test_a_caller_changing_its_frame_does_not_change_the_next_callers(db):
    first = ui.load_models(db, db.version)
    with db.cursor() as cur:
        assert first.equals(queries.models(cur))  # what the query gives
    names = first["name"].tolist()
    first.loc[first.index[0], "name"] = "=HYPERLINK(\"x\")"  # a page (or a bug) writing into its copy
    first["extra"] = 1
    first.drop(first.index[1:], inplace=True)
    again = ui.load_models(db, db.version)
    assert again["name"].tolist() == names and "extra" not in again


def test_each_value_is_read_once_per_version_and_arguments_and_errors_are_not_kept():
    reads: list[tuple] = []

    @ui.loader(max_entries=2)
    def square(_db, version: str, n: int, *, offset: int = 0) -> dict:
        reads.append((version, n, offset))
        if n < 0:
            raise ValueError("negative")
        return {"n": n, "square": [n * n + offset]}

    assert square(None, "v1", 3) == {"n": 3, "square": [9]}
    square(None, "v1", 3)["square"].append("changed")  # the caller's copy only
    assert square(None, "v1", n=3, offset=0) == {"n": 3, "square": [9]}  # the same call spelled with keywords
    assert reads == [("v1", 3, 0)]
    square(None, "v2", 3)  # a new data version: read again
    square(None, "v2", 4)
    square(None, "v1", 3)  # dropped: two entries at most, v1 was used least recently
    assert reads == [("v1", 3, 0), ("v2", 3, 0), ("v2", 4, 0), ("v1", 3, 0)]
    for _ in range(2):
        with pytest.raises(ValueError):
            square(None, "v1", -1)
    assert reads.count(("v1", -1, 0)) == 2  # an error is raised every time, never served from the cache


def test_a_new_database_version_is_read_anew(frontier_db, tmp_path, build_db, monkeypatch):
    """An import swaps in a file with other data (a model renamed) and a new data version: the same reader, on its
    next refresh, gets the new values, not the cached ones."""
    monkeypatch.setenv("FRONTIER_SEED_DIR", str(frontier_db["seed"]))
    monkeypatch.setenv("FRONTIER_SNAPSHOT_DIR", str(frontier_db["snapshots"]))
    path = build_db(tmp_path / "frontier.duckdb", frontier_db["seed"], frontier_db["snapshots"])
    reader = store.LiveReader(path)
    reader.refresh()
    try:
        before = ui.Db(reader)
        names = ui.load_models(before, before.version).set_index("model_id")["name"]
        with before.cursor() as cur:  # per store file, each model's price rows are counted once and kept
            counts = cur.execute("SELECT model_id, count(*) FROM price_intervals GROUP BY ALL ORDER BY 2 DESC").fetchall()
            model_id, n_rows = counts[0]
            assert queries.price_row_count(cur, model_id) == n_rows > 0
            assert queries.model_names(cur, [model_id]) == {model_id: names[model_id]}

        def rename(con):
            con.execute("UPDATE models SET name = 'Renamed by an import' WHERE model_id = ?", [model_id])
            con.execute("DELETE FROM prices WHERE model_id = ?", [model_id])  # its intervals are derived anew

        store.apply_import(rename, path, new_version=before.version + "+renamed")
        reader.refresh()
        after = ui.Db(reader)
        assert after.version != before.version
        assert ui.load_models(after, after.version).set_index("model_id")["name"][model_id] == "Renamed by an import"
        assert ui.load_models(before, before.version).set_index("model_id")["name"][model_id] == names[model_id]
        with after.cursor() as cur:  # the new file's own counts and names, not the kept ones of the old file
            assert queries.price_row_count(cur, model_id) == 0
            assert queries.model_names(cur, [model_id]) == {model_id: "Renamed by an import"}
        title = ui.chart_view(after, "price-history", model_ids=(model_id,)).fig.layout.title.text
        assert title.startswith("Renamed by an import")
    finally:
        reader.close()


def test_priced_pairs_are_kept_per_store_file_and_never_read_for_a_swapped_in_one(frontier_db, tmp_path, build_db):
    """The Generations page's priced pairs (what a metric does not change) are kept per read-only store file: the
    same file gives the kept rows, a file an import swapped in is priced anew (its model lost its prices), and a
    caller changing its frame changes nothing kept."""
    path = build_db(tmp_path / "frontier.duckdb", frontier_db["seed"], frontier_db["snapshots"])
    reader = store.LiveReader(path)
    reader.refresh()
    try:
        with reader.cursor() as cur:
            teacher, student, day = cur.execute(
                "SELECT a.model_id, b.model_id, a.effective_from FROM price_intervals a, price_intervals b "
                "WHERE a.tier = 'standard' AND b.tier = 'standard' AND a.model_id < b.model_id "
                "AND b.effective_from <= a.effective_from AND a.effective_from < b.effective_to_resolved "
                "ORDER BY a.model_id, b.model_id LIMIT 1").fetchall()[0]
            pairs = pd.DataFrame([(teacher, student, "distilled", "test")], columns=generations.PAIR_COLUMNS)
            first, _ = generations.priced_pairs(cur, pairs, day.isoformat())
            assert first["teacher_price"].notna().all() and first["student_price"].notna().all()
            first.loc[0, "teacher_price"] = -1.0  # the caller's own copy
            again, _ = generations.priced_pairs(cur, pairs, day.isoformat())
            assert again["teacher_price"].iloc[0] > 0
            assert any(key[0] == queries._file_of(cur)[0] for key in generations._PRICED_PAIRS.values)  # kept

        def unprice(con):
            con.execute("DELETE FROM prices WHERE model_id = ?", [teacher])

        store.apply_import(unprice, path, new_version=reader.version + "+unpriced")
        reader.refresh()
        with reader.cursor() as cur:
            after, _ = generations.priced_pairs(cur, pairs, day.isoformat())
            assert after["teacher_price"].isna().all()
            assert after["student_price"].iloc[0] == again["student_price"].iloc[0]
    finally:
        reader.close()


def test_frames_and_their_types_come_back_as_the_query_gave_them(db):
    with db.cursor() as cur:
        direct = queries.metrics(cur)
    for _ in range(2):
        cached = ui.load_metrics(db, db.version)
        pd.testing.assert_frame_equal(cached, direct)
