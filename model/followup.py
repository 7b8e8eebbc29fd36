"""Plan against actual: a scenario made on an earlier SMHI release against what SMHI then measured.

A Klimatkontrakt scenario is made on the release of its day (a share link's ``d``, a scenario
file or a workshop submission plus the release it was made on). When a later release measures
years after that release's last year, this module compares, for each of those years, per SMHI
sector and in total (gross, t CO2e per year):

* **expected**: the scenario run on its own release;
* **measured**: the latest release's inventory.

SMHI recalculates the whole series in every release, so the base year itself moves between
releases (the *revision*). The revision is reported on its own and kept out of the plan-vs-actual
comparison: the change SMHI measured is taken within the latest release (measured year against
the same release's figure for the base year), the planned change within the old release, and the
gap in tonnes is split exactly into ``performance_gap_t`` (the plan rescaled to the revised base
year against the measured value) and ``revision_effect_t`` (what the revision alone moves).

Removals are not in SMHI's inventory (excl. LULUCF): the comparison is of gross emissions.
Sentences are message keys with parameters (``followup.sentence.*``); the UI words them.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from model.baseline import build_context
from model.codec import LinkState
from model.data import SECTORS, Kommun, list_releases, load_dataset
from model.engine import apply_levers, baseline_streams, lever_effects, removals, sector_totals
from model.followup_indicators import EV_LEVER, IndicatorFollowup, ev_indicator, recorded_ev_share
from model.registry import load_registry
from model.releases import Release
from model.run import lever_vector, run_scenario
from model.scenario import Scenario
from model.targets import TargetVerdict, evaluate_targets

TOTAL = "total"
__all__ = ["EV_LEVER", "TOTAL", "Followup", "IndicatorFollowup", "Message", "RateCheck", "SectorFollowup",
           "ev_indicator", "followup", "recorded_ev_share", "scenario_of_link", "scenario_of_submission", "sentence"]


@dataclass(frozen=True)
class Message:
    """A sentence for the UI to word: ``key`` in ui/text/locales/followup.*.toml, ``params`` its values."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SectorFollowup:
    """One SMHI sector (or the total) in the last compared year. Tonnes are t CO2e per year.

    Attributes
    ----------
    sector : str
        SMHI sector name, or :data:`TOTAL`.
    base_old_t, base_new_t : float
        The base year (the old release's last year) in the old and in the latest release.
    revision_t, revision_pct : float, float or None
        ``base_new_t - base_old_t`` and the same in % of ``base_old_t`` (None when that is 0).
    expected_t, measured_t : dict
        Year -> the scenario's value (old release) and SMHI's measured value (latest release).
    gap_t, gap_pct : float, float or None
        Measured minus expected in the last compared year; % of expected (None when it is 0).
        Positive: more emissions than planned.
    performance_gap_t, revision_effect_t : float
        ``gap_t`` split: the measured value against the plan rescaled to the revised base year,
        and what the revision of the base year alone moves (they sum to ``gap_t``).
    planned_change_pct, measured_change_pct : float or None
        Change from the base year to the last compared year in %: the plan within the old
        release, SMHI's within the latest release (None where the base year is 0).
    sentence : Message
    """

    sector: str
    base_old_t: float
    base_new_t: float
    revision_t: float
    revision_pct: float | None
    expected_t: dict[int, float]
    measured_t: dict[int, float]
    gap_t: float
    gap_pct: float | None
    performance_gap_t: float
    revision_effect_t: float
    planned_change_pct: float | None
    measured_change_pct: float | None
    sentence: Message


@dataclass(frozen=True)
class RateCheck:
    """Whether the selected target is still within reach, then and now.

    Attributes
    ----------
    target_id : str
    target_year : int
    from_year_then, from_year_now : int
        The old release's last year and the latest measured year.
    gross_then_t, gross_now_t : float
        Gross emissions in those years (each release's own figure), t CO2e.
    rate_then_pct, rate_now_pct : float or None
        Yearly reduction the target requires from there (% per year; None where undefined).
    met_then, met_now : bool or None
        Whether the scenario meets the target run on the old release, and the same levers run
        from the latest measured year (None when the target is not evaluable in the horizon).
    """

    target_id: str
    target_year: int
    from_year_then: int
    from_year_now: int
    gross_then_t: float
    gross_now_t: float
    rate_then_pct: float | None
    rate_now_pct: float | None
    met_then: bool | None
    met_now: bool | None


