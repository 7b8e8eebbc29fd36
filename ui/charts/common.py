"""Shared pieces of the chart builders: input conversion, cached labels, common layers.

Input conversion is deliberately light: one ``to_numpy``/``tolist`` per column and plain
Python loops over at most a few hundred rows, because the dashboard rebuilds every chart
on every slider move.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from ui.text.fmt import MINUS, NBSP, fmt_tonnes
from ui.text.i18n import SECTOR_IDS, sector_id, sector_label, t

T_FMT = ",.0f"  # d3 format: grouped integers ("120 000" once the sv-SE locale is set)
ZERO = {"zero": [{"zero": 0.0}]}  # constant dataset of the zero rule
Rows = list[dict[str, Any]]
#: A chart input: a DataFrame or a mapping of equally long columns (lists or 1-D arrays).
Frame = pd.DataFrame | Mapping[str, Any]
_SECTOR_ORDER = {sid: i for i, sid in enumerate(SECTOR_IDS)}


# ---------------------------------------------------------------- input conversion
def columns(df: Any, cols: Sequence[str], name: str, *, numeric: Iterable[str] = ("tonnes",),
            optional: Sequence[str] = ()) -> dict[str, list]:
    """Columns of a small frame as Python lists; rows without a valid ``year`` dropped.

    ``df`` is a DataFrame, or (faster, no pandas) a mapping of equally long columns
    (lists or 1-D arrays), as the dashboard's per-rerun builders pass them.

    ``year`` becomes ``int``, the ``numeric`` columns ``float`` (NaN where missing or not
    a number), others stay as given. ``optional`` columns are returned only if present.
    Raises ValueError naming the frame when a required column is missing.
    """
    if df is None:
        return {c: [] for c in cols}
    if isinstance(df, Mapping) and all(isinstance(v, (list, tuple, np.ndarray)) for v in df.values()):
        return _mapping_columns(df, cols, name, {"year", *numeric}, optional)
    if not isinstance(df, pd.DataFrame):
        df = pd.DataFrame(df)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; got {list(df.columns)}")
    numeric = {"year", *numeric}
    out: dict[str, list] = {}
    for c in [*cols, *(c for c in optional if c in df.columns)]:
        series = df[c]
        if c in numeric:
            if series.dtype.kind not in "iufb":
                series = pd.to_numeric(series, errors="coerce")
            out[c] = series.to_numpy(dtype=float, na_value=np.nan).tolist()
        else:
            out[c] = series.tolist()
    return _valid_years(out)


def _valid_years(out: dict[str, list]) -> dict[str, list]:
    """Drop rows whose year is missing or not finite; years become ``int``."""
    if "year" in out:
        keep = [i for i, y in enumerate(out["year"]) if math.isfinite(y)]
        if len(keep) < len(out["year"]):
            out = {c: [v[i] for i in keep] for c, v in out.items()}
        out["year"] = [int(y) for y in out["year"]]
    return out


def _mapping_columns(df: Mapping[str, Any], cols: Sequence[str], name: str, numeric: set[str],
                     optional: Sequence[str]) -> dict[str, list]:
    missing = [c for c in cols if c not in df]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; got {list(df)}")
    out: dict[str, list] = {}
    for c in [*cols, *(c for c in optional if c in df)]:
        if c in numeric:
            try:
                out[c] = np.asarray(df[c], dtype=float).tolist()
            except (TypeError, ValueError):  # mixed or text values: as pandas would coerce them
                out[c] = pd.to_numeric(pd.Series(list(df[c])), errors="coerce").to_numpy(
                    dtype=float, na_value=np.nan).tolist()
        else:
            out[c] = list(df[c])
    if len({len(v) for v in out.values()}) > 1:
        raise ValueError(f"{name}: columns differ in length")
    return _valid_years(out)


def finite(x: float) -> bool:
    return x == x and x not in (math.inf, -math.inf)


def stack_sectors(raw: list[tuple[int, str, float, bool]]) -> list[tuple]:
    """Stack sectors per year in fixed order: positives up from 0, negatives down from 0.

    ``raw`` rows are (year, sector id, tonnes, is_history); each comes back with its top
    (positive rows) or bottom (negative rows) appended: the bar spans [that − tonnes, that].
    """
    raw.sort(key=lambda r: (r[0], _SECTOR_ORDER.get(r[1], len(_SECTOR_ORDER))))
    out, year, up, down = [], None, 0.0, 0.0
    for row in raw:
        if row[0] != year:
            year, up, down = row[0], 0.0, 0.0
        if row[2] >= 0:
            up += row[2]
            out.append((*row, up))
        else:
            down += row[2]
            out.append((*row, down))
    return out


def year_domain(*year_lists: Sequence[int]) -> tuple[float, ...]:
    """x domain: all years plus half a year each side (room for bars); () if no years."""
    years = [y for ys in year_lists for y in ys]
    return (min(years) - 0.5, max(years) + 0.5) if years else ()


def span(domain: Sequence[float]) -> tuple[int | str, int | str]:
    return (int(domain[0] + 0.5), int(domain[1] - 0.5)) if domain else ("–", "–")


# ---------------------------------------------------------------- cached text
_UNIT = {"sv": NBSP + "ton CO\u2082e", "en": NBSP + "t CO\u2082e"}


@functools.lru_cache(maxsize=16384)
def tonnes_text(value: float, lang: str, signed: bool = False) -> str:
    """Exactly ``fmt_tonnes(value, lang, co2e=True, signed=signed)``, 5× faster, cached.

    Most values take a float fast path (ui.text.fmt rounds through Decimal, ≈ 5 µs a value,
    which dominated the main chart); near-ties, infinities and NaN use ui.text.fmt itself.
    The cache pays off for rows that repeat on every rerun (the SMHI history).
    """
    size = abs(value)
    if not size < 1e12:  # NaN, inf, absurd sizes
        return fmt_tonnes(value, lang, co2e=True, signed=signed)
    step = 1000 if size >= 100_000 else 100 if size >= 10_000 else 10 if size >= 1_000 else 1
    q = size / step
    whole = math.floor(q)
    frac = q - whole
    if abs(frac - 0.5) < 1e-6:  # a tie or nearly: ui.text.fmt rounds the decimal repr half up
        return fmt_tonnes(value, lang, co2e=True, signed=signed)
    n = (whole + (frac > 0.5)) * step
    body = f"{n:,}".replace(",", NBSP) if lang == "sv" else f"{n:,}"
    sign = "" if n == 0 else MINUS if value < 0 else "+" if signed else ""
    return sign + body + _UNIT[lang]


@functools.lru_cache(maxsize=4096)
def kt_text(value: float, lang: str, signed: bool = False) -> str:
    return fmt_tonnes(value, lang, unit="kt", signed=signed)


@functools.lru_cache(maxsize=1024)
def sid_of(sector: Any) -> str:
    """Sector id for an SMHI name, a sector id or "Upptag"; unknown names as given."""
    return sector_id(sector) or str(sector)


@functools.lru_cache(maxsize=1024)
def sector_name(sid: str, lang: str, short: bool = False) -> str:
    return sector_label(sid, lang, short=short)


# ---------------------------------------------------------------- Altair pieces
def data(name: str) -> alt.NamedData:
    return alt.NamedData(name=name)


def const(field: str, value: str) -> dict[str, str]:
    """``transform_calculate`` argument setting ``field`` to a constant string."""
    return {field: json.dumps(value, ensure_ascii=False)}


def year_x(lang: str, field: str = "year", domain: Sequence[float] = ()) -> alt.X:
    # Same title, format and domain on every layer: layered charts share one x scale.
    scale = (alt.Scale(zero=False, nice=False, domain=list(domain)) if domain
             else alt.Scale(zero=False))
    return alt.X(f"{field}:Q", scale=scale,
                 axis=alt.Axis(title=t("chart.axis.year", lang), format="d", tickMinStep=1))


def tip(field: str, key: str, lang: str) -> alt.Tooltip:
    return alt.Tooltip(f"{field}:N", title=t(key, lang))


def t_axis(lang: str, key: str = "chart.axis.tonnes_per_year") -> alt.Axis:
    return alt.Axis(title=t(key, lang), format=T_FMT)


def y_t(field: str = "tonnes", lang: str = "sv", key: str = "chart.axis.tonnes_per_year") -> alt.Y:
    return alt.Y(f"{field}:Q", axis=t_axis(lang, key))


def halo_text(source: alt.NamedData, enc: dict, *, where: str | None = None,
              **kw: object) -> list[alt.Chart]:
    """Text drawn twice (white outline, then fill) so labels stay legible over bars.

    ``where`` is a Vega expression choosing the rows to label (all rows if None).
    """
    base = alt.Chart(source)
    if where:
        base = base.transform_filter(where)
    outline = base.mark_text(stroke="white", strokeWidth=4, strokeJoin="round", **kw)
    return [outline.encode(**enc), base.mark_text(**kw).encode(**enc)]


def zero_rule(lang: str, key: str = "chart.axis.tonnes_per_year") -> alt.Chart:
    return alt.Chart(data("zero")).mark_rule(color="#333333").encode(y=y_t("zero", lang, key))
