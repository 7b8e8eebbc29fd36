"""IAMC long-format CSV (the CLI's ``run --format csv``): names, hierarchy and units of the IAMC
common definitions, so pyam and other scenario tools read and aggregate it correctly.

Variable names are those of the IAMC common definitions (github.com/IAMconsortium/common-definitions,
``definitions/variable/emissions/emissions.yaml`` and ``carbon-removal.yaml``, read at commit d877b5f,
June 2026), with ``{Level-n Species}`` = ``Kyoto Gases`` and the tag values named below. Only the
names are used; every value is the model's.

Hierarchy written (each parent is exactly the sum of its children, as pyam's ``check_aggregate``
expects)::

    Emissions|Kyoto Gases                                 gross, all 9 SMHI sectors
      |AFOLU                                              agriculture only: SMHI's kommun inventory
        |AFOLU|Agriculture                                 excludes land use (LULUCF)
      |Energy
        |Energy|Supply
        |Energy|Demand
          |Transportation, |Residential and Commercial, |Industry, |Other Sector, |Bunkers
      |Product Use
      |Waste
    Carbon Removal                                        the removal levers, never inside a sector
      |Geological Storage |Geological Storage|Biomass
      |Land Use |Land Use|Biochar |Land Use|Other

``Emissions|Kyoto Gases`` is the gross total (removals are reported as ``Carbon Removal`` only);
net = ``Emissions|Kyoto Gases`` - ``Carbon Removal``. The "no new measures" baseline is its own
scenario. Units: kt CO2-equiv/yr and kt CO2/yr (the model works in t; values are divided by 1 000).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from model.data import SECTORS
from model.registry import load_registry
from model.results_table import REMOVAL_PREFIX, long_table, sector_variable, wide
from model.run import MODEL_VERSION, ScenarioResult

SOURCE = ("IAMC common definitions, github.com/IAMconsortium/common-definitions, "
          "definitions/variable/emissions/{emissions,carbon-removal}.yaml (commit d877b5f, 2026-06-24)")
TOTAL = "Emissions|Kyoto Gases"
REMOVAL_TOTAL = "Carbon Removal"
UNIT = "kt CO2-equiv/yr"
REMOVAL_UNIT = "kt CO2/yr"
BASELINE_SCENARIO = "baseline"
HEADER = ("model", "scenario", "region", "variable", "unit", "year", "value")

#: SMHI main sector -> closest IAMC variable (IPCC categories as in the IAMC descriptions).
SECTOR_VARIABLES: dict[str, str] = {
    # Domestic transport, IPCC 1A3, including domestic aviation, as SMHI's sector.
    "Transporter": f"{TOTAL}|Energy|Demand|Transportation",
    # Enteric fermentation, manure, agricultural soils (IPCC 3A-3D); no land use, which SMHI leaves out.
    "Jordbruk": f"{TOTAL}|AFOLU|Agriculture",
    # Off-road machinery in construction, farming, forestry, industry and households: spans several
    # IPCC 1A2/1A4 demand sectors, so the generic "other sectors" of fuel combustion.
    "Arbetsmaskiner": f"{TOTAL}|Energy|Demand|Other Sector",
    # Solvents and other product use (IPCC 2D-2G).
    "Produktanvändning (inkl. lösningsmedel)": f"{TOTAL}|Product Use",
    # Landfill, biological treatment and waste water (IPCC 5).
    "Avfall (inkl.avlopp)": f"{TOTAL}|Waste",
    # Own heating of dwellings and premises (IPCC 1A4a, 1A4b).
    "Egen uppvärmning av bostäder och lokaler": f"{TOTAL}|Energy|Demand|Residential and Commercial",
    # Electricity and district-heat production (IPCC 1A1a), part of energy supply.
    "El och fjärrvärme": f"{TOTAL}|Energy|Supply",
    # SMHI's sector holds industrial combustion (IPCC 1A2) and process emissions (IPCC 2) together and
    # does not split them by kommun; IAMC keeps processes under "Industrial Processes". Reported here
    # as industrial energy demand, the closer of the two for a sector SMHI names "energi + processer".
    "Industri (energi + processer)": f"{TOTAL}|Energy|Demand|Industry",
    # International transport = international bunker fuels (IPCC 1A3ai, 1A3di).
    "Utrikes transporter": f"{TOTAL}|Energy|Demand|Bunkers",
}

#: Removal lever -> IAMC carbon-removal variable, from each removal lever's ``iamc_removal`` in registry.toml.
REMOVAL_VARIABLES: dict[str, str] = {lv.id: f"{REMOVAL_TOTAL}|{lv.iamc_removal}" for lv in load_registry().levers
                                     if lv.kind == "removal" and lv.iamc_removal}


def _with_parents(leaves: dict[str, list[float]], root: str) -> dict[str, list[float]]:
    """Leaves plus every parent up to ``root``, each the sum of the leaves below it."""
    out: dict[str, list[float]] = {}
    n = len(next(iter(leaves.values())))
    for var, series in leaves.items():
        parts = var.split("|")
        for depth in range(len(root.split("|")), len(parts) + 1):
            node = "|".join(parts[:depth])
            acc = out.setdefault(node, [0.0] * n)
            for i, v in enumerate(series):
                acc[i] += v
    return out


def variables(res: ScenarioResult) -> dict[str, tuple[str, list[float]]]:
    """Variable -> (unit, values in kt per model year) for one result, parents included."""
    if set(SECTOR_VARIABLES) != set(SECTORS):  # a new SMHI sector must be mapped before it is exported
        raise ValueError(f"IAMC-mappning saknas för: {sorted(set(SECTORS) ^ set(SECTOR_VARIABLES))}")
    # A pivot of the canonical long table (model.results_table), model years only.
    table = long_table([(res.scenario.id, res)], history=False)
    w = wide(table, [sector_variable(s) for s in SECTORS])
    sectors = {SECTOR_VARIABLES[s]: [float(v) / 1000 for v in w[sector_variable(s)]] for s in SECTORS}
    n = len(res.years)
    removals = {var: [0.0] * n for var in REMOVAL_VARIABLES.values()}
    lever_rows = table[table["variable"].str.startswith(REMOVAL_PREFIX)]
    for var_id, rows in lever_rows.groupby("variable", sort=True):
        lid = str(var_id)[len(REMOVAL_PREFIX):]
        if lid not in REMOVAL_VARIABLES:
            raise ValueError(f"IAMC-mappning saknas för upptagsspaken {lid!r}")
        for i, v in enumerate(rows.sort_values("year")["value"]):
            removals[REMOVAL_VARIABLES[lid]][i] += float(v) / 1000
    out = {k: (UNIT, v) for k, v in _with_parents(sectors, TOTAL).items()}
    out.update({k: (REMOVAL_UNIT, v) for k, v in _with_parents(removals, REMOVAL_TOTAL).items()})
    return out


def rows(results: Iterable[tuple[str, ScenarioResult]]) -> list[tuple[str, str, str, str, str, int, float]]:
    """IAMC rows (model, scenario, region, variable, unit, year, value) for named results."""
    model = f"Klimatvagar {MODEL_VERSION}"
    out: list[tuple[str, str, str, str, str, int, float]] = []
    for scenario, res in results:
        region = f"{res.kommun.name} ({res.kommun.code})"
        for var, (unit, series) in sorted(variables(res).items()):
            out.extend((model, scenario, region, var, unit, int(y), round(v, 6))
                       for y, v in zip(res.years, series, strict=False))
    return out


def to_csv(results: Sequence[tuple[str, ScenarioResult]]) -> str:
    """IAMC long-format CSV text: comma-separated, decimal point, one header line, ``\\n`` line ends."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows(results))
    return buf.getvalue()
