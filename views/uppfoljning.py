"""Uppföljning / Follow-up: plan against actual for a scenario made on an older SMHI release (thin; ui/followup/)."""
from ui import state
from ui.followup.page import render_followup_page

# app.py initialises the session; the call is idempotent, so the page also runs on its own.
state.init_state()
render_followup_page(state.lang())
