"""Workshop downloads: every submission (CSV for Swedish Excel, XLSX) and a summary brief (HTML).

Pure (no Streamlit): the facilitator view calls these from ``st.download_button(data=callable)``
after the store has checked the facilitator key. Every text from participants is data:
CSV cells are defused by :func:`ui.exports.to_excel_csv`, the workbook never turns text
into formulas, and the brief escapes everything it prints.
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
from collections.abc import Sequence
from typing import Any

import pandas as pd

from model.measures import OwnMeasure
from model.registry import load_registry
from model.run import MODEL_VERSION
from persistence.store import Submission, Workshop
from ui import charts
from ui.exports import chart_png, qr_png, to_excel_csv, to_xlsx
from ui.scenario.measures_text import measure_effect_text, measure_source_text, measure_target_text
from ui.text.fmt import fmt_tonnes
from ui.text.i18n import normalize_lang, policy_label, t, target_label
from ui.workshop.summary import (
    evaluate,
    gap_of,
    gap_text,
    group_pathway,
    group_rows,
    kommun_name,
    lever_spread,
    local_time,
    median_levers,
    pathways_frame,
    unit,
)


def latest_of(subs: Sequence[Submission]) -> list[Submission]:
    """The board's view of an export: the newest non-archived submission of each group."""
    newest: dict[str, Submission] = {}
    for s in subs:
        if not s.archived and (s.group_key not in newest or s.id > newest[s.group_key].id):
            newest[s.group_key] = s
    return [newest[k] for k in sorted(newest)]


def submissions_table(ws: Workshop, subs: Sequence[Submission], lang: str = "sv") -> pd.DataFrame:
    """One row per submission ever made: time, group, whether it counts, every lever, net and gap."""
    lang, reg = normalize_lang(lang), load_registry()
    latest_ids = {s.id for s in latest_of(subs)}
    yes, no = t("workshop.export.yes", lang), t("workshop.export.no", lang)
    rows = []
    for s in subs:
        res = evaluate(ws, s.levers, s.measures)
        met, gap = gap_of(res, ws.target.selected)
        v = res.target(ws.target.selected)
        year = int(v.year) if int(v.year) in res.years.tolist() else int(res.years[-1])
        row: dict[str, Any] = {
            t("workshop.export.col.id", lang): s.id,
            t("workshop.export.col.time", lang): local_time(s.created_at, date=True),
            t("workshop.export.col.group", lang): s.group_name,
            t("workshop.export.col.counts", lang): yes if s.id in latest_ids else no,
            t("workshop.export.col.archived", lang): yes if s.archived else no,
        }
        for lv in reg.levers:
            row[f"{lv.label[lang]} ({unit(lv, lang)})"] = float(s.levers.get(lv.id, ws.base_levers[lv.id]))
        for m in ws.measures:
            row[t("workshop.export.col.measure", lang, name=m.name(lang))] = yes if m.id in s.measures else no
        row[t("workshop.export.col.net", lang, year=year)] = round(float(res.net[res.years.tolist().index(year)]), 1)
        row[t("workshop.export.col.gap", lang)] = None if gap is None else round(gap, 1)
        row[t("workshop.export.col.met", lang)] = "–" if met is None else (yes if met else no)
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=[t("workshop.export.col.id", lang), t("workshop.export.col.group", lang)])
    return pd.DataFrame(rows)


def readme(ws: Workshop, n: int, lang: str, join: str, now: _dt.datetime | None = None) -> dict[str, str]:
    """Label -> text rows for the workbook's README sheet."""
    reg = load_registry()
    return {
        t("workshop.export.readme.workshop", lang): ws.name,
        t("workshop.export.readme.code", lang): ws.code,
        t("workshop.export.readme.kommun", lang): f"{kommun_name(ws.kommun)} ({ws.kommun})",
        t("workshop.export.readme.target", lang): target_label(ws.target.selected, lang),
        t("workshop.export.readme.policy", lang): policy_label(ws.policy, lang),
        t("workshop.export.readme.horizon", lang): str(ws.horizon),
        t("workshop.export.readme.open", lang): ", ".join(reg.lever(lid).label[lang] for lid in ws.open_levers),
        t("workshop.export.readme.measures", lang): "; ".join(_measure_line(m, lang) for m in ws.measures) or "–",
        t("workshop.export.readme.created", lang): local_time(ws.created_at, date=True),
        t("workshop.export.readme.exported", lang): local_time(now or _dt.datetime.now(_dt.UTC), date=True),
        t("workshop.export.readme.count", lang): str(n),
        t("workshop.export.readme.model", lang): MODEL_VERSION,
        t("workshop.export.readme.link", lang): join,
        t("workshop.export.readme.note", lang): t("workshop.export.readme.note_text", lang),
    }


