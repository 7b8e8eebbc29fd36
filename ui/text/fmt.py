"""Locale-aware number formatting for the dashboard (Swedish default, English optional).

Conventions
-----------
* Swedish: ``"1 234,5"``. The thousands separator is U+00A0 NO-BREAK SPACE, the same
  character d3's ``sv-SE`` locale (``vl_convert.get_format_locale("sv-SE")``) puts on the
  chart axes, so tooltips, headlines and axes match byte for byte, and a number never
  breaks across two lines. U+202F (narrow no-break space) was rejected: it is not what
  d3 or the browser's ``Intl.NumberFormat("sv-SE")`` emit, and some fonts lack it.
* English: ``"1,234.5"``.
* Negative numbers use U+2212 MINUS SIGN in both languages (also d3's default), which
  screen readers read as "minus" rather than "dash".
* Missing values (``None``, NaN) are shown as ``"–"`` (U+2013 EN DASH).
* Rounding is half away from zero on the shortest decimal representation of the float
  (``2.5 -> "3"``, ``0.125 -> "0,13"``), which is what readers expect; Python's own
  ``format`` would give ``"2"`` and ``"0,12"``.
* Percentages take **fractions**: ``fmt_pct(0.48) == "48 %"``.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal, SupportsFloat

NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "\u2013"
INFINITY = "\u221e"

Lang = str
Number = SupportsFloat | None

_UNITS: dict[str, dict[str, str]] = {
    "sv": {"t": "ton", "kt": "kt", "co2e": "CO\u2082e"},
    "en": {"t": "t", "kt": "kt", "co2e": "CO\u2082e"},
}


def _lang(lang: str | None) -> str:
    """Map "sv", "SV", "sv-SE", "en_GB", ... to "sv" or "en" (Swedish if unknown)."""
    code = (lang or "sv").replace("_", "-").split("-")[0].lower()
    return code if code in _UNITS else "sv"


def _as_float(x: Number) -> float | None:
    """Return ``x`` as float, or None when it is missing or not a number."""
    if x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _round(value: float, decimals: int) -> Decimal:
    # repr() gives the shortest decimal that round-trips, so 0.125 stays 0.125 and
    # half-up rounding then behaves as a reader doing it by hand would.
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def _render(rounded: Decimal, decimals: int, lang: str, signed: bool) -> str:
    body = f"{abs(rounded):,.{decimals}f}"
    if lang == "sv":
        # Two-step swap so "," (grouping) and "." (decimal) do not collide.
        body = body.replace(",", "\0").replace(".", ",").replace("\0", NBSP)
    if rounded == 0:
        # "−0" would suggest a tiny negative value the reader cannot see.
        return body
    if rounded < 0:
        return MINUS + body
    return ("+" + body) if signed else body


def fmt_number(x: Number, decimals: int = 0, lang: Lang = "sv", *, signed: bool = False) -> str:
    """Format a number with the language's separators.

    Parameters
    ----------
    x : float, int, numpy scalar, Decimal or None
        Value in any unit; the unit is not added.
    decimals : int, default 0
        Digits after the decimal separator (>= 0).
    lang : str, default "sv"
        "sv" or "en" (region suffixes such as "sv-SE" are accepted).
    signed : bool, default False
        Prefix positive values with "+" (zero never gets a sign).

    Returns
    -------
    str
        ``"1 234,5"`` (sv, U+00A0 grouping) or ``"1,234.5"`` (en); ``"–"`` for None/NaN;
        ``"∞"`` / ``"−∞"`` for infinities.
    """
    value = _as_float(x)
    if value is None:
        return MISSING
    if math.isinf(value):
        return (MINUS if value < 0 else ("+" if signed else "")) + INFINITY
    decimals = max(0, int(decimals))
    try:
        rounded = _round(value, decimals)
    except InvalidOperation:  # pragma: no cover - only for absurd precision requests
        return MISSING
    return _render(rounded, decimals, _lang(lang), signed)


def _auto_tonnes_step(value: float) -> int:
    """Rounding step (t) so large tonnages show about three significant figures."""
    magnitude = abs(value)
    if magnitude >= 100_000:
        return 1_000
    if magnitude >= 10_000:
        return 100
    if magnitude >= 1_000:
        return 10
    return 1


def fmt_tonnes(
    x: Number,
    lang: Lang = "sv",
    *,
    unit: Literal["t", "kt"] = "t",
    decimals: int | None = None,
    co2e: bool = False,
    signed: bool = False,
) -> str:
    """Format an emission quantity with its unit.

    Parameters
    ----------
    x : float or None
        Quantity in tonnes (t CO₂e). Always tonnes, also when ``unit="kt"``.
    lang : str, default "sv"
        "sv" or "en".
    unit : {"t", "kt"}, default "t"
        Display unit. "kt" divides by 1 000.
    decimals : int or None, default None
        Fixed number of decimals. None means "sensible" rounding: for ``unit="t"``
        nearest 1 t below 1 000 t, 10 t below 10 000 t, 100 t below 100 000 t and
        1 000 t above (about three significant figures, since the inventory and the
        model are not more precise than that); for ``unit="kt"`` one decimal.
    co2e : bool, default False
        Append "CO₂e" after the unit.
    signed : bool, default False
        Prefix increases with "+" (for changes, e.g. waterfall steps).

    Returns
    -------
    str
        e.g. ``"61 000 ton"`` (sv), ``"61,000 t"`` (en), ``"61,2 kt"`` (sv, kt),
        ``"−12 300 ton CO₂e"``; ``"–"`` for None/NaN (no unit).
    """
    value = _as_float(x)
    if value is None:
        return MISSING
    code = _lang(lang)
    if unit == "kt":
        value /= 1_000.0
        places = 1 if decimals is None else decimals
    elif decimals is None:
        step = _auto_tonnes_step(value)
        value = float(_round(value / step, 0) * step) if math.isfinite(value) else value
        places = 0
    else:
        places = decimals
    text = fmt_number(value, places, code, signed=signed)
    suffix = _UNITS[code]["kt" if unit == "kt" else "t"]
    if co2e:
        suffix += " " + _UNITS[code]["co2e"]
    # The no-break space keeps the number and its unit on the same line.
    return f"{text}{NBSP}{suffix}"


def fmt_pct(x: Number, decimals: int = 0, lang: Lang = "sv", *, signed: bool = False) -> str:
    """Format a fraction as a percentage.

    Parameters
    ----------
    x : float or None
        Fraction (dimensionless): 0.48 means 48 %.
    decimals : int, default 0
        Decimals of the percentage.
    lang : str, default "sv"
        "sv" gives ``"48 %"`` with a no-break space (Swedish typography, Språkrådet);
        "en" gives ``"48%"``.
    signed : bool, default False
        Prefix positive values with "+".

    Returns
    -------
    str
        Formatted percentage, or ``"–"`` for None/NaN.
    """
    value = _as_float(x)
    if value is None:
        return MISSING
    code = _lang(lang)
    text = fmt_number(value * 100.0, decimals, code, signed=signed)
    return f"{text}{NBSP}%" if code == "sv" else f"{text}%"


def fmt_signed_pct(x: Number, decimals: int = 0, lang: Lang = "sv") -> str:
    """Format a fractional change with an explicit sign.

    Parameters
    ----------
    x : float or None
        Change as a fraction (−0.48 means a 48 % decrease).
    decimals : int, default 0
        Decimals of the percentage.
    lang : str, default "sv"
        "sv" or "en".

    Returns
    -------
    str
        ``"+12 %"``, ``"−48 %"``, ``"0 %"`` (sv) / ``"+12%"`` (en); ``"–"`` for None/NaN.
    """
    return fmt_pct(x, decimals, lang, signed=True)
