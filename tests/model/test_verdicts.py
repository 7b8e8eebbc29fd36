"""model.verdicts: the yearly criterion, the year a target is reached and the year judged (issue 12: the
model answers what the UI shows; the UI only formats)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from model.run import baseline_scenario, run_scenario
from model.targets import TargetSpec
from model.verdicts import criterion, focus_year, year_reached


@pytest.mark.parametrize("kommun", ["0180", "2584", "0980"])
def test_gross_limit_reached_from_the_first_year_it_holds_for_good(kommun: str) -> None:
    spec = TargetSpec(selected="gross_limit", base_year=2020, max_gross_pct=95.0)
    res = run_scenario(replace(baseline_scenario(kommun), target=spec))
    years, ok = criterion(res, "gross_limit")
    limit = 0.95 * float(res.history[2020].sum())
    assert np.array_equal(ok, res.gross <= limit + 1e-6)  # gross only, no net condition
    # Hand rule: the year after the last year it fails, if it holds at the end.
    expected = None if not ok[-1] else int(years[np.flatnonzero(~ok)[-1] + 1]) if (~ok).any() else int(years[0])
    assert year_reached(res, "gross_limit") == expected


def test_klimatneutral_needs_net_zero_so_the_baseline_never_reaches_it() -> None:
    res = run_scenario(baseline_scenario("0381"))
    years, ok = criterion(res, "klimatneutral_2030")
    assert not ok.any() and year_reached(res, "klimatneutral_2030") is None
    assert list(years) == list(res.years)


def test_focus_year_is_the_target_year_or_the_horizons_last() -> None:
    res = run_scenario(baseline_scenario("0381"))  # horizon 2030
    assert focus_year(res, res.target("klimatneutral_2030")) == 2030
    assert focus_year(res, res.target("national_2045")) == 2030  # 2045 is beyond the horizon
    long = run_scenario(baseline_scenario("0381", horizon=2045))
    assert focus_year(long, long.target("national_2045")) == 2045


def test_path_criterion_only_on_the_paths_years() -> None:
    res = run_scenario(baseline_scenario("0381"))
    years, ok = criterion(res, "budget_rate")
    v = res.target("budget_rate")
    assert set(int(y) for y in years) == set(v.path) & set(int(y) for y in res.years)
    assert len(ok) == len(years)
