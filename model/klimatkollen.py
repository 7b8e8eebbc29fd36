"""Reproduce Klimatkollen's municipal trend and Carbon Law figures.

Follows ``kpis/emissions/`` of Klimatbyran/territorial-data-pipeline at commit
758ceb0e4edde27831a2db0ce1bc6d5b2a51dd2b ("2026 data"): ``trend_calculations.py``,
``emission_data_calculations.py`` and ``carbon_law_calculations.py``. All
emissions are territorial GHG totals in tonnes CO2e per year (SMHI, no LULUCF).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.linalg import pinv
from scipy.optimize import linprog

# Pinned instead of datetime.now() (which the pipeline uses) so that results are
# reproducible and equal to the published 2026 figures.
KLIMATKOLLEN_CURRENT_YEAR: int = 2026
CARBON_LAW_RATE: float = 0.1172
CARBON_LAW_END_YEAR: int = 2050
TREND_FIT_FROM_YEAR: int = 2015
"""Inventory years before this are ignored by the trend fit and are the CAGR base year."""

_YEAR_SECONDS = 60 * 60 * 24 * 365  # the pipeline's 365-day year, leap days ignored


@dataclass(frozen=True)
class KlimatkollenFigures:
    """Klimatkollen's published figures for one kommun.

    Attributes
    ----------
    years_fit : tuple of int
        Inventory years used in the LAD fit.
    slope_t_per_year : float
        LAD slope, t CO2e per year (``emissionsSlope``).
    approximated : dict of int to float
        ``approximatedHistoricalEmission``: last inventory year .. current year, t CO2e.
    trend : dict of int to float
        ``trend``: current year .. 2050, t CO2e, floored at 0.
    carbon_law : dict of int to float
        Carbon Law path: current year .. 2050, t CO2e.
    total_trend_t : float
        ``totalTrend``: sum of ``trend``, t CO2e.
    total_carbon_law_t : float
        ``totalCarbonLaw``: sum of ``carbon_law``, t CO2e.
    net_zero_date : datetime.date or None
        ``hitNetZero``: where the anchored trend line reaches 0; None if slope >= 0.
    historical_change_pct_per_year : float
        ``historicalEmissionChangePercent``: CAGR 2015 -> last inventory year, % per year.
    """

    years_fit: tuple[int, ...]
    slope_t_per_year: float
    approximated: dict[int, float]
    trend: dict[int, float]
    carbon_law: dict[int, float]
    total_trend_t: float
    total_carbon_law_t: float
    net_zero_date: datetime.date | None
    historical_change_pct_per_year: float


def _lad_linprog(design: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Exact LAD minimiser (a vertex) and minimal sum of absolute residuals."""
    n, k = design.shape
    # Split each residual into positive and negative parts: y = X b + u - v.
    cost = np.r_[np.zeros(k), np.ones(2 * n)]
    a_eq = np.hstack([design, np.eye(n), -np.eye(n)])
    bounds = [(None, None)] * k + [(0, None)] * (2 * n)
    res = linprog(cost, A_eq=a_eq, b_eq=y, bounds=bounds, method="highs")
    if not res.success:
        raise RuntimeError(f"LAD linear programme failed: {res.message}")
    return res.x[:k], float(res.fun)


def _statsmodels_irls(design: np.ndarray, y: np.ndarray, q: float = 0.5) -> np.ndarray:
    """Replica of ``statsmodels QuantReg.fit`` (IRLS, default max_iter/p_tol).

    Needed only to break ties the way Klimatkollen's statsmodels call does: when
    the LAD minimiser is not unique, IRLS stops at one particular point inside
    the optimal set (often the OLS solution), not at a vertex.
    """
    beta = np.ones(design.shape[1])
    xstar = design
    history: list[np.ndarray] = []
    for n_iter in range(1, 1001):
        beta0 = beta
        beta = pinv(xstar.T @ design) @ (xstar.T @ y)
        resid = y - design @ beta
        mask = np.abs(resid) < 1e-6
        resid[mask] = ((resid[mask] >= 0) * 2 - 1) * 1e-6
        resid = np.abs(np.where(resid < 0, q * resid, (1 - q) * resid))
        xstar = design / resid[:, np.newaxis]
        history.append(beta)
        if np.max(np.abs(beta - beta0)) <= 1e-6:
            break
        if n_iter >= 300 and n_iter % 100 == 0 and any(np.all(beta == history[-ii]) for ii in range(2, 10)):
            break
    return beta


