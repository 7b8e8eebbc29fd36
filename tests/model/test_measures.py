"""Own measures (issue 13 item 6, model side): validation, effects on a hand-computed example,
the hook into the engine, Monte Carlo draws and the share-link encoding under hostile input."""
from __future__ import annotations

import base64
import json
import re
import zlib
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.baseline import build_context
from model.engine import apply_levers, attribution, baseline_streams, lever_effects
from model.measures import MAX_LINK_CHARS, MAX_MEASURES, MeasureError, OwnMeasure, measure_to_dict
from model.measures_engine import measure_effectiveness, measure_effects, with_measures
from model.measures_link import decode_measures, encode_measures
from model.measures_parse import measure_from_dict
from model.registry import load_registry

STREAMS = ("a", "b", "c")
SECTOR_OF = ("Transporter", "Transporter", "Jordbruk")
YEARS = np.arange(2024, 2031)
BASE = np.array([[100.0] * 7, [300.0] * 7, [50.0] * 7])


def raw(**changes: Any) -> dict[str, Any]:
    """A valid measure mapping with some fields changed (None deletes a field)."""
    out: dict[str, Any] = {"id": "m1", "name": {"sv": "Biogasanläggning på Åby gård", "en": "Biogas plant at Åby farm"},
                           "stream": "a", "unit": "pct", "effect": 10.0, "start": 2024, "full": 2029,
                           "shape": "linear", "actor": "business", "cost_sek_per_t": [200, 900],
                           "uncertainty": [0.5, 1.5],
                           "source": {"sv": "Kommunens klimatplan", "en": "The kommun's climate plan",
                                      "url": "https://example.se/plan", "accessed": "2026-12-03"}}
    out.update(changes)
    return {k: v for k, v in out.items() if v is not None}


def measure(**changes: Any) -> OwnMeasure:
    return measure_from_dict(raw(**changes), streams=STREAMS)


def test_effects_hand_computed() -> None:
    """10 % of a from 2024 to 2029 (linear), 200 t on the Transporter sector from 2027 (step),
    80 t on c from 2025 to 2027 (linear) but c holds only 50 t."""
    ms = [measure(),
          measure(id="m2", stream=None, sector="Transporter", unit="t", effect=200, start=2026, full=2027,
                  shape="step"),
          measure(id="m3", stream="c", unit="t", effect=80, start=2025, full=2027)]
    out = measure_effects(ms, YEARS, STREAMS, SECTOR_OF, BASE)
    assert out.shape == (3, 3, 7)
    # m1: 0.1 * ramp * 100, ramp 2026 = 2/5
    np.testing.assert_allclose(out[0, 0], [0, 2, 4, 6, 8, 10, 10])
    np.testing.assert_allclose(out[0, 1:], 0)
    # m2: 200 t split by the sector's baselines 100:300 from 2027
    np.testing.assert_allclose(out[1, 0], [0, 0, 0, 50, 50, 50, 50])
    np.testing.assert_allclose(out[1, 1], [0, 0, 0, 150, 150, 150, 150])
    # m3: 80 * ramp (2026 = 0.5 -> 40), capped at c's 50 t from 2027
    np.testing.assert_allclose(out[2, 2], [0, 0, 40, 50, 50, 50, 50])


def test_tonnes_capped_so_no_stream_goes_below_zero() -> None:
    """Two 80 t measures on a 50 t stream share the 50 t in proportion; a 10 Mt measure on a sector
    removes the sector and no more."""
    ms = [measure(id="x", stream="c", unit="t", effect=80, start=2025, full=2025, shape="step"),
          measure(id="y", stream="c", unit="t", effect=80, start=2025, full=2025, shape="step"),
          measure(id="z", stream=None, sector="Transporter", unit="t", effect=5_000_000, start=2025, full=2025,
                  shape="step")]
    out = measure_effects(ms, YEARS, STREAMS, SECTOR_OF, BASE)
    np.testing.assert_allclose(out[0, 2, 1:], 25)
    np.testing.assert_allclose(out[1, 2, 1:], 25)
    np.testing.assert_allclose(out[2, :2, 1:], BASE[:2, 1:])
    assert (BASE - out.sum(axis=0) >= -1e-9).all()


