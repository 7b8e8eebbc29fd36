"""The browser's Back button leaves a page in one press.

The app rewrites its query string after every change (the share link follows the sliders), and
Streamlit pushed a history entry each time: after opening the app and moving one lever, Back
took three presses, the first ones with no visible change. The page script that asgi.py adds
(serving/html_lang.py) turns a push that keeps the path into a replace, so the history holds one
entry per page visited.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.pagehelpers import open_page, show_lever, slider_value, wait_for_app

pytestmark = pytest.mark.e2e


def test_back_goes_to_the_previous_page_then_out_of_the_app(page: Any, app_server: Any) -> None:
    page.goto("about:blank")
    open_page(page, "/")
    start_len = page.evaluate("history.length")
    s = show_lever(page, "car_traffic")
    before = slider_value(page, "car_traffic")
    s.locator("input[type=range]").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => !location.search.includes('vkm={before}&')", timeout=30_000)
    wait_for_app(page)
    assert page.evaluate("history.length") == start_len  # the slider replaced the entry
    page.get_by_role("link", name="Jämför").first.click()
    page.wait_for_url("**/compare**", timeout=30_000)
    wait_for_app(page)
    page.go_back()
    page.wait_for_url(lambda url: "/compare" not in url and url.startswith(app_server.url), timeout=30_000)
    wait_for_app(page)
    assert "vkm=" in page.url and f"vkm={before}&" not in page.url  # the moved lever is still there
    page.go_back()
    page.wait_for_url("about:blank", timeout=30_000)
