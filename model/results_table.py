"""One canonical long table of scenario results, in the spirit of pyam's IAMC frame.

Every consumer pivots from :func:`long_table` instead of reading ``ScenarioResult`` arrays its own
way: the CLI's table and IAMC CSV, the spreadsheet exports and the charts. Columns:

``kommun``   kommun code ("0381")
``scenario`` the caller's name for the result ("klimatkontrakt", "baseline")
``variable`` a language-neutral id (below)
``unit``     :data:`UNIT_T` or :data:`REMOVAL_UNIT_T`
``year``     calendar year (int)
``value``    tonnes per year (float)
``source``   :data:`MEASURED` for SMHI's inventory (history years and the first model year, which equals
             the inventory), :data:`MODELLED` for the projection

Variables: ``sector|<SMHI sector>`` (the nine sectors of :data:`model.data.SECTORS`), ``gross``,
``removals``, ``net`` (gross − removals), ``baseline_gross`` (no new measures) and
``removal|<lever id>`` (each removal lever). History years before the first model year carry the
sectors and ``gross`` only (SMHI reports no removals or baseline).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from model.data import SECTORS
from model.run import ScenarioResult

COLUMNS = ("kommun", "scenario", "variable", "unit", "year", "value", "source")
UNIT_T, REMOVAL_UNIT_T = "t CO2e/yr", "t CO2/yr"
MEASURED, MODELLED = "measured", "modelled"
SECTOR_PREFIX, REMOVAL_PREFIX = "sector|", "removal|"
TOTALS = ("gross", "removals", "net", "baseline_gross")


def sector_variable(sector: str) -> str:
    """The variable id of an SMHI sector ("sector|Transporter")."""
    return SECTOR_PREFIX + sector


def _columns(scenario: str, res: ScenarioResult, history: bool) -> dict[str, np.ndarray]:
    """One result's rows as columns, built with numpy (this runs on every new slider value)."""
    years = res.years.astype(int)
    first = int(years[0])
    sectors = np.array([sector_variable(s) for s in SECTORS], dtype=object)
    var, unit, year, value, src = [], [], [], [], []
    if history:
        old = sorted(y for y in res.history if y < first)
        if old:
            h = np.stack([np.asarray(res.history[y], dtype=float) for y in old])  # (H, 9)
            # Python's left-to-right sum, as SMHI's totals are added (numpy's sum differs in the last bit).
            gross = np.array([sum(float(v) for v in row) for row in h])
            block = np.column_stack([h, gross])  # sectors then gross, per year
            names = np.append(sectors, "gross")
            var.append(np.tile(names, len(old)))
            unit.append(np.full(block.size, UNIT_T, dtype=object))
            year.append(np.repeat(old, len(names)))
            value.append(block.ravel())
            src.append(np.full(block.size, MEASURED, dtype=object))
    removal_ids = sorted(res.removals_by_lever)
    names = np.concatenate([sectors, np.array(TOTALS, dtype=object),
                            np.array([REMOVAL_PREFIX + lid for lid in removal_ids], dtype=object)])
    units = np.array([UNIT_T] * len(SECTORS) + [REMOVAL_UNIT_T if n == "removals" else UNIT_T for n in TOTALS]
                     + [REMOVAL_UNIT_T] * len(removal_ids), dtype=object)
    series = [res.by_sector, np.vstack([res.gross, res.removals, res.net, res.baseline_gross])]
    series += [np.vstack([res.removals_by_lever[lid] for lid in removal_ids])] if removal_ids else []
    block = np.vstack(series).T  # (T, variables)
    var.append(np.tile(names, len(years)))
    unit.append(np.tile(units, len(years)))
    year.append(np.repeat(years, len(names)))
    value.append(block.ravel())
    measured = np.isin(years, list(res.history))
    src.append(np.repeat(np.where(measured, MEASURED, MODELLED).astype(object), len(names)))
    n = sum(len(v) for v in var)
    return {"kommun": np.full(n, res.kommun.code, dtype=object), "scenario": np.full(n, scenario, dtype=object),
            "variable": np.concatenate(var), "unit": np.concatenate(unit),
            "year": np.concatenate(year).astype(int), "value": np.concatenate(value).astype(float),
            "source": np.concatenate(src)}


def long_table(results: Iterable[tuple[str, ScenarioResult]], *, history: bool = True) -> pd.DataFrame:
    """The canonical long table of named results (see the module docstring for the columns).

    Parameters
    ----------
    results : iterable of (str, ScenarioResult)
        Scenario name and a deterministic run.
    history : bool, default True
        Include SMHI's inventory years before the first model year.

    Returns
    -------
    pandas.DataFrame
        One row per (kommun, scenario, variable, year); values in t per year, unrounded.
    """
    parts = [_columns(name, res, history) for name, res in results]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=int if c == "year" else float if c == "value" else object)
                             for c in COLUMNS})
    return pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in COLUMNS})


def wide(table: pd.DataFrame, variables: Iterable[str]) -> pd.DataFrame:
    """Years as rows and the given variables as columns (NaN where a year lacks one), for one scenario.

    Raises
    ------
    ValueError
        When ``table`` holds more than one kommun or scenario.
    """
    if table[["kommun", "scenario"]].drop_duplicates().shape[0] > 1:
        raise ValueError("wide() needs one kommun and scenario; filter the table first")
    cols = list(variables)
    out = table[table["variable"].isin(cols)].pivot(index="year", columns="variable", values="value")
    return out.reindex(columns=cols).sort_index()


def chart_columns(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """The columns of an emissions chart by sector, pivoted from one scenario's long table.

    Numpy masks, not pandas filters: the Scenario page calls this whenever a slider reaches a new
    value (with :func:`long_table`, about 1 ms for a run to 2045 on a 2-core machine).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`long_table` of one kommun and scenario, with history.

    Returns
    -------
    dict
        ``history``: [year, sector, tonnes] of SMHI's inventory (every inventory year, the first
        model year included); ``scenario``: [year, sector, tonnes] from the first model year, the
        removals as sector "Upptag" (t CO2 per year, positive); ``baseline`` and ``net``:
        [year, tonnes]. Tonnes are t CO2e per year; columns are numpy arrays or lists.
    """
    var = table["variable"].to_numpy(dtype=str)
    year = table["year"].to_numpy()
    value = table["value"].to_numpy()
    measured = table["source"].to_numpy(dtype=str) == MEASURED
    is_sector = np.char.startswith(var, SECTOR_PREFIX)
    # The first model year is the first with a net value (history rows carry sectors and gross only).
    first = int(year[var == "net"].min())
    model_year = year >= first
    hist = is_sector & measured
    scen = (is_sector | (var == "removals")) & model_year
    sector = np.where(var == "removals", "Upptag", np.char.replace(var, SECTOR_PREFIX, ""))

    def series(name: str) -> dict[str, Any]:
        keep = (var == name) & model_year
        return {"year": year[keep], "tonnes": value[keep]}

    return {"history": {"year": year[hist], "sector": sector[hist].tolist(), "tonnes": value[hist]},
            "scenario": {"year": year[scen], "sector": sector[scen].tolist(), "tonnes": value[scen]},
            "baseline": series("baseline_gross"), "net": series("net")}
