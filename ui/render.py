"""Small Streamlit rendering helpers shared by all pages."""
from __future__ import annotations

import contextvars
import html
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa
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
        st.vega_lite_chart(arrow_datasets(spec), theme=None, width="stretch", key=key)
    else:
        st.altair_chart(spec, theme=None, width="stretch", key=key)
    if caption:
        st.caption(caption)
    # Lazy: the table is only marshalled when someone opens it (keeps slider reruns fast).
    exp = st.expander(t("table.show", lang), key=f"{key}_table", on_change="rerun")
    if exp.open or EAGER_TABLES.get():
        with exp:
            st.dataframe(table() if callable(table) else table, hide_index=True, width="stretch")


def arrow_datasets(spec: dict[str, Any]) -> dict[str, Any]:
    """A shallow copy of a Vega-Lite spec whose row-list datasets are Arrow IPC bytes.

    Streamlit sends datasets as Arrow; given plain rows it goes through pandas, which costs
    about ten times as much (4 ms for the main chart, measured with bench/rerun_bench.py).
    A dataset that pyarrow cannot type (mixed value types in one column) is left as rows,
    so Streamlit's own conversion still handles it. The spec itself is not modified: the
    same spec feeds the PNG/SVG exports, which need plain rows.
    """
    datasets = spec.get("datasets")
    if not isinstance(datasets, dict):
        return spec
    out = dict(spec)
    out["datasets"] = {name: _to_table(rows) for name, rows in datasets.items()}
    return out


def _to_table(rows: Any) -> Any:
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return rows
    # Every key of every row: pa.Table.from_pylist would take the first row's keys only.
    names = list(dict.fromkeys(k for r in rows for k in r))
    try:
        table = pa.table({n: [r.get(n) for r in rows] for n in names})
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return rows
    # Bytes, not the table: Streamlit passes bytes through as they are, so a cached spec
    # costs nothing to send again. The same IPC stream format Streamlit writes itself.
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def safe_text(text: str) -> str:
    """Escape user- or data-supplied text for markdown/HTML contexts."""
    escaped = html.escape(str(text), quote=True)
    for ch in "\\`*_{}[]()#+-.!|>~":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped
