"""Own measures on the Scenario page: the editor, the kommun profile's measures, profile download/upload.

The measures live in one canonical session value (:func:`ui.state.measures`); every widget here
is a view of it or a form that writes it through :mod:`ui.state` (the form's logic is
:mod:`ui.scenario.measures_form`). A form, not ``st.dialog``: a dialog's body cannot be tested in
AppTest on later reruns, and a form sends one rerun for all its fields, which suits a phone.
The section is a lazy expander: closed, it costs a slider move nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from model.measures import OwnMeasure
from model.measures_parse import first_year
from model.profiles import MAX_FILE_BYTES, ProfileError, load_profile
from ui import state
from ui.notices import message_params
from ui.render import safe_text
from ui.scenario.measures_form import (
    CHOICES,
    EDITING,
    ERROR,
    MAX_UPLOAD_MB,
    MSG,
    PLAIN,
    UPLOAD_N,
    F,
    cancel,
    choice_label,
    defaults,
    edit,
    error_text,
    options,
    profile_download,
    remove,
    submit,
    toggle_profile,
    upload,
    widget_key,
)
from ui.scenario.measures_text import measure_effect_text, measure_source_text, measure_target_text
from ui.text.fmt import fmt_number
from ui.text.i18n import actor_label, t, tn

EXPANDER_KEY = "om_editor"
OPEN = "_om_open"


# ------------------------------------------------------------------ rendering
def _say(lang: str) -> None:
    if (msg := state.take(MSG)) is not None:
        key, params = msg
        text = tn(key, params["n"], lang, name=safe_text(params["name"])) if "n" in params \
            else t(key, lang, name=safe_text(params["name"]))
        st.success(text, icon=":material/check:")


def _error(slot: str, lang: str) -> None:
    err = state.recall(ERROR)
    if err and err["slot"] == slot:
        st.error(error_text(err["key"], err["params"], lang, slot), icon=":material/error:")


def _summary(m: OwnMeasure, lang: str) -> str:
    line = t("measures.editor.summary", lang, target=measure_target_text(m, lang), effect=measure_effect_text(m, lang),
             start=m.start, full=m.full, shape=t(f"data_page.ramp.{m.shape}", lang), actor=actor_label(m.actor, lang))
    if m.cost_sek_per_t is not None:
        lo, hi = m.cost_sek_per_t
        line += " " + t("measures.editor.cost", lang, low=fmt_number(lo, 0, lang), high=fmt_number(hi, 0, lang)) + "."
    return line


def _current(ms: tuple[OwnMeasure, ...], lang: str) -> None:
    st.markdown(f"**{t('measures.editor.list_title', lang)}**")
    if not ms:
        st.caption(t("measures.editor.none", lang))
    for m in ms:
        with st.container(border=True, key=f"om_item_{m.id}"):
            # Names and sources come from users, links and files: escaped for markdown.
            st.markdown(f"**{safe_text(m.name(lang))}**  \n{safe_text(_summary(m, lang))}  \n"
                        f"{safe_text(measure_source_text(m, lang))}")
            c1, c2 = st.columns(2)
            c1.button(t("measures.editor.edit", lang), key=f"om_edit_{m.id}", on_click=edit, args=(m.id,),
                      icon=":material/edit:", width="stretch")
            c2.button(t("measures.editor.remove", lang), key=f"om_del_{m.id}", on_click=remove, args=(m.id, lang),
                      icon=":material/delete:", width="stretch")


def _profile_measures(code: str, lang: str) -> None:
    try:
        profile = load_profile(code)
    except ProfileError as exc:
        st.error(t("measures.profile.broken", lang, message=error_text(exc.key, dict(exc.params), lang)))
        return
    st.markdown(f"**{t('measures.profile.title', lang)}**")
    if not profile.measures:
        st.caption(t("measures.profile.none", lang))
        return
    st.caption(t("measures.profile.help", lang, code=code))
    active = {m.id for m in state.measures()}
    for m in profile.measures:
        key = f"om_p_{code}_{m.id}"
        if state.recall(key) != (m.id in active):
            state.remember(key, m.id in active)
        st.checkbox(f"{m.name(lang)} · {measure_effect_text(m, lang)}", key=key, on_change=toggle_profile,
                    args=(key, m), help=f"{_summary(m, lang)}\n\n{measure_source_text(m, lang)}")


def _form(lang: str) -> None:
    editing = state.recall(EDITING)
    draft = state.recall("_om_draft") or defaults()
    for f in PLAIN:
        if not state.holds(F + f):
            state.remember(F + f, draft[f])
    for f in CHOICES:
        if state.recall(widget_key(f, lang)) not in options(f):
            state.remember(widget_key(f, lang), draft[f] if draft[f] in options(f) else options(f)[0])
    name = next((m.name(lang) for m in state.measures() if m.id == editing), "")
    with st.form("om_form", border=True):
        heading = t("measures.editor.edit_title", lang, name=safe_text(name)) if editing \
            else t("measures.editor.add_title", lang)
        st.markdown(f"**{heading}**")
        def label(field: str) -> str:
            return t(f"measures.field.{field}", lang)

        def shown(field: str) -> Callable[[str], str]:
            return lambda opt: choice_label(field, opt, lang)

        st.text_input(label("name_sv"), key=F + "name_sv", max_chars=80)
        _error("name_sv", lang)
        st.text_input(label("name_en"), key=F + "name_en", max_chars=80, help=t("measures.help.name_en", lang))
        _error("name_en", lang)
        st.selectbox(label("target"), options("target"), key=widget_key("target", lang),
                     help=t("measures.help.target", lang), format_func=shown("target"))
        _error("target", lang)
        st.radio(label("unit"), options("unit"), key=widget_key("unit", lang), help=t("measures.help.unit", lang),
                 format_func=shown("unit"))
        _error("unit", lang)
        st.text_input(label("effect"), key=F + "effect", max_chars=20, help=t("measures.help.effect", lang))
        _error("effect", lang)
        c1, c2 = st.columns(2)
        c1.number_input(label("start"), key=F + "start", min_value=1990, max_value=2100, step=1,
                        help=t("measures.help.start", lang, first=first_year()))
        c2.number_input(label("full"), key=F + "full", min_value=1990, max_value=2100, step=1,
                        help=t("measures.help.full", lang))
        _error("start", lang)
        _error("full", lang)
        for f in ("shape", "actor"):
            st.selectbox(label(f), options(f), key=widget_key(f, lang), format_func=shown(f))
            _error(f, lang)
        c1, c2 = st.columns(2)
        c1.text_input(label("cost_lo"), key=F + "cost_lo", help=t("measures.help.cost", lang))
        c2.text_input(label("cost_hi"), key=F + "cost_hi", help=t("measures.help.cost", lang))
        _error("cost_hi", lang)
        c1, c2 = st.columns(2)
        c1.number_input(label("unc_lo"), key=F + "unc_lo", min_value=0.0, max_value=300.0, step=5.0,
                        format="%.0f", help=t("measures.help.unc", lang))
        c2.number_input(label("unc_hi"), key=F + "unc_hi", min_value=0.0, max_value=300.0, step=5.0,
                        format="%.0f", help=t("measures.help.unc", lang))
        _error("unc_hi", lang)
        st.text_area(label("src_sv"), key=F + "src_sv", max_chars=400, height=80, help=t("measures.help.src_sv", lang))
        _error("src_sv", lang)
        st.text_input(label("src_en"), key=F + "src_en", max_chars=400, help=t("measures.help.src_en", lang))
        _error("src_en", lang)
        st.text_input(label("url"), key=F + "url", max_chars=300, placeholder="https://…")
        _error("url", lang)
        st.checkbox(label("assumption"), key=F + "assumption")
        c1, c2 = st.columns(2)
        c1.form_submit_button(t("measures.editor.submit_edit" if editing else "measures.editor.submit_add", lang),
                              key="om_submit", on_click=submit, args=(lang,), type="primary",
                              icon=":material/save:" if editing else ":material/add:", width="stretch")
        if editing:
            c2.form_submit_button(t("measures.editor.cancel", lang), key="om_cancel", on_click=cancel,
                                  width="stretch")


def _profile_file(code: str, lang: str) -> None:
    st.markdown(f"**{t('measures.profile.file_title', lang)}**")
    st.download_button(t("measures.profile.download", lang), data=lambda: profile_download(code),
                       file_name=f"{code}.toml", mime="application/toml", key="om_profile_download",
                       on_click="ignore", icon=":material/download:", help=t("measures.profile.download_help", lang))
    key = f"om_upload_{state.recall(UPLOAD_N, 0)}"
    with st.container(key="om_upload"):
        # Streamlit's "1MB per file" line (its whole-MB limit) would contradict the label's 64 kB.
        st.html("<style>.st-key-om_upload [data-testid='stFileUploaderDropzoneInstructions']{display:none}</style>")
        st.file_uploader(t("measures.profile.upload", lang, kb=MAX_FILE_BYTES // 1024), type="toml", key=key,
                         on_change=upload, args=(key, lang), max_upload_size=MAX_UPLOAD_MB,
                         help=t("measures.profile.upload_help", lang))
    _error("file", lang)


def render_measures(lang: str) -> None:
    """The "Egna åtgärder" section of the Scenario page (lazy: built only while it is open)."""
    ms = state.measures()
    if undo := state.recall(state.MEASURES_UNDO):
        st.button(tn("measures.editor.undo", len(undo), lang), key="om_undo", on_click=state.undo_measures_reset,
                  icon=":material/undo:")
    # No count in the label: a label that changed with it would make a new expander, closed again.
    # The label changes with the language, which makes a new expander: it opens as the last one was.
    exp = st.expander(t("measures.editor.title", lang), key=EXPANDER_KEY, on_change="rerun",
                      icon=":material/playlist_add:", expanded=bool(state.recall(OPEN)))
    state.remember(OPEN, bool(exp.open))
    if ms and not exp.open:
        st.caption(tn("measures.editor.title_n", len(ms), lang))
    if not exp.open:
        return
    with exp:
        st.caption(f"{t('measures.editor.intro', lang)} {t('measures.editor.reset_note', lang)}")
        _say(lang)
        _error("form", lang)
        _current(ms, lang)
        _profile_measures(state.get("kommun"), lang)
        _form(lang)
        _profile_file(state.get("kommun"), lang)


# ------------------------------------------------------------------ link notices about measures
def is_measure_notice(key: str) -> bool:
    """True for the notices of a link's own measures (``measures.*``), worded here."""
    return key.startswith("measures.")


def measure_notice_text(key: str, params: dict[str, Any], lang: str) -> str:
    """One notice of :func:`model.measures.decode_measures` as a sentence in ``lang``."""
    p = dict(params)
    if "index" in p and isinstance(p["index"], int):
        p["number"] = p["index"] + 1
    p.pop("error_key", None)
    return t(key, lang, **message_params(p, lang))


def show_measure_notices(notices: list[Any], lang: str) -> None:
    """A warning box listing what was dropped from a link's own measures, or nothing."""
    if not notices:
        return
    lines = "\n".join(f"- {measure_notice_text(n.key, dict(n.params), lang)}" for n in notices)
    st.warning(f"{t('measures.notice.title', lang)}\n\n{lines}", icon=":material/link_off:")