def _measure_line(m: OwnMeasure, lang: str) -> str:
    """"Biogas på Åby: Transporter: personbilar, 2 000 t CO₂e/år fullt ut 2029 (Källa: …)"."""
    return t("workshop.export.readme.measure_line", lang, name=m.name(lang), target=measure_target_text(m, lang),
             effect=measure_effect_text(m, lang), full=m.full, source=measure_source_text(m, lang))


def export_csv(ws: Workshop, subs: Sequence[Submission], lang: str = "sv") -> bytes:
    """Every submission as a CSV file for Swedish Excel."""
    return to_excel_csv(submissions_table(ws, subs, lang), lang)


def _ranking_table(ws: Workshop, subs: Sequence[Submission], lang: str, *, text: bool = False) -> pd.DataFrame:
    """The latest pathways, best first, then the group pathway; ``text`` formats the tonnes."""
    latest = latest_of(subs)
    rows = group_rows(ws, latest)
    median = group_pathway(ws, latest, lang)
    out = []
    for place, r in [(str(i), r) for i, r in enumerate(rows, start=1)] + ([("–", median)] if median else []):
        net = fmt_tonnes(r.net_t, lang, co2e=True) if text else round(r.net_t, 1)
        out.append({t("workshop.rank.place", lang): place, t("workshop.rank.group", lang): r.name,
                    (t("workshop.rank.net", lang, year=r.year) if text else
                     t("workshop.export.col.net", lang, year=r.year)): net,
                    t("workshop.rank.gap", lang): gap_text(r, lang)})
    return pd.DataFrame(out)


def _ranking_numbers(ws: Workshop, latest: Sequence[Submission], lang: str) -> pd.DataFrame:
    """The ranking for the workbook: numbers as numbers, the unit in the header."""
    rows, median = group_rows(ws, latest), group_pathway(ws, latest, lang)
    yes, no = t("workshop.export.yes", lang), t("workshop.export.no", lang)
    out = []
    for place, r in [(i, r) for i, r in enumerate(rows, start=1)] + ([(None, median)] if median else []):
        out.append({t("workshop.export.col.place", lang): place, t("workshop.export.col.group", lang): r.name,
                    t("workshop.export.col.net", lang, year=r.year): round(r.net_t, 1),
                    t("workshop.export.col.gap", lang): None if r.gap_t is None else round(r.gap_t, 1),
                    t("workshop.export.col.met", lang): "–" if r.met is None else (yes if r.met else no)})
    return pd.DataFrame(out)


def _spread_numbers(ws: Workshop, latest: Sequence[Submission], lang: str) -> pd.DataFrame:
    """Per open lever: unit, start, lowest, median, highest and how many groups moved it (numbers)."""
    reg = load_registry()
    medians = median_levers(ws, latest)
    out = []
    for lid in ws.open_levers:
        lv, start = reg.lever(lid), float(ws.base_levers[lid])
        vals = [float(s.levers.get(lid, start)) for s in latest]
        out.append({t("workshop.export.col.lever", lang): lv.label[lang],
                    t("workshop.export.col.unit", lang): unit(lv, lang),
                    t("workshop.export.col.start", lang): start,
                    t("workshop.export.col.min", lang): min(vals) if vals else None,
                    t("workshop.export.col.median", lang): medians[lid] if vals else None,
                    t("workshop.export.col.max", lang): max(vals) if vals else None,
                    t("workshop.export.col.moved", lang): sum(1 for v in vals if abs(v - start) > 1e-9)})
    return pd.DataFrame(out)


