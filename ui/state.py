"""Session and URL state: the scenario lives in ``st.session_state`` and in the URL.

The URL is the share link. On a session's first run the query parameters are
decoded (:mod:`model.codec`, total: bad parts become notices) and seed the
session state; after the widgets have run, the canonical parameters are written
back, so the address bar always holds a link that reproduces the figures.

Lever values live in one dict, ``st.session_state["levers"]``, the source of
truth across pages (page widgets are discarded when the user switches page);
slider keys ``lv_<id>`` are seeded from it when a slider is drawn after a run without it
(:func:`seed_widgets`; the sidebar's target details work the same way).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from model.baseline import build_context
from model.codec import LinkState, Notice, decode, default_state, encode
from model.registry import load_registry
from model.scenario import Scenario
from model.targets import TargetSpec

LEVER_PREFIX = "lv_"
TARGET_KEYS = ("t_sel", "t_year", "t_base", "t_pct", "t_rate")
#: Target details edited in the sidebar's lazy "target settings" expander. Their values live in
#: the plain dict ``st.session_state["target_cfg"]``: the widgets exist only while it is open,
#: and Streamlit forgets a widget's value when the widget is not drawn.
TARGET_DETAIL_KEYS = ("t_year", "t_base", "t_pct", "t_rate")


def lever_key(lever_id: str) -> str:
    """Widget key of a lever slider."""
    return LEVER_PREFIX + lever_id


def _seed(link: LinkState) -> None:
    ss = st.session_state
    ss["kommun"] = link.kommun
    ss["lang"] = link.lang.upper()
    ss["policy"] = link.policy
    ss["horizon"] = link.horizon
    _set_target(link.target)
    ss["levers"] = dict(link.levers)


def _set_target(t: TargetSpec) -> None:
    ss = st.session_state
    ss["t_sel"] = t.selected
    ss["target_cfg"] = {"t_year": t.year, "t_base": t.base_year, "t_pct": t.max_gross_pct,
                        "t_rate": t.budget_rate_pct}
    forget_drawn("target")


def sync_target(key: str) -> None:
    """on_change callback: copy a target-detail widget's value into ``target_cfg``."""
    st.session_state["target_cfg"][key] = st.session_state[key]


def _widget_value(lever_id: str, value: float) -> float | int:
    lv = load_registry().lever(lever_id)
    return int(value) if float(lv.step).is_integer() and float(value).is_integer() else float(value)


def begin_run() -> None:
    """Start of every run (app.py): decode the URL once, restore dropped widget keys, count runs."""
    init_state()
    restore_widgets()
    ss = st.session_state
    ss["_run_no"] = ss.get("_run_no", 0) + 1


def run_no() -> int:
    """This run's number within the session (1 for the first)."""
    return int(st.session_state.get("_run_no", 0))


def init_state() -> None:
    """Decode the URL once per session and seed the widgets' state."""
    ss = st.session_state
    if ss.get("_initialised"):
        return
    try:
        params = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    except Exception:  # noqa: BLE001 - a hostile URL must never crash the app
        params = {}
    # Swedish unless the link says otherwise (a Swedish municipal tool; English is an option).
    link = decode(params)
    _seed(link)
    ss["notices"] = list(link.notices)
    ss["_initialised"] = True


SNAPSHOT_KEYS = ("kommun", "lang", "policy", "horizon", "t_sel")


def remember_widgets() -> None:
    """Copy the sidebar widgets' values to a plain key (call at the end of a run)."""
    ss = st.session_state
    ss["_snapshot"] = {k: ss[k] for k in SNAPSHOT_KEYS if k in ss}


def keep_sidebar_values() -> None:
    """In a callback before st.switch_page: pin the sidebar widgets' values in the session.

    A page switch drops widget state; written through the session state API the values
    survive the switch (restore_widgets covers keys that are dropped all the same).
    """
    ss = st.session_state
    for key in SNAPSHOT_KEYS:
        if key in ss:
            ss[key] = ss[key]


def restore_widgets() -> None:
    """Re-seed sidebar widget keys that Streamlit dropped (e.g. after st.switch_page)."""
    ss = st.session_state
    for k, v in ss.get("_snapshot", {}).items():
        if k not in ss:
            ss[k] = v


def lang() -> str:
    """The session's language code, "sv" or "en"."""
    return str(st.session_state.get("lang", "SV")).lower()


def target_spec() -> TargetSpec:
    """Target settings from the sidebar widgets."""
    ss = st.session_state
    cfg = ss.get("target_cfg", {})
    rate = cfg.get("t_rate")
    return TargetSpec(ss.get("t_sel", "klimatneutral_2030"), int(cfg.get("t_year", 2030)),
                      int(cfg.get("t_base", 1990)), float(cfg.get("t_pct", 20.0)),
                      None if rate is None else float(rate))


