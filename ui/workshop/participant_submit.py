"""The participant's submission and what it says back: stored, already stored, name taken, failed.

A name that another device already submitted under is not written into until this device
chooses to join that group (or picks another name). A failed submission keeps the settings on
screen (they are the form's, :mod:`ui.workshop.participant_form`) and says what to do.
"""
from __future__ import annotations

import streamlit as st

from persistence.store import MAX_GROUP_CHARS, Workshop, WorkshopError, clean_text, group_key
from ui import state
from ui.render import safe_text
from ui.text.i18n import t
from ui.workshop.db import DatabaseUnavailable, db_call, get_store, report_unavailable
from ui.workshop.draft import DEVICE_KEY, save_draft
from ui.workshop.participant_form import (
    AGAIN_KEY,
    GROUP_KEY,
    GROUP_VALUE,
    JOIN_KEY,
    LAST_KEY,
    NOTE_KEY,
    TAKEN_KEY,
    TOKEN_KEY,
    current_levers,
    current_measures,
)
from ui.workshop.summary import local_time


def submit(ws: Workshop, lang: str) -> None:
    """Store this group's current version (once per token); the outcome is kept for the status lines.

    A failure is shown here (the settings stay on screen); a name another device uses is kept as
    the question :func:`taken_question` asks.
    """
    state.forget(TAKEN_KEY)
    group = clean_text(state.recall(GROUP_KEY) or state.recall(GROUP_VALUE) or "", MAX_GROUP_CHARS)
    levers, kept, device = current_levers(ws), current_measures(ws), state.recall(DEVICE_KEY)
    # The stored draft's token: the same version retried (double tap, new session) is stored once.
    token = (save_draft(ws.code, device, group, {lid: levers[lid] for lid in ws.open_levers}, list(kept))
             or state.recall(TOKEN_KEY))
    state.remember(TOKEN_KEY, token)
    try:
        res = db_call(get_store().submit, ws.code, group, levers, token, device=device,
                      join=state.recall(JOIN_KEY) == group_key(group), measures=kept)
    except WorkshopError as exc:
        if exc.key == "group_taken":
            state.remember(TAKEN_KEY, {"group": str(exc.params.get("group", group))})
            return
        params = {k: safe_text(v) for k, v in exc.params.items()}
        st.error(t(f"workshop.error.{exc.key}", lang, **params), icon=":material/error:")
        return
    except DatabaseUnavailable as exc:
        report_unavailable(exc, lang, retry_key=None)  # the submit button is the retry
        st.warning(t("workshop.participant.not_saved", lang), icon=":material/sync_problem:")
        return
    state.remember(LAST_KEY, {"group": res.submission.group_name, "time": local_time(res.submission.created_at),
                              "count": res.group_count, "created": res.created})


def _join_taken() -> None:
    """Button callback: this device joins the group whose name it typed, then submits again."""
    state.remember(JOIN_KEY, group_key(str(state.recall(GROUP_KEY) or state.recall(GROUP_VALUE) or "")))
    state.forget(TAKEN_KEY)
    state.remember(AGAIN_KEY, True)


def _rename_taken() -> None:
    state.forget(TAKEN_KEY)
    state.remember(NOTE_KEY, ("workshop.participant.rename_hint", {}))


def taken_question(lang: str) -> None:
    """A second device chose a name already in use: join that group or pick another name."""
    taken = state.recall(TAKEN_KEY)
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


def show_note(lang: str) -> None:
    """The note a callback left (a restored draft, a refused value, ...), shown once."""
    note = state.take(NOTE_KEY)
    if note:
        key, params = note
        st.info(t(key, lang, **{k: safe_text(v) for k, v in params.items()}), icon=":material/info:")


def show_last(lang: str) -> None:
    """The confirmation of this device's last submission (stored now or already before)."""
    last = state.recall(LAST_KEY)
    if not last:
        return
    key = "workshop.participant.saved" if last["created"] else "workshop.participant.already_saved"
    st.success(t(key, lang, group=safe_text(last["group"]), time=last["time"], count=last["count"]),
               icon=":material/check_circle:")
