"""Bar charts: actors, emissions per resident, MACC (the waterfall is in :mod:`ui.charts.waterfall`)."""

from __future__ import annotations

import functools
import json

import altair as alt
import pandas as pd

from ui.charts.common import T_FMT, ZERO, Rows, columns, data, finite, t_axis, tip, tonnes_text, zero_rule
from ui.charts.theme import SKELETON_CACHE_SIZE, Spec, assemble, skeleton
from ui.text.fmt import NBSP, fmt_number
from ui.text.i18n import actor_label, normalize_lang, t

# Nominal axes are ordered by the rows' "order" field, so the order is data, not structure.
_BY_ORDER = alt.EncodingSortField(field="order", op="min")


def _labelled_hbars(dataset: str, x: alt.X, y: alt.Y, size: int, text: str,
                    **encoding: object) -> list[alt.Chart]:
    """Horizontal bars of ``size`` px with their value written just right of each bar end."""
    bars = alt.Chart(data(dataset)).mark_bar(size=size).encode(x=x, y=y, **encoding)
    label = alt.Chart(data(dataset)).mark_text(align="left", dx=4).encode(x=x, y=y, text=text)
    return [bars, label]


@functools.lru_cache(maxsize=SKELETON_CACHE_SIZE)
def _actor_skeleton(lang: str, title: str | None) -> Spec:
    y = alt.Y("label:N", sort=_BY_ORDER, title=None)
    x = alt.X("tonnes:Q", axis=t_axis(lang, "chart.axis.reduction"))
    layers = _labelled_hbars("actors", x, y, 26, "value_text:N",
                             color=alt.condition("datum.tonnes >= 0", alt.value("#009E73"), alt.value("#D55E00")),
                             tooltip=[tip("label", "chart.tooltip.actor", lang),
                                      tip("value_text", "chart.tooltip.reduction", lang)])
    return skeleton(layers, lang, "actor", title)


def actor_chart(df: pd.DataFrame, lang: str = "sv", *, title: str | None = None) -> Spec:
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
    dict
        Vega-Lite spec, 220 px high, largest reduction on top, each bar labelled with its
        value; dataset ``actors``.
    """
    lang = normalize_lang(lang)
    cols = columns(df, ("actor", "tonnes"), "actor_chart")
    pairs = sorted(((a, v) for a, v in zip(cols["actor"], cols["tonnes"], strict=True) if finite(v)),
                   key=lambda r: -r[1])
    rows: Rows = [{"order": i, "actor": str(a), "label": actor_label(a, lang), "tonnes": v,
                   "value_text": tonnes_text(v, lang)} for i, (a, v) in enumerate(pairs)]
    desc = t("chart.desc.actor", lang,
             largest_label=rows[0]["label"] if rows else "–",
             largest_value=rows[0]["value_text"] if rows else "–",
             total=tonnes_text(sum(r["tonnes"] for r in rows) if rows else float("nan"), lang))
    return assemble(_actor_skeleton(lang, title), {"actors": rows}, desc)


@functools.lru_cache(maxsize=SKELETON_CACHE_SIZE)
def _per_capita_skeleton(lang: str, title: str | None, marked: tuple[str, ...]) -> Spec:
    # Bold axis labels repeat the highlight in a second channel besides colour.
    names = json.dumps(list(marked), ensure_ascii=False)
    bold = alt.ExprRef(expr=f"indexof({names}, datum.value) >= 0 ? 'bold' : 'normal'")
    y = alt.Y("name:N", sort=_BY_ORDER, title=None, axis=alt.Axis(labelFontWeight=bold))
    x = alt.X("t_per_capita:Q", axis=alt.Axis(title=t("chart.axis.t_per_capita", lang),
                                              format=",.1~f"))
    layers = _labelled_hbars("areas", x, y, 22, "bar_text:N",
                             color=alt.condition("datum.highlight", alt.value("#0072B2"), alt.value("#b3b3b3")),
                             tooltip=[tip("name", "chart.tooltip.name", lang),
                                      tip("value_text", "chart.tooltip.per_capita", lang)])
    return skeleton(layers, lang, "per_capita", title)


def per_capita_chart(df: pd.DataFrame, lang: str = "sv", *, title: str | None = None) -> Spec:
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
    dict
        Vega-Lite spec, 280 px high, sorted from highest to lowest, each bar labelled;
        dataset ``areas``.
    """
    lang = normalize_lang(lang)
    cols = columns(df, ("name", "t_per_capita", "highlight"), "per_capita_chart",
                   numeric=("t_per_capita",))
    triples = sorted(((str(n), v, False if h is None or pd.isna(h) else bool(h))
                      for n, v, h in zip(cols["name"], cols["t_per_capita"], cols["highlight"], strict=True)
                      if finite(v)), key=lambda r: -r[1])
    unit = t("unit.t_per_capita", lang)
    rows: Rows = []
    for i, (name, value, highlight) in enumerate(triples):
        text = fmt_number(value, 1, lang)
        rows.append({"order": i, "name": name, "t_per_capita": value, "highlight": highlight,
                     "value_text": f"{text}{NBSP}{unit}", "bar_text": text})
    first = next((r for r in rows if r["highlight"]), None)
    desc = t("chart.desc.per_capita", lang, highlight=first["name"] if first else "–",
             highlight_value=first["value_text"] if first else "–", n=len(rows))
    marked = tuple(r["name"] for r in rows if r["highlight"])
    return assemble(_per_capita_skeleton(lang, title, marked), {"areas": rows}, desc)


