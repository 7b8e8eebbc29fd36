"""AppTest flows for the "Osäkerhet" page, run through app.py with 1 000 samples for speed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from model.scenario import Scenario
from model.sensitivity import likelihood, mc_summary
from model.targets import TargetSpec
from ui.scenario.levers import presets
from ui.state import widget_key
from ui.text.fmt import fmt_pct
from ui.text.i18n import t
from ui.uncertainty.page import DEFAULT_N, DEFAULT_SEED, N_KEY, SEED_KEY

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60
PAGE = "views/osakerhet.py"
N = 1_000


def _page(n: int = N, target: str | None = None, preset: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if preset:
        at.button_group(key="preset_choice.sv").set_value(preset).run()
    if target:
        at.selectbox(key=widget_key("t_sel", "sv")).set_value(target).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    if n != DEFAULT_N:
        at.button_group(key=widget_key(N_KEY, "sv")).set_value(n).run()
        assert not at.exception, at.exception
    return at


def _specs(at: AppTest) -> list[dict]:
    """Chart specs with their named datasets back as lists of rows (Streamlit sends them as Arrow)."""
    out = []
    for e in at.get("vega_lite_chart"):
        spec = json.loads(e.proto.spec)
        spec["datasets"] = {d.name: convert_arrow_bytes_to_pandas_df(d.data.data).to_dict("records")
                            for d in e.proto.datasets}
        out.append(spec)
    return out


def _fan(at: AppTest) -> dict:
    return next(s for s in _specs(at) if "Osäkerhet i prognosen" in s.get("description", "")
                or "Uncertainty in the projection" in s.get("description", ""))


def _texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])


@pytest.fixture(scope="module")
def hog_budget() -> AppTest:
    """Hög ambition judged against Enköping's carbon budget: a probability strictly between 0 and 1."""
    return _page(preset="hog_ambition", target="budget_rate")


def test_defaults_and_explanation() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Osäkerhet"
    assert at.button_group(key=widget_key(N_KEY, "sv")).value == DEFAULT_N == 10_000
    assert at.number_input(key=widget_key(SEED_KEY)).value == DEFAULT_SEED == 2030
    text = _texts(at)
    assert "antaganden" in text and "Monte Carlo" in text and "IPCC" in text


def test_fan_chart_and_probability_shown(hog_budget: AppTest) -> None:
    at = hog_budget
    expected = mc_summary(Scenario(levers=presets()["hog_ambition"].levers, kommun="0381",
                                   national_policy="original_2030", target=TargetSpec("budget_rate")),
                          n=N, seed=DEFAULT_SEED)
    assert 0 < expected.probability < 1
    (metric,) = at.metric
    assert metric.label == "Sannolikhet att nå målet 2030"
    assert metric.value == fmt_pct(expected.probability, 0, "sv")
    term = t(f"uncertainty.likelihood.{likelihood(expected.probability)}", "sv")
    assert f"**{term}**" in _texts(at)
    fan = _fan(at)
    assert [r["year"] for r in fan["datasets"]["fan"]] == list(range(2024, 2031))
    assert fan["datasets"]["deterministic"], "the deterministic line is drawn"
    assert fan["datasets"]["target"], "the target path is drawn"
    # The carbon budget judges gross emissions, so the fan shows gross emissions for this target.
    assert [r["p50"] for r in fan["datasets"]["fan"]] == pytest.approx(expected.fan_gross[2].tolist())
    assert [r["tonnes"] for r in fan["datasets"]["deterministic"]] == pytest.approx(
        expected.deterministic_gross.tolist())
    assert any(s.value == "Bruttoutsläpp med osäkerhet" for s in at.header)
    assert any("slumpfrö 2030" in c.value and "1\u00a0000 utfall" in c.value for c in at.caption)


def test_tornado_chart_shown(hog_budget: AppTest) -> None:
    tornado = next(s for s in _specs(hog_budget) if "Tornado" in s.get("description", ""))
    # The carbon budget judges gross emissions, so the tornado does too (removals play no part).
    assert "bruttoutsläpp 2030" in tornado["description"]
    labels = [b["label"] for b in tornado["datasets"]["bars"]]
    assert "Biokol (effekt)" not in labels and len(set(labels)) <= 15
    assert "Befolkningstillväxt" in labels
    assert any(label.endswith("(effekt)") for label in labels)


