"""Safe defaults without a proxy: the outermost middleware of ``asgi.py``.

:class:`SecurityMiddleware` gives a default deployment safe behaviour without a proxy
(deploy/README.md says what the proxy adds on top):

* every HTTP response carries ``Content-Security-Policy: frame-ancestors 'self'``,
  ``X-Frame-Options: SAMEORIGIN``, ``X-Content-Type-Options: nosniff`` and
  ``Referrer-Policy: strict-origin-when-cross-origin`` (no framing by other sites);
* the ``Host`` header of HTTP requests and websockets must be loopback or listed in
  ``KLIMAT_ALLOWED_HOSTS`` (or Streamlit's ``server.allowedHosts``), against DNS rebinding;
  ``/_stcore/health`` answers any host (container and Kubernetes probes use the pod address);
* ``/_stcore/metrics`` answers 404 unless ``KLIMAT_EXPOSE_METRICS=1``;
* upload bodies above :data:`MAX_UPLOAD_BYTES` are refused with 413 before Streamlit stores
  them (Streamlit's per-widget limit is only checked in the browser).
"""
from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable
from typing import Any

from streamlit import config as st_config

from model.scenario import MAX_FILE_BYTES

#: Sent with every HTTP response (pages, assets, API). frame-ancestors is the modern form of
#: X-Frame-Options; both are sent for old browsers. No full CSP: Streamlit's bundle needs
#: inline styles and eval-free but dynamic script loading that a strict policy would break.
SECURITY_HEADERS = (
    (b"content-security-policy", b"frame-ancestors 'self'"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)
_SECURITY_NAMES = {name for name, _ in SECURITY_HEADERS}
#: Host names every server accepts: the machine itself (health checks, a local run).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
#: The largest upload request body (multipart) the server takes: one scenario file of at most
#: MAX_FILE_BYTES (64 KiB) plus room for the form's headers and a long file name. A larger
#: scenario file between the two still gets the loader's clear "too large" message.
MAX_UPLOAD_BYTES = 2 * MAX_FILE_BYTES
_UPLOAD_PATH = "/_stcore/upload_file/"
_METRICS_PATH = "/_stcore/metrics"
_HEALTH_PATH = "/_stcore/health"


def allowed_hosts(env: str | None = None, configured: Iterable[str] | None = None) -> tuple[str, ...]:
    """The Host names this server answers: loopback plus ``KLIMAT_ALLOWED_HOSTS``.

    Parameters
    ----------
    env : str, optional
        The ``KLIMAT_ALLOWED_HOSTS`` value (default: the environment): host names separated by
        spaces or commas; ``*.example.se`` allows the subdomains, ``*`` any host (only behind
        a proxy that checks the host itself).
    configured : iterable of str, optional
        Streamlit's ``server.allowedHosts`` (default: its configured value), so a deployment that
        sets ``STREAMLIT_SERVER_ALLOWED_HOSTS`` gets the same list for HTTP as for websockets.
    """
    raw = os.environ.get("KLIMAT_ALLOWED_HOSTS", "") if env is None else env
    if configured is None:
        configured = st_config.get_option("server.allowedHosts") or []
    listed = [h for h in re.split(r"[\s,]+", raw) if h] + [str(h) for h in configured if h]
    return LOOPBACK_HOSTS + tuple(dict.fromkeys(h.strip().lower().rstrip(".") for h in listed))


def host_name(header: str) -> str:
    """The host of a Host header, lower case, without port and brackets.

    Parameters
    ----------
    header : str
        The ``Host`` header as the client sent it (``klimat.example.se:443``, ``[::1]:8501``).

    Returns
    -------
    str
        The host name or address, or "" when the header is malformed (a bad port, a bare IPv6).
    """
    host = header.strip().lower()
    if host.startswith("["):  # [::1]:8501
        end, rest = host.find("]"), host[host.find("]") + 1:]
        ok = end > 0 and (not rest or (rest[0] == ":" and rest[1:].isdigit()))
        return host[1:end] if ok else ""
    if host.count(":") == 1:
        host, _, port = host.partition(":")
        if not port.isdigit():
            return ""
    elif ":" in host:  # a bare IPv6 address is not a valid Host header
        return ""
    return host.rstrip(".")


def host_allowed(header: str | None, allowed: Iterable[str]) -> bool:
    """True if the Host header names one of ``allowed``.

    Parameters
    ----------
    header : str or None
        The ``Host`` header (None or "" when the request had none: refused).
    allowed : iterable of str
        What :func:`allowed_hosts` returns: names, ``*.domain`` for its subdomains, ``*`` for any.

    Returns
    -------
    bool
        Whether the request may reach the app; any loopback address (``127.0.0.2`` too) is
        allowed when ``allowed`` lists a loopback name.
    """
    host = host_name(header or "")
    if not host or not re.fullmatch(r"[a-z0-9.\-:\[\]_]+", host):
        return False
    for entry in allowed:
        if entry == "*" or entry == host:
            return True
        if entry.startswith("*.") and host.endswith(entry[1:]) and len(host) > len(entry) - 1:
            return True
    if host.replace(".", "").isdigit() or ":" in host:
        try:
            return ipaddress.ip_address(host).is_loopback and any(h in LOOPBACK_HOSTS for h in allowed)
        except ValueError:
            return False
    return False


async def _plain(send: Any, status: int, text: str, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    """Answer with a short plain-text response of our own (it carries the security headers too)."""
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS, *extra]})
    await send({"type": "http.response.body", "body": body})


