"""One function per chart, shared by the dashboard pages, `python -m lib export` and the tests: a store connection
and the view's parameters in; the figure, the plotted rows, the numbers shown beside it and the source ids out.

No Streamlit here: pages call these through the cached wrappers in lib/ui.py, the export command calls them
directly, so a page and the CLI given the same parameters draw the same points.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Callable, Iterator, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from lib import clock, costs, figures, generations, queries, snapshot, trends, views
from lib.constants import DEFAULT_BASIS, DEFAULT_METRIC, DEFAULT_RATIO
from lib.curate.article import ARTICLE_MODELS, ARTICLE_PAIRS, COMPOSITE_METRIC
from lib.errors import UsageError

SPEED_COLUMNS = ("speed_observed_date", "output_tokens_per_s", "ttft_s")
PRICE_POLICY_TEXT = {"student-launch": "both priced at the student's launch", "today": "both priced today"}


@dataclasses.dataclass
class Chart:
    """What a chart function returns. `points` are the rows drawn (what the CSV/Parquet download writes),
    `summary` the numbers the page shows beside the chart, `sources` the source ids the figure credits and
    `extra` further figures or tables of the same view. Unpacks as `(fig, points)`."""

    fig: go.Figure
    points: pd.DataFrame
    summary: dict = dataclasses.field(default_factory=dict)
    sources: list[str] = dataclasses.field(default_factory=list)
    extra: dict = dataclasses.field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.fig, self.points))

    def __reduce__(self):
        # the figure (and any further figure in `extra`) as its stored props and JSON (Streamlit's cache pickles a
        # chart; a hit skips Plotly's validation and draws it from its JSON)
        extra = {
            k: _ExtraFigure(figures.figure_state(v)) if isinstance(v, go.Figure) else v for k, v in self.extra.items()
        }
        return (_chart_from_state, (figures.figure_state(self.fig), self.points, self.summary, self.sources, extra))


@dataclasses.dataclass(frozen=True)
class _ExtraFigure:
    state: tuple


def _chart_from_state(fig_state: tuple, points, summary, sources, extra) -> Chart:
    extra = {k: figures.figure_from_state(v.state) if isinstance(v, _ExtraFigure) else v for k, v in extra.items()}
    return Chart(figures.figure_from_state(fig_state), points, summary, sources, extra)


# --- shared bits ------------------------------------------------------------------------------------------------


def newest_data_date(con, today: dt.date | None = None) -> dt.date:
    """The newest date in the store, at most today (a scheduled deprecation is not data from the future)."""
    today = today or clock.today()
    _, hi = queries.date_span(con)
    return min(pd.Timestamp(hi).date(), today) if hi is not None else today


def newest_observation(con, today: dt.date | None = None) -> dt.date:
    """The newest observation in the store (snapshot retrieved, price or release date, never in the future): what
    a chart's "data as of" says. The market's date is separate ("market as of")."""
    today = today or clock.today()
    # one aggregate (views.newest_data_date's rule): sources_summary and change_dates scan the prices table twice
    return queries.newest_observation(con, today) or newest_data_date(con, today)


def metric_labels(con, metric_id: str) -> tuple[dict, str, str]:
    """(metric row, axis label with unit, short name for titles); UsageError for an unknown metric."""
    row = snapshot.metric_row(con, metric_id)
    row = {**row, "metric_id": metric_id}
    return row, views.metric_label(row), views.metric_short(row)


def article_headline_pairs() -> tuple[tuple[str, str], ...]:
    """The article's distilled (teacher, student) pairs: arrows on the Frontier chart of its metric."""
    return tuple((t, s) for t, s, era in ARTICLE_PAIRS if era == "distillation")


def _price_and_score_sources(con, metric_id: str | None, model_ids: Sequence[str], dates: Sequence) -> list[str]:
    """Source ids of the prices (model at date) and of the metric's scores a chart uses."""
    ids: set[str] = set()
    if not len(model_ids):
        return []
    req = pd.DataFrame({"model_id": list(model_ids), "at_date": pd.to_datetime(list(dates)).date})
    ids |= queries.price_source_ids(con, req)  # the prices the pairs were priced with, read once
    if metric_id:
        ids |= queries.score_source_ids(con, metric_id, req["at_date"].max(), req["model_id"])
    return sorted(ids)


