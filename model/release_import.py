"""Validate a parsed release and write it into ``data/releases/`` atomically.

The checks (each error names the file line and the problem): known sectors and kommun codes
(the 290 of the current default release), no negative values, no duplicate rows, every kommun
with the same years and all 9 sectors (a different year set for some kommuner is what two
releases spliced together look like), and sector sums equal to the file's own totals where it
has them. Writing goes to a temporary folder beside the target, which is renamed into place only
when everything is written and the new release loads; a bad file changes nothing on disk.
"""
from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from model.data import N_KOMMUNER, SECTORS, SUM_TOLERANCE_T, Kommun, load_dataset
from model.releases import (
    INDEX,
    MANIFEST,
    RELEASES,
    Release,
    index_toml,
    manifest_toml,
    read_index,
    sha256_of,
    valid_release_id,
)
from model.smhi_import import COLUMNS, ImportFileError, ParsedRelease

DATA_NAME = "emissions_by_sector.csv"
NATIONAL_NAME = "national_emissions_by_sector.csv"


@dataclass(frozen=True)
class CheckedRelease:
    """A release that passed every check: tidy rows sorted by code, year, sector (t CO2e)."""

    rows: pd.DataFrame
    national: pd.DataFrame | None
    years: tuple[int, ...]
    parsed: ParsedRelease


def _fail(file: str, line: object, sv: str, en: str) -> ImportFileError:
    return ImportFileError(file, None if line is None else int(line), sv, en)  # type: ignore[call-overload]


def validate(parsed: ParsedRelease, file: str, kommuner: tuple[Kommun, ...]) -> CheckedRelease:
    """Run every whole-table check on a parsed file.

    Parameters
    ----------
    parsed : ParsedRelease
        From :func:`model.smhi_import.read_release_file`.
    file : str
        File name for messages.
    kommuner : tuple of Kommun
        The known kommuner (codes, names, län).

    Raises
    ------
    ImportFileError
        On the first problem, naming its line.
    """
    df = parsed.rows
    unknown = ~df["sector"].isin(SECTORS)
    if unknown.any():
        r = df[unknown].iloc[0]
        raise _fail(file, r["line"], f"okänd sektor {r['sector']!r}", f"unknown sector {r['sector']!r}")
    neg = df["tonnes_co2e"] < 0
    if neg.any():
        r = df[neg].iloc[0]
        raise _fail(file, r["line"], f"negativt utsläpp {r['tonnes_co2e']} t ({r['kommun']} {r['year']} {r['sector']})",
                    f"negative emission {r['tonnes_co2e']} t ({r['kommun']} {r['year']} {r['sector']})")
    df = df[~df["subsector"]].copy()
    by_code = {k.code: k for k in kommuner}
    by_name = {k.name: k for k in kommuner}
    if (df["kommun_code"] == "").all():  # formats that name kommuner only
        miss = ~df["kommun"].isin(by_name)
        if miss.any():
            r = df[miss].iloc[0]
            raise _fail(file, r["line"], f"okänd kommun {r['kommun']!r}", f"unknown kommun {r['kommun']!r}")
        df["kommun_code"] = df["kommun"].map(lambda n: by_name[n].code)
    bad = ~df["kommun_code"].isin(by_code)
    if bad.any():
        r = df[bad].iloc[0]
        raise _fail(file, r["line"], f"okänd kommunkod {r['kommun_code']!r}",
                    f"unknown kommun code {r['kommun_code']!r}")
    name_ok = df["kommun"] == df["kommun_code"].map(lambda c: by_code[c].name)
    lan_ok = (df["lan"] == "") | (df["lan"] == df["kommun_code"].map(lambda c: by_code[c].lan))
    if not (name_ok & lan_ok).all():
        r = df[~(name_ok & lan_ok)].iloc[0]
        k = by_code[r["kommun_code"]]
        raise _fail(file, r["line"],
                    f"{r['kommun_code']} är {k.name} i {k.lan}, filen säger {r['kommun']} i {r['lan']}",
                    f"{r['kommun_code']} is {k.name} in {k.lan}, the file says {r['kommun']} in {r['lan']}")
    key = ["kommun_code", "year", "sector"]
    dup = df.duplicated(key, keep="first")
    if dup.any():
        r = df[dup].iloc[0]
        first = df[(df[key] == r[key]).all(axis=1)]["line"].iloc[0]
        raise _fail(file, r["line"],
                    f"dubblerad rad: {r['kommun']} {r['year']} {r['sector']} finns redan på rad {first}",
                    f"duplicate row: {r['kommun']} {r['year']} {r['sector']} already on line {first}")
    years_of = pd.Series({code: tuple(sorted(set(g.tolist()))) for code, g in df.groupby("kommun_code")["year"]},
                         dtype=object)
    common = years_of.mode().iloc[0]
    odd = years_of[years_of != common]
    if len(odd):
        code = odd.index[0]
        mine = df[df["kommun_code"] == code]
        extra = mine[~mine["year"].isin(common)]
        # A year the others lack: its first row; years missing: the kommun's last row.
        r = extra.iloc[0] if len(extra) else mine.iloc[-1]
        raise _fail(file, r["line"], f"{by_code[code].name} har åren {odd.iloc[0]}, övriga {common}: "
                    "två utgåvor hopslagna eller en trunkerad fil",
                    f"{by_code[code].name} has years {odd.iloc[0]}, the others {common}: "
                    "two releases spliced or a truncated file")
    missing = sorted(set(by_code) - set(df["kommun_code"]))
    if missing:
        names = ", ".join(f"{by_code[c].name} ({c})" for c in missing[:3])
        raise _fail(file, None, f"{len(missing)} av {N_KOMMUNER} kommuner saknas: {names}",
                    f"{len(missing)} of {N_KOMMUNER} kommuner missing: {names}")
    per = df.groupby(["kommun_code", "year"])["sector"].nunique()
    if (per != len(SECTORS)).any():
        code, year = per[per != len(SECTORS)].index[0]
        r = df[(df["kommun_code"] == code) & (df["year"] == year)].iloc[-1]
        raise _fail(file, r["line"], f"{by_code[code].name} {year}: {per[(code, year)]} av 9 sektorer",
                    f"{by_code[code].name} {year}: {per[(code, year)]} of 9 sectors")
    if parsed.totals is not None:
        _check_sums(df, parsed.totals, file)
    df["kommun"] = df["kommun_code"].map(lambda c: by_code[c].name)
    df["lan"] = df["kommun_code"].map(lambda c: by_code[c].lan)
    rows = df.sort_values(key).reset_index(drop=True)[list(COLUMNS)]
    return CheckedRelease(rows, parsed.national, tuple(int(y) for y in common), parsed)


