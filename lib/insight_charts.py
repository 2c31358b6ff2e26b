"""Charts of the insight pages (distillation index, forecasts): pure figure builders, and one chart function per
chart that takes the store and the view's parameters and returns figure, points, summary and sources.

No Streamlit here; the page, the export and the tests share these functions.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib import distillation, figures, generations, queries, snapshot, switching, trends, views
from lib import forecast as fc
from lib.curate.article import ARTICLE_PAIRS, COMPOSITE_METRIC
from lib.errors import UsageError
from lib.figures import _ACCENT, _MUTED, _meta, empty_figure, escape, vendor_colour

__all__ = ["era_spans", "article_points", "distillation_figure", "distillation_chart", "forecast_figure", "forecast_chart", "switching_figure", "switching_chart"]

_ERA_FILL = {"pre-distillation": "rgba(238,119,51,0.10)", "distillation": "rgba(68,119,170,0.10)"}


def era_spans(article: pd.DataFrame, start, end) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """The article's eras as date spans: each era starts at its first student's release (the first era at
    ``start``) and ends where the next begins (the last at ``end``). ``article``: ``era, student_release``."""
    if article is None or article.empty:
        return []
    a = article.dropna(subset=["era", "student_release"])
    firsts = a.groupby("era")["student_release"].min().sort_values()
    eras = list(firsts.index)
    starts = [pd.Timestamp(start)] + [pd.Timestamp(x) for x in firsts.iloc[1:]]
    ends = starts[1:] + [pd.Timestamp(end)]
    return [(e, s, t) for e, s, t in zip(eras, starts, ends) if s < t]


def article_points(deltas: pd.DataFrame, models: pd.DataFrame) -> pd.DataFrame:
    """The article's pairs as points: ``teacher_id, student_id, era, student_release, quality_kept, price_ratio``."""
    rel = pd.to_datetime(models.set_index("model_id")["release_date"])
    d = deltas.loc[np.isfinite(deltas["quality_drop_pct"].astype(float))].copy()
    d["student_release"] = d["student_id"].map(rel)
    d["quality_kept"] = 1.0 - d["quality_drop_pct"].astype(float) / 100.0
    d["price_ratio"] = d["price_cut_factor"].astype(float)
    return d[["teacher_id", "student_id", "era", "student_release", "quality_kept", "price_ratio"]] \
        .dropna(subset=["student_release"]).reset_index(drop=True)


def _loss(kept) -> np.ndarray:
    return 100.0 * (1.0 - np.asarray(kept, dtype=float))


