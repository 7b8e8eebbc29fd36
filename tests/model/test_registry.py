"""Lever registry completeness, sector coverage and rejection of inconsistent registries."""
from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable
from typing import Any

import pytest

from model import codec
from model.baseline import build_context
from model.data import SECTORS, load_dataset
from model.registry import (
    ACTORS,
    GROUPS,
    KINDS,
    POLICIES,
    RAMP_SHAPES,
    REGISTRY_PATH,
    Lever,
    RegistryError,
    load_registry,
)
from model.registry_parse import parse_registry
from model.transport_facts import kommun_facts

REG = load_registry()
LEVER_IDS = [lv.id for lv in REG.levers]


def _raw() -> dict[str, Any]:
    with open(REGISTRY_PATH, "rb") as fh:
        return tomllib.load(fh)


RAW = _raw()


def _lever_raw(raw: dict[str, Any], lever_id: str) -> dict[str, Any]:
    return next(lv for lv in raw["lever"] if lv["id"] == lever_id)


def _on_step(lv: Lever, value: float) -> bool:
    k = (value - lv.min) / lv.step
    return abs(k - round(k)) < 1e-9


# --------------------------------------------------------------------------- completeness

def test_lever_count() -> None:
    # 18 levers before issue 13, then one for every material source (10 more).
    assert len(REG.levers) == 28
    assert len(set(LEVER_IDS)) == len(LEVER_IDS)


@pytest.mark.parametrize("lever_id", LEVER_IDS)
def test_lever_is_complete(lever_id: str) -> None:
    lv = REG.lever(lever_id)
    for lang in ("sv", "en"):
        assert lv.label[lang].strip() and lv.help[lang].strip(), lang
        # Help explains more than the label repeats.
        assert len(lv.help[lang]) > len(lv.label[lang])
    assert lv.unit.strip()
    assert lv.min < lv.max and lv.step > 0
    assert _on_step(lv, lv.max), "max must be reachable on the step grid"
    assert lv.kind in KINDS and lv.group in GROUPS and lv.actor in ACTORS
    assert lv.ramp.shape in RAMP_SHAPES
    assert 2024 <= lv.ramp.start <= lv.ramp.full <= 2045
    if lv.ramp.shape != "step":
        assert lv.ramp.start < lv.ramp.full
    lo, mode, hi = lv.effectiveness
    assert 0 < lo <= mode <= hi
    assert lv.source.strip()
    assert lv.is_assumption == lv.source.strip().lower().startswith("assumption")
    if lv.cost_sek_per_t is not None:
        assert lv.cost_sek_per_t[0] <= lv.cost_sek_per_t[1] <= lv.cost_sek_per_t[2]
        assert lv.cost_source and lv.cost_source.strip()
    if lv.kind == "removal":
        assert not lv.streams and lv.t_per_unit and lv.t_per_unit > 0
    else:
        assert lv.streams and all(0 < a <= 1 for a in lv.streams.values())
    if lv.kind == "stock":
        assert lv.unit == "%" and (lv.min, lv.max) == (0, 100) and lv.turnover is not None


@pytest.mark.parametrize("lever_id", LEVER_IDS)
def test_nnm_and_default_in_range(lever_id: str) -> None:
    """Checked before the engine clips: numeric values as written, data values as computed for Enköping."""
    lv = REG.lever(lever_id)
    if isinstance(lv.nnm, str):
        assert lv.nnm.startswith("data:")
        raw = kommun_facts("0381", REG)[lv.nnm[5:]][0]
        assert lv.nnm_fallback is not None and lv.min <= lv.nnm_fallback <= lv.max
    else:
        raw = lv.nnm
    assert lv.min <= raw <= lv.max
    ctx = build_context("0381")
    nnm = float(ctx.nnm[LEVER_IDS.index(lever_id)])
    assert lv.min <= nnm <= lv.max
    # The engine may round the data value to the slider grid, never move it further.
    assert abs(nnm - raw) <= lv.step / 2 + 1e-9
    assert lv.default == "nnm" or lv.min <= float(lv.default) <= lv.max


def test_data_nnm_in_range_for_every_kommun() -> None:
    data_levers = [lv for lv in REG.levers if isinstance(lv.nnm, str)]
    assert data_levers, "expected at least one data-driven nnm"
    for k in load_dataset().kommuner:
        facts = kommun_facts(k.code, REG)
        for lv in data_levers:
            assert lv.min <= facts[lv.nnm[5:]][0] <= lv.max, (k.code, lv.id)


