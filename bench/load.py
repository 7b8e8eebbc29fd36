"""Load test: N simulated users, each a real Streamlit browser session over the websocket.

Every user does what the browser frontend of Streamlit 1.67 does (checked against the
frames a real Chromium sends, see "Protocol" below): it polls ``/_stcore/health`` (which
sets the ``_streamlit_xsrf`` cookie), fetches ``/_stcore/host-config``, opens
``/_stcore/stream`` and then sends ``BackMsg.rerun_script`` messages. After the first
run it moves a random lever slider (``lv_*``) to a random value on the slider's step,
waits for the rerun to finish (``ForwardMsg.script_finished``), thinks 1–3 s and
repeats. The rerun latency is the time from sending the change to receiving
``script_finished`` for that rerun.

Usage::

    python bench/load.py --users 50 --seconds 60 --start-server
    python bench/load.py --url http://127.0.0.1:8501 --users 10 --seconds 30
    # what a setting or a second replica changes (users spread round-robin, as a sticky proxy does):
    python bench/load.py --start-server --server-arg=--runner.postScriptGC=false --replicas 2

The last line reads
``users=… p50_ms=… p95_ms=… max_ms=… errors=… mb_per_session=…``; the lines before it
give more percentiles, throughput, first-page-load times, RSS at each step and the CPU
of the server, of this client and of *other* processes (a busy machine skews latency).

Memory: RSS of the server process (psutil) before any user connects (``rss_0``),
after the first user has loaded the page and moved a lever (``rss_1``), and after all
N users have done the same (``rss_N``); ``mb_per_session = (rss_N - rss_1) / (N - 1)``.
With K replicas the RSS is summed and the first K users (one per replica) are the
reference: ``(rss_N - rss_K) / (N - K)``. Through a proxy (one URL, several servers
behind it) pass every ``--server-pid``; the figure then includes the other replicas'
warm-up, so measure memory against the replicas directly.

Errors: exception elements in the app (``Delta.new_element.exception``), compile
errors, unexpected disconnects and reruns that did not finish within ``--timeout``.

Protocol (Streamlit 1.67, read from ``streamlit/web/server/starlette/`` and the
frontend bundle, and compared with the frames sent by Chromium):

* ``Sec-WebSocket-Protocol: streamlit, <xsrf token>[, <session id to resume>]``. The
  token is the raw value of the ``_streamlit_xsrf`` cookie (set by ``/_stcore/health``);
  the server only uses it to authenticate auth cookies, it is not required to connect.
  The ``Origin`` must be same-origin (or an allowed origin) or the socket is closed
  with 1008.
* First message: ``rerun_script`` with an empty query string, no widget states,
  empty ``page_script_hash`` and ``context_info`` (timezone, locale, url, …).
* Later reruns carry *all* widget states the frontend knows (not just the changed
  one), the query string last set by the server (``page_info_changed``), the page
  script hash (``navigation``/``new_session``) and the hashes of cached messages.
  Widget values are sent in the frontend's types: slider ``double_array_value``,
  selectbox/radio ``string_value`` with the *formatted label*, segmented control /
  pills ``string_array_value`` with labels, number_input ``double_value``/``int_value``.
* Widget ids look like ``$$ID-<hash>-<key>`` and are read from the deltas.
* Messages of at least ``global.minCachedMessageSize`` are ``metadata.cacheable``; a
  client that announces their hash receives a ``ref_hash`` reference next time.

Only loopback addresses are accepted as targets.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import ipaddress
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import psutil
import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parent.parent
LEVER_PREFIX = "lv_"
XSRF_COOKIE = "_streamlit_xsrf"
FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
MB = 1024 * 1024


# --------------------------------------------------------------------------- config / result


@dataclass
class LoadConfig:
    """One load-test run."""

    url: str = "http://127.0.0.1:8501"  # several replicas: comma-separated
    users: int = 50
    seconds: float = 60.0
    think_min: float = 1.0
    think_max: float = 3.0
    ramp_seconds: float | None = None  # default: 0.2 s between users, at most 20 s in all
    warmup_reruns: int = 1  # lever moves per user before it counts as warm
    warmup_timeout: float = 180.0  # bound on the whole warm-up phase
    rerun_timeout: float = 30.0  # a rerun not finished by then is an error
    connect_timeout: float = 15.0
    seed: int = 1
    locale: str = "sv-SE"
    server_pids: tuple[int, ...] = ()  # RSS/CPU source; found from the listening port(s) if empty
    verbose: bool = True


@dataclass
class UserStats:
    """What one simulated user saw."""

    index: int
    latencies_ms: list[float] = field(default_factory=list)  # measured phase only
    warm_reruns: int = 0
    initial_ms: float | None = None
    errors: list[str] = field(default_factory=list)
    messages: int = 0
    bytes_in: int = 0
    warm: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)


@dataclass
class LoadResult:
    """Figures of one run (``summary_line`` is what the CLI prints last)."""

    users: int
    replicas: int
    latencies_ms: list[float]
    reruns_per_user: list[int]
    errors: int
    error_kinds: dict[str, int]
    error_samples: list[str]
    initial_ms: list[float]
    rss_0: float | None
    rss_1: float | None
    rss_n: float | None
    rss_end: float | None
    rss_peak: float | None
    active_sessions: int | None
    server_cpu_pct: float | None
    client_cpu_pct: float | None
    machine_busy_pct: float | None  # all processes, 100 % = one core
    load_avg: float | None  # 1-minute load average at the end of the measured phase
    measured_seconds: float
    mb_in: float

    @staticmethod
    def _pct(values: list[float], q: float) -> float:
        if not values:
            return math.nan
        s = sorted(values)
        pos = (len(s) - 1) * q
        lo, hi = math.floor(pos), math.ceil(pos)
        return s[lo] + (s[hi] - s[lo]) * (pos - lo)

    @property
    def p50_ms(self) -> float:
        return self._pct(self.latencies_ms, 0.50)

    @property
    def p95_ms(self) -> float:
        return self._pct(self.latencies_ms, 0.95)

    @property
    def max_ms(self) -> float:
        return max(self.latencies_ms) if self.latencies_ms else math.nan

    @property
    def mb_per_session(self) -> float:
        if self.rss_1 is None or self.rss_n is None or self.users <= self.replicas:
            return math.nan
        return (self.rss_n - self.rss_1) / MB / (self.users - self.replicas)

    def _other_cpu(self) -> float | None:
        if None in (self.machine_busy_pct, self.server_cpu_pct, self.client_cpu_pct):
            return None
        return max(self.machine_busy_pct - self.server_cpu_pct - self.client_cpu_pct, 0.0)  # type: ignore[operator]

    def summary_line(self) -> str:
        return (f"users={self.users} p50_ms={self.p50_ms:.0f} p95_ms={self.p95_ms:.0f} "
                f"max_ms={self.max_ms:.0f} errors={self.errors} mb_per_session={self.mb_per_session:.1f}")

    def details(self) -> str:
        mb = lambda v: "n/a" if v is None else f"{v / MB:.0f} MB"  # noqa: E731
        n = len(self.latencies_ms)
        rate = n / self.measured_seconds if self.measured_seconds else math.nan
        lines = [
            f"reruns measured: {n} in {self.measured_seconds:.0f} s ({rate:.1f}/s); per user "
            f"min {min(self.reruns_per_user, default=0)}, max {max(self.reruns_per_user, default=0)}",
            f"latency ms: p50 {self.p50_ms:.0f}, p90 {self._pct(self.latencies_ms, 0.9):.0f}, "
            f"p95 {self.p95_ms:.0f}, p99 {self._pct(self.latencies_ms, 0.99):.0f}, max {self.max_ms:.0f}, "
            f"mean {statistics.fmean(self.latencies_ms) if n else math.nan:.0f}",
            f"first page load ms: p50 {self._pct(self.initial_ms, 0.5):.0f}, max "
            f"{max(self.initial_ms, default=math.nan):.0f}",
            f"server RSS{f' (sum of {self.replicas} replicas)' if self.replicas > 1 else ''}: baseline "
            f"{mb(self.rss_0)}, {self.replicas} session(s) {mb(self.rss_1)}, {self.users} sessions "
            f"{mb(self.rss_n)}, end {mb(self.rss_end)}, peak {mb(self.rss_peak)}; "
            f"active_sessions (metrics) {self.active_sessions}",
            f"CPU (100 % = one core, {os.cpu_count()} cores): server {_num(self.server_cpu_pct)} %, load "
            f"client {_num(self.client_cpu_pct)} %, other processes {_num(self._other_cpu())} %; load "
            f"average {_num(self.load_avg, 1)}; received {self.mb_in:.0f} MB",
            f"errors: {self.errors} {self.error_kinds or ''}",
        ]
        lines += [f"  e.g. {e}" for e in self.error_samples[:5]]
        return "\n".join(lines)


# --------------------------------------------------------------------------- helpers


def _num(v: float | None, digits: int = 0) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


def _busy_seconds() -> float:
    """CPU seconds all processes of the machine have used (every core; idle/iowait excluded)."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def _log(cfg: LoadConfig, msg: str) -> None:
    if cfg.verbose:
        print(f"[load] {msg}", file=sys.stderr, flush=True)


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
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
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


