"""Bar charts: waterfall (baseline → scenario), actors, emissions per resident, MACC."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence

import altair as alt
import pandas as pd

from ui.charts.common import (T_FMT, ZERO, Rows, columns, data, finite, halo_text, kt_text,
                              t_axis, tip, tonnes_text, y_t, zero_rule)
from ui.charts.theme import HEIGHTS, SKELETON_CACHE_SIZE, TARGET_COLOR, Spec, assemble, skeleton
from ui.fmt import NBSP, fmt_number
from ui.i18n import actor_label, normalize_lang, t

WATERFALL_BAR = 14  # px: bar thickness in a row of HEIGHTS["waterfall_step"] px
_WF_COLORS = {"total": "#4d4d4d", "reduction": "#009E73", "increase": "#D55E00",
              "removal": "#56B4E9", "gap": "#E69F00"}
# Nominal axes are ordered by the rows' "order" field, so the order is data, not structure.
_BY_ORDER = alt.EncodingSortField(field="order", op="min")


def _unique(labels: Sequence[str]) -> list[str]:
    # The x axis is nominal, so two steps with the same label would merge into one bar.
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


@functools.lru_cache(maxsize=SKELETON_CACHE_SIZE)
def _waterfall_skeleton(lang: str, title: str | None, kinds: tuple[str, ...],
                        has_target: bool) -> Spec:
    # Horizontal, one row per step: 20 or more levers stay readable in half a page column
    # (upright bars needed slanted, overlapping names and values).
    y = alt.Y("label:N", sort=_BY_ORDER, title=None, axis=alt.Axis(labelLimit=200))
    x = alt.X("y1:Q", axis=t_axis(lang))
    bars = alt.Chart(data("steps")).mark_bar(size=WATERFALL_BAR).encode(
        y=y, x=x, x2="y0:Q",
        color=alt.Color("kind_label:N", title=t("chart.legend.kind", lang), scale=alt.Scale(
            domain=[t(f"chart.waterfall.{k}", lang) for k in kinds],
            range=[_WF_COLORS[k] for k in kinds]),
            # Below the plot: the step names already take the left third of a narrow column.
            legend=alt.Legend(orient="bottom", direction="horizontal", columns=2)),
        tooltip=[tip("label", "chart.tooltip.step", lang),
                 tip("value_text", "chart.tooltip.change", lang),
                 tip("level_text", "chart.tooltip.level", lang)])
    text = alt.Chart(data("steps")).mark_text(align="left", baseline="middle", dx=4, fontSize=11).encode(
        y=y, x=alt.X("top:Q"), text="bar_text:N")
    # Invisible points a little right of each bar end make room for its value label.
    room = alt.Chart(data("steps")).mark_point(opacity=0).encode(y=y, x=alt.X("room:Q"))
    zero = alt.Chart(data("zero")).mark_rule(color="#333333").encode(x=alt.X("zero:Q"))
    layers = [bars, text, room, zero]
    if has_target:
        layers += [alt.Chart(data("target")).mark_rule(color=TARGET_COLOR, strokeDash=[2, 3],
                                                       strokeWidth=2.5).encode(x=alt.X("y:Q")),
                   *halo_text(data("target"), {"x": alt.X("y:Q"), "text": "text:N"},
                              align="left", baseline="bottom", dx=4, y=-4,
                              color=TARGET_COLOR, fontWeight="bold")]
    spec = skeleton(layers, lang, "waterfall", title, static=ZERO)
    spec["height"] = {"step": HEIGHTS["waterfall_step"]}
    return spec


def waterfall_chart(start_label: str, start_t: float, steps: Sequence[tuple[str, float]],
                    end_label: str, end_t: float, target_t: float | None = None,
                    lang: str = "sv", *, removals: Sequence[tuple[str, float]] = (),
                    gross_label: str | None = None, title: str | None = None) -> Spec:
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
    dict
        Vega-Lite spec, horizontal: one row of ``HEIGHTS["waterfall_step"]`` px per step
        (steps top to bottom), values in kt at the bar ends; datasets ``steps`` and ``target``. If
        ``start_t + Σ steps + Σ removals`` differs from ``end_t`` by more than 1 t, an
        explicit "Övrigt (samspel och avrundning)" step closes the bridge so the bars
        never silently disagree with the totals.
    """
    lang = normalize_lang(lang)
    start_t, end_t = float(start_t), float(end_t)
    rows: list[tuple[str, str, float, float]] = [(start_label, "total", 0.0, start_t)]
    level = start_t

    def add(label: str, delta: float, kind: str | None = None) -> None:
        nonlocal level
        rows.append((label, kind or ("reduction" if delta < 0 else "increase"), level,
                     level + delta))
        level += delta

    for label, delta in steps:
        add(label, float(delta))
    if removals:
        rows.append((gross_label or t("chart.waterfall.gross", lang), "total", 0.0, level))
        for label, delta in removals:
            # Removals always lower the level, whichever sign convention the caller uses.
            add(label, -abs(float(delta)), "removal")
    if abs(end_t - level) > 1.0:
        add(t("chart.waterfall.other", lang), end_t - level)
    rows.append((end_label, "total", 0.0, end_t))
    if target_t is not None and end_t > float(target_t):
        rows.append((t("chart.waterfall.gap", lang), "gap", float(target_t), end_t))

    kind_labels = {k: t(f"chart.waterfall.{k}", lang) for k in _WF_COLORS}
    room = max([abs(v) for r in rows for v in r[2:]] + [1.0])  # x range, for the label room
    steps_rows: Rows = []
    for i, (label, (_, kind, y0, y1)) in enumerate(zip(_unique([r[0] for r in rows]), rows)):
        delta, is_step = y1 - y0, kind in ("reduction", "increase", "removal")
        steps_rows.append({
            "order": i, "label": label, "kind": kind, "kind_label": kind_labels[kind],
            "y0": y0, "y1": y1, "top": max(y0, y1), "room": max(y0, y1) + 0.28 * room,
            "value_text": tonnes_text(delta, lang, is_step),
            "level_text": tonnes_text(y1, lang), "bar_text": kt_text(delta, lang, is_step)})
    kinds = tuple(dict.fromkeys(r[1] for r in rows))
    cuts = [r for r in rows if r[1] in ("reduction", "removal")]
    largest = min(cuts, key=lambda r: r[3] - r[2]) if cuts else ("–", "", 0.0, float("nan"))
    desc = t("chart.desc.waterfall", lang, start_label=start_label,
             start_value=tonnes_text(start_t, lang), end_label=end_label,
             end_value=tonnes_text(end_t, lang), largest_label=largest[0],
             largest_value=tonnes_text(largest[3] - largest[2], lang, True))
    datasets = {"steps": steps_rows}
    if target_t is not None:
        target_t = float(target_t)
        gap = end_t - target_t
        target_text = tonnes_text(target_t, lang)
        datasets["target"] = [{"y": target_t,
                               "text": t("chart.series.target_value", lang, value=target_text)}]
        status = t("chart.desc.gap_open" if gap > 0 else "chart.desc.gap_closed", lang,
                   gap=tonnes_text(abs(gap), lang))
        desc += " " + t("chart.desc.waterfall_target", lang, target_value=target_text,
                        status=status)
    skel = _waterfall_skeleton(lang, title, kinds, target_t is not None)
    return assemble(skel, datasets, desc)


