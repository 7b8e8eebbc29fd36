"""The comparison chart's projector mode and reference line (issue 10 item 11)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.ui.chartkit import leaves, mark_type, rows
from ui.charts import PROJECTOR, comparison_chart, to_png

YEARS = list(range(2024, 2031))
START = 225_000.0


def board_frame() -> pd.DataFrame:
    """Three groups cutting to 175, 187 and 192 kt, and the workshop's start (no change)."""
    out = []
    for name, end in (("Grupp Ek", 175_000), ("Grupp Björk", 187_000), ("Grupp Tall", 192_000),
                      ("Workshopens start", START)):
        out += [(name, y, START + (end - START) * i / 6) for i, y in enumerate(YEARS)]
    return pd.DataFrame(out, columns=["scenario", "year", "tonnes"])


NET_ZERO = pd.DataFrame({"year": [2030], "tonnes": [0.0], "label": ["Mål 2030"], "measure": ["net"]})


@pytest.fixture
def spec() -> dict:
    return comparison_chart(board_frame(), NET_ZERO, "sv", projector=True, reference="Workshopens start")


def test_projector_type_is_large(spec: dict) -> None:
    cfg = spec["config"]
    assert cfg["axis"]["labelFontSize"] >= 22 and cfg["axis"]["titleFontSize"] >= 22
    assert cfg["legend"]["labelFontSize"] >= 22 and cfg["legend"]["titleFontSize"] >= 22
    assert cfg["text"]["fontSize"] >= 22
    assert spec["height"] == PROJECTOR["height"] >= 500
    line = next(leaf for leaf in leaves(spec) if mark_type(leaf) == "line"
                and leaf["data"] == {"name": "lines"})
    assert line["mark"]["strokeWidth"] >= 4
    assert line["encoding"]["color"]["legend"]["orient"] == "bottom"


def test_projector_axis_follows_the_lines_not_zero(spec: dict) -> None:
    line = next(leaf for leaf in leaves(spec) if leaf["data"] == {"name": "lines"})
    scale = line["encoding"]["y"]["scale"]
    assert scale["zero"] is False
    params = {p["name"]: p["value"] for p in spec["params"]}
    # The lines span 175–225 kt: the axis starts near 175 kt, not at 0 (the net target).
    assert 160_000 < params["y_lo"] < 175_000 < START < params["y_hi"] < 240_000
    # The target at 0 t is outside: named in the subtitle, its marks clipped off the plot.
    assert spec["title"]["subtitle"] == ["↓ Mål 2030: 0\u00a0ton CO₂e"]
    target_marks = [leaf for leaf in leaves(spec) if leaf["data"] == {"name": "target"}]
    assert target_marks and all(leaf["mark"]["clip"] for leaf in target_marks)


def test_reference_line_is_dashed_black_with_a_direct_label(spec: dict) -> None:
    ref = [leaf for leaf in leaves(spec) if leaf["data"] == {"name": "reference"}]
    line = next(leaf for leaf in ref if mark_type(leaf) == "line")
    assert line["mark"]["color"] == "#000000" and line["mark"]["strokeDash"]
    labels = [leaf for leaf in ref if mark_type(leaf) == "text"]
    assert labels and labels[-1]["encoding"]["text"]["field"] == "scenario"
    ends = [r for r in rows(spec, labels[-1]) if r["end"]]
    assert [(r["scenario"], r["year"]) for r in ends] == [("Workshopens start", 2030)]
    # Not one of the groups: no group colour, no legend entry, no group gets black.
    groups = next(leaf for leaf in leaves(spec) if leaf["data"] == {"name": "lines"})
    scale = groups["encoding"]["color"]["scale"]
    assert scale["domain"] == ["Grupp Ek", "Grupp Björk", "Grupp Tall"]
    assert "#000000" not in scale["range"]
    assert {r["scenario"] for r in spec["datasets"]["lines"]} == set(scale["domain"])


def test_default_mode_is_unchanged_without_options() -> None:
    spec = comparison_chart(board_frame(), NET_ZERO, "sv")
    assert "params" not in spec and spec["height"] == 360
    groups = next(leaf for leaf in leaves(spec) if leaf["data"] == {"name": "lines"})
    assert "Workshopens start" in groups["encoding"]["color"]["scale"]["domain"]


def test_a_close_target_stretches_the_axis_instead_of_the_subtitle() -> None:
    close = NET_ZERO.assign(tonnes=[160_000.0])
    spec = comparison_chart(board_frame(), close, "sv", projector=True, reference="Workshopens start")
    params = {p["name"]: p["value"] for p in spec["params"]}
    assert params["y_lo"] < 160_000
    assert "subtitle" not in (spec.get("title") if isinstance(spec.get("title"), dict) else {})


def test_projector_chart_renders() -> None:
    png = to_png(comparison_chart(board_frame(), NET_ZERO, "en", projector=True,
                                  reference="Workshopens start"), scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
