"""Klimatvägar: entry point (page config, navigation, shared sidebar).

Served with ``streamlit run asgi.py`` (asgi.py wraps this script; see README). The sidebar holds what every page shares:
kommun, language, target definition, horizon, national policy and the share
link. Pages are thin files in ``views/``; their logic lives in ``ui/``.
"""
import streamlit as st

from ui import nav, sidebar, state, style

st.set_page_config(page_title="Klimatvägar", page_icon=nav.FAVICON, layout="wide",
                   initial_sidebar_state="auto")

st.html(style.CSS)
state.begin_run()
lang = state.lang()

page = st.navigation(nav.pages(lang), position="top")
sidebar.render_sidebar(lang, skip_link=nav.is_default(page))
page.run()
state.sync_url()
