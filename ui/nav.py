"""The app's pages for st.navigation (titles in the session's language)."""
from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from ui.i18n import t

#: (file, title key, icon, url_path). url_path values differ from the file names on purpose:
#: Streamlit's legacy pages/ discovery registers pages by file name, and a clash makes reruns
#: execute the page file alone. The first page is the default, served at the root ("/").
PAGES = (
    ("pages/scenario.py", "page.scenario", ":material/tune:", "start"),
    ("pages/jamfor.py", "page.compare", ":material/compare_arrows:", "compare"),
    ("pages/osakerhet.py", "page.uncertainty", ":material/ssid_chart:", "uncertainty"),
    ("pages/vad_kravs.py", "page.what_it_takes", ":material/target:", "what-it-takes"),
    ("pages/workshop.py", "page.workshop", ":material/groups:", "ws"),
    ("pages/data_metod.py", "page.data_method", ":material/menu_book:", "data-och-metod"),
)


def pages(lang: str) -> list[StreamlitPage]:
    """The pages, built once per session and language.

    Building a page resolves its file on disk; kept in the session (not shared: st.navigation
    marks the chosen page object), a rerun skips that work.
    """
    cache = st.session_state.setdefault("_nav_pages", {})
    if lang not in cache:
        cache[lang] = [st.Page(path, title=t(title, lang), icon=icon, url_path=url, default=i == 0)
                       for i, (path, title, icon, url) in enumerate(PAGES)]
    return cache[lang]
