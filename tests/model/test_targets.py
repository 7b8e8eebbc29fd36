"""Target verdicts on small hand-made inputs, kommun default budget rates and Klimatkollen's Carbon Law total."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.budget_rate import DEFAULT_BUDGET_RATE, budget_rate_for
from model.data import SECTORS
from model.run import baseline_scenario, run_scenario
from model.target_defs import TARGET_IDS
from model.targets import (
    TargetSpec,
    TargetVerdict,
    evaluate_targets,
)

DATA = Path(__file__).resolve().parents[2] / "data"
YEARS_2030 = np.arange(2024, 2031)          # T = 7
YEARS_2045 = np.arange(2024, 2046)          # T = 22
TI = SECTORS.index("Transporter")

# Hand-made inventory: (Transporter, everything else) per year; totals in the comment column.
_HISTORY_ROWS = {
    1990: (400.0, 600.0),   # total 1000 -> klimatneutral allows 20 % = 200 t
    2000: (420.0, 530.0),   # 950
    2005: (450.0, 470.0),   # 920
    2010: (500.0, 400.0),   # 900; Transporter 500 -> transport target allows 30 % = 150 t
    2015: (450.0, 350.0),   # 800
    2020: (400.0, 300.0),   # 700
    2021: (390.0, 290.0),   # 680
    2022: (380.0, 280.0),   # 660
    2023: (370.0, 270.0),   # 640
    2024: (350.0, 250.0),   # 600 = the model's first year
}


def _history() -> dict[int, np.ndarray]:
    out = {}
    for y, (tr, rest) in _HISTORY_ROWS.items():
        v = np.zeros(len(SECTORS))
        v[TI], v[SECTORS.index("Jordbruk")] = tr, rest
        out[y] = v
    return out


def _evaluate(gross: list[float], removals: list[float] | None = None, transport: list[float] | None = None,
              spec: TargetSpec | None = None, code: str = "9999") -> dict[str, TargetVerdict]:
    g = np.asarray(gross, float)
    years = YEARS_2030 if len(g) == len(YEARS_2030) else YEARS_2045
    r = np.zeros_like(g) if removals is None else np.asarray(removals, float)
    t = g * 0.5 if transport is None else np.asarray(transport, float)
    by_sector = np.zeros((len(SECTORS), len(g)))
    by_sector[TI] = t
    out = evaluate_targets(code, years, _history(), g, r, by_sector, spec or TargetSpec())
    assert [v.id for v in out] == list(TARGET_IDS)
    return {v.id: v for v in out}


# --------------------------------------------------------------------------- klimatneutral_2030

def test_klimatneutral_met() -> None:
    v = _evaluate([600, 500, 400, 300, 250, 200, 150], [0, 0, 0, 0, 0, 100, 150])["klimatneutral_2030"]
    assert v.evaluable and v.met is True
    assert v.year == 2030 and v.allowed_t == pytest.approx(200.0)
    assert v.value_t == pytest.approx(150.0)
    assert v.gap_t == 0.0 and v.gap_pct == 0.0
    # 2029: gross 200 is allowed but net 100 > 0; 2030 is the first year with both.
    assert v.year_met == 2030
    assert v.details["reference_t"] == pytest.approx(1000.0)


def test_klimatneutral_gap_is_gross_gap_plus_removal_gap() -> None:
    # 2030: gross 300 > 200 (gross gap 100); the remaining 200 t need removals, 50 exist (removal gap 150).
    v = _evaluate([600, 550, 500, 450, 400, 350, 300], [0, 0, 0, 0, 0, 0, 50])["klimatneutral_2030"]
    assert v.met is False
    assert v.details["gross_gap_t"] == pytest.approx(100.0)
    assert v.details["removal_gap_t"] == pytest.approx(150.0)
    assert v.gap_t == pytest.approx(250.0)
    assert v.gap_pct == pytest.approx(25.0)          # of the 1990 reference 1000 t
    assert v.year_met is None
    assert v.details["net_t"] == pytest.approx(250.0)


def test_klimatneutral_gross_low_enough_but_net_positive() -> None:
    v = _evaluate([600, 500, 400, 300, 200, 150, 150], [0, 0, 0, 0, 0, 0, 100])["klimatneutral_2030"]
    assert v.met is False
    assert v.details["gross_gap_t"] == 0.0
    assert v.gap_t == pytest.approx(50.0) and v.gap_pct == pytest.approx(5.0)


def test_klimatneutral_removals_cannot_replace_gross_cuts() -> None:
    """Net far below zero does not excuse gross above the allowed share."""
    v = _evaluate([600, 550, 500, 450, 400, 350, 300], [0, 0, 0, 0, 0, 0, 400])["klimatneutral_2030"]
    assert v.met is False
    assert v.gap_t == pytest.approx(100.0)
    assert v.details["removal_gap_t"] == 0.0


def test_klimatneutral_required_rate() -> None:
    v = _evaluate([600, 550, 500, 450, 400, 350, 300])["klimatneutral_2030"]
    # The rate that takes 600 t in 2024 to the allowed 200 t in 2030 (6 years).
    assert 600 * (1 - v.required_rate_pct / 100) ** 6 == pytest.approx(200.0)
    assert 16 < v.required_rate_pct < 17


@pytest.mark.parametrize("base_year, pct, allowed", [(2010, 20.0, 180.0), (1990, 50.0, 500.0), (2024, 10.0, 60.0)])
def test_klimatneutral_follows_spec(base_year: int, pct: float, allowed: float) -> None:
    spec = TargetSpec(base_year=base_year, max_gross_pct=pct)
    v = _evaluate([600] * 7, [0, 0, 0, 0, 0, 0, 600], spec=spec)["klimatneutral_2030"]
    assert v.allowed_t == pytest.approx(allowed)
    assert v.details["base_year"] == base_year
    assert v.gap_t == pytest.approx(600 - allowed)


def test_klimatneutral_earlier_year_inside_longer_horizon() -> None:
    gross = list(np.linspace(600, 100, len(YEARS_2045)))
    v = _evaluate(gross, spec=TargetSpec(year=2035))["klimatneutral_2030"]
    i = list(YEARS_2045).index(2035)
    assert v.evaluable and v.year == 2035
    assert v.value_t == pytest.approx(gross[i])


def test_klimatneutral_2045_not_evaluable_with_2030_horizon() -> None:
    v = _evaluate([600, 500, 400, 300, 200, 100, 100], spec=TargetSpec(year=2045))["klimatneutral_2030"]
    assert v.evaluable is False and v.met is None
    assert v.gap_t is None and v.gap_pct is None and v.value_t is None
    assert v.year == 2045 and v.allowed_t == pytest.approx(200.0)
    assert v.required_rate_pct is not None


# --------------------------------------------------------------------------- national_2045

def test_national_2045_not_evaluable_with_2030_horizon() -> None:
    v = _evaluate([600, 500, 400, 300, 200, 100, 0])["national_2045"]
    assert v.evaluable is False and v.met is None and v.gap_t is None and v.gap_pct is None
    assert v.allowed_t == pytest.approx(150.0)     # 15 % of 1990
    # The 2030 horizon already meets the 2045 definition in 2030 (gross 0, net 0).
    assert v.year_met == 2030


def test_national_2045_with_2045_horizon() -> None:
    gross = np.linspace(600, 200, len(YEARS_2045))
    rem = np.zeros(len(YEARS_2045))
    rem[-1] = 100
    v = _evaluate(list(gross), list(rem))["national_2045"]
    assert v.evaluable and v.met is False
    assert v.gap_t == pytest.approx(50.0 + 50.0)   # 200 - 150 over, then 150 - 100 removals short
    assert v.gap_pct == pytest.approx(10.0)
    rem[-1] = 150
    gross[-1] = 150
    ok = _evaluate(list(gross), list(rem))["national_2045"]
    assert ok.met is True and ok.year_met == 2045 and ok.gap_t == 0.0


# --------------------------------------------------------------------------- budget_rate

def _path(rate: float, years: np.ndarray = YEARS_2030, start: float = 600.0) -> list[float]:
    return [start * (1 - rate) ** (int(y) - 2024) for y in years]


def test_default_budget_rates() -> None:
    assert budget_rate_for("0381", TargetSpec())[0] == 13.0
    assert "Enköping" in budget_rate_for("0381", TargetSpec())[1]
    assert budget_rate_for("1480", TargetSpec()) == DEFAULT_BUDGET_RATE
    assert DEFAULT_BUDGET_RATE[0] == 15.0
    assert budget_rate_for("1480", TargetSpec(budget_rate_pct=7.5))[0] == 7.5


def test_budget_rate_depends_on_kommun_default() -> None:
    """A path falling 14 % a year meets Enköping's 13 % budget but not another kommun's 15 %."""
    gross = _path(0.14)
    enk = _evaluate(gross, code="0381")["budget_rate"]
    other = _evaluate(gross, code="1480")["budget_rate"]
    assert enk.required_rate_pct == 13.0 and other.required_rate_pct == 15.0
    assert enk.met is True and other.met is False
    assert enk.gap_t == 0.0 and enk.gap_pct == 0.0
    assert enk.year_met == 2025
    # 15 % path in 2030: 600 * 0.85**6; the 14 % path is above it.
    gap = 600 * 0.86 ** 6 - 600 * 0.85 ** 6
    assert other.gap_t == pytest.approx(gap)
    assert other.gap_pct == pytest.approx(gap / 600 * 100)
    assert other.year_met is None
    assert other.budget_t == pytest.approx(600 * 0.85 / 0.15)
    assert other.cumulative_t == pytest.approx(sum(gross[1:]))
    assert other.details["cumulative_path_t"] == pytest.approx(sum(_path(0.15)[1:]))
    assert other.path[2030] == pytest.approx(600 * 0.85 ** 6)


def test_budget_rate_is_cumulative_not_last_year() -> None:
    """Slow then fast: ends below the path but has spent more than the budget -> not met."""
    path = _path(0.13)
    gross = [600, 600, 600, 600, 300, 200, 100]
    v = _evaluate(gross, code="0381")["budget_rate"]
    assert gross[-1] < path[-1]
    assert v.met is False and v.gap_t == 0.0
    assert v.year_met == 2028


def test_budget_rate_user_choice() -> None:
    v = _evaluate(_path(0.05), code="0381", spec=TargetSpec(budget_rate_pct=5.0))["budget_rate"]
    assert v.required_rate_pct == 5.0 and v.met is True
    assert v.details["rate_source"] == "vald av användaren"


# --------------------------------------------------------------------------- carbon_law

def test_carbon_law_on_constructed_inputs() -> None:
    zero = _evaluate([600, 0, 0, 0, 0, 0, 0])["carbon_law"]
    assert zero.met is True and zero.gap_t == 0.0 and zero.year_met == 2026
    assert zero.details["from_year"] == 2026 and zero.details["to_year"] == 2030
    assert sorted(zero.path) == list(range(2026, 2051))
    assert zero.required_rate_pct == pytest.approx(11.72)
    # The published path falls 11.72 % a year.
    assert zero.path[2027] / zero.path[2026] == pytest.approx(1 - 0.1172)
    high = _evaluate([600] * 7)["carbon_law"]
    assert high.met is False and high.year_met is None
    assert high.gap_t == pytest.approx(600 - high.path[2030])
    assert high.cumulative_t == pytest.approx(600 * 5)       # 2026..2030 only


def test_carbon_law_total_matches_klimatkollen_for_enkoping() -> None:
    published = pd.read_csv(DATA / "carbon_budget.csv", dtype={"kommun_code": str})
    row = published[(published.kommun_code == "0381") & (published.metric == "carbon_law_cumulative_emissions")]
    expected = float(row.value.iloc[0])
    assert round(expected) == 1_855_866
    v = run_scenario(baseline_scenario("0381")).target("carbon_law")
    assert v.details["klimatkollen_total_carbon_law_t"] == pytest.approx(expected, abs=1.0)
    assert v.budget_t == pytest.approx(expected, abs=1.0)
    assert sum(v.path.values()) == pytest.approx(expected, abs=1.0)


# --------------------------------------------------------------------------- national_transport_2030

def test_national_transport() -> None:
    transport = [350, 320, 290, 250, 200, 150, 140]
    v = _evaluate([600] * 7, transport=transport)["national_transport_2030"]
    assert v.allowed_t == pytest.approx(150.0) and v.met is True and v.year_met == 2029
    assert v.gap_t == 0.0
    assert 350 * (1 - v.required_rate_pct / 100) ** 6 == pytest.approx(150.0)
    miss = _evaluate([600] * 7, transport=[350, 340, 330, 320, 310, 300, 200])["national_transport_2030"]
    assert miss.met is False and miss.year_met is None
    assert miss.gap_t == pytest.approx(50.0) and miss.gap_pct == pytest.approx(10.0)  # of 500 t in 2010


def test_verdicts_serialise_to_json() -> None:
    for v in _evaluate([600, 500, 400, 300, 200, 100, 50], [0, 0, 0, 0, 10, 20, 50]).values():
        d = json.loads(json.dumps(v.to_dict()))
        assert d["id"] == v.id and "details" in d


@pytest.mark.parametrize("spec, field", [
    (TargetSpec(selected="nope"), "target.selected"),
    (TargetSpec(year=2031), "target.year"),
    (TargetSpec(base_year=1995), "target.base_year"),
    (TargetSpec(max_gross_pct=101), "target.max_gross_pct"),
    (TargetSpec(budget_rate_pct=0.1), "target.budget_rate_pct"),
])
def test_spec_validate(spec: TargetSpec, field: str) -> None:
    with pytest.raises(ValueError, match=field.replace(".", r"\.")) as err:
        spec.validate(tuple(_HISTORY_ROWS))
    # A message key and parameters for the UI, an English default text (issue 12 item 2).
    assert getattr(err.value, "key", None) == "model.bad_target" and err.value.params["field"] == field
    assert "tillåtet" not in str(err.value) and "allowed" in str(err.value)
    TargetSpec().validate(tuple(_HISTORY_ROWS))


def test_kommun_budget_rate_comes_from_the_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enköping's 13 % a year is its profile's budget_rate target; a kommun without one gets the default."""
    import model.profiles as profiles
    from model.budget_rate import KOMMUN_BUDGET_RATES, kommun_budget_rate

    sv, en = kommun_budget_rate("0381"), kommun_budget_rate("0381", "en")
    assert sv is not None and en is not None and sv[0] == en[0] == 13.0
    assert "enkoping.se" in en[1] and "municipality" in en[1] and "kommun" in sv[1]
    assert kommun_budget_rate("0980") is None  # Gotland's target is a neutrality target
    assert dict(KOMMUN_BUDGET_RATES) == {"0381": kommun_budget_rate("0381")}
    assert budget_rate_for("1480", TargetSpec(), "en")[1].startswith("assumption: a typical rate")
    # A profile edited to another rate changes the verdict's rate: the profile is the one home.
    text = (profiles.PROFILE_DIR / "0381.toml").read_text(encoding="utf-8").replace("rate_pct = 13.0", "rate_pct = 9.5")
    (tmp_path / "0381.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(profiles, "PROFILE_DIR", tmp_path)
    assert budget_rate_for("0381", TargetSpec())[0] == 9.5


# --------------------------------------------------------------------------- gross_limit
def test_gross_limit_judges_gross_only() -> None:
    """28 % of 2020 (700 t) allows 196 t in 2030: gross 190 meets it with no removals at all, where
    the klimatneutral target with the same share and base year also needs net zero."""
    spec = TargetSpec(selected="gross_limit", base_year=2020, max_gross_pct=28.0)
    out = _evaluate([600, 500, 400, 300, 250, 200, 190], spec=spec)
    v = out["gross_limit"]
    assert v.evaluable and v.met is True and v.allowed_t == pytest.approx(196.0)
    assert v.year_met == 2030 and v.gap_t == 0.0 and v.details["net_zero"] is False
    assert out["klimatneutral_2030"].met is False  # 190 t net left over
    assert out["klimatneutral_2030"].details["net_zero"] is True


def test_gross_limit_gap_is_the_gross_excess_and_removals_do_not_help() -> None:
    spec = TargetSpec(selected="gross_limit", base_year=2020, max_gross_pct=28.0)
    v = _evaluate([600, 550, 500, 450, 400, 350, 300], [0, 0, 0, 0, 0, 0, 500], spec=spec)["gross_limit"]
    assert v.met is False
    assert v.gap_t == pytest.approx(104.0) and v.details["removal_gap_t"] == 0.0  # 300 − 196
    assert v.gap_pct == pytest.approx(104.0 / 700 * 100)


def test_gross_limit_in_a_kommun_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kommun writes its plan's gross limit into its profile; the profile's target is evaluated."""
    import model.profiles as profiles

    text = (profiles.PROFILE_DIR / "0381.toml").read_text(encoding="utf-8")
    start = text.index("[target]")
    end = text.index("\n[", start + 1)
    own = ('[target]\nkind = "gross_limit"\nname = { sv = "Högst 28 % av 2020 år 2030", en = "At most 28% of 2020 '
           'in 2030" }\nyear = 2030\nbase_year = 2020\nmax_gross_pct = 28\nsource = { sv = "Kommunens plan", '
           'en = "The kommun\'s plan" }\n')
    (tmp_path / "0381.toml").write_text(text[:start] + own + text[end:], encoding="utf-8")
    monkeypatch.setattr(profiles, "PROFILE_DIR", tmp_path)
    target = profiles.load_profile("0381").target
    assert target is not None and target.kind == "gross_limit"
    spec = target.spec()
    from dataclasses import replace

    res = run_scenario(replace(baseline_scenario("0381"), target=spec))
    v = res.target("gross_limit")
    hist2020 = float(res.history[2020].sum())
    assert v.allowed_t == pytest.approx(0.28 * hist2020)
    assert v.met is (float(res.gross[-1]) <= v.allowed_t)
