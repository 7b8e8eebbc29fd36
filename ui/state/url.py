"""The address bar: the share link rewritten after every run, and the switch to the Scenario page.

The URL is the share link: decoded once per session (:func:`ui.state.session.init_state`) and
rewritten after every run from the canonical values (:func:`sync_url`, :func:`model.codec.encode`).
"""
from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from model.codec import encode
from ui.state.session import current_link

#: Non-scenario parameters that pages own (workshop code, presentation mode) and that survive syncing.
EXTRA_PARAMS = ("ws", "present", "role", "dev")


def sync_url() -> dict[str, str]:
    """Write the canonical share parameters to the address bar; returns them."""
    params = encode(current_link())
    current = {k: st.query_params.get(k) for k in st.query_params}
    for k in EXTRA_PARAMS:
        if current.get(k):
            params[k] = str(current[k])[:40]
    if current != params:
        st.query_params.from_dict(params)
    return params


SCENARIO_PAGE = "views/scenario.py"


def switch_to_scenario_if(flag: str, confirmation: str) -> None:
    """Go to the Scenario page when a callback set ``flag`` (e.g. after applying settings).

    Outside app.py's navigation (a page tested on its own) ``st.switch_page`` is impossible;
    then show ``confirmation`` instead.
    """
    if not st.session_state.pop(flag, False):
        return
    try:
        st.switch_page(SCENARIO_PAGE, query_params=encode(current_link()))
    except StreamlitAPIException:
        st.success(confirmation, icon=":material/check:")
