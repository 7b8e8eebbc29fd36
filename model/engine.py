"""Vectorised scenario engine: one code path for a single run and N Monte Carlo samples.

Levers combine multiplicatively on the streams they touch,

    E[s, t] = B[s, t] * prod_l (1 - min(eff_l * d[l, s, t], 1)),

so two 50 % cuts give 75 %, no tonne is counted twice and no stream goes
below zero. ``d`` is the lever's reduction fraction at full effectiveness.
Removals (BECCS, biochar, land sink) are summed separately and never netted
into a sector: ``net = gross - removals``.

Arrays are stream-first and contiguous, (S, N, T), so each (lever, stream)
pair is one in-place multiply over an (N, T) block.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.baseline import KommunContext, fleet_path, ramp
from model.data import SECTORS
from model.registry import Registry, load_registry


@dataclass(frozen=True, eq=False)
class LeverEffects:
    """Deterministic lever effects for one set of lever values.

    Attributes
    ----------
    pair_lever, pair_stream : numpy.ndarray
        Lever and stream index of each (lever, stream) pair (P,).
    reduction : numpy.ndarray
        Reduction fraction of the stream at effectiveness 1, (P, T); negative
        when a lever is set below its "no new measures" position.
    removal_lever : numpy.ndarray
        Lever index of each removal lever (R,).
    removal_t : numpy.ndarray
        Removals at effectiveness 1, (R, T), t CO2 per year.
    """

    pair_lever: np.ndarray
    pair_stream: np.ndarray
    reduction: np.ndarray
    removal_lever: np.ndarray
    removal_t: np.ndarray


def lever_effects(ctx: KommunContext, values: np.ndarray, reg: Registry | None = None) -> LeverEffects:
    """Turn lever positions (L,) in lever units into per-year effects."""
    reg = reg or load_registry()
    years = ctx.years
    sid = {s: i for i, s in enumerate(reg.stream_ids)}
    pl, ps, red, rl, rt = [], [], [], [], []
    for li, lv in enumerate(reg.levers):
        dv = float(values[li]) - ctx.nnm[li]
        if lv.kind == "removal":
            rl.append(li)
            rt.append(dv * float(lv.t_per_unit or 0.0) * ramp(years, lv.ramp.shape, lv.ramp.start, lv.ramp.full))
            continue
        if dv == 0.0:
            continue
        if lv.kind == "stock":
            f0, n, e_km = ctx.fleet[lv.id]
            v0 = ctx.nnm[li] / 100.0
            scen = 1.0 - e_km * fleet_path(years, f0, v0, float(values[li]) / 100.0, n, lv)
            base = 1.0 - e_km * fleet_path(years, f0, v0, v0, n, lv)
            d = 1.0 - scen / base
        else:
            d = dv / 100.0 * ramp(years, lv.ramp.shape, lv.ramp.start, lv.ramp.full)
        for s, alpha in lv.streams.items():
            pl.append(li)
            ps.append(sid[s])
            red.append(d * alpha)
    t = len(years)
    return LeverEffects(np.array(pl, dtype=int), np.array(ps, dtype=int),
                        np.array(red).reshape(-1, t), np.array(rl, dtype=int),
                        np.array(rt).reshape(-1, t))


def baseline_streams(ctx: KommunContext, growth: np.ndarray | None = None) -> np.ndarray:
    """Baseline emissions per stream, (S, N, T), t CO2e per year.

    Parameters
    ----------
    growth : numpy.ndarray, optional
        Sampled driver growth rates (N, S); defaults to the context's rates (N = 1).
    """
    g = ctx.growth[None, :] if growth is None else growth
    dt = (ctx.years - ctx.years[0]).astype(float)
    idx = np.exp(np.log1p(g).T[:, :, None] * dt[None, None, :])
    idx *= (ctx.e0[:, None] * ctx.fixed_index)[:, None, :]
    out: np.ndarray = idx
    return out


def apply_levers(base: np.ndarray, fx: LeverEffects, eff: np.ndarray | None = None) -> np.ndarray:
    """Scenario emissions per stream (S, N, T) from the baseline and lever effects.

    ``eff`` is the sampled lever effectiveness (N, L); None means 1.
    """
    out = base.copy()
    n = base.shape[1]
    if eff is None:
        # Deterministic: one factor per (stream, year), multiplied up over the stream's pairs at once
        # (the per-pair loop below was most of a slider move's time).
        if len(fx.pair_lever):
            factor = np.ones((base.shape[0], base.shape[2]))
            np.multiply.at(factor, fx.pair_stream, 1.0 - np.minimum(fx.reduction.reshape(len(fx.pair_lever), -1), 1.0))
            out *= factor[:, None, :]
        return out
    for p in range(len(fx.pair_lever)):
        d = eff[:, fx.pair_lever[p], None] * fx.reduction[p][None, :]
        out[fx.pair_stream[p]] *= 1.0 - np.minimum(np.broadcast_to(d, (n, d.shape[1])), 1.0)
    return out


def removals(fx: LeverEffects, n: int, eff: np.ndarray | None = None) -> np.ndarray:
    """Total removals (N, T), t CO2 per year, always >= 0 for levers at or above nnm."""
    if len(fx.removal_lever) == 0:
        return np.zeros((n, fx.removal_t.shape[1] if fx.removal_t.size else 0))
    if eff is None:
        return np.broadcast_to(fx.removal_t.sum(axis=0), (n, fx.removal_t.shape[1])).copy()
    out: np.ndarray = eff[:, fx.removal_lever] @ fx.removal_t
    return out


def sector_totals(streams: np.ndarray, ctx: KommunContext) -> np.ndarray:
    """Sum streams (S, N, T) into SMHI sectors (9, N, T)."""
    out = np.zeros((len(SECTORS),) + streams.shape[1:])
    np.add.at(out, ctx.stream_sector, streams)
    return out


def attribution(base: np.ndarray, fx: LeverEffects, n_levers: int) -> np.ndarray:
    """Each lever's contribution to the gross reduction (L, T), t CO2e per year.

    Logarithmic-mean (LMDI) split per stream: lever *l* gets
    ``L(B, E) * ln f_l`` with ``L(a, b) = (a - b) / (ln a - ln b)``. It is
    independent of lever order and sums exactly to ``B - E`` because
    ``sum_l ln f_l = ln(E / B)``. ``base`` is a deterministic (S, 1, T) baseline.
    """
    b = base[:, 0, :]
    t = b.shape[1]
    logf = np.zeros((len(fx.pair_lever), t))
    # A stream cut by 100 % has ln f = -inf; a tiny floor keeps the split finite (error < 1e-9 B).
    f = np.clip(1.0 - np.minimum(fx.reduction, 1.0), 1e-12, None) if fx.reduction.size else fx.reduction
    logf[:] = np.log(f) if fx.reduction.size else 0.0
    out = np.zeros((n_levers, t))
    if not len(fx.pair_lever):
        return out
    # Every stream at once: the sum of ln f over each stream's pairs, the stream's log-mean, then each
    # pair's share added to its lever.
    total = np.zeros_like(b)
    np.add.at(total, fx.pair_stream, logf)
    e = b * np.exp(total)
    with np.errstate(divide="ignore", invalid="ignore"):
        lmean = np.where(np.abs(total) > 1e-12, (e - b) / total, b)
    np.add.at(out, fx.pair_lever, -(lmean[fx.pair_stream] * logf))
    return out
