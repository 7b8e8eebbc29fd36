"""When a scenario meets its target: the yearly criterion, the year it is reached, the year judged.

Pure model code on :class:`model.run.ScenarioResult` and :class:`model.targets.TargetVerdict`
(no UI): the Scenario page, the brief, Jämför and the workshop ask these functions and only
format the answers.
"""
from __future__ import annotations

import numpy as np

from model.run import ScenarioResult
from model.target_defs import PATH_TARGETS, sector_index
from model.targets import TargetVerdict


def focus_year(result: ScenarioResult, verdict: TargetVerdict) -> int:
    """The year the figures describe.

    Parameters
    ----------
    result : ScenarioResult
    verdict : TargetVerdict
        One of ``result.targets``.

    Returns
    -------
    int
        The target year if it is a model year, else the horizon's last year.
    """
    years = result.years.tolist()
    return int(verdict.year) if verdict.year in years else int(years[-1])


def criterion(result: ScenarioResult, target_id: str) -> tuple[np.ndarray, np.ndarray]:
    """Model years and whether the target's yearly criterion holds in each.

    Parameters
    ----------
    result : ScenarioResult
    target_id : str

    Returns
    -------
    years, ok : numpy.ndarray
        Neutrality: gross at most the allowed level and net <= 0 (a gross limit: the first
        condition only); transport: the sector at most its allowed level; path targets:
        gross at most the path (path years only).
    """
    v = result.target(target_id)
    if target_id in PATH_TARGETS:
        keep = np.array([int(y) in v.path for y in result.years])
        years = result.years[keep]
        path = np.array([v.path[int(y)] for y in years])
        return years, result.gross[keep] <= path + 1e-6
    if v.allowed_t is None:  # no level to compare with: the criterion never holds
        return result.years, np.zeros(len(result.years), dtype=bool)
    if (si := sector_index(target_id)) is not None:
        return result.years, result.by_sector[si] <= float(v.allowed_t) + 1e-6
    gross_ok = result.gross <= float(v.allowed_t) + 1e-6
    return result.years, (gross_ok & (result.net <= 1e-6)) if v.details.get("net_zero", True) else gross_ok


def year_reached(result: ScenarioResult, target_id: str) -> int | None:
    """First model year from which the target's criterion holds in every later model year.

    Unlike ``TargetVerdict.year_met`` (the first year it holds at all), a scenario that
    dips below a path and rises above it again does not count as having reached it.

    Parameters
    ----------
    result : ScenarioResult
    target_id : str

    Returns
    -------
    int or None
        None when the criterion does not hold in the last model year.
    """
    years, ok = criterion(result, target_id)
    if not len(ok) or not ok[-1]:
        return None
    bad = np.flatnonzero(~ok)
    return int(years[bad[-1] + 1]) if len(bad) else int(years[0])
