"""Engine invariants: baseline anchoring, non-negativity, monotonicity, removals, attribution and
multiplicative combination (Monte Carlo and national policy: test_engine_mc_policy.py)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.baseline import build_context
from model.data import SECTORS, inventory, load_dataset
from model.engine import LeverEffects, apply_levers, attribution, baseline_streams, lever_effects, removals
from model.registry import POLICIES, Lever, load_registry
from model.run import ScenarioResult, baseline_scenario, run_scenario
from model.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[2]
REG = load_registry()
CODES = tuple(k.code for k in load_dataset().kommuner)
LEVERS = REG.levers
REMOVAL_IDS = tuple(lv.id for lv in LEVERS if lv.kind == "removal")
PRESETS = ("nuvarande_politik", "klimatkontrakt", "hog_ambition")
# Relative tolerance for "equal up to floating-point rounding".
RTOL = 1e-9

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def lever_value(lv: Lever) -> st.SearchStrategy[float]:
    """A legal value of one lever (on its step, within min..max)."""
    n = int(round((lv.max - lv.min) / lv.step))
    return st.integers(0, n).map(lambda k: lv.min + k * lv.step)


def lever_settings(levers: tuple[Lever, ...] = LEVERS) -> st.SearchStrategy[dict[str, float]]:
    """Random positions for a random subset of ``levers`` (others stay at nnm)."""
    return st.fixed_dictionaries({}, optional={lv.id: lever_value(lv) for lv in levers})


kommuner = st.sampled_from(CODES)
policies = st.sampled_from(POLICIES)
horizons = st.sampled_from((2030, 2045))


def _run(levers: dict[str, float], code: str, policy: str = "current_law", horizon: int = 2030) -> ScenarioResult:
    return run_scenario(Scenario(levers=levers, kommun=code, national_policy=policy, horizon=horizon))


def _preset(name: str) -> Scenario:
    return load_scenario(ROOT / "scenarios" / f"{name}.toml")


# --------------------------------------------------------------------------- baseline anchoring

def test_every_kommun_starts_at_its_inventory() -> None:
    """2024 in the model equals SMHI 2024 per sector, and history equals the inventory, for all 290."""
    ds = load_dataset()
    assert len(CODES) == 290
    bad_start, bad_history = [], []
    for code in CODES:
        res = run_scenario(baseline_scenario(code))
        inv = inventory(code)
        assert int(res.years[0]) == 2024 and int(res.years[-1]) == 2030
        if not np.allclose(res.by_sector[:, 0], inv.loc[2024].to_numpy(), rtol=0, atol=0.5) \
                or not np.allclose(res.baseline_by_sector[:, 0], inv.loc[2024].to_numpy(), rtol=0, atol=0.5):
            bad_start.append(code)
        if sorted(res.history) != list(ds.inventory_years) or not all(
                np.array_equal(res.history[y], inv.loc[y].to_numpy()) for y in ds.inventory_years):
            bad_history.append(code)
    assert bad_start == []
    assert bad_history == []


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("horizon", (2030, 2045))
def test_start_year_independent_of_policy_and_horizon(policy: str, horizon: int) -> None:
    for code in ("0381", "1480", "2480", "0114"):
        res = run_scenario(baseline_scenario(code, policy, horizon))
        assert np.allclose(res.by_sector[:, 0], inventory(code).loc[2024].to_numpy(), rtol=0, atol=0.5)
        assert res.years.tolist() == list(range(2024, horizon + 1))


@pytest.mark.parametrize("code", ["0381", "1480", "2480", "0180", "1281"])
def test_baseline_scenario_equals_baseline(code: str) -> None:
    res = run_scenario(baseline_scenario(code))
    assert np.array_equal(res.by_sector, res.baseline_by_sector)
    assert np.array_equal(res.gross, res.baseline_gross)
    assert np.array_equal(res.net, res.gross)
    assert not res.removals.any()
    assert all(not a.any() for a in res.attribution.values())


@pytest.mark.parametrize("code", ["0381", "1480", "2480", "0180", "1281"])
def test_explicit_nnm_engine_equals_baseline(code: str) -> None:
    """Every lever at ctx.nnm through the engine reproduces the cached baseline bit for bit."""
    ctx = build_context(code)
    base = baseline_streams(ctx)
    fx = lever_effects(ctx, ctx.nnm.copy())
    assert np.array_equal(apply_levers(base, fx), base)
    assert not removals(fx, 1).any()


@pytest.mark.parametrize("code", ["0381", "1480", "2480"])
def test_explicit_nnm_scenario_equals_baseline(code: str) -> None:
    """A scenario that states every lever at its nnm (e.g. one saved from lever_values) runs as the baseline.

    Needs the nnm on the slider grid; unsnapped data values (ev_cars 54.78 % with step 5) are rejected
    by check_lever_value as off-step.
    """
    ctx = build_context(code)
    levers = dict(zip(REG.lever_ids, ctx.nnm.tolist(), strict=False))
    res = _run(levers, code)
    base = run_scenario(baseline_scenario(code))
    assert np.array_equal(res.by_sector, base.baseline_by_sector)
    assert np.array_equal(res.by_sector, res.baseline_by_sector)
    # ScenarioResult.lever_values must feed back into a scenario unchanged.
    again = _run(base.lever_values, code)
    assert np.array_equal(again.gross, base.gross)


def test_horizon_2045_extends_2030() -> None:
    """The first years do not depend on the horizon (no horizon-relative ramps)."""
    for name in PRESETS:
        sc = _preset(name)
        short = run_scenario(replace(sc, horizon=2030), "0381")
        long = run_scenario(replace(sc, horizon=2045), "0381")
        assert np.allclose(long.by_sector[:, :7], short.by_sector, rtol=RTOL)
        assert np.allclose(long.net[:7], short.net, rtol=RTOL)


# --------------------------------------------------------------------------- random settings

@SETTINGS
@given(levers=lever_settings(), code=kommuner, policy=policies, horizon=horizons)
def test_emissions_never_negative(levers: dict[str, float], code: str, policy: str, horizon: int) -> None:
    res = _run(levers, code, policy, horizon)
    for arr in (res.by_sector, res.gross, res.removals, res.baseline_by_sector):
        assert np.isfinite(arr).all()
        assert (arr >= 0).all()
    assert np.allclose(res.by_sector.sum(axis=0), res.gross, rtol=RTOL)
    assert np.allclose(res.gross - res.removals, res.net, rtol=0, atol=1e-6)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("horizon", (2030, 2045))
def test_every_lever_at_max_is_non_negative(policy: str, horizon: int) -> None:
    """The corner with every cut at 100 % (streams that reach zero) stays >= 0 and finite."""
    levers = {lv.id: lv.max for lv in LEVERS}
    for code in ("0381", "1480", "2480"):
        res = _run(levers, code, policy, horizon)
        assert np.isfinite(res.by_sector).all() and (res.by_sector >= 0).all()
        attr = sum(res.attribution.values())
        assert np.allclose(attr, res.baseline_gross - res.net, rtol=0, atol=1e-6 * res.baseline_gross.max())


@SETTINGS
@given(data=st.data(), levers=lever_settings(), code=kommuner, policy=policies, horizon=horizons)
def test_one_step_up_never_raises_gross(data: st.DataObject, levers: dict[str, float], code: str,
                                        policy: str, horizon: int) -> None:
    """Every lever is oriented so that more is more action: one step up never adds emissions."""
    lv = data.draw(st.sampled_from(LEVERS))
    k = data.draw(st.integers(0, int(round((lv.max - lv.min) / lv.step)) - 1))
    current, higher = lv.min + k * lv.step, lv.min + (k + 1) * lv.step
    lo = _run({**levers, lv.id: current}, code, policy, horizon)
    hi = _run({**levers, lv.id: higher}, code, policy, horizon)
    tol = 1e-9 * lo.baseline_gross.max()
    assert (hi.gross <= lo.gross + tol).all()
    assert (hi.by_sector <= lo.by_sector + tol).all()
    assert (hi.net <= lo.net + tol).all()


def _kommun_with_source(lv: Lever) -> str:
    """Enköping, or where the lever's streams are largest when Enköping has none (international transport)."""
    sid = [REG.stream_ids.index(s) for s in lv.streams]
    if not sid or build_context("0381").e0[sid].sum() > 1.0:
        return "0381"
    return max(CODES, key=lambda c: build_context(c).e0[sid].sum())