@dataclass(frozen=True)
class Followup:
    """Plan against actual for one scenario.

    ``status`` is ``"compared"``, or ``"nothing_measured"`` when no later release measures a
    year after the scenario's release (then ``years``, ``sectors`` and ``total`` are empty/None).
    """

    kommun: Kommun
    scenario: Scenario
    old_release: Release
    new_release: Release
    status: str
    base_year: int
    years: tuple[int, ...]
    sectors: tuple[SectorFollowup, ...]
    total: SectorFollowup | None
    rates: RateCheck | None
    indicators: tuple[IndicatorFollowup, ...]

    @property
    def last_year(self) -> int | None:
        """The last compared year (the latest measured year), or None."""
        return self.years[-1] if self.years else None


@dataclass(frozen=True)
class _Run:
    years: np.ndarray
    by_sector: np.ndarray
    gross: np.ndarray
    verdict: TargetVerdict


def _run(sc: Scenario, code: str, release: str) -> _Run:
    """The scenario on one release: through run_scenario where it takes a release, else the same
    engine steps here (run_scenario then always used the latest release)."""
    if "release" in {f.name for f in fields(Scenario)}:
        res = run_scenario(replace(sc, release=release), code)
        if int(res.years[0]) == load_dataset(release=release).last_year:
            return _Run(res.years, res.by_sector, res.gross, res.target(sc.target.selected))
    reg = load_registry()
    ctx = build_context(code, sc.national_policy, sc.horizon, release)
    fx = lever_effects(ctx, lever_vector(ctx, sc.levers, reg), reg)
    by_sector = sector_totals(apply_levers(baseline_streams(ctx), fx), ctx)[:, 0, :]
    rem = removals(fx, 1)[0]
    gross = by_sector.sum(axis=0)
    ds = load_dataset(release=release)
    inv = ds.emissions[ds.index_of(code)]
    history = {y: inv[i].copy() for i, y in enumerate(ds.inventory_years)}
    verdicts = evaluate_targets(code, ctx.years, history, gross, rem, by_sector, sc.target)
    return _Run(ctx.years, by_sector, gross, next(v for v in verdicts if v.id == sc.target.selected))


def _pct(num: float, den: float) -> float | None:
    return None if den <= 0 else float(num / den * 100.0)


def _direction(pct: float | None) -> str:
    # Compared as shown (whole percent): a sentence never says "minskade 0 %".
    if pct is None or round(pct) == 0:
        return "flat"
    return "down" if round(pct) < 0 else "up"


def sentence(sector: str, planned_pct: float | None, measured_pct: float | None, year: int,
             base_year: int) -> Message:
    """The sentence key and parameters for one sector's planned and measured change.

    Parameters
    ----------
    sector : str
        SMHI sector name or :data:`TOTAL`.
    planned_pct, measured_pct : float or None
        Change from ``base_year`` to ``year`` in % (None: no emissions in the base year).
    year, base_year : int

    Returns
    -------
    Message
        ``followup.sentence.<kind>`` with ``sector``, ``planned`` and ``measured`` (whole
        percent, without sign: the key says the direction), ``planned_change`` and
        ``measured_change`` (whole percent, signed), ``year`` and ``base_year``.
        Kinds: ``down_less``, ``down_more``, ``up_more``, ``up_less``, ``on_plan``,
        ``up_planned_down``, ``down_planned_up``, ``flat_planned_down``, ``flat_planned_up``,
        ``down_planned_flat``, ``up_planned_flat``, ``none`` (no emissions in either year).
    """
    params: dict[str, Any] = {"sector": sector, "year": year, "base_year": base_year,
                              "planned": abs(round(planned_pct or 0.0)), "measured": abs(round(measured_pct or 0.0)),
                              "planned_change": round(planned_pct or 0.0),
                              "measured_change": round(measured_pct or 0.0)}
    if planned_pct is None and measured_pct is None:
        return Message("followup.sentence.none", params)
    m, p = _direction(measured_pct), _direction(planned_pct)
    rm, rp = round(measured_pct or 0.0), round(planned_pct or 0.0)
    if m == p and (m == "flat" or rm == rp):
        kind = "on_plan"
    elif m == p == "down":
        kind = "down_more" if rm < rp else "down_less"
    elif m == p == "up":
        kind = "up_more" if rm > rp else "up_less"
    else:
        kind = f"{m}_planned_{p}"
    return Message(f"followup.sentence.{kind}", params)


