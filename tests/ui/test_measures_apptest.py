"""Own measures on the Scenario page (issue 13 item 6): the editor, the link, the profile file.

Figures are read where the user sees them: the net line of the main chart (its Arrow dataset),
compared with the same page before the measure. The expected tonnes are derived by hand from the
model's rule (``model.measures.measure_effects``): with every lever at "no new measures", a tonne
measure in full effect removes exactly its tonnes, and a percent measure that share of its
streams' baseline.
"""
from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from model.codec import default_state, encode
from model.data import SECTORS
from model.measures import OwnMeasure, SourceRef
from model.measures_link import encode_measures
from model.profiles import MAX_FILE_BYTES, load_profile
from model.profiles_parse import profile_from_text
from model.run import baseline_scenario, run_scenario
from ui import state as ui_state
from ui.scenario.measures import EXPANDER_KEY
from ui.scenario.measures_form import F
from ui.state import widget_key
from ui.text.i18n import t

APP = str(Path(__file__).resolve().parents[2] / "app.py")


TIMEOUT = 60
INDUSTRY = "Industri (energi + processer)"


def _app(params: dict[str, str] | None = None, open_editor: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    if open_editor:
        at.session_state[EXPANDER_KEY] = True
        at.run()
    return at


def _net(at: AppTest, year: int = 2030) -> float:
    """The main chart's net emissions in ``year`` (t CO2e), as drawn."""
    for el in at.get("vega_lite_chart"):
        data = {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets}
        lines = data.get("lines")
        if lines is not None and "series" in lines:
            net = lines[lines["series"].isin(["Nettoutsläpp", "Net emissions"])]
            return float(net.loc[net["year"] == year, "tonnes"].iloc[0])
    raise AssertionError("no main chart")


def _params(at: AppTest) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}


def _fill(at: AppTest, lang: str = "sv", **values: object) -> AppTest:
    """Type into the form and press its submit button."""
    for field, value in values.items():
        if field in ("target", "unit", "shape", "actor"):
            widget = at.radio if field == "unit" else at.selectbox
            widget(key=f"{F}{field}.{lang}").set_value(value)
        elif field in ("start", "full", "unc_lo", "unc_hi"):
            at.number_input(key=F + field).set_value(value)
        elif field == "src_sv":
            at.text_area(key=F + field).input(str(value))
        elif field == "assumption":
            at.checkbox(key=F + field).set_value(bool(value))
        else:
            at.text_input(key=F + field).input(str(value))
    at.button(key="om_submit").click().run()
    assert not at.exception, at.exception
    return at


def _measures(at: AppTest) -> tuple[OwnMeasure, ...]:
    return tuple(at.session_state[ui_state.MEASURES])


