"""Workshop storage (persistence/store.py): helpers, creating, keys, submitting, validation.

Runs on SQLite and, when ``KLIMAT_TEST_PG_URL`` is set (e.g. ``postgresql+psycopg://user:pw@127.0.0.1:5432/db``),
on PostgreSQL too; fixtures in tests/persistence/conftest.py. Schema, restarts and concurrency:
test_workshop_storage.py.
"""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from model.codec import default_state
from model.targets import TargetSpec
from persistence.store import (
    CODE_ALPHABET,
    MAX_GROUP_CHARS,
    WorkshopError,
    WorkshopStore,
    clean_text,
    group_key,
    new_token,
    normalize_code,
)
from tests.persistence.storekit import INJECTIONS, _create


# --------------------------------------------------------------------------- pure helpers
def test_clean_text_strips_controls_and_limits_length() -> None:
    assert clean_text("  Grupp\x00\x1b[31m  1\u202e\u200b ", 40) == "Grupp[31m 1"
    assert clean_text("a\tb\nc\r\nd", 40) == "a b c d"
    assert clean_text("x" * 100, MAX_GROUP_CHARS) == "x" * 40
    assert clean_text(None, 10) == ""
    assert clean_text("👩\u200d👩\u200d👧 familjen", 40) == "👩\u200d👩\u200d👧 familjen"
    for text in INJECTIONS:
        assert clean_text(text, 200) == text


def test_group_key_ignores_case_and_width() -> None:
    assert group_key("Grupp A") == group_key("  grupp   a ") == group_key("ＧＲＵＰＰ Ａ")
    assert group_key("Grupp A") != group_key("Grupp B")


@pytest.mark.parametrize("raw", ["abcd23", " ABCD-23 ", "ab cd 23", "AbCd_23"])
def test_codes_are_normalised(raw: str) -> None:
    assert normalize_code(raw) == "ABCD23"


@pytest.mark.parametrize("raw", ["", "ABC", "ABCDEFG", "ABCD0O", "ABCDI1", "ABCD2€", None, "x" * 500])
def test_bad_codes_are_rejected(raw: Any) -> None:
    with pytest.raises(WorkshopError) as exc:
        normalize_code(raw)
    assert exc.value.key == "bad_code"


def test_alphabet_has_no_lookalikes() -> None:
    assert not set("IL01O") & set(CODE_ALPHABET)
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 31


# --------------------------------------------------------------------------- create / keys
def test_create_workshop(store: WorkshopStore) -> None:
    base = dict(default_state("0381").levers, ev_cars=70.0)
    ws, key = _create(store, target=TargetSpec("budget_rate", budget_rate_pct=12.5), policy="rp10_2025",
                      horizon=2045, base_levers={"ev_cars": 70}, open_levers=["dh_fossil_free", "ev_cars"])
    assert len(ws.code) == 6 and set(ws.code) <= set(CODE_ALPHABET)
    assert len(key) >= 16
    assert ws.open_levers == ("ev_cars", "dh_fossil_free")  # registry order
    assert ws.base_levers == base
    assert ws.target == TargetSpec("budget_rate", budget_rate_pct=12.5)
    assert (ws.policy, ws.horizon, ws.kommun, ws.status, ws.is_open) == ("rp10_2025", 2045, "0381", "open", True)
    assert ws.created_at.tzinfo is not None
    assert store.get_workshop(ws.code.lower()) == ws
    assert store.get_workshop("ZZZZZZ") is None and store.get_workshop("<bad>") is None
    # The key is stored only as a salted hash.
    with store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT * FROM workshops WHERE code = :c"), {"c": ws.code}).mappings().one()
    assert key not in " ".join(str(v) for v in row.values())
    assert len(bytes.fromhex(row["key_salt"])) == 16


def test_kommun_by_name_and_codes_differ(store: WorkshopStore) -> None:
    a, key_a = _create(store, kommun="Enköping")
    b, key_b = _create(store)
    assert a.kommun == "0381" and a.code != b.code and key_a != key_b


