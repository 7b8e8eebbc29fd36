"""One simulated user of ``bench/load.py``: open the page, then move levers at human pace.

The user speaks Streamlit's protocol through :class:`st_protocol.BrowserSession` (see
``bench/load.py`` for the protocol details): a first run, then a random lever slider moved to a
random value, the rerun awaited (``script_finished``), 1–3 s of thinking, and again, until the
coordinator's clock stops it. The rerun latency is the time from sending the change to receiving
``script_finished`` for that rerun.
"""
from __future__ import annotations

import math
import random
import threading
import time

from load_result import LoadConfig, UserStats
from st_protocol import FINISHED_OK, BrowserSession, Disconnected, RerunTimeout


class Clock:
    """Shared phase boundaries (monotonic seconds) set by the coordinator, :func:`load.run_load`.

    A user measures a rerun only if it was sent inside ``[measure_start, measure_end)``, sends no
    new one after ``measure_end`` and leaves at ``stop``.
    """

    def __init__(self) -> None:
        self.measure_start = math.inf
        self.measure_end = math.inf
        self.stop = threading.Event()


def simulate_user(idx: int, cfg: LoadConfig, base: str, clock: Clock, stats: UserStats) -> None:
    """One user's whole visit, run in its own thread; what it sees goes to ``stats``.

    Parameters
    ----------
    idx : int
        The user's number (with ``cfg.seed`` the seed of its own random choices, so a run repeats).
    cfg : LoadConfig
        The run's settings (think time, timeouts, warm-up reruns, locale).
    base : str
        The server (replica) this user talks to.
    clock : Clock
        The phases of the run.
    stats : UserStats
        Filled in: first-page time, measured latencies, errors, bytes; ``warm`` is set once the
        user has done its warm-up reruns (or failed) and ``done`` when it has left.

    Notes
    -----
    Never raises: every failure (disconnect, timeout, an exception element in the app) is an error
    of the run, recorded in ``stats.errors``.
    """
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
