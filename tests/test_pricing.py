"""Price bases and workload cost: hand-computed answers."""
import numpy as np
import pandas as pd
import pytest

from lib import pricing
from lib.errors import UsageError


def test_blended_default_is_artificial_analysis_3_to_1():
    assert pricing.blended_price(5.0, 15.0) == pytest.approx(7.5)
    # GPT-4o mini: (3 * 0.15 + 0.60) / 4 = 0.2625
    assert pricing.blended_price(0.15, 0.60) == pytest.approx(0.2625)


def test_blended_other_ratios_and_strings():
    assert pricing.blended_price(5.0, 15.0, "1:1") == pytest.approx(10.0)
    assert pricing.blended_price(2.0, 10.0, "1:3") == pytest.approx(8.0)
    assert pricing.blended_price(2.0, 10.0, (1, 0)) == pytest.approx(2.0)
    assert pricing.blended_price(2.0, np.nan, "1:0") == pytest.approx(2.0)  # zero weight ignores output
    assert np.isnan(pricing.blended_price(2.0, np.nan))


@pytest.mark.parametrize("text,expected", [("3:1", (3.0, 1.0)), (" 10 : 1 ", (10.0, 1.0)), ("2.5:1", (2.5, 1.0)),
                                           ("0:1", (0.0, 1.0))])
def test_parse_ratio(text, expected):
    assert pricing.parse_ratio(text) == expected


@pytest.mark.parametrize("bad", ["3", "3:1:1", "a:b", "-1:1", "0:0", "", "3/1", None, (1,)])
def test_parse_ratio_rejects_malformed(bad):
    with pytest.raises(UsageError):
        pricing.parse_ratio(bad)


def test_cache_hits_use_cache_read_price_when_known_else_input():
    # 50 % of input at 0.5 instead of 2: effective input 1.25; blended (3 * 1.25 + 8) / 4 = 2.9375
    assert pricing.blended_price(2.0, 8.0, cache_hit_rate=0.5, cache_read_usd_per_mtok=0.5) == pytest.approx(2.9375)
    # unknown cache price: no discount
    assert pricing.blended_price(2.0, 8.0, cache_hit_rate=0.5, cache_read_usd_per_mtok=np.nan) == pytest.approx(3.5)
    assert pricing.input_price(2.0, 1.0, 0.2) == pytest.approx(0.2)
    with pytest.raises(UsageError):
        pricing.input_price(2.0, 1.5)


def test_vectorised_series_keep_index():
    inp = pd.Series([5.0, 0.15, np.nan], index=["a", "b", "c"])
    out = pd.Series([15.0, 0.60, 1.0], index=["a", "b", "c"])
    cr = pd.Series([np.nan, 0.075, 1.0], index=["a", "b", "c"])
    got = pricing.blended_price(inp, out, "3:1", 0.5, cr)
    assert list(got.index) == ["a", "b", "c"]
    assert got["a"] == pytest.approx(7.5)
    assert got["b"] == pytest.approx((3 * (0.5 * 0.15 + 0.5 * 0.075) + 0.60) / 4)
    assert np.isnan(got["c"])


def test_price_basis_on_frame():
    df = pd.DataFrame({"input_usd_per_mtok": [5.0, 1.0], "output_usd_per_mtok": [15.0, 4.0],
                       "cache_read_usd_per_mtok": [2.5, np.nan]})
    assert pricing.price_basis(df).tolist() == pytest.approx([7.5, 1.75])
    assert pricing.price_basis(df, "input").tolist() == [5.0, 1.0]
    assert pricing.price_basis(df, "output").tolist() == [15.0, 4.0]
    assert pricing.price_basis(df, "input", cache_hit_rate=1.0).tolist() == [2.5, 1.0]
    with pytest.raises(UsageError):
        pricing.price_basis(df, "median")


def test_monthly_cost():
    # 10 M input at $5 + 2 M output at $15 = $80
    assert pricing.monthly_cost(5.0, 15.0, 10_000_000, 2_000_000) == pytest.approx(80.0)
    # 80 % cache hits at $0.5: input 10 M * (0.2 * 5 + 0.8 * 0.5) = $14, plus $30
    assert pricing.monthly_cost(5.0, 15.0, 10_000_000, 2_000_000, 0.8, 0.5) == pytest.approx(44.0)
    costs = pricing.monthly_cost(np.array([5.0, 0.15]), np.array([15.0, 0.6]), 1e6, 1e6)
    assert costs.tolist() == pytest.approx([20.0, 0.75])
    with pytest.raises(UsageError):
        pricing.monthly_cost(5.0, 15.0, -1, 0)