def distillation_figure(series: pd.DataFrame, median: pd.DataFrame, *, ratio: float, metric_label: str,
                        article: pd.DataFrame | None = None, eras=(), names: dict | None = None, title: str = "",
                        sources=(), data_as_of=None, theme: str = "light", height: int = 520) -> go.Figure:
    """Quality lost by the best model ≥ K× cheaper than the flagship, over time: one faint step line per vendor,
    the market-wide median (thick), the market's own flagship → any cheaper model (dashed), the article's pairs
    as stars, and the article's eras shaded. Y is the loss in % (100 − share kept), so "30 %" and "7 %" read off.
    """
    title = title or f"Quality lost at a ≥ {ratio:g}× price cut, over time"
    meta = _meta(title, sources, data_as_of, metric_label, "")
    if series is None or series.empty:
        return empty_figure("No vendor has a model that much cheaper than its flagship on this metric.",
                            title=title, sources=sources, data_as_of=data_as_of, theme=theme,
                            metric_label=metric_label)
    names = names or {}
    fig = go.Figure()

    def nm(x):
        return escape(names.get(x, x))

    hover = ("<b>%{customdata[1]}</b> %{x|%Y-%m}<br>flagship %{customdata[2]}<br>best ≥ " + f"{ratio:g}"
             + "× cheaper: %{customdata[3]}<br>%{customdata[4]:.1f}× cheaper, keeps %{customdata[5]:.1%} "
             "(loses %{y:.1f} %)<extra></extra>")

    def cd(df, label):
        return np.column_stack([df["student"].astype(str).to_numpy(dtype=object), [escape(label)] * len(df),
                                [nm(x) for x in df["flagship"]], [nm(x) for x in df["student"]],
                                df["price_ratio"].astype(float), df["quality_kept"].astype(float)])

    vendor = series.loc[series["scope"] == "vendor"]
    for v in sorted(vendor["vendor"].unique()):
        sub = vendor.loc[vendor["vendor"] == v].sort_values("period_end")
        fig.add_trace(go.Scatter(x=sub["period_end"], y=_loss(sub["quality_kept"]), mode="lines+markers",
                                 line_shape="hv", name=escape(v), legendgroup="vendors",
                                 line=dict(width=1.3, color=vendor_colour(v)), marker=dict(size=4),
                                 opacity=0.55, customdata=cd(sub, v), hovertemplate=hover))
    market = series.loc[series["scope"] == "market"].sort_values("period_end")
    if len(market):
        fig.add_trace(go.Scatter(x=market["period_end"], y=_loss(market["quality_kept"]), mode="lines",
                                 line_shape="hv", name="market's flagship → any vendor", meta="market-line",
                                 line=dict(width=2, dash="dash", color=_MUTED[theme]),
                                 customdata=cd(market, "market"), hovertemplate=hover))
    if median is not None and len(median):
        md = median.sort_values("period_end")
        fig.add_trace(go.Scatter(
            x=md["period_end"], y=_loss(md["quality_kept"]), mode="lines", line_shape="hv",
            name="median over vendors", meta="median-line", line=dict(width=3.5, color=_ACCENT[theme]),
            customdata=np.column_stack([["median"] * len(md), md["vendors"].astype(int)]),
            hovertemplate="<b>median over %{customdata[1]} vendor(s)</b> %{x|%Y-%m}: loses %{y:.1f} %"
                          "<extra></extra>"))
    if article is not None and len(article):
        a = article.sort_values("student_release")
        fig.add_trace(go.Scatter(
            x=a["student_release"], y=_loss(a["quality_kept"]), mode="markers+text", name="the article's pairs",
            meta="article-pairs", text=[f"{x:.0f} %" for x in _loss(a["quality_kept"])], textposition="top center",
            marker=dict(symbol="star", size=14, color="#FFB000", line=dict(width=1, color="#111827")),
            customdata=np.column_stack([a["student_id"].astype(str).to_numpy(dtype=object),
                                        [nm(x) for x in a["teacher_id"]], [nm(x) for x in a["student_id"]],
                                        a["price_ratio"].astype(float), [escape(e) for e in a["era"]]]),
            hovertemplate="<b>%{customdata[1]} → %{customdata[2]}</b> (%{customdata[4]})<br>%{customdata[3]:.1f}× "
                          "cheaper, loses %{y:.1f} %<extra></extra>"))
    for era, start, end in eras:
        fig.add_vrect(x0=start, x1=end, fillcolor=_ERA_FILL.get(era, "rgba(160,160,160,0.08)"), line_width=0,
                      layer="below", annotation_text=escape(era), annotation_position="top left",
                      annotation_font=dict(size=12, color=_MUTED[theme]), name=f"era:{era}")
    ys = np.concatenate([_loss(series["quality_kept"]),
                         _loss(article["quality_kept"]) if article is not None and len(article) else []])
    top = float(np.nanmax(ys)) if len(ys) else 50.0
    figures.themed_layout(fig, theme, title=dict(text=escape(title)),
                      height=height, meta=meta, hovermode="closest",
                      legend=dict(title=dict(text="series")),
                      xaxis=dict(title=dict(text="Period end")),
                      yaxis=dict(title=dict(text=f"{escape(metric_label)} lost (% of the flagship's score)"),
                                 ticksuffix=" %", range=[min(0.0, float(np.nanmin(ys)) - 2), top * 1.15 + 2]))
    return fig


