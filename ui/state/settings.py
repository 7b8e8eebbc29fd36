"""Settings: where each canonical value lives, and the widgets that are views of it.

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

Levers are settings too, with their own binding (:mod:`ui.state.lever_state`); their widget key
(:func:`lever_key`) is declared here beside the other keys.
"""
from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import streamlit as st

from model.data import load_dataset
from model.registry import HORIZONS, POLICIES
from model.target_defs import TARGET_IDS

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


#: Every non-lever setting, declared once. Levers are settings too (:mod:`ui.state.lever_state`).
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
    """Set widget ``key`` to ``value`` only when they differ (a widget just moved is left alone)."""
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

