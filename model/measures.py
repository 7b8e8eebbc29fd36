"""Own measures: a kommun's or a user's measures beside the registry's levers.

A measure cuts one stream, or every stream of one SMHI sector, either by a share of the
baseline (``unit = "pct"``) or by tonnes a year (``unit = "t"``), ramped in like a lever
(:func:`model.baseline.ramp`). :func:`measure_effects` turns measures into reductions in
t CO2e per year, (M, S, T). A tonne measure never removes more than its stream holds, and
measures together never take a stream below zero.

The engine combines them with the levers as extra multiplicative factors,
``E = B * prod_l (1 - d_l) * prod_m (1 - R_m / B)``: :func:`with_measures` appends each
measure to :class:`model.engine.LeverEffects` as a lever with index ``n_levers + m``, so
``apply_levers``, ``attribution`` (LMDI) and the Monte Carlo treat it like a lever. Where a
lever acts on the same stream the measure's realised tonnes shrink accordingly: nothing is
counted twice.

Errors are :class:`MeasureError` with a message key (``measure.<kind>``), parameters and
default texts in Swedish and English. Share links carry measures as
:func:`encode_measures` text; :func:`decode_measures` never raises and reports what it
dropped as :class:`Notice` objects.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from model.baseline import KommunContext, ramp
from model.data import SECTORS, load_dataset
from model.engine import LeverEffects
from model.registry import ACTORS, RAMP_SHAPES, load_registry

#: Design bounds (not sourced facts): enough for any kommun's plan, small enough for a link.
MAX_MEASURES = 20
#: Above any kommun's 2024 emissions (Luleå 3.0 Mt CO2e, data/kommuner_emissions_by_sector.csv).
MAX_EFFECT_T = 5_000_000.0
#: WSP/Timbro found public costs per tonne above 100 000 kr/t for some national instruments
#: (model-methods §0.7); a higher figure is a typing error.
MAX_COST_SEK_PER_T = 100_000.0
MAX_YEAR = 2050
MAX_ID_CHARS, MAX_NAME_CHARS, MAX_SOURCE_CHARS, MAX_URL_CHARS = 32, 80, 400, 300
#: A share link stays below nginx's 8 KiB request line with the other parameters.
MAX_LINK_CHARS = 6000
MAX_LINK_JSON_BYTES = 32 * 1024
LINK_VERSION = 1
UNITS = ("t", "pct")
MEASURE_KEYS = {"id", "name", "stream", "sector", "unit", "effect", "start", "full", "shape", "actor",
                "cost_sek_per_t", "uncertainty", "source"}
SOURCE_KEYS = {"sv", "en", "url", "accessed", "assumption"}
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)

#: What is allowed, per error kind, in Swedish and English; ``{…}`` are the error's parameters.
ALLOWED: dict[str, tuple[str, str]] = {
    "not_table": ("en tabell", "a table"),
    "unknown_key": ("bara fälten {allowed}", "only the fields {allowed}"),
    "missing": ("fältet måste finnas", "the field is required"),
    "id": ("a–z, 0–9, - och _ (högst {max} tecken)", "a–z, 0–9, - and _ (at most {max} characters)"),
    "text": ("en text på högst {max} tecken", "a text of at most {max} characters"),
    "texts": ("{{ sv = \"…\", en = \"…\" }}, högst {max} tecken var",
              "{{ sv = \"…\", en = \"…\" }}, at most {max} characters each"),
    "choice": ("ett av: {allowed}", "one of: {allowed}"),
    "number": ("ett tal {min}–{max} {unit}", "a number {min}–{max} {unit}"),
    "year": ("ett årtal {min}–{max}", "a year {min}–{max}"),
    "start_after_full": ("ett startår senast året för full effekt ({full})",
                         "a start year no later than the full-effect year ({full})"),
    "target": ("antingen stream eller sector, inte båda", "either stream or sector, not both"),
    "unknown_stream": ("en ström ur registret: {allowed}", "a stream from the registry: {allowed}"),
    "unknown_sector": ("en SMHI-sektor: {allowed}", "an SMHI sector: {allowed}"),
    "unknown_actor": ("en aktör: {allowed}", "an actor: {allowed}"),
    "range": ("[låg, hög] med {min} ≤ låg ≤ hög ≤ {max}", "[low, high] with {min} ≤ low ≤ high ≤ {max}"),
    "range_mid": ("[låg, hög] med {min} ≤ låg ≤ {mid} ≤ hög ≤ {max}",
                  "[low, high] with {min} ≤ low ≤ {mid} ≤ high ≤ {max}"),
    "source": ("en källa {{ sv, en }} med text, eller assumption = true med motiveringen i sv och en",
               "a source {{ sv, en }} with text, or assumption = true with the reasoning in sv and en"),
    "date": ("ett datum ÅÅÅÅ-MM-DD", "a date YYYY-MM-DD"),
    "duplicate": ("ett id som ingen annan åtgärd har", "an id no other measure has"),
    "too_many": ("högst {max} åtgärder", "at most {max} measures"),
    "link_too_long": ("högst {max} tecken; ladda ner profilen i stället",
                      "at most {max} characters; download the profile instead"),
}


def num_text(x: Any, lang: str) -> str:
    """A number in the language's convention ("5 000", "0,5" / "5,000", "0.5")."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    text = f"{x:,.0f}" if float(x).is_integer() else f"{x:,.6g}"
    return text.replace(",", "\u00a0").replace(".", ",") if lang == "sv" else text