def test_url_keys() -> None:
    keys = [lv.url_key for lv in REG.levers]
    assert len(set(keys)) == len(keys)
    bad = [k for k in keys if not re.fullmatch(r"[a-z]{2,4}", k)]
    assert not bad
    assert REG.by_url_key("ev") is REG.lever("ev_cars")
    assert REG.by_url_key("zzzz") is None


def test_url_keys_do_not_collide_with_link_parameters() -> None:
    assert not {lv.url_key for lv in REG.levers} & set(codec.RESERVED)


def test_streams_cover_every_sector() -> None:
    assert {s.sector for s in REG.streams} == set(SECTORS)
    assert len(set(REG.stream_ids)) == len(REG.stream_ids)
    # Each sector has exactly one residual ("rest" or "all") so shares add up to the inventory.
    for sector in SECTORS:
        specs = [s.share for s in REG.streams if s.sector == sector]
        assert sum(sp in ("rest", "all") for sp in specs) == 1, sector


def test_policies() -> None:
    assert set(REG.policies) == set(POLICIES)
    for pid, table in REG.policies.items():
        # Sources are shown and printed in the user's language (issue 10 item 8).
        sv, en = REG.policy_source(pid, "sv"), REG.policy_source(pid, "en")
        assert sv.strip() and en.strip() and sv != en
        assert not any(w in sv for w in ("Government", "proposal", "decision", "derived", "assumption"))
        for fuel in ("petrol", "diesel"):
            levels = {int(y): float(v) for y, v in table[fuel].items()}
            assert min(levels) == 2024, (pid, fuel)
            assert all(0 <= v <= 100 for v in levels.values())


# --------------------------------------------------------------------------- coverage

def _levers_on(stream_ids: set[str]) -> list[str]:
    return [lv.id for lv in REG.levers if set(lv.streams) & stream_ids]


@pytest.mark.parametrize("stream_id", [s.id for s in REG.streams if s.id != "transport_other"])
def test_every_stream_has_a_lever(stream_id: str) -> None:
    """Every stream but the small transport remainder (rail, mopeds, wear) is reachable by a lever."""
    assert _levers_on({stream_id})


@pytest.mark.parametrize("sector", SECTORS)
def test_every_sector_has_a_lever(sector: str) -> None:
    assert _levers_on({s.id for s in REG.streams if s.sector == sector})


@pytest.mark.parametrize("stream_id, lever_id", [
    ("industry", "industry_ccs"), ("industry", "industry_fuel_switch"), ("domestic_shipping", "shipping"),
    ("domestic_aviation", "aviation"), ("international", "international_fuels"),
    ("machinery_construction", "machinery_construction"), ("heating_premises", "premises_heating"),
    ("waste_landfill", "landfill_gas"), ("military", "military_fuel"),
])
def test_new_sources_have_their_own_lever(stream_id: str, lever_id: str) -> None:
    assert stream_id in REG.lever(lever_id).streams


def test_help_texts_are_neutral() -> None:
    """Help, labels and sources name no kommun-specific place (issue 13 item 4)."""
    for lv in REG.levers:
        text = " ".join([*lv.help.values(), *lv.label.values(), lv.source])
        assert not re.search(r"\b(Enköping\w*|E18|ENA)\b", text), lv.id


def test_ev_cars_fields_replace_the_special_case() -> None:
    """The car fleet's data come from registry fields, not from code that knows the lever's id."""
    lv = REG.lever("ev_cars")
    assert lv.electric_km_share == "data:car_electric_km_share"
    assert lv.initial_fleet_share == "data:car_fleet_rechargeable_share"
    facts = kommun_facts("0381", REG)
    bev = facts["bev_share_of_rechargeable"][0]
    f0, n, e_km = build_context("0381").fleet["ev_cars"]
    assert e_km == pytest.approx(bev + (1 - bev) * REG.param("phev_electric_km_share"))


def test_range_rules_are_documented() -> None:
    ruled = {lv.id: lv.range_rules for lv in REG.levers if lv.range_rules}
    assert {"beccs", "biochar", "land_sink"} <= set(ruled)
    assert len(ruled["beccs"]) == 2  # plant-size ratio and a per-inhabitant cap
    for lid, rule in ((lid, r) for lid, rules in ruled.items() for r in rules):
        assert rule.reason["sv"].strip() and rule.reason["en"].strip() and rule.factor > 0, lid
        assert rule.is_assumption, lid  # all three rules are assumptions with their reasoning
        assert len(rule.source) > 60, lid


