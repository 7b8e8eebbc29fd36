"""A participant's device and draft: what keeps a group's work through a reload, a dropped
connection or a server restart.

On joining, the phone gets a random device token in its address (``?ws=CODE&dev=…``; it names
the device, not the person, and carries no settings). The group name and lever values are stored
server-side under it whenever they change (:meth:`persistence.store.WorkshopStore.save_draft`),
together with the client token of that version, which is also the idempotency key of the
submission: a submission retried from a new session after a crash finds its row instead of
writing a second one. ``dev`` must be kept by the app's URL sync (``ui.state.url.EXTRA_PARAMS``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from persistence.store import Draft, Workshop, WorkshopError, new_device
from persistence.validation import TOKEN_RE
from ui import state
from ui.workshop.db import DatabaseUnavailable, db_call, get_store

DEVICE_PARAM = "dev"
DEVICE_KEY = "wsp_device"


def _valid(token: object) -> bool:
    return isinstance(token, str) and bool(TOKEN_RE.match(token))


def device_token() -> str:
    """This device's token: from the address, else from the session, else a new one (written to the address)."""
    try:
        raw = st.query_params.get(DEVICE_PARAM)
    except Exception:  # noqa: BLE001 - a hostile URL must never crash the page
        raw = None
    kept = state.recall(DEVICE_KEY)
    dev = raw if _valid(raw) else kept if _valid(kept) else new_device()
    state.remember(DEVICE_KEY, dev)
    if raw != dev:
        st.query_params[DEVICE_PARAM] = dev
    return dev


def load_draft(ws: Workshop, device: str) -> Draft | None:
    """The device's stored draft for this workshop (None: none, another workshop, or the database is down)."""
    try:
        draft = db_call(get_store().load_draft, device)
    except DatabaseUnavailable:
        return None
    return draft if draft is not None and draft.workshop_code == ws.code else None


def save_draft(code: str, device: str, group: str, levers: Mapping[str, float],
               measures: Sequence[str] | None = None) -> str | None:
    """Store the settings on screen (and the own measures kept; None: all); returns the version's
    client token (None if it could not be stored)."""
    try:
        return db_call(get_store().save_draft, code, device, group, dict(levers),
                       None if measures is None else list(measures)).token
    except (DatabaseUnavailable, WorkshopError):
        return None
