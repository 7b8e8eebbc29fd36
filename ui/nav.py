"""The app's pages for st.navigation (titles in the session's language)."""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from ui import state
from ui.text.i18n import t

#: The browser tab's icon, served by this server (a Material icon name would make every page
#: fetch the icon font from an external host). Absolute: the app may start from another folder.
FAVICON = str(Path(__file__).resolve().parents[1] / "static" / "favicon.png")

#: (file, title key, icon, url_path). The files live in views/, a folder Streamlit does not
#: auto-discover (only one named pages/ switches on its legacy page discovery). The first page is
#: the default, served at the root ("/").
PAGES = (
    ("views/scenario.py", "page.scenario", ":material/tune:", "start"),
    ("views/jamfor.py", "page.compare", ":material/compare_arrows:", "compare"),
    ("views/osakerhet.py", "page.uncertainty", ":material/ssid_chart:", "uncertainty"),
    ("views/vad_kravs.py", "page.what_it_takes", ":material/target:", "what-it-takes"),
    ("views/uppfoljning.py", "page.followup", ":material/fact_check:", "uppfoljning"),
    ("views/workshop.py", "page.workshop", ":material/groups:", "ws"),
    ("views/data_metod.py", "page.data_method", ":material/menu_book:", "data-och-metod"),
)


#: Addresses people guess (Swedish and English page names, old addresses) -> a url_path above.
#: Each page's file name (without ".py") and its url_path are routes too (see page_routes).
ALIASES = {
    "scenario": "start", "scenarier": "start", "hem": "start", "home": "start",
    "jamfor": "compare", "jämför": "compare", "jamfora": "compare", "jämföra": "compare",
    "osakerhet": "uncertainty", "osäkerhet": "uncertainty",
    "vad-kravs": "what-it-takes", "vad_kravs": "what-it-takes", "vad-krävs": "what-it-takes",
    "optimering": "what-it-takes", "optimiser": "what-it-takes",
    "workshop": "ws", "workshops": "ws",
    "follow-up": "uppfoljning", "followup": "uppfoljning", "follow_up": "uppfoljning", "uppföljning": "uppfoljning",
    "uppfoljning": "uppfoljning", "plan-mot-utfall": "uppfoljning",
    "data": "data-och-metod", "metod": "data-och-metod", "data_metod": "data-och-metod",
    "data-metod": "data-och-metod", "data-and-method": "data-och-metod", "method": "data-och-metod",
}


def page_routes() -> dict[str, str]:
    """First path segment (lower case) -> the page's url_path, "" for the default page.

    Covers every url_path, every page file name and :data:`ALIASES`; the server
    (asgi.py, through serving/html_lang.py) redirects such addresses to the real page.
    """
    default = PAGES[0][3]
    routes: dict[str, str] = {}
    for path, _title, _icon, url in PAGES:
        stem = path.rsplit("/", 1)[-1].removesuffix(".py")
        routes[stem] = routes[url] = url
    routes.update({alias: url for alias, url in ALIASES.items() if url in routes})
    return {k.lower(): ("" if v == default else v) for k, v in routes.items()}


def pages(lang: str) -> list[StreamlitPage]:
    """The pages, built once per session and language.

    Building a page resolves its file on disk; kept in the session (not shared: st.navigation
    marks the chosen page object), a rerun skips that work.
    """
    cache = state.recall_or_set("_nav_pages", {})
    if lang not in cache:
        cache[lang] = [st.Page(path, title=t(title, lang), icon=icon, url_path=url, default=i == 0)
                       for i, (path, title, icon, url) in enumerate(PAGES)]
    return cache[lang]


def is_default(page: StreamlitPage) -> bool:
    """Whether ``page`` is the default page (the Scenario page, served at the root)."""
    # Streamlit serves the default page at the root: its url_path is "".
    return page.url_path in ("", PAGES[0][3])