def shown(value: Any) -> str:
    """A short repr of a bad value for a message (both ends kept)."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:25] + "…" + text[-34:]


class MeasureError(ValueError):
    """A measure is invalid. ``key`` is ``measure.<kind>``; ``params`` hold ``field``, ``value``
    and the kind's own parameters (numbers unformatted); ``message_sv``/``message`` are defaults."""

    prefix = "measure"

    def __init__(self, field: str, value: Any, kind: str, **params: Any) -> None:
        self.field, self.value, self.kind = field, value, kind
        self.key = f"{self.prefix}.{kind}"
        self.params = {"field": field, "value": shown(value), **params}
        sv, en = ALLOWED[kind]
        self.allowed = sv.format(**{k: num_text(v, "sv") for k, v in params.items()})
        self.allowed_en = en.format(**{k: num_text(v, "en") for k, v in params.items()})
        self.message_sv = f"Fältet '{field}' har värdet {self.params['value']}; tillåtet: {self.allowed}"
        self.message = f"Field '{field}' has value {self.params['value']}; allowed: {self.allowed_en}"
        super().__init__(self.message)


@dataclass(frozen=True)
class Notice:
    """Something in a link was ignored; ``key`` is a message key, ``params`` its values."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceRef:
    """Where a figure comes from, or ``assumption=True`` with the reasoning as the text."""

    sv: str
    en: str
    url: str | None = None
    accessed: str | None = None
    assumption: bool = False


@dataclass(frozen=True)
class OwnMeasure:
    """One own measure. ``effect`` is t CO2e/yr at full effect (unit "t") or % of the target's
    baseline (unit "pct"); ``uncertainty`` is (low, high) as a share of the effect (triangular
    with mode 1); ``cost_sek_per_t`` is (low, high) kr per tonne or None when unknown."""

    id: str
    name_sv: str
    name_en: str
    stream: str | None
    sector: str | None
    unit: str
    effect: float
    start: int
    full: int
    shape: str
    actor: str
    source: SourceRef
    cost_sek_per_t: tuple[float, float] | None = None
    uncertainty: tuple[float, float] = (1.0, 1.0)

    def name(self, lang: str) -> str:
        """The name in ``lang`` ("sv" or "en")."""
        return self.name_en if lang == "en" else self.name_sv


def clean_text(value: str) -> str:
    """Text without control or format characters (bidi overrides, zero-width), spaces collapsed."""
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value
                   if unicodedata.category(c) != "Cf")
    return " ".join(kept.split())


def text_field(path: str, value: Any, max_chars: int, required: bool = True) -> str:
    """A cleaned, bounded text (MeasureError otherwise)."""
    if not isinstance(value, str) or len(value) > 4 * max_chars:
        raise MeasureError(path, value, "text", max=max_chars)
    text = clean_text(value)
    if len(text) > max_chars or (required and not text):
        raise MeasureError(path, value, "text", max=max_chars)
    return text


def texts_field(path: str, value: Any, max_chars: int) -> tuple[str, str]:
    """A {sv, en} pair of cleaned texts, both required."""
    if not isinstance(value, dict) or set(value) != {"sv", "en"}:
        raise MeasureError(path, value, "texts", max=max_chars)
    return text_field(path + ".sv", value["sv"], max_chars), text_field(path + ".en", value["en"], max_chars)


def number_field(path: str, value: Any, lo: float, hi: float, unit: str = "") -> float:
    """A finite number within [lo, hi] (bools and 400-digit ints refused before converting)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not math.isfinite(value)) or not lo <= value <= hi:
        raise MeasureError(path, value, "number", min=lo, max=hi, unit=unit)
    return float(value)


