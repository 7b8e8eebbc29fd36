"""The ASGI layer of asgi.py: <html lang> rewriting and page redirects (serving/html_lang.py) and the
security middleware (serving/security.py), without a server.

The same behaviour against a started server: tests/test_security_headers.py.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from serving.html_lang import ROUTES, HtmlLangMiddleware, page_redirect, rewrite_html
from serving.security import LOOPBACK_HOSTS, MAX_UPLOAD_BYTES, SecurityMiddleware, allowed_hosts, host_allowed
from ui.workshop.common import app_url

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
        pool.submit(asyncio.run, HtmlLangMiddleware(inner)(scope, None, send)).result()
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


@pytest.mark.parametrize("path, target", [
    ("/workshop", "/ws"), ("/Workshop", "/ws"), ("/jamfor", "/compare"), ("/jämför", "/compare"),
    ("/osakerhet", "/uncertainty"), ("/osäkerhet", "/uncertainty"), ("/data", "/data-och-metod"),
    ("/vad-kravs", "/what-it-takes"), ("/scenario", "/"), ("/compare/extra/junk", "/compare"),
    ("/ws/x", "/ws"), ("/compare/", "/compare"), ("//", "/"), ("///compare", "/compare"), ("/nonsense", "/"),
])
def test_guesses_and_deep_paths_land_on_the_real_page(path: str, target: str) -> None:
    sent, seen = _call(path, b"ws=ABC234&lang=en")
    assert not seen and sent[0]["status"] == 308
    assert dict(sent[0]["headers"])[b"location"] == target.encode() + b"?ws=ABC234&lang=en"


@pytest.mark.parametrize("path", ["/", "/compare", "/ws", "/uncertainty", "/what-it-takes", "/data-och-metod",
                                  "/favicon.png", "/manifest.json", "/_stcore/health", "/static/js/x.js",
                                  "/media/abc.png", "/auth/login", "/oauth2callback",
                                  "/compare/_stcore/health", "/ws/_stcore/host-config",
                                  "/compare/static/js/x"])
def test_real_pages_files_and_streamlit_routes_are_not_redirected(path: str) -> None:
    assert page_redirect(path) is None


def test_every_alias_names_a_real_page() -> None:
    from ui.nav import ALIASES, PAGES
    urls = {url for *_rest, url in PAGES}
    assert set(ALIASES.values()) <= urls
    assert set(ROUTES.values()) <= (urls - {PAGES[0][3]}) | {""}


# --------------------------------------------------------------------------- security middleware
def _secure(scope: dict[str, Any], body: list[dict] | None = None,
            env: dict[str, str] | None = None) -> tuple[list[dict], list[dict]]:
    """Run SecurityMiddleware around an app that records what reached it (and its body)."""
    reached: list[dict] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        data = b""
        if scope["type"] == "http" and scope.get("method") in ("PUT", "POST"):
            while True:
                msg = await receive()
                data += msg.get("body", b"")
                if not msg.get("more_body"):
                    break
        reached.append({"path": scope["path"], "body": data})
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/plain"), (b"x-frame-options", b"ALLOWALL")]})
            await send({"type": "http.response.body", "body": b"ok"})

    messages = list(body or [{"type": "http.request", "body": b"", "more_body": False}])
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    mw = SecurityMiddleware(inner)
    mw._hosts = allowed_hosts((env or {}).get("KLIMAT_ALLOWED_HOSTS", "klimat.example.se"), [])
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, mw(scope, receive, send)).result()
    return sent, reached


def _scope(path: str = "/", host: str = "localhost:8501", kind: str = "http", method: str = "GET",
           headers: tuple = ()) -> dict[str, Any]:
    return {"type": kind, "method": method, "path": path, "root_path": "", "query_string": b"",
            "headers": [(b"host", host.encode()), *headers]}


def test_security_headers_replace_what_the_app_sent() -> None:
    sent, _ = _secure(_scope())
    headers = sent[0]["headers"]
    assert dict(headers)[b"x-frame-options"] == b"SAMEORIGIN"
    assert [k for k, _ in headers].count(b"x-frame-options") == 1
    assert dict(headers)[b"content-security-policy"] == b"frame-ancestors 'self'"
    assert dict(headers)[b"x-content-type-options"] == b"nosniff"
    assert dict(headers)[b"referrer-policy"] == b"strict-origin-when-cross-origin"


@pytest.mark.parametrize("host, ok", [
    ("localhost:8501", True), ("127.0.0.1", True), ("[::1]:8501", True), ("klimat.example.se", True),
    ("KLIMAT.EXAMPLE.SE:443", True), ("klimat.example.se.", True), ("evil.example", False), ("", False),
    ("klimat.example.se.evil.example", False), ("localhost:x", False), ("a b", False), ("10.0.0.1", False),
])
def test_host_check_for_http_and_websocket(host: str, ok: bool) -> None:
    sent, reached = _secure(_scope(host=host))
    assert bool(reached) is ok and sent[0]["status"] == (200 if ok else 400)
    sent, reached = _secure(_scope("/_stcore/stream", host=host, kind="websocket"))
    assert bool(reached) is ok
    if not ok:
        assert sent == [{"type": "websocket.close", "code": 1008}]


def test_allowed_hosts_setting() -> None:
    hosts = allowed_hosts("a.example.se, b.example.se *.kommun.se", ["c.example.se"])
    assert hosts[:3] == LOOPBACK_HOSTS
    assert {"a.example.se", "b.example.se", "*.kommun.se", "c.example.se"} <= set(hosts)
    assert host_allowed("x.kommun.se", hosts) and not host_allowed("kommun.se", hosts)
    assert host_allowed("anything.example", allowed_hosts("*", []))
    assert allowed_hosts("", []) == LOOPBACK_HOSTS


def test_health_answers_any_host_and_metrics_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    sent, reached = _secure(_scope("/_stcore/health", host="10.1.2.3:8501"))
    assert reached and sent[0]["status"] == 200, "container and Kubernetes probes use the pod address"
    for path in ("/_stcore/metrics", "/_stcore/metrics/"):
        sent, reached = _secure(_scope(path))
        assert not reached and sent[0]["status"] == 404
    monkeypatch.setenv("KLIMAT_EXPOSE_METRICS", "1")
    sent, reached = _secure(_scope("/_stcore/metrics"))
    assert reached and sent[0]["status"] == 200


def test_upload_bodies_are_capped_and_small_ones_reach_the_app_whole() -> None:
    path = "/_stcore/upload_file/session/file"
    big = MAX_UPLOAD_BYTES + 1
    sent, reached = _secure(_scope(path, method="PUT", headers=((b"content-length", str(big).encode()),)))
    assert not reached and sent[0]["status"] == 413
    # Chunked (no length): counted while it arrives.
    chunks = [{"type": "http.request", "body": b"x" * 40_000, "more_body": True} for _ in range(4)]
    sent, reached = _secure(_scope(path, method="PUT"), chunks)
    assert not reached and sent[0]["status"] == 413
    chunks = [{"type": "http.request", "body": b"ab" * 1000, "more_body": True},
              {"type": "http.request", "body": b"c", "more_body": False}]
    sent, reached = _secure(_scope(path, method="PUT"), chunks)
    assert sent[0]["status"] == 200 and reached[0]["body"] == b"ab" * 1000 + b"c"


def test_links_to_the_scenario_page_use_the_root() -> None:
    # Outside a browser session app_url falls back to localhost; the page path must be the root.
    url = app_url("", {"k": "0381"})
    assert url.endswith("/?k=0381") and "/start" not in url


def test_page_html_gets_lang_and_both_scripts_once() -> None:
    html = b"<!doctype html><html><head><title>x</title></head><body></body></html>"
    out = rewrite_html(html, "sv")
    assert b'<html lang="sv">' in out
    assert out.count(b"Hj\xc3\xa4lp om ") == 1  # the Swedish-label script, inlined once (UTF-8)
    assert rewrite_html(out, "en").count(b"Hj\xc3\xa4lp om ") == 1  # idempotent
    assert out.index(b"<script>") < out.index(b"<title>")  # at the top of <head>
