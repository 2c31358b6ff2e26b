"""Cost per task: measured per-task costs, workload profiles priced from the store's billing fields, and price
reversals (the model with the lower list price costing more per task). Pure functions plus thin DB entries.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lib import frontier, pricing, queries, snapshot
from lib.errors import UsageError
from lib.snapshot import market_as_of, metric_row

PER_TASK_BASES = ("per-task", "workload")
DEFAULT_BENCHMARK = "aa_index"
# settings that do not reason (the reasoning multiplier never applies to them)
NON_REASONING_VARIANTS = {"default", "non-reasoning", "minimal"}


@dataclass(frozen=True)
class Workload:
    """One task of a workload: tokens in, the share of them read from the prompt cache, tokens out (before the
    reasoning multiplier, which applies to models known to reason), and whether it runs through a batch API."""
    input_tokens: float
    cached_input_share: float = 0.0
    output_tokens: float = 0.0
    reasoning_multiplier: float = 1.0
    batch: bool = False
    name: str = "custom"

    def to_json(self, with_name: bool = False) -> str:
        d = asdict(self)
        if not with_name:
            d.pop("name")
        return json.dumps(d, separators=(",", ":"))


# Illustrative profiles (assumptions a user edits, not measurements): tokens per task.
PRESETS: dict[str, Workload] = {
    "chat": Workload(1_000, 0.0, 400, 1.0, False, "chat"),
    "rag-cached": Workload(8_000, 0.75, 500, 3.0, False, "rag-cached"),
    "agentic-coding": Workload(30_000, 0.8, 2_000, 4.0, False, "agentic-coding"),
    "batch-summarisation": Workload(4_000, 0.0, 300, 1.0, True, "batch-summarisation"),
}
_FIELDS = ("input_tokens", "cached_input_share", "output_tokens", "reasoning_multiplier", "batch")


def workload_from_dict(d: dict, name: str = "custom") -> Workload:
    if not isinstance(d, dict):
        raise UsageError("a workload is a JSON object with input_tokens, cached_input_share, output_tokens, "
                         "reasoning_multiplier and batch")
    unknown = sorted(set(d) - set(_FIELDS) - {"name"})
    if unknown:
        raise UsageError(f"unknown workload field '{unknown[0]}' (fields: {', '.join(_FIELDS)})")
    if "input_tokens" not in d or "output_tokens" not in d:
        raise UsageError("a workload needs input_tokens and output_tokens")
    vals = {}
    for k in ("input_tokens", "cached_input_share", "output_tokens", "reasoning_multiplier"):
        if k in d:
            v = d[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or v < 0:
                raise UsageError(f"workload {k} must be a non-negative number, got {v!r}")
            vals[k] = float(v)
    if vals.get("cached_input_share", 0.0) > 1:
        raise UsageError("workload cached_input_share must be between 0 and 1")
    batch = d.get("batch", False)
    if not isinstance(batch, bool):
        raise UsageError(f"workload batch must be true or false, got {batch!r}")
    return Workload(vals["input_tokens"], vals.get("cached_input_share", 0.0), vals["output_tokens"],
                    vals.get("reasoning_multiplier", 1.0), batch, str(d.get("name", name))[:40])


def parse_workload(spec: str) -> Workload:
    """A preset name, a path to a JSON file, or a JSON object as text → Workload (UsageError when malformed)."""
    spec = (spec or "").strip()
    if spec in PRESETS:
        return PRESETS[spec]
    if spec.startswith("{"):
        text, name = spec, "custom"
    else:
        p = Path(spec)
        if not p.is_file():
            raise UsageError(f"unknown workload '{spec}': not a preset ({', '.join(PRESETS)}) nor a JSON file")
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"workload file {spec} could not be read: {exc}") from None
        name = p.stem
    try:
        d = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"workload is not valid JSON: {exc}") from None
    return workload_from_dict(d, name)


def long_context_applies(w: Workload, min_prompt_tokens) -> np.ndarray:
    """Where a long-context tier bills the task: its prompt (all input tokens, cached or not) is longer than the
    tier's threshold. No tier (NaN threshold) never applies."""
    t = np.asarray(min_prompt_tokens, dtype=float)
    return ~np.isnan(t) & (w.input_tokens > np.where(np.isnan(t), np.inf, t))


