"""Per-capita context: how a kommun's emissions compare with Sweden and similar kommuner.

Emissions are SMHI's territorial inventory (:data:`model.data.EMISSIONS_SOURCE`),
population is SCB's count on 31 December of the same year
(:data:`model.data.POPULATION_SOURCE`). Everything here is pure (no Streamlit) and
deterministic, so the dashboard, the exports and the tests see the same figures.

"Similar kommuner" are chosen in two steps: first by size (population within
±50 % of the kommun's, i.e. 0.5–1.5 times), then by emission profile (cosine
distance between the vectors of sector shares of total emissions). Size comes
first because per-capita emissions depend strongly on settlement structure;
the profile then prefers kommuner whose emissions come from the same sectors.
"""
from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from model.data import Dataset, Kommun, load_dataset
from model.kommuner import find_kommun

#: Population band for "the same size class": 0.5–1.5 times the kommun's population.
SIZE_BAND = (0.5, 1.5)
#: Code and name of the national row; "00" is SCB's code for Riket (all of Sweden).
NATIONAL_CODE = "00"
NATIONAL_NAME = "Sverige"
#: Smallest pool to rank by profile; the biggest cities have fewer kommuner in their band.
MIN_POOL = 10



def _dataset(dataset: Dataset | None) -> Dataset:
    return dataset if dataset is not None else load_dataset()


def _year_index(ds: Dataset, year: int) -> int:
    if year not in ds.inventory_years:
        raise ValueError(f"year={year!r}; tillåtet: {', '.join(map(str, ds.inventory_years))}")
    if year not in ds.population.columns:
        raise ValueError(f"year={year!r}: folkmängd saknas för året")
    return ds.inventory_years.index(year)


def _kommun(code: str, ds: Dataset) -> Kommun:
    # find_kommun accepts "0381", 381 or "Enköping" and raises UnknownKommunError
    # (a LookupError) with suggestions, which is what a caller wants to show.
    return find_kommun(code, ds)


def _populations(ds: Dataset, year: int) -> np.ndarray:
    """Population of every kommun on 31 Dec ``year`` (290,), in ``ds.kommuner`` order."""
    codes = [k.code for k in ds.kommuner]
    return ds.population.loc[codes, year].to_numpy(dtype=float)


def per_capita(code: str, year: int = 2024, dataset: Dataset | None = None) -> float:
    """Territorial emissions per inhabitant of one kommun.

    Parameters
    ----------
    code : str
        Kommun code ("0381") or name ("Enköping").
    year : int, default 2024
        An SMHI inventory year.
    dataset : Dataset, optional
        Defaults to the shipped data.

    Returns
    -------
    float
        t CO2e per inhabitant and year: SMHI total (all sectors) / SCB population on 31 Dec.

    Raises
    ------
    model.kommuner.UnknownKommunError
        Unknown code or name.
    ValueError
        ``year`` is not an inventory year.
    """
    ds = _dataset(dataset)
    k = _kommun(code, ds)
    yi = _year_index(ds, year)
    total = float(ds.emissions[ds.index_of(k.code), yi].sum())
    # pandas types a .loc cell as any scalar; data.py has validated the population column as numbers.
    inhabitants = cast("float", ds.population.loc[k.code, year])
    return total / float(inhabitants)


def national_per_capita(year: int = 2024, dataset: Dataset | None = None) -> float:
    """Sweden's territorial emissions per inhabitant.

    The numerator is SMHI's national total (``Dataset.national``), the denominator
    the sum of SCB's population of all 290 kommuner on 31 Dec. The national total
    includes about 0.4 % (2024) that SMHI does not allocate to any kommun, so the
    national figure is slightly higher than the population-weighted mean of the
    kommuner; it is kept because it is the official total.

    Parameters
    ----------
    year : int, default 2024
        An SMHI inventory year.
    dataset : Dataset, optional

    Returns
    -------
    float
        t CO2e per inhabitant and year.
    """
    ds = _dataset(dataset)
    yi = _year_index(ds, year)
    return float(ds.national[yi].sum()) / float(_populations(ds, year).sum())