def test_percent_measures_over_100_together_are_scaled_to_the_stream() -> None:
    ms = [measure(id=f"p{i}", effect=60, start=2024, full=2024, shape="step") for i in range(2)]
    out = measure_effects(ms, YEARS, STREAMS, SECTOR_OF, BASE)
    np.testing.assert_allclose(out.sum(axis=0)[0], 100)
    np.testing.assert_allclose(out[0, 0], 50)


def test_engine_hook_percent_measure_equals_a_multiplier_and_attribution_sums() -> None:
    """Enköping, no levers moved: a 10 % measure on industry cuts the industry stream by
    10 % * ramp; a 500 t measure on cars is what it says; attribution rows sum to B - E."""
    reg = load_registry()
    ctx = build_context("0381", "current_law", 2030)
    base = baseline_streams(ctx)
    fx = lever_effects(ctx, ctx.nnm.copy(), reg)
    ms = [measure_from_dict(raw(stream="industry", start=2025, full=2030)),
          measure_from_dict(raw(id="cars500", stream="cars", unit="t", effect=500, start=2025, full=2026,
                                shape="step"))]
    eff = measure_effects(ms, ctx.years, reg.stream_ids, ctx.stream_sector, base)
    fx2 = with_measures(fx, eff, base, len(reg.levers))
    out = apply_levers(base, fx2)
    si, ci = reg.stream_ids.index("industry"), reg.stream_ids.index("cars")
    r = np.clip((ctx.years - 2025) / 5, 0, 1)
    np.testing.assert_allclose(out[si, 0], base[si, 0] * (1 - 0.1 * r))
    np.testing.assert_allclose(base[ci, 0] - out[ci, 0], np.where(ctx.years >= 2026, 500.0, 0.0), atol=1e-6)
    attr = attribution(base, fx2, len(reg.levers) + len(ms))
    np.testing.assert_allclose(attr.sum(axis=0), base.sum(axis=0)[0] - out.sum(axis=0)[0], atol=1e-6)
    np.testing.assert_allclose(attr[len(reg.levers) + 1], eff[1].sum(axis=0), atol=1e-6)
    # No measures: the hook changes nothing.
    empty = with_measures(fx, np.zeros((0,) + base[:, 0].shape), base, len(reg.levers))
    np.testing.assert_array_equal(apply_levers(base, empty), apply_levers(base, fx))


def test_measure_effectiveness_draws() -> None:
    ms = [measure(), measure(id="sure", uncertainty=[1.0, 1.0])]
    a = measure_effectiveness(ms, 20_000, seed=7)
    assert a.shape == (20_000, 2)
    assert a[:, 0].min() >= 0.5 and a[:, 0].max() <= 1.5
    assert abs(a[:, 0].mean() - 1.0) < 0.01  # triangular(0.5, 1, 1.5)
    assert (a[:, 1] == 1.0).all()
    np.testing.assert_array_equal(a, measure_effectiveness(ms, 20_000, seed=7))


BAD = [
    ("wrong type", {"effect": "mycket"}, "m.effect", "measure.number"),
    ("percent over 100", {"effect": 120}, "m.effect", "measure.number"),
    ("negative tonnes", {"unit": "t", "effect": -5}, "m.effect", "measure.number"),
    ("nan", {"effect": float("nan")}, "m.effect", "measure.number"),
    ("unknown stream", {"stream": "rockets"}, "m.stream", "measure.unknown_stream"),
    ("unknown sector", {"stream": None, "sector": "Rymden"}, "m.sector", "measure.unknown_sector"),
    ("both stream and sector", {"sector": "Jordbruk"}, "m.stream", "measure.target"),
    ("unknown actor", {"actor": "mayor"}, "m.actor", "measure.unknown_actor"),
    ("start after full", {"start": 2030, "full": 2027}, "m.start", "measure.start_after_full"),
    ("start before the inventory", {"start": 2019}, "m.start", "measure.year"),
    ("year as float", {"full": 2030.0}, "m.full", "measure.year"),
    ("missing source", {"source": None}, "m.source", "measure.missing"),
    ("source without english", {"source": {"sv": "Planen"}}, "m.source", "measure.source"),
    ("source not a link", {"source": {"sv": "a", "en": "b", "url": "javascript:alert(1)"}}, "m.source.url",
     "measure.text"),
    ("cost reversed", {"cost_sek_per_t": [900, 200]}, "m.cost_sek_per_t", "measure.range"),
    ("uncertainty above 1 at low", {"uncertainty": [1.2, 1.5]}, "m.uncertainty", "measure.range_mid"),
    ("bad ramp", {"shape": "zigzag"}, "m.shape", "measure.choice"),
    ("bad id", {"id": "Ä; drop"}, "m.id", "measure.id"),
    ("blank name", {"name": {"sv": "   ", "en": "x"}}, "m.name.sv", "measure.text"),
    ("typo key", {"efect": 3}, "m.efect", "measure.unknown_key"),
]