@pytest.mark.parametrize(("kw", "key"), [
    ({"name": " \x00 "}, "name_empty"),
    ({"kommun": "Atlantis"}, "bad_kommun"),
    ({"target": TargetSpec(year=2031)}, "bad_target"),
    ({"policy": "anarchy"}, "bad_target"),
    ({"horizon": 2050}, "bad_target"),
    ({"open_levers": []}, "no_open_levers"),
    ({"open_levers": ["ev_cars", "warp_drive"]}, "unknown_lever"),
    ({"base_levers": {"ev_cars": 101}}, "bad_lever_value"),
])
def test_create_validates(store: WorkshopStore, kw: dict[str, Any], key: str) -> None:
    with pytest.raises(WorkshopError) as exc:
        _create(store, **kw)
    assert exc.value.key == key


def test_name_is_cleaned_and_limited(store: WorkshopStore) -> None:
    ws, _ = _create(store, name="  Work\x07shop " + "x" * 200)
    assert ws.name.startswith("Workshop x") and len(ws.name) == 80


def test_keys_guard_close_clear_export(store: WorkshopStore) -> None:
    ws, key = _create(store)
    other, other_key = _create(store)
    store.submit(ws.code, "A", {"ev_cars": 80}, new_token())
    for wrong in ("", "   ", "fel", key + "x", other_key, key.upper() if key.upper() != key else key + "Y", "x" * 500):
        assert not store.verify_key(ws.code, wrong)
        for action in (store.close, store.reopen, store.clear, store.export):
            with pytest.raises(WorkshopError) as exc:
                action(ws.code, wrong)
            assert exc.value.key == "bad_key"
    assert store.get_workshop(ws.code).is_open and store.counts(ws.code) == (1, 1)
    assert store.verify_key(ws.code, key) and store.verify_key(ws.code.lower(), f" {key} ")
    assert not store.verify_key("ZZZZZZ", key) and not store.verify_key("bad", key)
    with pytest.raises(WorkshopError) as exc:
        store.close("ZZZZZZ", key)
    assert exc.value.key == "not_found"
    assert store.get_workshop(other.code).is_open


# --------------------------------------------------------------------------- submit
def test_submit_resubmit_history(store: WorkshopStore) -> None:
    ws, _ = _create(store)
    r1 = store.submit(ws.code, "Grupp Norr", {"ev_cars": 80, "car_traffic": 10}, new_token())
    assert r1.created and r1.group_count == 1
    assert r1.submission.levers == {**ws.base_levers, "ev_cars": 80.0, "car_traffic": 10.0}
    r2 = store.submit(ws.code.lower(), "grupp norr ", {"ev_cars": 95}, new_token())
    assert r2.created and r2.group_count == 2 and r2.submission.id > r1.submission.id
    store.submit(ws.code, "Grupp Syd", {"dh_fossil_free": 50}, new_token())
    latest = store.latest(ws.code)
    assert [s.group_name for s in latest] == ["grupp norr", "Grupp Syd"]
    assert latest[0].levers["ev_cars"] == 95 and latest[0].levers["car_traffic"] == ws.base_levers["car_traffic"]
    hist = store.history(ws.code, "GRUPP NORR")
    assert [s.id for s in hist] == [r1.submission.id, r2.submission.id]
    assert len(store.history(ws.code)) == 3
    assert store.counts(ws.code) == (2, 3)


def test_same_token_never_duplicates(store: WorkshopStore) -> None:
    ws, _ = _create(store)
    token = new_token()
    first = store.submit(ws.code, "A", {"ev_cars": 80}, token)
    again = store.submit(ws.code, "A", {"ev_cars": 80}, token)
    assert first.created and not again.created and again.submission == first.submission
    assert store.counts(ws.code) == (1, 1)
    # A token belongs to one group in one workshop.
    with pytest.raises(WorkshopError) as exc:
        store.submit(ws.code, "B", {"ev_cars": 80}, token)
    assert exc.value.key == "token_reused"
    other, _ = _create(store)
    with pytest.raises(WorkshopError):
        store.submit(other.code, "A", {"ev_cars": 80}, token)
    assert store.counts(other.code) == (0, 0)


@pytest.mark.parametrize(("levers", "key"), [
    ({"ev_cars": 101}, "bad_lever_value"),
    ({"ev_cars": -5}, "bad_lever_value"),
    ({"ev_cars": 80.5}, "bad_lever_value"),  # off the 5 % step
    ({"ev_cars": float("nan")}, "bad_lever_value"),
    ({"ev_cars": True}, "bad_lever_value"),
    ({"ev_cars": "80"}, "bad_lever_value"),
    ({"warp": 1}, "unknown_lever"),
    ({"oil_heating": 100}, "lever_closed"),
    (["ev_cars"], "bad_levers"),
])
def test_submit_validates_levers(store: WorkshopStore, levers: Any, key: str) -> None:
    ws, _ = _create(store)
    with pytest.raises(WorkshopError) as exc:
        store.submit(ws.code, "A", levers, new_token())
    assert exc.value.key == key
    assert store.counts(ws.code) == (0, 0)


