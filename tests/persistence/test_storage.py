"""Workshop storage under stress: schema creation and migration, restarts, concurrent submissions.

SQLite and, when ``KLIMAT_TEST_PG_URL`` is set, PostgreSQL (each test in its own schema). The
concurrency tests print their timings (``pytest -s``).
"""
from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa

from persistence.store import (
    SCHEMA_VERSION,
    SchemaTooNewError,
    WorkshopError,
    WorkshopStore,
    new_token,
    schema_version_table,
)
from tests.persistence.storekit import EngineFactory, _create


# --------------------------------------------------------------------------- schema
def test_schema_created_and_idempotent(engine_factory: EngineFactory) -> None:
    s = WorkshopStore(engine_factory())
    assert s.schema_version() == 0
    assert s.ensure_schema() == SCHEMA_VERSION
    ws, _ = _create(s)
    assert s.ensure_schema() == SCHEMA_VERSION  # a second start changes nothing
    assert WorkshopStore(engine_factory()).ensure_schema() == SCHEMA_VERSION
    assert s.schema_version() == SCHEMA_VERSION
    assert s.get_workshop(ws.code) == ws
    with s.engine.connect() as conn:
        rows = conn.execute(sa.select(schema_version_table.c.version)).scalars().all()
    assert rows == list(range(1, SCHEMA_VERSION + 1))


def test_schema_safe_under_concurrent_starts(engine_factory: EngineFactory) -> None:
    stores = [WorkshopStore(engine_factory()) for _ in range(8)]
    barrier = threading.Barrier(len(stores))

    def start(s: WorkshopStore) -> int:
        barrier.wait()
        return s.ensure_schema()

    with ThreadPoolExecutor(len(stores)) as pool:
        assert list(pool.map(start, stores)) == [SCHEMA_VERSION] * len(stores)
    with stores[0].engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema_version_table)).scalar() == SCHEMA_VERSION


def test_newer_schema_is_refused(store: WorkshopStore) -> None:
    with store.engine.begin() as conn:
        conn.execute(sa.insert(schema_version_table).values(version=SCHEMA_VERSION + 5,
                                                            applied_at=sa.func.current_timestamp()))
    with pytest.raises(SchemaTooNewError):
        store.ensure_schema()


def test_restart_keeps_every_submission(engine_factory: EngineFactory) -> None:
    s = WorkshopStore(engine_factory())
    s.ensure_schema()
    ws, key = _create(s)
    for i in range(5):
        s.submit(ws.code, f"G{i % 3}", {"ev_cars": 60 + 5 * i}, new_token())
    before = (s.latest(ws.code), s.history(ws.code))
    s.engine.dispose()  # the server process stops ...
    again = WorkshopStore(engine_factory())  # ... and a new one starts on the same database
    assert again.ensure_schema() == SCHEMA_VERSION
    assert (again.latest(ws.code), again.history(ws.code)) == before
    assert again.verify_key(ws.code, key)


# --------------------------------------------------------------------------- concurrency
def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    try:
        return fn(), time.perf_counter() - t0
    except Exception as exc:  # noqa: BLE001 - collected and asserted on below
        return exc, time.perf_counter() - t0


def test_fifty_concurrent_submissions(engine_factory: EngineFactory, request: pytest.FixtureRequest) -> None:
    """50 threads at once: 30 groups, one group resubmitting 10 times, 5 tokens sent twice."""
    store = WorkshopStore(engine_factory())
    store.ensure_schema()
    ws, key = _create(store)
    jobs: list[tuple[str, dict[str, float], str]] = []
    jobs += [(f"Grupp {i:02d}", {"ev_cars": 5.0 * (i % 21)}, new_token()) for i in range(30)]
    jobs += [("Samma grupp", {"car_traffic": float(i)}, new_token()) for i in range(10)]
    dup_tokens = [new_token() for _ in range(5)]
    jobs += [(f"Dubbel {i}", {"dh_fossil_free": 10.0 * i}, tok) for i, tok in enumerate(dup_tokens)] * 2
    assert len(jobs) == 50
    barrier = threading.Barrier(len(jobs))

    def submit(job: tuple[str, dict[str, float], str]) -> tuple[Any, float]:
        barrier.wait()
        return _timed(lambda: store.submit(ws.code, *job))

    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(submit, jobs))
    wall = time.perf_counter() - t0
    errors = [r for r, _ in results if isinstance(r, Exception)]
    assert errors == []
    created = [r for r, _ in results if r.created]
    assert len(created) == 45
    # Every duplicate token got the one stored row back.
    by_token = Counter(r.submission.client_token for r, _ in results)
    assert all(by_token[tok] == 2 for tok in dup_tokens)
    ids_for = {tok: {r.submission.id for r, _ in results if r.submission.client_token == tok} for tok in dup_tokens}
    assert all(len(ids) == 1 for ids in ids_for.values())
    # Exactly what was acknowledged is stored: nothing lost, nothing doubled.
    _, rows = store.export(ws.code, key)
    assert sorted(s.id for s in rows) == sorted(r.submission.id for r in created)
    assert len({s.client_token for s in rows}) == len(rows) == 45
    latest = store.latest(ws.code)
    assert len(latest) == 36 and store.counts(ws.code) == (36, 45)
    same = store.history(ws.code, "Samma grupp")
    assert len(same) == 10
    assert next(s for s in latest if s.group_name == "Samma grupp").id == max(s.id for s in same)
    for i in range(30):
        got = next(s for s in latest if s.group_name == f"Grupp {i:02d}")
        assert got.levers["ev_cars"] == 5.0 * (i % 21)
    lat = sorted(d for _, d in results)
    line = (f"\n[{request.node.callspec.id}] 50 concurrent submits: wall {wall * 1000:.0f} ms, "
            f"latency p50 {statistics.median(lat) * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms")
    print(line)
    request.node.user_properties.append(("timing", line.strip()))


def test_close_during_submissions_loses_nothing(engine_factory: EngineFactory) -> None:
    """Submissions racing a close are either stored (and acknowledged) or refused as closed."""
    store = WorkshopStore(engine_factory())
    store.ensure_schema()
    ws, key = _create(store)
    n = 40
    barrier = threading.Barrier(n + 1)

    def submit(i: int) -> Any:
        barrier.wait()
        time.sleep(0.001 * (i % 10))
        try:
            return store.submit(ws.code, f"G{i}", {"ev_cars": 80}, new_token())
        except WorkshopError as exc:
            return exc

    def close() -> Any:
        barrier.wait()
        time.sleep(0.004)
        return store.close(ws.code, key)

    with ThreadPoolExecutor(n + 1) as pool:
        futures = [pool.submit(submit, i) for i in range(n)] + [pool.submit(close)]
        results = [f.result() for f in futures]
    outcomes = results[:n]
    assert not results[n].is_open
    refused = [r for r in outcomes if isinstance(r, WorkshopError)]
    assert all(r.key == "closed" for r in refused)
    stored = {r.submission.id for r in outcomes if not isinstance(r, WorkshopError)}
    assert {s.id for s in store.export(ws.code, key)[1]} == stored
    assert len(stored) + len(refused) == n