@functools.lru_cache(maxsize=SKELETON_CACHE_SIZE)
def _macc_skeleton(lang: str, title: str | None) -> Spec:
    saving, cost = t("chart.macc.saving", lang), t("chart.macc.cost", lang)
    cost_axis = alt.Axis(title=t("chart.axis.cost", lang), format=T_FMT)
    bars = alt.Chart(data("macc")).mark_rect(stroke="white", strokeWidth=1).encode(
        x=alt.X("x0:Q", axis=t_axis(lang, "chart.axis.cumulative_reduction")), x2="x1:Q",
        y=alt.Y("cost_sek_per_t:Q", axis=cost_axis), y2="zero:Q",
        color=alt.Color("kind:N", title=t("chart.legend.kind", lang),
                        scale=alt.Scale(domain=[saving, cost], range=["#009E73", "#E69F00"])),
        tooltip=[tip("lever_label", "chart.tooltip.step", lang),
                 tip("value_text", "chart.tooltip.reduction", lang),
                 tip("cost_text", "chart.tooltip.cost", lang)])
    return skeleton([bars, zero_rule(lang, "chart.axis.cost")], lang, "macc", title, static=ZERO)


def macc_chart(df: pd.DataFrame, lang: str = "sv", *, title: str | None = None) -> Spec:
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
    dict
        Vega-Lite spec, 360 px high; bars sorted by cost and placed on cumulative tonnes
        (x0 to x1); dataset ``macc``.
    """
    lang = normalize_lang(lang)
    cols = columns(df, ("lever_label", "cost_sek_per_t", "tonnes"), "macc_chart",
                   numeric=("cost_sek_per_t", "tonnes"))
    triples = sorted(((str(lbl), c, v) for lbl, c, v in
                      zip(cols["lever_label"], cols["cost_sek_per_t"], cols["tonnes"], strict=True)
                      if finite(c) and finite(v) and v > 0), key=lambda r: r[1])
    sek = t("unit.sek_per_t", lang)
    saving, cost = t("chart.macc.saving", lang), t("chart.macc.cost", lang)
    rows: Rows = []
    x1 = 0.0
    for label, c, v in triples:
        x0, x1 = x1, x1 + v
        rows.append({"lever_label": label, "cost_sek_per_t": c, "tonnes": v, "x0": x0, "x1": x1,
                     "zero": 0.0, "value_text": tonnes_text(v, lang),
                     "cost_text": f"{fmt_number(c, 0, lang)}{NBSP}{sek}",
                     "kind": saving if c < 0 else cost})
    desc = t("chart.desc.macc", lang, n=len(rows),
             total=tonnes_text(sum(r["tonnes"] for r in rows), lang),
             saving_total=tonnes_text(sum(r["tonnes"] for r in rows if r["cost_sek_per_t"] < 0),
                                      lang))
    return assemble(_macc_skeleton(lang, title), {"macc": rows}, desc)
