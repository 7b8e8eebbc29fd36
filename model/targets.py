"""Target definitions and verdicts.

A target is a selectable definition, not a constant. Each verdict reports
whether it is met, the gap in tonnes and in percent of the reference
emissions, the first year it is met within the horizon, cumulative emissions
against a budget where one applies, and the annual reduction rate still
required from the last inventory year.

The definitions are data (``[[model.target]]`` in ``model/registry.toml``, read by
:mod:`model.target_defs`); :func:`evaluate_targets` judges each by its kind:

* ``limit`` -- gross emissions in the year at most a share of a base year's, and net emissions
  (gross - removals) <= 0 when the definition says ``net_zero`` (``klimatneutral_2030``,
  ``national_2045``; ``gross_limit`` has no net condition: the form many kommuner write into their
  plans, for example territorial emissions in 2030 at most 28 % of 2020).
* ``path`` -- a yearly path of gross emissions, met when cumulative gross emissions to the horizon
  stay within the path's: an exponential carbon-budget path from the last inventory year falling
  ``rate_pct`` a year (``budget_rate``), or Klimatkollen's path from its trend-approximated value in
  2026, -11.72 % a year to 2050 (``carbon_law``, see :mod:`model.klimatkollen`).
* ``sector`` -- one sector cut by a share from a base year (``national_transport_2030``:
  Transporter -70 % by 2030 vs 2010).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from model.budget_rate import budget_rate_for
from model.data import SECTORS, ModelInputError
from model.registry import TARGET_YEARS
from model.target_defs import DEFAULT_TARGET, TARGET_IDS, TargetDef, target_defs

#: Latest year a target may be measured against: the range the sidebar has always offered (a design
#: choice, not a sourced rule); later years are the recent years a scenario starts from.
LAST_BASE_YEAR = 2020


def base_years(inventory_years: Iterable[int]) -> tuple[int, ...]:
    """The base years a target may use: the inventory years up to :data:`LAST_BASE_YEAR`.

    The one list for the sidebar, share links, scenario files and workshop submissions.

    Parameters
    ----------
    inventory_years : iterable of int
        The dataset's inventory years (``Dataset.inventory_years``).
    """
    return tuple(int(y) for y in inventory_years if y <= LAST_BASE_YEAR)


@dataclass(frozen=True)
class TargetSpec:
    """User-settable target parameters (all targets are evaluated; ``selected`` is shown)."""

    selected: str = DEFAULT_TARGET
    year: int = 2030
    base_year: int = 1990
    max_gross_pct: float = 20.0
    budget_rate_pct: float | None = None  # None = kommun default

    def validate(self, inventory_years: tuple[int, ...]) -> None:
        """Check every field.

        Raises
        ------
        model.data.ModelInputError
            ``model.bad_target`` with ``field``, ``value`` and ``allowed`` (a ValueError; the
            message is an English default, the UI words the key).
        """
        years = TARGET_YEARS
        checks = (("selected", self.selected in TARGET_IDS, ", ".join(TARGET_IDS)),
                  ("year", self.year in years, ", ".join(map(str, years))),
                  ("base_year", self.base_year in base_years(inventory_years),
                   ", ".join(map(str, base_years(inventory_years)))),
                  ("max_gross_pct", 0 <= self.max_gross_pct <= 100, "0–100 %"),
                  ("budget_rate_pct", self.budget_rate_pct is None or 0.5 <= self.budget_rate_pct <= 50,
                   "0.5–50 % per year"))
        for name, ok, allowed in checks:
            if not ok:
                value = getattr(self, name)
                raise ModelInputError("model.bad_target", f"target.{name}={value!r}; allowed: {allowed}",
                                      field=f"target.{name}", value=repr(value)[:40], allowed=allowed)


@dataclass(frozen=True)
class TargetVerdict:
    """Outcome of one target for one scenario (tonnes are t CO2e)."""

    id: str
    evaluable: bool
    met: bool | None
    year: int
    allowed_t: float | None
    value_t: float | None
    gap_t: float | None
    gap_pct: float | None
    year_met: int | None
    cumulative_t: float | None = None
    budget_t: float | None = None
    required_rate_pct: float | None = None
    path: dict[int, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (used by the CLI and exports)."""
        out = {k: getattr(self, k) for k in ("id", "evaluable", "met", "year", "allowed_t", "value_t",
                                             "gap_t", "gap_pct", "year_met", "cumulative_t", "budget_t",
                                             "required_rate_pct")}
        out["details"] = self.details
        return out


