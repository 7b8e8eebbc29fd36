"""The waterfall: from "no new measures" to the scenario, one row per lever (t CO₂e per year)."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import altair as alt

from ui.charts.bars import _BY_ORDER
from ui.charts.common import ZERO, Rows, data, halo_text, t_axis, tip, tonnes_text
from ui.charts.theme import HEIGHTS, SKELETON_CACHE_SIZE, TARGET_COLOR, Spec, assemble, skeleton
from ui.text.i18n import normalize_lang, t

WATERFALL_BAR = 14  # px: bar thickness in a row of HEIGHTS["waterfall_step"] px
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
    # Invisible points right of each bar end make room for its value label ("−30 500 ton CO₂e").
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
        (steps top to bottom), values at the bar ends in ton CO₂e rounded as the headline
        figures (``ui.text.fmt.fmt_tonnes``); datasets ``steps`` and ``target``. If
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
    for i, (label, (_, kind, y0, y1)) in enumerate(zip(_unique([r[0] for r in rows]), rows, strict=True)):
        delta, is_step = y1 - y0, kind in ("reduction", "increase", "removal")
        steps_rows.append({
            "order": i, "label": label, "kind": kind, "kind_label": kind_labels[kind],
            "y0": y0, "y1": y1, "top": max(y0, y1), "room": max(y0, y1) + 0.45 * room,
            "value_text": tonnes_text(delta, lang, is_step),
            "level_text": tonnes_text(y1, lang), "bar_text": tonnes_text(delta, lang, is_step)})
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
