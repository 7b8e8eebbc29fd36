"""Scenario presets, malformed scenario files and the TOML round trip."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.data import load_dataset
from model.registry import POLICIES, Lever, load_registry
from model.scenario import (
    MAX_ALLOWED_SHOWN,
    MAX_FILE_BYTES,
    Scenario,
    ScenarioFileError,
    dumps_scenario,
    load_scenario,
    loads_scenario,
    save_scenario,
)
from model.targets import TARGET_IDS, TargetSpec, base_years

ROOT = Path(__file__).resolve().parents[2]
PRESET_FILES = sorted((ROOT / "scenarios").glob("*.toml"))
REG = load_registry()
DS = load_dataset()


# --------------------------------------------------------------------------- presets

def test_presets_exist() -> None:
    assert {p.stem for p in PRESET_FILES} >= {"nuvarande_politik", "klimatkontrakt", "hog_ambition"}


@pytest.mark.parametrize("path", PRESET_FILES, ids=lambda p: p.stem)
def test_preset_is_complete(path: Path) -> None:
    sc = load_scenario(path)
    assert sc.id == path.stem
    assert set(sc.levers) <= set(REG.lever_ids)
    for field in ("name", "description"):
        texts = getattr(sc, field)
        assert set(texts) == {"sv", "en"}, field
        assert all(t.strip() for t in texts.values()), field
    # A real translation, not the Swedish text copied into the English slot.
    assert sc.description["sv"] != sc.description["en"]
    missing = set(sc.levers) - set(sc.reasons)
    assert not missing, f"levers without a reason: {sorted(missing)}"
    assert set(sc.reasons) <= set(sc.levers), "reasons for levers the preset does not set"
    for lid, why in sc.reasons.items():
        assert set(why) == {"sv", "en"} and all(t.strip() for t in why.values()), lid
    assert sc.national_policy in POLICIES and sc.horizon in (2030, 2045)


def test_nuvarande_politik_is_the_baseline() -> None:
    sc = load_scenario(ROOT / "scenarios" / "nuvarande_politik.toml")
    assert sc.levers == {} and sc.national_policy == "current_law"


@pytest.mark.parametrize("path", PRESET_FILES, ids=lambda p: p.stem)
def test_preset_round_trip(path: Path, tmp_path: Path) -> None:
    sc = load_scenario(path)
    assert loads_scenario(dumps_scenario(sc)) == sc
    save_scenario(sc, tmp_path / "copy.toml")
    assert load_scenario(tmp_path / "copy.toml") == sc


# --------------------------------------------------------------------------- malformed files

BASE = """\
format_version = 1

[scenario]
id = "test"
name = { sv = "Test", en = "Test" }
national_policy = "current_law"
horizon = 2030

[levers]
ev_cars = 80
biochar = 1000