def _first_year(years: np.ndarray, ok: np.ndarray) -> int | None:
    idx = np.flatnonzero(ok)
    return int(years[idx[0]]) if len(idx) else None


def annual_rate_pct(start_t: float, end_t: float, n_years: int) -> float | None:
    """Average yearly reduction from ``start_t`` to ``end_t`` over ``n_years`` (% per year).

    Negative when emissions grow; None when it is undefined (no years, nothing to start from,
    or an end at or below zero, which no constant rate reaches).
    """
    if n_years <= 0 or start_t <= 0 or end_t <= 0:
        return None
    return float((1 - (end_t / start_t) ** (1 / n_years)) * 100)


def _required_rate(e_now: float, allowed: float, n_years: int) -> float | None:
    if n_years <= 0 or e_now <= 0:
        return None
    if allowed <= 0:
        return 100.0
    return float(max(0.0, 1 - (allowed / e_now) ** (1 / n_years)) * 100)


def _neutrality(tid: str, years: np.ndarray, gross: np.ndarray, net: np.ndarray, rem: np.ndarray,
                ref_t: float, pct: float, year: int, base_year: int, e_now: float,
                net_zero: bool = True) -> TargetVerdict:
    allowed = ref_t * pct / 100.0
    req = _required_rate(e_now, allowed, year - int(years[0]))
    ok = (gross <= allowed + 1e-6) & ((net <= 1e-6) if net_zero else True)
    details = {"base_year": base_year, "max_gross_pct": pct, "reference_t": ref_t, "net_zero": net_zero}
    if year > years[-1]:
        return TargetVerdict(tid, False, None, year, allowed, None, None, None, _first_year(years, ok),
                             required_rate_pct=req, details=details)
    i = int(np.flatnonzero(years == year)[0])
    gross_gap = float(max(gross[i] - allowed, 0.0))
    removal_gap = float(max(min(gross[i], allowed) - rem[i], 0.0)) if net_zero else 0.0
    gap = gross_gap + removal_gap
    details.update(gross_gap_t=gross_gap, removal_gap_t=removal_gap, net_t=float(net[i]))
    return TargetVerdict(tid, True, bool(ok[i]), year, allowed, float(gross[i]), gap,
                         gap / ref_t * 100 if ref_t else None, _first_year(years, ok),
                         float(gross[1:].sum()), required_rate_pct=req, details=details)


def _path_target(tid: str, years: np.ndarray, gross: np.ndarray, path: dict[int, float],
                 rate: float, details: dict[str, Any], budget_t: float | None) -> TargetVerdict:
    # gap_pct is relative to the last inventory year's emissions, the level the path starts from.
    common = [y for y in years.tolist() if y in path]
    idx = np.array([years.tolist().index(y) for y in common])
    p = np.array([path[y] for y in common])
    cum = float(gross[idx].sum())
    cum_path = float(p.sum())
    last = common[-1]
    gap = max(float(gross[idx[-1]]) - path[last], 0.0)
    details = {**details, "cumulative_path_t": cum_path, "from_year": common[0], "to_year": last}
    return TargetVerdict(tid, True, cum <= cum_path + 1e-6, last, path[last], float(gross[idx[-1]]), gap,
                         gap / float(gross[0]) * 100 if gross[0] > 0 else None,
                         _first_year(np.array(common), gross[idx] <= p + 1e-6), cum, budget_t, rate,
                         path=path, details=details)


