"""Sensitivity (tornado) and Monte Carlo summaries for the uncertainty page (pure; no Streamlit).

Uncertain inputs are the ones :mod:`model.uncertainty` samples:

* each lever's effectiveness, triangular ``[low, mode, high]`` from the registry
  (the ranges are assumptions; the mode is 1, the effect the lever is set to);
* population growth, the kommun's rate ± ``population_growth_uncertainty_pp``;
* each trend-driven sector's fitted trend, times ``1 ± trend_uncertainty``.

:func:`tornado` moves one input at a time to the ends of its range, every other
input at its mode, and reports net emissions in the target year; the scenario's own measures
are inputs too (each over its stated uncertainty).
:func:`mc_summary` draws ``n`` samples of all inputs at once (the same draws as
:func:`model.uncertainty.draw_samples`) and summarises them.

Probability of meeting the selected target (per sample, same criterion as the
deterministic verdict in :mod:`model.targets`):

* ``klimatneutral_2030`` / ``national_2045``: gross ≤ the allowed level *and*
  net ≤ 0 in the target year (not evaluable when that year is beyond the horizon);
* ``budget_rate`` / ``carbon_law``: cumulative gross emissions over the path's
  years within the horizon ≤ the path's cumulative emissions (the verdict's
  "met"); the path's value in the horizon year is the annual check shown in the chart;
* ``national_transport_2030``: the Transporter sector ≤ 30 % of 2010 in 2030;
* ``gross_limit``: gross ≤ the allowed level in the target year (no condition on net).
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from model.baseline import KommunContext, build_context
from model.data import SECTORS
from model.engine import LeverEffects, apply_levers, baseline_streams, removals
from model.measures import OwnMeasure
from model.registry import Registry, load_registry
from model.run import lever_vector, resolve_kommun, run_scenario
from model.scenario import Scenario
from model.target_defs import PATH_TARGETS, SECTOR_TARGETS, sector_index
from model.uncertainty import QUANTILES, draw_samples, sample_effectiveness, scenario_effects

#: Input id of population growth in :func:`tornado`; lever ids and ``TREND_PREFIX + sector`` are the others.
POPULATION = "population_growth"
TREND_PREFIX = "trend:"
#: Input id prefix of an own measure's effect in :func:`tornado` (``"measure:<measure id>"``).
MEASURE_PREFIX = "measure:"
PATHS = PATH_TARGETS
SECTOR = SECTOR_TARGETS
#: Samples evaluated at once: bounds memory at about 30 MB per block to 2045.
CHUNK = 10_000
#: IPCC AR6 calibrated likelihood language, most likely first: (term id, lower bound, bound inclusive).
LIKELIHOOD_SCALE = (("virtually_certain", 0.99, True), ("extremely_likely", 0.95, True),
                    ("very_likely", 0.90, True), ("likely", 0.66, False),
                    ("about_as_likely", 0.33, True), ("unlikely", 0.10, True),
                    ("very_unlikely", 0.05, True), ("extremely_unlikely", 0.01, True),
                    ("exceptionally_unlikely", 0.0, True))


def trend_sectors(reg: Registry | None = None) -> tuple[str, ...]:
    """SMHI sectors with at least one trend-driven stream, in :data:`model.data.SECTORS` order."""
    reg = reg or load_registry()
    found = {s.sector for s in reg.streams if s.driver == "trend"}
    return tuple(s for s in SECTORS if s in found)


def input_ranges(ctx: KommunContext, reg: Registry | None = None,
                 measures: Sequence[OwnMeasure] = ()) -> dict[str, tuple[float, float, float]]:
    """Every uncertain input's (low, mode, high) in its own unit.

    Returns
    -------
    dict
        Lever id -> effectiveness multiplier (dimensionless); :data:`POPULATION` ->
        growth rate (fraction per year); ``"trend:<SMHI sector>"`` -> the sector's
        trend (fraction per year; low/high are the ends of ``trend * (1 ± v)``);
        ``MEASURE_PREFIX + id`` -> an own measure's effect multiplier (its stated uncertainty).
    """
    reg = reg or load_registry()
    out: dict[str, tuple[float, float, float]] = {lv.id: lv.effectiveness for lv in reg.levers}
    u = reg.param("population_growth_uncertainty_pp") / 100.0
    g = float(ctx.facts["population_growth"][0])
    out[POPULATION] = (g - u, g, g + u)
    v = reg.param("trend_uncertainty")
    for sector in trend_sectors(reg):
        s = next(i for i, st in enumerate(reg.streams) if st.sector == sector and st.driver == "trend")
        g_s = float(ctx.growth[s])
        lo, hi = sorted((g_s * (1 - v), g_s * (1 + v)))
        out[TREND_PREFIX + sector] = (lo, g_s, hi)
    for m in measures:
        out[MEASURE_PREFIX + m.id] = (float(m.uncertainty[0]), 1.0, float(m.uncertainty[1]))
    return out


def _evaluate(ctx: KommunContext, fx: LeverEffects, eff: np.ndarray, growth: np.ndarray,
              sector: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gross, net and one sector's emissions (N, T) for sampled inputs, in blocks of :data:`CHUNK`.

    ``sector`` is an index in :data:`model.data.SECTORS` (the selected sector target's sector).

    The same engine calls as :func:`model.uncertainty.evaluate_samples` (equal results),
    but without its cached full-size baseline, so 50 000 samples stay within ~60 MB.
    """
    n = eff.shape[0]
    t_mask = ctx.stream_sector == sector
    gross, net, transport = (np.empty((n, len(ctx.years))) for _ in range(3))
    for a in range(0, n, CHUNK):
        b = min(a + CHUNK, n)
        streams = apply_levers(baseline_streams(ctx, growth[a:b]), fx, eff[a:b])
        gross[a:b] = streams.sum(axis=0)
        transport[a:b] = streams[t_mask].sum(axis=0)
        net[a:b] = gross[a:b] - removals(fx, b - a, eff[a:b])
    return gross, net, transport


