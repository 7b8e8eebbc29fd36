"""Content of the one-page scenario brief: every text, figure, table row and image as finished
values (:class:`Brief`), shared by the HTML (:mod:`ui.exports.html_brief`) and the PDF
(:mod:`ui.exports.pdf_brief`) so both show the same figures as the dashboard.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace

from model.data import EMISSIONS_SOURCE
from model.registry import ACTORS, load_registry
from model.run import MODEL_VERSION, ScenarioResult
from model.target_defs import PATH_TARGETS
from model.verdicts import year_reached
from ui.compute import run_cached
from ui.exports.common import (
    TOP_MEASURES,
    _focus_year,
    _index,
    _lever_value,
    _name,
    _nnm_values,
    _short_source,
    _target_description,
    _used_levers,
)
from ui.exports.images import chart_png, main_chart_spec, qr_png
from ui.scenario.measures_text import (
    measure_contributions,
    measure_effect_text,
    measure_source_text,
    measure_target_text,
    own_measures,
)
from ui.text.fmt import fmt_signed_pct, fmt_tonnes
from ui.text.i18n import actor_label, normalize_lang, policy_label, t, target_label
from ui.text.narrative import summary_sentences


@dataclass
class Figure:
    """One headline figure: label, value, small explanatory line."""

    label: str
    value: str
    sub: str = ""
    good: bool | None = None


@dataclass
class Brief:
    """Everything the brief shows, as finished strings (shared by the HTML and PDF)."""

    lang: str
    kind: str
    title: str
    subtitle: str
    date: str
    figures: list[Figure]
    summary: list[str]
    chart_title: str
    chart_png: bytes
    chart_description: str
    measures_title: str
    measures: list[tuple[str, str, str]]
    measures_none: str
    measure_headers: tuple[str, str, str]
    actors_title: str
    actors: list[tuple[str, str, float]]
    actors_total: tuple[str, str]
    actors_note: str
    assumptions_title: str
    assumptions: list[str]
    assumptions_more: dict[int, str] = field(default_factory=dict)
    link_title: str = ""
    link_help: str = ""
    share_url: str = ""
    qr_png: bytes | None = None
    source_line: str = ""
    notes: list[str] = field(default_factory=list)
    kommun: str = ""


def _year_reached(result: ScenarioResult, target_id: str) -> int | None:
    return year_reached(result, target_id)


def _summary(result: ScenarioResult, target_id: str, lang: str) -> list[str]:
    # The dashboard's own summary sentences, so the brief and the page always say the same.
    return [s for s in summary_sentences(result, target_id, lang) if s]


def _brief(result: ScenarioResult, lang: str, share_url: str, today: _dt.date | None,
           scenario_name: str | None, chart_scale: float = 2) -> Brief:
    lang = normalize_lang(lang)
    today = today or _dt.date.today()
    reg = load_registry()
    sc = result.scenario
    sel = sc.target.selected
    verdict = result.target(sel)
    year = _focus_year(result, verdict)
    i = _index(result, year)
    notes: list[str] = []

    # Target verdict and year reached: a 2030-horizon run cannot judge a 2045 target or say
    # when a missed target is met, so those come from the same scenario run to 2045.
    judged, reached = verdict, _year_reached(result, sel)
    long_run = None
    if sc.horizon < 2045 and (not verdict.evaluable or (reached is None and sel not in PATH_TARGETS)):
        long_run = run_cached(replace(sc, horizon=2045, kommun=result.kommun.code))  # the dashboard's cache
        if not verdict.evaluable:
            judged = long_run.target(sel)
            notes.append(t("exports.brief.target_note", lang, year=judged.year))
        if reached is None:
            reached = _year_reached(long_run, sel)
    last_year = int((long_run or result).years[-1])

    # Headline figures.
    net = float(result.net[i])
    base_year = int(sc.target.base_year)
    reference = float(result.history[base_year].sum())
    gross = float(result.gross[i])
    change = (gross - reference) / reference if reference else None
    net_text = fmt_tonnes(net, lang, co2e=True)
    figures = [
        Figure(t("exports.fig.net", lang, year=year), net_text,
               t("exports.fig.net_sub", lang, baseline=fmt_tonnes(result.baseline_gross[i], lang))),
        Figure(t("exports.fig.change", lang, base_year=base_year, year=year),
               fmt_signed_pct(change, 0, lang),
               t("exports.fig.change_sub", lang, value=fmt_tonnes(gross, lang),
                 reference=fmt_tonnes(reference, lang))),
    ]
    if sel in PATH_TARGETS:
        # A path target is a cumulative budget: show the overshoot and the totals, not a year.
        cum, cum_path = float(judged.cumulative_t or 0.0), float(judged.details["cumulative_path_t"])
        span = {"from_year": judged.details["from_year"], "to_year": judged.details["to_year"]}
        over = max(cum - cum_path, 0.0)
        figures.append(Figure(t("exports.fig.gap_path", lang, **span), fmt_tonnes(over, lang, co2e=True),
                              t("exports.fig.gap_met", lang) if judged.met
                              else t("exports.fig.gap_sub", lang, target=target_label(sel, lang)),
                              bool(judged.met)))
        figures.append(Figure(t("exports.fig.cumulative", lang, **span), fmt_tonnes(cum, lang, co2e=True),
                              t("exports.fig.cumulative_sub", lang, allowed=fmt_tonnes(cum_path, lang)),
                              bool(judged.met)))
    else:
        if judged.met:
            figures.append(Figure(t("exports.fig.gap", lang, year=judged.year),
                                  fmt_tonnes(0, lang, co2e=True), t("exports.fig.gap_met", lang), True))
        else:
            gross_gap = float(judged.details.get("gross_gap_t", 0.0) or 0.0)
            removal_gap = float(judged.details.get("removal_gap_t", 0.0) or 0.0)
            sub = (t("exports.fig.gap_split", lang, gross_gap=fmt_tonnes(gross_gap, lang),
                     removal_gap=fmt_tonnes(removal_gap, lang))
                   if gross_gap > 0 and removal_gap > 0
                   else t("exports.fig.gap_sub", lang, target=target_label(sel, lang)))
            figures.append(Figure(t("exports.fig.gap", lang, year=judged.year),
                                  fmt_tonnes(judged.gap_t, lang, co2e=True), sub, False))
        figures.append(Figure(t("exports.fig.year", lang),
                              str(reached) if reached is not None
                              else t("exports.fig.not_before", lang, year=last_year),
                              t("exports.fig.year_sub", lang) if reached is not None
                              else t("exports.fig.year_sub_none", lang, year=last_year),
                              reached is not None))

    summary = _summary(result, sel, lang)

    # Chart (lower than on screen so the page keeps room for the tables).
    spec = main_chart_spec(result, lang, height=230)
    png = chart_png(spec, scale=chart_scale)

    # Largest measures and actors in the focus year.
    contrib = sorted(((lid, float(result.attribution[lid][i])) for lid in reg.lever_ids),
                     key=lambda kv: -kv[1])
    # Levers and own measures ranked together: (name, value, reduction, actor).
    ranked = [(reg.lever(lid).label.get(lang, reg.lever(lid).label["sv"]),
               _lever_value(result.lever_values[lid], reg.lever(lid), lang), val, reg.lever(lid).actor)
              for lid, val in contrib]
    ranked += [(m.name(lang), measure_effect_text(m, lang), val, m.actor)
               for m, val in measure_contributions(result, year)]
    ranked.sort(key=lambda r: -r[2])
    measures = [(name, value, fmt_tonnes(val, lang)) for name, value, val, _ in ranked if val >= 0.5][:TOP_MEASURES]
    by_actor = {a: 0.0 for a in ACTORS}
    for _, _, val, actor in ranked:
        by_actor[actor] = by_actor.get(actor, 0.0) + val
    total = sum(by_actor.values())
    actors = [(actor_label(a, lang), fmt_tonnes(v, lang), (v / total) if total > 0 else 0.0)
              for a, v in by_actor.items()]

    # Key assumptions: target, national policy, baseline, each lever used.
    policy_src = reg.policy_source(sc.national_policy, lang)
    assumptions = [
        t("exports.brief.assumption_target", lang,
          description=f"{target_label(sel, lang)}. {_target_description(judged, result, lang)}"),
        t("exports.brief.assumption_policy", lang, policy=policy_label(sc.national_policy, lang),
          source=t("exports.brief.assumption_source", lang, source=policy_src)),
        t("exports.brief.assumption_baseline", lang, year=int(result.years[0])),
    ]
    nnm = _nnm_values(result)
    rank = {lid: k for k, (lid, _) in enumerate(contrib)}
    for lid in sorted(_used_levers(result), key=lambda lid: rank[lid]):  # largest first
        lv = reg.lever(lid)
        assumptions.append(t("exports.brief.assumption_lever", lang,
                             label=lv.label.get(lang, lv.label["sv"]),
                             value=_lever_value(result.lever_values[lid], lv, lang),
                             nnm=_lever_value(nnm[lid], lv, lang),
                             source=_short_source(lv.source, lang, limit=110)))
    for m in own_measures(result):
        assumptions.append(t("measures.export.brief_assumption", lang, name=m.name(lang),
                             effect=measure_effect_text(m, lang), target=measure_target_text(m, lang),
                             full=m.full, source=measure_source_text(m, lang)))
    n_fixed = 3
    more = {k: t("exports.brief.assumptions_more", lang, n=len(assumptions) - k)
            for k in range(n_fixed, len(assumptions))}

    emissions = EMISSIONS_SOURCE[lang]
    return Brief(
        lang=lang, kind=t("exports.brief.kind", lang),
        title=t("exports.brief.title", lang, kommun=result.kommun.name,
                scenario=_name(result, lang, scenario_name)),
        subtitle=t("exports.brief.subtitle", lang, target=target_label(sel, lang),
                   policy=policy_label(sc.national_policy, lang), horizon=sc.horizon),
        date=t("exports.brief.date", lang, date=today.isoformat()),
        figures=figures, summary=summary,
        chart_title=t("exports.brief.chart_title", lang), chart_png=png,
        chart_description=str(spec.get("description", "")),
        measures_title=t("exports.brief.measures", lang, year=year), measures=measures,
        measures_none=t("exports.brief.measures_none", lang),
        measure_headers=(t("exports.brief.measure_col", lang), t("exports.brief.measure_value", lang),
                         t("exports.brief.measure_reduction", lang)),
        actors_title=t("exports.brief.actors", lang, year=year), actors=actors,
        actors_total=(t("exports.brief.actors_total", lang), fmt_tonnes(total, lang)),
        actors_note=t("exports.brief.actors_note", lang),
        assumptions_title=t("exports.brief.assumptions", lang), assumptions=assumptions,
        assumptions_more=more,
        link_title=t("exports.brief.link", lang), link_help=t("exports.brief.link_help", lang),
        share_url=share_url, qr_png=qr_png(share_url) if share_url else None,
        source_line=t("exports.brief.source_line", lang, emissions=emissions, version=MODEL_VERSION),
        notes=notes, kommun=result.kommun.name,
    )

