"""Configuration and result types of ``bench/load.py``."""
from __future__ import annotations

import math
import os
import statistics
import threading
from dataclasses import dataclass, field

MB = 1024 * 1024


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




def _num(v: float | None, digits: int = 0) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"
