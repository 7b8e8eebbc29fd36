"""Own measures through the model: scenario files, share links, run_scenario (issue 13 item 6, model side)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from model.codec import LinkState, decode, encode
from model.measures import MAX_LINK_CHARS, OwnMeasure
from model.measures_link import encode_measures
from model.measures_parse import measure_from_dict
from model.registry import load_registry
from model.run import run_scenario
from model.scenario import Scenario, ScenarioFileError, dumps_scenario, loads_scenario
from ui.compute import run_link


def measure(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": "biogas", "name": {"sv": "Biogasanläggning", "en": "Biogas plant"}, "stream": "cars",
        "unit": "t", "effect": 2000.0, "start": 2025, "full": 2028, "actor": "kommun",
        "cost_sek_per_t": [800.0, 1600.0], "uncertainty": [0.5, 1.5],
        "source": {"sv": "Antagande för testet", "en": "Assumption for the test", "assumption": True}}
    raw.update(changes)
    return raw


M1 = measure_from_dict(measure())
M2 = measure_from_dict(measure(id="heat", stream=None, sector="El och fjärrvärme", unit="pct", effect=30.0,
                               actor="business", cost_sek_per_t=None))


def _toml_measure(m: dict[str, Any]) -> str:
    return ('[[measure]]\nid = "biogas"\nname = { sv = "Biogas", en = "Biogas" }\nstream = "cars"\n'
            'unit = "t"\neffect = 2000\nstart = 2025\nfull = 2028\nactor = "kommun"\n'
            f'source = {{ sv = "s", en = "s" }}\n{m.get("extra", "")}')


def test_scenario_file_reads_and_writes_measures() -> None:
    sc = loads_scenario('format_version = 1\n[scenario]\nkommun = "0381"\n' + _toml_measure({}))
    assert len(sc.measures) == 1 and sc.measures[0].id == "biogas" and sc.measures[0].effect == 2000.0
    both = Scenario(kommun="0381", measures=(M1, M2))
    assert loads_scenario(dumps_scenario(both)).measures == (M1, M2)


def test_bad_measure_in_a_file_names_the_field_with_the_measure_key() -> None:
    with pytest.raises(ScenarioFileError) as err:
        loads_scenario("format_version = 1\n" + _toml_measure({"extra": 'shape = "zigzag"\n'}))
    assert err.value.key == "measure.choice" and err.value.field == "measure[0].shape"
    assert "zigzag" in err.value.params["value"] and "\n" not in str(err.value)
    with pytest.raises(ScenarioFileError) as err:
        loads_scenario('format_version = 1\nmeasure = "x"\n')
    assert err.value.key == "scenario_file.not_table"
    twice = "format_version = 1\n" + _toml_measure({}) + _toml_measure({})
    with pytest.raises(ScenarioFileError) as err:
        loads_scenario(twice)
    assert err.value.key == "measure.duplicate"


def test_measures_cut_emissions_and_are_attributed() -> None:
    plain = run_scenario(Scenario(kommun="0381"))
    res = run_scenario(Scenario(kommun="0381", levers={"ev_cars": 90.0}, measures=(M1, M2)))
    assert set(res.measure_attribution) == {"biogas", "heat"}
    i = list(res.years).index(2030)
    assert res.measure_attribution["biogas"][i] > 0 and res.measure_attribution["heat"][i] > 0
    assert res.gross[i] < plain.gross[i]
    # Lever contributions (removals included) + measures sum exactly to baseline - net.
    total = sum(res.attribution.values()) + sum(res.measure_attribution.values())
    np.testing.assert_allclose(total, res.baseline_gross - res.net, rtol=1e-9, atol=1e-6)
    # A tonne measure alone delivers its tonnes at full effect (cars hold far more than 2 000 t).
    alone = run_scenario(Scenario(kommun="0381", measures=(M1,)))
    assert alone.measure_attribution["biogas"][i] == pytest.approx(2000.0)
    assert plain.gross[i] - alone.gross[i] == pytest.approx(2000.0)


def test_json_and_actor_split_count_measures() -> None:
    res = run_scenario(Scenario(kommun="0381", measures=(M1, M2)))
    js = res.to_json_dict()
    assert [m["id"] for m in js["measures"]] == ["biogas", "heat"]
    assert js["measures"][0]["actor"] == "kommun" and len(js["measures"][0]["attribution"]) == len(res.years)
    assert js["data_release"] == "smhi-2024"
    actors = res.actor_attribution()
    i = list(res.years).index(2030)
    reg = load_registry()
    levers_business = sum(s[i] for lid, s in res.attribution.items() if reg.lever(lid).actor == "business")
    assert actors["business"][i] == pytest.approx(levers_business + res.measure_attribution["heat"][i])
    np.testing.assert_allclose(sum(actors.values()), res.baseline_gross - res.net, rtol=1e-9, atol=1e-6)


def test_no_measures_changes_nothing() -> None:
    a = run_scenario(Scenario(kommun="0381", levers={"ev_cars": 90.0}))
    b = run_scenario(Scenario(kommun="0381", levers={"ev_cars": 90.0}, measures=()))
    np.testing.assert_array_equal(a.net, b.net)
    assert a.measure_attribution == {} and a.to_json_dict()["measures"] == []


def test_link_carries_measures_in_om() -> None:
    base = decode({"k": "0381"})
    state = LinkState(base.kommun, "sv", base.policy, base.horizon, base.target, base.levers, measures=(M1, M2))
    params = encode(state)
    assert params["om"] == encode_measures((M1, M2))
    back = decode(params)
    assert back.measures == (M1, M2) and back.notices == ()
    assert "om" not in encode(base) and decode(encode(base)).measures == ()
    res = run_link(params)
    assert set(res.measure_attribution) == {"biogas", "heat"}
    assert run_link(encode(base)).measure_attribution == {}


@pytest.mark.parametrize("om", ["x", "1.", "1.!!!", "9.abc", "1." + "A" * (MAX_LINK_CHARS + 10),
                                "1.eJzLSM3JyQcABiwCFQ"])
def test_hostile_om_gives_notices_never_an_exception(om: str) -> None:
    params = encode(decode({"k": "0381"}))
    params["om"] = om
    state = decode(params)
    keys = {n.key for n in state.notices}
    assert keys and all(k.startswith("measures.") for k in keys), keys
    assert "link.unreadable" not in keys and state.measures == ()


def test_om_longer_than_a_lever_value_is_read() -> None:
    # An om value is far longer than MAX_VALUE_CHARS (40) and must still be read.
    many = tuple(measure_from_dict(measure(id=f"m{i}", effect=100.0 + i)) for i in range(8))
    params = encode(LinkState("0381", "sv", "current_law", 2030, decode({}).target, decode({}).levers, measures=many))
    assert len(params["om"]) > 40
    assert decode(params).measures == many
    assert isinstance(many[0], OwnMeasure)


# ---------------------------------------------------------------- link format version 2 (issue 13, lever versions)
def test_levers_added_in_comes_from_the_registry() -> None:
    from model.codec import LINK_VERSION, levers_added_in

    reg = load_registry()
    added = levers_added_in(reg)
    assert LINK_VERSION == 2
    assert added == {2: {"sjo", "fly", "mil", "utr", "abm", "ajs", "lok", "dep", "ind", "ccs"}}
    assert max(lv.added_in_link for lv in reg.levers) <= LINK_VERSION


def _without_new_levers(v: str) -> dict[str, str]:
    params = encode(decode({"k": "0381"}))
    for key in levers_new():
        params.pop(key)
    params["v"] = v
    return params


def levers_new() -> set[str]:
    from model.codec import levers_added_in

    return levers_added_in()[2]


def test_v1_link_without_the_new_levers_says_they_were_added() -> None:
    state = decode(_without_new_levers("1"))
    notes = {n.key: n.params for n in state.notices}
    assert "link.levers_missing" not in notes
    assert len(notes["link.levers_added"]["levers"]) == 10


def test_v2_link_without_them_says_they_are_missing() -> None:
    state = decode(_without_new_levers("2"))
    notes = {n.key: n.params for n in state.notices}
    assert "link.levers_added" not in notes
    assert len(notes["link.levers_missing"]["levers"]) == 10


def test_registry_refuses_a_bad_added_in_link() -> None:
    import tomllib

    from model.registry import REGISTRY_PATH, RegistryError
    from model.registry_parse import parse_registry

    raw = tomllib.loads(REGISTRY_PATH.read_text(encoding="utf-8"))
    raw["lever"][0]["added_in_link"] = 0
    with pytest.raises(RegistryError, match="added_in_link"):
        parse_registry(raw)


# ---------------------------------------------------------------- Monte Carlo with own measures
def test_monte_carlo_with_measures() -> None:
    from model.baseline import build_context
    from model.run import lever_vector
    from model.uncertainty import Samples, draw_samples, evaluate_samples, sample_effectiveness

    ctx = build_context("0381")
    reg = load_registry()
    values = lever_vector(ctx, {"ev_cars": 90.0}, reg)
    samples = draw_samples(ctx, 400, 7, reg)
    g0, n0 = evaluate_samples(ctx, values, samples, reg)
    g1, n1 = evaluate_samples(ctx, values, samples, reg, measures=(M1, M2))
    # The levers' draws are unchanged; each measure adds one column with its own spread.
    eff = sample_effectiveness(samples, (M1, M2))
    np.testing.assert_array_equal(eff[:, : len(reg.levers)], samples.eff)
    assert eff.shape == (400, len(reg.levers) + 2)
    assert 0.5 <= eff[:, -1].min() < 0.8 and 1.2 < eff[:, -1].max() <= 1.5
    i = list(ctx.years).index(2030)
    assert (g1[:, i] < g0[:, i]).all() and np.median(n1[:, i]) < np.median(n0[:, i])
    # At every input's mode the Monte Carlo equals the deterministic run with the measures.
    exact = (measure_from_dict(measure(uncertainty=[1.0, 1.0])), measure_from_dict(
        measure(id="heat", stream=None, sector="El och fjärrvärme", unit="pct", effect=30.0, actor="business",
                cost_sek_per_t=None, uncertainty=[1.0, 1.0])))
    modes = Samples(np.ones((3, len(reg.levers))), np.tile(ctx.growth, (3, 1)), 1)
    g, n = evaluate_samples(ctx, values, modes, reg, measures=exact)
    det = run_scenario(Scenario(kommun="0381", levers={"ev_cars": 90.0}, measures=exact))
    np.testing.assert_allclose(g[0], det.gross, rtol=1e-9)
    np.testing.assert_allclose(n[1], det.net, rtol=1e-9)


# ---------------------------------------------------------------- optimiser with fixed own measures
def test_optimiser_keeps_measures_fixed_and_needs_less() -> None:
    from model.optimiser import OptimiserResult, optimise

    big = measure_from_dict(measure(id="ccs", stream=None, sector="El och fjärrvärme", unit="pct", effect=100.0,
                                    start=2025, full=2027, actor="business", cost_sek_per_t=[1000.0, 2000.0]))
    without = optimise(Scenario(kommun="0381"))
    with_m = optimise(Scenario(kommun="0381", measures=(big,)))
    assert with_m.start_gap_t < without.start_gap_t
    assert with_m.total_cost_sek_per_year <= without.total_cost_sek_per_year + 1.0
    # The suggestion keeps the measure; verified in the full engine, its gap is the reported one.
    sc = with_m.scenario()
    assert sc.measures == (big,)
    res = run_scenario(sc)
    assert res.target(sc.target.selected).gap_t == pytest.approx(with_m.gap_t, abs=1e-6)
    year = list(res.years).index(with_m.target_year)
    assert with_m.measure_abatement_t["ccs"] == pytest.approx(res.measure_attribution["ccs"][year])
    assert with_m.measure_cost_sek_per_year["ccs"] == pytest.approx(1500.0 * with_m.measure_abatement_t["ccs"])
    assert OptimiserResult.from_dict(with_m.to_dict()) == with_m
    assert without.measures == () and without.measure_abatement_t == {}
