"""Solver helpers of :mod:`model.optimiser`: the linearised problem and the MILP / greedy steps.

:class:`Problem` holds the engine levels in the target year, the requirement rows ``(w, b)``, the lever
bounds (slider steps from "no new measures", or the locked value) and the costs. :func:`assess` evaluates a
setting in the engine and linearises around it; :func:`solve` runs ``scipy.optimize.milp`` on that linear
model; :func:`repair` steps up greedily until the gap is reached and :func:`prune` drops surplus steps.
The method is described in :mod:`model.optimiser`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from model.baseline import KommunContext, build_context
from model.data import SECTORS
from model.engine import LeverEffects, apply_levers, lever_effects, removals
from model.measures import OwnMeasure
from model.measures_engine import engine_effects
from model.ranges import lever_bounds
from model.registry import load_registry
from model.run import _baseline, resolve_kommun, run_scenario
from model.scenario import Scenario
from model.scenario_parse import check_lever_value
from model.target_defs import NEUTRALITY_TARGETS, target_def

W_COST = np.array([1.0, 0.0, -1.0])  # tonnes = gross reduction + extra removals
NEUTRAL = NEUTRALITY_TARGETS
TOL_T = 1e-6  # t; the verdicts' own tolerance
NEAR_T = 0.5  # t; "as close as the best possible" in the infeasible case


class Problem:
    """Engine levels in the target year, requirement rows (w, b), lever bounds and costs."""

    def __init__(self, scenario: Scenario, kommun: str | None, locked: Mapping[str, float],
                 assumed_cost: float | None, capacities: Mapping[str, float] | None = None,
                 options: Sequence[str] = ()) -> None:
        reg = self.reg = load_registry()
        self.messages: list[str] = []
        code = resolve_kommun(scenario, kommun).code
        # Own measures named in ``options`` are decision variables (on or off); the others are fixed.
        offered = set(options)
        self.fixed = tuple(m for m in scenario.measures if m.id not in offered)
        self.options = tuple(m for m in scenario.measures if m.id in offered)
        sc = replace(scenario, kommun=code, levers={}, measures=self.fixed)
        self.lo = build_context(code, sc.national_policy, sc.horizon, sc.release).nnm.copy()
        for lid, v in locked.items():
            self.lo[reg.lever_ids.index(lid)] = check_lever_value(reg, lid, v, f"locked.{lid}")
        verdict = run_scenario(replace(sc, levers=self.as_dict(self.lo))).target(sc.target.selected)
        if not verdict.evaluable:  # target year after the horizon
            sc = replace(sc, horizon=2045)
            self.messages.append("horizon_extended")
            verdict = run_scenario(replace(sc, levers=self.as_dict(self.lo))).target(sc.target.selected)
        ctx = self.ctx = build_context(code, sc.national_policy, sc.horizon, sc.release)
        # Own measures are fixed: the levers are linearised around the streams after them, which is
        # exact because the engine combines levers and measures multiplicatively.
        self.sc, self.year, self.base = sc, int(verdict.year), _after_measures(sc, ctx, len(reg.levers))
        n_lev, n_opt = len(reg.levers), len(self.options)
        self.n_levers = n_lev
        #: Decision variables: the levers in registry order, then one on/off switch per option.
        self.ids = reg.lever_ids + tuple(m.id for m in self.options)
        self.option_rows = [_option_rows(m, ctx, n_lev + j) for j, m in enumerate(self.options)]
        self.ti = int(np.flatnonzero(ctx.years == self.year)[0])
        tdef = target_def(sc.target.selected)
        # The sector a sector target judges (Transporter for the others, whose rows ignore it).
        self.tmask = ctx.stream_sector == SECTORS.index(tdef.sector or "Transporter")
        # Rows of w @ (gross, sector, removals) <= b in the target year, by the target's kind.
        rows = {"neutral": ([[1.0, 0, 0], [1.0, 0, -1.0]], [verdict.allowed_t, 0.0]),
                "sector": ([[0, 1.0, 0]], [verdict.allowed_t]),
                "limit": ([[1.0, 0, 0]], [verdict.allowed_t]),
                "path": ([[1.0, 0, 0]], [verdict.allowed_t])}
        kind = "neutral" if tdef.id in NEUTRAL else tdef.kind
        self.w, self.b = (np.array(v) for v in rows[kind])
        if kind == "path":
            self.messages.append("path_last_year")
        self.free = np.array([lid not in locked for lid in reg.lever_ids] + [True] * n_opt)
        # The kommun's own range (range rules, known plants), not the registry's absolute maximum:
        # the optimiser must never suggest removals at plants the kommun does not have.
        bounds = lever_bounds(ctx, capacities, reg)
        self.lo = np.concatenate([self.lo, np.zeros(n_opt)])
        top = np.concatenate([[bounds[lid][1] for lid in reg.lever_ids], np.ones(n_opt)])
        self.hi = np.where(self.free, np.maximum(top, self.lo), self.lo)
        self.step = np.array([lv.step for lv in reg.levers] + [1.0] * n_opt)
        self.n = np.round((self.hi - self.lo) / self.step).astype(int)
        modes = [lv.cost_sek_per_t[1] for lv in reg.levers if lv.cost_sek_per_t]
        fallback = float(np.median(modes)) if assumed_cost is None else float(assumed_cost)
        # An option costs the mean of its cost range per tonne (as the fixed measures are reported).
        self.cost = np.array([lv.cost_sek_per_t[1] if lv.cost_sek_per_t else fallback for lv in reg.levers]
                             + [float(np.mean(m.cost_sek_per_t)) if m.cost_sek_per_t else fallback
                                for m in self.options])
        self.assumed = tuple(lv.id for lv in reg.levers if not lv.cost_sek_per_t) + tuple(
            m.id for m in self.options if not m.cost_sek_per_t)
        self.assumption = tuple(lv.id for lv in reg.levers if not lv.cost_sek_per_t
                                or str(lv.cost_source).lower().startswith("assumption")) + tuple(
            m.id for m in self.options if not m.cost_sek_per_t)
        self.order = sorted(range(n_lev + n_opt), key=lambda i: (self.cost[i], i))
        #: "No new measures": levers at their nnm values, every option off.
        self.x0 = np.concatenate([ctx.nnm, np.zeros(n_opt)])
        self.l_nnm = self.levels(self.x0)

    def x(self, k: np.ndarray) -> np.ndarray:
        """Lever values and option switches (L + M,) for free steps k above the lower bounds."""
        return np.where(self.free, self.lo + k * self.step, self.lo)

    def as_dict(self, x: np.ndarray) -> dict[str, float]:
        """Lever id -> value (the option switches at the end of ``x`` are left out)."""
        return {lid: float(v) for lid, v in zip(self.reg.lever_ids, x, strict=False)}

    def chosen(self, x: np.ndarray) -> tuple[str, ...]:
        """Ids of the options switched on in ``x``."""
        return tuple(m.id for j, m in enumerate(self.options) if x[self.n_levers + j] > 0.5)

    def levels(self, x: np.ndarray) -> np.ndarray:
        """(gross, Transporter, removals) in the target year for decision values x, t per year."""
        fx = lever_effects(self.ctx, x[:self.n_levers], self.reg)
        on = [rows for j, rows in enumerate(self.option_rows) if x[self.n_levers + j] > 0.5]
        if on:  # an option is one more multiplicative reduction of its streams, like a lever
            fx = replace(fx, pair_lever=np.concatenate([fx.pair_lever] + [r.pair_lever for r in on]),
                         pair_stream=np.concatenate([fx.pair_stream] + [r.pair_stream for r in on]),
                         reduction=np.vstack([fx.reduction.reshape(-1, fx.reduction.shape[-1])]
                                             + [r.reduction for r in on]))
        s = apply_levers(self.base, fx)[:, 0, self.ti]
        return np.array([s.sum(), s[self.tmask].sum(), removals(fx, 1)[0, self.ti]])

    def gap(self, lev: np.ndarray) -> float:
        """Verdict gap for levels ``lev``, t CO2e."""
        return float(max(0.0, np.max(self.w @ lev - self.b)))

    def decompose(self, x: np.ndarray) -> np.ndarray:
        """Per-lever level change (L, 3), sequential in order of cost from "no new measures"."""
        out, y, prev = np.zeros((len(x), 3)), self.x0.copy(), self.l_nnm
        for i in self.order:
            if x[i] != y[i]:
                y[i] = x[i]
                cur = self.levels(y)
                out[i], prev = prev - cur, cur
        return out


def _no_effects(t: int) -> LeverEffects:
    return LeverEffects(np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros((0, t)),
                        np.zeros(0, dtype=int), np.zeros((0, t)))


def _option_rows(m: OwnMeasure, ctx: KommunContext, index: int) -> LeverEffects:
    """The (stream, reduction) rows of one optional measure as decision variable ``index``.

    Its reduction is its share of the deterministic baseline, as in :func:`model.run.run_scenario`.
    """
    return engine_effects((m,), ctx, _baseline(ctx), _no_effects(len(ctx.years)), index)


def _after_measures(sc: Scenario, ctx: KommunContext, n_levers: int) -> np.ndarray:
    """The deterministic baseline streams (S, 1, T) with the scenario's own measures applied."""
    base = _baseline(ctx)
    if not sc.measures:
        return base
    return apply_levers(base, engine_effects(sc.measures, ctx, base, _no_effects(len(ctx.years)), n_levers))


