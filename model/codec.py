"""Share-link codec: the whole scenario state as language-neutral URL parameters.

A link holds every lever explicitly (never "the default"), plus a link-format
version ``v``, the model version ``m`` and the data release ``d``, so a later
change of defaults, model or data can never silently change what an old link
shows: differences produce visible notices instead.

Decoding is total. Anything broken, truncated, out of range or hostile is
dropped with a :class:`Notice` naming it, and only that part falls back to its
default. Notices carry an i18n key and parameters; the UI words them.

Example::

    ?v=2&m=2026.12.1&d=2024&k=0381&lang=sv&np=cl&h=2030&mt=kn&ty=2030&tb=1990&tp=20&ev=80&vkm=10...
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from model.baseline import build_context
from model.data import load_dataset, release_of_link
from model.kommuner import find_kommun
from model.measures import OwnMeasure
from model.measures_link import decode_measures, encode_measures
from model.registry import HORIZONS as _HORIZONS
from model.registry import POLICIES, TARGET_YEARS, Lever, Registry, load_registry
from model.run import DEFAULT_KOMMUN, MODEL_VERSION
from model.scenario import grid_value
from model.target_defs import TARGET_CODES
from model.targets import TargetSpec, base_years

#: 2: ten levers added (registry field ``added_in_link = 2``) and the own-measures field ``om``.
LINK_VERSION = 2
MAX_VALUE_CHARS = 40
#: Fields a link may have. A complete link has 30 (12 settings, 18 levers); Klimatvägar's own fields
#: are always read, wherever they stand, and a longer link gets one notice naming this limit.
MAX_PARAMS = 80
#: Unknown field names listed in a notice (each shortened to 20 characters).
MAX_UNKNOWN_SHOWN = 5
LANGS = ("sv", "en")
#: The horizons as link values ("2030", "2045"); both lists come from the registry's [model] table.
HORIZONS = tuple(str(h) for h in _HORIZONS)
#: Link code -> national policy id, from each ``[policy.<id>]`` table's ``code`` in registry.toml.
POLICY_CODES = {str(table["code"]): pid for pid, table in load_registry().policies.items()}

def levers_added_in(reg: Registry | None = None) -> dict[int, set[str]]:
    """Levers added after the first link version: {version: url keys new in it}.

    From each lever's ``added_in_link`` in model/registry.toml, the one home for that fact.
    """
    out: dict[int, set[str]] = {}
    for lv in (reg or load_registry()).levers:
        if lv.added_in_link > 1:
            out.setdefault(lv.added_in_link, set()).add(lv.url_key)
    return out

#: Renamed URL keys by version (old -> new); never reuse a key.
RENAMED_KEYS: dict[int, dict[str, str]] = {}
RESERVED = {"v", "m", "d", "k", "lang", "np", "h", "mt", "ty", "tb", "tp", "tr", "om", "embed", "embed_options",
            "ws", "present", "role", "dev"}
#: The own-measures field ``om`` has its own bound (:data:`model.measures.MAX_LINK_CHARS`, 6 000
#: characters) instead of :data:`MAX_VALUE_CHARS`: it carries whole measures, checked by
#: :func:`model.measures.decode_measures`.
MEASURES_KEY = "om"
# ASCII digits only: str.isdigit() and \d accept "²", "①" and other scripts' digits, which int() refuses
# or reads as another number. At most 7 + 4 digits, so a value can never overflow or be inf/nan.
_NUM = re.compile(r"-?[0-9]{1,7}(\.[0-9]{1,4})?", re.ASCII)
_VERSION = re.compile(r"[0-9]{1,4}", re.ASCII)


@dataclass(frozen=True)
class Notice:
    """Something in a link was ignored or migrated; ``key`` is an i18n key, ``params`` its values."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkState:
    """Decoded scenario state (all parts valid; lever values exactly on their grid).

    ``release`` is the SMHI release id the link computes on; None is the latest release
    (a link's ``d`` that names the latest decodes to None, so both give one canonical link).
    ``measures`` are the own measures the link carries in ``om`` (none without it).
    """

    kommun: str
    lang: str
    policy: str
    horizon: int
    target: TargetSpec
    levers: dict[str, float]
    notices: tuple[Notice, ...] = ()
    release: str | None = None
    measures: tuple[OwnMeasure, ...] = ()


def slider_number(lv: Lever, value: float) -> float:
    """A grid value in the slider's own type: int for integer-step levers, else float."""
    return round(value) if lv.decimals == 0 else round(float(value), lv.decimals)