# --------------------------------------------------------------------------- one browser session


class Disconnected(Exception):
    """The server closed the websocket."""


class RerunTimeout(Exception):
    """A rerun did not finish in time."""


class BrowserSession:
    """A Streamlit client speaking the websocket protocol like the 1.67 frontend."""

    def __init__(self, base_url: str, locale: str = "sv-SE", timeout: float = 15.0) -> None:
        self.base = base_url.rstrip("/")
        self.locale = locale
        self.timeout = timeout
        self.ws: websocket.WebSocket | None = None
        self.query_string = ""
        self.page_script_hash = ""
        self.widgets: dict[str, WidgetState] = {}  # the frontend's WidgetStateManager
        self.sliders: dict[str, Any] = {}  # widget id -> Slider proto (latest)
        self.seen_ids: set[str] = set()  # widget ids rendered in the current run
        self.cache: dict[str, tuple[ForwardMsg, int]] = {}  # hash -> (message, run it was last used)
        self.max_cache_age = 2
        self.runs = 0
        self.exceptions: list[str] = []
        self.messages = 0
        self.bytes_in = 0

    # -- connection
    def connect(self) -> None:
        host_port = urlsplit(self.base).netloc
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for path in ("/", "/_stcore/health", "/_stcore/host-config"):  # what the page loads first
            with opener.open(self.base + path, timeout=self.timeout) as r:
                r.read()
        xsrf = next((c.value for c in jar if c.name == XSRF_COOKIE), None)
        protocols = ["streamlit", xsrf or "PLACEHOLDER_AUTH_TOKEN"]
        # Every cookie goes along, as in a browser (e.g. a sticky-routing cookie of a proxy).
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar) or None
        self.ws = websocket.create_connection(
            f"ws://{host_port}/_stcore/stream", timeout=self.timeout, subprotocols=protocols,
            origin=self.base, cookie=cookie, enable_multithread=False)

    def close(self) -> None:
        if self.ws is not None:
            try:
                self.ws.close(timeout=2)
            except Exception:  # noqa: BLE001 - closing a broken socket
                pass
            self.ws = None

    # -- messages
    def _context_info(self) -> dict[str, Any]:
        return {"timezone": "Europe/Stockholm", "timezone_offset": -60, "locale": self.locale,
                "url": self.base + "/" + (f"?{self.query_string}" if self.query_string else ""),
                "is_embedded": False, "color_scheme": "light"}

    def send_rerun(self, initial: bool = False) -> None:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query_string
        if not initial:
            rs.page_script_hash = self.page_script_hash
            rs.widget_states.widgets.extend(self.widgets.values())
            rs.cached_message_hashes.extend(self.cache.keys())
        else:
            rs.widget_states.SetInParent()
        for k, v in self._context_info().items():
            setattr(rs.context_info, k, v)
        assert self.ws is not None
        self.ws.send_binary(msg.SerializeToString())

    def _recv(self, timeout: float) -> ForwardMsg | None:
        """One ForwardMsg, or None when ``timeout`` passes without one."""
        assert self.ws is not None
        self.ws.settimeout(max(timeout, 0.001))
        try:
            opcode, data = self.ws.recv_data()
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError) as exc:
            raise Disconnected(f"{type(exc).__name__}: {exc}") from exc
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            raise Disconnected("server closed the websocket")
        self.bytes_in += len(data)
        self.messages += 1
        fm = ForwardMsg()
        fm.ParseFromString(data)
        return self._resolve(fm)

    def _resolve(self, fm: ForwardMsg) -> ForwardMsg:
        kind = fm.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(fm.ref_hash)
            if cached is None:
                raise RuntimeError(f"server referenced an uncached message {fm.ref_hash}")
            self.cache[fm.ref_hash] = (cached[0], self.runs)
            full = ForwardMsg()
            full.CopyFrom(cached[0])
            full.metadata.CopyFrom(fm.metadata)
            return full
        if fm.metadata.cacheable and fm.hash:
            self.cache[fm.hash] = (fm, self.runs)
        return fm

    def _handle(self, fm: ForwardMsg) -> int | None:
        """Update client state from one message; returns the script_finished status, if any."""
        kind = fm.WhichOneof("type")
        if kind == "new_session":
            ns = fm.new_session
            self.page_script_hash = ns.page_script_hash or self.page_script_hash
            if ns.config.max_cached_message_age:
                self.max_cache_age = ns.config.max_cached_message_age
            self.seen_ids = set()
        elif kind == "navigation":
            self.page_script_hash = fm.navigation.page_script_hash or self.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = fm.page_info_changed.query_string
        elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            etype = el.WhichOneof("type")
            if etype == "exception":
                ex = el.exception
                self.exceptions.append(f"{ex.type}: {ex.message}"[:300])
            else:
                self._widget(etype, getattr(el, etype) if etype else None)
        elif kind == "session_event" and fm.session_event.WhichOneof("type") == "script_compilation_exception":
            ex = fm.session_event.script_compilation_exception
            self.exceptions.append(f"compile error {ex.type}: {ex.message}"[:300])
        elif kind == "script_finished":
            status = fm.script_finished
            if status in FINISHED_OK:
                self.runs += 1
                # The frontend drops the states of widgets that were not rendered in the run …
                if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                    for wid in [w for w in self.widgets if w not in self.seen_ids]:
                        del self.widgets[wid]
                        self.sliders.pop(wid, None)
                # … and forgets cached messages not used in the last max_cached_message_age runs.
                for h in [h for h, (_, r) in self.cache.items() if self.runs - r > self.max_cache_age]:
                    del self.cache[h]
            return status
        return None

    def _widget(self, etype: str | None, w: Any) -> None:
        """Register a rendered widget's state the way the frontend's widgets do on mount."""
        wid = getattr(w, "id", "") if w is not None else ""
        if not wid or etype in ("button", "download_button", "link_button", "page_link"):
            return  # not a widget, or a trigger (only sent when clicked)
        self.seen_ids.add(wid)
        if wid in self.widgets and not getattr(w, "set_value", False):
            if etype == "slider":
                self.sliders[wid] = w
            return  # the frontend keeps its own value unless the server sets one
        ws = WidgetState(id=wid)
        if etype == "slider":
            ws.double_array_value.data.extend(w.value if w.set_value else w.default)
            self.sliders[wid] = w
        elif etype in ("selectbox", "radio"):
            if w.set_value:
                if w.HasField("raw_value"):
                    ws.string_value = w.raw_value
                else:
                    return
            elif w.HasField("default"):
                ws.string_value = w.options[w.default]
            else:
                return
        elif etype == "button_group":
            labels = list(w.raw_values) if w.set_value else [w.options[i].content for i in w.default]
            ws.string_array_value.data.extend(labels)
        elif etype == "number_input":
            v = w.value if (w.set_value and w.HasField("value")) else (w.default if w.HasField("default") else None)
            if v is None:
                return
            if w.data_type == w.INT:
                ws.int_value = int(v)
            else:
                ws.double_value = float(v)
        elif etype in ("checkbox",):
            ws.bool_value = bool(w.value if w.set_value else w.default)
        elif etype in ("text_input", "text_area"):
            v = w.value if (w.set_value and w.HasField("value")) else (w.default if w.HasField("default") else None)
            if v is None:
                return
            ws.string_value = v
        else:
            return  # not used by this app; the server falls back to its own state
        self.widgets[wid] = ws

    def run_until_finished(self, timeout: float) -> int:
        """Read messages until this rerun's ``script_finished``; returns its status."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RerunTimeout(f"no script_finished within {timeout:.0f} s")
            fm = self._recv(left)
            if fm is None:
                continue
            status = self._handle(fm)
            if status is not None and status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return status

    def idle(self, seconds: float) -> None:
        """Think: keep reading (pings, late messages) like an open browser tab, for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            fm = self._recv(left)
            if fm is not None:
                self._handle(fm)

    # -- user actions
    def lever_ids(self) -> list[str]:
        return sorted(wid for wid in self.sliders if wid.rsplit("-", 1)[-1].startswith(LEVER_PREFIX)
                      and wid in self.widgets)

    def move_random_lever(self, rng: random.Random) -> tuple[str, float]:
        """Set a random lever slider to a random other value on its step (no send)."""
        wid = rng.choice(self.lever_ids())
        sl = self.sliders[wid]
        n = int(round((sl.max - sl.min) / sl.step)) if sl.step > 0 else 0
        current = list(self.widgets[wid].double_array_value.data)
        choices = [round(sl.min + k * sl.step, 10) for k in range(n + 1)]
        choices = [c for c in choices if not current or abs(c - current[0]) > 1e-9] or choices
        value = rng.choice(choices)
        ws = WidgetState(id=wid)
        ws.double_array_value.data.append(value)
        self.widgets[wid] = ws
        return wid.split("-", 2)[-1], value


