"""Streamlit's own English labels (tooltips, screen-reader labels, placeholders, the uploader, the skip
link, Vega's axis and legend descriptions) read Swedish on a Swedish page and English on an English one.

Streamlit writes these in its frontend, so only a browser sees them; asgi.py (serving/html_lang.py)
inlines static/streamlit-sv.js, and the chart theme switches Vega's English axis/legend descriptions off
(every chart has its own description and table in the user's language).
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.pagehelpers import assert_no_exception, open_page, wait_for_app

pytestmark = pytest.mark.e2e

#: English Streamlit/Vega texts seen on Swedish pages before the fix (aria-label, title, placeholder, text).
ENGLISH = ("Help for ", "Show data", "Download as PNG", "Choose an option", "Skip to main content", "Upload",
           "Collapse sidebar", "Copy to clipboard", "Fullscreen", "Increment", "Decrement", "Main menu",
           "App pages", "Selected values", "Clear all", "Remove ", "Show/hide columns", "X-axis titled",
           "Y-axis", "legend titled", "Link to heading")

COLLECT = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]'))
    for (const a of ['aria-label', 'title', 'placeholder']) { const v = el.getAttribute(a); if (v) out.push(v); }
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n; while ((n = w.nextNode())) {
    if (n.parentElement && n.parentElement.closest('[data-testid=stIconMaterial]')) continue;
    const s = n.nodeValue.trim(); if (s) out.push(s);
  }
  return out;
}"""


def _english(page: Any) -> list[str]:
    page.wait_for_timeout(800)  # the label script runs on DOM mutations; let the last ones land
    texts: list[str] = page.evaluate(COLLECT)
    return sorted({s for s in texts for e in ENGLISH if s.startswith(e) or s == e.strip()})


@pytest.mark.parametrize("path", ["/", "/compare", "/uncertainty"])
def test_swedish_page_has_no_streamlit_english(page: Any, path: str) -> None:
    open_page(page, path)
    assert_no_exception(page)
    page.locator("[data-testid=stTooltipIcon]").first.wait_for(timeout=30_000)
    found = _english(page)
    assert not found, found
    labels = page.evaluate(COLLECT)
    assert any(s.startswith("Hjälp om ") for s in labels)


def test_switch_to_english_puts_streamlit_english_back(page: Any) -> None:
    open_page(page, "/compare")
    page.locator("[data-testid=stTooltipIcon]").first.wait_for(timeout=30_000)
    assert not _english(page)
    page.get_by_test_id("stSidebar").get_by_role("radio", name="EN", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Compare scenarios").first.wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    labels = page.evaluate(COLLECT)
    assert any(s.startswith("Help for ") for s in labels)
    assert not any(s.startswith("Hjälp om ") for s in labels)
    assert "Upload" in labels and "Ladda upp" not in labels
