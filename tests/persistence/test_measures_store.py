"""A workshop carries the kommun's own measures; each group keeps or drops each one (schema 3).

Nothing a group chose may be lost or misread: the kept measures are stored with the submission
and the draft, refused when unknown, and a database made before schema 3 migrates with its rows.
"""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from model.measures import OwnMeasure
from model.measures_parse import measure_from_dict
from persistence.schema import SCHEMA_VERSION, drafts, schema_version_table, submissions, workshops
from persistence.store import WorkshopError, WorkshopStore, new_device, new_token
from tests.persistence.storekit import EngineFactory, _create


def _measure(mid: str, stream: str = "cars", effect: float = 2_000.0) -> OwnMeasure:
    return measure_from_dict({"id": mid, "name": {"sv": f"Åtgärd {mid} på Åby", "en": f"Measure {mid}"},
                              "stream": stream, "unit": "t", "effect": effect, "start": 2026, "full": 2029,
                              "actor": "kommun", "cost_sek_per_t": [100, 400],
                              "source": {"sv": "Kommunens klimatplan 2025", "en": "The kommun's climate plan 2025"}})


MEASURES = (_measure("biogas", "cars", 2_000.0), _measure("pendeltag", "cars", 1_500.0),
            _measure("ccs_verk", "industry", 10_000.0))


def _with_measures(store: WorkshopStore, **kw: Any) -> Any:
    ws, key = _create(store, measures=MEASURES, **kw)
    return ws, key


def test_workshop_keeps_its_measures_exactly(store: WorkshopStore) -> None:
    ws, _ = _with_measures(store)
    again = store.get_workshop(ws.code)
    assert again is not None
    assert again.measures == MEASURES  # every field, in the facilitator's order
    assert again.measure_ids == ("biogas", "pendeltag", "ccs_verk")
    plain, _ = _create(store)
    assert store.get_workshop(plain.code).measures == ()  # type: ignore[union-attr]


def test_submission_stores_the_kept_measures_in_workshop_order(store: WorkshopStore) -> None:
    ws, _ = _with_measures(store)
    res = store.submit(ws.code, "Grupp Å", {"ev_cars": 70}, new_token(), measures=["ccs_verk", "biogas", "biogas"])
    assert res.created and res.submission.measures == ("biogas", "ccs_verk")
    none = store.submit(ws.code, "Grupp B", {"ev_cars": 60}, new_token(), measures=[])
    latest = {s.group_name: s for s in store.latest(ws.code)}
    assert latest["Grupp Å"].measures == ("biogas", "ccs_verk")
    assert latest["Grupp B"].measures == () == none.submission.measures
    assert ws.kept_measures(latest["Grupp Å"].measures) == (MEASURES[0], MEASURES[2])
    assert ws.scenario(measure_ids=latest["Grupp Å"].measures).measures == (MEASURES[0], MEASURES[2])


@pytest.mark.parametrize(("measures", "key"), [(["okänd"], "unknown_measure"), ("biogas", "bad_measures"),
                                               ([1], "bad_measures"), ({"biogas": 1}, "bad_measures")])
def test_unknown_or_malformed_measures_are_refused_and_nothing_is_stored(store: WorkshopStore, measures: Any,
                                                                         key: str) -> None:
    ws, _ = _with_measures(store)
    with pytest.raises(WorkshopError) as info:
        store.submit(ws.code, "Grupp", {"ev_cars": 70}, new_token(), measures=measures)
    assert info.value.key == key
    assert store.latest(ws.code) == []


def test_a_workshop_without_measures_refuses_a_measure(store: WorkshopStore) -> None:
    ws, _ = _create(store)
    with pytest.raises(WorkshopError) as info:
        store.submit(ws.code, "Grupp", {"ev_cars": 70}, new_token(), measures=["biogas"])
    assert info.value.key == "unknown_measure"


def test_repeated_measure_ids_refuse_the_workshop(store: WorkshopStore) -> None:
    with pytest.raises(WorkshopError) as info:
        _create(store, measures=(MEASURES[0], MEASURES[0]))
    assert info.value.key == "bad_measures"


def test_draft_keeps_the_kept_measures_and_a_change_is_a_new_version(store: WorkshopStore) -> None:
    ws, _ = _with_measures(store)
    dev = new_device()
    first = store.save_draft(ws.code, dev, "Grupp", {"ev_cars": 70})
    assert first.measures == ws.measure_ids  # None: the group starts with every measure kept
    same = store.save_draft(ws.code, dev, "Grupp", {"ev_cars": 70}, ["biogas", "pendeltag", "ccs_verk"])
    assert same.token == first.token
    dropped = store.save_draft(ws.code, dev, "Grupp", {"ev_cars": 70}, ["pendeltag"])
    assert dropped.token != first.token and dropped.measures == ("pendeltag",)
    back = store.load_draft(dev)
    assert back is not None and back.measures == ("pendeltag",)
    with pytest.raises(WorkshopError):
        store.save_draft(ws.code, dev, "Grupp", {"ev_cars": 70}, ["okänd"])
    assert store.load_draft(dev).measures == ("pendeltag",)  # type: ignore[union-attr]


def test_database_from_schema_2_migrates_and_keeps_its_rows(engine_factory: EngineFactory) -> None:
    """A database made before own measures (schema 2): its workshops and submissions read as before."""
    engine = engine_factory()
    store = WorkshopStore(engine)
    store.ensure_schema()
    ws, _ = _create(store)
    store.submit(ws.code, "Gamla gruppen", {"ev_cars": 65}, new_token())
    store.save_draft(ws.code, new_device(), "Utkast", {"ev_cars": 70})
    with engine.begin() as conn:  # undo schema 3: what a version-2 database looks like
        for table, col in ((workshops, "measures"), (submissions, "measures_json"), (drafts, "measures_json")):
            conn.execute(sa.text(f"ALTER TABLE {table.name} DROP COLUMN {col}"))
        conn.execute(sa.delete(schema_version_table).where(schema_version_table.c.version == 3))
    engine.dispose()
    restarted = WorkshopStore(engine_factory())
    assert restarted.schema_version() == 2
    assert restarted.ensure_schema() == SCHEMA_VERSION == 3
    old = restarted.get_workshop(ws.code)
    assert old is not None and old.measures == ()
    [sub] = restarted.latest(ws.code)
    assert (sub.group_name, sub.levers["ev_cars"], sub.measures) == ("Gamla gruppen", 65.0, ())
    # and the migrated database takes measures from now on
    new, _ = _with_measures(restarted)
    res = restarted.submit(new.code, "Ny grupp", {"ev_cars": 70}, new_token(), measures=["biogas"])
    assert res.submission.measures == ("biogas",)