def default_state(kommun: str = DEFAULT_KOMMUN, lang: str = "sv", reg: Registry | None = None) -> LinkState:
    """Defaults for a kommun: every lever at its default position."""
    reg = reg or load_registry()
    ctx = build_context(kommun, "current_law", 2030)
    return LinkState(kommun, lang, "current_law", 2030, TargetSpec(),
                     {lv.id: slider_number(lv, grid_value(lv, float(ctx.default[i]))[0])
                      for i, lv in enumerate(reg.levers)})


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def encode(state: LinkState, reg: Registry | None = None) -> dict[str, str]:
    """Query parameters for a state (every lever explicit, stable order).

    Raises
    ------
    model.measures.MeasureError
        The state's measures do not fit a link (``measure.too_many``, ``measure.link_too_long``);
        ui/state/own_measures.py refuses such measures before they reach a state.
    """
    reg = reg or load_registry()
    inv_p = {v: k for k, v in POLICY_CODES.items()}
    inv_t = {v: k for k, v in TARGET_CODES.items()}
    t = state.target
    out = {"v": str(LINK_VERSION), "m": MODEL_VERSION, "d": str(load_dataset(release=state.release).last_year),
           "k": state.kommun, "lang": state.lang, "np": inv_p[state.policy], "h": str(state.horizon),
           "mt": inv_t[t.selected], "ty": str(t.year), "tb": str(t.base_year), "tp": _fmt(t.max_gross_pct)}
    if t.budget_rate_pct is not None:
        out["tr"] = _fmt(t.budget_rate_pct)
    for lv in reg.levers:
        out[lv.url_key] = _fmt(state.levers[lv.id])
    if state.measures:
        out[MEASURES_KEY] = encode_measures(state.measures)
    return out


def _values(params: Mapping[Any, Any], key: str) -> list[str]:
    """Every value a link gives for ``key`` (a query string may repeat a field)."""
    val = params.get(key)
    if val is None:
        return []
    vals = list(val) if isinstance(val, (list, tuple)) else [val]
    return [v if isinstance(v, str) else str(v) for v in vals if v is not None]


def _num(raw: str | None) -> float | None:
    if raw is None or len(raw) > MAX_VALUE_CHARS or not _NUM.fullmatch(raw.strip()):
        return None
    return float(raw.strip())


def _short(raw: str) -> str:
    return raw[:MAX_VALUE_CHARS]


def base_years_now(release: str | None = None) -> tuple[int, ...]:
    """The base years a link may name (:func:`model.targets.base_years` of the release, the latest
    when None)."""
    return base_years(load_dataset(release=release).inventory_years)


def decode(params: Mapping[Any, Any], reg: Registry | None = None) -> LinkState:
    """Decode query parameters into a valid state plus notices. Never raises.

    Parameters
    ----------
    params : Mapping
        Query parameters (values as strings or lists of strings; the last of repeated values counts).

    Returns
    -------
    LinkState
        Every part valid: a broken part falls back to its default with a :class:`Notice` naming it.
        Lever values lie on their grid (``min + k * step``, in :func:`slider_number`'s type); a value
        between steps is rounded to the nearest step with a ``link.lever_rounded`` notice.
    """
    reg = reg or load_registry()
    try:
        return _decode(params, reg)
    except Exception as exc:  # noqa: BLE001 - the last line of "never raises"; tests assert it is unused
        return replace(default_state(reg=reg), notices=(Notice("link.unreadable", {"error": type(exc).__name__}),))


