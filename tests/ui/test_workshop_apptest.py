"""AppTest flows for the Workshop page through app.py: facilitator, participants, board, failures.

Every test points ``KLIMAT_DB_URL`` at its own SQLite file (before the app runs) and
uses a second engine on the same file to arrange and check what is stored.
"""
from __future__ import annotations

import datetime as _dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from model.codec import decode, default_state
from model.registry import load_registry
from model.targets import TargetSpec
from persistence.store import Submission, Workshop, WorkshopStore, new_token
from tests.ui.workshopkit import page_texts, workshop_page
from ui.render import safe_text
from ui.text.i18n import t
from ui.workshop.export import brief_html, export_csv, export_xlsx, submissions_table
from ui.workshop.summary import chart_label, group_rows, lever_spread, median_levers

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "views/workshop.py"
TIMEOUT = 60
OPEN = ["ev_cars", "car_traffic", "dh_fossil_free"]
HOSTILE = "<img src=x onerror=alert(1)>**fet**"


def _workshop(store: WorkshopStore, **kw: object) -> tuple[Workshop, str]:
    args: dict[str, object] = {"name": "Enköping testar", "kommun": "0381", "target": TargetSpec(),
                               "open_levers": OPEN}
    args.update(kw)
    return store.create_workshop(**args)  # type: ignore[arg-type]


def _page(params: dict[str, str] | None = None) -> AppTest:
    return workshop_page(params)


def _texts(at: AppTest) -> str:
    return page_texts(at)


def _keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button if b.key}


# --------------------------------------------------------------------------- facilitator
def test_facilitator_creates_workshop_and_sees_code_qr_key(store: WorkshopStore) -> None:
    at = _page()
    assert t("workshop.intro", "sv") in _texts(at)
    at.text_input(key="wsf_name").input("Fullmäktige")
    at.multiselect(key="wsf_open").set_value(OPEN)
    at.button(key="wsf_create").click().run()
    assert not at.exception, at.exception
    code, key = at.session_state["wsf_code"], at.session_state["wsf_key"]
    ws = store.get_workshop(code)
    assert ws is not None and ws.name == "Fullmäktige" and ws.open_levers == tuple(OPEN)
    assert ws.kommun == "0381" and store.verify_key(code, key)
    assert at.title[0].value == "Fullmäktige"
    codes = [c.value for c in at.code]
    assert any(code in c and key in c for c in codes), "code and key are shown once"
    assert any(c.endswith(f"/ws?ws={code}") for c in codes), "join link"
    assert at.get("image"), "QR code"
    assert t("workshop.key.once", "sv") in _texts(at)
    # The address keeps the workshop so a reload asks only for the key.
    assert at.query_params["ws"] in (code, [code]) and at.query_params["role"] in ("host", ["host"])
    at.button(key="wsf_key_saved").click().run()
    assert not any(key in c.value for c in at.code), "the key is not shown again"


def test_create_needs_name_and_levers(store: WorkshopStore) -> None:
    at = _page()
    at.button(key="wsf_create").click().run()
    assert t("workshop.error.name_empty", "sv") in _texts(at)
    at.text_input(key="wsf_name").input("X")
    at.multiselect(key="wsf_open").set_value([])
    at.button(key="wsf_create").click().run()
    assert t("workshop.error.no_open_levers", "sv") in _texts(at)
    assert "wsf_code" not in at.session_state


