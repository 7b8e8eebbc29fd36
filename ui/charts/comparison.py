"""Net emissions of several scenarios or workshop groups as lines, with a projector mode."""

from __future__ import annotations

import functools
from typing import Any

import altair as alt
import pandas as pd

from ui.charts.common import (
    ZERO,
    Rows,
    columns,
    data,
    finite,
    halo_text,
    span,
    t_axis,
    tip,
    tonnes_text,
    y_t,
    year_domain,
    year_x,
    zero_rule,
)
from ui.charts.targets import target_data, target_layers
from ui.charts.theme import LINE_COLORS, SKELETON_CACHE_SIZE, Spec, assemble, skeleton
from ui.text.i18n import normalize_lang, t

#: Projector type sizes (px): read from the back of a room at 1920×1080 (issue 10 item 11).
PROJECTOR = {"label": 24, "title": 24, "legend": 26, "text": 24, "stroke": 4.5, "height": 560}
_REFERENCE_COLOR, _REFERENCE_DASH = "#000000", [10, 6]


def _projector_config(spec: Spec) -> None:
    """Large type in a freshly compiled (unshared) skeleton's config."""
    cfg = spec.setdefault("config", {})
    size = {"labelFontSize": PROJECTOR["label"], "titleFontSize": PROJECTOR["title"]}
    cfg["axis"] = {**cfg.get("axis", {}), **size, "titlePadding": 12, "labelPadding": 6}
    cfg["legend"] = {**cfg.get("legend", {}), "labelFontSize": PROJECTOR["legend"],
                     "titleFontSize": PROJECTOR["legend"], "symbolSize": 500,
                     "symbolStrokeWidth": PROJECTOR["stroke"], "labelLimit": 420, "rowPadding": 8}
    cfg["text"] = {**cfg.get("text", {}), "fontSize": PROJECTOR["text"]}
    cfg["title"] = {**cfg.get("title", {}), "fontSize": 30, "subtitleFontSize": PROJECTOR["text"]}
    spec["height"] = PROJECTOR["height"]


@functools.lru_cache(maxsize=SKELETON_CACHE_SIZE)
def _comparison_skeleton(lang: str, title: str | None, domain: tuple[float, ...],
                         names: tuple[str, ...], target_kind: Any, reference: str | None,
                         projector: bool) -> Spec:
    title_s = t("chart.legend.scenario", lang)
    # The reference line is black and dashed, so no group gets black.
    palette = [c for c in LINE_COLORS if c != _REFERENCE_COLOR] if reference else list(LINE_COLORS)
    colors = [palette[i % len(palette)] for i in range(len(names))]
    stroke = PROJECTOR["stroke"] if projector else 2.5
    x = year_x(lang, domain=domain)
    # On the projector the y axis follows the lines (not forced from 0), so close group
    # pathways do not squeeze into the top of the plot; params y_lo/y_hi are set per call.
    y = (alt.Y("tonnes:Q", axis=t_axis(lang), scale=alt.Scale(
        zero=False, nice=False, domainMin=alt.ExprRef("y_lo"), domainMax=alt.ExprRef("y_hi")))
         if projector else y_t(lang=lang))
    point = alt.OverlayMarkDef(filled=True, size=120 if projector else 30)
    lines = alt.Chart(data("lines")).mark_line(strokeWidth=stroke, point=point, clip=True).encode(
        x=x, y=y,
        color=alt.Color("scenario:N", title=title_s, sort=list(names),
                        scale=alt.Scale(domain=list(names), range=colors),
                        legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=stroke,
                                          orient="bottom" if projector else "right",
                                          columns=3 if projector else alt.Undefined)),
        strokeDash=alt.StrokeDash("scenario:N", title=title_s, sort=list(names),
                                  scale=alt.Scale(domain=list(names))),
        tooltip=[tip("scenario", "chart.tooltip.scenario", lang),
                 tip("year_text", "chart.tooltip.year", lang),
                 tip("value_text", "chart.tooltip.emissions", lang)])
    layers = [] if projector else [zero_rule(lang)]
    layers.append(lines)
    if reference:
        ref = alt.Chart(data("reference")).mark_line(
            color=_REFERENCE_COLOR, strokeDash=_REFERENCE_DASH, strokeWidth=stroke, clip=True).encode(
            x=x, y=y, tooltip=[tip("scenario", "chart.tooltip.scenario", lang),
                               tip("year_text", "chart.tooltip.year", lang),
                               tip("value_text", "chart.tooltip.emissions", lang)])
        # A direct label at the line's end, above and left so it stays inside the plot.
        layers += [ref, *halo_text(data("reference"), {"x": x, "y": y, "text": "scenario:N"},
                                   where="datum.end", align="right", dx=-8, dy=-14,
                                   fontWeight="bold", color=_REFERENCE_COLOR)]
    layers += target_layers(target_kind, lang, domain, clip=projector)
    spec = skeleton(layers, lang, "comparison", title, static=None if projector else ZERO)
    if projector:
        _projector_config(spec)
    return spec


