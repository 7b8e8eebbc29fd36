"""Scenario page: levers against the target (thin; logic in ui/)."""
import streamlit as st

from ui import levers, state
from ui.compute import run_link
from ui.notices import show_notices
from ui.results import render_results

lang = state.lang()
show_notices(state.pop_notices(), lang)
col_levers, col_results = st.columns([2, 3], gap="large")
with col_levers:
    levers.render_presets(lang)
    levers.render_levers(lang)
with col_results:
    from model.codec import encode

    render_results(run_link(encode(state.current_link())), lang)
