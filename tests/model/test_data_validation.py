"""Broken copies of the shipped statistics are rejected precisely: file, row and problem named."""
from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from model.data import DATA_DIR, DataValidationError, inventory, load_dataset

EMISSIONS = "kommuner_emissions_by_sector.csv"
TOTALS = "emissions_totals.csv"


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


def _add_to_enkoping_farming_2024(data_copy: Path, tonnes: float) -> None:
    """Add ``tonnes`` to Enköping's 2024 Jordbruk row of the emissions file."""
    line = _line_of(data_copy, EMISSIONS, lambda r: (r["kommun_code"], r["year"], r["sector"])
                    == ("0381", "2024", "Jordbruk"))

    def add(rows: list[list[str]]) -> list[list[str]]:
        col = rows[0].index("tonnes_co2e")
        rows[line - 1][col] = str(float(rows[line - 1][col]) + tonnes)
        return rows

    _edit(data_copy, EMISSIONS, add)


def test_sector_sum_disagrees_with_totals(data_copy: Path) -> None:
    """Add 50 t to one Enköping 2024 sector; the 2024 GHG total row must be named."""
    _add_to_enkoping_farming_2024(data_copy, 50.0)
    total_line = _line_of(data_copy, TOTALS, lambda r: r["kommun_code"] == "0381" and r["year"] == "2024"
                          and r["data_release"] == "SMHI release with data to 2024"
                          and r["scope"].startswith("GHG"))
    _expect(data_copy, TOTALS, total_line, "236604.8")


def test_sum_within_rounding_tolerance_is_accepted(data_copy: Path) -> None:
    """The source rounds each sector to 0.01 t, so a 0.5 t difference must still load."""
    _add_to_enkoping_farming_2024(data_copy, 0.5)
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
