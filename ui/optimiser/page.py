"""The "Vad krävs?" page: the cheapest lever settings that reach the selected target.

Controls (locks, an optional cost cap) feed :func:`model.optimiser.optimise` for the
kommun, policy, horizon and target in the session. The last result is kept in
the session key ``opt_result`` (:func:`ui.state.remember`) as a plain dict (session state must be picklable),
with the inputs it was computed for in ``"opt_inputs"`` so a stale result is flagged.
"""
from __future__ import annotations

import contextlib
from dataclasses import asdict
from typing import Any

import pandas as pd
import streamlit as st

from model.kommuner import find_kommun
from model.measures import MeasureError, measure_to_dict
from model.optimiser import OptimiserResult, macc, optimise
from model.registry import GROUPS, Lever, load_registry, unit_label
from model.target_defs import target_def
from ui import state
from ui.compute import run_for
from ui.render import show_chart
from ui.scenario.measures_text import measure_source_text
from ui.text.fmt import fmt_number, fmt_tonnes
from ui.text.i18n import policy_label, sector_label, t, target_label

RESULT_KEY, INPUTS_KEY, MACC_KEY, SWITCH_KEY = "opt_result", "opt_inputs", "opt_macc", "_opt_switch"
#: The own measures offered as options (multiselect of measure ids).
OPTIONS_KEY = "opt_options"


def _unit(lv: Lever, lang: str) -> str:
    return unit_label(lv.unit, lang)


def _msek(sek: float, lang: str) -> str:
    return t("optimiser.msek_per_year", lang, value=fmt_number(sek / 1e6, 1, lang))


def _inputs() -> dict[str, Any]:
    """Everything a result depends on (compared on each rerun to flag a stale result)."""
    sc = state.current_scenario()
    return {"kommun": sc.kommun, "policy": sc.national_policy, "horizon": sc.horizon,
            "target": asdict(sc.target), "locked": locked_levers(), "cap": state.recall("opt_cap"),
            "measures": [measure_to_dict(m) for m in sc.measures], "options": list(options())}


def options() -> tuple[str, ...]:
    """Ids of the session's own measures the user lets the calculation take or leave (the rest are fixed)."""
    chosen = set(state.recall(OPTIONS_KEY) or [])
    return tuple(m.id for m in state.measures() if m.id in chosen)


def locked_levers() -> dict[str, float]:
    """Levers the user locked (multiselect or group toggles), at their current scenario values."""
    reg = load_registry()
    ids = set(state.recall("opt_lock_levers") or [])
    ids |= {lv.id for lv in reg.levers if state.recall(f"opt_lock_{lv.group}")}
    current = state.levers()
    return {lid: float(current[lid]) for lid in reg.lever_ids if lid in ids}


def run_optimiser() -> OptimiserResult:
    """Optimise the session's scenario under the chosen locks and cap; store plain dicts."""
    cap = state.recall("opt_cap")
    res = optimise(state.current_scenario(), locked=locked_levers(),
                   cost_cap_sek_per_year=None if cap is None else float(cap) * 1e6, options=options())
    state.remember(RESULT_KEY, res.to_dict())
    state.remember(MACC_KEY, [list(row) for row in macc(res)])
    state.remember(INPUTS_KEY, _inputs())
    return res


def _apply(raw: dict[str, Any]) -> None:
    """Button callback: the suggestion becomes the session's levers and own measures (an option left
    out is removed); the page then switches."""
    res = OptimiserResult.from_dict(raw)
    state.set_levers(dict(res.levers))
    with contextlib.suppress(MeasureError):  # the measures came from the session, so they fit its link
        state.set_measures(res.own_measures())
    state.remember(SWITCH_KEY, True)


def _controls(lang: str) -> None:
    reg = load_registry()
    st.header(t("optimiser.controls", lang))
    st.caption(t("optimiser.lock_intro", lang))
    cols = st.columns(4)
    for i, group in enumerate(GROUPS):
        cols[i % 4].toggle(t(f"optimiser.lock_group.{group}", lang), key=f"opt_lock_{group}")
    st.multiselect(t("optimiser.lock_levers", lang), list(reg.lever_ids), key="opt_lock_levers",
                   format_func=lambda lid: reg.lever(lid).label[lang], help=t("optimiser.lock_levers_help", lang),
                   placeholder=t("optimiser.lock_placeholder", lang))
    st.number_input(t("optimiser.cost_cap", lang), min_value=0.0, step=1.0, value=None, key="opt_cap",
                    format="%.1f", help=t("optimiser.cost_cap_help", lang))
    own = {m.id: m for m in state.measures()}
    if own:
        st.multiselect(t("optimiser.options", lang), list(own), key=OPTIONS_KEY,
                       format_func=lambda mid: own[mid].name(lang) if mid in own else mid,
                       help=t("optimiser.options_help", lang), placeholder=t("optimiser.options_placeholder", lang))


