"""Timing of the chart builders (a benchmark that prints figures, not a test).

Run from the repository root::

    python bench/chart_bench.py

Each builder is timed warm (its cached skeleton already compiled), as the median of
50 calls. Every call gets different numbers, as after a slider move, so the cached
number formatting of ``ui.charts`` only helps where the dashboard's data really repeats
(the SMHI history). Inputs are Enköping-sized: history 10 inventory years × 9 sectors,
scenario 7 (to 2030) or 22 (to 2045) years × 10 series (9 sectors + removals), baseline
and net lines, an 18-lever waterfall with removals and a target, 4 actors, 10 workshop
groups, a Monte Carlo fan, 12 per-capita bars and a 14-lever MACC.

The process is pinned to one core. The figures exclude what Streamlit does with the spec
(Arrow conversion of the datasets, JSON); the serialised size is printed for reference.
The last line is machine-readable: ``main_ms=<float> others_max_ms=<float>``.
"""
from __future__ import annotations

import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import pandas as pd  # noqa: E402
from _common import median_time, pin_to_one_core  # first: fixes BLAS threads before numpy/pandas

from ui import charts  # noqa: E402
from ui.text.i18n import SMHI_SECTOR_IDS  # noqa: E402

N = 50
GOALS = {"main": 5.0, "other": 3.0}  # ms
SECTORS = list(SMHI_SECTOR_IDS)  # the 9 SMHI sector names
LEVEL_2024 = dict(zip(SECTORS, (136_000, 64_000, 21_500, 1_900, 3_900, 2_100, 2_600, 6_800, 0), strict=True))
INVENTORY_YEARS = [1990, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024]


def history() -> pd.DataFrame:
    return pd.DataFrame([(y, s, v * (1.4 - 0.04 * i)) for i, y in enumerate(INVENTORY_YEARS)
                         for s, v in LEVEL_2024.items()], columns=["year", "sector", "tonnes"])


def scenario_frames(horizon: int, k: int) -> dict[str, pd.DataFrame]:
    """Scenario, baseline, net, fan and comparison frames for variant ``k`` (a slider move)."""
    years = range(2024, horizon + 1)
    cut = 0.05 + 0.0007 * k  # a lever moved: every modelled number changes a little
    scen = [(y, s, v * (1 - cut) ** (y - 2024)) for y in years for s, v in LEVEL_2024.items()]
    scen += [(y, "Upptag", 900.0 * (y - 2024) * (1 + k / 97)) for y in years]  # model: ≥ 0
    scenario = pd.DataFrame(scen, columns=["year", "sector", "tonnes"])
    total = sum(LEVEL_2024.values())
    baseline = pd.DataFrame({"year": list(years),
                             "tonnes": [total * 0.99 ** (y - 2024) for y in years]})
    signed = scenario["tonnes"].where(scenario["sector"] != "Upptag", -scenario["tonnes"])
    net = signed.groupby(scenario["year"]).sum().rename("tonnes").reset_index()
    m = net["tonnes"]
    fan = pd.DataFrame({"year": net["year"], "p05": m * 0.8, "p25": m * 0.93, "p50": m,
                        "p75": m * 1.07, "p95": m * 1.2})
    groups = pd.concat([net.assign(scenario=f"Grupp {g}", tonnes=m * (1 + g / 40))
                        for g in range(1, 11)], ignore_index=True)
    return {"scenario": scenario, "baseline": baseline, "net": net, "fan": fan, "groups": groups}


def builders(k: int, horizon: int, hist: pd.DataFrame, target: pd.DataFrame
             ) -> dict[str, Callable[[], dict]]:
    f = scenario_frames(horizon, k)
    steps = [(f"Åtgärd {i}", -(1_000.0 + 137.0 * i + 3.1 * k)) for i in range(16)]
    steps.append(("Befolkning", 2_500.0 + k))
    removals = [("Biokol", 1_200.0 + k), ("BECCS", 9_000.0 + 2 * k)]
    start, end = 239_000.0, 239_000.0 + sum(d for _, d in steps) - sum(d for _, d in removals)
    actors = pd.DataFrame({"actor": ["kommun", "state_eu", "business", "residents"],
                           "tonnes": [12_000.0 + k, 41_000.0 - 3 * k, 8_000.0 + 2 * k, 6_500.0]})
    per_cap = pd.DataFrame({"name": ["Riket", "Enköping", *(f"Kommun {i}" for i in range(10))],
                            "t_per_capita": [4.1, 4.8 - k / 1000,
                                             *(2.5 + i / 7 for i in range(10))],
                            "highlight": [False, True, *([False] * 10)]})
    macc = pd.DataFrame({"lever_label": [f"Åtgärd {i}" for i in range(14)],
                         "cost_sek_per_t": [-800.0 + 190 * i + k for i in range(14)],
                         "tonnes": [500.0 + 900 * i + 5 * k for i in range(14)]})
    return {
        "main": lambda: charts.main_chart(hist, f["scenario"], f["baseline"], f["net"], target),
        "waterfall": lambda: charts.waterfall_chart("Utan nya åtgärder 2030", start, steps,
                                                    "Netto 2030", end, 45_000.0,
                                                    removals=removals),
        "actor": lambda: charts.actor_chart(actors),
        "comparison": lambda: charts.comparison_chart(f["groups"], target),
        "fan": lambda: charts.fan_chart(f["fan"], f["net"], target),
        "per_capita": lambda: charts.per_capita_chart(per_cap),
        "macc": lambda: charts.macc_chart(macc),
    }


def bench(horizon: int) -> tuple[dict[str, float], dict[str, int]]:
    """Warm median (ms) per builder over N calls with changing data, and spec sizes (bytes)."""
    hist = history()
    target = pd.DataFrame({"year": [2030], "tonnes": [0.0], "label": ["Klimatneutralt 2030"]})
    variants = [builders(k, horizon, hist, target) for k in range(N + 1)]
    sizes = {name: len(json.dumps(fn(), ensure_ascii=False).encode())  # also compiles skeletons
             for name, fn in variants[N].items()}
    out = {}
    for name in variants[0]:
        out[name] = median_time(lambda k, name=name: variants[k][name](), N, warmup=0) * 1e3
    return out, sizes


def main() -> None:
    """Run every measurement and print the figures; the last line is machine-readable."""
    pinned = pin_to_one_core()
    print(f"Klimatvägar chart bench · Python {platform.python_version()} · "
          f"pandas {pd.__version__} · {platform.machine()} · {pinned}")
    t0 = time.perf_counter()
    charts.main_chart(history(), None, None, None, None, "en")
    print(f"first call in the process (Altair compile of one skeleton): "
          f"{(time.perf_counter() - t0) * 1e3:.0f} ms")
    worst: dict[str, float] = {}
    for horizon in (2030, 2045):
        ms, sizes = bench(horizon)
        print(f"horizon {horizon} (scenario {horizon - 2023} years × 10 series), "
              f"warm median of {N} calls with changing data:")
        for name, value in ms.items():
            goal = GOALS["main" if name == "main" else "other"]
            print(f"  {name:<11} {value:6.2f} ms  (goal ≤ {goal:.0f} ms)  "
                  f"spec {sizes[name] / 1024:5.1f} KiB")
            worst[name] = max(worst.get(name, 0.0), value)
    main_ms = worst.pop("main")
    others = max(worst.values())
    met = main_ms <= GOALS["main"] and others <= GOALS["other"]
    print("all goals met" if met else "goals missed")
    print(f"main_ms={main_ms:.2f} others_max_ms={others:.2f}")


if __name__ == "__main__":
    main()
