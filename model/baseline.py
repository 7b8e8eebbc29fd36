"""Kommun context and the "no new measures" baseline.

The baseline for stream *s* in year *t* (from the last inventory year ``t0``) is

    B[s, t] = E0[s] * D[s, t] * F[s, t] * V[s, t]

* ``E0`` -- the SMHI inventory of the sector in ``t0``, split into streams by
  the kommun's own SMHI sub-sector shares (2021 release, 2019 values: the only
  sub-sector data available, so 2019 shares are applied to the latest release).
  A sector with no sub-sector emissions in 2019 takes Sweden's 2019 split.
* ``D`` -- activity driver: population growth (SCB, compound rate 2020→2025)
  for population-driven streams; the sector's own log-linear trend over the
  release's trend years (:func:`trend_years`: 2015 and every year from 2020 the
  release holds, 2015 and 2020–2024 for the latest), clipped, for trend streams;
  1 for flat streams.
* ``F`` -- national fuel policy: the fossil share of petrol and diesel under the
  chosen reduktionsplikt path, relative to ``t0`` (:func:`model.transport_facts.fossil_index`).
* ``V`` -- vehicle fleet turnover at today's sales shares of electric vehicles
  (stock levers at their "no new measures" position; the kommun's vehicle facts come from
  :func:`model.transport_facts.kommun_facts`).

``B[s, t0] == E0[s]`` exactly, so the baseline starts at the inventory.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from model.data import SECTORS, Dataset, Kommun, ModelInputError, load_dataset
from model.ranges import basis_value, floor_to_grid
from model.registry import HORIZONS, Lever, load_registry
from model.subsectors import share_of, subsector_split
from model.transport_facts import fossil_index, kommun_facts

__all__ = ["KommunContext", "build_context", "fleet_path", "ramp",
           "trend_years"]

#: The trend's anchor year before the recent years (the year SMHI's series turns yearly in the
#: latest release) and the first of the recent years; which recent years exist comes from the release.
TREND_ANCHOR_YEAR = 2015
TREND_RECENT_FROM = 2020
POP_GROWTH_YEARS = (2020, 2025)


@dataclass(frozen=True, eq=False)
class KommunContext:
    """Everything the engine needs for one kommun, policy and horizon.

    Attributes
    ----------
    years : numpy.ndarray
        Model years ``t0 .. horizon`` (T,).
    e0 : numpy.ndarray
        Base-year emissions per stream (S,), t CO2e.
    stream_sector : numpy.ndarray
        Sector index of each stream (S,).
    growth : numpy.ndarray
        Annual growth rate of each stream's activity driver (S,), fraction per year.
    fixed_index : numpy.ndarray
        Policy and baseline fleet index F*V (S, T), dimensionless.
    nnm, default : numpy.ndarray
        Per-lever "no new measures" and default positions (L,), lever units.
    fleet : dict
        Per stock lever: (initial fleet share, turnover, electric-km fraction).
    facts : dict
        Named kommun-specific inputs with their provenance, for display.
    subsector_basis : dict
        SMHI sector -> "kommun" (the kommun's own 2019 sub-sector shares split it) or
        "national" (no sub-sector emissions for the kommun in 2019: Sweden's split is used).
        Only sectors that are split into several streams are listed.
    lever_max : numpy.ndarray
        Per-lever highest position the kommun can reach (L,), lever units, from each
        lever's range rules (the lowest; its absolute ``max`` where it has none).
    release : str
        Id of the SMHI release the context was built on (``"smhi-2024"``); history and
        targets of a run on this context come from the same release.
    """

    kommun: Kommun
    policy: str
    years: np.ndarray
    e0: np.ndarray
    stream_sector: np.ndarray
    growth: np.ndarray
    fixed_index: np.ndarray
    nnm: np.ndarray
    default: np.ndarray
    fleet: dict[str, tuple[float, float, float]]
    facts: dict[str, tuple[float, str]]
    subsector_basis: dict[str, str]
    lever_max: np.ndarray
    release: str = ""


def trend_years(inventory_years: tuple[int, ...], release: str = "") -> tuple[int, ...]:
    """The inventory years the sector trends are fitted over.

    2015 (when the release has it) and every year from 2020 on that the release holds: 2015 and
    2020–2024 for smhi-2024, 2015 and 2020–2023 for smhi-2023. The years 2016–2019 that an older
    release also holds are left out so that every release fits the same kind of window.

    Parameters
    ----------
    inventory_years : tuple of int
        The release's inventory years.
    release : str
        Release id, named in the error.

    Raises
    ------
    ModelInputError
        ``model.release_too_old`` when the release holds no year from 2020 on: a trend
        over 2015 alone is not a trend, and reaching back to other years would fit another
        window than every other release, so such a release is refused rather than guessed at.
    """
    recent = tuple(int(y) for y in inventory_years if y >= TREND_RECENT_FROM)
    if not recent:
        raise ModelInputError(
            "model.release_too_old",
            f"release {release or '?'} has no inventory year from {TREND_RECENT_FROM} on "
            f"(last year {max(inventory_years, default='?')}); the model needs one for its trends",
            release=release, last_year=max(inventory_years, default=None), first=TREND_RECENT_FROM)
    anchor = (TREND_ANCHOR_YEAR,) if TREND_ANCHOR_YEAR in inventory_years else ()
    return anchor + recent



def ramp(years: np.ndarray, shape: str, start: int, full: int) -> np.ndarray:
    """Fraction of a lever's effect in each year, 0..1.

    Parameters
    ----------
    years : numpy.ndarray
        Years (T,).
    shape : {"linear", "stock", "logistic", "step"}
        Ramp shape; "stock" ramps the sales share linearly.
    start, full : int
        Last year with no effect and first year with full effect.
    """
    t = years.astype(float)
    if shape == "step" or full <= start:
        return (t >= full).astype(float)
    lin = np.clip((t - start) / (full - start), 0.0, 1.0)
    if shape in ("linear", "stock"):
        return lin
    # Logistic normalised to hit exactly 0 at start and 1 at full.
    k = 10.0 / (full - start)
    mid = (start + full) / 2.0
    sig = 1.0 / (1.0 + np.exp(-k * (t - mid)))
    s0, s1 = 1.0 / (1.0 + np.exp(k * (mid - start))), 1.0 / (1.0 + np.exp(-k * (full - mid)))
    return np.where(t <= start, 0.0, np.where(t >= full, 1.0, (sig - s0) / (s1 - s0)))


def fleet_path(years: np.ndarray, start_share: float, sales_now: float, sales_target: float,
               turnover: float, lever: Lever) -> np.ndarray:
    """Fleet share of electric vehicles per year under a stock-turnover model.

    ``start_share`` is the fleet share in the first model year; sales ramp
    linearly from ``sales_now`` to ``sales_target`` (fractions).
    """
    r = ramp(years, "stock", lever.ramp.start, lever.ramp.full)
    sales = sales_now + (sales_target - sales_now) * r
    out = np.empty(len(years))
    out[0] = start_share
    for i in range(1, len(years)):
        out[i] = out[i - 1] * (1.0 - turnover) + sales[i] * turnover
    return out


def _trend_growth(series: dict[int, float], years: tuple[int, ...], lo: float, hi: float) -> float:
    ys = np.array([series[y] for y in years])
    if (ys <= 0).any():
        return 0.0
    slope = np.polyfit(np.array(years, float), np.log(ys), 1)[0]
    return float(np.clip(np.expm1(slope), lo, hi))


def _fact_or(facts: dict[str, tuple[float, str]], spec: float | str | None, fallback: float | None) -> float:
    """A lever field that is a number or "data:<fact>" (the fallback when the kommun lacks the fact)."""
    if isinstance(spec, str):
        return float(facts[spec[5:]][0]) if spec[5:] in facts else float(fallback or 0.0)
    return float(spec if spec is not None else (fallback or 0.0))


def build_context(code: str, policy: str = "current_law", horizon: int = 2030,
                  release: str | None = None) -> KommunContext:
    """Assemble the baseline inputs for one kommun (cached).

    Parameters
    ----------
    code : str
        SCB kommun code, e.g. "0381".
    policy : str
        National fuel-policy scenario id (see the registry's ``[policy.*]`` tables).
    horizon : int
        Last model year, 2030 or 2045.
    release : str, optional
        SMHI release id (:func:`model.data.load_dataset`); the latest when None. The 2019
        sub-sector shares are the same for every release.

    Raises
    ------
    ModelInputError
        ``model.bad_horizon``, ``model.bad_policy`` or ``model.release_too_old`` (see
        :func:`trend_years`); an unknown release raises :class:`model.csvio.DataValidationError`.
    """
    # The release is part of the cache key, resolved to its id: None and the latest release's id
    # give the same context object (the engine caches baselines on its identity).
    return _build_context(code, policy, horizon, load_dataset(release=release).release)


@lru_cache(maxsize=256)
def _build_context(code: str, policy: str, horizon: int, release: str) -> KommunContext:
    ds: Dataset = load_dataset(release=release)
    reg = load_registry()
    if horizon not in HORIZONS:
        raise ModelInputError("model.bad_horizon", f"horizon {horizon!r} not in {HORIZONS}",
                              value=horizon, allowed=", ".join(map(str, HORIZONS)))
    if policy not in reg.policies:
        raise ModelInputError("model.bad_policy", f"policy {policy!r} not in {tuple(reg.policies)}",
                              value=str(policy)[:40], allowed=", ".join(reg.policies))
    fit_years = trend_years(ds.inventory_years, ds.release)
    k = ds.kommuner[ds.index_of(code)]
    inv = ds.emissions[ds.index_of(code)]
    t0 = ds.last_year
    years = np.arange(t0, horizon + 1)
    facts = kommun_facts(code, reg)
    pop = {int(str(y)): float(v) for y, v in ds.population.loc[code].to_dict().items()}
    p0, p1 = (pop[y] for y in POP_GROWTH_YEARS)
    g_pop = (p1 / p0) ** (1 / (POP_GROWTH_YEARS[1] - POP_GROWTH_YEARS[0])) - 1
    facts["population_growth"] = (g_pop, "SCB folkmängd 2020 och 2025, årlig förändring (beräknad)")
    last_pop_year = int(max(ds.population.columns))
    facts["population"] = (pop[last_pop_year], f"SCB folkmängd 31 december {last_pop_year}")
    lo, hi = reg.param("trend_clip_low"), reg.param("trend_clip_high")
    shares, split_basis = subsector_split(code)
    split_sectors = {st.sector for st in reg.streams if st.share != "all"}

    e0, sector_of, growth, fixed = [], [], [], []
    dw = facts["car_diesel_weight"][0]
    for st in reg.streams:
        si = SECTORS.index(st.sector)
        share = share_of(st.sector, st.share, shares)
        if share is None:  # "rest" = what the sector's other streams leave
            share = 1.0 - sum(share_of(o.sector, o.share, shares) or 0.0 for o in reg.streams
                              if o.sector == st.sector and o.share != "rest")
        e0.append(inv[-1, si] * share)
        sector_of.append(si)
        if st.driver == "population":
            growth.append(g_pop)
        elif st.driver == "trend":
            growth.append(_trend_growth(dict(zip(ds.inventory_years, inv[:, si], strict=False)), fit_years, lo, hi))
        else:
            growth.append(0.0)
        fixed.append(fossil_index(reg, policy, st.fuel, years, dw))
    fixed_arr = np.array(fixed)

    nnm, default, fleet, lever_max = [], [], {}, []
    sid = {s: i for i, s in enumerate(reg.stream_ids)}
    e0_stream = dict(zip(reg.stream_ids, e0, strict=False))
    for lv in reg.levers:
        v0 = _fact_or(facts, lv.nnm, lv.nnm_fallback)
        # Snap to the slider grid so the baseline position is reachable (54.8 % -> 55 %).
        v0 = float(np.clip(lv.min + round((v0 - lv.min) / lv.step) * lv.step, lv.min, lv.max))
        nnm.append(v0)
        default.append(v0 if lv.default == "nnm" else float(lv.default))
        cap = min((r.factor * basis_value(r.basis, inv[-1], e0_stream, facts["population"][0])
                   / float(lv.t_per_unit or 1.0) for r in lv.range_rules), default=lv.max)
        lever_max.append(max(floor_to_grid(lv, cap), v0))
        if lv.kind != "stock":
            continue
        n = reg.param(lv.turnover) if isinstance(lv.turnover, str) else float(lv.turnover or 0.0)
        e_km = _fact_or(facts, lv.electric_km_share, 1.0)
        f_end2025 = _fact_or(facts, lv.initial_fleet_share, lv.initial_fleet_fallback)
        # Data describe the end of 2025; back-cast one year of turnover to the base year.
        f0 = max((f_end2025 - n * v0 / 100.0) / (1 - n), 0.0)
        fleet[lv.id] = (f0, n, e_km)
        base = 1.0 - e_km * fleet_path(years, f0, v0 / 100, v0 / 100, n, lv)
        for s in lv.streams:
            fixed_arr[sid[s]] *= base / base[0]
    basis = {sec: split_basis.get(sec, "national") for sec in SECTORS if sec in split_sectors}
    return KommunContext(k, policy, years, np.array(e0), np.array(sector_of), np.array(growth),
                         fixed_arr, np.array(nnm), np.array(default), fleet, facts, basis, np.array(lever_max),
                         ds.release)
