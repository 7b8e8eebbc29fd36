"""The main chart on a phone (issue 10 item 10): a readable plot, legends below, no cut text.

At 375 px the plot used to be about 90 px wide beside its legend, and at 320 px a sliver.
Screenshots: test-artifacts/screenshots/test_main_chart_on_a_phone-*.png.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.pagehelpers import APP_TIMEOUT_MS, assert_no_exception, main_chart, open_page

pytestmark = pytest.mark.e2e

MEASURE = """el => {
    const svg = el.querySelector('svg.marks');
    const box = svg.getBoundingClientRect();
    // The theme turns Vega's English axis descriptions off, so the x axis is the one whose
    // domain line is horizontal (the widest).
    const domains = [...svg.querySelectorAll('g.role-axis .role-axis-domain path, g.role-axis .role-axis-domain line')];
    const domain = domains.reduce((a, b) =>
        b.getBoundingClientRect().width > a.getBoundingClientRect().width ? b : a);
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
        .map(t => { const r = t.getBoundingClientRect();
                    return {text: t.textContent, left: r.left - box.left, right: r.right - box.left}; });
    return {svg: box.width, plot: domain.getBoundingClientRect().width, texts: texts,
            chart: el.getBoundingClientRect().width};
}"""


@pytest.mark.parametrize("width", [375, 320])
def test_main_chart_on_a_phone(page: Any, shot: Callable[..., Any], width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    open_page(page, "/")
    assert_no_exception(page)
    chart = main_chart(page)
    chart.scroll_into_view_if_needed()
    chart.locator("svg.marks").first.wait_for(timeout=APP_TIMEOUT_MS)
    page.wait_for_timeout(500)
    m = chart.evaluate(MEASURE)
    chart.screenshot(path=str(shot(page, f"{width}px").with_name(f"test_main_chart_on_a_phone-{width}px-chart.png")))
    # The plot takes most of the chart's width (the legends are below it).
    assert m["plot"] >= 0.55 * m["chart"], m
    assert m["plot"] >= 150, m
    # No text is cut at the chart's edges.
    for t in m["texts"]:
        assert t["left"] >= -3 and t["right"] <= m["svg"] + 3, t  # glyph boxes overhang a little
