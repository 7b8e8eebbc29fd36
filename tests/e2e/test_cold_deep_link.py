"""The first visitor after a server start who opens a deep link (a workshop QR code, a shared
Jämför link) lands on that page, with no "Page not found" dialog.

The pages live in ``views/``: a folder named ``pages/`` switches on Streamlit's legacy page
discovery until ``st.navigation`` has run once, and the first deep link then got a spurious
"Page not found". This needs its own fresh server, since the shared one is warmed by other tests.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, STARTUP_TIMEOUT_S, _entry_point, _free_port, _healthy, _stop
from tests.e2e.pagehelpers import assert_no_exception, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cold_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    db = tmp_path_factory.mktemp("cold") / "ws.sqlite"
    env = {**os.environ, "KLIMAT_DB_URL": f"sqlite:///{db}", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "streamlit", "run", _entry_point(), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    log = (ROOT / "test-artifacts" / "cold-server.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not _healthy(url):
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("the cold server did not start; see test-artifacts/cold-server.log")
            time.sleep(0.25)
        yield url
    finally:
        _stop(proc)


def test_first_visit_is_a_deep_link_to_the_compare_page(cold_server: str, browser: Any) -> None:
    # No request may reach this server before this one: the point is the very first session.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    try:
        page = context.new_page()
        page.goto(f"{cold_server}/compare?k=0180")
        wait_for_app(page)
        assert_no_exception(page)
        page.get_by_role("heading", name="Jämför scenarier").first.wait_for(timeout=30_000)
        body = page.locator("body").inner_text()
        assert "Page not found" not in body and "Sidan hittades inte" not in body
        assert page.url.startswith(f"{cold_server}/compare")
    finally:
        context.close()
