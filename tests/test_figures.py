"""Pure figure builders: log-axis annotation coordinates, escaping, the WebGL switch, the frontier step line."""
import math
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from lib import figures, trends


def _points(n=5, vendor="openai"):
    price = np.geomspace(0.1, 10, n)
    quality = np.linspace(40, 80, n)
    df = pd.DataFrame({"model_id": [f"{vendor}/m{i}" for i in range(n)], "name": [f"M{i}" for i in range(n)],
                       "vendor": vendor, "price": price, "quality": quality, "release_date": "2024-01-01",
                       "input_usd_per_mtok": price, "output_usd_per_mtok": price * 3,
                       "blended_usd_per_mtok": price, "quality_source_id": "src"})
    df["on_frontier"] = True
    return df


def test_frontier_is_a_step_line_through_frontier_points_sorted_by_price():
    df = pd.concat([_points(4), pd.DataFrame({"model_id": ["x/dominated"], "name": ["D"], "vendor": ["x"],
                                              "price": [50.0], "quality": [10.0], "on_frontier": [False]})])
    fig = figures.frontier_figure(df, metric_label="Q", data_as_of="2025-01-01")
    line = [t for t in fig.data if t.name == "Pareto frontier"][0]
    assert line.line.shape == "hv"
    assert list(line.x) == sorted(line.x) and len(line.x) == 4
    assert [r[0] for r in line.customdata] == [f"openai/m{i}" for i in range(4)]
    assert fig.layout.xaxis.type == "log"


def test_headline_annotation_uses_log10_coordinates_on_the_log_axis():
    df = _points(3)
    fig = figures.frontier_figure(df, metric_label="Q", headline_pairs=[("openai/m2", "openai/m0")])
    arrow = [a for a in fig.layout.annotations if a.showarrow][0]
    assert arrow.x == pytest.approx(math.log10(df["price"].iloc[0]))
    assert arrow.ax == pytest.approx(math.log10(df["price"].iloc[2]))
    assert arrow.axref == "x" and arrow.y == pytest.approx(df["quality"].iloc[0])
    tag = [a for a in fig.layout.annotations if not a.showarrow][0]
    assert tag.text == "<b>1</b>" and tag.x == pytest.approx((arrow.x + arrow.ax) / 2)
    key = fig.layout.title.subtitle.text
    assert key.startswith("1 M2 → M0: ") and "99 % cheaper" in key and "50 % less quality" in key
    assert fig.layout.meta["subtitle"] == key  # the export prints the key as the subtitle


def _tag_boxes(fig, yr):
    """Each headline tag's centre in plot pixels (900×500 plot, as the layout code assumes)."""
    xr = fig.layout.xaxis.range
    boxes = []
    for a in fig.layout.annotations:
        if str(a.name or "").startswith("headline-tag"):
            px = (a.x - xr[0]) / (xr[1] - xr[0]) * 900
            py = (a.y - yr[0]) / (yr[1] - yr[0]) * 500 + (a.yshift or 0)
            boxes.append((px, py))
    return boxes


def test_headline_labels_never_overlap_even_when_the_pairs_sit_on_top_of_each_other():
    # three pairs whose arrows share the same middle: the article's students sit this close on the real chart
    df = pd.DataFrame({"model_id": [f"v/t{i}" for i in range(3)] + [f"v/s{i}" for i in range(3)],
                       "name": [f"Teacher {i}" for i in range(3)] + [f"Student {i}" for i in range(3)],
                       "vendor": "openai", "price": [10, 10.5, 11, 0.2, 0.21, 0.22],
                       "quality": [80, 80.5, 81, 72, 72.5, 73]}).assign(on_frontier=False)
    fig = figures.frontier_figure(df, metric_label="Q", headline_pairs=[(f"v/t{i}", f"v/s{i}") for i in range(3)])
    boxes = _tag_boxes(fig, [72, 81])
    assert len(boxes) == 3
    w, h = figures.TAG_PX
    for i in range(3):
        for j in range(i + 1, 3):
            assert abs(boxes[i][0] - boxes[j][0]) >= w or abs(boxes[i][1] - boxes[j][1]) >= h
    # the long labels are one key, one line per pair, in the subtitle: they cannot overlap each other
    assert fig.layout.title.subtitle.text.count("<br>") == 2
    assert not any(len(str(a.text)) > 10 for a in fig.layout.annotations)


