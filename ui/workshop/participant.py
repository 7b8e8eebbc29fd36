"""The participants' view (``?ws=CODE&dev=DEVICE``, made for a phone): group name, the open levers, submit.

Closed levers stay at the workshop's values and are not shown as sliders. Every
version of a group's settings carries one client token (a new one whenever a
setting or the group name changes), stored server-side with the device's draft
(:mod:`ui.workshop.draft`), so a double tap, a reload or a retry after a crash never
stores the same submission twice and never loses the settings. A name that another
device already submitted under is not written into until this device chooses to join
that group (or picks another name). A failed submission keeps the settings on screen
and says what to do.
"""
from __future__ import annotations

import copy

import streamlit as st

from model.registry import load_registry
from persistence.store import MAX_GROUP_CHARS, Workshop, WorkshopError, clean_text, group_key, new_token, normalize_code
from persistence.validation import lever_value as checked_lever_value
from ui import charts
from ui.render import safe_text
from ui.scenario.levers import lever_help
from ui.scenario.measures_text import measure_effect_text, measure_source_text, measure_target_text
from ui.text.fmt import fmt_tonnes
from ui.text.i18n import t
from ui.text.narrative import focus_year
from ui.workshop.common import hide_sidebar, settings_line
from ui.workshop.db import DatabaseUnavailable, db_call, get_store, report_unavailable
from ui.workshop.draft import DEVICE_KEY, device_token, load_draft, save_draft
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

PREFIX = "wsp_"
GROUP_KEY, TOKEN_KEY, CODE_KEY, LAST_KEY = "wsp_group", "wsp_token", "wsp_code", "wsp_last"
VALUES_KEY, GROUP_VALUE = "wsp_values", "wsp_group_value"
#: Ids of the workshop's own measures this group keeps (a plain list beside the toggles, like VALUES_KEY).
KEPT_KEY = "wsp_kept"
TAKEN_KEY, JOIN_KEY, AGAIN_KEY, NOTE_KEY = "wsp_taken", "wsp_join", "wsp_again", "wsp_note"
#: Sliders whose key was set through session state in this run (they must not also get ``value=``).
SEEDED_KEY = "wsp_seeded"


def lever_key(lever_id: str) -> str:
    """Widget key of a participant's slider."""
    return PREFIX + "lv_" + lever_id


def measure_key(measure_id: str) -> str:
    """Widget key of a participant's toggle for one of the workshop's own measures."""
    return PREFIX + "m_" + measure_id


def current_measures(ws: Workshop) -> tuple[str, ...]:
    """Ids of the workshop's own measures this participant keeps (all of them until one is taken out)."""
    kept = st.session_state.get(KEPT_KEY)
    return ws.measure_ids if kept is None else tuple(m for m in ws.measure_ids if m in set(kept))


def _changed() -> None:
    """Any change of settings or group name is a new version: stored as the device's draft, new token.

    A value outside a lever's range or grid (a hand-made request) is refused: the slider goes
    back to the last good value and the participant is told.
    """
    ss = st.session_state
    ss.pop(LAST_KEY, None)
    ss.pop(TAKEN_KEY, None)
    if GROUP_KEY in ss:
        ss[GROUP_VALUE] = ss[GROUP_KEY]
    values = ss.setdefault(VALUES_KEY, {})
    reg = load_registry()
    for lid in list(values):
        if lever_key(lid) not in ss:
            continue
        try:
            values[lid] = checked_lever_value(reg, lid, ss[lever_key(lid)])
        except (WorkshopError, TypeError, ValueError):
            ss[NOTE_KEY] = ("workshop.participant.bad_value", {"value": str(ss[lever_key(lid)])[:20]})
            ss[lever_key(lid)] = _widget_value(lid, values[lid])
            ss.setdefault(SEEDED_KEY, set()).add(lid)
    kept = [k[len(measure_key("")):] for k, on in ss.items() if isinstance(k, str) and k.startswith(measure_key(""))
            and on is True]
    if any(isinstance(k, str) and k.startswith(measure_key("")) for k in ss):
        ss[KEPT_KEY] = kept
    token = None
    if ss.get(CODE_KEY) and ss.get(DEVICE_KEY):
        token = save_draft(ss[CODE_KEY], ss[DEVICE_KEY], str(ss.get(GROUP_VALUE) or ""), values,
                           ss.get(KEPT_KEY))
        if token is None:
            ss[NOTE_KEY] = ("workshop.participant.draft_failed", {})
    ss[TOKEN_KEY] = token or new_token()


