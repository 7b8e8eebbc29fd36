"""Least-cost lever settings that reach the selected target ("Vad krävs?").

Requirement: a maximum level, in one year, of ``L = (gross, Transporter, removals)`` (t CO2e per year).
Klimatneutral / national 2045: gross <= allowed and gross - removals <= 0; gross limit: gross <= allowed;
national transport: Transporter <= allowed; budget_rate / carbon_law: gross in the horizon's last year <= the path's
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

The scenario's own measures (:mod:`model.measures`) are fixed unless named in ``options``: a fixed
measure stays as it is, the levers are linearised around the streams after it, and its tonnes and cost
(the mean of its cost range times its abatement in the target year; no cost when it has no range) are
reported beside the levers' but not counted in the totals. An option is one more decision variable,
switched on or off: on, it costs the mean of its cost range per tonne (the assumed cost when it has
none) and counts in the totals like a lever, sequentially in order of cost.

The linearised problem and the solver steps are in :mod:`model.optimiser_milp`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from model.data import SECTORS
from model.measures import OwnMeasure, measure_to_dict
from model.measures_parse import measure_from_dict
from model.optimiser_milp import NEAR_T, NEUTRAL, TOL_T, W_COST, Problem, assess, prune, repair, solve
from model.run import run_scenario
from model.scenario import Scenario
from model.targets import TargetSpec

# NEUTRAL and W_COST are re-exported from model.optimiser_milp (the solver helpers).
__all__ = ["NEAR_T", "NEUTRAL", "OptimiserResult", "TOL_T", "W_COST", "macc", "optimise"]


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
    release : str or None
        SMHI release id the scenario computes on (None: the latest).
    measures : tuple of dict
        The suggestion's own measures (the fixed ones and the options switched on), as
        :func:`model.measures.measure_to_dict` mappings.
    measure_abatement_t, measure_cost_sek_per_year : dict
        Per own measure in the suggestion: its contribution in ``target_year`` (t CO2e) and, for a
        measure with a cost, the cost per tonne times that contribution (SEK per year). A fixed
        measure is not in the totals; a chosen option is (its sequential tonnes, as a lever's).
    options, options_chosen : tuple of str
        Ids of the own measures offered as options, and of those switched on.
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
    release: str | None = None
    measures: tuple[dict[str, Any], ...] = ()
    measure_abatement_t: dict[str, float] = field(default_factory=dict)
    measure_cost_sek_per_year: dict[str, float] = field(default_factory=dict)
    options: tuple[str, ...] = ()
    options_chosen: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain, picklable and JSON-ready mapping (for session state and exports)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> OptimiserResult:
        """Inverse of :meth:`to_dict`."""
        d = dict(raw)
        d["target"] = TargetSpec(**d["target"])
        for k in ("locked", "cost_assumed", "cost_is_assumption", "messages", "measures", "options",
                  "options_chosen"):
            d[k] = tuple(d.get(k, ()))
        return cls(**d)

    def own_measures(self) -> tuple[OwnMeasure, ...]:
        """The fixed own measures as :class:`model.measures.OwnMeasure` objects."""
        return tuple(measure_from_dict(m, f"measure[{i}]") for i, m in enumerate(self.measures))

    def scenario(self) -> Scenario:
        """The suggested settings as a model scenario (own measures and release kept)."""
        return Scenario(levers=dict(self.levers), kommun=self.kommun, national_policy=self.policy,
                        horizon=self.horizon, target=self.target, id="optimiser", release=self.release,
                        measures=self.own_measures())


def optimise(scenario: Scenario, *, kommun: str | None = None, locked: Mapping[str, float] | None = None,
             cost_cap_sek_per_year: float | None = None, max_iter: int = 5,
             assumed_cost_sek_per_t: float | None = None,
             capacities: Mapping[str, float] | None = None, options: Sequence[str] = ()) -> OptimiserResult:
    """Least-cost lever settings that meet the scenario's selected target.

    Parameters
    ----------
    scenario : Scenario
        Kommun, national policy, horizon, target, release and own measures (kept fixed); its lever
        values are not used.
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
    capacities : mapping, optional
        Lever id -> the kommun's known capacity (lever units, e.g. a plant from its profile);
        free levers range up to :func:`model.ranges.lever_bounds`, never the registry's absolute max.
    options : sequence of str, optional
        Ids of the scenario's own measures the optimiser may switch on or off (the others stay fixed);
        unknown ids raise ValueError.
    """
    if unknown := set(options) - {m.id for m in scenario.measures}:
        raise ValueError(f"options {sorted(unknown)} are not measures of the scenario")
    p = Problem(scenario, kommun, dict(locked or {}), assumed_cost_sek_per_t, capacities, options)
    cap = None if cost_cap_sek_per_year is None else float(cost_cap_sek_per_year)
    start = assess(p, np.zeros(len(p.lo), dtype=int))
    floor = p.gap(p.levels(p.hi))  # the smallest possible gap: levers are monotone
    goal = TOL_T if floor <= TOL_T else floor + NEAR_T
    msgs = list(p.messages) + (["cap_below_locked"] if cap is not None and start.locked_cost > cap else [])
    def key(q: Any) -> tuple[bool, float, float]:
        return (cap is not None and q.cost > cap + 1.0, round(max(q.gap - goal, 0.0), 3), float(q.cost))
    pt, best, iters = start, start, 0
    if start.gap <= TOL_T:
        msgs.append("already_met")
    else:
        for iters in range(1, max_iter + 1):  # noqa: B007 - the round count is reported after the loop
            allow = floor if cap is None else max(floor, solve(p, pt, None, cap)[1] + 1e-4)
            k, _ = solve(p, pt, allow, cap)
            if np.array_equal(k, pt.k):
                break
            pt, prev = assess(p, k), best
            best = min(best, pt, key=key)
            if key(pt)[:2] == key(prev)[:2] == (False, 0.0) and pt.cost >= prev.cost - 1.0:
                break  # met before and no cheaper now: the secants have settled
        k = repair(p, best, goal, cap)
        k = prune(p, k, max(goal, p.gap(p.levels(p.x(k)))))
        best = min(best, assess(p, k), key=key)
    chosen = p.chosen(best.x)
    kept = tuple(m for m in scenario.measures if m in p.fixed or m.id in chosen)  # the scenario's order
    res = run_scenario(replace(p.sc, levers=p.as_dict(best.x), measures=kept))
    verdict = res.target(p.sc.target.selected)
    # A verdict without a gap (not evaluable) counts as not reached, never as met.
    gap = float(verdict.gap_t) if verdict.gap_t is not None else float("inf")
    tonnes = p.decompose(best.x) @ W_COST
    moved = [i for i in p.order if best.x[i] != p.x0[i]]
    ids, n_lev = p.ids, p.n_levers
    fixed_cost = {m.id: float(np.mean(m.cost_sek_per_t) * res.measure_attribution[m.id][p.ti])
                  for m in p.fixed if m.cost_sek_per_t is not None}
    slot = {m.id: n_lev + j for j, m in enumerate(p.options)}  # an option's decision variable
    option_cost = {m_id: float(p.cost[i] * tonnes[i]) for m_id, i in slot.items() if m_id in chosen}
    msgs.insert(0, "feasible" if gap <= TOL_T else "infeasible")
    msgs += [m for m, on in (("cost_cap_binding", cap is not None and gap > floor + NEAR_T),
                             ("assumed_costs", any(ids[i] in p.assumed for i in moved)),
                             ("cumulative_not_met", "path_last_year" in msgs and gap <= TOL_T
                              and not verdict.met)) if on]
    return OptimiserResult(
        kommun=str(p.sc.kommun), policy=p.sc.national_policy, horizon=p.sc.horizon, target=p.sc.target,
        target_year=p.year, levers=p.as_dict(best.x), nnm=p.as_dict(p.ctx.nnm),
        locked=tuple(lid for lid in p.reg.lever_ids if lid in (locked or {})), feasible=gap <= TOL_T,
        target_met=verdict.met, gap_t=gap, start_gap_t=start.gap,
        total_cost_sek_per_year=float(p.cost @ tonnes), cost_cap_sek_per_year=cap,
        abatement_t={ids[i]: float(tonnes[i]) for i in moved if i < n_lev},
        cost_sek_per_year={ids[i]: float(p.cost[i] * tonnes[i]) for i in moved if i < n_lev},
        cost_sek_per_t={lid: float(c) for lid, c in zip(p.reg.lever_ids, p.cost, strict=False)},
        cost_assumed=p.assumed, cost_is_assumption=p.assumption,
        residual_by_sector={s: float(v) for s, v in zip(SECTORS, res.by_sector[:, p.ti], strict=False) if v > 0.5},
        removals_t=float(res.removals[p.ti]), iterations=iters, messages=tuple(msgs),
        release=p.sc.release, measures=tuple(measure_to_dict(m) for m in kept),
        measure_abatement_t={m.id: float(tonnes[slot[m.id]]) if m.id in chosen
                             else float(res.measure_attribution[m.id][p.ti]) for m in kept},
        measure_cost_sek_per_year={**fixed_cost, **option_cost},
        options=tuple(m.id for m in p.options), options_chosen=chosen)


def macc(item: OptimiserResult | Scenario, kommun: str | None = None) -> list[tuple[str, float, float]]:
    """Marginal abatement cost curve, sequential in the full model: levers moved from "no new
    measures", by cost; each gets its gross reduction plus removals in the target year after the cheaper.

    Returns
    -------
    list of (lever_id, cost_sek_per_t, tonnes)
        Cheapest first; SEK per t CO2e and t CO2e per year.
    """
    sc = item.scenario() if isinstance(item, OptimiserResult) else item
    p = Problem(sc, kommun, {}, None)
    x = np.array([float(sc.levers.get(lid, p.ctx.nnm[i])) for i, lid in enumerate(p.reg.lever_ids)])
    tonnes = p.decompose(x) @ W_COST
    return [(p.reg.lever_ids[i], float(p.cost[i]), float(tonnes[i])) for i in p.order if x[i] != p.ctx.nnm[i]]