def tornado(ctx: KommunContext, values: np.ndarray, target_year: int, reg: Registry | None = None,
            *, quantity: str = "net", measures: Sequence[OwnMeasure] = ()) -> list[tuple[str, float, float]]:
    """One-at-a-time swings of every uncertain input on emissions in ``target_year``.

    Parameters
    ----------
    ctx : KommunContext
        Kommun, policy and horizon (see :func:`model.baseline.build_context`).
    values : numpy.ndarray
        Lever values (L,) in registry order (:func:`model.run.lever_vector`).
    target_year : int
        A model year of ``ctx`` (ValueError otherwise).
    quantity : {"net", "gross"}, default "net"
        Net (gross − removals) or gross emissions.
    measures : sequence of OwnMeasure, optional
        The scenario's own measures: they count in every row (as on the Scenario page), and each
        is an input of its own, ``MEASURE_PREFIX + id``, swung over its stated uncertainty
        (effect times ``uncertainty[0]`` and ``uncertainty[1]``).

    Returns
    -------
    list of (str, float, float)
        ``(input_id, value_at_low_t, value_at_high_t)``: emissions in t CO₂e per year
        with the input at the low and at the high end of its range and every other
        input at its mode; sorted by swing ``|high − low|``, largest first (ties by
        id). A lever at its "no new measures" position has zero swing.
    """
    reg = reg or load_registry()
    if target_year not in ctx.years.tolist():
        raise ValueError(f"target_year {target_year} not in {int(ctx.years[0])}–{int(ctx.years[-1])}")
    if quantity not in ("net", "gross"):
        raise ValueError(f"quantity {quantity!r} not in ('net', 'gross')")
    ranges = input_ranges(ctx, reg, measures)
    ids = list(ranges)
    n_lev = len(reg.levers)
    eff = np.ones((2 * len(ids), n_lev + len(measures)))
    growth = np.tile(ctx.growth, (2 * len(ids), 1))
    for k, iid in enumerate(ids):
        lo, _, hi = ranges[iid]
        rows = (2 * k, 2 * k + 1)
        if k < n_lev:
            eff[rows, k] = lo, hi
            continue
        if iid.startswith(MEASURE_PREFIX):
            j = [m.id for m in measures].index(iid[len(MEASURE_PREFIX):])
            eff[rows, n_lev + j] = lo, hi
            continue
        if iid == POPULATION:
            mask = np.array([st.driver == "population" for st in reg.streams])
            growth[rows[0], mask], growth[rows[1], mask] = lo, hi
            continue
        # Every trend stream of a sector follows the sector's one fitted trend.
        sector = iid[len(TREND_PREFIX):]
        mask = np.array([st.sector == sector and st.driver == "trend" for st in reg.streams])
        growth[rows[0], mask], growth[rows[1], mask] = lo, hi
    fx = scenario_effects(ctx, np.asarray(values, dtype=float), tuple(measures), reg)
    gross, net, _ = _evaluate(ctx, fx, eff, growth, SECTORS.index("Transporter"))
    col = (net if quantity == "net" else gross)[:, ctx.years.tolist().index(target_year)]
    out = [(iid, float(col[2 * k]), float(col[2 * k + 1])) for k, iid in enumerate(ids)]
    return sorted(out, key=lambda r: (-abs(r[2] - r[1]), r[0]))


def likelihood(p: float) -> str:
    """IPCC AR6 calibrated likelihood term id for a probability (0..1).

    "very likely" is ≥ 90 %, "likely" > 66 %, "about as likely as not" 33–66 %,
    "unlikely" < 33 %, "very unlikely" < 10 %, and so on (Mastrandrea et al. 2010,
    IPCC guidance note on the consistent treatment of uncertainties).
    """
    p = float(np.clip(p, 0.0, 1.0))
    for term, lo, inclusive in LIKELIHOOD_SCALE:
        if p > lo or (inclusive and p >= lo):
            return term
    return LIKELIHOOD_SCALE[-1][0]


