"""Scenarios and scenario files (TOML, with a format version).

A scenario is a kommun, lever positions, a national fuel-policy path, a
horizon and target settings. Files name levers by id; a lever a file leaves
out stays at its "no new measures" position for the chosen kommun.

Every validation error is a :class:`ScenarioFileError` that names the field,
the value and what is allowed, in Swedish and English.
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from model.data import load_dataset
from model.registry import POLICIES, Registry, load_registry
from model.targets import TARGET_IDS, TargetSpec

FORMAT_VERSION = 1
MAX_FILE_BYTES = 64 * 1024
HORIZONS = (2030, 2045)
TOP_KEYS = {"format_version", "scenario", "levers", "reasons", "target"}
SCENARIO_KEYS = {"id", "name", "description", "national_policy", "horizon", "kommun"}
TARGET_KEYS = {"selected", "year", "base_year", "max_gross_pct", "budget_rate_pct"}


class ScenarioFileError(ValueError):
    """A scenario file or mapping is invalid.

    Attributes
    ----------
    field : str
        Dotted path of the offending field ("levers.ev_cars").
    value : Any
        The value found.
    allowed : str
        What would have been accepted.
    """

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field, self.value, self.allowed = field, value, allowed
        shown = repr(value)
        if len(shown) > 60:  # keep both ends: a file path's name is at the end
            shown = shown[:25] + "…" + shown[-34:]
        super().__init__(f"Fältet '{field}' har värdet {shown}; tillåtet: {allowed} "
                         f"(field '{field}' has value {shown}; allowed: {allowed})")


@dataclass(frozen=True)
class Scenario:
    """One scenario. ``levers`` maps lever id -> value in the lever's unit."""

    levers: dict[str, float] = field(default_factory=dict)
    kommun: str | None = None
    national_policy: str = "current_law"
    horizon: int = 2030
    target: TargetSpec = field(default_factory=TargetSpec)
    id: str = "custom"
    name: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, dict[str, str]] = field(default_factory=dict)