def workload_cost(input_usd_per_mtok, output_usd_per_mtok, cache_read_usd_per_mtok, w: Workload,
                  reasoning=False, batch_discount=np.nan, long_context=None):
    """USD per task of workload `w` (vectorised). Cached input is billed at the cache-read price where known,
    else at the input price; the reasoning multiplier scales output tokens where `reasoning` is true; with
    `w.batch` the batch discount (a share, e.g. 0.5) applies, and a model without a known one gives NaN.

    `long_context`, optional: (min_prompt_tokens, input, output, cache_read) arrays of each model's long-context
    tier (NaN where it has none). Where the prompt is longer than the threshold, the tier's prices bill the whole
    request, as vendors bill it (cached input at the tier's cache-read price, else its input price)."""
    inp = np.asarray(input_usd_per_mtok, dtype=float)
    out = np.asarray(output_usd_per_mtok, dtype=float)
    cr = np.asarray(cache_read_usd_per_mtok, dtype=float)
    cached = np.where(np.isnan(cr), inp, cr)
    if long_context is not None:
        threshold, lc_in, lc_out, lc_cr = (np.asarray(a, dtype=float) for a in long_context)
        use = long_context_applies(w, threshold) & ~np.isnan(lc_in) & ~np.isnan(lc_out)
        inp, out = np.where(use, lc_in, inp), np.where(use, lc_out, out)
        cached = np.where(use, np.where(np.isnan(lc_cr), lc_in, lc_cr), cached)
    mult = np.where(np.asarray(reasoning, dtype=bool), w.reasoning_multiplier, 1.0)
    cost = (w.input_tokens * ((1 - w.cached_input_share) * inp + w.cached_input_share * cached)
            + w.output_tokens * mult * out) / 1e6
    if w.batch:
        cost = cost * (1.0 - np.asarray(batch_discount, dtype=float))
    return cost


def reversals(df: pd.DataFrame) -> pd.DataFrame:
    """Pairs where the model with the lower list price costs more per task.

    `df` has model_id, list_price and usd_per_task (one row per model). One row per reversed pair with
    cheaper_list_price, cheaper_per_task, the two prices and `factor` = the per-task cost of the model cheaper by
    list price over that of the other (> 1), sorted by factor, largest first."""
    d = df.dropna(subset=["list_price", "usd_per_task"]).reset_index(drop=True)
    lp, tc = d["list_price"].to_numpy(float), d["usd_per_task"].to_numpy(float)
    # strictly cheaper by more than float noise (two blends of equal prices can differ in the 17th digit)
    cheaper = lp[:, None] < lp[None, :] * (1 - 1e-9)
    i, j = np.nonzero(cheaper & (tc[:, None] > tc[None, :]))
    out = pd.DataFrame({
        "cheaper_list_price": d["model_id"].to_numpy()[i], "cheaper_per_task": d["model_id"].to_numpy()[j],
        "list_price_a": lp[i], "list_price_b": lp[j], "usd_per_task_a": tc[i], "usd_per_task_b": tc[j],
    })
    out["factor"] = out["usd_per_task_a"] / out["usd_per_task_b"]
    return out.sort_values(["factor", "cheaper_list_price", "cheaper_per_task"],
                           ascending=[False, True, True]).reset_index(drop=True)


# --- DB-backed entries -----------------------------------------------------------------------------------------

def basis_label(basis: str, summary: dict) -> str:
    """Axis label of a per-task basis, naming its measurement or workload."""
    if basis == "per-task":
        return f"USD per task, measured: {summary.get('benchmark', '')}"
    return f"USD per task of workload '{summary.get('workload', 'custom')}' (from token prices)"


