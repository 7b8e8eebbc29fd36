"""Own measures in a real browser: add one through the editor, then open the share link cold.

AppTest cannot see what the browser writes to the address bar, nor the form as the browser
submits it; this test does both.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.pagehelpers import APP_TIMEOUT_MS, assert_no_exception, headline, open_page, url_params, wait_for_app
from ui.text.i18n import t

pytestmark = pytest.mark.e2e


METRIC = "[data-testid='stMetricValue']"
NAME = "Biogasbussar i Enköping"


def _open_editor(page: Any) -> Any:
    page.get_by_text(t("measures.editor.title", "sv"), exact=True).click()
    wait_for_app(page)
    form = page.get_by_test_id("stForm")
    form.wait_for(timeout=APP_TIMEOUT_MS)
    return form


def test_add_a_measure_and_open_the_share_link_cold(page: Any, browser: Any,
                                                    browser_context_args: dict[str, Any],
                                                    shot: Callable[..., Any]) -> None:
    open_page(page, "/", METRIC)
    before = headline(page)
    form = _open_editor(page)
    form.get_by_role("textbox", name=t("measures.field.name_sv", "sv"), exact=True).fill(NAME)
    form.get_by_role("textbox", name=t("measures.field.effect", "sv")).fill("20 000")
    form.get_by_role("textbox", name=t("measures.field.src_sv", "sv")).fill("Kommunens klimatplan (exempel)")
    form.get_by_role("button", name=t("measures.editor.submit_add", "sv")).click()
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.get_by_text(f"Åtgärden ”{NAME}” lades till.")).to_be_visible()
    expect(page.locator("[class*='st-key-om_item_']").first).to_contain_text(NAME)
    page.wait_for_function("() => new URLSearchParams(location.search).has('om')", timeout=APP_TIMEOUT_MS)
    params = url_params(page.url)
    assert params["om"].startswith("1."), page.url
    after = headline(page)
    assert after != before, (before, after)
    shot(page, "added")

    # The link, opened in a fresh browser context (no session), shows the same measure and figure.
    link = page.url
    cold = browser.new_context(**browser_context_args)
    try:
        other = cold.new_page()
        open_page(other, link, METRIC)
        assert other.get_by_test_id("stAlert").filter(has_text="ignorerades").count() == 0
        assert headline(other) == after
        _open_editor(other)
        expect(other.locator("[class*='st-key-om_item_']").first).to_contain_text(NAME)
        shot(other, "cold")
    finally:
        cold.close()


def test_the_editor_fits_a_phone(new_phone_context: Callable[[], Any], shot: Callable[..., Any]) -> None:
    """At 375 px the form's fields stack and nothing runs off the screen."""
    page = new_phone_context().new_page()
    page.set_default_timeout(APP_TIMEOUT_MS)
    open_page(page, "/", METRIC)
    form = _open_editor(page)
    form.scroll_into_view_if_needed()
    width = page.viewport_size["width"]
    box = form.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (box, width)
    submit = form.get_by_role("button", name=t("measures.editor.submit_add", "sv"))
    sb = submit.bounding_box()
    assert sb is not None and sb["x"] + sb["width"] <= width + 1, sb
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow} px"
    shot(page, "phone")
