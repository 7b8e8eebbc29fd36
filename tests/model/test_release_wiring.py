"""A scenario computes on the SMHI release its link or file names (issue 14 item 1, model side).

A link made on the release with data to 2023 (``d=2023``) must reproduce that release's figures:
its history is the smhi-2023 CSV and its projection starts in 2023; the same link with ``d=2024``
computes on the latest release.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.baseline import build_context, trend_years
from model.codec import LinkState, decode, encode
from model.context import comparison_table, national_per_capita, per_capita
from model.data import SECTORS, ModelInputError, load_dataset
from model.run import run_scenario
from model.scenario import Scenario, ScenarioFileError, dumps_scenario, loads_scenario
from model.targets import TargetSpec
from ui.compute import run_for, run_link

DATA = Path(__file__).resolve().parents[2] / "data"


def _csv_year(path: Path, code: str, year: int) -> np.ndarray:
    df = pd.read_csv(path, dtype={"kommun_code": str})
    rows = df[(df["kommun_code"] == code) & (df["year"] == year)].set_index("sector")["tonnes_co2e"]
    return np.array([float(rows[s]) for s in SECTORS])


def _link(d: str) -> dict[str, str]:
    params = encode(decode({"k": "0381"}))
    params["d"] = d
    return params


def test_link_with_d_2023_computes_on_the_2023_release() -> None:
    state = decode(_link("2023"))
    assert state.release == "smhi-2023"
    assert "link.data_release" in {n.key for n in state.notices}
    res = run_link(_link("2023"))
    assert int(res.years[0]) == 2023
    assert max(res.history) == 2023
    np.testing.assert_allclose(res.history[2023],
                               _csv_year(DATA / "releases/smhi-2023/emissions_by_sector.csv", "0381", 2023))
    # The projection starts at the release's inventory: the first model year is its 2023 total.
    assert res.gross[0] == pytest.approx(res.history[2023].sum(), rel=1e-9)


def test_same_link_with_d_2024_computes_on_the_latest() -> None:
    state = decode(_link("2024"))
    assert state.release is None
    assert not {n.key for n in state.notices} & {"link.data_release", "link.data_release_unknown"}
    res = run_link(_link("2024"))
    assert int(res.years[0]) == 2024
    np.testing.assert_allclose(res.history[2024], _csv_year(DATA / "kommuner_emissions_by_sector.csv", "0381", 2024))
    # The 2023 figures differ between the releases (SMHI recalculates), so the two runs are distinct.
    assert not np.allclose(run_link(_link("2023")).history[2023], res.history[2023])


def test_unknown_d_computes_on_latest_with_its_own_notice() -> None:
    state = decode(_link("1999"))
    assert state.release is None
    keys = {n.key for n in state.notices}
    assert "link.data_release_unknown" in keys and "link.data_release" not in keys
    hostile = decode(_link("x" * 5000))
    assert hostile.release is None
    assert all(len(str(v)) <= 40 for n in hostile.notices for v in n.params.values())


def test_encode_writes_the_state_release_and_round_trips() -> None:
    base = decode({"k": "0381"})
    old = LinkState(base.kommun, "sv", base.policy, base.horizon, base.target, base.levers, release="smhi-2023")
    params = encode(old)
    assert params["d"] == "2023"
    assert decode(params).release == "smhi-2023"
    assert encode(base)["d"] == "2024"


def test_run_for_and_scenario_take_a_release() -> None:
    levers = decode({"k": "0381"}).levers
    old = run_for("0381", levers, "current_law", 2030, TargetSpec(), release="smhi-2023")
    sc = run_scenario(Scenario(kommun="0381", release="smhi-2023"))
    assert int(old.years[0]) == int(sc.years[0]) == 2023
    np.testing.assert_allclose(old.net, sc.net)
    assert sc.context is not None and sc.context.release == "smhi-2023"
    assert sc.streams_dict()["cars"]["base_year"] == 2023


def test_scenario_file_names_and_validates_its_release() -> None:
    text = 'format_version = 1\n[scenario]\nkommun = "0381"\nrelease = "smhi-2023"\n'
    sc = loads_scenario(text)
    assert sc.release == "smhi-2023"
    assert loads_scenario(dumps_scenario(sc)).release == "smhi-2023"
    with pytest.raises(ScenarioFileError) as err:
        loads_scenario('format_version = 1\n[scenario]\nrelease = "smhi-1999"\n')
    assert err.value.key == "scenario_file.choice" and err.value.field == "scenario.release"
    assert "smhi-2023" in err.value.params["allowed"]


def test_base_years_follow_the_release() -> None:
    # smhi-2023 holds 2016-2019 too: a file on it may take 2018 as base year, one on the latest may not.
    sc = loads_scenario('format_version = 1\n[scenario]\nrelease = "smhi-2023"\n[target]\nbase_year = 2018\n')
    assert sc.target.base_year == 2018
    with pytest.raises(ScenarioFileError):
        loads_scenario('format_version = 1\n[target]\nbase_year = 2018\n')


def test_trend_years_come_from_the_release() -> None:
    assert trend_years(load_dataset().inventory_years) == (2015, 2020, 2021, 2022, 2023, 2024)
    assert trend_years(load_dataset(release="smhi-2023").inventory_years) == (2015, 2020, 2021, 2022, 2023)
    with pytest.raises(ModelInputError) as err:
        trend_years((1990, 2000, 2005, 2010, 2015, 2016, 2017, 2018, 2019), "smhi-2019")
    assert err.value.key == "model.release_too_old"
    assert err.value.params["release"] == "smhi-2019" and "smhi-2019" in str(err.value)


def test_context_release_is_part_of_the_cache_key() -> None:
    latest, old = build_context("0381"), build_context("0381", release="smhi-2023")
    assert latest is build_context("0381", release="smhi-2024")
    assert latest.release == "smhi-2024" and old.release == "smhi-2023"
    assert int(old.years[0]) == 2023 and not np.allclose(old.e0, latest.e0[: len(old.e0)])


def test_bad_horizon_and_policy_carry_a_key() -> None:
    with pytest.raises(ModelInputError) as err:
        build_context("0381", horizon=2040)
    assert err.value.key == "model.bad_horizon" and err.value.params["allowed"] == "2030, 2045"
    with pytest.raises(ModelInputError) as err:
        build_context("0381", policy="nope")
    assert err.value.key == "model.bad_policy"


def test_per_capita_uses_the_same_release() -> None:
    ds23 = load_dataset(release="smhi-2023")
    expected = float(ds23.national[ds23.inventory_years.index(2023)].sum())
    pop = float(ds23.population[2023].sum())
    assert national_per_capita(release="smhi-2023") == pytest.approx(expected / pop)
    assert per_capita("0381", release="smhi-2023") != per_capita("0381", 2023)
    table = comparison_table("0381", release="smhi-2023")
    assert table.loc[table["kind"] == "kommun", "t_per_capita"].iloc[0] == per_capita("0381", release="smhi-2023")
    # The latest release's defaults are unchanged.
    assert per_capita("0381") == per_capita("0381", 2024)
    with pytest.raises(ModelInputError) as err:
        per_capita("0381", 2024, release="smhi-2023")
    assert err.value.key == "model.bad_year"