def _decode(params: Mapping[Any, Any], reg: Registry) -> LinkState:
    notes: list[Notice] = []
    if not params:
        return default_state(reg=reg)
    known = RESERVED | {lv.url_key for lv in reg.levers}
    if len(params) > MAX_PARAMS:
        notes.append(Notice("link.too_many_fields", {"n": len(params), "max": MAX_PARAMS}))
    safe: dict[str, str] = {}
    for k in known:
        if vals := _values(params, k):
            safe[k] = vals[-1]
            if len(set(vals)) > 1:
                notes.append(Notice("link.repeated", {"param": k, "value": _short(vals[-1])}))
    unknown = sorted({str(k)[:20] for k in itertools.islice(params, MAX_PARAMS) if k not in known})

    version = LINK_VERSION
    raw_v = safe.get("v")
    if raw_v is None:
        # Lever values mean something only relative to a version; kommun, language etc. do not.
        if any(reg.by_url_key(k) is not None for k in safe):
            notes.append(Notice("link.no_version", {"version": LINK_VERSION}))
    elif _VERSION.fullmatch(raw_v) and 1 <= int(raw_v) <= LINK_VERSION:
        version = int(raw_v)
    else:
        notes.append(Notice("link.bad_version", {"value": _short(raw_v), "version": LINK_VERSION}))
    for old_v in range(version, LINK_VERSION):
        for old, new in RENAMED_KEYS.get(old_v + 1, {}).items():
            if old in safe and new not in safe:
                safe[new] = safe.pop(old)
    if (m := safe.get("m")) is not None and m != MODEL_VERSION:
        notes.append(Notice("link.model_version", {"link": _short(m), "now": MODEL_VERSION}))
    release = _decode_release(safe.get("d"), notes)

    kommun = DEFAULT_KOMMUN
    if (code := safe.get("k")) is not None:
        try:
            if len(code) > MAX_VALUE_CHARS:
                raise LookupError(code)
            kommun = find_kommun(code).code
        except LookupError:
            notes.append(Notice("link.bad_kommun", {"value": _short(code), "default": find_kommun(kommun).name}))
    lang = _choice(safe, "lang", {x: x for x in LANGS}, "sv", notes, fold=True)
    policy = _choice(safe, "np", POLICY_CODES, POLICIES[0], notes)
    horizon = int(_choice(safe, "h", {x: x for x in HORIZONS}, "2030", notes))
    target = _decode_target(safe, notes, release)

    base = default_state(kommun, lang, reg)
    levers = dict(base.levers)
    added_in = levers_added_in(reg)
    added_later = set().union(*(added_in.get(v, set()) for v in range(version + 1, LINK_VERSION + 1)))
    missing: dict[str, list[str]] = {"link.levers_added": [], "link.levers_missing": []}
    for lv in reg.levers:
        raw = safe.get(lv.url_key)
        if raw is None:
            if safe.get("v") is not None:
                missing["link.levers_added" if lv.url_key in added_later else "link.levers_missing"].append(lv.id)
            continue
        val = _num(raw)
        if val is None or not lv.min <= val <= lv.max:
            notes.append(Notice("link.bad_lever", {"lever": lv.id, "value": _short(raw),
                                                   "min": slider_number(lv, lv.min),
                                                   "max": slider_number(lv, lv.max), "unit": lv.unit}))
            continue
        on_grid, exact = grid_value(lv, val)
        levers[lv.id] = slider_number(lv, on_grid)
        if not exact:
            notes.append(Notice("link.lever_rounded", {"lever": lv.id, "value": _short(raw), "used": levers[lv.id],
                                                       "step": slider_number(lv, lv.step), "unit": lv.unit}))
    notes.extend(Notice(key, {"levers": ids}) for key, ids in missing.items() if ids)
    measures, measure_notes = decode_measures(safe.get(MEASURES_KEY), reg.stream_ids)
    notes.extend(Notice(n.key, dict(n.params)) for n in measure_notes)
    if unknown:
        more = len(unknown) - MAX_UNKNOWN_SHOWN
        names = ", ".join(unknown[:MAX_UNKNOWN_SHOWN]) + (f" (+{more})" if more > 0 else "")
        notes.append(Notice("link.unknown_params", {"names": names}))
    return LinkState(kommun, lang, policy, horizon, target, levers, tuple(notes), release, tuple(measures))


def _decode_release(d: str | None, notes: list[Notice]) -> str | None:
    """The release id a link's ``d`` names (None: the latest), with its notice.

    ``link.data_release`` when ``d`` names an older stored release (the link computes on it);
    ``link.data_release_unknown`` when ``d`` names none (the link computes on the latest).
    """
    if d is None:
        return None
    found = release_of_link(d[:MAX_VALUE_CHARS])
    now = str(found.release.last_year) if found.is_default else str(load_dataset().last_year)
    if not found.exact:
        notes.append(Notice("link.data_release_unknown", {"link": _short(d), "now": now}))
        return None
    if found.is_default:
        return None
    notes.append(Notice("link.data_release", {"link": _short(d), "now": now, "release": found.release.id}))
    return found.release.id


def _choice(safe: dict[str, str], param: str, codes: Mapping[str, str], default: str, notes: list[Notice],
            fold: bool = False) -> str:
    """A field with a fixed set of values; anything else is refused with a notice listing them."""
    raw = safe.get(param)
    if raw is None:
        return default
    if (raw.lower() if fold else raw) in codes:
        return codes[raw.lower() if fold else raw]
    notes.append(Notice("link.bad_choice", {"param": param, "value": _short(raw), "allowed": ", ".join(codes)}))
    return default


def _decode_target(safe: dict[str, str], notes: list[Notice], release: str | None = None) -> TargetSpec:
    default_code = next(c for c, tid in TARGET_CODES.items() if tid == TargetSpec().selected)
    sel = TARGET_CODES[_choice(safe, "mt", {c: c for c in TARGET_CODES}, default_code, notes)]
    fields: dict[str, Any] = {}
    for param, name, allowed in (("ty", "year", TARGET_YEARS), ("tb", "base_year", base_years_now(release))):
        if (raw := safe.get(param)) is None:
            continue
        val = _num(raw)
        if val is None or val not in allowed:
            key = "link.bad_base_year" if param == "tb" else "link.bad_choice"
            notes.append(Notice(key, {"param": param, "value": _short(raw), "allowed": ", ".join(map(str, allowed))}))
            continue
        fields[name] = int(val)
    for param, name, lo, hi in (("tp", "max_gross_pct", 0, 100), ("tr", "budget_rate_pct", 0.5, 50)):
        if (raw := safe.get(param)) is None:
            continue
        val = _num(raw)
        if val is None or not lo <= val <= hi:
            notes.append(Notice("link.bad_range", {"param": param, "value": _short(raw), "min": lo, "max": hi,
                                                   "unit": "%"}))
            continue
        fields[name] = val + 0.0  # -0 -> 0
    return TargetSpec(selected=sel, **fields)
