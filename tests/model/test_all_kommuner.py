"""Every lever at the most each of the 290 kommuner can reach (issue 13 item 3).

No stream below zero, every number finite, removals within the bound each range rule
documents, and every stream above 10 % of a kommun's emissions reachable by a lever.
"""
from __future__ import annotations

import numpy as np
import pytest

from model.baseline import KommunContext, build_context
from model.data import SECTORS, load_dataset
from model.engine import apply_levers, baseline_streams, lever_effects, removals
from model.ranges import lever_bounds
from model.registry import Lever, load_registry
from model.uncertainty import draw_samples

REG = load_registry()
DS = load_dataset()
CODES = tuple(k.code for k in DS.kommuner)


def _rule_bound_t(lv: Lever, ctx: KommunContext) -> float:
    """The documented bound of a removal lever in this kommun, t CO2 per year (the lowest of its rules,
    before grid rounding), computed here from the data independently of model.ranges."""
    assert lv.range_rules
    bounds = []
    for rule in lv.range_rules:
        kind, _, name = rule.basis.partition(":")
        if kind == "sector":
            basis = float(DS.emissions[DS.index_of(ctx.kommun.code), -1, SECTORS.index(name)])
        elif kind == "stream":
            basis = float(ctx.e0[REG.stream_ids.index(name)])
        else:
            basis = float(DS.population.loc[ctx.kommun.code, max(DS.population.columns)])
        bounds.append(rule.factor * basis)
    return min(bounds)


def _at_max(ctx: KommunContext) -> np.ndarray:
    bounds = lever_bounds(ctx)
    return np.array([bounds[lid][1] for lid in REG.lever_ids])


@pytest.mark.parametrize("horizon", [2030, 2045])
def test_every_lever_at_its_kommun_maximum(horizon: int) -> None:
    removal_levers = [lv for lv in REG.levers if lv.kind == "removal"]
    assert all(lv.range_rules for lv in removal_levers), "every removal needs a range rule"
    for code in CODES:
        ctx = build_context(code, "original_2030", horizon)
        values = _at_max(ctx)
        assert (values <= [lv.max for lv in REG.levers]).all() and (values >= ctx.nnm).all(), code
        fx = lever_effects(ctx, values)
        streams = apply_levers(baseline_streams(ctx), fx)
        rem = removals(fx, 1)
        assert np.isfinite(streams).all() and np.isfinite(rem).all(), code
        assert (streams >= 0).all(), code
        for i, li in enumerate(fx.removal_lever):
            lv = REG.levers[li]
            assert fx.removal_t[i].max() <= _rule_bound_t(lv, ctx) + 1e-6, (code, lv.id)


def test_no_kommun_buys_removals_beyond_its_rules_even_at_high_effectiveness() -> None:
    """Monte Carlo: removals scale with effectiveness, at most its high end times the rule bound."""
    for code in ("2403", "0980", "0381"):
        ctx = build_context(code, "original_2030", 2045)
        fx = lever_effects(ctx, _at_max(ctx))
        samples = draw_samples(ctx, 2000, seed=1)
        rem = removals(fx, 2000, samples.eff)
        bound = sum(lv.effectiveness[2] * _rule_bound_t(lv, ctx) for lv in REG.levers if lv.kind == "removal")
        assert np.isfinite(rem).all() and rem.max() <= bound + 1e-6, code


def test_fossil_heavy_district_heating_does_not_buy_a_huge_plant() -> None:
    """Eda: 37.7 kt from power and district heating would allow 300 kt by the ratio rule; population caps it."""
    ctx = build_context("1730")
    ratio_only = 8.0 * float(DS.emissions[DS.index_of("1730"), -1, SECTORS.index("El och fjärrvärme")]) / 1000
    assert ratio_only > 200
    assert lever_bounds(ctx)["beccs"][1] <= 1.8 * float(DS.population.loc["1730", 2025]) / 1000


def test_small_kommun_without_plants_cannot_go_far_below_zero() -> None:
    """Bjurholm used to end at -93 % of its 1990 emissions with 200 kt BECCS (issue 13); now it has no plant."""
    ctx = build_context("2403", "original_2030", 2045)
    bounds = lever_bounds(ctx)
    assert bounds["beccs"] == (0.0, 0.0)
    fx = lever_effects(ctx, _at_max(ctx))
    g1990 = float(DS.emissions[DS.index_of("2403"), DS.inventory_years.index(1990)].sum())
    assert removals(fx, 1)[0].max() < 0.1 * g1990


def test_every_material_stream_has_a_lever_in_every_kommun() -> None:
    """No stream above 10 % of a kommun's base-year emissions is out of reach (bench/coverage.py's last figure)."""
    reached = {s for lv in REG.levers for s in lv.streams}
    for code in CODES:
        ctx = build_context(code)
        share = ctx.e0 / ctx.e0.sum()
        missing = [sid for i, sid in enumerate(REG.stream_ids) if share[i] > 0.10 and sid not in reached]
        assert not missing, (code, missing)


def test_levers_without_a_rule_keep_their_absolute_range() -> None:
    for code in ("0381", "2403", "0180"):
        bounds = lever_bounds(build_context(code))
        for lv in REG.levers:
            if not lv.range_rules:
                assert bounds[lv.id] == (lv.min, lv.max), (code, lv.id)


def test_capacities_override_the_rule_within_the_absolute_range() -> None:
    ctx = build_context("0381")
    assert lever_bounds(ctx, {"beccs": 152.0})["beccs"] == (0.0, 150.0)  # down to the 5 kt step
    assert lever_bounds(ctx, {"beccs": 900.0})["beccs"] == (0.0, 200.0)  # never above the registry's max
    with pytest.raises(KeyError):
        lever_bounds(ctx, {"warp_drive": 1.0})
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            lever_bounds(ctx, {"beccs": bad})


def test_clamp_levers_lowers_only_what_the_kommun_cannot_reach() -> None:
    from model.ranges import clamp_levers

    ctx = build_context("2403")
    out, lowered = clamp_levers(ctx, {"beccs": 200.0, "biochar": 5000.0, "car_traffic": 30.0, "oil_heating": 0.0})
    assert lowered == ("beccs", "biochar")
    assert out == {"beccs": 0.0, "biochar": 0.0, "car_traffic": 30.0, "oil_heating": 0.0}
    assert clamp_levers(build_context("0381"), {"beccs": 200.0}, {"beccs": 150.0})[0] == {"beccs": 150.0}
