"""The browser-test harness itself: what a missing chromium does, and the shared server launcher.

No browser needed. A missing chromium skips the browser tests on a developer machine but stops the
run in CI (``CI=true``), where a skip would hide that nothing was tested.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import server

ROOT = Path(__file__).resolve().parents[2]
#: A small browser test module: collecting it is enough to see what the harness does.
SAMPLE = "tests/e2e/test_charts_e2e.py"


def _pytest(env_extra: dict[str, str], drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update({"KLIMAT_E2E_CHROMIUM": "/nonexistent/chromium", **env_extra})
    return subprocess.run([sys.executable, "-m", "pytest", SAMPLE, "-q", "-p", "no:cacheprovider", "-rs"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_missing_chromium_skips_with_the_reason_on_a_developer_machine() -> None:
    res = _pytest({}, drop=("CI",))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "skipped" in res.stdout and "/nonexistent/chromium" in res.stdout and "apt-get install chromium" \
        in res.stdout, res.stdout


@pytest.mark.parametrize("ci", ["true", "1"])
def test_missing_chromium_fails_the_run_in_ci(ci: str) -> None:
    res = _pytest({"CI": ci})
    assert res.returncode != 0, res.stdout + res.stderr
    out = res.stdout + res.stderr
    assert "missing in CI" in out and "/nonexistent/chromium" in out, out
    assert " passed" not in res.stdout and " skipped" not in res.stdout


def test_ci_false_counts_as_a_developer_machine() -> None:
    assert _pytest({"CI": "false"}).returncode == 0


def test_a_server_that_cannot_start_is_reported_with_its_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with pytest.raises(server.ServerStartError) as info:
        server.start("tests/e2e/no_such_entry.py", log=log, startup_timeout=60)
    message = str(info.value)
    assert "exited with code" in message and "server log" in message, message
    assert "no_such_entry.py" in message  # Streamlit's own complaint, from the log tail
    assert log.exists()


def test_free_ports_are_loopback_ports() -> None:
    port = server.free_port()
    assert 1024 <= port <= 65535
    assert not server.healthy(f"http://127.0.0.1:{port}")


def test_default_entry_is_the_production_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KLIMAT_E2E_ENTRY", raising=False)
    assert server.default_entry() == "asgi.py"
    monkeypatch.setenv("KLIMAT_E2E_ENTRY", "app.py")
    assert server.default_entry() == "app.py"
