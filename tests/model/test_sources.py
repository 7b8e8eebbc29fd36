"""The source catalogue (model/sources.py) matches the files actually shipped in data/."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from model.data import DATA_DIR
from model.sources import SOURCES, DataSource, source_for, source_line, years_label

PROVENANCE = (DATA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
CSV_FILES = sorted(p.name for p in DATA_DIR.glob("*.csv"))
ids = [s.file for s in SOURCES]


def _read(src: DataSource) -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / src.file, dtype=str, keep_default_na=False)


def test_every_shipped_csv_has_exactly_one_entry() -> None:
    assert len(CSV_FILES) >= 13
    assert sorted(ids) == CSV_FILES
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("src", SOURCES, ids=ids)
def test_every_entry_names_an_existing_file(src: DataSource) -> None:
    assert (DATA_DIR / src.file).is_file()
    assert src.file in PROVENANCE, "every catalogued file is described in PROVENANCE.md"


@pytest.mark.parametrize("src", SOURCES, ids=ids)
def test_declared_years_are_the_years_in_the_file(src: DataSource) -> None:
    df = _read(src)
    if "year" not in df.columns:
        assert src.years == () and src.period is not None
        return
    in_file = {int(y) for y in df["year"] if re.fullmatch(r"\d{4}", y)}
    assert set(src.years) == in_file


@pytest.mark.parametrize("src", SOURCES, ids=ids)
def test_coverage_matches_the_kommuner_in_the_file(src: DataSource) -> None:
    df = _read(src)
    expected = {"All 290 municipalities": 290, "Enköping, Uppsala, Lund and Umeå": 4, "Enköping": 1,
                "All 290 municipalities and Sweden (code 00)": 291}
    if "kommun_code" not in df.columns:
        assert src.coverage.en not in expected
        return
    assert df["kommun_code"].nunique() == expected[src.coverage.en]
    if expected[src.coverage.en] == 291:
        assert "00" in set(df["kommun_code"])
    if expected[src.coverage.en] == 1:
        assert set(df["kommun_code"]) == {"0381"}


@pytest.mark.parametrize("src", SOURCES, ids=ids)
def test_per_row_source_flag_matches_a_filled_source_column(src: DataSource) -> None:
    df = _read(src)
    assert src.per_row_source == ("source" in df.columns)
    if src.per_row_source:
        assert (df["source"].str.strip() != "").all()
    else:
        assert src.retrieval, "files without a source column must name where they were retrieved"


@pytest.mark.parametrize("src", SOURCES, ids=ids)
def test_retrieval_names_repository_and_a_commit_from_provenance(src: DataSource) -> None:
    for ref in src.retrieval:
        m = re.fullmatch(r"Klimatbyran/[\w.-]+@([0-9a-f]{40}) \S+", ref)
        assert m, ref
        assert m.group(1)[:7] in PROVENANCE, f"commit {m.group(1)} not in PROVENANCE.md"


@pytest.mark.parametrize("src", SOURCES, ids=ids)
def test_texts_are_filled_in_both_languages(src: DataSource) -> None:
    texts = [src.title, src.product, src.vintage, src.coverage, src.licence, *src.caveats]
    assert src.caveats and src.producer.strip()
    for text in texts:
        assert text.sv.strip() and text.en.strip()
    assert src.title.sv != src.title.en
    assert src.caveat_text("sv") != src.caveat_text("en")


def test_source_line_for_the_inventory() -> None:
    assert source_line("kommuner_emissions_by_sector.csv", "sv") == (
        "Källa: SMHI Nationella emissionsdatabasen, utgåva med data t.o.m. 2024")
    assert source_line("kommuner_emissions_by_sector.csv", "EN") == (
        "Source: SMHI National Emissions Database, release with data up to 2024")
    assert source_line("data/kommuner_population.csv", "sv").startswith("Källa: SCB Folkmängd 31 december")


def test_unknown_file_raises() -> None:
    with pytest.raises(KeyError, match="population.csv"):
        source_for("population.csv")  # a subset file that is deliberately not shipped


def test_smhi_files_carry_the_release_caveat() -> None:
    smhi = [s for s in SOURCES if s.producer == "SMHI"]
    assert len(smhi) == 7
    assert all("utgåv" in s.caveat_text("sv") for s in smhi)
    assert "LULUCF" in source_for("kommuner_emissions_by_sector.csv").caveat_text("en")


@pytest.mark.parametrize(("years", "label"), [
    ((1990, 2000, 2005, 2010, 2015, 2020, 2021, 2022, 2023, 2024), "1990, 2000, 2005, 2010, 2015, 2020–2024"),
    ((2021, 2020), "2020, 2021"),
    ((2015, 2016, 2017, 2025), "2015–2017, 2025"),
    ((), ""),
])
def test_years_label_compresses_runs(years: tuple[int, ...], label: str) -> None:
    assert years_label(years) == label


def test_years_label_of_entries() -> None:
    assert source_for("kommuner_population.csv").years_label() == "1950–2025"
    assert source_for("carbon_budget.csv").years_label("en") == "metrics for periods 2015–2050"