def _plain(text: str) -> str:
    """Markdown source as the user reads it (ui.render.safe_text escapes punctuation with a backslash)."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def _text(at: AppTest) -> str:
    return _plain(" ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption))


def _errors(at: AppTest) -> str:
    return _plain(" ".join(e.value for e in at.error))


def _warnings(at: AppTest) -> str:
    return _plain(" ".join(w.value for w in at.warning))


BIOGAS = {"name_sv": "Biogasbussar i Enköping", "target": "cars", "unit": "t", "effect": "5 000",
          "start": 2025, "full": 2030, "src_sv": "Kommunens klimatplan (exempel)"}


def test_add_a_tonne_measure_for_enkoping_cuts_net_2030_by_its_tonnes() -> None:
    at = _app()
    before = _net(at)
    _fill(at, **BIOGAS)
    (m,) = _measures(at)
    assert (m.stream, m.unit, m.effect, m.full, m.actor) == ("cars", "t", 5000.0, 2030, "kommun")
    assert m.name_en == m.name_sv, "one name serves both languages"
    assert before - _net(at) == pytest.approx(5000.0, abs=0.5)
    assert "Åtgärden ”Biogasbussar i Enköping” lades till." in [s.value for s in at.success]
    assert "Biogasbussar i Enköping" in _text(at)
    assert _params(at).get("om") == encode_measures([m]), "the share link carries the measure"
    assert "Din egna åtgärd minskar utsläppen med 5 000 ton CO₂e 2030." in _text(at).replace("\u00a0", " ")
    # The "Åtgärder och aktörer" tab: one waterfall bar for the measure, its tonnes with the kommun.
    at.session_state["results_tab_0381"] = t("results.tab.measures", "sv")
    at.session_state["results_waterfall_0381_table"] = True  # its table (a lazy expander)
    at.run()
    tables = [d.value for d in at.dataframe]
    wf = next(df for df in tables if "Steg" in df.columns)
    row = wf[wf["Steg"] == "Biogasbussar i Enköping"]
    assert len(row) == 1 and row.iloc[0]["Aktör"] == "Kommunen", wf
    assert row.iloc[0]["Källa"] == "Kommunens klimatplan (exempel)"
    assert row.iloc[0]["Förändring (ton CO₂e/år)"].replace("\u00a0", " ") == "−5 000"


def test_a_percent_measure_on_kirunas_industry_cuts_that_share_of_its_baseline() -> None:
    at = _app({"k": "2584"})
    before = _net(at)
    base = run_scenario(baseline_scenario("2584"))
    i = list(base.years).index(2030)
    expected = 0.10 * float(base.baseline_by_sector[SECTORS.index(INDUSTRY), i])
    assert expected > 0.05 * float(base.baseline_gross[i]), "Kiruna's industry is most of its emissions (SMHI)"
    _fill(at, name_sv="CCS vid verket", target="@" + INDUSTRY, unit="pct", effect="10", start=2026, full=2030,
          actor="business", src_sv="Antagande för testet", assumption=True)
    (m,) = _measures(at)
    assert m.sector == INDUSTRY and m.source.assumption
    assert before - _net(at) == pytest.approx(expected, rel=1e-6)


def test_edit_and_remove() -> None:
    at = _app()
    before = _net(at)
    _fill(at, **BIOGAS)
    mid = _measures(at)[0].id
    at.button(key=f"om_edit_{mid}").click().run()
    assert at.text_input(key=F + "effect").value == "5000", "the form holds the measure being edited"
    assert at.text_input(key=F + "name_sv").value == BIOGAS["name_sv"]
    _fill(at, effect="2000")
    (m,) = _measures(at)
    assert m.id == mid and m.effect == 2000.0
    assert before - _net(at) == pytest.approx(2000.0, abs=0.5)
    assert at.text_input(key=F + "name_sv").value == "", "the form is empty again after saving"
    at.button(key=f"om_del_{mid}").click().run()
    assert _measures(at) == ()
    assert _net(at) == pytest.approx(before, abs=1e-6)
    assert "om" not in _params(at)


@pytest.mark.parametrize("lang,expected", [("sv", "ett tal 0–100 %"), ("en", "a number 0–100 %")])
def test_a_bad_value_is_named_under_its_field_in_the_users_language(lang: str, expected: str) -> None:
    at = _app({"lang": lang})
    before = _net(at)
    _fill(at, lang, name_sv="För mycket", target="cars", unit="pct", effect="150", src_sv="x")
    errors = _errors(at)
    assert f"{t('measures.field.effect', lang)}: " in errors and expected in errors and " 150 " in errors, errors
    assert _measures(at) == () and _net(at) == before, "nothing changes"
    _fill(at, lang, effect="12,5", full=2024, start=2026)
    assert t("measures.field.start", lang) in _errors(at)


def test_a_link_with_om_restores_the_measures() -> None:
    m = OwnMeasure("biogas", "Biogas", "Biogas", "cars", None, "t", 5000.0, 2025, 2030, "linear", "kommun",
                   SourceRef("Plan", "Plan"))
    params = {**encode(default_state()), "om": encode_measures([m])}
    plain = _app(dict(encode(default_state())), open_editor=False)
    at = _app(params)
    assert _measures(at) == (m,)
    assert not at.warning, "a valid link gives no notice"
    assert _net(plain) - _net(at) == pytest.approx(5000.0, abs=0.5)
    assert "Biogas" in _text(at)


@pytest.mark.parametrize("om,words", [
    ("1.!!!", "gick inte att läsa"),
    ("9.eJyLjgUAARUAuQ", "formatversion 9"),
    (encode_measures([OwnMeasure("x", "X", "X", "cars", None, "t", 5.0, 2025, 2030, "linear", "kommun",
                                 SourceRef("s", "s"))]).replace("1.", "1.A", 1), "gick inte att läsa"),
])
def test_a_hostile_om_gives_a_notice_and_no_measures(om: str, words: str) -> None:
    at = _app({**encode(default_state()), "om": om}, open_editor=False)
    text = _warnings(at)
    assert words in text, text
    assert _measures(at) == ()
    assert at.metric, "the page still shows figures"


def test_an_invalid_measure_in_a_link_is_named() -> None:
    """A well-formed ``om`` whose measure has 250 %: that measure is dropped with a notice naming it."""
    ok = OwnMeasure("x", "X", "X", "cars", None, "pct", 100.0, 2025, 2030, "linear", "kommun", SourceRef("s", "s"))
    body = encode_measures([ok]).split(".", 1)[1]
    rows = json.loads(zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))
    rows[0][5] = 250.0  # the effect field of the link's row format (model/measures.py _FIELDS)
    om = "1." + base64.urlsafe_b64encode(zlib.compress(json.dumps(rows).encode())).decode().rstrip("=")
    at = _app({**encode(default_state()), "om": om}, open_editor=False)
    text = _warnings(at)
    assert "Egen åtgärd nr 1" in text and "effect" in text, text
    assert _measures(at) == ()


def test_profile_download_contains_the_measure_and_uploads_back() -> None:
    at = _app()
    _fill(at, **BIOGAS)
    (m,) = _measures(at)
    assert at.get("download_button"), "the profile download is offered"
    from ui.scenario.measures_form import profile_download
    data = _in_session(at, lambda: profile_download("0381"))
    profile = profile_from_text(data, "0381.toml", "0381")
    assert profile.measures == (m,)
    assert profile.notes == load_profile("0381").notes, "the rest of the profile is the kommun's"
    at.button(key=f"om_del_{m.id}").click().run()
    assert _measures(at) == ()
    at.file_uploader[0].set_value(("min-profil.toml", data, "application/toml")).run()
    assert not at.exception, at.exception
    assert _measures(at) == (m,)
    assert "min-profil.toml" in _plain(" ".join(s.value for s in at.success))


def _in_session(at: AppTest, fn):  # noqa: ANN001, ANN202 - test helper
    """Call ``fn`` with ``st.session_state`` bound to the AppTest session's values."""
    from unittest import mock

    import streamlit as st
    values = {k: at.session_state[k] for k in ("kommun", ui_state.MEASURES)}
    with mock.patch.object(st, "session_state", values):
        return fn()