def _requirement(res: OptimiserResult, lang: str) -> str | None:
    verdict = run_scenario_target(res)
    if verdict is None or verdict.allowed_t is None:
        return None
    tdef = target_def(res.target.selected)
    kind = {"limit": "neutral" if tdef.net_zero else "gross", "sector": "transport"}.get(tdef.kind, "path")
    return t(f"optimiser.requirement_{kind}", lang, year=res.target_year,
             allowed=fmt_tonnes(verdict.allowed_t, lang, co2e=True))


def run_scenario_target(res: OptimiserResult) -> Any:
    """The selected target's verdict for the suggestion (the engine's own check)."""
    sc = res.scenario()
    return run_for(sc.kommun, sc.levers, sc.national_policy, sc.horizon, sc.target, sc.release,
                   tuple(sc.measures)).target(res.target.selected)


def _summary(res: OptimiserResult, lang: str) -> None:
    year, cost = res.target_year, _msek(res.total_cost_sek_per_year, lang)
    if "already_met" in res.messages:
        st.success(t("optimiser.already", lang), icon=":material/check_circle:")
    elif res.feasible:
        st.success(t("optimiser.feasible", lang, year=year, cost=cost), icon=":material/check_circle:")
    else:
        st.warning(t("optimiser.infeasible", lang, year=year, cost=cost,
                     gap=fmt_tonnes(res.gap_t, lang, co2e=True)), icon=":material/error:")
    for msg in res.messages:
        if msg not in ("feasible", "infeasible", "already_met"):
            st.caption(t(f"optimiser.msg.{msg}", lang, year=year))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("optimiser.metric_gap", lang, year=year), fmt_tonnes(res.gap_t, lang, co2e=True))
    c2.metric(t("optimiser.metric_start_gap", lang), fmt_tonnes(res.start_gap_t, lang, co2e=True))
    c3.metric(t("optimiser.metric_cost", lang, year=year), fmt_number(res.total_cost_sek_per_year / 1e6, 1, lang))


def _cost_source(lv: Lever, res: OptimiserResult, lang: str) -> str:
    if lv.id in res.cost_assumed:
        sek = f"{fmt_number(res.cost_sek_per_t.get(lv.id, 0.0), 0, lang)}\u00a0{t('unit.sek_per_t', lang)}"
        return t("optimiser.assumed_cost", lang, cost=sek)
    src = str(lv.cost_source)
    if src.lower().startswith("assumption"):  # "assumption" or "assumption (reason)"
        return (t("common.assumption", lang) + " " + src[len("assumption"):].strip()).strip()
    return src


def settings_table(res: OptimiserResult, lang: str) -> pd.DataFrame:
    """One row per lever: no new measures, current, suggested, unit, tonnes, cost (with sources)."""
    reg, current = load_registry(), state.levers()
    c = lambda key: t(f"optimiser.col.{key}", lang)  # noqa: E731
    rows = []
    for group in GROUPS:
        for lv in (x for x in reg.levers if x.group == group):
            d = lv.decimals
            label = lv.label[lang] + (f" ({t('optimiser.locked_mark', lang)})" if lv.id in res.locked else "")
            cost_t = res.cost_sek_per_t.get(lv.id)
            marker = f" · {t('common.assumption', lang).lower()}" if lv.id in res.cost_is_assumption else ""
            rows.append({
                c("lever"): label, c("nnm"): fmt_number(res.nnm[lv.id], d, lang),
                c("current"): fmt_number(current.get(lv.id), d, lang),
                c("suggested"): fmt_number(res.levers[lv.id], d, lang), c("unit"): _unit(lv, lang),
                c("abatement"): fmt_number(res.abatement_t.get(lv.id, 0.0), 0, lang),
                c("cost_per_t"): (fmt_number(cost_t, 0, lang) + marker) if cost_t is not None else "–",
                c("cost_year"): fmt_number(res.cost_sek_per_year.get(lv.id, 0.0) / 1e6, 2, lang),
                c("cost_source"): _cost_source(lv, res, lang)})
    rows += _measure_rows(res, lang)
    return pd.DataFrame(rows)


