"""The participants' view (``?ws=CODE&dev=DEVICE``, made for a phone): group name, the open levers, submit.

Closed levers stay at the workshop's values and are not shown as sliders. This module draws the
page and the form; the form's state and the device's draft are :mod:`ui.workshop.participant_form`
(every version of a group's settings carries one client token stored with the draft, so a double
tap, a reload or a retry after a crash never stores the same submission twice and never loses the
settings), and the submission with its answers (a name already taken, a failure) is
:mod:`ui.workshop.participant_submit`.
"""
from __future__ import annotations

import copy

import streamlit as st

from model.registry import load_registry
from model.verdicts import focus_year
from persistence.store import MAX_GROUP_CHARS, Workshop, WorkshopError, normalize_code
from ui import charts, state
from ui.render import safe_text
from ui.scenario.levers import lever_help
from ui.scenario.measures_text import measure_effect_text, measure_source_text, measure_target_text
from ui.text.fmt import fmt_tonnes
from ui.text.i18n import t
from ui.workshop.common import hide_sidebar, settings_line
from ui.workshop.db import DatabaseUnavailable, db_call, get_store, report_unavailable
from ui.workshop.draft import device_token
from ui.workshop.participant_form import (
    AGAIN_KEY,
    GROUP_KEY,
    SEEDED_KEY,
    VALUES_KEY,
    current_levers,
    current_measures,
    lever_key,
    measure_key,
    on_form_change,
    seed_form,
    widget_value,
)
from ui.workshop.participant_submit import show_last, show_note, submit, taken_question
from ui.workshop.summary import (
    GroupRow,
    condition_lines,
    evaluate,
    gap_of,
    gap_text,
    kommun_name,
    lever_value,
    local_time,
    pathways_frame,
    unit,
)


def _sliders(ws: Workshop, lang: str, disabled: bool) -> None:
    reg = load_registry()
    for lid in ws.open_levers:
        lv = reg.lever(lid)
        dec = lv.decimals
        num = (int(lv.min), int(lv.max), int(lv.step)) if dec == 0 else (lv.min, lv.max, lv.step)
        # The default is the participant's current value: Streamlit answers a value outside the range
        # (a hand-made message) with the widget's default, which would otherwise be the minimum.
        seeded = lid in state.recall(SEEDED_KEY, set())
        current = None if seeded else widget_value(lid, state.recall(VALUES_KEY)[lid])
        st.slider(f"{lv.label[lang]} ({unit(lv, lang)})", min_value=num[0], max_value=num[1], step=num[2],
                  value=current,
                  key=lever_key(lid), on_change=on_form_change, help=lever_help(lv, lang, ws.kommun),
                  format="%d" if dec == 0 else f"%.{dec}f", disabled=disabled)
    state.forget(SEEDED_KEY)
    closed = [lv for lv in reg.levers if lv.id not in ws.open_levers]
    if closed:
        with st.expander(t("workshop.participant.closed_levers", lang, n=len(closed))):
            st.caption(t("workshop.participant.closed_levers_help", lang))
            st.dataframe({t("workshop.spread.lever", lang): [lv.label[lang] for lv in closed],
                          t("workshop.participant.value", lang): [lever_value(lv, ws.base_levers[lv.id], lang)
                                                                  for lv in closed]},
                         hide_index=True, width="stretch")


def _measures(ws: Workshop, lang: str, disabled: bool) -> None:
    """One switch per own measure of the workshop: on from the start, a group may take it out."""
    if not ws.measures:
        return
    st.markdown(f"**{t('workshop.participant.measures_title', lang)}**")
    st.caption(t("workshop.participant.measures_help", lang))
    for m in ws.measures:
        st.toggle(safe_text(m.name(lang)), key=measure_key(m.id), on_change=on_form_change, disabled=disabled,
                  help=" · ".join((measure_target_text(m, lang), measure_effect_text(m, lang),
                                   t("workshop.participant.measure_full", lang, year=m.full),
                                   measure_source_text(m, lang))))


