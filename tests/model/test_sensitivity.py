"""Tests for model.sensitivity: tornado swings, Monte Carlo summary, probability, likelihood words."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from model.baseline import build_context
from model.data import SECTORS
from model.engine import lever_effects
from model.registry import load_registry
from model.run import lever_vector, run_scenario
from model.scenario import Scenario, load_scenario
from model.sensitivity import (
    POPULATION,
    TREND_PREFIX,
    _evaluate,
    input_ranges,
    likelihood,
    mc_summary,
    tornado,
    trend_sectors,
)
from model.targets import TargetSpec
from model.uncertainty import draw_samples, evaluate_samples

REG = load_registry()
SCEN_DIR = Path(__file__).resolve().parents[2] / "scenarios"
PRESETS = {p.stem: load_scenario(p) for p in sorted(SCEN_DIR.glob("*.toml"))}


def _ctx_values(sc: Scenario, horizon: int | None = None):
    ctx = build_context("0381", sc.national_policy, horizon or sc.horizon)
    return ctx, lever_vector(ctx, sc.levers)


@pytest.fixture(scope="module")
def kk_tornado() -> tuple[list[tuple[str, float, float]], float]:
    sc = PRESETS["klimatkontrakt"]
    ctx, vals = _ctx_values(sc)
    return tornado(ctx, vals, 2030), float(run_scenario(sc, "0381").net[-1])


def test_tornado_covers_every_uncertain_input(kk_tornado) -> None:
    rows, _ = kk_tornado
    ids = [r[0] for r in rows]
    expected = set(REG.lever_ids) | {POPULATION} | {TREND_PREFIX + s for s in trend_sectors()}
    assert set(ids) == expected and len(ids) == len(expected)
    assert {"trend:Jordbruk", "trend:Avfall (inkl.avlopp)"} <= set(ids)


def test_tornado_sorted_by_swing(kk_tornado) -> None:
    rows, _ = kk_tornado
    swings = [abs(hi - lo) for _, lo, hi in rows]
    assert swings == sorted(swings, reverse=True)
    assert swings[0] > 1000  # something real moves by more than a thousand tonnes


def test_tornado_swings_bracket_the_deterministic_value(kk_tornado) -> None:
    rows, det = kk_tornado
    for iid, lo, hi in rows:
        assert min(lo, hi) - 1e-6 <= det <= max(lo, hi) + 1e-6, iid


def test_lower_effectiveness_means_higher_emissions(kk_tornado) -> None:
    rows, det = kk_tornado
    by_id = {r[0]: r for r in rows}
    _, lo, hi = by_id["car_traffic"]  # klimatkontrakt sets −10 % car traffic
    assert lo > det > hi
    _, lo, hi = by_id[POPULATION]  # faster growth, more car emissions
    assert lo < det < hi


def test_lever_at_nnm_has_zero_swing(kk_tornado) -> None:
    rows, det = kk_tornado
    by_id = {r[0]: r for r in rows}
    assert "beccs" not in PRESETS["klimatkontrakt"].levers  # left at "no new measures"
    for lid in ("beccs", "land_sink"):
        _, lo, hi = by_id[lid]
        assert lo == pytest.approx(det, abs=1e-6) and hi == pytest.approx(det, abs=1e-6)
    base_ctx, base_vals = _ctx_values(Scenario())
    base_rows = tornado(base_ctx, base_vals, 2030)
    assert all(abs(hi - lo) < 1e-6 for iid, lo, hi in base_rows if iid in REG.lever_ids)


def test_gross_tornado_ignores_removals() -> None:
    sc = PRESETS["klimatkontrakt"]
    ctx, vals = _ctx_values(sc)
    gross = {iid: (lo, hi) for iid, lo, hi in tornado(ctx, vals, 2030, quantity="gross")}
    det = run_scenario(sc, "0381")
    assert gross["biochar"] == pytest.approx((det.gross[-1], det.gross[-1]))
    assert gross["car_traffic"][0] > det.gross[-1] > gross["car_traffic"][1]


def test_tornado_rejects_a_year_outside_the_horizon() -> None:
    ctx, vals = _ctx_values(PRESETS["klimatkontrakt"])
    with pytest.raises(ValueError, match="2045"):
        tornado(ctx, vals, 2045)


def test_input_ranges_match_the_registry() -> None:
    ctx, _ = _ctx_values(Scenario())
    r = input_ranges(ctx)
    assert r["ev_cars"] == REG.lever("ev_cars").effectiveness
    lo, mode, hi = r[POPULATION]
    assert hi - mode == pytest.approx(mode - lo) == pytest.approx(0.005)


def test_chunked_evaluation_equals_the_engine() -> None:
    sc = PRESETS["hog_ambition"]
    ctx, vals = _ctx_values(sc, 2045)
    s = draw_samples(ctx, 300, 11)
    gross, net = evaluate_samples(ctx, vals, s)
    g2, n2, _ = _evaluate(ctx, lever_effects(ctx, vals), s.eff, s.growth, SECTORS.index("Transporter"))
    np.testing.assert_allclose(g2, gross, rtol=1e-12)
    np.testing.assert_allclose(n2, net, rtol=1e-12)


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    sc = PRESETS["klimatkontrakt"]
    a, b = mc_summary(sc, 2000, seed=5), mc_summary(sc, 2000, seed=5)
    np.testing.assert_array_equal(a.fan, b.fan)
    assert a.probability == b.probability
    c = mc_summary(sc, 2000, seed=6)
    assert not np.array_equal(a.fan, c.fan)


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("horizon", [2030, 2045])
def test_median_close_to_deterministic(preset: str, horizon: int) -> None:
    sc = replace(PRESETS[preset], horizon=horizon)
    m = mc_summary(sc, 10_000, seed=2030)
    det = run_scenario(sc, "0381").net
    np.testing.assert_allclose(m.deterministic, det)
    assert m.fan.shape == (5, len(m.years))
    assert np.all(np.diff(m.fan, axis=0) >= -1e-9), "quantiles are ordered"
    np.testing.assert_allclose(m.fan[2], det, rtol=0.03)
    assert np.all(m.fan_gross >= m.fan - 1e-6), "removals are never negative, so net <= gross"


def test_mc_summary_reports_timings_and_years() -> None:
    m = mc_summary(PRESETS["klimatkontrakt"], 1000, seed=1)
    assert m.years[0] == 2024 and m.years[-1] == 2030 and m.n == 1000 and m.seed == 1
    assert {"draw", "evaluate", "total"} <= set(m.timings_ms) and m.timings_ms["total"] > 0


@pytest.mark.parametrize("target", ["klimatneutral_2030", "budget_rate", "carbon_law",
                                    "national_transport_2030", "national_2045"])
def test_probability_in_unit_interval(target: str) -> None:
    for horizon in (2030, 2045):
        sc = replace(PRESETS["hog_ambition"], horizon=horizon, target=TargetSpec(target))
        p = mc_summary(sc, 1000, seed=3).probability
        if target == "national_2045" and horizon == 2030:
            assert p is None  # the target year is beyond the horizon
        else:
            assert 0.0 <= p <= 1.0


def test_probability_matches_the_deterministic_verdict_at_the_extremes() -> None:
    sc = replace(PRESETS["hog_ambition"], target=TargetSpec("national_transport_2030"))
    assert run_scenario(sc, "0381").target("national_transport_2030").met
    assert mc_summary(sc, 2000, seed=1).probability > 0.9
    assert mc_summary(PRESETS["nuvarande_politik"], 2000, seed=1).probability == 0.0


def _ambition_chain(base: Scenario) -> list[Scenario]:
    """``base`` with ever more levers pushed to their maximum: each step is more ambitious."""
    levers = dict(base.levers)
    chain = [base]
    for lv in REG.levers:
        levers[lv.id] = lv.max
        chain.append(replace(base, levers=dict(levers)))
    return chain


@pytest.mark.parametrize(("base", "target", "horizon", "year"), [
    ("hog_ambition", "budget_rate", 2030, 2030), ("hog_ambition", "klimatneutral_2030", 2045, 2045),
    ("nnm", "national_transport_2030", 2030, 2030)])
def test_more_ambition_never_lowers_the_probability(base: str, target: str, horizon: int, year: int) -> None:
    start = PRESETS[base] if base in PRESETS else Scenario(national_policy="original_2030")
    spec = TargetSpec(target, year=year, max_gross_pct=45.0)
    probs = [mc_summary(replace(sc, target=spec, horizon=horizon), 2000, seed=2030).probability
             for sc in _ambition_chain(start)]
    assert all(b >= a for a, b in zip(probs, probs[1:], strict=False)), probs
    assert probs[0] < probs[-1], "the chain spans a real change"


@pytest.mark.parametrize(("p", "term"), [
    (1.0, "virtually_certain"), (0.99, "virtually_certain"), (0.97, "extremely_likely"),
    (0.92, "very_likely"), (0.90, "very_likely"), (0.7, "likely"), (0.66, "about_as_likely"),
    (0.5, "about_as_likely"), (0.33, "about_as_likely"), (0.32, "unlikely"), (0.1, "unlikely"),
    (0.09, "very_unlikely"), (0.04, "extremely_unlikely"), (0.005, "exceptionally_unlikely"),
    (0.0, "exceptionally_unlikely"), (-0.2, "exceptionally_unlikely"), (1.5, "virtually_certain")])
def test_ipcc_likelihood_scale(p: float, term: str) -> None:
    assert likelihood(p) == term


def test_invalid_sample_count() -> None:
    with pytest.raises(ValueError):
        mc_summary(PRESETS["klimatkontrakt"], 0)


def test_monte_carlo_counts_own_measures_and_the_release() -> None:
    """The Osäkerhet page's Monte Carlo runs the same scenario as the Scenario page: own measures
    (with their stated uncertainty) and the SMHI release (before: both were dropped)."""
    from model.measures_parse import measure_from_dict

    m = measure_from_dict({"id": "bio", "name": {"sv": "Biogasbussar", "en": "Biogas buses"}, "stream": "cars",
                           "unit": "t", "effect": 5000, "start": 2025, "full": 2030, "shape": "linear",
                           "actor": "kommun", "uncertainty": [1.0, 1.0],
                           "source": {"sv": "Antagande för testet", "en": "Assumption for the test"}})
    base = Scenario(levers={}, kommun="0381", id="t")
    plain = mc_summary(base, n=200, seed=1)
    with_m = mc_summary(replace(base, measures=(m,)), n=200, seed=1)
    det = run_scenario(replace(base, measures=(m,)), "0381")
    assert float(with_m.deterministic[-1]) == pytest.approx(float(det.net[-1]), abs=0.5)
    assert float(plain.deterministic[-1] - with_m.deterministic[-1]) == pytest.approx(5000.0, abs=0.5)
    # The measure's share of the stream is fixed, so on a sampled baseline (population growth drawn)
    # its tonnes scale with the sample: the quantiles move by about 5 000 t, not by nothing.
    np.testing.assert_allclose(plain.fan[:, -1] - with_m.fan[:, -1], 5000.0, rtol=0.05)
    old = mc_summary(replace(base, release="smhi-2023"), n=200, seed=1)
    assert int(old.years[0]) == 2023 and int(plain.years[0]) == 2024


def test_tornado_counts_own_measures_and_swings_each_over_its_uncertainty() -> None:
    """With own measures the tornado's centre is the Scenario page's figure (measures included), and
    each measure is an input of its own: at its low end (effect x 0,5) net emissions are higher by
    exactly the same tonnes as at its high end (x 1,5) they are lower, since the measure enters the
    engine linearly at full effect (2 000 t on Kiruna's cars, far more than 2 000 t there)."""
    from model.measures_parse import measure_from_dict
    from model.sensitivity import MEASURE_PREFIX

    m = measure_from_dict({"id": "biogas", "name": {"sv": "Biogas", "en": "Biogas"}, "stream": "cars", "unit": "t",
                           "effect": 2_000, "start": 2025, "full": 2028, "actor": "kommun",
                           "uncertainty": [0.5, 1.5], "source": {"sv": "Klimatplan", "en": "Climate plan"}})
    sc = replace(Scenario(kommun="2584"), measures=(m,))
    det = run_scenario(sc)
    ctx = build_context("2584", sc.national_policy, sc.horizon)
    rows = {iid: (lo, hi) for iid, lo, hi in
            tornado(ctx, lever_vector(ctx, det.lever_values), 2030, measures=(m,))}
    lo, hi = rows[MEASURE_PREFIX + "biogas"]
    central = float(det.net[-1])
    assert lo - central == pytest.approx(central - hi, rel=1e-6)
    assert 0.45 * 2_000 < lo - central <= 0.5 * 2_000  # half the measure's effect, after the levers' share
    for iid, (a, b) in rows.items():  # every swing brackets the figure with the measure in it
        assert min(a, b) - 1e-6 <= central <= max(a, b) + 1e-6, iid
    assert input_ranges(ctx, measures=(m,))[MEASURE_PREFIX + "biogas"] == (0.5, 1.0, 1.5)