def _sector_row(name: str, base_old: float, base_new: float, expected: dict[int, float],
                measured: dict[int, float], base_year: int) -> SectorFollowup:
    last = max(measured)
    exp, meas = expected[last], measured[last]
    # The plan's own change applied to the revised base year; additive where the old base is 0.
    rebased = exp * base_new / base_old if base_old > 0 else exp + (base_new - base_old)
    planned = _pct(exp - base_old, base_old)
    measured_change = _pct(meas - base_new, base_new)
    return SectorFollowup(
        sector=name, base_old_t=base_old, base_new_t=base_new, revision_t=base_new - base_old,
        revision_pct=_pct(base_new - base_old, base_old), expected_t=expected, measured_t=measured,
        gap_t=meas - exp, gap_pct=_pct(meas - exp, exp), performance_gap_t=meas - rebased,
        revision_effect_t=rebased - exp, planned_change_pct=planned, measured_change_pct=measured_change,
        sentence=sentence(name, planned, measured_change, last, base_year))


def followup(scenario: Scenario, release: str, kommun: str | None = None, latest: str | None = None) -> Followup:
    """Compare a scenario made on ``release`` with what the latest release measured since.

    Parameters
    ----------
    scenario : Scenario
        Levers, national policy, horizon and target (its kommun unless ``kommun`` is given).
    release : str
        Release id the scenario was made on (e.g. ``"smhi-2023"``).
    kommun : str, optional
        Kommun code; overrides the scenario's.
    latest : str, optional
        Release id holding the measured values; the default (latest) release when None.

    Returns
    -------
    Followup
        Tonnes in t CO2e per year, changes in %.

    Raises
    ------
    model.csvio.DataValidationError
        If a release id is unknown.
    """
    from model.run import resolve_kommun

    k = resolve_kommun(scenario, kommun)
    old_ds, new_ds = load_dataset(release=release), load_dataset(release=latest)
    by_id = {r.id: r for r in list_releases()}
    old_rel, new_rel = by_id[old_ds.release], by_id[new_ds.release]
    t0 = old_ds.last_year
    old = _run(scenario, k.code, old_ds.release)
    ind = tuple(x for x in (ev_indicator(scenario, k.code, old_ds.release),) if x is not None)
    years = tuple(y for y in new_ds.inventory_years if t0 < y <= int(old.years[-1]))
    if not years:
        return Followup(k, scenario, old_rel, new_rel, "nothing_measured", t0, (), (), None, None, ind)
    yi = {int(y): i for i, y in enumerate(old.years)}
    inv_old = old_ds.emissions[old_ds.index_of(k.code)][-1]
    inv_new = new_ds.emissions[new_ds.index_of(k.code)]
    new_base = inv_new[new_ds.inventory_years.index(t0)]
    rows = []
    for si, name in enumerate(SECTORS):
        expected = {y: float(old.by_sector[si, yi[y]]) for y in years}
        measured = {y: float(inv_new[new_ds.inventory_years.index(y), si]) for y in years}
        rows.append(_sector_row(name, float(inv_old[si]), float(new_base[si]), expected, measured, t0))
    total = _sector_row(TOTAL, float(inv_old.sum()), float(new_base.sum()),
                        {y: float(old.gross[yi[y]]) for y in years},
                        {y: float(inv_new[new_ds.inventory_years.index(y)].sum()) for y in years}, t0)
    now = _run(scenario, k.code, new_ds.release)
    rates = RateCheck(scenario.target.selected, old.verdict.year, t0, new_ds.last_year,
                      float(old.gross[0]), float(now.gross[0]), old.verdict.required_rate_pct,
                      now.verdict.required_rate_pct, old.verdict.met, now.verdict.met)
    return Followup(k, scenario, old_rel, new_rel, "compared", t0, years, tuple(rows), total, rates, ind)


def scenario_of_link(link: LinkState) -> Scenario:
    """A decoded share link as a scenario (its release is the link's ``d``: see
    :func:`model.data.release_of_link`)."""
    return Scenario(levers=dict(link.levers), kommun=link.kommun, national_policy=link.policy,
                    horizon=link.horizon, target=link.target, id="link")


def scenario_of_submission(kommun: str, levers: dict[str, float], policy: str = "current_law",
                           horizon: int = 2030) -> Scenario:
    """A workshop submission's levers as a scenario (levers it leaves out stay at "no new measures")."""
    return Scenario(levers=dict(levers), kommun=kommun, national_policy=policy, horizon=horizon, id="workshop")