[target]
selected = "klimatneutral_2030"
base_year = 1990
max_gross_pct = 20.0
"""


def test_base_case_is_valid() -> None:
    """The malformed cases below are each one edit away from this valid file."""
    sc = loads_scenario(BASE)
    assert sc.levers == {"ev_cars": 80.0, "biochar": 1000.0}


def _sub(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


# (case id, file content, expected field, text naming the value, text in "allowed")
MALFORMED: list[tuple[str, str | bytes, str, str, str]] = [
    ("not_toml", "this is [not toml = =\n", "(fil)", "", "giltig TOML"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\xff\xfe\x00", "(fil)", "x89PNG", "UTF-8"),
    ("too_big", BASE + "#" + "x" * MAX_FILE_BYTES + "\n", "(fil)", "byte", "65\u00a0536"),
    ("format_version_missing", _sub("format_version = 1\n", ""), "format_version", "None", "1"),
    ("format_version_2", _sub("format_version = 1", "format_version = 2"), "format_version", "2", "1"),
    ("format_version_string", _sub("format_version = 1", 'format_version = "1"'), "format_version", "'1'", "1"),
    ("format_version_bool", _sub("format_version = 1", "format_version = true"), "format_version", "True", "1"),
    ("unknown_top_key", _sub("format_version = 1", "format_version = 1\ncolour = 'red'"), "colour", "'red'",
     "scenario"),
    ("unknown_scenario_key", _sub('id = "test"', 'id = "test"\nowner = "me"'), "scenario.owner", "'me'",
     "national_policy"),
    ("scenario_not_table", _sub('[scenario]\nid = "test"\nname = { sv = "Test", en = "Test" }\n'
                                'national_policy = "current_law"\nhorizon = 2030\n', "")
     .replace("format_version = 1", "format_version = 1\nscenario = 'x'"), "scenario", "'x'", "[scenario]"),
    ("bad_policy", _sub('"current_law"', '"max_ambition"'), "scenario.national_policy", "'max_ambition'",
     "rp10_2025"),
    ("horizon_2031", _sub("horizon = 2030", "horizon = 2031"), "scenario.horizon", "2031", "2045"),
    ("horizon_true", _sub("horizon = 2030", "horizon = true"), "scenario.horizon", "True", "2030"),
    ("horizon_string", _sub("horizon = 2030", 'horizon = "2030"'), "scenario.horizon", "'2030'", "2030"),
    ("unknown_kommun", _sub("horizon = 2030", 'horizon = 2030\nkommun = "9999"'), "scenario.kommun", "'9999'",
     "0381"),
    ("kommun_as_int", _sub("horizon = 2030", "horizon = 2030\nkommun = 381"), "scenario.kommun", "381", "0381"),
    ("bad_id", _sub('id = "test"', 'id = "två ord!"'), "scenario.id", "två ord!", "högst 40"),
    ("name_unknown_language", _sub('name = { sv = "Test", en = "Test" }', 'name = { de = "Test" }'),
     "scenario.name", "de", "sv"),
    ("unknown_lever", _sub("ev_cars = 80", "ev_cars = 80\nteleport = 5"), "levers.teleport", "teleport",
     "ev_cars"),
    ("lever_string", _sub("ev_cars = 80", 'ev_cars = "80"'), "levers.ev_cars", "'80'", "0–100"),
    ("lever_nan", _sub("ev_cars = 80", "ev_cars = nan"), "levers.ev_cars", "nan", "0–100"),
    ("lever_inf", _sub("ev_cars = 80", "ev_cars = inf"), "levers.ev_cars", "inf", "0–100"),
    ("lever_minus_inf", _sub("ev_cars = 80", "ev_cars = -inf"), "levers.ev_cars", "-inf", "0–100"),
    ("lever_too_high", _sub("ev_cars = 80", "ev_cars = 105"), "levers.ev_cars", "105", "0–100 %"),
    ("lever_too_low", _sub("ev_cars = 80", "ev_cars = -5"), "levers.ev_cars", "-5", "0–100 %"),
    ("lever_off_step", _sub("ev_cars = 80", "ev_cars = 82"), "levers.ev_cars", "82", "multipel av 5"),
    ("lever_off_step_fraction", _sub("biochar = 1000", "biochar = 1050.5"), "levers.biochar", "1050.5",
     "multipel av 100"),
    ("lever_bool", _sub("ev_cars = 80", "ev_cars = true"), "levers.ev_cars", "True", "0–100"),
    ("lever_array", _sub("ev_cars = 80", "ev_cars = [80]"), "levers.ev_cars", "[80]", "0–100"),
    ("levers_not_table", _sub("[levers]\nev_cars = 80\nbiochar = 1000\n", "")
     .replace("format_version = 1", "format_version = 1\nlevers = 5"), "levers", "5", "[levers]"),
    ("reason_unknown_lever", BASE + '\n[reasons]\nteleport = "för att"\n', "reasons.teleport", "teleport",
     "spak"),
    ("reason_not_text", BASE + "\n[reasons]\nev_cars = 5\n", "reasons.ev_cars", "5", "sv"),
    ("reasons_not_table", _sub("format_version = 1", "format_version = 1\nreasons = 'x'"), "reasons", "'x'",
     "[reasons]"),
    ("target_not_table", _sub('[target]\nselected = "klimatneutral_2030"\nbase_year = 1990\nmax_gross_pct = 20.0\n',
                              "").replace("format_version = 1", "format_version = 1\ntarget = 2030"),
     "target", "2030", "[target]"),
    ("target_unknown_key", _sub("base_year = 1990", "base_year = 1990\nbudget = 5"), "target.budget", "5",
     "budget_rate_pct"),
    ("bad_target_selected", _sub('selected = "klimatneutral_2030"', 'selected = "paris"'), "target.selected",
     "'paris'", "carbon_law"),
    ("bad_target_year", _sub("base_year = 1990", "base_year = 1990\nyear = 2033"), "target.year", "2033",
     "2035"),
    ("bad_base_year", _sub("base_year = 1990", "base_year = 1995"), "target.base_year", "1995", "2005"),
    ("base_year_bool", _sub("base_year = 1990", "base_year = true"), "target.base_year", "True", "1990"),
    ("max_gross_pct_150", _sub("max_gross_pct = 20.0", "max_gross_pct = 150"), "target.max_gross_pct", "150",
     "0–100"),
    ("max_gross_pct_negative", _sub("max_gross_pct = 20.0", "max_gross_pct = -1"), "target.max_gross_pct",
     "-1", "0–100"),
    ("budget_rate_0", _sub("max_gross_pct = 20.0", "max_gross_pct = 20.0\nbudget_rate_pct = 0"),
     "target.budget_rate_pct", "0", "0,5–50"),
    ("budget_rate_nan", _sub("max_gross_pct = 20.0", "max_gross_pct = 20.0\nbudget_rate_pct = nan"),
     "target.budget_rate_pct", "nan", "0,5–50"),
]


@pytest.mark.parametrize("content, field, value_text, allowed_text",
                         [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_scenario(content: str | bytes, field: str, value_text: str, allowed_text: str) -> None:
    with pytest.raises(ScenarioFileError) as exc:
        loads_scenario(content)
    err = exc.value
    assert err.field == field
    msg = str(err)
    assert f"'{field}'" in msg
    assert value_text in msg, f"value {value_text!r} not named in: {msg}"
    assert allowed_text in err.allowed, f"{allowed_text!r} not in allowed: {err.allowed}"
    # A long list (every lever id) is clipped in the one-line message; err.allowed keeps it whole.
    assert err.allowed in msg or (len(err.allowed) > MAX_ALLOWED_SHOWN and "…" in msg and err.allowed[:40] in msg)
    # Both languages: the Swedish message and its English twin.
    assert "tillåtet" in msg and "allowed" in msg


def test_malformed_table_is_large_enough() -> None:
    assert len(MALFORMED) >= 20
    assert len({c[0] for c in MALFORMED}) == len(MALFORMED)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioFileError) as exc:
        load_scenario(tmp_path / "nope.toml")
    assert exc.value.field == "(fil)" and "nope.toml" in str(exc.value)


def test_file_at_size_limit_is_read(tmp_path: Path) -> None:
    """Exactly 64 KiB is allowed; the limit is on bytes, not characters."""
    pad = MAX_FILE_BYTES - len(BASE.encode()) - 2
    text = BASE + "#" + "x" * pad + "\n"
    assert len(text.encode()) == MAX_FILE_BYTES
    assert loads_scenario(text).id == "test"
    # Multi-byte characters count by their UTF-8 length.
    over = BASE + "#" + "å" * (pad // 2 + 1) + "\n"
    assert len(over) < MAX_FILE_BYTES < len(over.encode())
    with pytest.raises(ScenarioFileError):
        loads_scenario(over)


def test_long_value_is_shortened_in_message() -> None:
    with pytest.raises(ScenarioFileError) as exc:
        loads_scenario(_sub('"current_law"', '"' + "x" * 500 + '"'))
    assert len(str(exc.value)) < 400 and "…" in str(exc.value)


def test_omitted_parts_take_defaults() -> None:
    sc = loads_scenario("format_version = 1\n")
    assert sc == Scenario(id="custom", name={"sv": "custom", "en": "custom"}, description={"sv": "", "en": ""})
    assert sc.target == TargetSpec()


# --------------------------------------------------------------------------- round trip (hypothesis)

def _lever_value(lv: Lever) -> st.SearchStrategy[float]:
    n = int(round((lv.max - lv.min) / lv.step))
    return st.integers(0, n).map(lambda k: lv.min + k * lv.step)


# Any Unicode text except lone surrogates (which cannot be UTF-8 encoded at all).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
TEXTS = st.fixed_dictionaries({}, optional={"sv": TEXT, "en": TEXT})
LEVER_IDS = REG.lever_ids

scenarios = st.builds(
    Scenario,
    levers=st.fixed_dictionaries({}, optional={lv.id: _lever_value(lv) for lv in REG.levers}),
    kommun=st.none() | st.sampled_from([k.code for k in DS.kommuner]),
    national_policy=st.sampled_from(POLICIES),
    horizon=st.sampled_from((2030, 2045)),
    target=st.builds(
        TargetSpec,
        selected=st.sampled_from(TARGET_IDS),
        year=st.sampled_from((2030, 2035, 2040, 2045)),
        base_year=st.sampled_from(base_years(DS.inventory_years)),
        max_gross_pct=st.floats(0, 100),
        budget_rate_pct=st.none() | st.floats(0.5, 50),
    ),
    id=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}", fullmatch=True),
    name=TEXTS,
    description=TEXTS,
    reasons=st.dictionaries(st.sampled_from(LEVER_IDS), st.fixed_dictionaries({"sv": TEXT, "en": TEXT}),
                            max_size=5),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=scenarios)
def test_round_trip_generated(sc: Scenario) -> None:
    text = dumps_scenario(sc)
    assert loads_scenario(text) == sc
    # Writing is stable: a second round trip produces the same bytes.
    assert dumps_scenario(loads_scenario(text)) == text
