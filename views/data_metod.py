"""Data och metod: sources, method, levers, the kommun's inputs and downloads (see ui/data_page/page.py)."""
from __future__ import annotations

from ui import state
from ui.data_page.page import render_data_page

render_data_page(state.lang(), str(state.get("kommun", "0381")))
