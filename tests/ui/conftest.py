"""Shared fixtures for the UI tests."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from model.run import ScenarioResult, run_scenario
from model.scenario import load_scenario
from persistence.store import WorkshopStore
from tests.ui.chartkit import build_main, make_frames
from tests.ui.exportkit import ROOT, TODAY, _url
from ui import exports


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


@pytest.fixture
def frames() -> dict[str, pd.DataFrame]:
    """Synthetic chart frames (history, scenario, baseline, net, target) to 2030."""
    return make_frames()


@pytest.fixture
def main_spec(frames: dict[str, pd.DataFrame]) -> dict:
    """The Vega-Lite spec of the main chart drawn from ``frames``, in Swedish."""
    return build_main(frames)


@pytest.fixture(scope="module")
def result() -> ScenarioResult:
    """The Klimatkontrakt preset run for its kommun (computed once per module)."""
    return run_scenario(load_scenario(ROOT / "scenarios" / "klimatkontrakt.toml"))


@pytest.fixture(scope="module")
def briefs(result: ScenarioResult) -> dict[str, tuple[str, bytes]]:
    """HTML and PDF of the Klimatkontrakt brief in both languages (rendered once)."""
    out = {}
    for lang in ("sv", "en"):
        url = _url(result, lang)
        out[lang] = (exports.brief_html(result, lang, url, today=TODAY),
                     exports.brief_pdf(result, lang, url, today=TODAY))
    return out