def test_hover_says_whether_a_model_was_hand_reviewed():
    df = _points(2).assign(status=["reviewed", "unreviewed"])
    fig = figures.frontier_figure(df, metric_label="Q")
    cd = fig.data[0].customdata
    assert [r[11] for r in cd] == [figures.REVIEW_TEXT["reviewed"], figures.REVIEW_TEXT["unreviewed"]]
    assert cd[0][11].startswith("reviewed") and cd[1][11].startswith("unreviewed")
    assert "customdata[11]" in fig.data[0].hovertemplate


def test_hover_states_which_offerings_price_a_point_uses():
    df = _points(4).assign(price_first_party=[True, False, False, None], price_provider=["openai", "openrouter",
                                                                                         "together", "<b>x</b>"],
                           price_rule=[None, None, "cheapest of hosts", None], hosts=[None, None, 3, None])
    fig = figures.frontier_figure(df, metric_label="Q")
    said = [r[12] for r in fig.data[0].customdata]
    assert said == ["price: the vendor's own API", "price: host openrouter (no vendor price in force)",
                    "price: cheapest of 3 API host(s) (together)", "price: host &lt;b&gt;x&lt;/b&gt; (no vendor price in force)"]
    assert "customdata[12]" in fig.data[0].hovertemplate


def _hover(template: str, row) -> str:
    """The text Plotly shows for one point: each %{customdata[i]} replaced by the point's field."""
    return re.sub(r"%\{customdata\[(\d+)\]\}", lambda m: str(row[int(m.group(1))]), template)


