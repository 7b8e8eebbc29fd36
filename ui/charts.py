"""Pure Altair chart builders (no Streamlit import: exportable with vl-convert, testable).

Every builder takes tidy pandas frames (``tonnes`` = t CO₂e per year) and a language,
and returns a top-level chart that already carries the d3 number locale
(:func:`with_locale`), a fixed plot height, a text ``description`` (the Vega aria
description; pass it to ``st.altair_chart(..., alt=chart.description)`` as well) and
tooltips whose values are strings pre-formatted with :mod:`ui.fmt`, so they read
"61 200 ton CO₂e" whatever d3 does. Render with ``st.altair_chart(chart, theme=None)``
so the app and PNG/SVG exports share this module's theme. A configured chart cannot be
layered or concatenated again: compose first, then call :func:`with_locale`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import altair as alt
import pandas as pd
import vl_convert

from ui.fmt import NBSP, fmt_number, fmt_tonnes
from ui.i18n import REMOVALS_ID, SECTOR_IDS, normalize_lang, sector_id, sector_label, t

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
    "#000000", "#DDDDDD", "#009E73")))
# Lines on white: yellow is hard to see, so it comes late; the 10th (Tol's wine) is
# only needed for a 10-group workshop board.
LINE_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
               "#000000", "#999999", "#F0E442", "#882255")
NET_COLOR, BASELINE_COLOR, TARGET_COLOR = "#1a1a1a", "#666666", "#1b6e3a"
HEIGHTS = {"main": 380, "waterfall": 380, "actor": 220, "comparison": 360, "fan": 360,
           "per_capita": 280, "macc": 360}
_D3_LOCALES = {"sv": "sv-SE", "en": "en-GB"}
_T_FMT = ",.0f"  # d3 format: grouped integers ("120 000" once the sv-SE locale is set)


@alt.theme.register(THEME_NAME, enable=True)
def theme() -> alt.theme.ThemeConfig:
    """Altair theme shared by the app and exports (Okabe–Ito, larger readable text)."""
    return alt.theme.ThemeConfig({"config": {
        "font": FONT,
        "background": "white",
        "view": {"stroke": None, "continuousWidth": DEFAULT_WIDTH, "continuousHeight": 360},
        "axis": {"labelFontSize": 13, "titleFontSize": 13, "titleFontWeight": "normal",
                 "labelColor": "#333333", "titleColor": "#333333", "gridColor": "#e6e6e6",
                 "domainColor": "#888888", "tickColor": "#888888", "labelLimit": 200},
        "legend": {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 240,
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
    """Embed the d3 number/time locale so axes read "1 200" (sv-SE) or "1,200" (en-GB).

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


def _finish(chart: alt.TopLevelMixin, lang: str, kind: str, description: str,
            title: str | None) -> alt.TopLevelMixin:
    props: dict = {"height": HEIGHTS[kind], "width": DEFAULT_WIDTH, "description": description}
    if title:
        props["title"] = title
    return with_locale(chart.properties(**props), lang)


def _frame(df: pd.DataFrame | None, cols: Sequence[str], name: str) -> pd.DataFrame:
    if df is None:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; got {list(df.columns)}")
    out = df.loc[:, list(df.columns)].copy()
    if "tonnes" in out:
        out["tonnes"] = pd.to_numeric(out["tonnes"], errors="coerce").astype("float64")
    if "year" in out:
        out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
        out = out.dropna(subset=["year"])
        out["year"] = out["year"].astype("int64")
    return out.reset_index(drop=True)


def _year_x(lang: str, field: str = "year", domain: Sequence[int] | None = None) -> alt.X:
    # Same title, format and domain on every layer: layered charts share one x scale.
    scale = alt.Scale(zero=False, nice=False, domain=list(domain)) if domain else alt.Scale(zero=False)
    return alt.X(f"{field}:Q", scale=scale,
                 axis=alt.Axis(title=t("chart.axis.year", lang), format="d", tickMinStep=1))


def _tt(field: str, key: str, lang: str) -> alt.Tooltip:
    return alt.Tooltip(f"{field}:N", title=t(key, lang))


def _t_axis(lang: str, key: str = "chart.axis.tonnes_per_year") -> alt.Axis:
    return alt.Axis(title=t(key, lang), format=_T_FMT)


def _add_tonnes_text(df: pd.DataFrame, lang: str, col: str = "tonnes") -> pd.DataFrame:
    df["value_text"] = [fmt_tonnes(v, lang, co2e=True) for v in df[col]]
    df["year_text"] = df["year"].astype(str) if "year" in df else ""
    return df


def _y_t(field: str = "tonnes", lang: str = "sv", key: str = "chart.axis.tonnes_per_year") -> alt.Y:
    return alt.Y(f"{field}:Q", axis=_t_axis(lang, key))


def _halo_text(data: pd.DataFrame, **kw: object) -> alt.Chart:
    """Text drawn twice (white outline, then fill) so labels stay legible over bars."""
    outline = alt.Chart(data).mark_text(stroke="white", strokeWidth=4, strokeJoin="round", **kw)
    return alt.layer(outline, alt.Chart(data).mark_text(**kw))


