"""The right ``<html lang>`` on every page, and page addresses that land on a real page.

Streamlit hard-codes ``<html lang="en">`` in its index page (streamlit#15726), so screen readers
read the Swedish interface with English pronunciation and Chrome offers to translate it.
:class:`HtmlLangMiddleware` (the inner middleware of ``asgi.py``) rewrites every HTML page response:

* ``lang`` is set from the ``lang`` URL parameter (the share link always carries it; no or an
  unknown value gives Swedish, the app's default, as in :func:`model.codec.decode`);
* a tiny inline script keeps it right when the language is switched in the app: the app writes
  the new ``lang`` to the address bar through ``history.pushState``/``replaceState``, which the
  script wraps (it runs before Streamlit's bundle, which calls them at call time);
* Streamlit's own English labels get their Swedish text from ``static/streamlit-sv.js``, inlined.

It also redirects old page addresses, common guesses (``/workshop``, ``/jamfor``, …; the list is
:data:`ui.nav.ALIASES`) and paths below a page (``/compare/extra/junk``) to the real page, with
the query string kept.
"""
from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from ui.nav import page_routes

LANGS = ("sv", "en")
DEFAULT_LANG = "sv"

# Mirrors the server-side choice in the browser; a fixed string (no user input is interpolated).
# Also: Streamlit pushes a history entry each time the app rewrites its query string (the share
# link follows every slider), so Back needed many presses with no visible change. A push that
# keeps the page's path replaces the entry instead; a page switch still pushes, so Back goes to
# the previous page and then out of the app.
_SYNC_SCRIPT = (
    b"<script>(function(){var d=document.documentElement,h=window.history,"
    b"push=h.pushState,rep=h.replaceState;"
    b"function f(){var l=(new URLSearchParams(location.search).get('lang')||'').toLowerCase();"
    b"d.lang=l==='en'?'en':'sv';}"
    b"h.pushState=function(s,t,u){var same=false;"
    b"try{same=u!=null&&new URL(String(u),location.href).pathname===location.pathname;}catch(e){}"
    b"var r=(same?rep:push).apply(this,arguments);f();return r;};"
    b"h.replaceState=function(){var r=rep.apply(this,arguments);f();return r;};"
    b"window.addEventListener('popstate',f);f();})();</script>"
)
#: Swedish for Streamlit's own English labels (tooltips, screen-reader labels, uploader); a fixed file.
_SV_SCRIPT = (b"<script>" + (Path(__file__).resolve().parents[1] / "static" / "streamlit-sv.js").read_bytes()
              + b"</script>")
_HTML_TAG = re.compile(rb"<html\b[^>]*>", re.IGNORECASE)
_HEAD_TAG = re.compile(rb"<head\b[^>]*>", re.IGNORECASE)
_DROP_HEADERS = {b"content-length", b"content-encoding", b"etag", b"last-modified"}
#: First path segment -> the page's url_path ("" is the root): every page, its file name and the
#: common guesses of ui/nav.py. The Scenario page is the default page, which Streamlit serves at
#: the root only; "/start" (in links made before 2026-11-29) would open it with "Page not found".
ROUTES = page_routes()
#: Streamlit's own routes: never page HTML (custom components serve their own index.html here).
_SKIP_PREFIXES = ("/_stcore/", "/component/", "/media/", "/app/static/", "/static/")
#: First segments that are Streamlit's routes, never pages (st.login, static files).
_NOT_PAGES = {"_stcore", "component", "media", "app", "static", "auth", "oauth2callback"}


def page_lang(query_string: bytes | str) -> str:
    """The page language for a request's query string.

    Parameters
    ----------
    query_string : bytes or str
        The raw query string (ASGI hands it in as bytes).

    Returns
    -------
    str
        "en" for ``lang=en`` (the last ``lang`` wins, any case), otherwise "sv".
    """
    qs = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    values = parse_qs(qs).get("lang") or [""]
    lang = values[-1].strip().lower()
    return lang if lang in LANGS else DEFAULT_LANG


def rewrite_html(body: bytes, lang: str) -> bytes:
    """Set ``<html lang>`` to ``lang`` and add the sync and Swedish-label scripts at the top of ``<head>``.

    Parameters
    ----------
    body : bytes
        A whole HTML page (uncompressed).
    lang : str
        One of :data:`LANGS`.

    Returns
    -------
    bytes
        The page; idempotent (the scripts are added only once).
    """
    body = _HTML_TAG.sub(f'<html lang="{lang}">'.encode(), body, count=1)
    if _SYNC_SCRIPT not in body:
        body = _HEAD_TAG.sub(lambda m: m.group(0) + _SYNC_SCRIPT + _SV_SCRIPT, body, count=1)
    return body


async def _redirect(send: Any, location: str, query_string: bytes) -> None:
    """A permanent redirect that keeps the query string (the whole scenario of a share link)."""
    # The server's HTTP parser has already refused CR/LF, so the query cannot split the header.
    target = location.encode("latin-1") + (b"?" + query_string if query_string else b"")
    await send({"type": "http.response.start", "status": 308,
                "headers": [(b"location", target), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


def page_redirect(path: str) -> str | None:
    """Where a page address should go (the real page's path), or None to serve it as it is.

    ``path`` is relative to the proxy prefix. Repeated slashes collapse (``//?…`` would be a
    bare 400), paths below a page drop their tail, and an unknown first segment goes to the
    Scenario page (Streamlit would show its English "Page not found"). Paths of files (a dot in
    the last segment) and Streamlit's own routes are never touched.

    Parameters
    ----------
    path : str
        The request path without the proxy prefix.

    Returns
    -------
    str or None
        The real page's path (``/`` for the Scenario page), or None to serve ``path`` as it is.
    """
    segments = [seg for seg in path.split("/") if seg]
    # Any Streamlit route segment, not only the first: on /compare the browser looks for the
    # server at /compare/_stcore/… before /_stcore/… and must get Streamlit's answer there.
    if segments and ("." in segments[-1] or any(seg in _NOT_PAGES for seg in segments)):
        return None
    target = "/" + ROUTES.get(segments[0].lower(), "") if segments else "/"
    return None if target == path else target


class HtmlLangMiddleware:
    """Pure ASGI middleware (no buffering of anything but ``text/html`` GET responses).

    Also redirects page addresses that are not the real one (:func:`page_redirect`), keeping the
    query string.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        root = scope.get("root_path", "").rstrip("/")
        if root and path.startswith(root):
            path = path[len(root):] or "/"
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
            target = page_redirect(path)
            if target is not None:
                await _redirect(send, root + target, scope.get("query_string", b""))
                return
        if (scope["type"] != "http" or scope.get("method") != "GET"
                or any(prefix in path for prefix in _SKIP_PREFIXES)):
            await self.app(scope, receive, send)
            return
        lang = page_lang(scope.get("query_string", b""))
        start: dict[str, Any] | None = None
        chunks: list[bytes] = []

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if message.get("status") == 200 and headers.get(b"content-type", b"").startswith(b"text/html"):
                    start = message  # hold back until the whole body is here
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(chunks)
                encoding = dict(start.get("headers", [])).get(b"content-encoding", b"")
                if encoding == b"gzip":
                    body = gzip.decompress(body)
                elif encoding:  # an encoding we cannot read: send it as it came
                    await send(start)
                    await send({"type": "http.response.body", "body": body})
                    return
                body = rewrite_html(body, lang)
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in _DROP_HEADERS]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, send_wrapper)