@pytest.mark.parametrize("data,words", [
    (b"format_version = 1\nkommun = [[[", "rad"),
    (Path("kommuner/0481.toml").read_bytes(), "kommun"),
    (b"x" * (MAX_FILE_BYTES + 1), "65"),
])
def test_a_bad_profile_file_changes_nothing(data: bytes, words: str) -> None:
    at = _app()
    _fill(at, **BIOGAS)
    kept = _measures(at)
    at.file_uploader[0].set_value(("trasig.toml", data, "application/toml")).run()
    assert not at.exception, at.exception
    errors = _errors(at)
    assert "trasig.toml" in errors and words in errors and "Inget ändrades" in errors, errors
    assert _measures(at) == kept


def test_language_switch_keeps_the_measures() -> None:
    at = _app()
    _fill(at, **BIOGAS, name_en="Biogas buses")
    kept = _measures(at)
    at.button_group(key=widget_key("lang")).set_value("EN").run()
    assert not at.exception, at.exception
    assert _measures(at) == kept
    assert "Biogas buses" in _text(at)
    assert at.selectbox(key=F + "target.en").value == "cars", "the English form shows the same choice"


def test_profile_measures_can_be_switched_on() -> None:
    code = "0481"
    pm = load_profile(code).measures[0]
    at = _app({"k": code})
    before = _net(at)
    box = at.checkbox(key=f"om_p_{code}_{pm.id}")
    assert box.value is False
    box.check().run()
    assert _measures(at) == (pm,)
    assert _net(at) < before
    at.checkbox(key=f"om_p_{code}_{pm.id}").uncheck().run()
    assert _measures(at) == () and _net(at) == pytest.approx(before)


def test_reset_removes_them_and_can_be_undone() -> None:
    at = _app()
    _fill(at, **BIOGAS)
    kept = _measures(at)
    next(b for b in at.button if b.label == "Återställ").click().run()
    assert _measures(at) == ()
    at.button(key="om_undo").click().run()
    assert _measures(at) == kept


def test_a_kommun_change_drops_them_and_keep_brings_them_back() -> None:
    at = _app()
    _fill(at, **BIOGAS)
    kept = _measures(at)
    at.selectbox(key=widget_key("kommun")).set_value("0380").run()
    assert _measures(at) == ()
    keep = [b for b in at.button if b.label.startswith("Behåll min åtgärd")]
    assert keep, [b.label for b in at.button]
    keep[0].click().run()
    assert _measures(at) == kept


def test_share_link_of_the_page_opens_the_same_figures() -> None:
    at = _app()
    _fill(at, **BIOGAS)
    link = {k: v for k, v in _params(at).items()}
    again = _app(link, open_editor=False)
    assert _measures(again) == _measures(at)
    assert _net(again) == pytest.approx(_net(at))
    assert parse_qs(urlsplit("?" + "&".join(f"{k}={v}" for k, v in link.items())).query)["om"]


def test_no_measures_frame_is_unchanged() -> None:
    """Without own measures the export table is empty but typed (the XLSX leaves the sheet out)."""
    from ui.exports.tables import measures_table
    r = run_scenario(baseline_scenario("0381"))
    df = measures_table(r, "sv")
    assert isinstance(df, pd.DataFrame) and df.empty and "Källa" in df.columns


# ---------------------------------------------------------------- the form's conversions (no page)
@pytest.mark.parametrize("typed,value", [("1 234,5", 1234.5), ("1,234.5", 1234.5), ("800", 800.0),
                                         ("1\u00a0000", 1000.0), ("", None), ("  ", None), ("abc", "abc")])
def test_typed_numbers_in_both_conventions(typed: str, value: object) -> None:
    from ui.scenario.measures_form import _parse_number
    assert _parse_number(typed) == value


def test_one_name_and_one_source_serve_both_languages() -> None:
    from model.measures_parse import measure_from_dict
    from ui.scenario.measures_form import defaults, measure_raw
    values = {**defaults(), "name_sv": "Solceller på skolor", "effect": "120", "src_sv": "Antagande",
              "assumption": True, "cost_lo": "", "cost_hi": "1 500"}
    m = measure_from_dict(measure_raw(values, "sol"), "measure")
    assert (m.name_sv, m.name_en, m.source.en) == ("Solceller på skolor", "Solceller på skolor", "Antagande")
    assert m.cost_sek_per_t == (1500.0, 1500.0), "one cost figure is a range of one value"
    assert m.uncertainty == (1.0, 1.0) and m.source.assumption


def test_set_release_accepts_only_shipped_releases() -> None:
    def script() -> None:
        import streamlit as st

        from ui import state
        state.begin_run()
        state.set_release(st.session_state.get("want"))
        st.write(repr(state.release()), repr(state.current_link()))

    from model.data import list_releases
    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    ids = [r.id for r in list_releases()]
    for want, got in ((ids[-1], ids[-1]), ("smhi-1066", None), (None, None)):
        at.session_state["want"] = want
        at.run()
        assert not at.exception, at.exception
        assert at.session_state[ui_state.RELEASE] == got


