"""Session and URL state: one mechanism for every setting and widget.

Every user setting (the sidebar's kommun, language, target, horizon, national policy and target
details; each lever; page-local settings such as the Monte Carlo sample count) has one canonical
value in the session, in a plain key that Streamlit never drops (``st.session_state["kommun"]``,
``["target_cfg"]["t_year"]``, ``["levers"]["ev_cars"]``). Widgets are views of it:

* :func:`bind` gives a widget its key and callback. The key is language-neutral data plus, for a
  widget whose option labels are translated, the language (``w.policy.sv``): Streamlit stores a
  choice widget's value as its *label*, so a widget kept across a language switch would hand a
  Swedish label to the English options (a crash in the codec). A fresh widget per language
  avoids that; the value lives in the canonical key, so it carries over.
* Before a widget is drawn its key is set to the canonical value when the two differ (a preset, a
  link, a page switch that dropped the widget, a closed tab). A widget the user just moved already
  agrees, because its ``on_change`` (:func:`commit`) validated the value and stored it first, so
  a slider is never re-seeded mid-drag.

The URL is the share link: decoded once per session (:mod:`model.codec`, total: bad parts become
notices) and rewritten after every run from the canonical values (:func:`sync_url`).
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from model.codec import LinkState, Notice, decode, default_state, encode
from model.data import list_releases, load_dataset
from model.measures import MeasureError, OwnMeasure, check_measure_list
from model.measures_link import encode_measures
from model.registry import HORIZONS, POLICIES, load_registry
from model.scenario import Scenario
from model.targets import TARGET_IDS, TargetSpec

LEVER_PREFIX = "lv_"
LANG_OPTIONS = ("SV", "EN")


@dataclass(frozen=True)
class Setting:
    """A user setting: where its canonical value lives and which values a widget may give it.

    Parameters
    ----------
    name : str
        Setting id (also the canonical session key, or the key inside ``home``).
    home : str
        "" for a top-level session key, else the session dict that holds it ("target_cfg").
    translated : bool
        The widget's option labels depend on the language (choice widgets with format_func).
    options : callable, optional
        The allowed values; a widget value outside them is refused (the widget is reset).
    """

    name: str
    home: str = ""
    translated: bool = False
    options: Callable[[], Collection[Any]] | None = None


@lru_cache(maxsize=1)
def _kommun_codes() -> frozenset[str]:
    return frozenset(k.code for k in load_dataset().kommuner)


#: Every non-lever setting, declared once. Levers are settings too (:func:`lever_setting`).
SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("lang", options=lambda: LANG_OPTIONS),
    Setting("kommun", options=_kommun_codes),
    Setting("t_sel", translated=True, options=lambda: TARGET_IDS),
    Setting("horizon", translated=True, options=lambda: HORIZONS),
    Setting("policy", translated=True, options=lambda: POLICIES),
    Setting("t_year", home="target_cfg"),
    Setting("t_base", home="target_cfg"),
    Setting("t_pct", home="target_cfg"),
    Setting("t_rate", home="target_cfg"),
)}
_MISSING = object()


def register(setting: Setting) -> Setting:
    """Declare a page-local setting (e.g. the Monte Carlo sample count); idempotent."""
    SETTINGS.setdefault(setting.name, setting)
    return SETTINGS[setting.name]


def lever_key(lever_id: str) -> str:
    """Widget key of a lever slider (levers have numeric labels: one key for both languages)."""
    return LEVER_PREFIX + lever_id


def widget_key(name: str, lang: str | None = None) -> str:
    """Widget key of setting ``name`` (language-suffixed when its labels are translated)."""
    s = SETTINGS[name]
    return f"w.{name}.{(lang or 'sv').lower()}" if s.translated else f"w.{name}"


def get(name: str, default: Any = None) -> Any:
    """Canonical value of a setting."""
    ss = st.session_state
    s = SETTINGS[name]
    if s.home:
        return ss.get(s.home, {}).get(name, default)
    return ss.get(name, default)


def put(name: str, value: Any) -> None:
    """Set a setting's canonical value (widgets follow at their next draw)."""
    ss = st.session_state
    s = SETTINGS[name]
    if s.home:
        ss.setdefault(s.home, {})[name] = value
    else:
        ss[name] = value


def _seed(key: str, value: Any) -> None:
    ss = st.session_state
    if ss.get(key, _MISSING) != value:
        ss[key] = value


def bind(name: str, lang: str | None = None, after: Callable[[], None] | None = None) -> dict[str, Any]:
    """Keyword arguments that tie a widget to setting ``name``: ``key``, ``on_change``, ``args``.

    Call it right before drawing the widget (it seeds the widget from the canonical value).
    ``after`` runs once a new valid value has been stored (e.g. the kommun change).
    """
    key = widget_key(name, lang)
    _seed(key, get(name))
    return {"key": key, "on_change": commit, "args": (name, key, after)}