def levers() -> dict[str, float]:
    """Current lever values (lever id -> value in lever units)."""
    return dict(st.session_state["levers"])


def sync_lever(lever_id: str) -> None:
    """on_change callback: copy a slider's value into the lever dict.

    The browser's slider cannot leave its range or step, but a hand-made websocket message
    can; such a value is put back on the lever's grid so the scenario (and its link) stay valid.
    """
    lv = load_registry().lever(lever_id)
    try:
        v = float(st.session_state[lever_key(lever_id)])
    except (TypeError, ValueError):
        v = st.session_state["levers"][lever_id]
    if not lv.min <= v <= lv.max or v != v:
        v = min(max(v, lv.min), lv.max) if v == v else st.session_state["levers"][lever_id]
    v = lv.min + round((v - lv.min) / lv.step) * lv.step
    st.session_state["levers"][lever_id] = round(v, 6)


def seed_widgets(group: str, values: Mapping[str, Any]) -> None:
    """Give the widgets of ``group`` about to be drawn their values (widget key -> value), where needed.

    Only widgets that were not drawn in the previous run are seeded (a closed lever tab or
    expander, another page): Streamlit forgets an undrawn widget's value, or worse, falls back
    to an old one. Re-seeding a slider that is being dragged would make it jump, so drawn ones
    are left alone (their on_change callbacks keep the source dict in step). Call
    :func:`forget_drawn` when the values change outside the widgets (presets, links).
    """
    ss = st.session_state
    mark = f"_drawn_{group}"
    last_run, drawn = ss.get(mark, (0, ()))
    keep = set(drawn) if last_run == run_no() - 1 else set()
    for key, value in values.items():
        if key not in keep:
            ss[key] = value
    ss[mark] = (run_no(), tuple(values))


def forget_drawn(group: str) -> None:
    """The values of ``group`` changed outside its widgets: seed every widget at its next draw."""
    st.session_state.pop(f"_drawn_{group}", None)


def lever_widget_values(lever_ids: list[str]) -> dict[str, float | int]:
    """Slider key -> value from the lever dict, for :func:`seed_widgets`."""
    vals = st.session_state["levers"]
    return {lever_key(lid): _widget_value(lid, vals[lid]) for lid in lever_ids}


def current_link() -> LinkState:
    """The full current state as a link state."""
    ss = st.session_state
    return LinkState(ss["kommun"], lang(), ss["policy"], int(ss["horizon"]), target_spec(), levers())


def current_scenario() -> Scenario:
    """The current state as a model scenario."""
    ss = st.session_state
    return Scenario(levers=levers(), kommun=ss["kommun"], national_policy=ss["policy"],
                    horizon=int(ss["horizon"]), target=target_spec(), id="dashboard")


def set_levers(values: dict[str, float]) -> None:
    """Replace lever values (presets, reset, optimiser, workshop submissions)."""
    ss = st.session_state
    base = default_state(ss["kommun"]).levers
    merged = {**base, **values}
    ss["levers"] = merged
    forget_drawn("levers")


def apply_scenario(sc: Scenario) -> None:
    """Load a preset or file into the session (levers, policy, horizon, target)."""
    ss = st.session_state
    ss["policy"], ss["horizon"] = sc.national_policy, sc.horizon
    _set_target(sc.target)
    set_levers(sc.levers)


def reset_levers() -> None:
    """Every lever back to its default for the current kommun."""
    set_levers({})


def on_kommun_change() -> None:
    """Levers the user never moved follow the new kommun's defaults (e.g. today's EV share)."""
    ss = st.session_state
    old = ss.get("_kommun_prev", ss["kommun"])
    new = ss["kommun"]
    reg = load_registry()
    old_def = build_context(old, "current_law", 2030).default
    new_def = build_context(new, "current_law", 2030).default
    vals = levers()
    for i, lid in enumerate(reg.lever_ids):
        if abs(vals[lid] - old_def[i]) < 1e-9:
            vals[lid] = float(new_def[i])
    set_levers(vals)
    ss["_kommun_prev"] = new


#: Non-scenario parameters that pages own (workshop code, presentation mode) and that survive syncing.
EXTRA_PARAMS = ("ws", "present", "role")


def sync_url() -> dict[str, str]:
    """Write the canonical share parameters to the address bar; returns them."""
    remember_widgets()
    params = encode(current_link())
    current = {k: st.query_params.get(k) for k in st.query_params.keys()}
    for k in EXTRA_PARAMS:
        if current.get(k):
            params[k] = str(current[k])[:40]
    if current != params:
        st.query_params.from_dict(params)
    return params


SCENARIO_PAGE = "pages/scenario.py"


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
    """Keys of the non-lever widgets, for tests and debugging."""
    ss = st.session_state
    return {**{k: ss.get(k) for k in ("kommun", "lang", "policy", "horizon", "t_sel")},
            **ss.get("target_cfg", {})}
