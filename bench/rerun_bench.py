"""Server-side rerun time after a slider change: the Scenario page vs Streamlit's floor.

Uses AppTest (in-process script runs, no browser). The floor is a bare page
with the same number of sliders as there are levers (18) and one chart of the
same size (same number of data points), i.e. what Streamlit itself costs for
such a page. The Scenario page draws the open lever tab only (6 sliders for
Transporter, where the moved slider is); the first line of output says so.

Two figures for the page: "warm" reruns revisit values seen before (the model
run, chart spec and headline come from the per-scenario caches), "new values"
move the slider to values never seen (model run and views rebuilt).

Usage: ``python bench/rerun_bench.py [--runs N]``. The last line reads
``median_ms=… floor_ms=… ratio=…``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit.testing.v1.app_test as app_test  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from model.registry import load_registry  # noqa: E402

LEVER = "lv_car_traffic"
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


class _ServedPagesManager(PagesManager):
    """Run app.py as asgi.py serves it: without Streamlit's legacy ``pages/`` discovery.

    AppTest re-detects the ``pages/`` folder before every run and then wraps the script in
    Streamlit's v1 multipage emulation (a second navigation and script compile per rerun).
    asgi.py switches that off for the real server, because app.py declares its pages with
    st.navigation; the bench measures the app as it is served. The floor script has no
    ``pages/`` folder, so both sides are measured alike.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        PagesManager.uses_pages_directory = False
        super().__init__(*args, **kwargs)


def _rerun_ms(at: AppTest, key: str, value: int) -> float:
    at.slider(key=key).set_value(value)
    t0 = time.perf_counter()
    at.run()
    ms = (time.perf_counter() - t0) * 1000
    if at.exception:
        raise SystemExit(f"exception during rerun: {at.exception}")
    return ms


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=60)
    args = ap.parse_args()
    n = len(load_registry().levers)
    # The app's own settings (.streamlit/config.toml) apply, as under `streamlit run`.
    os.chdir(ROOT)
    app_test.PagesManager = _ServedPagesManager

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    floor_app = AppTest.from_string(FLOOR_SCRIPT.format(n=n), default_timeout=60)
    app.run()
    floor_app.run()
    # Warm every cache path once per value: steady-state slider moves ("warm").
    values = [0, 5, 10, 15, 20, 25, 30]
    for v in values:
        _rerun_ms(app, LEVER, v)
        _rerun_ms(floor_app, "s0", v)
    # Interleaved, so that a noisy machine slows both alike.
    page, floor = [], []
    for i in range(args.runs):
        v = values[(len(values) - 1 - i) % len(values)]
        page.append(_rerun_ms(app, LEVER, v))
        floor.append(_rerun_ms(floor_app, "s0", v))
    # A value never seen before: the model runs and every view is rebuilt ("cold").
    lever = load_registry().lever(LEVER.removeprefix("lv_"))
    fresh = [v for v in range(int(lever.min), int(lever.max) + 1, int(lever.step)) if v not in values]
    cold = [_rerun_ms(app, LEVER, v) for v in fresh][:args.runs]
    elements = sum(1 for _ in app.main) + sum(1 for _ in app.sidebar)
    drawn = len(app.slider)

    med, fl = statistics.median(page), statistics.median(floor)
    p90 = lambda xs: sorted(xs)[int(0.9 * len(xs))]  # noqa: E731
    print(f"scenario page: median {med:.1f} ms, p90 {p90(page):.1f} ms over {len(page)} reruns "
          f"({drawn} of {n} sliders drawn: lazy lever tabs; {elements} elements)")
    print(f"  new values:  median {statistics.median(cold):.1f} ms, p90 {p90(cold):.1f} ms over "
          f"{len(cold)} reruns (model run and chart rebuilt)")
    print(f"bare page:     median {fl:.1f} ms, p90 {p90(floor):.1f} ms ({n} sliders, one chart)")
    print(f"median_ms={med:.1f} floor_ms={fl:.1f} ratio={med / fl:.2f}")


if __name__ == "__main__":
    main()