def year_field(path: str, value: Any, lo: int, hi: int) -> int:
    """An integer year within [lo, hi]."""
    if type(value) is not int or not lo <= value <= hi:
        raise MeasureError(path, value, "year", min=lo, max=hi)
    return value


def pair_field(path: str, value: Any, lo: float, hi: float, mid: float | None = None) -> tuple[float, float]:
    """[low, high] with lo <= low <= high <= hi (and low <= mid <= high when ``mid`` is given)."""
    ok = isinstance(value, (list, tuple)) and len(value) == 2 and all(
        not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v) for v in value)
    if mid is None:
        if not ok or not lo <= value[0] <= value[1] <= hi:
            raise MeasureError(path, value, "range", min=lo, max=hi)
    elif not ok or not lo <= value[0] <= mid <= value[1] <= hi:
        raise MeasureError(path, value, "range_mid", min=lo, mid=mid, max=hi)
    return float(value[0]), float(value[1])


def source_field(path: str, value: Any) -> SourceRef:
    """A source table: sv and en texts (the reasoning when ``assumption = true``), url, accessed."""
    if not isinstance(value, dict) or not {"sv", "en"} <= set(value) or set(value) - SOURCE_KEYS:
        raise MeasureError(path, value, "source")
    assumption = value.get("assumption", False)
    if not isinstance(assumption, bool):
        raise MeasureError(path + ".assumption", assumption, "choice", allowed="true, false")
    url = value.get("url")
    if url is not None:
        url = text_field(path + ".url", url, MAX_URL_CHARS)
        if not url.startswith(("https://", "http://")):
            raise MeasureError(path + ".url", url, "text", max=MAX_URL_CHARS)
    accessed = value.get("accessed")
    if accessed is not None and not (isinstance(accessed, str) and _DATE.fullmatch(accessed)):
        raise MeasureError(path + ".accessed", accessed, "date")
    sv = text_field(path + ".sv", value["sv"], MAX_SOURCE_CHARS)
    en = text_field(path + ".en", value["en"], MAX_SOURCE_CHARS)
    return SourceRef(sv, en, url, accessed, assumption)


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


