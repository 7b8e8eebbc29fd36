"""Tests for the other chart builders: waterfall, actors, comparison, fan, per capita, MACC and
empty or odd inputs."""

from __future__ import annotations

import copy
import json
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ui.chartkit import (
    ACTORS,
    MACC,
    MINUS,
    NBSP,
    PER_CAPITA,
    SV_TONNES,
    WF_STEPS,
    assert_common,
    fan_frame,
    groups,
    leaf_with,
    leaves,
    mark_type,
    structure,
    tooltip_fields,
)
from ui import charts
from ui.charts import (
    HEIGHTS,
    actor_chart,
    comparison_chart,
    fan_chart,
    macc_chart,
    main_chart,
    per_capita_chart,
    waterfall_chart,
)


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
                     bar["encoding"]["color"]["scale"]["range"], strict=True))
    assert kinds["Minskning"] == "#009E73"
    assert data[1]["value_text"] == f"{MINUS}30{NBSP}500{NBSP}ton CO₂e"
    assert data[2]["value_text"] == f"+3{NBSP}000{NBSP}ton CO₂e"
    # One unit and rounding on every label: the headline figures' (issue 10 item 6, was "−30,5 kt").
    assert data[1]["bar_text"] == f"{MINUS}30{NBSP}500{NBSP}ton CO₂e"
    assert data[0]["bar_text"] == f"222{NBSP}000{NBSP}ton CO₂e"
    from ui.text.fmt import fmt_tonnes
    for r in data:
        step = r["kind"] in ("reduction", "increase", "removal")
        assert r["bar_text"] == fmt_tonnes(r["y1"] - r["y0"], "sv", co2e=True, signed=step)
        assert "kt" not in r["bar_text"]
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
    assert all(a["y1"] == pytest.approx(b["y0"]) for a, b in zip(moving, moving[1:], strict=False))
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
    from model.target_defs import TARGET_IDS
    from ui.compute import run_link
    from ui.scenario.results_main import main_frames, main_target_frame

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
