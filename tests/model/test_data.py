"""The shipped statistics validate, kommun look-up works, and broken copies are rejected precisely."""
from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.data import (
    DATA_DIR,
    N_KOMMUNER,
    SECTORS,
    DataValidationError,
    UnknownKommunError,
    find_kommun,
    inventory,
    load_dataset,
)

EMISSIONS = "kommuner_emissions_by_sector.csv"
TOTALS = "emissions_totals.csv"
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


# --------------------------------------------------------------------------- broken copies

@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of every shipped CSV (load_dataset is cached per path, so tmp_path is fresh)."""
    for f in DATA_DIR.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def _edit(folder: Path, name: str, change: Callable[[list[list[str]]], list[list[str]]]) -> None:
    """Rewrite ``folder/name`` through ``change`` (rows include the header at index 0 = line 1)."""
    path = folder / name
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows = change(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _line_of(folder: Path, name: str, match: Callable[[dict[str, str]], bool]) -> int:
    """1-based line number (header = 1) of the first row for which ``match`` is true."""
    with open(folder / name, newline="", encoding="utf-8") as fh:
        for i, rec in enumerate(csv.DictReader(fh)):
            if match(rec):
                return i + 2
    raise AssertionError("no matching row")


def _set_cell(line: int, column: str, value: str) -> Callable[[list[list[str]]], list[list[str]]]:
    def change(rows: list[list[str]]) -> list[list[str]]:
        rows[line - 1][rows[0].index(column)] = value
        return rows
    return change


def _expect(folder: Path, file: str, row: int | None, *words: str) -> DataValidationError:
    with pytest.raises(DataValidationError) as exc:
        load_dataset(folder)
    err = exc.value
    assert err.file == file
    assert err.row == row
    msg = str(err)
    assert file in msg
    if row is not None:
        assert f"rad {row}" in msg
    for w in words:
        assert w in msg, (w, msg)
    return err


def test_unmodified_copy_loads(data_copy: Path) -> None:
    ds = load_dataset(data_copy)
    assert np.array_equal(ds.emissions, load_dataset().emissions)


def test_negative_value(data_copy: Path) -> None:
    line = 1234
    _edit(data_copy, EMISSIONS, _set_cell(line, "tonnes_co2e", "-12.5"))
    _expect(data_copy, EMISSIONS, line, "-12.5")


@pytest.mark.parametrize("bad", ["abc", "12,5 t", "inf", "nan"])
def test_non_numeric_value(data_copy: Path, bad: str) -> None:
    line = 777
    _edit(data_copy, EMISSIONS, _set_cell(line, "tonnes_co2e", bad))
    _expect(data_copy, EMISSIONS, line, "tonnes_co2e")


def test_empty_value(data_copy: Path) -> None:
    line = 42
    _edit(data_copy, EMISSIONS, _set_cell(line, "tonnes_co2e", ""))
    _expect(data_copy, EMISSIONS, line)


def test_non_numeric_year(data_copy: Path) -> None:
    line = 500
    _edit(data_copy, EMISSIONS, _set_cell(line, "year", "tjugo"))
    _expect(data_copy, EMISSIONS, line, "tjugo")


def test_unknown_sector(data_copy: Path) -> None:
    line = 3000
    _edit(data_copy, EMISSIONS, _set_cell(line, "sector", "Rymdfart"))
    _expect(data_copy, EMISSIONS, line, "Rymdfart")


def test_duplicated_row(data_copy: Path) -> None:
    # Appending a copy of line 10 makes the appended line the duplicate.
    n_lines = len((data_copy / EMISSIONS).read_text(encoding="utf-8").splitlines())
    _edit(data_copy, EMISSIONS, lambda rows: rows + [list(rows[9])])
    _expect(data_copy, EMISSIONS, n_lines + 1, "dubblerad")


def test_missing_kommun(data_copy: Path) -> None:
    _edit(data_copy, EMISSIONS, lambda rows: [r for r in rows if r[0] != "2480"])
    _expect(data_copy, EMISSIONS, None, "289", "290")


def test_missing_single_value(data_copy: Path) -> None:
    """One (kommun, year, sector) row gone: the message names what is missing."""
    line = _line_of(data_copy, EMISSIONS, lambda r: (r["kommun_code"], r["year"], r["sector"])
                    == ("0381", "2022", "Jordbruk"))
    _edit(data_copy, EMISSIONS, lambda rows: rows[:line - 1] + rows[line:])
    _expect(data_copy, EMISSIONS, None, "Enköping", "2022", "Jordbruk")


@pytest.mark.parametrize("bad", ["381", "03810", "O381", "abcd"])
def test_bad_kommun_code(data_copy: Path, bad: str) -> None:
    line = _line_of(data_copy, EMISSIONS, lambda r: r["kommun_code"] == "0381")
    _edit(data_copy, EMISSIONS, _set_cell(line, "kommun_code", bad))
    _expect(data_copy, EMISSIONS, line, repr(bad))


def test_sector_sum_disagrees_with_totals(data_copy: Path) -> None:
    """Add 50 t to one Enköping 2024 sector; the 2024 GHG total row must be named."""
    line = _line_of(data_copy, EMISSIONS, lambda r: (r["kommun_code"], r["year"], r["sector"])
                    == ("0381", "2024", "Jordbruk"))

    def bump(rows: list[list[str]]) -> list[list[str]]:
        col = rows[0].index("tonnes_co2e")
        rows[line - 1][col] = str(float(rows[line - 1][col]) + 50.0)
        return rows

    _edit(data_copy, EMISSIONS, bump)
    total_line = _line_of(data_copy, TOTALS, lambda r: r["kommun_code"] == "0381" and r["year"] == "2024"
                          and r["data_release"] == "SMHI release with data to 2024"
                          and r["scope"].startswith("GHG"))
    _expect(data_copy, TOTALS, total_line, "236604.8")


def test_sum_within_rounding_tolerance_is_accepted(data_copy: Path) -> None:
    """The source rounds each sector to 0.01 t, so a 0.5 t difference must still load."""
    line = _line_of(data_copy, EMISSIONS, lambda r: (r["kommun_code"], r["year"], r["sector"])
                    == ("0381", "2024", "Jordbruk"))

    def nudge(rows: list[list[str]]) -> list[list[str]]:
        col = rows[0].index("tonnes_co2e")
        rows[line - 1][col] = str(float(rows[line - 1][col]) + 0.5)
        return rows

    _edit(data_copy, EMISSIONS, nudge)
    before = inventory("0381").loc[2024, "Jordbruk"]
    assert inventory("0381", load_dataset(data_copy)).loc[2024, "Jordbruk"] == pytest.approx(before + 0.5)


def test_wrong_stated_total(data_copy: Path) -> None:
    line = _line_of(data_copy, TOTALS, lambda r: r["kommun_code"] == "1281" and r["year"] == "2010"
                    and r["scope"].startswith("GHG") and r["data_release"] == "SMHI release with data to 2024")
    _edit(data_copy, TOTALS, _set_cell(line, "tonnes", "1.0"))
    _expect(data_copy, TOTALS, line, "1.0")


def test_negative_national_value(data_copy: Path) -> None:
    line = 20
    _edit(data_copy, "national_emissions_by_sector.csv", _set_cell(line, "tonnes_co2e", "-1"))
    _expect(data_copy, "national_emissions_by_sector.csv", line)


def test_non_positive_population(data_copy: Path) -> None:
    line = 300
    _edit(data_copy, "kommuner_population.csv", _set_cell(line, "population", "0"))
    _expect(data_copy, "kommuner_population.csv", line)


def test_missing_column(data_copy: Path) -> None:
    def drop(rows: list[list[str]]) -> list[list[str]]:
        col = rows[0].index("sector")
        return [r[:col] + r[col + 1:] for r in rows]

    _edit(data_copy, EMISSIONS, drop)
    _expect(data_copy, EMISSIONS, 1, "sector")


@pytest.mark.parametrize("name", [EMISSIONS, TOTALS, "national_emissions_by_sector.csv",
                                  "kommuner_population.csv", "kommuner_indicators.csv"])
def test_missing_file(data_copy: Path, name: str) -> None:
    (data_copy / name).unlink()
    _expect(data_copy, name, None, "saknas")


def test_empty_directory(tmp_path: Path) -> None:
    _expect(tmp_path, EMISSIONS, None, "saknas")
