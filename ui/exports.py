"""Downloads: tables (CSV for Swedish Excel, XLSX), chart images and a one-page scenario brief.

Pure (no Streamlit import): every function takes a :class:`model.run.ScenarioResult`
or plain data and returns ``bytes`` or ``str``, so pages can hand them to
``st.download_button(data=lambda: ..., on_click="ignore")`` and tests can call them
directly. Texts come from ``ui/locales/exports.<lang>.toml`` (``exports.*``) plus the
shared catalogs; numbers are formatted with :mod:`ui.fmt`, so the brief shows exactly
the figures the dashboard shows.

Public API
----------
Tables
    :func:`scenario_table`, :func:`levers_table`, :func:`targets_table`,
    :func:`readme_info`, :func:`to_excel_csv`, :func:`to_xlsx`, and the one-call
    :func:`scenario_csv` / :func:`scenario_xlsx`.
Charts
    :func:`main_chart_spec`, :func:`chart_png`, :func:`chart_svg`, :func:`qr_png`.
Brief
    :func:`brief_html` (self-contained, A4 print CSS) and :func:`brief_pdf` (fpdf2,
    exactly one A4 page; needs the DejaVu Sans TTF, see :func:`find_font`).
"""
from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.data import EMISSIONS_SOURCE, SECTORS
from model.registry import ACTORS, load_registry
from model.run import MODEL_VERSION, ScenarioResult, run_scenario
from model.targets import TargetVerdict
from ui.fmt import NBSP, fmt_number, fmt_pct, fmt_signed_pct, fmt_tonnes
from ui.i18n import actor_label, normalize_lang, policy_label, sector_label, t, target_label

__all__ = [
    "BriefFontError", "brief_html", "brief_pdf", "chart_png", "chart_svg", "find_font",
    "levers_table", "main_chart_spec", "qr_png", "readme_info", "scenario_csv", "scenario_table",
    "scenario_xlsx", "targets_table", "to_excel_csv", "to_xlsx",
]

#: Where :func:`find_font` looks for DejaVu Sans (Debian/Ubuntu ``fonts-dejavu-core``, Fedora,
#: Arch, Alpine, macOS Homebrew). ``KLIMATVAGAR_PDF_FONT`` (path to the regular TTF) wins.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu-sans-fonts",
             "/usr/share/fonts/TTF", "/usr/share/fonts/dejavu", "/usr/local/share/fonts",
             "/opt/homebrew/share/fonts", str(Path.home() / ".fonts"))
FONT_ENV = "KLIMATVAGAR_PDF_FONT"
TOP_MEASURES = 5
MAX_NAME_CHARS = 80
_PATH_TARGETS = ("budget_rate", "carbon_law")
_TRANSPORT = SECTORS.index("Transporter")
_UNIT_EN = {"t/år": "t/yr", "kt/år": "kt/yr"}
# Cells a spreadsheet would run as a formula (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


class BriefFontError(RuntimeError):
    """The Unicode TTF the PDF needs (DejaVu Sans) was not found."""


# --------------------------------------------------------------------------- small helpers
def _name(result: ScenarioResult, lang: str, override: str | None = None) -> str:
    """Display name of the scenario (never empty, at most MAX_NAME_CHARS)."""
    sc = result.scenario
    name = override or sc.name.get(lang) or sc.name.get("sv") or sc.name.get("en")
    if not name:
        name = sc.id if sc.id not in ("custom", "dashboard", "") else t("exports.custom_scenario", lang)
    name = " ".join(str(name).split())
    return name if len(name) <= MAX_NAME_CHARS else name[:MAX_NAME_CHARS - 1] + "…"


def _index(result: ScenarioResult, year: int) -> int:
    return int(np.flatnonzero(result.years == year)[0])


def _focus_year(result: ScenarioResult, verdict: TargetVerdict) -> int:
    """Target year if modelled, else the last model year (as :mod:`ui.narrative`)."""
    years = [int(y) for y in result.years]
    return int(verdict.year) if int(verdict.year) in years else years[-1]


def _unit(unit: str, lang: str) -> str:
    return _UNIT_EN.get(unit, unit) if lang == "en" else unit


def _lever_value(value: float, lever: Any, lang: str) -> str:
    """'80 %' / '1 000 t/år' with the language's separators (no-break space before the unit)."""
    text = fmt_number(value, lever.decimals, lang)
    unit = _unit(lever.unit, lang)
    if unit == "%" and lang == "en":
        return f"{text}%"
    return f"{text}{NBSP}{unit}"


