"""Own measures in the engine: their reductions, and their place among the levers.

:func:`measure_effects` turns measures (:class:`model.measures.OwnMeasure`) into reductions in
t CO2e per year, (M, S, T); :func:`with_measures` appends each to :class:`model.engine.LeverEffects`
as a lever of index ``n_levers + m``, so ``apply_levers``, ``attribution`` (LMDI) and the Monte Carlo
treat it like a lever (the rule is in :mod:`model.measures`).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from model.baseline import KommunContext, ramp
from model.data import SECTORS
from model.engine import LeverEffects
from model.measures import OwnMeasure
from model.registry import load_registry


def measure_effects(measures: Sequence[OwnMeasure], years: np.ndarray, stream_ids: Sequence[str],
                    stream_sector: Sequence[int] | Sequence[str] | np.ndarray,
                    base_streams: np.ndarray) -> np.ndarray:
    """Reductions of each measure on each stream, (M, S, T), t CO2e per year.

    Parameters
    ----------
    measures : sequence of OwnMeasure
    years : numpy.ndarray
        Model years (T,).
    stream_ids : sequence of str
        Stream ids in engine order (S,).
    stream_sector : sequence of int or str
        Each stream's sector: an index into :data:`model.data.SECTORS` or the sector's name.
    base_streams : numpy.ndarray
        Baseline per stream, (S, T) or (S, 1, T), t CO2e per year.

    Notes
    -----
    A percent measure removes ``effect/100 * ramp`` of the baseline of its stream, or of each
    stream of its sector. A tonne measure removes ``effect * ramp`` tonnes, at most its
    stream's (or sector's) baseline; on a sector it is split by the streams' baselines. Where
    measures together would remove more than a stream holds they are scaled down in
    proportion, so the sum over measures never exceeds the baseline.
    """
    yrs = np.asarray(years)
    base = np.asarray(base_streams, dtype=float)
    base = base[:, 0, :] if base.ndim == 3 else base
    sectors = [SECTORS[int(s)] if not isinstance(s, str) else s for s in stream_sector]
    out = np.zeros((len(measures), len(stream_ids), len(yrs)))
    for m, ms in enumerate(measures):
        idx = ([list(stream_ids).index(ms.stream)] if ms.stream in stream_ids else []) if ms.stream is not None \
            else [i for i, sec in enumerate(sectors) if sec == ms.sector]
        if not idx:
            continue
        r = ramp(yrs, ms.shape, ms.start, ms.full)
        b = base[idx]
        if ms.unit == "pct":
            out[m, idx] = ms.effect / 100.0 * r[None, :] * b
        else:
            total = b.sum(axis=0)
            share = np.divide(b, total, out=np.zeros_like(b), where=total > 0)
            out[m, idx] = np.minimum(ms.effect * r, total)[None, :] * share
    tot = out.sum(axis=0)
    scale = np.divide(base, tot, out=np.ones_like(base), where=tot > base)
    out *= scale[None]
    return out


def with_measures(fx: LeverEffects, effects: np.ndarray, base_streams: np.ndarray, n_levers: int) -> LeverEffects:
    """Lever effects with every measure appended as a lever of index ``n_levers + m``.

    The measure's reduction becomes the fraction ``R / B`` of the deterministic baseline, so the
    engine combines it multiplicatively with the levers (see the module docstring).
    """
    base = np.asarray(base_streams, dtype=float)
    base = base[:, 0, :] if base.ndim == 3 else base
    frac = np.divide(effects, base[None], out=np.zeros_like(effects), where=base[None] > 0)
    ms, ss = np.nonzero(frac.any(axis=2))
    t = base.shape[1]
    red = fx.reduction.reshape(-1, t)
    return LeverEffects(np.concatenate([fx.pair_lever, n_levers + ms]).astype(int),
                        np.concatenate([fx.pair_stream, ss]).astype(int),
                        np.vstack([red, frac[ms, ss]]), fx.removal_lever, fx.removal_t)


def engine_effects(measures: Sequence[OwnMeasure], ctx: KommunContext, base_streams: np.ndarray,
                   fx: LeverEffects, n_levers: int) -> LeverEffects:
    """The whole hook for :func:`model.run` in one call: measures on the context's streams,
    appended to the lever effects (``fx`` unchanged when there are no measures)."""
    if not measures:
        return fx
    effects = measure_effects(measures, ctx.years, load_registry().stream_ids, ctx.stream_sector, base_streams)
    return with_measures(fx, effects, base_streams, n_levers)


def extend_effectiveness(eff: np.ndarray, measures: Sequence[OwnMeasure], seed: int) -> np.ndarray:
    """Lever effectiveness samples (N, L) with the measures' draws appended: (N, L + M)."""
    if not measures:
        return eff
    return np.hstack([eff, measure_effectiveness(measures, eff.shape[0], seed)])


def measure_attribution(attr: np.ndarray, measures: Sequence[OwnMeasure], n_levers: int) -> dict[str, np.ndarray]:
    """Each measure's row of an attribution array (L + M, T), keyed by measure id (t CO2e/yr)."""
    return {m.id: attr[n_levers + i] for i, m in enumerate(measures)}


def measure_effectiveness(measures: Sequence[OwnMeasure], n: int, seed: int = 2030) -> np.ndarray:
    """Sampled effectiveness (N, M): triangular(low, 1, high) from each measure's uncertainty.

    Drawn from its own random stream, so adding a measure never changes the levers' draws.
    """
    rng = np.random.default_rng([seed, 0x6D65])
    out = np.ones((n, len(measures)))
    for i, m in enumerate(measures):
        lo, hi = m.uncertainty
        if hi > lo:
            out[:, i] = rng.triangular(lo, 1.0, hi, n)
    return out
