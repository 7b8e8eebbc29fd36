"""The one CSV writer for spreadsheets: dialect by language, text quoted, formulas defused.

Pure (no Streamlit). Every CSV download of the app (scenario data, the Data och metod page's
inputs, workshop submissions) goes through :func:`to_excel_csv`.

Choices, checked with LibreOffice 7.4 headless and pandas (tests/ui/test_spreadsheet_csv.py):

* Swedish: ``;`` between fields and a decimal comma (what Excel and LibreOffice with Swedish
  regional settings expect); English: ``,`` and a decimal point. UTF-8 with a byte-order
  mark (Excel needs it for å/ä/ö and "CO₂"), CRLF line ends, no index.
* Every text cell is quoted and numbers are not, so codes such as "0114" are marked as text:
  LibreOffice keeps them as text with "Format quoted field as text" ("Formatera fält inom
  citattecken som text") ticked in its import dialog; without it, like Excel, it reads them as
  numbers (114). Neither the ``="0114"`` formula form nor a leading apostrophe helps in
  LibreOffice (it shows them literally, and pandas would read them literally), so downloads
  with codes are also offered as XLSX, where codes are text cells whatever the settings.
* Text starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe
  (spreadsheet formula injection, OWASP); numbers are never touched.

Read back with ``pandas.read_csv(buf, **read_csv_kwargs(lang), dtype={code_column: str})``.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ui.text.i18n import normalize_lang

BOM = "\ufeff"
#: (field separator, decimal mark) per language.
DIALECTS = {"sv": (";", ","), "en": (",", ".")}
# Cells a spreadsheet would run as a formula (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: Any) -> Any:
    """Text a spreadsheet would evaluate as a formula, with a leading apostrophe; else as given."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def read_csv_kwargs(lang: str) -> dict[str, str]:
    """``pandas.read_csv`` arguments for a file written by :func:`to_excel_csv` in ``lang``."""
    sep, decimal = DIALECTS[normalize_lang(lang)]
    return {"sep": sep, "decimal": decimal, "encoding": "utf-8-sig"}


def _number(value: float | int, decimal: str) -> str:
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    x = float(value)
    if not math.isfinite(x):
        return ""
    text = repr(x)
    if "e" in text:  # never scientific notation in a spreadsheet cell
        text = np.format_float_positional(x, trim="-")
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace(".", decimal)


def _text(value: Any) -> str:
    return '"' + str(defuse(value)).replace('"', '""') + '"'


def _cell(value: Any, decimal: str) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return _text(str(bool(value)))
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _number(value, decimal)
    return _text(value)


def to_excel_csv(df: pd.DataFrame, lang: str = "sv") -> bytes:
    """Encode a table as CSV that a spreadsheet in the user's language opens correctly.

    Parameters
    ----------
    df : pandas.DataFrame
        Table to write; the index is not written. Numeric columns stay numbers; text
        (including codes like "0114") is quoted; NaN becomes an empty cell.
    lang : str, default "sv"
        "sv": ``;`` and a decimal comma; "en": ``,`` and a decimal point.

    Returns
    -------
    bytes
        UTF-8 with BOM, CRLF line ends.
    """
    sep, decimal = DIALECTS[normalize_lang(lang)]
    lines = [sep.join(_text(c) for c in df.columns)]
    columns = [df[c].tolist() for c in df.columns]
    for row in zip(*columns, strict=True):
        lines.append(sep.join(_cell(v, decimal) for v in row))
    return (BOM + "\r\n".join(lines) + "\r\n").encode("utf-8")


def metadata_csv(rows: Iterable[tuple[str, str]], lang: str = "sv",
                 headers: tuple[str, str] = ("", "")) -> bytes:
    """A two-column CSV (label, text) describing another download: source, kommun, date, units.

    Metadata is a file of its own rather than comment rows above the table: leading rows
    would become data rows in a spreadsheet and need ``comment=``/``skiprows=`` in pandas.
    """
    return to_excel_csv(pd.DataFrame(list(rows), columns=list(headers)), lang)
