"""Reading and checking the shipped CSV files of one SMHI release.

Each reader validates one file and raises :class:`model.csvio.DataValidationError` naming the file,
the row (as a spreadsheet shows it, header = row 1) and the problem: the sector inventory (t CO2e
per kommun, year and sector), SMHI's stated totals, the national inventory and SCB population.
A release's files must keep the checksums of its manifest. :func:`model.data.load_dataset`
assembles what they return into a :class:`model.data.Dataset`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from model.csvio import DataValidationError
from model.csvio import numeric as _numeric
from model.csvio import read_csv as _read_csv
from model.csvio import require_columns as _require_columns
from model.data import N_KOMMUNER, SECTORS, SUM_TOLERANCE_T, Kommun
from model.releases import sha256_of


def load_emissions(data_dir: Path, name: str = "kommuner_emissions_by_sector.csv"
                    ) -> tuple[tuple[Kommun, ...], tuple[int, ...], np.ndarray]:
    df = _read_csv(name, data_dir, ("kommun_code", "kommun", "lan", "sector"))
    _require_columns(df, name, ("kommun_code", "kommun", "lan", "year", "sector", "tonnes_co2e"))
    tonnes = _numeric(df, name, "tonnes_co2e")
    years = _numeric(df, name, "year").astype(int)
    neg = np.flatnonzero(tonnes < 0)
    if len(neg):
        i = int(neg[0])
        raise DataValidationError(name, i + 2, f"negativt utsläpp {tonnes[i]} t")
    unknown = ~df["sector"].isin(SECTORS)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataValidationError(name, i + 2, f"okänd sektor {df['sector'].iloc[i]!r}")
    codes = df["kommun_code"].fillna("")
    badcode = ~codes.str.fullmatch(r"\d{4}")
    if badcode.any():
        i = int(np.flatnonzero(badcode.to_numpy())[0])
        raise DataValidationError(name, i + 2, f"ogiltig kommunkod {codes.iloc[i]!r}")
    meta = df[["kommun_code", "kommun", "lan"]].drop_duplicates().sort_values("kommun_code")
    if meta["kommun_code"].duplicated().any():
        dup = meta.loc[meta["kommun_code"].duplicated(), "kommun_code"].iloc[0]
        raise DataValidationError(name, None, f"kommunkod {dup} har flera namn")
    if len(meta) != N_KOMMUNER:
        raise DataValidationError(name, None, f"{len(meta)} kommuner, väntade {N_KOMMUNER}")
    kommuner = tuple(Kommun(c, n, lan) for c, n, lan in meta.itertuples(index=False))
    inv_years = tuple(sorted(set(years.tolist())))
    present = set(df["sector"])
    if len(present) != len(SECTORS):
        raise DataValidationError(name, None, f"{len(present)} sektorer, väntade {len(SECTORS)}")
    k_idx = {k.code: i for i, k in enumerate(kommuner)}
    y_idx = {y: i for i, y in enumerate(inv_years)}
    s_idx = {s: i for i, s in enumerate(SECTORS)}
    arr = np.full((len(kommuner), len(inv_years), len(SECTORS)), np.nan)
    ki = codes.map(k_idx).to_numpy()
    yi = np.array([y_idx[y] for y in years])
    si = df["sector"].map(s_idx).to_numpy()
    flat = np.ravel_multi_index((ki, yi, si), arr.shape)
    if len(np.unique(flat)) != len(flat):
        _, first = np.unique(flat, return_index=True)
        i = int(np.setdiff1d(np.arange(len(flat)), first)[0])
        raise DataValidationError(name, i + 2, "dubblerad rad (kommun, år, sektor)")
    arr.flat[flat] = tonnes
    if np.isnan(arr).any():
        k, y, s = (int(v[0]) for v in np.nonzero(np.isnan(arr)))
        raise DataValidationError(
            name, None, f"värde saknas: {kommuner[k].name} {inv_years[y]} {SECTORS[s]}")
    return kommuner, inv_years, arr


def check_totals(data_dir: Path, kommuner: tuple[Kommun, ...], years: tuple[int, ...],
                  arr: np.ndarray, label: str = "SMHI release with data to 2024") -> None:
    """Sector sums must equal SMHI's stated totals of the same release where a total is shipped."""
    name = "emissions_totals.csv"
    df = _read_csv(name, data_dir, ("kommun_code", "data_release", "scope"))
    _require_columns(df, name, ("kommun_code", "year", "tonnes", "data_release", "scope"))
    idx = {k.code: i for i, k in enumerate(kommuner)}
    latest = (df["data_release"] == label) & df["scope"].str.startswith("GHG")
    # Positions, not index labels: read_csv's RangeIndex gives row = position, typed as int.
    for row in np.flatnonzero(latest.to_numpy()).tolist():
        rec = df.iloc[row]
        if rec["kommun_code"] not in idx or int(rec["year"]) not in years:
            raise DataValidationError(name, row + 2, f"okänd kommun/år {rec['kommun_code']} {rec['year']}")
        total = float(arr[idx[rec["kommun_code"]], years.index(int(rec["year"]))].sum())
        if abs(total - float(rec["tonnes"])) > SUM_TOLERANCE_T:
            raise DataValidationError(
                name, row + 2,
                f"sektorsumman {total:.1f} t avviker från totalen {float(rec['tonnes']):.1f} t")


def load_national(data_dir: Path, years: tuple[int, ...],
                   name: str = "national_emissions_by_sector.csv") -> np.ndarray:
    df = _read_csv(name, data_dir, ("area_code", "sector"))
    _require_columns(df, name, ("year", "sector", "tonnes_co2e"))
    tonnes = _numeric(df, name, "tonnes_co2e")
    if (tonnes < 0).any():
        i = int(np.flatnonzero(tonnes < 0)[0])
        raise DataValidationError(name, i + 2, f"negativt utsläpp {tonnes[i]} t")
    out = np.full((len(years), len(SECTORS)), np.nan)
    for i, (y, s) in enumerate(zip(df["year"].astype(int), df["sector"], strict=True)):
        if s not in SECTORS or y not in years:
            raise DataValidationError(name, i + 2, f"okänd sektor/år {s!r} {y}")
        out[years.index(y), SECTORS.index(s)] = tonnes[i]
    if np.isnan(out).any():
        raise DataValidationError(name, None, "rader saknas för något år eller någon sektor")
    return out


def load_population(data_dir: Path, kommuner: tuple[Kommun, ...]) -> pd.DataFrame:
    name = "kommuner_population.csv"
    df = _read_csv(name, data_dir, ("kommun_code", "kommun"))
    _require_columns(df, name, ("kommun_code", "year", "population"))
    pop = _numeric(df, name, "population")
    if (pop <= 0).any():
        i = int(np.flatnonzero(pop <= 0)[0])
        raise DataValidationError(name, i + 2, f"folkmängd måste vara positiv: {pop[i]}")
    wide = df.assign(population=pop).pivot(index="kommun_code", columns="year", values="population")
    missing = {k.code for k in kommuner} - set(wide.index)
    if missing:
        raise DataValidationError(name, None, f"folkmängd saknas för {sorted(missing)[:3]}")
    return wide


def check_sha(data_dir: Path, name: str, expected: str | None) -> None:
    """A stored release is immutable: its file must still have the checksum in its manifest."""
    if not expected or not (data_dir / name).is_file():
        return
    if sha256_of(data_dir / name) != expected:
        raise DataValidationError(
            name, None, "kontrollsumman stämmer inte med utgåvans manifest: filen har ändrats; "
            "importera en ny utgåva i stället (python -m model data import) "
            "(checksum differs from the release manifest)")
