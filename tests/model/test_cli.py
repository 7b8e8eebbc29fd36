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

ROOT = Path(__file__).resolve().parents[2]
PRESET = "scenarios/klimatkontrakt.toml"
CSV_HEADER = ["model", "scenario", "region", "variable", "unit", "year", "value"]
BAD_TOML = 'format_version = 1\n[scenario]\nhorizon = 2031\n'

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
    "bad_kommun": ["run", PRESET, "--kommun", "Atlantis"],
    "bad_missing_file": ["run", "scenarios/finns_inte.toml"],
    "bad_malformed_file": ["run", "{bad}"],
    "bad_horizon": ["run", PRESET, "--horizon", "2031"],
    "bad_no_subcommand": [],
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Run every command once, concurrently (each start pays the pandas/scipy import)."""
    bad = tmp_path_factory.mktemp("cli") / "bad.toml"
    bad.write_text(BAD_TOML, encoding="utf-8")
    procs = {}
    for name, args in COMMANDS.items():
        argv = [sys.executable, "-m", "model", *[a.replace("{bad}", str(bad)) for a in args]]
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
    assert len(d["targets"]) == 5
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
    text = _ok(outputs, name)
    assert text.splitlines()[0] == ",".join(CSV_HEADER)
    # Blank lines are checked separately (test_csv_has_no_blank_line); here only the records matter.
    rows = [r for r in csv.reader(io.StringIO(text)) if r]
    assert rows[0] == CSV_HEADER
    body = [dict(zip(CSV_HEADER, r)) for r in rows[1:]]
    assert all(len(r) == len(CSV_HEADER) for r in rows)
    assert {r["region"] for r in body} == {region}
    assert {r["scenario"] for r in body} == {"klimatkontrakt"}
    years = sorted({int(r["year"]) for r in body})
    assert years == list(range(2024, 2031))
    variables = {r["variable"] for r in body}
    assert len(variables) == len(SECTORS) + 4
    assert all(any(v.endswith("|" + s) for v in variables) for s in SECTORS)
    assert len(body) == len(variables) * len(years)
    values = {(r["variable"], int(r["year"])): float(r["value"]) for r in body}
    assert all(np.isfinite(v) for v in values.values())
    gross = [v for k, v in values.items() if k[0].endswith("|Gross")]
    assert len(gross) == len(years) and all(g > 0 for g in gross)


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


# --------------------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("name, needle", [
    ("bad_kommun", "Atlantis"),
    ("bad_missing_file", "finns_inte.toml"),
    ("bad_malformed_file", "scenario.horizon"),
    ("bad_horizon", "2031"),
    ("bad_no_subcommand", "fel"),
])
def test_bad_arguments(outputs: dict, name: str, needle: str) -> None:
    res = outputs[name]
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    assert needle in res.stderr
    assert res.stdout == ""
    # Short: a message and at most a hint line, not a dump.
    assert 1 <= len(res.stderr.strip().splitlines()) <= 3 and len(res.stderr) < 600
