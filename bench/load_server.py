"""Starting/stopping Streamlit servers and sampling their RSS/CPU (used by ``bench/load.py``)."""
from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent


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
            raise ValueError(f"load tests may only target loopback (127.0.0.1/localhost), got {host!r}")
    return host, port


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Poll ``/_stcore/health`` until it answers ``ok`` (bounded by ``timeout``)."""
    check_loopback(url)
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before becoming healthy")
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/_stcore/health", timeout=2) as r:
                if r.status == 200 and r.read().strip() == b"ok":
                    return
        except Exception as exc:  # noqa: BLE001 - not up yet
            last = exc
        time.sleep(0.25)
    raise TimeoutError(f"{url} not healthy after {timeout:.0f} s ({last})")



def stop_process(proc: subprocess.Popen) -> None:
    """Terminate ``proc`` (kill it if it does not stop within 15 s) and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def streamlit_server(port: int | None = None, app: str = "app.py", extra_args: tuple[str, ...] = (),
                     startup_timeout: float = 90.0) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``streamlit run app.py`` on 127.0.0.1 and a free port; always stopped on exit.

    Yields ``(url, process)``. The server log goes to a temporary file that is printed
    to stderr if the server fails to start.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="klimat-streamlit-", suffix=".log", delete=False)
    cmd = [sys.executable, "-m", "streamlit", "run", app, "--server.address=127.0.0.1",
           f"--server.port={port}", "--server.headless=true", "--browser.gatherUsageStats=false",
           "--server.runOnSave=false", "--server.fileWatcherType=none", *extra_args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        try:
            wait_healthy(url, startup_timeout, proc)
        except Exception:
            log.flush()
            sys.stderr.write(Path(log.name).read_text(errors="replace")[-4000:])
            raise
        yield url, proc
    finally:
        stop_process(proc)
        log.close()
        try:
            os.unlink(log.name)
        except OSError:
            pass


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

