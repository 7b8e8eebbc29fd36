"""Tests for ui.charts: Vega-Lite spec dicts built from small realistic frames."""

from __future__ import annotations

import copy
import json
import re
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui import charts
from ui.charts import (
    DEFAULT_WIDTH,
    HEIGHTS,
    OKABE_ITO,
    SECTOR_COLORS,
    actor_chart,
    chart_description,
    comparison_chart,
    fan_chart,
    macc_chart,
    main_chart,
    per_capita_chart,
    to_png,
    to_svg,
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


@pytest.fixture
def frames() -> dict[str, pd.DataFrame]:
    return make_frames()


def build_main(f: dict[str, pd.DataFrame], lang: str = "sv") -> dict:
    return main_chart(f["history"], f["scenario"], f["baseline"], f["net"], f["target"], lang)


@pytest.fixture
def main_spec(frames: dict[str, pd.DataFrame]) -> dict:
    return build_main(frames)


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


# ---------------------------------------------------------------- package level
def test_charts_package_does_not_import_streamlit() -> None:
    code = "import sys, ui.charts; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


def test_old_module_is_gone_and_package_files_are_small() -> None:
    assert not (ROOT / "ui" / "charts.py").exists()
    for path in (ROOT / "ui" / "charts").glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 330, path.name


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


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.sampled_from([float("nan"), float("inf"), -float("inf")]),
                       st.floats(-1e20, 1e20), st.floats(-1e6, 1e6),
                       st.integers(-10**6, 10**6).map(lambda i: i / 2),
                       st.integers(-10**5, 10**5).map(lambda i: i * 5 + 0.5)),
       lang=st.sampled_from(["sv", "en"]), signed=st.booleans())
def test_fast_tonnes_text_equals_ui_fmt(value: float, lang: str, signed: bool) -> None:
    # Above ~1e28 t ui.fmt.fmt_tonnes itself raises decimal.InvalidOperation.
    from ui.charts.common import tonnes_text
    from ui.fmt import fmt_tonnes

    expected = fmt_tonnes(value, lang, co2e=True, signed=signed)
    assert tonnes_text.__wrapped__(value, lang, signed) == expected
    assert tonnes_text(value, lang, signed) == expected


# ---------------------------------------------------------------- caching
@pytest.mark.parametrize("name", list(variants(0)))
def test_new_data_changes_datasets_not_structure(name: str) -> None:
    first, second = variants(0)[name](), variants(1)[name]()
    assert first["datasets"] != second["datasets"]
    assert structure(first) == structure(second)
    # The structure is the cached skeleton itself, shared rather than rebuilt.
    shared = "layer"
    assert first[shared] is second[shared]


@pytest.mark.parametrize("name", list(variants(0)))
def test_cached_skeleton_is_not_mutated(name: str) -> None:
    spec = variants(0)[name]()
    before, data_before = structure(spec), json.dumps(spec["datasets"], sort_keys=True)
    # What a caller (e.g. Streamlit) may do to the returned dict: top-level edits only.
    spec.pop("datasets")
    spec["autosize"] = {"type": "fit", "contains": "padding"}
    spec["description"] = "changed"
    for k in (1, 2, 0):
        again = variants(k)[name]()
        assert "autosize" not in again
        assert structure(again) == before
    assert json.dumps(variants(0)[name]()["datasets"], sort_keys=True) == data_before


def test_streamlit_marshalling_leaves_the_cache_alone(frames: dict[str, pd.DataFrame]) -> None:
    vega = pytest.importorskip("streamlit.elements.vega_charts")
    proto_mod = pytest.importorskip("streamlit.proto.VegaLiteChart_pb2")
    prepare = getattr(vega, "_prepare_vega_lite_spec", None)
    marshall = getattr(vega, "_marshall_chart_data", None)
    if prepare is None or marshall is None:
        pytest.skip("Streamlit internals changed")
    spec = build_main(frames)
    before = structure(spec)
    prepared = prepare(spec, True)
    proto = proto_mod.VegaLiteChart()
    marshall(proto, prepared, None)
    assert {d.name for d in proto.datasets} == {"bars", "lines", "target"}
    assert "datasets" in spec and structure(spec) == before
    assert structure(build_main(frames)) == before


