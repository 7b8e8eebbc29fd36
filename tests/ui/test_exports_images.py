"""PNG/SVG chart exports carry their own title, kommun, scenario, target and source (issue 10, extras)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from model.run import MODEL_VERSION, ScenarioResult, run_scenario
from model.scenario import load_scenario
from ui import exports

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def result() -> ScenarioResult:
    return run_scenario(load_scenario(ROOT / "scenarios" / "klimatkontrakt.toml"))


@pytest.mark.parametrize(("lang", "words"), [
    ("sv", ("Utsläpp av växthusgaser, Enköping 1990–2030", "Scenario: Klimatkontrakt", "Mål: Klimatneutral",
            "Källa: SMHI Nationella emissionsdatabasen", "Skapad 2026-12-03")),
    ("en", ("Greenhouse gas emissions, Enköping 1990–2030", "Target: Climate neutral",
            "Source: SMHI National Emissions Database", "Created 2026-12-03")),
])
def test_svg_export_has_title_subtitle_and_source(result: ScenarioResult, lang: str, words: tuple) -> None:
    spec = exports.chart_export_spec(result, lang, today=TODAY)
    svg = exports.chart_svg(spec).replace("\u00a0", " ")
    for word in (*words, MODEL_VERSION):
        assert word in svg, word
    # The builder's cached layers are shared: the export must not have added its footer to them.
    assert len(exports.main_chart_spec(result, lang)["layer"]) == len(spec["layer"]) - 2


def test_png_export_is_taller_than_the_bare_chart(result: ScenarioResult) -> None:
    from tests.ui.exportkit import _png_size

    bare = _png_size(exports.chart_png(exports.main_chart_spec(result, "sv"), scale=1))
    full = _png_size(exports.chart_png(exports.chart_export_spec(result, "sv", today=TODAY), scale=1))
    assert full[1] >= bare[1] + 40  # title, subtitle and two footer lines


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_scenario_csv_has_a_metadata_file_and_stays_one_table(result: ScenarioResult, lang: str) -> None:
    import io

    import pandas as pd

    from ui.exports.spreadsheet import read_csv_kwargs

    meta = pd.read_csv(io.BytesIO(exports.scenario_metadata_csv(result, lang, "https://example.org/?v=1",
                                                                today=TODAY)), **read_csv_kwargs(lang))
    assert meta.shape[1] == 2
    text = " ".join(map(str, meta.to_numpy().ravel()))
    assert "Enköping (0381)" in text and "https://example.org/?v=1" in text and MODEL_VERSION in text
    assert ("SMHI Nationella" if lang == "sv" else "SMHI National") in text
    data = pd.read_csv(io.BytesIO(exports.scenario_csv(result, lang)), **read_csv_kwargs(lang))
    assert data.columns[0] == ("År" if lang == "sv" else "Year")  # no comment rows above the header