def _widget_value(lid: str, value: float) -> float | int:
    lv = load_registry().lever(lid)
    return int(value) if lv.decimals == 0 and float(value).is_integer() else float(value)


def _seed(ws: Workshop) -> None:
    """Start every open lever at the workshop's value (again when the code changes).

    Values live in a plain dict as well as in the widget keys, because Streamlit drops
    widget keys when the participant visits another page and comes back.
    """
    ss = st.session_state
    if ss.get(CODE_KEY) != ws.code or not isinstance(ss.get(VALUES_KEY), dict):
        ss[VALUES_KEY] = {lid: float(ws.base_levers[lid]) for lid in ws.open_levers}
        ss[CODE_KEY] = ws.code
        ss[TOKEN_KEY] = new_token()
        ss.pop(LAST_KEY, None)
        for lid in ws.open_levers:
            ss.pop(lever_key(lid), None)
        for k in [k for k in ss if isinstance(k, str) and k.startswith(measure_key(""))]:
            del ss[k]
        ss[KEPT_KEY] = list(ws.measure_ids)
        draft = load_draft(ws, ss[DEVICE_KEY])
        if draft is not None:  # a reload, a new session after a dropped connection or a restart
            ss[VALUES_KEY].update({k: v for k, v in draft.levers.items() if k in ws.open_levers})
            if draft.measures is not None:
                ss[KEPT_KEY] = [m for m in draft.measures if m in ws.measure_ids]
            ss[GROUP_VALUE] = draft.group_name
            ss.pop(GROUP_KEY, None)
            ss[TOKEN_KEY] = draft.token
            ss[NOTE_KEY] = ("workshop.participant.draft_restored",
                            {"time": local_time(draft.updated_at)})
    values = ss[VALUES_KEY]
    for lid in ws.open_levers:
        values.setdefault(lid, float(ws.base_levers[lid]))
        if lever_key(lid) not in ss:
            ss[lever_key(lid)] = _widget_value(lid, values[lid])
            ss.setdefault(SEEDED_KEY, set()).add(lid)
    kept = set(current_measures(ws))
    for mid in ws.measure_ids:
        if measure_key(mid) not in ss:
            ss[measure_key(mid)] = mid in kept
    if GROUP_KEY not in ss:
        ss[GROUP_KEY] = ss.get(GROUP_VALUE, "")
    ss.setdefault(TOKEN_KEY, new_token())


def current_levers(ws: Workshop) -> dict[str, float]:
    """The workshop's values with this participant's open levers."""
    values = st.session_state.get(VALUES_KEY) or {}
    out = dict(ws.base_levers)
    for lid in ws.open_levers:
        if lid in values:
            out[lid] = float(values[lid])
    return out


