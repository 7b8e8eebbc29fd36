"""Timing of the model engine (a benchmark that prints figures, not a test).

Run from the repository root::

    python bench/model_bench.py

Measures, for Enköping and the klimatkontrakt preset:

* the engine path the dashboard runs on every slider move (``lever_effects`` +
  ``apply_levers`` + sector sums + removals + attribution on a cached context
  and baseline), median of many runs, in microseconds;
* the full ``run_scenario`` (adds kommun look-up, lever validation, targets);
* 10 000 Monte Carlo samples to 2030 and to 2045: ``draw_samples`` once, then
  the median of repeated ``evaluate_samples`` calls with changed lever values.

The process is pinned to one core and BLAS/OpenMP to one thread, so the
figures describe one dashboard session on one core. The last line is
machine-readable: ``single_us=<float> mc10k_2030_ms=<float> mc10k_2045_ms=<float>``.
"""
from __future__ import annotations

import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from _common import ROOT, median_time, pin_to_one_core  # first: fixes BLAS threads before numpy

from model.baseline import KommunContext, build_context  # noqa: E402
from model.engine import apply_levers, attribution, lever_effects, removals, sector_totals  # noqa: E402
from model.registry import load_registry  # noqa: E402
from model.run import _baseline, lever_vector, run_scenario  # noqa: E402
from model.scenario import Scenario, load_scenario  # noqa: E402
from model.uncertainty import draw_samples, evaluate_samples  # noqa: E402

KOMMUN = "0381"
PRESET = ROOT / "scenarios" / "klimatkontrakt.toml"
N_SINGLE = 500
N_MC = 10_000
N_MC_REPEATS = 21
GOALS = {"single_us": 1000.0, "mc10k_2030_ms": 30.0, "mc10k_2045_ms": 100.0}


def lever_variants(ctx: KommunContext, sc: Scenario, count: int) -> list[np.ndarray]:
    """Lever vectors as a user produces them by moving sliders: one lever changes each time."""
    reg = load_registry()
    base = lever_vector(ctx, sc.levers, reg)
    out = []
    for i in range(count):
        v = base.copy()
        li = i % len(reg.levers)
        lv = reg.levers[li]
        v[li] = min(lv.max, max(lv.min, v[li] + lv.step * (1 if (i // len(reg.levers)) % 2 == 0 else -1)))
        out.append(v)
    return out


def slider_move(ctx: KommunContext, values: np.ndarray) -> tuple[np.ndarray, ...]:
    """The deterministic engine path per slider move (what the UI recomputes)."""
    reg = load_registry()
    fx = lever_effects(ctx, values, reg)
    base = _baseline(ctx)
    streams = apply_levers(base, fx)
    by_sector = sector_totals(streams, ctx)[:, 0, :]
    rem = removals(fx, 1)[0]
    attr = attribution(base, fx, len(reg.levers))
    return by_sector, rem, attr


def bench_single(sc: Scenario) -> tuple[float, float]:
    """(engine path, full run_scenario) medians in microseconds, horizon 2030."""
    ctx = build_context(KOMMUN, sc.national_policy, 2030)
    _baseline(ctx)  # cached in the app after the first render
    variants = lever_variants(ctx, sc, 64)
    engine = median_time(lambda i: slider_move(ctx, variants[i % len(variants)]), N_SINGLE)
    reg = load_registry()
    scenarios = [Scenario(levers=dict(zip(reg.lever_ids, v.tolist(), strict=True)), kommun=KOMMUN,
                          national_policy=sc.national_policy, horizon=2030) for v in variants]
    full = median_time(lambda i: run_scenario(scenarios[i % len(scenarios)]), N_SINGLE // 2)
    return engine * 1e6, full * 1e6


def bench_mc(sc: Scenario, horizon: int) -> dict[str, float]:
    """Monte Carlo timings for one horizon, in milliseconds."""
    ctx = build_context(KOMMUN, sc.national_policy, horizon)
    draws = []
    for seed in range(3):
        t0 = time.perf_counter()
        samples = draw_samples(ctx, N_MC, seed=seed)
        draws.append(time.perf_counter() - t0)
    variants = lever_variants(ctx, sc, N_MC_REPEATS + 2)
    t0 = time.perf_counter()
    evaluate_samples(ctx, variants[0], samples)  # builds the cached sampled baseline
    first = time.perf_counter() - t0
    evaluate = median_time(lambda i: evaluate_samples(ctx, variants[i % len(variants)], samples), N_MC_REPEATS)
    return {"draw": statistics.median(draws) * 1e3, "first": first * 1e3, "evaluate": evaluate * 1e3}


def main() -> None:
    """Run every measurement and print the figures; the last line is machine-readable."""
    pinned = pin_to_one_core()
    sc = load_scenario(PRESET)
    print(f"Klimatvägar model bench · Python {platform.python_version()} · numpy {np.__version__} · "
          f"{platform.machine()} · {pinned} · kommun {KOMMUN} · scenario {sc.id}")
    build_context(KOMMUN, sc.national_policy, 2030)  # data and registry load, not part of the figures
    single, full = bench_single(sc)
    print(f"slider move (engine path, cached baseline), median of {N_SINGLE}: {single:9.1f} µs"
          f"   (goal ≤ {GOALS['single_us']:.0f} µs)")
    print(f"run_scenario incl. targets, median of {N_SINGLE // 2}:           {full:9.1f} µs")
    mc = {}
    for horizon in (2030, 2045):
        mc[horizon] = r = bench_mc(sc, horizon)
        goal = GOALS[f"mc10k_{horizon}_ms"]
        print(f"MC {N_MC} samples to {horizon}: evaluate median of {N_MC_REPEATS} {r['evaluate']:7.2f} ms "
              f"(goal ≤ {goal:.0f} ms); first call incl. sampled baseline {r['first']:7.2f} ms; "
              f"draw_samples {r['draw']:6.2f} ms")
    figures = {"single_us": single, "mc10k_2030_ms": mc[2030]["evaluate"], "mc10k_2045_ms": mc[2045]["evaluate"]}
    missed = [k for k, v in figures.items() if v > GOALS[k]]
    print("all goals met" if not missed else f"goals missed: {', '.join(missed)}")
    print(f"single_us={single:.1f} mc10k_2030_ms={mc[2030]['evaluate']:.2f} mc10k_2045_ms={mc[2045]['evaluate']:.2f}")


if __name__ == "__main__":
    main()
