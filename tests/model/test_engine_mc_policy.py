"""Engine invariants: Monte Carlo reproducibility and distributions, national policy ordering."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from model.baseline import build_context
from model.data import SECTORS
from model.registry import load_registry
from model.run import baseline_scenario, lever_vector, run_scenario
from model.scenario import Scenario, load_scenario
from model.uncertainty import Samples, draw_samples, evaluate_samples

ROOT = Path(__file__).resolve().parents[2]
REG = load_registry()
LEVERS = REG.levers
PRESETS = ("nuvarande_politik", "klimatkontrakt", "hog_ambition")


def _preset(name: str) -> Scenario:
    return load_scenario(ROOT / "scenarios" / f"{name}.toml")


# --------------------------------------------------------------------------- Monte Carlo

def test_monte_carlo_reproducible_with_seed() -> None:
    sc = _preset("klimatkontrakt")
    ctx = build_context("0381", sc.national_policy, sc.horizon)
    vals = lever_vector(ctx, sc.levers)
    s1, s2 = draw_samples(ctx, 500, seed=11), draw_samples(ctx, 500, seed=11)
    assert np.array_equal(s1.eff, s2.eff) and np.array_equal(s1.growth, s2.growth)
    g1, n1 = evaluate_samples(ctx, vals, s1)
    g2, n2 = evaluate_samples(ctx, vals, s2)
    assert np.array_equal(g1, g2) and np.array_equal(n1, n2)
    s3 = draw_samples(ctx, 500, seed=12)
    assert not np.array_equal(s1.eff, s3.eff)
    assert not np.array_equal(evaluate_samples(ctx, vals, s3)[0], g1)


def test_samples_respect_their_distributions() -> None:
    ctx = build_context("0381")
    s = draw_samples(ctx, 3000, seed=3)
    assert s.eff.shape == (3000, len(LEVERS)) and s.growth.shape == (3000, len(REG.streams))
    for i, lv in enumerate(LEVERS):
        lo, mode, hi = lv.effectiveness
        assert s.eff[:, i].min() >= lo and s.eff[:, i].max() <= hi
    for j, stream in enumerate(REG.streams):
        if stream.driver == "flat":
            assert (s.growth[:, j] == ctx.growth[j]).all()
        else:
            assert s.growth[:, j].std() > 0 or ctx.growth[j] == 0


@pytest.mark.parametrize("name", PRESETS)
@pytest.mark.parametrize("code", ["0381", "1480"])
def test_monte_carlo_median_close_to_deterministic(name: str, code: str) -> None:
    """The deterministic run (every input at its mode) is the centre of the Monte Carlo fan, within 3 %.

    Fails today for hog_ambition (net 4.8 % for Enköping, 3.1 % for Göteborg): most effectiveness
    triangles have their mode at or next to the high end ([0.9, 1, 1], [0.8, 1, 1], land_sink
    [0.3, 1, 1.2]), so the mode run is near the best case and sits at the 0-8th percentile of the fan.
    """
    sc = _preset(name)
    det = run_scenario(sc, code)
    ctx = det.context
    gross, net = evaluate_samples(ctx, lever_vector(ctx, sc.levers), draw_samples(ctx, 4000, seed=2030))
    i = list(det.years).index(2030)
    assert np.median(gross[:, i]) == pytest.approx(det.gross[i], rel=0.03)
    assert np.median(net[:, i]) == pytest.approx(det.net[i], rel=0.03)
    assert (gross >= 0).all()
    # Uncertainty is real: the fan has width in 2030.
    assert np.percentile(gross[:, i], 95) > np.percentile(gross[:, i], 5)


@pytest.mark.parametrize("name", PRESETS)
@pytest.mark.parametrize("horizon", (2030, 2045))
def test_single_sample_at_mode_equals_deterministic(name: str, horizon: int) -> None:
    sc = replace(_preset(name), horizon=horizon)
    det = run_scenario(sc, "0381")
    ctx = det.context
    mode = np.array([[lv.effectiveness[1] for lv in LEVERS]])
    samples = Samples(eff=mode, growth=ctx.growth[None, :].copy(), seed=-1)
    gross, net = evaluate_samples(ctx, lever_vector(ctx, sc.levers), samples)
    assert gross.shape == (1, len(det.years))
    assert np.allclose(gross[0], det.gross, rtol=1e-12)
    assert np.allclose(net[0], det.net, rtol=1e-12, atol=1e-6)


# --------------------------------------------------------------------------- national policy

POLICY_CODES = ("0381", "1480", "2480", "0180", "1281", "0114", "2584", "0880")


def _baseline_gross(code: str, policy: str, horizon: int) -> np.ndarray:
    return run_scenario(baseline_scenario(code, policy, horizon)).baseline_gross


@pytest.mark.parametrize("horizon", (2030, 2045))
def test_stricter_policies_never_above_current_law(horizon: int) -> None:
    for code in POLICY_CODES:
        cl = _baseline_gross(code, "current_law", horizon)
        for policy in ("rp10_2025", "original_2030"):
            assert (_baseline_gross(code, policy, horizon) <= cl + 1e-6).all(), (code, policy)


@pytest.mark.parametrize("horizon", (2030, 2045))
def test_policy_order_every_year(horizon: int) -> None:
    """original_2030 <= rp10_2025 <= current_law in every model year (baseline gross).

    Fails today in 2025 and 2026: registry.toml [policy.original_2030] holds 6 % until 2027 while
    [policy.rp10_2025] has 8 % (2025) and 10 % (2026), so the "most ambitious" path is weaker for two years.
    """
    for code in POLICY_CODES:
        og, rp, cl = (_baseline_gross(code, p, horizon) for p in ("original_2030", "rp10_2025", "current_law"))
        assert (rp <= cl + 1e-6).all(), code
        years = np.arange(2024, horizon + 1)
        assert (og <= rp + 1e-6).all(), (code, years[og > rp + 1e-6].tolist())


def test_policy_touches_only_fuel_sectors() -> None:
    a = run_scenario(baseline_scenario("0381", "current_law"))
    b = run_scenario(baseline_scenario("0381", "original_2030"))
    fuel = {SECTORS.index("Transporter"), SECTORS.index("Arbetsmaskiner")}
    for i in range(len(SECTORS)):
        if i in fuel:
            assert b.by_sector[i, -1] < a.by_sector[i, -1]
        else:
            assert np.array_equal(a.by_sector[i], b.by_sector[i]), SECTORS[i]
