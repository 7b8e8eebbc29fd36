"""``python -m model data import``: real files import, bad files name the line and change nothing on disk."""
from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from model.__main__ import main
from model.data import DATA_DIR, inventory, list_releases, load_dataset
from model.releases import index_toml

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "smhi_lansrapport_2021-10-14_vaxthusgaser_subset.csv"
PREV = DATA_DIR / "releases" / "smhi-2023" / "emissions_by_sector.csv"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private data folder holding only the latest release (smhi-2024), as before smhi-2023 was shipped."""
    d = tmp_path / "data"
    d.mkdir()
    for f in [*DATA_DIR.glob("*.csv"), DATA_DIR / "PROVENANCE.md"]:
        shutil.copy(f, d / f.name)
    (d / "releases" / "smhi-2024").mkdir(parents=True)
    shutil.copy(DATA_DIR / "releases" / "smhi-2024" / "manifest.toml", d / "releases" / "smhi-2024")
    (d / "releases" / "index.toml").write_text(index_toml("smhi-2024", ["smhi-2024"]), encoding="utf-8")
    return d


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(["data", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def _fixture_line(kommun: str, sector: str) -> tuple[int, list[str]]:
    for i, ln in enumerate(FIXTURE.read_text(encoding="utf-8").splitlines()):
        c = ln.split(";")
        if len(c) > 4 and c[0] == sector and c[1] == "Alla" and c[3] == kommun:
            return i + 1, c
    raise AssertionError("line not found")


def test_import_smhi_export_fixture(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prov_before = (data_dir / "PROVENANCE.md").read_text(encoding="utf-8")
    rc, out, err = _run(capsys, "import", str(FIXTURE), "--data-dir", str(data_dir), "--retrieved", "2026-12-01")
    assert (rc, err) == (0, "")
    rels = {r.id: r for r in list_releases(data_dir)}
    assert set(rels) == {"smhi-2019", "smhi-2024"}
    r = rels["smhi-2019"]
    assert r.years == (1990, 2015, 2016, 2017, 2018, 2019) and r.retrieved == "2026-12-01"
    assert r.extra["file_report"] == "Länsrapport, 2021-10-14" and r.extra["source_format"] == "smhi"
    assert "56 sub-sector rows" in r.extra["notes"]
    assert load_dataset(data_dir).release == "smhi-2024"  # an older release never becomes the default
    ds = load_dataset(data_dir, "smhi-2019")
    _, cells = _fixture_line("Enköping", "Transporter")
    assert inventory("0381", ds).loc[2019, "Transporter"] == pytest.approx(float(cells[-1].replace(",", ".")))
    _, nat = _fixture_line("Alla", "Jordbruk")  # Län = Alla, Kommun = Alla: Sweden
    assert ds.national[0, 1] == pytest.approx(float(nat[4].replace(",", ".")))
    assert "Revideringar smhi-2024 -> smhi-2019" in out and "Sammanfattning:" in out
    assert "older than the default release smhi-2024" in out
    prov = (data_dir / "PROVENANCE.md").read_text(encoding="utf-8")
    assert prov.startswith(prov_before) and "### Release `smhi-2019`" in prov[len(prov_before):]


def test_import_previous_release_reproduces_the_shipped_one(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "import", str(PREV), "--data-dir", str(data_dir))
    assert (rc, err) == (0, "")
    mine, shipped = load_dataset(data_dir, "smhi-2023"), load_dataset(release="smhi-2023")
    assert mine.inventory_years == shipped.inventory_years
    assert np.array_equal(mine.emissions, shipped.emissions)
    assert [k.code for k in mine.kommuner] == [k.code for k in shipped.kommuner]
    assert load_dataset(data_dir).release == "smhi-2024"


def test_import_latest_over_previous_makes_it_default(tmp_path: Path, data_dir: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The yearly routine: a newer release becomes the default; the report covers the common years."""
    rc, _, _ = _run(capsys, "import", str(PREV), "--data-dir", str(data_dir))
    # Pretend the folder only had smhi-2023, then import the 2024 file as the new release.
    shutil.rmtree(data_dir / "releases" / "smhi-2024")
    (data_dir / "releases" / "index.toml").write_text(index_toml("smhi-2023", ["smhi-2023"]), encoding="utf-8")
    new = tmp_path / "smhi_2024.csv"
    shutil.copy(DATA_DIR / "kommuner_emissions_by_sector.csv", new)
    load_dataset.cache_clear()
    rc, out, err = _run(capsys, "import", str(new), "--data-dir", str(data_dir), "--top", "3", "--lang", "en")
    assert (rc, err) == (0, "")
    assert load_dataset(data_dir).release == "smhi-2024"
    assert np.array_equal(load_dataset(data_dir).emissions, load_dataset().emissions)
    lines = out.splitlines()
    assert lines[0].startswith("Revisions smhi-2023 -> smhi-2024")
    assert "Sigtuna (0191) · Utrikes transporter · 2023: 0 -> 120,445 t (+120,445 t, –)" in lines[1]