def _nnm_values(result: ScenarioResult) -> dict[str, float]:
    """Per-lever "no new measures" position for this kommun (from the run's context)."""
    reg = load_registry()
    ctx = result.context
    if ctx is not None:
        return {lid: float(ctx.nnm[i]) for i, lid in enumerate(reg.lever_ids)}
    out = {}
    for lv in reg.levers:
        nnm = lv.nnm if isinstance(lv.nnm, (int, float)) else lv.nnm_fallback
        out[lv.id] = float(nnm or 0.0)
    return out


def _used_levers(result: ScenarioResult) -> list[str]:
    """Lever ids moved away from "no new measures", in registry order."""
    nnm = _nnm_values(result)
    return [lid for lid in load_registry().lever_ids
            if abs(result.lever_values[lid] - nnm[lid]) > 1e-9]


def _first_clause(text: str, min_chars: int = 20) -> str:
    """Text up to the first ". " or "; " outside parentheses (the citation proper)."""
    depth = 0
    for k, ch in enumerate(text):
        depth += (ch in "([") - (ch in ")]")
        if depth == 0 and ch in ".;" and k + 1 < len(text) and text[k + 1] == " " and k >= min_chars:
            return text[:k] + ("." if ch == "." else "")
    return text


def _short_source(source: str, lang: str, limit: int | None = None) -> str:
    """A lever's source for the brief: the first clause of the citation, or "Antagande".

    The full text is in the Excel file (:func:`levers_table`).
    """
    text = " ".join(str(source).split())
    if text.lower().startswith("assumption"):
        return t("exports.brief.assumption_is_assumption", lang)
    if limit:
        text = _first_clause(text)
        if len(text) > limit:
            text = text[:limit - 1].rstrip(" ,;(") + "…"
    return t("exports.brief.assumption_source", lang, source=text)


def _target_description(verdict: TargetVerdict, result: ScenarioResult, lang: str) -> str:
    spec = result.scenario.target
    rate = verdict.required_rate_pct if verdict.id in _PATH_TARGETS else None
    return t(f"target_desc.{verdict.id}", lang, year=spec.year, base_year=spec.base_year,
             max_share=fmt_pct(spec.max_gross_pct / 100, 0, lang),
             rate=fmt_pct((rate or 0) / 100, 0 if rate is None or float(rate).is_integer() else 1, lang),
             share=fmt_pct(0.7, 0, lang))


# --------------------------------------------------------------------------- tables
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
    model_years = [int(y) for y in result.years]
    first = model_years[0]
    hist_kind, model_kind = t("exports.kind.history", lang), t("exports.kind.forecast", lang)
    rows: list[list[Any]] = []
    for year in sorted(result.history):
        if year >= first:
            continue
        values = [float(v) for v in result.history[year]]
        rows.append([year, hist_kind, *values, sum(values), math.nan, math.nan, math.nan])
    for j, year in enumerate(model_years):
        values = [float(v) for v in result.by_sector[:, j]]
        kind = hist_kind if year in result.history else model_kind
        rows.append([year, kind, *values, float(result.gross[j]), float(result.removals[j]),
                     float(result.net[j]), float(result.baseline_gross[j])])
    df = pd.DataFrame(rows, columns=[col_year, col_kind, *sector_cols, *extra])
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
            t("exports.col.source", lang): (t("common.assumption", lang) + ": " + lv.source
                                            if lv.is_assumption else lv.source),
        })
    return pd.DataFrame(rows)


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
    policy_src = str(reg.policies.get(sc.national_policy, {}).get("source", ""))
    sheets = ", ".join(t(f"exports.sheet.{k}", lang) for k in ("emissions", "levers", "targets"))
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
    return rows


def _defuse(value: Any) -> Any:
    """Text a spreadsheet would evaluate as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_excel_csv(df: pd.DataFrame) -> bytes:
    """CSV that Swedish Excel opens correctly by double-click.

    ``;`` as separator, decimal comma, UTF-8 with BOM (so å/ä/ö and "CO₂" survive),
    CRLF line ends, no index. Text cells starting with ``= + - @`` are prefixed with an
    apostrophe (CSV injection); numbers are untouched.

    Read back with ``pandas.read_csv(buf, sep=";", decimal=",", encoding="utf-8-sig")``.
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_defuse)
    text = out.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


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
    """:func:`scenario_table` as a Swedish-Excel CSV file."""
    return to_excel_csv(scenario_table(result, lang))


def scenario_xlsx(result: ScenarioResult, lang: str = "sv", share_url: str = "", *,
                  today: _dt.date | None = None, scenario_name: str | None = None) -> bytes:
    """Workbook with README, emissions, measures and targets sheets."""
    lang = normalize_lang(lang)
    sheets = {t("exports.sheet.emissions", lang): scenario_table(result, lang),
              t("exports.sheet.levers", lang): levers_table(result, lang),
              t("exports.sheet.targets", lang): targets_table(result, lang)}
    return to_xlsx(sheets, readme_info(result, lang, share_url, today=today, scenario_name=scenario_name),
                   t("exports.sheet.readme", lang))


