"""Short server-level load test: 5 simulated browser sessions for 10 s (no browser needed).

Runs the core of ``bench/load.py`` (real websocket sessions speaking Streamlit's protocol,
moving lever sliders at human pace) against ``streamlit run app.py`` on a free loopback
port (``load_server`` in conftest.py, started by bench/server.py like ``bench/load.py``'s own
servers). It checks that the protocol works end to end and nothing breaks under concurrent
sessions: no exceptions in the app, no disconnects or timeouts, every user got reruns
back. The latency bound is deliberately generous; the real goal (50 users, p95 ≤ 1 s)
is measured by ``python bench/load.py --users 50 --seconds 60 --start-server``.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_bench():
    spec = importlib.util.spec_from_file_location("klimat_bench_load", ROOT / "bench" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


load = _load_bench()


def test_five_users_ten_seconds(load_server: tuple[str, int]) -> None:
    url, pid = load_server
    cfg = load.LoadConfig(url=url, users=5, seconds=10, ramp_seconds=1.0, warmup_reruns=1,
                          warmup_timeout=60, rerun_timeout=30, server_pids=(pid,), seed=7,
                          verbose=False)
    res = load.run_load(cfg)
    detail = res.details() + "\n" + res.summary_line()
    assert res.errors == 0, detail
    assert len(res.reruns_per_user) == 5 and min(res.reruns_per_user) >= 1, detail
    assert res.p95_ms < 5000, detail
    assert res.active_sessions in (None, 5), detail  # metrics endpoint: all five were connected
    assert res.rss_n is not None and res.rss_n > 0, detail


def test_refuses_non_loopback_targets() -> None:
    for bad in ("http://192.0.2.1:8501", "http://example.com", "https://127.0.0.1:8501"):
        with pytest.raises(ValueError):
            load.check_loopback(bad)
    assert load.check_loopback("http://localhost:8501") == ("localhost", 8501)
    assert load.check_loopback("http://[::1]:9000") == ("::1", 9000)
