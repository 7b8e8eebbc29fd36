"""Every CSV download opened the way a spreadsheet opens it (issue 14 item 4).

LibreOffice headless converts each file to XLSX with the language's settings (Swedish:
``;``, decimal comma; English: ``,``, decimal point) and "Format quoted field as text" ticked,
and openpyxl reads the cells back; pandas reads each file with ``read_csv_kwargs(lang)``.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from model.baseline import build_context
from model.run import ScenarioResult, run_scenario
from model.scenario import load_scenario
from ui import exports
from ui.exports import inputs as exports_csv
from ui.exports.spreadsheet import read_csv_kwargs, to_excel_csv

ROOT = Path(__file__).resolve().parents[2]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# LibreOffice CSV filter: separator, quote ("), UTF-8 (76), first line 1, no column types,
# language (1053 sv-SE, 1033 en-US), quoted field as text = true.
LO_FILTER = {"sv": "CSV:59,34,76,1,,1053,true", "en": "CSV:44,34,76,1,,1033,true"}


@pytest.fixture(scope="module")
def result() -> ScenarioResult:
    return run_scenario(load_scenario(ROOT / "scenarios" / "klimatkontrakt.toml"))


def csv_exports(result: ScenarioResult, lang: str) -> dict[str, bytes]:
    nnm = tuple(float(v) for v in build_context("0114").nnm)
    return {"scenario": exports.scenario_csv(result, lang),
            "inventory": exports_csv.inventory_csv("0114", lang),
            "all_inventory": exports_csv.all_inventory_csv(lang),
            "population": exports_csv.population_csv("0114", lang),
            "levers": exports_csv.levers_csv(lang, nnm, "Upplands Väsby"),
            "parameters": exports_csv.parameters_csv(lang)}


def libreoffice_cells(files: dict[str, bytes], lang: str, tmp: Path) -> dict[str, list[tuple]]:
    """Each CSV converted to XLSX by LibreOffice (one run), read back as cell values."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    for name, data in files.items():
        (tmp / f"{name}.csv").write_bytes(data)
    # A private profile: other LibreOffice processes on the machine must not share it.
    profile = f"-env:UserInstallation=file://{tmp}/profile"
    subprocess.run([SOFFICE, profile, "--headless", f"--infilter={LO_FILTER[lang]}", "--convert-to", "xlsx",
                    "--outdir", str(tmp), *[str(tmp / f"{n}.csv") for n in files]],
                   check=True, capture_output=True, timeout=240, env={**os.environ, "HOME": str(tmp)})
    out = {}
    for name in files:
        ws = openpyxl.load_workbook(tmp / f"{name}.xlsx", read_only=True).active
        out[name] = [tuple(r) for r in ws.iter_rows(values_only=True)]
    return out


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_dialect_follows_the_language(result: ScenarioResult, lang: str) -> None:
    sep = ";" if lang == "sv" else ","
    for name, data in csv_exports(result, lang).items():
        assert data.startswith(b"\xef\xbb\xbf"), name
        lines = data.decode("utf-8-sig").split("\r\n")[:-1]
        widths = {len(r) for r in csv.reader(lines, delimiter=sep)}
        assert len(widths) == 1 and widths.pop() > 1, name  # every row splits into the same columns
    if lang == "en":  # decimal point, not comma, in the English file (it was the Swedish dialect)
        row = next(csv.reader(exports.scenario_csv(result, "en").decode("utf-8-sig").split("\r\n")[1:2]))
        assert any("." in cell for cell in row[2:]) and not any("," in cell for cell in row[2:])


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_pandas_reads_every_export_back(result: ScenarioResult, lang: str) -> None:
    files = csv_exports(result, lang)
    back = pd.read_csv(io.BytesIO(files["scenario"]), **read_csv_kwargs(lang))
    table = exports.scenario_table(result, lang)
    assert list(back.columns) == list(table.columns)
    pd.testing.assert_frame_equal(back, table, check_dtype=False)
    pop = pd.read_csv(io.BytesIO(files["population"]), **read_csv_kwargs(lang), dtype={0: str})
    assert set(pop.iloc[:, 0]) == {"0114"}
    every = pd.read_csv(io.BytesIO(files["all_inventory"]), **read_csv_kwargs(lang),
                        dtype={"kommun_code": str, "lan": str})
    assert "0114" in set(every["kommun_code"])
    assert every["tonnes" if "tonnes" in every else every.columns[-1]].dtype.kind == "f"
    for name in ("inventory", "levers", "parameters"):
        df = pd.read_csv(io.BytesIO(files[name]), **read_csv_kwargs(lang))
        assert len(df) > 0 and any(df[c].dtype.kind in "if" for c in df.columns), name


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_libreoffice_keeps_codes_as_text_and_numbers_as_numbers(
        result: ScenarioResult, lang: str, tmp_path: Path) -> None:
    cells = libreoffice_cells(csv_exports(result, lang), lang, tmp_path)
    pop = cells["population"]
    assert {r[0] for r in pop[1:]} == {"0114"}  # not 114
    assert all(isinstance(r[2], (int, float)) and isinstance(r[3], (int, float)) for r in pop[1:])
    every = cells["all_inventory"]
    code_col = every[0].index("kommun_code")
    assert "0114" in {r[code_col] for r in every[1:]}
    scen = cells["scenario"]
    table = exports.scenario_table(result, lang)
    assert list(scen[0]) == list(table.columns)
    # Decimals survive in the language's own mark: the numbers equal the table's.
    assert [r[0] for r in scen[1:]] == table.iloc[:, 0].tolist()
    gross = list(scen[0]).index(table.columns[11])
    assert [round(float(r[gross]), 2) for r in scen[1:]] == table.iloc[:, 11].round(2).tolist()


def test_formula_guard_for_user_text(tmp_path: Path) -> None:
    df = pd.DataFrame({"Grupp": ["=HYPERLINK(\"http://x\")", "+1", "-2", "@a", "Ek"], "t": [1.5, 2, 3, 4, 5]})
    for lang in ("sv", "en"):
        back = pd.read_csv(io.BytesIO(to_excel_csv(df, lang)), **read_csv_kwargs(lang))
        assert back["Grupp"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@a", "Ek"]
        assert back["t"].tolist() == [1.5, 2, 3, 4, 5]
    cells = libreoffice_cells({"guard": to_excel_csv(df, "sv")}, "sv", tmp_path)["guard"]
    assert [r[0] for r in cells[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@a", "Ek"]
    assert [r[1] for r in cells[1:]] == [1.5, 2, 3, 4, 5]


def test_xlsx_downloads_keep_codes_as_text(tmp_path: Path) -> None:
    for name, data in (("all", exports_csv.all_inventory_xlsx("sv")),
                       ("pop", exports_csv.population_xlsx("0114", "en"))):
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(data)
        wb = openpyxl.load_workbook(path, read_only=True)
        ws = wb.worksheets[1]
        header = next(ws.iter_rows(values_only=True))
        col = 0 if name == "pop" else header.index("kommun_code")
        codes = {r[col] for r in ws.iter_rows(min_row=2, values_only=True)}
        assert "0114" in codes and all(isinstance(c, str) for c in codes)
