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


def _rows(scenario: str, res: ScenarioResult, history: bool) -> list[tuple[str, str, str, str, int, float, str]]:
    code = res.kommun.code
    out: list[tuple[str, str, str, str, int, float, str]] = []
    years = [int(y) for y in res.years]
    first = years[0]
    if history:
        for year in sorted(res.history):
            if year >= first:
                continue
            values = [float(v) for v in res.history[year]]
            out += [(code, scenario, sector_variable(s), UNIT_T, year, v, MEASURED)
                    for s, v in zip(SECTORS, values, strict=True)]
            out.append((code, scenario, "gross", UNIT_T, year, sum(values), MEASURED))
    totals = {"gross": res.gross, "removals": res.removals, "net": res.net, "baseline_gross": res.baseline_gross}
    for j, year in enumerate(years):
        src = MEASURED if year in res.history else MODELLED
        out += [(code, scenario, sector_variable(s), UNIT_T, year, float(res.by_sector[i, j]), src)
                for i, s in enumerate(SECTORS)]
        out += [(code, scenario, name, REMOVAL_UNIT_T if name == "removals" else UNIT_T, year,
                 float(series[j]), src) for name, series in totals.items()]
        out += [(code, scenario, REMOVAL_PREFIX + lid, REMOVAL_UNIT_T, year, float(series[j]), src)
                for lid, series in sorted(res.removals_by_lever.items())]
    return out


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
    rows = [row for name, res in results for row in _rows(name, res, history)]
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df["year"] = df["year"].astype(int)
    df["value"] = df["value"].astype(float)
    return df


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
    value (about 0.2 ms for 2045).

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