@functools.lru_cache(maxsize=SKELETON_CACHE_SIZE)
def _actor_skeleton(lang: str, title: str | None) -> Spec:
    y = alt.Y("label:N", sort=_BY_ORDER, title=None)
    x = alt.X("tonnes:Q", axis=t_axis(lang, "chart.axis.reduction"))
    bars = alt.Chart(data("actors")).mark_bar(size=26).encode(
        x=x, y=y,
        color=alt.condition("datum.tonnes >= 0", alt.value("#009E73"), alt.value("#D55E00")),
        tooltip=[tip("label", "chart.tooltip.actor", lang),
                 tip("value_text", "chart.tooltip.reduction", lang)])
    text = alt.Chart(data("actors")).mark_text(align="left", dx=4).encode(
        x=x, y=y, text="value_text:N")
    return skeleton([bars, text], lang, "actor", title)


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
    pairs = sorted(((a, v) for a, v in zip(cols["actor"], cols["tonnes"]) if finite(v)),
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
    bars = alt.Chart(data("areas")).mark_bar(size=22).encode(
        x=x, y=y,
        color=alt.condition("datum.highlight", alt.value("#0072B2"), alt.value("#b3b3b3")),
        tooltip=[tip("name", "chart.tooltip.name", lang),
                 tip("value_text", "chart.tooltip.per_capita", lang)])
    text = alt.Chart(data("areas")).mark_text(align="left", dx=4).encode(
        x=x, y=y, text="bar_text:N")
    return skeleton([bars, text], lang, "per_capita", title)


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
                      for n, v, h in zip(cols["name"], cols["t_per_capita"], cols["highlight"])
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
                      zip(cols["lever_label"], cols["cost_sek_per_t"], cols["tonnes"])
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
