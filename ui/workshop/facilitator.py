"""The facilitator's view: create a workshop or open one with its key, then run it.

A new workshop starts from the session's scenario (kommun, target, policy, horizon
and every lever value on the Scenario page); the facilitator picks which levers the
groups may change. The facilitator key is shown once, right after creation; only
its hash is stored. With the key, this browser session shows the board, the join
code with its QR code, and the controls that need the key: close or reopen, clear
the board (submissions are archived, never deleted) and the downloads.
"""
from __future__ import annotations

import secrets

import streamlit as st

from model.registry import load_registry
from persistence.store import (
    MAX_NAME_CHARS,
    Workshop,
    WorkshopError,
    WorkshopStore,
    normalize_code,
)
from ui import state
from ui.render import safe_text
from ui.text.i18n import policy_label, t, target_label, tn
from ui.workshop.board import render_board
from ui.workshop.common import (
    board_url,
    join_panel,
    join_url,
    settings_line,
    status_text,
)
from ui.workshop.db import (
    DB_ERRORS,
    DatabaseUnavailable,
    db_call,
    get_store,
    report_unavailable,
)
from ui.workshop.export import brief_html, export_csv, export_xlsx
from ui.workshop.summary import kommun_name

CODE_KEY, KEY_KEY, NEW_KEY, VIEW_KEY, MSG_KEY = "wsf_code", "wsf_key", "wsf_new_key", "wsf_view", "wsf_msg"
VIEWS = ("board", "join", "manage")


def _remember(code: str, key: str) -> None:
    state.remember(CODE_KEY, code)
    state.remember(KEY_KEY, key)
    st.query_params["ws"], st.query_params["role"] = code, "host"


def _forget() -> None:
    state.forget(CODE_KEY, KEY_KEY, NEW_KEY, VIEW_KEY)
    for k in ("ws", "role", "present"):
        st.query_params.pop(k, None)


def _create_form(store: WorkshopStore, lang: str) -> None:
    reg = load_registry()
    spec = state.target_spec()
    st.caption(t("workshop.create.from_session", lang, kommun=kommun_name(state.get("kommun")),
                 target=target_label(spec.selected, lang), policy=policy_label(state.get("policy"), lang),
                 horizon=state.get("horizon")))
    own = state.measures()
    if own:
        st.caption(tn("workshop.create.with_measures", len(own), lang,
                      names=", ".join(safe_text(m.name(lang)) for m in own)))
    with st.form("wsf_create_form"):
        st.text_input(t("workshop.create.name", lang), max_chars=MAX_NAME_CHARS, key="wsf_name",
                      placeholder=t("workshop.create.name_placeholder", lang))
        st.multiselect(t("workshop.create.open_levers", lang), list(reg.lever_ids), default=list(reg.lever_ids),
                       key="wsf_open", format_func=lambda lid: reg.lever(lid).label[lang],
                       help=t("workshop.create.open_levers_help", lang))
        submitted = st.form_submit_button(t("workshop.create.submit", lang), type="primary", key="wsf_create",
                                          icon=":material/add_circle:")
    if not submitted:
        return
    try:
        ws, key = db_call(store.create_workshop, state.recall("wsf_name", ""), state.get("kommun"), spec,
                          state.get("policy"), int(state.get("horizon")), state.recall("wsf_open") or [],
                          state.levers(), own)
    except WorkshopError as exc:
        st.error(t(f"workshop.error.{exc.key}", lang), icon=":material/error:")
        return
    _remember(ws.code, key)
    state.remember(NEW_KEY, key)
    state.remember(VIEW_KEY, "join")
    st.rerun()


def _open_form(store: WorkshopStore, lang: str, code_hint: str | None) -> None:
    with st.form("wsf_open_form"):
        code = st.text_input(t("workshop.open.code", lang), value=code_hint or "", max_chars=12, key="wsf_open_code")
        key = st.text_input(t("workshop.open.key", lang), type="password", max_chars=100, key="wsf_open_key")
        submitted = st.form_submit_button(t("workshop.open.submit", lang), key="wsf_open_submit",
                                          icon=":material/key:")
    if not submitted:
        return
    try:
        norm = normalize_code(code)
    except WorkshopError:
        st.error(t("workshop.error.bad_code", lang))
        return
    if db_call(store.get_workshop, norm) is None:
        st.error(t("workshop.error.not_found", lang))
        return
    try:
        ok = db_call(store.verify_key, norm, key, client=_client())
    except WorkshopError as exc:  # too many wrong keys: refused before the key is even hashed
        st.error(t(f"workshop.error.{exc.key}", lang, **exc.params), icon=":material/timer:")
        return
    if not ok:
        st.error(t("workshop.error.bad_key", lang), icon=":material/key_off:")
    else:
        _remember(norm, key.strip())
        st.rerun()


def _client() -> str:
    """Who is trying keys, for the per-client guessing limit: this browser session (a random id kept in it).

    Not the address: behind the proxy every browser has the proxy's address (and the header
    that names the real one can be forged), so an address limit would lock out everyone at once.
    A guesser who opens new sessions meets the per-workshop limit instead.
    """
    return "session:" + str(state.recall_or_set("wsf_client", secrets.token_hex(8)))


def _start(store: WorkshopStore, lang: str, code_hint: str | None) -> None:
    st.title(t("workshop.title", lang), anchor=False)
    st.markdown(t("workshop.intro", lang))
    tab_new, tab_open = st.tabs([t("workshop.create.tab", lang), t("workshop.open.tab", lang)],
                                default=t("workshop.open.tab", lang) if code_hint else None)
    with tab_new:
        _create_form(store, lang)
    with tab_open:
        _open_form(store, lang, code_hint)


