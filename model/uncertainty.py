"""Monte Carlo over lever effectiveness and baseline drivers.

Random inputs are drawn once per (kommun context, N, seed) and reused while
sliders move (common random numbers), so fan charts do not jitter. The same
engine functions as the deterministic run are used with N samples.

Sampled inputs:

* lever effectiveness: triangular(low, mode, high) from the registry;
* population growth: triangular(g - u, g, g + u), u from the registry
  parameter ``population_growth_uncertainty_pp``;
* sector trends: the fitted rate times triangular(1 - v, 1, 1 + v), v =
  ``trend_uncertainty``;
* own measures (:mod:`model.measures`): each measure's effect times triangular(low, 1, high)
  from its stated ``uncertainty``, drawn from a random stream of its own so that adding a
  measure never changes the levers' draws.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from model.baseline import KommunContext
from model.engine import LeverEffects, apply_levers, baseline_streams, lever_effects, removals
from model.measures import OwnMeasure
from model.measures_engine import engine_effects, extend_effectiveness
from model.registry import Registry, load_registry

QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)


@dataclass(frozen=True, eq=False)
class Samples:
    """Drawn uncertain inputs: ``eff`` (N, L) and driver ``growth`` (N, S) in fraction per year."""

    eff: np.ndarray
    growth: np.ndarray
    seed: int


def draw_samples(ctx: KommunContext, n: int, seed: int = 2030, reg: Registry | None = None) -> Samples:
    """Draw N samples of every uncertain input (reproducible for a given seed)."""
    reg = reg or load_registry()
    rng = np.random.default_rng(seed)
    eff = np.empty((n, len(reg.levers)))
    for i, lv in enumerate(reg.levers):
        lo, mode, hi = lv.effectiveness
        eff[:, i] = rng.triangular(lo, mode, hi, n) if hi > lo else mode
    growth = np.empty((n, len(reg.streams)))
    u = reg.param("population_growth_uncertainty_pp") / 100.0
    v = reg.param("trend_uncertainty")
    pop_draw = rng.triangular(-1.0, 0.0, 1.0, n)
    trend_draw = rng.triangular(1.0 - v, 1.0, 1.0 + v, n)
    for s, st in enumerate(reg.streams):
        g = ctx.growth[s]
        if st.driver == "population":
            growth[:, s] = g + u * pop_draw
        elif st.driver == "trend":
            growth[:, s] = g * trend_draw
        else:
            growth[:, s] = g
    return Samples(eff, growth, seed)


# Each entry is ~30 MB at N = 10 000 to 2045; a few contexts are enough for one server.
@lru_cache(maxsize=4)
def _cached_baseline(ctx: KommunContext, samples: Samples) -> np.ndarray:
    out = baseline_streams(ctx, samples.growth)
    out.setflags(write=False)
    return out


def scenario_effects(ctx: KommunContext, values: np.ndarray, measures: Sequence[OwnMeasure] = (),
                     reg: Registry | None = None) -> LeverEffects:
    """Lever effects (L,) with the own measures appended as levers ``L + m``.

    A measure's reduction is its share of the deterministic baseline (as in
    :func:`model.run.run_scenario`), so on a sampled baseline it scales with the sample.
    """
    reg = reg or load_registry()
    fx = lever_effects(ctx, values, reg)
    return engine_effects(measures, ctx, baseline_streams(ctx), fx, len(reg.levers)) if measures else fx


def sample_effectiveness(samples: Samples, measures: Sequence[OwnMeasure] = ()) -> np.ndarray:
    """Effectiveness draws (N, L + M): the levers' (unchanged) and one column per measure."""
    return extend_effectiveness(samples.eff, measures, samples.seed)


def evaluate_samples(ctx: KommunContext, values: np.ndarray, samples: Samples,
                     reg: Registry | None = None,
                     measures: Sequence[OwnMeasure] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Gross and net emissions (N, T), t CO2e per year, for every sample.

    The sampled baseline is cached per (context, samples), so only the lever
    part is recomputed when lever values change. ``measures`` are the scenario's own
    measures, each with its stated uncertainty (:func:`sample_effectiveness`).
    """
    reg = reg or load_registry()
    fx = scenario_effects(ctx, values, measures, reg)
    eff = sample_effectiveness(samples, measures)
    base = _cached_baseline(ctx, samples)
    streams = apply_levers(base, fx, eff)
    gross = streams.sum(axis=0)
    return gross, gross - removals(fx, gross.shape[0], eff)


def fan(values: np.ndarray) -> np.ndarray:
    """Quantiles :data:`QUANTILES` over samples: (5, T) from (N, T)."""
    out: np.ndarray = np.quantile(values, QUANTILES, axis=0)
    return out


def probability_below(values: np.ndarray, years: np.ndarray, year: int, threshold: float) -> float:
    """Share of samples at or below ``threshold`` in ``year`` (0..1)."""
    i = int(np.flatnonzero(years == year)[0])
    return float((values[:, i] <= threshold + 1e-6).mean())
