"""Shared pieces of the workshop views: links, the join panel (code, link, QR) and presentation mode."""
from __future__ import annotations

import html
from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from persistence.store import Workshop
from ui.exports import qr_png
from ui.text.i18n import policy_label, t, target_label
from ui.workshop.summary import kommun_name

#: url_path values registered in app.py (the last path segment of a page's address).
PAGE_PATHS = ("start", "compare", "uncertainty", "what-it-takes", "ws", "data-och-metod")
# The Scenario page is the default page: Streamlit serves it at the root ("" here); "/start"
# would open it with a "Page not found" dialog (serving/html_lang.py redirects old such links).
WORKSHOP_PATH, SCENARIO_PATH = "ws", ""
FALLBACK_URL = "http://localhost:8501/"

#: Presentation mode (``?present=1``): large type, no sidebar or top bar. Static CSS only;
#: nothing user-supplied is ever put into it.
PRESENT_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 1.2rem 2.5rem 2rem !important; }
[data-testid="stMain"] p, [data-testid="stMain"] li,
[data-testid="stCaptionContainer"] { font-size: 1.45rem !important; }
[data-testid="stMain"] h1 { font-size: 3.2rem !important; }
[data-testid="stMain"] h2 { font-size: 2.4rem !important; }
[data-testid="stMain"] h3 { font-size: 1.9rem !important; }
[data-testid="stMain"] [data-testid="stMetricValue"] p { font-size: 3.2rem !important; line-height: 1.2; }
[data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 1.5rem !important; }
[data-testid="stMain"] [data-testid="stTable"] td, [data-testid="stMain"] [data-testid="stTable"] th,
[data-testid="stMain"] [data-testid="stTable"] p { font-size: 1.35rem !important; }
</style>"""


#: Participant view: no sidebar (the workshop fixes kommun, target and policy, and on a phone the
#: expanded sidebar would cover the page). Static CSS only.
FOCUS_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"] { display: none !important; }
</style>"""


def app_url(url_path: str, params: dict[str, str]) -> str:
    """Absolute address of a page of this app with query parameters (from the browser's URL)."""
    try:
        current = st.context.url or FALLBACK_URL
    except Exception:  # noqa: BLE001 - AppTest and some proxies have no URL
        current = FALLBACK_URL
    parts = urlsplit(current)
    segments = parts.path.rstrip("/").split("/")
    if segments and segments[-1] in PAGE_PATHS:
        segments = segments[:-1]
    path = "/".join(segments).rstrip("/") + "/" + url_path
    return urlunsplit((parts.scheme or "http", parts.netloc, path, urlencode(params), ""))


def join_url(code: str, lang: str) -> str:
    """The participants' link (short, for the QR code); English only when asked for."""
    params = {"ws": code}
    if lang == "en":
        params["lang"] = "en"
    return app_url(WORKSHOP_PATH, params)


def board_url(code: str, lang: str, present: bool = True) -> str:
    """The projector board's link."""
    params = {"ws": code, "role": "board"}
    if present:
        params["present"] = "1"
    if lang == "en":
        params["lang"] = "en"
    return app_url(WORKSHOP_PATH, params)


def apply_presentation_mode() -> None:
    """Large type and no sidebar (static CSS)."""
    st.html(PRESENT_CSS)


def hide_sidebar() -> None:
    """No sidebar for participants (static CSS)."""
    st.html(FOCUS_CSS)


def settings_line(ws: Workshop, lang: str) -> str:
    """"Enköping · Klimatneutralt 2030 · Gällande lag (6 %) · horisont 2030" (plain text)."""
    return t("workshop.settings_line", lang, kommun=kommun_name(ws.kommun),
             target=target_label(ws.target.selected, lang), policy=policy_label(ws.policy, lang),
             horizon=ws.horizon)


def status_text(ws: Workshop, lang: str) -> str:
    """"Öppen för förslag" / "Stängd"."""
    return t("workshop.status.open" if ws.is_open else "workshop.status.closed", lang)


def join_panel(ws: Workshop, lang: str, *, qr_width: int = 260) -> None:
    """Join code in large type, the link and its QR code (for the projector or the facilitator)."""
    url = join_url(ws.code, lang)
    st.markdown(t("workshop.join.code_label", lang))
    st.markdown(f"<div style='font-size:2.6rem;font-weight:700;letter-spacing:0.15em;"
                f"font-family:monospace'>{html.escape(ws.code)}</div>", unsafe_allow_html=True)
    st.image(qr_png(url, scale=8), width=qr_width, alt=t("workshop.join.qr_alt", lang, code=ws.code))
    st.caption(t("workshop.join.link_label", lang))
    st.code(url, language=None, wrap_lines=True)
