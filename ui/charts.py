"""Pure Altair chart builders (no Streamlit import: exportable with vl-convert, testable).

Every builder takes tidy pandas frames (``tonnes`` = t CO₂e per year) and a language,
and returns a top-level chart that already carries the d3 number locale
(:func:`with_locale`), a fixed plot height, a text ``description`` that states the
takeaway (the chart's accessible name; Streamlit 1.67 uses it as is, so do not also
pass ``alt=``, which overrides it and logs a warning; reuse ``chart.description`` as the
caption of the table alternative if useful) and tooltips whose values are strings
pre-formatted with :mod:`ui.fmt`, so they read "61 200 ton CO₂e" whatever d3 does.
Render with ``st.altair_chart(chart, theme=None)`` so the app and PNG/SVG exports share
this module's theme. A configured chart cannot be layered or concatenated again:
compose first, then call :func:`with_locale`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import altair as alt
import pandas as pd
import vl_convert

from ui.fmt import NBSP, fmt_number, fmt_tonnes
from ui.i18n import REMOVALS_ID, SECTOR_IDS, actor_label, normalize_lang, sector_id, sector_label, t

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


def _finish(layers: Sequence[alt.TopLevelMixin], lang: str, kind: str, description: str,
            title: str | None, resolve: alt.Resolve | None = None) -> alt.LayerChart:
    # One LayerChart constructor instead of .properties()/.resolve_scale()/.configure():
    # each of those deep-copies every layer, which made the main chart twice as slow.
    props: dict = {"height": HEIGHTS[kind], "width": DEFAULT_WIDTH, "description": description,
                   "config": alt.Config(locale=_d3_locale(lang))}
    if title:
        props["title"] = title
    if resolve is not None:
        props["resolve"] = resolve
    return alt.LayerChart(layer=list(layers), **props)


def _frame(df: pd.DataFrame | None, cols: Sequence[str], name: str) -> pd.DataFrame:
    if df is None:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in cols})
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {missing}; got {list(df.columns)}")
    out = df.copy()
    if "tonnes" in out:
        out["tonnes"] = pd.to_numeric(out["tonnes"], errors="coerce").astype("float64")
    if "year" in out:
        out["year"] = pd.to_numeric(out["year"], errors="coerce").astype("Int64")
        out = out.dropna(subset=["year"])
        out["year"] = out["year"].astype("int64")
    return out.reset_index(drop=True)


def _year_x(lang: str, field: str = "year", domain: Sequence[float] | None = None) -> alt.X:
    # Same title, format and domain on every layer: layered charts share one x scale.
    scale = (alt.Scale(zero=False, nice=False, domain=list(domain)) if domain
             else alt.Scale(zero=False))
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


def _halo_text(data: pd.DataFrame, enc: dict, **kw: object) -> list[alt.Chart]:
    """Text drawn twice (white outline, then fill) so labels stay legible over bars."""
    # Two flat layers rather than a nested alt.layer: Altair deep-copies nested layers on
    # every composition step, which doubled the build time of the main chart.
    outline = alt.Chart(data).mark_text(stroke="white", strokeWidth=4, strokeJoin="round", **kw)
    return [outline.encode(**enc), alt.Chart(data).mark_text(**kw).encode(**enc)]


def _target_layers(target: pd.DataFrame | None, lang: str,
                   domain: Sequence[float] | None) -> list[alt.Chart]:
    """Target path (≥ 2 years, dotted line) or single target point, with a text label."""
    tgt = _frame(target, ["year", "tonnes"], "target").dropna(subset=["tonnes"])
    if tgt.empty:
        return []
    tgt = _add_tonnes_text(tgt.sort_values("year").reset_index(drop=True), lang)
    default = t("chart.series.target", lang)
    tgt["label"] = tgt["label"].fillna(default).astype(str) if "label" in tgt else default
    tgt["text"] = [t("chart.series.target_at", lang, year=y, value=v) if lbl == default
                   else f"{lbl}: {v}"
                   for y, v, lbl in zip(tgt["year"], tgt["value_text"], tgt["label"])]
    x, y = _year_x(lang, domain=domain), _y_t(lang=lang)
    tips = [_tt("label", "chart.series.target", lang), _tt("year_text", "chart.tooltip.year", lang),
            _tt("value_text", "chart.tooltip.emissions", lang)]
    base = alt.Chart(tgt)
    if len(tgt) > 1:
        mark = base.mark_line(color=TARGET_COLOR, strokeDash=[2, 3], strokeWidth=2.5)
    else:
        mark = base.mark_point(shape="diamond", size=150, filled=True, color=TARGET_COLOR,
                               opacity=1)
    label = _halo_text(tgt.tail(1), {"x": x, "y": y, "text": "text:N"}, align="right", dx=-10,
                       dy=-12, color=TARGET_COLOR, fontWeight="bold")
    return [mark.encode(x=x, y=y, tooltip=tips), *label]


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


def _years(*frames: pd.DataFrame) -> list[float]:
    """x domain: all years of all frames plus half a year each side (room for bars)."""
    years = [int(y) for f in frames if len(f) for y in (f["year"].min(), f["year"].max())]
    return [min(years) - 0.5, max(years) + 0.5] if years else []


def _span(domain: Sequence[float]) -> tuple[int | str, int | str]:
    return (int(domain[0] + 0.5), int(domain[1] - 0.5)) if domain else ("–", "–")


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
        Modelled emissions by sector, t CO₂e per year. Removal rows (sector "Upptag" or
        "removals") are stacked below zero whatever their sign. Years up to the last
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
    # Zero rows draw nothing but would list e.g. "Utrikes transporter" (0 t) in the legend.
    bars = bars[bars["tonnes"].fillna(0) != 0]
    bars["sid"] = [sector_id(s) or str(s) for s in bars["sector"]]
    # The model reports removals as positive t CO₂; they are always drawn below zero.
    is_removal = bars["sid"] == REMOVALS_ID
    bars.loc[is_removal, "tonnes"] = -bars.loc[is_removal, "tonnes"].abs()
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
    end_text = _halo_text(ends, {"x": x, "y": y, "text": "value_text:N", "color": alt.Color(
        "series:N", scale=line_scale, legend=None)}, align="right", dx=-6, dy=-12,
        fontWeight="bold")

    layers: list[alt.TopLevelMixin] = [sector_layer, _zero_rule(lang), line_layer, *end_text]
    layers += _target_layers(target, lang, domain)
    if inv_year is not None and len(scen):
        split = pd.DataFrame({"x": [inv_year + 0.5], "text": [t("chart.series.forecast", lang)]})
        rx = _year_x(lang, "x", domain)
        layers += [alt.Chart(split).mark_rule(strokeDash=[4, 4], color="#555555").encode(x=rx),
                   alt.Chart(split).mark_text(align="left", baseline="top", dx=4, y=4,
                                              color="#333333").encode(x=rx, text="text:N")]
    net_df, base_df = lines[lines["series"] == net_lbl], lines[lines["series"] == base_lbl]
    desc = t("chart.desc.main", lang,
             first_year=_span(domain)[0], last_year=_span(domain)[1],
             inventory_year=inv_year if inv_year is not None else "–",
             end_year=int(net_df["year"].iloc[-1]) if len(net_df) else "–",
             net_end=net_df["value_text"].iloc[-1] if len(net_df) else "–",
             baseline_end=base_df["value_text"].iloc[-1] if len(base_df) else "–")
    resolve = alt.Resolve(scale=alt.ScaleResolveMap(color="independent",
                                                     strokeDash="independent"))
    return _finish(layers, lang, "main", desc + _target_text(target, lang), title, resolve)


_WF_COLORS = {"total": "#4d4d4d", "reduction": "#009E73", "increase": "#D55E00",
              "removal": "#56B4E9", "gap": "#E69F00"}


def _unique(labels: Sequence[str]) -> list[str]:
    # The x axis is nominal, so two steps with the same label would merge into one bar.
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def waterfall_chart(start_label: str, start_t: float, steps: Sequence[tuple[str, float]],
                    end_label: str, end_t: float, target_t: float | None = None,
                    lang: str = "sv", *, removals: Sequence[tuple[str, float]] = (),
                    gross_label: str | None = None, title: str | None = None) -> alt.LayerChart:
    """Bridge from the baseline to the scenario, one bar per lever (t CO₂e per year).

    Parameters
    ----------
    start_label, start_t : str, float
        First total bar, e.g. "Utan nya åtgärder 2030" and its emissions (t CO₂e/yr).
    steps : sequence of (label, delta_t)
        Lever effects in t CO₂e/yr; reductions negative (green), increases positive.
    end_label, end_t : str, float
        Last total bar, e.g. net emissions 2030 (t CO₂e/yr).
    target_t : float, optional
        Target level (t CO₂e/yr): horizontal rule, plus a "gap" bar if ``end_t`` is above.
    lang : str, default "sv"
    removals : sequence of (label, delta_t), optional
        Removal steps, t CO₂e/yr (always drawn as decreases, so the model's positive
        removals and negative deltas both work). When given, a subtotal bar ``gross_label``
        (default "Utsläpp med åtgärder") is drawn between the levers and the removals.
    gross_label : str, optional
    title : str, optional

    Returns
    -------
    alt.LayerChart
        380 px high. If ``start_t + Σ steps + Σ removals`` differs from ``end_t`` by more
        than 1 t, an explicit "Övrigt (samspel och avrundning)" step closes the bridge so
        the bars never silently disagree with the totals.
    """
    lang = normalize_lang(lang)
    rows: list[tuple[str, str, float, float]] = [(start_label, "total", 0.0, float(start_t))]
    level = float(start_t)

    def add(label: str, delta: float, kind: str | None = None) -> None:
        nonlocal level
        kind = kind or ("reduction" if delta < 0 else "increase")
        rows.append((label, kind, level, level + delta))
        level += delta

    for label, delta in steps:
        add(label, float(delta))
    if removals:
        rows.append((gross_label or t("chart.waterfall.gross", lang), "total", 0.0, level))
        for label, delta in removals:
            # Removals always lower the level, whichever sign convention the caller uses.
            add(label, -abs(float(delta)), "removal")
    if abs(float(end_t) - level) > 1.0:
        add(t("chart.waterfall.other", lang), float(end_t) - level)
    rows.append((end_label, "total", 0.0, float(end_t)))
    if target_t is not None and float(end_t) > float(target_t):
        rows.append((t("chart.waterfall.gap", lang), "gap", float(target_t), float(end_t)))

    df = pd.DataFrame(rows, columns=["label", "kind", "y0", "y1"])
    df["label"] = _unique(df["label"].tolist())
    df["kind_label"] = [t(f"chart.waterfall.{k}", lang) for k in df["kind"]]
    delta = df["y1"] - df["y0"]
    is_step = df["kind"].isin(["reduction", "increase", "removal"])
    df["value_text"] = [fmt_tonnes(d, lang, co2e=True, signed=s) for d, s in zip(delta, is_step)]
    df["level_text"] = [fmt_tonnes(v, lang, co2e=True) for v in df["y1"]]
    df["bar_text"] = [fmt_tonnes(d, lang, unit="kt", signed=s) for d, s in zip(delta, is_step)]
    df["top"] = df[["y0", "y1"]].max(axis=1)
    kinds = list(dict.fromkeys(df["kind"]))
    x = alt.X("label:N", sort=df["label"].tolist(), title=None,
              axis=alt.Axis(labelAngle=-35, labelLimit=240))
    bars = alt.Chart(df).mark_bar(size=28).encode(
        x=x, y=_y_t("y1", lang), y2="y0:Q",
        color=alt.Color("kind_label:N", title=t("chart.legend.kind", lang), scale=alt.Scale(
            domain=[t(f"chart.waterfall.{k}", lang) for k in kinds],
            range=[_WF_COLORS[k] for k in kinds])),
        tooltip=[_tt("label", "chart.tooltip.step", lang),
                 _tt("value_text", "chart.tooltip.change", lang),
                 _tt("level_text", "chart.tooltip.level", lang)])
    text = alt.Chart(df).mark_text(dy=-7, baseline="bottom", fontSize=11).encode(
        x=x, y=alt.Y("top:Q"), text="bar_text:N")
    layers: list[alt.TopLevelMixin] = [bars, text, _zero_rule(lang)]
    cuts = [r for r in rows if r[1] in ("reduction", "removal")]
    largest = min(cuts, key=lambda r: r[3] - r[2]) if cuts else ("–", "", 0.0, float("nan"))
    desc = t("chart.desc.waterfall", lang, start_label=start_label,
             start_value=fmt_tonnes(start_t, lang, co2e=True), end_label=end_label,
             end_value=fmt_tonnes(end_t, lang, co2e=True), largest_label=largest[0],
             largest_value=fmt_tonnes(largest[3] - largest[2], lang, co2e=True, signed=True))
    if target_t is not None:
        gap = float(end_t) - float(target_t)
        tgt = pd.DataFrame({"y": [float(target_t)], "text": [t(
            "chart.series.target_value", lang, value=fmt_tonnes(target_t, lang, co2e=True))]})
        layers += [alt.Chart(tgt).mark_rule(color=TARGET_COLOR, strokeDash=[2, 3], strokeWidth=2.5)
                   .encode(y=_y_t("y", lang)),
                   *_halo_text(tgt, {"y": alt.Y("y:Q"), "text": "text:N"}, align="right",
                               baseline="bottom", dy=-4, x="width", color=TARGET_COLOR,
                               fontWeight="bold")]
        status = t("chart.desc.gap_open" if gap > 0 else "chart.desc.gap_closed", lang,
                   gap=fmt_tonnes(abs(gap), lang, co2e=True))
        desc += " " + t("chart.desc.waterfall_target", lang,
                        target_value=fmt_tonnes(target_t, lang, co2e=True), status=status)
    return _finish(layers, lang, "waterfall", desc, title)


def actor_chart(df: pd.DataFrame, lang: str = "sv", *, title: str | None = None) -> alt.LayerChart:
    """Horizontal bars: emission reduction in the target year by responsible actor.

    Parameters
    ----------
    df : DataFrame[actor, tonnes]
        ``actor`` is an id ("kommun", "state_eu", "business", "residents"; other values
        are shown as given); ``tonnes`` the reduction in t CO₂e per year (positive =
        less emitted; a negative value is drawn left of zero in orange).
    lang : str, default "sv"
    title : str, optional

    Returns
    -------
    alt.LayerChart
        220 px high, largest reduction on top, each bar labelled with its value.
    """
    lang = normalize_lang(lang)
    data = _frame(df, ["actor", "tonnes"], "actor_chart").dropna(subset=["tonnes"])
    data = data.sort_values("tonnes", ascending=False).reset_index(drop=True)
    data["label"] = [actor_label(a, lang) for a in data["actor"]]
    data = _add_tonnes_text(data, lang)
    y = alt.Y("label:N", sort=data["label"].tolist(), title=None)
    xenc = alt.X("tonnes:Q", axis=_t_axis(lang, "chart.axis.reduction"))
    bars = alt.Chart(data).mark_bar(size=26).encode(
        x=xenc, y=y,
        color=alt.condition("datum.tonnes >= 0", alt.value("#009E73"), alt.value("#D55E00")),
        tooltip=[_tt("label", "chart.tooltip.actor", lang),
                 _tt("value_text", "chart.tooltip.reduction", lang)])
    text = alt.Chart(data).mark_text(align="left", dx=4).encode(x=xenc, y=y, text="value_text:N")
    total = float(data["tonnes"].sum()) if len(data) else float("nan")
    desc = t("chart.desc.actor", lang,
             largest_label=data["label"].iloc[0] if len(data) else "–",
             largest_value=data["value_text"].iloc[0] if len(data) else "–",
             total=fmt_tonnes(total, lang, co2e=True))
    return _finish([bars, text], lang, "actor", desc, title)


def comparison_chart(df: pd.DataFrame, target: pd.DataFrame | None = None, lang: str = "sv",
                     *, title: str | None = None) -> alt.LayerChart:
    """Net emissions of several scenarios (or workshop groups) as overlaid lines.

    Parameters
    ----------
    df : DataFrame[scenario, year, tonnes]
        ``scenario`` is a display name; t CO₂e per year. Designed for up to 4 scenarios
        and usable for up to 10 groups (colours repeat after 10; dash patterns help).
    target : DataFrame[year, tonnes, label?], optional
        Target path or point (see :func:`main_chart`).
    lang : str, default "sv"
    title : str, optional

    Returns
    -------
    alt.LayerChart
        360 px high; colour and dash both encode the scenario (colour-blind safe).
    """
    lang = normalize_lang(lang)
    data = _frame(df, ["scenario", "year", "tonnes"], "comparison_chart").dropna(subset=["tonnes"])
    data["scenario"] = data["scenario"].astype(str)
    names = list(dict.fromkeys(data["scenario"]))
    data = _add_tonnes_text(data.sort_values(["scenario", "year"]).reset_index(drop=True), lang)
    domain = _years(data, _frame(target, ["year", "tonnes"], "target"))
    title_s = t("chart.legend.scenario", lang)
    colors = [LINE_COLORS[i % len(LINE_COLORS)] for i in range(len(names))]
    lines = alt.Chart(data).mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(
        filled=True, size=30)).encode(
        x=_year_x(lang, domain=domain), y=_y_t(lang=lang),
        color=alt.Color("scenario:N", title=title_s, sort=names,
                        scale=alt.Scale(domain=names, range=colors),
                        legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2.5)),
        strokeDash=alt.StrokeDash("scenario:N", title=title_s, sort=names,
                                  scale=alt.Scale(domain=names)),
        tooltip=[_tt("scenario", "chart.tooltip.scenario", lang),
                 _tt("year_text", "chart.tooltip.year", lang),
                 _tt("value_text", "chart.tooltip.emissions", lang)])
    layers: list[alt.TopLevelMixin] = [_zero_rule(lang), lines,
                                       *_target_layers(target, lang, domain)]
    if len(data):
        last_year = int(data["year"].max())
        final = data[data["year"] == last_year].sort_values("tonnes")
        best_label, best_value = final["scenario"].iloc[0], final["value_text"].iloc[0]
    else:
        last_year, best_label, best_value = "–", "–", "–"
    desc = t("chart.desc.comparison", lang, n=len(names),
             first_year=_span(domain)[0], last_year=last_year,
             best_label=best_label, best_value=best_value)
    return _finish(layers, lang, "comparison", desc + _target_text(target, lang), title)


def fan_chart(df: pd.DataFrame, deterministic: pd.DataFrame | None = None,
              target: pd.DataFrame | None = None, lang: str = "sv",
              *, title: str | None = None) -> alt.LayerChart:
    """Uncertainty fan: 5–95 % and 25–75 % bands around the median (t CO₂e per year).

    Parameters
    ----------
    df : DataFrame[year, p05, p25, p50, p75, p95]
        Percentiles of net emissions per year from the Monte Carlo, t CO₂e per year.
    deterministic : DataFrame[year, tonnes], optional
        The central (non-random) scenario, drawn dashed.
    target : DataFrame[year, tonnes, label?], optional
    lang : str, default "sv"
    title : str, optional

    Returns
    -------
    alt.LayerChart
        360 px high; tooltips on the median points list all five percentiles.
    """
    lang = normalize_lang(lang)
    pcols = ["p05", "p25", "p50", "p75", "p95"]
    data = _frame(df, ["year", *pcols], "fan_chart").sort_values("year").reset_index(drop=True)
    for c in pcols:
        data[c] = pd.to_numeric(data[c], errors="coerce")
        data[f"{c}_text"] = [fmt_tonnes(v, lang, co2e=True) for v in data[c]]
    data["year_text"] = data["year"].astype(str)
    data["band90"] = [f"{a} – {b}" for a, b in zip(data["p05_text"], data["p95_text"])]
    data["band50"] = [f"{a} – {b}" for a, b in zip(data["p25_text"], data["p75_text"])]
    det = _frame(deterministic, ["year", "tonnes"], "deterministic").dropna(subset=["tonnes"])
    det = _add_tonnes_text(det.sort_values("year").reset_index(drop=True), lang)
    domain = _years(data, det, _frame(target, ["year", "tonnes"], "target"))
    x, y_title = _year_x(lang, domain=domain), t("chart.axis.tonnes_per_year", lang)
    names = [t(k, lang) for k in ("chart.fan.band90", "chart.fan.band50", "chart.fan.median",
                                  "chart.fan.deterministic")]
    colors = ["#cfe3f3", "#8ec1e6", "#0072B2", NET_COLOR]
    if det.empty:
        names, colors = names[:3], colors[:3]
    scale = alt.Scale(domain=names, range=colors)
    color = alt.Color("band:N", title=t("chart.legend.band", lang), scale=scale, sort=names)

    def band(lo: str, hi: str, name: str) -> alt.Chart:
        return alt.Chart(data.assign(band=name)).mark_area().encode(
            x=x, y=alt.Y(f"{lo}:Q", axis=alt.Axis(title=y_title, format=_T_FMT)), y2=f"{hi}:Q",
            color=color)

    median = alt.Chart(data.assign(band=names[2])).mark_line(
        strokeWidth=2.5, point=alt.OverlayMarkDef(filled=True, size=30)).encode(
        x=x, y=_y_t("p50", lang), color=color,
        tooltip=[_tt("year_text", "chart.tooltip.year", lang),
                 _tt("p50_text", "chart.tooltip.median", lang),
                 _tt("band50", "chart.tooltip.interval50", lang),
                 _tt("band90", "chart.tooltip.interval90", lang)])
    layers: list[alt.TopLevelMixin] = [band("p05", "p95", names[0]), band("p25", "p75", names[1]),
                                       _zero_rule(lang), median]
    if len(det):
        layers.append(alt.Chart(det.assign(band=names[3])).mark_line(
            strokeDash=[6, 4], strokeWidth=2).encode(
            x=x, y=_y_t(lang=lang), color=color,
            tooltip=[_tt("band", "chart.tooltip.series", lang),
                     _tt("year_text", "chart.tooltip.year", lang),
                     _tt("value_text", "chart.tooltip.emissions", lang)]))
    layers += _target_layers(target, lang, domain)
    last = data.dropna(subset=["p50"]).tail(1)
    vals = {c: last[f"{c}_text"].iloc[0] if len(last) else "–" for c in pcols}
    desc = t("chart.desc.fan", lang, first_year=int(data["year"].min()) if len(data) else "–",
             last_year=int(last["year"].iloc[0]) if len(last) else "–", **vals)
    return _finish(layers, lang, "fan", desc + _target_text(target, lang), title)


def per_capita_chart(df: pd.DataFrame, lang: str = "sv", *,
                     title: str | None = None) -> alt.LayerChart:
    """Emissions per resident: the kommun next to the national average and peers.

    Parameters
    ----------
    df : DataFrame[name, t_per_capita, highlight]
        ``t_per_capita`` in t CO₂e per resident and year; ``highlight`` True for the
        row(s) to emphasise (the kommun), drawn in blue with a bold axis label.
    lang : str, default "sv"
    title : str, optional

    Returns
    -------
    alt.LayerChart
        280 px high, sorted from highest to lowest, each bar labelled.
    """
    lang = normalize_lang(lang)
    data = _frame(df, ["name", "t_per_capita", "highlight"], "per_capita_chart")
    data["t_per_capita"] = pd.to_numeric(data["t_per_capita"], errors="coerce")
    data = data.dropna(subset=["t_per_capita"]).sort_values("t_per_capita", ascending=False)
    data["name"] = data["name"].astype(str)
    data["highlight"] = data["highlight"].fillna(False).astype(bool)
    unit = t("unit.t_per_capita", lang)
    data["value_text"] = [f"{fmt_number(v, 1, lang)}{NBSP}{unit}" for v in data["t_per_capita"]]
    data["bar_text"] = [fmt_number(v, 1, lang) for v in data["t_per_capita"]]
    marked = data.loc[data["highlight"], "name"].tolist()
    # Bold axis labels repeat the highlight in a second channel besides colour.
    bold = alt.ExprRef(expr=f"indexof({marked!r}, datum.value) >= 0 ? 'bold' : 'normal'")
    y = alt.Y("name:N", sort=data["name"].tolist(), title=None,
              axis=alt.Axis(labelFontWeight=bold))
    x = alt.X("t_per_capita:Q", axis=alt.Axis(title=t("chart.axis.t_per_capita", lang),
                                              format=",.1~f"))
    bars = alt.Chart(data).mark_bar(size=22).encode(
        x=x, y=y,
        color=alt.condition("datum.highlight", alt.value("#0072B2"), alt.value("#b3b3b3")),
        tooltip=[_tt("name", "chart.tooltip.name", lang),
                 _tt("value_text", "chart.tooltip.per_capita", lang)])
    text = alt.Chart(data).mark_text(align="left", dx=4).encode(x=x, y=y, text="bar_text:N")
    first = data[data["highlight"]].head(1)
    desc = t("chart.desc.per_capita", lang,
             highlight=first["name"].iloc[0] if len(first) else "–",
             highlight_value=first["value_text"].iloc[0] if len(first) else "–", n=len(data))
    return _finish([bars, text], lang, "per_capita", desc, title)


def macc_chart(df: pd.DataFrame, lang: str = "sv", *, title: str | None = None) -> alt.LayerChart:
    """Marginal abatement cost curve: width = tonnes abated, height = cost per tonne.

    Parameters
    ----------
    df : DataFrame[lever_label, cost_sek_per_t, tonnes]
        ``cost_sek_per_t`` in SEK per t CO₂e (negative = the measure saves money);
        ``tonnes`` abated in t CO₂e per year. Rows with missing values or
        ``tonnes <= 0`` are left out (they have no width).
    lang : str, default "sv"
    title : str, optional

    Returns
    -------
    alt.LayerChart
        360 px high; bars sorted by cost and placed on cumulative tonnes (x to x2).
    """
    lang = normalize_lang(lang)
    data = _frame(df, ["lever_label", "cost_sek_per_t", "tonnes"], "macc_chart")
    data["cost_sek_per_t"] = pd.to_numeric(data["cost_sek_per_t"], errors="coerce")
    data = data.dropna(subset=["cost_sek_per_t", "tonnes"])
    data = data[data["tonnes"] > 0].sort_values("cost_sek_per_t", kind="stable")
    data = data.reset_index(drop=True)
    data["x1"] = data["tonnes"].cumsum()
    data["x0"] = data["x1"] - data["tonnes"]
    data["zero"] = 0.0
    data = _add_tonnes_text(data, lang)
    sek = t("unit.sek_per_t", lang)
    data["cost_text"] = [f"{fmt_number(c, 0, lang)}{NBSP}{sek}" for c in data["cost_sek_per_t"]]
    saving, cost = t("chart.macc.saving", lang), t("chart.macc.cost", lang)
    data["kind"] = [saving if c < 0 else cost for c in data["cost_sek_per_t"]]
    x = alt.X("x0:Q", axis=alt.Axis(title=t("chart.axis.cumulative_reduction", lang),
                                    format=_T_FMT))
    bars = alt.Chart(data).mark_rect(stroke="white", strokeWidth=1).encode(
        x=x, x2="x1:Q",
        y=alt.Y("cost_sek_per_t:Q", axis=alt.Axis(title=t("chart.axis.cost", lang), format=_T_FMT)),
        y2="zero:Q",
        color=alt.Color("kind:N", title=t("chart.legend.kind", lang),
                        scale=alt.Scale(domain=[saving, cost], range=["#009E73", "#E69F00"])),
        tooltip=[_tt("lever_label", "chart.tooltip.step", lang),
                 _tt("value_text", "chart.tooltip.reduction", lang),
                 _tt("cost_text", "chart.tooltip.cost", lang)])
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#333333").encode(
        y=alt.Y("zero:Q", axis=alt.Axis(title=t("chart.axis.cost", lang), format=_T_FMT)))
    desc = t("chart.desc.macc", lang, n=len(data),
             total=fmt_tonnes(data["tonnes"].sum(), lang, co2e=True),
             saving_total=fmt_tonnes(data.loc[data["cost_sek_per_t"] < 0, "tonnes"].sum(), lang,
                                     co2e=True))
    return _finish([bars, zero], lang, "macc", desc, title)
