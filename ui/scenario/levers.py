"""Lever widgets generated from the registry, grouped by sector, with the kommun's own ranges.

Each slider's maximum is the chosen kommun's (:mod:`ui.scenario.ranges`); its help says what the
lever means, where the kommun stands today (from its own data) and the rule behind its range.
Presets are in :mod:`ui.scenario.presets` (re-exported here for the pages that import them).
"""
from __future__ import annotations

from functools import lru_cache

import streamlit as st

from model.baseline import build_context
from model.kommuner import find_kommun
from model.profiles import load_profile
from model.registry import GROUPS, Lever, load_registry
from ui import state
from ui.scenario import ranges
from ui.scenario.presets import (  # noqa: F401 - the pages' import point for presets
    PRESET_KEY,
    active_preset,
    kommun_presets,
    presets,
    render_presets,
)
from ui.text.fmt import fmt_number, fmt_pct, fmt_tonnes
from ui.text.i18n import actor_label, t, tn
from ui.text.narrative import in_kommun, largest_sector_sentence


def _unit(lv: Lever, lang: str) -> str:
    return ranges.unit(lv, lang)


def lever_help(lv: Lever, lang: str, kommun: str) -> str:
    """Help text: meaning, today's level in the kommun (its own data), actor, range rule and source.

    Cached: the help texts are needed on every rerun and only change with kommun and language.
    """
    return _lever_help(lv.id, lang, kommun)


def _today_text(lv: Lever, ctx_e0: dict[str, float], total: float, name: str, year: int, lang: str) -> str | None:
    """What the lever's streams emitted in the kommun in the base year, and their share of the total."""
    if not lv.streams:
        return None
    tonnes = sum(ctx_e0[s] * w for s, w in lv.streams.items())
    return t("app.lever_today", lang, in_kommun=in_kommun(name, lang), year=year,
             tonnes=fmt_tonnes(tonnes, lang, co2e=True),
             pct=fmt_pct(tonnes / total if total > 0 else 0.0, 0, lang))


@lru_cache(maxsize=2048)
def _lever_help(lever_id: str, lang: str, kommun: str) -> str:
    reg = load_registry()
    lv = reg.lever(lever_id)
    ctx = build_context(kommun, "current_law", 2030)
    i = reg.lever_ids.index(lv.id)
    name = find_kommun(kommun).name
    nnm = fmt_number(ctx.nnm[i], lv.decimals, lang)
    lines = [lv.help[lang], "", t("app.lever_nnm", lang, value=f"{nnm}\u00a0{_unit(lv, lang)}")]
    e0 = dict(zip(reg.stream_ids, (float(x) for x in ctx.e0), strict=True))
    today = _today_text(lv, e0, float(ctx.e0.sum()), name, int(ctx.years[0]), lang)
    if today:
        lines[-1] += " " + today
    if isinstance(lv.nnm, str):
        fact = ctx.facts.get(lv.nnm[5:])
        if fact:
            lines.append(t("app.lever_nnm_source", lang, source=fact[1]))
    lines.append(t("app.lever_actor", lang, actor=actor_label(lv.actor, lang)))
    lines.append(ranges.range_text(lv, kommun, lang))
    src = t("common.assumption", lang) if lv.is_assumption else lv.source
    lines.append(f"{t('common.source', lang)}: {src}")
    return "\n\n".join(lines)


def _slider(lv: Lever, lang: str, kommun: str) -> None:
    dec = lv.decimals
    label = f"{lv.label[lang]} ({_unit(lv, lang)})"
    if lv.is_assumption:
        label += f" · {t('common.assumption', lang).lower()}"
    hi = ranges.slider_max(lv.id, kommun)
    if hi <= lv.min:
        # No room in this kommun (no plant, no farmland): Streamlit cannot draw a slider with min == max.
        with st.container(key=f"noroom_{lv.id}"):
            st.markdown(f"**{label}**: {ranges.with_unit(lv, lv.min, lang)}",
                        help=lever_help(lv, lang, kommun))
            st.caption(t("app.range.no_room", lang, in_kommun=in_kommun(find_kommun(kommun).name, lang)) + " "
                       + ranges.range_text(lv, kommun, lang))
        return
    num = (int(lv.min), int(hi), int(lv.step)) if dec == 0 else (lv.min, hi, lv.step)
    st.slider(label, min_value=num[0], max_value=num[1], step=num[2], help=lever_help(lv, lang, kommun),
              format="%d" if dec == 0 else f"%.{dec}f", **state.bind_lever(lv.id))
    if lv.id in ranges.link_over(kommun):
        st.caption(t("app.range.link_over_lever", lang, in_kommun=in_kommun(find_kommun(kommun).name, lang),
                     max=ranges.with_unit(lv, ranges.kommun_bounds(kommun)[lv.id][1], lang)))
    horizon = int(state.get("horizon"))
    if lv.ramp.start > horizon:
        st.caption(t("app.lever_after_horizon", lang, start=lv.ramp.start, horizon=horizon))


