"""Show share-link notices (what was ignored or migrated) in the user's language."""
from __future__ import annotations

import streamlit as st

from model.codec import Notice
from model.registry import load_registry
from ui.i18n import t
from ui.render import safe_text


def notice_text(notice: Notice, lang: str) -> str:
    """One notice as a sentence; lever ids become their labels."""
    reg = load_registry()
    params = dict(notice.params)
    label = lambda lid: reg.lever(lid).label[lang] if lid in reg.lever_ids else str(lid)  # noqa: E731
    if "lever" in params:
        params["lever"] = label(params["lever"])
    if "levers" in params:
        params["levers"] = ", ".join(label(x) for x in params["levers"])
    # Every text parameter may come from the URL (values, unknown parameter names, versions):
    # all of them go through the one markdown escaper, so a hostile link shows as text.
    params = {k: safe_text(v) if isinstance(v, str) else v for k, v in params.items()}
    return t(f"app.notice.{notice.key.split('.', 1)[1]}", lang, **params)


def show_notices(notices: list[Notice], lang: str) -> None:
    """A warning box listing every notice, or nothing."""
    if not notices:
        return
    lines = "\n".join(f"- {notice_text(n, lang)}" for n in notices)
    st.warning(f"{t('app.notice.title', lang)}\n\n{lines}", icon=":material/link_off:")