def test_structure_changes_with_language_title_and_layers(frames: dict[str, pd.DataFrame]
                                                          ) -> None:
    sv, en = build_main(frames), build_main(frames, "en")
    assert structure(sv) != structure(en)
    titled = main_chart(frames["history"], frames["scenario"], frames["baseline"], frames["net"],
                        frames["target"], title="Utsläpp i Enköping")
    assert titled["title"] == "Utsläpp i Enköping" and "title" not in sv
    no_target = main_chart(frames["history"], frames["scenario"], frames["baseline"],
                           frames["net"])
    assert "target" not in no_target["datasets"]
    assert len(list(leaves(no_target))) == len(list(leaves(sv))) - 3


# ---------------------------------------------------------------- main chart
def test_main_chart_layers_and_encodings(main_spec: dict) -> None:
    assert_common(main_spec, "main")
    types = {mark_type(leaf) for leaf in leaves(main_spec)}
    assert {"rect", "line", "rule", "text", "point"} <= types
    rect, _ = leaf_with(main_spec, "rect", "sid")
    assert rect["data"] == {"name": "bars"}
    assert rect["encoding"]["y"]["axis"]["title"] == "ton CO₂e per år"
    assert rect["encoding"]["x"]["axis"]["format"] == "d"  # years never get "2 030"
    assert rect["encoding"]["x"]["scale"]["domain"] == [1989.5, 2030.5]
    assert tooltip_fields(rect) == {"label_full": "Sektor", "year_text": "År",
                                    "value_text": "Utsläpp", "source": "Källa"}
    assert main_spec["resolve"]["scale"]["color"] == "independent"
    assert set(main_spec["datasets"]) == {"bars", "lines", "target"}
    zero = next(leaf for leaf in leaves(main_spec) if mark_type(leaf) == "rule")
    assert zero["data"] == {"values": [{"zero": 0.0}]}  # constant, so part of the skeleton


def test_main_chart_history_vs_projection(main_spec: dict) -> None:
    rect, bars = leaf_with(main_spec, "rect", "sid")
    measured = {r["year"] for r in bars if r["source"] == "Uppmätt (SMHI)"}
    modelled = {r["year"] for r in bars if r["source"] == "Modellberäknat"}
    assert measured == set(INVENTORY_YEARS)
    assert modelled == set(range(2025, 2031))  # 2024 comes from SMHI, not the model
    opacity = rect["encoding"]["opacity"]["scale"]
    assert opacity == {"domain": ["Uppmätt (SMHI)", "Modellberäknat"], "range": [0.95, 0.45]}
    split = [leaf for leaf in leaves(main_spec) if "x" in leaf["encoding"]
             and leaf["encoding"]["x"]["field"] == "x"]
    assert [mark_type(leaf) for leaf in split] == ["rule", "text"]
    assert split[0]["mark"]["strokeDash"] == [4, 4]
    assert rows(main_spec, split[1]) == [{"x": 2024.5, "text": "Prognos →"}]


def test_main_chart_removals_are_below_zero(main_spec: dict) -> None:
    _, bars = leaf_with(main_spec, "rect", "sid")
    removals = [r for r in bars if r["sid"] == "removals"]
    assert len(removals) == 6
    assert all(r["tonnes"] < 0 and r["y1"] < 0 and r["y0"] == 0 for r in removals)
    assert all(r["value_text"].startswith(MINUS) for r in removals)
    assert all(min(r["y0"], r["y1"]) >= 0 for r in bars if r["sid"] != "removals")
    # Positive sectors stack without gaps: each year's top equals its gross total.
    for year in (2024, 2030):
        tops = [r["y1"] for r in bars if r["year"] == year and r["sid"] != "removals"]
        gross = sum(r["tonnes"] for r in bars if r["year"] == year and r["sid"] != "removals")
        assert max(tops) == pytest.approx(gross)


def test_main_chart_accepts_positive_removals(frames: dict[str, pd.DataFrame]) -> None:
    scen = frames["scenario"].copy()
    scen.loc[scen["sector"] == "Upptag", "tonnes"] *= -1  # model convention: removals ≥ 0
    spec = main_chart(frames["history"], scen, frames["baseline"], frames["net"])
    _, bars = leaf_with(spec, "rect", "sid")
    assert all(r["y1"] < 0 for r in bars if r["sid"] == "removals")