def commit(name: str, key: str, after: Callable[[], None] | None = None) -> None:
    """on_change callback: validate the widget's value and store it as the canonical value."""
    ss = st.session_state
    s = SETTINGS[name]
    value = ss.get(key)
    if s.options is not None and value not in s.options():
        # Not an allowed value (a stale label, a hand-made message): keep the canonical one.
        ss[key] = get(name)
        return
    put(name, value)
    if after is not None:
        after()


# ------------------------------------------------------------------ levers
def _on_grid(lever_id: str, value: Any, fallback: float) -> float:
    """A slider value put on the lever's range and step (a hand-made message can leave them)."""
    lv = load_registry().lever(lever_id)
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        return fallback
    if not math.isfinite(v):
        return fallback
    v = min(max(v, lv.min), lv.max)
    v = lv.min + round((v - lv.min) / lv.step) * lv.step
    return round(min(max(v, lv.min), lv.max), 6)


def slider_value(lever_id: str, value: float) -> float | int:
    """A lever value in the slider's own type: int for integer-step levers (int bounds), else float.

    Streamlit refuses a float value on a slider with int bounds, so an off-grid value from a link
    or the database must never reach the widget as it is.
    """
    lv = load_registry().lever(lever_id)
    v = _on_grid(lever_id, value, float(lv.min))
    return int(round(v)) if lv.decimals == 0 else float(v)


def bind_lever(lever_id: str) -> dict[str, Any]:
    """Keyword arguments (``key``, ``value``, ``on_change``, ``args``) for a lever slider.

    The explicit ``value`` (the canonical one) spares Streamlit a scan of the whole session state
    per slider; the value is not part of the widget's identity, so it never resets the slider.
    """
    key = lever_key(lever_id)
    value = slider_value(lever_id, st.session_state["levers"][lever_id])
    _seed(key, value)
    return {"key": key, "value": value, "on_change": commit_lever, "args": (lever_id,)}


def commit_lever(lever_id: str) -> None:
    """on_change callback of a lever slider: the value, on the lever's grid, becomes canonical."""
    ss = st.session_state
    current = ss["levers"][lever_id]
    ss["levers"][lever_id] = _on_grid(lever_id, ss.get(lever_key(lever_id)), current)


# ------------------------------------------------------------------ session life cycle
def _load(link: LinkState) -> None:
    ss = st.session_state
    ss["kommun"] = link.kommun
    ss["lang"] = link.lang.upper()
    ss["policy"] = link.policy
    ss["horizon"] = link.horizon
    _set_target(link.target)
    ss["levers"] = dict(link.levers)
    ss[MEASURES] = tuple(getattr(link, "measures", None) or ())
    ss[RELEASE] = getattr(link, "release", None)


def _set_target(t: TargetSpec) -> None:
    ss = st.session_state
    ss["t_sel"] = t.selected
    ss["target_cfg"] = {"t_year": t.year, "t_base": t.base_year, "t_pct": t.max_gross_pct,
                        "t_rate": t.budget_rate_pct}


def begin_run() -> None:
    """Start of every run (app.py): decode the URL once per session, count runs."""
    init_state()
    ss = st.session_state
    ss["_run_no"] = ss.get("_run_no", 0) + 1


def run_no() -> int:
    """This run's number within the session (1 for the first)."""
    return int(st.session_state.get("_run_no", 0))


def init_state() -> None:
    """Decode the URL once per session into the canonical values."""
    ss = st.session_state
    if ss.get("_initialised"):
        return
    try:
        params = {k: st.query_params.get_all(k) for k in st.query_params}
    except Exception:  # noqa: BLE001 - a hostile URL must never crash the app
        params = {}
    link = decode(params)
    _load(link)
    ss["notices"] = list(link.notices)
    ss["_initialised"] = True


def lang() -> str:
    """The session's language code, "sv" or "en"."""
    return str(st.session_state.get("lang", "SV")).lower()


def target_spec() -> TargetSpec:
    """Target settings (selected definition and its details)."""
    ss = st.session_state
    cfg = ss.get("target_cfg", {})
    rate = cfg.get("t_rate")
    return TargetSpec(ss.get("t_sel", "klimatneutral_2030"), int(cfg.get("t_year", 2030)),
                      int(cfg.get("t_base", 1990)), float(cfg.get("t_pct", 20.0)),
                      None if rate is None else float(rate))


def levers() -> dict[str, float]:
    """Current lever values (lever id -> value in lever units)."""
    return dict(st.session_state["levers"])


