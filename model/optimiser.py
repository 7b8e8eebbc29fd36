"""Least-cost lever settings that reach the selected target ("Vad krävs?").

Requirement: a maximum level, in one year, of ``L = (gross, Transporter, removals)`` (t CO2e per year).
Klimatneutral / national 2045: gross <= allowed and gross - removals <= 0; national transport:
Transporter <= allowed; budget_rate / carbon_law: gross in the horizon's last year <= the path's
value then (a simplification: those verdicts judge *cumulative* emissions, see ``cumulative_not_met``).
The gap ``max(0, max_k w_k . L - b_k)`` equals the verdict's ``gap_t``.

Free levers move on their slider steps from "no new measures" (never below) to their maximum. Step
effects are linearised from the full engine (first each lever alone at its maximum); ``scipy.optimize.milp``
minimises the cost subject to the requirement and an optional cap on the annual cost; the answer is
evaluated in the engine and the coefficients replaced by the realised ones (levers combine multiplicatively),
up to ``max_iter`` times; a greedy step-up repairs any shortfall and a step-down pass drops surplus steps.
The answer is verified with :func:`model.run.run_scenario`. If the target cannot be reached, the answer
is the cheapest setting with the smallest possible gap within the locks and the cap.

Cost = registry mode cost (SEK per t CO2e) x tonnes in the target year: gross reduction plus removals,
counted *sequentially* in order of cost from "no new measures" (each lever after the cheaper ones, as in
the MACC). Levers without a registry cost get an assumed one (default: median of the registry's modes).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Mapping

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from model.baseline import build_context
from model.data import SECTORS
from model.engine import apply_levers, lever_effects, removals
from model.registry import load_registry
from model.run import _baseline, resolve_kommun, run_scenario
from model.scenario import Scenario, check_lever_value
from model.targets import TargetSpec

W_COST = np.array([1.0, 0.0, -1.0])  # tonnes = gross reduction + extra removals
NEUTRAL = ("klimatneutral_2030", "national_2045")
TOL_T = 1e-6  # t; the verdicts' own tolerance
NEAR_T = 0.5  # t; "as close as the best possible" in the infeasible case


@dataclass(frozen=True)
class OptimiserResult:
    """Least-cost settings for one kommun, policy, horizon and target (t = t CO2e per year).

    Attributes
    ----------
    levers, nnm : dict
        Lever id -> suggested value and "no new measures" value (lever units), every lever.
    feasible, target_met : bool
        Verified gap is zero in ``target_year``; the selected verdict's own ``met``.
    gap_t, start_gap_t : float
        Gap from :func:`model.run.run_scenario`; gap with free levers at "no new measures", t.
    total_cost_sek_per_year : float
        Sum over levers of cost per t x t, SEK per year in ``target_year``.
    abatement_t, cost_sek_per_year : dict
        Per lever moved: tonnes (sequential, cheapest first) and SEK per year.
    cost_sek_per_t : dict
        Per lever: the cost used, SEK per t CO2e (registry mode or the assumed cost).
    cost_assumed, cost_is_assumption : tuple
        Levers with no registry cost (assumed cost used); levers whose cost is an assumption.
    residual_by_sector : dict
        SMHI sector -> emissions left in ``target_year`` (sectors above 0.5 t), t.
    removals_t : float
        Removals in ``target_year``, t CO2.
    iterations : int
        Linearise-solve-verify rounds.
    messages : tuple
        Ids for the UI: feasible | infeasible, already_met, cost_cap_binding, cap_below_locked,
        assumed_costs, path_last_year, cumulative_not_met, horizon_extended.
    """

    kommun: str
    policy: str
    horizon: int
    target: TargetSpec
    target_year: int
    levers: dict[str, float]
    nnm: dict[str, float]
    locked: tuple[str, ...]
    feasible: bool
    target_met: bool | None
    gap_t: float
    start_gap_t: float
    total_cost_sek_per_year: float
    cost_cap_sek_per_year: float | None
    abatement_t: dict[str, float]
    cost_sek_per_year: dict[str, float]
    cost_sek_per_t: dict[str, float]
    cost_assumed: tuple[str, ...]
    cost_is_assumption: tuple[str, ...]
    residual_by_sector: dict[str, float]
    removals_t: float
    iterations: int
    messages: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Plain, picklable and JSON-ready mapping (for session state and exports)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "OptimiserResult":
        """Inverse of :meth:`to_dict`."""
        d = dict(raw)
        d["target"] = TargetSpec(**d["target"])
        for k in ("locked", "cost_assumed", "cost_is_assumption", "messages"):
            d[k] = tuple(d[k])
        return cls(**d)

    def scenario(self) -> Scenario:
        """The suggested settings as a model scenario."""
        return Scenario(levers=dict(self.levers), kommun=self.kommun, national_policy=self.policy,
                        horizon=self.horizon, target=self.target, id="optimiser")


class _Problem:
    """Engine levels in the target year, requirement rows (w, b), lever bounds and costs."""

    def __init__(self, scenario: Scenario, kommun: str | None, locked: Mapping[str, float],
                 assumed_cost: float | None) -> None:
        reg = self.reg = load_registry()
        self.messages: list[str] = []
        sc = replace(scenario, kommun=resolve_kommun(scenario, kommun).code, levers={})
        self.lo = build_context(sc.kommun, sc.national_policy, sc.horizon).nnm.copy()
        for lid, v in locked.items():
            self.lo[reg.lever_ids.index(lid)] = check_lever_value(reg, lid, v, f"locked.{lid}")
        verdict = run_scenario(replace(sc, levers=self._as_dict(self.lo))).target(sc.target.selected)
        if not verdict.evaluable:  # target year after the horizon
            sc = replace(sc, horizon=2045)
            self.messages.append("horizon_extended")
            verdict = run_scenario(replace(sc, levers=self._as_dict(self.lo))).target(sc.target.selected)
        ctx = self.ctx = build_context(sc.kommun, sc.national_policy, sc.horizon)
        self.sc, self.year, self.base = sc, int(verdict.year), _baseline(ctx)
        self.ti = int(np.flatnonzero(ctx.years == self.year)[0])
        self.tmask = ctx.stream_sector == SECTORS.index("Transporter")
        rows = {"neutral": ([[1.0, 0, 0], [1.0, 0, -1.0]], [verdict.allowed_t, 0.0]),
                "national_transport_2030": ([[0, 1.0, 0]], [verdict.allowed_t]),
                "path": ([[1.0, 0, 0]], [verdict.allowed_t])}
        kind = "neutral" if sc.target.selected in NEUTRAL else sc.target.selected
        self.w, self.b = (np.array(v) for v in rows.get(kind, rows["path"]))
        if kind not in rows:
            self.messages.append("path_last_year")
        self.free = np.array([lid not in locked for lid in reg.lever_ids])
        self.hi = np.where(self.free, [lv.max for lv in reg.levers], self.lo)
        self.step = np.array([lv.step for lv in reg.levers])
        self.n = np.round((self.hi - self.lo) / self.step).astype(int)
        modes = [lv.cost_sek_per_t[1] for lv in reg.levers if lv.cost_sek_per_t]
        fallback = float(np.median(modes)) if assumed_cost is None else float(assumed_cost)
        self.cost = np.array([lv.cost_sek_per_t[1] if lv.cost_sek_per_t else fallback for lv in reg.levers])
        self.assumed = tuple(lv.id for lv in reg.levers if not lv.cost_sek_per_t)
        self.assumption = tuple(lv.id for lv in reg.levers if not lv.cost_sek_per_t
                                or str(lv.cost_source).lower().startswith("assumption"))
        self.order = sorted(range(len(reg.levers)), key=lambda i: (self.cost[i], i))
        self.l_nnm = self.levels(ctx.nnm)

    def x(self, k: np.ndarray) -> np.ndarray:
        """Lever values (L,) for free-lever steps k above the lower bounds."""
        return np.where(self.free, self.lo + k * self.step, self.lo)

    def _as_dict(self, x: np.ndarray) -> dict[str, float]:
        return {lid: float(v) for lid, v in zip(self.reg.lever_ids, x)}

    def levels(self, x: np.ndarray) -> np.ndarray:
        """(gross, Transporter, removals) in the target year for lever values x, t per year."""
        fx = lever_effects(self.ctx, x, self.reg)
        s = apply_levers(self.base, fx)[:, 0, self.ti]
        return np.array([s.sum(), s[self.tmask].sum(), removals(fx, 1)[0, self.ti]])

    def gap(self, lev: np.ndarray) -> float:
        """Verdict gap for levels ``lev``, t CO2e."""
        return float(max(0.0, np.max(self.w @ lev - self.b)))

    def decompose(self, x: np.ndarray) -> np.ndarray:
        """Per-lever level change (L, 3), sequential in order of cost from "no new measures"."""
        out, y, prev = np.zeros((len(x), 3)), self.ctx.nnm.copy(), self.l_nnm
        for i in self.order:
            if x[i] != y[i]:
                y[i] = x[i]
                cur = self.levels(y)
                out[i], prev = prev - cur, cur
        return out


@dataclass
class _Point:
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


def _assess(p: _Problem, k: np.ndarray) -> _Point:
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
    return _Point(k, x, p.gap(lx), float(p.cost @ tonnes), d, np.maximum(p.cost * (d @ W_COST), 0.0),
                  p.l_nnm - dl[~p.free].sum(axis=0), float(p.cost[~p.free] @ tonnes[~p.free]))


def _solve(p: _Problem, pt: _Point, allow_gap: float | None, cap: float | None) -> tuple[np.ndarray, float]:
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


def _repair(p: _Problem, pt: _Point, goal: float, cap: float | None) -> np.ndarray:
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


def _prune(p: _Problem, k: np.ndarray, goal: float) -> np.ndarray:
    """Drop surplus steps, most expensive levers first, while the gap stays within ``goal``."""
    k = k.copy()
    for i in sorted(np.flatnonzero(p.free & (k > 0)), key=lambda j: -p.cost[j]):
        while k[i] > 0:
            k[i] -= 1
            if p.gap(p.levels(p.x(k))) > goal:
                k[i] += 1
                break
    return k


def optimise(scenario: Scenario, *, kommun: str | None = None, locked: Mapping[str, float] | None = None,
             cost_cap_sek_per_year: float | None = None, max_iter: int = 5,
             assumed_cost_sek_per_t: float | None = None) -> OptimiserResult:
    """Least-cost lever settings that meet the scenario's selected target.

    Parameters
    ----------
    scenario : Scenario
        Kommun, national policy, horizon and target; its lever values are not used.
    kommun : str, optional
        Code or name; overrides the scenario's kommun.
    locked : mapping, optional
        Lever id -> fixed value (lever units), e.g. the agriculture levers at their current values.
    cost_cap_sek_per_year : float, optional
        Maximum total cost, SEK per year in the target year (all levers, locked ones included).
    max_iter : int, default 5
        Linearise-solve-verify rounds.
    assumed_cost_sek_per_t : float, optional
        SEK per t CO2e for levers without a registry cost; default the median registry mode cost.
    """
    p = _Problem(scenario, kommun, dict(locked or {}), assumed_cost_sek_per_t)
    cap = None if cost_cap_sek_per_year is None else float(cost_cap_sek_per_year)
    start = _assess(p, np.zeros(len(p.lo), dtype=int))
    floor = p.gap(p.levels(p.hi))  # the smallest possible gap: levers are monotone
    goal = TOL_T if floor <= TOL_T else floor + NEAR_T
    msgs = list(p.messages) + (["cap_below_locked"] if cap is not None and start.locked_cost > cap else [])
    key = lambda q: (cap is not None and q.cost > cap + 1.0, round(max(q.gap - goal, 0.0), 3), q.cost)  # noqa: E731
    pt, best, iters = start, start, 0
    if start.gap <= TOL_T:
        msgs.append("already_met")
    else:
        for iters in range(1, max_iter + 1):
            allow = floor if cap is None else max(floor, _solve(p, pt, None, cap)[1] + 1e-4)
            k, _ = _solve(p, pt, allow, cap)
            if np.array_equal(k, pt.k):
                break
            pt, prev = _assess(p, k), best
            best = min(best, pt, key=key)
            if key(pt)[:2] == key(prev)[:2] == (False, 0.0) and pt.cost >= prev.cost - 1.0:
                break  # met before and no cheaper now: the secants have settled
        k = _repair(p, best, goal, cap)
        k = _prune(p, k, max(goal, p.gap(p.levels(p.x(k)))))
        best = min(best, _assess(p, k), key=key)
    res = run_scenario(replace(p.sc, levers=p._as_dict(best.x)))
    verdict = res.target(p.sc.target.selected)
    gap = float(verdict.gap_t)
    tonnes = p.decompose(best.x) @ W_COST
    moved = [i for i in p.order if best.x[i] != p.ctx.nnm[i]]
    ids = p.reg.lever_ids
    msgs.insert(0, "feasible" if gap <= TOL_T else "infeasible")
    msgs += [m for m, on in (("cost_cap_binding", cap is not None and gap > floor + NEAR_T),
                             ("assumed_costs", any(ids[i] in p.assumed for i in moved)),
                             ("cumulative_not_met", "path_last_year" in msgs and gap <= TOL_T
                              and not verdict.met)) if on]
    return OptimiserResult(
        kommun=p.sc.kommun, policy=p.sc.national_policy, horizon=p.sc.horizon, target=p.sc.target,
        target_year=p.year, levers=p._as_dict(best.x), nnm=p._as_dict(p.ctx.nnm),
        locked=tuple(lid for lid in ids if lid in (locked or {})), feasible=gap <= TOL_T,
        target_met=verdict.met, gap_t=gap, start_gap_t=start.gap,
        total_cost_sek_per_year=float(p.cost @ tonnes), cost_cap_sek_per_year=cap,
        abatement_t={ids[i]: float(tonnes[i]) for i in moved},
        cost_sek_per_year={ids[i]: float(p.cost[i] * tonnes[i]) for i in moved},
        cost_sek_per_t={lid: float(c) for lid, c in zip(ids, p.cost)},
        cost_assumed=p.assumed, cost_is_assumption=p.assumption,
        residual_by_sector={s: float(v) for s, v in zip(SECTORS, res.by_sector[:, p.ti]) if v > 0.5},
        removals_t=float(res.removals[p.ti]), iterations=iters, messages=tuple(msgs))


def macc(item: OptimiserResult | Scenario, kommun: str | None = None) -> list[tuple[str, float, float]]:
    """Marginal abatement cost curve, sequential in the full model: levers moved from "no new
    measures", by cost; each gets its gross reduction plus removals in the target year after the cheaper.

    Returns
    -------
    list of (lever_id, cost_sek_per_t, tonnes)
        Cheapest first; SEK per t CO2e and t CO2e per year.
    """
    sc = item.scenario() if isinstance(item, OptimiserResult) else item
    p = _Problem(sc, kommun, {}, None)
    x = np.array([float(sc.levers.get(lid, p.ctx.nnm[i])) for i, lid in enumerate(p.reg.lever_ids)])
    tonnes = p.decompose(x) @ W_COST
    return [(p.reg.lever_ids[i], float(p.cost[i]), float(tonnes[i])) for i in p.order if x[i] != p.ctx.nnm[i]]
