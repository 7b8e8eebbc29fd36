"""Server-side rerun time after a slider change: the Scenario page vs Streamlit's floor.

Uses AppTest (in-process script runs, no browser). The floor is a bare page
with the same number of sliders and one chart of the same size (same number
of data points), i.e. what Streamlit itself costs for such a page.

Usage: ``python bench/rerun_bench.py [--runs N]``. The last line reads
``median_ms=… floor_ms=… ratio=…``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from model.registry import load_registry  # noqa: E402

FLOOR_SCRIPT = '''
import numpy as np
import pandas as pd
import streamlit as st

for i in range({n}):
    st.slider(f"Slider {{i}}", 0, 100, 0, key=f"s{{i}}")
years = np.arange(1990, 2031)
df = pd.DataFrame([(int(y), f"sector {{s}}", float(s * 1000 + y)) for y in years for s in range(10)],
                  columns=["year", "sector", "tonnes"])
spec = {{"mark": "area", "encoding": {{"x": {{"field": "year", "type": "quantitative"}},
        "y": {{"field": "tonnes", "type": "quantitative", "stack": True}},
        "color": {{"field": "sector", "type": "nominal"}}}}, "height": 380}}
st.vega_lite_chart(df, spec, width="stretch")
'''


def _time_reruns(at: AppTest, key: str, values: list[int], runs: int) -> list[float]:
    times = []
    for i in range(runs):
        slider = at.slider(key=key)
        slider.set_value(values[i % len(values)])
        t0 = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
        if at.exception:
            raise SystemExit(f"exception during rerun: {at.exception}")
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    n = len(load_registry().levers)

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    # Warm every cache path once per value so we measure steady-state slider moves.
    values = [0, 5, 10, 15, 20, 25, 30]
    _time_reruns(app, "lv_car_traffic", values, len(values))
    page = _time_reruns(app, "lv_car_traffic", list(reversed(values)), args.runs)

    floor_app = AppTest.from_string(FLOOR_SCRIPT.format(n=n), default_timeout=60)
    floor_app.run()
    _time_reruns(floor_app, "s0", values, len(values))
    floor = _time_reruns(floor_app, "s0", list(reversed(values)), args.runs)

    med, fl = statistics.median(page), statistics.median(floor)
    print(f"scenario page: median {med:.1f} ms, p90 {sorted(page)[int(0.9 * len(page))]:.1f} ms "
          f"over {len(page)} reruns ({n} sliders)")
    print(f"bare page:     median {fl:.1f} ms, p90 {sorted(floor)[int(0.9 * len(floor))]:.1f} ms")
    print(f"median_ms={med:.1f} floor_ms={fl:.1f} ratio={med / fl:.2f}")


if __name__ == "__main__":
    main()