def distillation_chart(con, *, metric_id: str, ratio: float = 10.0, flagship: str = "best", period: str = "month",
                       basis: str = "blended", price_ratio: str = "3:1", theme: str = "light") -> dict:
    """The distillation index chart from the store: ``{"fig", "points", "median", "summary", "sources"}``.

    ``summary``: the article-era values the note quotes (median loss at the end of each era's first full year
    of data, the newest median) plus the article's pairs.
    """

    metric = snapshot.metric_row(con, metric_id)
    series, median = distillation.distillation_from_db(con, metric_id, ratio, period=period, basis=basis,
                                                       price_ratio=price_ratio, flagship=flagship)
    models = queries.models(con)
    article = None
    if metric_id == COMPOSITE_METRIC:
        try:
            rows = views.pair_set_rows("article", queries.lineage(con), ARTICLE_PAIRS)
            deltas, _ = generations.generations_from_db(con, metric_id,
                                                        pd.DataFrame(rows, columns=generations.PAIR_COLUMNS))
            article = article_points(deltas, models)
        except UsageError:  # the article's models are missing from this database
            article = None
    lo, hi = distillation.data_end(con)
    start = series["period_end"].min() if len(series) else pd.Timestamp(lo)
    if article is not None and len(article):
        start = min(start, article["student_release"].min())
    eras = era_spans(article, start, pd.Timestamp(hi)) if article is not None else []
    names = models.set_index("model_id")["name"].to_dict()
    used = distillation.series_sources(con, series, metric_id) if len(series) else []
    fig = distillation_figure(series, median, ratio=ratio, metric_label=views.metric_short(metric), article=article,
                              eras=eras, names=names, sources=used, data_as_of=hi, theme=theme)
    return {"fig": fig, "points": series, "median": median, "article": article, "eras": eras, "sources": used,
            "summary": distillation.era_summary(median, eras)}


