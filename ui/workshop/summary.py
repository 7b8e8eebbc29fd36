"""What the workshop board and exports show, computed from stored submissions (no Streamlit).

Each group's latest settings are run through the model with the workshop's kommun,
policy, horizon and target (:func:`ui.compute.run_for`, cached), ranked by the gap to
the target, summarised per lever (min, median, max, how many groups moved it, whether
they agree) and combined into a group pathway from the median settings.
"""
from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from model.codec import LinkState, encode
from model.kommuner import find_kommun
from model.registry import Lever, load_registry, unit_label
from model.run import ScenarioResult
from model.target_defs import PATH_TARGETS, SECTOR_TARGETS
from model.verdicts import focus_year
from persistence.store import Submission, Workshop
from ui.compute import run_for
from ui.text.fmt import NBSP, fmt_number, fmt_tonnes
from ui.text.i18n import normalize_lang, t, target_label

TZ = ZoneInfo("Europe/Stockholm")
#: Groups agree on a lever when their settings lie within this share of its range.
AGREE_SHARE = 0.2


@dataclass(frozen=True)
class GroupRow:
    """One group's latest pathway, evaluated."""

    name: str
    submission: Submission | None
    levers: dict[str, float]
    result: ScenarioResult
    met: bool | None
    gap_t: float | None
    net_t: float
    year: int
    submissions: int = 1
    #: Ids of the workshop's own measures this group kept.
    measures: tuple[str, ...] = ()


def local_time(value: _dt.datetime | None, lang: str = "sv", *, date: bool = False) -> str:
    """A stored UTC time as Swedish local time, "14:05" (or "2026-11-29 14:05")."""
    if value is None:
        return "–"
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M" if date else "%H:%M:%S")


def kommun_name(code: str) -> str:
    """Display name of a kommun code (the code itself if unknown)."""
    try:
        return find_kommun(code).name
    except LookupError:
        return code


def unit(lv: Lever, lang: str) -> str:
    """A lever's unit in the language."""
    return unit_label(lv.unit, normalize_lang(lang))


def lever_value(lv: Lever, value: float, lang: str) -> str:
    """"80 %" / "1 000 t/år"."""
    text = fmt_number(value, lv.decimals, lang)
    u = unit(lv, lang)
    return f"{text}%" if u == "%" and normalize_lang(lang) == "en" else f"{text}{NBSP}{u}"


def evaluate(ws: Workshop, levers: Mapping[str, float], measures: Iterable[str] | None = None) -> ScenarioResult:
    """Run the workshop's scenario with these levers and kept own measures (cached, shared: read-only).

    Levers missing from a stored submission (added to the registry later) take the
    workshop's values; levers no longer in the registry are ignored. ``measures`` are the ids of
    the workshop's own measures kept (None: all of them, as the workshop started).
    """
    values = {lid: float(levers.get(lid, ws.base_levers[lid])) for lid in load_registry().lever_ids}
    return run_for(ws.kommun, values, ws.policy, ws.horizon, ws.target, measures=ws.kept_measures(measures))


def gap_of(result: ScenarioResult, target_id: str) -> tuple[bool | None, float | None]:
    """(met, gap in t CO₂e) for the target; path targets use the cumulative overshoot."""
    v = result.target(target_id)
    if not v.evaluable:
        return None, None
    if v.met:
        return True, 0.0
    if target_id in PATH_TARGETS:
        return False, float(v.cumulative_t) - float(v.details["cumulative_path_t"])
    return False, None if v.gap_t is None else float(v.gap_t)


def _row(ws: Workshop, name: str, levers: Mapping[str, float], sub: Submission | None, n: int,
         measures: tuple[str, ...] = ()) -> GroupRow:
    res = evaluate(ws, levers, measures)
    v = res.target(ws.target.selected)
    year = focus_year(res, v)
    i = int(np.flatnonzero(res.years == year)[0])
    met, gap = gap_of(res, ws.target.selected)
    return GroupRow(name, sub, dict(levers), res, met, gap, float(res.net[i]), year, n, measures)


def group_rows(ws: Workshop, latest: Sequence[Submission], counts: Mapping[str, int] | None = None) -> list[GroupRow]:
    """Every group's latest pathway, best first (met, then smallest gap; not evaluable last)."""
    rows = [_row(ws, s.group_name, s.levers, s, int((counts or {}).get(s.group_key, 1)), s.measures)
            for s in latest]
    return sorted(rows, key=lambda r: (r.gap_t is None, r.gap_t if r.gap_t is not None else 0.0, r.net_t,
                                       r.name.casefold()))