def comparison_chart(df: pd.DataFrame, target: Any = None, lang: str = "sv",
                     *, title: str | None = None, projector: bool = False,
                     reference: str | None = None) -> Spec:
    """Net emissions of several scenarios (or workshop groups) as overlaid lines.

    Parameters
    ----------
    df : DataFrame[scenario, year, tonnes]
        ``scenario`` is a display name; t CO₂e per year. Designed for up to 4 scenarios
        and usable for up to 10 groups (colours repeat after 10; dash patterns help).
    target : TargetVerdict or DataFrame[year, tonnes, label?, measure?], optional
        Preferably the verdict: only its condition on *net* emissions is drawn (0 t for a
        two-part target; its gross limit is named in the description). A frame is drawn
        as given (see :func:`main_chart`).
    lang : str, default "sv"
    title : str, optional
    projector : bool, default False
        Presentation mode: axis, legend and labels 24–26 px, lines 4.5 px, 560 px high,
        legend below, the y axis spanning the lines' values (not forced from 0); a target
        outside that span is named in the subtitle instead of squeezing the lines.
    reference : str, optional
        The ``scenario`` drawn as the reference (e.g. "Workshopens start"): a dashed black
        line with a direct label, left out of the group colours and the legend.

    Returns
    -------
    dict
        Vega-Lite spec, 360 px high (560 on the projector); colour and dash both encode the
        scenario (colour-blind safe). Datasets ``lines``, ``reference`` and ``target``.
    """
    lang = normalize_lang(lang)
    cols = columns(df, ("scenario", "year", "tonnes"), "comparison_chart")
    triples = [(str(s), y, v) for s, y, v in zip(cols["scenario"], cols["year"], cols["tonnes"], strict=True)
               if finite(v)]
    every = sorted(triples, key=lambda r: r[:2])
    reference = reference if reference and any(s == reference for s, _, _ in triples) else None
    names = tuple(dict.fromkeys(s for s, _, _ in triples if s != reference))
    rows: Rows = [{"scenario": s, "year": y, "tonnes": v, "value_text": tonnes_text(v, lang),
                   "year_text": str(y)} for s, y, v in every if s != reference]
    ref_rows: Rows = [{"scenario": s, "year": y, "tonnes": v, "value_text": tonnes_text(v, lang),
                       "year_text": str(y), "end": False} for s, y, v in every if s == reference]
    if ref_rows:
        ref_rows[-1]["end"] = True
    years = [y for _, y, _ in triples]
    target_kind, datasets, suffix, target_years = target_data(
        target, lang, last_year=max(years, default=None), measures=("net",))
    domain = year_domain(years, target_years)
    datasets["lines"] = rows
    if reference:
        datasets["reference"] = ref_rows
    if rows:
        last_year = max(r["year"] for r in rows)
        best = min((r for r in rows if r["year"] == last_year), key=lambda r: r["tonnes"])
        best_label, best_value = best["scenario"], best["value_text"]
    else:
        last_year, best_label, best_value = "–", "–", "–"
    desc = t("chart.desc.comparison", lang, n=len(names), first_year=span(domain)[0],
             last_year=last_year, best_label=best_label, best_value=best_value)
    skel = _comparison_skeleton(lang, title, domain, names, target_kind, reference, projector)
    spec = assemble(skel, datasets, desc + suffix)
    if projector:
        _projector_domain(spec, [v for _, _, v in triples], datasets.get("target", []), title)
    return spec


def _projector_domain(spec: Spec, values: list[float], target_rows: Rows, title: str | None) -> None:
    """Set the y span params from the lines; name targets outside it in the subtitle."""
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    pad = max((hi - lo) * 0.08, abs(hi) * 0.02, 1.0)
    lo, hi = lo - pad, hi + pad
    outside = [r for r in target_rows if r.get("last") and not lo <= r["tonnes"] <= hi]
    if outside:
        # Stretch to a target close below the lines; a far one (net 0 under 180 kt) is text.
        near = [r["tonnes"] for r in outside if lo - r["tonnes"] <= (hi - lo) * 0.5 and r["tonnes"] < lo]
        if near:
            lo = min(near) - pad
        outside = [r for r in outside if not lo <= r["tonnes"] <= hi]
    spec["params"] = [{"name": "y_lo", "value": lo}, {"name": "y_hi", "value": hi}]
    if outside:
        spec["title"] = {"text": title or " ", "subtitle": ["↓ " + r["text"] for r in outside],
                         "subtitleColor": "#1b6e3a", "subtitleFontWeight": "bold"}
