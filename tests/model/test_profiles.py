"""Kommun profiles (issue 13 item 5): shipped profiles load and hold sourced, real figures;
malformed profiles name the file, the field and what is allowed; the download round-trips."""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model.baseline import build_context
from model.budget_rate import KOMMUN_BUDGET_RATES
from model.data import SECTORS, load_dataset
from model.engine import baseline_streams
from model.measures_engine import measure_effects
from model.measures_parse import measure_from_dict
from model.profiles import (
    MAX_FILE_BYTES,
    PROFILE_DIR,
    Profile,
    ProfileError,
    load_profile,
    profile_to_toml,
    shipped_profiles,
    with_measures,
)
from model.profiles_parse import profile_from_dict, profile_from_text
from model.registry import load_registry
from model.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
ENK = "kommuner/0381.toml"
ENK_RAW = tomllib.loads((PROFILE_DIR / "0381.toml").read_text("utf-8"))


def sector_t(code: str, year: int, sector: str) -> float:
    ds = load_dataset()
    return float(ds.emissions[ds.index_of(code)][ds.inventory_years.index(year), SECTORS.index(sector)])


def test_every_shipped_profile_loads() -> None:
    codes = shipped_profiles()
    assert {"0381", "0481", "0980", "2506"} <= set(codes)
    for code in codes:
        p = load_profile(code)
        assert p.code == code and not p.is_empty
        for item in (*p.facts, *p.notes, *p.plants, *p.measures):
            assert item.source.sv and item.source.en


def test_kinds_of_kommun() -> None:
    """An industry kommun (industry > 90 % of 2024) and an island kommun with its own target."""
    ox = load_profile("0481")
    assert ox.fact("industry_share_2024").value > 90
    assert {pl.kind for pl in ox.plants} == {"steel"} and ox.measures[0].stream == "industry"
    got = load_profile("0980")
    assert got.target is not None and got.target.spec().year == 2040
    got.target.spec().validate(tuple(load_dataset().inventory_years))
    assert got.plants[0].capture_capacity_t == 1_800_000


def test_facts_equal_the_shipped_data() -> None:
    """Profile figures are the data's, not typed-in numbers that could drift."""
    enk, ox, got = load_profile("0381"), load_profile("0481"), load_profile("0980")
    assert enk.fact("waste_1990").value == pytest.approx(sector_t("0381", 1990, "Avfall (inkl.avlopp)"), abs=0.01)
    assert enk.fact("waste_2024").value == pytest.approx(sector_t("0381", 2024, "Avfall (inkl.avlopp)"), abs=0.01)
    assert ox.fact("industry_2024").value == pytest.approx(
        sector_t("0481", 2024, "Industri (energi + processer)"), abs=0.01)
    total = sum(sector_t("0481", 2024, s) for s in SECTORS)
    assert ox.fact("total_2024").value == pytest.approx(total, abs=0.01)
    assert ox.fact("industry_share_2024").value == pytest.approx(
        100 * ox.fact("industry_2024").value / total, abs=0.05)
    assert got.fact("agriculture_2024").value == pytest.approx(sector_t("0980", 2024, "Jordbruk"), abs=0.01)
    arj = load_profile("2506")
    assert arj.fact("agriculture_2024").value == pytest.approx(sector_t("2506", 2024, "Jordbruk"), abs=0.01)
    assert arj.fact("total_2024").value == pytest.approx(sum(sector_t("2506", 2024, s) for s in SECTORS), abs=0.01)
    assert enk.target.rate_pct == KOMMUN_BUDGET_RATES["0381"][0]


@pytest.mark.parametrize("code, fact, column", [
    ("0381", "organic_soils_2019", "Jordbruk|Odling av organogena jordar"),
    ("0381", "fgas_2019", "Produktanvändning (inkl. lösningsmedel)|Användning av fluorerade gaser"),
    ("0980", "domestic_shipping_2019", "Transporter|inrikes civil sjöfart (inkl privata fritidsbåtar)"),
    ("2506", "snowmobiles_2019", "Arbetsmaskiner|Skotrar och fyrhjulingar"),
])
def test_subsector_facts_equal_the_shipped_subsectors(code: str, fact: str, column: str) -> None:
    from model.subsectors import load_subsectors

    assert load_profile(code).fact(fact).value == pytest.approx(float(load_subsectors().loc[code, column]), abs=0.01)


def test_enteric_share_is_computed_from_the_subsectors() -> None:
    from model.subsectors import load_subsectors

    df = load_subsectors()
    share = 100 * float(df.loc["2506", "Jordbruk|Djurs matsmältning"]) / float(df.loc["2506", "Jordbruk|Alla"])
    assert load_profile("2506").fact("enteric_share_2019").value == pytest.approx(share, abs=0.05)