def test_wrong_key_cannot_close_or_export(store: WorkshopStore) -> None:
    ws, key = _workshop(store)
    at = _page({"ws": ws.code, "role": "host"})
    assert at.text_input(key="wsf_open_code").value == ws.code
    at.text_input(key="wsf_open_key").input("fel-nyckel")
    at.button(key="wsf_open_submit").click().run()
    assert t("workshop.error.bad_key", "sv") in _texts(at)
    assert "wsf_key" not in at.session_state
    assert not {"wsf_close", "wsf_clear"} & _keys(at)
    assert not at.get("download_button")
    assert store.get_workshop(ws.code).is_open
    # The right key opens the management view; closing works.
    at.text_input(key="wsf_open_key").input(key)
    at.button(key="wsf_open_submit").click().run()
    assert at.session_state["wsf_key"] == key
    at.button_group(key="wsf_view").set_value("manage").run()
    assert at.get("download_button")
    at.button(key="wsf_close").click().run()
    assert not at.exception, at.exception
    assert not store.get_workshop(ws.code).is_open
    assert t("workshop.manage.close_done", "sv") in _texts(at)


def test_clear_archives_with_key(store: WorkshopStore) -> None:
    ws, key = _workshop(store)
    store.submit(ws.code, "A", {"ev_cars": 90}, new_token())
    at = _page({"ws": ws.code, "role": "host"})
    at.text_input(key="wsf_open_key").input(key)
    at.button(key="wsf_open_submit").click().run()
    at.button_group(key="wsf_view").set_value("manage").run()
    assert at.button(key="wsf_clear").disabled
    at.checkbox(key="wsf_clear_sure").check().run()
    at.button(key="wsf_clear").click().run()
    assert not at.exception, at.exception
    assert store.counts(ws.code) == (0, 0) and len(store.export(ws.code, key)[1]) == 1


# --------------------------------------------------------------------------- participants and board
def test_participant_submits_and_board_shows_it(store: WorkshopStore) -> None:
    ws, key = _workshop(store)
    at = _page({"ws": ws.code})
    assert at.title[0].value == "Enköping testar"
    assert {s.key for s in at.slider} >= {f"wsp_lv_{lid}" for lid in OPEN}
    assert "wsp_lv_oil_heating" not in {s.key for s in at.slider}, "closed levers are not sliders"
    at.button(key="wsp_submit").click().run()
    assert t("workshop.error.group_empty", "sv") in _texts(at)
    assert store.counts(ws.code) == (0, 0)
    at.text_input(key="wsp_group").input("Grupp Norr")
    at.slider(key="wsp_lv_ev_cars").set_value(95).run()
    at.button(key="wsp_submit").click().run()
    assert not at.exception, at.exception
    assert at.success and "Grupp Norr" in at.success[0].value
    (sub,) = store.latest(ws.code)
    assert sub.group_name == "Grupp Norr" and sub.levers["ev_cars"] == 95
    assert sub.levers["oil_heating"] == ws.base_levers["oil_heating"]
    # A second tap without changes stores nothing new; a change does.
    at.button(key="wsp_submit").click().run()
    assert store.counts(ws.code) == (1, 1)
    assert t("workshop.participant.already_saved", "sv").split("(")[0] in at.success[0].value
    at.slider(key="wsp_lv_car_traffic").set_value(10).run()
    at.button(key="wsp_submit").click().run()
    assert store.counts(ws.code) == (1, 2)
    assert store.latest(ws.code)[0].levers["car_traffic"] == 10

    board = _page({"ws": ws.code, "role": "board"})
    assert board.title[0].value == "Enköping testar"
    assert [m.value for m in board.metric][:2] == ["1", "2"]
    ranking = board.table[0].value
    assert list(ranking[t("workshop.rank.group", "sv")]) == [
        "Grupp Norr", safe_text(t("workshop.board.median_name", "sv"))]
    link = ranking[t("workshop.rank.open", "sv")].iloc[0]
    assert link.startswith("[Öppna](http") and link.endswith(")")
    params = dict(pair.split("=", 1) for pair in link[:-1].split("?", 1)[1].split("&"))
    assert decode(params).levers["ev_cars"] == 95 and decode(params).levers["car_traffic"] == 10
    assert board.get("vega_lite_chart") and board.get("image")


