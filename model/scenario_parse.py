"""Scenario files' content: a parsed mapping validated into a :class:`model.scenario.Scenario`.

:func:`scenario_from_dict` checks every table and field of a file (or a preset's mapping) and raises
:class:`model.scenario.ScenarioFileError` naming the field, the value and what is allowed;
:func:`check_lever_value` holds a lever value to its range and grid (``min + k * step``) and returns
it exactly on the grid. Text reaches here through :func:`model.scenario_guard.checked_toml`.
"""
from __future__ import annotations

import math
import re
from typing import Any

from model.data import list_releases, load_dataset
from model.measures import MeasureError, OwnMeasure
from model.measures_parse import check_measure_list, measure_from_dict
from model.registry import HORIZONS, POLICIES, TARGET_YEARS, Registry, load_registry
from model.scenario import FORMAT_VERSION, Scenario, ScenarioFileError, grid_value
from model.scenario_guard import MAX_DEPTH, mapping_depth
from model.target_defs import DEFAULT_TARGET, TARGET_IDS
from model.targets import TargetSpec, base_years

TOP_KEYS = {"format_version", "scenario", "levers", "reasons", "target", "measure"}
SCENARIO_KEYS = {"id", "name", "description", "national_policy", "horizon", "kommun", "release"}
TARGET_KEYS = {"selected", "year", "base_year", "max_gross_pct", "budget_rate_pct"}


def _number(path: str, value: Any, lo: float, hi: float, unit: str = "") -> float:
    # Compare before converting: an int of 400 digits is out of range, not an OverflowError.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not math.isfinite(value)) or not lo <= value <= hi:
        raise ScenarioFileError(path, value, "number", min=lo, max=hi, unit=unit)
    return float(value)


def _texts(path: str, value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"sv": value, "en": value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()) \
            or not set(value) <= {"sv", "en"}:
        raise ScenarioFileError(path, value, "text")
    return dict(value)


def check_lever_value(reg: Registry, lever_id: str, value: Any, path: str | None = None) -> float:
    """Validate one lever value against the registry and return its exact grid value as float.

    Raises
    ------
    ScenarioFileError
        Unknown lever, not a finite number, out of range, or off the lever's grid.
    """
    where = path or f"levers.{lever_id}"
    if lever_id not in reg.lever_ids:
        raise ScenarioFileError(where, lever_id, "unknown_lever", allowed=", ".join(reg.lever_ids))
    lv = reg.lever(lever_id)
    v = _number(where, value, lv.min, lv.max, lv.unit)
    on_grid, ok = grid_value(lv, v)
    if not ok:
        raise ScenarioFileError(where, value, "grid", step=lv.step, unit=lv.unit, min=lv.min)
    return float(on_grid)


def _unknown(path: str, table: dict[Any, Any], known: set[str]) -> None:
    if unknown := set(table) - known:
        key = min(unknown, key=str)
        raise ScenarioFileError(f"{path}{key}", table[key], "unknown_key", allowed=", ".join(sorted(known)))


def _choice(path: str, value: Any, allowed: tuple[Any, ...]) -> Any:
    # bool is an int in Python (True == 1): never a valid choice.
    if isinstance(value, bool) or value not in allowed:
        raise ScenarioFileError(path, value, "choice", allowed=", ".join(map(str, allowed)))
    return value


