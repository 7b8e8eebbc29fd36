"""Tests for model.context: per-capita figures, similar kommuner and the comparison table."""
from __future__ import annotations

import numpy as np
import pytest

from model.context import (
    MIN_POOL,
    NATIONAL_CODE,
    SIZE_BAND,
    comparison_table,
    national_per_capita,
    per_capita,
    similar_kommuner,
    unallocated_share,
)
from model.data import load_dataset
from model.kommuner import UnknownKommunError

# Enköping, a big city, a rural kommun, an industrial kommun, a suburb, a northern rural kommun.
KOMMUNER = ["0381", "0180", "2321", "1480", "2584", "0114", "2418"]


def _pop(code: str, year: int = 2024) -> float:
    return float(load_dataset().population.loc[code, year])


def test_enkoping_per_capita_2024() -> None:
    # SMHI total 2024 for Enköping 236 604,85 t; SCB population 31 Dec 2024: 48 591.
    assert per_capita("0381") == pytest.approx(236_604.85 / 48_591, rel=1e-9)
    assert round(per_capita("0381"), 2) == 4.87


def test_per_capita_by_name_and_other_year() -> None:
    ds = load_dataset()
    assert per_capita("Enköping") == per_capita("0381")
    total_1990 = float(ds.emissions[ds.index_of("0381"), ds.inventory_years.index(1990)].sum())
    assert per_capita("0381", 1990) == pytest.approx(total_1990 / _pop("0381", 1990))
    assert per_capita("0381", 1990) > per_capita("0381", 2024), "Enköping's emissions fell since 1990"


def test_national_per_capita_is_official_total_over_all_kommuner() -> None:
    ds = load_dataset()
    value = national_per_capita(2024)
    expected = float(ds.national[-1].sum()) / float(ds.population[2024].sum())
    assert value == pytest.approx(expected)
    # Sweden's territorial emissions are about 45–50 Mt for about 10.6 M people.
    assert 3.5 < value < 6.0
    assert ds.population[2024].sum() == pytest.approx(10_587_710)


def test_national_total_includes_a_small_unallocated_part() -> None:
    share = unallocated_share(2024)
    assert 0.001 < share < 0.01  # about 0.4 %
    ds = load_dataset()
    kommun_mean = float(ds.emissions[:, -1, :].sum()) / float(ds.population[2024].sum())
    assert national_per_capita(2024) == pytest.approx(kommun_mean / (1 - share))


@pytest.mark.parametrize("call", [lambda: per_capita("9999"), lambda: similar_kommuner("9999"),
                                  lambda: comparison_table("Atlantis")])
def test_unknown_kommun_raises(call) -> None:
    with pytest.raises(UnknownKommunError):
        call()


def test_bad_year_and_bad_n_raise() -> None:
    with pytest.raises(ValueError, match="2019"):
        per_capita("0381", 2019)
    with pytest.raises(ValueError, match="2019"):
        national_per_capita(2019)
    with pytest.raises(ValueError, match="n=0"):
        similar_kommuner("0381", 0)


@pytest.mark.parametrize("code", KOMMUNER)
def test_similar_excludes_itself_and_is_deterministic(code: str) -> None:
    first = similar_kommuner(code)
    assert len(first) == 5
    assert code not in {k.code for k in first}
    assert len({k.code for k in first}) == 5
    assert similar_kommuner(code) == first
    assert similar_kommuner(code, n=3) == first[:3], "a shorter list is a prefix of the longer one"


def _shares(code: str) -> np.ndarray:
    ds = load_dataset()
    em = ds.emissions[ds.index_of(code), -1]
    return em / em.sum()


def _cos_dist(a: str, b: str) -> float:
    x, y = _shares(a), _shares(b)
    return 1 - float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def test_similar_have_comparable_population_and_closest_profile() -> None:
    ds = load_dataset()
    mine = _pop("0381")
    similar = similar_kommuner("0381")
    for k in similar:
        assert SIZE_BAND[0] * mine <= _pop(k.code) <= SIZE_BAND[1] * mine, k
    # Independently: every other kommun in the band is at least as far in profile.
    band = [k.code for k in ds.kommuner if k.code != "0381"
            and SIZE_BAND[0] * mine <= _pop(k.code) <= SIZE_BAND[1] * mine]
    assert len(band) > 5
    chosen = [_cos_dist("0381", k.code) for k in similar]
    assert chosen == sorted(chosen)
    rest = [_cos_dist("0381", c) for c in band if c not in {k.code for k in similar}]
    assert max(chosen) <= min(rest) + 1e-12


def test_largest_city_falls_back_to_nearest_in_size() -> None:
    # Only Göteborg lies within 0.5–1.5 times Stockholm's population, so the pool is the
    # MIN_POOL kommuner nearest in log population, ranked by profile.
    ds = load_dataset()
    mine = _pop("0180")
    others = [k.code for k in ds.kommuner if k.code != "0180"]
    nearest = sorted(others, key=lambda c: (abs(np.log(_pop(c) / mine)), c))[:MIN_POOL]
    assert "1480" in nearest and "1280" in nearest  # Göteborg, Malmö
    got = [k.code for k in similar_kommuner("0180")]
    assert set(got) <= set(nearest)
    dist = {c: _cos_dist("0180", c) for c in nearest}
    assert got == sorted(nearest, key=lambda c: (round(dist[c], 12), c))[:5]


def test_comparison_table() -> None:
    df = comparison_table("0381")
    assert list(df.columns) == ["name", "code", "t_per_capita", "highlight", "kind"]
    assert list(df["kind"]) == ["kommun", "national"] + ["similar"] * 5
    assert df["highlight"].tolist() == [True] + [False] * 6
    assert df["highlight"].dtype == bool
    assert df.loc[0, "name"] == "Enköping" and df.loc[0, "code"] == "0381"
    assert df.loc[0, "t_per_capita"] == pytest.approx(4.8693, abs=1e-4)
    assert df.loc[1, "code"] == NATIONAL_CODE
    assert df.loc[1, "t_per_capita"] == pytest.approx(national_per_capita(2024))
    assert df.loc[2:, "code"].tolist() == [k.code for k in similar_kommuner("0381")]
    for code, value in zip(df.loc[2:, "code"], df.loc[2:, "t_per_capita"], strict=False):
        assert value == pytest.approx(per_capita(code))
