"""Workshop submissions can be compared on the "Jämför" page."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from model.targets import TargetSpec
from persistence.store import WorkshopStore

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _compare_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    return at.switch_page("views/jamfor.py").run()


def test_groups_latest_submissions_can_be_added(store: WorkshopStore) -> None:
    ws, _key = store.create_workshop("Dialog med näringslivet", "0381", TargetSpec(),
                                     open_levers=["ev_cars", "car_traffic"])
    store.submit(ws.code, "Grupp A", {"ev_cars": 90, "car_traffic": 15}, "a" * 32)
    store.submit(ws.code, "Grupp B", {"ev_cars": 70}, "b" * 32)
    store.submit(ws.code, "Grupp A", {"ev_cars": 100, "car_traffic": 20}, "c" * 32)  # latest counts
    at = _compare_page()
    at.text_input(key="cmp_ws_code").input(ws.code.lower()).run()
    assert not at.exception
    box = at.selectbox(key="cmp_extra")
    assert sorted(box.options) == ["Dialog med näringslivet: Grupp A", "Dialog med näringslivet: Grupp B"]
    at.button(key="cmp_add_extra").click().run()
    assert not at.exception
    items = at.session_state["cmp_items"]
    assert len(items) == 1 and items[0]["levers"]["ev_cars"] in (100.0, 70.0) and items[0]["kommun"] == "0381"


def test_unknown_code_and_database_down(store: WorkshopStore, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _compare_page()
    at.text_input(key="cmp_ws_code").input("ZZZZZZ").run()
    assert not at.exception and at.warning
    monkeypatch.setenv("KLIMAT_DB_URL", "postgresql+psycopg://nobody:x@127.0.0.1:1/none")
    at = _compare_page()
    at.text_input(key="cmp_ws_code").input("ABCDEF").run()
    assert not at.exception
    assert at.error, "a clear message when the workshop database is down"
    assert at.get("vega_lite_chart") is not None  # the rest of the page still renders


# --------------------------------------------------------------------------- pasted links
def _paste(at: AppTest, text: str) -> AppTest:
    at.text_input(key="cmp_link").input(text)
    at.button(key="cmp_add_link").click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("suffix", ["", "&lang=en", "&role=board&present=1"])
def test_pasted_workshop_link_loads_the_workshop_not_a_default_scenario(store: WorkshopStore, suffix: str) -> None:
    ws, _key = store.create_workshop("Dialog", "0381", TargetSpec(), open_levers=["ev_cars"])
    store.submit(ws.code, "Grupp A", {"ev_cars": 90}, "a" * 32)
    at = _paste(_compare_page(), f"https://klimat.example.se/ws?ws={ws.code.lower()}{suffix}")
    assert at.session_state["cmp_items"] == [], "no default Enköping scenario"
    assert any("workshoplänk" in i.value and ws.code in i.value for i in at.info), [i.value for i in at.info]
    assert at.text_input(key="cmp_ws_code").value == ws.code
    assert at.selectbox(key="cmp_extra").options == ["Dialog: Grupp A"]


def test_link_with_too_many_fields_gets_the_real_reason() -> None:
    link = "https://klimat.example.se/?v=1&k=0381&" + "&".join(f"x{i}=1" for i in range(201))
    at = _paste(_compare_page(), link)
    (error,) = at.error
    assert "fler än 200 fält" in error.value and "saknar scenarioparametrar" not in error.value
    assert at.session_state["cmp_items"] == []


def test_uploader_states_the_real_limit() -> None:
    at = _compare_page()
    (up,) = at.file_uploader
    assert up.label == "Ladda upp en scenariofil (.toml, högst 64 kB)"
    assert "64 kB" in up.help
    assert up.proto.max_upload_size_mb == 1  # Streamlit's smallest; its "1MB" line is hidden (CSS)
    assert any("stFileUploaderDropzoneInstructions" in h.proto.body for h in at.get("html"))
