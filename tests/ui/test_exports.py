"""Tests for ui.exports: CSV for Swedish Excel, XLSX and chart images (the brief: test_exports_brief.py)."""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from model.data import SECTORS
from model.run import MODEL_VERSION, ScenarioResult

# Fixtures are found by pytest where they are imported.
from tests.ui.exportkit import TODAY, _png_size, _url
from ui import exports
from ui.text.i18n import t


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
    header = next(csv.reader(text.splitlines()[:1], delimiter=";"))
    assert header[0] == "År"
    assert "Egen uppvärmning av bostäder och lokaler, ton CO₂e/år" in header
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


def test_export_chart_frames_are_the_long_tables_figures(result: ScenarioResult) -> None:
    """The exported chart pivots from the canonical long table: the inventory, the projection by sector
    with removals as "Upptag", the baseline and net, each equal to the run (to float noise); the
    Scenario page draws the same columns."""
    import numpy as np
    import pandas as pd

    from model.data import SECTORS

    frames = {k: pd.DataFrame(v) if isinstance(v, dict) else v for k, v in exports.images._chart_frames(result).items()}
    hist = frames["history"]
    for year, values in result.history.items():
        got = hist[hist["year"] == year].set_index("sector")["tonnes"].reindex(list(SECTORS))
        assert np.allclose(got.to_numpy(), values, atol=1e-6), year
    scen = frames["scenario"]
    assert np.allclose(scen[scen["sector"] == "Upptag"]["tonnes"], result.removals)
    assert np.allclose(frames["net"]["tonnes"], result.net) and np.allclose(frames["baseline"]["tonnes"],
                                                                            result.baseline_gross)
    from ui.scenario.results_main import main_frames

    page = main_frames(result, "sv")
    for key in ("history", "scenario", "baseline", "net"):
        assert pd.DataFrame(page[key]).equals(frames[key]), key
    width, height = _png_size(exports.chart_png(exports.main_chart_spec(result, "sv"), scale=1))
    assert width > 400 and height > 250