def forecast_figure(table: pd.DataFrame, fit, forecast: dict, *, price: float | None, metric_label: str,
                    price_label: str, names: dict | None = None, title: str = "", sources=(), data_as_of=None,
                    theme: str = "light", height: int = 520) -> go.Figure:
    """The trend a forecast stands on: qualifying models (faint), each new lowest price, the fitted line with its
    90 % prediction band carried to the forecast, the target price and the forecast date with its interval.

    ``fit``: a ``lib.forecast.LineFit``; ``forecast``: ``lib.forecast.date_for_price`` / ``forecast_price``."""

    title = title or f"When will {metric_label} ≥ {fit.threshold:g} cost that?"
    meta = _meta(title, sources, data_as_of, metric_label, price_label)
    names = names or {}
    t = table.assign(release_date=pd.to_datetime(table["release_date"]))
    qual = t.loc[(t["score"].astype(float) >= fit.threshold) & (t["price"] > 0)]
    fig = go.Figure()
    hover = "<b>%{customdata[1]}</b><br>released %{x|%Y-%m-%d}<br>%{y:$.3g} / M tokens<extra></extra>"

    def cd(df):
        return np.column_stack([df["model"].astype(str).to_numpy(dtype=object),
                                [escape(names.get(m, m)) for m in df["model"]]])

    fig.add_trace(go.Scatter(x=qual["release_date"], y=qual["price"].astype(float), mode="markers",
                             name=f"models scoring ≥ {fit.threshold:g}", customdata=cd(qual), hovertemplate=hover,
                             marker=dict(size=7, color=_MUTED[theme], opacity=0.4)))
    pts = fit.points.assign(release_date=pd.to_datetime(fit.points["release_date"]))
    fig.add_trace(go.Scatter(x=pts["release_date"], y=pts["price"].astype(float), mode="markers",
                             name="new lowest price (the fit's points)", customdata=cd(pts), hovertemplate=hover,
                             meta="walk-points", marker=dict(size=11, color="#4477AA",
                                                             line=dict(width=1, color="#111827"))))
    end = pts["release_date"].max()
    for key in ("high", "date", "low"):
        if forecast.get(key):
            end = max(end, pd.Timestamp(forecast[key]))
    if data_as_of is not None:  # show the time since the last new low, too
        end = max(end, pd.Timestamp(data_as_of))
    end = min(end, pts["release_date"].max() + pd.Timedelta(days=365 * 8))
    xs = pd.date_range(pts["release_date"].min(), end, periods=120)
    x = np.array([fit.years(d) for d in xs])
    c, h = fit.centre(x), fit.half_width(x)
    fig.add_trace(go.Scatter(x=list(xs) + list(xs[::-1]), y=list(10 ** (c + h)) + list(10 ** (c - h))[::-1],
                             fill="toself", fillcolor="rgba(68,119,170,0.14)", line=dict(width=0),
                             name="90 % prediction interval", hoverinfo="skip", meta="band"))
    fig.add_trace(go.Scatter(x=xs, y=10 ** c, mode="lines", name=f"fitted trend ({10 ** -fit.b:,.3g}× per year)",
                             line=dict(color=_ACCENT[theme], width=2, dash="dash"), hoverinfo="skip",
                             meta="trend-line"))
    if price is not None:
        fig.add_trace(go.Scatter(x=[xs[0], xs[-1]], y=[price, price], mode="lines", name=f"target {figures.fmt_usd(price)}",
                                 line=dict(color="#EE7733", width=1.5, dash="dot"), hoverinfo="skip",
                                 meta="target-price"))
        if forecast.get("low") or forecast.get("high"):
            lo = pd.Timestamp(forecast["low"]) if forecast.get("low") else xs[0]
            hi = pd.Timestamp(forecast["high"]) if forecast.get("high") else xs[-1]
            fig.add_trace(go.Scatter(x=[lo, hi], y=[price, price], mode="lines", meta="forecast-interval",
                                     name="90 % interval of the date", line=dict(color="#EE7733", width=7),
                                     opacity=0.45, hoverinfo="skip"))
        if forecast.get("date"):
            fig.add_trace(go.Scatter(
                x=[pd.Timestamp(forecast["date"])], y=[price], mode="markers", meta="forecast",
                name="observed" if forecast.get("method") == "observed" else "forecast date",
                marker=dict(symbol="diamond", size=14, color="#EE7733", line=dict(width=1, color="#111827")),
                customdata=[[forecast.get("low") or "open", forecast.get("high") or "open"]],
                hovertemplate="%{x|%Y-%m-%d}<br>90 %: %{customdata[0]} to %{customdata[1]}<extra></extra>"))
    figures.themed_layout(fig, theme, title=dict(text=escape(title)),
                      height=height, meta={**meta, "method": fc.METHOD}, hovermode="closest",
                      xaxis=dict(title=dict(text="Release date")),
                      yaxis=dict(type="log", title=dict(text=escape(price_label)), tickprefix="$"))
    return fig


def forecast_chart(con, *, metric_id: str, threshold: float, price: float, cutoff, theme: str = "light") -> dict:
    """The forecast with its backtest: ``{"fig", "forecast", "backtest", "points", "sources"}``.

    The forecast is the one `python -m lib forecast` gives; the backtest is `python -m lib backtest` on the same
    metric at ``cutoff`` (its thresholds by default). ``fig`` is None when the trend cannot be fitted."""

    metric = snapshot.metric_row(con, metric_id)
    table = trends.trend_table_from_db(con, metric_id, price_date="release")
    bt = fc.backtest(table, cutoff)
    out = {"fig": None, "forecast": None, "backtest": bt, "points": table, "sources": [], "message": ""}
    try:
        out["forecast"] = fc.mark_overdue(fc.forecast_date(table, threshold, price), distillation.data_end(con)[1])
        fit = fc.fit_line(trends.lowest_price_walk(table, threshold), threshold)
    except UsageError as exc:
        out["message"] = str(exc)
        return out
    used = sorted(set(table.loc[table["score"] >= threshold, "model"]))
    req = table.loc[table["model"].isin(used)]
    prices = queries.prices_at(con, pd.DataFrame({"model_id": req["model"],
                                                  "at_date": pd.to_datetime(req["price_date"]).dt.date}))
    scores = queries.scores_for_metric(con, metric_id)
    out["sources"] = sorted(set(prices["price_source_id"].dropna().astype(str))
                            | set(scores.loc[scores["model_id"].isin(used), "source_id"].dropna().astype(str)))
    names = queries.models(con).set_index("model_id")["name"].to_dict()
    out["fig"] = forecast_figure(table, fit, out["forecast"], price=price, metric_label=views.metric_short(metric),
                                 price_label=views.price_label("blended", "3:1"), names=names, sources=out["sources"],
                                 data_as_of=distillation.data_end(con)[1], theme=theme)
    out["points"] = fit.points
    return out


