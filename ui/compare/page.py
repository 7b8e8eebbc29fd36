"""The "Jämför" page: up to four scenarios side by side for the sidebar's target and horizon.

The scenarios and the panel that adds them are in :mod:`ui.compare.sources` (its public names
are re-exported here). Levers an item leaves out sit at "no new measures" for the kommun
it runs for. Every scenario is judged against the sidebar's target and horizon.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from model.baseline import build_context
from model.data import EMISSIONS_SOURCE, SECTORS
from model.kommuner import find_kommun
from model.registry import load_registry, unit_label
from model.run import MODEL_VERSION, ScenarioResult
from model.target_defs import PATH_TARGETS, SECTOR_TARGETS
from model.verdicts import focus_year
from ui import charts, state
from ui.compare.sources import (
    ITEMS_KEY,
    LINK_N,
    MAX_ITEMS,
    MAX_LINK_CHARS,
    MAX_UPLOAD_MB,
    MSG_KEY,
    NOTICE_KEY,
    UPLOAD_N,
    Item,
    item_from_params,
    item_from_scenario,
    item_measures,
    parse_link,
    remove_item,
    sources_panel,
)
from ui.compute import run_for
from ui.render import safe_text, show_chart
from ui.scenario.presets import kommun_presets
from ui.scenario.results_frames import LONG_HORIZON, reached_year
from ui.text.fmt import MISSING, fmt_number, fmt_signed_pct
from ui.text.i18n import policy_label, sector_label, t, target_label

__all__ = ["ITEMS_KEY", "LINK_N", "MAX_ITEMS", "MAX_LINK_CHARS", "MAX_UPLOAD_MB", "MSG_KEY", "NOTICE_KEY",
           "UPLOAD_N", "Item", "item_from_params", "item_from_scenario", "parse_link", "render_compare_page",
           "run_item", "target_frame"]

DIFF_STYLE = "background-color: #fff3cd; font-weight: 600"

# ---------------------------------------------------------------- running
def run_item(item: Item) -> ScenarioResult:
    """Run an item for its own kommun (or the sidebar's) with the sidebar's target and horizon."""
    if item["source"] == "current":
        kommun, policy, levers = state.get("kommun"), state.get("policy"), state.levers()
        measures, release = state.measures(), state.release()
    else:
        kommun, policy, levers = item["kommun"] or state.get("kommun"), item["policy"], item["levers"]
        measures, release = item_measures(item), item.get("release")
        pid = item["uid"].removeprefix("preset:")
        if item["source"] == "preset" and item["kommun"] is None and pid in (kp := kommun_presets(kommun)):
            # The preset's rule evaluated for the kommun it now follows (its range, its levers).
            sc = kp[pid].scenario
            policy, levers, measures = sc.national_policy, dict(sc.levers), tuple(sc.measures)
    horizon = int(state.get("horizon"))
    ctx = build_context(kommun, policy, horizon, release=release)
    full = {lid: float(ctx.nnm[i]) for i, lid in enumerate(load_registry().lever_ids)}
    full.update(levers)
    return run_for(kommun, full, policy, horizon, state.target_spec(), release=release, measures=measures)


def _names(items: list[Item], lang: str) -> list[str]:
    # Names key the chart series and the table columns, so they must be unique.
    out: list[str] = []
    for it in items:
        name = it["name"].get(lang) or it["name"].get("sv") or "?"
        out.append(name if name not in out else f"{name} ({len(out) + 1})")
    return out


# ---------------------------------------------------------------- page parts
def _cards(items: list[Item], results: list[ScenarioResult], names: list[str], lang: str) -> None:
    for col, it, res, name in zip(st.columns(MAX_ITEMS), items, results, names, strict=False):
        with col.container(border=True):
            st.markdown(f"**{safe_text(name)}**")
            st.caption(t(f"compare.source.{it['source']}", lang))
            how = "follows" if not it["kommun"] else "own_file" if it["source"] == "file" else "own_link"
            st.markdown(safe_text(t(f"compare.kommun_{how}", lang, kommun=res.kommun.name)) + "  \n" +
                        safe_text(policy_label(res.scenario.national_policy, lang)))
            st.button(t("compare.remove", lang), key=f"cmp_rm_{it['uid']}", on_click=remove_item, args=(it["uid"],),
                      icon=":material/close:", width="stretch")


def target_frame(res: ScenarioResult, lang: str) -> pd.DataFrame | None:
    """[year, tonnes, label] of the selected target for a net-emissions chart, or None."""
    v = res.target(res.scenario.target.selected)
    if v.id in PATH_TARGETS:
        ys = [y for y in sorted(v.path) if y <= int(res.years[-1])]
        return pd.DataFrame({"year": ys, "tonnes": [v.path[y] for y in ys], "label": target_label(v.id, lang)})
    # The transport goal concerns one sector, not the net total the chart shows.
    if v.allowed_t is None or v.year > int(res.years[-1]) or v.id in SECTOR_TARGETS:
        return None
    return pd.DataFrame({"year": [v.year], "tonnes": [v.allowed_t], "label": [target_label(v.id, lang)]})


def _chart(results: list[ScenarioResult], names: list[str], lang: str) -> None:
    df = pd.concat([pd.DataFrame({"scenario": n, "year": r.years, "tonnes": r.net})
                    for n, r in zip(names, results, strict=False)], ignore_index=True)
    same_kommun = len({r.kommun.code for r in results}) == 1
    verdict = results[0].target(results[0].scenario.target.selected) if same_kommun else None
    spec = charts.comparison_chart(df, verdict, lang)
    table = lambda: pd.DataFrame({t("compare.col.year", lang): results[0].years.astype(str),  # noqa: E731
                                  **{t("compare.col.net_of", lang, name=n): [fmt_number(x, 0, lang) for x in r.net]
                                     for n, r in zip(names, results, strict=False)}})
    caption = t("compare.source.chart", lang, smhi=EMISSIONS_SOURCE[lang], version=MODEL_VERSION)
    if not same_kommun:
        caption += " " + t("compare.target_hidden", lang)
    elif results[0].scenario.target.selected in SECTOR_TARGETS:
        caption += " " + t("compare.target_transport", lang)
    st.header(t("compare.chart_title", lang))
    show_chart(spec, table, lang, key="cmp_chart", caption=caption)


def _verdict_cells(res: ScenarioResult, year: int, lang: str) -> list[str]:
    v = res.target(res.scenario.target.selected)
    i = res.years.tolist().index(year)
    base = res.scenario.target.base_year
    ref = float(res.history[base].sum())
    num = lambda x: fmt_number(x, 0, lang)  # noqa: E731
    if v.id in PATH_TARGETS:
        gap = num(max(float(v.cumulative_t) - float(v.details["cumulative_path_t"]), 0.0))
    else:
        gap = num(v.gap_t) if v.evaluable else t("compare.not_evaluable", lang)
    met = MISSING if v.met is None else t("compare.yes" if v.met else "compare.no", lang)
    reached = reached_year(res, v)[0]
    return [res.kommun.name, num(res.gross[i]), num(res.removals[i]), num(res.net[i]),
            fmt_signed_pct((res.gross[i] - ref) / ref if ref else None, 0, lang), gap, met,
            str(reached) if reached else t("compare.not_before", lang, year=LONG_HORIZON)]


def _verdicts(results: list[ScenarioResult], names: list[str], year: int, lang: str) -> None:
    res0 = results[0]
    v = res0.target(res0.scenario.target.selected)
    gap_key = "gap_path" if v.id in PATH_TARGETS else "gap"
    span = v.details if v.id in PATH_TARGETS else {}
    rows = [t(f"compare.row.{k}", lang, year=year, base_year=res0.scenario.target.base_year,
              from_year=span.get("from_year", ""), to_year=span.get("to_year", ""), horizon=LONG_HORIZON)
            for k in ("kommun", "gross", "removals", "net", "change", gap_key, "met", "year_met")]
    table = pd.DataFrame({t("compare.col.figure", lang): rows,
                          **{n: _verdict_cells(r, year, lang) for n, r in zip(names, results, strict=False)}})
    st.header(t("compare.verdict_title", lang, year=year, target=target_label(v.id, lang)))
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(t("compare.source.verdict", lang, smhi=EMISSIONS_SOURCE[lang], version=MODEL_VERSION))


def _sectors(results: list[ScenarioResult], names: list[str], year: int, lang: str) -> None:
    i = results[0].years.tolist().index(year)
    cols: dict[str, list[str]] = {t("compare.col.sector", lang): [sector_label(s, lang) for s in SECTORS]}
    for n, r in zip(names, results, strict=False):
        cols[t("compare.col.tonnes_of", lang, name=n)] = [fmt_number(x, 0, lang) for x in r.by_sector[:, i]]
    first = results[0].by_sector[:, i]
    for n, r in zip(names[1:], results[1:], strict=False):
        cols[t("compare.col.diff_of", lang, name=n, first=names[0])] = [
            fmt_number(x, 0, lang, signed=True) for x in r.by_sector[:, i] - first]
    st.header(t("compare.sector_title", lang, year=year))
    st.dataframe(pd.DataFrame(cols), hide_index=True, width="stretch")
    # Names are user text (links, files, workshop groups): escaped wherever markdown shows them.
    st.caption(t("compare.source.sector", lang, year=year, first=safe_text(names[0]), version=MODEL_VERSION))


def _levers(results: list[ScenarioResult], names: list[str], lang: str) -> None:
    reg = load_registry()
    rows = [[t("compare.col.policy_row", lang), ""] + [policy_label(r.scenario.national_policy, lang) for r in results]]
    for lv in reg.levers:
        unit = unit_label(lv.unit, lang)
        rows.append([lv.label[lang], unit] + [fmt_number(r.lever_values[lv.id], lv.decimals, lang) for r in results])
    table = pd.DataFrame(rows, columns=[t("compare.col.lever", lang), t("compare.col.unit", lang), *names])
    differs = table[names].nunique(axis=1) > 1
    st.header(t("compare.lever_title", lang))
    if st.toggle(t("compare.only_diff", lang), key="cmp_only_diff"):
        table = table[differs].reset_index(drop=True)
        differs = differs[differs].reset_index(drop=True)
    first = names[0]
    style = lambda row: ["" if c not in names or not differs[row.name] or (c == first and len(names) > 1)  # noqa: E731
                         or row[c] == row[first] else DIFF_STYLE for c in row.index]
    st.dataframe(table.style.apply(style, axis=1), hide_index=True, width="stretch")
    st.caption(t("compare.lever_caption", lang, n=int(differs.sum()), first=safe_text(first)))


def render_compare_page(lang: str, extra_sources: Sequence[Mapping[str, Any]]
                        | Callable[[], Sequence[Mapping[str, Any]]] | None = None) -> None:
    """Render the comparison page (Streamlit).

    Parameters
    ----------
    lang : str
        "sv" or "en".
    extra_sources : sequence of mappings, optional
        More scenarios to offer, e.g. workshop submissions: ``{"key": str (unique),
        "name": str or {"sv": …, "en": …}, "params": share-link query parameters}``.
        Parameters are decoded like a pasted link (notices shown; the link's kommun kept).
        A callable returning them is called inside the "add scenarios" panel (it may draw
        its own inputs there, such as the workshop code).
    """
    items: list[Item] = state.recall_or_set(ITEMS_KEY, [])
    st.title(t("compare.title", lang))
    st.markdown(t("compare.intro", lang, max=MAX_ITEMS))
    st.caption(t("compare.frame", lang, target=target_label(state.get("t_sel"), lang), horizon=state.get("horizon"),
                 kommun=find_kommun(state.get("kommun")).name))
    sources_panel(lang, extra_sources or ())
    items = state.recall(ITEMS_KEY)
    if not items:
        st.info(t("compare.empty", lang), icon=":material/compare_arrows:")
        return
    results = [run_item(it) for it in items]
    names = _names(items, lang)
    _cards(items, results, names, lang)
    st.button(t("compare.clear", lang), key="cmp_clear", on_click=remove_item, args=(None,), icon=":material/delete:")
    year = focus_year(results[0], results[0].target(results[0].scenario.target.selected))
    _chart(results, names, lang)
    _verdicts(results, names, year, lang)
    _sectors(results, names, year, lang)
    _levers(results, names, lang)
