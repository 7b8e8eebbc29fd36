"""SMHI releases stored side by side: manifests, loading by id, and the release a link computes on."""
from __future__ import annotations

import csv
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest

from model.codec import decode
from model.data import (
    DATA_DIR,
    DataValidationError,
    default_release,
    inventory,
    list_releases,
    load_dataset,
    load_release,
    release_of_link,
)
from model.releases import sha256_of

PREV = DATA_DIR / "releases" / "smhi-2023" / "emissions_by_sector.csv"


def _raw_value(path: Path, code: str, year: int, sector: str) -> float:
    with open(path, newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            if (rec["kommun_code"], int(rec["year"]), rec["sector"]) == (code, year, sector):
                return float(rec["tonnes_co2e"])
    raise AssertionError("row not found")


def test_shipped_releases_and_their_manifests() -> None:
    rels = {r.id: r for r in list_releases()}
    assert list(rels) == ["smhi-2023", "smhi-2024"]
    assert default_release().id == "smhi-2024"
    assert rels["smhi-2023"].years == (1990, 2000, 2005, 2010, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023)
    assert rels["smhi-2024"].years == (1990, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024)
    for r in rels.values():
        assert r.kommun_count == 290 and len(r.sectors) == 9
        assert r.sha256 == sha256_of(DATA_DIR / r.data_file)
        assert r.national_file and r.national_sha256 == sha256_of(DATA_DIR / r.national_file)
        assert r.source["sv"] != r.source["en"] and "SMHI" in r.source["en"]
        assert r.retrieved[:2] == "20" and r.imported
    index = tomllib.loads((DATA_DIR / "releases" / "index.toml").read_text(encoding="utf-8"))
    assert index["default"] == "smhi-2024"


def test_latest_is_the_default_and_unchanged() -> None:
    ds = load_dataset()
    assert ds.release == "smhi-2024" and ds.last_year == 2024
    assert load_dataset(release="smhi-2024") is ds  # one object: callers cache on its identity
    # Enköping 2024 total as in PROVENANCE.md (236 604.85 t), i.e. the latest release's figures.
    assert inventory("0381").loc[2024].sum() == pytest.approx(236604.85, abs=0.01)


def test_previous_release_reproduces_its_own_figures() -> None:
    ds = load_release("smhi-2023")
    assert ds.release == "smhi-2023" and ds.last_year == 2023 and ds.has_national
    inv = inventory("0381", ds)
    with open(PREV, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["kommun_code"] == "0381"]
    assert len(rows) == 13 * 9
    for r in rows:
        assert inv.loc[int(r["year"]), r["sector"]] == float(r["tonnes_co2e"])
    # PROVENANCE.md caveat 1: Enköping transport 1990 is 127 640 t in this release, 141 321 t in the latest.
    assert inv.loc[1990, "Transporter"] == pytest.approx(127640.38)
    assert inventory("0381").loc[1990, "Transporter"] == pytest.approx(141321.25)


@pytest.mark.parametrize("d, rid, exact, is_default", [
    ("2024", "smhi-2024", True, True), ("2023", "smhi-2023", True, False), ("smhi-2023", "smhi-2023", True, False),
    (None, "smhi-2024", False, True), ("1999", "smhi-2024", False, True), ("x" * 500, "smhi-2024", False, True),
    (" 2023 ", "smhi-2023", True, False)])
def test_release_of_link(d: str | None, rid: str, exact: bool, is_default: bool) -> None:
    got = release_of_link(d)
    assert (got.release.id, got.exact, got.is_default) == (rid, exact, is_default)


def test_link_with_d_2023_computes_on_the_2023_release() -> None:
    params = {"v": "1", "d": "2023", "k": "1480"}
    notices = {n.key for n in decode(params).notices}
    assert "link.data_release" in notices  # the UI says the link is from another release
    ds = load_dataset(release=release_of_link(params["d"]).release.id)
    assert ds.last_year == 2023
    for year, sector in ((2023, "Transporter"), (2016, "Jordbruk"), (1990, "El och fjärrvärme")):
        assert inventory("1480", ds).loc[year, sector] == _raw_value(PREV, "1480", year, sector)
    assert 2016 not in load_dataset().inventory_years  # the latest release has no 2016: nothing spliced


def test_national_rows_belong_to_the_release() -> None:
    new, old = load_dataset(), load_release("smhi-2023")
    # Sweden 1990 Arbetsmaskiner differs between releases (3 681 471 vs 3 686 155 t): never mixed.
    assert new.national[0, 2] == pytest.approx(3681470.83) and old.national[0, 2] == pytest.approx(3686154.89)
    assert np.isfinite(old.national).all()


def test_unknown_release_names_the_ones_there_are() -> None:
    with pytest.raises(DataValidationError, match="smhi-2023, smhi-2024"):
        load_dataset(release="smhi-1999")


def _copy(tmp_path: Path) -> Path:
    for f in DATA_DIR.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    shutil.copytree(DATA_DIR / "releases", tmp_path / "releases")
    return tmp_path


def test_an_edited_release_file_is_refused(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    f = d / "releases" / "smhi-2023" / "emissions_by_sector.csv"
    f.write_bytes(f.read_bytes().replace(b"12648.1", b"12648.2", 1))
    with pytest.raises(DataValidationError, match="kontrollsumman") as exc:
        load_dataset(d, "smhi-2023")
    assert exc.value.file == "releases/smhi-2023/emissions_by_sector.csv"
    assert load_dataset(d).release == "smhi-2024"  # the other release still loads


def test_broken_index_is_named(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    (d / "releases" / "index.toml").write_text('default = "smhi-2099"\nreleases = ["smhi-2024"]\n')
    with pytest.raises(DataValidationError, match="smhi-2099") as exc:
        load_dataset(d)
    assert exc.value.file == "releases/index.toml"


def test_folder_without_releases_is_the_single_latest_release(tmp_path: Path) -> None:
    for f in DATA_DIR.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    assert [r.id for r in list_releases(tmp_path)] == ["smhi-2024"]
    assert np.array_equal(load_dataset(tmp_path).emissions, load_dataset().emissions)
