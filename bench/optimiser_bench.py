"""Timing of the "Vad krävs?" optimiser (a benchmark that prints figures, not a test).

Run from the repository root::

    python bench/optimiser_bench.py

For three kommuner (Enköping, Stockholm, Åre) and four targets under current law, and
for Enköping's "Klimatneutral 2030" under each national policy, it times
:func:`model.optimiser.optimise` (median of ``REPEATS`` calls after one warm-up call; the
kommun context is cached as in the dashboard) and prints the answer's status. The data
and registry load once per process; that first, cold call is reported separately.

The process is pinned to one core and BLAS/OpenMP to one thread. The goal is under 1 s
per optimisation for Enköping. The last line is machine-readable:
``optimiser_ms=<Enköping klimatneutral median> max_ms=<slowest median> cold_ms=<first call>``.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scipy  # noqa: E402

from model.optimiser import OptimiserResult, optimise  # noqa: E402
from model.scenario import Scenario  # noqa: E402
from model.targets import TargetSpec  # noqa: E402

KOMMUNER = {"0381": "Enköping", "0180": "Stockholm", "2321": "Åre"}
TARGETS = ("klimatneutral_2030", "budget_rate", "carbon_law", "national_transport_2030")
POLICIES = ("current_law", "rp10_2025", "original_2030")
REPEATS = 5
GOAL_MS = 1000.0


def pin_to_one_core() -> str:
    """Pin this process to one CPU if the OS allows it; returns a description."""
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        return f"pinned to CPU {sorted(os.sched_getaffinity(0))[0]}"
    except (AttributeError, OSError) as exc:
        return f"not pinned ({exc.__class__.__name__})"


def timed(sc: Scenario) -> tuple[float, OptimiserResult]:
    """Median wall time in ms over REPEATS calls (after a warm-up) and the answer."""
    res = optimise(sc)
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        optimise(sc)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), res


def line(name: str, target: str, policy: str, ms: float, res: OptimiserResult) -> str:
    """One printed row: timing, verdict, gap and cost."""
    status = "met" if res.feasible else "not reachable"
    return (f"{name:10s} {target:24s} {policy:14s} {ms:8.1f} ms  {status:13s} gap {res.gap_t:>10,.0f} t  "
            f"cost {res.total_cost_sek_per_year / 1e6:7.1f} MSEK/yr  iterations {res.iterations}")


def main() -> None:
    """Run every case and print the figures; the last line is machine-readable."""
    pinned = pin_to_one_core()
    print(f"Klimatvägar optimiser bench · Python {platform.python_version()} · scipy {scipy.__version__} · "
          f"{platform.machine()} · {pinned} · median of {REPEATS}")
    t0 = time.perf_counter()
    optimise(Scenario(kommun="0381"))
    cold = (time.perf_counter() - t0) * 1e3
    print(f"first call incl. data and registry load: {cold:.0f} ms")
    medians: dict[tuple[str, str, str], float] = {}
    for code, name in KOMMUNER.items():
        for target in TARGETS:
            sc = Scenario(kommun=code, target=TargetSpec(selected=target))
            ms, res = timed(sc)
            medians[(code, target, "current_law")] = ms
            print(line(name, target, "current_law", ms, res))
    for policy in POLICIES[1:]:
        ms, res = timed(Scenario(kommun="0381", national_policy=policy))
        medians[("0381", "klimatneutral_2030", policy)] = ms
        print(line("Enköping", "klimatneutral_2030", policy, ms, res))
    enk = medians[("0381", "klimatneutral_2030", "current_law")]
    slowest = max(medians.values())
    print("goal met (< 1 s)" if slowest < GOAL_MS else f"goal missed: slowest {slowest:.0f} ms")
    print(f"optimiser_ms={enk:.1f} max_ms={slowest:.1f} cold_ms={cold:.0f}")


if __name__ == "__main__":
    main()
