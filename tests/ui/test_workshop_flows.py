"""AppTest flows for issues 10 (items 12-14) and 11 (items 5, 7, 9, 10, markdown sinks): drafts that survive
a new session, a taken group name, refused slider values, the median of outcomes, numbers in the XLSX,
bounded database calls and the key-guessing limit."""
from __future__ import annotations

import io
import re
import socket
import threading
import time
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from model.targets import TargetSpec
from persistence.guards import KEY_GUARD
from persistence.store import Workshop, WorkshopStore, new_device, new_token
from tests.ui.workshopkit import page_texts, workshop_page
from ui import state
from ui.render import safe_text
from ui.text.i18n import t
from ui.workshop.db import DatabaseUnavailable, db_call
from ui.workshop.export import export_xlsx
from ui.workshop.participant_form import GROUP_KEY, lever_key
from ui.workshop.summary import group_pathway, group_rows, lever_spread

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "views/workshop.py"
OPEN = ["ev_cars", "car_traffic", "dh_fossil_free"]


def test_url_sync_keeps_the_device_token() -> None:
    """Without ``dev`` in the synced parameters a reload would lose the participant's draft."""
    assert "dev" in state.EXTRA_PARAMS


def _ws(store: WorkshopStore, **kw: object) -> Workshop:
    args: dict[str, object] = {"name": "Enköping testar", "kommun": "0381", "target": TargetSpec(),
                               "open_levers": OPEN}
    args.update(kw)
    return store.create_workshop(**args)[0]  # type: ignore[arg-type]


def _page(params: dict[str, str] | None = None) -> AppTest:
    return workshop_page(params)


def _texts(at: AppTest) -> str:
    return page_texts(at)


def _submit(at: AppTest) -> AppTest:
    at.button(key="wsp_submit").click().run()
    assert not at.exception, at.exception
    return at


# --------------------------------------------------------------------------- drafts (10.14, 11.5)
def test_draft_survives_a_new_session_and_a_retry_is_stored_once(store: WorkshopStore) -> None:
    ws = _ws(store)
    at = _page({"ws": ws.code})
    dev = at.query_params["dev"]
    dev = dev[0] if isinstance(dev, list) else dev
    assert dev and store.load_draft(dev) is None
    at.text_input(key=GROUP_KEY).input("Grupp Ek").run()
    at.slider(key=lever_key("ev_cars")).set_value(90).run()
    draft = store.load_draft(dev)
    assert draft is not None and draft.group_name == "Grupp Ek" and draft.levers["ev_cars"] == 90
    # A reload (a new session on the same device: the same address).
    again = _page({"ws": ws.code, "dev": dev})
    assert again.text_input(key=GROUP_KEY).value == "Grupp Ek"
    assert again.slider(key=lever_key("ev_cars")).value == 90
    assert t("workshop.participant.draft_restored", "sv", time="")[:20] in _texts(again)
    _submit(again)
    # The server crashed before the answer reached the phone: a third session sends again.
    third = _page({"ws": ws.code, "dev": dev})
    _submit(third)
    assert store.counts(ws.code) == (1, 1)
    assert "redan sparat" in _texts(third)


# --------------------------------------------------------------------------- taken names (10.13, 11.9)
def test_second_phone_is_asked_before_writing_into_a_taken_name(store: WorkshopStore) -> None:
    ws = _ws(store)
    a = _page({"ws": ws.code, "dev": new_device()})
    a.text_input(key=GROUP_KEY).input("Grupp 1").run()
    a.slider(key=lever_key("ev_cars")).set_value(90).run()
    _submit(a)
    b = _page({"ws": ws.code, "dev": new_device()})
    b.text_input(key=GROUP_KEY).input("grupp 1 ").run()
    b.slider(key=lever_key("ev_cars")).set_value(60).run()
    _submit(b)
    assert "”Grupp 1” har redan skickat in" in _texts(b)
    assert [s.levers["ev_cars"] for s in store.latest(ws.code)] == [90.0]  # A's proposal is still there
    b.button(key="wsp_join_btn").click().run()
    assert not b.exception
    assert [s.levers["ev_cars"] for s in store.latest(ws.code)] == [60.0] and store.counts(ws.code) == (1, 2)
    c = _page({"ws": ws.code, "dev": new_device()})
    c.text_input(key=GROUP_KEY).input("GRUPP 1").run()
    _submit(c)
    c.button(key="wsp_rename_btn").click().run()
    c.text_input(key=GROUP_KEY).input("Grupp 2").run()
    _submit(c)
    assert store.counts(ws.code) == (2, 3)