def check_benchmark(con, benchmark_id: str) -> dict:
    b = queries.task_benchmarks(con)
    hit = b[b["benchmark_id"] == benchmark_id]
    if hit.empty:
        raise UsageError(f"unknown benchmark '{benchmark_id}' (known: {', '.join(b['benchmark_id'])})")
    return hit.iloc[0].to_dict()


def reasoning_models(con, as_of) -> set[str]:
    """Models known to reason: a measured run of theirs used a reasoning setting."""
    ids: set[str] = set()
    for b in queries.task_benchmarks(con)["benchmark_id"]:
        v = queries.task_cost_variants_as_of(con, as_of, b)
        ids |= set(v.loc[~v["variant"].isin(NON_REASONING_VARIANTS), "model_id"])
    return ids


def with_per_task(market: pd.DataFrame, con, as_of, benchmark_id: str, higher_is_better: bool = True):
    """The market with `usd_per_task` from measurements (newest on or before `as_of`); `price` becomes the
    per-task cost, the frontier is recomputed on measured models; returns (frame, summary)."""
    bench = check_benchmark(con, benchmark_id)
    tc = queries.task_costs_as_of(con, as_of, benchmark_id)
    df = market.merge(tc.drop(columns=["benchmark_id"]), on="model_id", how="left")
    df["list_price"] = df["blended_usd_per_mtok"] if "blended_usd_per_mtok" in df else df["price"]
    df["price"] = df["usd_per_task"]
    df["on_frontier"] = frontier.pareto_mask(df["price"].to_numpy(float), df["quality"].to_numpy(float),
                                             higher_is_better=higher_is_better)
    measured = df["usd_per_task"].notna()
    df["cost_note"] = np.where(
        measured, "measured on " + str(bench["name"]) + " on " + df["task_observed_date"].astype(str).str[:10]
        + " (" + df["task_source_id"].astype(str) + "; setting " + df["variant"].astype(str) + ")", "")
    summary = dict(basis="per-task", benchmark_id=benchmark_id, benchmark=bench["name"],
                   measured=int(measured.sum()), left_out=int((~measured).sum()),
                   sources=sorted(df.loc[measured, "task_source_id"].dropna().unique()))
    return df, summary


def with_workload(market: pd.DataFrame, con, as_of, w: Workload, higher_is_better: bool = True):
    """The market priced per task of workload `w` from each model's token prices in force at `as_of`."""
    reasoning = market["model_id"].isin(reasoning_models(con, as_of))
    disc = queries.batch_discounts_as_of(con, as_of)
    d = market["vendor"].map(dict(zip(disc["vendor"], disc["discount_share"]))).astype(float)
    cr = market["cache_read_usd_per_mtok"] if "cache_read_usd_per_mtok" in market else np.nan
    df = market.copy()
    df["list_price"] = df["blended_usd_per_mtok"] if "blended_usd_per_mtok" in df else df["price"]
    df = attach_long_context(df, con, as_of)
    lc = (df["long_context_min_prompt_tokens"], df["long_context_input_usd_per_mtok"],
          df["long_context_output_usd_per_mtok"], df["long_context_cache_read_usd_per_mtok"])
    df["usd_per_task"] = workload_cost(df["input_usd_per_mtok"], df["output_usd_per_mtok"], cr, w, reasoning, d, lc)
    df["long_context_applied"] = (long_context_applies(w, df["long_context_min_prompt_tokens"])
                                  & df["long_context_input_usd_per_mtok"].notna())
    # a prompt longer than the model's context window cannot run (unless a long-context tier takes it)
    window = pd.to_numeric(df["context_window"], errors="coerce") if "context_window" in df else np.nan
    over = (w.input_tokens > window) & ~df["long_context_applied"]
    df.loc[over, "usd_per_task"] = np.nan
    df["reasoning_multiplier_applied"] = reasoning & (w.reasoning_multiplier != 1.0)
    note = pd.Series(f"one task of workload {w.name}", index=df.index)
    note = note.where(~df["reasoning_multiplier_applied"], note + f"; output × {w.reasoning_multiplier:g} (reasons)")
    threshold = df["long_context_min_prompt_tokens"].map(lambda t: "" if pd.isna(t) else f"{int(t):,}")
    note = note.where(~df["long_context_applied"], note + "; long-context tier (prompt over " + threshold + ")")
    if w.batch:
        note = note + "; batch discount " + (100 * d).map(lambda x: "" if pd.isna(x) else f"{x:.0f} %")
    df["cost_note"] = note.where(df["usd_per_task"].notna(), "")
    df["price"] = df["usd_per_task"]
    df["on_frontier"] = frontier.pareto_mask(df["price"].to_numpy(float), df["quality"].to_numpy(float),
                                             higher_is_better=higher_is_better)
    priced = df["usd_per_task"].notna()
    summary = dict(basis="workload", workload=w.name, workload_json=w.to_json(), measured=int(priced.sum()),
                   left_out=int((~priced).sum()), reasoning_models=int(reasoning.sum()),
                   no_batch_price=int((w.batch & d.isna() & df["input_usd_per_mtok"].notna()).sum()),
                   long_context=int((df["long_context_applied"] & priced).sum()),
                   over_context=int((over & df["input_usd_per_mtok"].notna()).sum()))
    return df, summary