def test_board_opens_a_pathway_on_the_scenario_page(store: WorkshopStore) -> None:
    ws, _ = _workshop(store, kommun="1480")  # Göteborg: the session's kommun changes too
    store.submit(ws.code, "A", {"ev_cars": 100, "car_traffic": 20}, new_token())
    at = _page({"ws": ws.code, "role": "board"})
    at.selectbox(key="wsb_pick").select("g0").run()
    at.button(key="wsb_open").click().run()
    assert not at.exception, at.exception
    assert at.session_state["kommun"] == "1480"
    assert at.session_state["levers"]["ev_cars"] == 100 and at.session_state["levers"]["car_traffic"] == 20
    assert at.slider(key="lv_ev_cars").value == 100, "the Scenario page is shown"


def test_presentation_mode(store: WorkshopStore) -> None:
    ws, _ = _workshop(store)
    store.submit(ws.code, "A", {"ev_cars": 100}, new_token())
    at = _page({"ws": ws.code, "role": "board", "present": "1"})
    html = [h.proto.body for h in at.get("html")]
    assert any("stSidebar" in h and "display: none" in h for h in html)
    assert "wsb_open" not in _keys(at), "no controls on the projector"
    assert at.table and at.get("vega_lite_chart")


def test_closed_workshop_refuses(store: WorkshopStore) -> None:
    ws, key = _workshop(store)
    at = _page({"ws": ws.code})
    at.text_input(key="wsp_group").input("Sen grupp")
    store.close(ws.code, key)  # closed while the participant is still looking
    at.button(key="wsp_submit").click().run()
    assert not at.exception, at.exception
    assert t("workshop.participant.closed", "sv") in _texts(at)
    assert at.button(key="wsp_submit").disabled
    assert store.counts(ws.code) == (0, 0)
    board = _page({"ws": ws.code, "role": "board"})
    assert t("workshop.board.closed", "sv") in _texts(board)


def test_unknown_and_bad_codes(store: WorkshopStore) -> None:
    ws, _ = _workshop(store)
    at = _page({"ws": "ZZZZZZ"})
    assert t("workshop.error.not_found", "sv") in _texts(at)
    # The participant can type the code from the projector instead.
    at.text_input(key="wsp_code_input").input(ws.code.lower()[:3] + "-" + ws.code.lower()[3:])
    at.button(key="wsp_code_go").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Enköping testar" and "wsp_submit" in _keys(at)
    at = _page({"ws": "<script>"})
    assert t("workshop.error.bad_code", "sv") in _texts(at)
    assert "<script>" not in _texts(at)


def test_hostile_names_are_rendered_as_text(store: WorkshopStore) -> None:
    ws, _ = _workshop(store, name=HOSTILE)
    store.submit(ws.code, HOSTILE[:40], {"ev_cars": 90}, new_token())
    for params in ({"ws": ws.code, "role": "board"}, {"ws": ws.code}):
        at = _page(params)
        assert at.title[0].value == safe_text(HOSTILE) != HOSTILE
        assert HOSTILE not in "\n".join(m.value for m in at.markdown)
    assert safe_text(HOSTILE[:40]) in list(_page({"ws": ws.code, "role": "board"}).table[0].value.iloc[:, 1])


