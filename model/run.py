"""Run a scenario: baseline, levers, sectors, removals, attribution and targets.

This is the model's public entry point; the CLI, the dashboard and the
exports all go through :func:`run_scenario` (deterministic) or
:func:`run_samples` (Monte Carlo).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from model.baseline import KommunContext, build_context
from model.data import SECTORS, Kommun, load_dataset
from model.engine import apply_levers, attribution, baseline_streams, lever_effects, removals, sector_totals
from model.kommuner import find_kommun
from model.measures import measure_to_dict
from model.measures_engine import engine_effects, measure_attribution
from model.ranges import lever_bounds
from model.registry import Registry, load_registry
from model.scenario import Scenario
from model.scenario_parse import check_lever_value
from model.subsectors import SUBSECTOR_YEAR, stream_subsectors
from model.targets import TargetVerdict, evaluate_targets

MODEL_VERSION = "2026.12.1"
DEFAULT_KOMMUN = "0381"


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """Deterministic outcome of one scenario. Tonnes are t CO2e per year.

    Attributes
    ----------
    years : numpy.ndarray
        Model years from the last inventory year through the horizon (T,).
    by_sector, baseline_by_sector : numpy.ndarray
        (9, T), sectors in :data:`model.data.SECTORS` order.
    gross, baseline_gross, removals, net : numpy.ndarray
        (T,). ``net = gross - removals``; removals are never inside a sector.
    removals_by_lever : dict
        Lever id -> (T,) removals, t CO2 per year.
    attribution : dict
        Lever id -> (T,) contribution to the reduction versus the baseline, t CO2e per year;
        lever contributions (removals included) plus :attr:`measure_attribution` sum exactly
        to ``baseline_gross - net``.
    measure_attribution : dict
        Own-measure id -> (T,) its contribution, t CO2e per year (the scenario's measures, in
        order; empty without measures). Where a lever acts on the same stream the split is the
        engine's LMDI one, so nothing is counted twice.
    history : dict
        Inventory year -> (9,) SMHI emissions.
    lever_values : dict
        Lever id -> value used (all levers).
    """

    kommun: Kommun
    scenario: Scenario
    years: np.ndarray
    by_sector: np.ndarray
    baseline_by_sector: np.ndarray
    gross: np.ndarray
    baseline_gross: np.ndarray
    removals: np.ndarray
    net: np.ndarray
    removals_by_lever: dict[str, np.ndarray]
    attribution: dict[str, np.ndarray]
    history: dict[int, np.ndarray]
    lever_values: dict[str, float]
    targets: list[TargetVerdict] = field(default_factory=list)
    context: KommunContext | None = None
    measure_attribution: dict[str, np.ndarray] = field(default_factory=dict)

    def target(self, target_id: str) -> TargetVerdict:
        """Verdict for one target id."""
        return next(t for t in self.targets if t.id == target_id)

    def actor_attribution(self) -> dict[str, np.ndarray]:
        """Actor id -> (T,) reduction versus the baseline, t CO2e per year: each lever counts for
        its registry actor and each own measure for its own ``actor``."""
        reg = load_registry()
        out: dict[str, np.ndarray] = {}
        by_actor = [(reg.lever(lid).actor, s) for lid, s in self.attribution.items()]
        by_actor += [(m.actor, self.measure_attribution[m.id]) for m in self.scenario.measures
                     if m.id in self.measure_attribution]
        for actor, series in by_actor:
            out[actor] = out.get(actor, np.zeros(len(self.years))) + series
        return out

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the CLI's ``--format json``)."""
        def r(a: np.ndarray) -> list[float]:
            return [round(float(x), 3) for x in a]
        return {
            "model_version": MODEL_VERSION,
            "kommun": {"code": self.kommun.code, "name": self.kommun.name},
            "scenario": self.scenario.id, "national_policy": self.scenario.national_policy,
            "horizon": self.scenario.horizon, "unit": "t CO2e/yr",
            "years": [int(y) for y in self.years],
            "sectors": {s: r(self.by_sector[i]) for i, s in enumerate(SECTORS)},
            "gross": r(self.gross), "removals": r(self.removals), "net": r(self.net),
            "baseline_gross": r(self.baseline_gross),
            "levers": self.lever_values,
            "attribution": {k: r(v) for k, v in self.attribution.items()},
            "measures": [{**measure_to_dict(m), "attribution": r(self.measure_attribution[m.id])}
                         for m in self.scenario.measures if m.id in self.measure_attribution],
            "data_release": self.context.release if self.context is not None else None,
            "targets": [t.to_dict() for t in self.targets],
            "streams": self.streams_dict(),
        }

    def streams_dict(self) -> dict[str, dict[str, Any]]:
        """Stream id -> SMHI sector, the SMHI sub-sectors it covers and its base-year tonnes.

        ``split`` says whether the kommun's own 2019 sub-sector shares ("kommun") or Sweden's
        ("national", the kommun had none in that sector) divide the sector; "whole" for a
        stream that is its whole sector. Tonnes are t CO2e in the first model year.
        """
        reg = load_registry()
        ctx = self.context or build_context(self.kommun.code, self.scenario.national_policy, self.scenario.horizon,
                                            self.scenario.release)
        subs = stream_subsectors(reg)
        return {st.id: {"sector": st.sector, "subsectors": list(subs[st.id]),
                        "base_year": int(ctx.years[0]), "base_year_t": round(float(ctx.e0[i]), 3),
                        "split": ctx.subsector_basis.get(st.sector, "whole"), "split_year": SUBSECTOR_YEAR}
                for i, st in enumerate(reg.streams)}


