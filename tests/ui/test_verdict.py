"""The verdict box: met or not met in words, each condition of a two-part target on its own line."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from model.codec import default_state
from model.run import run_scenario
from model.scenario import Scenario
from model.targets import TargetSpec
from ui.scenario.levers import presets
from ui.scenario.verdict import verdict

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run(target: str, levers: dict[str, float] | None = None, kommun: str = "0381", policy: str = "current_law",
         horizon: int = 2030):
    base = default_state(kommun).levers
    sc = Scenario(levers={**base, **(levers or {})}, kommun=kommun, national_policy=policy, horizon=horizon,
                  target=TargetSpec(target), id="t")
    res = run_scenario(sc)
    return res, res.target(target)


def test_two_part_target_states_gross_and_net_separately() -> None:
    res, v = _run("klimatneutral_2030")
    vd = verdict(res, v, "sv")
    assert vd.status == "missed" and vd.title == "Målet nås inte: Klimatneutralt 2030"
    gross, net = vd.lines
    assert gross.startswith("Inte uppfyllt: bruttoutsläppen blir 225\u00a0000") and "66\u00a0700" in gross
    assert net.startswith("Inte uppfyllt: nettoutsläppen") and "ska vara noll" in net
    # The two conditions are different numbers: the gross limit is not the net target.
    assert "66\u00a0700" not in net


def test_met_path_target_says_so_in_words() -> None:
    sc = presets()["hog_ambition"]
    res, v = _run("carbon_law", sc.levers, policy=sc.national_policy)
    vd = verdict(res, v, "en")
    assert v.met and vd.status == "met" and vd.title.startswith("Target met: Carbon Law")
    assert vd.lines[0].startswith("Met: cumulative emissions") and "to spare" in vd.lines[0]


def test_target_beyond_the_horizon_is_not_judged() -> None:
    res, v = _run("national_2045")
    vd = verdict(res, v, "sv")
    assert vd.status == "unknown" and "2045" in vd.lines[0]


@pytest.mark.parametrize("code", ["2584", "0980", "0180", "2321"])
def test_verdict_box_on_the_scenario_page(code: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["k"] = code
    at.run()
    assert not at.exception
    boxes = [e.value for e in at.error] + [s.value for s in at.success]
    assert any(b.startswith("**Målet nås") for b in boxes), boxes
    assert "Enköping" not in " ".join(boxes)


@pytest.mark.parametrize("lang, text", [("sv", "inte till och med 2045"), ("en", "not by 2045")])
def test_app_and_brief_agree_on_the_year_the_target_is_reached(lang: str, text: str) -> None:
    """Issue 10 item 6: the brief said "inte före 2046" where the app said "inte före 2045"."""
    from ui.exports.brief_text import _brief
    from ui.scenario.results_frames import headline

    res, _v = _run("klimatneutral_2030")
    app_value = headline(res, lang)[3]["value"]
    brief = _brief(res, lang, "http://x/", None, None)
    brief_value = [f for f in brief.figures if f.label == ("Målet nås år" if lang == "sv" else f.label)][0]
    assert app_value == text
    assert any(f.value == text for f in brief.figures), [f.value for f in brief.figures]
    assert brief_value is not None


def test_required_rate_is_shown_beside_the_scenarios_own_rate() -> None:
    """The required rate depends on the target only; the scenario's rate responds to the levers."""
    from ui.scenario.results_frames import headline

    res0, _ = _run("klimatneutral_2030")
    sc = presets()["hog_ambition"]
    res1, _ = _run("klimatneutral_2030", sc.levers, policy=sc.national_policy)
    r0, r1 = headline(res0, "sv")[5], headline(res1, "sv")[5]
    assert r0["value"] == r1["value"] == "19,0\u00a0% per år"
    assert r0["delta"] != r1["delta"] and r1["delta"].startswith("scenariot: ")
