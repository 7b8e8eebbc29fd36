"""AppTest: sliders end at the kommun's own maximum, values above it are lowered or (from a link) kept
with a notice, and each preset rule sets the levers it states in three kommuner."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from model.baseline import build_context
from model.codec import encode
from model.presets import generic_presets, preset_levers
from model.profiles import lever_capacities, load_profile
from model.ranges import lever_bounds
from model.registry import load_registry
from tests.ui.levertabs import open_group
from ui.state import lever_key

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60
REG = load_registry()


def _app(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def _bounds(code: str) -> dict[str, tuple[float, float]]:
    return lever_bounds(build_context(code), lever_capacities(load_profile(code)))


def _texts(at: AppTest) -> str:
    return "\n".join(str(x.value) for x in [*at.info, *at.caption, *at.markdown])


def test_enkoping_beccs_slider_ends_at_20_kt() -> None:
    at = open_group(_app({"k": "0381"}), "removals")
    assert not at.exception
    beccs = at.slider(key=lever_key("beccs"))
    assert beccs.max == 20 and _bounds("0381")["beccs"] == (0.0, 20.0)
    assert "Högst 20\u00a0kt/år i Enköping: högst 8 gånger kommunens utsläpp från el och fjärrvärme" in beccs.help
    assert "(antagande)" in beccs.help
    # A lever without a rule keeps the registry's range, and says so.
    assert at.slider(key=lever_key("biochar")).max == _bounds("0381")["biochar"][1]


def test_bjurholm_has_no_room_for_beccs() -> None:
    """Bjurholm (2403) has no emissions from power and district heating: no plant, BECCS max 0."""
    assert _bounds("2403")["beccs"][1] == 0.0
    at = open_group(_app({"k": "2403"}), "removals")
    assert not at.exception
    assert lever_key("beccs") not in [s.key for s in at.slider]
    assert "Inget utrymme i Bjurholm." in _texts(at)


def test_link_above_the_kommun_max_keeps_its_figures_and_says_so() -> None:
    """200 kt BECCS in Enköping (max 20): the link's figures, the slider widened, a notice naming it."""
    at = _app({"k": "0381"})
    params = encode(_link(at))
    params[REG.lever("beccs").url_key] = "200"
    fresh = _app(params)
    assert not fresh.exception
    assert fresh.session_state["levers"]["beccs"] == 200
    assert any("högre än Enköping kan nå" in i.value and "Bio-CCS" in i.value for i in fresh.info), \
        [i.value for i in fresh.info]
    fresh = open_group(fresh, "removals")
    assert fresh.slider(key=lever_key("beccs")).max == 200
    assert fresh.session_state["levers"]["beccs"] == 200, "a link's value is never lowered silently"


def _link(at: AppTest) -> object:
    from model.codec import LinkState
    from model.targets import TargetSpec

    ss = at.session_state
    return LinkState(ss["kommun"], "sv", ss["policy"], int(ss["horizon"]), TargetSpec(), dict(ss["levers"]))


def test_kept_measures_above_the_new_kommun_max_are_lowered_with_a_note() -> None:
    """Stockholm biochar 4 900 t, then Arjeplog (max 0) and 'keep my measures': lowered, and named."""
    at = open_group(_app({"k": "0180"}), "removals")
    at.slider(key=lever_key("biochar")).set_value(4900).run()
    at.selectbox(key="w.kommun").set_value("2506").run()
    keep = next(b for b in at.button if b.label.startswith("Behåll"))
    keep.click().run()
    assert not at.exception
    assert at.session_state["levers"]["biochar"] == _bounds("2506")["biochar"][1] == 0.0
    notes = [i.value for i in at.info if "högsta läge" in i.value]
    assert notes and "Biokol" in notes[0] and "4\u00a0900" in notes[0], [i.value for i in at.info]


def test_a_preset_above_the_kommun_max_is_lowered_and_named() -> None:
    at = _app({"k": "0381"})
    at.button_group(key="preset_choice.sv").set_value("hog_ambition").run()
    assert not at.exception
    assert at.session_state["levers"]["biochar"] == _bounds("0381")["biochar"][1]
    notes = [i.value for i in at.info if "Förinställningen sätter" in i.value]
    assert notes and "Biokol 3\u00a0000\u00a0t/år (högst 200\u00a0t/år)" in notes[0], notes
    details = [e for e in at.expander if e.label.startswith("Om ”Hög ambition”")]
    assert details, "the active preset's reasons are shown"


