"""Results of one scenario against the selected target: figures, summary, charts, context.

Rendering only (Streamlit): the frames, figures and tables come from :mod:`ui.scenario.results_frames`
(pure builders; ``long_run``, ``LONG_HORIZON`` and ``Metric`` are re-exported from there).
Every chart goes through :func:`ui.render.show_chart` with a table alternative and a source line.
"""
from __future__ import annotations

import html
from collections.abc import Callable

import streamlit as st

from model.context import unallocated_share
from model.data import EMISSIONS_SOURCE, POPULATION_SOURCE
from model.run import MODEL_VERSION, ScenarioResult
from model.targets import TargetVerdict
from model.verdicts import focus_year
from ui import charts
from ui.compute import memo
from ui.render import EAGER_TABLES, arrow_datasets, safe_text, show_chart
from ui.scenario.measures_text import measure_contributions
from ui.scenario.results_frames import (
    LONG_HORIZON,
    Metric,
    actor_frame,
    actor_table,
    context_frames,
    headline,
    long_run,
    waterfall_parts,
)
from ui.scenario.results_main import main_frames, main_table
from ui.scenario.verdict import verdict
from ui.text.fmt import fmt_pct, fmt_tonnes
from ui.text.i18n import normalize_lang, t, tn
from ui.text.narrative import summary_sentences

__all__ = ["LONG_HORIZON", "Metric", "long_run", "render_results"]


def _actors(result: ScenarioResult, year: int, lang: str) -> None:
    af = actor_frame(result, year)
    show_chart(charts.actor_chart(af, lang), actor_table(af, lang), lang, key=f"results_actor_{result.kommun.code}",
               caption=t("results.source.actor", lang, version=MODEL_VERSION, year=year))


def _context(result: ScenarioResult, lang: str) -> None:
    year, chart_frame, table = context_frames(result, lang)
    st.subheader(t("results.context_title", lang, year=year))
    show_chart(charts.per_capita_chart(chart_frame, lang), table, lang,
               key=f"results_context_{result.kommun.code}",
               caption=t("results.source.context", lang, smhi=EMISSIONS_SOURCE[lang],
                         scb=POPULATION_SOURCE[lang], unallocated=fmt_pct(unallocated_share(year), 1, lang)))


def render_results(result: ScenarioResult, lang: str, *, lazy: bool = True,
                   downloads: Callable[[], None] | None = None) -> None:
    """Render the results of ``result`` for its selected target (Streamlit).

    Parameters
    ----------
    result : ScenarioResult
        A deterministic run (read-only; it may be shared between sessions).
    lang : str
        "sv" or "en".
    lazy : bool
        Only compute the open tab (the page); False renders every section (tests, print).
    downloads : callable, optional
        Renders the download buttons in a last tab (built only when that tab is open).
    """
    lang = normalize_lang(lang)
    token = EAGER_TABLES.set(not lazy)
    try:
        _render(result, lang, lazy, downloads)
    finally:
        EAGER_TABLES.reset(token)


def _render(result: ScenarioResult, lang: str, lazy: bool, downloads: Callable[[], None] | None) -> None:
    v = result.target(result.scenario.target.selected)
    code = result.kommun.code
    _verdict_box(result, v, lang)
    # The chart comes right after the verdict, so a laptop shows both in the first screen; the
    # figures and the summary follow. Lazy tabs: only the open tab is computed and sent.
    names = [t("results.tab.overview", lang), t("results.tab.measures", lang), t("results.tab.context", lang)]
    if downloads is not None:
        names.append(t("results.tab.download", lang))
    tabs = st.tabs(names, key=f"results_tab_{code}", on_change="rerun")
    is_open = [tab.open is not False if i == 0 else bool(tab.open) or not lazy for i, tab in enumerate(tabs)]
    if is_open[0]:
        with tabs[0]:
            _main(result, v, lang, code)
            _figures(result, lang, code)
    if is_open[1]:
        with tabs[1]:
            wf = waterfall_parts(result, v, lang)
            st.subheader(t("results.waterfall_title", lang, year=wf["year"]))
            spec = charts.waterfall_chart(wf["start_label"], wf["start_t"], wf["steps"], wf["end_label"],
                                          wf["end_t"], wf["target_t"], lang, removals=wf["removals"])
            show_chart(spec, wf["table"], lang, key=f"results_waterfall_{code}",
                       caption=t("results.source.waterfall", lang, version=MODEL_VERSION, note=wf["note"]))
            st.subheader(t("results.actor_title", lang, year=wf["year"]))
            _actors(result, wf["year"], lang)
    if is_open[2]:
        with tabs[2]:
            _context(result, lang)
    if downloads is not None and is_open[3]:
        with tabs[3]:
            downloads()


