"""AppTest flows for the "Vad krävs?" page, run on its own (views/vad_kravs.py)."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from model.optimiser import OptimiserResult
from model.registry import load_registry
from model.run import run_scenario
from tests.ui.levertabs import all_slider_values
from ui.text.i18n import t

PAGE = str(Path(__file__).resolve().parents[2] / "views" / "vad_kravs.py")
TIMEOUT = 60
REG = load_registry()


def _page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [x.value for x in at.success] + [x.value for x in at.warning] + [x.value for x in at.info]
    return "\n".join(str(p) for p in parts)


@pytest.fixture(scope="module")
def computed() -> AppTest:
    at = _page()
    at.button(key="opt_run").click().run()
    assert not at.exception, at.exception
    return at


def test_page_opens_in_swedish_with_explanation() -> None:
    at = _page()
    assert not at.exception, at.exception
    assert at.title[0].value == "Vad krävs?"
    assert "billigaste kombinationen" in _texts(at)
    assert at.button(key="opt_run").label == "Beräkna"
    assert "opt_result" not in at.session_state
    assert t("optimiser.no_result", "sv") in _texts(at)
    assert at.toggle(key="opt_lock_agriculture").label == "Rör inte jordbruket"


def test_calculate_shows_result(computed: AppTest) -> None:
    at = computed
    raw = at.session_state["opt_result"]
    assert isinstance(raw, dict) and pickle.loads(pickle.dumps(raw)) == raw
    res = OptimiserResult.from_dict(raw)
    # Enköping, Klimatneutral 2030, current law: not reachable; the page says so in plain words.
    assert not res.feasible
    warning = at.warning[0].value
    assert warning.startswith("Målet kan inte nås 2030")
    assert "ton CO₂e" in warning and "miljoner kr per år" in warning
    assert [m.label for m in at.metric][0] == "Kvar till målet 2030"
    table = at.dataframe[0].value
    assert len(table) == len(REG.levers)
    assert {"Spak", "Utan nya åtgärder", "Nu i scenariot", "Förslag", "Enhet",
            "Kostnad (kr per ton CO₂e)"} <= set(table.columns)
    assert table["Kostnad (kr per ton CO₂e)"].str.contains("antagande").any()
    # Residual sectors (infeasible) and the MACC's table alternative are shown.
    sectors = at.dataframe[1].value
    assert "Jordbruk" in set(sectors["Sektor"])
    assert at.button(key="opt_apply").label == "Använd på scenariosidan"
    # The MACC chart, and its table alternative once the (lazy) expander is opened.
    assert len(at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")) == 1
    assert at.expander[-1].label == t("table.show", "sv")
    at.session_state["opt_macc_chart_table"] = True
    at.run()
    macc_table = at.dataframe[2].value
    assert len(macc_table) == len(res.abatement_t)
    assert t("table.cost", "sv") in macc_table.columns


def test_apply_sets_session_levers(computed: AppTest) -> None:
    at = computed
    res = OptimiserResult.from_dict(at.session_state["opt_result"])
    at.button(key="opt_apply").click().run()
    assert not at.exception, at.exception
    assert dict(at.session_state["levers"]) == res.levers
    # The sliders take these values when the Scenario page draws them
    # (test_apply_switches_to_scenario_page_and_keeps_sidebar checks every one).
    # Outside app.py's navigation the page cannot switch, so it confirms instead.
    assert t("optimiser.applied", "sv") in _texts(at)


def test_lock_agriculture_keeps_current_values() -> None:
    at = _page()
    at.session_state["levers"] = {**dict(at.session_state["levers"]), "agri_measures": 5.0}
    at.toggle(key="opt_lock_agriculture").set_value(True).run()
    at.button(key="opt_run").click().run()
    assert not at.exception, at.exception
    res = OptimiserResult.from_dict(at.session_state["opt_result"])
    agri = [lv.id for lv in REG.levers if lv.group == "agriculture"]
    assert set(res.locked) == set(agri)
    assert res.levers["agri_measures"] == 5.0
    assert res.levers["manure_biogas"] == res.nnm["manure_biogas"]


def test_cost_cap_is_respected_and_result_verifies() -> None:
    at = _page({"mt": "cl"})  # Carbon Law target via the share link
    at.number_input(key="opt_cap").set_value(20.0).run()
    at.button(key="opt_run").click().run()
    assert not at.exception, at.exception
    res = OptimiserResult.from_dict(at.session_state["opt_result"])
    assert res.target.selected == "carbon_law"
    assert res.total_cost_sek_per_year <= 20e6 + 1
    verdict = run_scenario(res.scenario()).target("carbon_law")
    assert verdict.gap_t == pytest.approx(res.gap_t)
    assert t("optimiser.msg.cost_cap_binding", "sv") in _texts(at)


def test_stale_result_is_flagged_and_apply_disabled(computed: AppTest) -> None:
    at = computed
    at.session_state["policy"] = "original_2030"
    at.run()
    assert t("optimiser.stale", "sv") in _texts(at)
    assert at.button(key="opt_apply").disabled


def test_english() -> None:
    at = _page({"lang": "en", "mt": "nt", "np": "og"})
    at.button(key="opt_run").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "What would it take?"
    res = OptimiserResult.from_dict(at.session_state["opt_result"])
    assert res.feasible  # transport -70 % is reachable with the original reduktionsplikt
    assert at.success[0].value.startswith("The target is reached in 2030")
    assert "million SEK per year" in at.success[0].value


def test_apply_switches_to_scenario_page_and_keeps_sidebar() -> None:
    at = AppTest.from_file(str(Path(PAGE).parents[1] / "app.py"), default_timeout=TIMEOUT)
    at.query_params["k"] = "0180"
    at.query_params["mt"] = "cl"
    at.query_params["np"] = "10"
    at.run()
    at.switch_page("views/vad_kravs.py").run()
    at.button(key="opt_run").click().run()
    res = OptimiserResult.from_dict(at.session_state["opt_result"])
    assert res.kommun == "0180" and res.policy == "rp10_2025"
    at.button(key="opt_apply").click().run()
    assert not at.exception, at.exception
    # Now on the scenario page: its sliders show the suggestion, the sidebar kept its state.
    assert at.slider, "the Scenario page is shown"
    # AppTest would rerun the page the test last switched to; stay on the Scenario page.
    at.switch_page("views/scenario.py")
    assert all_slider_values(at) == {f"lv_{k}": v for k, v in res.levers.items()}
    assert (at.session_state["kommun"], at.session_state["policy"], at.session_state["t_sel"]) == (
        "0180", "rp10_2025", "carbon_law")
    assert at.session_state["horizon"] == 2030 and at.session_state["lang"] == "SV"


def test_own_measures_as_options_taken_or_left_and_applied() -> None:
    """Issue 13: an own measure offered as an option is weighed by its cost; "Använd" brings exactly the
    measures the answer keeps (a cheap one taken, a dear one left out and removed from the scenario)."""
    from model.codec import TARGET_CODES
    from model.measures_link import encode_measures
    from model.measures_parse import measure_from_dict

    def option(mid: str, name: str, cost: float, effect: float) -> object:
        return measure_from_dict({"id": mid, "name": {"sv": name, "en": name}, "stream": "cars", "unit": "t",
                                  "effect": effect, "start": 2025, "full": 2028, "actor": "kommun",
                                  "cost_sek_per_t": [cost, cost], "source": {"sv": "Klimatplan", "en": "Plan"}})

    cheap, dear = option("billig", "Samåkning via appen", 10, 15_000), option("dyr", "Linbana", 100_000, 3_000)
    code = {v: k for k, v in TARGET_CODES.items()}["carbon_law"]
    at = _page({"k": "0381", "mt": code, "om": encode_measures([cheap, dear])})
    assert not at.exception, at.exception
    assert at.multiselect(key="opt_options").label == t("optimiser.options", "sv")
    at.multiselect(key="opt_options").set_value(["billig", "dyr"]).run()
    at.button(key="opt_run").click().run()
    assert not at.exception, at.exception
    res = OptimiserResult.from_dict(at.session_state["opt_result"])
    assert res.feasible and res.options_chosen == ("billig",)
    table = at.dataframe[0].value
    rows = list(table[t("optimiser.col.lever", "sv")])
    assert "Egen åtgärd: Samåkning via appen (tas med)" in rows and "Egen åtgärd: Linbana (väljs bort)" in rows
    at.button(key="opt_apply").click().run()
    assert not at.exception, at.exception
    assert [m.id for m in at.session_state["measures"]] == ["billig"]
    assert at.session_state["levers"] == res.levers
