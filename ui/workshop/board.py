"""The workshop board for the projector: every group's pathway against the target, live.

The board is a fragment that reruns every :data:`BOARD_REFRESH_S` seconds and reads
the latest submission of each group from the database. It shows the pathways over
the target, the groups ranked by their gap to the target, the spread of every open
lever (where the groups agree) and the group pathway from the median settings. Each
pathway opens on the Scenario page (a link in the ranking, or the "open" button).
Anyone with the code may view the board; it changes nothing.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
from collections import Counter

import pandas as pd
import streamlit as st

from model.measures import MeasureError
from persistence.store import Workshop
from ui import charts, state
from ui.render import safe_text, show_chart
from ui.text.fmt import fmt_tonnes
from ui.text.i18n import t
from ui.workshop.common import (
    SCENARIO_PATH,
    app_url,
    apply_presentation_mode,
    join_panel,
    settings_line,
    status_text,
)
from ui.workshop.db import DatabaseUnavailable, db_call, get_store, report_unavailable
from ui.workshop.summary import (
    GroupRow,
    MedianPath,
    condition_lines,
    evaluate,
    gap_text,
    group_pathway,
    group_rows,
    lever_spread,
    local_time,
    pathways_frame,
    share_params,
)

BOARD_REFRESH_S = 5
_SWITCH = "_wsb_switch"
#: Beyond this many groups the workshop's start is left out of the chart (colours would repeat).
MAX_START_SERIES = 8


def open_on_scenario(ws: Workshop, levers: dict[str, float], measures: tuple[str, ...] = ()) -> None:
    """Callback: these settings and kept own measures become the session's scenario; the page then switches."""
    state.put("kommun", ws.kommun)
    state.remember("_kommun_prev", ws.kommun)
    sc = ws.scenario(levers, measure_ids=measures)
    state.apply_scenario(sc)
    # Exactly the group's measures, also none: the session's own measures are not the group's.
    with contextlib.suppress(MeasureError):  # a workshop's measures always fit a link (checked at creation)
        state.set_measures(sc.measures)
    state.remember(_SWITCH, True)


def switch_if_requested(lang: str) -> None:
    """Go to the Scenario page after :func:`open_on_scenario` (outside app.py: just confirm)."""
    state.switch_to_scenario_if(_SWITCH, t("workshop.board.opened", lang))


def _ranking(ws: Workshop, rows: list[GroupRow], median: MedianPath | None, lang: str,
             compact: bool = False) -> pd.DataFrame:
    year = rows[0].year if rows else ws.target.year
    out = []
    for rank, row in enumerate(rows, start=1):
        out.append({t("workshop.rank.place", lang): str(rank), t("workshop.rank.group", lang): row.name,
                    t("workshop.rank.net", lang, year=row.year): fmt_tonnes(row.net_t, lang, co2e=True),
                    t("workshop.rank.gap", lang): _gap_cell(ws, row, lang),
                    t("workshop.rank.count", lang): str(row.submissions),
                    t("workshop.rank.time", lang): local_time(row.submission.created_at if row.submission else None),
                    t("workshop.rank.open", lang): _link(ws, row.levers, lang, row.measures)})
    if median is not None:
        out.append({t("workshop.rank.place", lang): "–", t("workshop.rank.group", lang): median.name,
                    t("workshop.rank.net", lang, year=year): fmt_tonnes(median.net_t, lang, co2e=True),
                    t("workshop.rank.gap", lang): gap_text(median, lang),
                    t("workshop.rank.count", lang): "–", t("workshop.rank.time", lang): "–",
                    t("workshop.rank.open", lang): "–"})  # an outcome, not lever positions: nothing to open
    df = pd.DataFrame(out)
    if compact:  # the projector: place, group, net, gap (readable from the back of the room)
        df = df[[t("workshop.rank.place", lang), t("workshop.rank.group", lang),
                 t("workshop.rank.net", lang, year=year), t("workshop.rank.gap", lang)]]
    return df


