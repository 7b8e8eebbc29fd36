"""Least-cost lever settings that reach the selected target ("Vad krävs?").

The requirement is a maximum emission level in one year. With the levels
``L = (gross, Transporter, removals)`` in that year (t CO2e per year):

* ``klimatneutral_2030`` / ``national_2045``: gross <= allowed and gross - removals <= 0;
* ``national_transport_2030``: Transporter <= allowed;
* ``budget_rate`` / ``carbon_law``: gross in the horizon's last year <= the path value
  in that year. This is a simplification: the verdicts judge *cumulative* emissions,
  which a path met only in its last year may still exceed (``cumulative_not_met``).

The gap is ``max(0, max_k w_k . L - b_k)``, exactly the verdict's ``gap_t``. Levers move
from "no new measures" (never below) up to their maximum, on their slider steps.
Each step's effect is linearised from the full engine, the mixed-integer programme
``min sum cost_l * tonnes_l`` subject to the requirement (and an optional cap on the
annual cost) is solved with :func:`scipy.optimize.milp`, the answer is evaluated in
the engine and the coefficients are replaced by the realised ones (levers combine
multiplicatively, so effects overlap); this repeats until the answer is stable (at
most ``max_iter`` times), then a greedy step-up repairs any remaining shortfall and a
step-down pass removes surplus steps. The result is verified with
:func:`model.run.run_scenario`. If the target cannot be reached, the result is the
cheapest setting that gets closest (smallest gap) within the locks and the cap.

Cost = registry mode cost (SEK per t CO2e) x tonnes abated in the target year, where a
lever's tonnes are its gross reduction plus removals, taken *sequentially* in order of
cost from "no new measures" (each lever after the cheaper ones; this is also the MACC).
Levers without a registry cost get an assumed cost (median of the registry's mode costs).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Mapping

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from model.baseline import build_context
from model.data import SECTORS
from model.engine import apply_levers, lever_effects, removals
from model.registry import Registry, load_registry
from model.run import _baseline, resolve_kommun, run_scenario
from model.scenario import Scenario, check_lever_value
from model.targets import TargetSpec

W_COST = np.array([1.0, 0.0, -1.0])  # tonnes = gross reduction + extra removals
NEUTRAL = ("klimatneutral_2030", "national_2045")
PATHS = ("budget_rate", "carbon_law")
TOL_T = 1e-6  # t; the verdicts' own tolerance
NEAR_T = 0.5  # t; "as close as the best possible" in the infeasible case


@dataclass(frozen=True)
class OptimiserResult:
    """Least-cost settings for one kommun, policy, horizon and target (t are t CO2e per year).

    Attributes
    ----------
    levers : dict
        Lever id -> suggested value (lever units), every lever.
    feasible : bool
        True when the verified gap is zero (the requirement is met in ``target_year``).
    gap_t : float
        Gap of the selected target from :func:`model.run.run_scenario`, t CO2e.
    start_gap_t : float
        Gap with the free levers at "no new measures" (and the locks applied), t CO2e.
    total_cost_sek_per_year : float
        Sum of cost per tonne x tonnes over all levers, SEK per year in ``target_year``.
    abatement_t, cost_sek_per_year, cost_sek_per_t : dict
        Per lever moved from "no new measures": tonnes (sequential, cheapest first),
        annual cost (SEK per year) and cost per tonne used (SEK per t CO2e).
    cost_assumed : tuple
        Levers without a registry cost (an assumed cost was used).
    cost_is_assumption : tuple
        Levers whose cost rests on an assumption (assumed, or ``cost_source`` "assumption").
    residual_by_sector : dict
        SMHI sector -> emissions left in ``target_year``, t CO2e (sectors > 0.5 t).
    removals_t : float
        Removals in ``target_year``, t CO2.
    iterations : int
        Linearise-solve-verify rounds.
    messages : tuple
        Message ids (the UI words them): feasible, infeasible, already_met, cost_cap_binding,
        cap_below_locked, assumed_costs, path_last_year, cumulative_not_met, horizon_extended.
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
    """Engine levels in the target year, the requirement rows and lever bounds and costs."""

    def __init__(self, scenario: Scenario, kommun: str | None, locked: Mapping[str, float],
                 assumed_cost: float | None) -> None:
        reg: Registry = load_registry()
        self.reg, self.messages = reg, []
        sc = replace(scenario, kommun=resolve_kommun(scenario, kommun).code, levers={})
        ctx = build_context(sc.kommun, sc.national_policy, sc.horizon)
        self.lo = ctx.nnm.copy()
        for lid, v in locked.items():
            self.lo[reg.lever_ids.index(lid)] = check_lever_value(reg, lid, v, f"locked.{lid}")
        sel = sc.target.selected
        verdict = run_scenario(replace(sc, levers=self._as_dict(self.lo))).target(sel)
        if not verdict.evaluable:
            sc = replace(sc, horizon=2045)
            self.messages.append("horizon_extended")
            ctx = build_context(sc.kommun, sc.national_policy, sc.horizon)
            verdict = run_scenario(replace(sc, levers=self._as_dict(self.lo))).target(sel)
        self.sc, self.ctx, self.year = sc, ctx, int(verdict.year)
        self.ti = int(np.flatnonzero(ctx.years == self.year)[0])
        self.tmask = ctx.stream_sector == SECTORS.index("Transporter")
        self.base = _baseline(ctx)
        if sel in NEUTRAL:
            self.w, self.b = np.array([[1.0, 0, 0], [1.0, 0, -1.0]]), np.array([verdict.allowed_t, 0.0])
        elif sel == "national_transport_2030":
            self.w, self.b = np.array([[0, 1.0, 0]]), np.array([verdict.allowed_t])
        else:
            self.w, self.b = np.array([[1.0, 0, 0]]), np.array([verdict.allowed_t])
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

    def _as_dict(self, x: np.ndarray) -> dict[str, float]:
        return {lid: float(v) for lid, v in zip(self.reg.lever_ids, x)}

    def levels(self, x: np.ndarray) -> np.ndarray:
        """(gross, Transporter, removals) in the target year for lever values x, t per year."""
        fx = lever_effects(self.ctx, x, self.reg)
        s = apply_levers(self.base, fx)[:, 0, self.ti]
        rem = removals(fx, 1)[0, self.ti] if fx.removal_t.size else 0.0
        return np.array([s.sum(), s[self.tmask].sum(), rem])

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
    k: np.ndarray
    x: np.ndarray
    gap: float
    cost: float
    d: np.ndarray        # (L, 3) level change per step, free levers
    c: np.ndarray        # (L,) SEK per year per step
    l_ref: np.ndarray    # levels with only the locked levers' (sequential) share applied
    locked_cost: float


