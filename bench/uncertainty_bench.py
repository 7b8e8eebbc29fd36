"""Timing of the uncertainty page's computation (a benchmark that prints figures, not a test).

Run from the repository root::

    python bench/uncertainty_bench.py

For Enköping and the klimatkontrakt preset, with 10 000 samples and the default
seed, to 2030 and to 2045, it times what the "Osäkerhet" page computes when its
cache is cold (``st.cache_data`` is not involved here):

* :func:`model.sensitivity.mc_summary` (deterministic run, draws, the chunked
  Monte Carlo evaluation, quantiles and the probability of meeting the target);
* :func:`model.sensitivity.tornado` (one-at-a-time swings, 48 model rows);
* building the fan and tornado chart specs.

Kommun data and the registry are loaded before timing (the sidebar has done so by the
time the page runs). Each figure is the median of several runs with a different seed
each time, on one core with BLAS/OpenMP limited to one thread. The last line is
machine-readable: ``mc_page_2030_ms=<float> mc_page_2045_ms=<float>``.
"""
from __future__ import annotations

import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from _common import ROOT, pin_to_one_core  # first: fixes BLAS threads before numpy

from model.baseline import build_context  # noqa: E402
from model.run import lever_vector, run_scenario  # noqa: E402
from model.scenario import Scenario, load_scenario  # noqa: E402
from model.sensitivity import mc_summary, tornado  # noqa: E402
from ui import charts  # noqa: E402
from ui.uncertainty.tornado import tornado_chart  # noqa: E402

KOMMUN = "0381"
PRESET = ROOT / "scenarios" / "klimatkontrakt.toml"
N_MC = 10_000
REPEATS = 7
GOAL_MS = {2030: 500.0, 2045: 1000.0}  # "more than a moment" starts at Streamlit's 0.5 s spinner delay


def page_compute(sc: Scenario, seed: int) -> dict[str, float]:
    """Everything the page computes for one scenario, n and seed; parts in milliseconds."""
    t0 = time.perf_counter()
    summary = mc_summary(sc, n=N_MC, seed=seed)
    t1 = time.perf_counter()
    res = run_scenario(sc)
    ctx = res.context
    rows = tornado(ctx, lever_vector(ctx, res.lever_values), int(res.years[-1]))
    t2 = time.perf_counter()
    cols = ("p05", "p25", "p50", "p75", "p95")
    df = pd.DataFrame({"year": summary.years, **{c: summary.fan[i] for i, c in enumerate(cols)}})
    det = pd.DataFrame({"year": summary.years, "tonnes": summary.deterministic})
    charts.fan_chart(df, det, None, "sv")
    tornado_chart([(iid, "låg", "hög", lo, hi) for iid, lo, hi in rows[:15]], float(res.net[-1]),
                  int(res.years[-1]), "sv")
    t3 = time.perf_counter()
    return {"mc": (t1 - t0) * 1e3, "tornado": (t2 - t1) * 1e3, "charts": (t3 - t2) * 1e3,
            "total": (t3 - t0) * 1e3, **{f"mc_{k}": v for k, v in summary.timings_ms.items()}}


def bench(sc: Scenario, horizon: int) -> dict[str, float]:
    """Median of :data:`REPEATS` page computations (new seed each time) after one warm-up."""
    sc = replace(sc, horizon=horizon, kommun=KOMMUN)
    build_context(KOMMUN, sc.national_policy, horizon)
    page_compute(sc, seed=0)  # imports, chart skeletons and lru caches of data look-ups
    runs = [page_compute(sc, seed=2030 + i) for i in range(REPEATS)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main() -> None:
    """Run the measurements and print the figures; the last line is machine-readable."""
    pinned = pin_to_one_core()
    sc = load_scenario(PRESET)
    print(f"Klimatvägar uncertainty-page bench · Python {platform.python_version()} · numpy {np.__version__} · "
          f"{platform.machine()} · {pinned} · kommun {KOMMUN} · scenario {sc.id} · {N_MC} samples")
    out = {}
    for horizon in (2030, 2045):
        r = bench(sc, horizon)
        out[horizon] = r["total"]
        print(f"to {horizon}: page total {r['total']:7.1f} ms (goal ≤ {GOAL_MS[horizon]:.0f} ms) = "
              f"mc_summary {r['mc']:6.1f} ms [deterministic {r['mc_deterministic']:.1f}, draw {r['mc_draw']:.1f}, "
              f"evaluate {r['mc_evaluate']:.1f}, summarise {r['mc_summarise']:.1f}] + tornado {r['tornado']:.1f} ms "
              f"+ chart specs {r['charts']:.1f} ms; median of {REPEATS}")
    missed = [h for h, v in out.items() if v > GOAL_MS[h]]
    print("all goals met" if not missed else f"goals missed: {', '.join(map(str, missed))}")
    print(f"mc_page_2030_ms={out[2030]:.1f} mc_page_2045_ms={out[2045]:.1f}")


if __name__ == "__main__":
    main()