# --------------------------------------------------------------------------- the load run


class _Clock:
    """Shared phase boundaries (monotonic seconds) set by the coordinator."""

    def __init__(self) -> None:
        self.measure_start = math.inf
        self.measure_end = math.inf
        self.stop = threading.Event()


def _user(idx: int, cfg: LoadConfig, base: str, clock: _Clock, stats: UserStats) -> None:
    rng = random.Random(cfg.seed * 1000 + idx)
    sess = BrowserSession(base, cfg.locale, cfg.connect_timeout)

    def check_exceptions() -> None:
        while sess.exceptions:
            stats.errors.append("exception: " + sess.exceptions.pop(0))

    try:
        sess.connect()
        t0 = time.monotonic()
        sess.send_rerun(initial=True)
        status = sess.run_until_finished(cfg.rerun_timeout * 2)
        stats.initial_ms = (time.monotonic() - t0) * 1000
        check_exceptions()
        if status not in FINISHED_OK:
            stats.errors.append(f"first run finished with status {status}")
        if not sess.lever_ids():
            raise RuntimeError("no lever sliders (lv_*) found in the first run")
        if cfg.warmup_reruns <= 0:
            stats.warm.set()
        while not clock.stop.is_set():
            sess.idle(rng.uniform(cfg.think_min, cfg.think_max))
            if clock.stop.is_set() or time.monotonic() >= clock.measure_end:
                break
            sess.move_random_lever(rng)
            t_send = time.monotonic()
            sess.send_rerun()
            status = sess.run_until_finished(cfg.rerun_timeout)
            ms = (time.monotonic() - t_send) * 1000
            check_exceptions()
            if status not in FINISHED_OK:
                stats.errors.append(f"rerun finished with status {status}")
            stats.warm_reruns += 1
            if stats.warm_reruns >= cfg.warmup_reruns:
                stats.warm.set()
            if clock.measure_start <= t_send < clock.measure_end:
                stats.latencies_ms.append(ms)
    except Disconnected as exc:
        stats.errors.append(f"disconnect: {exc}")
    except RerunTimeout as exc:
        stats.errors.append(f"timeout: {exc}")
    except Exception as exc:  # noqa: BLE001 - every failure is an error of the run
        stats.errors.append(f"client: {type(exc).__name__}: {exc}")
    finally:
        check_exceptions()
        stats.messages, stats.bytes_in = sess.messages, sess.bytes_in
        sess.close()
        stats.warm.set()
        stats.done.set()


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


