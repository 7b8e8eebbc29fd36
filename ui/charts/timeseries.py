"""Charts over years: emissions by sector (main) and the uncertainty fan (the comparison is in comparison.py)."""

from __future__ import annotations

import functools
from typing import Any

import altair as alt
import pandas as pd

from ui.charts.common import (
    ZERO,
    Frame,
    Rows,
    columns,
    const,
    data,
    finite,
    halo_text,
    sector_name,
    sid_of,
    span,
    stack_sectors,
    tip,
    tonnes_text,
    y_t,
    year_domain,
    year_x,
    zero_rule,
)
from ui.charts.targets import target_data, target_layers
from ui.charts.theme import BASELINE_COLOR, NET_COLOR, SECTOR_COLORS, SKELETON_CACHE_SIZE, Spec, assemble, skeleton
from ui.text.i18n import REMOVALS_ID, SECTOR_IDS, normalize_lang, t

_LINE_POINT = alt.OverlayMarkDef(filled=True, size=30)
# Legends below the plot, stacked, in columns that follow the chart's width: on a 375 px phone a
# legend beside the plot left it about 90 px wide (Vega-Lite cannot see the viewport, but
# Streamlit's width="stretch" sets the chart's width, and Vega evaluates these per render).
_LEGEND_COLUMNS = alt.ExprRef("width >= 560 ? 4 : width >= 330 ? 2 : 1")
_LEGEND_BELOW = {"layout": {"bottom": {"direction": "vertical", "anchor": "start"}}}


@functools.lru_cache(maxsize=SKELETON_CACHE_SIZE)
def _main_skeleton(lang: str, title: str | None, domain: tuple[float, ...], sids: tuple[str, ...],
                   target_kind: Any, split_x: float | None) -> Spec:
    x, y = year_x(lang, domain=domain), y_t(lang=lang)
    # One colour per sector in history and projection alike (a lighter projection made black
    # Industri read as grey "El och fjärrvärme"); measured vs modelled is the labelled divider
    # ("← Uppmätt (SMHI) | Prognos →").
    sectors = alt.Chart(data("bars")).mark_rect(opacity=1).encode(
        x=year_x(lang, "x0", domain), x2="x1:Q", y=y_t("y1", lang), y2="y0:Q",
        color=alt.Color("label:N", title=t("chart.legend.sector", lang), scale=alt.Scale(
            domain=[sector_name(s, lang, True) for s in sids],
            range=[SECTOR_COLORS.get(s, "#777777") for s in sids]),
            legend=alt.Legend(orient="bottom", columns=_LEGEND_COLUMNS, direction="vertical")),
        # The screen-reader text of each bar (Vega's default lists x0, y1, x1, y0 first).
        description=alt.Description("aria:N"),
        tooltip=[tip("label_full", "chart.tooltip.sector", lang),
                 tip("year_text", "chart.tooltip.year", lang),
                 tip("value_text", "chart.tooltip.emissions", lang),
                 tip("source", "chart.tooltip.source", lang)])
    names = [t("chart.series.net", lang), t("chart.series.baseline", lang)]
    legend = alt.Legend(symbolType="stroke", symbolStrokeWidth=2.5, orient="bottom",
                        columns=alt.ExprRef("width >= 330 ? 2 : 1"),
                        direction="vertical")
    line_scale = alt.Scale(domain=names, range=[NET_COLOR, BASELINE_COLOR])
    title_s = t("chart.legend.series", lang)
    lines = alt.Chart(data("lines")).mark_line(strokeWidth=2.5, point=_LINE_POINT).encode(
        x=x, y=y, color=alt.Color("series:N", title=title_s, legend=legend, scale=line_scale),
        strokeDash=alt.StrokeDash("series:N", title=title_s, legend=legend,
                                  scale=alt.Scale(domain=names, range=[[1, 0], [6, 4]])),
        tooltip=[tip("series", "chart.tooltip.series", lang),
                 tip("year_text", "chart.tooltip.year", lang),
                 tip("value_text", "chart.tooltip.emissions", lang)])
    # End labels sit above and left of the last point so they stay inside the plot.
    ends = halo_text(data("lines"), {"x": x, "y": y, "text": "value_text:N", "color": alt.Color(
        "series:N", scale=line_scale, legend=None)}, where="datum.end", align="right", dx=-6,
        dy=-12, fontWeight="bold")
    layers = [sectors, zero_rule(lang), lines, *ends, *target_layers(target_kind, lang, domain)]
    static = dict(ZERO)
    if split_x is not None:  # the last inventory year is the same for every kommun
        # "Prognos →" (short: the divider is near the right edge, the legend beside it).
        static["split"] = [{"x": split_x, "text": t("chart.series.forecast", lang),
                            "before": "← " + t("chart.series.history", lang)}]
        rx = year_x(lang, "x", domain)
        split = alt.Chart(data("split"))
        layers += [split.mark_rule(strokeDash=[4, 4], color="#333333", strokeWidth=1.5).encode(x=rx),
                   # Right of the divider there is room only in a wide plot (not on a phone).
                   split.mark_text(align="left", baseline="top", dx=4, y=4, color="#333333",
                                   fontWeight="bold", text=alt.ExprRef("width < 420 ? '' : datum.text"),
                                   ).encode(x=rx),
                   split.mark_text(align="right", baseline="top", dx=-4, y=4, color="#333333",
                                   fontWeight="bold").encode(x=rx, text="before:N")]
    resolve = alt.Resolve(scale=alt.ScaleResolveMap(color="independent", strokeDash="independent"))
    spec = skeleton(layers, lang, "main", title, resolve=resolve, static=static)
    spec["config"] = {**spec["config"], "legend": {**spec["config"].get("legend", {}), **_LEGEND_BELOW}}
    # Fit the width only: Streamlit's default "fit" for stretched charts would squeeze the plot's
    # 380 px height to make room for the legends below it (Streamlit keeps a spec's autosize).
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return spec


