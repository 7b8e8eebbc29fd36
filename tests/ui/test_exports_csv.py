"""CSV exports for Swedish Excel (ui/exports/inputs.py): encoding, separators and exact numbers."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.baseline import build_context
from model.data import DATA_DIR, inventory, load_dataset
from model.registry import load_registry
from ui.exports import inputs as ex
from ui.exports.spreadsheet import read_csv_kwargs
from ui.text.i18n import t

ROOT = Path(__file__).resolve().parents[2]
BOM = b"\xef\xbb\xbf"


def _read_back(data: bytes, lang: str = "sv", **kwargs) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), **read_csv_kwargs(lang), **kwargs)


@pytest.fixture
def sample() -> pd.DataFrame:
    return pd.DataFrame({
        "Kommun": ["Enköping", "Umeå", "Åre", "Ö; med \"citat\""],
        "År": [1990, 2000, 2024, 2025],
        "Utsläpp (ton CO₂e)": [333649.002, 1234.5, 0.25, np.nan],
        "Andel": [0.058, -0.08, 1.1723, 12.0],
    })


def test_bom_first_then_utf8(sample: pd.DataFrame) -> None:
    data = ex.to_excel_csv(sample)
    assert data.startswith(BOM)
    assert not data[3:].startswith(BOM)
    text = data.decode("utf-8-sig")
    for word in ("Enköping", "Umeå", "Åre", "År", "CO₂e"):
        assert word in text


def test_semicolon_separator_and_decimal_comma(sample: pd.DataFrame) -> None:
    lines = ex.to_excel_csv(sample).decode("utf-8-sig").split("\r\n")
    # Text quoted (so "0114" can stay text), numbers bare with a decimal comma, NaN empty.
    assert lines[0] == '"Kommun";"År";"Utsläpp (ton CO₂e)";"Andel"'
    assert lines[1] == '"Enköping";1990;333649,002;0,058'
    assert lines[2] == '"Umeå";2000;1234,5;-0,08'
    assert lines[4] == '"Ö; med ""citat""";2025;;12'
    en = ex.to_excel_csv(sample, "en").decode("utf-8-sig").split("\r\n")
    assert en[1] == '"Enköping",1990,333649.002,0.058'  # English dialect: comma and decimal point
    assert "333649.002" not in lines[1]


def test_parses_back_to_the_same_table(sample: pd.DataFrame) -> None:
    back = _read_back(ex.to_excel_csv(sample))
    pd.testing.assert_frame_equal(back, sample, check_dtype=False)
    assert back["Utsläpp (ton CO₂e)"].iloc[0] == 333649.002


def test_kommun_inventory_matches_the_model_to_the_tonne_fraction() -> None:
    back = _read_back(ex.inventory_csv("0381", "sv"))
    inv = inventory("0381")
    assert back[t("data_page.col.year", "sv")].tolist() == list(inv.index)
    assert back.shape == (len(inv), len(inv.columns) + 2)
    np.testing.assert_array_equal(back.iloc[:, 1:-1].to_numpy(), inv.to_numpy())
    total = back[t("data_page.col.total_tonnes", "sv")]
    np.testing.assert_allclose(total, inv.sum(axis=1), atol=0.006)
    assert total.iloc[-1] == pytest.approx(236604.85, abs=0.01)  # PROVENANCE: 2024 sum 236 604.85
    assert "Transporter (ton CO₂e)" in back.columns
    assert "Transport (t CO₂e)" in _read_back(ex.inventory_csv("0381", "en"), "en").columns


def test_all_kommuner_inventory_is_the_shipped_file() -> None:
    back = _read_back(ex.all_inventory_csv(), dtype={"kommun_code": str})
    shipped = pd.read_csv(DATA_DIR / "kommuner_emissions_by_sector.csv", dtype={"kommun_code": str})
    pd.testing.assert_frame_equal(back, shipped)
    assert len(back) == 26100 and back["kommun_code"].iloc[0] == "0114"