def _preview(ws: Workshop, levers: dict[str, float], lang: str, kept: tuple[str, ...]) -> None:
    res = evaluate(ws, levers, kept)
    v = res.target(ws.target.selected)
    year = focus_year(res, v)
    i = list(res.years).index(year)
    met, gap = gap_of(res, ws.target.selected)
    row = GroupRow("", None, levers, res, met, gap, float(res.net[i]), year)
    c1, c2 = st.columns(2)
    c1.metric(t("workshop.participant.net", lang, year=year), fmt_tonnes(res.net[i], lang, co2e=True))
    lines = condition_lines(res, ws.target.selected, lang)
    if lines is None:
        c2.metric(t("workshop.participant.gap", lang), gap_text(row, lang))
    else:  # a two-part target (gross at most a limit AND net at most zero): each condition on its own
        c2.markdown(f"**{t('workshop.participant.gap', lang)}**\n\n" + "\n".join(f"- {line}" for line in lines))
    start = evaluate(ws, ws.base_levers)
    mine = GroupRow(t("workshop.participant.yours", lang), None, levers, res, met, gap, 0.0, year, measures=kept)
    base = GroupRow(t("workshop.board.start_name", lang), None, ws.base_levers, start, None, None, 0.0, year)
    # The verdict, not the gross limit: the chart marks only the condition on net emissions.
    spec = copy.deepcopy(charts.comparison_chart(pathways_frame([mine, base], None), start.target(ws.target.selected),
                                                 lang, reference=base.name))
    spec.setdefault("config", {}).setdefault("legend", {}).update({"orient": "bottom", "direction": "vertical"})
    spec["height"] = 240
    st.vega_lite_chart(spec, theme=None, width="stretch", key="wsp_chart")


def _set_lang() -> None:
    """The participant's language switch drives the app's language (the sidebar is hidden here)."""
    choice = state.recall("wsp_lang")
    if choice in ("SV", "EN"):
        state.put("lang", choice)


def _language() -> None:
    state.remember("wsp_lang", str(state.get("lang", "SV")).upper())
    st.segmented_control("Språk / Language", ["SV", "EN"], key="wsp_lang", required=True, on_change=_set_lang,
                         label_visibility="collapsed")


def _code_entry(lang: str, bad: bool) -> None:
    if bad:
        st.error(t("workshop.error.not_found", lang), icon=":material/search_off:")
    with st.form("wsp_code_form", border=False):
        code = st.text_input(t("workshop.participant.code_input", lang), max_chars=12, key="wsp_code_input",
                             placeholder="ABC234")
        if st.form_submit_button(t("workshop.participant.code_go", lang), type="primary", key="wsp_code_go"):
            try:
                st.query_params["ws"] = normalize_code(code)
                st.rerun()
            except WorkshopError:
                st.error(t("workshop.error.bad_code", lang))


def render_participant(code: str, lang: str) -> None:
    """The view a group uses to build and submit its pathway."""
    hide_sidebar()
    _language()
    device_token()
    try:
        ws = db_call(get_store().get_workshop, code) if code else None
    except DatabaseUnavailable as exc:
        report_unavailable(exc, lang)
        return
    if ws is None:
        st.title(t("workshop.participant.title", lang), anchor=False)
        _code_entry(lang, bad=bool(code))
        return
    seed_form(ws)
    st.title(safe_text(ws.name), anchor=False)
    show_note(lang)
    st.caption(settings_line(ws, lang))
    if not ws.is_open:
        st.warning(t("workshop.participant.closed", lang), icon=":material/lock:")
    st.markdown(t("workshop.participant.intro", lang, kommun=kommun_name(ws.kommun), n=len(ws.open_levers)))
    st.text_input(t("workshop.participant.group", lang), max_chars=MAX_GROUP_CHARS, key=GROUP_KEY,
                  on_change=on_form_change, placeholder=t("workshop.participant.group_placeholder", lang),
                  help=t("workshop.participant.group_help", lang, n=MAX_GROUP_CHARS))
    _sliders(ws, lang, disabled=not ws.is_open)
    _measures(ws, lang, disabled=not ws.is_open)
    st.subheader(t("workshop.participant.result_title", lang), anchor=False)
    levers = current_levers(ws)
    _preview(ws, levers, lang, current_measures(ws))
    if st.button(t("workshop.participant.submit", lang), key="wsp_submit", type="primary", width="stretch",
                 icon=":material/send:", disabled=not ws.is_open) or state.take(AGAIN_KEY, False):
        submit(ws, lang)
    taken_question(lang)
    show_last(lang)
    st.caption(t("workshop.participant.resubmit_note", lang, time=local_time(ws.created_at, date=True)))
