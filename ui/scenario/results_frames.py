"""Frames and figures for the results of one scenario: pure builders, no Streamlit.

Everything here is built with numpy and pandas from the finished :class:`model.run.ScenarioResult`
and returned for :mod:`ui.scenario.results` to render; the only model run is the cached 2045 run that tells
when a target missed within a 2030 horizon is reached (:func:`long_run`).
"""
from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from model.context import comparison_table
from model.data import SECTORS
from model.registry import load_registry
from model.run import ScenarioResult
from model.target_defs import BUDGET_TARGETS, PATH_TARGETS, SECTOR_TARGETS
from model.targets import TargetVerdict, annual_rate_pct
from model.verdicts import focus_year, year_reached
from ui.compute import run_cached
from ui.scenario.measures_text import measure_contributions, measure_series, measure_source_text, own_measures
from ui.text.fmt import MISSING, fmt_number, fmt_pct, fmt_signed_pct, fmt_tonnes
from ui.text.i18n import ACTOR_IDS, actor_label, t
from ui.text.narrative import contributions, lever_short

LONG_HORIZON = 2045
Metric = dict[str, Any]


def long_run(result: ScenarioResult) -> ScenarioResult:
    """The same scenario with the 2045 horizon (cached; ``result`` itself if already 2045).

    Parameters
    ----------
    result : ScenarioResult

    Returns
    -------
    ScenarioResult
        Shared between sessions: treat as read-only.
    """
    if result.scenario.horizon >= LONG_HORIZON:
        return result
    # The one cache of runs (ui.compute), keyed like every other scenario: release and own measures
    # included (the former key here left them out and could answer for another scenario).
    return run_cached(replace(result.scenario, horizon=LONG_HORIZON, kommun=result.kommun.code))


def _idx(result: ScenarioResult, year: int) -> int:
    return int(np.flatnonzero(result.years == year)[0])


def _tn(x: float | None, lang: str, signed: bool = False) -> str:
    return fmt_tonnes(x, lang, co2e=True, signed=signed)


def _delta(delta: float, lang: str, description: str) -> Metric:
    # Streamlit infers direction from a leading "-", but ui.text.fmt writes U+2212 MINUS, so
    # arrow and colour are set explicitly; lower emissions are good (green, down).
    style = ({"delta_arrow": "off", "delta_color": "gray"} if abs(delta) < 0.5 else
             {"delta_arrow": "down", "delta_color": "green"} if delta < 0 else
             {"delta_arrow": "up", "delta_color": "red"})
    return {"delta": _tn(delta, lang, signed=True), "delta_description": description, **style}


def _change_metric(result: ScenarioResult, v: TargetVerdict, i: int, lang: str) -> Metric:
    if v.id in SECTOR_TARGETS:
        key, base = "change_transport", int(v.details["reference_year"])
        ref, val = float(v.details["reference_t"]), float(result.by_sector[SECTORS.index(v.details["sector"]), i])
    else:
        key, base = "change", int(v.details.get("base_year", result.scenario.target.base_year))
        ref, val = float(result.history[base].sum()), float(result.gross[i])
    year = int(result.years[i])
    return {"label": t(f"results.metric.{key}", lang, base_year=base, year=year),
            "value": fmt_signed_pct((val - ref) / ref if ref else None, 0, lang),
            "help": t(f"results.metric.{key}_help", lang, base_year=base, year=year,
                      reference=_tn(ref, lang), value=_tn(val, lang))}


