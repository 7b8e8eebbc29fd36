"""Servers for ``bench/load.py``: loopback checks and RSS/CPU sampling; starting and stopping is
:mod:`server` (the launcher the browser tests share)."""
from __future__ import annotations

import ipaddress
import subprocess
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psutil
from server import ROOT, free_port, running, stop
from server import wait_healthy as _wait_healthy

__all__ = ["ROOT", "check_loopback", "find_server_pid", "free_port", "stop_process", "streamlit_server",
           "wait_healthy"]


def _busy_seconds() -> float:
    """CPU seconds all processes of the machine have used (every core; idle/iowait excluded)."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)



def check_loopback(url: str) -> tuple[str, int]:
    """Host and port of ``url``; refuses anything but a loopback address."""
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme != "http":
        raise ValueError(f"only http:// on loopback is supported, got {url!r}")
    if host != "localhost":
        try:
            if not ipaddress.ip_address(host).is_loopback:
                raise ValueError
        except ValueError:
            raise ValueError(f"load tests may only target loopback (127.0.0.1/localhost), got {host!r}") from None
    return host, port


def wait_healthy(url: str, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``/_stcore/health`` of a loopback ``url`` until it answers ``ok`` (bounded by ``timeout``)."""
    check_loopback(url)
    _wait_healthy(url, timeout, proc)


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started by :func:`streamlit_server` (its whole process group) and reap it."""
    stop(proc)


@contextmanager
def streamlit_server(port: int | None = None, app: str = "app.py", extra_args: tuple[str, ...] = (),
                     startup_timeout: float = 90.0) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run ``streamlit run <app>`` on 127.0.0.1 (a free port by default); always stopped on exit.

    Yields ``(url, process)``. A server that does not start raises :class:`server.ServerStartError`
    ending with its log.
    """
    with running(app, port=port, extra_args=extra_args, startup_timeout=startup_timeout) as srv:
        yield srv.url, srv.proc


def find_server_pid(port: int) -> int | None:
    """PID of the process listening on ``port`` (None if it cannot be seen)."""
    try:
        for c in psutil.net_connections(kind="tcp"):
            if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid:
                return int(c.pid)
    except (psutil.AccessDenied, PermissionError):
        return None
    return None


def _rss(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        p = psutil.Process(pid)
        return float(p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True)))
    except psutil.Error:
        return None


def _cpu_seconds(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        t = psutil.Process(pid).cpu_times()
        return t.user + t.system
    except psutil.Error:
        return None


def _active_sessions(base: str) -> int | None:
    try:
        with urllib.request.urlopen(base + "/_stcore/metrics", timeout=5) as r:
            text = r.read().decode()
    except Exception:  # noqa: BLE001 - metrics are optional
        return None
    for line in text.splitlines():
        if line.startswith("active_sessions"):
            try:
                return int(float(line.split()[-1]))
            except ValueError:
                return None
    return None



def _urls(url: str) -> list[str]:
    """The replica URLs in ``url`` (comma-separated), each checked to be loopback."""
    urls = [u.strip().rstrip("/") for u in url.split(",") if u.strip()]
    if not urls:
        raise ValueError("no URL given")
    for u in urls:
        check_loopback(u)
    return urls


def _rss_all(pids: list[int]) -> float | None:
    values = [_rss(p) for p in pids]
    return None if not pids or any(v is None for v in values) else float(sum(values))  # type: ignore[arg-type]


def _cpu_all(pids: list[int]) -> float | None:
    values = [_cpu_seconds(p) for p in pids]
    return None if not pids or any(v is None for v in values) else float(sum(values))  # type: ignore[arg-type]

