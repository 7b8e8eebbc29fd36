"""Each condition of a target on the quantity it limits (issue 10 item 3).

Klimatneutral 2030 is gross ≤ 20 % of 1990 *and* net ≤ 0: a chart of net emissions marks 0,
the main chart (stacked sectors = gross, a net line) marks both, each labelled.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from model.run import ScenarioResult, run_scenario
from model.scenario import load_scenario
from tests.ui.chartkit import NBSP, leaves, make_frames, mark_type, rows
from tests.ui.test_charts_projector import board_frame
from ui import exports
from ui.charts import comparison_chart, fan_chart, main_chart
from ui.charts.targets import target_conditions, target_frame

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def result() -> ScenarioResult:
    return run_scenario(load_scenario(ROOT / "scenarios" / "klimatkontrakt.toml"))


def _target_marks(spec: dict) -> list[tuple[str, bool, list[dict]]]:
    return [(mark_type(leaf), bool(leaf["mark"].get("filled")), rows(spec, leaf))
            for leaf in leaves(spec) if leaf["data"] == {"name": "target"}]


def test_two_part_target_has_a_gross_and_a_net_condition(result: ScenarioResult) -> None:
    v = result.target("klimatneutral_2030")
    conds = target_conditions(v)
    assert [(c.measure, c.year) for c in conds] == [("gross", 2030), ("net", 2030)]
    assert conds[0].limit_t == pytest.approx(v.allowed_t) and conds[1].limit_t == 0.0
    # The gross limit is 20 % of 1990, far from zero: the old chart marked it as "the target".
    assert v.allowed_t > 60_000


def test_main_chart_marks_gross_limit_and_net_zero(result: ScenarioResult) -> None:
    f = make_frames()
    v = result.target("klimatneutral_2030")
    spec = main_chart(f["history"], f["scenario"], f["baseline"], f["net"], v, "sv")
    target = spec["datasets"]["target"]
    by = {r["measure"]: r for r in target}
    assert set(by) == {"gross", "net"}
    assert by["net"]["tonnes"] == 0.0 and by["net"]["text"] == f"Mål för nettoutsläpp 2030: 0{NBSP}ton CO₂e"
    assert by["gross"]["tonnes"] == pytest.approx(v.allowed_t)
    assert by["gross"]["text"].startswith("Högsta bruttoutsläpp 2030: 66")
    points = [(filled, leaf_rows) for kind, filled, leaf_rows in _target_marks(spec) if kind == "point"]
    assert sorted(filled for filled, _ in points) == [False, True]  # open = gross, filled = net
    texts = [leaf for leaf in leaves(spec) if leaf["data"] == {"name": "target"} and mark_type(leaf) == "text"]
    filters = {tr["filter"] for leaf in texts for tr in leaf.get("transform", [])}
    assert filters == {'datum.last && datum.measure == "gross"', 'datum.last && datum.measure == "net"'}
    assert "Mål för nettoutsläpp 2030" in spec["description"]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_net_charts_mark_zero_not_the_gross_limit(result: ScenarioResult, lang: str) -> None:
    v = result.target("klimatneutral_2030")
    for spec in (comparison_chart(board_frame(), v, lang),
                 fan_chart(make_frames()["net"].assign(p05=1.0, p25=1.0, p50=1.0, p75=1.0, p95=1.0),
                           None, v, lang)):
        target = spec["datasets"]["target"]
        assert [(r["measure"], r["year"], r["tonnes"]) for r in target] == [("net", 2030, 0.0)]
        # The gross limit is not drawn on a net chart but named in its accessible description.
        gross = "bruttoutsläpp" if lang == "sv" else "gross emissions"
        assert gross in spec["description"] and "66" in spec["description"]


def test_path_target_is_drawn_as_a_path(result: ScenarioResult) -> None:
    v = result.target("budget_rate")
    frame = target_frame(v, 2030, "sv")
    assert frame is not None and set(frame["measure"]) == {"path"} and max(frame["year"]) == 2030
    spec = comparison_chart(board_frame(), v, "sv")
    assert [kind for kind, _, _ in _target_marks(spec)][:1] == ["line"]


def test_transport_goal_stays_off_net_charts(result: ScenarioResult) -> None:
    v = result.target("national_transport_2030")
    spec = comparison_chart(board_frame(), v, "sv")
    assert "target" not in spec["datasets"]
    assert "transportsektorn" in spec["description"]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_exported_main_chart_marks_both_conditions(result: ScenarioResult, lang: str) -> None:
    spec = exports.main_chart_spec(result, lang)
    assert {r["measure"] for r in spec["datasets"]["target"]} == {"gross", "net"}
    svg = exports.chart_svg(spec)
    net = "Mål för nettoutsläpp 2030" if lang == "sv" else "Net emissions target 2030"
    assert net in svg
