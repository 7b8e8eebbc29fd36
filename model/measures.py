"""Own measures: a kommun's or a user's measures beside the registry's levers.

A measure cuts one stream, or every stream of one SMHI sector, either by a share of the
baseline (``unit = "pct"``) or by tonnes a year (``unit = "t"``), ramped in like a lever
(:func:`model.baseline.ramp`). :func:`model.measures_engine.measure_effects` turns measures into
reductions in t CO2e per year, (M, S, T). A tonne measure never removes more than its stream holds, and
measures together never take a stream below zero.

The engine combines them with the levers as extra multiplicative factors,
``E = B * prod_l (1 - d_l) * prod_m (1 - R_m / B)``: :func:`model.measures_engine.with_measures` appends each
measure to :class:`model.engine.LeverEffects` as a lever with index ``n_levers + m``, so
``apply_levers``, ``attribution`` (LMDI) and the Monte Carlo treat it like a lever. Where a
lever acts on the same stream the measure's realised tonnes shrink accordingly: nothing is
counted twice.

Errors are :class:`MeasureError` with a message key (``measure.<kind>``), parameters and
default texts in Swedish and English. A measure's table (a file's, a link row's, the editor's form) is
validated by :func:`model.measures_parse.measure_from_dict` with the bounded fields here
(:func:`text_field`, :func:`number_field`, :func:`source_field`, …), which kommun profiles use too;
:func:`measure_to_dict` is its inverse. Share links carry measures as
:func:`model.measures_link.encode_measures` text; :func:`model.measures_link.decode_measures`
never raises and reports what it dropped as :class:`Notice` objects.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

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
SOURCE_KEYS = {"sv", "en", "url", "accessed", "assumption"}
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


def measure_to_dict(m: OwnMeasure) -> dict[str, Any]:
    """The TOML/JSON mapping of a measure (the inverse of :func:`model.measures_parse.measure_from_dict`)."""
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


def measures_by_id(measures: Iterable[OwnMeasure]) -> Mapping[str, OwnMeasure]:
    """Measures keyed by id (order kept)."""
    return {m.id: m for m in measures}
