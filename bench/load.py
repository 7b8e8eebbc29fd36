"""Load test: N simulated users, each a real Streamlit browser session over the websocket.

Every user (``bench/load_user.py``) does what the browser frontend of Streamlit 1.67 does
(checked against the frames a real Chromium sends, see "Protocol" below): it polls
``/_stcore/health`` (which sets the ``_streamlit_xsrf`` cookie), fetches ``/_stcore/host-config``,
opens ``/_stcore/stream`` and then sends ``BackMsg.rerun_script`` messages. After the first
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
import os
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))  # sibling modules, also when loaded by path

from load_result import MB, LoadConfig, LoadResult, UserStats  # noqa: E402
from load_server import (  # noqa: E402
    _active_sessions,
    _busy_seconds,
    _cpu_all,
    _rss_all,
    _urls,
    check_loopback,
    find_server_pid,
    streamlit_server,
    wait_healthy,
)
from load_user import Clock, simulate_user  # noqa: E402


def _log(cfg: LoadConfig, msg: str) -> None:
    if cfg.verbose:
        print(f"[load] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the load run


def run_load(cfg: LoadConfig) -> LoadResult:
    """Run the load test against running server(s) at ``cfg.url`` (loopback only).

    ``cfg.url`` may list several replicas separated by commas; user ``i`` then talks to
    replica ``i mod K`` (what a sticky proxy does), RSS and CPU are summed over the
    replicas and the first K users (one per replica) are the warm reference:
    ``mb_per_session = (rss_N - rss_K) / (N - K)`` (K = 1: the single-server formula).

    Parameters
    ----------
    cfg : LoadConfig
        The run: target(s), users, measured seconds, think time, timeouts, server PIDs.

    Returns
    -------
    LoadResult
        Latencies of the measured phase, errors, memory and CPU figures.
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
    clock = Clock()
    stats = [UserStats(i) for i in range(cfg.users)]
    threads = [threading.Thread(target=simulate_user, args=(i, cfg, urls[i % k], clock, stats[i]), daemon=True,
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
    for s, th in zip(stats, threads, strict=True):
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
    """The command line (``python bench/load.py --help``); exit code 1 if the run had errors.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 for a run without errors, else 1 (a bad argument exits with 2, as argparse does).
    """
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