def _extras(cls: type) -> dict[str, Any]:
    """Own measures and the data release, for the fields ``cls`` has.

    The link and scenario classes gained these fields after this module's callers were written;
    asking the class keeps one code path for both.
    """
    names = {f.name for f in dataclasses.fields(cls)}
    values = {"measures": measures(), "release": release()}
    return {k: v for k, v in values.items() if k in names}


def current_link() -> LinkState:
    """The full current state as a link state (own measures and data release included)."""
    ss = st.session_state
    return LinkState(ss["kommun"], lang(), ss["policy"], int(ss["horizon"]), target_spec(), levers(),
                     **_extras(LinkState))


def current_scenario() -> Scenario:
    """The current state as a model scenario (own measures and data release included)."""
    ss = st.session_state
    return Scenario(levers=levers(), kommun=ss["kommun"], national_policy=ss["policy"],
                    horizon=int(ss["horizon"]), target=target_spec(), id="dashboard", **_extras(Scenario))


# ------------------------------------------------------------------ own measures and data release
#: Session keys of the canonical own measures (a tuple of OwnMeasure) and data release (None = latest).
MEASURES = "measures"
RELEASE = "release"
#: The own measures the last "Återställ" removed, for the editor's undo button.
MEASURES_UNDO = "_measures_undo"


def measures() -> tuple[OwnMeasure, ...]:
    """The own measures in force (profile measures switched on and the user's), in order."""
    return tuple(st.session_state.get(MEASURES) or ())


def set_measures(values: Sequence[OwnMeasure]) -> None:
    """Replace the own measures; the chart, link and exports follow at the next run.

    Raises
    ------
    model.measures.MeasureError
        More than :data:`model.measures.MAX_MEASURES`, a repeated id, or too long for a share
        link (``measure.link_too_long``): the session never holds measures its link cannot carry,
        and nothing changes.
    """
    vals = tuple(values)
    check_measure_list(vals)
    encode_measures(vals)
    st.session_state[MEASURES] = vals


def upsert_measure(m: OwnMeasure, replace_id: str | None = None) -> None:
    """Add ``m``, or put it in the place of the measure ``replace_id`` (an edit; the id may change).

    Raises
    ------
    model.measures.MeasureError
        As :func:`set_measures` (``measure.duplicate`` when another measure has ``m.id``).
    """
    current = list(measures())
    at = next((i for i, x in enumerate(current) if replace_id is not None and x.id == replace_id), None)
    if at is None:
        current.append(m)
    else:
        current[at] = m
    set_measures(current)


def remove_measure(measure_id: str) -> None:
    """Take the measure ``measure_id`` out (nothing happens when there is none)."""
    st.session_state[MEASURES] = tuple(m for m in measures() if m.id != measure_id)


def undo_measures_reset() -> None:
    """Button callback: bring back the own measures the last reset removed."""
    kept = st.session_state.pop(MEASURES_UNDO, None)
    if kept:
        st.session_state[MEASURES] = tuple(kept)


def release() -> str | None:
    """The SMHI release the scenario computes on, or None for the latest (the default)."""
    return st.session_state.get(RELEASE)


def set_release(release_id: str | None) -> None:
    """Compute on SMHI release ``release_id``, or on the latest with None; levers stay as they are.

    An id that is no shipped release is refused (the latest is used), so a hand-made value can
    never reach the model.
    """
    if release_id is not None and release_id not in {r.id for r in list_releases()}:
        release_id = None
    st.session_state[RELEASE] = release_id


def default_levers(kommun: str) -> dict[str, float]:
    """Every lever at its "no new measures" position for ``kommun``."""
    return dict(default_state(kommun).levers)


def set_levers(values: dict[str, float]) -> None:
    """Replace lever values (presets, reset, optimiser, workshop submissions); widgets follow."""
    ss = st.session_state
    ss["levers"] = {**default_levers(ss["kommun"]), **values}


def apply_scenario(sc: Scenario, *, whole: bool = True) -> None:
    """Load a scenario into the session: levers and national policy, and with ``whole`` (a scenario
    file, a workshop group's pathway) also its horizon and target.

    A preset is levers and a national policy (``whole=False``): the horizon and the target the
    user chose stay, so choosing a preset never changes what the scenario is judged against.
    Own measures stay as they are unless the scenario brings its own (a kommun preset that uses
    profile measures, a scenario file or link with measures): a preset sets levers, and the
    user's measures are the user's additions to whichever levers are set.
    """
    ss = st.session_state
    ss["policy"] = sc.national_policy
    if whole:
        ss["horizon"] = sc.horizon
        _set_target(sc.target)
    set_levers(sc.levers)
    if own := tuple(getattr(sc, "measures", None) or ()):
        # The scenario was validated where it was read; past a link's length the current ones stay.
        with contextlib.suppress(MeasureError):
            set_measures(own)


