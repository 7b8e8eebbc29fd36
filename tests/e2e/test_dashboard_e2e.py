"""End-to-end flows in a real browser against ``streamlit run`` (fixtures in conftest.py).

What AppTest cannot see: the URL the frontend writes, dragging and keyboard use of sliders,
rendered charts, a share link opened in a fresh browser, the phone layout (downloads:
test_downloads_e2e.py), page switches that keep the session and several people in one workshop.
Every page visited is saved to ``test-artifacts/screenshots/``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from model.codec import LINK_VERSION
from tests.e2e.conftest import PHONE
from tests.e2e.pagehelpers import (
    assert_no_exception,
    chart_signature,
    drag_slider,
    headline,
    lever_params,
    main_chart,
    metric_values,
    nav_link,
    open_page,
    press_on_slider,
    show_lever,
    sidebar,
    slider_value,
    url_params,
    wait_for_app,
    wait_until,
)
from ui.text.i18n import policy_label, t

pytestmark = pytest.mark.e2e

METRIC = "[data-testid='stMetricValue']"
PHONE_TOLERANCE_PX = 2


# ----------------------------------------------------------------- opening, levers


def test_opens_in_swedish_with_enkoping(page: Any, shot: Callable[..., Any]) -> None:
    open_page(page, "/", METRIC)
    shot(page)
    params = url_params(page.url)
    assert params.get("v") == str(LINK_VERSION) and params.get("k") == "0381" and params.get("lang") == "sv", page.url
    expect(sidebar(page).get_by_role("combobox", name=t("sidebar.kommun", "sv"))).to_have_value(
        re.compile(r"^Enköping\b"))
    net_label = t("results.metric.net", "sv", year=2030)
    expect(page.get_by_test_id("stMetricLabel").first).to_contain_text(net_label)
    assert len(metric_values(page)) >= 4, "headline figures are shown"
    expect(nav_link(page, t("page.compare", "sv"))).to_be_visible()
    # Streamlit hard-codes <html lang="en">; asgi.py rewrites it (see test_a11y.py for both languages).
    assert page.evaluate("document.documentElement.lang") == "sv"


def test_dragging_a_lever_changes_headline_and_chart(page: Any, shot: Callable[..., Any]) -> None:
    open_page(page, "/", METRIC)
    before_value, before_figure = slider_value(page, "ev_cars"), headline(page)
    before_chart = chart_signature(main_chart(page))
    drag_slider(page, "ev_cars", 1.0)
    shot(page)
    assert slider_value(page, "ev_cars") == "100" != before_value
    assert url_params(page.url)["ev"] == "100", "the frontend writes the new value to the address bar"
    assert headline(page) != before_figure, "the headline figure follows the lever"
    wait_until(lambda: chart_signature(main_chart(page)) != before_chart, message="the main chart is redrawn")


def test_keyboard_moves_a_lever_and_the_results(page: Any, shot: Callable[..., Any]) -> None:
    open_page(page, "/", METRIC)
    assert slider_value(page, "hvo_heavy") == "0"
    before_figure, before_chart = headline(page), chart_signature(main_chart(page))
    press_on_slider(page, "hvo_heavy", "ArrowRight")
    assert slider_value(page, "hvo_heavy") == "5"  # one step
    assert url_params(page.url)["hvo"] == "5"
    page.keyboard.press("End")
    wait_for_app(page)
    shot(page)
    assert slider_value(page, "hvo_heavy") == "100"
    assert url_params(page.url)["hvo"] == "100"
    assert headline(page) != before_figure
    wait_until(lambda: chart_signature(main_chart(page)) != before_chart, message="the main chart is redrawn")


# ----------------------------------------------------------------- share link, language


def test_share_link_reproduces_figures_in_a_fresh_browser(page: Any, new_context: Callable[..., Any],
                                                           shot: Callable[..., Any]) -> None:
    open_page(page, "/", METRIC)
    press_on_slider(page, "car_traffic", "End")
    press_on_slider(page, "heavy_trucks_el", "End")
    sidebar(page).get_by_text(policy_label("rp10_2025", "sv"), exact=True).click()
    wait_for_app(page)
    shot(page, "original")
    link, figures = page.url, metric_values(page)
    params = url_params(link)
    assert params["vkm"] == "30" and params["tlb"] == "100" and params["np"] == "10", link
    # The sidebar shows the same link for copying.
    expect(sidebar(page).get_by_test_id("stCode")).to_contain_text("tlb=100")

    fresh = new_context().new_page()  # no cookies, no session: only the link
    open_page(fresh, link, METRIC)
    shot(fresh, "fresh")
    assert metric_values(fresh) == figures
    assert url_params(fresh.url) == params, "the link is stable"
    assert slider_value(fresh, "car_traffic") == "30"


def test_language_switch_keeps_lever_values(page: Any, shot: Callable[..., Any]) -> None:
    open_page(page, "/", METRIC)
    press_on_slider(page, "oil_heating", "End")
    before = lever_params(page.url)
    assert before["olj"] == "100"
    sidebar(page).get_by_role("radio", name="EN", exact=True).click()
    wait_for_app(page)
    shot(page)
    expect(page.get_by_test_id("stMetricLabel").first).to_contain_text(t("results.metric.net", "en", year=2030))
    expect(nav_link(page, t("page.compare", "en"))).to_be_visible()
    assert url_params(page.url)["lang"] == "en"
    assert lever_params(page.url) == before, "every lever (and the rest of the link) is kept"
    assert slider_value(page, "oil_heating") == "100"
    assert page.evaluate("document.documentElement.lang") == "en"


# ----------------------------------------------------------------- phone


@pytest.mark.browser_context_args(**PHONE)
def test_phone_layout(page: Any, shot: Callable[..., Any]) -> None:
    width = PHONE["viewport"]["width"]
    open_page(page, "/", METRIC)
    shot(page, "opened")
    problems: list[str] = []
    side = sidebar(page)
    if side.get_attribute("data-collapsed") != "true" and side.is_visible():
        problems.append("the sidebar is open over the page on a phone (use initial_sidebar_state='auto')")
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        page.wait_for_timeout(500)
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    if scroll_width > width + PHONE_TOLERANCE_PX:
        problems.append(f"horizontal overflow: the page is {scroll_width} px wide on a {width} px screen")
    figure = page.get_by_test_id("stMetricValue").first
    figure.scroll_into_view_if_needed()
    box = figure.bounding_box()
    if not box or box["x"] < 0 or box["x"] + box["width"] > width + PHONE_TOLERANCE_PX:
        problems.append(f"the headline figure does not fit the screen: {box}")
    # A lever is reachable and works by touch.
    s = show_lever(page, "ev_cars")
    track = s.get_by_test_id("stSliderThumbValue").locator("xpath=../..")
    tb = track.bounding_box()
    if not tb or tb["x"] < 0 or tb["x"] + tb["width"] > width + PHONE_TOLERANCE_PX:
        problems.append(f"the lever slider does not fit the screen: {tb}")
    else:
        before = slider_value(page, "ev_cars")
        page.touchscreen.tap(tb["x"] + tb["width"] * 0.95, tb["y"] + tb["height"] / 2)
        wait_for_app(page)
        if slider_value(page, "ev_cars") == before:
            problems.append("tapping the slider track does not move the lever")
    shot(page, "lever")
    assert not problems, "; ".join(problems)


# ----------------------------------------------------------------- compare, workshop


def test_compare_two_scenarios(page: Any, shot: Callable[..., Any]) -> None:
    from ui.scenario.levers import presets

    open_page(page, "/", METRIC)
    press_on_slider(page, "car_traffic", "End")
    own_figure = headline(page)
    nav_link(page, t("page.compare", "sv")).click()  # a page switch keeps the session
    wait_for_app(page)
    page.locator(".st-key-cmp_add_current").wait_for()
    assert_no_exception(page)
    shot(page, "empty")
    own, preset = t("compare.current_name", "sv"), presets()["hog_ambition"].name["sv"]
    page.locator(".st-key-cmp_add_current").get_by_role("button", name=t("compare.add_current", "sv")).click()
    wait_for_app(page)
    page.locator(".st-key-cmp_add_preset_hog_ambition").get_by_role("button", name=preset).click()
    wait_for_app(page)
    shot(page, "two")
    assert_no_exception(page)
    assert page.locator("[class*='st-key-cmp_rm_']").count() == 2, "two scenario cards"
    chart = page.get_by_test_id("stVegaLiteChart").first  # the page's only chart
    expect(chart).to_be_visible()
    legend = wait_until(lambda: chart.locator("svg.marks, canvas").count() and chart.evaluate(
        "e => (e.getAttribute('aria-label') || '') + ' ' + e.textContent"), message="the comparison chart renders")
    assert own in legend and preset in legend, legend[:500]
    # "Ditt scenario" is the live Scenario page: back there, the figures are unchanged.
    nav_link(page, t("page.scenario", "sv")).click()
    wait_for_app(page)
    page.locator(METRIC).first.wait_for()
    assert headline(page) == own_figure


def _participant(new_phone_context: Callable[[], Any], join_url: str, group: str, lever_id: str,
                 shot: Callable[..., Any]) -> Any:
    """One group on its own phone: name, one lever to the maximum, submit; returns the page."""
    page = new_phone_context().new_page()
    page.set_default_timeout(60_000)
    open_page(page, join_url, ".st-key-wsp_submit")
    name = page.locator(".st-key-wsp_group input")
    name.fill(group)
    name.press("Enter")
    wait_for_app(page)
    thumb = page.locator(f".st-key-wsp_lv_{lever_id} input[type='range']")
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    page.keyboard.press("End")
    wait_for_app(page)
    page.locator(".st-key-wsp_submit").get_by_role("button").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(group)
    assert_no_exception(page)
    shot(page, f"participant-{group}")
    return page


def test_workshop_two_participants(page: Any, new_phone_context: Callable[[], Any],
                                   shot: Callable[..., Any]) -> None:
    open_page(page, "/ws")
    # The facilitator creates a workshop from the current scenario (all levers open).
    name_box = page.locator(".st-key-wsf_name input")
    expect(name_box, "the Workshop page shows no form to create a workshop").to_be_visible()
    name_box.fill("E2E-workshop")
    shot(page, "create")
    page.get_by_role("button", name=t("workshop.create.submit", "sv")).click()
    wait_for_app(page)
    code_box = page.get_by_test_id("stCode").filter(has_text="ws=").first
    expect(code_box).to_be_visible()
    join_url = code_box.inner_text().strip()
    assert re.search(r"/ws\?ws=[A-Z0-9]{4,}", join_url), join_url
    assert url_params(page.url).get("role") == "host"
    shot(page, "join")

    _participant(new_phone_context, join_url, "Grupp A", "car_traffic", shot)
    _participant(new_phone_context, join_url, "Grupp B", "hvo_heavy", shot)

    # Both submissions reach the facilitator's live board (a fragment that refreshes itself).
    page.get_by_role("radio", name=t("workshop.view.board", "sv"), exact=True).click()
    wait_for_app(page)
    ranking = page.get_by_test_id("stTable").first
    expect(ranking).to_contain_text("Grupp A", timeout=30_000)
    expect(ranking).to_contain_text("Grupp B", timeout=30_000)
    groups = page.get_by_test_id("stMetric").filter(has_text=t("workshop.board.groups", "sv")).first
    expect(groups.get_by_test_id("stMetricValue")).to_have_text("2")
    shot(page, "board")
    assert_no_exception(page)
