"""Vad krävs? page: the cheapest lever settings that reach the selected target (logic in ui/)."""
from ui import state
from ui.optimiser_page import render_optimiser_page

# app.py initialises the session; both calls are idempotent, so the page also runs on its own.
state.init_state()
state.ensure_lever_widgets()
render_optimiser_page(state.lang())
