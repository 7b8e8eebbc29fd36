"""Scenario page: levers and own measures against the target (thin; logic in ui/)."""
import streamlit as st

from model.codec import encode
from ui import state
from ui.compute import run_link
from ui.notices import show_notices
from ui.scenario import levers
from ui.scenario.downloads import render_export_panel
from ui.scenario.measures import is_measure_notice, render_measures, show_measure_notices
from ui.scenario.results import render_live_bar, render_results
from ui.sidebar import share_url

lang = state.lang()
notices = state.pop_notices()
show_notices([n for n in notices if not is_measure_notice(n.key)], lang)
show_measure_notices([n for n in notices if is_measure_notice(n.key)], lang)
params = encode(state.current_link())
result = run_link(params)
levers.render_kommun_switch(lang)
levers.render_presets(lang)
render_live_bar(result, lang)
col_levers, col_results = st.columns([2, 3], gap="large")
with col_levers:
    levers.render_levers(lang)
    render_measures(lang)
with col_results:
    render_results(result, lang,
                   downloads=lambda: render_export_panel(result, lang, share_url(params)))