def export_xlsx(ws: Workshop, subs: Sequence[Submission], lang: str = "sv", join: str = "",
                now: _dt.datetime | None = None) -> bytes:
    """Workbook: README, every submission, the ranking of the latest pathways and the lever spread.

    Every figure is a number cell (tonnes with a thousands format); units are in the headers.
    """
    lang = normalize_lang(lang)
    latest = latest_of(subs)
    sheets = {t("workshop.export.sheet.submissions", lang): submissions_table(ws, subs, lang),
              t("workshop.export.sheet.ranking", lang): _ranking_numbers(ws, latest, lang),
              t("workshop.export.sheet.levers", lang): _spread_numbers(ws, latest, lang)}
    return to_xlsx(sheets, readme(ws, len(subs), lang, join, now), t("workshop.export.sheet.readme", lang))


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """body{font-family:"Source Sans 3",Arial,"DejaVu Sans",sans-serif;color:#1a1a1a;max-width:190mm;
margin:8mm auto;font-size:10pt;line-height:1.3}h1{font-size:18pt;margin:0}h2{font-size:12pt;margin:5mm 0 1mm}
.sub{color:#444}table{border-collapse:collapse;width:100%;font-size:9pt}th,td{text-align:left;padding:1mm;
border-bottom:0.2mm solid #ddd;vertical-align:top}th{color:#555;font-size:8pt}img.chart{width:100%;height:auto}
.qr{float:right;width:28mm;margin-left:4mm}.note{color:#555;font-size:8pt}@page{size:A4;margin:10mm}"""


def brief_html(ws: Workshop, subs: Sequence[Submission], lang: str = "sv", join: str = "", *,
               now: _dt.datetime | None = None, with_chart: bool = True) -> str:
    """A self-contained HTML summary: settings, the pathways chart, the ranking, the lever spread."""
    lang = normalize_lang(lang)
    latest = latest_of(subs)
    rows, median = group_rows(ws, latest), group_pathway(ws, latest, lang)
    start = evaluate(ws, ws.base_levers)
    spread, agreed = lever_spread(ws, latest, lang)
    parts = [f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>",
             f"<title>{_e(ws.name)}</title><style>{_CSS}</style></head><body>"]
    if join:
        uri = "data:image/png;base64," + base64.b64encode(qr_png(join, scale=4)).decode("ascii")
        parts.append(f"<img class='qr' src='{uri}' alt='{_e(t('workshop.join.qr_alt', lang, code=ws.code))}'>")
    parts.append(f"<h1>{_e(ws.name)}</h1>")
    settings = t("workshop.settings_line", lang, kommun=kommun_name(ws.kommun),
                 target=target_label(ws.target.selected, lang), policy=policy_label(ws.policy, lang),
                 horizon=ws.horizon)
    when = local_time(now or _dt.datetime.now(_dt.UTC), date=True)
    meta = t("workshop.brief.meta", lang, code=ws.code, groups=len(rows), submissions=len(subs), time=when)
    parts.append(f"<p class='sub'>{_e(settings)}<br>{_e(meta)}</p>")
    if median is not None:
        parts.append(f"<h2>{_e(t('workshop.board.median_title', lang))}</h2><p>"
                     + _e(t("workshop.brief.median_text", lang, n=len(rows), gap=gap_text(median, lang),
                            net=fmt_tonnes(median.net_t, lang, co2e=True), year=median.year)) + "</p>")
    if with_chart and rows:
        df = pathways_frame(rows, median)
        png = chart_png(charts.comparison_chart(df, start.target(ws.target.selected), lang), scale=2)
        parts.append(f"<h2>{_e(t('workshop.brief.chart_title', lang))}</h2><img class='chart' alt='"
                     f"{_e(t('workshop.brief.chart_alt', lang, n=len(rows)))}' src='data:image/png;base64,"
                     f"{base64.b64encode(png).decode('ascii')}'>")
    parts.append(f"<h2>{_e(t('workshop.board.ranking_title', lang))}</h2>")
    parts.append(_table(_ranking_table(ws, subs, lang, text=True)) if rows else
                 f"<p>{_e(t('workshop.board.ranking_empty', lang))}</p>")
    parts.append(f"<h2>{_e(t('workshop.board.spread_title', lang))}</h2>")
    if len(rows) >= 2:
        parts.append("<p>" + _e(t("workshop.board.agreed", lang, levers=", ".join(agreed)) if agreed
                                else t("workshop.board.agreed_none", lang)) + "</p>")
    parts.append(_table(spread))
    parts.append(f"<p class='note'>{_e(t('workshop.spread.caption', lang))} "
                 f"{_e(t('workshop.brief.source', lang, version=MODEL_VERSION))}</p></body></html>")
    return "".join(parts)
