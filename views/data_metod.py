"""Data och metod: sources, method, levers, the kommun's inputs and downloads (see ui/data_page/page.py)."""
from __future__ import annotations

import streamlit as st

from ui.data_page.page import render_data_page

render_data_page(str(st.session_state.get("lang", "SV")).lower(), str(st.session_state.get("kommun", "0381")))
