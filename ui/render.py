"""Small Streamlit rendering helpers shared by all pages."""
from __future__ import annotations

import contextvars
import html
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from ui.i18n import t

#: When True, tables behind "show as table" are rendered eagerly (tests, print views).
#: A ContextVar, not a global: every Streamlit session runs in its own thread.
EAGER_TABLES: contextvars.ContextVar[bool] = contextvars.ContextVar("eager_tables", default=False)


def show_chart(spec: Any, table: pd.DataFrame | Callable[[], pd.DataFrame], lang: str, *, key: str, caption: str | None = None) -> None:
    """A chart plus its accessible table alternative and source caption.

    Parameters
    ----------
    spec : dict or altair chart
        Vega-Lite spec (preferred; rendered as is, no Streamlit theme) or an Altair chart.
    table : pandas.DataFrame or callable returning one
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
    # Lazy: the table is only marshalled when someone opens it (keeps slider reruns fast).
    exp = st.expander(t("table.show", lang), key=f"{key}_table", on_change="rerun")
    if exp.open or EAGER_TABLES.get():
        with exp:
            st.dataframe(table() if callable(table) else table, hide_index=True, width="stretch")


def safe_text(text: str) -> str:
    """Escape user- or data-supplied text for markdown/HTML contexts."""
    escaped = html.escape(str(text), quote=True)
    for ch in "\\`*_{}[]()#+-.!|>~":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped
