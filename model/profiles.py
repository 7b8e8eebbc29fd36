"""Kommun profiles: one TOML file per kommun in ``kommuner/<code>.toml``.

A profile holds what is true of one kommun and nowhere else: local facts with their sources,
existing plants (for example a CHP plant's biogenic CO2 that BECCS could capture), own
measures (:class:`model.measures.OwnMeasure`), the kommun's own target expressed in the
target kinds of :mod:`model.targets`, and own presets with reasons. A kommun without a file
gets an empty profile.

Every error is a :class:`ProfileError` naming the file, the field and what is allowed, with a
message key (``profile.<kind>``), parameters and default texts in Swedish and English. Loading
never writes anything; :func:`profile_to_toml` writes the text a user downloads, and
:func:`model.profiles_parse.profile_from_text` reads it back (uploads are validated the same way
as shipped files).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import tomli_w

from model.data import load_dataset
from model.measures import (
    ALLOWED,
    MeasureError,
    OwnMeasure,
    SourceRef,
    measure_to_dict,
    num_text,
    shown,
)
from model.measures_parse import check_measure_list
from model.registry import load_registry
from model.targets import TargetSpec

PROFILE_DIR = Path(__file__).resolve().parents[1] / "kommuner"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 64 * 1024
MAX_ITEMS = 40

PROFILE_ALLOWED: dict[str, tuple[str, str]] = {
    **ALLOWED,
    "too_big": ("högst {max} byte", "at most {max} bytes"),
    "encoding": ("UTF-8-kodad TOML-text", "UTF-8 encoded TOML text"),
    "syntax": ("giltig TOML (fel på rad {line}, kolumn {column})",
               "valid TOML (error at line {line}, column {column})"),
    "format_version": ("format_version = {version}", "format_version = {version}"),
    "kommun": ("kommunkoden {expected}, som i filnamnet", "the kommun code {expected}, as in the file name"),
    "list": ("en lista av tabeller ([[{name}]]), högst {max}", "an array of tables ([[{name}]]), at most {max}"),
    "unknown_lever": ("en spak ur registret: {allowed}", "a lever from the registry: {allowed}"),
    "lever_value": ("{allowed}", "{allowed_en}"),
    "unknown_measure": ("en åtgärd i profilen: {allowed}", "a measure in the profile: {allowed}"),
}


class ProfileError(MeasureError):
    """A profile is invalid: ``file`` and ``field`` say where, ``key`` is ``profile.<kind>``."""

    prefix = "profile"

    def __init__(self, file: str, field: str, value: Any, kind: str, **params: Any) -> None:
        self.file = file
        sv, en = PROFILE_ALLOWED[kind]
        self.field, self.value, self.kind, self.key = field, value, kind, f"profile.{kind}"
        self.params = {"file": file, "field": field, "value": shown(value), **params}
        self.allowed = sv.format(**{k: num_text(v, "sv") for k, v in params.items()})
        self.allowed_en = en.format(**{k: num_text(v, "en") for k, v in params.items()})
        self.message_sv = (f"{file}: fältet '{field}' har värdet {self.params['value']}; "
                           f"tillåtet: {self.allowed}")
        self.message = f"{file}: field '{field}' has value {self.params['value']}; allowed: {self.allowed_en}"
        ValueError.__init__(self, self.message)

    @classmethod
    def wrap(cls, file: str, exc: MeasureError) -> ProfileError:
        """The same error, placed in ``file``."""
        params = {k: v for k, v in exc.params.items() if k not in ("field", "value")}
        return cls(file, exc.field, exc.value, exc.kind, **params)


@dataclass(frozen=True)
class Fact:
    """A local figure: ``value`` in ``unit_sv``/``unit_en``, for ``year``, with its source."""

    id: str
    name_sv: str
    name_en: str
    value: float
    unit_sv: str
    unit_en: str
    year: int
    source: SourceRef


@dataclass(frozen=True)
class Note:
    """A local fact in words (for help texts), with its source."""

    id: str
    text_sv: str
    text_en: str
    source: SourceRef


@dataclass(frozen=True)
class Plant:
    """An existing plant. ``capture_capacity_t`` is CO2 it could capture (t/yr), None when unknown."""

    id: str
    name_sv: str
    name_en: str
    kind: str
    sector: str
    operator: str
    source: SourceRef
    capture_capacity_t: float | None = None
    year: int | None = None


@dataclass(frozen=True)
class ProfileTarget:
    """The kommun's own target in the terms of :class:`model.targets.TargetSpec`."""

    kind: str
    name_sv: str
    name_en: str
    source: SourceRef
    year: int = 2030
    base_year: int = 1990
    max_gross_pct: float = 20.0
    rate_pct: float | None = None

    def spec(self) -> TargetSpec:
        """The target as the model evaluates it."""
        return TargetSpec(self.kind, self.year, self.base_year, self.max_gross_pct, self.rate_pct)


