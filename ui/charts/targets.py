"""A target's conditions as chart rows and marks: each condition on the quantity it limits.

A two-part target (Klimatneutral 2030, Netto noll 2045) limits *gross* emissions to a share
of a base year *and* *net* emissions to zero. A chart of net emissions must mark zero, not
the gross limit; a chart showing both (stacked sectors = gross, a net line) marks each
condition where it belongs. ``model.targets.TargetVerdict`` does not list its conditions,
so they are derived here from the verdict's id, ``allowed_t`` and ``path``
(:func:`target_conditions`); once the model exposes them this is the one place to switch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from model.target_defs import NEUTRALITY_TARGETS, PATH_TARGETS, SECTOR_TARGETS
from ui.charts.common import Rows, columns, data, finite, halo_text, tip, tonnes_text, y_t, year_x
from ui.charts.theme import TARGET_COLOR
from ui.text.i18n import t, target_label

#: Targets met when gross ≤ allowed_t *and* net ≤ 0 (model/targets.py ``_neutrality``).
TWO_PART_TARGETS = NEUTRALITY_TARGETS
__all__ = ["MEASURES", "TWO_PART_TARGETS", "Condition", "TargetKind", "target_conditions", "target_data",
           "target_frame", "target_layers"]
#: Measures a condition can limit: total gross, total net, one sector's gross (transport).
MEASURES = ("gross", "net", "transport")


@dataclass(frozen=True)
class Condition:
    """One limit of a target: ``measure`` ≤ ``limit_t`` (t CO₂e per year) in ``year``.

    ``path`` is the yearly limit for path targets ({year: t CO₂e}), else empty.
    """

    measure: str
    year: int
    limit_t: float
    path: tuple[tuple[int, float], ...] = ()


def target_conditions(verdict: Any) -> list[Condition]:
    """The conditions of a target verdict, each with the measure it limits.

    Parameters
    ----------
    verdict : model.targets.TargetVerdict
        Uses ``id``, ``year``, ``allowed_t`` (t CO₂e per year) and ``path``.

    Returns
    -------
    list of Condition
        Two-part targets: gross ≤ ``allowed_t`` and net ≤ 0 t in the target year. Path
        targets: gross along the path. The transport goal: Transporter ≤ ``allowed_t``.
        Empty when the verdict has no limit.
    """
    vid, year = str(verdict.id), int(verdict.year)
    if vid in PATH_TARGETS:
        path = tuple(sorted((int(y), float(v)) for y, v in (verdict.path or {}).items()))
        return [Condition("gross", path[-1][0], path[-1][1], path)] if path else []
    if verdict.allowed_t is None:
        return []
    if vid in TWO_PART_TARGETS:
        return [Condition("gross", year, float(verdict.allowed_t)), Condition("net", year, 0.0)]
    if vid in SECTOR_TARGETS:
        return [Condition("transport", year, float(verdict.allowed_t))]
    return [Condition("gross", year, float(verdict.allowed_t))]


def target_frame(verdict: Any, last_year: int, lang: str,
                 measures: Sequence[str] = ("gross", "net")) -> dict[str, list] | None:
    """Chart rows [year, tonnes, label, measure] of a verdict's conditions on the given measures.

    Parameters
    ----------
    verdict : model.targets.TargetVerdict
    last_year : int
        Last year the chart shows; later target years and path years are left out.
    lang : str
    measures : sequence of str, default ("gross", "net")
        The measures the chart shows: ("gross", "net") for the main chart (stacked
        sectors and the net line), ("net",) for a chart of net emissions only.

    Returns
    -------
    dict of lists, or None
        Columns for the chart builders' ``target`` argument, t CO₂e per year; None when no
        condition of the verdict is on a measure the chart shows within ``last_year``.
    """
    out: dict[str, list] = {"year": [], "tonnes": [], "label": [], "measure": []}
    for cond in target_conditions(verdict):
        measure = cond.measure
        if cond.path:  # a budget path is the whole target: drawn on every chart
            pts = [(y, v) for y, v in cond.path if y <= last_year]
            out["year"] += [y for y, _ in pts]
            out["tonnes"] += [v for _, v in pts]
            out["label"] += [target_label(verdict.id, lang)] * len(pts)
            out["measure"] += ["path"] * len(pts)
            continue
        if measure not in measures or cond.year > last_year:
            continue
        out["year"].append(cond.year)
        out["tonnes"].append(cond.limit_t)
        out["label"].append(t(f"chart.cond.{measure}", lang, year=cond.year))
        out["measure"].append(measure)
    return out if out["year"] else None


def other_conditions_text(verdict: Any, lang: str, shown: Sequence[str]) -> str:
    """A sentence naming the conditions a chart does not draw ("" if none), for its description."""
    from ui.charts.common import tonnes_text

    parts = [t(f"chart.cond.{c.measure}_limit", lang, year=c.year, value=tonnes_text(c.limit_t, lang))
             for c in target_conditions(verdict) if not c.path and c.measure not in shown]
    return " ".join(parts)


# ---------------------------------------------------------------- target path / point
#: How each measure's condition is drawn: a filled diamond on the net line, an open one for a
#: gross (or sector) limit, a dotted line for a path. "" is a caller's frame without measures.
_TARGET_ORDER = ("path", "gross", "transport", "net", "")
TargetKind = tuple[tuple[str, str], ...]
#: Text width limit (px) that keeps a right-aligned label inside the plot at any chart width.
FIT_PLOT = alt.ExprRef("max(width - 24, 40)")


def target_layers(kind: TargetKind | str | None, lang: str, domain: Sequence[float],
                  *, clip: bool = False) -> list[alt.Chart]:
    """The target's marks with a label each: dotted path, or a diamond per condition.

    ``kind`` is what :func:`target_data` returned: pairs (measure, "path" | "point"), in
    drawing order; [] for None. Reads the dataset ``target``; each measure's label is drawn
    at its row flagged ``last``. ``clip`` keeps marks outside a fixed y domain off the plot.
    """
    if not kind:
        return []
    if isinstance(kind, str):  # the former single-condition form
        kind = (("", kind),)
    x, y = year_x(lang, domain=domain), y_t(lang=lang)
    tips = [tip("label", "chart.series.target", lang), tip("year_text", "chart.tooltip.year", lang),
            tip("value_text", "chart.tooltip.emissions", lang)]
    layers: list[alt.Chart] = []
    for measure, shape in kind:
        # One condition needs no filter; several share the dataset, picked out by measure.
        where = f"datum.measure == {json.dumps(measure)}" if len(kind) > 1 else None
        base = alt.Chart(data("target"))
        if where:
            base = base.transform_filter(where)
        if shape == "path":
            mark = base.mark_line(color=TARGET_COLOR, strokeDash=[2, 3], strokeWidth=2.5, clip=clip)
        else:
            # Net ≤ 0 is a filled diamond (on the net line); a gross or sector limit an open one.
            filled = measure in ("net", "")
            mark = base.mark_point(shape="diamond", size=170, filled=filled, color=TARGET_COLOR,
                                   strokeWidth=2.5, opacity=1, clip=clip)
        layers.append(mark.encode(x=x, y=y, tooltip=tips))
        # Right-aligned at the target year and never wider than the plot: nothing is cut at 320 px.
        # In a narrow plot (a phone) the short form ("Netto 2030: 0 ton CO₂e"), so it fits.
        layers += halo_text(data("target"), {"x": x, "y": y}, align="right",
                            dx=-10, dy=-12, color=TARGET_COLOR, fontWeight="bold", limit=FIT_PLOT,
                            text=alt.ExprRef("width < 420 ? datum.short : datum.text"),
                            where=f"datum.last && {where}" if where else "datum.last", clip=clip)
    return layers


def _is_verdict(target: Any) -> bool:
    return hasattr(target, "allowed_t") and hasattr(target, "id")


def target_data(target: Any, lang: str, *, last_year: int | None = None,
                measures: Sequence[str] = ("gross", "net"),
                ) -> tuple[TargetKind | None, dict[str, Rows], str, list[int]]:
    """(kind, datasets, description suffix, years) of a target.

    ``target`` is a frame [year, tonnes, label?, measure?] or a
    :class:`model.targets.TargetVerdict`; a verdict is turned into one row per condition on
    one of ``measures`` up to ``last_year`` (:func:`target_frame`), and
    the conditions the chart does not draw are named in the description.
    """
    extra = ""
    if _is_verdict(target):
        verdict = target
        target = target_frame(verdict, last_year if last_year is not None else 9999, lang, measures)
        extra = other_conditions_text(verdict, lang, measures)
    cols = columns(target, ("year", "tonnes"), "target", optional=("label", "measure"))
    years = cols["year"]
    labels = cols.get("label", [None] * len(years))
    kinds = cols.get("measure", [""] * len(years))
    default = t("chart.series.target", lang)
    rows: Rows = []
    for year, value, label, measure in sorted(
            (r for r in zip(years, cols["tonnes"], labels, kinds, strict=True) if finite(r[1])),
            key=lambda r: (r[3] or "", r[0])):
        text = tonnes_text(value, lang)
        label = default if label is None or label != label else str(label)
        measure = "" if measure is None or measure != measure else str(measure)
        rows.append({"year": year, "tonnes": value, "label": label, "measure": measure,
                     "year_text": str(year), "value_text": text, "last": False,
                     "text": (t("chart.series.target_at", lang, year=year, value=text)
                              if label == default else f"{label}: {text}"),
                     "short": (t(f"chart.cond.{measure}_short", lang, year=year, value=text)
                               if measure in ("gross", "net", "transport")
                               else t("chart.series.target_at", lang, year=year, value=text))})
    if not rows:
        return None, {}, (" " + extra) if extra else "", years
    by_measure: dict[str, list[dict]] = {}
    for row in rows:
        by_measure.setdefault(row["measure"], []).append(row)
    kind: list[tuple[str, str]] = []
    texts = []
    for measure in sorted(by_measure, key=lambda m: _TARGET_ORDER.index(m) if m in _TARGET_ORDER else 9):
        group = by_measure[measure]
        group[-1]["last"] = True
        kind.append((measure, "path" if len(group) > 1 else "point"))
        texts.append(group[-1]["text"] if measure else t(
            "chart.series.target_at", lang, year=group[-1]["year"], value=group[-1]["value_text"]))
    suffix = " " + t("chart.desc.target_suffix", lang, target="; ".join(texts))
    if extra:
        suffix += " " + extra
    return tuple(kind), {"target": rows}, suffix, years
