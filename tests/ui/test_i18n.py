"""Tests for ui.text.i18n: catalog parity, fallbacks, sector/actor/target/policy labels."""

from __future__ import annotations

import builtins
import csv
import tomllib
from pathlib import Path

import pytest

from ui.text import i18n
from ui.text.i18n import (
    ACTOR_IDS,
    POLICY_IDS,
    SECTOR_IDS,
    SMHI_SECTOR_IDS,
    TARGET_IDS,
    actor_label,
    catalog,
    normalize_lang,
    placeholders,
    policy_label,
    sector_id,
    sector_label,
    t,
    target_label,
    translator,
)

ROOT = Path(__file__).resolve().parents[2]


def test_catalogs_have_the_same_keys() -> None:
    sv, en = catalog("sv"), catalog("en")
    assert len(sv) > 100
    assert set(sv) - set(en) == set(), "keys missing in en.toml"
    assert set(en) - set(sv) == set(), "keys missing in sv.toml"


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_empty_strings(lang: str) -> None:
    empty = [k for k, v in catalog(lang).items() if not v.strip()]
    assert empty == []


def test_same_placeholders_in_both_languages() -> None:
    sv, en = catalog("sv"), catalog("en")
    diff = {k: (placeholders(sv[k]), placeholders(en[k])) for k in sv
            if placeholders(sv[k]) != placeholders(en[k])}
    assert diff == {}


def test_placeholders_are_parsed() -> None:
    assert placeholders("Nettoutsläpp {year}: {value}") == {"year", "value"}
    assert placeholders("inga fält") == set()
    assert placeholders("trasig {mall") == set()  # malformed template does not raise


@pytest.mark.parametrize(
    ("key", "sv", "en"),
    [
        ("app.title", "Klimatvägar", "Klimatvägar"),
        ("page.scenario", "Scenario", "Scenario"),
        ("page.compare", "Jämför", "Compare"),
        ("page.uncertainty", "Osäkerhet", "Uncertainty"),
        ("page.what_it_takes", "Vad krävs?", "What does it take?"),
        ("page.workshop", "Workshop", "Workshop"),
        ("page.data_method", "Data och metod", "Data and method"),
        ("sidebar.kommun", "Kommun", "Municipality"),
        ("sidebar.language", "Språk", "Language"),
        ("sidebar.target", "Målsättning", "Target"),
        ("sidebar.horizon", "Tidshorisont", "Time horizon"),
        ("sidebar.national_policy", "Nationell styrning", "National policy"),
        ("common.copy_link", "Kopiera länk", "Copy link"),
        ("common.reset", "Återställ", "Reset"),
        ("common.source", "Källa", "Source"),
        ("common.assumption", "Antagande", "Assumption"),
        ("table.show", "Visa som tabell", "Show as table"),
    ],
)
def test_seeded_strings(key: str, sv: str, en: str) -> None:
    assert t(key, "sv") == sv
    assert t(key, "en") == en


def test_reduktionsplikt_options_match_model_policies() -> None:
    registry = tomllib.loads((ROOT / "model" / "registry.toml").read_text(encoding="utf-8"))
    assert set(registry["policy"]) == set(POLICY_IDS)
    assert [policy_label(p) for p in POLICY_IDS] == [
        "Gällande lag (6\u00a0%)", "10\u00a0% från 2025", "Ursprunglig bana till 2030"]
    assert policy_label("current_law", "en") == "Current law (6%)"
    assert policy_label("unknown_policy") == "unknown_policy"


def test_sector_names_cover_the_smhi_data() -> None:
    with (ROOT / "data" / "enkoping_emissions_by_sector.csv").open(encoding="utf-8") as fh:
        names = {row["sector"] for row in csv.DictReader(fh)}
    assert names == set(SMHI_SECTOR_IDS)
    assert len(set(SMHI_SECTOR_IDS.values())) == 9
    assert all(k.isascii() for k in SECTOR_IDS)


@pytest.mark.parametrize("smhi_name", list(SMHI_SECTOR_IDS))
def test_sector_label_translates_every_smhi_sector(smhi_name: str) -> None:
    sv, en = sector_label(smhi_name, "sv"), sector_label(smhi_name, "en")
    # Swedish display names are SMHI's own, except the missing space in "inkl.avlopp".
    assert sv == smhi_name.replace("inkl.avlopp", "inkl. avlopp")
    assert en and en != sv
    assert len(sector_label(smhi_name, "sv", short=True)) <= len(sv)


