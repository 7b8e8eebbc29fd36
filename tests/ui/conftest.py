"""Shared fixtures for the UI tests."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from persistence.store import WorkshopStore


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkshopStore]:
    """A workshop store on a fresh SQLite file that the app will use too (KLIMAT_DB_URL)."""
    url = f"sqlite:///{tmp_path / 'ws.sqlite'}"
    monkeypatch.setenv("KLIMAT_DB_URL", url)
    engine = sa.create_engine(url)
    s = WorkshopStore(engine)
    s.ensure_schema()
    yield s
    engine.dispose()
