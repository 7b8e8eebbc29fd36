"""Every text in the exports and on the Data och metod page in the chosen language (issue 10 item 8)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from model.kommuner import find_kommun
from model.registry import load_registry
from model.run import ScenarioResult, run_scenario
from model.scenario import load_scenario
from ui import exports
from ui.data_page.page import lever_table, parameter_table
from ui.exports.inputs import parameter_frame, source_text

ROOT = Path(__file__).resolve().parents[2]
# Words of the registry's developer English that must not reach a Swedish user.
LEAKS = ("assumption", "derived:", "model-methods", "Antagande: ")


@pytest.fixture(scope="module")
def result() -> ScenarioResult:
    return run_scenario(load_scenario(ROOT / "scenarios" / "klimatkontrakt.toml"))


@pytest.mark.parametrize(("raw", "sv", "en"), [
    ("assumption", "Antagande", "Assumption"),
    ("assumption (limits extrapolation)", "Antagande (limits extrapolation)", "Assumption (limits extrapolation)"),
    ("derived: 1 / (1 - 14/95.1)", "Härledd: 1 / (1 - 14/95.1)", "Derived: 1 / (1 - 14/95.1)"),
    ("Omsättning 6 %/år härledd (model-methods §2.1).",
     "Omsättning 6 %/år härledd (se fliken Metod under Data och metod).",
     "Omsättning 6 %/år härledd (see the Method tab under Data and method)."),
    ("x, see model-methods §2.1", "x, se fliken Metod under Data och metod",
     "x, see the Method tab under Data and method"),
    ("", "–", "–"),
])
def test_source_text_translates_the_registry_words(raw: str, sv: str, en: str) -> None:
    assert source_text(raw, "sv") == sv and source_text(raw, "en") == en


def _sheet_texts(xlsx: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(xlsx), read_only=True)
    return [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_xlsx_sources_have_no_developer_words(result: ScenarioResult, lang: str) -> None:
    texts = _sheet_texts(exports.scenario_xlsx(result, lang, "https://example.org/?v=1"))
    for text in texts:
        for leak in LEAKS:
            assert leak not in text, (leak, text)
    assumption = "Antagande" if lang == "sv" else "Assumption"
    assert any(text.startswith(assumption) for text in texts)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_data_page_tables_have_no_developer_words(lang: str) -> None:
    kommun = find_kommun("0381")
    for df in (lever_table(lang, kommun), parameter_table(lang), parameter_frame(lang)):
        for text in map(str, df.to_numpy().ravel()):
            for leak in ("derived:", "model-methods", "Antagande: assumption"):
                assert leak not in text, (leak, text)
    assert len(load_registry().parameters) == len(parameter_table(lang))
