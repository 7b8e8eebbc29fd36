"""Target definitions are data: the registry's [[model.target]] tables drive ids, link codes and verdicts."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import model.targets as targets_mod
from model.codec import decode, encode
from model.data import SECTORS
from model.target_defs import (
    DEFAULT_TARGET,
    PATH_TARGETS,
    SECTOR_TARGETS,
    TARGET_CODES,
    TARGET_IDS,
    TargetDef,
    TargetDefError,
    parse_targets,
    sector_index,
    target_def,
    target_defs,
)
from model.targets import TargetSpec, evaluate_targets

YEARS = np.arange(2024, 2031)


def _history() -> dict[int, np.ndarray]:
    out = {}
    for y in (1990, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024):
        v = np.zeros(len(SECTORS))
        v[SECTORS.index("Transporter")], v[SECTORS.index("Jordbruk")] = 500.0, 500.0  # total 1 000 t
        out[y] = v
    return out


def test_the_registry_defines_the_six_targets_in_display_order() -> None:
    assert TARGET_IDS == ("klimatneutral_2030", "budget_rate", "carbon_law", "national_transport_2030",
                          "national_2045", "gross_limit")
    assert DEFAULT_TARGET == "klimatneutral_2030"
    # Link codes are part of every share link made so far: they may never change.
    assert TARGET_CODES == {"kn": "klimatneutral_2030", "br": "budget_rate", "cl": "carbon_law",
                            "nt": "national_transport_2030", "n45": "national_2045", "gl": "gross_limit"}
    assert PATH_TARGETS == ("budget_rate", "carbon_law")
    assert SECTOR_TARGETS == ("national_transport_2030",)
    assert sector_index("national_transport_2030") == SECTORS.index("Transporter")
    assert sector_index("gross_limit") is None
    n45 = target_def("national_2045")
    assert (n45.kind, n45.net_zero, n45.year, n45.base_year, n45.max_gross_pct) == ("limit", True, 2045, 1990, 15.0)


@pytest.mark.parametrize(("table", "words"), [
    ([{"id": "a", "code": "a", "kind": "wish"}], "kind 'wish'"),
    ([{"id": "a", "code": "a", "kind": "limit"}], "missing base_year, max_gross_pct, year"),
    ([{"id": "a", "code": "a", "kind": "path", "path": "hope"}], "path 'hope'"),
    ([{"id": "a", "code": "a", "kind": "path", "path": "budget", "rate": 3}], "unknown rate"),
    ([{"id": "a", "code": "a", "kind": "sector", "sector": "Flyg", "year": 2030, "base_year": 2010,
       "cut_pct": 70}], "sector 'Flyg'"),
    ([{"id": "a", "code": "x", "kind": "limit", "settable": True},
      {"id": "b", "code": "x", "kind": "limit", "settable": True}], "repeated code ['x']"),
    ([], "no [[model.target]]"),
])
def test_a_broken_definition_is_refused_with_the_field_named(table: list[dict], words: str) -> None:
    with pytest.raises(TargetDefError, match=words.replace("[", r"\[").replace("]", r"\]")):
        parse_targets(table)


def test_a_new_target_of_an_existing_kind_needs_only_its_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed limit target added as data is evaluated like the others, with no code of its own."""
    extra = parse_targets([{"id": "half_by_2030", "code": "h30", "kind": "limit", "net_zero": False,
                            "year": 2030, "base_year": 1990, "max_gross_pct": 50.0},
                           {"id": "farm_2030", "code": "f30", "kind": "sector", "sector": "Jordbruk",
                            "year": 2030, "base_year": 2010, "cut_pct": 20.0}])
    monkeypatch.setattr(targets_mod, "target_defs", lambda: target_defs() + extra)
    gross = np.array([1000.0, 900, 800, 700, 600, 500, 450])
    by_sector = np.zeros((len(SECTORS), len(YEARS)))
    by_sector[SECTORS.index("Jordbruk")] = gross / 2
    out = {v.id: v for v in evaluate_targets("9999", YEARS, _history(), gross, np.zeros(7), by_sector,
                                             TargetSpec())}
    half = out["half_by_2030"]
    assert (half.allowed_t, half.value_t, half.met, half.year_met) == (500.0, 450.0, True, 2029)
    farm = out["farm_2030"]
    # Jordbruk 500 t in 2010, -20 % -> 400 t; half the scenario's gross is 400 t in 2026, 225 t in 2030.
    assert (farm.allowed_t, farm.value_t, farm.met, farm.year_met) == (400.0, 225.0, True, 2026)
    assert farm.details["sector"] == "Jordbruk"


def test_every_target_code_round_trips_through_a_share_link() -> None:
    for code, tid in TARGET_CODES.items():
        state = replace(decode({}), target=replace(TargetSpec(), selected=tid))
        params = encode(state)
        assert params["mt"] == code
        assert decode(params).target.selected == tid


def test_target_def_of_an_unknown_id_raises_key_error() -> None:
    with pytest.raises(KeyError):
        target_def("net_zero_1990")
    assert isinstance(target_def(DEFAULT_TARGET), TargetDef)
