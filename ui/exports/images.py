"""Export images: the scenario's main chart as a Vega-Lite spec, PNG and SVG, and the QR code.

Pure (no Streamlit); see :mod:`ui.exports` for the package overview.
"""
from __future__ import annotations

import datetime as _dt
import io
from collections.abc import Mapping
from typing import Any

from model.results_table import chart_columns, long_table
from model.run import ScenarioResult
from ui.charts import main_chart, to_png, to_svg
from ui.text.i18n import normalize_lang, t


def chart_png(spec: Mapping[str, Any], scale: float = 2) -> bytes:
    """PNG of a Vega-Lite spec (:func:`ui.charts.to_png`)."""
    return to_png(spec, scale=scale)


def chart_svg(spec: Mapping[str, Any]) -> str:
    """SVG text of a Vega-Lite spec (:func:`ui.charts.to_svg`)."""
    return to_svg(spec)


def _chart_frames(result: ScenarioResult) -> dict[str, Any]:
    """The main chart's frames: the Scenario page's pivot of the long table, and the verdict."""
    frames: dict[str, Any] = dict(chart_columns(long_table([(result.scenario.id, result)])))
    # The verdict itself: ui.charts draws each condition on what it limits (gross limit and net 0).
    frames["target"] = result.target(result.scenario.target.selected)
    return frames


def main_chart_spec(result: ScenarioResult, lang: str = "sv", *, height: int | None = None) -> dict[str, Any]:
    """The scenario's main chart (:func:`ui.charts.main_chart`).

    Parameters
    ----------
    result : ScenarioResult
    lang : str, default "sv"
    height : int, optional
        Plot height in px (the brief uses a lower chart than the dashboard).
    """
    lang = normalize_lang(lang)
    frames = _chart_frames(result)
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
