"""The participant's form state: widget keys, the values behind the sliders and toggles, the draft.

Values live in plain session dicts as well as in the widget keys, because Streamlit drops widget
keys when the participant visits another page and comes back. Every version of a group's settings
carries one client token (a new one whenever a setting or the group name changes), stored
server-side with the device's draft (:mod:`ui.workshop.draft`), so a reload or a new session after
a dropped connection restores the settings and a retry never stores the same submission twice.
Drawing the form is :mod:`ui.workshop.participant`; submitting is :mod:`ui.workshop.participant_submit`.
"""
from __future__ import annotations

from model.registry import load_registry
from persistence.store import Workshop, WorkshopError, new_token
from persistence.validation import lever_value as checked_lever_value
from ui import state
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
    kept = state.recall(KEPT_KEY)
    return ws.measure_ids if kept is None else tuple(m for m in ws.measure_ids if m in set(kept))


def current_levers(ws: Workshop) -> dict[str, float]:
    """The workshop's values with this participant's open levers."""
    values = state.recall(VALUES_KEY) or {}
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
    state.forget(LAST_KEY, TAKEN_KEY)
    if state.holds(GROUP_KEY):
        state.remember(GROUP_VALUE, state.recall(GROUP_KEY))
    values = state.recall_or_set(VALUES_KEY, {})
    reg = load_registry()
    for lid in list(values):
        if not state.holds(lever_key(lid)):
            continue
        try:
            values[lid] = checked_lever_value(reg, lid, state.recall(lever_key(lid)))
        except (WorkshopError, TypeError, ValueError):
            state.remember(NOTE_KEY, ("workshop.participant.bad_value",
                                      {"value": str(state.recall(lever_key(lid)))[:20]}))
            state.remember(lever_key(lid), widget_value(lid, values[lid]))
            state.recall_or_set(SEEDED_KEY, set()).add(lid)
    toggles = state.keys_with(measure_key(""))
    kept = [k[len(measure_key("")):] for k in toggles if state.recall(k) is True]
    if toggles:
        state.remember(KEPT_KEY, kept)
    token = None
    if state.recall(CODE_KEY) and state.recall(DEVICE_KEY):
        token = save_draft(state.recall(CODE_KEY), state.recall(DEVICE_KEY), str(state.recall(GROUP_VALUE) or ""),
                           values, state.recall(KEPT_KEY))
        if token is None:
            state.remember(NOTE_KEY, ("workshop.participant.draft_failed", {}))
    state.remember(TOKEN_KEY, token or new_token())


def seed_form(ws: Workshop) -> None:
    """Start every open lever at the workshop's value (again when the code changes).

    Values live in a plain dict as well as in the widget keys, because Streamlit drops
    widget keys when the participant visits another page and comes back.
    """
    if state.recall(CODE_KEY) != ws.code or not isinstance(state.recall(VALUES_KEY), dict):
        state.remember(VALUES_KEY, {lid: float(ws.base_levers[lid]) for lid in ws.open_levers})
        state.remember(CODE_KEY, ws.code)
        state.remember(TOKEN_KEY, new_token())
        state.forget(LAST_KEY)
        state.forget(*(lever_key(lid) for lid in ws.open_levers))
        state.forget(*state.keys_with(measure_key("")))
        state.remember(KEPT_KEY, list(ws.measure_ids))
        draft = load_draft(ws, state.recall(DEVICE_KEY))
        if draft is not None:  # a reload, a new session after a dropped connection or a restart
            state.recall(VALUES_KEY).update({k: v for k, v in draft.levers.items() if k in ws.open_levers})
            if draft.measures is not None:
                state.remember(KEPT_KEY, [m for m in draft.measures if m in ws.measure_ids])
            state.remember(GROUP_VALUE, draft.group_name)
            state.forget(GROUP_KEY)
            state.remember(TOKEN_KEY, draft.token)
            state.remember(NOTE_KEY, ("workshop.participant.draft_restored",
                                      {"time": local_time(draft.updated_at)}))
    values = state.recall(VALUES_KEY)
    for lid in ws.open_levers:
        values.setdefault(lid, float(ws.base_levers[lid]))
        if not state.holds(lever_key(lid)):
            state.remember(lever_key(lid), widget_value(lid, values[lid]))
            state.recall_or_set(SEEDED_KEY, set()).add(lid)
    kept = set(current_measures(ws))
    for mid in ws.measure_ids:
        if not state.holds(measure_key(mid)):
            state.remember(measure_key(mid), mid in kept)
    if not state.holds(GROUP_KEY):
        state.remember(GROUP_KEY, state.recall(GROUP_VALUE, ""))
    state.recall_or_set(TOKEN_KEY, new_token())