def measure_to_dict(m: OwnMeasure) -> dict[str, Any]:
    """The TOML/JSON mapping of a measure (the inverse of :func:`measure_from_dict`)."""
    out: dict[str, Any] = {"id": m.id, "name": {"sv": m.name_sv, "en": m.name_en}}
    out["stream" if m.stream is not None else "sector"] = m.stream if m.stream is not None else m.sector
    out.update(unit=m.unit, effect=m.effect, start=m.start, full=m.full, shape=m.shape, actor=m.actor)
    if m.cost_sek_per_t is not None:
        out["cost_sek_per_t"] = list(m.cost_sek_per_t)
    out["uncertainty"] = list(m.uncertainty)
    src: dict[str, Any] = {"sv": m.source.sv, "en": m.source.en}
    if m.source.url:
        src["url"] = m.source.url
    if m.source.accessed:
        src["accessed"] = m.source.accessed
    if m.source.assumption:
        src["assumption"] = True
    out["source"] = src
    return out


def check_measure_list(measures: Sequence[OwnMeasure], where: str = "measure") -> None:
    """Raise MeasureError when there are more than :data:`MAX_MEASURES` or an id repeats."""
    if len(measures) > MAX_MEASURES:
        raise MeasureError(where, len(measures), "too_many", max=MAX_MEASURES)
    seen: set[str] = set()
    for i, m in enumerate(measures):
        if m.id in seen:
            raise MeasureError(f"{where}[{i}].id", m.id, "duplicate")
        seen.add(m.id)


def measure_effects(measures: Sequence[OwnMeasure], years: np.ndarray, stream_ids: Sequence[str],
                    stream_sector: Sequence[int] | Sequence[str] | np.ndarray,
                    base_streams: np.ndarray) -> np.ndarray:
    """Reductions of each measure on each stream, (M, S, T), t CO2e per year.

    Parameters
    ----------
    measures : sequence of OwnMeasure
    years : numpy.ndarray
        Model years (T,).
    stream_ids : sequence of str
        Stream ids in engine order (S,).
    stream_sector : sequence of int or str
        Each stream's sector: an index into :data:`model.data.SECTORS` or the sector's name.
    base_streams : numpy.ndarray
        Baseline per stream, (S, T) or (S, 1, T), t CO2e per year.

    Notes
    -----
    A percent measure removes ``effect/100 * ramp`` of the baseline of its stream, or of each
    stream of its sector. A tonne measure removes ``effect * ramp`` tonnes, at most its
    stream's (or sector's) baseline; on a sector it is split by the streams' baselines. Where
    measures together would remove more than a stream holds they are scaled down in
    proportion, so the sum over measures never exceeds the baseline.
    """
    yrs = np.asarray(years)
    base = np.asarray(base_streams, dtype=float)
    base = base[:, 0, :] if base.ndim == 3 else base
    sectors = [SECTORS[int(s)] if not isinstance(s, str) else s for s in stream_sector]
    out = np.zeros((len(measures), len(stream_ids), len(yrs)))
    for m, ms in enumerate(measures):
        idx = ([list(stream_ids).index(ms.stream)] if ms.stream in stream_ids else []) if ms.stream is not None \
            else [i for i, sec in enumerate(sectors) if sec == ms.sector]
        if not idx:
            continue
        r = ramp(yrs, ms.shape, ms.start, ms.full)
        b = base[idx]
        if ms.unit == "pct":
            out[m, idx] = ms.effect / 100.0 * r[None, :] * b
        else:
            total = b.sum(axis=0)
            share = np.divide(b, total, out=np.zeros_like(b), where=total > 0)
            out[m, idx] = np.minimum(ms.effect * r, total)[None, :] * share
    tot = out.sum(axis=0)
    scale = np.divide(base, tot, out=np.ones_like(base), where=tot > base)
    out *= scale[None]
    return out