# --- Frontier ---------------------------------------------------------------------------------------------------

FRONTIER_FILTERS = ("reviewed", "vendors", "released", "open_weights", "min_context")


def _with_speed(market: pd.DataFrame, speed: pd.DataFrame) -> pd.DataFrame:
    """`market.merge(speed, on="model_id", how="left")` (speed: one row per model) as three columns looked up by
    model id, without copying every column of the market through the join; the merge where it would add suffixes."""
    cols = [c for c in speed.columns if c != "model_id"]
    if (
        any(c in market.columns for c in cols)
        or not speed["model_id"].is_unique
        or not market.index.equals(pd.RangeIndex(len(market)))
    ):
        return market.merge(speed, on="model_id", how="left")
    found = speed.set_index("model_id")[cols].reindex(market["model_id"].to_numpy())
    out = market.copy(deep=False)
    for c in cols:
        out[c] = found[c].to_numpy()
    return out


def frontier(
    con,
    *,
    as_of: dt.date,
    metric_id: str = DEFAULT_METRIC,
    basis: str = DEFAULT_BASIS,
    ratio: str = DEFAULT_RATIO,
    filters: Mapping[str, Any] | None = None,
    headline_pairs: Sequence[tuple[str, str]] | None = None,
    replay_dates: Sequence[dt.date] | None = None,
    user: pd.DataFrame | None = None,
    theme: str = "light",
    host: str = "vendor",
    benchmark: str | None = None,
    workload: str | None = None,
    min_speed: float | None = None,
) -> Chart:
    """Price vs quality of every model on the market at `as_of`, with the Pareto frontier of what the filters
    leave (lower-is-better metrics honoured). `headline_pairs` None: the article's distilled pairs on its own
    metric, none on others. `user`: the session's uploaded models, drawn as the user's.

    Cost bases: `basis` "per-task" prices each model by its measured cost per task on `benchmark` (unmeasured
    models are left out and counted), "workload" by one task of `workload` (a preset name or the workload's JSON);
    `host` picks the vendor's own, the cheapest or the median host price; `min_speed` keeps models measured at
    least that many output tokens per second."""
    metric, m_label, short = metric_labels(con, metric_id)
    hib = bool(metric["higher_is_better"])
    f = dict(filters or {})
    unknown = set(f) - set(FRONTIER_FILTERS)
    if unknown:
        raise UsageError(f"unknown frontier filter(s): {', '.join(sorted(unknown))}")
    cost_view = basis in costs.PER_TASK_BASES or host != "vendor" or min_speed is not None
    cost_summary: dict = {}
    if cost_view:
        w = costs.parse_workload(workload or "chat") if basis == "workload" else None
        market, cost_summary = costs.market_on_basis(
            con, as_of, metric_id, basis, ratio, host=host, benchmark_id=benchmark, workload=w
        )
        if min_speed is not None:
            market = market[market["output_tokens_per_s"] >= float(min_speed)]
            cost_summary["min_speed"] = float(min_speed)
    else:
        market = snapshot.market_as_of(con, as_of, metric_id, basis, ratio)
        speed = queries.speed_as_of(con, as_of)[["model_id", "output_tokens_per_s", "ttft_s", "speed_observed_date"]]
        market = _with_speed(market, speed)  # measured speed, shown in the hover
    if user is not None and len(user):
        market = views.add_user_models(market, user, metric_id, basis, ratio, higher_is_better=hib)
    points = views.frontier_points(market, higher_is_better=hib, **f)
    frames = None
    if replay_dates and cost_view:  # each frame on the same basis, host choice and speed filter as the view
        series = costs.markets_on_basis(
            con,
            replay_dates,
            metric_id,
            basis,
            ratio,
            host=host,
            benchmark_id=benchmark,
            workload=costs.parse_workload(workload or "chat") if basis == "workload" else None,
            min_speed=min_speed,
        )
    elif replay_dates:  # only what a frame draws: the models with a price and a score, the columns it shows
        series = snapshot.replay_markets_as_of(con, replay_dates, metric_id, basis, ratio)
    if replay_dates:
        # each frame's hover carries the speed measured by its date, as the one-date chart's does
        speed = queries.speeds_at(con, replay_dates)
        series = (
            series.drop(columns=[c for c in SPEED_COLUMNS if c in series.columns])
            .assign(as_of=pd.to_datetime(series["as_of"]))
            .merge(speed, on=["as_of", "model_id"], how="left")
        )
        frames = pd.concat([views.frontier_points(g, higher_is_better=hib, **f) for _, g in series.groupby("as_of")])
    if headline_pairs is None:
        headline_pairs = article_headline_pairs() if metric_id == COMPOSITE_METRIC else ()
    drawn = views.plottable(points).reset_index(drop=True)
    sources = views.used_source_ids(drawn)
    if basis in costs.PER_TASK_BASES and "task_source_id" in drawn:
        sources = sorted(set(sources) | set(drawn["task_source_id"].dropna().astype(str)))
    p_label = (
        costs.basis_label(basis, cost_summary) if basis in costs.PER_TASK_BASES else views.price_label(basis, ratio)
    )
    fig = figures.frontier_figure(
        drawn,  # the rows it draws (`plottable`'s are `_drawable`'s): not filtered out of every point again
        metric_label=m_label,
        price_label=p_label,
        title=f"Price vs {short}, as of {as_of}",
        sources=sources,
        data_as_of=newest_observation(con),
        market_as_of=as_of,
        headline_pairs=headline_pairs,
        frames=frames,
        theme=theme,
    )
    extra: dict = {}
    if basis == "per-task":
        bench = costs.check_benchmark(con, cost_summary["benchmark_id"])
        extra["reversals"] = costs.reversals(drawn.assign(list_price=drawn["list_price"]))
        if bench["metric_id"] == metric_id:  # the settings' own scores are on this chart's axis
            variants = queries.task_cost_variants_as_of(con, as_of, bench["benchmark_id"])
            variants = variants[variants["model_id"].isin(set(drawn["model_id"]))]
            figures.add_effort_curves(fig, variants, drawn, theme=theme)
            extra["effort_models"] = int((variants.groupby("model_id").size() > 1).sum())
    summary = {**views.frontier_summary(points), **cost_summary, "price_label": p_label}
    return Chart(fig, drawn, summary, sources, extra)