def _assess(p: _Problem, k: np.ndarray) -> _Point:
    """Evaluate steps k in the engine and linearise around them (secant for used levers)."""
    x = np.where(p.free, p.lo + k * p.step, p.lo)
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
    c = np.maximum(p.cost * (d @ W_COST), 0.0)
    return _Point(k, x, p.gap(lx), float(p.cost @ tonnes), d, c,
                  p.l_nnm - dl[~p.free].sum(axis=0), float(p.cost[~p.free] @ tonnes[~p.free]))


def _solve(p: _Problem, pt: _Point, allow_gap: float | None, cap: float | None) -> tuple[np.ndarray, float]:
    """MILP on the linear model; allow_gap None = first minimise the gap. Returns (steps, gap)."""
    idx = np.flatnonzero(p.free & (p.n > 0))
    a = p.w @ pt.d[idx].T                       # (K, m) reduction of each row per step
    need = p.w @ pt.l_ref - p.b                 # (K,) shortfall with no free steps
    m = len(idx)
    bounds_hi = np.append(p.n[idx], np.inf)
    cons = []
    if cap is not None and allow_gap is None:  # phase 2 needs no cap: phase 1's answer costs <= cap
        cons.append(LinearConstraint(np.append(pt.c[idx], 0.0)[None, :], -np.inf, max(cap - pt.locked_cost, 0.0)))
    if allow_gap is None:  # phase 1: min z, z >= shortfall_k
        cons.append(LinearConstraint(np.hstack([a, np.ones((len(need), 1))]), need, np.inf))
        obj = np.append(np.full(m, 1e-9), 1.0)
    else:
        cons.append(LinearConstraint(np.hstack([a, np.zeros((len(need), 1))]), need - allow_gap, np.inf))
        obj = np.append(pt.c[idx] + 1e-3, 0.0)
        bounds_hi[-1] = 0.0
    res = milp(obj, integrality=np.append(np.ones(m), 0), bounds=Bounds(0, bounds_hi),
               constraints=cons, options={"mip_rel_gap": 1e-5, "time_limit": 0.5})
    k = np.zeros(len(p.lo), dtype=int)
    if res.x is None:
        return pt.k.copy(), float("inf")
    k[idx] = np.round(res.x[:m]).astype(int)
    return k, float(res.x[m]) if allow_gap is None else allow_gap


def _repair(p: _Problem, pt: _Point, goal: float, cap: float | None) -> np.ndarray:
    """Greedy step-ups (best gap reduction per SEK) until the gap reaches ``goal``."""
    k, lev = pt.k.copy(), p.levels(pt.x)
    cost = pt.cost
    for _ in range(200):
        gap = p.gap(lev)
        if gap <= goal:
            break
        best = None
        for i in np.flatnonzero(p.free & (k < p.n)):
            y = np.where(p.free, p.lo + k * p.step, p.lo)
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
        lev = p.levels(np.where(p.free, p.lo + k * p.step, p.lo))
    return k