def median_levers(ws: Workshop, latest: Sequence[Submission]) -> dict[str, float]:
    """The group pathway: each open lever at the groups' median, on the lever's step grid."""
    reg = load_registry()
    out = dict(ws.base_levers)
    if not latest:
        return out
    for lid in ws.open_levers:
        lv = reg.lever(lid)
        med = float(np.median([s.levers.get(lid, ws.base_levers[lid]) for s in latest]))
        snapped = lv.min + math.floor((med - lv.min) / lv.step + 0.5) * lv.step  # half up, on the grid
        out[lid] = round(min(lv.max, max(lv.min, snapped)), 6)
    return out


@dataclass(frozen=True)
class MedianPath:
    """The groups' median outcome: for each year the median of their net emissions (t CO₂e).

    Not a set of lever positions: a per-year median of outcomes always lies between the lowest
    and the highest group, so it can never contradict every group (the medians of the levers,
    run through the model, could: three groups that each cut emissions by different levers
    would give a "joint path" that cuts nothing).
    """

    name: str
    years: np.ndarray
    net: np.ndarray
    net_t: float
    year: int
    met: bool | None
    gap_t: float | None
    groups: int


def group_pathway(ws: Workshop, latest: Sequence[Submission], lang: str) -> MedianPath | None:
    """The median of the groups' pathways, year by year, and the median of their gaps (None without groups)."""
    if not latest:
        return None
    rows = [_row(ws, s.group_name, s.levers, s, 1, s.measures) for s in latest]
    years = rows[0].result.years.astype(int)
    net = np.median(np.vstack([r.result.net for r in rows]), axis=0)
    year = rows[0].year
    gaps = [0.0 if r.met else r.gap_t for r in rows if r.met is not None and (r.met or r.gap_t is not None)]
    gap = float(np.median(gaps)) if gaps else None
    i = int(np.flatnonzero(years == year)[0])
    return MedianPath(t("workshop.board.median_name", lang), years, net, float(net[i]), year,
                      None if gap is None else gap <= 1e-6, gap, len(rows))


def lever_spread(ws: Workshop, latest: Sequence[Submission], lang: str) -> tuple[pd.DataFrame, list[str]]:
    """Per open lever: start, min, median, max, groups that moved it, agreement; then per own
    measure of the workshop: on at the start, and how many groups dropped it.

    Groups agree on a lever when all their settings lie within :data:`AGREE_SHARE` of its
    range; the second return value lists the levers they agree to move from the start.
    """
    reg, lang = load_registry(), normalize_lang(lang)
    n = len(latest)
    medians = median_levers(ws, latest)
    rows, agreed = [], []
    for lid in ws.open_levers:
        lv = reg.lever(lid)
        start = ws.base_levers[lid]
        vals = np.array([s.levers.get(lid, start) for s in latest], dtype=float)
        moved = int(np.sum(np.abs(vals - start) > 1e-9)) if n else 0
        agree = n >= 2 and moved > 0 and float(vals.max() - vals.min()) <= AGREE_SHARE * (lv.max - lv.min) + 1e-9
        if agree and abs(medians[lid] - start) > 1e-9:
            agreed.append(lv.label[lang])  # agree to move it (not merely all left at the start)
        fmt = (lambda x, lv=lv: lever_value(lv, x, lang)) if n else (lambda x: "–")
        rows.append({
            t("workshop.spread.lever", lang): lv.label[lang],
            t("workshop.spread.start", lang): lever_value(lv, start, lang),
            t("workshop.spread.min", lang): fmt(vals.min() if n else 0),
            t("workshop.spread.median", lang): fmt(medians[lid]),
            t("workshop.spread.max", lang): fmt(vals.max() if n else 0),
            t("workshop.spread.moved", lang): t("workshop.spread.moved_value", lang, moved=moved, groups=n),
            t("workshop.spread.agree", lang): (t("workshop.spread.agree_yes", lang) if agree else
                                               "–" if n < 2 else
                                               t("workshop.spread.agree_untouched", lang) if not moved else
                                               t("workshop.spread.agree_no", lang)),
        })
    on, off = t("workshop.spread.measure_on", lang), t("workshop.spread.measure_off", lang)
    for m in ws.measures:  # an own measure is on at the start; a group may drop it
        kept = sum(1 for sub in latest if m.id in sub.measures)
        dropped = n - kept
        if n >= 2 and dropped == n:
            agreed.append(m.name(lang))
        rows.append({
            t("workshop.spread.lever", lang): t("workshop.spread.measure", lang, name=m.name(lang)),
            t("workshop.spread.start", lang): on,
            t("workshop.spread.min", lang): "–" if not n else off if dropped else on,
            t("workshop.spread.median", lang): "–" if not n else on if 2 * kept >= n else off,
            t("workshop.spread.max", lang): "–" if not n else on if kept else off,
            t("workshop.spread.moved", lang): t("workshop.spread.moved_value", lang, moved=dropped, groups=n),
            t("workshop.spread.agree", lang): ("–" if n < 2 else t("workshop.spread.agree_untouched", lang)
                                               if not dropped else t("workshop.spread.agree_yes", lang)
                                               if dropped == n else t("workshop.spread.agree_no", lang)),
        })
    return pd.DataFrame(rows), agreed


