"""Share-link codec: the whole scenario state as language-neutral URL parameters.

A link holds every lever explicitly (never "the default"), plus a link-format
version ``v``, the model version ``m`` and the data release ``d``, so a later
change of defaults, model or data can never silently change what an old link
shows: differences produce visible notices instead.

Decoding is total. Anything broken, truncated, out of range or hostile is
dropped with a :class:`Notice` naming it, and only that part falls back to its
default. Notices carry an i18n key and parameters; the UI words them.

Example::

    ?v=1&m=2026.11.1&d=2024&k=0381&lang=sv&np=cl&h=2030&mt=kn&ty=2030&tb=1990&tp=20&ev=80&vkm=10...
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from model.baseline import build_context
from model.data import load_dataset
from model.kommuner import find_kommun
from model.registry import Registry, load_registry
from model.run import DEFAULT_KOMMUN, MODEL_VERSION
from model.targets import TargetSpec

LINK_VERSION = 1
MAX_VALUE_CHARS = 40
MAX_PARAMS = 80
LANGS = ("sv", "en")
POLICY_CODES = {"cl": "current_law", "10": "rp10_2025", "og": "original_2030"}
TARGET_CODES = {"kn": "klimatneutral_2030", "br": "budget_rate", "cl": "carbon_law",
                "nt": "national_transport_2030", "n45": "national_2045"}
#: Levers added after a link version: {version: set of url keys new in that version}.
LEVERS_ADDED_IN: dict[int, set[str]] = {}
#: Renamed URL keys by version (old -> new); never reuse a key.
RENAMED_KEYS: dict[int, dict[str, str]] = {}
RESERVED = {"v", "m", "d", "k", "lang", "np", "h", "mt", "ty", "tb", "tp", "tr", "embed", "embed_options",
            "ws", "present", "role"}
_NUM = re.compile(r"^-?\d{1,7}(\.\d{1,4})?$")


@dataclass(frozen=True)
class Notice:
    """Something in a link was ignored or migrated; ``key`` is an i18n key, ``params`` its values."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkState:
    """Decoded scenario state (all parts valid)."""

    kommun: str
    lang: str
    policy: str
    horizon: int
    target: TargetSpec
    levers: dict[str, float]
    notices: tuple[Notice, ...] = ()


def default_state(kommun: str = DEFAULT_KOMMUN, lang: str = "sv", reg: Registry | None = None) -> LinkState:
    """Defaults for a kommun: every lever at its default position."""
    reg = reg or load_registry()
    ctx = build_context(kommun, "current_law", 2030)
    return LinkState(kommun, lang, "current_law", 2030, TargetSpec(),
                     {lid: float(ctx.default[i]) for i, lid in enumerate(reg.lever_ids)})


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def encode(state: LinkState, reg: Registry | None = None) -> dict[str, str]:
    """Query parameters for a state (every lever explicit, stable order)."""
    reg = reg or load_registry()
    inv_p = {v: k for k, v in POLICY_CODES.items()}
    inv_t = {v: k for k, v in TARGET_CODES.items()}
    t = state.target
    out = {"v": str(LINK_VERSION), "m": MODEL_VERSION, "d": str(load_dataset().last_year),
           "k": state.kommun, "lang": state.lang, "np": inv_p[state.policy], "h": str(state.horizon),
           "mt": inv_t[t.selected], "ty": str(t.year), "tb": str(t.base_year), "tp": _fmt(t.max_gross_pct)}
    if t.budget_rate_pct is not None:
        out["tr"] = _fmt(t.budget_rate_pct)
    for lv in reg.levers:
        out[lv.url_key] = _fmt(state.levers[lv.id])
    return out


def _first(params: Mapping[str, Any], key: str) -> str | None:
    val = params.get(key)
    if isinstance(val, (list, tuple)):
        val = val[-1] if val else None
    return None if val is None else str(val)


def _num(raw: str | None) -> float | None:
    if raw is None or len(raw) > MAX_VALUE_CHARS or not _NUM.match(raw.strip()):
        return None
    return float(raw)


