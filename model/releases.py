"""SMHI releases stored side by side: manifests, the index and which release a link computes on.

Layout under ``data/``::

    releases/index.toml              default = "<id>" and the list of release ids
    releases/<id>/manifest.toml      one release: source, retrieval date, checksums, years, sectors
    releases/<id>/emissions_by_sector.csv   (a manifest may point elsewhere, see ``data_file``)

SMHI recalculates the whole series in every release, so a release is never spliced with another:
everything the engine reads for emissions (kommun sectors, national sectors, stated totals) comes
from the one release named. A data folder without ``releases/index.toml`` (an older checkout, a
test copy of the top-level CSV files) is read as the single release :data:`LEGACY_RELEASE`.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.csvio import DataValidationError

RELEASES = "releases"
INDEX = "index.toml"
MANIFEST = "manifest.toml"
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


@dataclass(frozen=True)
class Release:
    """One SMHI release as its manifest describes it.

    Attributes
    ----------
    id : str
        Release id, e.g. ``"smhi-2024"`` (lower case, digits and hyphens).
    last_year : int
        Last inventory year; the ``d`` a share link made on this release carries.
    years : tuple of int
        Inventory years the release holds.
    source : dict
        ``{"sv": ..., "en": ...}`` where the figures come from.
    retrieved : str
        ISO date the data were retrieved (see ``retrieved_note``).
    data_file : str
        Kommun x year x sector file, path relative to the data folder.
    sha256 : str
        SHA-256 of ``data_file`` (hex); checked on load.
    national_file : str or None
        SMHI's national sector rows of the same release, relative to the data folder.
    totals_label : str or None
        ``data_release`` value of this release's rows in ``emissions_totals.csv``.
    kommun_count : int
        Number of kommuner (290).
    sectors : tuple of str
        SMHI main sectors.
    imported : str
        How the release came into ``data/`` (command or hand extraction).
    extra : dict
        Every other manifest field, kept as read.
    """

    id: str
    last_year: int
    years: tuple[int, ...]
    source: dict[str, str]
    retrieved: str
    data_file: str
    sha256: str
    national_file: str | None = None
    national_sha256: str | None = None
    totals_label: str | None = None
    kommun_count: int = 290
    sectors: tuple[str, ...] = ()
    imported: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkRelease:
    """The release a share link's ``d`` resolves to.

    Attributes
    ----------
    release : Release
        The release to compute on.
    exact : bool
        True if ``d`` named this release (its last year or its id); False if ``d`` was missing or
        unknown and the latest release is used instead.
    is_default : bool
        True if ``release`` is the default (latest) release.
    """

    release: Release
    exact: bool
    is_default: bool


#: What a data folder without releases/index.toml holds: the release with data to 2024 in the
#: top-level files (the layout before releases were stored side by side). No checksum: such a
#: folder is a test copy or an older checkout whose files are edited on purpose.
LEGACY_RELEASE = Release(
    id="smhi-2024", last_year=2024, years=(1990, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024),
    source={"sv": "SMHI Nationella emissionsdatabasen, utgåva med data t.o.m. 2024",
            "en": "SMHI National Emissions Database, release with data up to 2024"},
    retrieved="2026-06-25", data_file="kommuner_emissions_by_sector.csv", sha256="",
    national_file="national_emissions_by_sector.csv", totals_label="SMHI release with data to 2024")


def sha256_of(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def valid_release_id(rid: str) -> bool:
    """True if ``rid`` is a usable release id (``[a-z0-9][a-z0-9-]*``, at most 40 characters)."""
    return bool(_ID.fullmatch(rid))


def _toml(path: Path, shown: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise DataValidationError(shown, None, "filen saknas (file missing)") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataValidationError(shown, None, f"kan inte läsas som TOML: {exc}") from exc


def _manifest(data_dir: Path, rid: str) -> Release:
    shown = f"{RELEASES}/{rid}/{MANIFEST}"
    m = _toml(data_dir / RELEASES / rid / MANIFEST, shown)
    try:
        if m["id"] != rid:
            raise DataValidationError(shown, None, f"id {m['id']!r} ≠ mappens namn {rid!r}")
        known = {"id", "last_year", "years", "source_sv", "source_en", "retrieved", "data_file", "sha256",
                 "national_file", "national_sha256", "totals_label", "kommun_count", "sectors", "imported"}
        return Release(
            id=rid, last_year=int(m["last_year"]), years=tuple(int(y) for y in m["years"]),
            source={"sv": str(m["source_sv"]), "en": str(m["source_en"])}, retrieved=str(m["retrieved"]),
            data_file=str(m["data_file"]), sha256=str(m["sha256"]),
            national_file=m.get("national_file"), national_sha256=m.get("national_sha256"),
            totals_label=m.get("totals_label"), kommun_count=int(m.get("kommun_count", 290)),
            sectors=tuple(m.get("sectors", ())), imported=str(m.get("imported", "")),
            extra={k: v for k, v in m.items() if k not in known})
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, DataValidationError):
            raise
        raise DataValidationError(shown, None, f"ofullständigt manifest: {exc!r}") from exc


def read_index(data_dir: Path) -> tuple[str, tuple[Release, ...]]:
    """The default release id and every release (oldest data first).

    Parameters
    ----------
    data_dir : pathlib.Path
        The data folder.

    Returns
    -------
    tuple
        ``(default_id, releases)``; a folder without ``releases/index.toml`` gives
        ``("smhi-2024", (LEGACY_RELEASE,))``.

    Raises
    ------
    DataValidationError
        If the index or a manifest is malformed, or the default is not listed.
    """
    path = data_dir / RELEASES / INDEX
    if not path.is_file():
        return LEGACY_RELEASE.id, (LEGACY_RELEASE,)
    shown = f"{RELEASES}/{INDEX}"
    idx = _toml(path, shown)
    ids = idx.get("releases")
    default = idx.get("default")
    if not isinstance(ids, list) or not all(isinstance(i, str) and valid_release_id(i) for i in ids):
        raise DataValidationError(shown, None, "releases måste vara en lista med utgåve-id")
    if default not in ids:
        raise DataValidationError(shown, None, f"standardutgåvan {default!r} finns inte i listan")
    rels = tuple(sorted((_manifest(data_dir, i) for i in ids), key=lambda r: (r.last_year, r.id)))
    return str(default), rels


def get_release(data_dir: Path, release: str | None = None) -> Release:
    """One release by id, or the default when ``release`` is None.

    Raises
    ------
    DataValidationError
        If no release has that id (the message lists the ones there are).
    """
    default, rels = read_index(data_dir)
    rid = default if release is None else release
    for r in rels:
        if r.id == rid:
            return r
    raise DataValidationError(f"{RELEASES}/{INDEX}", None,
                              f"okänd utgåva {str(rid)[:40]!r} (unknown release); finns: "
                              + ", ".join(r.id for r in rels))


def release_for_link(d: str | None, data_dir: Path) -> LinkRelease:
    """The release a share link with data field ``d`` computes on.

    Links carry the last inventory year of the release they were made on (``d=2024``); the
    release id (``d=smhi-2023``) is accepted too. A link without ``d`` or with a ``d`` no shipped
    release matches computes on the default release, with ``exact=False`` so the UI can say so.

    Parameters
    ----------
    d : str or None
        The link's ``d`` value as given.
    data_dir : pathlib.Path
        The data folder.
    """
    default, rels = read_index(data_dir)
    by_id = {r.id: r for r in rels}
    raw = (d or "").strip()
    match = by_id.get(raw)
    if match is None and raw.isdigit() and len(raw) == 4:
        # One release per last year is enforced on import, so this is unambiguous.
        match = next((r for r in rels if r.last_year == int(raw)), None)
    if match is None:
        return LinkRelease(by_id[default], exact=False, is_default=True)
    return LinkRelease(match, exact=True, is_default=match.id == default)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    s = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"'


def manifest_toml(rel: Release) -> str:
    """The ``manifest.toml`` text of a release (what :func:`read_index` reads back)."""
    fields: dict[str, Any] = {
        "id": rel.id, "last_year": rel.last_year, "years": list(rel.years),
        "source_sv": rel.source["sv"], "source_en": rel.source["en"], "retrieved": rel.retrieved,
        "data_file": rel.data_file, "sha256": rel.sha256, "kommun_count": rel.kommun_count,
        "sectors": list(rel.sectors), "imported": rel.imported}
    if rel.national_file:
        fields["national_file"] = rel.national_file
        fields["national_sha256"] = rel.national_sha256 or ""
    if rel.totals_label:
        fields["totals_label"] = rel.totals_label
    fields.update(rel.extra)
    head = f"# SMHI release {rel.id}: read by model/releases.py; data files are checked against sha256 on load.\n"
    return head + "".join(f"{k} = {_toml_value(v)}\n" for k, v in fields.items())


def index_toml(default: str, ids: list[str]) -> str:
    """The ``releases/index.toml`` text: the default release and every stored release id."""
    return ("# Stored SMHI releases; `default` is what the dashboard and new share links use (the latest).\n"
            f"default = {_toml_value(default)}\nreleases = {_toml_value(sorted(ids))}\n")
