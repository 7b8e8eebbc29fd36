"""A link made on the 2023 release, opened cold in chromium: the older-release banner, its button to the
latest data, then the Uppföljning page and its one-page PDF report."""
from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

import pytest

from model.codec import default_state, encode
from tests.e2e.pagehelpers import APP_TIMEOUT_MS, assert_no_exception, wait_for_app

pytestmark = pytest.mark.e2e



def test_d2023_link_banner_latest_button_and_followup_pdf(cold_server: str, browser: Any) -> None:
    from pypdf import PdfReader

    params = encode(default_state("0381"))
    params.update({"d": "2023", "ev": "80"})
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE", accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(APP_TIMEOUT_MS)
        page.goto(f"{cold_server}/?{urlencode(params)}")
        wait_for_app(page)
        assert_no_exception(page)
        banner = page.get_by_text("Länken skapades med SMHI-data t.o.m. 2023; figurerna visas på den utgåvan.")
        banner.wait_for(timeout=APP_TIMEOUT_MS)
        page.get_by_role("button", name="Öppna samma åtgärder på senaste data (t.o.m. 2024)").click()
        wait_for_app(page)
        assert_no_exception(page)
        assert banner.count() == 0
        page.wait_for_function("() => location.search.includes('d=2024')", timeout=APP_TIMEOUT_MS)
        assert "ev=80" in page.url, "every other setting is kept"

        page.get_by_role("link", name="Uppföljning").first.click()
        wait_for_app(page)
        page.get_by_role("heading", name="Uppföljning: plan mot utfall").wait_for(timeout=APP_TIMEOUT_MS)
        # On the latest release nothing is measured since; the older release is compared instead.
        page.get_by_text("inget har mätts sedan dess ännu", exact=False).first.wait_for()
        page.get_by_text("Enköping: planerat och uppmätt 2024").first.wait_for()
        assert_no_exception(page)
        button = page.get_by_test_id("stDownloadButton").filter(has=page.get_by_text("Rapport (PDF, en sida)"))
        with page.expect_download(timeout=60_000) as info:
            button.first.click()
        pdf = info.value.path().read_bytes()
        assert info.value.suggested_filename == "uppfoljning_enkoping_2024.pdf"
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        text = " ".join(reader.pages[0].extract_text().replace("\u00a0", " ").split())
        assert "Uppföljning 2024: Enköping" in text and "Transporterna ökade 20 %" in text
    finally:
        context.close()


def test_followup_page_has_no_serious_axe_violations(page: Any, axe_script: Any) -> None:
    from tests.e2e.pagehelpers import open_page
    from tests.e2e.test_a11y import FAILING, run_axe, wait_for_charts, wait_for_page_css

    open_page(page, "/uppfoljning?k=0381")
    page.get_by_text("Enköping: planerat och uppmätt 2024").first.wait_for(timeout=APP_TIMEOUT_MS)
    wait_for_charts(page)
    assert_no_exception(page)
    wait_for_page_css(page)  # the same wait as the other pages' scans (it was missing here)
    result = run_axe(page, axe_script)
    bad = [v for v in result["violations"] if v["impact"] in FAILING]
    assert not bad, "; ".join(f"[{v['impact']}] {v['id']}: {v['html'][:1]} {v['summary'][:160]}" for v in bad)