def test_main_chart_tooltips_are_swedish_with_units(main_spec: dict) -> None:
    _, bars = leaf_with(main_spec, "rect", "sid")
    assert all(SV_TONNES.match(r["value_text"]) for r in bars), bars[0]["value_text"]
    first = next(r for r in bars if r["year"] == 1990 and r["sid"] == "transport")
    assert first["value_text"] == f"190{NBSP}000{NBSP}ton CO₂e"  # 136 000 × 1.4, 3 digits
    assert first["label_full"] == "Transporter" and first["year_text"] == "1990"
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
    ends = [r for r in main_spec["datasets"]["lines"] if r["end"]]
    assert sorted(r["year"] for r in ends) == [2030, 2030]
    labels = [leaf for leaf in leaves(main_spec) if leaf["data"] == {"name": "lines"}
              and mark_type(leaf) == "text"]
    assert len(labels) == 2 and all(filtered(leaf) == ["datum.end"] for leaf in labels)


def test_main_chart_target_path(frames: dict[str, pd.DataFrame]) -> None:
    path = pd.DataFrame({"year": [2024, 2027, 2030], "tonnes": [230_000.0, 120_000.0, 0.0]})
    spec = main_chart(frames["history"], frames["scenario"], frames["baseline"], frames["net"],
                      path)
    line = next(leaf for leaf in leaves(spec) if leaf["data"] == {"name": "target"})
    assert mark_type(line) == "line" and line["mark"]["strokeDash"] == [2, 3]
    target = spec["datasets"]["target"]
    assert [(r["year"], r["last"]) for r in target] == [(2024, False), (2027, False),
                                                        (2030, True)]
    assert target[-1]["text"] == f"Mål 2030: 0{NBSP}ton CO₂e"
    labels = [leaf for leaf in leaves(spec) if leaf["data"] == {"name": "target"}
              and mark_type(leaf) == "text"]
    assert len(labels) == 2 and all(filtered(leaf) == ["datum.last"] for leaf in labels)


def test_main_chart_english(frames: dict[str, pd.DataFrame]) -> None:
    spec = main_chart(frames["history"], frames["scenario"], frames["baseline"], frames["net"],
                      None, "en")
    assert_common(spec, "main", "en")
    rect, bars = leaf_with(spec, "rect", "sid")
    assert rect["encoding"]["y"]["axis"]["title"] == "t CO₂e per year"
    assert "Transport" in rect["encoding"]["color"]["scale"]["domain"]
    assert all(re.match(rf"^−?[\d,]+{NBSP}t CO₂e$", r["value_text"]) for r in bars)
    assert spec["config"]["locale"]["time"]["months"][0] == "January"


def test_main_chart_sector_order_and_colours(main_spec: dict) -> None:
    rect, _ = leaf_with(main_spec, "rect", "sid")
    scale = rect["encoding"]["color"]["scale"]
    # Fixed SMHI order; "Utrikes transporter" is all zeros and stays out of the legend.
    assert scale["domain"] == ["Transporter", "Jordbruk", "Arbetsmaskiner", "Avfall och avlopp",
                               "El och fjärrvärme", "Upptag"]
    assert scale["range"] == [SECTOR_COLORS[s] for s in (
        "transport", "agriculture", "machinery", "waste", "electricity_heat", "removals")]


def test_main_chart_long_horizon_and_missing_values() -> None:
    f = make_frames(horizon=2045, cut=0.03)
    f["scenario"].loc[3, "tonnes"] = float("nan")
    f["baseline"].loc[2, "tonnes"] = None
    spec = build_main(f)
    assert_common(spec, "main")
    _, bars = leaf_with(spec, "rect", "sid")
    assert max(r["year"] for r in bars) == 2045
    assert len([r for r in spec["datasets"]["lines"] if r["series"] == "Utan nya åtgärder"]) == 21


