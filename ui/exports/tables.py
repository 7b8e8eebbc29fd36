"""Export tables: emissions, levers and targets as DataFrames, CSV for Swedish Excel and XLSX.

Pure (no Streamlit); see :mod:`ui.exports` for the package overview.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from model.data import EMISSIONS_SOURCE, SECTORS
from model.registry import load_registry
from model.results_table import MEASURED, long_table, sector_variable, wide
from model.run import MODEL_VERSION, ScenarioResult
from ui.exports.common import _focus_year, _index, _name, _nnm_values, _target_description, _unit, source_text
from ui.exports.spreadsheet import metadata_csv, to_excel_csv
from ui.scenario.measures_text import (
    measure_effect_text,
    measure_series,
    measure_source_text,
    measure_target_text,
    own_measures,
)
from ui.text.fmt import fmt_pct
from ui.text.i18n import actor_label, normalize_lang, policy_label, sector_label, t, target_label

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def scenario_table(result: ScenarioResult, lang: str = "sv") -> pd.DataFrame:
    """Emissions by year: SMHI inventory, then the model's projection.

    Parameters
    ----------
    result : ScenarioResult
        A deterministic run.
    lang : str, default "sv"
        Language of the column names and the "Typ" column.

    Returns
    -------
    pandas.DataFrame
        One row per year (inventory years before the first model year, then every model
        year; the first model year equals the inventory to the tonne and is labelled
        measured). Columns: year, type, the nine SMHI sectors, gross, removals, net and
        the no-new-measures gross, each named with its unit ("Transporter, ton CO₂e/år").
        Tonnes are rounded to 0.01 t (the inventory's precision). Removals, net and
        baseline are empty for inventory-only years.
    """
    lang = normalize_lang(lang)
    col_year, col_kind = t("exports.col.year", lang), t("exports.col.kind", lang)
    sector_cols = [t("exports.col.sector", lang, sector=sector_label(s, lang)) for s in SECTORS]
    extra = [t(f"exports.col.{k}", lang) for k in ("gross", "removals", "net", "baseline")]
    # A pivot of the canonical long table (model.results_table), as the CLI and the IAMC CSV are.
    table = long_table([(result.scenario.id, result)])
    variables = [sector_variable(s) for s in SECTORS] + ["gross", "removals", "net", "baseline_gross"]
    w = wide(table, variables)
    measured = set(table.loc[table["source"] == MEASURED, "year"])
    hist_kind, model_kind = t("exports.kind.history", lang), t("exports.kind.forecast", lang)
    df = pd.DataFrame(w.to_numpy(dtype=float), columns=[*sector_cols, *extra])
    df.insert(0, col_kind, [hist_kind if y in measured else model_kind for y in w.index])
    df.insert(0, col_year, [int(y) for y in w.index])
    num = df.columns[2:]
    df[num] = df[num].astype(float).round(2)
    df[col_year] = df[col_year].astype(int)
    return df


def levers_table(result: ScenarioResult, lang: str = "sv", year: int | None = None) -> pd.DataFrame:
    """Every lever: value, "no new measures" position, actor, reduction in ``year`` and source.

    ``year`` defaults to the selected target's year if modelled, else the last model year.
    """
    lang = normalize_lang(lang)
    reg = load_registry()
    if year is None:
        year = _focus_year(result, result.target(result.scenario.target.selected))
    i = _index(result, year)
    nnm = _nnm_values(result)
    rows = []
    for lv in reg.levers:
        rows.append({
            t("exports.col.lever", lang): lv.label.get(lang, lv.label["sv"]),
            t("exports.col.lever_id", lang): lv.id,
            t("exports.col.value", lang): result.lever_values[lv.id],
            t("exports.col.unit", lang): _unit(lv.unit, lang),
            t("exports.col.nnm", lang): nnm[lv.id],
            t("exports.col.actor", lang): actor_label(lv.actor, lang),
            t("exports.col.reduction", lang, year=year): round(float(result.attribution[lv.id][i]), 2),
            t("exports.col.source", lang): source_text(lv.source, lang),
        })
    return pd.DataFrame(rows)


def measures_table(result: ScenarioResult, lang: str = "sv", year: int | None = None) -> pd.DataFrame:
    """Every own measure of the scenario: what it acts on, effect and unit, ramp, actor, cost range,
    uncertainty, its reduction in ``year`` (t CO2e/yr, from the run) and its source or "antagande".

    Empty (no rows, the same columns) when the scenario has no own measures.
    """
    lang = normalize_lang(lang)
    if year is None:
        year = _focus_year(result, result.target(result.scenario.target.selected))
    i = _index(result, year)
    series = measure_series(result)
    cols = [t(f"measures.export.{k}", lang, year=year) for k in (
        "name", "id", "target", "effect", "unit", "start", "full", "shape", "actor", "cost_low", "cost_high",
        "uncertainty", "reduction", "source")]
    rows = []
    for m in own_measures(result):
        lo, hi = m.cost_sek_per_t if m.cost_sek_per_t is not None else (math.nan, math.nan)
        red = round(float(series[m.id][i]), 2) if m.id in series else math.nan
        rows.append([m.name(lang), m.id, measure_target_text(m, lang), float(m.effect),
                     t(f"measures.unit_short.{m.unit}", lang), m.start, m.full, t(f"data_page.ramp.{m.shape}", lang),
                     actor_label(m.actor, lang), lo, hi,
                     f"{fmt_pct(m.uncertainty[0], 0, lang)}–{fmt_pct(m.uncertainty[1], 0, lang)}",
                     red, measure_source_text(m, lang, labelled=False)])
    return pd.DataFrame(rows, columns=cols)


def targets_table(result: ScenarioResult, lang: str = "sv") -> pd.DataFrame:
    """Every target definition's verdict (the selected one flagged)."""
    lang = normalize_lang(lang)
    yes, no = t("exports.yes", lang), t("exports.no", lang)
    sel = result.scenario.target.selected
    rows = []
    for v in result.targets:
        def num(x: float | None) -> float:
            return math.nan if x is None else round(float(x), 2)
        rows.append({
            t("exports.col.target", lang): target_label(v.id, lang),
            t("exports.col.selected", lang): yes if v.id == sel else "",
            t("exports.col.target_year", lang): int(v.year),
            t("exports.col.met", lang): (t("exports.not_evaluable", lang) if v.met is None
                                         else yes if v.met else no),
            t("exports.col.allowed", lang): num(v.allowed_t),
            t("exports.col.outcome", lang): num(v.value_t),
            t("exports.col.gap", lang): num(v.gap_t),
            t("exports.col.gap_pct", lang): num(v.gap_pct),
            t("exports.col.year_met", lang): "" if v.year_met is None else str(v.year_met),
            t("exports.col.cumulative", lang): num(v.cumulative_t),
            t("exports.col.budget", lang): num(v.budget_t),
            t("exports.col.required_rate", lang): num(v.required_rate_pct),
        })
    return pd.DataFrame(rows)


def readme_info(result: ScenarioResult, lang: str = "sv", share_url: str = "", *,
                today: _dt.date | None = None, scenario_name: str | None = None) -> dict[str, str]:
    """README rows for :func:`to_xlsx`: link, model version, kommun, date, units and sources."""
    lang = normalize_lang(lang)
    today = today or _dt.date.today()
    sc = result.scenario
    reg = load_registry()
    policy_src = reg.policy_source(sc.national_policy, lang)
    sheets = ", ".join(t(f"exports.sheet.{k}", lang) for k in ("emissions", "levers", "targets"))
    if own_measures(result):
        sheets += ", " + t("measures.export.sheet", lang)
    rows = {
        t("exports.readme.title", lang): t("exports.readme.about", lang),
        t("exports.readme.kommun", lang): f"{result.kommun.name} ({result.kommun.code})",
        t("exports.readme.scenario", lang): _name(result, lang, scenario_name),
        t("exports.readme.date", lang): today.isoformat(),
        t("exports.readme.link", lang): share_url,
        t("exports.readme.model_version", lang): MODEL_VERSION,
        t("exports.readme.national_policy", lang): f"{policy_label(sc.national_policy, lang)}. {policy_src}",
        t("exports.readme.target", lang): (f"{target_label(sc.target.selected, lang)}: "
                                           f"{_target_description(result.target(sc.target.selected), result, lang)}"),
        t("exports.readme.horizon", lang): str(sc.horizon),
        t("exports.readme.units", lang): t("exports.readme.units_value", lang),
        t("exports.readme.emissions_source", lang): EMISSIONS_SOURCE[lang],
        t("exports.readme.model_source", lang): t("exports.readme.model_source_value", lang,
                                                   version=MODEL_VERSION),
        t("exports.readme.lever_sources", lang): t("exports.readme.lever_sources_value", lang,
                                                    sheet=t("exports.sheet.levers", lang),
                                                    column=t("exports.col.source", lang)),
        t("exports.readme.sheets", lang): sheets,
    }
    if ms := own_measures(result):
        # Own measures change every figure: the README names them and where their sources are.
        rows[t("measures.export.readme", lang)] = t(
            "measures.export.readme_value", lang, n=len(ms),
            names="; ".join(f"{m.name(lang)} ({measure_effect_text(m, lang)}, {measure_source_text(m, lang)})"
                            for m in ms))
    return rows


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub("_", str(name)).strip("'") or "Sheet"
    base = base[:31]
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def to_xlsx(sheets: Mapping[str, pd.DataFrame], readme: Mapping[str, str],
            readme_sheet: str = "README") -> bytes:
    """An Excel workbook: a README sheet first, then one sheet per table.

    Parameters
    ----------
    sheets : Mapping[str, DataFrame]
        Sheet name -> table (names are cleaned to Excel's rules: 31 characters, no ``[]:*?/\\``).
    readme : Mapping[str, str]
        Label -> text rows of the README sheet (see :func:`readme_info`); values that are
        http(s) links become clickable.
    readme_sheet : str, default "README"

    Returns
    -------
    bytes
        The .xlsx file. Text is never turned into formulas or links (hostile names stay text).
    """
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "nan_inf_to_errors": False})
    bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEEEEE",
                          "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    label = wb.add_format({"bold": True, "valign": "top"})
    link = wb.add_format({"font_color": "blue", "underline": 1, "valign": "top", "text_wrap": True})
    tonnes = wb.add_format({"num_format": "#,##0", "valign": "top"})
    general = wb.add_format({"valign": "top"})
    taken: set[str] = set()

    ws = wb.add_worksheet(_sheet_name(readme_sheet, taken))
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 110)
    for r, (key, value) in enumerate(readme.items()):
        ws.write_string(r, 0, str(key), label)
        value = "" if value is None else str(value)
        if re.match(r"^https?://", value) and len(value) <= 2079:
            ws.write_url(r, 1, value, link, string=value)
        else:
            ws.write_string(r, 1, value, wrap)

    for name, df in sheets.items():
        ws = wb.add_worksheet(_sheet_name(name, taken))
        ws.freeze_panes(1, 0)
        for c, col in enumerate(df.columns):
            ws.write_string(0, c, str(col), bold)
            series = df[col]
            is_num = pd.api.types.is_numeric_dtype(series)
            is_t = is_num and ("CO₂" in str(col)) and "%" not in str(col)
            texts = [str(col)] + ([] if is_num else [str(v) for v in series.tolist()])
            width = min(max((len(s) for s in texts), default=8), 60 if not is_num else 28)
            ws.set_column(c, c, max(8, width + 2) if not is_num else max(10, min(width, 22)),
                          wrap if not is_num else None)
            fmt = tonnes if is_t else general
            for r, v in enumerate(series.tolist(), start=1):
                if v is None or (isinstance(v, float) and not math.isfinite(v)):
                    ws.write_blank(r, c, None)
                elif isinstance(v, (bool, np.bool_)):
                    ws.write_boolean(r, c, bool(v))
                elif isinstance(v, (int, float, np.integer, np.floating)):
                    ws.write_number(r, c, float(v), fmt)
                else:
                    ws.write_string(r, c, str(v), wrap)
        ws.set_row(0, 45)
    wb.close()
    return buf.getvalue()


