"""AppTest flows for the dashboard frame and the Scenario page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from model.codec import LINK_VERSION, encode
from model.registry import load_registry
from tests.ui.levertabs import all_slider_values, group_ids, open_group, open_lever
from ui.state import lever_key, widget_key

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60
# Enköping, a big city, a rural kommun, an industrial kommun, a suburb, a northern rural kommun.
KOMMUNER = ["0381", "0180", "2321", "1480", "2584", "0114", "2418"]


def _app(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def _metrics(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def _levers(at: AppTest) -> dict[str, float]:
    return dict(at.session_state["levers"])


@pytest.fixture(scope="module")
def default_app() -> AppTest:
    return _app()


def test_default_opens_enkoping_in_swedish(default_app: AppTest) -> None:
    at = default_app
    assert not at.exception
    assert at.session_state["kommun"] == "0381"
    assert at.session_state["lang"] == "SV"
    # Lazy lever tabs: only the open group (Transporter) is drawn.
    assert [s.key for s in at.slider] == [lever_key(i) for i in group_ids("transport")]
    assert _metrics(at), "headline figures are shown"
    # The address bar holds a full, versioned link.
    qp = dict(at.query_params)
    assert qp.get("v") == str(LINK_VERSION)  # the link format version of this code


@pytest.mark.parametrize("code", KOMMUNER)
def test_every_kommun_renders(code: str) -> None:
    at = _app({"k": code})
    assert not at.exception, at.exception
    assert at.session_state["kommun"] == code
    assert not at.warning, "a valid link gives no notice"


def test_slider_change_changes_figures(default_app: AppTest) -> None:
    at = _app()
    before = _metrics(at)
    at.slider(key=lever_key("car_traffic")).set_value(20).run()
    assert not at.exception
    assert _levers(at)["car_traffic"] == 20
    assert _metrics(at) != before


def test_preset_loads_and_reset_restores() -> None:
    from ui.scenario.levers import kommun_presets

    at = _app()
    baseline_figures, baseline_levers = _metrics(at), _levers(at)
    # The preset held within Enköping's range (its 3 000 t biochar is above Enköping's 200 t).
    expected = kommun_presets("0381")["hog_ambition"].scenario.levers
    at.button_group(key="preset_choice.sv").set_value("hog_ambition").run()
    assert not at.exception
    got = _levers(at)
    assert all(got[k] == v for k, v in expected.items())
    assert at.session_state["policy"] == "original_2030"
    assert _metrics(at) != baseline_figures
    reset = next(b for b in at.button if b.label in ("Återställ", "Reset"))
    reset.click().run()
    assert not at.exception
    assert _levers(at) == baseline_levers


def test_language_switch_keeps_levers() -> None:
    at = _app()
    open_lever(at, "oil_heating").slider(key=lever_key("oil_heating")).set_value(60).run()
    levers_sv = _levers(at)
    at.button_group(key=widget_key("lang")).set_value("EN").run()
    assert not at.exception
    assert at.session_state["lang"] == "EN"
    assert _levers(at) == levers_sv
    assert any("Scenario" in str(t.value) or "Share" in str(t.value) for t in at.markdown) or at.metric


def test_link_reproduces_figures() -> None:
    at = _app({"k": "1480"})
    at.slider(key=lever_key("ev_cars")).set_value(90).run()
    open_lever(at, "hvo_heavy").slider(key=lever_key("hvo_heavy")).set_value(50).run()
    at.radio(key=widget_key("policy", "sv")).set_value("rp10_2025").run()
    figures = _metrics(at)
    params = {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}
    assert params["ev"] == "90" and params["np"] == "10"
    fresh = _app(params)
    assert not fresh.exception
    assert not fresh.warning
    assert _metrics(fresh) == figures
    assert _levers(fresh) == _levers(at)


def test_link_made_in_swedish_opens_in_english() -> None:
    at = _app()
    at.slider(key=lever_key("buses_el")).set_value(80).run()
    params = {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}
    params["lang"] = "en"
    fresh = _app(params)
    assert not fresh.exception and not fresh.warning
    assert fresh.session_state["lang"] == "EN"
    assert _levers(fresh)["buses_el"] == 80


def _full_link(**changes: str) -> dict[str, str]:
    from model.codec import default_state

    params = encode(default_state())
    params.update(changes)
    return params


MALFORMED: list[dict[str, str]] = [
    {"v": "1", "ev": "150"},
    {"v": "1", "ev": "-5"},
    {"v": "1", "ev": "abc"},
    {"v": "1", "ev": "55.55555"},
    {"v": "1", "ev": "1e9"},
    {"v": "1", "ev": ""},
    {"v": "1", "ev": "NaN"},
    {"v": "1", "ev": "inf"},
    {"v": "1", "vkm": "7.5"},
    {"v": "99"},
    {"v": "zero"},
    {"v": "-1", "k": "0381"},
    {"k": "9999"},
    {"k": "Atlantis"},
    {"k": "0381'; DROP TABLE x;--"},
    {"k": "x" * 5000},
    {"lang": "fr"},
    {"np": "99"},
    {"h": "2031"},
    {"h": "twenty"},
    {"mt": "moon"},
    {"ty": "2029"},
    {"tb": "1991"},
    {"tp": "150"},
    {"tr": "0"},
    {"zz": "<script>alert(1)</script>"},
    {"ev": "<img src=x onerror=alert(1)>"},
    {"k": "**bold** [link](http://evil)"},
    {"m": "1999.1"},
    {"d": "2019"},
    _full_link(ev="200"),
    _full_link(bkl="123"),
    {f"p{i}": str(i) for i in range(120)},
    {"v": "1", "ev": "55", "llb": "9" * 50},
]


@pytest.mark.parametrize("params", MALFORMED, ids=[f"case{i}" for i in range(len(MALFORMED))])
def test_malformed_link_gives_notice_not_crash(params: dict[str, str]) -> None:
    at = _app(params)
    assert not at.exception, at.exception
    assert at.warning, f"a notice is shown for {params!r}"
    text = " ".join(w.value for w in at.warning)
    # Markdown shows a backslash-escaped "<" as a literal character: no tag can open.
    assert re.search(r"(?<!\\)<", text) is None, text
    assert _metrics(at), "the page still shows figures"


def test_target_settings_change_the_target_and_survive_closing() -> None:
    at = _app()
    # Built only while open (lazy expander); closed, no target widgets are sent.
    assert not [n for n in at.number_input if n.key == widget_key("t_pct")]
    gap_before = _metrics(at)
    at.session_state["target_settings"] = True
    at.run()
    at.number_input(key=widget_key("t_pct")).set_value(40.0).run()
    at.selectbox(key=widget_key("t_base")).set_value(2010).run()
    assert not at.exception
    params = {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}
    assert params["tp"] == "40" and params["tb"] == "2010"
    opened = _metrics(at)
    assert opened != gap_before
    at.session_state["target_settings"] = False
    at.run()
    at.slider(key=lever_key("car_traffic")).set_value(5).run()
    at.run()
    assert not at.exception
    params = {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}
    assert params["tp"] == "40" and params["tb"] == "2010", "closing the settings keeps them"
    assert at.session_state["target_cfg"]["t_pct"] == 40.0


def test_every_lever_tab_draws_its_group_with_the_current_values() -> None:
    from model.registry import GROUPS
    from ui.scenario.ranges import kommun_bounds

    at = _app({"k": "2321"})
    # Åre has no room for BECCS or biochar (no emissions from power and heating to capture, too few
    # inhabitants for one biochar step): those levers are text, not sliders.
    room = {lid for lid, (lo, hi) in kommun_bounds("2321").items() if hi > lo}
    assert {"beccs", "biochar"}.isdisjoint(room)
    drawn: list[str] = []
    for g in GROUPS:
        open_group(at, g)
        assert not at.exception
        keys = [s.key for s in at.slider]
        assert keys == [lever_key(i) for i in group_ids(g) if i in room], g
        assert {s.key: float(s.value) for s in at.slider} == {lever_key(i): _levers(at)[i] for i in group_ids(g)
                                                              if i in room}
        if g == "removals":
            assert sum("Inget utrymme i Åre." in c.value for c in at.caption) == 2
        drawn += keys
    assert sorted(drawn) == sorted(lever_key(lv.id) for lv in load_registry().levers if lv.id in room)


def test_values_survive_closed_tabs_presets_and_language() -> None:
    from ui.scenario.levers import kommun_presets

    at = _app()
    open_lever(at, "oil_heating").slider(key=lever_key("oil_heating")).set_value(40).run()
    open_group(at, "transport")
    at.slider(key=lever_key("ev_cars")).set_value(95).run()
    # Back to the heating tab: the slider shows what was set, not a forgotten older value.
    open_lever(at, "oil_heating")
    assert at.slider(key=lever_key("oil_heating")).value == 40
    # A preset applied while a tab is closed shows in that tab once it is opened.
    at.button_group(key="preset_choice.sv").set_value("hog_ambition").run()
    want = kommun_presets("0381")["hog_ambition"].scenario.levers
    expected = {lever_key(k): float(v) for k, v in want.items()}
    shown = all_slider_values(at)
    assert {k: shown[k] for k in expected} == expected
    # The open group stays open when the language changes.
    open_group(at, "agriculture")
    at.button_group(key=widget_key("lang")).set_value("EN").run()
    assert not at.exception
    assert [s.key for s in at.slider] == [lever_key(i) for i in group_ids("agriculture")]


def test_kommun_picker_lists_all_290_in_swedish_order(default_app: AppTest) -> None:
    from ui.sidebar import swedish_sort_key

    box = default_app.selectbox(key=widget_key("kommun"))
    assert len(box.options) == 290
    names = [o.split(" (")[0] for o in box.options]
    assert names == sorted(names, key=swedish_sort_key)
    # å, ä, ö come last, in that order (not by code point, where Ä would precede Å).
    assert names.index("Åre") < names.index("Älmhult") < names.index("Örebro")
    assert names.index("Ystad") < names.index("Åmål")


def test_out_of_range_slider_value_is_put_back_on_the_grid() -> None:
    """A browser cannot send it, a hand-made websocket message can: the link must stay valid."""
    at = _app()
    at.slider(key=lever_key("car_traffic")).set_value(41).run()
    assert not at.exception
    assert 0 <= _levers(at)["car_traffic"] <= 30, "Streamlit or the callback keeps the range"
    at.slider(key=lever_key("car_traffic")).set_value(7.4).run()
    assert _levers(at)["car_traffic"] == 7.0
    params = {k: (v[-1] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}
    assert params["vkm"] == "7"
    assert not _app(params).warning, "the link opens without a notice"


# ----------------------------------------------------------------- kommun change (issue 10, item 2)
def _switch_kommun(at: AppTest, code: str) -> AppTest:
    return at.selectbox(key=widget_key("kommun")).set_value(code).run()


@pytest.mark.parametrize("code", ["0380", "2584", "0980", "0180"])
def test_untouched_scenario_in_a_new_kommun_is_its_own_no_new_measures(code: str) -> None:
    """Enköping → X without touching a lever: X's own defaults, no change against "utan nya åtgärder"."""
    from model.codec import default_state

    at = _switch_kommun(_app(), code)
    assert not at.exception
    assert _levers(at) == default_state(code).levers
    assert at.metric[0].delta == "0\u00a0ton CO₂e", "no change against the kommun's own baseline"
    assert any("Ny kommun" in i.value for i in at.info)