def test_klimatkollen_json(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Klimatkollen's municipality-sector-emissions.json shape, built from the real smhi-2023 rows."""
    entries: dict[str, dict[str, dict[str, float]]] = {}
    with open(PREV, newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            entries.setdefault(rec["kommun"], {}).setdefault(rec["year"], {})[rec["sector"]] = float(rec["tonnes_co2e"])
    f = tmp_path / "municipality-sector-emissions.json"
    f.write_text(json.dumps([{"name": n, "sectors": s} for n, s in entries.items()], ensure_ascii=False, indent=2),
                 encoding="utf-8")
    rc, _, err = _run(capsys, "import", str(f), "--data-dir", str(data_dir), "--release-id", "kk-2023")
    assert (rc, err) == (0, "")
    assert np.array_equal(load_dataset(data_dir, "kk-2023").emissions, load_dataset(release="smhi-2023").emissions)
    small = tmp_path / "three.json"
    small.write_text(json.dumps([{"name": n, "sectors": entries[n]} for n in ("Ale", "Enköping", "Kiruna")],
                                ensure_ascii=False), encoding="utf-8")
    rc, _, err = _run(capsys, "import", str(small), "--data-dir", str(data_dir), "--release-id", "kk-small")
    assert rc == 2 and "287 av 290 kommuner saknas" in err and err.count("\n") == 1


# --------------------------------------------------------------------------- bad files

def _lines() -> list[str]:
    return FIXTURE.read_bytes().decode("utf-8").split("\r\n")


def _negative() -> tuple[bytes, int, str]:
    n, c = _fixture_line("Enköping", "Jordbruk")
    ls = _lines()
    ls[n - 1] = ";".join([*c[:5], "-" + c[5], *c[6:]])
    return "\r\n".join(ls).encode(), n, "negativt utsläpp"


def _unknown_sector() -> tuple[bytes, int, str]:
    n, c = _fixture_line("Kiruna", "Jordbruk")
    ls = _lines()
    ls[n - 1] = ";".join(["Skogsbruk", *c[1:]])
    return "\r\n".join(ls).encode(), n, "okänd sektor 'Skogsbruk'"


def _missing_kommun() -> tuple[bytes, None, str]:
    ls = [ln for ln in _lines() if ";Ydre;" not in ln]
    return "\r\n".join(ls).encode(), None, "Ydre (0512)"


def _duplicate() -> tuple[bytes, int, str]:
    n, _ = _fixture_line("Enköping", "Avfall (inkl.avlopp)")
    ls = _lines()
    ls.insert(n, ls[n - 1])
    return "\r\n".join(ls).encode(), n + 1, f"finns redan på rad {n}"


def _mixed() -> tuple[bytes, int, str]:
    ls = _lines()
    n, _ = _fixture_line("Enköping", "Transporter")
    ls.insert(n, "Rapportnamn:;Länsrapport, 2022-12-14;;;;;;;;")
    return "\r\n".join(ls).encode(), n + 1, "två utgåvor hopslagna"


def _truncated() -> tuple[bytes, int, str]:
    raw = FIXTURE.read_bytes()
    cut = raw[: len(raw) // 2]
    cut = cut[: cut.rindex(b";") + 3]  # ends inside a line, as an interrupted download does
    return cut, cut.count(b"\r\n") + 1, "trunkerad fil"


def _encoding() -> tuple[bytes, int, str]:
    return FIXTURE.read_bytes().decode("utf-8").encode("cp1252", errors="replace"), 1, "inte UTF-8"


def _tidy_spliced() -> tuple[bytes, int, str]:
    """The previous release with Enköping's 2024 rows from the latest one appended: a splice."""
    prev = PREV.read_bytes()
    with open(DATA_DIR / "kommuner_emissions_by_sector.csv", encoding="utf-8") as fh:
        extra = [ln for ln in fh if ln.startswith("0381,") and ",2024," in ln]
    body = prev + "".join(extra).encode()
    return body, prev.count(b"\n") + 1, "två utgåvor hopslagna"  # the first appended row


BAD = {"negative": _negative, "unknown_sector": _unknown_sector, "missing_kommun": _missing_kommun,
       "duplicate": _duplicate, "mixed_releases": _mixed, "truncated": _truncated, "encoding": _encoding,
       "tidy_spliced": _tidy_spliced}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_file_names_the_row_and_changes_nothing(case: str, tmp_path: Path, data_dir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    body, line, words = BAD[case]()
    f = tmp_path / ("bad.csv")
    f.write_bytes(body)
    before = _snapshot(data_dir)
    rc, out, err = _run(capsys, "import", str(f), "--data-dir", str(data_dir))
    assert rc == 2, (out, err)
    assert err.startswith("fel: bad.csv") and err.count("\n") == 1 and "Traceback" not in err
    if line is not None:
        assert f"bad.csv, rad {line}:" in err  # the file line, 1-based as an editor shows it
    assert words in err
    assert _snapshot(data_dir) == before


def test_english_message(tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body, line, _ = _negative()
    f = tmp_path / "bad.csv"
    f.write_bytes(body)
    rc, _, err = _run(capsys, "import", str(f), "--data-dir", str(data_dir), "--lang", "en")
    assert rc == 2 and f"bad.csv, line {line}: negative emission" in err


def test_existing_release_or_last_year_is_refused(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(data_dir)
    rc, _, err = _run(capsys, "import", str(DATA_DIR / "kommuner_emissions_by_sector.csv"), "--data-dir", str(data_dir))
    assert rc == 2 and "finns redan" in err
    rc, _, err = _run(capsys, "import", str(DATA_DIR / "kommuner_emissions_by_sector.csv"), "--data-dir",
                      str(data_dir), "--release-id", "smhi-2024b")
    assert rc == 2 and "har redan data t.o.m. 2024" in err
    assert _snapshot(data_dir) == before


def test_dry_run_writes_nothing(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(data_dir)
    rc, out, err = _run(capsys, "import", str(PREV), "--data-dir", str(data_dir), "--dry-run", "--top", "2")
    assert (rc, err) == (0, "") and "Provkörning: inget skrivet." in out
    assert _snapshot(data_dir) == before


def test_missing_file(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = _run(capsys, "import", "does-not-exist.csv", "--data-dir", str(data_dir))
    assert rc == 2 and "does-not-exist.csv: filen finns inte" in err
