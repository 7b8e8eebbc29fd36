"""Klimatvägar: entry point (page config, navigation, shared sidebar).

Run with ``streamlit run app.py``. The sidebar holds what every page shares:
kommun, language, target definition, horizon, national policy and the share
link. Pages are thin files in ``pages/``; their logic lives in ``ui/``.
"""
import streamlit as st

from ui import sidebar, state, style
from ui.i18n import t

st.set_page_config(page_title="Klimatvägar", page_icon=":material/eco:", layout="wide",
                   initial_sidebar_state="auto")

st.html(style.CSS)
state.begin_run()
lang = state.lang()

pages = [
    st.Page("pages/scenario.py", title=t("page.scenario", lang), icon=":material/tune:",
            url_path="start", default=True),
    st.Page("pages/jamfor.py", title=t("page.compare", lang), icon=":material/compare_arrows:",
            url_path="compare"),
    st.Page("pages/osakerhet.py", title=t("page.uncertainty", lang), icon=":material/ssid_chart:",
            url_path="uncertainty"),
    st.Page("pages/vad_kravs.py", title=t("page.what_it_takes", lang), icon=":material/target:",
            url_path="what-it-takes"),
    st.Page("pages/workshop.py", title=t("page.workshop", lang), icon=":material/groups:",
            url_path="ws"),
    st.Page("pages/data_metod.py", title=t("page.data_method", lang), icon=":material/menu_book:",
            url_path="data-och-metod"),
]
# url_path values differ from the file names on purpose: Streamlit's legacy pages/ discovery
# registers pages by file name, and a clash makes reruns execute the page file alone.
page = st.navigation(pages, position="top")
sidebar.render_sidebar(lang)
state.ensure_lever_widgets()
page.run()
state.sync_url()
