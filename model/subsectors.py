"""SMHI's 2019 sub-sector emissions for every kommun, and how streams split a sector.

The only sub-sector release found is SMHI's county report of 2021-10-14 (data to
2019). Its shares *within* a sector split the latest release's sector totals into
streams; its absolute tonnes are never used (SMHI has recalculated since). A
kommun with no row, or a zero sector total in 2019, takes Sweden's 2019 split
(the release's national rows), and the caller is told which was used.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from model.csvio import DataValidationError, read_csv
from model.data import DATA_DIR, SECTORS
from model.registry import Registry, load_registry

SUBSECTOR_FILE = "subsectors_2019_smhi2021.csv"
SUBSECTOR_YEAR = 2019
#: Code of the national (Sweden) row in :data:`SUBSECTOR_FILE`.
NATIONAL_SPLIT = "00"
SUBSECTOR_SOURCE = {
    "sv": "SMHI Nationella emissionsdatabasen, Länsrapport 2021-10-14 (delsektorer, 2019), via Klimatkollen",
    "en": "SMHI National Emissions Database, county report 2021-10-14 (sub-sectors, 2019), via Klimatkollen",
}


@lru_cache(maxsize=2)
def load_subsectors(data_dir: Path | None = None) -> pd.DataFrame:
    """SMHI's 2019 sub-sector emissions, t CO2e (index kommun code, columns "sector|sub-sector").

    Row :data:`NATIONAL_SPLIT` is Sweden. "sector|Alla" columns are the sector totals.

    Raises
    ------
    DataValidationError
        File missing or unreadable, a column not "sector|sub-sector" of a known sector,
        a value that is not a non-negative number, or the national row missing.
    """
    name = SUBSECTOR_FILE
    df = read_csv(name, Path(data_dir) if data_dir is not None else DATA_DIR, ("kommun_code",))
    if "kommun_code" not in df.columns:
        raise DataValidationError(name, 1, "kolumnen kommun_code saknas")
    df = df.set_index("kommun_code")
    for col in df.columns:
        sector, sep, _ = str(col).partition("|")
        if not sep or sector not in SECTORS or f"{sector}|Alla" not in df.columns:
            raise DataValidationError(name, 1, f"okänd kolumn {col!r} (väntade 'sektor|delsektor')")
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() | (values < 0) | ~np.isfinite(values.fillna(0.0))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise DataValidationError(name, row, f"{col}: {df[col].iloc[row - 2]!r} är inte ett icke-negativt tal")
        df[col] = values.astype(float)
    if NATIONAL_SPLIT not in df.index:
        raise DataValidationError(name, None, f"raden för riket ({NATIONAL_SPLIT}) saknas")
    return df


def subsector_split(code: str) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """The kommun's 2019 sub-sector shares within each sector, and where they came from.

    Returns
    -------
    shares : dict
        Sector -> {sub-sector: share of the sector's 2019 total, fraction}.
    basis : dict
        Sector -> "kommun", or "national" when the kommun has no row or a zero sector
        total in 2019 (then Sweden's 2019 split is used: SMHI's national rows).
    """
    df = load_subsectors()
    cols = [str(c) for c in df.columns]
    rows = {str(k): i for i, k in enumerate(df.index)}
    arr = df.to_numpy(dtype=float)
    shares: dict[str, dict[str, float]] = {}
    basis: dict[str, str] = {}
    for sector in dict.fromkeys(c.partition("|")[0] for c in cols):
        ti = cols.index(f"{sector}|Alla")
        subs = [j for j, c in enumerate(cols) if c.startswith(sector + "|") and j != ti]
        own = code in rows and arr[rows[code], ti] > 0
        r = rows[code] if own else rows[NATIONAL_SPLIT]
        basis[sector] = "kommun" if own else "national"
        total = float(arr[r, ti])
        shares[sector] = {cols[j].partition("|")[2]: float(arr[r, j]) / total if total > 0 else 0.0 for j in subs}
    return shares, basis


def _matches(spec: str, subsector: str) -> bool:
    return any(key in subsector for key in spec.removeprefix("data:").split("|"))


def stream_subsectors(reg: Registry | None = None) -> dict[str, tuple[str, ...]]:
    """SMHI sub-sectors each stream covers (names as SMHI spells them); "all" covers the whole sector."""
    reg = reg or load_registry()
    cols = [str(c) for c in load_subsectors().columns if not str(c).endswith("|Alla")]
    out: dict[str, tuple[str, ...]] = {}
    for st in reg.streams:
        subs = [c.partition("|")[2] for c in cols if c.startswith(st.sector + "|")]
        if st.share == "all":
            out[st.id] = tuple(subs) or ("Alla",)
        elif st.share == "rest":
            others = [o.share for o in reg.streams if o.sector == st.sector and o.share.startswith("data:")]
            out[st.id] = tuple(s for s in subs if not any(_matches(o, s) for o in others))
        else:
            out[st.id] = tuple(s for s in subs if _matches(st.share, s))
    return out


def share_of(sector: str, spec: str, shares: dict[str, dict[str, float]]) -> float | None:
    """A stream's share of its sector for a ``share`` spec ("all" -> 1, "rest" -> None, "data:<keys>")."""
    if spec == "all":
        return 1.0
    if spec == "rest":
        return None
    return sum(v for k, v in shares.get(sector, {}).items() if _matches(spec, k))