@pytest.mark.parametrize("lever_id", [lv.id for lv in LEVERS])
def test_each_lever_bites_by_the_horizon(lever_id: str) -> None:
    """Maximum vs minimum of every lever makes a real difference in 2045 (Enköping where it has the source)."""
    lv = REG.lever(lever_id)
    code = _kommun_with_source(lv)
    lo = _run({lever_id: lv.min}, code, horizon=2045)
    hi = _run({lever_id: lv.max}, code, horizon=2045)
    assert hi.net[-1] < lo.net[-1] - 1.0
    if lv.kind == "removal":
        assert np.array_equal(hi.gross, lo.gross)


@SETTINGS
@given(levers=lever_settings(), extra=st.fixed_dictionaries(
    {lid: lever_value(REG.lever(lid)) for lid in REMOVAL_IDS}), code=kommuner,
    policy=policies, horizon=horizons)
def test_removals_lower_net_only(levers: dict[str, float], extra: dict[str, float], code: str,
                                 policy: str, horizon: int) -> None:
    """Raising removal levers leaves gross and every sector untouched and never raises net."""
    without = {k: v for k, v in levers.items() if k not in REMOVAL_IDS}
    a = _run(without, code, policy, horizon)
    b = _run({**without, **extra}, code, policy, horizon)
    assert np.array_equal(a.by_sector, b.by_sector)
    assert np.array_equal(a.gross, b.gross)
    assert (b.net <= a.net).all()
    assert np.allclose(a.gross - b.net, b.removals, rtol=RTOL)
    assert np.allclose(sum(b.removals_by_lever.values()), b.removals, rtol=RTOL)
    # A removal is worth exactly value * t_per_unit once its ramp is complete.
    for lid, val in extra.items():
        lv = REG.lever(lid)
        if lv.ramp.full <= horizon:
            i = list(b.years).index(lv.ramp.full)
            assert b.removals_by_lever[lid][i] == pytest.approx(val * lv.t_per_unit)
            assert not b.removals_by_lever[lid][b.years < lv.ramp.start].any()


