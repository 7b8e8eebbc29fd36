"""Read a new SMHI release from one of three file formats into one long table.

* SMHI's own export (Nationella emissionsdatabasen "Länsrapport"): semicolon-separated, decimal
  commas, header lines naming the report, date, gas and unit, one row per Huvudsektor x Undersektor
  x Län x Kommun and one column per year, with "Alla" rows for totals, län and the country. The
  main-sector rows (Undersektor "Alla") of each kommun are the release; the sector-total rows
  (Huvudsektor "Alla") are kept to check the sums; the national rows become the release's national
  series; län and sub-sector rows are counted, not imported (the model uses main sectors only).
* A tidy long CSV (``kommun_code,kommun,lan,year,sector,tonnes_co2e``), the layout of the shipped
  releases.
* Klimatkollen's JSON output ``municipality-sector-emissions.json`` (Klimatbyran/
  territorial-data-pipeline): a list of ``{"name": kommun, "sectors": {year: {sector: tonnes}}}``.

Every problem raises :class:`ImportFileError` with the file's line number. Checks that need the
whole table (290 kommuner, duplicates, splices, sums) are in :mod:`model.release_import`.
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from model.csvio import DataValidationError

#: Largest file the importer reads (bytes); SMHI's full sub-sector export is about 4 MB.
MAX_BYTES = 64 * 1024 * 1024
COLUMNS = ("kommun_code", "kommun", "lan", "year", "sector", "tonnes_co2e")
# SMHI writes tiny values as "7,33347×10^−05" (with a Unicode minus).
_SCI = re.compile(r"^(-?\d+(?:,\d+)?)×10\^([−-]?)(\d+)$")
_DEC = re.compile(r"^-?\d+(?:,\d+)?$")


class ImportFileError(DataValidationError):
    """A file offered as a new release is malformed; names the line and the problem in sv and en.

    Parameters
    ----------
    file : str
        File name as given.
    row : int or None
        1-based line number in the file, if one line is at fault.
    sv, en : str
        The problem in Swedish and in English.
    """

    def __init__(self, file: str, row: int | None, sv: str, en: str) -> None:
        super().__init__(file, row, sv)
        self.sv, self.en = sv, en

    def message(self, lang: str = "sv") -> str:
        """One-line message in ``lang`` ("sv" or "en")."""
        if lang == "en":
            return f"{self.file}, line {self.row}: {self.en}" if self.row is not None else f"{self.file}: {self.en}"
        return str(self)


@dataclass
class ParsedRelease:
    """What a file holds, before the whole-table checks.

    Attributes
    ----------
    rows : pandas.DataFrame
        :data:`COLUMNS` plus ``line`` (1-based line in the file); kommun_code may be empty for
        formats that name kommuner only (filled by the validator from the known list).
    totals : pandas.DataFrame or None
        ``kommun`` (name), ``year``, ``tonnes``, ``line``: the file's own sector totals, t CO2e.
    national : pandas.DataFrame or None
        ``year``, ``sector``, ``tonnes_co2e``: the country's main-sector rows, t CO2e.
    fmt : str
        ``"smhi"``, ``"tidy"`` or ``"klimatkollen"``.
    meta : dict
        What the file says about itself (report name and date, gas, unit).
    notes : list of str
        What was seen and not imported, in English (for the manifest and the report).
    """

    rows: pd.DataFrame
    fmt: str
    totals: pd.DataFrame | None = None
    national: pd.DataFrame | None = None
    meta: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _text(path: Path) -> tuple[str, str]:
    shown = path.name
    if not path.is_file():
        raise ImportFileError(shown, None, "filen finns inte", "file not found")
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise ImportFileError(shown, None, f"filen är större än {MAX_BYTES // 2**20} MB",
                              f"file larger than {MAX_BYTES // 2**20} MB")
    if not raw.strip():
        raise ImportFileError(shown, None, "filen är tom", "file is empty")
    try:
        return shown, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ImportFileError(
            shown, line, "filen är inte UTF-8 (SMHI:s export är UTF-8; spara om den som UTF-8)",
            "file is not UTF-8 (SMHI's export is UTF-8; save it again as UTF-8)") from exc


def _number(cell: str) -> float | None:
    """SMHI's number notation as a float, or None if the cell is not a number."""
    s = cell.strip().replace("\u2212", "-")
    if _DEC.match(s):
        return float(s.replace(",", "."))
    if m := _SCI.match(cell.strip()):
        sign = -1 if m.group(2) else 1
        return float(m.group(1).replace(",", ".")) * 10.0 ** (sign * int(m.group(3)))
    return None


