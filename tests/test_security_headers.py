"""Production defaults of a started server (``streamlit run asgi.py``), over real HTTP.

Issue 11 item 12: headers on every response, the Host check (HTTP and websocket), no metrics,
the server-side upload cap, and page addresses that land on a real page (issue 10: /workshop).
The unit-level behaviour is in tests/test_asgi.py; the browser's view (no external favicon)
in tests/e2e/test_security_e2e.py.
"""
from __future__ import annotations

import base64
import http.client
import os
import socket
from collections.abc import Iterator

import pytest

from bench import server
from serving.security import MAX_UPLOAD_BYTES

SITE = "klimat.example.se"

def request(port: int, method: str, path: str, host: str | None = None, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request with an exact Host header; (status, lower-case headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None and "Transfer-Encoding" not in (headers or {}):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body is not None:
            if (headers or {}).get("Transfer-Encoding") == "chunked":
                for i in range(0, len(body), 65536):
                    part = body[i:i + 65536]
                    conn.send(b"%x\r\n%s\r\n" % (len(part), part))
                conn.send(b"0\r\n\r\n")
            else:
                conn.send(body)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    except (ConnectionResetError, BrokenPipeError):
        return 0, {}, b""  # the server refused and closed while the body was still being sent
    finally:
        conn.close()


def websocket_status(port: int, host: str) -> bytes:
    """The status line a websocket handshake to /_stcore/stream gets with this Host."""
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   f"Origin: http://{host}\r\nSec-WebSocket-Protocol: streamlit\r\n\r\n").encode())
        return s.recv(200).split(b"\r\n")[0]


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """``streamlit run asgi.py`` with the shipped config and KLIMAT_ALLOWED_HOSTS set to one site.

    Started by bench/server.py, the launcher the browser tests and benchmarks share; its flags
    (headless, loopback, no file watcher) do not touch what is tested here.
    """
    env = {"KLIMAT_ALLOWED_HOSTS": SITE, "KLIMAT_EXPOSE_METRICS": None,
           "KLIMAT_DB_URL": f"sqlite:///{tmp_path_factory.mktemp('ws') / 'ws.sqlite'}"}
    try:
        srv = server.start("asgi.py", env=env, log=tmp_path_factory.mktemp("server") / "server.log")
    except server.ServerStartError as exc:
        pytest.fail(str(exc))
    try:
        yield srv.port
    finally:
        server.stop(srv.proc)


def _asset(port: int) -> str:
    html = request(port, "GET", "/")[2].decode("utf-8", "replace")
    start = html.index('src="', html.index("<script")) + 5
    return "/" + html[start:html.index('"', start)].lstrip("./")


@pytest.mark.parametrize("what", ["page", "asset", "health", "redirect", "refused"])
def test_every_response_carries_the_security_headers(port: int, what: str) -> None:
    path = {"page": "/", "asset": _asset(port) if what == "asset" else "", "health": "/_stcore/health",
            "redirect": "/workshop", "refused": "/_stcore/metrics"}[what]
    status, headers, _ = request(port, "GET", path)
    assert status in (200, 308, 404), (path, status)
    assert headers["content-security-policy"] == "frame-ancestors 'self'"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("host, ok", [("127.0.0.1:{port}", True), ("localhost:{port}", True), (SITE, True),
                                      (f"{SITE}:443", True), ("evil.example", False),
                                      (f"{SITE}.evil.example", False), ("192.168.1.5:{port}", False)])
def test_host_header_is_checked_for_http_and_websocket(port: int, host: str, ok: bool) -> None:
    host = host.format(port=port)
    status, _, body = request(port, "GET", "/", host=host)
    assert status == (200 if ok else 400), (host, status, body[:80])
    assert websocket_status(port, host).startswith(b"HTTP/1.1 101" if ok else b"HTTP/1.1 403"), host


def test_health_answers_a_probe_by_address_but_metrics_are_refused(port: int) -> None:
    assert request(port, "GET", "/_stcore/health", host="10.0.0.7:8501")[:1] == (200,)
    for host in (f"127.0.0.1:{port}", SITE):
        status, _, body = request(port, "GET", "/_stcore/metrics", host=host)
        assert status == 404 and b"streamlit" not in body.lower() and b"# TYPE" not in body


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversized_upload_is_refused_by_the_server(port: int, chunked: bool) -> None:
    body = b"x" * (3 * 1024 * 1024)
    headers = {"Content-Type": "multipart/form-data; boundary=b"}
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
    status, _, text = request(port, "PUT", "/_stcore/upload_file/some-session/some-file", body=body,
                              headers=headers)
    assert status in (413, 0), status  # 0: refused and closed before the whole body was sent
    if status:
        assert "64 kB" in text.decode("utf-8")
    # A small body passes the cap and reaches Streamlit (which then wants its XSRF token).
    status, _, _ = request(port, "PUT", "/_stcore/upload_file/some-session/some-file", body=b"x" * 1000,
                           headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert status not in (413, 0)


@pytest.mark.parametrize("path, target", [
    ("/workshop?ws=ABC234", "/ws?ws=ABC234"), ("/jamfor?lang=en", "/compare?lang=en"),
    ("/osakerhet?k=0381", "/uncertainty?k=0381"), ("/data", "/data-och-metod"),
    ("/compare/extra/junk?k=0381&ev=80", "/compare?k=0381&ev=80"), ("//?k=0381", "/?k=0381"),
    ("/start?k=0381", "/?k=0381"),
])
def test_guessed_and_broken_addresses_redirect_to_a_real_page(port: int, path: str, target: str) -> None:
    status, headers, _ = request(port, "GET", path)
    assert status == 308 and headers["location"] == target
    status, headers, body = request(port, "GET", target)
    assert status == 200 and b"<html" in body


def test_real_pages_are_served_directly(port: int) -> None:
    for path in ("/", "/compare", "/ws", "/uncertainty", "/what-it-takes", "/data-och-metod"):
        status, _, body = request(port, "GET", path + "?lang=en")
        assert status == 200 and b'<html lang="en">' in body, path


def test_streamlit_routes_below_a_page_are_not_redirected(port: int) -> None:
    # On /compare the browser first probes for the server at /compare/_stcore/… (Streamlit: 404)
    # and then at /_stcore/…; a redirect to the page's HTML there left the page unconnected.
    for path in ("/compare/_stcore/health", "/ws/_stcore/host-config"):
        status, headers, body = request(port, "GET", path)
        assert status == 404 and "location" not in headers and b"<html" not in body, path


def test_upload_cap_fits_the_scenario_file_limit() -> None:
    from model.scenario import MAX_FILE_BYTES
    assert MAX_FILE_BYTES < MAX_UPLOAD_BYTES <= 1024 * 1024