def test_closed_lever_at_its_base_value_is_accepted(store: WorkshopStore) -> None:
    ws, _ = _create(store)
    r = store.submit(ws.code, "A", {"oil_heating": ws.base_levers["oil_heating"], "ev_cars": 60}, new_token())
    assert r.created


@pytest.mark.parametrize(("group", "token", "key"), [
    ("", None, "group_empty"), ("\x00\u202e ", None, "group_empty"),
    ("A", "short", "bad_token"), ("A", "bad token with spaces!", "bad_token"), ("A", "x" * 65, "bad_token"),
])
def test_submit_validates_group_and_token(store: WorkshopStore, group: str, token: str | None, key: str) -> None:
    ws, _ = _create(store)
    with pytest.raises(WorkshopError) as exc:
        store.submit(ws.code, group, {"ev_cars": 80}, token or new_token())
    assert exc.value.key == key


def test_unknown_workshop(store: WorkshopStore) -> None:
    with pytest.raises(WorkshopError) as exc:
        store.submit("ZZZZZZ", "A", {}, new_token())
    assert exc.value.key == "not_found"
    assert store.latest("ZZZZZZ") == [] and store.latest("??") == [] and store.counts("??") == (0, 0)


def test_closed_workshop_refuses_then_reopens(store: WorkshopStore) -> None:
    ws, key = _create(store)
    token = new_token()
    store.submit(ws.code, "A", {"ev_cars": 80}, token)
    closed = store.close(ws.code, key)
    assert not closed.is_open and closed.closed_at is not None
    with pytest.raises(WorkshopError) as exc:
        store.submit(ws.code, "B", {"ev_cars": 80}, new_token())
    assert exc.value.key == "closed"
    # A retry of a submission made before the close is answered, not refused.
    assert not store.submit(ws.code, "A", {"ev_cars": 80}, token).created
    assert store.reopen(ws.code, key).is_open
    assert store.submit(ws.code, "B", {"ev_cars": 80}, new_token()).created


def test_clear_archives_and_export_keeps_everything(store: WorkshopStore) -> None:
    ws, key = _create(store)
    for g in ("A", "B", "A"):
        store.submit(ws.code, g, {"ev_cars": 80}, new_token())
    assert store.clear(ws.code, key) == 3
    assert store.latest(ws.code) == [] and store.counts(ws.code) == (0, 0)
    store.submit(ws.code, "C", {"ev_cars": 90}, new_token())
    assert [s.group_name for s in store.latest(ws.code)] == ["C"]
    got_ws, rows = store.export(ws.code, key)
    assert got_ws.code == ws.code
    assert [(s.group_name, s.archived) for s in rows] == [("A", True), ("B", True), ("A", True), ("C", False)]
    assert len(store.history(ws.code, include_archived=True)) == 4


def test_injection_strings_stored_verbatim(store: WorkshopStore) -> None:
    ws, key = _create(store, name=INJECTIONS[0])
    assert store.get_workshop(ws.code).name == INJECTIONS[0]
    for text in INJECTIONS:
        store.submit(ws.code, text[:MAX_GROUP_CHARS], {"ev_cars": 85}, new_token())
    names = {s.group_name for s in store.latest(ws.code)}
    assert names == {text[:MAX_GROUP_CHARS] for text in INJECTIONS}
    # The tables are intact.
    assert store.counts(ws.code) == (len(INJECTIONS), len(INJECTIONS))
    assert len(store.export(ws.code, key)[1]) == len(INJECTIONS)


def test_names_that_expand_when_normalised(store: WorkshopStore) -> None:
    ws, _ = _create(store)
    name = "\ufdfa" * MAX_GROUP_CHARS  # one character, 18 after NFKC: the grouping key stays within its column
    r = store.submit(ws.code, name, {"ev_cars": 80}, new_token())
    assert r.created and r.submission.group_name == name and len(r.submission.group_key) <= 4 * MAX_GROUP_CHARS