def test_population_of_a_rural_kommun() -> None:
    back = _read_back(ex.population_csv("2403", "sv"), dtype={"Kommunkod": str})
    pop = load_dataset().population.loc["2403"]
    assert set(back["Kommun"]) == {"Bjurholm"} and set(back["Kommunkod"]) == {"2403"}
    assert back["År"].tolist() == [int(y) for y in pop.index]
    np.testing.assert_array_equal(back["Folkmängd 31 december (personer)"], pop.to_numpy())


@pytest.mark.parametrize(("code", "lang"), [("0381", "sv"), ("1480", "en")])
def test_levers_csv_one_row_per_lever_with_registry_numbers(code: str, lang: str) -> None:
    reg = load_registry()
    nnm = tuple(float(v) for v in build_context(code).nnm)
    back = _read_back(ex.levers_csv(lang, nnm, "X"), lang)
    col = lambda key: t(f"data_page.col.{key}", lang)  # noqa: E731
    assert back[col("lever_id")].tolist() == list(reg.lever_ids)
    assert back[col("lever")].tolist() == [lv.label[lang] for lv in reg.levers]
    np.testing.assert_array_equal(back[t("data_page.col.nnm", lang, kommun="X")], nnm)
    np.testing.assert_array_equal(back[[col("eff_low"), col("eff_mode"), col("eff_high")]].to_numpy(),
                                  [lv.effectiveness for lv in reg.levers])
    costs = back.set_index(col("lever_id"))[[col("cost_low"), col("cost_mode"), col("cost_high")]]
    for lv in reg.levers:
        if lv.cost_sek_per_t is None:
            assert costs.loc[lv.id].isna().all()
        else:
            assert tuple(costs.loc[lv.id]) == lv.cost_sek_per_t
    assert back[col("ramp_start")].tolist() == [lv.ramp.start for lv in reg.levers]


def test_lever_sources_say_assumption_in_the_chosen_language() -> None:
    reg = load_registry()
    sv = ex.lever_frame("sv", build_context("0381").nnm)
    en = ex.lever_frame("en", build_context("0381").nnm)
    for i, lv in enumerate(reg.levers):
        if lv.is_assumption:
            assert sv[t("data_page.col.source", "sv")].iloc[i].startswith("Antagande")
            assert en[t("data_page.col.source", "en")].iloc[i].startswith("Assumption")
    assert ex.source_text("assumption (Jordbruksverket)", "sv") == "Antagande (Jordbruksverket)"
    assert ex.source_text("", "sv") == "–"


def test_lever_frame_rejects_a_wrong_number_of_positions() -> None:
    with pytest.raises(ValueError, match="nnm"):
        ex.lever_frame("sv", (0.0, 1.0))


def test_parameters_csv_keeps_registry_values_and_sources() -> None:
    params = load_registry().parameters
    back = _read_back(ex.parameters_csv("sv")).set_index("Id")
    assert list(back.index) == list(params)
    for pid, p in params.items():
        assert back.loc[pid, "Värde"] == pytest.approx(float(p["value"]), abs=0)
    assert back.loc["car_turnover", "Lägst"] == 0.05 and back.loc["car_turnover", "Högst"] == 0.07
    assert back.loc["trend_clip_high", "Källa"] == "Antagande"


def test_units_and_streams_are_translated() -> None:
    assert ex.unit_label("kt/år", "en") == "kt/yr" and ex.unit_label("kt/år", "sv") == "kt/år"
    assert ex.unit_label("%", "en") == "%"
    reg = load_registry()
    assert ex.streams_text(reg.lever("ev_cars"), "sv") == "Transporter: personbilar"
    assert ex.streams_text(reg.lever("manure_biogas"), "sv") == "Jordbruk: stallgödsel (×0,5)"
    assert ex.streams_text(reg.lever("beccs"), "en") == "Removals (reported separately)"


def test_exports_module_does_not_load_streamlit() -> None:
    code = "import sys, ui.exports.inputs; sys.exit(1 if 'streamlit' in sys.modules else 0)"
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
