"""Each kommun's own 2019 sub-sector split (issue 13 item 1), its fallback, and old links.

Enköping's figures must not change: its own shares are what every kommun used before.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.baseline import build_context
from model.codec import decode
from model.csvio import DataValidationError
from model.data import DATA_DIR, SECTORS, load_dataset
from model.registry import load_registry
from model.run import MODEL_VERSION, baseline_scenario, levers_for, run_scenario
from model.scenario import Scenario
from model.subsectors import NATIONAL_SPLIT, SUBSECTOR_FILE, load_subsectors, stream_subsectors, subsector_split

REG = load_registry()
DS = load_dataset()
OLD_MODEL = "2026.11.1"
#: The 18 levers of model version 2026.11.1 with their URL keys and maxima.
OLD_LEVERS = {"ev": 100, "vkm": 30, "llb": 100, "tlb": 100, "hvo": 100, "bus": 100, "amh": 100, "ame": 20,
              "gas": 50, "jbr": 15, "org": 30, "olj": 100, "fjv": 100, "avf": 50, "prd": 50, "bcs": 200,
              "bkl": 5000, "lsk": 20}


def _stream_share(code: str, stream_id: str) -> float:
    ctx = build_context(code)
    i = REG.stream_ids.index(stream_id)
    sector_total = ctx.e0[ctx.stream_sector == ctx.stream_sector[i]].sum()
    return float(ctx.e0[i] / sector_total)


def _old_enkoping_share(sector: str, key: str) -> float:
    """Shares as model version 2026.11.1 computed them, from the Enköping-only file."""
    df = pd.read_csv(DATA_DIR / "enkoping_emissions_by_subsector_smhi2021.csv", dtype={"kommun_code": str})
    rows = df[(df["year"] == 2019) & (df["sector"] == sector)]
    total = float(rows.loc[rows["subsector"] == "Alla", "tonnes_co2e"].iloc[0])
    pairs = zip(rows["subsector"], rows["tonnes_co2e"], strict=True)
    return sum(float(v) / total for s, v in pairs if s != "Alla" and key in s)


@pytest.mark.parametrize("stream_id, sector, key", [
    ("cars", "Transporter", "Personbilar"), ("light_trucks", "Transporter", "Lätta lastbilar"),
    ("heavy_trucks", "Transporter", "Tunga lastbilar"), ("buses", "Transporter", "Bussar"),
    ("agri_enteric", "Jordbruk", "Djurs matsmältning"), ("agri_manure", "Jordbruk", "gödsel (lagring"),
    ("agri_organic_soils", "Jordbruk", "Odling av organogena jordar"),
])
def test_enkoping_keeps_its_shares(stream_id: str, sector: str, key: str) -> None:
    assert _stream_share("0381", stream_id) == pytest.approx(_old_enkoping_share(sector, key), rel=1e-12)


def test_every_kommun_uses_its_own_shares() -> None:
    """Gotland's cars and Kiruna's enteric fermentation follow their own 2019 split, not Enköping's."""
    df = load_subsectors()
    for code, stream_id, col, sector in (("0980", "cars", "Personbilar", "Transporter"),
                                         ("2584", "agri_enteric", "Djurs matsmältning", "Jordbruk")):
        own = df.at[code, f"{sector}|{col}"] / df.at[code, f"{sector}|Alla"]
        assert _stream_share(code, stream_id) == pytest.approx(own, rel=1e-12)
        assert abs(own - _stream_share("0381", stream_id)) > 0.10, code
        assert build_context(code).subsector_basis[sector] == "kommun"


def test_streams_add_up_to_the_inventory_for_every_kommun() -> None:
    for k in DS.kommuner:
        ctx = build_context(k.code)
        by_sector = np.bincount(ctx.stream_sector, weights=ctx.e0, minlength=len(SECTORS))
        assert np.allclose(by_sector, DS.emissions[DS.index_of(k.code), -1], rtol=1e-12, atol=1e-9), k.code
        assert (ctx.e0 >= 0).all(), k.code


def test_zero_sector_takes_the_national_split_and_says_so() -> None:
    """Sundbyberg has no farm emissions in 2019: Sweden's split is used and recorded."""
    df = load_subsectors()
    assert df.at["0183", "Jordbruk|Alla"] == 0
    shares, basis = subsector_split("0183")
    assert basis["Jordbruk"] == "national" and basis["Transporter"] == "kommun"
    national = df.at[NATIONAL_SPLIT, "Jordbruk|Djurs matsmältning"] / df.at[NATIONAL_SPLIT, "Jordbruk|Alla"]
    assert shares["Jordbruk"]["Djurs matsmältning"] == pytest.approx(national)
    assert build_context("0183").subsector_basis["Jordbruk"] == "national"


def test_missing_kommun_row_takes_the_national_split_everywhere() -> None:
    shares, basis = subsector_split("9999")
    assert set(basis.values()) == {"national"}
    assert shares == subsector_split(NATIONAL_SPLIT)[0]