def test_edit_keeps_the_id_and_remove_takes_it_out() -> None:
    """The editor's own behaviour (the figures are checked in test_edit_and_remove)."""
    at = _app()
    _fill(at, **BIOGAS)
    mid = _measures(at)[0].id
    at.button(key=f"om_edit_{mid}").click().run()
    assert at.text_input(key=F + "effect").value == "5000"
    assert at.button(key="om_submit").label == t("measures.editor.submit_edit", "sv")
    _fill(at, effect="2 000,5", unit="t")
    (m,) = _measures(at)
    assert (m.id, m.effect) == (mid, 2000.5)
    assert "Ändringarna i ”Biogasbussar i Enköping” sparades." in _plain(" ".join(s.value for s in at.success))
    at.button(key=f"om_del_{mid}").click().run()
    assert _measures(at) == ()
    assert "Biogasbussar i Enköping" not in _text(at).replace("”Biogasbussar i Enköping” togs bort", "")


def test_a_link_on_an_older_release_stays_on_it_until_set_release_none() -> None:
    """``d`` of the previous SMHI release: the session computes on it, and the link keeps it; the
    follow-up page's "same levers on the latest data" is ``state.set_release(None)``."""
    from model.data import list_releases
    older = min(list_releases(), key=lambda r: r.last_year)
    at = _app({**encode(default_state()), "d": str(older.last_year)}, open_editor=False)
    assert at.session_state[ui_state.RELEASE] == older.id
    assert _params(at)["d"] == str(older.last_year)
    on_older = _net(at, 2030)
    at.session_state[ui_state.RELEASE] = None  # what set_release(None) stores
    at.run()
    assert _params(at)["d"] == str(max(r.last_year for r in list_releases()))
    assert _net(at, 2030) != on_older, "the latest release gives other figures"


def test_jamfor_names_the_measures_of_a_pasted_link() -> None:
    m = OwnMeasure("biogas", "Biogasbussar", "Biogas buses", "cars", None, "t", 5000.0, 2025, 2030, "linear",
                   "kommun", SourceRef("Plan", "Plan"))
    query = "&".join(f"{k}={v}" for k, v in {**encode(default_state()), "om": encode_measures([m])}.items())
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/jamfor.py").run()
    at.text_input(key="cmp_link").input("https://klimat.example.se/?" + query)
    at.button(key="cmp_add_link").click().run()
    assert not at.exception, at.exception
    assert "Scenariot har 1 egen åtgärd: Biogasbussar." in _plain(" ".join(i.value for i in at.info))
    (item,) = at.session_state["cmp_items"]
    from ui.compare.sources import item_measures
    assert item_measures(item) == (m,)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_exports_list_the_measures_with_their_source(lang: str) -> None:
    import dataclasses

    from ui.exports.brief_text import _brief
    from ui.exports.tables import measures_table, readme_info
    m = OwnMeasure("ccs", "CCS vid verket", "CCS at the works", None, INDUSTRY, "pct", 10.0, 2026, 2030, "linear",
                   "business", SourceRef("En tiondel", "A tenth", assumption=True), (800.0, 1500.0))
    sc = dataclasses.replace(baseline_scenario("2584"), measures=(m,))
    r = run_scenario(sc)
    i = list(r.years).index(2030)
    expected = 0.10 * float(r.baseline_by_sector[SECTORS.index(INDUSTRY), i])
    df = measures_table(r, lang)
    assert len(df) == 1 and df.iloc[0, 0] == m.name(lang)
    assert df.iloc[0][t("measures.export.reduction", lang, year=2030)] == pytest.approx(expected, abs=0.01)
    assert df.iloc[0][t("measures.export.source", lang)] == t("measures.editor.assumption", lang,
                                                                source=m.source.en if lang == "en" else m.source.sv)
    assert m.name(lang) in readme_info(r, lang)[t("measures.export.readme", lang)]
    brief = _brief(r, lang, "", None, None, chart_scale=1)
    assert any(m.name(lang) in row[0] for row in brief.measures), brief.measures
    assert any(m.name(lang) in a and ("Antagande" in a or "Assumption" in a) for a in brief.assumptions)
