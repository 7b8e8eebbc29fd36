"""model.results_table: the one long table every consumer pivots from (issue 12)."""
from __future__ import annotations

import numpy as np
import pytest

from model.data import SECTORS
from model.results_table import COLUMNS, MEASURED, MODELLED, long_table, sector_variable, wide
from model.run import baseline_scenario, run_scenario
from model.scenario import load_scenario

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pair() -> tuple:
    kk = run_scenario(load_scenario(ROOT / "scenarios" / "klimatkontrakt.toml"), "2584")
    base = run_scenario(baseline_scenario("2584"))
    return kk, base


def test_columns_units_and_sums(pair: tuple) -> None:
    kk, base = pair
    df = long_table([("klimatkontrakt", kk), ("baseline", base)])
    assert tuple(df.columns) == COLUMNS and set(df["scenario"]) == {"klimatkontrakt", "baseline"}
    assert set(df["kommun"]) == {"2584"}
    one = df[df["scenario"] == "klimatkontrakt"]
    w = wide(one, [sector_variable(s) for s in SECTORS] + ["gross", "removals", "net", "baseline_gross"])
    model_years = [int(y) for y in kk.years]
    # Sectors sum to gross in every year (history and projection), and net = gross − removals.
    assert np.allclose(w[[sector_variable(s) for s in SECTORS]].sum(axis=1), w["gross"])
    proj = w.loc[model_years]
    assert np.allclose(proj["gross"] - proj["removals"], proj["net"])
    assert np.allclose(proj["net"], kk.net) and np.allclose(proj["baseline_gross"], kk.baseline_gross)
    # The inventory's years before the model are measured and have no removals or baseline.
    before = [y for y in sorted(kk.history) if y < model_years[0]]
    assert w.loc[before, "removals"].isna().all() and (w.loc[before, "gross"] > 0).all()
    src = one.drop_duplicates("year").set_index("year")["source"]
    assert src[before[0]] == MEASURED and src[model_years[0]] == MEASURED and src[model_years[-1]] == MODELLED
    units = dict(zip(one["variable"], one["unit"], strict=False))
    assert units["removals"] == "t CO2/yr" and units["gross"] == "t CO2e/yr"


def test_removal_levers_sum_to_removals_and_history_can_be_left_out(pair: tuple) -> None:
    kk, _ = pair
    df = long_table([("kk", kk)], history=False)
    assert df["year"].min() == int(kk.years[0])
    rem = df[df["variable"].str.startswith("removal|")].groupby("year")["value"].sum()
    total = df[df["variable"] == "removals"].set_index("year")["value"]
    assert np.allclose(rem.reindex(total.index, fill_value=0.0), total)


def test_wide_refuses_two_scenarios(pair: tuple) -> None:
    kk, base = pair
    with pytest.raises(ValueError, match="one kommun and scenario"):
        wide(long_table([("a", kk), ("b", base)]), ["gross"])


def test_no_results_give_an_empty_table_with_the_columns() -> None:
    from model.results_table import COLUMNS, long_table

    empty = long_table([])
    assert list(empty.columns) == list(COLUMNS) and empty.empty


def test_chart_columns_split_inventory_and_projection_at_the_first_model_year() -> None:
    """The inventory keeps every SMHI year (the first model year too); the projection starts there."""
    from model.results_table import chart_columns, long_table
    from model.run import baseline_scenario, run_scenario

    res = run_scenario(baseline_scenario("0180"))
    cols = chart_columns(long_table([("x", res)]))
    first = int(res.years[0])
    assert sorted(set(cols["history"]["year"].tolist())) == sorted(res.history)
    assert set(cols["scenario"]["year"].tolist()) == set(res.years.tolist())
    assert cols["net"]["year"].tolist() == res.years.tolist() and cols["net"]["year"][0] == first
    upptag = [v for s, v in zip(cols["scenario"]["sector"], cols["scenario"]["tonnes"], strict=True) if s == "Upptag"]
    assert upptag == res.removals.tolist()