def _number(path: str, value: Any, lo: float, hi: float, unit: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ScenarioFileError(path, value, f"ett tal {lo:g}–{hi:g} {unit}".strip())
    if not lo <= value <= hi:
        raise ScenarioFileError(path, value, f"{lo:g}–{hi:g} {unit}".strip())
    return float(value)


def _texts(path: str, value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"sv": value, "en": value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()) \
            or not set(value) <= {"sv", "en"}:
        raise ScenarioFileError(path, value, "en text eller { sv = \"…\", en = \"…\" }")
    return dict(value)


def check_lever_value(reg: Registry, lever_id: str, value: Any, path: str | None = None) -> float:
    """Validate one lever value against the registry and return it as float."""
    where = path or f"levers.{lever_id}"
    if lever_id not in reg.lever_ids:
        raise ScenarioFileError(where, lever_id, "en spak ur registret: " + ", ".join(reg.lever_ids))
    lv = reg.lever(lever_id)
    v = _number(where, value, lv.min, lv.max, lv.unit)
    steps = (v - lv.min) / lv.step
    if abs(steps - round(steps)) > 1e-6:
        raise ScenarioFileError(where, value, f"en multipel av {lv.step:g} {lv.unit} från {lv.min:g}")
    return v


def scenario_from_dict(raw: dict[str, Any], reg: Registry | None = None) -> Scenario:
    """Validate a parsed scenario mapping (e.g. from TOML) into a :class:`Scenario`."""
    reg = reg or load_registry()
    if not isinstance(raw, dict):
        raise ScenarioFileError("(fil)", type(raw).__name__, "en TOML-tabell")
    if unknown := set(raw) - TOP_KEYS:
        key = sorted(unknown)[0]
        raise ScenarioFileError(key, raw[key], "bara " + ", ".join(sorted(TOP_KEYS)))
    if "format_version" not in raw:
        raise ScenarioFileError("format_version", None, f"{FORMAT_VERSION} (fältet saknas)")
    if type(raw["format_version"]) is not int or raw["format_version"] != FORMAT_VERSION:
        raise ScenarioFileError("format_version", raw["format_version"], str(FORMAT_VERSION))
    meta = raw.get("scenario", {})
    if not isinstance(meta, dict):
        raise ScenarioFileError("scenario", meta, "en tabell [scenario]")
    if unknown := set(meta) - SCENARIO_KEYS:
        key = sorted(unknown)[0]
        raise ScenarioFileError(f"scenario.{key}", meta[key], "bara " + ", ".join(sorted(SCENARIO_KEYS)))
    policy = meta.get("national_policy", "current_law")
    if policy not in POLICIES:
        raise ScenarioFileError("scenario.national_policy", policy, ", ".join(POLICIES))
    horizon = meta.get("horizon", 2030)
    if isinstance(horizon, bool) or horizon not in HORIZONS:
        raise ScenarioFileError("scenario.horizon", horizon, "2030 eller 2045")
    kommun = meta.get("kommun")
    if kommun is not None:
        codes = {k.code for k in load_dataset().kommuner}
        if not isinstance(kommun, str) or kommun not in codes:
            raise ScenarioFileError("scenario.kommun", kommun, "en kommunkod med fyra siffror, t.ex. \"0381\"")
    sid = meta.get("id", "custom")
    if not isinstance(sid, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}", sid):
        raise ScenarioFileError("scenario.id", sid, "bokstäver, siffror, - och _ (högst 40 tecken)")
    levers_raw = raw.get("levers", {})
    if not isinstance(levers_raw, dict):
        raise ScenarioFileError("levers", levers_raw, "en tabell [levers] med spak = värde")
    levers = {k: check_lever_value(reg, k, v) for k, v in levers_raw.items()}
    reasons_raw = raw.get("reasons", {})
    if not isinstance(reasons_raw, dict):
        raise ScenarioFileError("reasons", reasons_raw, "en tabell [reasons]")
    reasons = {}
    for k, v in reasons_raw.items():
        if k not in reg.lever_ids:
            raise ScenarioFileError(f"reasons.{k}", k, "en spak ur registret")
        reasons[k] = _texts(f"reasons.{k}", v)
    target = _target(raw.get("target", {}))
    return Scenario(levers=levers, kommun=kommun, national_policy=policy, horizon=int(horizon),
                    target=target, id=sid, name=_texts("scenario.name", meta.get("name", sid)),
                    description=_texts("scenario.description", meta.get("description", "")),
                    reasons=reasons)


def _target(raw: Any) -> TargetSpec:
    if not isinstance(raw, dict):
        raise ScenarioFileError("target", raw, "en tabell [target]")
    if unknown := set(raw) - TARGET_KEYS:
        key = sorted(unknown)[0]
        raise ScenarioFileError(f"target.{key}", raw[key], "bara " + ", ".join(sorted(TARGET_KEYS)))
    sel = raw.get("selected", "klimatneutral_2030")
    if sel not in TARGET_IDS:
        raise ScenarioFileError("target.selected", sel, ", ".join(TARGET_IDS))
    years = load_dataset().inventory_years
    year = raw.get("year", 2030)
    if isinstance(year, bool) or year not in (2030, 2035, 2040, 2045):
        raise ScenarioFileError("target.year", year, "2030, 2035, 2040 eller 2045")
    base = raw.get("base_year", 1990)
    if isinstance(base, bool) or base not in years:
        raise ScenarioFileError("target.base_year", base, ", ".join(map(str, years)))
    pct = _number("target.max_gross_pct", raw.get("max_gross_pct", 20.0), 0, 100, "%")
    rate = raw.get("budget_rate_pct")
    rate = None if rate is None else _number("target.budget_rate_pct", rate, 0.5, 50, "% per år")
    return TargetSpec(sel, int(year), int(base), pct, rate)


def loads_scenario(text: str | bytes, reg: Registry | None = None) -> Scenario:
    """Parse and validate scenario TOML text (at most 64 KiB)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioFileError("(fil)", f"{len(data)} byte", f"högst {MAX_FILE_BYTES} byte")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ScenarioFileError("(fil)", "binärdata", "UTF-8-kodad TOML-text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError("(fil)", str(exc), "giltig TOML") from exc
    return scenario_from_dict(raw, reg)


def load_scenario(path: str | Path, reg: Registry | None = None) -> Scenario:
    """Read and validate a scenario file."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioFileError("(fil)", str(p), "en befintlig .toml-fil")
    return loads_scenario(p.read_bytes(), reg)


def scenario_to_dict(sc: Scenario) -> dict[str, Any]:
    """Mapping form of a scenario, as written to TOML."""
    meta: dict[str, Any] = {"id": sc.id, "name": sc.name, "description": sc.description,
                            "national_policy": sc.national_policy, "horizon": sc.horizon}
    if sc.kommun:
        meta["kommun"] = sc.kommun
    tgt: dict[str, Any] = {"selected": sc.target.selected, "year": sc.target.year,
                           "base_year": sc.target.base_year, "max_gross_pct": sc.target.max_gross_pct}
    if sc.target.budget_rate_pct is not None:
        tgt["budget_rate_pct"] = sc.target.budget_rate_pct
    out: dict[str, Any] = {"format_version": FORMAT_VERSION, "scenario": meta,
                           "levers": {k: (int(v) if float(v).is_integer() else v) for k, v in sc.levers.items()},
                           "target": tgt}
    if sc.reasons:
        out["reasons"] = sc.reasons
    return out


def dumps_scenario(sc: Scenario) -> str:
    """Scenario as TOML text (round-trips through :func:`loads_scenario`)."""
    return tomli_w.dumps(scenario_to_dict(sc))


def save_scenario(sc: Scenario, path: str | Path) -> None:
    """Write a scenario file."""
    Path(path).write_text(dumps_scenario(sc), encoding="utf-8")
