"""IAMC CSV (``python -m model run --format csv``): names from the IAMC common definitions, a hierarchy
whose parents are the sums of their children, IAMC units, and the baseline as its own scenario.

The aggregation check is the one pyam's ``check_aggregate`` makes (a variable equals the sum of its
direct sub-variables), done with pandas: pyam is not a dependency.
"""
from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import iamc
from model.data import SECTORS
from model.registry import load_registry
from model.run import baseline_scenario, run_scenario
from model.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]

# Every name checked by hand against IAMconsortium/common-definitions at commit d877b5f (2026-06-24):
# definitions/variable/emissions/emissions.yaml and carbon-removal.yaml, with the templates
# {Level-1/2/3 Species} = "Kyoto Gases" (tag_level-*-species.yaml), {Geogological Storage Source} =
# "Biomass" (tag_geological-storage.yaml) and {Land Removal Option} = "Biochar", "Other"
# (tag_land-removal-options.yaml). All 19 are among the 923 names those files expand to.
VERIFIED = frozenset({
    "Emissions|Kyoto Gases",
    "Emissions|Kyoto Gases|AFOLU",
    "Emissions|Kyoto Gases|AFOLU|Agriculture",
    "Emissions|Kyoto Gases|Energy",
    "Emissions|Kyoto Gases|Energy|Supply",
    "Emissions|Kyoto Gases|Energy|Demand",
    "Emissions|Kyoto Gases|Energy|Demand|Transportation",
    "Emissions|Kyoto Gases|Energy|Demand|Residential and Commercial",
    "Emissions|Kyoto Gases|Energy|Demand|Industry",
    "Emissions|Kyoto Gases|Energy|Demand|Other Sector",
    "Emissions|Kyoto Gases|Energy|Demand|Bunkers",
    "Emissions|Kyoto Gases|Product Use",
    "Emissions|Kyoto Gases|Waste",
    "Carbon Removal",
    "Carbon Removal|Geological Storage",
    "Carbon Removal|Geological Storage|Biomass",
    "Carbon Removal|Land Use",
    "Carbon Removal|Land Use|Biochar",
    "Carbon Removal|Land Use|Other",
})
# (scenario file, kommun, horizon): removals on and off, three kommuner, both horizons.
CASES = [("klimatkontrakt", "0381", 2030), ("hog_ambition", "0381", 2045), ("hog_ambition", "1480", 2030),
         ("nuvarande_politik", "2584", 2030)]


def _frame(name: str, kommun: str, horizon: int) -> tuple[pd.DataFrame, object, object]:
    sc = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    sc = replace(sc, horizon=horizon)
    res = run_scenario(sc, kommun)
    base = run_scenario(baseline_scenario(res.kommun.code, sc.national_policy, horizon))
    text = iamc.to_csv([(sc.id, res), (iamc.BASELINE_SCENARIO, base)])
    # Read the way an IAMC tool does: plain CSV, codes in the region name stay as written.
    return pd.read_csv(io.StringIO(text), dtype={"region": str}), res, base


@pytest.fixture(scope="module", params=CASES, ids=lambda c: "-".join(map(str, c)))
def case(request: pytest.FixtureRequest) -> tuple[pd.DataFrame, object, object]:
    return _frame(*request.param)


def test_every_variable_is_a_verified_iamc_name(case: tuple) -> None:
    df, _, _ = case
    assert set(df["variable"]) <= VERIFIED, sorted(set(df["variable"]) - VERIFIED)
    # The whole tree is written, in both scenarios, so a tool can aggregate at every level.
    assert set(df["variable"]) == VERIFIED
    for _scenario, part in df.groupby("scenario"):
        assert set(part["variable"]) == VERIFIED


