"""Every declared setting walks through what a user does (issue 12): a page switch, a closed and reopened lever
tab, a language switch there and back, a preset, an optimiser apply and a share-link round trip.

The table below names, for each setting in :data:`ui.state.SETTINGS` (and a lever), the widget it is set with
and a value other than the default. A setting added to ``SETTINGS`` without a row here fails
``test_every_declared_setting_is_walked``, so the walk cannot silently miss one.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from ui.state import SETTINGS, lever_key, widget_key

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SCENARIO, COMPARE, OPTIMISER = "views/scenario.py", "views/jamfor.py", "views/vad_kravs.py"
#: Settings of one page, walked on that page by its own tests (test_uncertainty_apptest.py).
PAGE_LOCAL = {"unc_n", "unc_seed"}


@dataclass(frozen=True)
class Walk:
    """How to set one setting: the widget kind, its value, and what must be set first."""

    widget: str
    value: Any
    before: tuple[tuple[str, Any], ...] = ()  # (setting, value) set first, through their widgets
    expander: bool = False  # the widget is in the lazy "target settings" expander
    preset_sets_it: bool = False  # a preset sets this setting by design (its levers, its policy)
    optimiser_sets_it: bool = False


WALKS: dict[str, Walk] = {
    "lang": Walk("button_group", "EN"),
    "kommun": Walk("selectbox", "2584"),
    "t_sel": Walk("selectbox", "carbon_law"),
    "horizon": Walk("button_group", 2045),
    "policy": Walk("radio", "original_2030", preset_sets_it=True),
    "t_year": Walk("selectbox", 2040, expander=True),
    "t_base": Walk("selectbox", 2005, expander=True),
    "t_pct": Walk("number_input", 35.0, expander=True),
    "t_rate": Walk("number_input", 9.5, before=(("t_sel", "budget_rate"),), expander=True),
    "lever:ev_cars": Walk("slider", 85, preset_sets_it=True, optimiser_sets_it=True),
}


def _widget(at: AppTest, name: str, lang: str = "sv") -> Any:
    walk = WALKS[name]
    if name.startswith("lever:"):
        return at.slider(key=lever_key(name.split(":", 1)[1]))
    return getattr(at, walk.widget)(key=widget_key(name, lang))


def _value(at: AppTest, name: str) -> Any:
    if name.startswith("lever:"):
        return at.session_state["levers"][name.split(":", 1)[1]]
    s = SETTINGS[name]
    return at.session_state[s.home][name] if s.home else at.session_state[name]


def _lang_of(at: AppTest) -> str:
    return str(at.session_state["lang"]).lower()


def _set(at: AppTest, name: str, value: Any) -> None:
    walk = WALKS[name]
    if walk.expander:
        at.session_state["target_settings"] = True  # open the lazy expander
        at.run()
    _widget(at, name, _lang_of(at)).set_value(value).run()
    assert not at.exception, at.exception


def _fresh(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def _check(at: AppTest, name: str, value: Any, step: str) -> None:
    assert not at.exception, (step, at.exception)
    got = _value(at, name)
    assert got == value, f"{name} after {step}: {got!r}, not {value!r}"
    if name.startswith("lever:") and not WALKS[name].expander:
        assert _widget(at, name).value == value, f"the slider shows {name} after {step}"


def _step_page_switch(at: AppTest) -> None:
    at.switch_page(COMPARE).run()
    at.switch_page(SCENARIO).run()


def _step_lever_tab(at: AppTest) -> None:
    lang = _lang_of(at)
    from model.registry import GROUPS
    from ui.text.i18n import t

    key = f"lever_tab_{lang}"
    at.session_state[key] = t(f"app.group.{GROUPS[3]}", lang)  # another tab: the transport sliders are gone
    at.session_state["lever_group"] = GROUPS[3]
    at.run()
    at.session_state[key] = t(f"app.group.{GROUPS[0]}", lang)
    at.session_state["lever_group"] = GROUPS[0]
    at.run()


def _step_language(at: AppTest) -> None:
    start = str(at.session_state["lang"])
    other = "SV" if start == "EN" else "EN"
    at.button_group(key=widget_key("lang")).set_value(other).run()
    at.button_group(key=widget_key("lang")).set_value(start).run()


STEPS: tuple[tuple[str, Callable[[AppTest], None]], ...] = (
    ("page switch", _step_page_switch), ("lever tab closed and reopened", _step_lever_tab),
    ("language switch and back", _step_language))


def test_every_declared_setting_is_walked() -> None:
    declared = set(SETTINGS) - PAGE_LOCAL
    assert declared <= set(WALKS), f"settings without a walk: {sorted(declared - set(WALKS))}"
    from model.registry import load_registry

    assert not {w for w in WALKS if w.startswith("lever:")} - {f"lever:{lid}" for lid in load_registry().lever_ids}


@pytest.mark.parametrize("name", list(WALKS))
def test_setting_survives_the_users_steps(name: str) -> None:
    walk = WALKS[name]
    at = _fresh()
    for other, value in walk.before:
        _set(at, other, value)
    _set(at, name, walk.value)
    _check(at, name, walk.value, "setting it")
    for step, do in STEPS:
        do(at)
        _check(at, name, walk.value, step)
    # A preset: levers and national policy are what it sets; every other setting stays.
    preset_key = f"preset_choice.{_lang_of(at)}"
    at.button_group(key=preset_key).set_value("kommunens_egna").run()
    if walk.preset_sets_it:
        _set(at, name, walk.value)  # set again, for the steps below
    _check(at, name, walk.value, "a preset")
    # "Vad krävs?" → "Använd på scenariosidan": the suggestion's levers; every sidebar setting stays.
    at.switch_page(OPTIMISER).run()
    at.button(key="opt_run").click().run()
    at.button(key="opt_apply").click().run()
    assert not at.exception, at.exception
    if walk.optimiser_sets_it:
        _set(at, name, walk.value)
    else:
        _check(at, name, walk.value, "an optimiser apply")
    # The share link opened cold in a new session gives the same value.
    params = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    _check(_fresh(params), name, walk.value, "a share-link round trip")