@dataclass(frozen=True, eq=False)
class MCSummary:
    """Monte Carlo outcome of one scenario (t CO₂e per year unless stated).

    Attributes
    ----------
    years : numpy.ndarray
        Model years (T,).
    fan : numpy.ndarray
        Quantiles :data:`QUANTILES` (5 / 25 / 50 / 75 / 95 %) of net emissions (5, T).
    deterministic : numpy.ndarray
        Net emissions with every input at its mode (T,), as on the Scenario page.
    fan_gross, deterministic_gross : numpy.ndarray
        The same for gross emissions (what the carbon-budget paths are judged on).
    probability : float or None
        Share of samples meeting the selected target (0..1); None when the target
        cannot be judged within the horizon.
    target_id, criterion_year : str, int
        The judged target and the year its criterion applies to.
    n, seed : int
        Samples and random seed.
    timings_ms : dict
        ``deterministic`` (the central run), ``draw``, ``evaluate``, ``summarise``
        and ``total``, in milliseconds.
    """

    years: np.ndarray
    fan: np.ndarray
    deterministic: np.ndarray
    fan_gross: np.ndarray
    deterministic_gross: np.ndarray
    probability: float | None
    target_id: str
    criterion_year: int
    n: int
    seed: int
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def quantiles(self) -> tuple[float, ...]:
        """The quantile levels of :attr:`fan` (fractions)."""
        return QUANTILES


def mc_summary(scenario: Scenario, n: int = 10_000, seed: int = 2030, kommun: str | None = None,
               reg: Registry | None = None) -> MCSummary:
    """Monte Carlo over every uncertain input for one scenario.

    Parameters
    ----------
    scenario : Scenario
        Levers, policy, horizon and target settings (``target.selected`` is judged).
    n : int, default 10 000
        Number of samples (≥ 1).
    seed : int, default 2030
        Random seed; the same seed gives the same draws (common random numbers, so
        two scenarios with the same seed differ only by their levers).
    kommun : str, optional
        Overrides the scenario's kommun.

    Returns
    -------
    MCSummary
        Fan quantiles of net and gross emissions, the deterministic paths, the probability of meeting the target
        (criteria in the module docstring) and timings.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    reg = reg or load_registry()
    t0 = time.perf_counter()
    det = run_scenario(scenario, kommun)
    ctx = build_context(resolve_kommun(scenario, kommun).code, scenario.national_policy, scenario.horizon,
                        release=scenario.release)
    values = lever_vector(ctx, scenario.levers, reg)
    t1 = time.perf_counter()
    samples = draw_samples(ctx, int(n), int(seed), reg)
    t2 = time.perf_counter()
    # Own measures count with their stated uncertainty, drawn on their own stream (levers' draws unchanged).
    measures = tuple(scenario.measures)
    fx = scenario_effects(ctx, values, measures, reg)
    sel = scenario.target.selected
    # Only a sector target reads the sector series; Transporter otherwise (never used).
    si = sector_index(sel)
    gross, net, transport = _evaluate(ctx, fx, sample_effectiveness(samples, measures), samples.growth,
                                      SECTORS.index("Transporter") if si is None else si)
    t3 = time.perf_counter()
    verdict = det.target(sel)
    years = ctx.years.tolist()
    prob: float | None = None
    year = int(verdict.year)
    if sel in PATHS:
        idx = [years.index(y) for y in years if y in verdict.path]
        year = years[idx[-1]]
        cum_path = float(sum(verdict.path[years[i]] for i in idx))
        prob = float((gross[:, idx].sum(axis=1) <= cum_path + 1e-6).mean())
    elif year in years:
        i = years.index(year)
        # No limit (not evaluable) means no sample meets it.
        allowed = float(verdict.allowed_t) if verdict.allowed_t is not None else float("-inf")
        if sel in SECTOR:
            prob = float((transport[:, i] <= allowed + 1e-6).mean())
        else:
            net_ok = (net[:, i] <= 1e-6) if verdict.details.get("net_zero", True) else True
            prob = float(((gross[:, i] <= allowed + 1e-6) & net_ok).mean())
    fan, fan_gross = np.quantile(net, QUANTILES, axis=0), np.quantile(gross, QUANTILES, axis=0)
    t4 = time.perf_counter()
    def ms(a: float, b: float) -> float:
        return round((b - a) * 1000.0, 2)
    timings = {"deterministic": ms(t0, t1), "draw": ms(t1, t2), "evaluate": ms(t2, t3),
               "summarise": ms(t3, t4), "total": ms(t0, t4)}
    return MCSummary(ctx.years.copy(), fan, det.net.copy(), fan_gross, det.gross.copy(), prob, sel, year,
                     int(n), int(seed), timings)
