"""Tornado chart: how far each uncertain input alone moves emissions (a Vega-Lite dict).

Each row is one input, moved to the low and to the high end of its range while every
other input stays at its mode. Two bars start at the central value: orange where the
input raises emissions, blue where it lowers them (Okabe–Ito, colour-blind safe; the
tooltip also says which end of the input gives which value).
"""
from __future__ import annotations

import functools
from collections.abc import Sequence

import altair as alt

from ui.charts import DEFAULT_WIDTH, THEME_NAME, Spec, with_locale
from ui.charts.common import tonnes_text
from ui.text.i18n import normalize_lang, t

HIGHER, LOWER, CENTRE = "#D55E00", "#0072B2", "#1a1a1a"
ROW_PX = 30
#: Streamlit sizes charts with autosize "fit": the height also holds the x axis and the legend.
FRAME_PX = 100


@functools.lru_cache(maxsize=32)
def _skeleton(lang: str, year: int, n_rows: int, measure: str) -> Spec:
    """The data-free spec (Altair compiles in ~20 ms; the rows change, the structure rarely)."""
    up, down = t("uncertainty.tornado.higher", lang), t("uncertainty.tornado.lower", lang)
    y = alt.Y("label:N", sort=alt.EncodingSortField(field="order", op="min"), title=None,
              axis=alt.Axis(labelLimit=320))
    axis_title = t("uncertainty.tornado.axis", lang, year=year, measure=t(f"uncertainty.measure.{measure}", lang))
    x = alt.X("x0:Q", title=axis_title[:1].upper() + axis_title[1:], scale=alt.Scale(zero=False),
              axis=alt.Axis(format=",.0f"))
    bars = alt.Chart(alt.NamedData("bars")).mark_bar(height=ROW_PX * 0.6).encode(
        y=y, x=x, x2="x1:Q",
        color=alt.Color("direction:N", title=t("uncertainty.tornado.legend", lang),
                        scale=alt.Scale(domain=[up, down], range=[HIGHER, LOWER]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("label:N", title=t("uncertainty.tornado.input", lang)),
                 alt.Tooltip("end:N", title=t("uncertainty.tornado.end", lang)),
                 alt.Tooltip("value_text:N", title=t("uncertainty.tornado.emissions", lang)),
                 alt.Tooltip("delta_text:N", title=t("uncertainty.tornado.delta", lang))])
    centre = alt.Chart(alt.NamedData("centre")).mark_rule(color=CENTRE, strokeWidth=2).encode(
        x=alt.X("x:Q"), tooltip=[alt.Tooltip("text:N", title=t("uncertainty.tornado.central", lang))])
    chart = alt.LayerChart(layer=[bars, centre], height=ROW_PX * n_rows + FRAME_PX, width=DEFAULT_WIDTH)
    with alt.theme.enable(THEME_NAME):
        spec = with_locale(chart, lang).to_dict()
    spec.pop("datasets", None)
    return spec


def tornado_chart(rows: Sequence[tuple[str, str, str, float, float]], central_t: float, year: int,
                  lang: str = "sv", measure: str = "net") -> Spec:
    """Horizontal bars around the central value, largest swing on top.

    Parameters
    ----------
    rows : sequence of (label, low_text, high_text, at_low_t, at_high_t)
        Input name, how its low/high end reads ("60 % av väntad effekt"), and emissions
        in t CO₂e per year with the input at that end; drawn in the given order.
    central_t : float
        Emissions with every input at its mode, t CO₂e per year.
    year : int
        The year the emissions refer to (axis title).
    lang : str, default "sv"
    measure : {"net", "gross"}, default "net"
        Which emissions the values are (axis title and description).

    Returns
    -------
    dict
        Vega-Lite spec with datasets ``bars`` and ``centre`` and a ``description``
        (the takeaway; the chart's accessible name). Nested objects are shared with a
        cache: change top-level keys only.
    """
    lang = normalize_lang(lang)
    up, down = t("uncertainty.tornado.higher", lang), t("uncertainty.tornado.lower", lang)
    bars = []
    for order, (label, lo_txt, hi_txt, at_lo, at_hi) in enumerate(rows):
        for end_txt, value in ((lo_txt, at_lo), (hi_txt, at_hi)):
            if abs(value - central_t) < 0.5:
                continue
            bars.append({"label": label, "order": order, "x0": central_t, "x1": value,
                         "direction": up if value > central_t else down, "end": end_txt,
                         "value_text": tonnes_text(value, lang),
                         "delta_text": tonnes_text(value - central_t, lang, signed=True)})
    spec = dict(_skeleton(lang, int(year), max(len({b["label"] for b in bars}), 1), measure))
    centre_text = tonnes_text(central_t, lang)
    spec["datasets"] = {"bars": bars, "centre": [{"x": central_t, "text": centre_text}]}
    top = rows[0] if rows else None
    words = {"year": year, "central": centre_text, "measure": t(f"uncertainty.measure.{measure}", lang)}
    spec["description"] = (t("uncertainty.tornado.desc", lang, top=top[0], low=tonnes_text(min(top[3], top[4]), lang),
                             high=tonnes_text(max(top[3], top[4]), lang), **words)
                           if top else t("uncertainty.tornado.desc_empty", lang, **words))
    return spec
