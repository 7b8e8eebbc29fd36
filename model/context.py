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

from model.data import Dataset, Kommun, ModelInputError, load_dataset
from model.kommuner import find_kommun

#: Population band for "the same size class": 0.5–1.5 times the kommun's population.
SIZE_BAND = (0.5, 1.5)
#: Code and name of the national row; "00" is SCB's code for Riket (all of Sweden).
NATIONAL_CODE = "00"
NATIONAL_NAME = "Sverige"
#: Smallest pool to rank by profile; the biggest cities have fewer kommuner in their band.
MIN_POOL = 10



def _dataset(dataset: Dataset | None, release: str | None = None) -> Dataset:
    # An explicit dataset wins; otherwise the named release (the latest when None), whose own
    # national rows are the comparison: a release is never compared with another's Sweden.
    return dataset if dataset is not None else load_dataset(release=release)


def _year(ds: Dataset, year: int | None) -> int:
    return ds.last_year if year is None else year


def _year_index(ds: Dataset, year: int | None) -> int:
    year = _year(ds, year)
    if year not in ds.inventory_years:
        raise ModelInputError("model.bad_year", f"year={year!r}; allowed: {', '.join(map(str, ds.inventory_years))}",
                              value=year, allowed=", ".join(map(str, ds.inventory_years)))
    if year not in ds.population.columns:
        raise ModelInputError("model.no_population", f"year={year!r}: no population figures for that year",
                              value=year)
    return ds.inventory_years.index(year)


def _national(ds: Dataset, yi: int) -> float:
    if not ds.has_national:
        raise ModelInputError("model.no_national_rows",
                              f"release {ds.release} ships no national sector rows; no per-capita comparison "
                              "with Sweden", release=ds.release)
    return float(ds.national[yi].sum())


def _kommun(code: str, ds: Dataset) -> Kommun:
    # find_kommun accepts "0381", 381 or "Enköping" and raises UnknownKommunError
    # (a LookupError) with suggestions, which is what a caller wants to show.
    return find_kommun(code, ds)


def _populations(ds: Dataset, year: int) -> np.ndarray:
    """Population of every kommun on 31 Dec ``year`` (290,), in ``ds.kommuner`` order."""
    codes = [k.code for k in ds.kommuner]
    return ds.population.loc[codes, year].to_numpy(dtype=float)


def per_capita(code: str, year: int | None = None, dataset: Dataset | None = None,
               release: str | None = None) -> float:
    """Territorial emissions per inhabitant of one kommun.

    Parameters
    ----------
    code : str
        Kommun code ("0381") or name ("Enköping").
    year : int, optional
        An SMHI inventory year.
    dataset : Dataset, optional
        Defaults to the release named by ``release``.
    release : str, optional
        SMHI release id; the latest when None. ``year`` defaults to its last inventory year.

    Returns
    -------
    float
        t CO2e per inhabitant and year: SMHI total (all sectors) / SCB population on 31 Dec.

    Raises
    ------
    model.kommuner.UnknownKommunError
        Unknown code or name.
    model.data.ModelInputError
        ``year`` is not an inventory year (``model.bad_year``).
    """
    ds = _dataset(dataset, release)
    k = _kommun(code, ds)
    yi = _year_index(ds, year)
    total = float(ds.emissions[ds.index_of(k.code), yi].sum())
    # pandas types a .loc cell as any scalar; data.py has validated the population column as numbers.
    inhabitants = cast("float", ds.population.loc[k.code, _year(ds, year)])
    return total / float(inhabitants)