def test_enkoping_preset_moved_from_the_generic_file() -> None:
    """The Enköping preset has the Klimatkontrakt levels and the reasons that cite Enköping."""
    generic = load_scenario(ROOT / "scenarios" / "klimatkontrakt.toml")
    preset = load_profile("0381").presets[0]
    assert dict(preset.levers) == generic.levers
    assert preset.national_policy == generic.national_policy
    reasons = {lid: sv for lid, sv, _ in preset.reasons}
    assert "Enköping" in reasons["ev_cars"] and "E18" in reasons["heavy_trucks_el"]
    assert "ENA" in reasons["dh_fossil_free"]


def test_no_enkoping_text_in_other_profiles() -> None:
    for code in shipped_profiles():
        if code != "0381":
            text = (PROFILE_DIR / f"{code}.toml").read_text("utf-8")
            assert [w for w in ("Enköping", "E18", "ENA ", "ENA:") if w in text] == []


@pytest.mark.parametrize("code", ["0114", "2584", "../0381", "abcd", ""])
def test_kommun_without_profile_gets_an_empty_one(code: str) -> None:
    p = load_profile(code)
    assert p.is_empty and p.code == code
    if code == "0114":
        assert p.name == "Upplands Väsby"


def test_oxelosund_measure_cuts_the_industry_stream() -> None:
    reg = load_registry()
    ctx = build_context("0481", "current_law", 2030)
    base = baseline_streams(ctx)
    ms = load_profile("0481").measures
    eff = measure_effects(ms, ctx.years, reg.stream_ids, ctx.stream_sector, base)
    si = reg.stream_ids.index("industry")
    expected = np.where(ctx.years >= 2027, 0.8, 0.0) * base[si, 0]
    np.testing.assert_allclose(eff[0, si], expected)
    assert eff[0].sum() == pytest.approx(expected.sum())


def test_gotland_capture_is_capped_at_the_industry_stream() -> None:
    reg = load_registry()
    ctx = build_context("0980", "current_law", 2030)
    base = baseline_streams(ctx)
    eff = measure_effects(load_profile("0980").measures, ctx.years, reg.stream_ids, ctx.stream_sector, base)
    si = reg.stream_ids.index("industry")
    assert eff[0, si, -1] == pytest.approx(min(1_800_000.0, base[si, 0, -1]))
    assert eff[0, si, -1] <= base[si, 0, -1]


def changed(path: str, value: Any) -> dict[str, Any]:
    """Enköping's profile with one field set (``None`` deletes it); path like ``fact.0.value``."""
    raw = copy.deepcopy(ENK_RAW)
    node: Any = raw
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node.setdefault(p, {})
    last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return raw


GOOD_MEASURE = {"id": "biogas", "name": {"sv": "Biogas", "en": "Biogas"}, "stream": "agri_manure", "unit": "t",
                "effect": 900, "start": 2026, "full": 2028, "actor": "business",
                "source": {"sv": "Plan", "en": "Plan"}}


