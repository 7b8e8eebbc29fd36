"""Theme, palette, d3 locale, spec assembly and PNG/SVG export for :mod:`ui.charts`.

Every builder returns a Vega-Lite spec ``dict`` made of two parts:

* a **skeleton** (marks, encodings, scales, axes, theme config, d3 locale), built once
  with Altair for each combination of the things that change structure (language,
  title, optional layers, series) and cached with :func:`functools.lru_cache`; its
  layers read their rows from *named* datasets (``{"data": {"name": "bars"}}``);
* the per-call **data**: ``spec["datasets"]`` (lists of plain JSON rows) and
  ``spec["description"]`` (the takeaway, used as the chart's accessible name).
  Constant rows (the zero line) are inlined in the skeleton, and small annotation rows
  share a dataset with the series they belong to (picked out by a filter), because
  Streamlit converts each named dataset to Arrow separately, at 0.5–1 ms each.

:func:`assemble` returns a new top-level dict that shares every nested object with the
cached skeleton. Callers may add, replace or delete top-level keys (Streamlit does: it
copies the dict, sets ``autosize`` and pops ``datasets``), but must treat everything
below the top level as read-only; ``copy.deepcopy(spec)`` first if you need to edit it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import vl_convert

from ui.text.i18n import SECTOR_IDS, normalize_lang

Spec = dict[str, Any]

THEME_NAME = "klimatvagar"
# "Source Sans" is Streamlit's own web font. vl-convert needs every multi-word name quoted
# and falls back to a serif for "CO₂" unless a font with subscript digits (DejaVu) is listed.
FONT = '"Source Sans", "Source Sans 3", "Source Sans Pro", Arial, "DejaVu Sans", sans-serif'
DEFAULT_WIDTH = 640  # px; Streamlit's width="stretch" overrides it, exports use it.
# Okabe & Ito (2008) in the order of R's palette.colors("Okabe-Ito"), black and grey included.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000", "#999999")
# Fixed colour per sector so a sector keeps its colour on every page and in every export.
# Ten series but nine Okabe–Ito colours: "Utrikes transporter" (0 t for Enköping) gets a
# light grey; removals get the green, read as "sink".
SECTOR_COLORS: dict[str, str] = dict(zip(SECTOR_IDS, (
    "#0072B2", "#E69F00", "#56B4E9", "#CC79A7", "#D55E00", "#F0E442", "#999999",
    "#000000", "#DDDDDD", "#009E73"), strict=True))
# Lines on white: yellow is hard to see, so it comes late; the 10th (Tol's wine) is
# only needed for a 10-group workshop board.
LINE_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
               "#000000", "#999999", "#F0E442", "#882255")
NET_COLOR, BASELINE_COLOR, TARGET_COLOR = "#1a1a1a", "#666666", "#1b6e3a"
HEIGHTS = {"main": 380, "waterfall": 380, "waterfall_step": 24, "actor": 220, "comparison": 360, "fan": 360,
           "per_capita": 280, "macc": 360}
SKELETON_CACHE_SIZE = 64  # per builder; a session uses a handful of structures
_D3_LOCALES = {"sv": "sv-SE", "en": "en-GB"}


@alt.theme.register(THEME_NAME, enable=True)
def theme() -> alt.theme.ThemeConfig:
    """Altair theme shared by the app and exports (Okabe–Ito, larger readable text)."""
    return alt.theme.ThemeConfig({"config": {
        "font": FONT,
        "background": "white",
        "view": {"stroke": None, "continuousWidth": DEFAULT_WIDTH, "continuousHeight": 360},
        # Vega's own axis and legend descriptions are English ("X-axis titled …"); every chart has
        # its own description and a table alternative in the user's language instead.
        "axis": {"aria": False, "labelFontSize": 13, "titleFontSize": 13, "titleFontWeight": "normal",
                 "labelColor": "#333333", "titleColor": "#333333", "gridColor": "#e6e6e6",
                 "domainColor": "#888888", "tickColor": "#888888", "labelLimit": 200},
        "legend": {"aria": False, "labelFontSize": 13, "titleFontSize": 13, "labelLimit": 240,
                   "symbolStrokeWidth": 2},
        "title": {"fontSize": 16, "anchor": "start", "fontWeight": 600, "color": "#1a1a1a"},
        "text": {"fontSize": 12, "color": "#1a1a1a"},
        "range": {"category": list(OKABE_ITO)},
    }})


@functools.cache
def _d3_locale(lang: str) -> alt.Locale:
    tag = _D3_LOCALES[normalize_lang(lang)]
    return alt.Locale(number=vl_convert.get_format_locale(tag),
                      time=vl_convert.get_time_format_locale(tag))


def with_locale(chart: alt.TopLevelMixin, lang: str = "sv") -> alt.TopLevelMixin:
    """Embed the d3 number/time locale in an Altair chart of your own.

    The builders of this package already embed it; this is for ad-hoc Altair charts
    that should read "1 200" (sv-SE) or "1,200" (en-GB) like the others.

    Parameters
    ----------
    chart : altair top-level chart
        Any chart; an existing ``config`` is kept, only ``config.locale`` is set.
    lang : str, default "sv"
        "sv" → sv-SE, "en" → en-GB (vl-convert's bundled d3 locales).

    Returns
    -------
    altair top-level chart
        A shallow copy with ``config.locale`` set.
    """
    out = chart.copy(deep=False)
    config = chart.config.copy(deep=False) if chart.config is not alt.Undefined else alt.Config()
    config.locale = _d3_locale(lang)
    out.config = config
    return out


def skeleton(layers: Sequence[alt.TopLevelMixin], lang: str, kind: str, title: str | None,
             *, resolve: alt.Resolve | None = None,
             static: Mapping[str, list[dict]] | None = None) -> Spec:
    """Compile the data-free structure of a layered chart (call from a cached function).

    ``static`` are constant datasets (e.g. the zero line): the layers that name them get
    the rows inline (``{"values": [...]}``), so they are structure, and Streamlit does not
    convert them to Arrow on every rerun (about 0.5–1 ms per named dataset).
    """
    props: dict = {"height": HEIGHTS[kind], "width": DEFAULT_WIDTH,
                   "config": alt.Config(locale=_d3_locale(lang))}
    if title:
        props["title"] = title
    if resolve is not None:
        props["resolve"] = resolve
    with alt.theme.enable(THEME_NAME):  # the same config whatever theme the process enabled
        spec = alt.LayerChart(layer=list(layers), **props).to_dict()
    for layer in spec["layer"]:
        name = layer.get("data", {}).get("name")
        if static and name in static:
            layer["data"] = {"values": list(static[name])}
    spec.pop("datasets", None)
    return spec


def assemble(skel: Spec, datasets: Mapping[str, list[dict]], description: str) -> Spec:
    """A new top-level spec: the cached skeleton plus this call's rows and description."""
    spec = dict(skel)
    spec["datasets"] = dict(datasets)
    spec["description"] = description
    return spec


def chart_description(spec: Mapping[str, Any]) -> str:
    """The takeaway sentence of a chart (its accessible name); reuse it as a table caption.

    Parameters
    ----------
    spec : dict
        A spec returned by one of the builders.

    Returns
    -------
    str
        ``spec["description"]``, or "" if it has none.
    """
    return str(spec.get("description", ""))


def to_png(spec: Mapping[str, Any], scale: float = 2) -> bytes:
    """Render a chart spec to PNG with vl-convert (same theme and locale as the app).

    Parameters
    ----------
    spec : dict
        A spec returned by one of the builders (not modified).
    scale : float, default 2
        Pixel density: the image is ``scale`` × the chart's CSS size (2 = sharp on
        high-DPI screens and in PDF reports).

    Returns
    -------
    bytes
        PNG file contents.
    """
    return vl_convert.vegalite_to_png(dict(spec), scale=scale)


def to_svg(spec: Mapping[str, Any]) -> str:
    """Render a chart spec to SVG text with vl-convert (same theme and locale as the app).

    Parameters
    ----------
    spec : dict
        A spec returned by one of the builders (not modified).

    Returns
    -------
    str
        A standalone ``<svg …>`` document.
    """
    return vl_convert.vegalite_to_svg(dict(spec))