def scenario_from_dict(raw: dict[str, Any], reg: Registry | None = None) -> Scenario:
    """Validate a parsed scenario mapping (e.g. from TOML) into a :class:`Scenario`.

    Raises
    ------
    ScenarioFileError
        For anything invalid, naming the field, the value and what is allowed.
    """
    reg = reg or load_registry()
    if not isinstance(raw, dict):
        raise ScenarioFileError("(fil)", type(raw).__name__, "not_table", name="")
    if mapping_depth(raw) > MAX_DEPTH:
        raise ScenarioFileError("(fil)", f"> {MAX_DEPTH}", "too_deep", max=MAX_DEPTH)
    _unknown("", raw, TOP_KEYS)
    if "format_version" not in raw:
        raise ScenarioFileError("format_version", None, "format_missing", version=FORMAT_VERSION)
    if type(raw["format_version"]) is not int or raw["format_version"] != FORMAT_VERSION:
        raise ScenarioFileError("format_version", raw["format_version"], "format_version", version=FORMAT_VERSION)
    meta = raw.get("scenario", {})
    if not isinstance(meta, dict):
        raise ScenarioFileError("scenario", meta, "not_table", name="[scenario]")
    _unknown("scenario.", meta, SCENARIO_KEYS)
    policy = _choice("scenario.national_policy", meta.get("national_policy", "current_law"), tuple(POLICIES))
    horizon = _choice("scenario.horizon", meta.get("horizon", 2030), HORIZONS)
    kommun = meta.get("kommun")
    if kommun is not None:
        codes = {k.code for k in load_dataset().kommuner}
        if not isinstance(kommun, str) or kommun not in codes:
            raise ScenarioFileError("scenario.kommun", kommun, "kommun")
    release = meta.get("release")
    if release is not None:
        release = _choice("scenario.release", release, tuple(r.id for r in list_releases()))
    sid = meta.get("id", "custom")
    if not isinstance(sid, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}", sid):
        raise ScenarioFileError("scenario.id", sid, "id")
    levers_raw = raw.get("levers", {})
    if not isinstance(levers_raw, dict):
        raise ScenarioFileError("levers", levers_raw, "not_table", name="[levers]")
    levers = {k: check_lever_value(reg, k, v) for k, v in levers_raw.items()}
    reasons_raw = raw.get("reasons", {})
    if not isinstance(reasons_raw, dict):
        raise ScenarioFileError("reasons", reasons_raw, "not_table", name="[reasons]")
    reasons = {}
    for k, v in reasons_raw.items():
        if k not in reg.lever_ids:
            raise ScenarioFileError(f"reasons.{k}", k, "unknown_lever", allowed=", ".join(reg.lever_ids))
        reasons[k] = _texts(f"reasons.{k}", v)
    target = _target(raw.get("target", {}), release)
    measures = _measures(raw.get("measure", []), reg)
    return Scenario(levers=levers, kommun=kommun, national_policy=policy, horizon=int(horizon),
                    target=target, id=sid, name=_texts("scenario.name", meta.get("name", sid)),
                    description=_texts("scenario.description", meta.get("description", "")),
                    reasons=reasons, release=release, measures=measures)


def _measures(raw: Any, reg: Registry) -> tuple[OwnMeasure, ...]:
    """``[[measure]]`` tables, each validated by :func:`model.measures_parse.measure_from_dict`."""
    if not isinstance(raw, list):
        raise ScenarioFileError("measure", raw, "not_table", name="[[measure]]")
    try:
        out = tuple(measure_from_dict(m, f"measure[{i}]", reg.stream_ids) for i, m in enumerate(raw))
        check_measure_list(out)
    except MeasureError as exc:
        raise ScenarioFileError.from_measure(exc) from exc
    return out


def _target(raw: Any, release: str | None = None) -> TargetSpec:
    if not isinstance(raw, dict):
        raise ScenarioFileError("target", raw, "not_table", name="[target]")
    _unknown("target.", raw, TARGET_KEYS)
    sel = _choice("target.selected", raw.get("selected", DEFAULT_TARGET), TARGET_IDS)
    year = _choice("target.year", raw.get("year", 2030), TARGET_YEARS)
    allowed_base = base_years(load_dataset(release=release).inventory_years)
    base = _choice("target.base_year", raw.get("base_year", 1990), allowed_base)
    pct = _number("target.max_gross_pct", raw.get("max_gross_pct", 20.0), 0, 100, "%")
    rate = raw.get("budget_rate_pct")
    rate = None if rate is None else _number("target.budget_rate_pct", rate, 0.5, 50, "% per år")
    return TargetSpec(sel, int(year), int(base), pct, rate)
