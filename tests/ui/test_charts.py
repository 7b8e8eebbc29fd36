"""Tests for ui.charts (package, caching, the main chart): Vega-Lite spec dicts built from small
realistic frames. The other builders: test_charts_builders.py."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys

import altair as alt
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ui.chartkit import (
    INVENTORY_YEARS,
    MINUS,
    NBSP,
    ROOT,
    SV_TONNES,
    assert_common,
    build_main,
    filtered,
    leaf_with,
    leaves,
    make_frames,
    mark_type,
    rows,
    structure,
    tooltip_fields,
    variants,
)
from ui import charts
from ui.charts import DEFAULT_WIDTH, HEIGHTS, OKABE_ITO, SECTOR_COLORS, main_chart, to_png, to_svg, with_locale


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
    # Above ~1e28 t ui.text.fmt.fmt_tonnes itself raises decimal.InvalidOperation.
    from ui.charts.common import tonnes_text
    from ui.text.fmt import fmt_tonnes

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
        assert again.get("autosize") != {"type": "fit", "contains": "padding"}
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
    # Measured vs modelled is a labelled divider, never a lighter colour (issue 10 item 4).
    assert "opacity" not in rect["encoding"] and rect["mark"]["opacity"] == 1
    split = [leaf for leaf in leaves(main_spec) if "x" in leaf["encoding"]
             and leaf["encoding"]["x"]["field"] == "x"]
    assert [mark_type(leaf) for leaf in split] == ["rule", "text", "text"]
    assert split[0]["mark"]["strokeDash"] == [4, 4]
    assert rows(main_spec, split[1]) == [{"x": 2024.5, "text": "Prognos →",
                                          "before": "← Uppmätt (SMHI)"}]
    # "Prognos →" only where the plot is wide enough (an expression on the chart's width).
    assert split[1]["mark"]["text"] == {"expr": "width < 420 ? '' : datum.text"}
    assert split[2]["encoding"]["text"]["field"] == "before"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_each_sector_has_one_colour_in_history_and_projection(lang: str) -> None:
    """Rendered SVG: every sector's bars have the same fill and opacity before and after the divider."""
    svg = to_svg(build_main(make_frames(), lang))
    source = {"sv": ("Uppmätt (SMHI)", "Modellberäknat"), "en": ("Measured (SMHI)", "Modelled")}[lang]
    seen: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for label, fill, opacity in re.findall(
            r'<path aria-label="([^"]*)"[^>]*aria-roledescription="rect mark"[^>]*fill="([^"]+)"'
            r'(?: opacity="([^"]+)")?', svg):
        kind = next(k for k in source if k in label)
        sector = label.split(":")[0]
        seen.setdefault((sector, kind), set()).add((fill, opacity or "1"))
    sectors = {s for s, _ in seen}
    both = [s for s in sectors if (s, source[0]) in seen and (s, source[1]) in seen]
    assert len(both) >= 5  # Transporter, Jordbruk, Arbetsmaskiner, Avfall, El och fjärrvärme
    for sector in both:
        assert seen[(sector, source[0])] == seen[(sector, source[1])], sector
        assert len(seen[(sector, source[0])]) == 1
    fills = {next(iter(v))[0] for v in seen.values()}
    assert len(fills) == len(sectors)  # no two sectors share a colour

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
    assert width == DEFAULT_WIDTH  # autosize fit-x: plot + axis fit the width; the legends are below
    assert main_spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert HEIGHTS["main"] + 100 < height < HEIGHTS["main"] + 300
    png2 = to_png(main_spec)  # default scale 2: twice the pixels
    assert struct.unpack(">II", png2[16:24]) == (2 * width, 2 * height)
    svg = to_svg(main_spec)
    assert isinstance(svg, str) and svg.lstrip().startswith("<svg")
    assert re.search(r">\d{2,3}(?:\u00a0|&#160;|&nbsp;)000<", svg), "axis lacks sv grouping"
    assert ">2030<" in svg and "Prognos →" in svg and "← Uppmätt (SMHI)" in svg
    assert "datasets" in main_spec  # rendering does not consume the spec


@pytest.mark.parametrize("name", [n for n in variants(0) if n != "main"])
def test_every_chart_renders(name: str) -> None:
    spec = variants(0)[name]()
    png = to_png(spec, scale=1)
    width, height = struct.unpack(">II", png[16:24])
    rows_px = HEIGHTS["waterfall_step"] * len(spec["datasets"].get("steps", ())) if name == "waterfall" else 0
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and height > (rows_px or HEIGHTS[name]) and width > 300
    assert "<svg" in to_svg(spec)