def main_chart(history: Frame, scenario: Frame, baseline: Frame | None, net: Frame | None,
               target: Frame | None = None, lang: str = "sv", *, title: str | None = None) -> Spec:
    """Emissions by sector: SMHI history, modelled projection, baseline, net and target.

    Every frame is a DataFrame or a mapping of equally long columns (the faster form).

    Parameters
    ----------
    history : DataFrame[year, sector, tonnes]
        SMHI inventory by SMHI sector name, t CO₂e per year. Opaque bars ("Uppmätt").
    scenario : DataFrame[year, sector, tonnes]
        Modelled emissions by sector, t CO₂e per year. Removal rows (sector "Upptag" or
        "removals") are stacked below zero whatever their sign. Years up to the last
        inventory year are dropped (the inventory is shown there). Lighter bars.
    baseline : DataFrame[year, tonnes]
        Emissions without new measures, t CO₂e per year (dashed grey line).
    net : DataFrame[year, tonnes]
        Net emissions of the scenario, t CO₂e per year (solid dark line).
    target : TargetVerdict or DataFrame[year, tonnes, label?, measure?], optional
        Preferably the selected target's verdict: each condition is drawn on what it limits
        (a two-part target's gross limit as an open diamond against the stacked sectors, its
        net ≤ 0 as a filled diamond on the net line; a budget path dotted). A frame gives a
        path (≥ 2 rows of one measure) or points, t CO₂e per year.
    lang : str, default "sv"
    title : str, optional
        Visible title; the accessible ``description`` is always set.

    Returns
    -------
    dict
        Vega-Lite spec, 380 px high; datasets ``bars`` (one rect per sector-year, so
        1990–2045 stays far below the 2 000 marks at which Streamlit stops rendering SVG
        with aria descriptions), ``lines`` (flag ``end``: labelled) and ``target`` (flag
        ``last``: labelled). The zero line and the history/projection split are inline.
    """
    lang = normalize_lang(lang)
    hist = columns(history, ("year", "sector", "tonnes"), "history")
    scen = columns(scenario, ("year", "sector", "tonnes"), "scenario")
    inv_year = max(hist["year"]) if hist["year"] else None
    raw: list[tuple[int, str, float, bool]] = []
    for cols, is_hist in ((hist, True), (scen, False)):
        for year, sector, value in zip(cols["year"], cols["sector"], cols["tonnes"], strict=True):
            # Zero rows draw nothing but would list e.g. "Utrikes transporter" in the legend.
            if value == 0 or value != value or (not is_hist and inv_year is not None
                                                and year <= inv_year):
                continue
            sid = sid_of(sector)
            # The model reports removals as positive t CO₂; they are always drawn below zero.
            raw.append((year, sid, -abs(value) if sid == REMOVALS_ID else value, is_hist))
    src_hist, src_model = t("chart.series.history", lang), t("chart.series.model", lang)
    bars: Rows = [
        {"year": year, "sid": sid, "label": sector_name(sid, lang, True),
         "label_full": sector_name(sid, lang), "source": src_hist if is_hist else src_model,
         "tonnes": value, "y0": y1 - value, "y1": y1, "x0": year - 0.38, "x1": year + 0.38,
         "value_text": tonnes_text(value, lang), "year_text": str(year),
         "aria": f"{sector_name(sid, lang)}: {year}, {tonnes_text(value, lang)} ({src_hist if is_hist else src_model})"}
        for year, sid, value, is_hist, y1 in stack_sectors(raw)]
    has_scen = any(not r[3] for r in raw)

    lines: Rows = []
    last: dict[str, Rows] = {}
    for frame, key, name in ((baseline, "chart.series.baseline", "baseline"),
                             (net, "chart.series.net", "net")):
        cols = columns(frame, ("year", "tonnes"), name)
        series = t(key, lang)
        rows = [{"year": y, "tonnes": v, "series": series, "value_text": tonnes_text(v, lang),
                 "year_text": str(y), "end": False}
                for y, v in sorted(zip(cols["year"], cols["tonnes"], strict=True)) if finite(v)]
        if rows:
            rows[-1]["end"] = True  # labelled with its value
        lines += rows
        last[name] = rows[-1:]
    lines.sort(key=lambda r: r["series"])  # stable: years stay sorted within a series

    data_years = [r["year"] for r in bars] + [r["year"] for r in lines]
    target_kind, datasets, suffix, target_years = target_data(
        target, lang, last_year=max(data_years, default=None), measures=("gross", "net", "transport"))
    domain = year_domain(data_years, target_years)
    present = {r[1] for r in raw}
    sids = tuple([s for s in SECTOR_IDS if s in present]
                 + [s for s in dict.fromkeys(r[1] for r in raw) if s not in SECTOR_IDS])
    split_x = inv_year + 0.5 if inv_year is not None and has_scen else None
    datasets.update(bars=bars, lines=lines)
    net_end, base_end = last["net"], last["baseline"]
    first_year, last_year = span(domain)
    desc = t("chart.desc.main", lang, first_year=first_year, last_year=last_year,
             inventory_year=inv_year if inv_year is not None else "–",
             end_year=net_end[0]["year"] if net_end else "–",
             net_end=net_end[0]["value_text"] if net_end else "–",
             baseline_end=base_end[0]["value_text"] if base_end else "–")
    skel = _main_skeleton(lang, title, domain, sids, target_kind, split_x)
    return assemble(skel, datasets, desc + suffix)