# --------------------------------------------------------------------------- charts
def chart_png(spec: Mapping[str, Any], scale: float = 2) -> bytes:
    """PNG of a Vega-Lite spec (``ui.charts.to_png`` when available, else vl-convert)."""
    try:
        from ui.charts import to_png
    except ImportError:
        import vl_convert

        return vl_convert.vegalite_to_png(dict(spec), scale=scale)
    return to_png(spec, scale=scale)


def chart_svg(spec: Mapping[str, Any]) -> str:
    """SVG text of a Vega-Lite spec (``ui.charts.to_svg`` when available, else vl-convert)."""
    try:
        from ui.charts import to_svg
    except ImportError:
        import vl_convert

        return vl_convert.vegalite_to_svg(dict(spec))
    return to_svg(spec)


def _chart_frames(result: ScenarioResult, lang: str) -> dict[str, pd.DataFrame | None]:
    hist = pd.DataFrame([(int(y), s, float(v[i])) for y, v in sorted(result.history.items())
                         for i, s in enumerate(SECTORS)], columns=["year", "sector", "tonnes"])
    rows = [(int(y), s, float(result.by_sector[i, j])) for j, y in enumerate(result.years)
            for i, s in enumerate(SECTORS)]
    rows += [(int(y), "Upptag", float(result.removals[j])) for j, y in enumerate(result.years)]
    scen = pd.DataFrame(rows, columns=["year", "sector", "tonnes"])
    base = pd.DataFrame({"year": result.years.astype(int), "tonnes": result.baseline_gross})
    net = pd.DataFrame({"year": result.years.astype(int), "tonnes": result.net})
    v = result.target(result.scenario.target.selected)
    target = None
    if v.id in _PATH_TARGETS and v.path:
        pts = [(y, val) for y, val in sorted(v.path.items()) if y in set(result.years.tolist())]
        target = pd.DataFrame(pts, columns=["year", "tonnes"]) if pts else None
    elif v.id in ("klimatneutral_2030", "national_2045") and v.evaluable and v.allowed_t is not None:
        target = pd.DataFrame({"year": [int(v.year)], "tonnes": [float(v.allowed_t)],
                               "label": [t("exports.brief.chart_target_gross", lang)]})
    return {"history": hist, "scenario": scen, "baseline": base, "net": net, "target": target}


def _simple_chart_spec(frames: dict[str, pd.DataFrame | None], lang: str) -> dict[str, Any]:
    """Stacked bars by sector plus the net line, used when ``ui.charts`` is unavailable."""
    first_model = int(frames["net"]["year"].min())
    bars = [{"year": int(r.year), "sector": sector_label(r.sector, lang, short=True),
             "tonnes": float(-abs(r.tonnes) if r.sector == "Upptag" else r.tonnes)}
            for frame, keep in ((frames["history"], lambda y: y <= first_model),
                                (frames["scenario"], lambda y: y > first_model))
            for r in frame.itertuples() if keep(int(r.year)) and r.tonnes]
    net = [{"year": int(r.year), "tonnes": float(r.tonnes)} for r in frames["net"].itertuples()]
    y_title = t("chart.axis.tonnes_per_year", lang)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 640, "height": 300, "background": "white",
        "config": {"font": "DejaVu Sans, sans-serif", "view": {"stroke": None}},
        "layer": [
            {"data": {"values": bars}, "mark": {"type": "bar"},
             "encoding": {"x": {"field": "year", "type": "ordinal", "title": t("chart.axis.year", lang)},
                          "y": {"field": "tonnes", "type": "quantitative", "stack": "zero",
                                "title": y_title},
                          "color": {"field": "sector", "type": "nominal",
                                    "title": t("chart.legend.sector", lang)}}},
            {"data": {"values": net}, "mark": {"type": "line", "color": "#1a1a1a", "point": True},
             "encoding": {"x": {"field": "year", "type": "ordinal"},
                          "y": {"field": "tonnes", "type": "quantitative"}}},
        ],
    }


def main_chart_spec(result: ScenarioResult, lang: str = "sv", *, height: int | None = None) -> dict[str, Any]:
    """The scenario's main chart (``ui.charts.main_chart``; a simple stacked chart if it is missing).

    Parameters
    ----------
    result : ScenarioResult
    lang : str, default "sv"
    height : int, optional
        Plot height in px (the brief uses a lower chart than the dashboard).
    """
    lang = normalize_lang(lang)
    frames = _chart_frames(result, lang)
    try:
        from ui.charts import main_chart
    except ImportError:
        spec = _simple_chart_spec(frames, lang)
    else:
        spec = dict(main_chart(frames["history"], frames["scenario"], frames["baseline"], frames["net"],
                               frames["target"], lang))
    if height:
        spec["height"] = int(height)  # top-level key only: the builder's nested objects are shared
    return spec


