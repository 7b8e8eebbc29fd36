"""Load and validate the shipped statistics in ``data/``.

Everything the model knows about a kommun comes from here: the SMHI sector
inventory (any stored release, the latest by default; :mod:`model.releases`), SCB population, Klimatkollen's
indicators. Files are read once per process and validated on load
(:mod:`model.data_files` reads and checks each CSV); a broken file raises
:class:`DataValidationError` naming the file, the row and the problem. Look-up of a kommun
by code or name: :mod:`model.kommuner`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from model.csvio import DataValidationError
from model.csvio import read_csv as _read_csv
from model.csvio import require_columns as _require_columns
from model.releases import LinkRelease, Release, get_release, read_index, release_for_link

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: SMHI main sectors in the order used by every array in the model.
SECTORS: tuple[str, ...] = (
    "Transporter",
    "Jordbruk",
    "Arbetsmaskiner",
    "Produktanvändning (inkl. lösningsmedel)",
    "Avfall (inkl.avlopp)",
    "Egen uppvärmning av bostäder och lokaler",
    "El och fjärrvärme",
    "Industri (energi + processer)",
    "Utrikes transporter",
)
N_KOMMUNER = 290
#: Tolerance for "sector sums equal totals" (t); the source rounds to 0.01 t per sector.
SUM_TOLERANCE_T = 1.0

EMISSIONS_SOURCE = {
    "sv": "SMHI Nationella emissionsdatabasen, utgåva med data t.o.m. 2024 (växthusgaser totalt, "
          "exkl. LULUCF), via Klimatkollen (Klimatbyran/territorial-data-pipeline@758ceb0)",
    "en": "SMHI National Emissions Database, release with data up to 2024 (total greenhouse gases, "
          "excl. LULUCF), via Klimatkollen (Klimatbyran/territorial-data-pipeline@758ceb0)",
}
POPULATION_SOURCE = {
    "sv": "SCB, folkmängd 31 december (1950–2025)",
    "en": "Statistics Sweden (SCB), population on 31 December (1950–2025)",
}


class ModelInputError(ValueError):
    """A model input outside what the model accepts (horizon, policy, release, year).

    The UI words the error from ``key`` and ``params`` (ui/text/locales/links.*.toml); the
    exception's own text is an English default for logs and the command line.

    Attributes
    ----------
    key : str
        Message key, ``"model.<kind>"``.
    params : dict
        The key's parameters: the value found and what is allowed (plain values).
    """

    def __init__(self, key: str, message: str, **params: object) -> None:
        self.key, self.params = key, dict(params)
        super().__init__(message)


@dataclass(frozen=True)
class Kommun:
    """A Swedish kommun as listed by SCB (2023 division)."""

    code: str
    name: str
    lan: str


@dataclass(frozen=True, eq=False)
class Dataset:
    """All statistics the model uses, validated.

    Attributes
    ----------
    kommuner : tuple of Kommun
        The 290 kommuner, sorted by code.
    inventory_years : tuple of int
        Years in the SMHI release (1990, 2000, 2005, 2010, 2015, 2020–2024).
    emissions : numpy.ndarray
        Shape (290, n_years, 9), t CO2e per year, kommuner in ``kommuner`` order,
        sectors in :data:`SECTORS` order.
    national : numpy.ndarray
        Shape (n_years, 9), t CO2e per year for Sweden (SMHI's Län = Alla rows).
    population : pandas.DataFrame
        Index kommun code, columns years 1950–2025, persons on 31 December.
    indicators : pandas.DataFrame
        Long table of Klimatkollen indicators (kommun_code, indicator, value, unit, year_or_period).
    """

    kommuner: tuple[Kommun, ...]
    inventory_years: tuple[int, ...]
    emissions: np.ndarray
    national: np.ndarray
    population: pd.DataFrame
    indicators: pd.DataFrame
    release: str = "smhi-2024"

    @property
    def has_national(self) -> bool:
        """True if the release ships SMHI's national sector rows (else :attr:`national` is NaN)."""
        return bool(np.isfinite(self.national).all())

    @property
    def last_year(self) -> int:
        """Last inventory year (int)."""
        return self.inventory_years[-1]

    def index_of(self, code: str) -> int:
        """Position of a kommun code in :attr:`kommuner`."""
        return _code_index(self)[code]


@lru_cache(maxsize=8)
def load_dataset(data_dir: Path | None = None, release: str | None = None) -> Dataset:
    """Read and validate every file the model needs for one SMHI release (cached per release).

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        Folder with the CSV files; defaults to the project's ``data/``.
    release : str, optional
        Release id (e.g. ``"smhi-2023"``, see :func:`list_releases`); the default (latest)
        release when None.

    Returns
    -------
    Dataset
        Emissions in t CO2e per year from that release only; population and indicators are
        shared by all releases.

    Raises
    ------
    DataValidationError
        If a file is missing or malformed or the release is unknown; the message names file,
        row and problem.
    """
    data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
    # The default and its explicit id share one Dataset object (callers cache on its identity).
    return _load_release(data_dir, get_release(data_dir, release).id)


@lru_cache(maxsize=8)
def _load_release(data_dir: Path, rid: str) -> Dataset:
    # Imported here: model.data_files builds this module's Kommun and reads its SECTORS.
    from model.data_files import check_sha, check_totals, load_emissions, load_national, load_population

    rel = get_release(data_dir, rid)
    check_sha(data_dir, rel.data_file, rel.sha256)
    kommuner, years, arr = load_emissions(data_dir, rel.data_file)
    if years != rel.years:
        raise DataValidationError(rel.data_file, None,
                                  f"åren {years} stämmer inte med manifestets {rel.years}")
    if rel.totals_label:
        check_totals(data_dir, kommuner, years, arr, rel.totals_label)
    if rel.national_file:
        check_sha(data_dir, rel.national_file, rel.national_sha256)
        national = load_national(data_dir, years, rel.national_file)
    else:
        # Never filled from another release (SMHI recalculates every year): NaN says "not shipped".
        national = np.full((len(years), len(SECTORS)), np.nan)
    population = load_population(data_dir, kommuner)
    ind = _read_csv("kommuner_indicators.csv", data_dir, ("kommun_code", "indicator", "unit",
                                                         "year_or_period", "value"))
    _require_columns(ind, "kommuner_indicators.csv", ("kommun_code", "indicator", "value"))
    arr.setflags(write=False)
    national.setflags(write=False)
    return Dataset(kommuner, years, arr, national, population, ind, rel.id)


def load_release(release: str, data_dir: Path | None = None) -> Dataset:
    """The dataset of one release by id (same as ``load_dataset(data_dir, release)``)."""
    return load_dataset(data_dir, release)


def list_releases(data_dir: Path | None = None) -> tuple[Release, ...]:
    """Every stored release with its manifest, oldest data first."""
    return read_index(Path(data_dir) if data_dir is not None else DATA_DIR)[1]


def default_release(data_dir: Path | None = None) -> Release:
    """The default (latest) release."""
    return get_release(Path(data_dir) if data_dir is not None else DATA_DIR)


def release_of_link(d: str | None, data_dir: Path | None = None) -> LinkRelease:
    """The release a share link with data field ``d`` (``"2023"`` or ``"smhi-2023"``) computes on.

    See :func:`model.releases.release_for_link`; ``d=2024`` gives the latest shipped release and
    ``d=2023`` the previous one, so a link reproduces the figures it was made with.
    """
    return release_for_link(d, Path(data_dir) if data_dir is not None else DATA_DIR)


@lru_cache(maxsize=8)
def _code_index(ds: Dataset) -> dict[str, int]:
    return {k.code: i for i, k in enumerate(ds.kommuner)}


def inventory(code: str, dataset: Dataset | None = None) -> pd.DataFrame:
    """SMHI inventory of one kommun.

    Returns
    -------
    pandas.DataFrame
        Index inventory year, columns :data:`SECTORS`, t CO2e per year.
    """
    ds = dataset or load_dataset()
    return pd.DataFrame(ds.emissions[ds.index_of(code)], index=list(ds.inventory_years),
                        columns=list(SECTORS))


def indicator(code: str, name: str, dataset: Dataset | None = None) -> float | None:
    """One Klimatkollen indicator value for a kommun, or None when missing/empty."""
    ds = dataset or load_dataset()
    rows = ds.indicators[(ds.indicators["kommun_code"] == code) & (ds.indicators["indicator"] == name)]
    if rows.empty:
        return None
    val = pd.to_numeric(rows["value"].iloc[0], errors="coerce")
    return None if pd.isna(val) else float(val)