def test_children_sum_to_their_parent(case: tuple) -> None:
    """Every variable with sub-variables equals their sum, per scenario and year (pyam's check)."""
    df, _, _ = case
    wide = df.pivot_table(index=["scenario", "year"], columns="variable", values="value", aggfunc="sum")
    checked = 0
    for parent in wide.columns:
        children = [c for c in wide.columns if c.startswith(parent + "|") and "|" not in c[len(parent) + 1:]]
        if not children:
            continue
        checked += 1
        diff = (wide[children].sum(axis=1) - wide[parent]).abs()
        assert diff.max() < 1e-5, f"{parent}: children {children} differ by {diff.max()} kt"
    assert checked == 7  # Kyoto Gases, AFOLU, Energy, Energy|Demand, Carbon Removal, Geological Storage, Land Use


def test_total_is_the_gross_and_the_baseline_its_own_scenario(case: tuple) -> None:
    df, res, base = case
    tot = df[df["variable"] == iamc.TOTAL].set_index(["scenario", "year"])["value"]
    sid = res.scenario.id
    years = [int(y) for y in res.years]
    assert np.allclose(tot.loc[sid].loc[years].to_numpy(), res.gross / 1000, atol=1e-5)
    assert np.allclose(tot.loc[iamc.BASELINE_SCENARIO].loc[years].to_numpy(), res.baseline_gross / 1000, atol=1e-5)
    assert np.allclose(base.by_sector, res.baseline_by_sector)
    rem = df[df["variable"] == iamc.REMOVAL_TOTAL].set_index(["scenario", "year"])["value"]
    assert np.allclose(rem.loc[sid].loc[years].to_numpy(), res.removals / 1000, atol=1e-5)
    # Net is what IAMC tools compute from the two: total minus removals.
    assert np.allclose((tot.loc[sid] - rem.loc[sid]).loc[years].to_numpy(), res.net / 1000, atol=1e-5)


def test_units_region_and_model(case: tuple) -> None:
    df, res, _ = case
    is_removal = df["variable"].str.startswith(iamc.REMOVAL_TOTAL)
    assert set(df.loc[is_removal, "unit"]) == {"kt CO2/yr"}
    assert set(df.loc[~is_removal, "unit"]) == {"kt CO2-equiv/yr"}
    assert set(df["region"]) == {f"{res.kommun.name} ({res.kommun.code})"}
    assert df["model"].str.startswith("Klimatvagar ").all()
    assert df.groupby(["scenario", "variable", "year"]).size().max() == 1


def test_each_sector_is_reported_under_its_mapped_variable() -> None:
    df, res, _ = _frame("klimatkontrakt", "0381", 2030)
    mine = df[df["scenario"] == "klimatkontrakt"]
    for i, sector in enumerate(SECTORS):
        got = mine[mine["variable"] == iamc.SECTOR_VARIABLES[sector]].sort_values("year")["value"].to_numpy()
        assert np.allclose(got, res.by_sector[i] / 1000, atol=1e-6), sector


def test_mapping_covers_every_sector_and_removal_lever() -> None:
    assert set(iamc.SECTOR_VARIABLES) == set(SECTORS)
    assert len(set(iamc.SECTOR_VARIABLES.values())) == len(SECTORS), "two sectors in one variable"
    removal_levers = {lv.id for lv in load_registry().levers if lv.kind == "removal"}
    assert set(iamc.REMOVAL_VARIABLES) == removal_levers
    assert set(iamc.SECTOR_VARIABLES.values()) | set(iamc.REMOVAL_VARIABLES.values()) <= VERIFIED


def test_the_old_sibling_layout_is_gone() -> None:
    """The issue: Gross, Net and Baseline sat beside the sectors, so the total aggregated to 754 318 t."""
    df, _, _ = _frame("klimatkontrakt", "0381", 2030)
    assert not df["variable"].str.contains(r"\|(?:Gross|Net|Baseline|Transporter)$").any()
    tot_2030 = df[(df["variable"] == iamc.TOTAL) & (df["scenario"] == "klimatkontrakt") & (df["year"] == 2030)]
    assert tot_2030["value"].item() == pytest.approx(179.468, abs=0.001)  # 179 468 t gross


def test_pyam_is_not_a_runtime_dependency() -> None:
    assert "pyam" not in (ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    assert "import pyam" not in (ROOT / "model" / "iamc.py").read_text(encoding="utf-8")