def test_a_large_trace_ships_its_hover_compactly_and_shows_the_same():
    """Fields the same on every point of a trace (the review, the price rule, the score's source) are written
    into its hover template once, not into every point: the hover of every point reads as before, the model id a
    click opens stays the first field, and uniform marker sizes are one number."""
    n = 240
    df = _points(n, "tiny").assign(status=["reviewed", "unreviewed"] * (n // 2), price_first_party=True,
                                   name=[f"M{i} <&>" for i in range(n)])
    df["on_frontier"] = False
    df.loc[df.index[:3], "vendor"] = ["openai", "anthropic", "google"]  # a few named vendors; the rest "other"
    small = _points(4, "zeta")
    fig = figures.frontier_figure(pd.concat([df, small], ignore_index=True), metric_label="Q <i>", price_label="P")
    big = max(fig.data, key=lambda t: len(t.x))
    assert len(big.x) >= figures.COMPACT_HOVER_MIN_POINTS
    full = figures._point_customdata(df.iloc[3:], "price")  # every field, as a small trace keeps them
    template = figures._hovertemplate("Q <i>", "P")
    assert len(big.customdata[0]) < full.shape[1]
    assert [r[0] for r in big.customdata] == list(df["model_id"].iloc[3:])
    shown = [_hover(big.hovertemplate, r) for r in big.customdata]
    assert shown == [_hover(template, r) for r in full]
    assert "reviewed: on a hand-maintained price list" in shown[1] and "unreviewed" in shown[2]
    assert "price: the vendor's own API" in shown[0] and "M3 &lt;&amp;&gt;" in shown[0]
    assert np.ndim(big.marker.size) == 0 and np.ndim(big.marker.line.width) == 0
    few = next(t for t in fig.data if t.customdata is not None and len(t.customdata) == 4)
    assert len(few.customdata[0]) == full.shape[1]  # a small trace keeps every field


def test_price_history_labels_every_price_level():
    h = pd.DataFrame({"model_id": ["m", "m"], "effective_from": pd.to_datetime(["2024-11-04", "2024-12-12"]),
                      "effective_to": [pd.NaT, pd.NaT], "input_usd_per_mtok": [1.0, 0.8],
                      "output_usd_per_mtok": [5.0, 4.0], "date_kind": ["effective", "effective"],
                      "source_id": ["s", "s"]})
    fig = figures.price_history_figure(h, data_as_of="2025-06-01")
    assert list(fig.layout.yaxis.tickvals) == [0.8, 1.0, 4.0, 5.0]
    assert list(fig.layout.yaxis.ticktext) == ["$0.80", "$1", "$4", "$5"]


def test_headline_is_skipped_when_a_model_of_the_pair_is_not_drawn():
    fig = figures.frontier_figure(_points(3), metric_label="Q", headline_pairs=[("openai/m2", "openai/absent")])
    assert not fig.layout.annotations


def test_names_from_data_are_escaped_in_hover_text():
    df = _points(2)
    df.loc[0, "name"] = "<img src=x onerror=alert(1)>"
    fig = figures.frontier_figure(df, metric_label="Q")
    cd = fig.data[0].customdata
    assert cd[0][1] == "&lt;img src=x onerror=alert(1)&gt;"
    assert "<img" not in str(cd.tolist())


def test_webgl_above_the_threshold_and_svg_below():
    small = figures.frontier_figure(_points(10), metric_label="Q", webgl_threshold=20)
    big = figures.frontier_figure(_points(30), metric_label="Q", webgl_threshold=20)
    assert isinstance(small.data[0], go.Scatter)
    assert isinstance(big.data[0], go.Scattergl)


def test_every_trace_has_a_name_and_model_id_first_and_meta_is_set():
    df = pd.concat([_points(3, "openai"), _points(3, "anthropic")])
    fig = figures.frontier_figure(df, metric_label="Q", price_label="P", sources=["b", "a"], data_as_of="2025-02-03")
    assert fig.layout.meta == {"title": "Price vs quality", "sources": ["a", "b"], "data_as_of": "2025-02-03",
                               "metric_label": "Q", "price_label": "P"}
    for tr in fig.data:
        assert tr.name
        assert str(tr.customdata[0][0]).split("/")[0] in {"openai", "anthropic"}


def test_vendor_colours_are_fixed_and_shared():
    a = figures.frontier_figure(_points(2, "anthropic"), metric_label="Q")
    assert a.data[0].marker.color == figures.VENDOR_COLOURS["anthropic"] == figures.vendor_colour("Anthropic")
    assert figures.vendor_colour("some-new-lab") == figures.vendor_colour("some-new-lab")


def test_empty_input_gives_an_empty_state_figure_not_an_error():
    fig = figures.frontier_figure(_points(0), metric_label="Q")
    assert "No model matches" in fig.layout.annotations[0].text


def test_replay_frames_one_per_month_with_play_button():
    df = _points(4)
    frames = pd.concat([df.assign(as_of=pd.Timestamp("2024-01-31")), df.iloc[:2].assign(as_of=pd.Timestamp("2024-02-29"))])
    fig = figures.frontier_figure(df, metric_label="Q", frames=frames)
    assert [f.name for f in fig.frames] == ["2024-01", "2024-02"]
    assert fig.layout.updatemenus[0].buttons[0].label.endswith("Play")
    line_idx = [i for i, t in enumerate(fig.data) if t.name == "Pareto frontier"][0]
    assert len(fig.frames[1].data[line_idx].x) == 2


def test_replay_frames_carry_their_own_figures_and_only_the_pairs_on_the_market_then():
    """A replay frame of a month before the student existed has no arrow for that pair, and each frame's line under
    the title gives that month's counts and prices, not the chosen date's."""
    now = _points(4)  # m3 (teacher) -> m0 (student) both on the market now
    early = now.iloc[1:].assign(price=now["price"].iloc[1:] * 2)  # a month when m0 did not exist yet, dearer
    frames = pd.concat([early.assign(as_of=pd.Timestamp("2023-06-30")), now.assign(as_of=pd.Timestamp("2024-06-30"))])
    fig = figures.frontier_figure(now, metric_label="Q (%)", frames=frames, headline_pairs=[("openai/m3", "openai/m0")])
    arrows = {f.name: [a.name for a in f.layout.annotations if a.showarrow] for f in fig.frames}
    assert arrows == {"2023-06": [], "2024-06": ["headline:openai/m3->openai/m0"]}
    old, new = (f.layout.title.subtitle.text for f in fig.frames)
    assert old.startswith("3 models · 3 on the frontier · cheapest frontier " + figures.fmt_usd(early["price"].min()))
    assert new.startswith("4 models · 4 on the frontier · cheapest frontier " + figures.fmt_usd(now["price"].min()))
    assert "1 M3 → M0" in new and "M0" not in old
    # before it plays, the chart shows the chosen date's own line
    assert fig.layout.title.subtitle.text.startswith("4 models")


def test_frontier_price_levels_at_an_equal_price_stay_distinguishable():
    """Two quality levels reached by the same cheapest model have the same price: their lines must not hide each
    other (different dashes and markers, drawn slightly apart), while the hover still gives the true price."""
    dates = pd.to_datetime(["2024-01-31", "2024-02-29", "2024-03-31"])
    levels = pd.DataFrame({"date": list(dates) * 3, "level": [50] * 3 + [60] * 3 + [70] * 3,
                           "price": [1.0, 1.0, 0.5] + [1.0, 1.0, 0.8] + [4.0, 4.0, 4.0], "model": "m"})
    fig = figures.frontier_price_over_time_figure(levels, metric_label="Q", price_label="P")
    lines = list(fig.data)
    assert len({t.line.dash for t in lines}) == 3 and len({t.marker.symbol for t in lines}) == 3
    y = {t.name: list(t.y) for t in lines}
    assert y["≥ 50"][0] != y["≥ 60"][0] and y["≥ 50"][1] != y["≥ 60"][1]  # equal prices, apart on screen
    assert y["≥ 50"][0] < 1.0 < y["≥ 60"][0] and abs(math.log10(y["≥ 60"][0] / y["≥ 50"][0])) < 0.05
    assert y["≥ 50"][2] == 0.5 and y["≥ 60"][2] == 0.8 and y["≥ 70"] == [4.0] * 3  # unequal: drawn as they are
    assert [c[2] for c in lines[0].customdata] == [1.0, 1.0, 0.5]  # the hover's price is the real one
    assert any(a.name == "equal-price-note" for a in fig.layout.annotations)


def test_trend_figure_states_the_factor_and_interval():
    days = np.array([0, 200, 400, 600, 800])
    table = pd.DataFrame({"model": list("abcde"), "release_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(days, "D"),
                          "price": 10.0 * 10 ** (-days / 365.0), "score": 70.0})
    table.loc[2, "price"] *= 1.1
    fit = trends.price_trend(table, threshold=60)
    fig = figures.trend_figure(table, fit, metric_label="Q", price_label="P")
    assert "cheaper per year (90 % CI" in fig.layout.meta["headline"]
    assert fig.layout.yaxis.type == "log"
    assert any(getattr(t, "meta", None) == "trend-line" for t in fig.data)


def test_generations_arrows_point_teacher_to_student_in_log_space():
    d = pd.DataFrame({"teacher_id": ["o/big"], "student_id": ["o/small"], "teacher_price": [10.0],
                      "student_price": [0.5], "teacher_quality": [80.0], "student_quality": [74.0],
                      "price_drop_pct": [95.0], "quality_drop_pct": [7.5], "quality_delta_points": [-6.0],
                      "era": ["distillation"], "teacher_name": ["Big"], "student_name": ["Small"], "vendor": ["openai"]})
    fig = figures.generations_figure(d, metric_label="Q", price_label="P")
    a = fig.layout.annotations[0]
    assert (a.x, a.ax) == (pytest.approx(math.log10(0.5)), pytest.approx(1.0))
    drops = figures.generation_drops_figure(d)
    assert list(drops.data[0].x) == [95.0] and list(drops.data[0].y) == [7.5]


def test_generations_with_many_vendors_draw_a_bounded_legend_and_every_pair():
    """Pairs from 30 vendors: at most MAX_LEGEND_VENDORS legend vendors (teacher and student trace each), the rest as
    "other vendors"; every pair keeps its two points, its arrow and its hover, which names its vendor's models."""
    n = 60
    d = pd.DataFrame({"teacher_id": [f"v{i % 30}/big{i}" for i in range(n)],
                      "student_id": [f"v{i % 30}/small{i}" for i in range(n)],
                      "teacher_price": 10.0 + np.arange(n), "student_price": 0.5 + np.arange(n) / 10,
                      "teacher_quality": 80.0, "student_quality": 74.0 - np.arange(n) / 10,
                      "price_drop_pct": 90.0, "quality_drop_pct": 7.5, "quality_delta_points": -6.0,
                      "era": "distillation", "teacher_name": [f"Big {i}" for i in range(n)],
                      "student_name": [f"Small {i}" for i in range(n)], "vendor": [f"vendor-{i % 30:02d}" for i in range(n)]})
    fig = figures.generations_figure(d, metric_label="Q", price_label="P")
    names = [t.name for t in fig.data]
    assert len(names) == 2 * figures.MAX_LEGEND_VENDORS
    assert names[-2:] == ["other vendors teacher", "other vendors student"]
    assert sum(len(t.x) for t in fig.data) == 2 * n and len(fig.layout.annotations) == n
    ids = {str(row[0]) for t in fig.data for row in t.customdata}
    assert ids == set(d["teacher_id"]) | set(d["student_id"])


def test_price_history_marks_effective_and_observed_dates_differently():
    h = pd.DataFrame({"model_id": ["m", "m"], "effective_from": pd.to_datetime(["2024-01-01", "2024-06-01"]),
                      "effective_to": [pd.NaT, pd.NaT], "input_usd_per_mtok": [2.0, 1.0],
                      "output_usd_per_mtok": [6.0, 3.0], "date_kind": ["effective", "observed"], "source_id": ["s", "s"]})
    fig = figures.price_history_figure(h, data_as_of="2025-01-01")
    steps = [t for t in fig.data if t.mode == "lines"]
    assert {t.name for t in steps} == {"input price", "output price"}
    assert all(t.line.shape == "hv" for t in steps)
    marks = [t for t in fig.data if t.mode == "markers" and t.name.endswith("changes")][0]
    assert list(marks.marker.symbol) == ["circle", "circle-open"]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_light_and_dark_templates_differ_and_apply(theme):
    fig = figures.apply_theme(figures.frontier_figure(_points(3), metric_label="Q"), theme)
    assert fig.layout.template.layout.paper_bgcolor == figures.TEMPLATES[theme].layout.paper_bgcolor
    other = "dark" if theme == "light" else "light"
    mine, theirs = figures.TEMPLATES[theme].layout, figures.TEMPLATES[other].layout
    assert mine.paper_bgcolor != theirs.paper_bgcolor and mine.font.color != theirs.font.color


def test_frontier_models_are_named_on_the_chart_unless_there_are_too_many():
    df = _points(4).assign(name=["Cheap <b>", "Mid", "Good", "Best"])
    line = [t for t in figures.frontier_figure(df, metric_label="Q").data if t.name == "Pareto frontier"][0]
    assert "text" in line.mode
    assert list(line.text) == ["Cheap &lt;b&gt;", "Mid", "Good", "Best"]  # escaped, in price order
    crowded = _points(figures.MAX_FRONTIER_LABELS + 1)
    line = [t for t in figures.frontier_figure(crowded, metric_label="Q").data if t.name == "Pareto frontier"][0]
    assert line.mode == "lines" and not line.text


def test_the_cheapest_frontier_label_stays_inside_the_plot():
    # the cheapest frontier point sits at the plot's left edge: its (long) label goes to its right
    assert figures.place_labels([-0.99], [50.0], ["A very long cheapest model name"], [-1, 1],
                                [0, 100])[0].endswith("right")
    line = [t for t in figures.frontier_figure(_points(4), metric_label="Q").data if t.name == "Pareto frontier"][0]
    assert len(line.textposition) == len(line.x)


def test_label_placement_keeps_labels_apart_off_markers_and_inside():
    # two frontier points close together with long names: the second label must not sit on the first
    pos = figures.place_labels([0.0, 0.05], [50.0, 50.5], ["A long model name", "Another long name"], [-1, 1],
                               [0, 100])
    assert pos[0] != pos[1]
    # a point at the right edge is labelled on its left; one with a marker above it is labelled elsewhere
    assert figures.place_labels([0.99], [50.0], ["Right edge model"], [-1, 1], [0, 100])[0].endswith("left")
    assert figures.place_labels([0.0], [50.0], ["Blocked"], [-1, 1], [0, 100],
                                obstacles=[(-0.03, 53.0), (-0.06, 53.0)])[0] != "top left"


def test_legend_groups_small_vendors_into_other_with_distinct_colours():
    import pandas as pd

    rows = [{"model_id": f"v{i}/m{j}", "name": f"m{j}", "vendor": f"vendor-{i:02d}", "price": 1.0 + i + j / 10,
             "quality": 10.0 + i, "on_frontier": False} for i in range(20) for j in range(1 + i % 3)]
    fig = figures.frontier_figure(pd.DataFrame(rows), metric_label="Q")
    names = [t.name for t in fig.data]
    assert len(names) == figures.MAX_LEGEND_VENDORS + 1  # the kept vendors, "other vendors", the frontier line
    assert "other vendors" in names and names[-1] == "Pareto frontier"
    colours = [t.marker.color for t in fig.data if t.name not in ("Pareto frontier",)]
    assert len(set(colours)) == len(colours)  # no two vendors share a colour
    drawn = sum(len(t.x) for t in fig.data if t.name != "Pareto frontier")
    assert drawn == len(rows)  # grouping hides no point
    assert all(not n.startswith("vendor-") for n in names)  # display names, not slugs


def test_calculator_names_of_models_at_one_price_do_not_sit_on_each_other():
    """Three ringed models at the same monthly cost and close scores (GPT-4o snapshots): each name takes its own
    side of its marker, so no two labels are drawn in the same place."""
    pts = pd.DataFrame({"model_id": ["a", "b", "c", "d", "e", "f", "g"],
                        "name": ["GPT-4o (2024-08-06)", "GPT-4o (2024-11-20)", "GPT-4o (2024-05-13)", "Cheap one",
                                 "Weak one", "Weaker one", "Dear one"],
                        "vendor": ["openai", "openai", "openai", "other", "other", "other", "other"],
                        "monthly_cost_usd": [450.0, 450.0, 800.0, 9.8, 6.0, 30.0, 1600.0],
                        "quality": [78.5, 77.25, 78.25, 76.5, 25.0, 31.0, 75.75],
                        "cheapest": [True, True, True, True, False, False, False]})
    fig = figures.calculator_figure(pts, metric_label="Q", quality_bar=73.6)
    ringed = next(t for t in fig.data if t.name == "cheapest above the bar")
    pos = dict(zip(ringed.text, ringed.textposition if not isinstance(ringed.textposition, str)
                   else [ringed.textposition] * len(ringed.text)))
    assert len({pos["GPT-4o (2024-08-06)"], pos["GPT-4o (2024-11-20)"], pos["GPT-4o (2024-05-13)"]}) == 3