# --- Calculator -------------------------------------------------------------------------------------------------


def calculator_market(
    con,
    *,
    as_of: dt.date,
    metric_id: str = DEFAULT_METRIC,
    vendors: Sequence[str] = (),
    reviewed: bool = False,
    user: pd.DataFrame | None = None,
    basis: str = DEFAULT_BASIS,
    benchmark: str | None = None,
    workload: str | None = None,
) -> pd.DataFrame:
    """The models the Calculator weighs: the market at `as_of` (prices blended 3:1 for the frontier flag) plus
    the user's uploads, narrowed to `vendors` and to reviewed models when asked. On a per-task `basis` each model
    carries `usd_per_task` (measured on `benchmark`, or one task of `workload`); uploads have no measurement."""
    metric = snapshot.metric_row(con, metric_id)
    if basis in costs.PER_TASK_BASES:
        market, _ = costs.market_on_basis(
            con,
            as_of,
            metric_id,
            basis,
            DEFAULT_RATIO,
            benchmark_id=benchmark,
            workload=costs.parse_workload(workload or "chat") if basis == "workload" else None,
        )
        user = None  # an upload has token prices only: no measured or profiled cost per task
    else:
        market = snapshot.market_as_of(con, as_of, metric_id, DEFAULT_BASIS, DEFAULT_RATIO)
    if user is not None and len(user):
        market = views.add_user_models(
            market, user, metric_id, DEFAULT_BASIS, DEFAULT_RATIO, higher_is_better=bool(metric["higher_is_better"])
        )
    if vendors:
        market = market.loc[market["vendor"].isin(list(vendors))]
    if reviewed:
        market = views.reviewed_only(market)
    return market


def workload_text(input_tokens: float, output_tokens: float, cache_hit_rate: float = 0.0) -> str:
    return f"{input_tokens / 1e6:g} M in + {output_tokens / 1e6:g} M out / month" + (
        f", {cache_hit_rate:.0%} cached" if cache_hit_rate else ""
    )