def lad_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-absolute-deviations straight line, as statsmodels QuantReg(q=0.5).

    Parameters
    ----------
    x : numpy.ndarray
        Regressor, e.g. years (centre them for numerical stability).
    y : numpy.ndarray
        Response, e.g. emissions in t CO2e.

    Returns
    -------
    tuple of float
        ``(intercept, slope)``; slope in units of y per unit of x.

    Notes
    -----
    ``linprog`` gives the exact minimum of sum |y - a - b x|. The statsmodels
    IRLS replica is returned whenever it attains that minimum (relative gap
    < 1e-7), so ties among several minimisers are broken exactly as
    Klimatkollen's pipeline breaks them; otherwise the exact LP vertex is used.
    For Klimatkollen's fit years (x = -9, -4..0) the minimiser is always unique
    (every signed sum of x_k - x_i is odd), so ties only arise for other years.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(np.unique(x)) < 2:
        raise ValueError("need 1-D x and y of equal length with >= 2 distinct x")
    design = np.column_stack([np.ones_like(x), x])
    beta_lp, best = _lad_linprog(design, y)
    beta_irls = _statsmodels_irls(design, y.copy())
    beta = beta_irls if np.abs(y - design @ beta_irls).sum() <= best + 1e-07 * max(best, 1.0) else beta_lp
    return float(beta[0]), float(beta[1])


def carbon_law_path(
    start_value_t: float,
    start_year: int,
    end_year: int = CARBON_LAW_END_YEAR,
    rate: float = CARBON_LAW_RATE,
) -> np.ndarray:
    """Carbon Law path: emissions fall by ``rate`` per year from ``start_year``.

    Parameters
    ----------
    start_value_t : float
        Emissions in ``start_year``, t CO2e.
    start_year, end_year : int
        Inclusive year range.
    rate : float
        Annual relative reduction (0.1172 = 11.72 % per year).

    Returns
    -------
    numpy.ndarray
        t CO2e for each year ``start_year .. end_year``.
    """
    values = [float(start_value_t)]
    # Repeated multiplication (not a power) so floats match the pipeline's loop.
    for _ in range(start_year + 1, end_year + 1):
        values.append(max(0.0, values[-1] * (1 - rate)))
    return np.array(values)


def _hit_net_zero(slope: float, value_t: float, year: int) -> datetime.date | None:
    """Date the line ``value_t + slope * (t - year)`` crosses zero, pipeline style."""
    if not slope < 0:
        return None
    t_cross = year - value_t / slope
    whole_year = int(t_cross)
    if whole_year > datetime.MAXYEAR:  # the pipeline would crash; no meaningful date
        return None
    seconds = int((t_cross - whole_year) * _YEAR_SECONDS)
    return (datetime.datetime(whole_year, 1, 1) + datetime.timedelta(seconds=seconds)).date()


def klimatkollen_figures(
    years: Sequence[int],
    totals_t: Sequence[float],
    *,
    current_year: int = KLIMATKOLLEN_CURRENT_YEAR,
    end_year: int = CARBON_LAW_END_YEAR,
) -> KlimatkollenFigures:
    """Klimatkollen's trend, Carbon Law and CAGR figures for one kommun.

    Parameters
    ----------
    years : sequence of int
        All inventory years available (any order).
    totals_t : sequence of float
        Total territorial emissions in those years, t CO2e.
    current_year : int
        Year the approximation runs to and the projections start from.
    end_year : int
        Last projection year.

    Returns
    -------
    KlimatkollenFigures
    """
    order = np.argsort(np.asarray(years))
    yrs = np.asarray(years, dtype=int)[order]
    vals = np.asarray(totals_t, dtype=float)[order]
    fit = yrs >= TREND_FIT_FROM_YEAR
    fit_years, fit_vals = yrs[fit], vals[fit]
    last_year, last_value = int(fit_years[-1]), float(fit_vals[-1])

    # Years are centred on the last inventory year, as in the pipeline.
    _, slope = lad_fit(fit_years - last_year, fit_vals)

    # The LAD line is shifted to pass through the last inventory value, so
    # only its slope matters; Klimatkollen floors approximations and trend at 0.
    def anchored(year: int) -> float:
        return max(0.0, last_value + slope * (year - last_year))

    approximated = {y: anchored(y) for y in range(last_year, current_year + 1)}
    trend = {y: anchored(y) for y in range(current_year, end_year + 1)}
    start = approximated.get(current_year, anchored(current_year))
    law = carbon_law_path(start, current_year, end_year)
    carbon_law = dict(zip(range(current_year, end_year + 1), map(float, law), strict=False))

    base = vals[yrs == TREND_FIT_FROM_YEAR]
    span = last_year - TREND_FIT_FROM_YEAR
    cagr = 100.0 * ((last_value / float(base[0])) ** (1.0 / span) - 1.0) if base.size and span > 0 else float("nan")

    return KlimatkollenFigures(
        years_fit=tuple(int(y) for y in fit_years),
        slope_t_per_year=slope,
        approximated=approximated,
        trend=trend,
        carbon_law=carbon_law,
        total_trend_t=float(sum(trend.values())),
        total_carbon_law_t=float(sum(carbon_law.values())),
        # The pipeline evaluates hitNetZero from the last SMHI year and value,
        # not from the (possibly floored) current-year approximation.
        net_zero_date=_hit_net_zero(slope, last_value, last_year),
        historical_change_pct_per_year=cagr,
    )