def _check_sums(df: pd.DataFrame, totals: pd.DataFrame, file: str) -> None:
    sums = df.groupby(["kommun", "year"])["tonnes_co2e"].sum()
    for rec in totals.itertuples(index=False):
        s = sums.get((rec.kommun, rec.year))
        if s is None:
            raise _fail(file, rec.line, f"totalrad för {rec.kommun} {rec.year} utan sektorrader",
                        f"total row for {rec.kommun} {rec.year} without sector rows")
        if abs(s - rec.tonnes) > SUM_TOLERANCE_T:
            raise _fail(file, rec.line, f"{rec.kommun} {rec.year}: sektorsumman {s:.2f} t ≠ totalen {rec.tonnes:.2f} t",
                        f"{rec.kommun} {rec.year}: sector sum {s:.2f} t ≠ total {rec.tonnes:.2f} t")


def _fmt(v: float) -> str:
    return repr(round(float(v), 6))


def write_release(checked: CheckedRelease, data_dir: Path, release_id: str, source: Path,
                  retrieved: str | None = None) -> Release:
    """Write a checked release into ``data_dir/releases/<release_id>`` and list it in the index.

    The release becomes the default if its last year is later than the current default's.
    Nothing is changed on disk if anything fails before the final rename.

    Raises
    ------
    ImportFileError
        If the id is invalid or taken, or a release with the same last year exists (links name a
        release by its last year, so two would be ambiguous).
    """
    shown = source.name
    default, rels = read_index(data_dir)
    last = checked.years[-1]
    if not valid_release_id(release_id):
        raise _fail(shown, None, f"ogiltigt utgåve-id {release_id[:40]!r} (a–z, 0–9, -)",
                    f"invalid release id {release_id[:40]!r}")
    if any(r.id == release_id for r in rels) or (data_dir / RELEASES / release_id).exists():
        raise _fail(shown, None, f"utgåvan {release_id} finns redan", f"release {release_id} already exists")
    if (same := next((r for r in rels if r.last_year == last), None)) is not None:
        raise _fail(shown, None, f"utgåvan {same.id} har redan data t.o.m. {last}; länkar anger utgåvan med sitt "
                    "sista år, så två sådana vore tvetydiga",
                    f"release {same.id} already has data up to {last}; links name a release by its last year, "
                    "so two would be ambiguous")
    parsed = checked.parsed
    root = data_dir / RELEASES
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{release_id}-", dir=root))
    try:
        rows = checked.rows.assign(tonnes_co2e=checked.rows["tonnes_co2e"].map(_fmt))
        rows.to_csv(tmp / DATA_NAME, index=False, lineterminator="\n")
        rel = Release(
            id=release_id, last_year=last, years=checked.years,
            source={"sv": f"SMHI Nationella emissionsdatabasen, utgåva med data t.o.m. {last}, importerad från {shown}"
                          + (f" ({parsed.meta['report']})" if parsed.meta.get("report") else ""),
                    "en": f"SMHI National Emissions Database, release with data up to {last}, imported from {shown}"
                          + (f" ({parsed.meta['report']})" if parsed.meta.get("report") else "")},
            retrieved=retrieved or datetime.date.today().isoformat(),
            data_file=f"{RELEASES}/{release_id}/{DATA_NAME}", sha256=sha256_of(tmp / DATA_NAME),
            kommun_count=N_KOMMUNER, sectors=tuple(sorted(SECTORS)),
            imported=f"python -m model data import {shown} ({parsed.fmt} format)",
            extra={"source_file_sha256": sha256_of(source), "source_format": parsed.fmt,
                   "notes": "; ".join(parsed.notes) or "none", **{f"file_{k}": v for k, v in parsed.meta.items()}})
        nat = checked.national
        if nat is not None and set(nat["year"]) == set(checked.years) and set(nat["sector"]) == set(SECTORS):
            nat = nat.sort_values(["year", "sector"])
            pd.DataFrame({"area_code": "SE", "area": "Sverige (riket)", "year": nat["year"], "sector": nat["sector"],
                          "tonnes_co2e": nat["tonnes_co2e"].map(_fmt)}).to_csv(
                tmp / NATIONAL_NAME, index=False, lineterminator="\n")
            rel = replace(rel, national_file=f"{RELEASES}/{release_id}/{NATIONAL_NAME}",
                          national_sha256=sha256_of(tmp / NATIONAL_NAME))
        (tmp / MANIFEST).write_text(manifest_toml(rel), encoding="utf-8")
        final = root / release_id
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        new_default = release_id if last > next(r.last_year for r in rels if r.id == default) else default
        idx_tmp = root / f".{INDEX}.tmp"
        idx_tmp.write_text(index_toml(new_default, [r.id for r in rels] + [release_id]), encoding="utf-8")
        if not (root / INDEX).exists() and data_dir.joinpath(rels[0].data_file).is_file():
            # A folder in the old single-release layout gets its first manifest so it stays listed.
            (root / rels[0].id).mkdir(exist_ok=True)
            (root / rels[0].id / MANIFEST).write_text(manifest_toml(rels[0]), encoding="utf-8")
        os.replace(idx_tmp, root / INDEX)
        load_dataset.cache_clear()
        load_dataset(data_dir, release_id)  # the new release must load like every shipped one
    except BaseException:
        _undo(data_dir, release_id, default, rels)
        raise
    return rel