def switching_figure(savings: pd.DataFrame, *, model_label: str, names: dict | None = None, title: str = "",
                     sources=(), data_as_of=None, theme: str = "light", height: int = 460) -> go.Figure:
    """Monthly cost of staying on a model vs moving to the cheapest model of at least its quality (steps), the
    gap shaded; hover names the alternative of each month."""
    title = title or f"Staying on {model_label} vs switching each month"
    meta = _meta(title, sources, data_as_of, "", "USD per month")
    if savings is None or savings.empty:
        return empty_figure("No month with a price and a score for this model.", title=title, sources=sources,
                            data_as_of=data_as_of, theme=theme)
    names = names or {}
    s = savings.sort_values("month")
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=s["month"], y=s["alternative_cost"], mode="lines+markers", line_shape="hv",
                             name="cheapest model of at least its quality", meta="alternative",
                             line=dict(color="#228833", width=2.5),
                             customdata=np.column_stack([s["alternative"].astype(str).to_numpy(dtype=object),
                                                         [escape(names.get(m, m)) for m in s["alternative"]]]),
                             hovertemplate="%{x|%Y-%m}: %{customdata[1]}<br>$%{y:,.2f} / month<extra></extra>"))
    fig.add_trace(go.Scatter(x=s["month"], y=s["current_cost"], mode="lines+markers", line_shape="hv",
                             name=f"staying on {escape(model_label)}", meta="current", fill="tonexty",
                             fillcolor="rgba(238,119,51,0.15)", line=dict(color="#EE7733", width=2.5),
                             hovertemplate="%{x|%Y-%m}: $%{y:,.2f} / month<extra></extra>"))
    figures.themed_layout(fig, theme, title=dict(text=escape(title)),
                      height=height, meta=meta, hovermode="x unified", xaxis=dict(title=dict(text="Month")),
                      yaxis=dict(title=dict(text="USD per month for this workload"), tickprefix="$",
                                 rangemode="tozero"))
    return fig


def switching_chart(con, *, model_id: str, since, metric_id: str, input_tokens: float, output_tokens: float,
                    reviewed_only: bool = True, theme: str = "light") -> dict:
    """The switching calculator from the store: ``{"fig", "points", "sources"}``."""

    savings = switching.switching_from_db(con, model_id, since, metric_id, input_tokens, output_tokens,
                                          reviewed_only)
    used: list[str] = []
    if len(savings):
        req = pd.concat([pd.DataFrame({"model_id": model_id, "at_date": savings["month"].dt.date}),
                         pd.DataFrame({"model_id": savings["alternative"], "at_date": savings["month"].dt.date})])
        prices = queries.prices_at(con, req.drop_duplicates().reset_index(drop=True))
        scores = queries.scores_for_metric(con, metric_id)
        used = sorted(set(prices["price_source_id"].dropna().astype(str))
                      | set(scores.loc[scores["model_id"].isin(set(req["model_id"])), "source_id"].dropna()
                            .astype(str)))
    names = queries.models(con).set_index("model_id")["name"].to_dict()
    fig = switching_figure(savings, model_label=names.get(model_id, model_id), names=names, sources=used,
                           data_as_of=distillation.data_end(con)[1], theme=theme)
    return {"fig": fig, "points": savings, "sources": used}