def national_per_capita(year: int | None = None, dataset: Dataset | None = None,
                        release: str | None = None) -> float:
    """Sweden's territorial emissions per inhabitant.

    The numerator is SMHI's national total (``Dataset.national``), the denominator
    the sum of SCB's population of all 290 kommuner on 31 Dec. The national total
    includes about 0.4 % (2024) that SMHI does not allocate to any kommun, so the
    national figure is slightly higher than the population-weighted mean of the
    kommuner; it is kept because it is the official total.

    Parameters
    ----------
    year : int, optional
        An SMHI inventory year.
    dataset : Dataset, optional
        Defaults to the release named by ``release``.
    release : str, optional
        SMHI release id; the latest when None. ``year`` defaults to its last inventory year.

    Returns
    -------
    float
        t CO2e per inhabitant and year.
    """
    ds = _dataset(dataset, release)
    yi = _year_index(ds, year)
    return _national(ds, yi) / float(_populations(ds, _year(ds, year)).sum())


def unallocated_share(year: int | None = None, dataset: Dataset | None = None,
                      release: str | None = None) -> float:
    """Fraction of SMHI's national total not allocated to any kommun (about 0.004 in 2024).

    Parameters
    ----------
    year : int, optional
    dataset : Dataset, optional
        Defaults to the release named by ``release``.
    release : str, optional
        SMHI release id; the latest when None. ``year`` defaults to its last inventory year.

    Returns
    -------
    float
        ``(national - sum of kommuner) / national``, a fraction.
    """
    ds = _dataset(dataset, release)
    yi = _year_index(ds, year)
    national = _national(ds, yi)
    return (national - float(ds.emissions[:, yi, :].sum())) / national


def _shares(ds: Dataset, yi: int) -> np.ndarray:
    """Sector shares of total emissions (290, 9); an all-zero kommun gets zeros."""
    em = ds.emissions[:, yi, :]
    tot = em.sum(axis=1, keepdims=True)
    shares: np.ndarray = np.divide(em, tot, out=np.zeros_like(em), where=tot > 0)
    return shares


def similar_kommuner(code: str, n: int = 5, year: int | None = None,
                     dataset: Dataset | None = None, release: str | None = None) -> list[Kommun]:
    """Kommuner of a similar kind: similar size first, then the most similar emission profile.

    Parameters
    ----------
    code : str
        Kommun code or name.
    n : int, default 5
        How many to return (at most 289).
    year : int, optional
        Year of the population and of the sector shares.
    dataset : Dataset, optional
        Defaults to the release named by ``release``.
    release : str, optional
        SMHI release id; the latest when None. ``year`` defaults to its last inventory year.

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
        raise ModelInputError("model.bad_count", f"n={n!r}; allowed: at least 1", value=n, min=1)
    ds = _dataset(dataset, release)
    k = _kommun(code, ds)
    yi = _year_index(ds, year)
    i = ds.index_of(k.code)
    pop = _populations(ds, _year(ds, year))
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


def comparison_table(code: str, n: int = 5, year: int | None = None,
                     dataset: Dataset | None = None, release: str | None = None) -> pd.DataFrame:
    """Per-capita emissions of a kommun, Sweden and similar kommuner (language-neutral).

    Parameters
    ----------
    code : str
        Kommun code or name.
    n : int, default 5
        Number of similar kommuner.
    year : int, optional
    dataset : Dataset, optional
        Defaults to the release named by ``release``.
    release : str, optional
        SMHI release id; the latest when None. ``year`` defaults to its last inventory year.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``code``, ``t_per_capita`` (t CO2e per inhabitant and year),
        ``highlight`` (True for the kommun) and ``kind`` ("kommun", "national" or
        "similar"); rows in that order. The national row has code "00" and name
        "Sverige"; a page may translate it from ``kind``.
    """
    ds = _dataset(dataset, release)
    k = _kommun(code, ds)
    rows = [(k.name, k.code, per_capita(k.code, year, ds), True, "kommun"),
            (NATIONAL_NAME, NATIONAL_CODE, national_per_capita(year, ds), False, "national")]
    rows += [(s.name, s.code, per_capita(s.code, year, ds), False, "similar")
             for s in similar_kommuner(k.code, n, year, ds)]
    out = pd.DataFrame(rows, columns=["name", "code", "t_per_capita", "highlight", "kind"])
    out["highlight"] = out["highlight"].astype(bool)
    return out