def test_sector_lookup_tolerates_spelling_variants() -> None:
    assert sector_id("Avfall (inkl.avlopp)") == sector_id("avfall (inkl. avlopp)") == "waste"
    assert sector_id("transport") == "transport"
    assert sector_id("Upptag") == sector_id("removals") == "removals"
    assert sector_label("Avfall (inkl.avlopp)") == "Avfall (inkl. avlopp)"
    assert sector_label("Egen uppvärmning av bostäder och lokaler", "sv", short=True) == \
        "Egen uppvärmning"
    assert sector_label("Upptag", "en") == "Removals"
    assert sector_id("Okänd sektor") is None
    assert sector_label("Okänd sektor", "en") == "Okänd sektor"


def test_actor_and_target_labels() -> None:
    assert [actor_label(a) for a in ACTOR_IDS] == [
        "Kommunen", "Staten/EU", "Näringslivet", "Invånarna"]
    assert actor_label("state_eu", "en") == "State/EU"
    assert actor_label("someone") == "someone"
    for target in TARGET_IDS:
        assert target_label(target, "sv") != target
        assert target_label(target, "en") != target_label(target, "sv") or target == "carbon_law"
    assert target_label("klimatneutral_2030") == "Klimatneutralt 2030"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("sv", "sv"), ("SV", "sv"), ("sv-SE", "sv"), ("en_GB", "en"), ("EN", "en"),
     ("en-US", "en"), ("de-DE", "sv"), (None, "sv"), ("", "sv")],
)
def test_normalize_lang(value: str | None, expected: str) -> None:
    assert normalize_lang(value) == expected


def test_formatting_and_never_raising() -> None:
    assert t("headline.net", "sv", year=2030) == "Nettoutsläpp 2030"
    assert t("headline.net", "en", year=2030) == "Net emissions 2030"
    # Unknown language → Swedish; missing kwargs stay visible instead of raising.
    assert t("headline.net", "fi", year=2030) == "Nettoutsläpp 2030"
    assert t("headline.net", "sv") == "Nettoutsläpp {year}"
    assert t("headline.net", "sv", other=1) == "Nettoutsläpp {year}"
    assert t("headline.net", "sv", year="{evil}") == "Nettoutsläpp {evil}"
    assert t("no.such.key", "en") == "no.such.key"
    assert t("no.such.key", "en", year=1) == "no.such.key"


def test_missing_english_key_falls_back_to_swedish(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = {"sv": {"only.sv": "Bara svenska {n}", "both": "Båda"},
            "en": {"both": "Both"}}
    monkeypatch.setattr(i18n, "catalog", lambda lang: fake[normalize_lang(lang)])
    assert t("only.sv", "en", n=3) == "Bara svenska 3"
    assert t("both", "en") == "Both"
    assert t("nowhere", "en") == "nowhere"


def test_flatten_handles_nested_and_quoted_dotted_keys(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "sv.toml").write_text(
        '"flat.key" = "Platt"\n[nested]\nkey = "Nästlad"\n[nested.deeper]\nx = "Djup"\n',
        encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.clear_cache()
    try:
        assert dict(catalog("sv")) == {"flat.key": "Platt", "nested.key": "Nästlad",
                                       "nested.deeper.x": "Djup"}
        assert catalog("en") == {}  # missing file degrades, does not raise
        assert t("nested.deeper.x", "en") == "Djup"
    finally:
        monkeypatch.undo()
        i18n.clear_cache()
    assert t("app.title") == "Klimatvägar"


def test_translator_is_cached_and_bound() -> None:
    tr_en = translator("EN")
    assert tr_en is translator("EN")
    assert tr_en("page.compare") == "Compare"
    assert translator("sv")("headline.gross", year=2030) == "Bruttoutsläpp 2030"
    assert translator("xx")("page.compare") == "Jämför"


def test_no_gettext_install_and_no_underscore() -> None:
    assert not hasattr(builtins, "_")
    assert not hasattr(i18n, "_")


def test_ui_and_storage_use_the_registrys_choices() -> None:
    """The sidebar's horizons, the workshop's checks and the labels' id lists are the registry's objects."""
    import model.registry as reg
    import persistence.validation
    import ui.state
    import ui.text.i18n
    from model.target_defs import TARGET_IDS

    assert ui.state.HORIZONS is reg.HORIZONS and persistence.validation.HORIZONS is reg.HORIZONS
    assert ui.text.i18n.ACTOR_IDS is reg.ACTORS and ui.text.i18n.POLICY_IDS is reg.POLICIES
    assert ui.text.i18n.TARGET_IDS is TARGET_IDS