def _keep_measures() -> None:
    """"Keep my measures" after a kommun change, with the values the new kommun cannot reach lowered."""
    state.keep_measures()
    ranges.lower_to_max(state.get("kommun"), "kept")


def render_kommun_switch(lang: str) -> None:
    """Range notes first (a link's values above the kommun's maximum; levers lowered to it), then, after
    a kommun change, that the scenario starts afresh, with the offer to keep the measures.

    Values above the kommun's maximum that did not come from the link are lowered here, before any
    slider is drawn, and the page reruns so the figures follow.
    """
    if ranges.hold_within_range():
        st.rerun()
    ranges.render_range_notes(lang)
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
            c1.button(tn("app.kommun_switch.keep", n, lang, old=old), on_click=_keep_measures,
                      icon=":material/undo:")
        c2.button(t("app.kommun_switch.dismiss", lang), on_click=state.dismiss_kommun_switch,
                  key="kommun_switch_close")


#: Key of the lazy expander with the kommun profile's facts and notes.
PROFILE_FACTS_KEY = "kommun_profile_facts"
#: id of the anchor just before the lever tabs, the target of the sidebar's skip link.
SKIP_TARGET = "spakar"


def _source_text(src: object, lang: str) -> str:
    """A profile source in ``lang``, with its address, and "antagande" when it is one."""
    text = str(getattr(src, lang, "") or getattr(src, "sv", ""))
    url = getattr(src, "url", None)
    if url:
        text += f" ({url})"
    if getattr(src, "assumption", False):
        text += f" · {t('common.assumption', lang).lower()}"
    return text


def render_kommun_facts(kommun: str, lang: str) -> None:
    """The kommun's largest source (SMHI) and, where it has a profile, its local facts and notes."""
    st.caption(largest_sector_sentence(kommun, lang))
    profile = load_profile(kommun)
    if not (profile.notes or profile.facts):
        return
    name = find_kommun(kommun).name
    # Lazy: its 20-odd elements are built and sent only while it is open (a slider move stays cheap).
    exp = st.expander(t("app.profile.title", lang, kommun=name), icon=":material/location_city:",
                      key=PROFILE_FACTS_KEY, on_change="rerun")
    if not exp.open:
        return
    with exp:
        for n in profile.notes:
            st.markdown(n.text_sv if lang == "sv" else n.text_en)
            st.caption(t("app.profile.source", lang, source=_source_text(n.source, lang)))
        for f in profile.facts:
            value = fmt_number(f.value, 0 if abs(f.value) >= 100 else 1, lang)
            unit = f.unit_sv if lang == "sv" else f.unit_en
            st.markdown(t("app.profile.fact", lang, name=f.name_sv if lang == "sv" else f.name_en,
                          year=f.year, value=value, unit=unit))
            st.caption(t("app.profile.source", lang, source=_source_text(f.source, lang)))
        st.caption(t("app.profile.file", lang, file=f"kommuner/{profile.code}.toml"))


def _remember_group(key: str, lang: str) -> None:
    labels = {t(f"app.group.{g}", lang): g for g in GROUPS}
    state.remember("lever_group", labels.get(state.recall(key), GROUPS[0]))


def render_levers(lang: str) -> None:
    """Lever sliders, one tab per group (transport, machinery, …); only the open tab is drawn.

    Lazy tabs keep a slider move cheap (6 of 18 sliders for Transporter instead of all 18;
    bench/rerun_bench.py). The open group is remembered across reruns and languages.
    """
    reg = load_registry()
    kommun = state.get("kommun")
    # Target of the sidebar's "skip to the levers" link; focusable so the next Tab lands on the tabs.
    st.html(f"<span id='{SKIP_TARGET}' tabindex='-1'></span>")
    render_kommun_facts(kommun, lang)
    labels = [t(f"app.group.{g}", lang) for g in GROUPS]
    group = state.recall("lever_group", GROUPS[0])
    key = f"lever_tab_{lang}"  # labels differ per language; the group id carries over
    tabs = st.tabs(labels, key=key, default=labels[GROUPS.index(group)] if group in GROUPS else None,
                   on_change=_remember_group, args=(key, lang))
    for tab, g in zip(tabs, GROUPS, strict=True):
        if tab.open is False:
            continue
        shown = [lv for lv in reg.levers if lv.group == g]
        with tab:
            for lv in shown:
                _slider(lv, lang, kommun)
