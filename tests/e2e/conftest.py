"""Fixtures for the browser tests: a real ``streamlit run`` server and Debian's chromium.

* ``app_server`` (session): ``streamlit run asgi.py`` (the ASGI entry point that fixes ``<html lang>``;
  ``app.py`` when ``asgi.py`` is absent, or whatever ``KLIMAT_E2E_ENTRY`` names) on a free loopback port
  with a throw-away workshop database (``KLIMAT_DB_URL=sqlite:///<tmp>/ws.sqlite``). It polls
  ``/_stcore/health`` and always stops the process group it started; the server's log is
  ``test-artifacts/streamlit-server.log``.
* pytest-playwright's ``browser``/``context``/``page``/``new_context`` fixtures, launched from
  /usr/bin/chromium (Playwright's own browsers are never downloaded) with the server as ``base_url``,
  so ``page.goto("/compare")`` works; ``new_phone_context`` makes 375 px touch contexts; ``warm_app``
  opens the default page once per server (see its docstring).
* Page helpers (:mod:`tests.e2e.pagehelpers`): ``wait_for_app``, ``open_page``, ``metric_values``,
  ``headline``, ``main_chart``, ``chart_signature``, ``slider``, ``show_lever``, ``url_params``;
  the ``shot`` fixture saves ``test-artifacts/screenshots/<test>[-<label>].png`` (whole page).
* ``axe_script``: the pinned axe-core (``npm ci --prefix tests/e2e``); ``a11y_results`` collects the
  per-page summaries that are printed at the end of the run and saved to ``test-artifacts/a11y.json``.

Every browser test (marked ``e2e``) is skipped, with the reason shown, when /usr/bin/chromium is
missing (CI installs it, so nothing is skipped there).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.pagehelpers import APP_TIMEOUT_MS, DESKTOP, save_screenshot, test_slug, wait_for_app

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
#: Debian's chromium; KLIMAT_E2E_CHROMIUM points elsewhere (e.g. to check the skip with a missing path).
CHROMIUM = os.environ.get("KLIMAT_E2E_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DOWNLOADS = ARTIFACTS / "downloads"
A11Y_REPORT = ARTIFACTS / "a11y.json"
AXE_JS = E2E_DIR / "node_modules" / "axe-core" / "axe.min.js"
SERVER_LOG = ARTIFACTS / "streamlit-server.log"

PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}
#: Generous: the first run imports pandas/scipy and fills the caches on a 2-core machine.
STARTUP_TIMEOUT_S = 90


# --------------------------------------------------------------------------- collection


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this folder's browser tests (marked e2e), with a clear reason, when chromium is missing."""
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"browser tests need Debian's chromium at {CHROMIUM} "
                                   "(apt-get install chromium); CI installs it")
    for item in items:
        if E2E_DIR in Path(item.path).parents and item.get_closest_marker("e2e"):
            item.add_marker(skip)


# --------------------------------------------------------------------------- server


@dataclass(frozen=True)
class AppServer:
    url: str
    entry: str
    db_url: str
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _entry_point() -> str:
    chosen = os.environ.get("KLIMAT_E2E_ENTRY")
    if chosen:
        return chosen
    return "asgi.py" if (ROOT / "asgi.py").exists() else "app.py"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:  # noqa: S310 - loopback
            return r.status == 200 and r.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (it was started in its own session)."""
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


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """``streamlit run`` on a free loopback port; stopped at the end of the session, always."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    db_url = f"sqlite:///{tmp_path_factory.mktemp('workshop') / 'ws.sqlite'}"
    entry = _entry_point()
    env = {**os.environ, "KLIMAT_DB_URL": db_url, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", entry,
           "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
           # Other people edit the sources while tests run: never reload mid-test.
           "--server.fileWatcherType", "none", "--server.runOnSave", "false",
           "--browser.gatherUsageStats", "false"]
    with SERVER_LOG.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _healthy(url):
            if proc.poll() is not None:
                pytest.fail(f"streamlit run {entry} exited with {proc.returncode}:\n"
                            + SERVER_LOG.read_text(errors="replace")[-3000:])
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit run {entry} not healthy after {STARTUP_TIMEOUT_S} s:\n"
                            + SERVER_LOG.read_text(errors="replace")[-3000:])
            time.sleep(0.25)
        yield AppServer(url, entry, db_url, SERVER_LOG)
    finally:
        _stop(proc)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches Debian's chromium (Playwright's own builds are not available)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": LAUNCH_ARGS,
            "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], app_server: AppServer) -> dict[str, Any]:
    """Every context (also ``new_context()``) talks to the test server, as a Swedish desktop user."""
    return {**browser_context_args, "base_url": app_server.url, "viewport": DESKTOP, "locale": "sv-SE",
            "timezone_id": "Europe/Stockholm", "accept_downloads": True}