_PCOLS = ("p05", "p25", "p50", "p75", "p95")


@functools.lru_cache(maxsize=SKELETON_CACHE_SIZE)
def _fan_skeleton(lang: str, title: str | None, domain: tuple[float, ...], deterministic: bool,
                  target_kind: Any) -> Spec:
    x = year_x(lang, domain=domain)
    names = [t(k, lang) for k in ("chart.fan.band90", "chart.fan.band50", "chart.fan.median",
                                  "chart.fan.deterministic")]
    colors = ["#cfe3f3", "#8ec1e6", "#0072B2", NET_COLOR]
    if not deterministic:
        names, colors = names[:3], colors[:3]
    color = alt.Color("band:N", title=t("chart.legend.band", lang), sort=names,
                      scale=alt.Scale(domain=names, range=colors))

    def band(lo: str, hi: str, name: str) -> alt.Chart:
        return alt.Chart(data("fan")).transform_calculate(**const("band", name)).mark_area().encode(
            x=x, y=y_t(lo, lang), y2=f"{hi}:Q", color=color)

    median = alt.Chart(data("fan")).transform_calculate(**const("band", names[2])).mark_line(
        strokeWidth=2.5, point=_LINE_POINT).encode(
        x=x, y=y_t("p50", lang), color=color,
        tooltip=[tip("year_text", "chart.tooltip.year", lang),
                 tip("p50_text", "chart.tooltip.median", lang),
                 tip("band50", "chart.tooltip.interval50", lang),
                 tip("band90", "chart.tooltip.interval90", lang)])
    layers = [band("p05", "p95", names[0]), band("p25", "p75", names[1]), zero_rule(lang), median]
    if deterministic:
        layers.append(alt.Chart(data("deterministic")).transform_calculate(
            **const("band", names[3])).mark_line(strokeDash=[6, 4], strokeWidth=2).encode(
            x=x, y=y_t(lang=lang), color=color,
            tooltip=[tip("band", "chart.tooltip.series", lang),
                     tip("year_text", "chart.tooltip.year", lang),
                     tip("value_text", "chart.tooltip.emissions", lang)]))
    layers += target_layers(target_kind, lang, domain)
    return skeleton(layers, lang, "fan", title, static=ZERO)