def with_measure(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(ENK_RAW)
    m = {k: v for k, v in {**GOOD_MEASURE, **changes}.items() if v is not None}
    raw["measure"] = [m]
    return raw


MALFORMED = [
    ("wrong type", changed("fact.0.value", "många"), "fact[0].value", "profile.number"),
    ("fact year out of range", changed("fact.1.year", 1850), "fact[1].year", "profile.year"),
    ("fact without source", changed("fact.0.source", None), "fact[0].source", "profile.missing"),
    ("rate out of range", changed("target.rate_pct", 80), "target.rate_pct", "profile.number"),
    ("unknown target kind", changed("target.kind", "paris"), "target.kind", "profile.choice"),
    ("base year not offered", changed("target.base_year", 2023), "target.base_year", "profile.choice"),
    ("unknown stream", with_measure(stream="rockets"), "measure[0].stream", "profile.unknown_stream"),
    ("unknown actor", with_measure(actor="mayor"), "measure[0].actor", "profile.unknown_actor"),
    ("start after full", with_measure(start=2030, full=2027), "measure[0].start", "profile.start_after_full"),
    ("measure without source", with_measure(source=None), "measure[0].source", "profile.missing"),
    ("measure percent over 100", with_measure(unit="pct", effect=150), "measure[0].effect", "profile.number"),
    ("preset lever off grid", changed("preset.0.levers.ev_cars", 81), "preset[0].levers.ev_cars",
     "profile.lever_value"),
    ("preset lever out of range", changed("preset.0.levers.car_traffic", 90), "preset[0].levers.car_traffic",
     "profile.lever_value"),
    ("preset unknown lever", changed("preset.0.levers.teleport", 5), "preset[0].levers.teleport",
     "profile.unknown_lever"),
    ("preset unknown measure", changed("preset.0.measures", ["ghost"]), "preset[0].measures",
     "profile.unknown_measure"),
    ("preset unknown policy", changed("preset.0.national_policy", "none"), "preset[0].national_policy",
     "profile.choice"),
    ("plant unknown sector", changed("plant.0.sector", "Rymden"), "plant[0].sector", "profile.unknown_sector"),
    ("plant negative capacity", changed("plant.0.capture_capacity_t", -5), "plant[0].capture_capacity_t",
     "profile.number"),
    ("kommun of another file", changed("kommun", "0481"), "kommun", "profile.kommun"),
    ("typo in a top key", changed("measures", []), ".measures", "profile.unknown_key"),
    ("duplicate fact id", changed("fact.1.id", "organic_soils_2019"), "fact[1].id", "profile.duplicate"),
    ("facts not a list", changed("fact", {"id": "x"}), "fact", "profile.list"),
    ("wrong format version", changed("format_version", 2), "format_version", "profile.format_version"),
]


@pytest.mark.parametrize("raw, field, key", [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_profile_names_file_and_field(raw: dict[str, Any], field: str, key: str) -> None:
    with pytest.raises(ProfileError) as err:
        profile_from_dict(raw, ENK, "0381")
    e = err.value
    assert (e.file, e.field, e.key) == (ENK, field, key)
    assert e.params["file"] == ENK and e.params["field"] == field
    for msg in (e.message, e.message_sv, str(e)):
        assert ENK in msg and f"'{field}'" in msg
    assert e.allowed and e.allowed_en


def test_allowed_range_is_in_the_message() -> None:
    with pytest.raises(ProfileError) as err:
        profile_from_dict(changed("target.rate_pct", 80), ENK, "0381")
    assert "0,5–50 % per år" in err.value.message_sv and "0.5–50" in err.value.message


@pytest.mark.parametrize("data, key", [
    (b"format_version = 1\n" + b"#" * MAX_FILE_BYTES, "profile.too_big"),
    (b"\xff\xfeformat_version = 1", "profile.encoding"),
    (b"format_version = 1\nkommun = \n", "profile.syntax"),
    (b"[" * 5000, "profile.syntax"),
    (b"format_version = 1\n", "profile.missing"),
])
def test_bad_text(data: bytes, key: str) -> None:
    with pytest.raises(ProfileError) as err:
        profile_from_text(data, "upload.toml")
    assert err.value.key == key and "upload.toml" in str(err.value)


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(ProfileError) as err:
        profile_from_text("format_version = 1\nkommun = \"0381\"\nname = \n", "upload.toml")
    assert err.value.params["line"] == 3


def test_bad_upload_changes_nothing_on_disk() -> None:
    before = {p.name: p.read_bytes() for p in PROFILE_DIR.iterdir()}
    with pytest.raises(ProfileError):
        profile_from_text((PROFILE_DIR / "0381.toml").read_text("utf-8").replace("13.0", "80.0"), "0381.toml",
                          "0381")
    assert {p.name: p.read_bytes() for p in PROFILE_DIR.iterdir()} == before


@pytest.mark.parametrize("code", ["0381", "0481", "0980", "2506"])
def test_download_round_trip(code: str) -> None:
    p = load_profile(code)
    assert profile_from_text(profile_to_toml(p), f"{code}.toml", code) == p


def test_download_with_own_measures_round_trips() -> None:
    own = [measure_from_dict({**GOOD_MEASURE, "id": "gårdsgas".replace("å", "a"),
                              "name": {"sv": "Gårdsbiogas i Örsundsbro", "en": "Farm biogas in Örsundsbro"}}),
           measure_from_dict({**GOOD_MEASURE, "id": "sector-wide", "stream": None, "sector": "Jordbruk",
                              "unit": "pct", "effect": 2.5, "cost_sek_per_t": [100, 800],
                              "uncertainty": [0.5, 1.2],
                              "source": {"sv": "Uppskattat", "en": "Estimated", "assumption": True}})]
    p = with_measures(load_profile("0381"), own)
    text = profile_to_toml(p)
    assert "Gårdsbiogas i Örsundsbro" in text
    back = profile_from_text(text.encode("utf-8"), "min-profil.toml", "0381")
    assert back == p and back.measures == tuple(own)
    assert isinstance(back, Profile)


def test_empty_profile_round_trips() -> None:
    p = load_profile("0114")
    assert profile_from_text(profile_to_toml(p), "0114.toml", "0114") == p


def test_lever_capacities_from_plants() -> None:
    """Only a CHP or heating plant with a stated capture capacity caps BECCS; Enköping's CHP has
    no published figure and Gotland's cement capture is not counted as a removal."""
    from model.profiles import lever_capacities

    assert lever_capacities(load_profile("0381")) == {}
    assert lever_capacities(load_profile("0980")) == {}
    assert lever_capacities(load_profile("0114")) == {}
    raw = changed("plant.0.capture_capacity_t", 150_000.0)
    assert lever_capacities(profile_from_dict(raw, ENK, "0381")) == {"beccs": 150.0}