def calculator(
    con,
    *,
    as_of: dt.date,
    metric_id: str = DEFAULT_METRIC,
    input_tokens: float = 10e6,
    output_tokens: float = 2e6,
    cache_hit_rate: float = 0.0,
    quality_bar: float | None = None,
    vendors: Sequence[str] = (),
    reviewed: bool = False,
    user: pd.DataFrame | None = None,
    theme: str = "light",
    basis: str = DEFAULT_BASIS,
    tasks_per_month: float = 10_000,
    benchmark: str | None = None,
    workload: str | None = None,
) -> Chart:
    """Monthly cost of a workload against quality; the five cheapest models at or above the bar ringed.
    `basis` blended: tokens per month at list prices; per-task / workload: `tasks_per_month` tasks at each
    model's cost per task (measured on `benchmark`, or one task of `workload`; models without one are left out).
    Summary: the cheapest-models table, the workload's text and (per task) the left-out count."""
    metric, m_label, short = metric_labels(con, metric_id)
    market = calculator_market(
        con,
        as_of=as_of,
        metric_id=metric_id,
        vendors=vendors,
        reviewed=reviewed,
        user=user,
        basis=basis,
        benchmark=benchmark,
        workload=workload,
    )
    per_task = basis in costs.PER_TASK_BASES
    monthly = views.workload_costs(
        market,
        input_tokens,
        output_tokens,
        cache_hit_rate,
        quality_bar,
        higher_is_better=bool(metric["higher_is_better"]),
        tasks_per_month=tasks_per_month if per_task else None,
    )
    drawn = views.plottable(monthly, "monthly_cost_usd").reset_index(drop=True)
    sources = views.used_source_ids(drawn)
    if per_task and "task_source_id" in drawn:
        sources = sorted(set(sources) | set(drawn["task_source_id"].dropna().astype(str)))
    if per_task:
        if basis == "per-task":
            bench = costs.check_benchmark(con, benchmark or costs.DEFAULT_BENCHMARK)["name"]
            text = f"{tasks_per_month:,.0f} tasks / month at the measured cost per task ({bench})"
        else:
            name = costs.parse_workload(workload or "chat").name
            text = f"{tasks_per_month:,.0f} tasks / month of workload '{name}'"
    else:
        text = workload_text(input_tokens, output_tokens, cache_hit_rate)
    fig = figures.calculator_figure(
        monthly,
        metric_label=m_label,
        quality_bar=quality_bar,
        title=f"Monthly cost vs {short} — {text}",
        workload_label=text,
        sources=sources,
        data_as_of=newest_observation(con),
        market_as_of=as_of,
        theme=theme,
    )
    left_out = int((monthly["quality"].notna() & monthly["monthly_cost_usd"].isna()).sum()) if per_task else 0
    return Chart(
        fig, drawn, {"cheapest": views.cheapest_table(monthly), "workload": text, "left_out": left_out}, sources
    )


# --- Generations ------------------------------------------------------------------------------------------------


def article_pair_rows(con) -> list[tuple]:
    """The article's pairs as (teacher, student, relation, era) rows, relations from the lineage table."""
    return views.pair_set_rows("article", queries.lineage(con), ARTICLE_PAIRS)