def read_release_file(path: str | Path) -> ParsedRelease:
    """Detect the format of ``path`` and parse it.

    Raises
    ------
    ImportFileError
        If the file cannot be read or a line is malformed (the line is named).
    """
    path = Path(path)
    shown, text = _text(path)
    head = text.lstrip()[:1]
    if head in ("[", "{"):
        return _klimatkollen(shown, text)
    first = text.splitlines()[0]
    if first.startswith("Rapportnamn") or any(ln.startswith("Huvudsektor;") for ln in text.splitlines()[:20]):
        return _smhi(shown, text)
    return _tidy(shown, text)


def _smhi(shown: str, text: str) -> ParsedRelease:
    lines = text.splitlines()
    hdr = next((i for i, ln in enumerate(lines) if ln.startswith("Huvudsektor;")), None)
    if hdr is None:
        raise ImportFileError(shown, None, "hittar ingen rubrikrad 'Huvudsektor;Undersektor;Län;Kommun;…'",
                              "no header line 'Huvudsektor;Undersektor;Län;Kommun;…'")
    meta: dict[str, str] = {}
    for ln in lines[:hdr]:
        cells = [c for c in ln.split(";") if c.strip()]
        if cells[:1] == ["Rapportnamn:"] and len(cells) > 1:
            meta["report"] = cells[1].strip()
        elif cells and cells[0].startswith("Emissioner av"):
            meta["gas"] = cells[0].removeprefix("Emissioner av").strip()
        elif cells and cells[0].startswith("Enhet:"):
            meta["unit"] = cells[0].removeprefix("Enhet:").strip()
    if meta.get("unit") != "ton/år":
        raise ImportFileError(shown, None, f"enheten är {meta.get('unit')!r}, väntade 'ton/år'",
                              f"unit is {meta.get('unit')!r}, expected 'ton/år'")
    if meta.get("gas", "").lower() != "växthusgaser totalt":
        raise ImportFileError(shown, None, f"filen gäller {meta.get('gas')!r}; modellen behöver 'Växthusgaser totalt'",
                              f"file covers {meta.get('gas')!r}; the model needs 'Växthusgaser totalt' (all GHG)")
    cols = lines[hdr].split(";")
    if cols[:4] != ["Huvudsektor", "Undersektor", "Län", "Kommun"]:
        raise ImportFileError(shown, hdr + 1, "kolumnerna ska börja med Huvudsektor;Undersektor;Län;Kommun",
                              "columns must start with Huvudsektor;Undersektor;Län;Kommun")
    try:
        years = [int(c) for c in cols[4:]]
    except ValueError as exc:
        raise ImportFileError(shown, hdr + 1, f"årskolumnerna är inte år: {cols[4:]}",
                              f"year columns are not years: {cols[4:]}") from exc
    rows: list[tuple[int, str, str, str, str, str, list[float]]] = []
    totals: list[tuple[str, int, float, int]] = []
    national: list[tuple[int, str, float]] = []
    notes = {"sub": 0, "lan": 0}
    for i in range(hdr + 1, len(lines)):
        ln, lineno = lines[i], i + 1
        if not ln.strip(";").strip():
            continue
        if ln.startswith("Rapportnamn:"):
            report = ln.split(";")[1].strip() if ";" in ln else ""
            if report != meta.get("report"):
                raise ImportFileError(shown, lineno, f"ny rapport {report!r} mitt i filen: två utgåvor hopslagna",
                                      f"another report {report!r} inside the file: two releases spliced")
            continue
        if ln.startswith("Huvudsektor;"):
            raise ImportFileError(shown, lineno, "en andra rubrikrad: två exporter hopslagna",
                                  "a second header line: two exports spliced")
        cells = ln.split(";")
        if len(cells) != len(cols):
            raise ImportFileError(shown, lineno, f"{len(cells)} fält, väntade {len(cols)} (trunkerad fil?)",
                                  f"{len(cells)} fields, expected {len(cols)} (truncated file?)")
        sector, sub, lan, kommun = (c.strip() for c in cells[:4])
        values = []
        for y, cell in zip(years, cells[4:], strict=True):
            v = _number(cell)
            if v is None:
                raise ImportFileError(shown, lineno, f"{y}: {cell!r} är inte ett tal", f"{y}: {cell!r} is not a number")
            values.append(v)
        if sub != "Alla":
            notes["sub"] += 1
            rows.append((lineno, "", kommun, lan, sector, sub, values))  # checked for sector/sign only
        elif kommun == "Alla" and lan != "Alla":
            notes["lan"] += 1
        elif kommun == "Alla":
            if sector != "Alla":
                national.extend((y, sector, v) for y, v in zip(years, values, strict=True))
        elif sector == "Alla":
            totals.extend((kommun, y, v, lineno) for y, v in zip(years, values, strict=True))
        else:
            rows.append((lineno, "", kommun, lan, sector, sub, values))
    recs = [(code, k, lan, y, s, v, lineno, sub != "Alla")
            for lineno, code, k, lan, s, sub, vals in rows for y, v in zip(years, vals, strict=True)]
    df = pd.DataFrame(recs, columns=[*COLUMNS, "line", "subsector"])
    parsed = ParsedRelease(
        rows=df, fmt="smhi", meta=meta,
        totals=pd.DataFrame(totals, columns=["kommun", "year", "tonnes", "line"]) if totals else None,
        national=pd.DataFrame(national, columns=["year", "sector", "tonnes_co2e"]) if national else None)
    if notes["sub"]:
        parsed.notes.append(f"{notes['sub']} sub-sector rows (Undersektor other than 'Alla') were checked, "
                            "not imported")
    if notes["lan"]:
        parsed.notes.append(f"{notes['lan']} county rows (Kommun = 'Alla') were not imported")
    return parsed


