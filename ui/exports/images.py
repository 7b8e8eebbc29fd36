"""Export images: the scenario's main chart as a Vega-Lite spec, PNG and SVG, and the QR code.

Pure (no Streamlit); see :mod:`ui.exports` for the package overview.
"""
from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Mapping
from typing import Any

import pandas as pd

from model.data import SECTORS
from model.run import ScenarioResult
from ui.text.i18n import normalize_lang, sector_label, t


def chart_png(spec: Mapping[str, Any], scale: float = 2) -> bytes:
    """PNG of a Vega-Lite spec (``ui.charts.to_png`` when available, else vl-convert)."""
    try:
        from ui.charts import to_png
    except ImportError:
        import vl_convert

        return vl_convert.vegalite_to_png(dict(spec), scale=scale)
    return to_png(spec, scale=scale)


def chart_svg(spec: Mapping[str, Any]) -> str:
    """SVG text of a Vega-Lite spec (``ui.charts.to_svg`` when available, else vl-convert)."""
    try:
        from ui.charts import to_svg
    except ImportError:
        import vl_convert

        return vl_convert.vegalite_to_svg(dict(spec))
    return to_svg(spec)


def _chart_frames(result: ScenarioResult, lang: str) -> dict[str, Any]:
    hist = pd.DataFrame([(int(y), s, float(v[i])) for y, v in sorted(result.history.items())
                         for i, s in enumerate(SECTORS)], columns=["year", "sector", "tonnes"])
    rows = [(int(y), s, float(result.by_sector[i, j])) for j, y in enumerate(result.years)
            for i, s in enumerate(SECTORS)]
    rows += [(int(y), "Upptag", float(result.removals[j])) for j, y in enumerate(result.years)]
    scen = pd.DataFrame(rows, columns=["year", "sector", "tonnes"])
    base = pd.DataFrame({"year": result.years.astype(int), "tonnes": result.baseline_gross})
    net = pd.DataFrame({"year": result.years.astype(int), "tonnes": result.net})
    # The verdict itself: ui.charts draws each condition on what it limits (gross limit and net 0).
    target = result.target(result.scenario.target.selected)
    return {"history": hist, "scenario": scen, "baseline": base, "net": net, "target": target}


def _simple_chart_spec(frames: dict[str, pd.DataFrame | None], lang: str) -> dict[str, Any]:
    """Stacked bars by sector plus the net line, used when ``ui.charts`` is unavailable."""
    first_model = int(frames["net"]["year"].min())
    bars = [{"year": int(r.year), "sector": sector_label(r.sector, lang, short=True),
             "tonnes": float(-abs(r.tonnes) if r.sector == "Upptag" else r.tonnes)}
            for frame, keep in ((frames["history"], lambda y: y <= first_model),
                                (frames["scenario"], lambda y: y > first_model))
            for r in frame.itertuples() if keep(int(r.year)) and r.tonnes]
    net = [{"year": int(r.year), "tonnes": float(r.tonnes)} for r in frames["net"].itertuples()]
    y_title = t("chart.axis.tonnes_per_year", lang)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 640, "height": 300, "background": "white",
        "config": {"font": "DejaVu Sans, sans-serif", "view": {"stroke": None}},
        "layer": [
            {"data": {"values": bars}, "mark": {"type": "bar"},
             "encoding": {"x": {"field": "year", "type": "ordinal", "title": t("chart.axis.year", lang)},
                          "y": {"field": "tonnes", "type": "quantitative", "stack": "zero",
                                "title": y_title},
                          "color": {"field": "sector", "type": "nominal",
                                    "title": t("chart.legend.sector", lang)}}},
            {"data": {"values": net}, "mark": {"type": "line", "color": "#1a1a1a", "point": True},
             "encoding": {"x": {"field": "year", "type": "ordinal"},
                          "y": {"field": "tonnes", "type": "quantitative"}}},
        ],
    }


def main_chart_spec(result: ScenarioResult, lang: str = "sv", *, height: int | None = None) -> dict[str, Any]:
    """The scenario's main chart (``ui.charts.main_chart``; a simple stacked chart if it is missing).

    Parameters
    ----------
    result : ScenarioResult
    lang : str, default "sv"
    height : int, optional
        Plot height in px (the brief uses a lower chart than the dashboard).
    """
    lang = normalize_lang(lang)
    frames = _chart_frames(result, lang)
    try:
        from ui.charts import main_chart
    except ImportError:
        spec = _simple_chart_spec(frames, lang)
    else:
        spec = dict(main_chart(frames["history"], frames["scenario"], frames["baseline"], frames["net"],
                               frames["target"], lang))
    if height:
        spec["height"] = int(height)  # top-level key only: the builder's nested objects are shared
    return spec


def chart_export_spec(result: ScenarioResult, lang: str = "sv", *, scenario_name: str | None = None,
                      today: _dt.date | None = None) -> dict[str, Any]:
    """The main chart as a stand-alone image: title, kommun, scenario, target and a source footer.

    The dashboard shows these around the chart; a PNG or SVG pasted into a council paper
    has only what is in the image, so they are drawn into it.

    Parameters
    ----------
    result : ScenarioResult
    lang : str, default "sv"
    scenario_name : str, optional
        Overrides the scenario's own name.
    today : datetime.date, optional
        The date in the footer (default: today).

    Returns
    -------
    dict
        A Vega-Lite spec (a new top level over the builder's shared layers): title and
        subtitle lines, and a footer line naming the data source, model version and date.
    """
    from model.data import EMISSIONS_SOURCE
    from model.run import MODEL_VERSION
    from ui.exports.common import _name
    from ui.text.i18n import policy_label, target_label

    lang = normalize_lang(lang)
    spec = main_chart_spec(result, lang)
    sc = result.scenario
    years = sorted([*result.history, *[int(y) for y in result.years]])
    title = t("exports.image.title", lang, kommun=result.kommun.name, first=years[0], last=years[-1])
    subtitle = t("exports.image.subtitle", lang, scenario=_name(result, lang, scenario_name),
                 target=target_label(sc.target.selected, lang), policy=policy_label(sc.national_policy, lang),
                 horizon=sc.horizon)
    footer = [t("exports.image.source", lang, smhi=EMISSIONS_SOURCE[lang]),
              t("exports.image.model", lang, version=MODEL_VERSION,
                date=(today or _dt.date.today()).isoformat())]
    # The footer is the chart's title placed at the bottom (Vega puts it below the legends);
    # the title and subtitle are text lines above the plot (autosize grows the image for them).
    spec["autosize"] = {"type": "pad"}  # the image grows around the plot for the texts and legends
    spec["title"] = {"text": footer, "orient": "bottom", "anchor": "start", "fontSize": 11,
                     "fontWeight": "normal", "color": "#444444", "offset": 12, "frame": "bounds"}
    head = {"data": {"values": [{}]}, "encoding": {}}
    spec["layer"] = [*spec.get("layer", []),
                     {**head, "mark": {"type": "text", "text": title, "align": "left", "baseline": "bottom",
                                       "fontSize": 16, "fontWeight": 600, "color": "#1a1a1a", "limit": 0,
                                       "x": -60, "y": -30}},
                     {**head, "mark": {"type": "text", "text": subtitle, "align": "left", "baseline": "bottom",
                                       "fontSize": 13, "color": "#333333", "limit": 0, "x": -60, "y": -12}}]
    return spec


def qr_png(url: str, scale: int = 8) -> bytes:
    """QR code of ``url`` as PNG (segno, error correction M, quiet zone 4 modules)."""
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()