def _gap_metric(result: ScenarioResult, v: TargetVerdict, lang: str) -> Metric:
    met = t("results.metric.met", lang)
    if v.id in PATH_TARGETS:
        # Budget targets are judged on cumulative emissions, so the gap is the overshoot.
        span = {"from_year": v.details["from_year"], "to_year": v.details["to_year"]}
        over = float(v.cumulative_t) - float(v.details["cumulative_path_t"])
        return {"label": t("results.metric.gap_path", lang, **span),
                "value": met if v.met else _tn(over, lang),
                "help": t("results.metric.gap_path_help", lang, annual=_tn(v.gap_t, lang), **span)}
    label = t("results.metric.gap", lang, year=v.year)
    if not v.evaluable:
        return {"label": label, "value": t("results.metric.not_evaluable", lang),
                "help": t("results.horizon_note", lang, year=v.year, horizon=int(result.years[-1]))}
    if v.id in SECTOR_TARGETS:
        help_ = t("results.metric.gap_transport_help", lang, year=v.year, allowed=_tn(v.allowed_t, lang),
                  share=fmt_pct(float(v.details["cut_pct"]) / 100, 0, lang), base_year=v.details["reference_year"])
    elif not v.details.get("net_zero", True):
        help_ = t("results.metric.gap_gross_help", lang, year=v.year, allowed=_tn(v.allowed_t, lang))
    else:
        help_ = t("results.metric.gap_help", lang, year=v.year, allowed=_tn(v.allowed_t, lang),
                  gross_gap=_tn(v.details["gross_gap_t"], lang),
                  removal_gap=_tn(v.details["removal_gap_t"], lang))
    return {"label": label, "value": met if v.met else _tn(v.gap_t, lang), "help": help_}


def reached_year(result: ScenarioResult, v: TargetVerdict) -> tuple[int | None, bool]:
    """The first year verdict ``v``'s target is met, and whether the 2045 run had to tell.

    A target met in its year but missed again later still counts from its first year; when the
    horizon is shorter than 2045 and the target is not reached within it, the 2045 run is asked.
    """
    reached = year_reached(result, v.id) or (v.year_met if v.met else None)
    if reached is None and int(result.years[-1]) < LONG_HORIZON:
        return year_reached(long_run(result), v.id), True
    return reached, False


def _year_metric(result: ScenarioResult, v: TargetVerdict, lang: str) -> Metric:
    horizon, path = int(result.years[-1]), v.id in PATH_TARGETS
    reached, extended = reached_year(result, v)
    if extended:
        help_ = t("results.metric.year_long_help", lang, horizon=horizon)
    else:
        help_ = t("results.metric.year_path_help" if path else "results.metric.year_help", lang, horizon=horizon)
    return {"label": t("results.metric.year_path" if path else "results.metric.year", lang),
            "value": str(reached) if reached else t("results.metric.not_before", lang,
                                                   year=LONG_HORIZON if extended else horizon),
            "help": help_}


def _rate_text(rate: float | None, lang: str) -> str:
    # One decimal everywhere ("13,0 %" beside "19,0 %"), so rates read alike across the page.
    return MISSING if rate is None else t("results.metric.rate_value", lang, pct=fmt_pct(rate / 100, 1, lang))


def _rate_metric(result: ScenarioResult, v: TargetVerdict, i: int, lang: str) -> Metric:
    """Required yearly rate (fixed by the target and the latest inventory) beside the scenario's own."""
    start_year, year = int(result.years[0]), int(result.years[i])
    series = result.by_sector[SECTORS.index(v.details["sector"])] if v.id in SECTOR_TARGETS else result.gross
    own = annual_rate_pct(float(series[0]), float(series[i]), year - start_year)
    need = v.required_rate_pct
    metric: Metric = {"label": t("results.metric.rate", lang), "value": _rate_text(need, lang),
                      "help": t("results.metric.rate_help", lang, start_year=start_year, year=v.year)}
    if own is not None:
        short = need is not None and own + 1e-9 < need
        metric.update({"delta": t("results.metric.rate_own", lang, rate=_rate_text(own, lang)),
                       "delta_description": "", "delta_arrow": "off",
                       "delta_color": "red" if short else "green"})
    return metric


