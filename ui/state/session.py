"""The session's life cycle: the URL decoded once, whole scenarios loaded, the current state read back.

The share link is decoded once per session (:func:`init_state`; :mod:`model.codec` is total: bad
parts become notices shown once, :func:`pop_notices`). Everything that reads the state as a
whole (the link, the model scenario, the language, the target) reads it here, so the pages never
assemble it from session keys themselves.
"""
from __future__ import annotations

import contextlib
import dataclasses
from typing import Any

import streamlit as st

from model.codec import LinkState, Notice, decode
from model.measures import MeasureError
from model.scenario import Scenario
from model.targets import TargetSpec
from ui.state.lever_state import levers, set_levers
from ui.state.own_measures import MEASURES, RELEASE, measures, release, set_measures


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
    dflt = TargetSpec()  # the defaults have one home, the dataclass
    return TargetSpec(ss.get("t_sel", dflt.selected), int(cfg.get("t_year", dflt.year)),
                      int(cfg.get("t_base", dflt.base_year)), float(cfg.get("t_pct", dflt.max_gross_pct)),
                      None if rate is None else float(rate))


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


def pop_notices() -> list[Notice]:
    """Link notices to show once (cleared after reading)."""
    return list(st.session_state.pop("notices", []) or [])


def widget_params() -> dict[str, Any]:
    """The non-lever settings' canonical values, for tests and debugging."""
    ss = st.session_state
    return {**{k: ss.get(k) for k in ("kommun", "lang", "policy", "horizon", "t_sel")},
            **ss.get("target_cfg", {})}