def fan_chart(df: pd.DataFrame, deterministic: pd.DataFrame | None = None,
              target: pd.DataFrame | None = None, lang: str = "sv",
              *, title: str | None = None) -> Spec:
    """Uncertainty fan: 5–95 % and 25–75 % bands around the median (t CO₂e per year).

    Parameters
    ----------
    df : DataFrame[year, p05, p25, p50, p75, p95]
        Percentiles of net emissions per year from the Monte Carlo, t CO₂e per year.
    deterministic : DataFrame[year, tonnes], optional
        The central (non-random) scenario, drawn dashed.
    target : TargetVerdict or DataFrame[year, tonnes, label?, measure?], optional
        As in :func:`comparison_chart` (a verdict's net condition is drawn).
    lang : str, default "sv"
    title : str, optional

    Returns
    -------
    dict
        Vega-Lite spec, 360 px high; tooltips on the median points list all five
        percentiles. Datasets ``fan``, ``deterministic`` and ``target``.
    """
    lang = normalize_lang(lang)
    cols = columns(df, ("year", *_PCOLS), "fan_chart", numeric=_PCOLS)
    fan: Rows = []
    for year, *vals in sorted(zip(cols["year"], *(cols[c] for c in _PCOLS), strict=True)):
        row: dict[str, Any] = {"year": year, "year_text": str(year)}
        for c, v in zip(_PCOLS, vals, strict=True):
            # NaN is not JSON; a missing percentile becomes null (a gap) and "–".
            row[c], row[f"{c}_text"] = (v, tonnes_text(v, lang)) if finite(v) else (None, "–")
        row["band90"] = f"{row['p05_text']} – {row['p95_text']}"
        row["band50"] = f"{row['p25_text']} – {row['p75_text']}"
        fan.append(row)
    det_cols = columns(deterministic, ("year", "tonnes"), "deterministic")
    det: Rows = [{"year": y, "tonnes": v, "value_text": tonnes_text(v, lang), "year_text": str(y)}
                 for y, v in sorted(zip(det_cols["year"], det_cols["tonnes"], strict=True)) if finite(v)]
    fan_years = [r["year"] for r in fan] + [r["year"] for r in det]
    # The fan shows net emissions: a two-part target's net ≤ 0 is drawn, its gross limit named.
    target_kind, datasets, suffix, target_years = target_data(
        target, lang, last_year=max(fan_years, default=None), measures=("net",))
    domain = year_domain(fan_years, target_years)
    datasets["fan"] = fan
    if det:
        datasets["deterministic"] = det
    last = next((r for r in reversed(fan) if r["p50"] is not None), None)
    desc = t("chart.desc.fan", lang, first_year=fan[0]["year"] if fan else "–",
             last_year=last["year"] if last else "–",
             **{c: last[f"{c}_text"] if last else "–" for c in _PCOLS})
    skel = _fan_skeleton(lang, title, domain, bool(det), target_kind)
    return assemble(skel, datasets, desc + suffix)
