"""The "Data och metod" page in-process (streamlit.testing AppTest), for three kommuner and both languages."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from model.baseline import build_context
from model.data import inventory
from model.kommuner import find_kommun
from model.registry import load_registry
from model.sources import SOURCES, source_line
from ui.text.fmt import fmt_number
from ui.text.i18n import t

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "views" / "data_metod.py")
CASES = [("SV", "0381"), ("EN", "1480"), ("SV", "2403")]  # Enköping, Göteborg, Bjurholm (rural)
DOWNLOADS = ("dl_kommun_inventory", "dl_all_inventory", "dl_all_inventory_xlsx", "dl_population",
             "dl_population_xlsx", "dl_levers", "dl_parameters")


def _run(lang: str | None, code: str | None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if lang is not None:
        at.session_state["lang"] = lang
    if code is not None:
        at.session_state["kommun"] = code
    return at.run()


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def rendered(request: pytest.FixtureRequest) -> tuple[AppTest, str, str]:
    lang, code = request.param
    return _run(lang, code), lang.lower(), code


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    found = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(found) == 1, f"expected one table with column {column!r}"
    return found[0]


def test_no_exception_and_title(rendered: tuple[AppTest, str, str]) -> None:
    at, lang, code = rendered
    assert not at.exception
    assert at.title[0].value == t("page.data_method", lang)
    assert [tab.label for tab in at.tabs] == [t(f"data_page.tab.{n}", lang)
                                             for n in ("sources", "method", "levers", "kommun", "download")]
    assert find_kommun(code).name in at.caption[0].value


def test_lever_table_has_one_row_per_lever(rendered: tuple[AppTest, str, str]) -> None:
    at, lang, code = rendered
    reg = load_registry()
    df = _frame(at, t("data_page.col.lever", lang))
    assert len(df) == len(reg.levers)
    assert df[t("data_page.col.lever", lang)].tolist() == [lv.label[lang] for lv in reg.levers]
    nnm_col = t("data_page.col.nnm", lang, kommun=find_kommun(code).name)
    ev = build_context(code).nnm[reg.lever_ids.index("ev_cars")]
    assert df[nnm_col].iloc[0].startswith(fmt_number(ev, 0, lang))
    sources = df[t("data_page.col.source", lang)]
    assert (sources.str.len() > 0).all()
    assert sources.str.startswith(t("common.assumption", lang)).sum() == sum(lv.is_assumption for lv in reg.levers)


def test_sources_table_lists_every_file(rendered: tuple[AppTest, str, str]) -> None:
    at, lang, _ = rendered
    df = _frame(at, t("data_page.col.caveats", lang))
    assert df[t("data_page.col.file", lang)].tolist() == [s.file for s in SOURCES]
    assert (df[t("data_page.col.caveats", lang)].str.len() > 20).all()


def test_kommun_inputs_with_sources(rendered: tuple[AppTest, str, str]) -> None:
    at, lang, code = rendered
    captions = " ".join(c.value for c in at.caption)
    assert source_line("kommuner_emissions_by_sector.csv", lang) in captions
    assert source_line("kommuner_population.csv", lang) in captions
    inv = _frame(at, t("data_page.col.total_tonnes", lang))
    expected = inventory(code)
    assert inv[t("data_page.col.year", lang)].tolist() == [str(y) for y in expected.index]
    assert inv[t("data_page.col.total_tonnes", lang)].iloc[-1] == fmt_number(expected.iloc[-1].sum(), 0, lang)
    pop = _frame(at, t("data_page.col.population", lang))
    assert pop[t("data_page.col.year", lang)].iloc[-1] == "2025"


def test_parameter_table_has_every_parameter(rendered: tuple[AppTest, str, str]) -> None:
    at, lang, _ = rendered
    df = _frame(at, t("data_page.col.interval", lang))
    assert len(df) == len(load_registry().parameters)


def test_download_buttons_are_deferred(rendered: tuple[AppTest, str, str]) -> None:
    at, lang, code = rendered
    buttons = at.get("download_button")
    assert [b.proto.id.rsplit("-", 1)[-1] for b in buttons] == list(DOWNLOADS)
    for b in buttons:
        assert b.proto.deferred_file_id, "data must be a callable (built on click)"
        assert b.proto.ignore_rerun
    assert find_kommun(code).name in buttons[0].proto.label


def test_method_text_is_complete(rendered: tuple[AppTest, str, str]) -> None:
    at, lang, _ = rendered
    text = "\n".join(m.value for m in at.markdown)
    assert "{" not in text and "}" not in text, "unfilled placeholder"
    assert ("11,72\u00a0%" if lang == "sv" else "11.72%") in text
    assert "E18" not in text and "LULUCF" in text and "2019" in text
    assert [h.value for h in at.subheader][:2] == [t("data_page.method.data_h", lang),
                                                   t("data_page.method.baseline_h", lang)]


def test_swedish_and_enköping_by_default() -> None:
    at = _run(None, None)
    assert not at.exception
    assert at.title[0].value == "Data och metod"
    assert "Enköping (0381)" in at.caption[0].value


def test_unknown_kommun_falls_back_with_a_warning() -> None:
    at = _run("EN", "9999")
    assert not at.exception
    assert "9999" in at.warning[0].value and "Enköping" in at.warning[0].value
