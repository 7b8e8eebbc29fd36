"""Helpers for the browser tests: waiting for the app, reading figures, charts and sliders, screenshots."""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: How long a page or element may take (ms); the first run of a page after start can be slow.
APP_TIMEOUT_MS = 60_000
DESKTOP = {"width": 1400, "height": 1000}



def wait_for_app(page: Any, timeout: float = APP_TIMEOUT_MS) -> None:
    """Wait until the app is connected and its script has finished (Streamlit's own e2e pattern).

    The short pause first lets debounced widget changes start their rerun.
    """
    page.wait_for_timeout(250)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(timeout=timeout)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=timeout)


def assert_no_exception(page: Any) -> None:
    """No Streamlit exception box on the page."""
    boxes = page.get_by_test_id("stException")
    assert boxes.count() == 0, "the page shows an exception: " + boxes.first.inner_text()[:500]


def open_page(page: Any, path: str = "/", wait_selector: str | None = None) -> Any:
    """Go to ``path`` on the test server and wait for the app (and optionally an element)."""
    page.goto(path)
    wait_for_app(page)
    if wait_selector:
        page.locator(wait_selector).first.wait_for(timeout=APP_TIMEOUT_MS)
        wait_for_app(page)
    assert_no_exception(page)
    return page


def metric_values(page: Any) -> list[str]:
    """The text of every ``st.metric`` value, in page order."""
    return [v.inner_text().strip() for v in page.get_by_test_id("stMetricValue").all()]


def headline(page: Any) -> str:
    """The first headline figure (net emissions in the focus year on the Scenario page)."""
    return page.get_by_test_id("stMetricValue").first.inner_text().strip()


def main_chart(page: Any) -> Any:
    """The Scenario page's main chart: keyed ``results_main_<kommun>``, else the first Vega chart."""
    keyed = page.locator("[class*='st-key-results_main'] [data-testid='stVegaLiteChart']")
    return keyed.first if keyed.count() else page.get_by_test_id("stVegaLiteChart").first


def chart_signature(chart: Any) -> str:
    """What the chart shows: its aria description plus the rendered SVG (or canvas pixels)."""
    chart.locator("svg.marks, canvas").first.wait_for(timeout=APP_TIMEOUT_MS)
    return chart.evaluate(
        """el => {
            const svg = el.querySelector('svg.marks');
            const canvas = el.querySelector('canvas');
            const drawn = svg ? svg.outerHTML : (canvas ? canvas.toDataURL() : '');
            return (el.getAttribute('aria-label') || '') + '\\n' + drawn;
        }""")


def slider(page: Any, lever_id: str) -> Any:
    """A lever slider by its widget key ``lv_<lever id>`` (Streamlit adds the ``st-key-`` class)."""
    return page.locator(f".st-key-lv_{lever_id}").get_by_test_id("stSlider")


def slider_value(page: Any, lever_id: str) -> str:
    """The slider's current value as the thumb shows it."""
    return slider(page, lever_id).locator("input[type='range']").get_attribute("aria-valuetext") or ""


def show_lever(page: Any, lever_id: str, lang: str = "sv") -> Any:
    """Open the lever's group tab if needed (one tab per sector group; only the open one is drawn)."""
    from model.registry import load_registry
    from ui.text.i18n import t

    s = slider(page, lever_id)
    if not s.is_visible():
        group = t(f"app.group.{load_registry().lever(lever_id).group}", lang)
        page.get_by_role("tab", name=group, exact=True).click()
        s.wait_for(state="visible")
    s.scroll_into_view_if_needed()
    return s


def url_params(url: str) -> dict[str, str]:
    """The query parameters of ``url`` (last value wins)."""
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))


def test_slug(node_name: str) -> str:
    """A file-name-safe version of a test's name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", node_name).strip("_")[:120]


test_slug.__test__ = False  # type: ignore[attr-defined]  # not a test despite the name


#: Streamlit scrolls inside these, not the document, so a "full page" screenshot would stop at the fold.
_SCROLLERS = "[data-testid='stMain'], [data-testid='stSidebarContent']"
MAX_SHOT_HEIGHT = 6000


def save_screenshot(page: Any, path: Path) -> Path:
    """Screenshot of everything: the viewport is stretched to the tallest scroll area, then restored."""
    size = page.viewport_size or DESKTOP
    height = page.evaluate(
        f"Math.max(...[...document.querySelectorAll(\"{_SCROLLERS}\")].map(e => e.scrollHeight), 0)")
    tall = min(int(height), MAX_SHOT_HEIGHT) > size["height"]
    if tall:
        page.set_viewport_size({"width": size["width"], "height": min(int(height), MAX_SHOT_HEIGHT)})
        page.wait_for_timeout(300)
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if tall:
            page.set_viewport_size(size)
    return path


def wait_until(check: Callable[[], Any], timeout_s: float = 20, message: str = "") -> Any:
    """Poll ``check`` until it returns something truthy (charts render after the script run)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"timed out after {timeout_s} s")
        time.sleep(0.2)


def drag_slider(page: Any, lever_id: str, fraction: float) -> None:
    """Drag a lever's thumb with the mouse to ``fraction`` (0…1) of its track."""
    s = show_lever(page, lever_id)
    thumb = s.get_by_test_id("stSliderThumbValue").locator("xpath=..")
    track = thumb.locator("xpath=..")
    tb, tr = thumb.bounding_box(), track.bounding_box()
    assert tb and tr, "the slider is on screen"
    y = tb["y"] + tb["height"] / 2
    page.mouse.move(tb["x"] + tb["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(tr["x"] + tr["width"] * fraction, y, steps=12)
    page.mouse.up()
    wait_for_app(page)


def press_on_slider(page: Any, lever_id: str, key: str) -> None:
    """Focus a lever's thumb and press ``key`` (ArrowRight, End, …)."""
    show_lever(page, lever_id)
    thumb = slider(page, lever_id).locator("input[type='range']")
    thumb.focus()
    page.keyboard.press(key)
    wait_for_app(page)


def lever_params(url: str) -> dict[str, str]:
    """The share link's parameters without the language."""
    params = url_params(url)
    params.pop("lang", None)
    return params


def sidebar(page: Any) -> Any:
    return page.get_by_test_id("stSidebar")


def nav_link(page: Any, title: str) -> Any:
    """A page link in the top navigation (desktop)."""
    return page.get_by_test_id("stTopNavLink").filter(has_text=title).first
