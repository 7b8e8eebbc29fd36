"""Two app processes on different ports share one PostgreSQL: a submission made through one
shows on the other's board (what a deployment with several replicas relies on)."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from model.targets import TargetSpec
from persistence.store import WorkshopStore
from tests.e2e.conftest import PG_URL, PHONE
from tests.e2e.pagehelpers import wait_for_app

pytestmark = pytest.mark.e2e


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