@pytest.mark.parametrize("name", ["\u200d\u200d\u200d", "\u0301\u0301"])
def test_invisible_group_name_is_refused_on_the_phone(store: WorkshopStore, name: str) -> None:
    ws = _ws(store)
    at = _page({"ws": ws.code})
    at.text_input(key=GROUP_KEY).input(name).run()
    _submit(at)
    assert store.counts(ws.code) == (0, 0) and at.error


def test_out_of_range_slider_value_is_refused_not_stored(store: WorkshopStore) -> None:
    ws = _ws(store)
    at = _page({"ws": ws.code})
    at.text_input(key=GROUP_KEY).input("Grupp A").run()
    at.slider(key=lever_key("ev_cars")).set_value(150).run()  # a hand-made websocket message
    assert not at.exception and at.slider(key=lever_key("ev_cars")).value == ws.base_levers["ev_cars"]
    _submit(at)
    stored = store.latest(ws.code)
    assert len(stored) == 1 and stored[0].levers["ev_cars"] == ws.base_levers["ev_cars"] != 0


# --------------------------------------------------------------------------- two-part target on the phone
def test_phone_shows_both_conditions_of_a_two_part_target(store: WorkshopStore) -> None:
    ws = _ws(store)
    at = _page({"ws": ws.code})
    text = _texts(at)
    assert "Brutto:" in text and "över gränsen" in text and "Netto:" in text and "över noll" in text
    store.submit(ws.code, "A", {"ev_cars": 90}, new_token())
    board = _page({"ws": ws.code, "role": "board"})
    gaps = [str(v) for v in board.table[0].value.iloc[:, 3]]
    assert "Brutto" in gaps[0] and "Netto" in gaps[0]  # the ranking never shows net emissions as "the gap"


# --------------------------------------------------------------------------- median of outcomes (10.12)
def test_median_of_outcomes_never_contradicts_every_group(store: WorkshopStore) -> None:
    ws = _ws(store)
    for name, lever, value in (("A", "ev_cars", 100), ("B", "car_traffic", 30), ("C", "dh_fossil_free", 100)):
        store.submit(ws.code, name, {lever: value}, new_token())
    latest = store.latest(ws.code)
    rows = group_rows(ws, latest)
    median = group_pathway(ws, latest, "sv")
    nets = np.vstack([r.result.net for r in rows])
    assert median is not None
    assert np.all(median.net >= nets.min(axis=0) - 1e-6) and np.all(median.net <= nets.max(axis=0) + 1e-6)
    start = group_rows(ws, [])  # no groups: no median
    assert start == [] and group_pathway(ws, [], "sv") is None
    assert median.net_t < max(r.net_t for r in rows) + 1e-6
    assert median.net_t == pytest.approx(sorted(r.net_t for r in rows)[1])
    spread, agreed = lever_spread(ws, [store.latest(ws.code)[0]] * 2, "sv")
    col = t("workshop.spread.agree", "sv")
    assert t("workshop.spread.agree_untouched", "sv") in list(spread[col])  # untouched is not "Ja"
    board = _page({"ws": ws.code, "role": "board"})
    assert "medianen av gruppernas nettoutsläpp" in _texts(board)


