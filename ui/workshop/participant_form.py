"""The participant's form state: widget keys, the values behind the sliders and toggles, the draft.

Values live in plain session dicts as well as in the widget keys, because Streamlit drops widget
keys when the participant visits another page and comes back. Every version of a group's settings
carries one client token (a new one whenever a setting or the group name changes), stored
server-side with the device's draft (:mod:`ui.workshop.draft`), so a reload or a new session after
a dropped connection restores the settings and a retry never stores the same submission twice.
Drawing the form is :mod:`ui.workshop.participant`; submitting is :mod:`ui.workshop.participant_submit`.
"""
from __future__ import annotations

import streamlit as st

from model.registry import load_registry
from persistence.store import Workshop, WorkshopError, new_token
from persistence.validation import lever_value as checked_lever_value
from ui.workshop.draft import DEVICE_KEY, load_draft, save_draft
from ui.workshop.summary import local_time

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


def current_levers(ws: Workshop) -> dict[str, float]:
    """The workshop's values with this participant's open levers."""
    values = st.session_state.get(VALUES_KEY) or {}
    out = dict(ws.base_levers)
    for lid in ws.open_levers:
        if lid in values:
            out[lid] = float(values[lid])
    return out


def widget_value(lid: str, value: float) -> float | int:
    """A lever value in its slider's type: a whole value on an integer-step lever as int, else float.

    Streamlit refuses a float value on a slider with int bounds.
    """
    lv = load_registry().lever(lid)
    return int(value) if lv.decimals == 0 and float(value).is_integer() else float(value)


def on_form_change() -> None:
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
            ss[lever_key(lid)] = widget_value(lid, values[lid])
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


def seed_form(ws: Workshop) -> None:
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
            ss[lever_key(lid)] = widget_value(lid, values[lid])
            ss.setdefault(SEEDED_KEY, set()).add(lid)
    kept = set(current_measures(ws))
    for mid in ws.measure_ids:
        if measure_key(mid) not in ss:
            ss[measure_key(mid)] = mid in kept
    if GROUP_KEY not in ss:
        ss[GROUP_KEY] = ss.get(GROUP_VALUE, "")
    ss.setdefault(TOKEN_KEY, new_token())