def test_moved_levers_reset_on_kommun_change_and_can_be_kept() -> None:
    from model.codec import default_state

    at = _app()
    at.slider(key=lever_key("car_traffic")).set_value(20).run()
    at = _switch_kommun(at, "0380")
    assert _levers(at) == default_state("0380").levers, "the new kommun starts from its own levels"
    note = " ".join(i.value for i in at.info)
    assert "återställdes" in note and "Enköping" in note and "Uppsala" in note
    keep = [b for b in at.button if b.label.startswith("Behåll min åtgärd")]
    assert keep, [b.label for b in at.button]
    keep[0].click().run()
    got = _levers(at)
    assert got["car_traffic"] == 20
    assert got["ev_cars"] == default_state("0380").levers["ev_cars"], "untouched levers follow Uppsala"
    assert any("gäller nu för Uppsala" in i.value for i in at.info)


# ----------------------------------------------------------------- presets (issue 10, item 7)
def test_preset_shows_as_active_and_names_the_policy_it_sets() -> None:
    at = _app()
    # "Följ nationell politik" (id nuvarande_politik) is "no new measures": a fresh page is that preset.
    assert any(c.value.startswith("Aktivt scenario: Följ nationell politik.") for c in at.caption)
    at.button_group(key="preset_choice.sv").set_value("klimatkontrakt").run()
    assert not at.exception
    assert at.button_group(key="preset_choice.sv").value == "klimatkontrakt", "the active preset stays marked"
    line = [c.value for c in at.caption if c.value.startswith("Aktivt scenario")]
    assert line and "Klimatkontrakt" in line[0]
    assert "Reduktionsplikt: 10\u00a0% från 2025" in line[0] and "ton CO₂e" in line[0], line
    # Moving a lever leaves the preset: the page says so.
    at.slider(key=lever_key("car_traffic")).set_value(25).run()
    assert at.button_group(key="preset_choice.sv").value is None
    assert any(c.value.startswith("Egna inställningar") for c in at.caption)