def _sliders(ws: Workshop, lang: str, disabled: bool) -> None:
    reg = load_registry()
    for lid in ws.open_levers:
        lv = reg.lever(lid)
        dec = lv.decimals
        num = (int(lv.min), int(lv.max), int(lv.step)) if dec == 0 else (lv.min, lv.max, lv.step)
        # The default is the participant's current value: Streamlit answers a value outside the range
        # (a hand-made message) with the widget's default, which would otherwise be the minimum.
        seeded = lid in st.session_state.get(SEEDED_KEY, set())
        current = None if seeded else _widget_value(lid, st.session_state[VALUES_KEY][lid])
        st.slider(f"{lv.label[lang]} ({unit(lv, lang)})", min_value=num[0], max_value=num[1], step=num[2],
                  value=current,
                  key=lever_key(lid), on_change=_changed, help=lever_help(lv, lang, ws.kommun),
                  format="%d" if dec == 0 else f"%.{dec}f", disabled=disabled)
    st.session_state.pop(SEEDED_KEY, None)
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
        st.toggle(safe_text(m.name(lang)), key=measure_key(m.id), on_change=_changed, disabled=disabled,
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


def _submit(ws: Workshop, lang: str) -> None:
    ss = st.session_state
    ss.pop(TAKEN_KEY, None)
    group = clean_text(ss.get(GROUP_KEY) or ss.get(GROUP_VALUE) or "", MAX_GROUP_CHARS)
    levers, kept, device = current_levers(ws), current_measures(ws), ss[DEVICE_KEY]
    # The stored draft's token: the same version retried (double tap, new session) is stored once.
    token = (save_draft(ws.code, device, group, {lid: levers[lid] for lid in ws.open_levers}, list(kept))
             or ss[TOKEN_KEY])
    ss[TOKEN_KEY] = token
    try:
        res = db_call(get_store().submit, ws.code, group, levers, token, device=device,
                      join=ss.get(JOIN_KEY) == group_key(group), measures=kept)
    except WorkshopError as exc:
        if exc.key == "group_taken":
            ss[TAKEN_KEY] = {"group": str(exc.params.get("group", group))}
            return
        params = {k: safe_text(v) for k, v in exc.params.items()}
        st.error(t(f"workshop.error.{exc.key}", lang, **params), icon=":material/error:")
        return
    except DatabaseUnavailable as exc:
        report_unavailable(exc, lang, retry_key=None)  # the submit button is the retry
        st.warning(t("workshop.participant.not_saved", lang), icon=":material/sync_problem:")
        return
    ss[LAST_KEY] = {"group": res.submission.group_name, "time": local_time(res.submission.created_at),
                    "count": res.group_count, "created": res.created}


def _join_taken() -> None:
    """Button callback: this device joins the group whose name it typed, then submits again."""
    ss = st.session_state
    ss[JOIN_KEY] = group_key(str(ss.get(GROUP_KEY) or ss.get(GROUP_VALUE) or ""))
    ss.pop(TAKEN_KEY, None)
    ss[AGAIN_KEY] = True


def _rename_taken() -> None:
    ss = st.session_state
    ss.pop(TAKEN_KEY, None)
    ss[NOTE_KEY] = ("workshop.participant.rename_hint", {})


def _taken_question(lang: str) -> None:
    """A second device chose a name already in use: join that group or pick another name."""
    taken = st.session_state.get(TAKEN_KEY)
    if not taken:
        return
    name = safe_text(taken["group"])
    with st.container(border=True):
        st.warning(t("workshop.participant.taken", lang, group=name), icon=":material/group:")
        c1, c2 = st.columns(2)
        c1.button(t("workshop.participant.join", lang, group=name), key="wsp_join_btn", on_click=_join_taken,
                  type="primary", width="stretch", icon=":material/group_add:")
        c2.button(t("workshop.participant.rename", lang), key="wsp_rename_btn", on_click=_rename_taken,
                  width="stretch", icon=":material/edit:")


def _note(lang: str) -> None:
    note = st.session_state.pop(NOTE_KEY, None)
    if note:
        key, params = note
        st.info(t(key, lang, **{k: safe_text(v) for k, v in params.items()}), icon=":material/info:")


def _last(lang: str) -> None:
    last = st.session_state.get(LAST_KEY)
    if not last:
        return
    key = "workshop.participant.saved" if last["created"] else "workshop.participant.already_saved"
    st.success(t(key, lang, group=safe_text(last["group"]), time=last["time"], count=last["count"]),
               icon=":material/check_circle:")


def _set_lang() -> None:
    """The participant's language switch drives the app's language (the sidebar is hidden here)."""
    choice = st.session_state.get("wsp_lang")
    if choice in ("SV", "EN"):
        st.session_state["lang"] = choice


def _language() -> None:
    st.session_state["wsp_lang"] = str(st.session_state.get("lang", "SV")).upper()
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
    _seed(ws)
    st.title(safe_text(ws.name), anchor=False)
    _note(lang)
    st.caption(settings_line(ws, lang))
    if not ws.is_open:
        st.warning(t("workshop.participant.closed", lang), icon=":material/lock:")
    st.markdown(t("workshop.participant.intro", lang, kommun=kommun_name(ws.kommun), n=len(ws.open_levers)))
    st.text_input(t("workshop.participant.group", lang), max_chars=MAX_GROUP_CHARS, key=GROUP_KEY,
                  on_change=_changed, placeholder=t("workshop.participant.group_placeholder", lang),
                  help=t("workshop.participant.group_help", lang, n=MAX_GROUP_CHARS))
    _sliders(ws, lang, disabled=not ws.is_open)
    _measures(ws, lang, disabled=not ws.is_open)
    st.subheader(t("workshop.participant.result_title", lang), anchor=False)
    levers = current_levers(ws)
    _preview(ws, levers, lang, current_measures(ws))
    if st.button(t("workshop.participant.submit", lang), key="wsp_submit", type="primary", width="stretch",
                 icon=":material/send:", disabled=not ws.is_open) or st.session_state.pop(AGAIN_KEY, False):
        _submit(ws, lang)
    _taken_question(lang)
    _last(lang)
    st.caption(t("workshop.participant.resubmit_note", lang, time=local_time(ws.created_at, date=True)))
