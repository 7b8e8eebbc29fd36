"""Plan against actual (model/followup.py): a d=2023 link against what smhi-2024 measured for 2024.

The measured and base-year figures below were read by hand from the shipped CSV rows
(data/kommuner_emissions_by_sector.csv for smhi-2024, data/releases/smhi-2023/emissions_by_sector.csv
for smhi-2023); the expected values of flat sectors equal their 2023 inventory (no driver, and the
current-law fuel policy is flat from the base year).
"""
from __future__ import annotations

import dataclasses

import pytest

from model.codec import decode, default_state
from model.data import SECTORS, load_dataset, release_of_link
from model.followup import (
    TOTAL,
    ev_indicator,
    followup,
    recorded_ev_share,
    scenario_of_link,
    scenario_of_submission,
    sentence,
)

ENK, KIR = "0381", "2584"


def _row(f, name):
    return next(r for r in (*f.sectors, f.total) if r.sector == name)


@pytest.fixture(scope="module")
def enk():
    return followup(scenario_of_link(default_state(ENK)), "smhi-2023")


@pytest.fixture(scope="module")
def kir():
    return followup(scenario_of_link(default_state(KIR)), "smhi-2023")


def test_d2023_link_resolves_to_the_old_release_and_is_compared_with_2024():
    link = decode({"v": "1", "d": "2023", "k": ENK})
    rel = release_of_link("2023").release
    f = followup(scenario_of_link(link), rel.id)
    assert (rel.id, f.status, f.base_year, f.years) == ("smhi-2023", "compared", 2023, (2024,))
    assert f.new_release.id == "smhi-2024" and f.kommun.name == "Enköping"


def test_enkoping_measured_revision_and_gap_hand_checked(enk):
    tr = _row(enk, "Transporter")
    assert tr.measured_t[2024] == pytest.approx(135955.89)
    assert tr.base_old_t == pytest.approx(112173.25)
    assert tr.base_new_t == pytest.approx(113001.21)
    assert tr.revision_t == pytest.approx(827.96)
    # SMHI's change within its own release: 135 955,89 / 113 001,21 - 1 = +20,3 %.
    assert tr.measured_change_pct == pytest.approx(20.3136, abs=1e-3)
    am = _row(enk, "Arbetsmaskiner")
    assert am.expected_t[2024] == pytest.approx(16294.57)
    assert am.gap_t == pytest.approx(21551.71 - 16294.57)
    assert am.gap_pct == pytest.approx((21551.71 - 16294.57) / 16294.57 * 100)
    assert am.revision_t == pytest.approx(16424.64 - 16294.57)
    assert am.sentence.key == "followup.sentence.up_planned_flat" and am.sentence.params["measured"] == 31
    total = enk.total
    assert total.measured_t[2024] == pytest.approx(sum(_row(enk, s).measured_t[2024] for s in SECTORS))
    assert total.expected_t[2024] == pytest.approx(sum(_row(enk, s).expected_t[2024] for s in SECTORS))


def test_kiruna_hand_checked(kir):
    el = _row(kir, "El och fjärrvärme")
    assert el.revision_t == pytest.approx(0.0)
    assert el.measured_t[2024] == pytest.approx(19436.27)
    assert el.measured_change_pct == pytest.approx((19436.27 / 26949.28 - 1) * 100)
    assert el.sentence.key == "followup.sentence.down_planned_up"
    am = _row(kir, "Arbetsmaskiner")
    assert am.gap_t == pytest.approx(72959.0 - 50296.76)
    assert am.revision_t == pytest.approx(50388.73 - 50296.76)
    tr = _row(kir, "Transporter")
    assert tr.revision_t == pytest.approx(47401.89 - 44087.16)


@pytest.mark.parametrize("code", [ENK, KIR])
def test_gap_splits_exactly_into_performance_and_revision(code, enk, kir):
    f = enk if code == ENK else kir
    for r in (*f.sectors, f.total):
        assert r.gap_t == pytest.approx(r.performance_gap_t + r.revision_effect_t, abs=1e-6)
        assert r.gap_t == pytest.approx(r.measured_t[2024] - r.expected_t[2024])


