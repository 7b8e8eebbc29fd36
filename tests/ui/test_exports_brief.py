"""Tests for the one-page brief (ui.exports): PDF on one A4 page, self-contained HTML, QR code."""
from __future__ import annotations

import html
import io
import re
import subprocess
import sys
from dataclasses import replace

import pytest

from model.run import MODEL_VERSION, ScenarioResult, baseline_scenario, run_scenario
from model.scenario import load_scenario
from model.targets import TargetSpec

# Fixtures are found by pytest where they are imported.
from tests.ui.exportkit import ROOT, TODAY, _flat, _pdf_text, _png_size, _url
from ui import exports
from ui.text.fmt import fmt_tonnes
from ui.text.i18n import catalog, placeholders, t


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
        assert "Största åtgärderna 2030" in flat and "inte till och med 2045" in flat
    else:
        assert "Source: SMHI National Emissions Database" in flat
        assert "Largest measures 2030" in flat and "not by 2045" in flat


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
    assert "inte till och med" not in flat


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
