"""Own measures in a workshop (issue 13): the facilitator's measures reach every phone, a group may
take one out, and the board, the links, Jämför and the exports use exactly the group's choice."""
from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from model.codec import decode
from model.measures import OwnMeasure
from model.measures_link import encode_measures
from model.measures_parse import measure_from_dict
from model.targets import TargetSpec
from persistence.store import Workshop, WorkshopStore, new_token
from tests.ui.workshopkit import APP, page_texts, workshop_page
from ui.text.i18n import t
from ui.workshop.export import export_csv, export_xlsx
from ui.workshop.participant_form import GROUP_KEY, measure_key
from ui.workshop.summary import evaluate, group_rows, lever_spread, share_params

OPEN = ["ev_cars", "car_traffic"]


def _measure(mid: str, name: str, effect: float) -> OwnMeasure:
    return measure_from_dict({"id": mid, "name": {"sv": name, "en": name + " (en)"}, "stream": "cars", "unit": "t",
                              "effect": effect, "start": 2026, "full": 2029, "actor": "kommun",
                              "source": {"sv": "Kommunens klimatplan 2025", "en": "The kommun's climate plan 2025"}})


BIOGAS = _measure("biogas", "Biogas i stadsbussarna", 2_000.0)
PENDEL = _measure("pendel", "Pendeltåg till Västerås", 1_500.0)


def _ws(store: WorkshopStore, kommun: str = "0381") -> tuple[Workshop, str]:
    return store.create_workshop("Åtgärdsverkstad", kommun, TargetSpec(), open_levers=OPEN,
                                 measures=(BIOGAS, PENDEL))


def _net(ws: Workshop, measures: tuple[str, ...] | None) -> float:
    res = evaluate(ws, ws.base_levers, measures)
    return float(res.net[list(res.years).index(2030)])


def test_a_measure_taken_out_counts_by_its_own_effect(store: WorkshopStore) -> None:
    """Hand-derived: both measures act on the cars stream at full effect from 2029, and the engine
    combines each one multiplicatively with the levers on its stream (model/measures.py), so in 2030
    each alone removes its tonnes times the share the levers leave of the stream (the base levers cut
    Enköping's cars by a few per cent): biogas alone / pendel alone = 2 000 / 1 500 exactly, and the
    two together remove a little less than the sum (each acts on what the other leaves)."""
    ws, _ = _ws(store)
    none = _net(ws, ())
    biogas, pendel = none - _net(ws, ("biogas",)), none - _net(ws, ("pendel",))
    together = none - _net(ws, None)
    assert biogas / pendel == pytest.approx(2_000 / 1_500, rel=1e-9)
    assert 0.95 * 2_000 < biogas <= 2_000
    assert max(biogas, pendel) < together < biogas + pendel


def test_phone_switches_a_measure_off_and_the_board_counts_the_group_without_it(store: WorkshopStore) -> None:
    ws, _ = _ws(store)
    at = workshop_page({"ws": ws.code})
    toggles = {tg.key: tg for tg in at.toggle}
    assert toggles[measure_key("biogas")].value is True and toggles[measure_key("pendel")].value is True
    assert "Biogas i stadsbussarna" in toggles[measure_key("biogas")].label
    assert t("workshop.participant.measures_title", "sv") in page_texts(at)
    at.text_input(key=GROUP_KEY).input("Grupp Ö").run()
    at.toggle(key=measure_key("biogas")).set_value(False).run()
    assert not at.exception, at.exception
    dev = at.query_params["dev"]
    dev = dev[0] if isinstance(dev, list) else dev
    draft = store.load_draft(dev)
    assert draft is not None and draft.measures == ("pendel",)
    # A reload of the phone keeps the switch off (the draft, not the workshop's start).
    again = workshop_page({"ws": ws.code, "dev": dev})
    assert again.toggle(key=measure_key("biogas")).value is False
    again.button(key="wsp_submit").click().run()
    assert not again.exception, again.exception
    [sub] = store.latest(ws.code)
    assert sub.measures == ("pendel",)
    [row] = group_rows(ws, [sub])
    assert row.net_t == pytest.approx(_net(ws, ("pendel",)))
    assert row.net_t > _net(ws, None) + 0.9 * 2_000  # the group's figure is without the biogas measure