def qr_png(url: str, scale: int = 8) -> bytes:
    """QR code of ``url`` as PNG (segno, error correction M, quiet zone 4 modules)."""
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


# --------------------------------------------------------------------------- brief content
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
    try:
        from ui.narrative import year_reached
    except ImportError:
        year_reached = None
    if year_reached is not None:
        return year_reached(result, target_id)
    # Fallback: first model year from which the yearly criterion holds in every later year.
    v = result.target(target_id)
    years = result.years
    if target_id in _PATH_TARGETS:
        keep = np.array([int(y) in v.path for y in years])
        years = years[keep]
        ok = result.gross[keep] <= np.array([v.path[int(y)] for y in years]) + 1e-6
    elif target_id == "national_transport_2030":
        ok = result.by_sector[_TRANSPORT] <= float(v.allowed_t) + 1e-6
    else:
        ok = (result.gross <= float(v.allowed_t) + 1e-6) & (result.net <= 1e-6)
    if not len(ok) or not ok[-1]:
        return None
    bad = np.flatnonzero(~ok)
    return int(years[bad[-1] + 1]) if len(bad) else int(years[0])


def _summary(result: ScenarioResult, target_id: str, lang: str, net_text: str, change: str,
             base_year: int, year: int, verdict: TargetVerdict) -> list[str]:
    try:
        from ui.narrative import summary_sentences
    except ImportError:
        summary_sentences = None
    if summary_sentences is not None:
        return [s for s in summary_sentences(result, target_id, lang) if s]
    # Fallback when ui.narrative is not available.
    out = [t("exports.fallback.net", lang, year=year, net=net_text, change=change, base_year=base_year)]
    if verdict.met:
        out.append(t("exports.fallback.met", lang, target=target_label(target_id, lang),
                     year=verdict.year_met or verdict.year))
    elif verdict.evaluable:
        out.append(t("exports.fallback.gap", lang, target=target_label(target_id, lang),
                     year=verdict.year, gap=fmt_tonnes(verdict.gap_t, lang, co2e=True)))
    return out


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
    if sc.horizon < 2045 and (not verdict.evaluable or (reached is None and sel not in _PATH_TARGETS)):
        long_run = run_scenario(replace(sc, horizon=2045), result.kommun.code)
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
    if sel in _PATH_TARGETS:
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
                              else t("exports.fig.not_before", lang, year=last_year + 1),
                              t("exports.fig.year_sub", lang) if reached is not None
                              else t("exports.fig.year_sub_none", lang, year=last_year),
                              reached is not None))

    summary = _summary(result, sel, lang, net_text, fmt_signed_pct(change, 0, lang), base_year, year, judged)

    # Chart (lower than on screen so the page keeps room for the tables).
    spec = main_chart_spec(result, lang, height=230)
    png = chart_png(spec, scale=chart_scale)

    # Largest measures and actors in the focus year.
    contrib = sorted(((lid, float(result.attribution[lid][i])) for lid in reg.lever_ids),
                     key=lambda kv: -kv[1])
    measures = [(reg.lever(lid).label.get(lang, reg.lever(lid).label["sv"]),
                 _lever_value(result.lever_values[lid], reg.lever(lid), lang),
                 fmt_tonnes(val, lang)) for lid, val in contrib if val >= 0.5][:TOP_MEASURES]
    by_actor = {a: 0.0 for a in ACTORS}
    for lid, val in contrib:
        by_actor[reg.lever(lid).actor] += val
    total = sum(by_actor.values())
    actors = [(actor_label(a, lang), fmt_tonnes(v, lang), (v / total) if total > 0 else 0.0)
              for a, v in by_actor.items()]

    # Key assumptions: target, national policy, baseline, each lever used.
    policy_src = str(reg.policies.get(sc.national_policy, {}).get("source", ""))
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