def prices_on_basis(con, priced: pd.DataFrame, basis: str = "blended", ratio="3:1", *,
                    benchmark_id: str | None = None, workload: Workload | None = None) -> pd.Series:
    """The price of each row of `priced` (model_id, at_date and the store's price columns, as
    `queries.prices_at` returns them) on any basis, each at its own date: per token; per task measured on
    `benchmark_id` (the newest measurement on or before the date; NaN where none, never estimated); or per task of
    `workload` (with the reasoning models, batch discounts and long-context tiers of that date)."""

    df = priced.reset_index(drop=True)
    if basis in pricing.BASES:
        return pricing.price_basis(df, basis=basis, ratio=ratio)
    if basis not in PER_TASK_BASES:
        raise UsageError(f"unknown price basis '{basis}' (choose one of {', '.join((*pricing.BASES, *PER_TASK_BASES))})")
    if basis == "per-task":
        check_benchmark(con, benchmark_id or DEFAULT_BENCHMARK)
    elif workload is None:
        raise UsageError("the workload basis needs a workload")
    if basis == "workload":
        assert workload is not None
        return workload_prices_at(con, df, workload)
    out = pd.Series(np.nan, index=df.index, dtype=float)
    for day, idx in df.groupby(pd.to_datetime(df["at_date"]).dt.date).groups.items():
        tc = queries.task_costs_as_of(con, day, benchmark_id or DEFAULT_BENCHMARK)
        out.loc[idx] = df.loc[idx, "model_id"].map(tc.set_index("model_id")["usd_per_task"]).astype(float)
    return out


def workload_prices_at(con, priced: pd.DataFrame, w: Workload) -> pd.Series:
    """One task of `w` for each (model, date) row of `priced` (queries.prices_at's columns), in one query: the
    same rules as `with_workload` (that date's reasoning models, batch discount and long-context tier of the
    price's provider; a prompt beyond the context window gives NaN), vectorised over many dates."""
    df = priced.reset_index(drop=True)
    models = queries.models(con).set_index("model_id")
    provider = df["price_provider"] if "price_provider" in df else df.get("provider")
    facts = queries.workload_facts_at(con, pd.DataFrame({
        "model_id": df["model_id"], "vendor": df["model_id"].map(models["vendor"]),
        "provider": provider if provider is not None else pd.Series(None, index=df.index), "at_date": df["at_date"]}),
        sorted(NON_REASONING_VARIANTS))
    lc = tuple(facts[c] for c in ("long_context_min_prompt_tokens", "long_context_input_usd_per_mtok",
                                  "long_context_output_usd_per_mtok", "long_context_cache_read_usd_per_mtok"))
    cr = df["cache_read_usd_per_mtok"] if "cache_read_usd_per_mtok" in df else np.nan
    cost = workload_cost(df["input_usd_per_mtok"], df["output_usd_per_mtok"], cr, w, facts["reasoning"].to_numpy(bool),
                         facts["discount_share"].astype(float), lc)
    applied = long_context_applies(w, facts["long_context_min_prompt_tokens"]) & \
        facts["long_context_input_usd_per_mtok"].notna().to_numpy()
    window = pd.to_numeric(df["model_id"].map(models["context_window"]), errors="coerce").to_numpy(float)
    cost = np.where((w.input_tokens > window) & ~applied, np.nan, cost)
    return pd.Series(cost, index=priced.index, dtype=float)