def headline(result: ScenarioResult, lang: str) -> list[Metric]:
    """``st.metric`` arguments: net, change, gap, year reached, cumulative vs budget, rate."""
    v = result.target(result.scenario.target.selected)
    i = _idx(result, focus_year(result, v))
    year = int(result.years[i])
    net = {"label": t("results.metric.net", lang, year=year), "value": _tn(result.net[i], lang),
           "help": t("results.metric.net_help", lang),
           **_delta(float(result.net[i] - result.baseline_gross[i]), lang,
                    t("results.metric.delta_vs_baseline", lang))}
    pv = v if v.id in PATH_TARGETS else result.target(BUDGET_TARGETS[0])
    span = {"from_year": pv.details["from_year"], "to_year": pv.details["to_year"]}
    cum_path = float(pv.details["cumulative_path_t"])
    cumulative = {"label": t("results.metric.cumulative", lang, **span),
                  "value": _tn(pv.cumulative_t, lang),
                  "help": t("results.metric.cumulative_help", lang, path=t(f"results.path_name.{pv.id}", lang),
                            path_total=_tn(cum_path, lang), budget=_tn(pv.budget_t, lang), **span),
                  **_delta(float(pv.cumulative_t) - cum_path, lang, t("results.metric.delta_vs_path", lang))}
    required = _rate_metric(result, v, i, lang)
    return [net, _change_metric(result, v, i, lang), _gap_metric(result, v, lang),
            _year_metric(result, v, lang), cumulative, required]


def lever_source(lever_id: str, lang: str) -> str:
    lv = load_registry().lever(lever_id)
    if lv.is_assumption:
        # "assumption (…)" in the registry: translate the word, keep the reference.
        return t("results.table.assumption", lang) + lv.source.strip()[len("assumption"):]
    return lv.source


def waterfall_parts(result: ScenarioResult, v: TargetVerdict, lang: str) -> dict[str, Any]:
    """Arguments for :func:`ui.charts.waterfall_chart` and its table in the focus year.

    Neutrality: baseline → gross levers → gross → removals → net, target net zero (0 t).
    Budget paths: baseline → levers → gross (removals do not count), target the path's level.
    Transport goal: the Transporter sector only, target its allowed level.
    Gross limit: baseline → levers → gross, target the limit (removals do not count).
    """
    reg = load_registry()
    y = focus_year(result, v)
    i = _idx(result, y)
    kind = ("path" if v.id in PATH_TARGETS else "transport" if v.id in SECTOR_TARGETS
            else "neutral" if v.details.get("net_zero", True) else "gross")
    contrib = contributions(result, y, v.id if kind == "transport" else None)
    label = {lid: lever_short(lid, lang)[:1].upper() + lever_short(lid, lang)[1:] for lid, _ in contrib}
    steps = [(lid, -c) for lid, c in contrib if reg.lever(lid).kind != "removal"]
    # One bar per own measure, after the levers (keyed "om:<id>": a measure id may equal a lever id).
    mc = measure_contributions(result, y, kind == "transport")
    own = {f"om:{m.id}": m for m, _ in mc}
    label.update({f"om:{m.id}": m.name(lang) for m, _ in mc})
    steps += [(f"om:{m.id}", -c) for m, c in mc]
    # Removals only lower net emissions, which only the neutrality targets look at.
    rems = [(lid, -c) for lid, c in contrib if reg.lever(lid).kind == "removal" and kind == "neutral"]
    if kind == "transport":
        si = SECTORS.index(v.details["sector"])
        start, end = float(result.baseline_by_sector[si, i]), float(result.by_sector[si, i])
        keys, target = ("transport_baseline_label", "transport_label"), float(v.allowed_t)
        note = t("results.source.waterfall_transport", lang)
    elif kind == "path":
        start, end = float(result.baseline_gross[i]), float(result.gross[i])
        keys, target = ("baseline_label", "gross_label"), v.path.get(y)
        note = t("results.source.waterfall_path", lang)
    elif kind == "gross":  # a gross limit: removals play no part, the target is the limit itself
        start, end = float(result.baseline_gross[i]), float(result.gross[i])
        keys, target = ("baseline_label", "gross_label"), float(v.allowed_t) if v.evaluable else None
        note = t("results.source.waterfall_gross", lang, allowed=_tn(v.allowed_t, lang))
    else:
        start, end = float(result.baseline_gross[i]), float(result.net[i])
        keys, target = ("baseline_label", "net_label"), 0.0 if v.evaluable else None
        note = t("results.source.waterfall_neutral", lang, allowed=_tn(v.allowed_t, lang))
    start_l, end_l = (t(f"results.series.{k}", lang, year=y) for k in keys)
    level, rows = start, [(start_l, MISSING, fmt_number(start, 0, lang), "", "")]
    for lid, d in steps + rems:
        level += d
        if lid in own:
            actor, source = own[lid].actor, measure_source_text(own[lid], lang, labelled=False)
        else:
            actor, source = reg.lever(lid).actor, lever_source(lid, lang)
        rows.append((label[lid], fmt_number(d, 0, lang, signed=True), fmt_number(level, 0, lang),
                     actor_label(actor, lang), source))
    rows.append((end_l, MISSING, fmt_number(end, 0, lang), "", ""))
    cols = [t(f"results.table.{k}", lang) for k in ("step", "change", "level", "actor", "source")]
    return {"start_label": start_l, "start_t": start, "steps": [(label[lid], d) for lid, d in steps],
            "end_label": end_l, "end_t": end, "target_t": target,
            "removals": [(label[lid], d) for lid, d in rems], "note": note, "year": y,
            "table": pd.DataFrame(rows, columns=cols)}


