"""AppTest flows for the "Jämför" page, run through app.py's navigation."""
from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from model.codec import default_state, encode
from model.data import SECTORS
from model.run import run_scenario
from model.scenario import ScenarioFileError, dumps_scenario, loads_scenario
from ui.compare.page import ITEMS_KEY, MAX_ITEMS, parse_link
from ui.scenario.levers import presets
from ui.state import widget_key
from ui.text.fmt import fmt_number
from ui.text.i18n import sector_label, t

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60
PAGE = "views/jamfor.py"


def _page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _items(at: AppTest) -> list[dict]:
    return list(at.session_state[ITEMS_KEY])


def _plain(text: str) -> str:
    """Message text without the markdown escapes the page adds to user-supplied parts."""
    return str(text).replace("\\", "")


def _link(code: str = "1480", **levers: str) -> str:
    params = encode(default_state(code))
    params.update(levers)
    return "https://klimatvagar.example/compare?" + urlencode(params)


def _add_link(at: AppTest, text: str) -> AppTest:
    at.text_input(key="cmp_link").input(text)
    at.button(key="cmp_add_link").click().run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "application/toml")).run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest, first_col: str):
    return next(d.value for d in at.dataframe if first_col in d.value.columns)


@pytest.fixture(scope="module")
def two_presets() -> AppTest:
    at = _page()
    at.button(key="cmp_add_preset_klimatkontrakt").click().run()
    at.button(key="cmp_add_preset_hog_ambition").click().run()
    assert not at.exception, at.exception
    return at


def test_empty_page_explains_what_to_do() -> None:
    at = _page()
    assert at.title[0].value == "Jämför scenarier"
    assert at.info[0].value == t("compare.empty", "sv")
    assert _items(at) == []


def test_presets_are_added_and_compared(two_presets: AppTest) -> None:
    at = two_presets
    items = _items(at)
    assert [i["uid"] for i in items] == ["preset:klimatkontrakt", "preset:hog_ambition"]
    assert pickle.loads(pickle.dumps(items)) == items, "session state holds plain picklable data"
    verdicts = _table(at, "Mått")
    assert list(verdicts.columns) == ["Mått", "Klimatkontrakt", "Hög ambition"]
    assert len(verdicts) == 8
    # Figures equal the model's own run of the preset as evaluated for Enköping (the sidebar kommun):
    # held within Enköping's ranges, exactly as the Scenario page applies it.
    from ui.scenario.presets import kommun_presets

    res = run_scenario(kommun_presets("0381")["klimatkontrakt"].scenario, "0381")
    net_row = verdicts[verdicts["Mått"] == "Nettoutsläpp 2030 (ton CO₂e)"].iloc[0]
    assert net_row["Klimatkontrakt"] == fmt_number(res.net[-1], 0, "sv")
    assert verdicts[verdicts["Mått"] == "Målet nås?"].iloc[0].tolist()[1:] == ["Nej", "Nej"]
    assert any("Enköping (följer sidofältet)" in _plain(m.value) for m in at.markdown)


def test_differences_table_has_one_row_per_sector(two_presets: AppTest) -> None:
    at = two_presets
    sectors = _table(at, "Sektor")
    assert list(sectors["Sektor"]) == [sector_label(s, "sv") for s in SECTORS]
    assert len(sectors) == len(SECTORS) == 9
    diff_col = "Hög ambition − Klimatkontrakt (ton CO₂e)"
    assert diff_col in sectors.columns
    kk = run_scenario(presets()["klimatkontrakt"], "0381").by_sector[:, -1]
    hog = run_scenario(presets()["hog_ambition"], "0381").by_sector[:, -1]
    assert list(sectors[diff_col]) == [fmt_number(d, 0, "sv", signed=True) for d in hog - kk]


def test_lever_table_lists_policy_and_every_lever(two_presets: AppTest) -> None:
    levers = _table(two_presets, "Spak")
    assert levers.iloc[0].tolist()[2:] == ["10\u00a0% från 2025", "Ursprunglig bana till 2030"]
    row = levers[levers["Spak"].str.startswith("Laddbara bilar")].iloc[0]
    assert (row["Klimatkontrakt"], row["Hög ambition"]) == ("80", "100")


def test_duplicate_is_not_added_twice(two_presets: AppTest) -> None:
    at = two_presets
    at.button(key="cmp_add_preset_klimatkontrakt").click().run()
    assert len(_items(at)) == 2
    assert "finns redan" in at.info[0].value


def test_valid_link_appears_with_its_own_kommun() -> None:
    at = _add_link(_page(), _link("1480", ev="90"))
    (item,) = _items(at)
    assert item["source"] == "link" and item["kommun"] == "1480" and item["levers"]["ev_cars"] == 90
    assert not at.warning, "a valid link gives no notice"
    assert "Göteborg (egen kommun från länken)" in _plain(" ".join(m.value for m in at.markdown))
    assert at.text_input(key="cmp_link").value == "", "the box is emptied after adding"
    assert _table(at, "Mått").iloc[0]["Länk 1 (Göteborg)"] == "Göteborg"


def test_bare_query_string_is_accepted() -> None:
    params, error = parse_link("?v=1&k=0180&ev=70")
    assert error is None and params["k"] == ["0180"]


@pytest.mark.parametrize("text", ["https://example.com/?v=1&ev=abc&k=Atlantis",
                                  "http://localhost:8501/?v=1&ev=<script>alert(1)</script>"])