def test_reset_returns_to_no_new_measures_including_national_policy() -> None:
    at = _app()
    at.button_group(key="preset_choice.sv").set_value("hog_ambition").run()
    assert at.session_state["policy"] == "original_2030"
    [b for b in at.button if b.label == "Återställ"][0].click().run()
    assert at.session_state["policy"] == "current_law"
    assert _levers(at) == __import__("model.codec", fromlist=["default_state"]).default_state("0381").levers
    assert any(c.value.startswith("Aktivt scenario: Följ nationell politik.") for c in at.caption)


def test_lever_that_starts_after_the_horizon_says_so() -> None:
    at = open_lever(_app(), "beccs")
    assert any("först från 2031" in c.value for c in at.caption)
    at.button_group(key=widget_key("horizon", "sv")).set_value(2045).run()
    open_lever(at, "beccs")
    assert not any("först från 2031" in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_budget_rate_default_names_its_source_in_the_users_language(lang: str) -> None:
    """The sidebar's default rate for Enköping's own carbon budget cites the profile's source in the
    page's language (the English page used to print the Swedish source)."""
    at = _app({"k": "0381", "mt": "br", "lang": lang})
    at.session_state["target_settings"] = True  # open the lazy "target settings" expander
    at.run()
    caption = next(c.value for c in at.sidebar.caption if "13" in c.value)
    if lang == "en":
        assert "Enköping municipality" in caption and "kommun," not in caption
    else:
        assert "Enköpings kommun" in caption and "municipality" not in caption
