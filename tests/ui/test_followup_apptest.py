"""AppTest flows for the "Uppföljning" page and the older-release banner, through app.py's navigation."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from model.codec import Notice, default_state, encode
from model.followup import scenario_of_link
from model.scenario import dumps_scenario

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 90
PAGE = "views/uppfoljning.py"


def _open(kommun: str = "0381", lang: str = "sv", page: str | None = PAGE) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["k"] = kommun
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info] \
        + [w.value for w in at.warning] + [e.value for e in at.error] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def _d2023_link(kommun: str) -> str:
    params = encode(default_state(kommun))
    params["d"] = "2023"
    return "https://klimatvagar.example/?" + urlencode(params)


@pytest.mark.parametrize(("kommun", "name"), [("0381", "Enköping"), ("2584", "Kiruna")])
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_page_opens_current_scenario_on_latest(kommun, name, lang):
    at = _open(kommun, lang)
    text = _texts(at)
    # The current scenario is on the latest release: nothing measured since; the older release is offered.
    nothing = {"sv": "inget har mätts sedan dess ännu", "en": "nothing has been measured since yet"}[lang]
    assert nothing in text
    assert at.selectbox(key=f"fu_older.{lang}").value == "smhi-2023"
    heading = {"sv": f"{name}: planerat och uppmätt 2024", "en": f"{name}: planned and measured in 2024"}[lang]
    assert heading in text
    transport = {"sv": "Transporterna ökade", "en": "Transport emissions rose"}[lang]
    assert transport in text
    assert at.title[0].value == {"sv": "Uppföljning: plan mot utfall", "en": "Follow-up: plan against actual"}[lang]


def test_d2023_link_shows_the_sentences_enkoping():
    at = _open("0381", "sv")
    at.radio(key="fu_source.sv").set_value("link").run()
    at.text_input(key="fu_link").input(_d2023_link("0381")).run()
    assert not at.exception, at.exception
    text = _texts(at)
    assert "Transporterna ökade 20\u00a0% i stället för att minska 1\u00a0% som planerat." in text
    assert "De totala utsläppen ökade 12\u00a0% i stället för att minska 1\u00a0% som planerat." in text
    assert "Nu (från 2024, 237\u00a0000\u00a0ton CO₂e): 19,0\u00a0% minskning per år krävs." in text
    assert "inget har mätts" not in text


def test_d2023_link_in_english_kiruna():
    at = _open("0381", "en")
    at.radio(key="fu_source.en").set_value("link").run()
    at.text_input(key="fu_link").input(_d2023_link("2584")).run()
    text = _texts(at)
    assert "Kiruna: planned and measured in 2024" in text
    assert "Transport emissions rose 33% instead of falling 2% as planned." in text
    assert "Now (from 2024, 712,000\u00a0t CO₂e): a reduction of 34.6% a year is required." in text


def test_bad_pasted_link_gives_a_notice():
    at = _open("0381", "sv")
    at.radio(key="fu_source.sv").set_value("link").run()
    at.text_input(key="fu_link").input("det här är ingen länk").run()
    assert not at.exception, at.exception
    assert at.error, "a pasted non-link must give a message"
    at.text_input(key="fu_link").input(_d2023_link("0381") + "&ev=1000").run()
    assert not at.exception, at.exception
    assert at.warning and "1000" in at.warning[0].value
    assert "Transporterna ökade" in _texts(at)  # the rest of the link is still followed up


def test_uploaded_file_with_chosen_release():
    at = _open("0381", "en")
    at.radio(key="fu_source.en").set_value("file").run()
    data = dumps_scenario(scenario_of_link(default_state("2584"))).encode("utf-8")
    at.file_uploader(key="fu_file").set_value(("kiruna.toml", data, "application/toml")).run()
    assert not at.exception, at.exception
    assert "Kiruna: planned and measured in 2024" in _texts(at)
    at.file_uploader(key="fu_file").set_value(("bad.toml", b"levers = 3", "application/toml")).run()
    assert not at.exception, at.exception
    assert at.error and "bad.toml" in at.error[0].value.replace("\\", "")


def test_older_release_banner_opens_the_same_measures_on_latest():
    at = _open("0381", "sv", page=None)
    at.session_state["levers"] = {**at.session_state["levers"], "ev_cars": 80}
    at.session_state["release"] = "smhi-2023"
    # The banner says it already; the codec's data-release notice is not repeated under it.
    at.session_state["notices"] = [Notice("link.data_release", {"link": "2023", "now": "2024"}),
                                   Notice("link.bad_kommun", {"value": "9999", "default": "Enköping"})]
    at.run()
    assert not at.exception, at.exception
    text = _texts(at)
    assert "Länken skapades med SMHI-data t.o.m. 2023; figurerna visas på den utgåvan." in text
    assert "siffrorna räknas på den utgåvan" not in text and "9999" in text
    button = at.button(key="open_latest_release")
    assert button.label == "Öppna samma åtgärder på senaste data (t.o.m. 2024)"
    button.click().run()
    assert not at.exception, at.exception
    assert at.session_state["release"] is None
    assert at.session_state["levers"]["ev_cars"] == 80
    assert "figurerna visas på den utgåvan" not in _texts(at)


# --------------------------------------------------------------------------- the one-page report
def _flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.mark.parametrize(("kommun", "lang"), [("0381", "sv"), ("0381", "en"), ("2584", "sv")])
def test_report_pdf_is_one_page_with_the_page_figures(kommun, lang):
    import datetime as dt
    import html
    import io

    from pypdf import PdfReader

    from model.followup import followup
    from model.run import MODEL_VERSION
    from ui.exports.followup_report import followup_html, followup_pdf
    from ui.followup import text as ft

    f = followup(scenario_of_link(default_state(kommun)), "smhi-2023")
    url = _d2023_link(kommun)
    pdf = followup_pdf(f, lang, url, today=dt.date(2026, 12, 3))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842), "A4"
    text = reader.pages[0].extract_text()
    flat = _flat(text)
    doc = followup_html(f, lang, url, today=dt.date(2026, 12, 3))
    shown = [*ft.sentences(f, lang), *ft.rate_lines(f, lang), ft.revision_text(f, lang),
             ft.tonnes(f.total.expected_t[2024], lang), ft.tonnes(f.total.measured_t[2024], lang),
             ft.indicator_text(f.indicators[0], lang)]
    for line in shown:
        assert _flat(line) in flat, line
        assert html.escape(line) in doc, line
    assert f.kommun.name in flat and MODEL_VERSION in flat and "SMHI" in flat
    assert "d=2023" in text.replace("\n", "") and f"k={kommun}" in text.replace("\n", "")
    assert f'<html lang="{lang}">' in doc and "@page { size: A4" in doc


def test_workshop_submission_is_followed_up(store):
    from model.targets import TargetSpec

    ws, _key = store.create_workshop("Dialog", "2584", TargetSpec(), open_levers=["ev_cars", "car_traffic"])
    store.submit(ws.code, "Grupp A", {"ev_cars": 90, "car_traffic": 15}, "a" * 32)
    at = _open("0381", "sv")
    at.radio(key="fu_source.sv").set_value("workshop").run()
    assert "Ange workshopens kod" in _texts(at)
    at.text_input(key="cmp_ws_code").input(ws.code).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="fu_ws_pick").options == ["Dialog: Grupp A"]
    text = _texts(at)
    # A submission carries the latest release: nothing measured since, the older release is compared.
    assert "inget har mätts sedan dess ännu" in text and "Kiruna: planerat och uppmätt 2024" in text




def test_d2023_link_opens_on_its_release_and_is_followed_up_as_current():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in encode(default_state("0381")).items():
        at.query_params[k] = v
    at.query_params["d"] = "2023"
    at.run()
    assert not at.exception, at.exception
    assert "figurerna visas på den utgåvan" in _texts(at)
    at.switch_page(PAGE).run()
    text = _texts(at)
    assert "inget har mätts" not in text, "the current scenario is on smhi-2023: compared directly"
    assert "Transporterna ökade 20\u00a0% i stället för att minska 1\u00a0% som planerat." in text


def test_scenario_file_that_names_its_release():
    at = _open("0381", "sv")
    at.radio(key="fu_source.sv").set_value("file").run()
    sc = dataclasses.replace(scenario_of_link(default_state("0381")), release="smhi-2023")
    at.file_uploader(key="fu_file").set_value(("enk.toml", dumps_scenario(sc).encode(), "application/toml")).run()
    assert not at.exception, at.exception
    assert "Transporterna ökade 20" in _texts(at)
    assert all(s.key != "fu_file_release.sv" for s in at.selectbox)


@pytest.mark.parametrize(("lang", "words"), [("sv", "siffrorna räknas på den utgåvan"),
                                             ("en", "its figures are computed on that release")])
def test_data_release_notice_says_the_link_computes_on_its_own_release(lang: str, words: str) -> None:
    """Where the notice is shown without the banner (Jämför, a pasted link), it must not claim the latest data."""
    from ui.notices import notice_text

    text = notice_text(Notice("link.data_release", {"link": "2023", "now": "2024", "release": "smhi-2023"}), lang)
    assert words in text and "2023" in text and "2024" in text