def test_rates_then_and_now_hand_checked(enk):
    old, new = load_dataset(release="smhi-2023"), load_dataset()
    r = enk.rates
    assert (r.target_id, r.target_year, r.from_year_then, r.from_year_now) == ("klimatneutral_2030", 2030, 2023, 2024)
    allowed_then = 0.2 * old.emissions[old.index_of(ENK), 0].sum()
    allowed_now = 0.2 * new.emissions[new.index_of(ENK), 0].sum()
    assert r.gross_now_t == pytest.approx(236604.85, abs=0.01)
    assert r.rate_then_pct == pytest.approx((1 - (allowed_then / r.gross_then_t) ** (1 / 7)) * 100)
    assert r.rate_now_pct == pytest.approx((1 - (allowed_now / 236604.85) ** (1 / 6)) * 100, abs=1e-4)
    assert r.rate_now_pct > r.rate_then_pct
    assert r.met_then is False and r.met_now is False


def test_moved_levers_change_the_path_but_not_2024():
    """Every lever ramps from 2025 (registry), so 2024 expected equals "no new measures"."""
    base = followup(scenario_of_link(default_state(ENK)), "smhi-2023")
    f = followup(scenario_of_submission(ENK, {"ev_cars": 100, "car_traffic": 20}), "smhi-2023")
    assert _row(f, "Transporter").expected_t == _row(base, "Transporter").expected_t
    assert _row(f, "Transporter").measured_t == _row(base, "Transporter").measured_t
    assert f.indicators[0].planned[2030] == 100 and base.indicators[0].planned[2030] == 55


def test_latest_release_has_nothing_measured_since():
    f = followup(scenario_of_link(default_state(ENK)), "smhi-2024")
    assert (f.status, f.years, f.sectors, f.total, f.rates) == ("nothing_measured", (), (), None, None)


@pytest.mark.parametrize(("planned", "measured", "kind"), [
    (-8, -3, "down_less"), (-8, -12, "down_more"), (-8, -8.2, "on_plan"), (-5, 20, "up_planned_down"),
    (3, -10, "down_planned_up"), (0.2, 31, "up_planned_flat"), (0, -4, "down_planned_flat"),
    (-4, 0.1, "flat_planned_down"), (4, 0.1, "flat_planned_up"), (5, 9, "up_more"), (9, 5, "up_less"),
    (None, None, "none"), (0.3, -0.4, "on_plan")])
def test_sentence_kinds(planned, measured, kind):
    m = sentence("Transporter", planned, measured, 2024, 2023)
    assert m.key == f"followup.sentence.{kind}"
    if kind == "down_less":  # "Transporterna minskade 3 % i stället för planerade 8 %"
        assert (m.params["measured"], m.params["planned"]) == (3, 8)


def test_ev_indicator_path_and_records():
    rec, src = recorded_ev_share(ENK)
    assert rec[2024] == pytest.approx(47.108433734939794) and rec[2015] == pytest.approx(1.17395944503735)
    assert rec[2025] == pytest.approx(100 * (273 + 197) / 858)  # PROVENANCE: (273 + 197)/858 = 54,8 %
    assert any("Trafikanalys" in s for s in src)
    ind = ev_indicator(scenario_of_submission(ENK, {"ev_cars": 100}), ENK, "smhi-2023")
    # "No new measures" is the 2025 share on the slider grid (55 %) until the ramp starts in 2025.
    assert ind.planned[2024] == pytest.approx(55) and ind.planned[2030] == pytest.approx(100)
    assert ind.planned[2027] == pytest.approx(55 + 45 * 2 / 5)
    assert recorded_ev_share(KIR) == ({}, ())


def test_followup_is_frozen_and_total_named(enk):
    assert enk.total.sector == TOTAL
    with pytest.raises(dataclasses.FrozenInstanceError):
        enk.status = "x"  # type: ignore[misc]
