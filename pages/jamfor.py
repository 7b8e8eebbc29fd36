"""Jämför page: up to four scenarios side by side (thin; logic in ui/compare_page.py)."""
from ui import state
from ui.compare_page import render_compare_page

# app.py initialises the session; both calls are idempotent, so the page also runs on its own.
state.init_state()
state.ensure_lever_widgets()
# HOOK(workshop): pass workshop submissions as extra_sources=[{"key", "name", "params"}, …].
render_compare_page(state.lang())
