"""Fixtures of the workshop storage tests (pytest finds them here; no test module imports them).

``engine_factory`` makes engines on a fresh SQLite file or, when ``KLIMAT_TEST_PG_URL`` is set, on a
throw-away PostgreSQL schema; ``store`` is a ready :class:`~persistence.store.WorkshopStore` on it.
Plain helpers (``_create``, ``INJECTIONS``, ``EngineFactory``) stay in :mod:`tests.persistence.storekit`.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from persistence.store import WorkshopStore
from tests.persistence.storekit import EngineFactory

PG_ENV = "KLIMAT_TEST_PG_URL"


def _sqlite_factory(tmp_path: Path) -> tuple[EngineFactory, Callable[[], None]]:
    url = f"sqlite:///{tmp_path / 'workshop.sqlite'}"
    return (lambda: sa.create_engine(url)), (lambda: None)


def _pg_factory(url: str) -> tuple[EngineFactory, Callable[[], None]]:
    schema = "ws_test_" + secrets.token_hex(4)
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))  # random hex name, not user input

    def factory() -> sa.Engine:
        return sa.create_engine(url, connect_args={"options": f"-c search_path={schema}"},
                                pool_size=10, max_overflow=50)

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return factory, drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EngineFactory]:
    """Makes engines on one fresh, empty database (a new engine = a restarted server process)."""
    if request.param == "sqlite":
        factory, cleanup = _sqlite_factory(tmp_path)
    else:
        url = os.environ.get(PG_ENV)
        if not url:
            pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://user:pw@127.0.0.1/db); "
                        "CI sets it")
        factory, cleanup = _pg_factory(url)
    engines: list[sa.Engine] = []

    def make() -> sa.Engine:
        engines.append(factory())
        return engines[-1]

    yield make
    for eng in engines:
        eng.dispose()
    cleanup()


@pytest.fixture
def store(engine_factory: EngineFactory) -> WorkshopStore:
    """A store on a fresh database with its schema created."""
    s = WorkshopStore(engine_factory())
    s.ensure_schema()
    return s