def with_measures(fx: LeverEffects, effects: np.ndarray, base_streams: np.ndarray, n_levers: int) -> LeverEffects:
    """Lever effects with every measure appended as a lever of index ``n_levers + m``.

    The measure's reduction becomes the fraction ``R / B`` of the deterministic baseline, so the
    engine combines it multiplicatively with the levers (see the module docstring).
    """
    base = np.asarray(base_streams, dtype=float)
    base = base[:, 0, :] if base.ndim == 3 else base
    frac = np.divide(effects, base[None], out=np.zeros_like(effects), where=base[None] > 0)
    ms, ss = np.nonzero(frac.any(axis=2))
    t = base.shape[1]
    red = fx.reduction.reshape(-1, t)
    return LeverEffects(np.concatenate([fx.pair_lever, n_levers + ms]).astype(int),
                        np.concatenate([fx.pair_stream, ss]).astype(int),
                        np.vstack([red, frac[ms, ss]]), fx.removal_lever, fx.removal_t)


def engine_effects(measures: Sequence[OwnMeasure], ctx: KommunContext, base_streams: np.ndarray,
                   fx: LeverEffects, n_levers: int) -> LeverEffects:
    """The whole hook for :func:`model.run` in one call: measures on the context's streams,
    appended to the lever effects (``fx`` unchanged when there are no measures)."""
    if not measures:
        return fx
    effects = measure_effects(measures, ctx.years, load_registry().stream_ids, ctx.stream_sector, base_streams)
    return with_measures(fx, effects, base_streams, n_levers)


def extend_effectiveness(eff: np.ndarray, measures: Sequence[OwnMeasure], seed: int) -> np.ndarray:
    """Lever effectiveness samples (N, L) with the measures' draws appended: (N, L + M)."""
    if not measures:
        return eff
    return np.hstack([eff, measure_effectiveness(measures, eff.shape[0], seed)])


def measure_attribution(attr: np.ndarray, measures: Sequence[OwnMeasure], n_levers: int) -> dict[str, np.ndarray]:
    """Each measure's row of an attribution array (L + M, T), keyed by measure id (t CO2e/yr)."""
    return {m.id: attr[n_levers + i] for i, m in enumerate(measures)}


def measure_effectiveness(measures: Sequence[OwnMeasure], n: int, seed: int = 2030) -> np.ndarray:
    """Sampled effectiveness (N, M): triangular(low, 1, high) from each measure's uncertainty.

    Drawn from its own random stream, so adding a measure never changes the levers' draws.
    """
    rng = np.random.default_rng([seed, 0x6D65])
    out = np.ones((n, len(measures)))
    for i, m in enumerate(measures):
        lo, hi = m.uncertainty
        if hi > lo:
            out[:, i] = rng.triangular(lo, 1.0, hi, n)
    return out


_FIELDS = ("id", "name_sv", "name_en", "target", "unit", "effect", "start", "full", "shape", "actor",
           "cost", "uncertainty", "src_sv", "src_en", "url", "accessed", "assumption")


def encode_measures(measures: Sequence[OwnMeasure]) -> str:
    """Share-link text for measures: ``"<version>.<base64url(zlib(JSON rows))>"``; "" for none.

    Raises
    ------
    MeasureError
        ``too_many`` or ``link_too_long`` (the UI then offers the profile download).
    """
    if not measures:
        return ""
    check_measure_list(measures)
    rows = [[m.id, m.name_sv, m.name_en, m.stream if m.stream is not None else "@" + str(m.sector), m.unit,
             m.effect, m.start, m.full, m.shape, m.actor,
             list(m.cost_sek_per_t) if m.cost_sek_per_t else None, list(m.uncertainty),
             m.source.sv, m.source.en, m.source.url, m.source.accessed, m.source.assumption] for m in measures]
    data = json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text = f"{LINK_VERSION}." + base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")
    if len(text) > MAX_LINK_CHARS:
        raise MeasureError("measures", len(text), "link_too_long", max=MAX_LINK_CHARS)
    return text