def render_live_bar(result: ScenarioResult, lang: str) -> None:
    """A one-line result that stays in view on a phone while the user moves levers (CSS: ui/style.py).

    Hidden on wider screens, where the verdict box sits beside the levers.
    """
    v = result.target(result.scenario.target.selected)
    vd = memo(result, ("verdict", v.id, lang), lambda: verdict(result, v, lang))
    i = int(list(result.years).index(focus_year(result, v)))
    line = t("results.live_bar", lang, status=f"<strong>{html.escape(vd.title)}</strong>", year=int(result.years[i]),
             net=html.escape(fmt_tonnes(float(result.net[i]), lang, co2e=True)))
    with st.container(key="live_bar"):
        # st.html, not markdown: a plain paragraph that grows with its text inside the sticky box.
        st.html(f"<p class='kv-live' role='status'>{line}</p>")


def _verdict_box(result: ScenarioResult, v: TargetVerdict, lang: str) -> None:
    vd = memo(result, ("verdict", v.id, lang), lambda: verdict(result, v, lang))
    box = {"met": st.success, "missed": st.error}.get(vd.status, st.info)
    icon = {"met": ":material/check_circle:", "missed": ":material/cancel:"}.get(vd.status, ":material/info:")
    with st.container(key=f"verdict_{vd.status}_{result.kommun.code}"):
        box(vd.markdown(), icon=icon)


def _figures(result: ScenarioResult, lang: str, code: str) -> None:
    v = result.target(result.scenario.target.selected)
    figures = memo(result, ("headline", lang), lambda: headline(result, lang))
    # One wrapping flex row (ui/style.py, st-key-headline_*): two per row in the results column.
    with st.container(horizontal=True, key=f"headline_{code}", gap="small"):
        for kw in figures:
            st.metric(border=True, **kw)
    with st.container(border=True):
        st.markdown(memo(result, ("summary", v.id, lang), lambda: "**" + safe_text(t("results.summary_title", lang))
                         + "**\n\n" + safe_text(" ".join(summary_sentences(result, v.id, lang)
                                                          + own_measures_sentence(result, v, lang)))))


def own_measures_sentence(result: ScenarioResult, v: TargetVerdict, lang: str) -> list[str]:
    """One sentence on what the own measures cut in the focus year (t CO2e), or none."""
    year = focus_year(result, v)
    mc = measure_contributions(result, year)
    if not mc:
        return []
    total = sum(c for _, c in mc)
    return [tn("measures.results.summary", len(mc), lang, tonnes=fmt_tonnes(total, lang, co2e=True), year=year)]


def _main(result: ScenarioResult, v: TargetVerdict, lang: str, code: str) -> None:
    st.subheader(t("results.charts_title", lang))

    def build() -> dict:
        mf = main_frames(result, lang)
        return arrow_datasets(charts.main_chart(mf["history"], mf["scenario"], mf["baseline"], mf["net"],
                                                v, lang))

    spec = memo(result, ("main_chart", v.id, lang), build)
    show_chart(spec, lambda: main_table(result, lang), lang, key=f"results_main_{code}",
               caption=t("results.source.main", lang, smhi=EMISSIONS_SOURCE[lang], version=MODEL_VERSION))
