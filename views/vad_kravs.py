"""Vad krävs? page: the cheapest lever settings that reach the selected target (logic in ui/)."""
from ui import state
from ui.optimiser.page import render_optimiser_page

# app.py initialises the session; the call is idempotent, so the page also runs on its own.
state.init_state()
render_optimiser_page(state.lang())