def _prune(p: _Problem, k: np.ndarray, goal: float) -> np.ndarray:
    """Remove surplus steps, most expensive levers first, while the gap stays within ``goal``."""
    k = k.copy()
    for i in sorted(np.flatnonzero(p.free & (k > 0)), key=lambda j: -p.cost[j]):
        while k[i] > 0:
            k[i] -= 1
            if p.gap(p.levels(np.where(p.free, p.lo + k * p.step, p.lo))) > goal:
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
        Kommun, national policy, horizon and :class:`TargetSpec`; its lever values are ignored
        except through ``locked``.
    kommun : str, optional
        Code or name; overrides the scenario's kommun.
    locked : mapping, optional
        Lever id -> fixed value (lever units), e.g. every agriculture lever at its current value.
    cost_cap_sek_per_year : float, optional
        Maximum total cost, SEK per year in the target year (cost per t x t abated).
    max_iter : int, default 5
        Linearise-solve-verify rounds.
    assumed_cost_sek_per_t : float, optional
        Cost for levers without one in the registry; default the median registry mode cost.
    """
    p = _Problem(scenario, kommun, dict(locked or {}), assumed_cost_sek_per_t)
    cap = None if cost_cap_sek_per_year is None else float(cost_cap_sek_per_year)
    start = _assess(p, np.zeros(len(p.lo), dtype=int))
    floor = p.gap(p.levels(p.hi))  # smallest possible gap (levers are monotone)
    msgs = list(p.messages)
    if cap is not None and start.locked_cost > cap:
        msgs.append("cap_below_locked")
    goal = TOL_T if floor <= TOL_T else floor + NEAR_T
    key = lambda q: (cap is not None and q.cost > cap + 1.0, round(max(q.gap - goal, 0.0), 3), q.cost)  # noqa: E731
    pt, best, iters = start, start, 0
    if start.gap > TOL_T:
        for iters in range(1, max_iter + 1):
            allow = floor if cap is None else max(floor, _solve(p, pt, None, cap)[1] + 1e-4)
            k, _ = _solve(p, pt, allow, cap)
            if np.array_equal(k, pt.k):
                break
            pt, prev = _assess(p, k), best
            best = min(best, pt, key=key)
            if key(pt)[:2] == key(prev)[:2] == (False, 0.0) and pt.cost >= prev.cost - 1.0:
                break  # reached before and no cheaper now: the secants have settled
        k = _repair(p, best, goal, cap)
        k = _prune(p, k, max(goal, p.gap(p.levels(np.where(p.free, p.lo + k * p.step, p.lo)))))
        best = min(best, _assess(p, k), key=key)
    else:
        msgs.append("already_met")
    res = run_scenario(replace(p.sc, levers=p._as_dict(best.x)))
    verdict = res.target(p.sc.target.selected)
    gap = float(verdict.gap_t)
    feasible = gap <= TOL_T
    dl = p.decompose(best.x)
    tonnes = dl @ W_COST
    moved = [p.reg.lever_ids[i] for i in p.order if best.x[i] != p.ctx.nnm[i]]
    ix = {lid: i for i, lid in enumerate(p.reg.lever_ids)}
    msgs.insert(0, "feasible" if feasible else "infeasible")
    if cap is not None and not feasible and gap > floor + NEAR_T:
        msgs.append("cost_cap_binding")
    if set(moved) & set(p.assumed):
        msgs.append("assumed_costs")
    if "path_last_year" in msgs and feasible and not verdict.met:
        msgs.append("cumulative_not_met")
    return OptimiserResult(
        kommun=p.sc.kommun, policy=p.sc.national_policy, horizon=p.sc.horizon, target=p.sc.target,
        target_year=p.year, levers=p._as_dict(best.x), nnm=p._as_dict(p.ctx.nnm),
        locked=tuple(lid for lid in p.reg.lever_ids if lid in (locked or {})), feasible=feasible,
        target_met=verdict.met, gap_t=gap, start_gap_t=start.gap,
        total_cost_sek_per_year=float(p.cost @ tonnes), cost_cap_sek_per_year=cap,
        abatement_t={lid: float(tonnes[ix[lid]]) for lid in moved},
        cost_sek_per_year={lid: float(p.cost[ix[lid]] * tonnes[ix[lid]]) for lid in moved},
        cost_sek_per_t={lid: float(p.cost[ix[lid]]) for lid in moved},
        cost_assumed=p.assumed, cost_is_assumption=p.assumption,
        residual_by_sector={s: float(v) for s, v in zip(SECTORS, res.by_sector[:, p.ti]) if v > 0.5},
        removals_t=float(res.removals[p.ti]), iterations=iters, messages=tuple(msgs))


def macc(item: OptimiserResult | Scenario, kommun: str | None = None) -> list[tuple[str, float, float]]:
    """Marginal abatement cost curve of a result or scenario, built sequentially in the full model.

    Levers moved from "no new measures" are ranked by cost per tonne; each lever's tonnes are
    its gross reduction plus removals in the target year *after* the cheaper ones.

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