def run_load(cfg: LoadConfig) -> LoadResult:
    """Run the load test against running server(s) at ``cfg.url`` (loopback only).

    ``cfg.url`` may list several replicas separated by commas; user ``i`` then talks to
    replica ``i mod K`` (what a sticky proxy does), RSS and CPU are summed over the
    replicas and the first K users (one per replica) are the warm reference:
    ``mb_per_session = (rss_N - rss_K) / (N - K)`` (K = 1: the single-server formula).
    """
    urls = _urls(cfg.url)
    k = len(urls)
    if cfg.users < k:
        raise ValueError(f"need at least one user per replica ({k})")
    for u in urls:
        wait_healthy(u, timeout=30)
    if cfg.server_pids:
        pids = list(cfg.server_pids)
    else:
        found = [find_server_pid(check_loopback(u)[1]) for u in urls]
        pids = [p for p in found if p is not None] if all(found) else []
    if not pids:
        _log(cfg, "server process not found (pass --server-pid); memory is not measured")
    me = psutil.Process()
    ramp = cfg.ramp_seconds if cfg.ramp_seconds is not None else min(0.2 * cfg.users, 20.0)
    gap = ramp / max(cfg.users - k, 1)
    clock = _Clock()
    stats = [UserStats(i) for i in range(cfg.users)]
    threads = [threading.Thread(target=_user, args=(i, cfg, urls[i % k], clock, stats[i]), daemon=True,
                                name=f"user-{i}") for i in range(cfg.users)]
    hard_deadline = time.monotonic() + 2 * cfg.warmup_timeout + ramp + cfg.seconds + 3 * cfg.rerun_timeout + 60
    mb = lambda v: "n/a" if v is None else f"{v / MB:.0f} MB"  # noqa: E731
    rss_0 = _rss_all(pids)
    _log(cfg, f"server pid(s) {pids}, baseline RSS {mb(rss_0)}; warming up {k} user(s), one per server")
    cpu_srv0 = cpu_srv1 = cpu_me0 = cpu_me1 = busy0 = busy1 = load_avg = None
    t_measured = 0.0
    rss_1 = rss_n = rss_end = active = None
    rss_peak = 0.0
    try:
        for th in threads[:k]:
            th.start()
        for s in stats[:k]:
            s.warm.wait(cfg.warmup_timeout)
        time.sleep(0.5)
        rss_1 = _rss_all(pids)
        _log(cfg, f"{k} session(s): RSS {mb(rss_1)}; ramping up {cfg.users - k} more over {ramp:.0f} s")
        for th in threads[k:]:
            th.start()
            time.sleep(gap)
        warm_deadline = time.monotonic() + cfg.warmup_timeout
        for s in stats:
            s.warm.wait(max(warm_deadline - time.monotonic(), 0))
        time.sleep(0.5)
        rss_n = _rss_all(pids)
        counts = [_active_sessions(u) for u in urls]
        active = None if any(c is None for c in counts) else sum(counts)  # type: ignore[misc]
        _log(cfg, f"{cfg.users} sessions warm: RSS {mb(rss_n)}; measuring {cfg.seconds:.0f} s")
        cpu_srv0, cpu_me0, busy0 = _cpu_all(pids), sum(me.cpu_times()[:2]), _busy_seconds()
        clock.measure_start = time.monotonic()
        clock.measure_end = clock.measure_start + cfg.seconds
        rss_peak = rss_n or 0.0
        while time.monotonic() < clock.measure_end:
            time.sleep(min(0.5, max(clock.measure_end - time.monotonic(), 0)))
            rss_peak = max(rss_peak, _rss_all(pids) or 0.0)
        t_measured = time.monotonic() - clock.measure_start
        cpu_srv1, cpu_me1, busy1 = _cpu_all(pids), sum(me.cpu_times()[:2]), _busy_seconds()
        load_avg = os.getloadavg()[0]
        # Users stop by themselves after their rerun in flight (bounded by rerun_timeout).
        for s in stats:
            s.done.wait(max(min(hard_deadline, time.monotonic() + cfg.rerun_timeout + cfg.think_max + 5)
                            - time.monotonic(), 0))
        rss_end = _rss_all(pids)
    finally:
        clock.stop.set()
        clock.measure_end = min(clock.measure_end, time.monotonic())
        for th in threads:
            if th.ident is not None:
                th.join(timeout=max(min(hard_deadline - time.monotonic(), cfg.rerun_timeout + 5), 0.1))
    for s, th in zip(stats, threads):
        if th.is_alive():
            s.errors.append("client: user thread did not stop")
    errs = [e for s in stats for e in s.errors]
    kinds: dict[str, int] = {}
    for e in errs:
        kind = e.split(":", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    per = lambda a, b: None if a is None or b is None or not t_measured else 100 * (b - a) / t_measured  # noqa: E731
    return LoadResult(
        users=cfg.users, replicas=k, latencies_ms=[x for s in stats for x in s.latencies_ms],
        reruns_per_user=[len(s.latencies_ms) for s in stats], errors=len(errs), error_kinds=kinds,
        error_samples=errs[:10], initial_ms=[s.initial_ms for s in stats if s.initial_ms is not None],
        rss_0=rss_0, rss_1=rss_1, rss_n=rss_n, rss_end=rss_end, rss_peak=rss_peak or None,
        active_sessions=active, server_cpu_pct=per(cpu_srv0, cpu_srv1),
        client_cpu_pct=per(cpu_me0, cpu_me1), machine_busy_pct=per(busy0, busy1), load_avg=load_avg,
        measured_seconds=t_measured,
        mb_in=sum(s.bytes_in for s in stats) / MB)


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="http://127.0.0.1:8501",
                    help="running server, loopback only (several replicas: comma-separated)")
    ap.add_argument("--start-server", action="store_true",
                    help="start `streamlit run app.py` on a free loopback port and stop it at the end")
    ap.add_argument("--app", default="app.py", help="script to run with --start-server (e.g. asgi.py)")
    ap.add_argument("--replicas", type=int, default=1,
                    help="with --start-server: start this many servers, users spread round-robin "
                         "(what a sticky proxy in front of replicas does)")
    ap.add_argument("--server-arg", action="append", default=[], metavar="--OPTION=VALUE",
                    help="extra `streamlit run` flag with --start-server (repeatable), e.g. "
                         "--server-arg=--runner.postScriptGC=false to try a setting")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the measured phase")
    ap.add_argument("--think-min", type=float, default=1.0)
    ap.add_argument("--think-max", type=float, default=3.0)
    ap.add_argument("--ramp", type=float, default=None, help="seconds to connect all users")
    ap.add_argument("--timeout", type=float, default=30.0, help="rerun timeout (s)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--server-pid", type=int, action="append", default=[],
                    help="server PID for RSS/CPU (repeatable; default: the process listening on the port)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if not (0 < args.think_min <= args.think_max <= 60):
        ap.error("need 0 < --think-min <= --think-max <= 60")
    if not (1 <= args.users <= 500 and 0 < args.seconds <= 3600):
        ap.error("--users must be 1..500 and --seconds 0..3600")
    if not 1 <= args.replicas <= min(8, args.users):
        ap.error("--replicas must be 1..8 and at most --users")
    cfg = LoadConfig(url=args.url, users=args.users, seconds=args.seconds, think_min=args.think_min,
                     think_max=args.think_max, ramp_seconds=args.ramp, rerun_timeout=args.timeout,
                     seed=args.seed, server_pids=tuple(args.server_pid), verbose=not args.quiet)
    if args.start_server:
        with ExitStack() as stack:
            servers = [stack.enter_context(streamlit_server(app=args.app, extra_args=tuple(args.server_arg)))
                       for _ in range(args.replicas)]
            cfg.url = ",".join(url for url, _ in servers)
            cfg.server_pids = tuple(proc.pid for _, proc in servers)
            res = run_load(cfg)
    else:
        _urls(cfg.url)
        res = run_load(cfg)
    print(res.details())
    print(res.summary_line())
    return 0 if res.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
