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
from model.registry import Lever, load_registry
from model.run import ScenarioResult
from model.workshop_store import Submission, Workshop
from ui.compute import run_for
from ui.fmt import NBSP, fmt_number, fmt_tonnes
from ui.i18n import normalize_lang, t, target_label
from ui.narrative import PATH_TARGETS, TRANSPORT_TARGET, focus_year

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


def local_time(value: _dt.datetime | None, lang: str = "sv", *, date: bool = False) -> str:
    """A stored UTC time as Swedish local time, "14:05" (or "2026-11-29 14:05")."""
    if value is None:
        return "–"
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M" if date else "%H:%M:%S")


def kommun_name(code: str) -> str:
    """Display name of a kommun code (the code itself if unknown)."""
    try:
        return find_kommun(code).name
    except LookupError:
        return code


def unit(lv: Lever, lang: str) -> str:
    """A lever's unit in the language."""
    return lv.unit.replace("/år", "/yr") if normalize_lang(lang) == "en" else lv.unit


def lever_value(lv: Lever, value: float, lang: str) -> str:
    """"80 %" / "1 000 t/år"."""
    text = fmt_number(value, lv.decimals, lang)
    u = unit(lv, lang)
    return f"{text}%" if u == "%" and normalize_lang(lang) == "en" else f"{text}{NBSP}{u}"


def evaluate(ws: Workshop, levers: Mapping[str, float]) -> ScenarioResult:
    """Run the workshop's scenario with these levers (cached, shared: read-only).

    Levers missing from a stored submission (added to the registry later) take the
    workshop's values; levers no longer in the registry are ignored.
    """
    values = {lid: float(levers.get(lid, ws.base_levers[lid])) for lid in load_registry().lever_ids}
    return run_for(ws.kommun, values, ws.policy, ws.horizon, ws.target)


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


def _row(ws: Workshop, name: str, levers: Mapping[str, float], sub: Submission | None, n: int) -> GroupRow:
    res = evaluate(ws, levers)
    v = res.target(ws.target.selected)
    year = focus_year(res, v)
    i = int(np.flatnonzero(res.years == year)[0])
    met, gap = gap_of(res, ws.target.selected)
    return GroupRow(name, sub, dict(levers), res, met, gap, float(res.net[i]), year, n)


def group_rows(ws: Workshop, latest: Sequence[Submission], counts: Mapping[str, int] | None = None) -> list[GroupRow]:
    """Every group's latest pathway, best first (met, then smallest gap; not evaluable last)."""
    rows = [_row(ws, s.group_name, s.levers, s, int((counts or {}).get(s.group_key, 1))) for s in latest]
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


def group_pathway(ws: Workshop, latest: Sequence[Submission], lang: str) -> GroupRow | None:
    """The median pathway as a row (None without submissions)."""
    if not latest:
        return None
    return _row(ws, t("workshop.board.median_name", lang), median_levers(ws, latest), None, len(latest))


def lever_spread(ws: Workshop, latest: Sequence[Submission], lang: str) -> tuple[pd.DataFrame, list[str]]:
    """Per open lever: start, min, median, max, groups that moved it, agreement.

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
        agree = n >= 2 and float(vals.max() - vals.min()) <= AGREE_SHARE * (lv.max - lv.min) + 1e-9
        if agree and abs(medians[lid] - start) > 1e-9:
            agreed.append(lv.label[lang])  # agree to move it (not merely all left at the start)
        fmt = (lambda x: lever_value(lv, x, lang)) if n else (lambda x: "–")  # noqa: E731
        rows.append({
            t("workshop.spread.lever", lang): lv.label[lang],
            t("workshop.spread.start", lang): lever_value(lv, start, lang),
            t("workshop.spread.min", lang): fmt(vals.min() if n else 0),
            t("workshop.spread.median", lang): fmt(medians[lid]),
            t("workshop.spread.max", lang): fmt(vals.max() if n else 0),
            t("workshop.spread.moved", lang): t("workshop.spread.moved_value", lang, moved=moved, groups=n),
            t("workshop.spread.agree", lang): (t("workshop.spread.agree_yes", lang) if agree else
                                               t("workshop.spread.agree_no", lang) if n >= 2 else "–"),
        })
    return pd.DataFrame(rows), agreed


def gap_text(row: GroupRow, lang: str) -> str:
    """"Målet nås", "12 300 ton CO₂e" or "–" (not evaluable within the horizon)."""
    if row.met:
        return t("workshop.board.met", lang)
    return "–" if row.gap_t is None else fmt_tonnes(row.gap_t, lang, co2e=True)


def share_params(ws: Workshop, levers: Mapping[str, float], lang: str) -> dict[str, str]:
    """Share-link parameters that open these settings on the Scenario page."""
    return encode(LinkState(ws.kommun, normalize_lang(lang), ws.policy, ws.horizon, ws.target, dict(levers)))


def target_frame(ws: Workshop, result: ScenarioResult, lang: str) -> pd.DataFrame | None:
    """[year, tonnes, label] for the chart: the budget path, or the allowed level as one point."""
    v = result.target(ws.target.selected)
    if v.id in PATH_TARGETS:
        ys = [y for y in sorted(v.path) if y <= int(result.years[-1])]
        return pd.DataFrame({"year": ys, "tonnes": [v.path[y] for y in ys], "label": target_label(v.id, lang)})
    if v.allowed_t is None or v.year > int(result.years[-1]):
        return None
    key = "target_transport" if v.id == TRANSPORT_TARGET else "target_gross"
    return pd.DataFrame({"year": [v.year], "tonnes": [v.allowed_t],
                         "label": [t(f"workshop.board.{key}", lang, year=v.year)]})


def pathways_frame(rows: Iterable[GroupRow], median: GroupRow | None) -> pd.DataFrame:
    """[scenario, year, tonnes]: each group's net emissions, the group pathway first."""
    frames, taken = [], set()
    for row in ([median] if median else []) + list(rows):
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
