"""Properties of the share-link codec over arbitrary query parameters (hypothesis).

For any ``dict[str, list[str]]`` (what ``urllib.parse.parse_qs`` and Streamlit hand over): ``decode``
returns without raising and without its safety net, every lever is on its grid, in range and in the
slider's type, every setting is one of its allowed values, and ``encode(decode(x))`` is a fixed point.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.codec import (
    LANGS,
    POLICY_CODES,
    RESERVED,
    TARGET_CODES,
    TARGET_YEARS,
    decode,
    encode,
)
from model.data import load_dataset
from model.registry import load_registry
from model.target_defs import TARGET_IDS
from model.targets import base_years

REG = load_registry()
DS = load_dataset()
CODES = {k.code for k in DS.kommuner}
KNOWN = sorted(RESERVED | {lv.url_key for lv in REG.levers})

# Strings that have broken parsers: unicode digits, special floats, huge and signed numbers.
NASTY = st.sampled_from(["²", "①", "١", "１", "٨٠", "NaN", "nan", "inf", "-inf", "Infinity", "1e400", "-0",
                         "0x10", "1_0", "9" * 5000, "", " ", "\x00", "\ud800", "\n", "1.", ".5", "+5",
                         "2024", "1990", "2030", "2045", "0381", "1480", "sv", "EN", "kn", "cl", "10"])
NUMBERS = st.from_regex(r"-?[0-9]{1,8}(\.[0-9]{0,6})?", fullmatch=True)
GRIDDY = st.builds(lambda lv, k, eps: f"{lv.min + k * lv.step + eps:g}", st.sampled_from(REG.levers),
                   st.integers(-2, 60), st.sampled_from([0, 1e-4, -1e-4, 0.5, 1e-6]))
VALUE = st.one_of(NASTY, NUMBERS, GRIDDY, st.text(max_size=60))
KEY = st.one_of(st.sampled_from(KNOWN), st.text(max_size=30))
PARAMS = st.dictionaries(KEY, st.lists(VALUE, max_size=3), max_size=40)


def _lever_ok(lid: str, v: object) -> bool:
    lv = REG.lever(lid)
    if not isinstance(v, (int, float)) or (type(v) is int) != (lv.decimals == 0):
        return False
    k = round((v - lv.min) / lv.step)
    return lv.min <= v <= lv.max and v == lv.min + k * lv.step


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=PARAMS)
def test_decode_is_total_on_grid_and_a_fixed_point(params: dict[str, list[str]]) -> None:
    state = decode(params)
    assert "link.unreadable" not in {n.key for n in state.notices}
    assert all(_lever_ok(lid, v) for lid, v in state.levers.items()), state.levers
    assert set(state.levers) == set(REG.lever_ids)
    assert state.kommun in CODES and state.lang in LANGS and state.horizon in (2030, 2045)
    assert state.policy in POLICY_CODES.values() and state.target.selected in TARGET_IDS
    assert set(TARGET_CODES.values()) <= set(TARGET_IDS)
    assert state.target.year in TARGET_YEARS
    assert state.target.base_year in base_years(DS.inventory_years)
    assert 0 <= state.target.max_gross_pct <= 100
    assert state.target.budget_rate_pct is None or 0.5 <= state.target.budget_rate_pct <= 50
    link = encode(state)
    again = decode(link)
    assert again.notices == (), again.notices
    assert encode(again) == link
    assert again.levers == state.levers and again.target == state.target


@settings(max_examples=100, deadline=None)
@given(values=st.dictionaries(st.sampled_from([lv.url_key for lv in REG.levers]), GRIDDY | NUMBERS, max_size=18))
def test_in_range_values_are_rounded_to_the_nearest_step(values: dict[str, str]) -> None:
    state = decode({**encode(decode({})), **values})
    refused = {n.params["lever"] for n in state.notices if n.key == "link.bad_lever"}
    rounded = {n.params["lever"] for n in state.notices if n.key == "link.lever_rounded"}
    for lv in REG.levers:
        if lv.url_key not in values:
            continue
        raw = float(values[lv.url_key])
        if not lv.min <= raw <= lv.max or lv.id in refused:
            continue
        got = state.levers[lv.id]
        assert abs(got - raw) <= lv.step / 2 + 1e-9, (lv.id, raw, got)
        assert (got != raw) == (lv.id in rounded), (lv.id, raw, got)