def _target_layers(target: pd.DataFrame | None, lang: str,
                   domain: Sequence[int] | None) -> list[alt.Chart]:
    """Target path (≥ 2 years, dotted line) or single target point, with a text label."""
    tgt = _frame(target, ["year", "tonnes"], "target").dropna(subset=["tonnes"])
    if tgt.empty:
        return []
    tgt = _add_tonnes_text(tgt.sort_values("year").reset_index(drop=True), lang)
    default = t("chart.series.target", lang)
    tgt["label"] = tgt["label"].fillna(default).astype(str) if "label" in tgt else default
    tgt["text"] = [t("chart.series.target_at", lang, year=y, value=v) if lbl == default
                   else f"{lbl}: {v}" for y, v, lbl in zip(tgt["year"], tgt["value_text"], tgt["label"])]
    x, y = _year_x(lang, domain=domain), _y_t(lang=lang)
    tips = [_tt("label", "chart.series.target", lang), _tt("year_text", "chart.tooltip.year", lang),
            _tt("value_text", "chart.tooltip.emissions", lang)]
    base = alt.Chart(tgt)
    if len(tgt) > 1:
        mark = base.mark_line(color=TARGET_COLOR, strokeDash=[2, 3], strokeWidth=2.5)
    else:
        mark = base.mark_point(shape="diamond", size=150, filled=True, color=TARGET_COLOR, opacity=1)
    label = _halo_text(tgt.tail(1), align="right", dx=-10, dy=-12, color=TARGET_COLOR,
                       fontWeight="bold").encode(x=x, y=y, text="text:N")
    return [mark.encode(x=x, y=y, tooltip=tips), label]


def _target_text(target: pd.DataFrame | None, lang: str) -> str:
    tgt = _frame(target, ["year", "tonnes"], "target").dropna(subset=["tonnes"])
    if tgt.empty:
        return ""
    last = tgt.sort_values("year").iloc[-1]
    value = t("chart.series.target_at", lang, year=int(last["year"]),
              value=fmt_tonnes(last["tonnes"], lang, co2e=True))
    return " " + t("chart.desc.target_suffix", lang, target=value)


def _stack(df: pd.DataFrame) -> pd.DataFrame:
    """Stack sectors per year in fixed order: positives up from 0, negatives down from 0."""
    order = {sid: i for i, sid in enumerate(SECTOR_IDS)}
    df = df.assign(_o=df["sid"].map(order).fillna(len(order))).sort_values(["year", "_o"])
    pos, neg = df["tonnes"].clip(lower=0), df["tonnes"].clip(upper=0)
    df["y1"] = pos.groupby(df["year"]).cumsum().where(df["tonnes"] >= 0,
                                                       neg.groupby(df["year"]).cumsum())
    df["y0"] = df["y1"] - df["tonnes"]
    return df.drop(columns="_o").reset_index(drop=True)