def test_malformed_link_gives_notice_not_crash(text: str) -> None:
    at = _add_link(_page(), text)
    assert at.warning, "the decoding notices are shown"
    shown = " ".join(w.value for w in at.warning)
    assert "<script>" not in shown
    (item,) = _items(at)
    assert item["levers"]["ev_cars"] == default_state().levers["ev_cars"], "the broken part falls back"


@pytest.mark.parametrize("text", ["hello world", "https://example.com/page", "https://x.se/?foo=bar", ""])
def test_not_a_link_is_refused_with_a_message(text: str) -> None:
    at = _add_link(_page(), text)
    assert at.error and _items(at) == []


def test_malformed_file_shows_the_scenario_file_error() -> None:
    bad = b"format_version = 1\n[levers]\nev_cars = 150\n"
    with pytest.raises(ScenarioFileError):
        loads_scenario(bad)
    at = _upload(_page(), "trasig.toml", bad)
    assert _items(at) == []
    message = _plain(at.error[0].value)
    # The user's language only (not the bilingual str(exc) the CLI prints).
    assert "trasig.toml" in message and "Fältet levers.ev_cars har värdet 150; tillåtet är ett tal 0–100 %" in message
    assert "(field" not in message and "0.0" not in message, "Swedish only, Swedish number format"


@pytest.mark.parametrize("data", [b"\xff\xfe\x00binary", b"not = [valid toml", b"x" * (70 * 1024)])
def test_broken_files_never_crash(data: bytes) -> None:
    at = _upload(_page(), "x.toml", data)
    assert at.error and _items(at) == []


def test_valid_file_appears() -> None:
    sc = replace(presets()["klimatkontrakt"], id="min_plan", name={"sv": "Min plan", "en": "My plan"},
                 kommun="0380")
    at = _upload(_page(), "min_plan.toml", dumps_scenario(sc).encode("utf-8"))
    (item,) = _items(at)
    assert item["source"] == "file" and item["kommun"] == "0380"
    assert list(_table(at, "Mått").columns) == ["Mått", "Min plan"]
    assert "Uppsala (egen kommun från filen)" in _plain(" ".join(m.value for m in at.markdown))


def test_more_than_four_is_refused_with_a_message() -> None:
    at = _page()
    for key in ("cmp_add_current", "cmp_add_preset_nuvarande_politik", "cmp_add_preset_klimatkontrakt",
                "cmp_add_preset_hog_ambition"):
        at.button(key=key).click().run()
    assert len(_items(at)) == MAX_ITEMS
    _add_link(at, _link("0180"))
    assert len(_items(at)) == MAX_ITEMS
    assert at.error[0].value == t("compare.msg.full", "sv", max=MAX_ITEMS)
    assert at.text_input(key="cmp_link").value != "", "the refused link stays in the box"


def test_comparison_survives_page_switches_and_follows_the_scenario_page() -> None:
    at = _page()
    at.button(key="cmp_add_current").click().run()
    at.button(key="cmp_add_preset_klimatkontrakt").click().run()
    before = _table(at, "Mått")["Ditt scenario"].tolist()
    at.switch_page("views/scenario.py").run()
    at.slider(key="lv_car_traffic").set_value(20).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert [i["uid"] for i in _items(at)] == ["current", "preset:klimatkontrakt"]
    after = _table(at, "Mått")["Ditt scenario"].tolist()
    assert after[3] != before[3], "'Ditt scenario' is live: net emissions follow the lever change"


def test_removing_and_clearing() -> None:
    at = _page()
    at.button(key="cmp_add_preset_klimatkontrakt").click().run()
    at.button(key="cmp_add_preset_hog_ambition").click().run()
    at.button(key="cmp_rm_preset:klimatkontrakt").click().run()
    assert [i["uid"] for i in _items(at)] == ["preset:hog_ambition"]
    at.button(key="cmp_clear").click().run()
    assert _items(at) == [] and not at.exception


def test_english_and_sidebar_kommun() -> None:
    at = _page()
    at.button(key="cmp_add_preset_klimatkontrakt").click().run()
    at.selectbox(key=widget_key("kommun")).set_value("0180").run()
    at.button_group(key=widget_key("lang")).set_value("EN").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Compare scenarios"
    verdicts = _table(at, "Figure")
    assert verdicts.iloc[0]["Climate contract"] == "Stockholm", "presets follow the sidebar kommun"
    assert "Stockholm (follows the sidebar)" in _plain(" ".join(m.value for m in at.markdown))


def test_extra_sources_hook_for_workshop_submissions() -> None:
    params = encode(default_state("0180"))
    params["ev"] = "95"
    script = f"""
from ui import state
from ui.compare.page import render_compare_page
state.init_state()
render_compare_page("sv", extra_sources=[{{"key": "g1", "name": {{"sv": "Grupp 1", "en": "Group 1"}},
                                           "params": {params!r}}}])
"""
    at = AppTest.from_string(script, default_timeout=TIMEOUT).run()
    assert at.selectbox(key="cmp_extra").value == "g1"
    at.button(key="cmp_add_extra").click().run()
    assert not at.exception, at.exception
    (item,) = _items(at)
    assert item["source"] == "workshop" and item["kommun"] == "0180" and item["levers"]["ev_cars"] == 95
    assert list(_table(at, "Mått").columns) == ["Mått", "Grupp 1"]


def test_workshop_code_sits_in_the_sources_panel_below_the_title() -> None:
    at = _page()
    order = [getattr(n, "key", None) or type(n).__name__ for n in at.main]
    assert order.index("Title") < order.index("cmp_link") < order.index("cmp_ws_code")
