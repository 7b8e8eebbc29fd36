"""The fast paths of a slider move: Arrow datasets for charts and per-result view caching."""
from __future__ import annotations

import gc

import pyarrow as pa

from model.codec import default_state, encode
from ui.compute import memo, run_link
from ui.render import arrow_datasets


def _rows(data: bytes) -> list[dict]:
    return pa.ipc.open_stream(data).read_all().to_pylist()


def test_arrow_datasets_keep_every_row_and_key() -> None:
    spec = {"mark": "point", "datasets": {
        "a": [{"year": 2020, "t": 1.5}, {"year": 2021, "t": 2, "label": "mål"}],
        "empty": [], "zero": [{"zero": 0.0}]}}
    out = arrow_datasets(spec)
    # The input spec is untouched (the exports render it with vl-convert).
    assert spec["datasets"]["a"][0] == {"year": 2020, "t": 1.5}
    rows = _rows(out["datasets"]["a"])
    assert rows == [{"year": 2020, "t": 1.5, "label": None}, {"year": 2021, "t": 2.0, "label": "mål"}]
    assert out["datasets"]["empty"] == []
    assert _rows(out["datasets"]["zero"]) == [{"zero": 0.0}]
    assert out["mark"] == "point"


def test_arrow_datasets_leave_untypable_columns_to_streamlit() -> None:
    mixed = [{"v": 1}, {"v": "text"}]
    assert arrow_datasets({"datasets": {"m": mixed}})["datasets"]["m"] is mixed
    assert arrow_datasets({"mark": "bar"}) == {"mark": "bar"}


def test_memo_builds_once_per_result_and_key() -> None:
    result = run_link(encode(default_state("0381")))
    calls: list[str] = []

    def build(tag: str):
        return lambda: calls.append(tag) or {"tag": tag}

    first = memo(result, ("spec", "sv"), build("sv"))
    assert memo(result, ("spec", "sv"), build("again")) is first
    assert memo(result, ("spec", "en"), build("en"))["tag"] == "en"
    assert calls == ["sv", "en"]
    other = run_link(encode(default_state("0180")))
    assert memo(other, ("spec", "sv"), build("other"))["tag"] == "other"


def test_memo_entries_die_with_their_result() -> None:
    from model.codec import default_state as ds
    from model.run import run_scenario
    from model.scenario import Scenario
    from ui import compute

    link = ds("0381")
    result = run_scenario(Scenario(levers=link.levers, kommun=link.kommun, national_policy=link.policy,
                                   horizon=link.horizon, target=link.target, id="t"))
    memo(result, "k", lambda: 1)
    assert result in compute._VIEWS
    n = len(compute._VIEWS)
    del result
    gc.collect()
    assert len(compute._VIEWS) == n - 1