def _tidy(shown: str, text: str) -> ParsedRelease:
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ImportFileError(shown, int(m.group(1)) if m else None, f"kan inte läsas som CSV: {exc}",
                              f"cannot be read as CSV: {exc}") from exc
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ImportFileError(shown, 1, f"kolumner saknas: {', '.join(missing)}",
                              f"missing columns: {', '.join(missing)}")
    df["line"] = np.arange(len(df)) + 2
    for col in ("data_release", "release"):
        if col in df.columns and df[col].nunique() > 1:
            first = df[col].iloc[0]
            i = int(np.flatnonzero((df[col] != first).to_numpy())[0])
            raise ImportFileError(shown, i + 2, f"{col} {df[col].iloc[i]!r} skiljer sig från {first!r}: två utgåvor",
                                  f"{col} {df[col].iloc[i]!r} differs from {first!r}: two releases")
    for col in ("year", "tonnes_co2e"):
        vals = pd.to_numeric(df[col].str.strip(), errors="coerce")
        bad = vals.isna() | ~np.isfinite(vals)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ImportFileError(shown, i + 2, f"{col} är inte ett tal: {df[col].iloc[i]!r} (trunkerad fil?)",
                                  f"{col} is not a number: {df[col].iloc[i]!r} (truncated file?)")
        df[col] = vals
    df["year"] = df["year"].astype(int)
    df["subsector"] = False
    return ParsedRelease(rows=df[[*COLUMNS, "line", "subsector"]], fmt="tidy")


def _klimatkollen(shown: str, text: str) -> ParsedRelease:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(shown, exc.lineno, f"ogiltig JSON ({exc.msg}; trunkerad fil?)",
                              f"invalid JSON ({exc.msg}; truncated file?)") from exc
    if not isinstance(data, list) or not all(isinstance(e, dict) and "sectors" in e and "name" in e for e in data):
        raise ImportFileError(shown, 1, "väntade Klimatkollens municipality-sector-emissions.json: "
                              "en lista med {\"name\", \"sectors\"}",
                              "expected Klimatkollen's municipality-sector-emissions.json: "
                              "a list of {\"name\", \"sectors\"}")
    # JSON has no rows; the line of each entry's "name" is what an editor shows.
    starts = [m.start() for m in re.finditer(r'"name"\s*:', text)]
    line_of = [text.count("\n", 0, s) + 1 for s in starts]
    recs = []
    for i, entry in enumerate(data):
        line = line_of[i] if i < len(line_of) else None
        secs = entry["sectors"]
        if not isinstance(secs, dict):
            raise ImportFileError(shown, line, f"{entry['name']!r}: sectors är inte ett objekt",
                                  f"{entry['name']!r}: sectors is not an object")
        for y, per in secs.items():
            if not (isinstance(y, str) and y.isdigit()) or not isinstance(per, dict):
                raise ImportFileError(shown, line, f"{entry['name']!r}: år {y!r} är ogiltigt",
                                      f"{entry['name']!r}: year {y!r} is invalid")
            for s, v in per.items():
                if not isinstance(v, (int, float)) or isinstance(v, bool) or not np.isfinite(v):
                    raise ImportFileError(shown, line, f"{entry['name']!r} {y} {s}: {v!r} är inte ett tal",
                                          f"{entry['name']!r} {y} {s}: {v!r} is not a number")
                recs.append(("", str(entry["name"]), "", int(y), s, float(v), line, False))
    df = pd.DataFrame(recs, columns=[*COLUMNS, "line", "subsector"])
    if set(df["kommun"]) == {"Sverige"}:
        raise ImportFileError(shown, 1, "filen innehåller bara riket (national-sector-emissions.json); "
                              "importera municipality-sector-emissions.json",
                              "the file holds only Sweden (national-sector-emissions.json); "
                              "import municipality-sector-emissions.json")
    return ParsedRelease(rows=df, fmt="klimatkollen",
                         meta={"report": "Klimatkollen municipality-sector-emissions.json"})
