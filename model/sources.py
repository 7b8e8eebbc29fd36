"""Machine-readable catalogue of the shipped data files in ``data/``.

Each entry condenses what ``data/PROVENANCE.md`` says about one file: who
produced the statistics, which release, where they were retrieved (repository
at a commit), which years they cover, the caveats a reader must know and what
is known about the licence. The entries are data, kept in ``model/sources.toml``
and loaded once at import. The "Data och metod" page, captions and exports
read this catalogue; nothing here is a number of its own.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from model.data import DATA_DIR

SOURCE_PREFIX = {"sv": "Källa", "en": "Source"}


@dataclass(frozen=True)
class Text:
    """A short text in Swedish and English."""

    sv: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` ("en" gives English, anything else Swedish)."""
        return self.en if str(lang).lower().startswith("en") else self.sv


@dataclass(frozen=True)
class DataSource:
    """Provenance of one shipped data file.

    Attributes
    ----------
    file : str
        File name inside ``data/``.
    title : Text
        What the file holds.
    producer : str
        Original producer of the statistics (SMHI, SCB, Trafikanalys, Klimatkollen, …).
    product : Text
        The producer's statistical product or publication.
    vintage : Text
        Release or version of the data.
    retrieval : tuple of str
        Where the data were read, ``owner/repo@commit path``; empty when rows name their own web source.
    years : tuple of int
        Calendar years in the file's ``year`` column; empty when it has none (see ``period``).
    coverage : Text
        Which areas the file covers.
    caveats : tuple of Text
        Short caveats, taken from ``data/PROVENANCE.md``.
    licence : Text
        What is known about the terms of use.
    period : Text or None
        Time coverage for files without a ``year`` column.
    per_row_source : bool
        True when the file has a ``source`` column naming each row's source.
    """

    file: str
    title: Text
    producer: str
    product: Text
    vintage: Text
    retrieval: tuple[str, ...]
    years: tuple[int, ...]
    coverage: Text
    caveats: tuple[Text, ...]
    licence: Text
    period: Text | None = None
    per_row_source: bool = False

    def years_label(self, lang: str = "sv") -> str:
        """Years covered, ranges compressed ("1990, 2000, 2020–2024"), or the period text."""
        if not self.years:
            return self.period.get(lang) if self.period else "–"
        return years_label(self.years)

    def caveat_text(self, lang: str = "sv", sep: str = " · ") -> str:
        """All caveats in one string."""
        return sep.join(c.get(lang) for c in self.caveats)


def years_label(years: tuple[int, ...] | list[int]) -> str:
    """Compress sorted years into ranges with an en dash: (2020, 2021, 2022) -> "2020–2022"."""
    parts: list[str] = []
    for _, run in groupby(enumerate(sorted({int(y) for y in years})), key=lambda iy: iy[1] - iy[0]):
        ys = [y for _, y in run]
        parts.append(f"{ys[0]}–{ys[-1]}" if len(ys) > 2 else ", ".join(map(str, ys)))
    return ", ".join(parts)


CATALOGUE_PATH = Path(__file__).with_name("sources.toml")


def _years(items: list[int | str]) -> tuple[int, ...]:
    """Years as written in the catalogue: integers and inclusive "first-last" ranges."""
    out: list[int] = []
    for item in items:
        if isinstance(item, str):
            first, last = item.split("-")
            out.extend(range(int(first), int(last) + 1))
        else:
            out.append(int(item))
    return tuple(out)


def load_catalogue(path: Path = CATALOGUE_PATH) -> tuple[dict[str, str], tuple[DataSource, ...]]:
    """Read ``model/sources.toml``: the repository references and the catalogue entries.

    Raises
    ------
    ValueError
        If an entry is incomplete or names a shared text or reference that does not exist.
    """
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    refs: dict[str, str] = dict(raw.get("refs", {}))
    shared: dict[str, dict[str, str]] = raw.get("text", {})

    def text(value: str | dict[str, str]) -> Text:
        entry = shared[value] if isinstance(value, str) else value
        return Text(entry["sv"], entry["en"])

    sources = []
    for n, e in enumerate(raw.get("source", []), start=1):
        try:
            sources.append(DataSource(
                file=e["file"], title=text(e["title"]), producer=e["producer"], product=text(e["product"]),
                vintage=text(e["vintage"]), retrieval=tuple(r.format(**refs) for r in e.get("retrieval", ())),
                years=_years(e.get("years", [])), coverage=text(e["coverage"]),
                caveats=tuple(text(c) for c in e["caveats"]), licence=text(e["licence"]),
                period=text(e["period"]) if "period" in e else None,
                per_row_source=bool(e.get("per_row_source", False))))
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"{path}: [[source]] {n} ({e.get('file', '?')}): {exc!r}") from exc
    return refs, tuple(sources)


_REFS, SOURCES = load_catalogue()
TDP_LATEST, TDP_PREV, TDP_HEAD = _REFS["TDP_LATEST"], _REFS["TDP_PREV"], _REFS["TDP_HEAD"]
KK_SUBSECTOR, KK_TRAFA = _REFS["KK_SUBSECTOR"], _REFS["KK_TRAFA"]
KK_BUDGET_2024, KK_BUDGET_2023 = _REFS["KK_BUDGET_2024"], _REFS["KK_BUDGET_2023"]
KK_POP_1950, KK_POP_2023, MDP_POP_2024 = _REFS["KK_POP_1950"], _REFS["KK_POP_2023"], _REFS["MDP_POP_2024"]

_BY_FILE: dict[str, DataSource] = {s.file: s for s in SOURCES}


def source_for(file: str) -> DataSource:
    """The catalogue entry of a data file.

    Parameters
    ----------
    file : str
        File name inside ``data/`` (a path is accepted; only its name is used).

    Raises
    ------
    KeyError
        If the file is not in the catalogue.
    """
    name = str(file).replace("\\", "/").rsplit("/", 1)[-1]
    if name not in _BY_FILE:
        raise KeyError(f"{name!r} finns inte i källkatalogen (not in the source catalogue)")
    return _BY_FILE[name]


def source_line(file: str, lang: str = "sv") -> str:
    """One-line attribution for a figure or table built from ``file``.

    Parameters
    ----------
    file : str
        File name inside ``data/``.
    lang : str, default "sv"
        "sv" or "en".

    Returns
    -------
    str
        e.g. "Källa: SMHI Nationella emissionsdatabasen, utgåva med data t.o.m. 2024".
    """
    src = source_for(file)
    code = "en" if str(lang).lower().startswith("en") else "sv"
    return f"{SOURCE_PREFIX[code]}: {src.producer} {src.product.get(code)}, {src.vintage.get(code)}"


def data_path(file: str) -> str:
    """Absolute path of a catalogued file in ``data/`` (KeyError if not catalogued)."""
    return str(DATA_DIR / source_for(file).file)