# --------------------------------------------------------------------------- database down
@pytest.mark.parametrize("url", [
    "sqlite:////nonexistent-dir/klimat/ws.sqlite",
    "postgresql+psycopg://nobody:secret@127.0.0.1:1/klimat",
    "not a database url",
])
@pytest.mark.parametrize("params", [{}, {"ws": "ABC234"}, {"ws": "ABC234", "role": "board"}])
def test_database_unreachable(url: str, params: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLIMAT_DB_URL", url)
    at = _page(params)
    assert not at.exception, at.exception
    assert t("workshop.db.unavailable", "sv") in [e.value for e in at.error]
    assert "secret" not in _texts(at)
    at.switch_page("views/scenario.py").run()
    assert not at.exception, at.exception
    assert at.slider(key="lv_ev_cars") and at.metric


# --------------------------------------------------------------------------- exports
def test_exports(store: WorkshopStore) -> None:
    ws, key = _workshop(store)
    store.submit(ws.code, '=HYPERLINK("http://x")', {"ev_cars": 90}, new_token())
    store.submit(ws.code, "<script>alert(1)</script>", {"ev_cars": 60}, new_token())
    store.submit(ws.code, "<script>alert(1)</script>", {"ev_cars": 70}, new_token())
    got_ws, subs = store.export(ws.code, key)
    df = pd.read_csv(io.BytesIO(export_csv(got_ws, subs)), sep=";", decimal=",", encoding="utf-8-sig")
    assert len(df) == 3 and df["Grupp"].iloc[0].startswith("'=")
    assert list(df["Gäller"]) == ["ja", "nej", "ja"]
    assert "Elbilar av nybilsförsäljningen (%)" in df.columns or any("%" in c for c in df.columns)
    wb = openpyxl.load_workbook(io.BytesIO(export_xlsx(got_ws, subs, "sv", "http://x/ws?ws=" + ws.code)))
    assert wb.sheetnames[0] == "Läs mig" and "Förslag" in wb.sheetnames
    assert wb["Förslag"].cell(2, 3).value == '=HYPERLINK("http://x")' and wb["Förslag"].cell(2, 3).data_type == "s"
    page = brief_html(got_ws, subs, "en", "http://x/ws?ws=" + ws.code, with_chart=False)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Median of the groups" in page
    en = submissions_table(got_ws, subs, "en")
    assert "Counts" in en.columns and len(en) == 3


# --------------------------------------------------------------------------- board figures (pure)
def _sub(i: int, group: str, **levers: float) -> Submission:
    ws_levers = dict(default_state("0381").levers, **levers)
    return Submission(i, "ABC234", group, group.casefold(), ws_levers, _dt.datetime.now(_dt.UTC),
                      new_token())


def test_group_pathway_median_on_the_step_grid(store: WorkshopStore) -> None:
    ws, _ = _workshop(store)
    subs = [_sub(1, "A", ev_cars=85.0), _sub(2, "B", ev_cars=100.0)]
    med = median_levers(ws, subs)
    assert med["ev_cars"] == 95.0  # 92.5 rounds half up onto the 5 % grid
    assert med["oil_heating"] == ws.base_levers["oil_heating"]
    assert median_levers(ws, subs[:1])["ev_cars"] == 85.0
    assert median_levers(ws, []) == ws.base_levers


def test_spread_agreement_and_ranking(store: WorkshopStore) -> None:
    ws, _ = _workshop(store)
    subs = [_sub(1, "Låg", ev_cars=60.0), _sub(2, "Hög", ev_cars=65.0, car_traffic=30.0)]
    table, agreed = lever_spread(ws, subs, "sv")
    assert list(table["Spak"]) == [load_registry().lever(lid).label["sv"] for lid in OPEN]
    row = table.iloc[0]
    got = (row["Lägst"], row["Högst"], row["Ändrad av"], row["Eniga?"])
    assert got == ("60\u00a0%", "65\u00a0%", "2 av 2", "Ja")
    assert table.iloc[1]["Eniga?"] == "Nej"  # 0 and 30 % span the whole 0–30 % range
    # Agreement is reported for levers the groups agree to move, not for untouched ones.
    assert agreed == [load_registry().lever("ev_cars").label["sv"]]
    rows = group_rows(ws, subs)
    assert [r.name for r in rows] == ["Hög", "Låg"] and rows[0].gap_t < rows[1].gap_t


def test_chart_labels_never_merge() -> None:
    taken: set[str] = set()
    assert [chart_label(n, taken) for n in ("A", "a", "A (2)", "B")] == ["A", "a (2)", "A (2) (2)", "B"]