@pytest.mark.parametrize("changes, field, key", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_measure_names_field_and_allowed(changes: dict[str, Any], field: str, key: str) -> None:
    with pytest.raises(MeasureError) as err:
        measure_from_dict(raw(**changes), "m", STREAMS)
    assert (err.value.field, err.value.key) == (field, key)
    assert f"'{field}'" in str(err.value) and f"'{field}'" in err.value.message_sv
    assert err.value.allowed and err.value.allowed_en


def test_allowed_range_in_each_language() -> None:
    with pytest.raises(MeasureError) as err:
        measure_from_dict(raw(unit="t", effect=6_000_000), "m", STREAMS)
    assert "0–5\u00a0000\u00a0000 t CO2e/år" in err.value.message_sv
    assert "0–5,000,000" in err.value.message


def test_to_dict_round_trip() -> None:
    m = measure(stream=None, sector="Jordbruk", cost_sek_per_t=None)
    assert measure_from_dict(measure_to_dict(m), streams=STREAMS) == m


def test_link_round_trip_and_alphabet() -> None:
    ms = [measure(), measure(id="sektor", stream=None, sector="Jordbruk", unit="t", effect=1234.5,
                             cost_sek_per_t=None, source={"sv": "Grov uppskattning", "en": "Rough estimate",
                                                          "assumption": True}),
          measure(id="injektion", name={"sv": "<script>alert(1)</script> & k=0180", "en": "=HYPERLINK(\"x\")"})]
    text = encode_measures(ms)
    assert re.fullmatch(r"1\.[A-Za-z0-9_-]+", text)
    got, notices = decode_measures(text, STREAMS)
    assert notices == [] and got == ms
    assert got[2].name_sv == "<script>alert(1)</script> & k=0180"  # kept as text: the UI escapes it
    assert encode_measures([]) == "" and decode_measures("") == ([], [])


def pack(rows: Any, version: str = "1") -> str:
    data = json.dumps(rows).encode()
    return version + "." + base64.urlsafe_b64encode(zlib.compress(data)).decode().rstrip("=")


def row_of(m: OwnMeasure) -> list[Any]:
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(encode_measures([m])[2:] + "==")))[0]


