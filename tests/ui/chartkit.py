"""Shared pieces of the chart tests: pinned characters, spec walkers, realistic frames and
one call of every builder."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from ui.charts import (
    DEFAULT_WIDTH,
    HEIGHTS,
    actor_chart,
    chart_description,
    comparison_chart,
    fan_chart,
    macc_chart,
    main_chart,
    per_capita_chart,
    waterfall_chart,
)

# Pinned here, not imported, so a change of character in ui.text.fmt fails the tests.
NBSP = "\u00a0"  # NO-BREAK SPACE: thousands separator and before units/%
MINUS = "\u2212"  # MINUS SIGN

ROOT = Path(__file__).resolve().parents[2]
SV_TONNES = re.compile(rf"^{MINUS}?\d{{1,3}}(?:{NBSP}\d{{3}})*{NBSP}ton CO₂e$")
INVENTORY_YEARS = [1990, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024]
# Enköping 2024-like magnitudes (t CO₂e per year), rounded.
LEVELS = {"Transporter": 136_000, "Jordbruk": 64_000, "Arbetsmaskiner": 21_500,
          "Avfall (inkl.avlopp)": 3_900, "El och fjärrvärme": 2_600}


# ---------------------------------------------------------------- helpers
def leaves(spec: dict, data: dict | None = None) -> Iterator[dict]:
    """Every unit spec (one with a mark) in a nested layer spec, with inherited data."""
    data = spec.get("data", data)
    if "mark" in spec:
        yield {**spec, "data": data} if data is not None else spec
    for child in spec.get("layer", []):
        yield from leaves(child, data)


def mark_type(leaf: dict) -> str:
    mark = leaf["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def rows(spec: dict, leaf: dict) -> list[dict]:
    """The rows a layer reads: a named dataset of the spec, or constant inline values."""
    data = leaf["data"]
    return data["values"] if "values" in data else spec["datasets"][data["name"]]


def filtered(leaf: dict) -> list[str]:
    return [tr["filter"] for tr in leaf.get("transform", []) if "filter" in tr]


def leaf_with(spec: dict, mark: str, field: str | None = None) -> tuple[dict, list[dict]]:
    """First leaf of a mark type (optionally whose data has ``field``) and its rows."""
    for leaf in leaves(spec):
        if mark_type(leaf) == mark and leaf.get("data"):
            data = rows(spec, leaf)
            if field is None or (data and field in data[0]):
                return leaf, data
    raise AssertionError(f"no {mark} layer with {field}")


def tooltip_fields(leaf: dict) -> dict[str, str]:
    return {tip["field"]: tip["title"] for tip in leaf["encoding"]["tooltip"]}


def structure(spec: dict) -> str:
    """Everything but the per-call data, as canonical JSON."""
    rest = {k: v for k, v in spec.items() if k not in ("datasets", "description")}
    return json.dumps(rest, sort_keys=True, ensure_ascii=False)


def assert_common(spec: dict, kind: str, lang: str = "sv") -> None:
    assert isinstance(spec, dict)
    json.dumps(spec, allow_nan=False)  # plain JSON: no NaN, no numpy or pandas objects
    # The waterfall is horizontal: one row per step, so its height follows the number of steps.
    assert spec["height"] == ({"step": HEIGHTS["waterfall_step"]} if kind == "waterfall" else HEIGHTS[kind])
    assert spec["width"] == DEFAULT_WIDTH
    assert len(spec["description"]) > 40
    assert chart_description(spec) == spec["description"]
    number = spec["config"]["locale"]["number"]
    assert (number["thousands"], number["decimal"]) == (
        (NBSP, ",") if lang == "sv" else (",", "."))
    assert "DejaVu Sans" in spec["config"]["font"]
    used = set()
    for leaf in leaves(spec):  # per-call rows are named datasets; inline values are constant
        data = leaf["data"]
        assert set(data) in ({"name"}, {"values"})
        if "name" in data:
            assert data["name"] in spec["datasets"]
            used.add(data["name"])
    assert used == set(spec["datasets"]), "every dataset is used (each costs Streamlit time)"
    n_marks = sum(len(rows(spec, leaf)) for leaf in leaves(spec))
    assert n_marks < 2000


# ---------------------------------------------------------------- fixtures
def make_frames(horizon: int = 2030, cut: float = 0.08) -> dict[str, pd.DataFrame]:
    history = pd.DataFrame(
        [(y, s, v * (1.4 - 0.04 * i)) for i, y in enumerate(INVENTORY_YEARS)
         for s, v in LEVELS.items()] + [(y, "Utrikes transporter", 0.0) for y in INVENTORY_YEARS],
        columns=["year", "sector", "tonnes"])
    years = range(2024, horizon + 1)
    scen = [(y, s, v * max(0.0, 1 - cut * (y - 2024))) for y in years for s, v in LEVELS.items()]
    scen += [(y, "Upptag", -1500.0 * (y - 2024)) for y in years if y > 2024]
    scenario = pd.DataFrame(scen, columns=["year", "sector", "tonnes"])
    total = sum(LEVELS.values())
    baseline = pd.DataFrame({"year": list(years),
                             "tonnes": [total * (1 - 0.01 * i) for i in range(len(years))]})
    net = scenario.groupby("year", as_index=False)["tonnes"].sum()
    target = pd.DataFrame({"year": [2030], "tonnes": [0.0], "label": ["Klimatneutralt 2030"]})
    return {"history": history, "scenario": scenario, "baseline": baseline, "net": net,
            "target": target}


def fan_frame(net: pd.DataFrame, spread: float = 1.0) -> pd.DataFrame:
    m = net["tonnes"]
    return pd.DataFrame({"year": net["year"], "p05": m * (1 - 0.3 * spread),
                         "p25": m * (1 - 0.1 * spread), "p50": m, "p75": m * (1 + 0.1 * spread),
                         "p95": m * (1 + 0.3 * spread)})


def groups(net: pd.DataFrame, n: int = 10, step: float = 20) -> pd.DataFrame:
    return pd.concat([net.assign(scenario=f"Grupp {i}", tonnes=net["tonnes"] * (1 + i / step))
                      for i in range(1, n + 1)])


def build_main(f: dict[str, pd.DataFrame], lang: str = "sv") -> dict:
    return main_chart(f["history"], f["scenario"], f["baseline"], f["net"], f["target"], lang)


WF_STEPS = [("Elbilar", -30_500.0), ("Befolkning", 3_000.0), ("Elbilar", -1_000.0)]
ACTORS = pd.DataFrame({"actor": ["kommun", "state_eu", "business", "residents"],
                       "tonnes": [12_000, 41_000, 8_000, 6_500]})
PER_CAPITA = pd.DataFrame({"name": ["Riket", "Enköping", "Uppsala"],
                           "t_per_capita": [4.1, 4.8, 2.9], "highlight": [False, True, False]})
MACC = pd.DataFrame({"lever_label": ["Elbilar", "Cykel", "BECCS", "Noll"],
                     "cost_sek_per_t": [1200, -500, 1800, 100],
                     "tonnes": [30_000, 2_000, 10_000, 0]})


def variants(k: int) -> dict[str, Callable[[], dict]]:
    """Every builder with data set ``k``: k=0 and k=1 differ only in the numbers."""
    f = make_frames(cut=0.08 + 0.01 * k)
    scale = 1 + 0.1 * k
    return {
        "main": lambda: build_main(f),
        "waterfall": lambda: waterfall_chart(
            "Utan nya åtgärder 2030", 222_000, [(lbl, d * scale) for lbl, d in WF_STEPS],
            "Netto 2030", 183_500 - 1000 * k, 67_000, removals=[("BECCS", -10_000.0 * scale)]),
        "actor": lambda: actor_chart(ACTORS.assign(tonnes=ACTORS["tonnes"] * scale)),
        "comparison": lambda: comparison_chart(groups(f["net"]), f["target"]),
        "fan": lambda: fan_chart(fan_frame(f["net"], scale), f["net"], f["target"]),
        "per_capita": lambda: per_capita_chart(
            PER_CAPITA.assign(t_per_capita=PER_CAPITA["t_per_capita"] * scale)),
        "macc": lambda: macc_chart(MACC.assign(tonnes=MACC["tonnes"] * scale)),
    }