def _years(*frames: pd.DataFrame) -> list[int]:
    years = pd.concat([f["year"] for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else pd.Series([], dtype="int64")
    return [int(years.min()) - 1, int(years.max()) + 1] if len(years) else []


def _zero_rule(lang: str) -> alt.Chart:
    return alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#333333").encode(
        y=_y_t("zero", lang))


def main_chart(history: pd.DataFrame, scenario: pd.DataFrame, baseline: pd.DataFrame,
               net: pd.DataFrame, target: pd.DataFrame | None = None, lang: str = "sv",
               *, title: str | None = None) -> alt.LayerChart:
    """Emissions by sector: SMHI history, modelled projection, baseline, net and target.

    Parameters
    ----------
    history : DataFrame[year, sector, tonnes]
        SMHI inventory by SMHI sector name, t CO₂e per year. Opaque bars ("Uppmätt").
    scenario : DataFrame[year, sector, tonnes]
        Modelled emissions by sector, t CO₂e per year. Removals are negative rows
        (sector "Upptag" or "removals") and are stacked below zero. Years up to the last
        inventory year are dropped (the inventory is shown there). Lighter bars.
    baseline : DataFrame[year, tonnes]
        Emissions without new measures, t CO₂e per year (dashed grey line).
    net : DataFrame[year, tonnes]
        Net emissions of the scenario, t CO₂e per year (solid dark line).
    target : DataFrame[year, tonnes, label?], optional
        Target path (≥ 2 rows, dotted green line) or a single target point, t CO₂e per year.
    lang : str, default "sv"
    title : str, optional
        Visible title; the aria ``description`` is always set.

    Returns
    -------
    alt.LayerChart
        380 px high. One rect per sector-year keeps 1990–2045 far below the 2 000 marks
        at which Streamlit stops rendering SVG with aria descriptions.
    """
    lang = normalize_lang(lang)
    hist = _frame(history, ["year", "sector", "tonnes"], "history").assign(hist=True)
    inv_year = int(hist["year"].max()) if len(hist) else None
    scen = _frame(scenario, ["year", "sector", "tonnes"], "scenario").assign(hist=False)
    if inv_year is not None:
        scen = scen[scen["year"] > inv_year]
    bars = pd.concat([f for f in (hist, scen) if len(f)] or [hist], ignore_index=True)
    bars = bars.dropna(subset=["tonnes"])
    bars["sid"] = [sector_id(s) or str(s) for s in bars["sector"]]
    bars = _add_tonnes_text(_stack(bars), lang)
    bars["x0"], bars["x1"] = bars["year"] - 0.38, bars["year"] + 0.38
    bars["label"] = [sector_label(s, lang, short=True) for s in bars["sid"]]
    bars["label_full"] = [sector_label(s, lang) for s in bars["sid"]]
    src_hist, src_model = t("chart.series.history", lang), t("chart.series.model", lang)
    bars["source"] = [src_hist if h else src_model for h in bars["hist"]]
    base_lbl, net_lbl = t("chart.series.baseline", lang), t("chart.series.net", lang)
    lines = pd.concat([_frame(baseline, ["year", "tonnes"], "baseline").assign(series=base_lbl),
                       _frame(net, ["year", "tonnes"], "net").assign(series=net_lbl)],
                      ignore_index=True).dropna(subset=["tonnes"])
    lines = _add_tonnes_text(lines.sort_values(["series", "year"]).reset_index(drop=True), lang)
    domain = _years(bars, lines, _frame(target, ["year", "tonnes"], "target"))
    x, y = _year_x(lang, domain=domain), _y_t(lang=lang)

    sids = [s for s in SECTOR_IDS if s in set(bars["sid"])]
    sids += [s for s in dict.fromkeys(bars["sid"]) if s not in sids]
    sector_layer = alt.Chart(bars.drop(columns=["hist"])).mark_rect().encode(
        x=_year_x(lang, "x0", domain), x2="x1:Q", y=_y_t("y1", lang), y2="y0:Q",
        color=alt.Color("label:N", title=t("chart.legend.sector", lang), scale=alt.Scale(
            domain=[sector_label(s, lang, short=True) for s in sids],
            range=[SECTOR_COLORS.get(s, "#777777") for s in sids])),
        opacity=alt.Opacity("source:N", title=t("chart.tooltip.source", lang), scale=alt.Scale(
            domain=[src_hist, src_model], range=[0.95, 0.45])),
        tooltip=[_tt("label_full", "chart.tooltip.sector", lang),
                 _tt("year_text", "chart.tooltip.year", lang),
                 _tt("value_text", "chart.tooltip.emissions", lang),
                 _tt("source", "chart.tooltip.source", lang)])

    legend = alt.Legend(symbolType="stroke", symbolStrokeWidth=2.5)
    line_scale = alt.Scale(domain=[net_lbl, base_lbl], range=[NET_COLOR, BASELINE_COLOR])
    color = alt.Color("series:N", title=t("chart.legend.series", lang), legend=legend,
                      scale=line_scale)
    dash = alt.StrokeDash("series:N", title=t("chart.legend.series", lang), legend=legend,
                          scale=alt.Scale(domain=[net_lbl, base_lbl], range=[[1, 0], [6, 4]]))
    line_layer = alt.Chart(lines).mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(
        filled=True, size=30)).encode(
        x=x, y=y, color=color, strokeDash=dash,
        tooltip=[_tt("series", "chart.tooltip.series", lang),
                 _tt("year_text", "chart.tooltip.year", lang),
                 _tt("value_text", "chart.tooltip.emissions", lang)])
    ends = lines.loc[lines.groupby("series")["year"].idxmax()] if len(lines) else lines
    # End labels sit above and left of the last point so they stay inside the plot.
    end_text = _halo_text(ends, align="right", dx=-6, dy=-12, fontWeight="bold").encode(
        x=x, y=y, text="value_text:N", color=alt.Color("series:N", scale=line_scale, legend=None))

    layers: list[alt.TopLevelMixin] = [sector_layer, _zero_rule(lang),
                                       alt.layer(line_layer, end_text)]
    layers += _target_layers(target, lang, domain)
    if inv_year is not None and len(scen):
        split = pd.DataFrame({"x": [inv_year + 0.5], "text": [t("chart.series.forecast", lang)]})
        rx = _year_x(lang, "x", domain)
        layers += [alt.Chart(split).mark_rule(strokeDash=[4, 4], color="#555555").encode(x=rx),
                   alt.Chart(split).mark_text(align="left", baseline="top", dx=4, y=4,
                                              color="#333333").encode(x=rx, text="text:N")]
    net_df, base_df = lines[lines["series"] == net_lbl], lines[lines["series"] == base_lbl]
    desc = t("chart.desc.main", lang,
             first_year=domain[0] + 1 if domain else "–", last_year=domain[1] - 1 if domain else "–",
             inventory_year=inv_year if inv_year is not None else "–",
             end_year=int(net_df["year"].iloc[-1]) if len(net_df) else "–",
             net_end=net_df["value_text"].iloc[-1] if len(net_df) else "–",
             baseline_end=base_df["value_text"].iloc[-1] if len(base_df) else "–")
    chart = alt.layer(*layers).resolve_scale(color="independent", strokeDash="independent")
    return _finish(chart, lang, "main", desc + _target_text(target, lang), title)