def evaluate_targets(code: str, years: np.ndarray, history: dict[int, np.ndarray], gross: np.ndarray,
                     removals: np.ndarray, by_sector: np.ndarray, spec: TargetSpec) -> list[TargetVerdict]:
    """Evaluate every target definition for one deterministic scenario.

    Parameters
    ----------
    code : str
        Kommun code (for the kommun's own budget rate in its profile).
    years : numpy.ndarray
        Model years from the last inventory year (T,).
    history : dict
        Inventory year -> sector emissions (9,), t CO2e.
    gross, removals : numpy.ndarray
        Scenario gross emissions and removals (T,), t per year.
    by_sector : numpy.ndarray
        Scenario emissions per SMHI sector (9, T), t per year (sector targets).
    spec : TargetSpec
        User settings for the settable limit targets and the budget rate.

    Returns
    -------
    list of TargetVerdict
        One per definition in ``[[model.target]]`` order (a Klimatkollen path target is left out
        when its path has no year in common with the model years).
    """
    net = gross - removals
    e_now = float(gross[0])
    totals = {y: float(v.sum()) for y, v in history.items()}
    out: list[TargetVerdict] = []
    for d in target_defs():
        if d.kind == "limit":
            year, base, pct = ((spec.year, spec.base_year, spec.max_gross_pct) if d.settable
                               else (int(d.year or 0), int(d.base_year or 0), float(d.max_gross_pct or 0)))
            out.append(_neutrality(d.id, years, gross, net, removals, totals[base], pct, year, base, e_now,
                                   net_zero=d.net_zero))
        elif d.kind == "path":
            verdict = _budget(d, code, spec, years, gross, e_now) if d.path == "budget" else \
                _carbon_law(d, totals, years, gross)
            if verdict is not None:
                out.append(verdict)
        else:
            out.append(_sector(d, years, history, by_sector))
    return out


def _budget(d: TargetDef, code: str, spec: TargetSpec, years: np.ndarray, gross: np.ndarray,
            e_now: float) -> TargetVerdict:
    rate, rate_src = budget_rate_for(code, spec)
    t0 = int(years[0])
    path = {int(y): e_now * (1 - rate / 100) ** (int(y) - t0) for y in years[1:]}
    budget = e_now * (1 - rate / 100) / (rate / 100)
    return _path_target(d.id, years, gross, path, rate, {"rate_source": rate_src, "start_year": t0}, budget)


def _carbon_law(d: TargetDef, totals: dict[int, float], years: np.ndarray,
                gross: np.ndarray) -> TargetVerdict | None:
    from model.klimatkollen import CARBON_LAW_RATE

    kk = _klimatkollen_cached(tuple(sorted(totals.items())))
    kk_path = {int(y): float(v) for y, v in kk.carbon_law.items()}
    if not any(y in kk_path for y in years.tolist()):
        return None
    return _path_target(d.id, years, gross, kk_path, CARBON_LAW_RATE * 100,
                        {"klimatkollen_total_carbon_law_t": kk.total_carbon_law_t,
                         "klimatkollen_total_trend_t": kk.total_trend_t}, kk.total_carbon_law_t)


def _sector(d: TargetDef, years: np.ndarray, history: dict[int, np.ndarray],
            by_sector: np.ndarray) -> TargetVerdict:
    si = SECTORS.index(str(d.sector))
    year, base, cut = int(d.year or 0), int(d.base_year or 0), float(d.cut_pct or 0)
    series = by_sector[si]
    ref = float(history[base][si])
    allowed = (1 - cut / 100) * ref
    iy = np.flatnonzero(years == year)
    ok = series <= allowed + 1e-6
    value = float(series[iy[0]]) if len(iy) else None
    gap = max(value - allowed, 0.0) if value is not None else None
    return TargetVerdict(d.id, bool(len(iy)), bool(ok[iy[0]]) if len(iy) else None, year, allowed, value, gap,
                         gap / ref * 100 if gap is not None and ref else None, _first_year(years, ok),
                         required_rate_pct=_required_rate(float(series[0]), allowed, year - int(years[0])),
                         details={"reference_year": base, "reference_t": ref, "cut_pct": cut,
                                  "sector": d.sector})


@lru_cache(maxsize=512)
def _klimatkollen_cached(totals: tuple[tuple[int, float], ...]) -> Any:
    # The LAD fit depends only on the kommun's history, not on the scenario.
    from model.klimatkollen import klimatkollen_figures

    return klimatkollen_figures([y for y, _ in totals], [v for _, v in totals])


def with_selected(spec: TargetSpec, selected: str) -> TargetSpec:
    """Copy of ``spec`` with another selected target."""
    return replace(spec, selected=selected)