def test_main_chart_png_and_svg(main_spec: dict) -> None:
    png = to_png(main_spec, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert DEFAULT_WIDTH < width < DEFAULT_WIDTH + 500  # plot + axis + legend
    assert HEIGHTS["main"] < height < HEIGHTS["main"] + 150
    png2 = to_png(main_spec)  # default scale 2: twice the pixels
    assert struct.unpack(">II", png2[16:24]) == (2 * width, 2 * height)
    svg = to_svg(main_spec)
    assert isinstance(svg, str) and svg.lstrip().startswith("<svg")
    assert re.search(r">\d{2,3}(?:\u00a0|&#160;|&nbsp;)000<", svg), "axis lacks sv grouping"
    assert ">2030<" in svg and "Prognos" in svg
    assert "datasets" in main_spec  # rendering does not consume the spec


@pytest.mark.parametrize("name", [n for n in variants(0) if n != "main"])
def test_every_chart_renders(name: str) -> None:
    spec = variants(0)[name]()
    png = to_png(spec, scale=1)
    width, height = struct.unpack(">II", png[16:24])
    rows_px = HEIGHTS["waterfall_step"] * len(spec["datasets"].get("steps", ())) if name == "waterfall" else 0
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and height > (rows_px or HEIGHTS[name]) and width > 300
    assert "<svg" in to_svg(spec)


# ---------------------------------------------------------------- waterfall
def test_waterfall_bridges_levels_and_marks_the_gap() -> None:
    spec = waterfall_chart("Utan nya åtgärder 2030", 222_000, WF_STEPS, "Netto 2030", 183_500,
                           67_000, "sv", removals=[("BECCS", -10_000.0)])
    assert_common(spec, "waterfall")
    bar, data = leaf_with(spec, "bar", "kind")
    labels = [r["label"] for r in data]
    assert labels == ["Utan nya åtgärder 2030", "Elbilar", "Befolkning", "Elbilar (2)",
                      "Utsläpp med åtgärder", "BECCS", "Netto 2030", "Gap till målet"]
    assert [r["order"] for r in data] == list(range(8))
    assert bar["encoding"]["y"]["sort"] == {"field": "order", "op": "min"}, "steps top to bottom"
    assert bar["encoding"]["x"]["field"] == "y1" and bar["encoding"]["x2"]["field"] == "y0"
    # Each value label has room to the right of its bar end.
    assert all(r["room"] > r["top"] for r in data)
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
    assert tooltip_fields(bar) == {"label": "Steg", "value_text": "Förändring",
                                   "level_text": "Nivå efter steget"}
    _, rule = leaf_with(spec, "rule", "y")
    assert rule[0]["y"] == 67_000
    assert f"gapet till målet är 117{NBSP}000{NBSP}ton CO₂e" in spec["description"]


def test_waterfall_without_gap_and_with_residual() -> None:
    spec = waterfall_chart("Start", 100_000, [("Åtgärd", -50_000.0)], "Netto", 40_000,
                           45_000, "en")
    _, data = leaf_with(spec, "bar", "kind")
    assert [r["kind"] for r in data] == ["total", "reduction", "reduction", "total"]
    assert data[2]["label"] == "Other (interaction and rounding)"
    assert (data[2]["y0"], data[2]["y1"]) == (50_000, 40_000)
    assert "met with a margin of 5,000" in spec["description"]


def test_waterfall_removals_always_lower_the_level() -> None:
    for sign in (1.0, -1.0):  # the model reports removals as positive tonnes
        spec = waterfall_chart("Start", 100_000, [], "Netto", 92_000, lang="sv",
                               removals=[("BECCS", sign * 8_000)])
        data = leaf_with(spec, "bar", "kind")[1]
        assert [r["kind"] for r in data] == ["total", "total", "removal", "total"]
        assert (data[2]["y0"], data[2]["y1"]) == (100_000, 92_000)
        assert "target" not in spec["datasets"]


@settings(max_examples=25, deadline=None)
@given(start=st.floats(0, 5e5), deltas=st.lists(st.floats(-1e5, 1e5), max_size=6),
       end=st.floats(-1e5, 5e5))
def test_waterfall_bridge_always_closes(start: float, deltas: list[float], end: float) -> None:
    steps = [(f"Åtgärd {i}", d) for i, d in enumerate(deltas)]
    data = leaf_with(waterfall_chart("Start", start, steps, "Slut", end), "bar", "kind")[1]
    moving = [r for r in data if r["kind"] != "total"]
    assert all(a["y1"] == pytest.approx(b["y0"]) for a, b in zip(moving, moving[1:]))
    last_level = moving[-1]["y1"] if moving else start
    assert last_level == pytest.approx(end, abs=1.0)  # the residual step closes any gap
    assert data[-1]["y1"] == end


# ---------------------------------------------------------------- other builders
def test_actor_chart() -> None:
    spec = actor_chart(ACTORS, "sv")
    assert_common(spec, "actor")
    bar, data = leaf_with(spec, "bar", "label")
    assert bar["encoding"]["x"]["type"] == "quantitative"
    assert bar["encoding"]["y"]["type"] == "nominal"
    assert bar["encoding"]["y"]["sort"] == {"field": "order", "op": "min"}
    assert [r["label"] for r in data] == ["Staten/EU", "Kommunen", "Näringslivet", "Invånarna"]
    assert [r["order"] for r in data] == [0, 1, 2, 3]
    assert data[0]["value_text"] == f"41{NBSP}000{NBSP}ton CO₂e"
    assert "Staten/EU" in spec["description"]


def test_comparison_chart_up_to_ten_groups(frames: dict[str, pd.DataFrame]) -> None:
    spec = comparison_chart(groups(frames["net"]), frames["target"], "sv")
    assert_common(spec, "comparison")
    line, data = leaf_with(spec, "line", "scenario")
    scale = line["encoding"]["color"]["scale"]
    assert scale["domain"] == [f"Grupp {i}" for i in range(1, 11)]
    assert len(set(scale["range"])) == 10
    assert line["encoding"]["strokeDash"]["field"] == "scenario"
    assert all(SV_TONNES.match(r["value_text"]) for r in data)
    assert "10 scenarier" in spec["description"]
    assert "Lägst 2030: Grupp 1" in spec["description"]


def test_comparison_structure_follows_the_series(frames: dict[str, pd.DataFrame]) -> None:
    four = comparison_chart(groups(frames["net"], 4), frames["target"])
    ten = comparison_chart(groups(frames["net"], 10), frames["target"])
    assert structure(four) != structure(ten)
    assert len({r["scenario"] for r in four["datasets"]["lines"]}) == 4


def test_fan_chart(frames: dict[str, pd.DataFrame]) -> None:
    net = frames["net"]
    spec = fan_chart(fan_frame(net), net, frames["target"], "sv")
    assert_common(spec, "fan")
    areas = [leaf for leaf in leaves(spec) if mark_type(leaf) == "area"]
    assert [(a["encoding"]["y"]["field"], a["encoding"]["y2"]["field"]) for a in areas] == [
        ("p05", "p95"), ("p25", "p75")]
    assert all(a["data"] == {"name": "fan"} for a in areas)
    median, data = leaf_with(spec, "line", "p50_text")
    assert tooltip_fields(median)["band90"] == "90\u00a0% av utfallen"
    one = rf"[\d{NBSP}]+{NBSP}ton CO₂e"
    assert re.match(rf"^{one} – {one}$", data[-1]["band90"])
    assert "hälften av utfallen" in spec["description"]
    no_det = fan_chart(fan_frame(net), None, None, "en")
    assert_common(no_det, "fan", "en")
    assert set(no_det["datasets"]) == {"fan"}
    assert all(mark_type(leaf) != "line" or "p50" in leaf["encoding"]["y"]["field"]
               for leaf in leaves(no_det))


def test_fan_chart_missing_percentile_is_null(frames: dict[str, pd.DataFrame]) -> None:
    fan = fan_frame(frames["net"])
    fan.loc[0, "p95"] = float("nan")
    spec = fan_chart(fan, None)
    json.dumps(spec, allow_nan=False)
    assert spec["datasets"]["fan"][0]["p95"] is None
    assert spec["datasets"]["fan"][0]["p95_text"] == "–"


def test_per_capita_chart() -> None:
    spec = per_capita_chart(PER_CAPITA, "sv")
    assert_common(spec, "per_capita")
    bar, data = leaf_with(spec, "bar", "highlight")
    assert [r["name"] for r in data] == ["Enköping", "Riket", "Uppsala"]
    assert data[0]["value_text"] == f"4,8{NBSP}ton CO₂e per invånare"
    assert data[0]["bar_text"] == "4,8"
    assert bar["encoding"]["color"]["condition"]["value"] != bar["encoding"]["color"]["value"]
    assert '["Enköping"]' in bar["encoding"]["y"]["axis"]["labelFontWeight"]["expr"]


def test_macc_chart_cumulative_widths() -> None:
    spec = macc_chart(MACC, "sv")
    assert_common(spec, "macc")
    rect, data = leaf_with(spec, "rect", "x0")
    assert rect["encoding"]["x2"]["field"] == "x1"
    assert [r["lever_label"] for r in data] == ["Cykel", "Elbilar", "BECCS"]  # "Noll" dropped
    assert [(r["x0"], r["x1"]) for r in data] == [(0, 2_000), (2_000, 32_000), (32_000, 42_000)]
    assert data[0]["cost_sek_per_t"] < 0 and data[0]["cost_text"] == f"{MINUS}500{NBSP}kr/ton"
    assert data[1]["cost_text"] == f"1{NBSP}200{NBSP}kr/ton"
    assert [r["kind"] for r in data] == ["Sparar pengar", "Kostar pengar", "Kostar pengar"]


def test_empty_inputs_do_not_crash() -> None:
    empty = pd.DataFrame({"year": [], "sector": [], "tonnes": []})
    spec = main_chart(empty, empty, None, None, None, "sv")
    assert spec["height"] == HEIGHTS["main"] and spec["datasets"]["bars"] == []
    json.dumps(spec, allow_nan=False)
    spec = comparison_chart(pd.DataFrame({"scenario": [], "year": [], "tonnes": []}))
    assert "0 scenarier" in spec["description"]
    assert "–" in fan_chart(pd.DataFrame(columns=["year", "p05", "p25", "p50", "p75",
                                                  "p95"]))["description"]
    with pytest.raises(ValueError, match="missing column"):
        actor_chart(pd.DataFrame({"who": ["kommun"], "tonnes": [1.0]}))


def test_returned_spec_is_independent_at_top_level(main_spec: dict) -> None:
    clone = copy.deepcopy(main_spec)
    clone["layer"][0]["mark"] = "point"  # editing a deep copy is safe
    assert structure(main_spec) != structure(clone)
    assert mark_type(main_spec["layer"][0]) == "rect"


def test_main_chart_takes_column_dicts_as_it_takes_frames() -> None:
    """The dashboard passes plain column dicts (no pandas); the chart must be the same."""
    import json

    import pandas as pd

    from model.codec import default_state, encode
    from model.targets import TARGET_IDS
    from ui.compute import run_link
    from ui.results_main import main_frames, main_target_frame

    for code in ("0381", "0180"):
        for target in TARGET_IDS[:3]:
            link = default_state(code)
            link = type(link)(link.kommun, "sv", link.policy, link.horizon,
                              type(link.target)(target), {**link.levers, "ev_cars": 90.0})
            res = run_link(encode(link))
            v = res.target(target)
            mf, tf = main_frames(res, "sv"), main_target_frame(res, v, "sv")
            fast = charts.main_chart(mf["history"], mf["scenario"], mf["baseline"], mf["net"], tf, "sv")
            frames = [pd.DataFrame(mf[k]) for k in ("history", "scenario", "baseline", "net")]
            slow = charts.main_chart(*frames, pd.DataFrame(tf), "sv")
            assert json.dumps(fast, sort_keys=True) == json.dumps(slow, sort_keys=True)
            assert fast["datasets"]["bars"] and fast["datasets"]["target"]


def test_column_dicts_are_checked_like_frames() -> None:
    import pytest

    from ui.charts.common import columns

    with pytest.raises(ValueError, match="missing"):
        columns({"year": [2020]}, ("year", "tonnes"), "x")
    with pytest.raises(ValueError, match="length"):
        columns({"year": [2020, 2021], "tonnes": [1.0]}, ("year", "tonnes"), "x")
    got = columns({"year": [2020, float("nan")], "tonnes": ["5", "x"]}, ("year", "tonnes"), "x")
    assert got == {"year": [2020], "tonnes": [5.0]}