@pytest.mark.parametrize("code", ["0381", "2584", "0980"])
@pytest.mark.parametrize("pid", ["nuvarande_politik", "kommunens_egna", "allt_inom_rackhall"])
def test_each_rule_sets_its_levers_in_three_kommuner(code: str, pid: str) -> None:
    at = _app({"k": code})
    before = [m.value for m in at.metric]
    at.button_group(key="preset_choice.sv").set_value(pid).run()
    assert not at.exception
    ctx, bounds = build_context(code), _bounds(code)
    want = preset_levers(generic_presets()[pid], ctx, bounds)
    got = at.session_state["levers"]
    assert {k: float(got[k]) for k in want} == want
    assert at.session_state["policy"] == generic_presets()[pid].scenario.national_policy
    assert at.button_group(key="preset_choice.sv").value == pid, "the preset stays marked"
    if pid == "nuvarande_politik":
        assert [m.value for m in at.metric] == before
    else:
        assert [m.value for m in at.metric] != before, "the figures change"
    if pid == "kommunens_egna":
        body = "\n".join(str(m.value) for e in at.expander if e.label.startswith("Om ”") for m in e.markdown)
        assert "75\u00a0% av vägen från utan nya åtgärder" in body


def test_enkoping_lists_its_own_preset_after_the_generic_ones() -> None:
    at = _app({"k": "0381"})
    pills = at.button_group(key="preset_choice.sv")
    labels = [str(o) for o in pills.options]
    assert labels[-1] == "Klimatkontrakt (Enköping) · kommunens egen", labels
    assert labels[:3] == ["Följ nationell politik", "Det kommunen själv kan göra", "Klimatkontrakt"]
    pills.set_value("klimatkontrakt_enkoping").run()
    assert not at.exception
    body = "\n".join(str(x.value) for e in at.expander for x in [*e.markdown, *e.caption])
    assert "Kommunens egen förinställning ur kommunens profil (kommuner/0381.toml)" in body
    assert "ENA Energi slutar med olja och torv som reserv." in body


def test_range_and_today_texts_name_the_kommun_as_a_place() -> None:
    """Gotland is an island: "på Gotland" / "on Gotland", not "i Gotland"."""
    from ui.scenario.levers import lever_help

    beccs = REG.lever("beccs")
    sv, en = lever_help(beccs, "sv", "0980"), lever_help(beccs, "en", "0980")
    hi = _bounds("0980")["beccs"][1]
    assert f"Högst {hi:.0f}\u00a0kt/år på Gotland: högst 8 gånger" in sv and "i Gotland" not in sv
    assert f"At most {hi:.0f}\u00a0kt/yr on Gotland: at most 8 times" in en
    cars = lever_help(REG.lever("ev_cars"), "sv", "2584")
    assert "Spaken verkar på utsläpp som var " in cars and " i Kiruna 2024 (" in cars


def test_a_preset_keeps_the_target_and_horizon_the_user_chose() -> None:
    """Choosing "Koldioxidlagen" and 2045, then a preset: the preset sets levers and national policy
    (and says so), never the target or the horizon (it used to reset them to Klimatneutralt 2030)."""
    from ui.state import widget_key

    at = AppTest.from_file(APP, default_timeout=60).run()
    at.selectbox(key=widget_key("t_sel", "sv")).set_value("carbon_law").run()
    at.button_group(key=widget_key("horizon", "sv")).set_value(2045).run()
    at.button_group(key="preset_choice.sv").set_value("klimatkontrakt").run()
    assert not at.exception, at.exception
    assert at.session_state["t_sel"] == "carbon_law" and at.session_state["horizon"] == 2045
    assert at.session_state["policy"] == "rp10_2025"  # the preset's policy, named in the caption
    assert any("Aktivt scenario: Klimatkontrakt" in c.value and "Reduktionsplikt" in c.value for c in at.caption)