@dataclass
class Point:
    """An evaluated setting and the linear model around it (d: level change per step (L, 3);
    c: SEK per year per step; l_ref: levels with only the locked levers' sequential share)."""

    k: np.ndarray
    x: np.ndarray
    gap: float
    cost: float
    d: np.ndarray
    c: np.ndarray
    l_ref: np.ndarray
    locked_cost: float


def assess(p: Problem, k: np.ndarray) -> Point:
    """Evaluate steps k in the engine and linearise there (secant for used levers, else to max)."""
    x = p.x(k)
    dl = p.decompose(x)
    lx = p.l_nnm - dl.sum(axis=0)
    d = np.zeros_like(dl)
    for i in np.flatnonzero(p.free & (p.n > 0)):
        if k[i] > 0:
            d[i] = dl[i] / k[i]
        else:
            y = x.copy()
            y[i] = p.hi[i]
            d[i] = (lx - p.levels(y)) / p.n[i]
    tonnes = dl @ W_COST
    return Point(k, x, p.gap(lx), float(p.cost @ tonnes), d, np.maximum(p.cost * (d @ W_COST), 0.0),
                  p.l_nnm - dl[~p.free].sum(axis=0), float(p.cost[~p.free] @ tonnes[~p.free]))


def solve(p: Problem, pt: Point, allow_gap: float | None, cap: float | None) -> tuple[np.ndarray, float]:
    """MILP on the linear model: min gap within the cap (allow_gap None), else min cost
    with the gap at most allow_gap (then the cap is redundant). Returns (steps, gap)."""
    idx = np.flatnonzero(p.free & (p.n > 0))
    m, a, need = len(idx), p.w @ pt.d[idx].T, p.w @ pt.l_ref - p.b   # a: row reduction per step
    hi, z = np.append(p.n[idx], np.inf), np.ones((len(need), 1))
    cons = [LinearConstraint(np.hstack([a, z]), need, np.inf)]
    if allow_gap is None:
        obj = np.append(np.full(m, 1e-9), 1.0)
        if cap is not None:
            cons.append(LinearConstraint(np.append(pt.c[idx], 0.0)[None, :], -np.inf,
                                         max(cap - pt.locked_cost, 0.0)))
    else:
        cons = [LinearConstraint(np.hstack([a, 0 * z]), need - allow_gap, np.inf)]
        obj, hi[-1] = np.append(pt.c[idx] + 1e-3, 0.0), 0.0  # 1e-3 SEK per step: ties to fewer steps
    res = milp(obj, integrality=np.append(np.ones(m), 0), bounds=Bounds(0, hi), constraints=cons,
               options={"mip_rel_gap": 1e-5, "time_limit": 0.5})
    if res.x is None:
        return pt.k.copy(), float("inf")
    k = np.zeros(len(p.lo), dtype=int)
    k[idx] = np.round(res.x[:m]).astype(int)
    return k, float(res.x[m]) if allow_gap is None else allow_gap


