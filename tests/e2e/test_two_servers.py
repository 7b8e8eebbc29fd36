"""Two app processes on different ports share one PostgreSQL: a submission made through one
shows on the other's board (what a deployment with several replicas relies on)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from model.targets import TargetSpec
from persistence.store import WorkshopStore
from tests.e2e.conftest import PHONE, ROOT, STARTUP_TIMEOUT_S, _entry_point, _free_port, _healthy, _stop
from tests.e2e.pagehelpers import wait_for_app

PG_URL = os.environ.get("KLIMAT_TEST_PG_URL")
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not PG_URL, reason="needs KLIMAT_TEST_PG_URL (CI starts PostgreSQL and sets it)")]


def _start(port: int, log_name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KLIMAT_DB_URL": str(PG_URL), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", _entry_point(), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    log = (ROOT / "test-artifacts" / log_name).open("wb")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


@pytest.fixture(scope="module")
def two_servers() -> Iterator[tuple[str, str]]:
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    ports = (_free_port(), _free_port())
    procs = [_start(p, f"replica-{i}.log") for i, p in enumerate(ports)]
    urls = tuple(f"http://127.0.0.1:{p}" for p in ports)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not all(_healthy(u) for u in urls):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                pytest.fail("a replica did not start; see test-artifacts/replica-*.log")
            time.sleep(0.25)
        yield urls  # type: ignore[misc]
    finally:
        for p in procs:
            _stop(p)


def test_submission_through_one_replica_shows_on_the_others_board(two_servers: tuple[str, str],
                                                                   browser: Any) -> None:
    engine = sa.create_engine(str(PG_URL))
    store = WorkshopStore(engine)
    store.ensure_schema()
    ws, _key = store.create_workshop("Två servrar", "0381", TargetSpec(), open_levers=["car_traffic"])
    engine.dispose()
    server_a, server_b = two_servers
    group = f"Grupp {uuid.uuid4().hex[:6]}"

    phone = browser.new_context(**PHONE, locale="sv-SE")
    page = phone.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server_a}/ws?ws={ws.code}")
    wait_for_app(page)
    name = page.locator(".st-key-wsp_group input")
    name.fill(group)
    name.press("Enter")
    wait_for_app(page)
    page.locator(".st-key-wsp_submit").get_by_role("button").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text(group)

    board = browser.new_context(viewport={"width": 1400, "height": 900}, locale="sv-SE").new_page()
    board.set_default_timeout(60_000)
    board.goto(f"{server_b}/ws?ws={ws.code}&role=board")
    wait_for_app(board)
    expect(board.get_by_test_id("stTable").first).to_contain_text(group, timeout=30_000)
    phone.close()
