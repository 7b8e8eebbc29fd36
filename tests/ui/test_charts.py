"""Tests for ui.charts: specs built from small realistic frames, checked via to_dict()."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import vl_convert
from hypothesis import given, settings
from hypothesis import strategies as st

from ui import charts
from ui.charts import (
    DEFAULT_WIDTH,
    HEIGHTS,
    OKABE_ITO,
    SECTOR_COLORS,
    actor_chart,
    comparison_chart,
    fan_chart,
    macc_chart,
    main_chart,
    per_capita_chart,
    waterfall_chart,
    with_locale,
)

# Pinned here, not imported, so a change of character in ui.fmt fails the tests.
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
    return spec["datasets"][leaf["data"]["name"]]


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


def assert_common(spec: dict, kind: str, lang: str = "sv") -> None:
    assert spec["height"] == HEIGHTS[kind]
    assert spec["width"] == DEFAULT_WIDTH
    assert len(spec["description"]) > 40
    number = spec["config"]["locale"]["number"]
    assert (number["thousands"], number["decimal"]) == (
        (NBSP, ",") if lang == "sv" else (",", "."))
    n_marks = sum(len(rows(spec, leaf)) for leaf in leaves(spec) if leaf.get("data"))
    assert n_marks < 2000


# ---------------------------------------------------------------- fixtures
@pytest.fixture
def frames() -> dict[str, pd.DataFrame]:
    history = pd.DataFrame(
        [(y, s, v * (1.4 - 0.04 * i)) for i, y in enumerate(INVENTORY_YEARS)
         for s, v in LEVELS.items()] + [(y, "Utrikes transporter", 0.0) for y in INVENTORY_YEARS],
        columns=["year", "sector", "tonnes"])
    scen = [(y, s, v * (1 - 0.08 * (y - 2024))) for y in range(2024, 2031)
            for s, v in LEVELS.items()]
    scen += [(y, "Upptag", -1500.0 * (y - 2024)) for y in range(2025, 2031)]
    scenario = pd.DataFrame(scen, columns=["year", "sector", "tonnes"])
    total = sum(LEVELS.values())
    baseline = pd.DataFrame({"year": range(2024, 2031),
                             "tonnes": [total * (1 - 0.01 * i) for i in range(7)]})
    net = scenario.groupby("year", as_index=False)["tonnes"].sum()
    target = pd.DataFrame({"year": [2030], "tonnes": [0.0], "label": ["Klimatneutralt 2030"]})
    return {"history": history, "scenario": scenario, "baseline": baseline, "net": net,
            "target": target}


@pytest.fixture
def main_spec(frames: dict[str, pd.DataFrame]) -> dict:
    return main_chart(frames["history"], frames["scenario"], frames["baseline"], frames["net"],
                      frames["target"], "sv").to_dict()


# ---------------------------------------------------------------- module level
def test_charts_module_does_not_import_streamlit() -> None:
    code = "import sys, ui.charts; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


def test_theme_is_registered_and_active() -> None:
    assert charts.THEME_NAME in alt.theme.names()
    assert alt.theme.active == charts.THEME_NAME
    spec = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").to_dict()
    assert spec["config"]["range"]["category"] == list(OKABE_ITO)
    assert "DejaVu Sans" in spec["config"]["font"]


def test_sector_colours_are_fixed_and_distinct() -> None:
    assert len(set(SECTOR_COLORS.values())) == len(SECTOR_COLORS) == 10
    assert SECTOR_COLORS["removals"] == "#009E73"
    assert set(list(SECTOR_COLORS.values())[:8]) <= set(OKABE_ITO)


def test_with_locale_keeps_existing_config() -> None:
    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    spec = with_locale(chart.configure(background="#fafafa"), "en").to_dict()
    assert spec["config"]["background"] == "#fafafa"
    assert spec["config"]["locale"]["number"]["thousands"] == ","
    assert spec["config"]["locale"]["time"]["months"][0] == "January"
    assert with_locale(chart, "sv").to_dict()["config"]["locale"]["time"]["months"][0] == "Januari"


# ---------------------------------------------------------------- main chart
def test_main_chart_layers_and_encodings(main_spec: dict) -> None:
    assert_common(main_spec, "main")
    types = {mark_type(leaf) for leaf in leaves(main_spec)}
    assert {"rect", "line", "rule", "text", "point"} <= types
    rect, _ = leaf_with(main_spec, "rect", "sid")
    assert rect["encoding"]["y"]["axis"]["title"] == "ton CO₂e per år"
    assert rect["encoding"]["x"]["axis"]["format"] == "d"  # years never get "2 030"
    assert tooltip_fields(rect) == {"label_full": "Sektor", "year_text": "År",
                                    "value_text": "Utsläpp", "source": "Källa"}
    assert main_spec["resolve"]["scale"]["color"] == "independent"


def test_main_chart_history_vs_projection(main_spec: dict) -> None:
    _, bars = leaf_with(main_spec, "rect", "sid")
    measured = {r["year"] for r in bars if r["source"] == "Uppmätt (SMHI)"}
    modelled = {r["year"] for r in bars if r["source"] == "Modellberäknat"}
    assert measured == set(INVENTORY_YEARS)
    assert modelled == set(range(2025, 2031))  # 2024 comes from SMHI, not the model
    _, split = leaf_with(main_spec, "text", "x")
    assert split == [{"x": 2024.5, "text": "Prognos →"}]


def test_main_chart_removals_are_below_zero(main_spec: dict) -> None:
    _, bars = leaf_with(main_spec, "rect", "sid")
    removals = [r for r in bars if r["sid"] == "removals"]
    assert len(removals) == 6
    assert all(r["y1"] < 0 and r["y0"] == 0 for r in removals)
    assert all(min(r["y0"], r["y1"]) >= 0 for r in bars if r["sid"] != "removals")
    # Positive sectors stack without gaps: each year's top equals its gross total.
    for year in (2024, 2030):
        tops = [r["y1"] for r in bars if r["year"] == year and r["sid"] != "removals"]
        gross = sum(r["tonnes"] for r in bars if r["year"] == year and r["sid"] != "removals")
        assert max(tops) == pytest.approx(gross)


def test_main_chart_accepts_positive_removals(frames: dict[str, pd.DataFrame]) -> None:
    scen = frames["scenario"].copy()
    scen.loc[scen["sector"] == "Upptag", "tonnes"] *= -1  # model convention: removals ≥ 0
    spec = main_chart(frames["history"], scen, frames["baseline"], frames["net"]).to_dict()
    _, bars = leaf_with(spec, "rect", "sid")
    assert all(r["y1"] < 0 for r in bars if r["sid"] == "removals")


def test_main_chart_tooltips_are_swedish_with_units(main_spec: dict) -> None:
    _, bars = leaf_with(main_spec, "rect", "sid")
    assert all(SV_TONNES.match(r["value_text"]) for r in bars), bars[0]["value_text"]
    assert any(r["value_text"].startswith(MINUS) for r in bars)
    _, lines = leaf_with(main_spec, "line", "series")
    assert {r["series"] for r in lines} == {"Utan nya åtgärder", "Nettoutsläpp"}
    assert all(SV_TONNES.match(r["value_text"]) for r in lines)
    assert "Nettoutsläpp 2030: " in main_spec["description"]
    assert main_spec["description"].endswith(f"Mål: Mål 2030: 0{NBSP}ton CO₂e.")
    _, target = leaf_with(main_spec, "point", "label")
    assert target[0]["text"] == f"Klimatneutralt 2030: 0{NBSP}ton CO₂e"


def test_main_chart_line_styles(main_spec: dict) -> None:
    line, _ = leaf_with(main_spec, "line", "series")
    dash = line["encoding"]["strokeDash"]["scale"]
    assert dash["domain"] == ["Nettoutsläpp", "Utan nya åtgärder"]
    assert dash["range"] == [[1, 0], [6, 4]]  # net solid, baseline dashed


def test_main_chart_english(frames: dict[str, pd.DataFrame]) -> None:
    spec = main_chart(frames["history"], frames["scenario"], frames["baseline"], frames["net"],
                      None, "en").to_dict()
    assert_common(spec, "main", "en")
    rect, bars = leaf_with(spec, "rect", "sid")
    assert rect["encoding"]["y"]["axis"]["title"] == "t CO₂e per year"
    assert "Transport" in rect["encoding"]["color"]["scale"]["domain"]
    assert all(re.match(rf"^−?[\d,]+{NBSP}t CO₂e$", r["value_text"]) for r in bars)


def test_main_chart_sector_order_and_colours(main_spec: dict) -> None:
    rect, _ = leaf_with(main_spec, "rect", "sid")
    scale = rect["encoding"]["color"]["scale"]
    # Fixed SMHI order; "Utrikes transporter" is all zeros and stays out of the legend.
    assert scale["domain"] == ["Transporter", "Jordbruk", "Arbetsmaskiner", "Avfall och avlopp",
                               "El och fjärrvärme", "Upptag"]
    assert scale["range"] == [SECTOR_COLORS[s] for s in (
        "transport", "agriculture", "machinery", "waste", "electricity_heat", "removals")]


def test_main_chart_renders_png_with_swedish_locale(main_spec: dict) -> None:
    png = vl_convert.vegalite_to_png(main_spec, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert DEFAULT_WIDTH < width < DEFAULT_WIDTH + 500  # plot + axis + legend
    assert HEIGHTS["main"] < height < HEIGHTS["main"] + 150
    svg = vl_convert.vegalite_to_svg(main_spec)
    assert re.search(r">\d{2,3}(?:\u00a0|&#160;|&nbsp;)000<", svg), "axis lacks sv grouping"
    assert ">2030<" in svg


# ---------------------------------------------------------------- waterfall
def test_waterfall_bridges_levels_and_marks_the_gap() -> None:
    steps = [("Elbilar", -30_500.0), ("Befolkning", 3_000.0), ("Elbilar", -1_000.0)]
    spec = waterfall_chart("Utan nya åtgärder 2030", 222_000, steps, "Netto 2030", 183_500,
                           67_000, "sv", removals=[("BECCS", -10_000.0)]).to_dict()
    assert_common(spec, "waterfall")
    bar, data = leaf_with(spec, "bar", "kind")
    labels = [r["label"] for r in data]
    assert labels == ["Utan nya åtgärder 2030", "Elbilar", "Befolkning", "Elbilar (2)",
                      "Utsläpp med åtgärder", "BECCS", "Netto 2030", "Gap till målet"]
    levels = [(r["y0"], r["y1"]) for r in data]
    assert levels[:4] == [(0, 222_000), (222_000, 191_500), (191_500, 194_500),
                          (194_500, 193_500)]
    assert levels[4:] == [(0, 193_500), (193_500, 183_500), (0, 183_500), (67_000, 183_500)]
    kinds = dict(zip(bar["encoding"]["color"]["scale"]["domain"],
                     bar["encoding"]["color"]["scale"]["range"]))
    assert kinds["Minskning"] == "#009E73"
    assert data[1]["value_text"] == f"{MINUS}30{NBSP}500{NBSP}ton CO₂e"
    assert data[2]["value_text"] == f"+3{NBSP}000{NBSP}ton CO₂e"
    assert data[1]["bar_text"] == f"{MINUS}30,5{NBSP}kt"
    _, rule = leaf_with(spec, "rule", "y")
    assert rule[0]["y"] == 67_000
    assert f"gapet till målet är 117{NBSP}000{NBSP}ton CO₂e" in spec["description"]


def test_waterfall_without_gap_and_with_residual() -> None:
    spec = waterfall_chart("Start", 100_000, [("Åtgärd", -50_000.0)], "Netto", 40_000,
                           45_000, "en").to_dict()
    _, data = leaf_with(spec, "bar", "kind")
    assert [r["kind"] for r in data] == ["total", "reduction", "reduction", "total"]
    assert data[2]["label"] == "Other (interaction and rounding)"
    assert (data[2]["y0"], data[2]["y1"]) == (50_000, 40_000)
    assert "met with a margin of 5,000" in spec["description"]


def test_waterfall_removals_always_lower_the_level() -> None:
    for sign in (1.0, -1.0):  # the model reports removals as positive tonnes
        spec = waterfall_chart("Start", 100_000, [], "Netto", 92_000, lang="sv",
                               removals=[("BECCS", sign * 8_000)]).to_dict()
        data = leaf_with(spec, "bar", "kind")[1]
        assert [r["kind"] for r in data] == ["total", "total", "removal", "total"]
        assert (data[2]["y0"], data[2]["y1"]) == (100_000, 92_000)


@settings(max_examples=25, deadline=None)
@given(start=st.floats(0, 5e5), deltas=st.lists(st.floats(-1e5, 1e5), max_size=6),
       end=st.floats(-1e5, 5e5))
def test_waterfall_bridge_always_closes(start: float, deltas: list[float], end: float) -> None:
    steps = [(f"Åtgärd {i}", d) for i, d in enumerate(deltas)]
    data = leaf_with(waterfall_chart("Start", start, steps, "Slut", end).to_dict(),
                     "bar", "kind")[1]
    moving = [r for r in data if r["kind"] != "total"]
    assert all(a["y1"] == pytest.approx(b["y0"]) for a, b in zip(moving, moving[1:]))
    last_level = moving[-1]["y1"] if moving else start
    assert last_level == pytest.approx(end, abs=1.0)  # the residual step closes any gap
    assert data[-1]["y1"] == end


# ---------------------------------------------------------------- other builders
def test_actor_chart() -> None:
    df = pd.DataFrame({"actor": ["kommun", "state_eu", "business", "residents"],
                       "tonnes": [12_000, 41_000, 8_000, 6_500]})
    spec = actor_chart(df, "sv").to_dict()
    assert_common(spec, "actor")
    bar, data = leaf_with(spec, "bar", "label")
    assert bar["encoding"]["x"]["type"] == "quantitative"
    assert bar["encoding"]["y"]["type"] == "nominal"
    assert bar["encoding"]["y"]["sort"] == ["Staten/EU", "Kommunen", "Näringslivet", "Invånarna"]
    assert data[0]["value_text"] == f"41{NBSP}000{NBSP}ton CO₂e"
    assert "Staten/EU" in spec["description"]


def test_comparison_chart_up_to_ten_groups(frames: dict[str, pd.DataFrame]) -> None:
    net = frames["net"]
    df = pd.concat([net.assign(scenario=f"Grupp {i}", tonnes=net["tonnes"] * (1 + i / 20))
                    for i in range(1, 11)])
    spec = comparison_chart(df, frames["target"], "sv").to_dict()
    assert_common(spec, "comparison")
    line, data = leaf_with(spec, "line", "scenario")
    scale = line["encoding"]["color"]["scale"]
    assert scale["domain"] == [f"Grupp {i}" for i in range(1, 11)]
    assert len(set(scale["range"])) == 10
    assert line["encoding"]["strokeDash"]["field"] == "scenario"
    assert all(SV_TONNES.match(r["value_text"]) for r in data)
    assert "Grupp 1" in spec["description"]  # lowest in 2030


def test_fan_chart(frames: dict[str, pd.DataFrame]) -> None:
    net = frames["net"]
    m = net["tonnes"]
    fan = pd.DataFrame({"year": net["year"], "p05": m * 0.7, "p25": m * 0.9, "p50": m,
                        "p75": m * 1.1, "p95": m * 1.3})
    spec = fan_chart(fan, net, frames["target"], "sv").to_dict()
    assert_common(spec, "fan")
    areas = [leaf for leaf in leaves(spec) if mark_type(leaf) == "area"]
    assert [(a["encoding"]["y"]["field"], a["encoding"]["y2"]["field"]) for a in areas] == [
        ("p05", "p95"), ("p25", "p75")]
    median, data = leaf_with(spec, "line", "p50_text")
    assert tooltip_fields(median)["band90"] == "90\u00a0% av utfallen"
    one = rf"[\d{NBSP}]+{NBSP}ton CO₂e"
    assert re.match(rf"^{one} – {one}$", data[-1]["band90"])
    assert "hälften av utfallen" in spec["description"]
    no_det = fan_chart(fan, None, None, "en").to_dict()
    assert all(mark_type(leaf) != "line" or "p50" in leaf["encoding"]["y"]["field"]
               for leaf in leaves(no_det))


def test_per_capita_chart() -> None:
    df = pd.DataFrame({"name": ["Riket", "Enköping", "Uppsala"], "t_per_capita": [4.1, 4.8, 2.9],
                       "highlight": [False, True, False]})
    spec = per_capita_chart(df, "sv").to_dict()
    assert_common(spec, "per_capita")
    bar, data = leaf_with(spec, "bar", "highlight")
    assert [r["name"] for r in data] == ["Enköping", "Riket", "Uppsala"]
    assert data[0]["value_text"] == f"4,8{NBSP}ton CO₂e per invånare"
    assert bar["encoding"]["color"]["condition"]["value"] != bar["encoding"]["color"]["value"]
    assert "Enköping" in bar["encoding"]["y"]["axis"]["labelFontWeight"]["expr"]


def test_macc_chart_cumulative_widths() -> None:
    df = pd.DataFrame({"lever_label": ["Elbilar", "Cykel", "BECCS", "Noll"],
                       "cost_sek_per_t": [1200, -500, 1800, 100],
                       "tonnes": [30_000, 2_000, 10_000, 0]})
    spec = macc_chart(df, "sv").to_dict()
    assert_common(spec, "macc")
    rect, data = leaf_with(spec, "rect", "x0")
    assert rect["encoding"]["x2"]["field"] == "x1"
    assert [r["lever_label"] for r in data] == ["Cykel", "Elbilar", "BECCS"]  # "Noll" dropped
    assert [(r["x0"], r["x1"]) for r in data] == [(0, 2_000), (2_000, 32_000), (32_000, 42_000)]
    assert data[0]["cost_sek_per_t"] < 0 and data[0]["cost_text"] == f"{MINUS}500{NBSP}kr/ton"
    assert data[1]["cost_text"] == f"1{NBSP}200{NBSP}kr/ton"


def test_empty_inputs_do_not_crash() -> None:
    empty = pd.DataFrame({"year": [], "sector": [], "tonnes": []})
    spec = main_chart(empty, empty, None, None, None, "sv").to_dict()
    assert spec["height"] == HEIGHTS["main"]
    spec = comparison_chart(pd.DataFrame({"scenario": [], "year": [], "tonnes": []})).to_dict()
    assert "0 scenarier" in spec["description"]
    with pytest.raises(ValueError, match="missing column"):
        actor_chart(pd.DataFrame({"who": ["kommun"], "tonnes": [1.0]}))