def unallocated_share(year: int = 2024, dataset: Dataset | None = None) -> float:
    """Fraction of SMHI's national total not allocated to any kommun (about 0.004 in 2024).

    Parameters
    ----------
    year : int, default 2024
    dataset : Dataset, optional

    Returns
    -------
    float
        ``(national - sum of kommuner) / national``, a fraction.
    """
    ds = _dataset(dataset)
    yi = _year_index(ds, year)
    national = float(ds.national[yi].sum())
    return (national - float(ds.emissions[:, yi, :].sum())) / national


def _shares(ds: Dataset, yi: int) -> np.ndarray:
    """Sector shares of total emissions (290, 9); an all-zero kommun gets zeros."""
    em = ds.emissions[:, yi, :]
    tot = em.sum(axis=1, keepdims=True)
    shares: np.ndarray = np.divide(em, tot, out=np.zeros_like(em), where=tot > 0)
    return shares


def similar_kommuner(code: str, n: int = 5, year: int = 2024,
                     dataset: Dataset | None = None) -> list[Kommun]:
    """Kommuner of a similar kind: similar size first, then the most similar emission profile.

    Parameters
    ----------
    code : str
        Kommun code or name.
    n : int, default 5
        How many to return (at most 289).
    year : int, default 2024
        Year of the population and of the sector shares.
    dataset : Dataset, optional

    Returns
    -------
    list of Kommun
        ``n`` kommuner, never the kommun itself, most similar profile first. The pool
        is every kommun with 0.5–1.5 times the population; when that holds fewer than
        ``max(n, MIN_POOL)`` (the largest cities), that many kommuner closest in log
        population are used instead. Ties are broken by code, so the result is deterministic.

    Raises
    ------
    model.kommuner.UnknownKommunError
        Unknown code or name.
    ValueError
        ``n`` < 1 or ``year`` not an inventory year.
    """
    if n < 1:
        raise ValueError(f"n={n!r}; tillåtet: minst 1")
    ds = _dataset(dataset)
    k = _kommun(code, ds)
    yi = _year_index(ds, year)
    i = ds.index_of(k.code)
    pop = _populations(ds, year)
    others = np.array([j for j in range(len(ds.kommuner)) if j != i])
    ratio = pop[others] / pop[i]
    pool = others[(ratio >= SIZE_BAND[0]) & (ratio <= SIZE_BAND[1])]
    if len(pool) < max(n, MIN_POOL):
        # A fixed pool size (not n) keeps a shorter list a prefix of a longer one.
        # lexsort sorts by the last key first: distance in log population, then code.
        codes = np.array([ds.kommuner[j].code for j in others])
        order = np.lexsort((codes, np.abs(np.log(ratio))))
        pool = others[order[:max(n, MIN_POOL)]]
    shares = _shares(ds, yi)
    a, b = shares[i], shares[pool]
    norms = np.linalg.norm(b, axis=1) * np.linalg.norm(a)
    cos = np.divide(b @ a, norms, out=np.zeros(len(pool)), where=norms > 0)
    dist = np.round(1.0 - cos, 12)  # rounding makes float noise unable to reorder ties
    codes = np.array([ds.kommuner[j].code for j in pool])
    order = np.lexsort((codes, dist))
    return [ds.kommuner[j] for j in pool[order[:n]]]


def comparison_table(code: str, n: int = 5, year: int = 2024,
                     dataset: Dataset | None = None) -> pd.DataFrame:
    """Per-capita emissions of a kommun, Sweden and similar kommuner (language-neutral).

    Parameters
    ----------
    code : str
        Kommun code or name.
    n : int, default 5
        Number of similar kommuner.
    year : int, default 2024
    dataset : Dataset, optional

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``code``, ``t_per_capita`` (t CO2e per inhabitant and year),
        ``highlight`` (True for the kommun) and ``kind`` ("kommun", "national" or
        "similar"); rows in that order. The national row has code "00" and name
        "Sverige"; a page may translate it from ``kind``.
    """
    ds = _dataset(dataset)
    k = _kommun(code, ds)
    rows = [(k.name, k.code, per_capita(k.code, year, ds), True, "kommun"),
            (NATIONAL_NAME, NATIONAL_CODE, national_per_capita(year, ds), False, "national")]
    rows += [(s.name, s.code, per_capita(s.code, year, ds), False, "similar")
             for s in similar_kommuner(k.code, n, year, ds)]
    out = pd.DataFrame(rows, columns=["name", "code", "t_per_capita", "highlight", "kind"])
    out["highlight"] = out["highlight"].astype(bool)
    return out