def decode(params: Mapping[str, Any], reg: Registry | None = None) -> LinkState:
    """Decode query parameters into a valid state plus notices. Never raises.

    Parameters
    ----------
    params : Mapping
        Query parameters (values as strings or lists of strings).
    """
    reg = reg or load_registry()
    notes: list[Notice] = []
    if not params:
        return default_state(reg=reg)
    keys = list(params.keys())
    if len(keys) > MAX_PARAMS:
        notes.append(Notice("link.too_many", {"n": len(keys)}))
        keys = keys[:MAX_PARAMS]
    safe = {str(k)[:20]: _first(params, k) for k in keys}

    version = LINK_VERSION
    raw_v = safe.get("v")
    if raw_v is None:
        # Lever values mean something only relative to a version; kommun, language etc. do not.
        if any(reg.by_url_key(k) is not None for k in safe):
            notes.append(Notice("link.no_version", {"version": LINK_VERSION}))
    elif raw_v.isdigit() and 1 <= int(raw_v) <= LINK_VERSION:
        version = int(raw_v)
    else:
        notes.append(Notice("link.bad_version", {"value": raw_v[:MAX_VALUE_CHARS], "version": LINK_VERSION}))
    for old_v in range(version, LINK_VERSION):
        for old, new in RENAMED_KEYS.get(old_v + 1, {}).items():
            if old in safe and new not in safe:
                safe[new] = safe.pop(old)
    if (m := safe.get("m")) is not None and m != MODEL_VERSION:
        notes.append(Notice("link.model_version", {"link": m[:MAX_VALUE_CHARS], "now": MODEL_VERSION}))
    last = str(load_dataset().last_year)
    if (d := safe.get("d")) is not None and d != last:
        notes.append(Notice("link.data_release", {"link": d[:MAX_VALUE_CHARS], "now": last}))

    kommun = DEFAULT_KOMMUN
    if (k := safe.get("k")) is not None:
        try:
            if len(k) > MAX_VALUE_CHARS:
                raise LookupError(k)
            kommun = find_kommun(k).code
        except LookupError:
            notes.append(Notice("link.bad_kommun", {"value": k[:MAX_VALUE_CHARS]}))
    lang = "sv"
    if (lg := safe.get("lang")) is not None:
        if lg.lower() in LANGS:
            lang = lg.lower()
        else:
            notes.append(Notice("link.bad_value", {"param": "lang", "value": lg[:MAX_VALUE_CHARS]}))
    policy = "current_law"
    if (p := safe.get("np")) is not None:
        if p in POLICY_CODES:
            policy = POLICY_CODES[p]
        else:
            notes.append(Notice("link.bad_value", {"param": "np", "value": p[:MAX_VALUE_CHARS]}))
    horizon = 2030
    if (h := safe.get("h")) is not None:
        if h in ("2030", "2045"):
            horizon = int(h)
        else:
            notes.append(Notice("link.bad_value", {"param": "h", "value": h[:MAX_VALUE_CHARS]}))
    target = _decode_target(safe, notes)

    base = default_state(kommun, lang, reg)
    levers = dict(base.levers)
    added_later = set().union(*(LEVERS_ADDED_IN.get(v, set()) for v in range(version + 1, LINK_VERSION + 1)))
    missing: dict[str, list[str]] = {"link.levers_added": [], "link.levers_missing": []}
    for lv in reg.levers:
        raw = safe.get(lv.url_key)
        if raw is None:
            if safe.get("v") is not None:
                missing["link.levers_added" if lv.url_key in added_later else "link.levers_missing"].append(lv.id)
            continue
        val = _num(raw)
        steps = None if val is None else (val - lv.min) / lv.step
        if val is None or not lv.min <= val <= lv.max or abs(steps - round(steps)) > 1e-6:
            notes.append(Notice("link.bad_lever", {"lever": lv.id, "value": raw[:MAX_VALUE_CHARS],
                                                   "min": lv.min, "max": lv.max, "unit": lv.unit}))
            continue
        levers[lv.id] = val
    notes.extend(Notice(key, {"levers": ids}) for key, ids in missing.items() if ids)
    known = RESERVED | {lv.url_key for lv in reg.levers}
    unknown = [k for k in safe if k not in known]
    if unknown:
        notes.append(Notice("link.unknown_params", {"names": ", ".join(sorted(unknown)[:5])[:120]}))
    return LinkState(kommun, lang, policy, horizon, target, levers, tuple(notes))


def _decode_target(safe: dict[str, str | None], notes: list[Notice]) -> TargetSpec:
    base = TargetSpec()
    sel = base.selected
    if (mt := safe.get("mt")) is not None:
        if mt in TARGET_CODES:
            sel = TARGET_CODES[mt]
        else:
            notes.append(Notice("link.bad_value", {"param": "mt", "value": mt[:MAX_VALUE_CHARS]}))
    fields: dict[str, Any] = {}
    checks = (("ty", "year", lambda v: v in (2030, 2035, 2040, 2045), int),
              ("tb", "base_year", lambda v: v in load_dataset().inventory_years, int),
              ("tp", "max_gross_pct", lambda v: 0 <= v <= 100, float),
              ("tr", "budget_rate_pct", lambda v: 0.5 <= v <= 50, float))
    for param, name, ok, cast in checks:
        raw = safe.get(param)
        if raw is None:
            continue
        val = _num(raw)
        if val is None or not ok(val) or (cast is int and not val.is_integer()):
            notes.append(Notice("link.bad_value", {"param": param, "value": raw[:MAX_VALUE_CHARS]}))
            continue
        fields[name] = cast(val)
    return TargetSpec(selected=sel, **fields)