def _pair_price_requests(deltas: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(model ids, price dates) of both ends of every pair drawn."""
    ok = deltas.dropna(subset=["teacher_price", "student_price", "teacher_quality", "student_quality"])
    reqs: set[tuple[str, str]] = set()
    for role in ("teacher", "student"):
        if f"{role}_price_date" in ok:
            reqs |= set(zip(ok[f"{role}_id"], ok[f"{role}_price_date"].astype(str)))
    ordered = sorted(reqs)
    return [m for m, _ in ordered], [d for _, d in ordered]


def _pair_deltas(
    con,
    metric_id: str,
    pairs: Sequence[tuple],
    price_date: str,
    basis: str,
    ratio: str,
    benchmark: str | None = None,
    workload: str | None = None,
):
    known = queries.model_ids(con)
    rows = [tuple(p) for p in pairs if p[0] in known and p[1] in known]
    pairs_df = pd.DataFrame(rows, columns=["teacher_id", "student_id", "relation", "era"])
    deltas, summary = generations.generations_from_db(
        con,
        metric_id,
        pairs_df,
        price_date,
        basis,
        ratio,
        benchmark_id=benchmark,
        workload=costs.parse_workload(workload) if workload else None,
    )
    return views.with_pair_names(deltas, queries.models_by_id(con)), summary


def _basis_price_label(con, basis: str, ratio: str, benchmark: str | None, workload: str | None) -> str:
    """The price axis's label on any basis (per token, per task measured on a benchmark, per task of a workload)."""
    if basis == "per-task":
        return costs.basis_label(
            basis, {"benchmark": costs.check_benchmark(con, benchmark or costs.DEFAULT_BENCHMARK)["name"]}
        )
    if basis == "workload":
        return costs.basis_label(basis, {"workload": costs.parse_workload(workload).name if workload else "custom"})
    return views.price_label(basis, ratio)


def generations_chart(
    con,
    *,
    metric_id: str = DEFAULT_METRIC,
    pairs: Sequence[tuple] | None = None,
    price_date: str = "student-launch",
    basis: str = DEFAULT_BASIS,
    ratio: str = DEFAULT_RATIO,
    benchmark: str | None = None,
    workload: str | None = None,
    data_as_of: dt.date | None = None,
    theme: str = "light",
) -> Chart:
    """Teacher → student arrows (price and quality of each pair) and, in `extra["fig_drops"]`, price drop vs
    quality drop by era. `pairs`: (teacher, student, relation, era) rows, default the article's; pairs with an
    unknown model are left out. Summary: the era table (`summary["eras"]`)."""
    metric, m_label, short = metric_labels(con, metric_id)
    pairs = article_pair_rows(con) if pairs is None else pairs
    deltas, eras = _pair_deltas(con, metric_id, pairs, price_date, basis, ratio, benchmark, workload)
    sources = _price_and_score_sources(con, metric_id, *_pair_price_requests(deltas))
    as_of = data_as_of or newest_observation(con)
    policy = PRICE_POLICY_TEXT.get(price_date, f"both priced on {price_date}")
    fig = figures.generations_figure(
        deltas,
        metric_label=m_label,
        price_label=_basis_price_label(con, basis, ratio, benchmark, workload),
        title=f"Teacher → student on {short} ({policy})",
        sources=sources,
        data_as_of=as_of,
        theme=theme,
    )
    drops = figures.generation_drops_figure(
        deltas,
        scale=str(metric.get("scale") or "percent"),
        metric_label=short,
        title="Price drop vs quality drop, by era",
        sources=sources,
        data_as_of=as_of,
        theme=theme,
    )
    return Chart(
        fig,
        deltas,
        {"eras": eras, "policy": policy, "price_label": _basis_price_label(con, basis, ratio, benchmark, workload)},
        sources,
        {"fig_drops": drops},
    )


def successor_chains(
    con,
    *,
    metric_id: str = DEFAULT_METRIC,
    price_date: str = "student-launch",
    basis: str = DEFAULT_BASIS,
    ratio: str = DEFAULT_RATIO,
    benchmark: str | None = None,
    workload: str | None = None,
    data_as_of: dt.date | None = None,
    theme: str = "light",
) -> Chart:
    """Each step of every successor chain of the lineage table as an arrow (the chain's first model names it)."""
    metric, m_label, short = metric_labels(con, metric_id)
    chains = generations.successor_chains(queries.lineage(con))
    steps = views.chain_steps_as_pairs(chains)
    title = f"Successor steps on {short}"
    as_of = data_as_of or newest_observation(con)
    if not steps:
        fig = figures.empty_figure(
            "The lineage table has no successor chains.", title=title, data_as_of=as_of, theme=theme
        )
        return Chart(fig, pd.DataFrame(), {"chains": 0}, [])
    deltas, _ = _pair_deltas(con, metric_id, steps, price_date, basis, ratio, benchmark, workload)
    names = queries.models_by_id(con)["name"]
    deltas = deltas.rename(columns={"era": "chain"})
    deltas["era"] = deltas["chain"].map(names).fillna(deltas["chain"])
    sources = _price_and_score_sources(con, metric_id, *_pair_price_requests(deltas))
    fig = figures.generations_figure(
        deltas,
        metric_label=m_label,
        price_label=_basis_price_label(con, basis, ratio, benchmark, workload),
        title=title,
        sources=sources,
        data_as_of=as_of,
        theme=theme,
    )
    return Chart(fig, deltas, {"chains": int(chains["chain_id"].nunique()) if len(chains) else 0}, sources)


# --- Trends -----------------------------------------------------------------------------------------------------


def trend_table(
    con,
    *,
    metric_id: str = DEFAULT_METRIC,
    price_date: str = "release",
    basis: str = DEFAULT_BASIS,
    ratio: str = DEFAULT_RATIO,
    benchmark: str | None = None,
    workload: str | None = None,
) -> pd.DataFrame:
    """Every scored and priced model (`model, release_date, price, score, price_date, name, vendor`)."""
    table = trends.trend_table_from_db(
        con,
        metric_id,
        price_date=price_date,
        basis=basis,
        ratio=ratio,
        benchmark_id=benchmark,
        workload=costs.parse_workload(workload) if workload else None,
    )
    return views.trend_table_with_names(table, queries.models(con))


def default_threshold_model(table: pd.DataFrame) -> str | None:
    """The first of the article's models (GPT-4 first) that the table scores: the CLI's default threshold."""
    scored = set(table["model"])
    return next((m for m in ARTICLE_MODELS if m in scored), None)


def trend(
    con,
    *,
    metric_id: str = DEFAULT_METRIC,
    threshold: float | None = None,
    threshold_model: str | None = None,
    price_date: str = "release",
    basis: str = DEFAULT_BASIS,
    ratio: str = DEFAULT_RATIO,
    benchmark: str | None = None,
    workload: str | None = None,
    data_as_of: dt.date | None = None,
    theme: str = "light",
) -> Chart:
    """Cheapest price to reach a quality level over time with Epoch AI's fitted decline. Threshold: a score, a
    model's score, or (neither given) the first article model's score. Summary: `fit` (lib.trends.TrendFit)."""
    metric, m_label, short = metric_labels(con, metric_id)
    table = trend_table(
        con,
        metric_id=metric_id,
        price_date=price_date,
        basis=basis,
        ratio=ratio,
        benchmark=benchmark,
        workload=workload,
    )
    if threshold is None and threshold_model is None:
        threshold_model = default_threshold_model(table)
        if threshold_model is None:
            raise UsageError(f"no article model has a {metric_id} score; give a threshold")
    if threshold_model is not None and threshold_model not in set(table["model"]):
        raise UsageError(f"model '{threshold_model}' has no {metric_id} score with a price")
    fit = trends.price_trend(table, threshold=threshold, threshold_model=threshold_model)
    shown = table.loc[table["score"].astype(float) >= fit.threshold].reset_index(drop=True)
    shown.insert(0, "model_id", shown["model"])
    sources = _price_and_score_sources(
        con, metric_id, list(shown["model"]), list(pd.to_datetime(shown["price_date"]).dt.strftime("%Y-%m-%d"))
    )
    by = ""
    if threshold_model:
        names = table.drop_duplicates("model").set_index("model")["name"]
        by = f" ({names.get(threshold_model, threshold_model)}'s score)"
    fig = figures.trend_figure(
        table,
        fit,
        metric_label=m_label,
        price_label=_basis_price_label(con, basis, ratio, benchmark, workload),
        title=f"Cheapest price to reach {short} ≥ {fit.threshold:.4g}{by}",
        sources=sources,
        data_as_of=data_as_of or newest_observation(con),
        theme=theme,
    )
    return Chart(fig, shown, {"fit": fit, "table": table}, sources)


def frontier_price_levels(
    con,
    *,
    metric_id: str = DEFAULT_METRIC,
    levels: Sequence[float],
    dates: Sequence[dt.date],
    basis: str = DEFAULT_BASIS,
    ratio: str = DEFAULT_RATIO,
    benchmark: str | None = None,
    workload: str | None = None,
    data_as_of: dt.date | None = None,
    theme: str = "light",
) -> Chart:
    """The frontier's cheapest price at fixed quality levels, at each of `dates` (month-ends)."""
    _, _, short = metric_labels(con, metric_id)
    if basis in costs.PER_TASK_BASES:  # per task: each month's market priced with that month's rules
        series = snapshot.markets_as_of(con, dates, metric_id, DEFAULT_BASIS, ratio)
        series["price"] = costs.prices_on_basis(
            con,
            series.rename(columns={"as_of": "at_date"}),
            basis,
            ratio,
            benchmark_id=benchmark,
            workload=costs.parse_workload(workload) if workload else None,
        ).to_numpy()
    else:
        series = snapshot.markets_as_of(con, dates, metric_id, basis, ratio)
    at_levels = views.frontier_price_by_month(series, levels)
    on_chart = at_levels.dropna(subset=["price", "model"])
    sources = _price_and_score_sources(
        con, metric_id, list(on_chart["model"]), list(pd.to_datetime(on_chart["date"]).dt.strftime("%Y-%m-%d"))
    )
    names = queries.models(con).set_index("model_id")["name"].to_dict()
    fig = figures.frontier_price_over_time_figure(
        at_levels,
        metric_label=short,
        price_label=_basis_price_label(con, basis, ratio, benchmark, workload),
        names=names,
        sources=sources,
        data_as_of=data_as_of or newest_observation(con),
        theme=theme,
    )
    return Chart(fig, at_levels, {}, sources)


# --- Price history ----------------------------------------------------------------------------------------------


def _end_at_retirement(history: pd.DataFrame, retired: pd.Series) -> pd.DataFrame:
    """A model's price line stops at its (first) vendor retirement: later intervals go, the last one ends then."""
    if history.empty or retired.empty:
        return history
    h = history.copy()
    end = pd.to_datetime(h["model_id"].map(retired))
    start = pd.to_datetime(h["effective_from"])
    h = h.loc[end.isna() | (start < end)]
    end = end.loc[h.index]
    to = pd.to_datetime(h["effective_to"])
    h["effective_to"] = to.where(end.isna() | (to.notna() & (to <= end)), end).dt.date
    return h.reset_index(drop=True)


def price_history(
    con, *, model_ids: Sequence[str], title: str | None = None, data_as_of: dt.date | None = None, theme: str = "light"
) -> Chart:
    """Input (solid) and output (dashed) headline price over time of up to six models."""
    known = queries.model_names(con, model_ids)
    names = {m: str(known.get(m, m)) for m in model_ids}
    frames = [f for f in (snapshot.headline_price_history(con, m) for m in model_ids) if len(f)]
    history = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=snapshot.HISTORY_COLUMNS)
    if title is None:
        title = (
            f"{names[model_ids[0]]}: price per million tokens"
            if len(model_ids) == 1
            else "Price per million tokens (input solid, output dashed)"
        )
    life = [queries.lifecycle(con, m).assign(model_id=m) for m in model_ids]
    events = pd.concat(life, ignore_index=True) if life else pd.DataFrame()
    if len(events):  # the vendor's own events (a host's retirement ends only that host's offering)
        events = events[events["scope"].astype(str) == "vendor"]
        retired = events[events["event"] == "retired"].groupby("model_id")["date"].min()
        # the first vendor retirement takes the model off the market; a later date from another source is moot
        if len(retired):
            first = events["model_id"].map(retired.to_dict())
            events = events[~((events["event"] == "retired") & (events["date"] > first))]
        history = _end_at_retirement(history, retired)
    sources = sorted(set(history["source_id"].dropna().astype(str)))
    fig = figures.price_history_figure(
        history,
        names=names,
        title=title,
        sources=sources,
        data_as_of=data_as_of or newest_observation(con),
        theme=theme,
        lifecycle=events,
    )
    return Chart(fig, history, {"names": names, "lifecycle": events}, sources)


def host_prices(con, *, model_id: str, data_as_of: dt.date | None = None, theme: str = "light") -> Chart:
    """Each API host's list price of one model at each observation, with the cheapest, median and dearest."""
    hosts = queries.host_prices_for_model(con, model_id)
    name = str(queries.model_names(con, [model_id]).get(model_id, model_id))
    sources = sorted(set(hosts["source_id"].dropna().astype(str)))
    fig = figures.host_prices_figure(
        hosts,
        title=f"{name}: price by API host",
        sources=sources,
        data_as_of=data_as_of or newest_observation(con),
        theme=theme,
    )
    return Chart(fig, hosts, {"hosts": int(hosts["provider"].nunique()) if len(hosts) else 0}, sources)


# The charts `python -m lib export --chart NAME` offers, by name.
CHARTS: dict[str, Callable[..., Chart]] = {
    "frontier": frontier,
    "generations": generations_chart,
    "trend": trend,
    "price-history": price_history,
    "calculator": calculator,
}
