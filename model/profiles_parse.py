"""Kommun profiles' content: TOML text or a mapping validated into a :class:`model.profiles.Profile`.

:func:`profile_from_text` bounds the size, refuses other encodings and words tomllib's errors;
:func:`profile_from_dict` checks every table and field (facts, notes, plants, own measures, the
kommun's own target and presets) and raises :class:`model.profiles.ProfileError` naming the file,
the field and what is allowed. Shipped files and uploads are validated the same way.
"""
from __future__ import annotations

import re
import tomllib
from typing import Any

from model.data import SECTORS, load_dataset
from model.measures import (
    MAX_NAME_CHARS,
    MAX_SOURCE_CHARS,
    MeasureError,
    number_field,
    source_field,
    text_field,
    texts_field,
    year_field,
)
from model.measures_parse import check_measure_list, measure_from_dict
from model.profiles import (
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    MAX_ITEMS,
    Fact,
    Note,
    Plant,
    Profile,
    ProfileError,
    ProfilePreset,
    ProfileTarget,
)
from model.registry import POLICIES, TARGET_YEARS, load_registry
from model.scenario import ScenarioFileError
from model.scenario_parse import check_lever_value
from model.target_defs import TARGET_IDS
from model.targets import base_years

TOP_KEYS = {"format_version", "kommun", "name", "fact", "note", "plant", "measure", "target", "preset"}
FACT_KEYS = {"id", "name", "value", "unit", "year", "source"}
NOTE_KEYS = {"id", "text", "source"}
PLANT_KEYS = {"id", "name", "kind", "sector", "operator", "capture_capacity_t", "year", "source"}
PLANT_KINDS = ("chp", "heating_plant", "steel", "cement", "refinery", "chemicals", "waste", "other")
TARGET_KEYS = {"kind", "name", "year", "base_year", "max_gross_pct", "rate_pct", "source"}
PRESET_KEYS = {"id", "name", "description", "national_policy", "levers", "reasons", "measures"}
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}", re.ASCII)


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