def actor_frame(result: ScenarioResult, year: int) -> pd.DataFrame:
    """[actor, tonnes]: reduction vs the baseline in ``year`` by actor: levers (removals included)
    and own measures."""
    reg = load_registry()
    i = _idx(result, year)
    sums = dict.fromkeys(ACTOR_IDS, 0.0)
    for lid, series in result.attribution.items():
        sums[reg.lever(lid).actor] += float(series[i])
    series_m = measure_series(result)
    for m in own_measures(result):
        if m.id in series_m:
            sums[m.actor] = sums.get(m.actor, 0.0) + float(series_m[m.id][i])
    return pd.DataFrame({"actor": list(sums), "tonnes": list(sums.values())})


def actor_table(af: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table behind the actor chart: reduction and share by actor."""
    total = float(af["tonnes"].sum())
    share = [fmt_pct(x / total, 0, lang) if abs(total) >= 0.5 else MISSING for x in af["tonnes"]]
    return pd.DataFrame({t("results.table.actor", lang): [actor_label(a, lang) for a in af["actor"]],
                         t("results.table.reduction", lang): [fmt_number(x, 0, lang) for x in af["tonnes"]],
                         t("results.table.share", lang): share})


@functools.lru_cache(maxsize=64)
def _comparison(code: str, year: int) -> pd.DataFrame:
    # Statistics only (no scenario input), so one table per kommun and year suffices.
    return comparison_table(code, year=year)


def context_frames(result: ScenarioResult, lang: str) -> tuple[int, pd.DataFrame, pd.DataFrame]:
    """(year, chart frame [name, t_per_capita, highlight], table) of the per-capita context."""
    year = int(result.years[0])  # the last inventory year
    ct = _comparison(result.kommun.code, year).copy()  # copy: the cached frame is shared
    ct.loc[ct["kind"] == "national", "name"] = t("results.series.national", lang)
    table = pd.DataFrame({
        t("results.table.name", lang): ct["name"], t("results.table.code", lang): ct["code"],
        t("results.table.kind", lang): [t(f"results.table.kind_{k}", lang) for k in ct["kind"]],
        t("results.table.per_capita", lang): [fmt_number(x, 1, lang) for x in ct["t_per_capita"]]})
    return year, ct[["name", "t_per_capita", "highlight"]], table
