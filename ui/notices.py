"""Show share-link notices (what was ignored or migrated) in the user's language."""
from __future__ import annotations

from typing import Any

import streamlit as st

from model.codec import Notice
from model.data import default_release, list_releases
from model.registry import load_registry
from ui import state
from ui.render import safe_text
from ui.text.fmt import fmt_number
from ui.text.i18n import t


def notice_text(notice: Notice, lang: str) -> str:
    """One notice as a sentence; lever ids become their labels."""
    reg = load_registry()
    params = dict(notice.params)
    label = lambda lid: reg.lever(lid).label[lang] if lid in reg.lever_ids else str(lid)  # noqa: E731
    if "lever" in params:
        params["lever"] = label(params["lever"])
    if "levers" in params:
        params["levers"] = ", ".join(label(x) for x in params["levers"])
    return t(f"app.notice.{notice.key.split('.', 1)[1]}", lang, **message_params(params, lang))


def message_params(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """Parameters of a model message ready for a template: numbers formatted, text escaped.

    Every text parameter may come from a URL or a file (values, unknown names, versions): all of
    them go through the one markdown escaper, so hostile input shows as text. Numbers get the
    language's separators ("5 000" in Swedish, "5,000" in English); years stay as they are.
    """
    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, bool):
            out[k] = v
        elif isinstance(v, (int, float)) and not ("year" in k or k in ("version", "link", "now")):
            dec = 0 if float(v).is_integer() else min(len(repr(float(v)).split(".")[1]), 4)
            out[k] = fmt_number(v, dec, lang)
        elif isinstance(v, str):
            out[k] = safe_text(v)
        else:
            out[k] = v
    return out


def older_release() -> tuple[int, int] | None:
    """(last year of the release the session computes on, last year of the latest) when the session
    computes on an older SMHI release (a link made on it), else None."""
    rid = state.release()
    latest = default_release()
    if rid is None or rid == latest.id:
        return None
    rel = next((r for r in list_releases() if r.id == rid), None)
    return None if rel is None else (rel.last_year, latest.last_year)


def release_banner(lang: str) -> bool:
    """While the figures are shown on an older SMHI release: say so, with one button to the latest.

    The button keeps every other setting (:func:`ui.state.set_release` changes only the release).
    Returns True if the banner was shown.
    """
    years = older_release()
    if years is None:
        return False
    link, now = years
    with st.container(border=True, key="release_banner"):
        st.markdown(f":material/history: {t('followup.notice.release_shown', lang, link=link)}")
        st.button(t("followup.notice.open_latest", lang, now=now), key="open_latest_release",
                  on_click=state.set_release, args=(None,), icon=":material/update:")
    return True


def show_notices(notices: list[Notice], lang: str, *, banner: bool = True) -> None:
    """The older-release banner (``banner``), then a warning box listing every other notice, or nothing.

    With the banner shown, the link's data-release notice is left out: the banner says it.
    """
    if banner and release_banner(lang):
        notices = [n for n in notices if n.key != "link.data_release"]
    if not notices:
        return
    lines = "\n".join(f"- {notice_text(n, lang)}" for n in notices)
    st.warning(f"{t('app.notice.title', lang)}\n\n{lines}", icon=":material/link_off:")
