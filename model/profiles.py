"""Kommun profiles: one TOML file per kommun in ``kommuner/<code>.toml``.

A profile holds what is true of one kommun and nowhere else: local facts with their sources,
existing plants (for example a CHP plant's biogenic CO2 that BECCS could capture), own
measures (:class:`model.measures.OwnMeasure`), the kommun's own target expressed in the
target kinds of :mod:`model.targets`, and own presets with reasons. A kommun without a file
gets an empty profile.

Every error is a :class:`ProfileError` naming the file, the field and what is allowed, with a
message key (``profile.<kind>``), parameters and default texts in Swedish and English. Loading
never writes anything; :func:`profile_to_toml` writes the text a user downloads, and
:func:`profile_from_text` reads it back (uploads are validated the same way as shipped files).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import tomli_w

from model.data import SECTORS, load_dataset
from model.measures import (
    ALLOWED,
    MAX_NAME_CHARS,
    MAX_SOURCE_CHARS,
    MeasureError,
    OwnMeasure,
    SourceRef,
    measure_to_dict,
    num_text,
    number_field,
    shown,
    source_field,
    text_field,
    texts_field,
    year_field,
)
from model.measures_parse import check_measure_list, measure_from_dict
from model.registry import POLICIES, TARGET_YEARS, load_registry
from model.scenario import ScenarioFileError, check_lever_value
from model.target_defs import TARGET_IDS
from model.targets import TargetSpec, base_years

PROFILE_DIR = Path(__file__).resolve().parents[1] / "kommuner"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 64 * 1024
MAX_ITEMS = 40
TOP_KEYS = {"format_version", "kommun", "name", "fact", "note", "plant", "measure", "target", "preset"}
FACT_KEYS = {"id", "name", "value", "unit", "year", "source"}
NOTE_KEYS = {"id", "text", "source"}
PLANT_KEYS = {"id", "name", "kind", "sector", "operator", "capture_capacity_t", "year", "source"}
PLANT_KINDS = ("chp", "heating_plant", "steel", "cement", "refinery", "chemicals", "waste", "other")
TARGET_KEYS = {"kind", "name", "year", "base_year", "max_gross_pct", "rate_pct", "source"}
PRESET_KEYS = {"id", "name", "description", "national_policy", "levers", "reasons", "measures"}
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}", re.ASCII)

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


def _items(file: str, raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = raw.get(key, [])
    if not isinstance(value, list) or len(value) > MAX_ITEMS or not all(isinstance(v, dict) for v in value):
        raise ProfileError(file, key, value, "list", name=key, max=MAX_ITEMS)
    return value


def _check_keys(file: str, where: str, raw: dict[str, Any], known: set[str], required: tuple[str, ...]) -> None:
    if extra := set(raw) - known:
        raise ProfileError(file, f"{where}.{sorted(map(str, extra))[0]}", None, "unknown_key",
                           allowed=", ".join(sorted(known)))
    for key in required:
        if key not in raw:
            raise ProfileError(file, f"{where}.{key}", None, "missing")


def _id(file: str, where: str, value: Any) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ProfileError(file, f"{where}.id", value, "id", max=40)
    return value


def _unique(file: str, key: str, ids: list[str]) -> None:
    for i, v in enumerate(ids):
        if v in ids[:i]:
            raise ProfileError(file, f"{key}[{i}].id", v, "duplicate")


def _fact(file: str, i: int, raw: dict[str, Any]) -> Fact:
    w = f"fact[{i}]"
    _check_keys(file, w, raw, FACT_KEYS, ("id", "name", "value", "unit", "year", "source"))
    name = texts_field(f"{w}.name", raw["name"], MAX_NAME_CHARS * 2)
    unit = texts_field(f"{w}.unit", raw["unit"], 40)
    return Fact(_id(file, w, raw["id"]), *name, number_field(f"{w}.value", raw["value"], -1e9, 1e9), *unit,
                year_field(f"{w}.year", raw["year"], 1990, 2050), source_field(f"{w}.source", raw["source"]))


def _note(file: str, i: int, raw: dict[str, Any]) -> Note:
    w = f"note[{i}]"
    _check_keys(file, w, raw, NOTE_KEYS, ("id", "text", "source"))
    return Note(_id(file, w, raw["id"]), *texts_field(f"{w}.text", raw["text"], MAX_SOURCE_CHARS),
                source_field(f"{w}.source", raw["source"]))


def _plant(file: str, i: int, raw: dict[str, Any]) -> Plant:
    w = f"plant[{i}]"
    _check_keys(file, w, raw, PLANT_KEYS, ("id", "name", "kind", "sector", "operator", "source"))
    if raw["kind"] not in PLANT_KINDS:
        raise ProfileError(file, f"{w}.kind", raw["kind"], "choice", allowed=", ".join(PLANT_KINDS))
    if raw["sector"] not in SECTORS:
        raise ProfileError(file, f"{w}.sector", raw["sector"], "unknown_sector", allowed=", ".join(SECTORS))
    cap = raw.get("capture_capacity_t")
    year = raw.get("year")
    return Plant(_id(file, w, raw["id"]), *texts_field(f"{w}.name", raw["name"], MAX_NAME_CHARS), raw["kind"],
                 raw["sector"], text_field(f"{w}.operator", raw["operator"], MAX_NAME_CHARS),
                 source_field(f"{w}.source", raw["source"]),
                 None if cap is None else number_field(f"{w}.capture_capacity_t", cap, 0, 5e6, "t CO2/år"),
                 None if year is None else year_field(f"{w}.year", year, 1990, 2050))


def _target(file: str, raw: Any) -> ProfileTarget:
    if not isinstance(raw, dict):
        raise ProfileError(file, "target", raw, "not_table")
    _check_keys(file, "target", raw, TARGET_KEYS, ("kind", "name", "source"))
    kind = raw["kind"]
    if kind not in TARGET_IDS:
        raise ProfileError(file, "target.kind", kind, "choice", allowed=", ".join(TARGET_IDS))
    year = raw.get("year", 2030)
    if year not in TARGET_YEARS or type(year) is not int:
        raise ProfileError(file, "target.year", year, "choice", allowed=", ".join(map(str, TARGET_YEARS)))
    allowed_base = base_years(load_dataset().inventory_years)
    base = raw.get("base_year", 1990)
    if base not in allowed_base or type(base) is not int:
        raise ProfileError(file, "target.base_year", base, "choice", allowed=", ".join(map(str, allowed_base)))
    pct = number_field("target.max_gross_pct", raw.get("max_gross_pct", 20.0), 0, 100, "%")
    rate = raw.get("rate_pct")
    if kind == "budget_rate" and rate is None:
        raise ProfileError(file, "target.rate_pct", None, "missing")
    rate_v = None if rate is None else number_field("target.rate_pct", rate, 0.5, 50, "% per år")
    return ProfileTarget(kind, *texts_field("target.name", raw["name"], MAX_NAME_CHARS * 2),
                         source_field("target.source", raw["source"]), year, base, pct, rate_v)


def _preset(file: str, i: int, raw: dict[str, Any], measure_ids: tuple[str, ...]) -> ProfilePreset:
    w = f"preset[{i}]"
    reg = load_registry()
    _check_keys(file, w, raw, PRESET_KEYS, ("id", "name", "national_policy"))
    policy = raw["national_policy"]
    if policy not in POLICIES:
        raise ProfileError(file, f"{w}.national_policy", policy, "choice", allowed=", ".join(POLICIES))
    levers_raw, reasons_raw = raw.get("levers", {}), raw.get("reasons", {})
    for key, table in (("levers", levers_raw), ("reasons", reasons_raw)):
        if not isinstance(table, dict):
            raise ProfileError(file, f"{w}.{key}", table, "not_table")
        for lid in table:
            if lid not in reg.lever_ids:
                raise ProfileError(file, f"{w}.{key}.{lid}", lid, "unknown_lever", allowed=", ".join(reg.lever_ids))
    levers = []
    for lid, v in levers_raw.items():
        try:
            levers.append((lid, check_lever_value(reg, lid, v, f"{w}.levers.{lid}")))
        except ScenarioFileError as exc:
            raise ProfileError(file, exc.field, v, "lever_value", allowed=exc.allowed,
                               allowed_en=exc.allowed_en) from None
    reasons = tuple((lid, *texts_field(f"{w}.reasons.{lid}", t, MAX_SOURCE_CHARS)) for lid, t in reasons_raw.items())
    used = raw.get("measures", [])
    if not isinstance(used, list):
        raise ProfileError(file, f"{w}.measures", used, "unknown_measure", allowed=", ".join(measure_ids))
    for mid in used:
        if mid not in measure_ids:
            raise ProfileError(file, f"{w}.measures", mid, "unknown_measure", allowed=", ".join(measure_ids) or "–")
    desc = raw.get("description", {"sv": "", "en": ""})
    if not (isinstance(desc, dict) and set(desc) == {"sv", "en"}):
        raise ProfileError(file, f"{w}.description", desc, "texts", max=MAX_SOURCE_CHARS)
    return ProfilePreset(_id(file, w, raw["id"]), *texts_field(f"{w}.name", raw["name"], MAX_NAME_CHARS),
                         text_field(f"{w}.description.sv", desc["sv"], MAX_SOURCE_CHARS, required=False),
                         text_field(f"{w}.description.en", desc["en"], MAX_SOURCE_CHARS, required=False),
                         policy, tuple(levers), reasons, tuple(used))


def profile_from_dict(raw: Any, file: str, code: str | None = None) -> Profile:
    """Validate a parsed profile mapping into a :class:`Profile`.

    Parameters
    ----------
    raw : mapping
        The TOML document.
    file : str
        Name shown in errors ("kommuner/0381.toml", or an uploaded file's name).
    code : str, optional
        The kommun code the file must hold (its file name's); any known code when None.

    Raises
    ------
    ProfileError
    """
    if not isinstance(raw, dict):
        raise ProfileError(file, "(fil)", type(raw).__name__, "not_table")
    _check_keys(file, "", raw, TOP_KEYS, ("format_version", "kommun"))
    if type(raw["format_version"]) is not int or raw["format_version"] != FORMAT_VERSION:
        raise ProfileError(file, "format_version", raw["format_version"], "format_version", version=FORMAT_VERSION)
    codes = {k.code: k.name for k in load_dataset().kommuner}
    kommun = raw["kommun"]
    if not isinstance(kommun, str) or kommun not in codes or (code is not None and kommun != code):
        raise ProfileError(file, "kommun", kommun, "kommun", expected=code or "0114–2584")
    if "name" in raw and raw["name"] != codes[kommun]:
        raise ProfileError(file, "name", raw["name"], "choice", allowed=codes[kommun])
    try:
        facts = tuple(_fact(file, i, r) for i, r in enumerate(_items(file, raw, "fact")))
        notes = tuple(_note(file, i, r) for i, r in enumerate(_items(file, raw, "note")))
        plants = tuple(_plant(file, i, r) for i, r in enumerate(_items(file, raw, "plant")))
        measures = tuple(measure_from_dict(r, f"measure[{i}]") for i, r in enumerate(_items(file, raw, "measure")))
        check_measure_list(measures)
        target = _target(file, raw["target"]) if "target" in raw else None
        mids = tuple(m.id for m in measures)
        presets = tuple(_preset(file, i, r, mids) for i, r in enumerate(_items(file, raw, "preset")))
    except ProfileError:
        raise
    except MeasureError as exc:
        raise ProfileError.wrap(file, exc) from None
    for key, items in (("fact", facts), ("note", notes), ("plant", plants), ("preset", presets)):
        _unique(file, key, [x.id for x in items])
    return Profile(kommun, codes[kommun], facts, notes, plants, measures, target, presets)


def profile_from_text(data: bytes | str, file: str, code: str | None = None) -> Profile:
    """Validate profile text (a shipped file or an upload): size, encoding, TOML, then content."""
    raw_bytes = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw_bytes) > MAX_FILE_BYTES:
        raise ProfileError(file, "(fil)", len(raw_bytes), "too_big", max=MAX_FILE_BYTES)
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProfileError(file, "(fil)", raw_bytes[:16], "encoding") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(where.group(1)), int(where.group(2))) if where else (0, 0)
        raise ProfileError(file, "(fil)", None, "syntax", line=line, column=col) from None
    except RecursionError:
        raise ProfileError(file, "(fil)", None, "syntax", line=0, column=0) from None
    return profile_from_dict(doc, file, code)


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
    return profile_from_text(Path(path).read_bytes(), f"kommuner/{code}.toml", code)


def with_measures(profile: Profile, measures: tuple[OwnMeasure, ...] | list[OwnMeasure]) -> Profile:
    """The profile with ``measures`` as its own measures (validated: count and unique ids)."""
    check_measure_list(list(measures))
    return replace(profile, measures=tuple(measures))


#: Plant kinds whose captured CO2 is biogenic enough to count as removals (BECCS lever).
BECCS_PLANT_KINDS = ("chp", "heating_plant")


def lever_capacities(profile: Profile) -> dict[str, float]:
    """Lever id -> the kommun's known capacity in lever units, from its plants, for
    :func:`model.baseline.lever_bounds`: a CHP or heating plant's ``capture_capacity_t`` caps
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