def test_links_compare_and_board_open_the_groups_measures(store: WorkshopStore) -> None:
    ws, _ = _ws(store, kommun="2584")  # Kiruna: nothing about Enköping
    store.submit(ws.code, "A", {"ev_cars": 80}, new_token(), measures=["biogas"])
    store.submit(ws.code, "B", {"ev_cars": 70}, new_token(), measures=[])
    subs = {s.group_name: s for s in store.latest(ws.code)}
    link_a = decode(share_params(ws, subs["A"].levers, "sv", subs["A"].measures))
    link_b = decode(share_params(ws, subs["B"].levers, "sv", subs["B"].measures))
    assert [m.id for m in link_a.measures] == ["biogas"] and link_a.measures[0] == BIOGAS
    assert link_b.measures == () and link_a.kommun == "2584"
    # The board's "open on the Scenario page" brings exactly the group's measures.
    at = workshop_page({"ws": ws.code, "role": "board"})
    names = [r.name for r in group_rows(ws, store.latest(ws.code))]
    at.selectbox(key="wsb_pick").select(f"g{names.index('A')}").run()
    at.button(key="wsb_open").click().run()
    assert not at.exception, at.exception
    assert [m.id for m in at.session_state["measures"]] == ["biogas"]
    assert at.session_state["kommun"] == "2584"


def test_spread_and_exports_name_each_measure_and_each_groups_choice(store: WorkshopStore) -> None:
    ws, key = _ws(store)
    store.submit(ws.code, "A", {"ev_cars": 80}, new_token(), measures=["biogas", "pendel"])
    store.submit(ws.code, "B", {"ev_cars": 70}, new_token(), measures=["pendel"])
    latest = store.latest(ws.code)
    spread, agreed = lever_spread(ws, latest, "sv")
    lever_col, moved_col = t("workshop.spread.lever", "sv"), t("workshop.spread.moved", "sv")
    by_name = dict(zip(spread[lever_col], spread[moved_col], strict=True))
    assert by_name["Egen åtgärd: Biogas i stadsbussarna"] == "1 av 2"  # one group took it out
    assert by_name["Egen åtgärd: Pendeltåg till Västerås"] == "0 av 2"
    got, subs = store.export(ws.code, key)
    table = pd.read_csv(io.BytesIO(export_csv(got, subs, "sv")), sep=";", decimal=",", encoding="utf-8-sig")
    col = t("workshop.export.col.measure", "sv", name="Biogas i stadsbussarna")
    assert dict(zip(table[t("workshop.export.col.group", "sv")], table[col], strict=True)) == {"A": "ja", "B": "nej"}
    net_col = next(c for c in table.columns if c.startswith("Nettoutsläpp"))
    nets = dict(zip(table[t("workshop.export.col.group", "sv")], table[net_col], strict=True))
    rows = {r.name: r for r in group_rows(ws, latest)}
    assert nets["B"] == pytest.approx(rows["B"].net_t, abs=0.1)
    assert nets["A"] == pytest.approx(rows["A"].net_t, abs=0.1)
    wb = openpyxl.load_workbook(io.BytesIO(export_xlsx(got, subs, "en")))
    cells = [str(c.value) for sheet in wb.worksheets for row in sheet.iter_rows() for c in row if c.value]
    assert any("Biogas i stadsbussarna (en)" in c and "full effect in 2029" in c for c in cells), "README line"
    assert not any("Egen åtgärd" in c or "Källa" in c for c in cells), "English workbook: no Swedish"
    assert np.isfinite(list(nets.values())).all()


def test_facilitator_creates_the_workshop_with_the_sessions_measures(store: WorkshopStore) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["om"] = encode_measures([BIOGAS])
    at.run()
    assert [m.id for m in at.session_state["measures"]] == ["biogas"]
    at.switch_page("views/workshop.py").run()
    assert "kommunens egen åtgärd: Biogas i stadsbussarna" in page_texts(at)
    at.text_input(key="wsf_name").input("Med egen åtgärd")
    at.multiselect(key="wsf_open").set_value(OPEN)
    at.button(key="wsf_create").click().run()
    assert not at.exception, at.exception
    ws = store.get_workshop(at.session_state["wsf_code"])
    assert ws is not None and ws.measures == (BIOGAS,)
