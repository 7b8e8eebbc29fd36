"""A gross limit without a net condition (issue 13: a kommun's own target, e.g. "at most 28 % of 2020 in 2030"):
the link carries it, the sidebar offers its share, base year and year, and every view judges gross only."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from model.codec import decode, encode
from model.run import baseline_scenario, run_scenario
from model.targets import TargetSpec
from ui.charts.targets import target_frame
from ui.scenario.results_frames import waterfall_parts
from ui.scenario.verdict import verdict
from ui.state import widget_key
from ui.text.i18n import t

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SPEC = TargetSpec(selected="gross_limit", year=2030, base_year=2020, max_gross_pct=28.0)


@pytest.mark.parametrize("kommun", ["0381", "2584", "0980", "0180"])
def test_gross_limit_link_round_trip(kommun: str) -> None:
    res = run_scenario(replace(baseline_scenario(kommun), target=SPEC))
    link = decode(encode(decode({"k": kommun, "mt": "gl", "tb": "2020", "tp": "28"})))
    assert link.target == SPEC and link.kommun == kommun and not link.notices
    v = res.target("gross_limit")
    assert v.allowed_t == pytest.approx(0.28 * float(res.history[2020].sum()))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_verdict_waterfall_and_chart_judge_gross_only(lang: str) -> None:
    res = run_scenario(replace(baseline_scenario("2584"), target=SPEC))  # Kiruna: far above the limit
    v = res.target("gross_limit")
    vd = verdict(res, v, lang)
    assert vd.status == "missed" and len(vd.lines) == 1, vd.lines  # no line about net emissions
    assert t("results.verdict.net_over", lang, value="")[:12] not in vd.markdown()
    parts = waterfall_parts(res, v, lang)
    assert parts["end_t"] == pytest.approx(float(res.gross[-1])) and parts["target_t"] == pytest.approx(v.allowed_t)
    assert parts["removals"] == []
    frame = target_frame(v, 2030, lang)
    assert frame is not None and frame["measure"] == ["gross"] and frame["tonnes"] == [pytest.approx(v.allowed_t)]


def test_sidebar_offers_share_base_year_and_year_for_a_gross_limit() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in {"k": "0980", "mt": "gl", "tb": "2020", "tp": "28"}.items():
        at.query_params[k] = v
    at.run()
    at.session_state["target_settings"] = True  # the lazy expander, opened
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key=widget_key("t_sel", "sv")).value == "gross_limit"
    assert at.number_input(key=widget_key("t_pct")).value == 28
    assert at.selectbox(key=widget_key("t_base")).value == 2020
    boxes = "\n".join(str(e.value) for e in list(at.error) + list(at.success))
    assert "bruttoutsläppen blir" in boxes and "nettoutsläppen blir" not in boxes  # the verdict: gross only
