"""Small Streamlit rendering helpers shared by all pages."""
from __future__ import annotations

import contextvars
import re
import string
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa
import streamlit as st

from ui.text.i18n import t

#: When True, tables behind "show as table" are rendered eagerly (tests, print views).
#: A ContextVar, not a global: every Streamlit session runs in its own thread.
EAGER_TABLES: contextvars.ContextVar[bool] = contextvars.ContextVar("eager_tables", default=False)


def show_chart(spec: Any, table: pd.DataFrame | Callable[[], pd.DataFrame], lang: str, *, key: str,
               caption: str | None = None) -> None:
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


#: Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped one
#: is always literal: no emphasis, heading, list, link, table, math, HTML or entity can start.
_ESCAPE = {c: "\\" + c for c in string.punctuation}
#: U+2060 WORD JOINER: invisible, not a word character, not whitespace.
WORD_JOINER = "\u2060"
#: Line and paragraph separators (str.splitlines' set): each would start a new markdown block.
_LINE_BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029\t ]+")
#: Other control characters and the bidi embedding/override/isolate controls (they reorder what
#: is shown, so a name could display as something else than it is).
_DROP = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069]")
#: Streamlit replaces ``:name:``, ``:+1:`` and ``:material/name:`` in text nodes *after* parsing
#: (remark-emoji; its icon pass), so an escaped colon is still a colon there. A word joiner after
#: every colon that could open such a code breaks the pattern. Likewise GFM's autolinks are found
#: in text nodes after parsing: ``http(s)://`` (the colon rule covers it), ``www.`` and e-mail
#: addresses (``@`` followed by a domain).
_SHORTCODE = re.compile(r"(?<=:)(?=[\w/+-])")
_WWW = re.compile(r"(?i)(?<=www)(?=\.)")
_AT = re.compile(r"(?<=@)(?=[\w-])")


def safe_text(text: object) -> str:
    """Make any user- or data-supplied string show as literal text in Streamlit markdown.

    The one escaper for every markdown sink (titles, notices, captions, ``st.table`` cells,
    messages). What the result renders as in Streamlit 1.67 is the input with whitespace
    runs shown as one space and control characters removed:

    * every ASCII punctuation character gets a backslash: no emphasis, headings, lists, links,
      images, tables, ``$…$`` math, HTML tags or entities;
    * a U+2060 WORD JOINER follows each colon that precedes a word character, "/", "+" or "-"
      (emoji and ``:material/…:`` icon codes), each "www" before "." and each "@" before a
      domain (autolinks), because Streamlit finds those in the text after parsing;
    * newlines, other line/paragraph separators and tabs become a space (no new block can
      start), other control characters and bidi overrides are dropped.

    Parameters
    ----------
    text : object
        Any value; it is converted with ``str``.

    Returns
    -------
    str
        Markdown source that displays ``text`` literally. Not for plain-text sinks (widget
        options, dataframe cells, exports: they take the raw text) nor for raw HTML
        (``unsafe_allow_html``, where backslashes mean nothing: use ``html.escape``).
    """
    raw = _DROP.sub("", _LINE_BREAKS.sub(" ", str(text)))
    raw = _AT.sub(WORD_JOINER, _WWW.sub(WORD_JOINER, _SHORTCODE.sub(WORD_JOINER, raw)))
    return "".join(_ESCAPE.get(c, c) for c in raw)