def _new_key_box(ws: Workshop, lang: str) -> None:
    key = state.recall(NEW_KEY)
    if not key:
        return
    with st.container(border=True):
        st.markdown(t("workshop.key.title", lang))
        st.warning(t("workshop.key.once", lang), icon=":material/key:")
        st.code(f"{t('workshop.key.code', lang)}: {ws.code}\n{t('workshop.key.key', lang)}: {key}", language=None)
        st.button(t("workshop.key.saved", lang), key="wsf_key_saved",
                  on_click=lambda: state.forget(NEW_KEY))


def _action(store: WorkshopStore, action: str, code: str, key: str) -> None:
    """Button callback for close / reopen / clear; the outcome is shown on the next run."""
    try:
        if action == "clear":
            n = db_call(store.clear, code, key)
            state.remember(MSG_KEY, ("success", "workshop.manage.cleared", {"n": n}))
            state.remember("wsf_clear_sure", False)
        else:
            db_call(store.set_status, code, key, "closed" if action == "close" else "open")
            state.remember(MSG_KEY, ("success", f"workshop.manage.{action}_done", {}))
    except WorkshopError as exc:
        state.remember(MSG_KEY, ("error", f"workshop.error.{exc.key}", {}))
    except (DatabaseUnavailable, *DB_ERRORS):
        state.remember(MSG_KEY, ("error", "workshop.db.unavailable", {}))


def _message(lang: str) -> None:
    kind, key, params = state.take(MSG_KEY, (None, "", {}))
    if kind == "success":
        st.success(t(key, lang, **params), icon=":material/check:")
    elif kind == "error":
        st.error(t(key, lang, **params), icon=":material/error:")


def _manage(store: WorkshopStore, ws: Workshop, key: str, lang: str) -> None:
    _message(lang)
    st.subheader(t("workshop.manage.status_title", lang), anchor=False)
    st.markdown(status_text(ws, lang))
    action = "close" if ws.is_open else "reopen"
    st.button(t(f"workshop.manage.{action}", lang), key=f"wsf_{action}", on_click=_action,
              args=(store, action, ws.code, key), icon=":material/lock:" if ws.is_open else ":material/lock_open:",
              help=t(f"workshop.manage.{action}_help", lang))
    st.subheader(t("workshop.manage.clear_title", lang), anchor=False)
    st.caption(t("workshop.manage.clear_help", lang))
    sure = st.checkbox(t("workshop.manage.clear_confirm", lang), key="wsf_clear_sure")
    st.button(t("workshop.manage.clear", lang), key="wsf_clear", disabled=not sure, on_click=_action,
              args=(store, "clear", ws.code, key), icon=":material/delete_sweep:")
    st.subheader(t("workshop.manage.export_title", lang), anchor=False)
    st.caption(t("workshop.manage.export_help", lang))
    join = join_url(ws.code, lang)

    def rows():
        return db_call(store.export, ws.code, key)

    stem = f"workshop-{ws.code}"
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("workshop.manage.csv", lang), data=lambda: export_csv(*rows(), lang), key="wsf_csv",
                       file_name=f"{stem}.csv", mime="text/csv", on_click="ignore", icon=":material/table:")
    c2.download_button(t("workshop.manage.xlsx", lang), data=lambda: export_xlsx(*rows(), lang, join),
                       key="wsf_xlsx", file_name=f"{stem}.xlsx", on_click="ignore", icon=":material/grid_on:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    c3.download_button(t("workshop.manage.brief", lang), data=lambda: brief_html(*rows(), lang, join),
                       key="wsf_brief", file_name=f"{stem}.html", mime="text/html", on_click="ignore",
                       icon=":material/description:")
    st.divider()
    st.button(t("workshop.manage.leave", lang), key="wsf_leave", on_click=_forget, icon=":material/logout:",
              help=t("workshop.manage.leave_help", lang))


def _running(store: WorkshopStore, lang: str) -> None:
    ws = db_call(store.get_workshop, state.recall(CODE_KEY))
    if ws is None:
        _forget()
        st.error(t("workshop.error.not_found", lang))
        return
    st.title(safe_text(ws.name), anchor=False)
    st.caption(" · ".join([settings_line(ws, lang), status_text(ws, lang),
                           t("workshop.join.code_inline", lang, code=ws.code)]))
    _new_key_box(ws, lang)
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    if state.recall(VIEW_KEY) not in VIEWS:
        state.remember(VIEW_KEY, "board")
    view = c1.segmented_control(t("workshop.view.label", lang), list(VIEWS), key=VIEW_KEY, required=True,
                                format_func=lambda v: t(f"workshop.view.{v}", lang))
    c2.link_button(t("workshop.view.present", lang), board_url(ws.code, lang), icon=":material/slideshow:",
                   help=t("workshop.view.present_help", lang), width="stretch")
    if view == "join":
        left, right = st.columns([1, 2], gap="large")
        with left:
            join_panel(ws, lang, qr_width=320)
        with right:
            st.markdown(t("workshop.join.instructions", lang, n=len(ws.open_levers)))
    elif view == "manage":
        _manage(store, ws, state.recall(KEY_KEY), lang)
    else:
        render_board(ws.code, lang, present=False, show_join=True, controls=True, title=False)


def render_facilitator(lang: str, code_hint: str | None = None) -> None:
    """Create or open a workshop; with the key, run it (board, join code, management)."""
    try:
        store = get_store()
        if state.recall(CODE_KEY) and state.recall(KEY_KEY):
            _running(store, lang)
        else:
            _start(store, lang, code_hint)
    except DatabaseUnavailable as exc:
        report_unavailable(exc, lang)