GOOD = encode_measures([measure(), measure(id="m2")])
HOSTILE = [
    ("truncated", GOOD[: len(GOOD) // 2], {"measures.link_corrupt"}),
    ("one char cut", GOOD[:-1], {"measures.link_corrupt"}),
    ("oversized", "1." + "A" * (MAX_LINK_CHARS + 1), {"measures.link_too_long"}),
    ("unknown version", "9" + GOOD[1:], {"measures.link_version"}),
    ("5000-digit version", "9" * 5000 + GOOD[1:], {"measures.link_corrupt"}),
    ("unicode digit version", "١" + GOOD[1:], {"measures.link_corrupt"}),
    ("no version", GOOD[2:], {"measures.link_corrupt"}),
    ("html in body", "1.<script>alert(1)</script>", {"measures.link_corrupt"}),
    ("not json", "1." + base64.urlsafe_b64encode(zlib.compress(b"{nope")).decode(), {"measures.link_corrupt"}),
    ("not a list", pack({"id": "x"}), {"measures.link_corrupt"}),
    ("zip bomb", pack([" " * 2_000_000]), {"measures.link_too_long"}),
    ("deep nesting", pack(json.loads("[" * 50 + "]" * 50)), {"measures.invalid"}),
    ("row of wrong length", pack([[1, 2, 3]]), {"measures.invalid"}),
    ("huge number", pack([row_of(measure())[:5] + [10 ** 300] + row_of(measure())[6:]]), {"measures.invalid"}),
    ("unknown stream in row", pack([["x"] + row_of(measure())[1:3] + ["rockets"] + row_of(measure())[4:]]),
     {"measures.invalid"}),
    ("duplicate ids", pack([row_of(measure()), row_of(measure())]), {"measures.duplicate"}),
    ("too many", pack([row_of(measure(id=f"m{i}")) for i in range(MAX_MEASURES + 5)]), {"measures.too_many"}),
]


@pytest.mark.parametrize("text, keys", [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_link_text_gives_notices(text: str, keys: set[str]) -> None:
    got, notices = decode_measures(text, STREAMS)
    assert {n.key for n in notices} == keys
    assert all(isinstance(m, OwnMeasure) for m in got)
    assert len(got) <= MAX_MEASURES


def test_hostile_keeps_the_valid_measures() -> None:
    good = row_of(measure(id="ok"))
    bad = row_of(measure(id="bad"))
    bad[9] = "mayor"
    got, notices = decode_measures(pack([bad, good]), STREAMS)
    assert [m.id for m in got] == ["ok"]
    assert notices[0].params["index"] == 0 and notices[0].params["field"] == "measure[0].actor"
    assert len(decode_measures(pack([row_of(measure(id=f"m{i}")) for i in range(25)]), STREAMS)[0]) == MAX_MEASURES


def test_control_characters_are_removed_from_names() -> None:
    row = row_of(measure())
    row[1] = "Bio\u202egas\u200b\nplant\x00"
    got, _ = decode_measures(pack([row]), STREAMS)
    assert got[0].name_sv == "Bio\u202egas".replace("\u202e", "") + " plant"


def test_encode_refuses_what_a_link_cannot_carry() -> None:
    rng = np.random.default_rng(1)
    noise = lambda: "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyzåäö0123456789"), 390))  # noqa: E731
    many = [measure(id=f"m{i}", source={"sv": noise(), "en": noise()}) for i in range(MAX_MEASURES)]
    with pytest.raises(MeasureError) as err:
        encode_measures(many)
    assert err.value.key == "measure.link_too_long"
    with pytest.raises(MeasureError) as err:
        encode_measures([measure(id=f"m{i}") for i in range(MAX_MEASURES + 1)])
    assert err.value.key == "measure.too_many"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.text(alphabet="0123456789.-_ABCDEFabcdefxyzXYZ=", max_size=300),
                 st.binary(max_size=200).map(lambda b: "1." + base64.urlsafe_b64encode(b).decode()),
                 st.binary(max_size=200).map(lambda b: "1." + base64.urlsafe_b64encode(zlib.compress(b)).decode())))
def test_decode_never_raises(text: str) -> None:
    got, notices = decode_measures(text, STREAMS)
    assert isinstance(got, list) and isinstance(notices, list)


def test_hook_helpers_match_the_manual_hook() -> None:
    """engine_effects + extend_effectiveness + measure_attribution are the few lines run.py needs."""
    from model.measures_engine import engine_effects, extend_effectiveness, measure_attribution
    from model.uncertainty import draw_samples

    reg = load_registry()
    ctx = build_context("0481", "current_law", 2030)
    base = baseline_streams(ctx)
    fx = lever_effects(ctx, ctx.nnm.copy(), reg)
    assert engine_effects([], ctx, base, fx, len(reg.levers)) is fx
    ms = [measure_from_dict(raw(stream="industry", effect=80, start=2026, full=2027, shape="step",
                                uncertainty=[0.85, 1.125]))]
    fx2 = engine_effects(ms, ctx, base, fx, len(reg.levers))
    attr = attribution(base, fx2, len(reg.levers) + 1)
    si = reg.stream_ids.index("industry")
    np.testing.assert_allclose(measure_attribution(attr, ms, len(reg.levers))["m1"][-1], 0.8 * base[si, 0, -1])
    samples = draw_samples(ctx, 500, seed=3)
    eff = extend_effectiveness(samples.eff, ms, 3)
    assert eff.shape == (500, len(reg.levers) + 1)
    np.testing.assert_array_equal(eff[:, :-1], samples.eff)  # the levers' draws are untouched
    mc = apply_levers(np.broadcast_to(base, (base.shape[0], 500, base.shape[2])), fx2, eff)
    cut = 1 - mc[si, :, -1] / base[si, 0, -1]
    assert cut.min() >= 0.8 * 0.85 - 1e-9 and cut.max() <= 0.8 * 1.125 + 1e-9