def lever_vector(ctx: KommunContext, levers: dict[str, float], reg: Registry | None = None) -> np.ndarray:
    """Lever values (L,) in registry order; missing levers sit at "no new measures"."""
    reg = reg or load_registry()
    vals = ctx.nnm.copy()
    for k, v in levers.items():
        vals[reg.lever_ids.index(k)] = check_lever_value(reg, k, v)
    return vals


def resolve_kommun(scenario: Scenario, kommun: str | None = None) -> Kommun:
    """The kommun to run: explicit argument, then the scenario's, then Enköping.

    An explicit empty or blank ``kommun`` is an error (UnknownKommunError), never a silent Enköping.
    """
    return find_kommun(kommun if kommun is not None else (scenario.kommun or DEFAULT_KOMMUN))


def run_scenario(scenario: Scenario, kommun: str | None = None) -> ScenarioResult:
    """Run one scenario deterministically (every uncertain input at its mode).

    Parameters
    ----------
    scenario : Scenario
        Lever values, national policy, horizon and target settings.
    kommun : str, optional
        Code or name; overrides the scenario's kommun.

    Notes
    -----
    The scenario's ``release`` (None: the latest) gives the inventory the projection starts
    from, the history and the targets' reference years: one release, never spliced.
    """
    reg = load_registry()
    k = resolve_kommun(scenario, kommun)
    ctx = build_context(k.code, scenario.national_policy, scenario.horizon, scenario.release)
    return _run_cached(ctx, tuple(lever_vector(ctx, scenario.levers, reg).tolist()), scenario)


def _run_cached(ctx: KommunContext, values: tuple[float, ...], scenario: Scenario) -> ScenarioResult:
    reg = load_registry()
    vals = np.array(values)
    n_levers = len(reg.levers)
    base = _baseline(ctx)
    # Own measures enter as extra levers of index n_levers + m (model.measures.with_measures).
    fx = engine_effects(scenario.measures, ctx, base, lever_effects(ctx, vals, reg), n_levers)
    streams = apply_levers(base, fx)
    by_sector = sector_totals(streams, ctx)[:, 0, :]
    base_sector = sector_totals(base, ctx)[:, 0, :]
    rem = removals(fx, 1)[0]
    gross = by_sector.sum(axis=0)
    attr = attribution(base, fx, n_levers + len(scenario.measures))
    rem_by = {reg.lever_ids[li]: fx.removal_t[i] for i, li in enumerate(fx.removal_lever)}
    for lid, series in rem_by.items():
        attr[reg.lever_ids.index(lid)] += series
    ds = load_dataset(release=ctx.release)
    inv = ds.emissions[ds.index_of(ctx.kommun.code)]
    history = {y: inv[i].copy() for i, y in enumerate(ds.inventory_years)}
    targets = evaluate_targets(ctx.kommun.code, ctx.years, history, gross, rem, by_sector, scenario.target)
    return ScenarioResult(
        kommun=ctx.kommun, scenario=scenario, years=ctx.years, by_sector=by_sector,
        baseline_by_sector=base_sector, gross=gross, baseline_gross=base_sector.sum(axis=0),
        removals=rem, net=gross - rem, removals_by_lever=rem_by,
        attribution={lid: attr[i] for i, lid in enumerate(reg.lever_ids)}, history=history,
        lever_values={lid: float(vals[i]) for i, lid in enumerate(reg.lever_ids)},
        targets=targets, context=ctx,
        measure_attribution=measure_attribution(attr, scenario.measures, n_levers))


@lru_cache(maxsize=64)
def _baseline(ctx: KommunContext) -> np.ndarray:
    out = baseline_streams(ctx)
    out.setflags(write=False)
    return out


def levers_for(kommun: str | None = None, capacities: Mapping[str, float] | None = None,
               policy: str = "current_law", horizon: int = 2030) -> list[dict[str, Any]]:
    """Every lever with the range it has in one kommun (``python -m model levers --format json``).

    Parameters
    ----------
    kommun : str, optional
        Code or name; Enköping when omitted.
    capacities : Mapping, optional
        Lever id -> known capacity in lever units (a kommun profile's plants), see
        :func:`model.ranges.lever_bounds`.
    policy, horizon : str, int
        Only the "no new measures" position of stock levers depends on them, not at all today.

    Returns
    -------
    list of dict
        In registry order: ``id``, ``url_key``, ``unit``, ``min`` and ``max`` (this kommun's
        range, lever units), ``absolute_max`` (the registry's), ``step``, ``nnm`` (its "no new
        measures" position), ``group``, ``kind`` and ``range_rule`` (the rules' bases, or None).
    """
    reg = load_registry()
    k = find_kommun(kommun if kommun is not None else DEFAULT_KOMMUN)
    ctx = build_context(k.code, policy, horizon)
    bounds = lever_bounds(ctx, capacities, reg)
    return [{"id": lv.id, "url_key": lv.url_key, "unit": lv.unit, "min": bounds[lv.id][0],
             "max": bounds[lv.id][1], "absolute_max": lv.max, "step": lv.step, "nnm": float(ctx.nnm[i]),
             "group": lv.group, "kind": lv.kind, "range_rule": [r.basis for r in lv.range_rules] or None}
            for i, lv in enumerate(reg.levers)]


def baseline_scenario(kommun: str | None = None, policy: str = "current_law", horizon: int = 2030) -> Scenario:
    """The "no new measures" scenario (every lever at its nnm position)."""
    return Scenario(levers={}, kommun=kommun, national_policy=policy, horizon=horizon, id="baseline",
                    name={"sv": "Utan nya åtgärder", "en": "No new measures"})
