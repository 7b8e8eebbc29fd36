"""Target definitions and verdicts.

A target is a selectable definition, not a constant. Each verdict reports
whether it is met, the gap in tonnes and in percent of the reference
emissions, the first year it is met within the horizon, cumulative emissions
against a budget where one applies, and the annual reduction rate still
required from the last inventory year.

Definitions (ids are stable; they appear in links and files):

* ``klimatneutral_2030`` -- gross emissions in ``year`` at most ``max_gross_pct``
  of ``base_year`` *and* net emissions (gross - removals) <= 0.
* ``budget_rate`` -- an exponential carbon-budget path from the last inventory
  year falling ``rate_pct`` a year; met when cumulative gross emissions to the
  horizon stay within the path's cumulative emissions.
* ``carbon_law`` -- Klimatkollen's path: from its trend-approximated value in
  2026, -11.72 % a year to 2050 (see :mod:`model.klimatkollen`).
* ``national_transport_2030`` -- Transporter -70 % by 2030 vs 2010.
* ``national_2045`` -- gross at most 15 % of 1990 in 2045 and net <= 0.
* ``gross_limit`` -- gross emissions in ``year`` at most ``max_gross_pct`` of ``base_year``,
  with no condition on net emissions: the form of target many kommuner write into their plans
  (for example territorial emissions in 2030 at most 28 % of 2020), so a kommun profile can
  state its own.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from model.data import SECTORS, ModelInputError
from model.registry import TARGET_YEARS

TARGET_IDS = ("klimatneutral_2030", "budget_rate", "carbon_law", "national_transport_2030", "national_2045",
              "gross_limit")
#: Targets given as a yearly path of gross emissions (judged on the cumulative emissions along it).
PATH_TARGETS = ("budget_rate", "carbon_law")
#: Targets with a gross limit *and* net zero in their year.
NEUTRALITY_TARGETS = ("klimatneutral_2030", "national_2045")
#: The national transport goal: one sector, not the total.
TRANSPORT_TARGET = "national_transport_2030"
#: Targets judged on gross emissions in one year against a share of a base year (``max_gross_pct``,
#: ``base_year``, ``year`` of :class:`TargetSpec`); ``details["net_zero"]`` says whether net
#: emissions must also reach zero.
LIMIT_TARGETS = ("klimatneutral_2030", "national_2045", "gross_limit")
#: The limit targets whose share, base year and year the user (or a kommun profile) sets.
SETTABLE_LIMIT_TARGETS = ("klimatneutral_2030", "gross_limit")
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


DEFAULT_BUDGET_RATE = (15.0, "assumption: typisk takt i Uppsala universitets kommunala koldioxidbudgetar "
                             "(geo.uu.se), inte beräknad för denna kommun")
DEFAULT_BUDGET_RATE_EN = ("assumption: a typical rate in Uppsala University's carbon budgets for kommuner "
                          "(geo.uu.se), not calculated for this kommun")


@dataclass(frozen=True)
class TargetSpec:
    """User-settable target parameters (all targets are evaluated; ``selected`` is shown)."""

    selected: str = "klimatneutral_2030"
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


def kommun_budget_rate(code: str, lang: str = "sv") -> tuple[float, str] | None:
    """The yearly rate of the kommun's own carbon budget and its source, from its profile.

    Parameters
    ----------
    code : str
        Kommun code.
    lang : {"sv", "en"}
        Language of the source text.

    Returns
    -------
    tuple of (float, str) or None
        ``(rate in % per year, source)`` when ``kommuner/<code>.toml`` has a ``budget_rate`` target
        (Enköping: 13 % a year), else None.
    """
    # Imported here: model.profiles reads target kinds from this module.
    from model.profiles import ProfileError, load_profile

    try:
        target = load_profile(code).target
    except ProfileError:  # a broken profile is reported where it is loaded; the generic rate applies
        return None
    if target is None or target.kind != "budget_rate" or target.rate_pct is None:
        return None
    src = target.source.en if lang == "en" else target.source.sv
    return float(target.rate_pct), src + (f" ({target.source.url})" if target.source.url else "")


class _ProfileBudgetRates(Mapping[str, tuple[float, str]]):
    """Kommun code -> (rate, Swedish source) for every shipped profile with a ``budget_rate`` target.

    Kept for readers of the former constant; the profiles are the one home of these rates.
    """

    def __getitem__(self, code: str) -> tuple[float, str]:
        found = kommun_budget_rate(code)
        if found is None:
            raise KeyError(code)
        return found

    def __iter__(self) -> Iterator[str]:
        from model.profiles import shipped_profiles

        return (c for c in shipped_profiles() if kommun_budget_rate(c) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


#: The kommun budget rates of the shipped profiles (Enköping's "drygt 13 procent per år").
KOMMUN_BUDGET_RATES: Mapping[str, tuple[float, str]] = _ProfileBudgetRates()


def budget_rate_for(code: str, spec: TargetSpec, lang: str = "sv") -> tuple[float, str]:
    """Budget reduction rate (% per year) and its source for a kommun.

    The user's rate when set, else the kommun's own (its profile's ``budget_rate`` target), else
    :data:`DEFAULT_BUDGET_RATE` (an assumption). ``lang`` is the language of the source text.
    """
    if spec.budget_rate_pct is not None:
        return spec.budget_rate_pct, "chosen by the user" if lang == "en" else "vald av användaren"
    if (own := kommun_budget_rate(code, lang)) is not None:
        return own
    return DEFAULT_BUDGET_RATE if lang != "en" else (DEFAULT_BUDGET_RATE[0], DEFAULT_BUDGET_RATE_EN)


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
                     removals: np.ndarray, transport: np.ndarray, spec: TargetSpec) -> list[TargetVerdict]:
    """Evaluate every target definition for one deterministic scenario.

    Parameters
    ----------
    code : str
        Kommun code (for kommun-specific defaults such as Enköping's budget rate).
    years : numpy.ndarray
        Model years from the last inventory year (T,).
    history : dict
        Inventory year -> sector emissions (9,), t CO2e.
    gross, removals, transport : numpy.ndarray
        Scenario gross emissions, removals and the Transporter sector (T,), t per year.
    spec : TargetSpec
        User settings for the klimatneutral and budget definitions.
    """
    from model.klimatkollen import CARBON_LAW_RATE

    net = gross - removals
    e_now = float(gross[0])
    totals = {y: float(v.sum()) for y, v in history.items()}
    out = [_neutrality("klimatneutral_2030", years, gross, net, removals, totals[spec.base_year],
                       spec.max_gross_pct, spec.year, spec.base_year, e_now)]

    rate, rate_src = budget_rate_for(code, spec)
    t0 = int(years[0])
    path = {int(y): e_now * (1 - rate / 100) ** (int(y) - t0) for y in years[1:]}
    budget = e_now * (1 - rate / 100) / (rate / 100)
    out.append(_path_target("budget_rate", years, gross, path, rate,
                            {"rate_source": rate_src, "start_year": t0}, budget))

    kk = _klimatkollen_cached(tuple(sorted(totals.items())))
    kk_path = {int(y): float(v) for y, v in kk.carbon_law.items()}
    if any(y in kk_path for y in years.tolist()):
        out.append(_path_target("carbon_law", years, gross, kk_path, CARBON_LAW_RATE * 100,
                                {"klimatkollen_total_carbon_law_t": kk.total_carbon_law_t,
                                 "klimatkollen_total_trend_t": kk.total_trend_t},
                                kk.total_carbon_law_t))

    ti = SECTORS.index("Transporter")
    ref = float(history[2010][ti])
    allowed = 0.3 * ref
    i30 = np.flatnonzero(years == 2030)
    ok = transport <= allowed + 1e-6
    tv = float(transport[i30[0]]) if len(i30) else None
    gap = max(tv - allowed, 0.0) if tv is not None else None
    out.append(TargetVerdict("national_transport_2030", bool(len(i30)), bool(ok[i30[0]]) if len(i30) else None,
                             2030, allowed, tv, gap, gap / ref * 100 if gap is not None and ref else None,
                             _first_year(years, ok),
                             required_rate_pct=_required_rate(float(transport[0]), allowed, 2030 - t0),
                             details={"reference_year": 2010, "reference_t": ref, "cut_pct": 70,
                                      "note": "SMHI:s Transporter inkluderar inrikes flyg, som målet undantar"}))
    out.append(_neutrality("national_2045", years, gross, net, removals, totals[1990], 15.0, 2045, 1990, e_now))
    out.append(_neutrality("gross_limit", years, gross, net, removals, totals[spec.base_year],
                           spec.max_gross_pct, spec.year, spec.base_year, e_now, net_zero=False))
    return out


@lru_cache(maxsize=512)
def _klimatkollen_cached(totals: tuple[tuple[int, float], ...]) -> Any:
    # The LAD fit depends only on the kommun's history, not on the scenario.
    from model.klimatkollen import klimatkollen_figures

    return klimatkollen_figures([y for y, _ in totals], [v for _, v in totals])


def with_selected(spec: TargetSpec, selected: str) -> TargetSpec:
    """Copy of ``spec`` with another selected target."""
    return replace(spec, selected=selected)