# --------------------------------------------------------------------------- numbers in the workbook
def test_workshop_xlsx_stores_numbers_with_units_in_headers(store: WorkshopStore) -> None:
    ws, key = store.create_workshop("Enköping testar", "0381", TargetSpec(), open_levers=OPEN)
    store.submit(ws.code, "A", {"ev_cars": 90}, new_token())
    got, subs = store.export(ws.code, key)
    wb = openpyxl.load_workbook(io.BytesIO(export_xlsx(got, subs, "sv")))
    for sheet in ("Grupperna", "Spakarna"):
        cells = [c for row in wb[sheet].iter_rows(min_row=2) for c in row]
        assert not any(isinstance(c.value, str) and re.search(r"\d\s*(ton|t/år|%)", c.value)
                       for c in cells), sheet
    headers = [c.value for c in wb["Grupperna"][1]]
    assert any("(ton CO₂e)" in h for h in headers)
    net_col = next(i for i, h in enumerate(headers) if "Nettoutsläpp" in h)
    assert isinstance(wb["Grupperna"].cell(2, net_col + 1).value, (int, float))


# --------------------------------------------------------------------------- bounded database calls (11.7)
def test_a_call_that_never_answers_ends_in_the_clear_message() -> None:
    start = time.monotonic()
    with pytest.raises(DatabaseUnavailable):
        db_call(time.sleep, 5, timeout_s=0.5)
    assert time.monotonic() - start < 2


class _FreezingProxy:
    """A TCP proxy to PostgreSQL that can stop forwarding (a frozen server: no answer, no error)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.frozen = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        while True:
            try:
                data = a.recv(65536)
            except OSError:
                return
            if not data:
                return
            while self.frozen.is_set():
                time.sleep(0.05)
            try:
                b.sendall(data)
            except OSError:
                return


@pytest.mark.postgres
def test_frozen_postgresql_gives_the_clear_message_in_bounded_time() -> None:
    import os

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from ui.workshop import db as workshop_db

    url = os.environ.get("KLIMAT_TEST_PG_URL")
    if not url:
        pytest.skip("needs KLIMAT_TEST_PG_URL (CI sets it)")
    u = make_url(url)
    proxy = _FreezingProxy(u.host or "127.0.0.1", u.port or 5432)
    proxied = u.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    engine = sa.create_engine(proxied, **workshop_db._engine_kwargs(proxied))
    s = WorkshopStore(engine)
    db_call(s.ensure_schema)
    ws = _ws(s)
    db_call(s.submit, ws.code, "A", {"ev_cars": 90}, new_token())  # a pooled connection exists
    proxy.frozen.set()
    try:
        for call in (lambda: s.latest(ws.code), lambda: s.submit(ws.code, "B", {"ev_cars": 80}, new_token())):
            start = time.monotonic()
            with pytest.raises(DatabaseUnavailable):
                db_call(call, timeout_s=3)
            assert time.monotonic() - start < 4
    finally:
        proxy.frozen.clear()
        proxy.server.close()
    engine.dispose()


# --------------------------------------------------------------------------- key guessing (11.10)
def test_facilitator_form_limits_wrong_keys(store: WorkshopStore, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = _ws(store)
    monkeypatch.setattr(KEY_GUARD, "_counts", {})
    at = _page({"ws": ws.code, "role": "host"})
    for _ in range(KEY_GUARD.client_free + 1):
        at.text_input(key="wsf_open_key").input("fel").run()
        at.button(key="wsf_open_submit").click().run()
    assert "För många felaktiga nycklar" in _texts(at)
    KEY_GUARD._counts.clear()


# --------------------------------------------------------------------------- markdown sinks (11.4)
PAYLOADS = ["$E=mc^2$", ":rocket: :material/lock:", "www.evil.example", "[klick](https://evil.example)",
            "<img src=x onerror=alert(1)>", "**fet** _k_"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_names_reach_every_workshop_sink_through_safe_text(store: WorkshopStore, payload: str) -> None:
    ws = _ws(store, name="WS " + payload)
    store.submit(ws.code, payload, {"ev_cars": 90}, new_token())
    board = _page({"ws": ws.code, "role": "board", "present": "1"})
    assert board.title[0].value == safe_text("WS " + payload)
    cells = [str(v) for table in board.table for v in table.value.iloc[:, 1]]
    assert safe_text(payload) in cells and payload not in cells
    phone = _page({"ws": ws.code, "dev": new_device()})
    assert phone.title[0].value == safe_text("WS " + payload)
    phone.text_input(key=GROUP_KEY).input(payload).run()
    _submit(phone)
    taken = "\n".join(w.value for w in phone.warning)
    assert safe_text(payload) in taken