def markets_on_basis(con, dates, metric_id: str, basis: str = "blended", ratio="3:1", *, host: str = "vendor",
                     benchmark_id: str | None = None, workload: Workload | None = None,
                     min_speed: float | None = None) -> pd.DataFrame:
    """The market at each of `dates` (the replay's frames) on any basis, with the host choice and the speed
    filter of each date applied, as `market_on_basis` does for one date. Column `as_of` names the frame; the
    frontier flag is left to the caller (the page's filters recompute it per frame)."""

    token_basis = basis if basis in pricing.BASES else "blended"
    series = snapshot.markets_as_of(con, dates, metric_id, token_basis, ratio)
    if host != "vendor" or min_speed is not None:
        ratio_t = pricing.parse_ratio(ratio)
        parts = []
        for day, g in series.groupby("as_of", sort=True):
            if host != "vendor":
                g, _ = with_host_price(g, con, day, host)
                g = g.assign(blended_usd_per_mtok=pricing.price_basis(g, "blended", ratio_t),
                             price=pricing.price_basis(g, token_basis, ratio_t))
            if min_speed is not None:
                sp = queries.speed_as_of(con, day)
                g = g[g["model_id"].isin(sp.loc[sp["output_tokens_per_s"] >= float(min_speed), "model_id"])]
            parts.append(g)
        series = pd.concat(parts, ignore_index=True) if parts else series.iloc[:0]
    if basis in PER_TASK_BASES:
        series = series.assign(price=prices_on_basis(con, series.rename(columns={"as_of": "at_date"}), basis, ratio,
                                                     benchmark_id=benchmark_id, workload=workload).to_numpy())
    return series


LONG_CONTEXT_COLUMNS = {"min_prompt_tokens": "long_context_min_prompt_tokens",
                        "input_usd_per_mtok": "long_context_input_usd_per_mtok",
                        "output_usd_per_mtok": "long_context_output_usd_per_mtok",
                        "cache_read_usd_per_mtok": "long_context_cache_read_usd_per_mtok",
                        "source_ref": "long_context_source_ref"}


def attach_long_context(market: pd.DataFrame, con, as_of) -> pd.DataFrame:
    """Each model's long-context tier in force at `as_of` from the provider whose price the row uses (a tier is
    one provider's billing rule: never mixed with another host's price). Columns `long_context_*`, NaN if none."""
    lc = queries.long_context_prices_as_of(con, as_of).rename(columns=LONG_CONTEXT_COLUMNS)
    keep = ["model_id", "provider", *LONG_CONTEXT_COLUMNS.values()]
    df = market.drop(columns=[c for c in LONG_CONTEXT_COLUMNS.values() if c in market])
    provider = df["price_provider"] if "price_provider" in df else pd.Series(pd.NA, index=df.index)
    out = df.assign(_provider=provider.astype(object)).merge(
        lc[keep].rename(columns={"provider": "_provider"}), on=["model_id", "_provider"], how="left")
    out.index = df.index
    return out.drop(columns="_provider")


HOST_CHOICES = {"vendor": "the vendor's own price (else the store's headline price)",
                "cheapest-host": "the cheapest API host Artificial Analysis observed",
                "median-host": "the median over API hosts (input and output each)"}