def test_every_subsector_belongs_to_exactly_one_stream() -> None:
    covered = stream_subsectors(REG)
    cols = [c for c in load_subsectors().columns if not c.endswith("|Alla")]
    for col in cols:
        sector, _, sub = col.partition("|")
        sector_of = {st.id: st.sector for st in REG.streams}
        owners = [sid for sid, subs in covered.items() if sub in subs and sector_of[sid] == sector]
        assert len(owners) == 1, (col, owners)


@pytest.mark.parametrize("content, needle", [
    ("kommun_code,Transporter|Alla\n0381,12\n", "riket"),
    ("kommun_code,Transporter|Alla,Rymden|Alla\n00,1,1\n", "Rymden"),
    ("kommun_code,Transporter|Alla,Transporter|Bussar\n00,10,-1\n", "rad 2"),
    ("kommun_code,Transporter|Alla\n00,tio\n", "tio"),
])
def test_bad_file_is_refused_and_left_alone(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / SUBSECTOR_FILE
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        load_subsectors(tmp_path)
    assert SUBSECTOR_FILE in str(exc.value) and needle in str(exc.value)
    assert path.read_text(encoding="utf-8") == content


def test_shipped_file_loads_from_a_copy(tmp_path: Path) -> None:
    shutil.copy(DATA_DIR / SUBSECTOR_FILE, tmp_path / SUBSECTOR_FILE)
    df = load_subsectors(tmp_path)
    assert len(df) == 291 and NATIONAL_SPLIT in df.index
    assert {k.code for k in DS.kommuner} <= set(df.index)


def test_json_streams_object() -> None:
    res = run_scenario(baseline_scenario("0980"))
    streams = res.to_json_dict()["streams"]
    assert list(streams) == list(REG.stream_ids)
    assert streams["domestic_shipping"]["subsectors"] == ["inrikes civil sjöfart (inkl privata fritidsbåtar)"]
    assert streams["cars"]["split"] == "kommun" and streams["industry"]["split"] == "whole"
    for si, sector in enumerate(SECTORS):
        total = sum(s["base_year_t"] for s in streams.values() if s["sector"] == sector)
        assert total == pytest.approx(DS.emissions[DS.index_of("0980"), -1, si], abs=0.01)


def test_levers_for_gives_the_kommun_range() -> None:
    rows = {r["id"]: r for r in levers_for("Bjurholm")}
    assert list(rows) == list(REG.lever_ids)
    assert set(rows["ev_cars"]) >= {"id", "url_key", "unit", "min", "max", "step", "nnm", "group"}
    assert rows["beccs"]["max"] == 0.0 and rows["beccs"]["absolute_max"] == 200.0
    assert {r["id"]: r for r in levers_for("0381")}["beccs"]["max"] == 20.0
    assert {r["id"]: r for r in levers_for("0381", {"beccs": 150})}["beccs"]["max"] == 150.0


def _old_link(code: str) -> dict[str, str]:
    return {"v": "1", "m": OLD_MODEL, "d": "2024", "k": code, "np": "cl", "h": "2030",
            **{k: str(v) for k, v in OLD_LEVERS.items()}}


def test_old_enkoping_link_opens_with_the_same_figures() -> None:
    """All 18 levers of model 2026.11.1 at their maximum: the figures that model gave (to 0.01 t)."""
    state = decode(_old_link("0381"))
    res = run_scenario(Scenario(levers=state.levers, kommun=state.kommun, national_policy=state.policy,
                                horizon=state.horizon, target=state.target))
    assert res.net[-1] == pytest.approx(94170.64074490337, abs=0.01)
    assert res.gross[-1] == pytest.approx(124170.64074490337, abs=0.01)
    nnm = run_scenario(baseline_scenario("0381", "rp10_2025"))
    assert nnm.net[-1] == pytest.approx(217914.53777776725, abs=0.01)


def test_old_link_for_another_kommun_shows_the_model_notice() -> None:
    assert MODEL_VERSION != OLD_MODEL
    state = decode(_old_link("0980"))
    notices = {n.key: n.params for n in state.notices}
    assert notices["link.model_version"] == {"link": OLD_MODEL, "now": MODEL_VERSION}
    # The absolute ranges still accept every old value, so nothing in the link is refused.
    assert "link.bad_lever" not in notices


def test_context_for_an_older_release() -> None:
    """build_context(release=...) starts at that release's last inventory year, with the same 2019 split."""
    ds = load_dataset(release="smhi-2023")
    ctx = build_context("0980", release="smhi-2023")
    assert int(ctx.years[0]) == ds.last_year == 2023
    by_sector = np.bincount(ctx.stream_sector, weights=ctx.e0, minlength=len(SECTORS))
    assert np.allclose(by_sector, ds.emissions[ds.index_of("0980"), -1], rtol=1e-12)
    assert _stream_share("0980", "cars") == pytest.approx(
        float(ctx.e0[REG.stream_ids.index("cars")] / by_sector[SECTORS.index("Transporter")]), rel=1e-12)