def reset_levers() -> None:
    """Back to "no new measures": every lever at the kommun's default, national policy as decided,
    and no own measures (they are measures too). The removed measures can be brought back
    once (:func:`undo_measures_reset`); the editor says so."""
    ss = st.session_state
    ss["policy"] = POLICIES[0]
    set_levers({})
    if measures():
        ss[MEASURES_UNDO] = measures()
    ss[MEASURES] = ()


def moved_levers(values: dict[str, float], kommun: str) -> list[str]:
    """Lever ids whose value differs from ``kommun``'s "no new measures" position."""
    base = default_levers(kommun)
    return [lid for lid in load_registry().lever_ids if abs(values[lid] - base[lid]) > 1e-9]


KOMMUN_SWITCH = "_kommun_switch"


def on_kommun_change(old: str) -> None:
    """A new kommun starts from its own "no new measures"; the measures moved before can be kept.

    The previous levers are remembered (:data:`KOMMUN_SWITCH`) so the Scenario page can say what
    happened and offer to keep them (:func:`keep_measures`).
    """
    ss = st.session_state
    new = ss["kommun"]
    if new == old:
        return
    before = levers()
    moved = moved_levers(before, old)
    own = measures()
    set_levers({})
    # Own measures are kommun-specific (a plan's plant, a kommun's tonnes): they go with the levers,
    # and "keep my N measures" brings both back. "moved" counts both for the note.
    ss[MEASURES] = ()
    ss.pop(MEASURES_UNDO, None)
    ss[KOMMUN_SWITCH] = {"from": old, "to": new, "levers": before, "moved": moved + [m.id for m in own],
                         "moved_levers": moved, "measures": own, "kept": False}


def _after_kommun(old: str) -> Callable[[], None]:
    return lambda: on_kommun_change(old)


def bind_kommun() -> dict[str, Any]:
    """:func:`bind` for the kommun picker, with the lever reset of :func:`on_kommun_change`."""
    return bind("kommun", after=_after_kommun(st.session_state["kommun"]))


def keep_measures() -> None:
    """Button callback: the measures moved in the previous kommun apply to the new one too."""
    ss = st.session_state
    info = ss.get(KOMMUN_SWITCH)
    if not info or info["to"] != ss["kommun"]:
        return
    vals = default_levers(ss["kommun"])
    for lid in info.get("moved_levers", info["moved"]):
        vals[lid] = info["levers"][lid]
    ss["levers"] = vals
    # Streams are the registry's, the same in every kommun, so the measures stay valid; a tonne
    # measure larger than the new kommun's stream is capped by the model.
    ss[MEASURES] = tuple(info.get("measures", ()))
    info["kept"] = True


def kommun_switch() -> dict[str, Any] | None:
    """What the last kommun change did to the levers (for the Scenario page), or None."""
    info = st.session_state.get(KOMMUN_SWITCH)
    return info if info and info["to"] == st.session_state.get("kommun") else None


def dismiss_kommun_switch() -> None:
    """Button callback: hide the kommun-change note."""
    st.session_state.pop(KOMMUN_SWITCH, None)


#: Non-scenario parameters that pages own (workshop code, presentation mode) and that survive syncing.
EXTRA_PARAMS = ("ws", "present", "role", "dev")


def sync_url() -> dict[str, str]:
    """Write the canonical share parameters to the address bar; returns them."""
    params = encode(current_link())
    current = {k: st.query_params.get(k) for k in st.query_params}
    for k in EXTRA_PARAMS:
        if current.get(k):
            params[k] = str(current[k])[:40]
    if current != params:
        st.query_params.from_dict(params)
    return params


SCENARIO_PAGE = "views/scenario.py"


def switch_to_scenario_if(flag: str, confirmation: str) -> None:
    """Go to the Scenario page when a callback set ``flag`` (e.g. after applying settings).

    Outside app.py's navigation (a page tested on its own) ``st.switch_page`` is impossible;
    then show ``confirmation`` instead.
    """
    if not st.session_state.pop(flag, False):
        return
    try:
        st.switch_page(SCENARIO_PAGE, query_params=encode(current_link()))
    except StreamlitAPIException:
        st.success(confirmation, icon=":material/check:")


def pop_notices() -> list[Notice]:
    """Link notices to show once (cleared after reading)."""
    return list(st.session_state.pop("notices", []) or [])


def widget_params() -> dict[str, Any]:
    """The non-lever settings' canonical values, for tests and debugging."""
    ss = st.session_state
    return {**{k: ss.get(k) for k in ("kommun", "lang", "policy", "horizon", "t_sel")},
            **ss.get("target_cfg", {})}
