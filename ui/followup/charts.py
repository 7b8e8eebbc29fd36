"""Follow-up charts (Vega-Lite specs): planned against measured per sector, and the indicator path.

Built with the chart package's theme and d3 locale (:func:`ui.charts.theme.skeleton`), so they
read "120 000" in Swedish and keep each sector's colour from every other page. Planned and
measured are told apart by position, fill and the legend, never by colour alone.
"""
from __future__ import annotations

from typing import Any

import altair as alt

from model.followup import TOTAL, Followup, IndicatorFollowup
from ui.charts.common import T_FMT, data, sid_of
from ui.charts.theme import SECTOR_COLORS, Spec, assemble, skeleton
from ui.followup.text import pct, sector_name, tonnes
from ui.text.i18n import t


def sector_chart(f: Followup, lang: str) -> Spec:
    """Horizontal bars per sector: planned (light, outlined) above measured (solid), t CO₂e per year.

    Sectors with no emissions in either release are left out; the total is in the table.
    """
    y = f.years[-1]
    exp_label, meas_label = t("followup.kind_expected", lang), t("followup.kind_measured", lang)
    rows: list[dict[str, Any]] = []
    shown = [r for r in f.sectors if r.base_old_t or r.measured_t[y] or r.expected_t[y]]
    for order, r in enumerate(shown):
        name = sector_name(r.sector, lang)
        color = SECTOR_COLORS.get(sid_of(r.sector), "#999999")
        for kind, label, value in (("expected", exp_label, r.expected_t[y]), ("measured", meas_label, r.measured_t[y])):
            rows.append({"order": order, "sector": name, "kind": label, "k": kind, "tonnes": value,
                         "color": color, "value_text": tonnes(value, lang),
                         "gap_text": tonnes(r.gap_t, lang, signed=True)})
    yy = alt.Y("sector:N", sort=alt.EncodingSortField(field="order", op="min"), title=None)
    x = alt.X("tonnes:Q", axis=alt.Axis(title=t("chart.axis.tonnes_per_year", lang), format=T_FMT))
    tips = [alt.Tooltip("sector:N", title=t("followup.col.sector", lang)), alt.Tooltip("kind:N", title=" "),
            alt.Tooltip("value_text:N", title=t("chart.axis.tonnes_per_year", lang)),
            alt.Tooltip("gap_text:N", title=t("followup.col.gap", lang))]
    bars = alt.Chart(data("followup")).mark_bar(height=11, strokeWidth=1.5).encode(
        x=x, y=yy, yOffset=alt.YOffset("kind:N", sort=[exp_label, meas_label]),
        color=alt.Color("color:N", scale=None, legend=None),
        fillOpacity=alt.FillOpacity("kind:N", sort=[exp_label, meas_label],
                                    scale=alt.Scale(domain=[exp_label, meas_label], range=[0.25, 1.0]),
                                    legend=alt.Legend(title=None, orient="bottom")),
        stroke=alt.Stroke("color:N", scale=None, legend=None), tooltip=tips)
    label = alt.Chart(data("followup")).mark_text(align="left", dx=4, fontSize=11).encode(
        x=x, y=yy, yOffset=alt.YOffset("kind:N", sort=[exp_label, meas_label]), text="value_text:N")
    # The fill-opacity legend is not drawn for a scale-less colour: the subtitle is the key.
    title = alt.TitleParams(t("followup.chart_title", lang, year=y), subtitle=t("followup.chart_key", lang),
                            subtitleFontSize=12, subtitleColor="#444444")
    skel = skeleton([bars, label], lang, "main", title)  # type: ignore[arg-type]
    worst = max(shown, key=lambda r: abs(r.gap_t)) if shown else None
    desc = "" if worst is None else t("followup.chart_desc" if worst.gap_t >= 0 else "followup.chart_desc_less", lang,
                                      sector=sector_name(worst.sector, lang), gap=tonnes(abs(worst.gap_t), lang))
    return assemble(skel, {"followup": rows}, desc)


def indicator_chart(ind: IndicatorFollowup, lang: str, title: str | None = None) -> Spec:
    """The scenario's rechargeable share of new cars (dashed line) and the recorded shares (dots, line), %."""
    planned_label, recorded_label = t("followup.kind_planned", lang), t("followup.kind_recorded", lang)
    rows = [{"year": y, "share": v, "kind": planned_label, "value_text": pct(v, lang)} for y, v in ind.planned.items()]
    rows += [{"year": y, "share": v, "kind": recorded_label, "value_text": pct(v, lang, decimals=1)}
             for y, v in ind.recorded.items()]
    x = alt.X("year:Q", axis=alt.Axis(title=t("chart.axis.year", lang), format="d", tickMinStep=1),
              scale=alt.Scale(zero=False))
    yy = alt.Y("share:Q", axis=alt.Axis(title=t("followup.col.planned", lang).split("(")[-1].rstrip(")") or "%"),
               scale=alt.Scale(domain=[0, 100]))
    kinds = [planned_label, recorded_label]
    enc: dict[str, Any] = {
        "x": x, "y": yy,
        "color": alt.Color("kind:N", sort=kinds, scale=alt.Scale(domain=kinds, range=["#0072B2", "#D55E00"]),
                           legend=alt.Legend(title=None, orient="bottom")),
        "strokeDash": alt.StrokeDash("kind:N", sort=kinds, scale=alt.Scale(domain=kinds, range=[[6, 4], [1, 0]]),
                                     legend=None),
        "tooltip": [alt.Tooltip("kind:N", title=" "), alt.Tooltip("year:Q", title=t("chart.axis.year", lang)),
                    alt.Tooltip("value_text:N", title="%")]}
    line = alt.Chart(data("indicator")).mark_line(strokeWidth=2.5).encode(**enc)
    dots = alt.Chart(data("indicator")).mark_point(filled=True, size=50).encode(
        **{k: v for k, v in enc.items() if k != "strokeDash"}, shape=alt.Shape("kind:N", sort=kinds, legend=None))
    skel = skeleton([line, dots], lang, "per_capita", title or t("followup.indicator_title", lang))
    from ui.followup.text import indicator_text

    return assemble(skel, {"indicator": rows}, indicator_text(ind, lang))


__all__ = ["TOTAL", "indicator_chart", "sector_chart"]