def _undo(data_dir: Path, release_id: str, default: str, rels: tuple[Release, ...]) -> None:
    root = data_dir / RELEASES
    shutil.rmtree(root / release_id, ignore_errors=True)
    if (root / INDEX).exists():
        (root / INDEX).write_text(index_toml(default, [r.id for r in rels]), encoding="utf-8")
    load_dataset.cache_clear()


def provenance_paragraph(rel: Release, source: Path, checked: CheckedRelease) -> str:
    """The paragraph :func:`model.__main__` appends to ``data/PROVENANCE.md`` for an imported release."""
    notes = "; ".join(checked.parsed.notes) or "none"
    years = ", ".join(str(y) for y in checked.years)
    return (f"\n### Release `{rel.id}` (imported {rel.retrieved})\n"
            f"- Source file: `{source.name}` ({checked.parsed.fmt} format, sha256 `{rel.extra['source_file_sha256']}`)"
            + (f", headed \"{checked.parsed.meta['report']}\"" if checked.parsed.meta.get("report") else "") + ".\n"
            f"- Imported with `{rel.imported}` into `data/{rel.data_file}` (sha256 `{rel.sha256}`): "
            f"{len(checked.rows)} rows, {N_KOMMUNER} kommuner, 9 main sectors, years {years}, t CO2e per year.\n"
            "- Checked on import: known kommun codes and sectors, no negative values, no duplicate rows, "
            "the same years "
            f"for every kommun, sector sums against the file's own totals where it has them. Not imported: {notes}.\n"
            f"- National rows: {'`data/' + rel.national_file + '`' if rel.national_file else 'none in the file'}. "
            "Never splice this release with another (SMHI recalculates the whole series in every release).\n")