# --------------------------------------------------------------------------- brief: HTML
_CSS = """
@page { size: A4 portrait; margin: 10mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Source Sans 3", "Source Sans Pro", Arial, "Liberation Sans", Helvetica, "DejaVu Sans",
       sans-serif; color: #1a1a1a; font-size: 9pt; line-height: 1.28; margin: 0 auto; max-width: 186mm; }
header { display: flex; justify-content: space-between; color: #555; font-size: 7.5pt; }
h1 { font-size: 16pt; margin: 0.5mm 0 0; line-height: 1.15; overflow-wrap: anywhere; }
.subtitle { color: #444; margin: 0 0 2mm; }
.figures { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 2mm; margin-bottom: 2mm; }
.figure { border: 0.3mm solid #ccc; border-top: 1.2mm solid #0072B2; padding: 1.2mm 1.8mm; }
.figure.good { border-top-color: #1b6e3a; } .figure.bad { border-top-color: #D55E00; }
.figure .label { font-size: 7.5pt; color: #444; }
.figure .value { font-size: 12.5pt; font-weight: bold; white-space: nowrap; }
.figure .sub { font-size: 7pt; color: #555; line-height: 1.2; }
h2 { font-size: 10pt; margin: 1.8mm 0 0.8mm; }
.summary p { margin: 0; }
.summary p.note { margin-top: 0.5mm; }
figure.chart { margin: 0; } figure.chart img { width: 100%; height: auto; max-height: 64mm;
                                               object-fit: contain; object-position: left; display: block; }
.cols { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 9fr); gap: 5mm; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; }
th, td { text-align: left; padding: 0.35mm 1mm; border-bottom: 0.2mm solid #ddd; vertical-align: top; }
th { font-size: 7pt; color: #555; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.strong { font-weight: bold; }
tr.total td { font-weight: bold; border-bottom: none; }
.bar { display: inline-block; height: 2.4mm; background: #0072B2; vertical-align: middle; }
.note { font-size: 7pt; color: #555; margin: 0.5mm 0 0; line-height: 1.2; }
ul.assumptions { margin: 0; padding-left: 3.5mm; font-size: 6.9pt; line-height: 1.22; color: #333; }
ul.assumptions li { margin: 0; }
footer { display: flex; gap: 4mm; align-items: flex-start; margin-top: 2mm; border-top: 0.3mm solid #ccc;
         padding-top: 1.5mm; font-size: 7pt; line-height: 1.25; break-inside: avoid; }
footer .qr { width: 24mm; height: 24mm; flex: none; order: 2; margin-left: auto; }
footer .url { overflow-wrap: anywhere; word-break: break-all; font-size: 7pt; color: #0072B2; }
.source { color: #444; margin: 1mm 0 0; }
section, .cols, figure.chart { break-inside: avoid; }
@media screen { body { margin: 8mm auto; } }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def brief_html(result: ScenarioResult, lang: str = "sv", share_url: str = "", *,
               today: _dt.date | None = None, scenario_name: str | None = None) -> str:
    """The one-page scenario brief as a self-contained HTML document (prints on one A4 page).

    Parameters
    ----------
    result : ScenarioResult
        A deterministic run.
    lang : str, default "sv"
        "sv" or "en".
    share_url : str
        The dashboard link that reproduces the scenario (shown as text and QR code).
    today : datetime.date, optional
        Date printed on the brief (default today).
    scenario_name : str, optional
        Overrides the scenario's own name (e.g. a name the user typed).

    Returns
    -------
    str
        HTML with every text escaped and the chart and QR code as ``data:`` URIs.
    """
    b = _brief(result, lang, share_url, today, scenario_name)
    out: list[str] = []
    w = out.append
    w(f'<!DOCTYPE html>\n<html lang="{_e(b.lang)}">\n<head>\n<meta charset="utf-8">\n')
    w('<meta name="viewport" content="width=device-width, initial-scale=1">\n')
    w(f"<title>{_e(b.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n")
    w(f"<header><span>{_e(b.kind)}</span><span>{_e(b.date)}</span></header>\n")
    w(f"<h1>{_e(b.title)}</h1>\n<p class=\"subtitle\">{_e(b.subtitle)}</p>\n")
    w('<section class="figures">\n')
    for f in b.figures:
        cls = "" if f.good is None else (" good" if f.good else " bad")
        w(f'<div class="figure{cls}"><div class="label">{_e(f.label)}</div>'
          f'<div class="value">{_e(f.value)}</div><div class="sub">{_e(f.sub)}</div></div>\n')
    w("</section>\n")
    w('<section class="summary">\n')
    w(f"<p>{_e(' '.join(b.summary))}</p>")
    w("".join(f'<p class="note">{_e(n)}</p>' for n in b.notes))
    w("</section>\n")
    w(f'<figure class="chart"><h2>{_e(b.chart_title)}</h2>'
      f'<img src="{_data_uri(b.chart_png)}" alt="{_e(t("exports.brief.chart_alt", b.lang, description=b.chart_description))}">'
      f"</figure>\n")
    w('<div class="cols">\n<section>\n')
    w(f"<h2>{_e(b.measures_title)}</h2>\n")
    if b.measures:
        h = b.measure_headers
        w(f'<table><thead><tr><th>{_e(h[0])}</th><th class="num">{_e(h[1])}</th>'
          f'<th class="num">{_e(h[2])}</th></tr></thead><tbody>\n')
        for label, value, red in b.measures:
            w(f'<tr><td>{_e(label)}</td><td class="num">{_e(value)}</td><td class="num strong">{_e(red)}</td></tr>\n')
        w("</tbody></table>\n")
    else:
        w(f"<p>{_e(b.measures_none)}</p>\n")
    w("</section>\n<section>\n")
    w(f"<h2>{_e(b.actors_title)}</h2>\n<table><tbody>\n")
    for label, value, share in b.actors:
        width = max(0.0, min(share, 1.0)) * 22
        w(f'<tr><td>{_e(label)}</td><td><span class="bar" style="width:{width:.1f}mm"></span></td>'
          f'<td class="num">{_e(value)}</td></tr>\n')
    w(f'<tr class="total"><td>{_e(b.actors_total[0])}</td><td></td>'
      f'<td class="num">{_e(b.actors_total[1])}</td></tr>\n</tbody></table>\n')
    w(f'<p class="note">{_e(b.actors_note)}</p>\n</section>\n</div>\n')
    w(f'<section>\n<h2>{_e(b.assumptions_title)}</h2>\n<ul class="assumptions">\n')
    w("".join(f"<li>{_e(a)}</li>\n" for a in b.assumptions))
    w("</ul>\n</section>\n")
    w("<footer>\n")
    if b.share_url:
        href = b.share_url if re.match(r"^https?://", b.share_url, re.I) else None
        if b.qr_png:
            w(f'<img class="qr" src="{_data_uri(b.qr_png)}" alt="{_e(b.link_title)} (QR)">\n')
        w(f"<div><strong>{_e(b.link_title)}</strong><br>")
        if href:
            w(f'<a class="url" href="{_e(href)}">{_e(b.share_url)}</a>')
        else:
            w(f'<span class="url">{_e(b.share_url)}</span>')
        w(f"<br>{_e(b.link_help)}\n")
    else:
        w("<div>")
    w(f'<p class="source">{_e(b.source_line)}</p></div>\n</footer>\n</body>\n</html>\n')
    return "".join(out)


# --------------------------------------------------------------------------- brief: PDF
def find_font() -> tuple[Path, Path | None]:
    """Paths of DejaVu Sans regular and bold (bold may be None).

    Raises
    ------
    BriefFontError
        When no DejaVuSans.ttf is found; the message says how to install it.
    """
    env = os.environ.get(FONT_ENV)
    candidates = [Path(env)] if env else []
    candidates += [Path(d) / "DejaVuSans.ttf" for d in FONT_DIRS]
    for regular in candidates:
        if regular.is_file():
            bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
            return regular, bold if bold.is_file() else None
    raise BriefFontError(
        "PDF-sammanfattningen behöver typsnittet DejaVu Sans (för å, ä, ö och CO₂) men "
        "DejaVuSans.ttf hittades inte. Installera det med `apt-get install fonts-dejavu-core` "
        f"eller ange sökvägen i miljövariabeln {FONT_ENV}. / The PDF brief needs the DejaVu Sans "
        "font; install fonts-dejavu-core or set " + FONT_ENV + ".")


class _Pdf:
    """Thin layout helper around fpdf2 (millimetres, A4, no automatic page breaks)."""

    W, H, M = 210.0, 297.0, 12.0
    GREY, DARK, BLUE, GREEN, ORANGE = (85, 85, 85), (26, 26, 26), (0, 114, 178), (27, 110, 58), (213, 94, 0)

    def __init__(self, lang: str, title: str) -> None:
        from fpdf import FPDF

        regular, bold = find_font()
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_margins(self.M, self.M, self.M)
        pdf.set_auto_page_break(False)
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold or regular))
        pdf.set_title(title)
        pdf.set_lang("sv-SE" if lang == "sv" else "en-GB")
        pdf.set_creator(f"Klimatvägar {MODEL_VERSION}")
        pdf.add_page()
        pdf.c_margin = 0.8
        self.pdf = pdf
        self.cw = self.W - 2 * self.M

    def font(self, size: float, bold: bool = False, color: tuple[int, int, int] | None = None) -> None:
        self.pdf.set_font("DejaVu", "B" if bold else "", size)
        self.pdf.set_text_color(*(color or self.DARK))

    def height(self, w: float, lh: float, text: str) -> float:
        from fpdf.enums import MethodReturnValue

        return float(self.pdf.multi_cell(w, lh, text, dry_run=True, output=MethodReturnValue.HEIGHT))

    def text(self, x: float, y: float, w: float, lh: float, text: str, align: str = "L",
             wrap: str = "WORD", link: str = "") -> float:
        """Write wrapped text at (x, y); returns the y below it."""
        from fpdf.enums import WrapMode, XPos, YPos

        self.pdf.set_xy(x, y)
        self.pdf.multi_cell(w, lh, text, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT,
                            wrapmode=WrapMode.CHAR if wrap == "CHAR" else WrapMode.WORD, link=link)
        return float(self.pdf.get_y())

    def line(self, y: float, color: tuple[int, int, int] = (204, 204, 204), width: float = 0.3) -> None:
        self.pdf.set_draw_color(*color)
        self.pdf.set_line_width(width)
        self.pdf.line(self.M, y, self.W - self.M, y)


def brief_pdf(result: ScenarioResult, lang: str = "sv", share_url: str = "", *,
              today: _dt.date | None = None, scenario_name: str | None = None) -> bytes:
    """The one-page scenario brief as a PDF (A4, always exactly one page).

    Same content and figures as :func:`brief_html`. If the assumptions do not fit, the
    list is cut and ends with "… och N åtgärder till" (the full list is in the Excel file).

    Raises
    ------
    BriefFontError
        When DejaVu Sans is not installed (see :func:`find_font`).
    """
    find_font()  # fail before the (slower) chart rendering
    b = _brief(result, lang, share_url, today, scenario_name)
    doc = _Pdf(b.lang, b.title)
    pdf, M, cw = doc.pdf, doc.M, doc.cw

    # Header, title, subtitle.
    doc.font(7.5, color=doc.GREY)
    doc.text(M, M, cw / 2, 3.5, b.kind)
    doc.text(M + cw / 2, M, cw / 2, 3.5, b.date, align="R")
    doc.font(16, bold=True)
    y = doc.text(M, M + 4.5, cw, 7, b.title)
    doc.font(8.5, color=(68, 68, 68))
    y = doc.text(M, y + 0.5, cw, 4, b.subtitle) + 2

    # Headline figures: four boxes.
    gap = 2.5
    bw = (cw - 3 * gap) / 4
    bh = 21.0
    for k, f in enumerate(b.figures):
        x = M + k * (bw + gap)
        accent = doc.BLUE if f.good is None else (doc.GREEN if f.good else doc.ORANGE)
        pdf.set_draw_color(204, 204, 204)
        pdf.set_line_width(0.3)
        pdf.rect(x, y, bw, bh)
        pdf.set_fill_color(*accent)
        pdf.rect(x, y, bw, 1.2, style="F")
        doc.font(7.5, color=(68, 68, 68))
        doc.text(x + 1.5, y + 2.2, bw - 3, 3.3, f.label)
        size = 13.0
        doc.font(size, bold=True)
        while pdf.get_string_width(f.value) > bw - 3 - 2 * pdf.c_margin - 0.3 and size > 7:
            size -= 0.5
            doc.font(size, bold=True)
        doc.text(x + 1.5, y + 8.6, bw - 3, 6, f.value)
        doc.font(6.8, color=doc.GREY)
        doc.text(x + 1.5, y + 15.0, bw - 3, 2.9, f.sub)
    y += bh + 3

    # Summary.
    doc.font(9)
    y = doc.text(M, y, cw, 4.2, " ".join(b.summary))
    if b.notes:
        doc.font(7.5, color=doc.GREY)
        y = doc.text(M, y + 0.5, cw, 3.4, " ".join(b.notes))
    y += 2

    # Chart.
    doc.font(10, bold=True)
    y = doc.text(M, y, cw, 5, b.chart_title) + 0.5
    from PIL import Image  # fpdf2 depends on Pillow

    with Image.open(io.BytesIO(b.chart_png)) as im:
        px_w, px_h = im.size
    ch = cw * px_h / px_w
    pdf.image(io.BytesIO(b.chart_png), x=M, y=y, w=cw, h=ch, alt_text=b.chart_description)
    y += ch + 2.5

    # Measures (left) and actors (right).
    lw, rw, sep = cw * 0.55, cw * 0.41, cw * 0.04
    top = y
    doc.font(10, bold=True)
    y_left = doc.text(M, y, lw, 5, b.measures_title) + 0.5
    if b.measures:
        doc.font(8.5)
        c2 = max(16.0, max(pdf.get_string_width(v) for _, v, _ in b.measures) + 2 * pdf.c_margin + 1)
        doc.font(8.5, bold=True)
        c3 = max(22.0, max(pdf.get_string_width(r) for _, _, r in b.measures) + 2 * pdf.c_margin + 1)
        c1 = lw - c2 - c3
        doc.font(7.5, bold=True, color=doc.GREY)
        doc.text(M, y_left, c1, 3.6, b.measure_headers[0])
        doc.text(M + c1, y_left, c2, 3.6, b.measure_headers[1], align="R")
        doc.text(M + c1 + c2, y_left, c3, 3.6, b.measure_headers[2], align="R")
        y_left += 4
        for label, value, red in b.measures:
            doc.font(8.5)
            row_end = doc.text(M, y_left, c1, 3.9, label)
            doc.text(M + c1, y_left, c2, 3.9, value, align="R")
            doc.font(8.5, bold=True)
            doc.text(M + c1 + c2, y_left, c3, 3.9, red, align="R")
            pdf.set_draw_color(221, 221, 221)
            pdf.set_line_width(0.2)
            pdf.line(M, row_end + 0.3, M + lw, row_end + 0.3)
            y_left = row_end + 0.7
    else:
        doc.font(8.5)
        y_left = doc.text(M, y_left, lw, 4, b.measures_none)
    xr = M + lw + sep
    doc.font(10, bold=True)
    y_right = doc.text(xr, top, rw, 5, b.actors_title) + 0.5
    doc.font(8.5, bold=True)
    name_w = max(pdf.get_string_width(label) for label, _, _ in [*b.actors, (b.actors_total[0], "", 0)])
    name_w += 2 * pdf.c_margin + 1.5
    num_w = max(pdf.get_string_width(v) for v in [b.actors_total[1], *(v for _, v, _ in b.actors)])
    num_w += 2 * pdf.c_margin + 1
    bar_w = rw - name_w - num_w - 1
    for label, value, share in b.actors:
        doc.font(8.5)
        doc.text(xr, y_right, name_w, 4.2, label)
        if share > 0:
            pdf.set_fill_color(*doc.BLUE)
            pdf.rect(xr + name_w, y_right + 1.0, max(0.4, min(share, 1.0) * bar_w), 2.4, style="F")
        doc.text(xr + rw - num_w, y_right, num_w, 4.2, value, align="R")
        y_right += 4.6
    doc.font(8.5, bold=True)
    doc.text(xr, y_right, name_w, 4.2, b.actors_total[0])
    doc.text(xr + rw - num_w, y_right, num_w, 4.2, b.actors_total[1], align="R")
    y_right += 4.6
    doc.font(6.8, color=doc.GREY)
    y_right = doc.text(xr, y_right, rw, 3, b.actors_note)
    y = max(y_left, y_right) + 2.5

    # Footer (fixed at the bottom): QR code, link, source line.
    qr = 27.0
    text_w = cw - qr - 4
    doc.font(7)
    source_h = doc.height(text_w, 3.1, b.source_line)
    pdf.set_font("DejaVu", "", 6.8)
    url_h = doc.height(text_w, 3.0, b.share_url) if b.share_url else 0.0
    link_block = (4.5 + url_h + 3.2 + 1.5) if b.share_url else 0.0
    footer_h = max(qr if b.qr_png else 0.0, link_block + source_h) + 2.5
    footer_top = doc.H - M - footer_h

    # Assumptions: as many as fit between the tables and the footer.
    doc.font(10, bold=True)
    y = doc.text(M, y, cw, 5, b.assumptions_title) + 0.3
    room = footer_top - 1.5 - y
    doc.font(7)
    lh = 3.1
    bullet = 3.5
    heights = [doc.height(cw - bullet, lh, a) + 0.4 for a in b.assumptions]
    shown = len(b.assumptions)
    more_h = lh + 0.4
    if sum(heights) > room:
        shown = 0
        used = 0.0
        while shown < len(heights) and used + heights[shown] + more_h <= room:
            used += heights[shown]
            shown += 1
    for a in b.assumptions[:shown]:
        doc.font(7, color=(51, 51, 51))
        doc.text(M - 0.8, y, bullet + 0.8, lh, "•")
        y = doc.text(M + bullet, y, cw - bullet, lh, a) + 0.4
    if shown < len(b.assumptions):
        doc.font(7, color=doc.GREY)
        text = b.assumptions_more.get(shown) or "…"
        y = doc.text(M + bullet, y, cw - bullet, lh, text) + 0.4

    doc.line(footer_top)
    fy = footer_top + 2
    if b.qr_png:
        pdf.image(io.BytesIO(b.qr_png), x=doc.W - M - qr, y=fy, w=qr, h=qr,
                  link=b.share_url if re.match(r"^https?://", b.share_url, re.I) else "",
                  alt_text=b.link_title + " (QR)")
    if b.share_url:
        doc.font(8.5, bold=True)
        fy = doc.text(M, fy, text_w, 4.5, b.link_title)
        pdf.set_font("DejaVu", "", 6.8)
        pdf.set_text_color(*doc.BLUE)
        href = b.share_url if re.match(r"^https?://", b.share_url, re.I) else ""
        fy = doc.text(M, fy, text_w, 3.0, b.share_url, wrap="CHAR", link=href)
        doc.font(7, color=doc.GREY)
        fy = doc.text(M, fy, text_w, 3.2, b.link_help) + 1.5
    doc.font(7, color=(68, 68, 68))
    doc.text(M, fy, text_w, 3.1, b.source_line)

    if pdf.page_no() != 1:  # pragma: no cover - auto page break is off; guard the promise anyway
        raise RuntimeError("brief_pdf: layout overflowed one page")
    return bytes(pdf.output())

