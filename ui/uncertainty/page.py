"""The "Osäkerhet" page: Monte Carlo fan, probability of meeting the target, tornado.

The scenario is the session's (levers, kommun, policy, horizon, target from the sidebar).
Charts show net emissions, or gross emissions for the carbon-budget paths, which are
judged on gross emissions (removals do not count against a path).
Results are cached per (scenario key, samples, seed) in the UI's one cache (:mod:`ui.compute`),
so switching pages or languages does not recompute them. The model
work is in :mod:`model.sensitivity`; this module only words and draws it.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from model.codec import encode
from model.data import EMISSIONS_SOURCE
from model.kommuner import find_kommun
from model.measures import OwnMeasure
from model.registry import load_registry
from model.run import MODEL_VERSION, ScenarioResult, lever_vector
from model.scenario import Scenario
from model.sensitivity import (
    MEASURE_PREFIX,
    POPULATION,
    TREND_PREFIX,
    MCSummary,
    input_ranges,
    likelihood,
    mc_summary,
    tornado,
)
from model.target_defs import target_def
from ui import charts, state
from ui.compute import cached, run_cached, run_link
from ui.render import show_chart
from ui.text.fmt import fmt_number, fmt_pct, fmt_tonnes
from ui.text.i18n import policy_label, sector_label, t, target_label
from ui.uncertainty.tornado import tornado_chart

SAMPLE_CHOICES = (1_000, 10_000, 50_000)
DEFAULT_N, DEFAULT_SEED, MAX_SEED = 10_000, 2030, 999_999_999
N_KEY, SEED_KEY = "unc_n", "unc_seed"
TORNADO_ROWS = 15  # bars drawn; the table lists every input that moves the result


def scenario_params() -> dict[str, str]:
    """The session's scenario as canonical link parameters (the key of :mod:`ui.compute`'s cache)."""
    return encode(state.current_link())


def _summary(sc: Scenario, n: int, seed: int) -> MCSummary:
    """:func:`model.sensitivity.mc_summary` (cached through :func:`ui.compute.cached`)."""
    return mc_summary(sc, n=n, seed=seed)


def _tornado_rows(sc: Scenario, year: int, measure: str) -> list[tuple[str, float, float]]:
    """:func:`model.sensitivity.tornado` on net or gross emissions in ``year``, own measures included."""
    res = run_cached(sc)
    return tornado(res.context, lever_vector(res.context, res.lever_values), year, quantity=measure,
                   measures=tuple(sc.measures))


def cached_summary(params: dict[str, str], n: int, seed: int) -> MCSummary:
    """The Monte Carlo of the scenario of ``params`` (one cache, :mod:`ui.compute`)."""
    return cached(_summary, params, n, seed)


def cached_tornado(params: dict[str, str], year: int, measure: str = "net") -> list[tuple[str, float, float]]:
    """The tornado of the scenario of ``params`` (one cache, :mod:`ui.compute`)."""
    return cached(_tornado_rows, params, year, measure)


#: Page-local settings: canonical values in the session like the sidebar's (one mechanism,
#: ui/state/settings.py); the sample count's labels are formatted numbers ("10 000" / "10,000").
state.register(state.Setting(N_KEY, translated=True, options=lambda: SAMPLE_CHOICES))
state.register(state.Setting(SEED_KEY))


def _settings(lang: str) -> tuple[int, int]:
    for name, default in ((N_KEY, DEFAULT_N), (SEED_KEY, DEFAULT_SEED)):
        if not state.holds(name):  # a stored None (an emptied seed field) stays
            state.put(name, default)
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    c1.segmented_control(t("uncertainty.samples", lang), SAMPLE_CHOICES, required=True,
                         format_func=lambda n: fmt_number(n, 0, lang), help=t("uncertainty.samples_help", lang),
                         **state.bind(N_KEY, lang))
    c2.number_input(t("uncertainty.seed", lang), min_value=0, max_value=MAX_SEED, step=1,
                    help=t("uncertainty.seed_help", lang), **state.bind(SEED_KEY))
    n, seed = state.get(N_KEY), state.get(SEED_KEY)
    return int(n or DEFAULT_N), int(seed if seed is not None else DEFAULT_SEED)


def _pct(p: float, lang: str) -> str:
    # "0 %" or "100 %" would claim certainty that a finite sample cannot show.
    if 0 < p < 0.005:
        return t("uncertainty.below", lang, pct=fmt_pct(0.01, 0, lang))
    if 0.995 <= p < 1:
        return t("uncertainty.above", lang, pct=fmt_pct(0.99, 0, lang))
    return fmt_pct(p, 0, lang)


def _probability(summary: MCSummary, horizon: int, lang: str) -> None:
    target = target_label(summary.target_id, lang)
    year = summary.criterion_year
    if summary.probability is None:
        st.info(t("uncertainty.prob_none", lang, target=target, year=year, horizon=horizon), icon=":material/info:")
        return
    p = summary.probability
    term = t(f"uncertainty.likelihood.{likelihood(p)}", lang)
    d = target_def(summary.target_id)
    # The criterion as the model applies it (model.sensitivity): a gross limit has no net condition.
    kind = {"path": "path", "sector": "transport"}.get(d.kind, "neutral" if d.net_zero else "gross")
    share = {"max_share": fmt_pct(1 - float(d.cut_pct or 0) / 100, 0, lang), "base_year": d.base_year}
    with st.container(border=True):
        c1, c2 = st.columns([1, 2], vertical_alignment="center")
        c1.metric(t("uncertainty.prob_label", lang, year=year), _pct(p, lang), border=False)
        c2.markdown(t("uncertainty.prob_sentence", lang, target=target, year=year, term=term, pct=_pct(p, lang),
                      k=fmt_number(round(p * summary.n), 0, lang), n=fmt_number(summary.n, 0, lang)))
        c2.caption(t(f"uncertainty.criterion.{kind}", lang, year=year, **share) + " "
                   + t("uncertainty.scale_note", lang))


def _fan(summary: MCSummary, res: ScenarioResult, measure: str, lang: str) -> None:
    gross = measure == "gross"
    fan = summary.fan_gross if gross else summary.fan
    central = summary.deterministic_gross if gross else summary.deterministic
    cols = ("p05", "p25", "p50", "p75", "p95")
    df = pd.DataFrame({"year": summary.years, **{c: fan[i] for i, c in enumerate(cols)}})
    det = pd.DataFrame({"year": summary.years, "tonnes": central})
    spec = charts.fan_chart(df, det, res.target(res.scenario.target.selected), lang)
    num = lambda a: [fmt_number(x, 0, lang) for x in a]  # noqa: E731
    table = lambda: pd.DataFrame({  # noqa: E731 - built only when the reader opens it
        t("uncertainty.col.year", lang): summary.years.astype(str),
        **{t("uncertainty.col.percentile", lang, p=c[1:].lstrip("0")): num(df[c]) for c in cols},
        t("uncertainty.col.deterministic", lang): num(central)})
    what = t(f"uncertainty.measure.{measure}", lang)
    st.header(t("uncertainty.fan_title", lang, measure=what[:1].upper() + what[1:]))
    i = len(summary.years) - 1
    tn = lambda x: fmt_tonnes(x, lang, co2e=True)  # noqa: E731
    note = " " + t("uncertainty.gross_note", lang) if gross else ""
    st.markdown(t("uncertainty.spread", lang, year=int(summary.years[i]), p05=tn(fan[0, i]), p95=tn(fan[4, i]),
                  p50=tn(fan[2, i]), central=tn(central[i]), measure=what) + note)
    show_chart(spec, table, lang, key="unc_fan", caption=t(
        "uncertainty.source.fan", lang, smhi=EMISSIONS_SOURCE[lang], version=MODEL_VERSION,
        n=fmt_number(summary.n, 0, lang), seed=summary.seed))


def input_label(iid: str, lang: str, measures: Sequence[OwnMeasure] = ()) -> str:
    """Display name of an uncertain input id (lever id, population, ``trend:<sector>``, ``measure:<id>``)."""
    if iid.startswith(MEASURE_PREFIX):
        names = {m.id: m.name(lang) for m in measures}
        return t("uncertainty.input.measure", lang, measure=names.get(iid[len(MEASURE_PREFIX):], iid))
    if iid == POPULATION:
        return t("uncertainty.input.population", lang)
    if iid.startswith(TREND_PREFIX):
        return t("uncertainty.input.trend", lang, sector=sector_label(iid[len(TREND_PREFIX):], lang))
    return t("uncertainty.input.lever", lang, lever=load_registry().lever(iid).label[lang])


def _end_text(iid: str, value: float, lang: str) -> str:
    if iid == POPULATION or iid.startswith(TREND_PREFIX):
        return t("uncertainty.end.rate", lang, pct=fmt_pct(value, 1, lang, signed=True))
    return t("uncertainty.end.lever", lang, pct=fmt_pct(value, 0, lang))


def _tornado(res: ScenarioResult, year: int, measure: str, lang: str) -> None:
    rows = cached_tornado(scenario_params(), year, measure)
    own = tuple(res.scenario.measures)
    ranges = input_ranges(res.context, measures=own)
    i = res.years.tolist().index(year)
    moving = [r for r in rows if abs(r[2] - r[1]) >= 0.5]
    chart_rows = [(input_label(iid, lang, own), _end_text(iid, ranges[iid][0], lang),
                   _end_text(iid, ranges[iid][2], lang), lo, hi) for iid, lo, hi in moving]
    st.header(t("uncertainty.tornado_title", lang, year=year, measure=t(f"uncertainty.measure.{measure}", lang)))
    st.markdown(t("uncertainty.tornado_intro", lang, year=year))
    num = lambda x: fmt_number(x, 0, lang)  # noqa: E731
    table = lambda: pd.DataFrame([(label, lo_t, num(lo), hi_t, num(hi), num(abs(hi - lo)))  # noqa: E731
                                  for label, lo_t, hi_t, lo, hi in chart_rows],
                                 columns=[t(f"uncertainty.col.{c}", lang) for c in
                                          ("input", "low_end", "at_low", "high_end", "at_high", "swing")])
    caption = t("uncertainty.source.tornado", lang, version=MODEL_VERSION)
    if len(moving) > TORNADO_ROWS:
        caption += " " + t("uncertainty.tornado_top", lang, n=TORNADO_ROWS)
    if len(rows) > len(moving):
        caption += " " + t("uncertainty.tornado_zero", lang, n=len(rows) - len(moving))
    central = float((res.gross if measure == "gross" else res.net)[i])
    show_chart(tornado_chart(chart_rows[:TORNADO_ROWS], central, year, lang, measure), table, lang, key="unc_tornado",
               caption=caption)


def _method(res: ScenarioResult, summary: MCSummary, lang: str) -> None:
    reg = load_registry()
    ranges = input_ranges(res.context)
    with st.expander(t("uncertainty.method_title", lang)):
        g = ranges[POPULATION]
        st.markdown(t("uncertainty.method", lang, pop=fmt_pct(g[1], 1, lang), pop_lo=fmt_pct(g[0], 1, lang),
                      pop_hi=fmt_pct(g[2], 1, lang), trend=fmt_pct(reg.param("trend_uncertainty"), 0, lang)))
        rows = [(lv.label[lang], fmt_pct(lv.effectiveness[0], 0, lang), fmt_pct(lv.effectiveness[1], 0, lang),
                 fmt_pct(lv.effectiveness[2], 0, lang)) for lv in reg.levers]
        st.dataframe(pd.DataFrame(rows, columns=[t(f"uncertainty.col.{c}", lang) for c in
                                                 ("lever", "eff_low", "eff_mode", "eff_high")]),
                     hide_index=True, width="stretch")
        st.caption(t("uncertainty.source.ranges", lang))
        tm = summary.timings_ms
        st.caption(t("uncertainty.timing", lang, n=fmt_number(summary.n, 0, lang),
                     total=fmt_number(tm["total"], 0, lang), evaluate=fmt_number(tm["evaluate"], 0, lang)))


def render_uncertainty_page(lang: str) -> None:
    """Render the uncertainty page for the session's scenario (Streamlit).

    Parameters
    ----------
    lang : str
        "sv" or "en".
    """
    st.title(t("uncertainty.title", lang))
    st.markdown(t("uncertainty.intro", lang))
    st.caption(t("uncertainty.frame", lang, kommun=find_kommun(state.get("kommun")).name,
                 target=target_label(state.get("t_sel"), lang), policy=policy_label(state.get("policy"), lang),
                 horizon=state.get("horizon")))
    n, seed = _settings(lang)
    key = scenario_params()
    with st.spinner(t("uncertainty.running", lang, n=fmt_number(n, 0, lang)), show_time=True):
        summary = cached_summary(key, n, seed)
        res = run_link(dict(key))
    _probability(summary, int(state.get("horizon")), lang)
    # Carbon-budget paths and a gross limit judge gross emissions (removals do not count); the others net.
    d = target_def(summary.target_id)
    measure = "gross" if d.kind == "path" or (d.kind == "limit" and not d.net_zero) else "net"
    _fan(summary, res, measure, lang)
    year = summary.criterion_year if summary.criterion_year in res.years.tolist() else int(res.years[-1])
    _tornado(res, year, measure, lang)
    _method(res, summary, lang)
