"""Monte Carlo over lever effectiveness and baseline drivers.

Random inputs are drawn once per (kommun context, N, seed) and reused while
sliders move (common random numbers), so fan charts do not jitter. The same
engine functions as the deterministic run are used with N samples.

Sampled inputs:

* lever effectiveness: triangular(low, mode, high) from the registry;
* population growth: triangular(g - u, g, g + u), u from the registry
  parameter ``population_growth_uncertainty_pp``;
* sector trends: the fitted rate times triangular(1 - v, 1, 1 + v), v =
  ``trend_uncertainty``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from model.baseline import KommunContext
from model.engine import apply_levers, baseline_streams, lever_effects, removals
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


def evaluate_samples(ctx: KommunContext, values: np.ndarray, samples: Samples,
                     reg: Registry | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Gross and net emissions (N, T), t CO2e per year, for every sample.

    The sampled baseline is cached per (context, samples), so only the lever
    part is recomputed when lever values change.
    """
    reg = reg or load_registry()
    fx = lever_effects(ctx, values, reg)
    base = _cached_baseline(ctx, samples)
    streams = apply_levers(base, fx, samples.eff)
    gross = streams.sum(axis=0)
    return gross, gross - removals(fx, gross.shape[0], samples.eff)


def fan(values: np.ndarray) -> np.ndarray:
    """Quantiles :data:`QUANTILES` over samples: (5, T) from (N, T)."""
    out: np.ndarray = np.quantile(values, QUANTILES, axis=0)
    return out


def probability_below(values: np.ndarray, years: np.ndarray, year: int, threshold: float) -> float:
    """Share of samples at or below ``threshold`` in ``year`` (0..1)."""
    i = int(np.flatnonzero(years == year)[0])
    return float((values[:, i] <= threshold + 1e-6).mean())