def _gap_cell(ws: Workshop, row: GroupRow, lang: str) -> str:
    """The gap; for a two-part target (gross limit AND net zero) each condition, so it never reads as net alone."""
    lines = condition_lines(row.result, ws.target.selected, lang)
    return gap_text(row, lang) if lines is None or row.met else " · ".join(lines)


def _link(ws: Workshop, levers: dict[str, float], lang: str, measures: tuple[str, ...] = ()) -> str:
    """A markdown link to the Scenario page; the URL is ours (url-encoded), never user text."""
    url = app_url(SCENARIO_PATH, share_params(ws, levers, lang, measures))
    return f"[{t('workshop.rank.open_text', lang)}]({url})"


def escaped(df: pd.DataFrame, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every text cell made literal for st.table, which renders Markdown (group names are user text)."""
    out = df.copy()
    for col in out.columns:
        if col not in keep:
            out[col] = [safe_text(v) for v in out[col]]
    out.columns = [safe_text(c) for c in out.columns]
    return out


def _chart(ws: Workshop, rows: list[GroupRow], median: MedianPath | None, lang: str, present: bool) -> None:
    """Every group's net emissions, the groups' median and the workshop's start as a reference line.

    The target is handed over as the verdict, so the chart marks only the condition on net
    emissions (0 t for a two-part target) and names the gross limit; on the projector the
    builder's ``projector`` style (large type, y axis from the lines' values).
    """
    start = evaluate(ws, ws.base_levers)
    start_name = t("workshop.board.start_name", lang)
    start_row = GroupRow(start_name, None, dict(ws.base_levers), start, None, None, 0.0, ws.target.year,
                         measures=ws.measure_ids)
    shown = list(rows) + ([start_row] if len(rows) <= MAX_START_SERIES else [])
    df = pathways_frame(shown, median)
    reference = start_name if len(rows) <= MAX_START_SERIES else None
    spec = charts.comparison_chart(df, start.target(ws.target.selected), lang, projector=present,
                                   reference=reference)
    table = df.assign(tonnes=[fmt_tonnes(v, lang, co2e=True) for v in df["tonnes"]]).rename(columns={
        "scenario": t("workshop.rank.group", lang), "year": t("workshop.table.year", lang),
        "tonnes": t("workshop.table.net", lang)})
    show_chart(spec, table, lang, key="ws_board_chart", caption=t("workshop.board.chart_caption", lang))


def _open_controls(ws: Workshop, rows: list[GroupRow], lang: str) -> None:
    choices = {f"g{i}": r for i, r in enumerate(rows)}
    if not choices:
        return
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    pick = c1.selectbox(t("workshop.board.open_pick", lang), list(choices), key="wsb_pick",
                        format_func=lambda k: choices[k].name if k in choices else "–")
    if pick in choices:
        c2.button(t("workshop.board.open_button", lang), key="wsb_open", icon=":material/tune:",
                  on_click=open_on_scenario, args=(ws, dict(choices[pick].levers), choices[pick].measures),
                  help=t("workshop.board.open_help", lang), width="stretch")


def _body(code: str, lang: str, present: bool, show_join: bool, controls: bool, title: bool) -> None:
    try:
        store = get_store()
        ws = db_call(store.get_workshop, code)
        if ws is None:
            st.error(t("workshop.error.not_found", lang), icon=":material/search_off:")
            return
        latest = db_call(store.latest, ws.code)
        counts = Counter(s.group_key for s in db_call(store.history, ws.code))
    except DatabaseUnavailable as exc:
        report_unavailable(exc, lang, retry_key=None)  # the board retries by itself every few seconds
        return
    rows = group_rows(ws, latest, counts)
    median = group_pathway(ws, latest, lang)
    if title:
        st.title(safe_text(ws.name), anchor=False)
        st.caption(" · ".join([settings_line(ws, lang), status_text(ws, lang),
                               t("workshop.board.updated", lang, time=local_time(_now()))]))
    else:
        st.caption(t("workshop.board.updated", lang, time=local_time(_now())))
    if not ws.is_open:
        st.warning(t("workshop.board.closed", lang), icon=":material/lock:")
    if present:
        _projector_layout(ws, rows, median, counts, latest, lang, show_join)
        return
    main, side = st.columns([3, 1], gap="large") if show_join else (st.container(), None)
    with main:
        _metrics(rows, counts, lang)
        if not rows:
            st.info(t("workshop.board.empty", lang), icon=":material/qr_code_2:")
        _chart(ws, rows, median, lang, present)
    if side is not None:
        with side:
            join_panel(ws, lang, qr_width=220)
    _median(median, len(rows), lang)
    st.subheader(t("workshop.board.ranking_title", lang), anchor=False)
    if rows:
        link_col = t("workshop.rank.open", lang)
        st.table(escaped(_ranking(ws, rows, median, lang), keep=(link_col,)), hide_index=True,
                 border="horizontal")
        if controls:
            _open_controls(ws, rows, lang)
    else:
        st.caption(t("workshop.board.ranking_empty", lang))
    _spread(ws, latest, len(rows), lang)


def _projector_layout(ws: Workshop, rows: list[GroupRow], median: MedianPath | None, counts: Counter,
                      latest: list, lang: str, show_join: bool) -> None:
    """1920×1080 from the back of a room: chart and ranking side by side above the fold, the rest below."""
    left, right = st.columns([3, 2], gap="large")
    with left:
        if not rows:
            st.info(t("workshop.board.empty", lang), icon=":material/qr_code_2:")
        _chart(ws, rows, median, lang, present=True)
    with right:
        st.subheader(t("workshop.board.ranking_title", lang), anchor=False)
        if rows:
            st.table(escaped(_ranking(ws, rows, median, lang, compact=True)), hide_index=True, border="horizontal")
        else:
            st.caption(t("workshop.board.ranking_empty", lang))
        _metrics(rows, counts, lang)
    _median(median, len(rows), lang)
    if show_join:
        with st.columns([1, 2])[0]:
            join_panel(ws, lang, qr_width=260)
    _spread(ws, latest, len(rows), lang)


def _metrics(rows: list[GroupRow], counts: Counter, lang: str) -> None:
    m = st.columns(3)
    m[0].metric(t("workshop.board.groups", lang), str(len(rows)))
    m[1].metric(t("workshop.board.submissions", lang), str(sum(counts.values())))
    m[2].metric(t("workshop.board.reaching", lang), t("workshop.board.reaching_value", lang,
                n=sum(1 for r in rows if r.met), groups=len(rows)))


def _median(median: MedianPath | None, n: int, lang: str) -> None:
    if median is None:
        return
    st.subheader(t("workshop.board.median_title", lang), anchor=False)
    st.markdown(t("workshop.board.median_text", lang, n=n, gap=gap_text(median, lang),
                  net=fmt_tonnes(median.net_t, lang, co2e=True), year=median.year))
    st.caption(t("workshop.board.median_how", lang))


def _spread(ws: Workshop, latest: list, n: int, lang: str) -> None:
    st.subheader(t("workshop.board.spread_title", lang), anchor=False)
    spread, agreed = lever_spread(ws, latest, lang)
    if n >= 2:
        st.markdown(t("workshop.board.agreed", lang, levers=", ".join(agreed)) if agreed
                    else t("workshop.board.agreed_none", lang))
    st.table(escaped(spread), hide_index=True, border="horizontal")
    st.caption(t("workshop.spread.caption", lang))


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


@st.fragment(run_every=BOARD_REFRESH_S)
def _live(code: str, lang: str, present: bool, show_join: bool, controls: bool, title: bool) -> None:
    _body(code, lang, present, show_join, controls, title)
    if state.recall(_SWITCH):
        switch_if_requested(lang)


def render_board(code: str, lang: str, *, present: bool = False, show_join: bool = True,
                 controls: bool = True, title: bool = True) -> None:
    """The live board of workshop ``code`` (presentation mode: large type, no sidebar).

    ``title=False`` when the page already shows the workshop's name (the facilitator's view).
    """
    if present:
        apply_presentation_mode()
        controls = False
    switch_if_requested(lang)
    _live(code, lang, present, show_join, controls, title)
