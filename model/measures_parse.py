"""Own measures from raw input: one measure's table, and a list of them, validated.

:func:`measure_from_dict` validates one measure mapping (a ``[[measure]]`` table of a scenario file or a
kommun profile, a JSON row of a share link or the database, the editor's form) into a
:class:`model.measures.OwnMeasure` with the field validators of :mod:`model.measures`;
:func:`check_measure_list` bounds a list of them. Every error is a :class:`model.measures.MeasureError`;
the inverse mapping is :func:`model.measures.measure_to_dict`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from model.data import SECTORS, load_dataset
from model.measures import (
    MAX_COST_SEK_PER_T,
    MAX_EFFECT_T,
    MAX_ID_CHARS,
    MAX_MEASURES,
    MAX_NAME_CHARS,
    MAX_YEAR,
    UNITS,
    MeasureError,
    OwnMeasure,
    number_field,
    pair_field,
    source_field,
    texts_field,
    year_field,
)
from model.registry import ACTORS, RAMP_SHAPES, load_registry

MEASURE_KEYS = {"id", "name", "stream", "sector", "unit", "effect", "start", "full", "shape", "actor",
                "cost_sek_per_t", "uncertainty", "source"}
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}", re.ASCII)


def actor_ids() -> tuple[str, ...]:
    """Actor ids of the registry (the registry object's own list once it has one)."""
    return tuple(getattr(load_registry(), "actors", None) or ACTORS)


@lru_cache(maxsize=1)
def first_year() -> int:
    """The earliest start year: the last inventory year (earlier effects are in SMHI's figures)."""
    return int(load_dataset().last_year)


def measure_from_dict(raw: Any, where: str = "measure", streams: Iterable[str] | None = None) -> OwnMeasure:
    """Validate one measure mapping (as read from TOML) into an :class:`OwnMeasure`.

    Parameters
    ----------
    raw : mapping
        The measure's fields (see :data:`MEASURE_KEYS`).
    where : str
        Field path prefix for errors, e.g. ``"measure[2]"``.
    streams : iterable of str, optional
        Valid stream ids; the registry's by default.

    Raises
    ------
    MeasureError
        Naming the field, the value and what is allowed.
    """
    if not isinstance(raw, dict):
        raise MeasureError(where, raw, "not_table")
    if extra := set(raw) - MEASURE_KEYS:
        raise MeasureError(f"{where}.{sorted(map(str, extra))[0]}", None, "unknown_key",
                           allowed=", ".join(sorted(MEASURE_KEYS)))
    for key in ("id", "name", "unit", "effect", "start", "full", "actor", "source"):
        if key not in raw:
            raise MeasureError(f"{where}.{key}", None, "missing")
    mid = raw["id"]
    if not isinstance(mid, str) or not _ID.fullmatch(mid):
        raise MeasureError(f"{where}.id", mid, "id", max=MAX_ID_CHARS)
    name_sv, name_en = texts_field(f"{where}.name", raw["name"], MAX_NAME_CHARS)
    stream, sector = raw.get("stream"), raw.get("sector")
    if (stream is None) == (sector is None):
        raise MeasureError(f"{where}.stream", stream, "target")
    stream_ids = tuple(streams) if streams is not None else load_registry().stream_ids
    if stream is not None and stream not in stream_ids:
        raise MeasureError(f"{where}.stream", stream, "unknown_stream", allowed=", ".join(stream_ids))
    if sector is not None and sector not in SECTORS:
        raise MeasureError(f"{where}.sector", sector, "unknown_sector", allowed=", ".join(SECTORS))
    unit = raw["unit"]
    if unit not in UNITS:
        raise MeasureError(f"{where}.unit", unit, "choice", allowed=", ".join(UNITS))
    effect = (number_field(f"{where}.effect", raw["effect"], 0, 100, "%") if unit == "pct"
              else number_field(f"{where}.effect", raw["effect"], 0, MAX_EFFECT_T, "t CO2e/år"))
    start = year_field(f"{where}.start", raw["start"], first_year(), MAX_YEAR)
    full = year_field(f"{where}.full", raw["full"], first_year(), MAX_YEAR)
    if start > full:
        raise MeasureError(f"{where}.start", start, "start_after_full", full=full)
    shape = raw.get("shape", "linear")
    if shape not in RAMP_SHAPES:
        raise MeasureError(f"{where}.shape", shape, "choice", allowed=", ".join(RAMP_SHAPES))
    actors = actor_ids()
    if raw["actor"] not in actors:
        raise MeasureError(f"{where}.actor", raw["actor"], "unknown_actor", allowed=", ".join(actors))
    cost = raw.get("cost_sek_per_t")
    cost_pair = None if cost is None else pair_field(f"{where}.cost_sek_per_t", cost, 0, MAX_COST_SEK_PER_T)
    unc = pair_field(f"{where}.uncertainty", raw.get("uncertainty", [1.0, 1.0]), 0.0, 3.0, mid=1.0)
    return OwnMeasure(mid, name_sv, name_en, stream, sector, unit, effect, start, full, shape, raw["actor"],
                      source_field(f"{where}.source", raw["source"]), cost_pair, unc)


def check_measure_list(measures: Sequence[OwnMeasure], where: str = "measure") -> None:
    """Raise MeasureError when there are more than :data:`MAX_MEASURES` or an id repeats."""
    if len(measures) > MAX_MEASURES:
        raise MeasureError(where, len(measures), "too_many", max=MAX_MEASURES)
    seen: set[str] = set()
    for i, m in enumerate(measures):
        if m.id in seen:
            raise MeasureError(f"{where}[{i}].id", m.id, "duplicate")
        seen.add(m.id)