def with_host_price(market: pd.DataFrame, con, as_of, choice: str = "vendor") -> tuple[pd.DataFrame, dict]:
    """Replace each model's token prices by a host price where hosts were observed on or before `as_of`;
    models without host observations keep the headline price. Returns (frame, summary with the count)."""
    if choice not in HOST_CHOICES:
        raise UsageError(f"unknown host price choice '{choice}' (choose one of {', '.join(HOST_CHOICES)})")
    if choice == "vendor":
        return market, dict(host_choice=choice, host_priced=0)
    hp = queries.host_prices_as_of(con, as_of).set_index("model_id")
    side = "cheapest" if choice == "cheapest-host" else "median"
    df = market.copy()
    ids = df["model_id"]
    has = ids.isin(hp.index)
    for col in ("input_usd_per_mtok", "output_usd_per_mtok"):
        df.loc[has, col] = ids[has].map(hp[f"{side}_{col}"]).astype(float)
    df["price_rule"] = np.where(has, f"{side} of hosts", "headline")
    if not has.any():  # no host observed by this date: every model keeps its headline price
        return df.assign(hosts=np.nan), dict(host_choice=choice, host_priced=0)
    df.loc[has, "price_source_id"] = ids[has].map(hp["host_source_id"])
    if side == "cheapest":
        df.loc[has, "price_source_ref"] = ids[has].map(hp["cheapest_source_ref"])
        df.loc[has, "price_provider"] = ids[has].map(hp["cheapest_host"])
    else:
        df.loc[has, "price_source_ref"] = ids[has].map(
            hp["host_raw_path"] + "#rule=median of " + hp["hosts"].astype(int).astype(str) + " API host(s)")
        df.loc[has, "price_provider"] = "median of hosts"
    df.loc[has, "price_date_kind"] = "observed"
    df.loc[has, "price_effective_from"] = ids[has].map(hp["observed_date"])
    df["hosts"] = ids.map(hp["hosts"])
    return df, dict(host_choice=choice, host_priced=int(has.sum()))


def market_on_basis(con, as_of, metric_id: str, basis: str = "blended", ratio="3:1", *, host: str = "vendor",
                    benchmark_id: str | None = None, workload: Workload | None = None,
                    vendors=None) -> tuple[pd.DataFrame, dict]:
    """The market as of a date on any price basis: per token (blended/input/output), per task (measured) or per
    task of a workload; with the host price choice applied first and measured speed attached. One entry for the
    CLI, the pages and the exports. Returns (frame with `price` and `on_frontier`, summary)."""

    hib = bool(metric_row(con, metric_id)["higher_is_better"])
    token_basis = basis if basis in pricing.BASES else "blended"
    df = market_as_of(con, as_of, metric_id, token_basis, ratio, vendors=vendors)
    df, summary = with_host_price(df, con, as_of, host)
    if host != "vendor":
        ratio_t = pricing.parse_ratio(ratio)
        df["blended_usd_per_mtok"] = pricing.price_basis(df, "blended", ratio_t)
        df["price"] = pricing.price_basis(df, token_basis, ratio_t)
        df["on_frontier"] = frontier.pareto_mask(df["price"].to_numpy(float), df["quality"].to_numpy(float),
                                                 higher_is_better=hib)
    sp = queries.speed_as_of(con, as_of)
    df = df.merge(sp[["model_id", "output_tokens_per_s", "ttft_s", "speed_observed_date"]], on="model_id", how="left")
    if basis == "per-task":
        df, s = with_per_task(df, con, as_of, benchmark_id or DEFAULT_BENCHMARK, hib)
    elif basis == "workload":
        if workload is None:
            raise UsageError("the workload basis needs a workload")
        df, s = with_workload(df, con, as_of, workload, hib)
    elif basis in pricing.BASES:
        s = dict(basis=basis)
    else:
        raise UsageError(f"unknown price basis '{basis}'")
    return df, {**summary, **s}
