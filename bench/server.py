"""The one way to start a Streamlit server of this app, for browser tests and benchmarks alike.

``tests/e2e/conftest.py`` (as ``bench.server``), ``tests/test_security_headers.py`` and
``bench/load.py`` (as ``server``, through ``bench/load_server.py``) all start ``streamlit run`` here:
same flags, same health check, same clean-up. Standard library only, so a test can import it
without the benchmark dependencies.

Every server runs on 127.0.0.1 and a free port, in its own process session, so stopping it stops
the whole group (Streamlit's own children included), and a server that does not answer
``/_stcore/health`` in time is stopped and reported with the end of its log.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Generous: the first run imports pandas/scipy and fills the caches on a 2-core machine (seconds).
STARTUP_TIMEOUT_S = 90.0
#: Other people edit the sources while tests run: never reload mid-run, never phone home.
FLAGS = ("--server.headless=true", "--server.address=127.0.0.1", "--server.fileWatcherType=none",
         "--server.runOnSave=false", "--browser.gatherUsageStats=false")
LOG_TAIL_CHARS = 3000


class ServerStartError(RuntimeError):
    """The server exited or did not become healthy; the message ends with its log."""


@dataclass(frozen=True)
class Server:
    """A started server: its address, entry script, log file and process."""

    url: str
    port: int
    entry: str
    log: Path
    proc: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        """PID of the ``streamlit run`` process (the leader of its process group)."""
        return self.proc.pid


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def default_entry() -> str:
    """``KLIMAT_E2E_ENTRY`` if set, else ``asgi.py`` (the production entry), else ``app.py``."""
    chosen = os.environ.get("KLIMAT_E2E_ENTRY")
    if chosen:
        return chosen
    return "asgi.py" if (ROOT / "asgi.py").exists() else "app.py"


def healthy(url: str, timeout: float = 2.0) -> bool:
    """True when ``<url>/_stcore/health`` answers 200 ``ok``."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/_stcore/health", timeout=timeout) as r:  # noqa: S310
            return bool(r.status == 200 and r.read().strip() == b"ok")
    except (urllib.error.URLError, OSError):
        return False


def _tail(log: Path | None) -> str:
    if log is None or not log.exists():
        return ""
    return "\n--- server log (end) ---\n" + log.read_text(errors="replace")[-LOG_TAIL_CHARS:]


def wait_healthy(url: str, timeout: float = STARTUP_TIMEOUT_S, proc: subprocess.Popen[bytes] | None = None,
                 log: Path | None = None) -> None:
    """Poll the health endpoint until it answers, ``proc`` exits or ``timeout`` seconds pass.

    Raises
    ------
    ServerStartError
        The process exited first, or the server was not healthy within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while not healthy(url):
        if proc is not None and proc.poll() is not None:
            raise ServerStartError(f"streamlit exited with code {proc.returncode} before {url} was healthy"
                                   + _tail(log))
        if time.monotonic() > deadline:
            raise ServerStartError(f"{url} not healthy after {timeout:.0f} s" + _tail(log))
        time.sleep(0.25)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL after 15 s; always reaped."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def start(entry: str | None = None, *, port: int | None = None, env: Mapping[str, str | None] | None = None,
          log: Path | None = None, extra_args: tuple[str, ...] = (),
          startup_timeout: float = STARTUP_TIMEOUT_S) -> Server:
    """Start ``streamlit run <entry>`` and wait until it is healthy; the caller must :func:`stop` it.

    Parameters
    ----------
    entry : str, optional
        Script relative to the repository root; default :func:`default_entry`.
    port : int, optional
        Default: a free port.
    env : Mapping[str, str or None], optional
        Added to this process's environment (e.g. ``KLIMAT_DB_URL``); a None value removes the variable.
    log : pathlib.Path, optional
        Server output (stdout and stderr); default a temporary file.
    extra_args : tuple of str
        More ``streamlit run`` options, after :data:`FLAGS` (so they win).
    startup_timeout : float
        Seconds to wait for the health check.

    Raises
    ------
    ServerStartError
        The server did not start; it has been stopped and the message ends with its log.
    """
    entry = entry or default_entry()
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    if log is None:
        fd, name = tempfile.mkstemp(prefix="klimat-streamlit-", suffix=".log")
        os.close(fd)
        log = Path(name)
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name, value in (env or {}).items():
        if value is None:
            full_env.pop(name, None)
        else:
            full_env[name] = value
    cmd = [sys.executable, "-m", "streamlit", "run", entry, *FLAGS, f"--server.port={port}", *extra_args]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_healthy(url, startup_timeout, proc, log)
    except BaseException:
        stop(proc)
        raise
    return Server(url, port, entry, log, proc)


@contextmanager
def running(entry: str | None = None, *, port: int | None = None, env: Mapping[str, str | None] | None = None,
            log: Path | None = None, extra_args: tuple[str, ...] = (),
            startup_timeout: float = STARTUP_TIMEOUT_S) -> Iterator[Server]:
    """``with running("app.py") as srv:`` — :func:`start` (same parameters), and :func:`stop` on exit."""
    srv = start(entry, port=port, env=env, log=log, extra_args=extra_args, startup_timeout=startup_timeout)
    try:
        yield srv
    finally:
        stop(srv.proc)