def repair(p: Problem, pt: Point, goal: float, cap: float | None) -> np.ndarray:
    """Greedy step-ups (most gap per SEK, within the cap) until the gap reaches ``goal``."""
    k, lev, cost = pt.k.copy(), p.levels(pt.x), pt.cost
    for _ in range(200):
        gap, best = p.gap(lev), None
        if gap <= goal:
            break
        for i in np.flatnonzero(p.free & (k < p.n)):
            y = p.x(k)
            y[i] += p.step[i]
            ly = p.levels(y)
            dg, dc = gap - p.gap(ly), p.cost[i] * max(W_COST @ (lev - ly), 0.0)
            if dg > 0 and (cap is None or cost + dc <= cap) and (best is None or dg / (dc + 1e-9) > best[0]):
                best = (dg / (dc + 1e-9), i, dg, dc)
        if best is None:
            break
        _, i, dg, dc = best
        jump = int(min(max(np.ceil((gap - goal) / dg) // 2, 1), p.n[i] - k[i]))
        if cap is not None and dc > 0:
            jump = max(1, min(jump, int((cap - cost) // dc)))
        k[i] += jump
        cost += jump * dc
        lev = p.levels(p.x(k))
    return k


def prune(p: Problem, k: np.ndarray, goal: float) -> np.ndarray:
    """Drop surplus steps, most expensive levers first, while the gap stays within ``goal``."""
    k = k.copy()
    for i in sorted(np.flatnonzero(p.free & (k > 0)), key=lambda j: -p.cost[j]):
        while k[i] > 0:
            k[i] -= 1
            if p.gap(p.levels(p.x(k))) > goal:
                k[i] += 1
                break
    return k
