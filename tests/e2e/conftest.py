"""Fixtures for the browser tests: a real ``streamlit run`` server and Debian's chromium.

* Servers come from :mod:`bench.server`, the launcher the benchmarks use too (same flags, health
  check and clean-up of the whole process group). ``app_server`` (session): ``streamlit run asgi.py``
  (the ASGI entry point that fixes ``<html lang>``; ``app.py`` when ``asgi.py`` is absent, or whatever
  ``KLIMAT_E2E_ENTRY`` names) on a free loopback port with a throw-away workshop database; log in
  ``test-artifacts/streamlit-server.log``. ``start_server`` (module) starts more of them, each with its
  own database unless told otherwise, for the tests that need a fresh server (``cold_server``), a server
  of their own with the store at hand (``ws_server``), two replicas on PostgreSQL (``two_servers``) or
  ``app.py`` for the short load test (``load_server``).
* pytest-playwright's ``browser``/``context``/``page``/``new_context`` fixtures, launched from
  /usr/bin/chromium (Playwright's own browsers are never downloaded) with the server as ``base_url``,
  so ``page.goto("/compare")`` works; ``new_phone_context`` makes 375 px touch contexts; ``warm_app``
  opens the default page once per server (see its docstring).
* Page helpers (:mod:`tests.e2e.pagehelpers`): ``wait_for_app``, ``open_page``, ``metric_values``,
  ``headline``, ``main_chart``, ``chart_signature``, ``slider``, ``show_lever``, ``url_params``;
  the ``shot`` fixture saves ``test-artifacts/screenshots/<test>[-<label>].png`` (whole page).
* ``axe_script``: the pinned axe-core (``npm ci --prefix tests/e2e``); ``a11y_results`` collects the
  per-page summaries that are printed at the end of the run and saved to ``test-artifacts/a11y.json``.

On a developer machine every browser test (marked ``e2e``) is skipped, with the reason shown, when
/usr/bin/chromium is missing. In CI (``CI`` set, as ``.ci/run`` runs) a missing chromium, axe-core or
PostgreSQL is a failure: the run stops at collection and says what is missing.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench import server
from tests.e2e.pagehelpers import APP_TIMEOUT_MS, DESKTOP, open_page, save_screenshot, test_slug, wait_for_app

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
#: PostgreSQL for the replica test; .ci/run starts a server and sets it.
PG_URL = os.environ.get("KLIMAT_TEST_PG_URL")


# --------------------------------------------------------------------------- collection


def in_ci() -> bool:
    """True under CI (``CI=true``, as .ci/run is run), where nothing the tests need may be missing."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without chromium: skip this folder's browser tests with the reason, or stop the run in CI."""
    if Path(CHROMIUM).exists():
        return
    browser_items = [i for i in items if E2E_DIR in Path(i.path).parents and i.get_closest_marker("e2e")]
    if not browser_items:
        return
    reason = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    if in_ci():
        raise pytest.UsageError(f"{reason}: missing in CI, where .ci/run installs it ({len(browser_items)} "
                                "browser tests would not run)")
    skip = pytest.mark.skip(reason=f"{reason}; CI installs it")
    for item in browser_items:
        item.add_marker(skip)


# --------------------------------------------------------------------------- servers


@dataclass(frozen=True)
class AppServer:
    url: str
    entry: str
    db_url: str
    log: Path


def _sqlite_url(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp(name) / 'ws.sqlite'}"


def _start(name: str, entry: str | None = None, env: Mapping[str, str] | None = None) -> server.Server:
    """One server with its log in test-artifacts/<name>.log; a failed start fails the test with the log."""
    try:
        return server.start(entry, env=env, log=ARTIFACTS / f"{name}.log")
    except server.ServerStartError as exc:
        pytest.fail(f"{name}: {exc}")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The shared ``streamlit run`` server; stopped at the end of the session, always."""
    db_url = _sqlite_url(tmp_path_factory, "workshop")
    srv = _start(SERVER_LOG.stem, env={"KLIMAT_DB_URL": db_url})
    try:
        yield AppServer(srv.url, srv.entry, db_url, srv.log)
    finally:
        server.stop(srv.proc)


@pytest.fixture(scope="module")
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., server.Server]]:
    """``start_server(name, entry=None, db_url=None)``: more servers, all stopped after the module."""
    started: list[server.Server] = []

    def start(name: str, entry: str | None = None, db_url: str | None = None) -> server.Server:
        srv = _start(name, entry, {"KLIMAT_DB_URL": db_url or _sqlite_url(tmp_path_factory, name)})
        started.append(srv)
        return srv

    try:
        yield start
    finally:
        for srv in started:
            server.stop(srv.proc)


@pytest.fixture(scope="module")
def cold_server(start_server: Callable[..., server.Server]) -> str:
    """A server no request has reached yet (the shared one is warmed by other tests)."""
    return start_server("cold-server").url


@pytest.fixture(scope="module")
def ws_server(start_server: Callable[..., server.Server],
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """A server of its own and a ``WorkshopStore`` on the same SQLite file, for the workshop tests."""
    import sqlalchemy as sa

    from persistence.store import WorkshopStore

    db_url = _sqlite_url(tmp_path_factory, "ws-e2e")
    srv = start_server("ws-e2e-server", db_url=db_url)
    engine = sa.create_engine(db_url)
    try:
        store = WorkshopStore(engine)
        store.ensure_schema()
        yield srv.url, store
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def two_servers(start_server: Callable[..., server.Server]) -> tuple[str, str]:
    """Two replicas on one PostgreSQL database (``KLIMAT_TEST_PG_URL``); skipped without it, except in CI."""
    if not PG_URL:
        msg = "needs KLIMAT_TEST_PG_URL (a PostgreSQL database; .ci/run starts one and sets it)"
        if in_ci():
            pytest.fail(msg)
        pytest.skip(msg)
    return start_server("replica-0", db_url=PG_URL).url, start_server("replica-1", db_url=PG_URL).url


@pytest.fixture(scope="module")
def load_server(start_server: Callable[..., server.Server]) -> tuple[str, int]:
    """``streamlit run app.py`` for the short load test: (url, pid)."""
    srv = start_server("load-server", entry="app.py")
    return srv.url, srv.pid


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


@pytest.fixture(scope="module")
def scenario_downloads(browser: Any, browser_context_args: dict[str, Any], warm_app: None) -> Iterator[Any]:
    """One Scenario page with its download tab open, shared by a module's download tests (a page load
    per file would cost more than the files)."""
    from ui.text.i18n import t

    ctx = browser.new_context(**browser_context_args)
    try:
        page = ctx.new_page()
        page.set_default_timeout(APP_TIMEOUT_MS)
        open_page(page, "/", "[data-testid='stMetricValue']")
        # Downloads sit in the results' last (lazy) tab, built only when opened.
        page.get_by_role("tab", name=t("results.tab.download", "sv")).click()
        wait_for_app(page)
        yield page
    finally:
        ctx.close()


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
