"""Jämför page: up to four scenarios side by side (thin; logic in ui/compare/page.py)."""
from ui import state
from ui.compare.page import render_compare_page

# app.py initialises the session; the call is idempotent, so the page also runs on its own.
state.init_state()
from ui.workshop.compare import workshop_sources  # noqa: E402

lang = state.lang()
render_compare_page(lang, extra_sources=lambda: workshop_sources(lang))