def gap_text(row: GroupRow | MedianPath, lang: str) -> str:
    """"Målet nås", "12 300 ton CO₂e" or "–" (not evaluable within the horizon)."""
    if row.met:
        return t("workshop.board.met", lang)
    return "–" if row.gap_t is None else fmt_tonnes(row.gap_t, lang, co2e=True)


def condition_lines(result: ScenarioResult, target_id: str, lang: str) -> list[str] | None:
    """Both conditions of a two-part target (gross at most a limit AND net at most zero), one line each.

    None for one-part targets. Each line says how far that condition is from being met in the
    target year, in t CO₂e, or that it is met.
    """
    v = result.target(target_id)
    if not v.details.get("net_zero") or v.allowed_t is None or not v.evaluable:
        return None
    years = result.years.tolist()
    if v.year not in years:
        return None
    i = years.index(v.year)
    gross, net, limit = float(result.gross[i]), float(result.net[i]), float(v.allowed_t)
    limit_text = fmt_tonnes(limit, lang, co2e=True)
    lines = [t("workshop.participant.gap_gross", lang, value=fmt_tonnes(gross - limit, lang, co2e=True),
               limit=limit_text) if gross > limit + 1e-6 else
             t("workshop.participant.gap_gross_ok", lang, limit=limit_text)]
    lines.append(t("workshop.participant.gap_net", lang, value=fmt_tonnes(net, lang, co2e=True))
                 if net > 1e-6 else t("workshop.participant.gap_net_ok", lang))
    return lines


def share_params(ws: Workshop, levers: Mapping[str, float], lang: str,
                 measures: Iterable[str] | None = None) -> dict[str, str]:
    """Share-link parameters that open these settings (and the kept own measures; None: all the
    workshop's) on the Scenario page."""
    return encode(LinkState(ws.kommun, normalize_lang(lang), ws.policy, ws.horizon, ws.target, dict(levers),
                            measures=ws.kept_measures(measures)))


def target_frame(ws: Workshop, result: ScenarioResult, lang: str) -> pd.DataFrame | None:
    """[year, tonnes, label] for the chart: the budget path, or the allowed level as one point."""
    v = result.target(ws.target.selected)
    if v.id in PATH_TARGETS:
        ys = [y for y in sorted(v.path) if y <= int(result.years[-1])]
        return pd.DataFrame({"year": ys, "tonnes": [v.path[y] for y in ys], "label": target_label(v.id, lang)})
    if v.allowed_t is None or v.year > int(result.years[-1]):
        return None
    key = "target_transport" if v.id in SECTOR_TARGETS else "target_gross"
    return pd.DataFrame({"year": [v.year], "tonnes": [v.allowed_t],
                         "label": [t(f"workshop.board.{key}", lang, year=v.year)]})


def pathways_frame(rows: Iterable[GroupRow], median: MedianPath | None) -> pd.DataFrame:
    """[scenario, year, tonnes]: each group's net emissions, the groups' median first."""
    frames, taken = [], set()
    if median is not None:
        frames.append(pd.DataFrame({"scenario": chart_label(median.name, taken), "year": median.years,
                                    "tonnes": median.net}))
    for row in rows:
        frames.append(pd.DataFrame({"scenario": chart_label(row.name, taken), "year": row.result.years.astype(int),
                                    "tonnes": row.result.net}))
    if not frames:
        return pd.DataFrame({"scenario": [], "year": [], "tonnes": []})
    return pd.concat(frames, ignore_index=True)


def chart_label(name: str, taken: set[str]) -> str:
    """A unique series label (two groups or a group and the median never merge)."""
    label, n = name, 2
    while label.casefold() in taken:
        label, n = f"{name} ({n})", n + 1
    taken.add(label.casefold())
    return label