@pytest.mark.parametrize("word", ["beccs", "biochar", "land_sink"])
def test_coverage_of_removals(word: str) -> None:
    found = [lv for lv in REG.levers if lv.kind == "removal" and word in lv.id]
    assert len(found) == 1


def test_agriculture_has_more_than_one_lever() -> None:
    assert len(_levers_on({s.id for s in REG.streams if s.sector == "Jordbruk"})) >= 2


# --------------------------------------------------------------------------- parse_registry rejects

def test_unmodified_raw_parses_to_same_registry() -> None:
    reg = parse_registry(copy.deepcopy(RAW))
    assert reg.lever_ids == REG.lever_ids and reg.stream_ids == REG.stream_ids


Edit = Callable[[dict[str, Any]], None]


def _set_lever(lever_id: str, key: str, value: Any) -> Edit:
    def edit(raw: dict[str, Any]) -> None:
        _lever_raw(raw, lever_id)[key] = value
    return edit


def _del_lever(lever_id: str, key: str) -> Edit:
    def edit(raw: dict[str, Any]) -> None:
        del _lever_raw(raw, lever_id)[key]
    return edit


def _dup_url_key(raw: dict[str, Any]) -> None:
    raw["lever"][1]["url_key"] = raw["lever"][0]["url_key"]


def _dup_id(raw: dict[str, Any]) -> None:
    raw["lever"][2]["id"] = raw["lever"][3]["id"]


def _no_en_label(raw: dict[str, Any]) -> None:
    _lever_raw(raw, "car_traffic")["label"] = {"sv": "Minskad biltrafik"}


def _drop_policy(raw: dict[str, Any]) -> None:
    del raw["policy"]["rp10_2025"]


def _bad_stream_sector(raw: dict[str, Any]) -> None:
    raw["stream"][0]["sector"] = "Rymdfart"


def _sector_without_stream(raw: dict[str, Any]) -> None:
    raw["stream"] = [s for s in raw["stream"] if s["sector"] != "Avfall (inkl.avlopp)"]
    for lv in raw["lever"]:
        for sid in ("waste", "waste_landfill"):
            lv.get("streams", {}).pop(sid, None)
    raw["lever"] = [lv for lv in raw["lever"] if lv["kind"] == "removal" or lv.get("streams")]


REJECTS: list[tuple[str, Edit, str]] = [
    ("duplicate_url_key", _dup_url_key, "url_key"),
    ("duplicate_id", _dup_id, "id"),
    ("unknown_stream", _set_lever("car_traffic", "streams", {"spaceships": 1.0}), "spaceships"),
    ("bad_actor", _set_lever("car_traffic", "actor", "aliens"), "aliens"),
    ("nnm_above_max", _set_lever("car_traffic", "nnm", 31), "nnm=31"),
    ("nnm_below_min", _set_lever("organic_soils", "nnm", -1), "nnm=-1"),
    ("nnm_bad_string", _set_lever("car_traffic", "nnm", "lots"), "lots"),
    ("nnm_data_without_fallback", _del_lever("ev_cars", "nnm_fallback"), "nnm_fallback"),
    ("nnm_fallback_out_of_range", _set_lever("ev_cars", "nnm_fallback", 120), "nnm_fallback=120"),
    ("default_out_of_range", _set_lever("car_traffic", "default", 45), "default=45"),
    ("min_not_below_max", _set_lever("car_traffic", "min", 30), "min/max"),
    ("zero_step", _set_lever("car_traffic", "step", 0), "step"),
    ("bad_kind", _set_lever("car_traffic", "kind", "magic"), "magic"),
    ("bad_group", _set_lever("car_traffic", "group", "space"), "space"),
    ("bad_ramp_shape", _set_lever("car_traffic", "ramp", {"shape": "zigzag", "start": 2025, "full": 2030}),
     "zigzag"),
    ("ramp_backwards", _set_lever("car_traffic", "ramp", {"shape": "linear", "start": 2030, "full": 2025}),
     "ramp"),
    ("effectiveness_unordered", _set_lever("car_traffic", "effectiveness", [1.0, 0.7, 1.1]), "effectiveness"),
    ("effectiveness_two_values", _set_lever("car_traffic", "effectiveness", [0.7, 1.0]), "effectiveness"),
    ("missing_label_en", _no_en_label, "label.en"),
    ("missing_source", _del_lever("car_traffic", "source"), "source"),
    ("missing_actor", _del_lever("car_traffic", "actor"), "actor"),
    ("stock_without_turnover", _del_lever("ev_cars", "turnover"), "turnover"),
    ("unknown_turnover_parameter", _set_lever("ev_cars", "turnover", "bus_turnover"), "bus_turnover"),
    ("removal_without_t_per_unit", _del_lever("biochar", "t_per_unit"), "t_per_unit"),
    ("removal_without_iamc_variable", _del_lever("biochar", "iamc_removal"), "iamc_removal"),
    ("multiplier_without_streams", _set_lever("car_traffic", "streams", {}), "streams"),
    ("missing_policy", _drop_policy, "policy"),
    ("range_rule_bad_basis", _set_lever("beccs", "range_rule", {"basis": "moon", "factor": 1.0,
                                                               "reason": {"sv": "a", "en": "b"}, "source": "x"}),
     "moon"),
    ("range_rule_zero_factor", _set_lever("beccs", "range_rule", {"basis": "population", "factor": 0,
                                                                 "reason": {"sv": "a", "en": "b"}, "source": "x"}),
     "factor"),
    ("range_rule_without_reason", _set_lever("biochar", "range_rule", {"basis": "population", "factor": 1.0,
                                                                      "source": "x"}), "reason"),
    ("range_rule_list_with_a_bad_entry", _set_lever("beccs", "range_rule", [
        {"basis": "population", "factor": 1.0, "reason": {"sv": "a", "en": "b"}, "source": "x"}, "oops"]),
     "range_rule"),
    ("stock_electric_km_out_of_range", _set_lever("ev_cars", "electric_km_share", 1.5), "electric_km_share"),
    ("stream_unknown_sector", _bad_stream_sector, "Rymdfart"),
    ("sector_without_stream", _sector_without_stream, "sektor"),
]