@pytest.fixture(scope="session")
def warm_app(browser: Any, browser_context_args: dict[str, Any]) -> None:
    """Open the default page once per server.

    The first session of a fresh server that starts on another page gets a spurious "Page not
    found" dialog over the right page (st.navigation, streamlit#9992), which would make tests
    depend on their order. This also fills the model caches before the first timed test.
    """
    ctx = browser.new_context(**browser_context_args)
    try:
        page = ctx.new_page()
        page.goto("/")
        wait_for_app(page)
        page.locator("[data-testid='stMetricValue']").first.wait_for(timeout=APP_TIMEOUT_MS)
    finally:
        ctx.close()


@pytest.fixture
def page(page: Any, warm_app: None) -> Any:
    """pytest-playwright's page (after the warm-up) with the app's generous timeouts."""
    page.set_default_timeout(APP_TIMEOUT_MS)
    return page


@pytest.fixture
def new_phone_context(browser: Any, browser_context_args: dict[str, Any],
                      warm_app: None) -> Iterator[Callable[[], Any]]:
    """A factory of fresh phone-sized contexts (375 px, touch), closed after the test."""
    contexts: list[Any] = []

    def make() -> Any:
        ctx = browser.new_context(**{**browser_context_args, **PHONE})
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``shot(page, "label")`` saves ``test-artifacts/screenshots/<test>[-<label>].png`` (whole page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = test_slug(request.node.name)

    def _shot(page: Any, label: str = "") -> Path:
        return save_screenshot(page, SCREENSHOTS / (f"{base}-{test_slug(label)}.png" if label else f"{base}.png"))

    return _shot


# --------------------------------------------------------------------------- axe-core


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """The pinned axe-core build (tests/e2e/package-lock.json), installed with ``npm ci`` if needed."""
    if not AXE_JS.exists() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=E2E_DIR,
                       check=False, timeout=300, capture_output=True)
    if not AXE_JS.exists():
        msg = (f"axe-core is not installed at {AXE_JS.relative_to(ROOT)}: run "
               "`npm ci --prefix tests/e2e` (needs Node.js and npm)")
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return AXE_JS


#: Filled by tests/e2e/test_a11y.py (page -> summary); written to test-artifacts/a11y.json.
A11Y_RESULTS: dict[str, Any] = {}


@pytest.fixture(scope="session")
def a11y_results() -> dict[str, Any]:
    """Per-page axe summaries; printed at the end of the run and saved to test-artifacts/a11y.json."""
    return A11Y_RESULTS


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if A11Y_RESULTS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        A11Y_REPORT.write_text(json.dumps(A11Y_RESULTS, ensure_ascii=False, indent=2), encoding="utf-8")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Per-page axe summary (violations by impact), also when everything passed."""
    if not A11Y_RESULTS:
        return
    tr = terminalreporter
    tr.section("axe-core accessibility summary")
    for name, res in A11Y_RESULTS.items():
        counts = ", ".join(f"{k} {v}" for k, v in res["by_impact"].items() if v) or "no violations"
        tr.write_line(f"{name}: {counts}")
        for v in res["violations"]:
            tr.write_line(f"    [{v['impact']}] {v['id']} ({v['nodes']}): {v['help']}")
    tr.write_line(f"(details in {A11Y_REPORT.relative_to(ROOT)})")
