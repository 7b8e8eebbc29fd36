"""What chromium actually renders for hostile text, and what a default page fetches.

Issue 11 items 4 and 12: link notices, Jämför's names and captions and the workshop board show
hostile strings as text (no <a>, no KaTeX, no emoji or icon from a payload); the page fetches
nothing from another host (the favicon was a Material icon from a font CDN); the uploader
states the real limit and an oversized file is refused by the server.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from model.scenario import dumps_scenario
from model.targets import TargetSpec
from persistence.store import WorkshopStore, new_token
from tests.e2e.pagehelpers import APP_TIMEOUT_MS, open_page, wait_for_app
from ui.scenario.levers import presets

pytestmark = pytest.mark.e2e

WJ = "\u2060"
#: Emoji the payloads' shortcodes would become (⚠️ 🚀 👍 🔥).
EMOJI = ("\u26a0", "\U0001f680", "\U0001f44d", "\U0001f525")
NAME = "$E=mc^2$ :rocket: www.evil.example"
GROUP = "[klick](https://evil.example) :+1:"


def _inert(scope: Any, where: str) -> str:
    """Assert nothing in ``scope`` came from markdown in a payload; returns its text (no joiners)."""
    assert scope.locator("a[href*='evil']").count() == 0, f"a link to the payload's host in {where}"
    assert scope.locator("a", has_text="klick").count() == 0, f"a link from the payload in {where}"
    assert scope.locator(".katex, .katex-display").count() == 0, f"KaTeX in {where}"
    icons = scope.locator("[data-testid='stMarkdownContainer'] [data-testid='stIconMaterial']")
    assert icons.count() == 0, f"a Material icon inside markdown in {where}"
    assert scope.locator("[data-testid='stMarkdownContainer'] span[role='img']").count() == 0, where
    text = scope.inner_text().replace(WJ, "")
    assert not any(e in text for e in EMOJI), f"an emoji from a shortcode in {where}: {text[:300]!r}"
    return text


def test_hostile_link_notice_is_plain_text(page: Any, shot: Callable[..., Any]) -> None:
    query = urlencode({"v": "1", "m": "$E=mc^2$", "d": ":warning: :material/lock: :rocket:",
                       "k": "\n\nHACKED\n===", "np": "www.evil.example", "[klick](https://evil.example)": "1"})
    open_page(page, "/?" + query, "[data-testid='stAlert']")
    alert = page.get_by_test_id("stAlert").filter(has_text="HACKED").first
    expect(alert).to_be_visible()
    shot(page)
    text = _inert(alert, "the link notice")
    assert alert.locator("h1, h2, h3, h4, h5, h6, hr").count() == 0, "a heading from the payload"
    for literal in ("$E=mc^2$", ":warning:", ":material/lock:", ":rocket:", "www.evil.example", "[klick]("):
        assert literal in text, (literal, text)


def test_jamfor_names_and_captions_are_plain_text(page: Any, shot: Callable[..., Any], tmp_path: Any) -> None:
    from dataclasses import replace
    sc = replace(presets()["klimatkontrakt"], id="x", name={"sv": NAME, "en": NAME})
    path = tmp_path / "plan.toml"
    path.write_text(dumps_scenario(sc), encoding="utf-8")
    open_page(page, "/compare", "[data-testid='stFileUploader']")
    uploader = page.get_by_test_id("stFileUploader")
    expect(uploader).to_contain_text("högst 64 kB")
    assert "1MB" not in uploader.inner_text() and "1 MB" not in uploader.inner_text()
    uploader.locator("input[type='file']").set_input_files(str(path))
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("markerade celler skiljer sig från", exact=False)).to_be_visible(timeout=APP_TIMEOUT_MS)
    shot(page)
    text = _inert(main, "Jämför")
    assert text.count(NAME) >= 3, "card, message and captions show the name as typed"


def test_oversized_upload_is_refused(page: Any, tmp_path: Any, shot: Callable[..., Any]) -> None:
    big = tmp_path / "stor.toml"
    big.write_bytes(b"# " + b"x" * (300 * 1024) + b"\n")
    open_page(page, "/compare", "[data-testid='stFileUploader']")
    with page.expect_response(lambda r: "/_stcore/upload_file/" in r.url) as info:
        page.get_by_test_id("stFileUploader").locator("input[type='file']").set_input_files(str(big))
    assert info.value.status == 413
    wait_for_app(page)
    page.wait_for_timeout(500)
    shot(page)
    assert page.get_by_test_id("stAlert").filter(has_text="Lade till").count() == 0


def test_workshop_board_and_title_are_plain_text(page: Any, app_server: Any, shot: Callable[..., Any]) -> None:
    engine = sa.create_engine(app_server.db_url)
    try:
        store = WorkshopStore(engine)
        store.ensure_schema()
        ws, _key = store.create_workshop(NAME, "0381", TargetSpec(), open_levers=["ev_cars"])
        store.submit(ws.code, GROUP, {"ev_cars": 90}, new_token())
    finally:
        engine.dispose()
    open_page(page, f"/ws?ws={ws.code}&role=board", "[data-testid='stTable']")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stTable").first).to_contain_text("klick", timeout=30_000)
    shot(page)
    text = _inert(main, "the workshop board")
    assert "$E=mc^2$" in text and "[klick](https:" in text
    open_page(page, f"/ws?ws={ws.code}", "h1")
    _inert(page.get_by_test_id("stMain"), "the participant page")


def test_no_request_leaves_the_server(browser: Any, browser_context_args: dict[str, Any],
                                      app_server: Any, warm_app: None) -> None:
    ctx = browser.new_context(**browser_context_args)
    try:
        seen: list[str] = []
        ctx.on("request", lambda r: seen.append(r.url))
        page = ctx.new_page()
        page.set_default_timeout(APP_TIMEOUT_MS)
        open_page(page, "/", "[data-testid='stMetricValue']")
        page.wait_for_timeout(1500)
        icon = page.evaluate("() => [...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
    finally:
        ctx.close()
    own = urlsplit(app_server.url).netloc
    foreign = sorted({u for u in seen if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                      and urlsplit(u).netloc != own})
    assert not foreign, f"requests to other hosts: {foreign}"
    assert icon and all(urlsplit(h).netloc in ("", own) or h.startswith("data:") for h in icon), icon