def _row_to_dict(row: Any) -> dict[str, Any]:
    if not isinstance(row, list) or len(row) != len(_FIELDS):
        raise MeasureError("measure", shown(row), "not_table")
    f = dict(zip(_FIELDS, row, strict=True))
    raw: dict[str, Any] = {"id": f["id"], "name": {"sv": f["name_sv"], "en": f["name_en"]}, "unit": f["unit"],
                           "effect": f["effect"], "start": f["start"], "full": f["full"], "shape": f["shape"],
                           "actor": f["actor"], "uncertainty": f["uncertainty"]}
    target = f["target"]
    if isinstance(target, str) and target.startswith("@"):
        raw["sector"] = target[1:]
    else:
        raw["stream"] = target
    if f["cost"] is not None:
        raw["cost_sek_per_t"] = f["cost"]
    src = {"sv": f["src_sv"], "en": f["src_en"], "assumption": f["assumption"]}
    src.update({k: f[k] for k in ("url", "accessed") if f[k] is not None})
    raw["source"] = src
    return raw


def _body(text: str) -> tuple[Any, Notice | None]:
    version, sep, body = text.partition(".")
    if not sep or not re.fullmatch(r"[0-9]{1,4}", version, re.ASCII):
        return None, Notice("measures.link_corrupt", {"reason": "format"})
    if int(version) != LINK_VERSION:
        return None, Notice("measures.link_version", {"version": version, "supported": LINK_VERSION})
    if not re.fullmatch(r"[A-Za-z0-9_-]+", body, re.ASCII):
        return None, Notice("measures.link_corrupt", {"reason": "characters"})
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, MAX_LINK_JSON_BYTES)
        if inflater.unconsumed_tail:
            return None, Notice("measures.link_too_long", {"max": MAX_LINK_JSON_BYTES})
        if not inflater.eof:
            return None, Notice("measures.link_corrupt", {"reason": "truncated"})
        return json.loads(data.decode("utf-8")), None
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError, RecursionError):
        return None, Notice("measures.link_corrupt", {"reason": "content"})


def decode_measures(text: Any, streams: Iterable[str] | None = None) -> tuple[list[OwnMeasure], list[Notice]]:
    """Measures from share-link text; never raises.

    Returns the valid measures and a notice for everything dropped: ``measures.link_corrupt``
    (``reason``), ``measures.link_version``, ``measures.link_too_long``, ``measures.too_many``
    (the first :data:`MAX_MEASURES` are kept), ``measures.invalid`` (``index``, ``field``,
    ``error_key``, ``value``) and ``measures.duplicate`` (``index``, ``id``).
    """
    if text is None or text == "":
        return [], []
    if not isinstance(text, str):
        return [], [Notice("measures.link_corrupt", {"reason": "format"})]
    if len(text) > MAX_LINK_CHARS:
        return [], [Notice("measures.link_too_long", {"max": MAX_LINK_CHARS})]
    rows, notice = _body(text)
    if notice is not None:
        return [], [notice]
    if not isinstance(rows, list):
        return [], [Notice("measures.link_corrupt", {"reason": "content"})]
    notices: list[Notice] = []
    if len(rows) > MAX_MEASURES:
        notices.append(Notice("measures.too_many", {"max": MAX_MEASURES, "count": len(rows)}))
        rows = rows[:MAX_MEASURES]
    stream_ids = tuple(streams) if streams is not None else load_registry().stream_ids
    out: list[OwnMeasure] = []
    for i, row in enumerate(rows):
        try:
            m = measure_from_dict(_row_to_dict(row), f"measure[{i}]", stream_ids)
        except MeasureError as exc:
            notices.append(Notice("measures.invalid", {"index": i, "field": exc.field, "error_key": exc.key,
                                                       "value": exc.params["value"]}))
            continue
        if any(o.id == m.id for o in out):
            notices.append(Notice("measures.duplicate", {"index": i, "id": m.id}))
            continue
        out.append(m)
    return out, notices


def measures_by_id(measures: Iterable[OwnMeasure]) -> Mapping[str, OwnMeasure]:
    """Measures keyed by id (order kept)."""
    return {m.id: m for m in measures}