def scenario_csv(result: ScenarioResult, lang: str = "sv") -> bytes:
    """:func:`scenario_table` as CSV in the language's spreadsheet dialect (see :mod:`ui.exports.spreadsheet`)."""
    return to_excel_csv(scenario_table(result, lang), lang)


def scenario_metadata_csv(result: ScenarioResult, lang: str = "sv", share_url: str = "", *,
                          today: _dt.date | None = None, scenario_name: str | None = None) -> bytes:
    """The README of :func:`scenario_csv` as its own CSV (label, text): link, kommun, units, sources.

    A separate file, not comment rows above the table: spreadsheets would read such rows as
    data and pandas would need ``skiprows``; the data CSV stays one clean table.
    """
    lang = normalize_lang(lang)
    rows = readme_info(result, lang, share_url, today=today, scenario_name=scenario_name)
    return metadata_csv(rows.items(), lang, (t("exports.meta.label", lang), t("exports.meta.text", lang)))


def scenario_xlsx(result: ScenarioResult, lang: str = "sv", share_url: str = "", *,
                  today: _dt.date | None = None, scenario_name: str | None = None) -> bytes:
    """Workbook with README, emissions, measures and targets sheets."""
    lang = normalize_lang(lang)
    sheets = {t("exports.sheet.emissions", lang): scenario_table(result, lang),
              t("exports.sheet.levers", lang): levers_table(result, lang),
              t("exports.sheet.targets", lang): targets_table(result, lang)}
    if own_measures(result):
        sheets[t("measures.export.sheet", lang)] = measures_table(result, lang)
    return to_xlsx(sheets, readme_info(result, lang, share_url, today=today, scenario_name=scenario_name),
                   t("exports.sheet.readme", lang))
