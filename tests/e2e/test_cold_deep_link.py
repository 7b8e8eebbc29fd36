"""The first visitor after a server start who opens a deep link (a workshop QR code, a shared
Jämför link) lands on that page, with no "Page not found" dialog.

The pages live in ``views/``: a folder named ``pages/`` switches on Streamlit's legacy page
discovery until ``st.navigation`` has run once, and the first deep link then got a spurious
"Page not found". This needs its own fresh server (``cold_server`` in conftest.py), since the
shared one is warmed by other tests.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.pagehelpers import assert_no_exception, wait_for_app

pytestmark = pytest.mark.e2e


def test_first_visit_is_a_deep_link_to_the_compare_page(cold_server: str, browser: Any) -> None:
    # No request may reach this server before this one: the point is the very first session.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    try:
        page = context.new_page()
        page.goto(f"{cold_server}/compare?k=0180")
        wait_for_app(page)
        assert_no_exception(page)
        page.get_by_role("heading", name="Jämför scenarier").first.wait_for(timeout=30_000)
        body = page.locator("body").inner_text()
        assert "Page not found" not in body and "Sidan hittades inte" not in body
        assert page.url.startswith(f"{cold_server}/compare")
    finally:
        context.close()
