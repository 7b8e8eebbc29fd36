"""Workshop submissions as sources for the "Jämför" page (latest proposal of each group)."""
from __future__ import annotations

from typing import Any

import streamlit as st

from ui.text.i18n import t
from ui.workshop.db import db_call, get_store, report_unavailable
from ui.workshop.summary import share_params


def workshop_sources(lang: str) -> list[dict[str, Any]]:
    """A workshop-code input; returns each group's latest submission as a compare source.

    Returns an empty list when no code is given, the code is unknown or the database is down
    (then a clear message is shown and the rest of the page keeps working).
    """
    code = st.text_input(t("workshop.compare.code", lang), key="cmp_ws_code", max_chars=12,
                         help=t("workshop.compare.code_help", lang)).strip().upper()
    if not code:
        return []
    try:
        store = get_store()
        ws = db_call(store.get_workshop, code)
        latest = db_call(store.latest, code) if ws else []
    except Exception as exc:  # noqa: BLE001 - any storage failure must leave the page usable
        report_unavailable(exc, lang, retry_key=None)
        return []
    if ws is None:
        st.warning(t("workshop.compare.unknown", lang))
        return []
    return [{"key": f"{code}-{sub.id}", "name": f"{ws.name}: {sub.group_name}",
             "params": share_params(ws, sub.levers, lang, sub.measures)} for sub in latest]
