"""Small Streamlit rendering helpers shared by all pages."""
from __future__ import annotations

import html
from typing import Any

import pandas as pd
import streamlit as st

from ui.i18n import t


def show_chart(spec: Any, table: pd.DataFrame, lang: str, *, key: str, caption: str | None = None) -> None:
    """A chart plus its accessible table alternative and source caption.

    Parameters
    ----------
    spec : dict or altair chart
        Vega-Lite spec (preferred; rendered as is, no Streamlit theme) or an Altair chart.
    table : pandas.DataFrame
        The same figures as a table (accessibility); columns carry units in their names.
    key : str
        Unique element key.
    caption : str, optional
        Source line shown under the chart ("Källa: …").
    """
    if isinstance(spec, dict):
        st.vega_lite_chart(spec, theme=None, width="stretch", key=key)
    else:
        st.altair_chart(spec, theme=None, width="stretch", key=key)
    if caption:
        st.caption(caption)
    with st.expander(t("table.show", lang)):
        st.dataframe(table, hide_index=True, width="stretch")


def safe_text(text: str) -> str:
    """Escape user- or data-supplied text for markdown/HTML contexts."""
    escaped = html.escape(str(text), quote=True)
    for ch in "\\`*_{}[]()#+-.!|>~":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped
