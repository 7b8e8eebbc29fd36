"""The command line ``python -m model`` as a user runs it (real subprocesses from the repo root)."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.data import SECTORS
from model.registry import load_registry
from model.run import run_scenario
from model.scenario import load_scenario
from model.target_defs import TARGET_IDS

ROOT = Path(__file__).resolve().parents[2]
PRESET = "scenarios/klimatkontrakt.toml"
CSV_HEADER = ["model", "scenario", "region", "variable", "unit", "year", "value"]
BAD_TOML = 'format_version = 1\n[scenario]\nhorizon = 2031\n'
# Files written to tmp for the hostile cases ({name} in argv); bytes as they would be on disk.
FILES: dict[str, bytes] = {
    "bad": BAD_TOML.encode(),
    "deep": b"format_version = 1\nx = " + b"[" * 3000 + b"]" * 3000 + b"\n",
    "deep_inline": b"format_version = 1\nx = " + b"{a=" * 3000 + b"1" + b"}" * 3000 + b"\n",
    "deep_dotted": b"format_version = 1\n" + b".".join([b"a"] * 5000) + b" = 1\n",
    "overflow": b"format_version = 1\n[levers]\nev_cars = 1" + b"0" * 400 + b"\n",
    "overflow_pct": b"format_version = 1\n[target]\nmax_gross_pct = 1" + b"0" * 400 + b"\n",
    "off_grid": b"format_version = 1\n[levers]\nbiochar = 0.0001\n",
    "base_2024": b"format_version = 1\n[target]\nbase_year = 2024\n",
    "utf16": "format_version = 1\n".encode("utf-16"),
    "bom": b"\xef\xbb\xbf" + (ROOT / PRESET).read_bytes(),
}

# name -> argv after "python -m model"; {bad} is replaced by a malformed file in tmp.
COMMANDS: dict[str, list[str]] = {
    "table_name": ["run", PRESET, "--kommun", "Enköping", "--format", "table"],
    "table_code": ["run", PRESET, "--kommun", "1480"],
    "csv_name": ["run", PRESET, "--kommun", "enkoping", "--format", "csv"],
    "csv_code": ["run", PRESET, "--kommun", "1480", "--format", "csv"],
    "json_name": ["run", PRESET, "--kommun", "Enköping", "--format", "json"],
    "json_code": ["run", PRESET, "--kommun", "1480", "--format", "json"],
    "json_2045": ["run", "scenarios/hog_ambition.toml", "--kommun", "381", "--horizon", "2045", "--format", "json"],
    "levers": ["levers"],
    "levers_json": ["levers", "--kommun", "Arjeplog", "--format", "json"],
    "levers_table_kommun": ["levers", "--kommun", "2506"],
    "bad_levers_kommun": ["levers", "--kommun", "Atlantis", "--format", "json"],
    "bad_levers_format": ["levers", "--format", "xml"],
    "bad_kommun": ["run", PRESET, "--kommun", "Atlantis"],
    "bad_missing_file": ["run", "scenarios/finns_inte.toml"],
    "bad_malformed_file": ["run", "{bad}"],
    "bad_horizon": ["run", PRESET, "--horizon", "2031"],
    "bad_no_subcommand": [],
    "bad_empty_kommun": ["run", PRESET, "--kommun", ""],
    "bad_blank_kommun": ["run", PRESET, "--kommun", "  "],
    "bad_deep": ["run", "{deep}"],
    "bad_deep_inline": ["run", "{deep_inline}"],
    "bad_deep_dotted": ["run", "{deep_dotted}"],
    "bad_overflow": ["run", "{overflow}"],
    "bad_overflow_pct": ["run", "{overflow_pct}"],
    "bad_off_grid": ["run", "{off_grid}"],
    "bad_base_2024": ["run", "{base_2024}"],
    "bad_utf16": ["run", "{utf16}"],
    "bad_huge": ["run", "{huge}"],
    "bad_directory": ["run", "{dir}"],
    "bom_table": ["run", "{bom}", "--format", "json"],
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run every command once, concurrently (each start pays the pandas/scipy import)."""
    tmp = tmp_path_factory.mktemp("cli")
    paths = {}
    for name, content in FILES.items():
        paths[name] = tmp / f"{name}.toml"
        paths[name].write_bytes(content)
    paths["huge"] = tmp / "huge.toml"
    with paths["huge"].open("wb") as fh:  # sparse: 1 GB on paper, nothing on disk
        fh.truncate(1 << 30)
    paths["dir"] = tmp / "a_directory.toml"
    paths["dir"].mkdir()
    procs = {}
    for name, args in COMMANDS.items():
        argv = [sys.executable, "-m", "model", *[paths[a[1:-1]].as_posix() if a[1:-1] in paths else a
                                                  for a in args]]
        procs[name] = (argv, subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                              text=True, encoding="utf-8"))
    out = {}
    for name, (argv, p) in procs.items():
        stdout, stderr = p.communicate(timeout=120)
        out[name] = subprocess.CompletedProcess(argv, p.returncode, stdout, stderr)
    return out


def _ok(outputs: dict[str, subprocess.CompletedProcess[str]], name: str) -> str:
    res = outputs[name]
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    return res.stdout


# --------------------------------------------------------------------------- json

@pytest.mark.parametrize("name, code, kommun", [("json_name", "0381", "Enköping"), ("json_code", "1480", "Göteborg")])
def test_json(outputs: dict, name: str, code: str, kommun: str) -> None:
    d = json.loads(_ok(outputs, name))
    assert d["kommun"] == {"code": code, "name": kommun}
    assert d["scenario"] == "klimatkontrakt" and d["national_policy"] == "rp10_2025"
    years = d["years"]
    assert years == list(range(2024, 2031)) and d["horizon"] == 2030
    assert list(d["sectors"]) == list(SECTORS)
    for series in d["sectors"].values():
        assert isinstance(series, list) and len(series) == len(years)
    for key in ("gross", "removals", "net", "baseline_gross"):
        assert len(d[key]) == len(years)
    sums = np.sum(list(d["sectors"].values()), axis=0)
    assert np.allclose(sums, d["gross"], atol=0.01)
    assert np.allclose(np.subtract(d["gross"], d["removals"]), d["net"], atol=0.01)
    assert [t["id"] for t in d["targets"]] == list(TARGET_IDS)
    for t in d["targets"]:
        assert {"id", "met", "gap_t", "year_met"} <= set(t)
        assert isinstance(t["id"], str) and t["met"] in (True, False, None)
    # Same numbers as the library call the CLI wraps.
    res = run_scenario(load_scenario(ROOT / PRESET), code)
    assert np.allclose(d["net"], res.net, atol=0.001)
    assert d["targets"][0]["gap_t"] == pytest.approx(res.targets[0].gap_t)


def test_json_horizon_override(outputs: dict) -> None:
    d = json.loads(_ok(outputs, "json_2045"))
    assert d["kommun"]["code"] == "0381" and d["horizon"] == 2045
    assert d["years"] == list(range(2024, 2046))
    assert all(len(v) == 22 for v in d["sectors"].values())
    n45 = next(t for t in d["targets"] if t["id"] == "national_2045")
    assert n45["evaluable"] is True and n45["met"] in (True, False)


# --------------------------------------------------------------------------- csv

@pytest.mark.parametrize("name, region", [("csv_name", "Enköping (0381)"), ("csv_code", "Göteborg (1480)")])
def test_csv(outputs: dict, name: str, region: str) -> None:
    """IAMC long format: scenario and baseline, IAMC names and units, kt, every year once."""
    text = _ok(outputs, name)
    assert text.splitlines()[0] == ",".join(CSV_HEADER)
    rows = [r for r in csv.reader(io.StringIO(text)) if r]
    assert rows[0] == CSV_HEADER and all(len(r) == len(CSV_HEADER) for r in rows)
    body = [dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:]]
    assert {r["region"] for r in body} == {region}
    assert {r["scenario"] for r in body} == {"klimatkontrakt", "baseline"}
    assert {r["unit"] for r in body} == {"kt CO2-equiv/yr", "kt CO2/yr"}
    years = sorted({int(r["year"]) for r in body})
    assert years == list(range(2024, 2031))
    keys = [(r["scenario"], r["variable"], int(r["year"])) for r in body]
    assert len(keys) == len(set(keys)), "one value per scenario, variable and year"
    values = {k: float(r["value"]) for k, r in zip(keys, body, strict=True)}
    assert all(np.isfinite(v) for v in values.values())
    # The total is the gross of the same run, in kt; the baseline scenario is the run's baseline.
    code = region[-5:-1]
    res = run_scenario(load_scenario(ROOT / PRESET), code)
    for i, y in enumerate(years):
        assert values[("klimatkontrakt", "Emissions|Kyoto Gases", y)] == pytest.approx(res.gross[i] / 1000, abs=1e-5)
        assert values[("baseline", "Emissions|Kyoto Gases", y)] == pytest.approx(res.baseline_gross[i] / 1000,
                                                                                 abs=1e-5)
        assert values[("klimatkontrakt", "Carbon Removal", y)] == pytest.approx(res.removals[i] / 1000, abs=1e-5)


def test_csv_has_no_blank_line(outputs: dict) -> None:
    """Every line is a record: a trailing empty line is an empty record to csv.reader and strict tools.

    Today ``main`` prints the CSV text (which already ends in a newline) with ``print``,
    adding a blank last line (model/__main__.py, the final ``print(out(res) ...)``).
    """
    text = _ok(outputs, "csv_name")
    assert text.endswith("\n")
    assert [r for r in csv.reader(io.StringIO(text)) if not r] == []
    assert "" not in text.split("\n")[:-1]


# --------------------------------------------------------------------------- table, levers

@pytest.mark.parametrize("name, header", [("table_name", "Enköping (0381)"), ("table_code", "Göteborg (1480)")])
def test_table(outputs: dict, name: str, header: str) -> None:
    text = _ok(outputs, name)
    assert text.splitlines()[0].startswith(header)
    for s in SECTORS:
        assert s in text
    for y in range(2024, 2031):
        assert str(y) in text.splitlines()[1]
    for tid in ("klimatneutral_2030", "budget_rate", "carbon_law", "national_transport_2030", "national_2045"):
        assert tid in text


def test_levers(outputs: dict) -> None:
    text = _ok(outputs, "levers")
    listed = {line.split()[0] for line in text.splitlines()[1:] if line and not line.startswith(" ")}
    assert listed == set(load_registry().lever_ids)


def test_levers_json_for_a_kommun(outputs: dict) -> None:
    from model.run import levers_for

    got = json.loads(_ok(outputs, "levers_json"))
    assert got == json.loads(json.dumps(levers_for("2506")))
    assert [r["id"] for r in got] == list(load_registry().lever_ids)
    assert {"id", "url_key", "unit", "min", "max", "step", "nnm", "group"} <= set(got[0])
    # Arjeplog's removals are capped by its own data, below the registry's absolute maximum.
    beccs = next(r for r in got if r["id"] == "beccs")
    assert beccs["max"] < beccs["absolute_max"]


def test_levers_table_for_a_kommun_shows_its_reach(outputs: dict) -> None:
    from model.run import levers_for

    text = _ok(outputs, "levers_table_kommun")
    beccs = next(r for r in levers_for("2506") if r["id"] == "beccs")
    line = next(x for x in text.splitlines() if x.startswith("beccs "))
    assert f"{beccs['max']:g}" in line.split()


@pytest.mark.parametrize("name", ["bad_levers_kommun", "bad_levers_format"])
def test_levers_bad_arguments(outputs: dict, name: str) -> None:
    res = outputs[name]
    assert res.returncode == 2 and res.stdout == "" and "Traceback" not in res.stderr
    assert res.stderr.startswith("fel:")


# --------------------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("name, needle", [
    ("bad_kommun", "Atlantis"),
    ("bad_missing_file", "finns_inte.toml"),
    ("bad_malformed_file", "scenario.horizon"),
    ("bad_horizon", "2031"),
    ("bad_no_subcommand", "fel"),
    ("bad_empty_kommun", "--kommun"),
    ("bad_blank_kommun", "--kommun"),
    ("bad_deep", "(fil)"),
    ("bad_deep_inline", "(fil)"),
    ("bad_deep_dotted", "(fil)"),
    ("bad_overflow", "levers.ev_cars"),
    ("bad_overflow_pct", "target.max_gross_pct"),
    ("bad_off_grid", "levers.biochar"),
    ("bad_base_2024", "target.base_year"),
    ("bad_utf16", "UTF-16"),
    ("bad_huge", "1073741824 byte"),
    ("bad_directory", "a_directory.toml"),
])
def test_bad_arguments(outputs: dict, name: str, needle: str) -> None:
    res = outputs[name]
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert needle in res.stderr
    assert res.stdout == ""
    # Short: a message and at most a hint line, not a dump.
    assert 1 <= len(res.stderr.strip().splitlines()) <= 2 and len(res.stderr) < 600
    assert res.stderr.startswith("fel: ")


def test_file_with_bom_runs(outputs: dict) -> None:
    """A UTF-8 byte-order mark (Notepad's "UTF-8 with BOM") is accepted, not "Invalid statement"."""
    assert json.loads(_ok(outputs, "bom_table"))["scenario"] == "klimatkontrakt"
