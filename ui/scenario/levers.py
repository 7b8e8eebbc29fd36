"""Lever widgets generated from the registry, grouped by sector, plus presets and reset."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import streamlit as st

from model.baseline import build_context
from model.registry import GROUPS, POLICIES, Lever, load_registry
from model.scenario import Scenario, load_scenario
from ui import state
from ui.compute import run_for
from ui.text.fmt import fmt_number, fmt_tonnes
from model.kommuner import find_kommun
from ui.text.i18n import actor_label, policy_label, t, tn

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
PRESET_ORDER = ("nuvarande_politik", "klimatkontrakt", "hog_ambition")


@lru_cache(maxsize=1)
def presets() -> dict[str, Scenario]:
    """Preset scenarios shipped in ``scenarios/`` (id -> scenario), in a fixed order."""
    found = {p.stem: load_scenario(p) for p in sorted(SCENARIO_DIR.glob("*.toml"))}
    return {k: found[k] for k in sorted(found, key=lambda k: (PRESET_ORDER + (k,)).index(k))}


def _unit(lv: Lever, lang: str) -> str:
    if lang == "en":
        return lv.unit.replace("/år", "/yr")
    return lv.unit


def lever_help(lv: Lever, lang: str, kommun: str) -> str:
    """Help text: meaning, today's position for the kommun, actor and source (or "antagande").

    Cached: 18 help texts are needed on every rerun and only change with kommun and language.
    """
    return _lever_help(lv.id, lang, kommun)


@lru_cache(maxsize=2048)
def _lever_help(lever_id: str, lang: str, kommun: str) -> str:
    lv = load_registry().lever(lever_id)
    ctx = build_context(kommun, "current_law", 2030)
    i = load_registry().lever_ids.index(lv.id)
    nnm = fmt_number(ctx.nnm[i], lv.decimals, lang)
    lines = [lv.help[lang], "",
             t("app.lever_nnm", lang, value=f"{nnm}\u00a0{_unit(lv, lang)}"),
             t("app.lever_actor", lang, actor=actor_label(lv.actor, lang))]
    if isinstance(lv.nnm, str):
        fact = ctx.facts.get(lv.nnm[5:])
        if fact:
            lines.append(t("app.lever_nnm_source", lang, source=fact[1]))
    src = t("common.assumption", lang) if lv.is_assumption else lv.source
    lines.append(f"{t('common.source', lang)}: {src}")
    return "\n\n".join(lines)


def _slider(lv: Lever, lang: str, kommun: str) -> None:
    dec = lv.decimals
    label = f"{lv.label[lang]} ({_unit(lv, lang)})"
    if lv.is_assumption:
        label += f" · {t('common.assumption', lang).lower()}"
    num = (int(lv.min), int(lv.max), int(lv.step)) if dec == 0 else (lv.min, lv.max, lv.step)
    st.slider(label, min_value=num[0], max_value=num[1], step=num[2], help=lever_help(lv, lang, kommun),
              format="%d" if dec == 0 else f"%.{dec}f", **state.bind_lever(lv.id))
    horizon = int(st.session_state["horizon"])
    if lv.ramp.start > horizon:
        st.caption(t("app.lever_after_horizon", lang, start=lv.ramp.start, horizon=horizon))


def render_kommun_switch(lang: str) -> None:
    """After a kommun change: say that the scenario starts afresh, and offer to keep the measures."""
    info = state.kommun_switch()
    if info is None:
        return
    old, new = find_kommun(info["from"]).name, find_kommun(info["to"]).name
    n = len(info["moved"])
    with st.container(key="kommun_switch"):
        if info["kept"]:
            st.info(tn("app.kommun_switch.kept", n, lang, old=old, new=new), icon=":material/swap_horiz:")
        elif n:
            st.info(tn("app.kommun_switch.reset", n, lang, old=old, new=new), icon=":material/swap_horiz:")
        else:
            st.info(t("app.kommun_switch.fresh", lang, new=new), icon=":material/swap_horiz:")
        c1, c2 = st.columns([3, 1])
        if n and not info["kept"]:
            c1.button(tn("app.kommun_switch.keep", n, lang, old=old), on_click=state.keep_measures,
                      icon=":material/undo:")
        c2.button(t("app.kommun_switch.dismiss", lang), on_click=state.dismiss_kommun_switch,
                  key="kommun_switch_close")


PRESET_KEY = "preset_choice"
#: id of the anchor just before the lever tabs, the target of the sidebar's skip link.
SKIP_TARGET = "spakar"


def active_preset() -> str | None:
    """The preset whose levers and national policy the session holds exactly, or None."""
    ss = st.session_state
    current = ss["levers"]
    base = state.default_levers(ss["kommun"])
    for pid, sc in presets().items():
        want = {**base, **sc.levers}
        if sc.national_policy == ss["policy"] and all(abs(current[k] - want[k]) < 1e-9 for k in want):
            return pid
    return None


def _apply_preset(key: str) -> None:
    choice = st.session_state.get(key)
    # None: the active pill was clicked again; the next run shows it as active anyway.
    if choice in presets():
        state.apply_scenario(presets()[choice])


def _policy_note(lang: str) -> str | None:
    """What national policy other than current law does, so a preset never moves it silently."""
    ss = st.session_state
    policy = ss["policy"]
    if policy == POLICIES[0]:
        return None
    horizon, target = int(ss["horizon"]), state.target_spec()
    base = state.default_levers(ss["kommun"])
    year = min(2030, horizon)
    law = run_for(ss["kommun"], base, POLICIES[0], horizon, target)
    chosen = run_for(ss["kommun"], base, policy, horizon, target)
    i = int(list(law.years).index(year))
    cut = float(law.baseline_gross[i] - chosen.baseline_gross[i])
    return t("app.policy_note", lang, policy=policy_label(policy, lang), law=policy_label(POLICIES[0], lang),
             year=year, cut=fmt_tonnes(cut, lang, co2e=True))


def render_presets(lang: str) -> None:
    """Preset pills (apply on click; the active one stays marked), the reset button, and a policy note."""
    ss = st.session_state
    key = f"{PRESET_KEY}.{lang}"  # the pills' labels are translated (see ui/state.py)
    active = active_preset()
    if ss.get(key, "") != active:
        ss[key] = active
    # st.columns, not a horizontal container: there the pills do not wrap on a phone.
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    c1.pills(t("app.presets", lang), list(presets()), key=key, on_change=_apply_preset, args=(key,),
             format_func=lambda k: presets()[k].name.get(lang, k), help=t("app.presets_help", lang))
    c2.button(t("common.reset", lang), on_click=state.reset_levers, help=t("common.reset_help", lang),
              icon=":material/restart_alt:", width="stretch")
    if active is not None:
        line = t("app.preset_active", lang, name=presets()[active].name.get(lang, active))
    elif state.moved_levers(ss["levers"], ss["kommun"]):
        line = t("app.preset_own", lang)
    else:
        line = t("app.preset_none", lang)
    note = _policy_note(lang)
    st.caption(line + (" " + note if note else ""))


def _remember_group(key: str, lang: str) -> None:
    labels = {t(f"app.group.{g}", lang): g for g in GROUPS}
    st.session_state["lever_group"] = labels.get(st.session_state.get(key), GROUPS[0])


def render_levers(lang: str) -> None:
    """Lever sliders, one tab per group (transport, machinery, …); only the open tab is drawn.

    Lazy tabs keep a slider move cheap (6 of 18 sliders for Transporter instead of all 18;
    bench/rerun_bench.py). The open group is remembered across reruns and languages.
    """
    reg = load_registry()
    ss = st.session_state
    kommun = ss["kommun"]
    # Target of the sidebar's "skip to the levers" link; focusable so the next Tab lands on the tabs.
    st.html(f"<span id='{SKIP_TARGET}' tabindex='-1'></span>")
    labels = [t(f"app.group.{g}", lang) for g in GROUPS]
    group = ss.get("lever_group", GROUPS[0])
    key = f"lever_tab_{lang}"  # labels differ per language; the group id carries over
    tabs = st.tabs(labels, key=key, default=labels[GROUPS.index(group)] if group in GROUPS else None,
                   on_change=_remember_group, args=(key, lang))
    for tab, g in zip(tabs, GROUPS):
        if tab.open is False:
            continue
        shown = [lv for lv in reg.levers if lv.group == g]
        with tab:
            for lv in shown:
                _slider(lv, lang, kommun)