class SecurityMiddleware:
    """Safe defaults without a proxy: security headers, host check, no metrics, upload cap."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._hosts: tuple[str, ...] | None = None

    def hosts(self) -> tuple[str, ...]:
        """The allowed Host names (:func:`allowed_hosts`), read once.

        Returns
        -------
        tuple of str
            Loopback names first, then the configured ones.
        """
        # Read on first use: Streamlit's config (server.allowedHosts) is loaded after import.
        if self._hosts is None:
            self._hosts = allowed_hosts()
        return self._hosts

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        root = scope.get("root_path", "").rstrip("/")
        if root and path.startswith(root):
            path = path[len(root):] or "/"
        headers = dict(scope.get("headers", []))
        host = headers.get(b"host", b"").decode("latin-1")
        if not (kind == "http" and path == _HEALTH_PATH) and not host_allowed(host, self.hosts()):
            if kind == "websocket":
                await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
            else:
                await _plain(send, 400, "Okänd värd (Host) / Unknown host\n")
            return
        if kind == "websocket":
            await self.app(scope, receive, send)
            return
        if path.rstrip("/") == _METRICS_PATH and os.environ.get("KLIMAT_EXPOSE_METRICS") != "1":
            await _plain(send, 404, "Not found\n")
            return
        if path.startswith(_UPLOAD_PATH) and scope.get("method") in ("PUT", "POST", "PATCH"):
            receive = await self._bounded_body(headers, receive, send)
            if receive is None:
                return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _SECURITY_NAMES]
                message = {**message, "headers": kept + list(SECURITY_HEADERS)}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _bounded_body(self, headers: dict[bytes, bytes], receive: Any, send: Any) -> Any:
        """A receive that replays the whole body, or None after a 413 (body too large)."""
        kb = MAX_FILE_BYTES // 1024
        too_large = f"För stor fil (högst {kb} kB) / File too large (at most {kb} kB)\n"
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
            await _plain(send, 413, too_large, ((b"connection", b"close"),))
            return None
        # Read it all here (at most MAX_UPLOAD_BYTES): a chunked body has no length to check.
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return receive  # client gone: let the app see the disconnect
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_UPLOAD_BYTES:
                await _plain(send, 413, too_large, ((b"connection", b"close"),))
                return None
            if not message.get("more_body"):
                break
        body, done = b"".join(chunks), False

        async def replay() -> dict[str, Any]:
            nonlocal done
            if not done:
                done = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay


