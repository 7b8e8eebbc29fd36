"""How a new SMHI release revises the years an older release also holds.

SMHI recalculates the whole series in every release, so the same kommun, sector and year can
differ between releases. The report lists, per kommun and sector, the year with the largest
revision (new minus old, t CO2e and percent of the old value), largest first, and a summary.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.data import SECTORS, Dataset


@dataclass(frozen=True)
class RevisionReport:
    """Revisions between two releases.

    Attributes
    ----------
    old_release, new_release : str
        Release ids.
    years : tuple of int
        Years both releases hold (the only ones compared).
    table : pandas.DataFrame
        One row per kommun and sector: ``kommun_code, kommun, sector, year`` (the year of the
        largest absolute revision), ``old_t, new_t, change_t`` (t CO2e per year), ``change_pct``
        (% of ``old_t``; NaN where ``old_t`` is 0), ``sum_abs_change_t`` (over all common years).
        Sorted by ``abs(change_t)``, largest first.
    total_old_t, total_new_t : dict of int to float
        Sum over all kommuner and sectors per common year, t CO2e.
    """

    old_release: str
    new_release: str
    years: tuple[int, ...]
    table: pd.DataFrame
    total_old_t: dict[int, float]
    total_new_t: dict[int, float]


def revision_report(old: Dataset, new_rows: pd.DataFrame, new_release: str) -> RevisionReport:
    """Compare a release (long rows ``kommun_code, year, sector, tonnes_co2e``) with ``old``.

    Parameters
    ----------
    old : Dataset
        The release to compare against (normally the current default).
    new_rows : pandas.DataFrame
        The new release, t CO2e per year.
    new_release : str
        Its id, for the report.
    """
    years = tuple(y for y in old.inventory_years if y in set(new_rows["year"]))
    codes = [k.code for k in old.kommuner]
    new = (new_rows[new_rows["year"].isin(years)]
           .pivot_table(index=["kommun_code", "year"], columns="sector", values="tonnes_co2e", aggfunc="first")
           .reindex(pd.MultiIndex.from_product([codes, years]))[list(SECTORS)].to_numpy()
           .reshape(len(codes), len(years), len(SECTORS)))
    yi = [old.inventory_years.index(y) for y in years]
    before = old.emissions[:, yi, :]
    diff = new - before
    pick = np.nanargmax(np.abs(diff), axis=1)  # (kommun, sector): index of the year with the largest revision
    k_i, s_i = np.meshgrid(np.arange(len(codes)), np.arange(len(SECTORS)), indexing="ij")
    o, n = before[k_i, pick, s_i], new[k_i, pick, s_i]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(o != 0, (n - o) / o * 100.0, np.nan)
    table = pd.DataFrame({
        "kommun_code": np.repeat(codes, len(SECTORS)),
        "kommun": np.repeat([k.name for k in old.kommuner], len(SECTORS)),
        "sector": np.tile(SECTORS, len(codes)),
        "year": np.array(years)[pick].ravel(),
        "old_t": o.ravel(), "new_t": n.ravel(), "change_t": (n - o).ravel(), "change_pct": pct.ravel(),
        "sum_abs_change_t": np.nansum(np.abs(diff), axis=1).ravel()})
    table = table.reindex(table["change_t"].abs().sort_values(ascending=False, kind="stable").index)
    return RevisionReport(old.release, new_release, years, table.reset_index(drop=True),
                          {y: float(before[:, i].sum()) for i, y in enumerate(years)},
                          {y: float(np.nansum(new[:, i])) for i, y in enumerate(years)})


def _num(v: float, lang: str, decimals: int = 0) -> str:
    s = f"{v:,.{decimals}f}"
    if lang == "en":
        return s
    return s.replace(",", "\u00a0").replace(".", ",").replace("-", "−")


def _signed(v: float, lang: str, decimals: int = 0) -> str:
    return ("+" if v > 0 else "") + _num(v, lang, decimals)


def _pct(v: float, lang: str) -> str:
    if not np.isfinite(v):
        return "–"
    return _signed(v, lang, 1) + ("\u00a0%" if lang != "en" else "%")


def format_report(rep: RevisionReport, lang: str = "sv", top: int = 20) -> str:
    """The report as text lines: header, the ``top`` largest revisions, a summary line.

    Swedish (default) writes "1 234,5" and "−3,2 %"; English "1,234.5" and "-3.2%". Units: t CO2e per year.
    """
    en = lang == "en"
    yrs = ", ".join(str(y) for y in rep.years)
    lines = [(f"Revisions {rep.old_release} -> {rep.new_release} (years both hold: {yrs}; t CO2e/yr; "
              "per kommun and sector the year with the largest revision)") if en else
             (f"Revideringar {rep.old_release} -> {rep.new_release} (år som båda har: {yrs}; t CO2e/år; "
              "per kommun och sektor året med störst revidering)")]
    head = rep.table.head(top)
    figures = head[["old_t", "new_t", "change_t", "change_pct"]].to_numpy(dtype=float).tolist()
    for r, (old_t, new_t, change_t, change_pct) in zip(head.itertuples(index=False), figures, strict=True):
        lines.append(f"{r.kommun} ({r.kommun_code}) · {r.sector} · {r.year}: {_num(old_t, lang)} -> "
                     f"{_num(new_t, lang)} t ({_signed(change_t, lang)} t, {_pct(change_pct, lang)})")
    t = rep.table
    moved = int((t["sum_abs_change_t"] > 1.0).sum())
    y = rep.years[-1] if rep.years else None
    if y is None:
        return "\n".join(lines + ["No common years." if en else "Inga gemensamma år."])
    o, n = rep.total_old_t[y], rep.total_new_t[y]
    pct = (n - o) / o * 100 if o else float("nan")
    lines.append(
        (f"Summary: {moved} of {len(t)} kommun-sector pairs revised by more than 1 t in some year; all kommuner "
         f"{y}: {_num(o, lang)} -> {_num(n, lang)} t ({_pct(pct, lang)}).") if en else
        (f"Sammanfattning: {_num(moved, lang)} av {_num(len(t), lang)} par av kommun och sektor "
         "reviderade med mer än 1 t "
         f"något år; alla kommuner {y}: {_num(o, lang)} -> {_num(n, lang)} t ({_pct(pct, lang)})."))
    return "\n".join(lines)
