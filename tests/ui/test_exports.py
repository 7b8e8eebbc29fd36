"""Tests for ui.exports: CSV for Swedish Excel, XLSX, chart images and the one-page brief."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import struct
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import pytest

from model.codec import LinkState, encode
from model.data import SECTORS
from model.run import MODEL_VERSION, ScenarioResult, baseline_scenario, run_scenario
from model.scenario import load_scenario
from model.targets import TargetSpec
from ui import exports
from ui.fmt import fmt_tonnes
from ui.i18n import catalog, placeholders, t

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 29)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _url(result: ScenarioResult, lang: str = "sv") -> str:
    sc = result.scenario
    state = LinkState(result.kommun.code, lang, sc.national_policy, sc.horizon, sc.target,
                      dict(result.lever_values))
    return "https://klimatvagar.example.se/?" + urlencode(encode(state))


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def _flat(text: str) -> str:
    """Whitespace-normalised text (NBSP and line breaks become single spaces)."""
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.fixture(scope="module")
def result() -> ScenarioResult:
    return run_scenario(load_scenario(ROOT / "scenarios" / "klimatkontrakt.toml"))


@pytest.fixture(scope="module")
def briefs(result: ScenarioResult) -> dict[str, tuple[str, bytes]]:
    """HTML and PDF of the klimatkontrakt brief in both languages (rendered once)."""
    out = {}
    for lang in ("sv", "en"):
        url = _url(result, lang)
        out[lang] = (exports.brief_html(result, lang, url, today=TODAY),
                     exports.brief_pdf(result, lang, url, today=TODAY))
    return out


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


# --------------------------------------------------------------------------- tables
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_scenario_table_holds_history_and_projection(result: ScenarioResult, lang: str) -> None:
    df = exports.scenario_table(result, lang)
    year = t("exports.col.year", lang)
    assert df[year].tolist() == [1990, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, *range(2024, 2031)]
    assert len(df.columns) == 2 + len(SECTORS) + 4
    assert all(("CO₂" in c) for c in df.columns[2:]), "every figure column names its unit"
    last = df[df[year] == 2030].iloc[0]
    net = t("exports.col.net", lang)
    assert last[net] == pytest.approx(result.net[-1], abs=0.01)
    assert last[t("exports.col.baseline", lang)] == pytest.approx(result.baseline_gross[-1], abs=0.01)
    assert last[t("exports.col.removals", lang)] == pytest.approx(result.removals[-1], abs=0.01)
    sector_cols = df.columns[2:2 + len(SECTORS)]
    np.testing.assert_allclose(last[sector_cols].to_numpy(float), result.by_sector[:, -1], atol=0.01)
    y1990 = df[df[year] == 1990].iloc[0]
    assert y1990[t("exports.col.gross", lang)] == pytest.approx(result.history[1990].sum(), abs=0.01)
    assert np.isnan(y1990[net]), "no modelled net for inventory-only years"
    assert y1990[t("exports.col.kind", lang)] == t("exports.kind.history", lang)
    assert last[t("exports.col.kind", lang)] == t("exports.kind.forecast", lang)


def test_csv_round_trips_for_swedish_excel(result: ScenarioResult) -> None:
    df = exports.scenario_table(result, "sv")
    raw = exports.to_excel_csv(df)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads å/ä/ö"
    text = raw.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.split(";")[0] == "År"
    assert "Egen uppvärmning av bostäder och lokaler, ton CO₂e/år" in header.split(";")
    assert "236604,85" in text, "decimal comma, no thousands separator"
    back = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(back.columns) == list(df.columns)
    pd.testing.assert_frame_equal(back, df, check_dtype=False, rtol=1e-12, atol=1e-9)
    assert back.loc[back["År"] == 2030, "Nettoutsläpp, ton CO₂e/år"].iloc[0] == \
        pytest.approx(result.net[-1], abs=0.01)
    assert "Uppmätt (SMHI)" in set(back["Typ"])


def test_csv_defuses_formula_text_but_keeps_numbers() -> None:
    df = pd.DataFrame({"Namn": ["=HYPERLINK(\"http://x\")", "+1", "@SUM(A1)", "Enköping"],
                       "Värde": [-1.5, 2.25, -3.0, 4.0]})
    back = pd.read_csv(io.BytesIO(exports.to_excel_csv(df)), sep=";", decimal=",", encoding="utf-8-sig")
    assert back["Namn"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1", "'@SUM(A1)", "Enköping"]
    assert back["Värde"].tolist() == [-1.5, 2.25, -3.0, 4.0]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_xlsx_has_figures_and_readme_with_link(result: ScenarioResult, lang: str) -> None:
    from openpyxl import load_workbook

    url = _url(result, lang)
    wb = load_workbook(io.BytesIO(exports.scenario_xlsx(result, lang, url, today=TODAY)))
    names = [t(f"exports.sheet.{k}", lang) for k in ("readme", "emissions", "levers", "targets")]
    assert wb.sheetnames == names
    readme = {r[0]: r[1] for r in wb[names[0]].iter_rows(values_only=True)}
    assert readme[t("exports.readme.link", lang)] == url
    link_row = next(r for r in wb[names[0]].iter_rows() if r[0].value == t("exports.readme.link", lang))
    assert link_row[1].hyperlink is not None and link_row[1].hyperlink.target == url
    assert readme[t("exports.readme.model_version", lang)] == MODEL_VERSION
    assert readme[t("exports.readme.kommun", lang)] == "Enköping (0381)"
    assert readme[t("exports.readme.date", lang)] == "2026-11-29"
    assert "SMHI" in readme[t("exports.readme.emissions_source", lang)]
    assert "CO₂e" in readme[t("exports.readme.units", lang)]

    rows = list(wb[names[1]].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[0] == t("exports.col.year", lang)
    net_col = header.index(t("exports.col.net", lang))
    y2030 = next(r for r in body if r[0] == 2030)
    assert y2030[net_col] == pytest.approx(result.net[-1], abs=0.01)
    y1990 = next(r for r in body if r[0] == 1990)
    assert y1990[net_col] is None, "missing values are blank cells"

    levers = list(wb[names[2]].iter_rows(values_only=True))
    ids = [r[1] for r in levers[1:]]
    assert "ev_cars" in ids and len(ids) == len(result.lever_values)
    targets = list(wb[names[3]].iter_rows(values_only=True))
    assert len(targets) == 1 + len(result.targets)


def test_xlsx_keeps_hostile_text_as_text() -> None:
    from openpyxl import load_workbook

    df = pd.DataFrame({"Namn": ["=1+1", "http://evil.example"], "Värde": [1.0, float("nan")]})
    raw = exports.to_xlsx({"a/b:c*d?[e]" * 4: df, "Data": df},
                          {"Scenario": "=cmd|' /C calc'!A0", "Länk": "javascript:alert(1)"})
    wb = load_workbook(io.BytesIO(raw))
    assert wb.sheetnames[0] == "README"
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in wb.sheetnames)
    ws = wb[wb.sheetnames[1]]
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s"
    assert ws["A3"].hyperlink is None
    assert ws["B3"].value is None
    readme = wb["README"]
    assert readme["B1"].data_type == "s" and readme["B2"].hyperlink is None


# --------------------------------------------------------------------------- charts
def test_chart_png_and_svg(result: ScenarioResult) -> None:
    spec = exports.main_chart_spec(result, "sv")
    width, height = _png_size(exports.chart_png(spec, scale=1))
    assert 600 <= width <= 1400 and 300 <= height <= 900 and width > height
    w2, h2 = _png_size(exports.chart_png(spec, scale=2))
    assert abs(w2 - 2 * width) <= 2 and abs(h2 - 2 * height) <= 2
    svg = exports.chart_svg(spec)
    assert isinstance(svg, str)
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "Transporter" in svg


def test_fallback_chart_spec_renders(result: ScenarioResult) -> None:
    frames = exports.images._chart_frames(result, "sv")
    spec = exports.images._simple_chart_spec(frames, "sv")
    width, height = _png_size(exports.chart_png(spec, scale=1))
    assert width > 400 and height > 250


# --------------------------------------------------------------------------- brief
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_pdf_is_one_a4_page_with_the_key_facts(result: ScenarioResult, briefs, lang: str) -> None:
    from pypdf import PdfReader

    html_doc, pdf = briefs[lang]
    assert pdf.startswith(b"%PDF-")
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842), "A4"
    pages, text = _pdf_text(pdf)
    assert pages == 1
    flat = _flat(text)
    net = fmt_tonnes(result.net[-1], lang, co2e=True)
    assert html.escape(net) in html_doc, "the HTML shows the same figure"
    assert _flat(net) in flat
    assert "Enköping" in flat
    assert "SMHI" in flat
    assert MODEL_VERSION in flat
    assert "k=0381" in text.replace("\n", ""), "the share link is printed"
    assert "klimatvagar.example.se" in text.replace("\n", "")
    assert t("exports.brief.assumptions", lang) in flat
    for actor in ("kommun", "state_eu", "business", "residents"):
        assert _flat(t(f"actor.{actor}", lang)) in flat
    if lang == "sv":
        assert "Källa: SMHI Nationella emissionsdatabasen, utgåva med data t.o.m. 2024" in flat
        assert "prognos: Klimatvägar-modellen version " + MODEL_VERSION in flat
        assert "Största åtgärderna 2030" in flat and "inte före" in flat
    else:
        assert "Source: SMHI National Emissions Database" in flat
        assert "Largest measures 2030" in flat and "not before" in flat


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_html_is_self_contained_and_printable(result: ScenarioResult, briefs, lang: str) -> None:
    doc, _ = briefs[lang]
    assert doc.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in doc
    assert "@page { size: A4" in doc
    assert "<script" not in doc.lower()
    assert "<link" not in doc.lower()
    srcs = re.findall(r'src="([^"]*)"', doc)
    assert len(srcs) == 2, "the chart and the QR code"
    assert all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "Enköping" in doc and "SMHI" in doc
    assert html.escape(_url(result, lang)) in doc
    # The top lever by contribution is listed with its tonnes.
    assert html.escape(t("exports.brief.measures", lang, year=2030)) in doc


def test_html_escapes_hostile_names_and_links(result: ScenarioResult) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    sc = replace(result.scenario, name={"sv": hostile, "en": hostile})
    evil = replace(result, scenario=sc)
    doc = exports.brief_html(evil, "sv", 'javascript:alert(1)//"><script>alert(2)</script>', today=TODAY)
    assert "<script" not in doc.lower()
    assert "<img src=x" not in doc and "&lt;img src=x onerror=alert(1)&gt;" in doc
    assert "&lt;script&gt;" in doc
    assert 'href="javascript' not in doc.lower()
    assert len(re.findall(r"<img ", doc)) == 2
    pdf = exports.brief_pdf(evil, "sv", "https://x.example/?k=0381", today=TODAY)
    pages, text = _pdf_text(pdf)
    assert pages == 1 and "<script>" in text  # plain text in a PDF, shown as typed


def test_qr_code_is_embedded_and_deterministic(result: ScenarioResult, briefs) -> None:
    import segno

    url = _url(result, "sv")
    png = exports.qr_png(url)
    width, height = _png_size(png)
    assert width == height and width >= 200
    assert png == exports.qr_png(url)
    a, b = segno.make(url, error="m", micro=False), segno.make(url, error="m", micro=False)
    assert a.version == b.version and a.designator == b.designator
    assert list(a.matrix) == list(b.matrix)
    assert exports.html_brief._data_uri(png) in briefs["sv"][0]


def test_brief_without_measures_and_without_link() -> None:
    base = run_scenario(baseline_scenario())
    doc = exports.brief_html(base, "sv", "", today=TODAY)
    assert html.escape(t("exports.brief.measures_none", "sv")) in doc
    assert len(re.findall(r"<img ", doc)) == 1, "no QR code without a link"
    pages, text = _pdf_text(exports.brief_pdf(base, "sv", "", today=TODAY))
    assert pages == 1 and "Utan nya åtgärder" in text


def test_brief_for_a_2045_target_on_a_2030_horizon() -> None:
    sc = replace(load_scenario(ROOT / "scenarios" / "hog_ambition.toml"),
                 target=TargetSpec(selected="national_2045"))
    res = run_scenario(sc)
    assert not res.target("national_2045").evaluable
    doc = exports.brief_html(res, "en", _url(res, "en"), today=TODAY)
    assert html.escape(t("exports.brief.target_note", "en", year=2045)) in doc
    pages, _ = _pdf_text(exports.brief_pdf(res, "en", _url(res, "en"), today=TODAY))
    assert pages == 1


def test_brief_stays_on_one_page_for_a_long_name_and_2045_horizon() -> None:
    sc = replace(load_scenario(ROOT / "scenarios" / "hog_ambition.toml"), horizon=2045,
                 name={"sv": "Ett mycket långt scenarionamn " * 8},
                 target=TargetSpec(selected="carbon_law"))
    res = run_scenario(sc, "Upplands Väsby")
    pages, text = _pdf_text(exports.brief_pdf(res, "sv", _url(res), today=TODAY))
    assert pages == 1
    flat = _flat(text)
    assert "Upplands Väsby" in flat
    assert "…" in flat, "the name is shortened"
    # A path target is a cumulative budget: totals instead of a "year met".
    v = res.target("carbon_law")
    span = {"from_year": v.details["from_year"], "to_year": v.details["to_year"]}
    assert t("exports.fig.cumulative", "sv", **span) in flat
    assert _flat(fmt_tonnes(v.cumulative_t, "sv", co2e=True)) in flat
    assert "inte före" not in flat


def test_pdf_without_font_fails_with_a_clear_error(result: ScenarioResult, monkeypatch) -> None:
    monkeypatch.setattr(exports.pdf_brief, "FONT_DIRS", ())
    monkeypatch.setenv(exports.FONT_ENV, "/nonexistent/DejaVuSans.ttf")
    with pytest.raises(exports.BriefFontError, match="fonts-dejavu-core"):
        exports.brief_pdf(result, "sv", "https://x.example/", today=TODAY)


# --------------------------------------------------------------------------- catalogs and layering
def test_export_catalogs_match() -> None:
    sv = {k: v for k, v in catalog("sv").items() if k.startswith("exports.")}
    en = {k: v for k, v in catalog("en").items() if k.startswith("exports.")}
    assert len(sv) > 50 and set(sv) == set(en)
    assert {k: placeholders(v) for k, v in sv.items()} == {k: placeholders(v) for k, v in en.items()}


def test_exports_does_not_import_streamlit() -> None:
    code = "import sys, ui.exports; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
