"""asgi.py: <html lang> rewriting and redirects of old page addresses (no server needed)."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import asgi
from ui.workshop_common import app_url

PAGE = b'<!doctype html><html lang="en"><head><title>x</title></head><body></body></html>'


def _call(path: str, query: bytes = b"", method: str = "GET", root: str = "") -> tuple[list[dict], list[str]]:
    seen: list[str] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["path"])
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html"), (b"content-length", str(len(PAGE)).encode())]})
        await send({"type": "http.response.body", "body": PAGE})

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": root + path, "root_path": root, "query_string": query}
    # In its own thread: the browser tests (Playwright's sync API) may leave an event loop
    # running in this one, where asyncio.run() refuses to start.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, asgi.HtmlLangMiddleware(inner)(scope, None, send)).result()
    return sent, seen


@pytest.mark.parametrize("path", ["/start", "/start/"])
def test_old_start_address_redirects_to_root_with_the_whole_query(path: str) -> None:
    sent, seen = _call(path, b"v=1&k=0381&lang=en&ev=80")
    assert not seen, "the app is not asked for /start"
    assert sent[0]["status"] == 308
    assert dict(sent[0]["headers"])[b"location"] == b"/?v=1&k=0381&lang=en&ev=80"


def test_redirect_keeps_a_proxy_prefix_and_works_without_query() -> None:
    sent, _ = _call("/start", root="/klimat")
    assert dict(sent[0]["headers"])[b"location"] == b"/klimat/"


@pytest.mark.parametrize("query, lang", [(b"lang=en", "en"), (b"lang=sv", "sv"), (b"", "sv"), (b"lang=fr", "sv")])
def test_pages_get_their_language(query: bytes, lang: str) -> None:
    sent, seen = _call("/", query)
    assert seen == ["/"]
    body = sent[-1]["body"]
    assert f'<html lang="{lang}">'.encode() in body
    assert dict(sent[0]["headers"])[b"content-length"] == str(len(body)).encode()


def test_other_pages_and_methods_pass_through() -> None:
    sent, seen = _call("/compare", b"lang=en")
    assert seen == ["/compare"] and sent[0]["status"] == 200
    sent, seen = _call("/start", method="POST")
    assert seen == ["/start"], "only GET/HEAD are redirected"


def test_links_to_the_scenario_page_use_the_root() -> None:
    # Outside a browser session app_url falls back to localhost; the page path must be the root.
    url = app_url("", {"k": "0381"})
    assert url.endswith("/?k=0381") and "/start" not in url