@dataclass(frozen=True)
class ProfilePreset:
    """A kommun's own preset: lever values (lever units), reasons and the own measures it uses."""

    id: str
    name_sv: str
    name_en: str
    description_sv: str
    description_en: str
    national_policy: str
    levers: tuple[tuple[str, float], ...]
    reasons: tuple[tuple[str, str, str], ...]
    measures: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """Everything kommun-specific for one kommun (empty tuples when it has no file)."""

    code: str
    name: str
    facts: tuple[Fact, ...] = ()
    notes: tuple[Note, ...] = ()
    plants: tuple[Plant, ...] = ()
    measures: tuple[OwnMeasure, ...] = ()
    target: ProfileTarget | None = None
    presets: tuple[ProfilePreset, ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when the profile holds nothing beyond the kommun's code and name."""
        return not (self.facts or self.notes or self.plants or self.measures or self.target or self.presets)

    def fact(self, fact_id: str) -> Fact | None:
        """A fact by id, or None."""
        return next((f for f in self.facts if f.id == fact_id), None)


def profile_path(code: str) -> Path:
    """Where kommun ``code``'s shipped profile lives (whether or not it exists)."""
    return PROFILE_DIR / f"{code}.toml"


def shipped_profiles() -> tuple[str, ...]:
    """Codes of the kommuner that have a shipped profile."""
    return tuple(sorted(p.stem for p in PROFILE_DIR.glob("*.toml") if re.fullmatch(r"[0-9]{4}", p.stem)))


def empty_profile(code: str) -> Profile:
    """The profile of a kommun without a file: its code and name only."""
    names = {k.code: k.name for k in load_dataset().kommuner}
    return Profile(code, names.get(code, code))


def load_profile(code: str) -> Profile:
    """Kommun ``code``'s profile, or its empty profile when no file is shipped (cached per file version)."""
    path = profile_path(code)
    if not re.fullmatch(r"[0-9]{4}", code) or not path.is_file():
        return empty_profile(code)
    return _load_cached(code, str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _load_cached(code: str, path: str, _mtime_ns: int) -> Profile:
    # Imported here: model.profiles_parse builds this module's classes and raises its ProfileError.
    from model.profiles_parse import profile_from_text

    return profile_from_text(Path(path).read_bytes(), f"kommuner/{code}.toml", code)


def with_measures(profile: Profile, measures: tuple[OwnMeasure, ...] | list[OwnMeasure]) -> Profile:
    """The profile with ``measures`` as its own measures (validated: count and unique ids)."""
    check_measure_list(list(measures))
    return replace(profile, measures=tuple(measures))


#: Plant kinds whose captured CO2 is biogenic enough to count as removals (BECCS lever).
BECCS_PLANT_KINDS = ("chp", "heating_plant")


def lever_capacities(profile: Profile) -> dict[str, float]:
    """Lever id -> the kommun's known capacity in lever units, from its plants, for
    :func:`model.ranges.lever_bounds`: a CHP or heating plant's ``capture_capacity_t`` caps
    the BECCS lever (t CO2/yr divided by the lever's t per unit). A cement or steel plant's
    capture is not a removal here: its biogenic share is not published (see kommuner/0980.toml)."""
    reg = load_registry()
    if "beccs" not in reg.lever_ids:
        return {}
    per_unit = float(reg.lever("beccs").t_per_unit or 1.0)
    caps = [pl.capture_capacity_t for pl in profile.plants
            if pl.kind in BECCS_PLANT_KINDS and pl.capture_capacity_t is not None]
    return {"beccs": sum(caps) / per_unit} if caps else {}


def _source(s: SourceRef) -> dict[str, Any]:
    out: dict[str, Any] = {"sv": s.sv, "en": s.en}
    out.update({k: v for k, v in (("url", s.url), ("accessed", s.accessed)) if v})
    if s.assumption:
        out["assumption"] = True
    return out


def profile_to_dict(p: Profile) -> dict[str, Any]:
    """The TOML mapping of a profile (the inverse of :func:`profile_from_dict`)."""
    out: dict[str, Any] = {"format_version": FORMAT_VERSION, "kommun": p.code, "name": p.name}
    if p.facts:
        out["fact"] = [{"id": f.id, "name": {"sv": f.name_sv, "en": f.name_en}, "value": f.value,
                        "unit": {"sv": f.unit_sv, "en": f.unit_en}, "year": f.year, "source": _source(f.source)}
                       for f in p.facts]
    if p.notes:
        out["note"] = [{"id": n.id, "text": {"sv": n.text_sv, "en": n.text_en}, "source": _source(n.source)}
                       for n in p.notes]
    if p.plants:
        out["plant"] = []
        for pl in p.plants:
            d: dict[str, Any] = {"id": pl.id, "name": {"sv": pl.name_sv, "en": pl.name_en}, "kind": pl.kind,
                                 "sector": pl.sector, "operator": pl.operator}
            d.update({k: v for k, v in (("capture_capacity_t", pl.capture_capacity_t), ("year", pl.year))
                      if v is not None})
            d["source"] = _source(pl.source)
            out["plant"].append(d)
    if p.measures:
        out["measure"] = [measure_to_dict(m) for m in p.measures]
    if p.target:
        t = p.target
        out["target"] = {"kind": t.kind, "name": {"sv": t.name_sv, "en": t.name_en}, "year": t.year,
                         "base_year": t.base_year, "max_gross_pct": t.max_gross_pct, "source": _source(t.source)}
        if t.rate_pct is not None:
            out["target"]["rate_pct"] = t.rate_pct
    if p.presets:
        out["preset"] = [{"id": s.id, "name": {"sv": s.name_sv, "en": s.name_en},
                          "description": {"sv": s.description_sv, "en": s.description_en},
                          "national_policy": s.national_policy, "levers": dict(s.levers),
                          "reasons": {lid: {"sv": sv, "en": en} for lid, sv, en in s.reasons},
                          "measures": list(s.measures)} for s in p.presets]
    return out


def profile_to_toml(profile: Profile) -> str:
    """The profile as TOML text for download; :func:`profile_from_text` reads it back unchanged."""
    head = (f"# Klimatvägar kommun profile: {profile.name} ({profile.code}).\n"
            "# Sources are given per item; 'assumption = true' marks an antagande with its reasoning.\n")
    return head + tomli_w.dumps(profile_to_dict(profile))
