"""The shipped statistics validate and kommun look-up works (broken copies: test_data_validation.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.data import DATA_DIR, N_KOMMUNER, SECTORS, inventory, load_dataset
from model.kommuner import UnknownKommunError, find_kommun

EMISSIONS = "kommuner_emissions_by_sector.csv"
EXPECTED_YEARS = (1990, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024)


# --------------------------------------------------------------------------- shipped data

def test_shipped_dataset_shape_and_years() -> None:
    ds = load_dataset()
    assert len(ds.kommuner) == N_KOMMUNER == 290
    assert len({k.code for k in ds.kommuner}) == 290
    assert [k.code for k in ds.kommuner] == sorted(k.code for k in ds.kommuner)
    assert all(len(k.code) == 4 and k.code.isdigit() for k in ds.kommuner)
    assert len(SECTORS) == 9
    assert ds.inventory_years == EXPECTED_YEARS
    assert ds.last_year == 2024
    assert ds.emissions.shape == (290, len(EXPECTED_YEARS), 9)
    assert ds.national.shape == (len(EXPECTED_YEARS), 9)


def test_shipped_emissions_are_finite_and_non_negative() -> None:
    ds = load_dataset()
    for arr in (ds.emissions, ds.national):
        assert np.isfinite(arr).all()
        assert (arr >= 0).all()
    # Every kommun emits something in every year (no all-zero rows slipped through).
    assert (ds.emissions.sum(axis=2) > 0).all()


def test_shipped_arrays_are_read_only() -> None:
    """The cached dataset is shared by every caller, so it must not be mutable."""
    ds = load_dataset()
    with pytest.raises(ValueError):
        ds.emissions[0, 0, 0] = 1.0


def test_array_matches_raw_csv_for_enkoping() -> None:
    """The (kommun, year, sector) cube is filled from the right CSV rows, not shuffled."""
    raw = pd.read_csv(DATA_DIR / EMISSIONS, dtype={"kommun_code": str})
    raw = raw[raw["kommun_code"] == "0381"]
    inv = inventory("0381")
    assert list(inv.columns) == list(SECTORS)
    assert list(inv.index) == list(EXPECTED_YEARS)
    for rec in raw.itertuples(index=False):
        assert inv.loc[rec.year, rec.sector] == pytest.approx(rec.tonnes_co2e, abs=1e-9)


def test_national_is_larger_than_every_kommun() -> None:
    ds = load_dataset()
    assert (ds.national.sum(axis=1) > ds.emissions.sum(axis=2).max(axis=0)).all()


# --------------------------------------------------------------------------- find_kommun

@pytest.mark.parametrize("query", ["0381", 381, " 0381 ", "Enköping", "ENKÖPING", "enkoping",
                                   "Enköping kommun"])
def test_find_enkoping(query: str | int) -> None:
    k = find_kommun(query)
    assert (k.code, k.name) == ("0381", "Enköping")


@pytest.mark.parametrize("query, code, name", [
    ("Malmo", "1280", "Malmö"),
    ("GÖTEBORG", "1480", "Göteborg"),
    ("goteborg", "1480", "Göteborg"),
    (1480, "1480", "Göteborg"),
    ("114", "0114", "Upplands Väsby"),
    ("upplands vasby", "0114", "Upplands Väsby"),
])
def test_find_other_kommuner(query: str | int, code: str, name: str) -> None:
    k = find_kommun(query)
    assert (k.code, k.name) == (code, name)


def test_find_kommun_exact_name_beats_accent_folding() -> None:
    """Håbo (0305, Uppsala län) and Habo (0643, Jönköpings län) differ only by an accent.

    An exact name must find its own kommun; today "Håbo" silently returns Habo
    because both fold to "habo" and the later code wins (model/data.py find_kommun).
    """
    assert find_kommun("Habo").code == "0643"
    assert find_kommun("Håbo").code == "0305"
    assert find_kommun("0305").name == "Håbo"


@pytest.mark.parametrize("query, close", [
    ("Enkopnig", "Enköping"),
    ("Enköpingg", "Enköping"),
    ("Malmöö", "Malmö"),
    ("Götebrg", "Göteborg"),
])
def test_unknown_kommun_suggests_close_name(query: str, close: str) -> None:
    with pytest.raises(UnknownKommunError) as exc:
        find_kommun(query)
    assert close in exc.value.suggestions
    assert exc.value.query == query
    assert close in str(exc.value)


@pytest.mark.parametrize("query", ["9999", 9999, "0000", "Atlantis", "12345"])
def test_unknown_codes_and_names_raise(query: str | int) -> None:
    with pytest.raises(UnknownKommunError):
        find_kommun(query)
