"""The Workshop page: which view to show, decided from the query parameters.

* ``?ws=CODE`` – the participants' view (a phone is enough);
* ``?ws=CODE&role=board`` – the board, read-only (``&present=1``: presentation mode
  for the projector, large type and no sidebar);
* ``?ws=CODE&role=host`` – the facilitator's view of that workshop (asks for the key
  unless this session has it);
* nothing – the facilitator's start: create a workshop or open one with its key.

Everything that touches the database is caught inside the views, so a database
that cannot be reached only ever produces a message on this page.
"""
from __future__ import annotations

import streamlit as st

from persistence.store import WorkshopError, normalize_code
from ui.text.i18n import t
from ui.workshop.board import render_board
from ui.workshop.facilitator import render_facilitator
from ui.workshop.participant import render_participant


def _param(name: str) -> str:
    try:
        value = st.query_params.get(name)
    except Exception:  # noqa: BLE001 - a hostile URL must never crash the page
        return ""
    return str(value or "")[:40].strip()


def render_workshop_page(lang: str) -> None:
    """Dispatch to the facilitator, participant or board view."""
    raw, role = _param("ws"), _param("role").lower()
    present = _param("present").lower() in ("1", "true", "yes", "ja")
    if not raw:
        render_facilitator(lang)
        return
    try:
        code = normalize_code(raw)
    except WorkshopError:
        st.error(t("workshop.error.bad_code", lang), icon=":material/search_off:")
        render_facilitator(lang) if role == "host" else render_participant("", lang)
        return
    if role == "board":
        render_board(code, lang, present=present, show_join=True, controls=not present)
    elif role == "host":
        render_facilitator(lang, code_hint=code)
    else:
        render_participant(code, lang)
