"""Session and URL state: one mechanism for every setting and widget.

Every user setting and lever has one canonical value in the session; widgets are views of it, and
the URL (the share link) is decoded from it once per session and written from it after every run.
This package is the only code that reads or writes those session keys. Callers use the package
(``from ui import state``; ``state.bind(...)``, ``state.levers()``); the submodules hold:

* :mod:`ui.state.settings` – :class:`Setting` and the :data:`SETTINGS` table, :func:`register`, the
  widget keys (:func:`widget_key`, :func:`lever_key`), :func:`get`/:func:`put` and the widget
  binding :func:`bind`/:func:`commit` (why keys are per language, and when a widget is seeded).
* :mod:`ui.state.lever_state` – lever sliders (:func:`bind_lever`, :func:`commit_lever`,
  :func:`slider_value`) and lever values (:func:`levers`, :func:`set_levers`, :func:`default_levers`,
  :func:`reset_levers`, :func:`moved_levers`).
* :mod:`ui.state.session` – the life cycle (:func:`begin_run`, :func:`init_state`, :func:`run_no`,
  :func:`pop_notices`), loading a scenario (:func:`apply_scenario`) and reading the state as a whole
  (:func:`current_link`, :func:`current_scenario`, :func:`lang`, :func:`target_spec`).
* :mod:`ui.state.own_measures` – own measures (:func:`measures`, :func:`set_measures`, ...) and the
  data release (:func:`release`, :func:`set_release`).
* :mod:`ui.state.kommun` – the kommun switch (:func:`bind_kommun`, :func:`keep_measures`, ...).
* :mod:`ui.state.url` – the address bar (:func:`sync_url`, :data:`EXTRA_PARAMS`) and
  :func:`switch_to_scenario_if`.
* :mod:`ui.state.memory` – page-local UI memory that is no setting (editing flags, messages,
  widget values read by key, workshop tokens): :func:`recall`, :func:`remember`, :func:`forget`,
  :func:`take`, :func:`holds`, :func:`recall_or_set`, :func:`keys_with`.

Imports among them run one way (no cycles): settings, own_measures and memory need no other part,
lever_state builds on both, session on lever_state and own_measures, kommun on lever_state,
own_measures and settings, url on session.
"""
from __future__ import annotations

# The sidebar offers state.HORIZONS: the registry's horizons, the values the horizon setting accepts.
from model.registry import HORIZONS
from ui.state.kommun import (
    KOMMUN_SWITCH,
    bind_kommun,
    dismiss_kommun_switch,
    keep_measures,
    kommun_switch,
    on_kommun_change,
)
from ui.state.lever_state import (
    bind_lever,
    commit_lever,
    default_levers,
    levers,
    moved_levers,
    reset_levers,
    set_levers,
    slider_value,
)
from ui.state.memory import forget, holds, keys_with, recall, recall_or_set, remember, take
from ui.state.own_measures import (
    MEASURES,
    MEASURES_UNDO,
    RELEASE,
    measures,
    release,
    remove_measure,
    set_measures,
    set_release,
    undo_measures_reset,
    upsert_measure,
)
from ui.state.session import (
    apply_scenario,
    begin_run,
    current_link,
    current_scenario,
    init_state,
    lang,
    pop_notices,
    run_no,
    target_spec,
    widget_params,
)
from ui.state.settings import (
    LANG_OPTIONS,
    LEVER_PREFIX,
    SETTINGS,
    Setting,
    bind,
    commit,
    get,
    lever_key,
    put,
    register,
    widget_key,
)
from ui.state.url import EXTRA_PARAMS, SCENARIO_PAGE, switch_to_scenario_if, sync_url

__all__ = [
    "EXTRA_PARAMS", "HORIZONS", "KOMMUN_SWITCH", "LANG_OPTIONS", "LEVER_PREFIX", "MEASURES", "MEASURES_UNDO",
    "RELEASE", "SCENARIO_PAGE", "SETTINGS", "Setting", "apply_scenario", "begin_run", "bind", "bind_kommun",
    "bind_lever", "commit", "commit_lever", "current_link", "current_scenario", "default_levers",
    "dismiss_kommun_switch", "forget", "get", "holds", "init_state", "keep_measures", "keys_with",
    "kommun_switch", "lang", "lever_key", "levers", "measures", "moved_levers", "on_kommun_change",
    "pop_notices", "put", "recall", "recall_or_set", "register", "release", "remember", "remove_measure",
    "reset_levers", "run_no", "set_levers", "set_measures", "set_release", "slider_value",
    "switch_to_scenario_if", "sync_url", "take", "target_spec", "undo_measures_reset", "upsert_measure",
    "widget_key", "widget_params",
]