def _measure_rows(res: OptimiserResult, lang: str) -> list[dict[str, str]]:
    """One row per own measure of the scenario: fixed, or an option taken or left out."""
    c = lambda key: t(f"optimiser.col.{key}", lang)  # noqa: E731
    kept = {m.id: m for m in res.own_measures()}
    offered = {m.id: m for m in state.measures() if m.id in res.options}
    rows = []
    for mid, m in {**kept, **offered}.items():
        on = mid in kept
        status = ("fixed" if mid not in res.options else "taken" if on else "left")
        cost = m.cost_sek_per_t
        rows.append({
            c("lever"): t("optimiser.measure_row", lang, name=m.name(lang),
                          status=t(f"optimiser.option.{status}", lang)),
            c("nnm"): t("optimiser.option.off", lang), c("current"): t("optimiser.option.on", lang),
            c("suggested"): t("optimiser.option.on" if on else "optimiser.option.off", lang), c("unit"): "–",
            c("abatement"): fmt_number(res.measure_abatement_t.get(mid, 0.0) if on else 0.0, 0, lang),
            c("cost_per_t"): fmt_number(sum(cost) / 2, 0, lang) if cost else "–",
            c("cost_year"): fmt_number(res.measure_cost_sek_per_year.get(mid, 0.0) / 1e6 if on else 0.0, 2, lang),
            c("cost_source"): measure_source_text(m, lang, labelled=False)})
    return rows


def _residual(res: OptimiserResult, lang: str) -> None:
    st.header(t("optimiser.residual", lang, year=res.target_year))
    rows = sorted(res.residual_by_sector.items(), key=lambda kv: -kv[1])
    df = pd.DataFrame({t("optimiser.col.sector", lang): [sector_label(s, lang) for s, _ in rows],
                       t("optimiser.col.tonnes", lang): [fmt_tonnes(v, lang) for _, v in rows]})
    st.dataframe(df, hide_index=True, width="stretch")
    st.caption(t("optimiser.residual_caption", lang, year=res.target_year,
                 removals=fmt_tonnes(res.removals_t, lang, co2e=True)))


def _macc(res: OptimiserResult, lang: str) -> None:
    rows = state.recall(MACC_KEY) or []
    if not rows:
        return
    from ui.charts import macc_chart

    reg = load_registry()
    df = pd.DataFrame({"lever_label": [reg.lever(r[0]).label[lang] for r in rows],
                       "cost_sek_per_t": [float(r[1]) for r in rows], "tonnes": [float(r[2]) for r in rows]})
    table = pd.DataFrame({t("table.step", lang): df["lever_label"],
                          t("table.cost", lang): [fmt_number(v, 0, lang) for v in df["cost_sek_per_t"]],
                          t("table.reduction", lang): [fmt_number(v, 0, lang) for v in df["tonnes"]]})
    st.header(t("optimiser.macc", lang))
    show_chart(macc_chart(df, lang), table, lang, key="opt_macc_chart",
               caption=t("optimiser.macc_caption", lang, year=res.target_year))


def render_optimiser_page(lang: str) -> None:
    """Draw the page: explanation, limits, the Beräkna button and the last result."""
    state.switch_to_scenario_if(SWITCH_KEY, t("optimiser.applied", lang))
    sc = state.current_scenario()
    st.title(t("optimiser.title", lang))
    st.markdown(t("optimiser.intro", lang))
    st.caption(t("optimiser.context", lang, kommun=find_kommun(sc.kommun).name,
                 target=target_label(sc.target.selected, lang), policy=policy_label(sc.national_policy, lang),
                 horizon=sc.horizon))
    _controls(lang)
    if st.button(t("optimiser.run", lang), type="primary", key="opt_run", help=t("optimiser.run_help", lang),
                 icon=":material/calculate:"):
        with st.spinner(t("optimiser.running", lang)):
            run_optimiser()
    raw = state.recall(RESULT_KEY)
    if not raw:
        st.info(t("optimiser.no_result", lang))
        return
    res = OptimiserResult.from_dict(raw)
    stale = state.recall(INPUTS_KEY) != _inputs()
    if stale:
        st.warning(t("optimiser.stale", lang))
    _summary(res, lang)
    if req := _requirement(res, lang):
        st.caption(req)
    st.header(t("optimiser.settings", lang))
    st.dataframe(settings_table(res, lang), hide_index=True, width="stretch")
    st.caption(t("optimiser.settings_caption", lang, year=res.target_year))
    st.button(t("optimiser.apply", lang), key="opt_apply", on_click=_apply, args=(raw,),
              disabled=stale, help=t("optimiser.apply_help", lang), icon=":material/tune:")
    if not res.feasible:
        _residual(res, lang)
    _macc(res, lang)