@pytest.mark.parametrize("edit, needle", [r[1:] for r in REJECTS], ids=[r[0] for r in REJECTS])
def test_parse_registry_rejects(edit: Edit, needle: str) -> None:
    raw = copy.deepcopy(RAW)
    edit(raw)
    with pytest.raises(RegistryError) as exc:
        parse_registry(raw)
    assert needle in str(exc.value)


def test_rejects_do_not_touch_the_shared_registry() -> None:
    """parse_registry works on copies; the cached registry is unchanged."""
    assert load_registry() is REG
    assert REG.lever("car_traffic").actor in ACTORS


def test_model_choices_have_one_home_in_the_registry_file() -> None:
    """Horizons, target years, groups, actors and policies are read from registry.toml's [model] table
    and every layer uses that one object (issue 12: a new horizon is one line of data)."""
    import tomllib

    import model.baseline
    import model.codec
    import model.profiles_parse
    import model.registry as reg
    import model.scenario_parse
    from model.registry import REGISTRY_PATH

    table = tomllib.loads(REGISTRY_PATH.read_text(encoding="utf-8"))["model"]
    assert tuple(table["horizons"]) == reg.HORIZONS and tuple(table["target_years"]) == reg.TARGET_YEARS
    assert tuple(table["groups"]) == reg.GROUPS and tuple(table["actors"]) == reg.ACTORS
    assert reg.POLICIES == tuple(table["policies"]) == tuple(load_registry().policies)
    for module in (model.baseline, model.scenario_parse):
        assert module.HORIZONS is reg.HORIZONS, module.__name__
    for module in (model.scenario_parse, model.profiles_parse, model.codec):
        assert module.TARGET_YEARS is reg.TARGET_YEARS, module.__name__
    assert tuple(str(h) for h in reg.HORIZONS) == model.codec.HORIZONS


def test_units_have_their_two_forms_in_the_registry_and_an_unknown_unit_is_refused() -> None:
    from model.registry import UNITS, unit_label

    assert {lv.unit for lv in load_registry().levers} <= set(UNITS)
    assert unit_label("kt/år", "en") == "kt/yr" and unit_label("kt/år", "sv") == "kt/år"
    assert unit_label("%", "en") == "%" and unit_label("okänd", "en") == "okänd"
    raw = _raw()
    raw["lever"][0]["unit"] = "GWh"
    with pytest.raises(RegistryError, match="GWh"):
        parse_registry(raw)


def test_registry_texts_every_kommun_sees_name_no_kommun() -> None:
    """Lever labels, help, sources and parameter sources are shown for every kommun: a kommun's own facts
    belong in its profile (the population-growth uncertainty's source used to say 'for Enköping')."""
    reg = load_registry()
    texts = [str(p) for p in reg.parameters.values()]
    for lv in reg.levers:
        texts += [*lv.label.values(), *lv.help.values(), str(lv.source), str(lv.cost_source)]
    hits = [x[:80] for x in texts if any(w in x for w in ("Enköping", "E18", "ENA Energi"))]
    assert not hits, hits
