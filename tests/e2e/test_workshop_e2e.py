"""Browser tests of the workshop (issue 10 items 11, 13, 14): two phones choosing the same name, a reload
that keeps the draft, the facilitator getting back in without the key in any URL, and the projector
board in presentation mode at 1920×1080 (screenshot under test-artifacts/screenshots/).

These run on their own server with its own workshop database; the app's URL sync keeps ``dev``.
"""
from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from model.targets import TargetSpec
from persistence.store import WorkshopStore, new_token
from tests.e2e.conftest import PHONE, SCREENSHOTS
from tests.e2e.pagehelpers import APP_TIMEOUT_MS, wait_for_app

pytestmark = pytest.mark.e2e
OPEN = ["ev_cars", "car_traffic", "dh_fossil_free"]


def _ctx(browser: Any, url: str, **kw: Any) -> Any:
    ctx = browser.new_context(base_url=url, locale="sv-SE", timezone_id="Europe/Stockholm", **kw)
    ctx.set_default_timeout(APP_TIMEOUT_MS)
    return ctx


def _workshop(store: WorkshopStore) -> tuple[Any, str]:
    return store.create_workshop("Enköping testar", "0381", TargetSpec(), open_levers=OPEN)


def _phone_submit(page: Any, name: str, presses: int = 0) -> None:
    box = page.get_by_label("Gruppens namn", exact=True)
    box.fill(name)
    box.press("Enter")
    page.wait_for_timeout(800)
    if presses:
        thumb = page.locator(".st-key-wsp_lv_ev_cars input[type='range']")
        thumb.focus()
        for _ in range(presses):
            thumb.press("ArrowRight")
        page.wait_for_timeout(1500)
    page.get_by_role("button", name="Skicka gruppens förslag").click()
    page.wait_for_timeout(1500)


def test_two_phones_same_name_second_is_asked(browser: Any, ws_server: tuple[str, WorkshopStore]) -> None:
    url, store = ws_server
    ws, _ = _workshop(store)
    a_ctx, b_ctx = _ctx(browser, url, **PHONE), _ctx(browser, url, **PHONE)
    try:
        a, b = a_ctx.new_page(), b_ctx.new_page()
        for p in (a, b):
            p.goto(f"/ws?ws={ws.code}")
            wait_for_app(p)
        _phone_submit(a, "Grupp 1", presses=2)
        a.get_by_text("Sparat").first.wait_for()
        _phone_submit(b, "grupp 1 ", presses=4)
        b.get_by_text("har redan skickat in från en annan enhet").wait_for()
        assert store.counts(ws.code) == (1, 1)  # A's proposal was not replaced
        b.get_by_role("button", name="Välj ett annat namn").click()
        _phone_submit(b, "Grupp 2")
        b.get_by_text("Sparat").first.wait_for()
        assert store.counts(ws.code) == (2, 2)
    finally:
        a_ctx.close()
        b_ctx.close()


def _wait_for_draft(page: Any, store: WorkshopStore, ok: Any, timeout_s: float = 30) -> None:
    """Until the device's draft on the server satisfies ``ok`` (reruns are slow on a loaded machine)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        dev = parse_qs(urlsplit(page.url).query).get("dev", [""])[0]
        draft = store.load_draft(dev) if dev else None
        if draft is not None and ok(draft):
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"draft not stored in {timeout_s} s (url {page.url})")


def test_reload_keeps_the_draft(browser: Any, ws_server: tuple[str, WorkshopStore]) -> None:
    url, store = ws_server
    ws, _ = _workshop(store)
    ctx = _ctx(browser, url, **PHONE)
    try:
        page = ctx.new_page()
        page.goto(f"/ws?ws={ws.code}")
        wait_for_app(page)
        box = page.get_by_label("Gruppens namn", exact=True)
        box.fill("Grupp Ek")
        box.press("Enter")
        _wait_for_draft(page, store, lambda d: d.group_name == "Grupp Ek")
        thumb = page.locator(".st-key-wsp_lv_ev_cars input[type='range']")
        thumb.focus()
        for _ in range(3):
            thumb.press("ArrowRight")
        wait_for_app(page)
        before = thumb.get_attribute("aria-valuetext")
        # Wait for the draft to hold the value on screen (not only the first of the three moves: a
        # reload before the last move's rerun has saved it would restore an earlier value).
        _wait_for_draft(page, store, lambda d: str(int(d.levers["ev_cars"])) == (before or "").split()[0])
        assert "dev=" in page.url
        page.reload()
        wait_for_app(page)
        page.get_by_text("Era inställningar från tidigare är återställda").wait_for()
        # The message is drawn first; the widgets follow within the same run (poll, do not sleep).
        expect(page.get_by_label("Gruppens namn", exact=True)).to_have_value("Grupp Ek")
        expect(page.locator(".st-key-wsp_lv_ev_cars input[type='range']")).to_have_attribute("aria-valuetext",
                                                                                              before or "")
        assert before and before.split()[0] != str(int(ws.base_levers["ev_cars"]))
    finally:
        ctx.close()


def test_facilitator_gets_back_in_without_key_in_url(browser: Any, ws_server: tuple[str, WorkshopStore]) -> None:
    url, store = ws_server
    ws, key = _workshop(store)
    ctx = _ctx(browser, url, viewport={"width": 1400, "height": 900})
    try:
        page = ctx.new_page()
        seen: list[str] = []
        page.on("framenavigated", lambda f: seen.append(f.url))
        for _ in range(2):  # the first visit, then a reload that lost the session
            page.goto(f"/ws?ws={ws.code}&role=host") if not seen else page.reload()
            wait_for_app(page)
            page.get_by_label("Kod", exact=True).fill(ws.code)
            page.get_by_label("Nyckel för samtalsledaren", exact=True).fill(key)
            page.get_by_role("button", name="Öppna", exact=True).click()
            page.get_by_text("Kod och QR").first.wait_for()
            seen.append(page.url)
        assert all(key not in u for u in seen) and seen
        assert store.get_workshop(ws.code) is not None
    finally:
        ctx.close()


def test_projector_board_1920x1080(browser: Any, ws_server: tuple[str, WorkshopStore]) -> None:
    url, store = ws_server
    ws, _ = _workshop(store)
    for name, lever, value in (("Grupp Ek", "ev_cars", 100), ("Grupp Björk", "car_traffic", 30),
                               ("Grupp Tall", "dh_fossil_free", 100)):
        store.submit(ws.code, name, {lever: value}, new_token())
    ctx = _ctx(browser, url, viewport={"width": 1920, "height": 1080})
    try:
        page = ctx.new_page()
        page.goto(f"/ws?ws={ws.code}&role=board&present=1")
        wait_for_app(page)
        page.locator("[data-testid='stTable']").first.wait_for()
        page.locator("[data-testid='stVegaLiteChart'], .vega-embed").first.wait_for()
        page.wait_for_timeout(1500)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "workshop-projector-1920x1080.png"))
        ranking = page.locator("[data-testid='stTable']").first.bounding_box()
        assert ranking is not None and ranking["y"] + 120 < 1080  # the ranking starts above the fold
        assert page.get_by_text("Grupp Ek").first.is_visible()
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector(\"[data-testid='stTable'] td\"))"
                             ".fontSize)")
        assert size >= 20
    finally:
        ctx.close()

