"""A target's conditions as chart rows: each condition on the quantity it limits.

A two-part target (Klimatneutral 2030, Netto noll 2045) limits *gross* emissions to a share
of a base year *and* *net* emissions to zero. A chart of net emissions must mark zero, not
the gross limit; a chart showing both (stacked sectors = gross, a net line) marks each
condition where it belongs. ``model.targets.TargetVerdict`` does not list its conditions,
so they are derived here from the verdict's id, ``allowed_t`` and ``path``
(:func:`target_conditions`); once the model exposes them this is the one place to switch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from model.target_defs import NEUTRALITY_TARGETS, PATH_TARGETS, SECTOR_TARGETS
from ui.text.i18n import t, target_label

#: Targets met when gross ≤ allowed_t *and* net ≤ 0 (model/targets.py ``_neutrality``).
TWO_PART_TARGETS = NEUTRALITY_TARGETS
#: Targets given as a yearly path of gross emissions (a cumulative budget).
__all__ = ["MEASURES", "TWO_PART_TARGETS", "Condition", "target_conditions",
           "target_frame"]
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