def test_same_seed_same_numbers(hog_budget: AppTest) -> None:
    at = hog_budget
    first_metric, first_fan = at.metric[0].value, _fan(at)["datasets"]["fan"]
    at.number_input(key=widget_key(SEED_KEY)).set_value(7).run()
    assert not at.exception, at.exception
    other_fan = _fan(at)["datasets"]["fan"]
    assert other_fan != first_fan, "another seed gives other draws"
    at.number_input(key=widget_key(SEED_KEY)).set_value(DEFAULT_SEED).run()
    assert at.metric[0].value == first_metric
    assert _fan(at)["datasets"]["fan"] == first_fan


def test_settings_survive_a_page_switch() -> None:
    at = _page()
    at.number_input(key=widget_key(SEED_KEY)).set_value(99).run()
    at.switch_page("views/scenario.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.button_group(key=widget_key(N_KEY, "sv")).value == N
    assert at.number_input(key=widget_key(SEED_KEY)).value == 99


def test_target_beyond_horizon_explains_instead_of_failing() -> None:
    at = _page(target="national_2045")
    assert not at.metric
    assert "2045" in at.info[0].value and "horisont" in at.info[0].value
    assert _fan(at)
    assert any(s.value == "Nettoutsläpp med osäkerhet" for s in at.header), "neutrality targets: net"


def test_english_works(hog_budget: AppTest) -> None:
    at = hog_budget
    at.button_group(key=widget_key("lang")).set_value("EN").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Uncertainty"
    assert at.metric[0].label == "Probability of meeting the target 2030"
    assert at.metric[0].value.endswith("%") and "\u00a0" not in at.metric[0].value
    assert any(term in _texts(at) for term in ("**unlikely**", "**about as likely as not**", "**likely**"))
    assert "Uncertainty in the projection" in _fan(at)["description"]


def test_tornado_lists_an_own_measure_with_its_name_and_swing() -> None:
    """A link's own measure is an input of the tornado (issue 13): named, with the swing the model gives."""
    from model.measures_link import encode_measures
    from model.measures_parse import measure_from_dict
    from model.sensitivity import MEASURE_PREFIX, tornado

    m = measure_from_dict({"id": "bussgas", "name": {"sv": "Biogas i Kirunas bussar", "en": "Biogas in Kiruna's buses"},
                           "stream": "cars", "unit": "t", "effect": 3_000, "start": 2025, "full": 2028,
                           "actor": "kommun", "uncertainty": [0.4, 1.2],
                           "source": {"sv": "Antagande", "en": "Assumption", "assumption": True}})
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["k"] = "2584"
    at.query_params["om"] = encode_measures([m])
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    bars = next(s for s in _specs(at) if "Tornado" in s.get("description", ""))["datasets"]["bars"]
    label = "Biogas i Kirunas bussar (egen åtgärd, effekt)"
    ends = {round(v, 3) for b in bars if b["label"] == label for k, v in b.items() if k in ("x0", "x1")}
    from model.run import lever_vector, run_scenario

    det = run_scenario(Scenario(kommun="2584", measures=(m,)))
    want = dict((iid, (lo, hi)) for iid, lo, hi in tornado(det.context, lever_vector(det.context, det.lever_values),
                                                             2030, measures=(m,)))[MEASURE_PREFIX + "bussgas"]
    assert any(abs(v - want[0]) < 1 for v in ends) and any(abs(v - want[1]) < 1 for v in ends), (ends, want)
    assert abs(want[0] - want[1]) == pytest.approx(0.8 * 3_000, rel=0.05)  # 0,4–1,2 of 3 000 t, after the levers


def test_a_gross_limit_is_judged_and_drawn_on_gross_emissions() -> None:
    """The gross limit has no net condition: the page says so and fans gross emissions (it said net <= 0)."""
    at = _page(target="gross_limit")
    texts = _texts(at)
    assert t("uncertainty.criterion.gross", "sv", year=2030) in texts
    assert "nettoutsläppen (brutto minus upptag) är noll" not in texts
    assert any(s.value == "Bruttoutsläpp med osäkerhet" for s in at.header)


def test_the_transport_criterion_states_the_definitions_numbers() -> None:
    at = _page(target="national_transport_2030")
    assert "transportsektorns utsläpp 2030 högst är 30\u00a0% av 2010 års" in _texts(at)
