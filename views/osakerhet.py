"""Osäkerhet page: Monte Carlo fan, probability of meeting the target, tornado (logic in ui/)."""
from ui import state
from ui.uncertainty.page import render_uncertainty_page

# app.py initialises the session; the call is idempotent, so the page also runs on its own.
state.init_state()
render_uncertainty_page(state.lang())