@SETTINGS
@given(levers=lever_settings(), code=kommuner, policy=policies, horizon=horizons)
def test_attribution_sums_to_reduction(levers: dict[str, float], code: str, policy: str, horizon: int) -> None:
    res = _run(levers, code, policy, horizon)
    total = np.sum(list(res.attribution.values()), axis=0)
    assert np.allclose(total, res.baseline_gross - res.net, rtol=0, atol=1e-6 * res.baseline_gross.max())
    assert set(res.attribution) == set(REG.lever_ids)
    # Levers at or above their nnm can only be credited with reductions.
    ctx = res.context
    for i, lid in enumerate(REG.lever_ids):
        if res.lever_values[lid] >= ctx.nnm[i]:
            assert (res.attribution[lid] >= -1e-9 * res.baseline_gross.max()).all(), lid
        if res.lever_values[lid] == ctx.nnm[i]:
            assert not res.attribution[lid].any(), lid


# --------------------------------------------------------------------------- order independence

def _other_stream_levers(lid: str) -> tuple[Lever, ...]:
    """Levers that share no stream with ``lid`` (removals included: they touch no stream)."""
    own = set(REG.lever(lid).streams)
    return tuple(lv for lv in LEVERS if lv.id != lid and not own & set(lv.streams))


@SETTINGS
@given(data=st.data(), code=kommuner, policy=policies)
def test_attribution_independent_of_unrelated_levers(data: st.DataObject, code: str, policy: str) -> None:
    lv = data.draw(st.sampled_from([lv for lv in LEVERS if lv.kind != "removal"]))
    value = data.draw(lever_value(lv))
    others = _other_stream_levers(lv.id)
    first = data.draw(lever_settings(others))
    second = data.draw(lever_settings(others))
    a = _run({**first, lv.id: value}, code, policy)
    b = _run({**second, lv.id: value}, code, policy)
    assert np.allclose(a.attribution[lv.id], b.attribution[lv.id], rtol=RTOL, atol=1e-9)


def test_two_halvings_on_one_stream_give_75_percent() -> None:
    """Two independent 50 % cuts on the same stream compound to 75 %, never 100 %."""
    ctx = build_context("0381")
    base = baseline_streams(ctx)
    t = len(ctx.years)
    s = REG.stream_ids.index("machinery")
    fx = LeverEffects(np.array([0, 1]), np.array([s, s]), np.full((2, t), 0.5),
                      np.array([], dtype=int), np.zeros((0, t)))
    out = apply_levers(base, fx)
    assert np.allclose(out[s], 0.25 * base[s], rtol=RTOL)
    others = [i for i in range(len(REG.streams)) if i != s]
    assert np.array_equal(out[others], base[others])
    attr = attribution(base, fx, 2)
    # Symmetric levers get equal shares of the 75 % reduction.
    assert np.allclose(attr[0], attr[1], rtol=RTOL)
    assert np.allclose(attr.sum(axis=0), 0.75 * base[s, 0], rtol=RTOL)


def test_two_registry_multipliers_compound() -> None:
    """machinery_hvo 50 % and machinery_el 20 % at full ramp (2030) leave 0.5 * 0.8 of the stream."""
    base = run_scenario(baseline_scenario("0381"))
    both = _run({"machinery_hvo": 50, "machinery_el": 20}, "0381")
    m = SECTORS.index("Arbetsmaskiner")
    assert both.by_sector[m, -1] == pytest.approx(0.4 * base.by_sector[m, -1], rel=RTOL)


SHARED_PAIRS = [(a, b) for a in LEVERS for b in LEVERS
                if a.id < b.id and set(a.streams) & set(b.streams)]


@SETTINGS
@given(data=st.data(), code=kommuner, policy=policies, horizon=horizons)
def test_levers_on_one_stream_multiply(data: st.DataObject, code: str, policy: str, horizon: int) -> None:
    """For two levers sharing a stream, combined / baseline = product of the single ratios, per stream."""
    a, b = data.draw(st.sampled_from(SHARED_PAIRS))
    ctx = build_context(code, policy, horizon)
    ia, ib = REG.lever_ids.index(a.id), REG.lever_ids.index(b.id)
    vals = {name: ctx.nnm.copy() for name in ("a", "b", "ab")}
    va, vb = data.draw(lever_value(a)), data.draw(lever_value(b))
    vals["a"][ia] = vals["ab"][ia] = va
    vals["b"][ib] = vals["ab"][ib] = vb
    base = baseline_streams(ctx)
    ra, rb, rab = (apply_levers(base, lever_effects(ctx, vals[k])) for k in ("a", "b", "ab"))
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(base > 0, ra * rb / base, 0.0)
    assert np.allclose(rab, expected, rtol=1e-9, atol=1e-6)
