"""Observable indicators of levers for the follow-up (:mod:`model.followup`).

Today one: the rechargeable share of newly registered cars, the ``ev_cars`` lever's own quantity,
recorded for four kommuner in ``data/ev_share_new_cars.csv`` (2015–2024) and for every kommun with
Trafikanalys 2025 registrations in ``data/vehicles_by_fuel.csv`` (see data/PROVENANCE.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from model.baseline import build_context, ramp
from model.data import DATA_DIR
from model.registry import load_registry
from model.run import lever_vector
from model.scenario import Scenario
from model.transport_facts import kommun_facts

EV_LEVER = "ev_cars"
EV_FILE = "ev_share_new_cars.csv"
VEHICLES_SOURCE = ("Trafikanalys, Fordon i län och kommuner 2025 (tabell 5, nyregistrerade personbilar), "
                   "via Klimatkollen; andel beräknad i Klimatvägar")


@dataclass(frozen=True)
class IndicatorFollowup:
    """A lever with an observable indicator: the scenario's path against recorded values.

    Attributes
    ----------
    lever_id, indicator : str
        e.g. ``"ev_cars"`` and ``"rechargeable_share_new_cars"``.
    unit : str
        ``"%"`` (share of newly registered cars).
    planned : dict
        Year -> the scenario's value (old release's last year through the horizon).
    recorded : dict
        Year -> recorded value for the kommun; empty when none is shipped for it.
    sources : tuple of str
        Where the recorded values come from.
    """

    lever_id: str
    indicator: str
    unit: str
    planned: dict[int, float]
    recorded: dict[int, float]
    sources: tuple[str, ...]



@lru_cache(maxsize=1)
def _ev_table() -> pd.DataFrame:
    path = DATA_DIR / EV_FILE
    if not path.is_file():
        return pd.DataFrame(columns=["kommun_code", "year", "share_rechargeable_of_new", "source"])
    return pd.read_csv(path, dtype={"kommun_code": str})


def recorded_ev_share(code: str) -> tuple[dict[int, float], tuple[str, ...]]:
    """Recorded rechargeable share of newly registered cars for one kommun (%, by year) and sources.

    2015–2024 from ``data/ev_share_new_cars.csv`` (four kommuner), 2025 from the kommun's
    Trafikanalys 2025 registrations (:func:`model.transport_facts.kommun_facts`) where shipped. A kommun
    with neither gets ``({}, ())``: the national figure the model falls back on is not a record
    of that kommun.
    """
    df = _ev_table()
    rows = df[df["kommun_code"] == code]
    out = {int(y): float(v) * 100.0 for y, v in zip(rows["year"], rows["share_rechargeable_of_new"], strict=False)
           if pd.notna(v)}
    sources = list(dict.fromkeys(str(s) for s in rows["source"].dropna()))
    value, src = kommun_facts(code, load_registry())["rechargeable_share_new_cars"]
    if not src.startswith("Riket"):
        out[2025] = float(value)
        sources.append(VEHICLES_SOURCE)
    return dict(sorted(out.items())), tuple(sources)


def ev_indicator(scenario: Scenario, code: str, release: str | None = None) -> IndicatorFollowup:
    """The scenario's rechargeable share of new cars per year against the recorded shares.

    The scenario's path is the ``ev_cars`` lever's sales ramp (:func:`model.baseline.fleet_path`):
    its "no new measures" share until the ramp starts, then linear to the lever's 2030 value.
    """
    reg = load_registry()
    lv = reg.lever(EV_LEVER)
    ctx = build_context(code, scenario.national_policy, scenario.horizon, release)
    v0 = float(ctx.nnm[reg.lever_ids.index(EV_LEVER)])
    target = float(lever_vector(ctx, scenario.levers, reg)[reg.lever_ids.index(EV_LEVER)])
    path = v0 + (target - v0) * ramp(ctx.years, "stock", lv.ramp.start, lv.ramp.full)
    recorded, sources = recorded_ev_share(code)
    return IndicatorFollowup(EV_LEVER, "rechargeable_share_new_cars", "%",
                             {int(y): float(v) for y, v in zip(ctx.years, path, strict=False)}, recorded, sources)
