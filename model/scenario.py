"""Scenarios and scenario files (TOML, with a format version).

A scenario is a kommun, lever positions, a national fuel-policy path, a
horizon and target settings. Files name levers by id; a lever a file leaves
out stays at its "no new measures" position for the chosen kommun.

Every error, for any input whatever (binary, huge, nested thousands deep, 400-digit
numbers), is a :class:`ScenarioFileError` naming the field, the value and what is
allowed: a message key with parameters for the dashboard to word, and a one-line
Swedish and English message for the command line. Lever values must lie on the
lever's grid (``min + k * step``) and are returned exactly on it.
"""
from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from model.data import list_releases, load_dataset
from model.measures import MeasureError, OwnMeasure, measure_to_dict
from model.measures_parse import check_measure_list, measure_from_dict
from model.registry import HORIZONS, POLICIES, TARGET_YEARS, Lever, Registry, load_registry
from model.target_defs import TARGET_IDS
from model.targets import TargetSpec, base_years

FORMAT_VERSION = 1
MAX_FILE_BYTES = 64 * 1024
#: Tables and arrays a valid file nests: 3 (the file, [reasons], a lever's { sv, en }); deeper files are
#: refused before anything recurses into them.
MAX_DEPTH = 4
#: Nesting or dotted parts on one line that the text may show before it is parsed (see _text_nesting).
MAX_TEXT_NESTING = 32
TOP_KEYS = {"format_version", "scenario", "levers", "reasons", "target", "measure"}
SCENARIO_KEYS = {"id", "name", "description", "national_policy", "horizon", "kommun", "release"}
TARGET_KEYS = {"selected", "year", "base_year", "max_gross_pct", "budget_rate_pct"}
#: A value this close to a grid step (in steps) is float noise of ``min + k * step``, not a user's value.
GRID_TOL = 1e-9
_BOMS = {b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}

#: What is allowed, per error key, in Swedish and English (the CLI's message; the dashboard words the
#: same keys in ui/text/locales/links.*.toml). Numbers in params are plain numbers.
ALLOWED: dict[str, tuple[str, str]] = {
    "too_big": ("högst {max} byte", "at most {max} bytes"),
    "encoding": ("UTF-8-kodad TOML-text", "UTF-8 encoded TOML text"),
    "syntax": ("giltig TOML (fel på rad {line}, kolumn {column})",
               "valid TOML (error at line {line}, column {column})"),
    "too_deep": ("högst {max} nivåer av tabeller, listor och punktade nycklar",
                 "at most {max} levels of tables, arrays and dotted keys"),
    "missing_file": ("en befintlig .toml-fil", "an existing .toml file"),
    "unreadable": ("en fil som går att läsa", "a readable file"),
    "not_table": ("en TOML-tabell {name}", "a TOML table {name}"),
    "unknown_key": ("bara {allowed}", "only {allowed}"),
    "format_missing": ("{version} (fältet saknas)", "{version} (the field is missing)"),
    "format_version": ("{version}", "{version}"),
    "choice": ("ett av: {allowed}", "one of: {allowed}"),
    "kommun": ("en kommunkod med fyra siffror, t.ex. \"0381\"", "a four-digit kommun code, e.g. \"0381\""),
    "id": ("bokstäver, siffror, - och _ (högst 40 tecken)", "letters, digits, - and _ (at most 40 characters)"),
    "text": ("en text eller {{ sv = \"…\", en = \"…\" }}", "a text or {{ sv = \"…\", en = \"…\" }}"),
    "unknown_lever": ("en spak ur registret: {allowed}", "a lever from the registry: {allowed}"),
    "number": ("ett tal {min}–{max} {unit}", "a number {min}–{max} {unit}"),
    "grid": ("en multipel av {step} {unit} från {min}", "a multiple of {step} {unit} from {min}"),
}


def _num_text(x: Any, lang: str) -> str:
    """A number in the language's convention ("5 000", "0,5" / "5,000", "0.5")."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    text = f"{x:,.0f}" if float(x).is_integer() else f"{x:,.6g}"
    return text.replace(",", "\u00a0").replace(".", ",") if lang == "sv" else text


def _shown(value: Any) -> str:
    try:
        shown = repr(value)
    except (RecursionError, ValueError):  # nesting deeper than repr's limit; ints past the digit limit
        shown = f"<{type(value).__name__}>"
    if len(shown) > 60:  # keep both ends: a file path's name is at the end
        shown = shown[:25] + "…" + shown[-34:]
    return shown


#: Longest "allowed" text in a one-line message; longer lists end with "…" and their count.
MAX_ALLOWED_SHOWN = 200


def _clip(text: str) -> str:
    if len(text) <= MAX_ALLOWED_SHOWN:
        return text
    head = text[:MAX_ALLOWED_SHOWN].rsplit(", ", 1)[0]
    return f"{head}, … ({text.count(', ') + 1})"


class ScenarioFileError(ValueError):
    """A scenario file or mapping is invalid: the only error the loader raises.

    Attributes
    ----------
    field : str
        Dotted path of the offending field ("levers.ev_cars"), or "(fil)" for the file as a whole.
    value : Any
        The value found.
    key : str
        Message key, ``"scenario_file.<kind>"`` with ``<kind>`` one of :data:`ALLOWED`; the dashboard
        words it with ``t(key, lang, **params)`` (ui/text/locales/links.*.toml).
    params : dict
        ``field``, ``value`` (shortened repr) and the key's own parameters (numbers unformatted).
    allowed, allowed_en : str
        What would have been accepted, in Swedish and in English.
    """

    def __init__(self, field: str, value: Any, kind: str, **params: Any) -> None:
        self.field, self.value, self.key = field, value, f"scenario_file.{kind}"
        shown = _shown(value)
        self.params = {"field": field, "value": shown, **params}
        sv, en = ALLOWED[kind]
        self.allowed = sv.format(**{k: _num_text(v, "sv") for k, v in params.items()}).strip()
        self.allowed_en = en.format(**{k: _num_text(v, "en") for k, v in params.items()}).strip()
        # The one-line message stays short (a list of 28 levers twice is 900 characters); params and
        # allowed/allowed_en keep the whole list for the dashboard.
        sv_short, en_short = _clip(self.allowed), _clip(self.allowed_en)
        super().__init__(f"Fältet '{field}' har värdet {shown}; tillåtet: {sv_short} "
                         f"(field '{field}' has value {shown}; allowed: {en_short})")

    @classmethod
    def from_measure(cls, exc: MeasureError) -> ScenarioFileError:
        """The file error for an invalid ``[[measure]]``: the measure's own key (``measure.<kind>``)
        and parameters, so the dashboard words it like the measure editor does."""
        err = cls.__new__(cls)
        err.field, err.value, err.key, err.params = exc.field, exc.value, exc.key, dict(exc.params)
        err.allowed, err.allowed_en = exc.allowed, exc.allowed_en
        ValueError.__init__(err, f"{exc.message_sv} ({exc.message})")
        return err


@dataclass(frozen=True)
class Scenario:
    """One scenario. ``levers`` maps lever id -> value in the lever's unit.

    ``release`` is the SMHI release id the scenario computes on (``"smhi-2023"``); None is the
    latest release. ``measures`` are the kommun's or the user's own measures
    (:class:`model.measures.OwnMeasure`), applied after the levers.
    """

    levers: dict[str, float] = field(default_factory=dict)
    kommun: str | None = None
    national_policy: str = "current_law"
    horizon: int = 2030
    target: TargetSpec = field(default_factory=TargetSpec)
    id: str = "custom"
    name: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, dict[str, str]] = field(default_factory=dict)
    release: str | None = None
    measures: tuple[OwnMeasure, ...] = ()


def _number(path: str, value: Any, lo: float, hi: float, unit: str = "") -> float:
    # Compare before converting: an int of 400 digits is out of range, not an OverflowError.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not math.isfinite(value)) or not lo <= value <= hi:
        raise ScenarioFileError(path, value, "number", min=lo, max=hi, unit=unit)
    return float(value)


def _texts(path: str, value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"sv": value, "en": value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()) \
            or not set(value) <= {"sv", "en"}:
        raise ScenarioFileError(path, value, "text")
    return dict(value)


def grid_value(lv: Lever, value: float) -> tuple[float, bool]:
    """The lever's grid value nearest ``value`` (``min + k * step``, within range) and whether
    ``value`` was already on it (up to float noise, :data:`GRID_TOL`)."""
    n = round((lv.max - lv.min) / lv.step)
    steps = (value - lv.min) / lv.step
    k = min(max(math.floor(steps + 0.5), 0), n)
    return lv.min + k * lv.step, abs(steps - k) <= GRID_TOL


def check_lever_value(reg: Registry, lever_id: str, value: Any, path: str | None = None) -> float:
    """Validate one lever value against the registry and return its exact grid value as float.

    Raises
    ------
    ScenarioFileError
        Unknown lever, not a finite number, out of range, or off the lever's grid.
    """
    where = path or f"levers.{lever_id}"
    if lever_id not in reg.lever_ids:
        raise ScenarioFileError(where, lever_id, "unknown_lever", allowed=", ".join(reg.lever_ids))
    lv = reg.lever(lever_id)
    v = _number(where, value, lv.min, lv.max, lv.unit)
    on_grid, ok = grid_value(lv, v)
    if not ok:
        raise ScenarioFileError(where, value, "grid", step=lv.step, unit=lv.unit, min=lv.min)
    return float(on_grid)


def _text_nesting(text: str) -> int:
    """Deepest ``[``/``{`` nesting, or most dots on one line, outside strings and comments.

    tomllib recurses per nesting level and is quadratic in dotted-key length (20 000 dotted parts,
    40 kB, take 16 s), so a hostile file is refused on this single linear scan before it is parsed.
    """
    depth = worst = dots = i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            end = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(end)
            while j < n and not text.startswith(end, j) and (len(end) == 3 or text[j] != "\n"):
                j += 2 if c == '"' and text[j] == "\\" else 1
            i = j + len(end)
            continue
        if c == "#":
            i = n if (j := text.find("\n", i)) < 0 else j
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(depth - 1, 0)
        elif c == ".":
            dots += 1
        elif c == "\n":
            dots = 0
        worst = max(worst, depth, dots)
        i += 1
    return worst


def _depth(raw: Any) -> int:
    """Nesting depth of tables and arrays, without recursion (a hostile file can nest thousands deep)."""
    deepest, todo = 0, [(raw, 0)]
    while todo:
        node, d = todo.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, d + 1)
            if deepest > MAX_DEPTH:
                return deepest
            todo.extend((c, d + 1) for c in (node.values() if isinstance(node, dict) else node))
    return deepest


def _unknown(path: str, table: dict[Any, Any], known: set[str]) -> None:
    if unknown := set(table) - known:
        key = min(unknown, key=str)
        raise ScenarioFileError(f"{path}{key}", table[key], "unknown_key", allowed=", ".join(sorted(known)))


def _choice(path: str, value: Any, allowed: tuple[Any, ...]) -> Any:
    # bool is an int in Python (True == 1): never a valid choice.
    if isinstance(value, bool) or value not in allowed:
        raise ScenarioFileError(path, value, "choice", allowed=", ".join(map(str, allowed)))
    return value


def scenario_from_dict(raw: dict[str, Any], reg: Registry | None = None) -> Scenario:
    """Validate a parsed scenario mapping (e.g. from TOML) into a :class:`Scenario`.

    Raises
    ------
    ScenarioFileError
        For anything invalid, naming the field, the value and what is allowed.
    """
    reg = reg or load_registry()
    if not isinstance(raw, dict):
        raise ScenarioFileError("(fil)", type(raw).__name__, "not_table", name="")
    if _depth(raw) > MAX_DEPTH:
        raise ScenarioFileError("(fil)", f"> {MAX_DEPTH}", "too_deep", max=MAX_DEPTH)
    _unknown("", raw, TOP_KEYS)
    if "format_version" not in raw:
        raise ScenarioFileError("format_version", None, "format_missing", version=FORMAT_VERSION)
    if type(raw["format_version"]) is not int or raw["format_version"] != FORMAT_VERSION:
        raise ScenarioFileError("format_version", raw["format_version"], "format_version", version=FORMAT_VERSION)
    meta = raw.get("scenario", {})
    if not isinstance(meta, dict):
        raise ScenarioFileError("scenario", meta, "not_table", name="[scenario]")
    _unknown("scenario.", meta, SCENARIO_KEYS)
    policy = _choice("scenario.national_policy", meta.get("national_policy", "current_law"), tuple(POLICIES))
    horizon = _choice("scenario.horizon", meta.get("horizon", 2030), HORIZONS)
    kommun = meta.get("kommun")
    if kommun is not None:
        codes = {k.code for k in load_dataset().kommuner}
        if not isinstance(kommun, str) or kommun not in codes:
            raise ScenarioFileError("scenario.kommun", kommun, "kommun")
    release = meta.get("release")
    if release is not None:
        release = _choice("scenario.release", release, tuple(r.id for r in list_releases()))
    sid = meta.get("id", "custom")
    if not isinstance(sid, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}", sid):
        raise ScenarioFileError("scenario.id", sid, "id")
    levers_raw = raw.get("levers", {})
    if not isinstance(levers_raw, dict):
        raise ScenarioFileError("levers", levers_raw, "not_table", name="[levers]")
    levers = {k: check_lever_value(reg, k, v) for k, v in levers_raw.items()}
    reasons_raw = raw.get("reasons", {})
    if not isinstance(reasons_raw, dict):
        raise ScenarioFileError("reasons", reasons_raw, "not_table", name="[reasons]")
    reasons = {}
    for k, v in reasons_raw.items():
        if k not in reg.lever_ids:
            raise ScenarioFileError(f"reasons.{k}", k, "unknown_lever", allowed=", ".join(reg.lever_ids))
        reasons[k] = _texts(f"reasons.{k}", v)
    target = _target(raw.get("target", {}), release)
    measures = _measures(raw.get("measure", []), reg)
    return Scenario(levers=levers, kommun=kommun, national_policy=policy, horizon=int(horizon),
                    target=target, id=sid, name=_texts("scenario.name", meta.get("name", sid)),
                    description=_texts("scenario.description", meta.get("description", "")),
                    reasons=reasons, release=release, measures=measures)


def _measures(raw: Any, reg: Registry) -> tuple[OwnMeasure, ...]:
    """``[[measure]]`` tables, each validated by :func:`model.measures_parse.measure_from_dict`."""
    if not isinstance(raw, list):
        raise ScenarioFileError("measure", raw, "not_table", name="[[measure]]")
    try:
        out = tuple(measure_from_dict(m, f"measure[{i}]", reg.stream_ids) for i, m in enumerate(raw))
        check_measure_list(out)
    except MeasureError as exc:
        raise ScenarioFileError.from_measure(exc) from exc
    return out


def _target(raw: Any, release: str | None = None) -> TargetSpec:
    if not isinstance(raw, dict):
        raise ScenarioFileError("target", raw, "not_table", name="[target]")
    _unknown("target.", raw, TARGET_KEYS)
    sel = _choice("target.selected", raw.get("selected", "klimatneutral_2030"), TARGET_IDS)
    year = _choice("target.year", raw.get("year", 2030), TARGET_YEARS)
    allowed_base = base_years(load_dataset(release=release).inventory_years)
    base = _choice("target.base_year", raw.get("base_year", 1990), allowed_base)
    pct = _number("target.max_gross_pct", raw.get("max_gross_pct", 20.0), 0, 100, "%")
    rate = raw.get("budget_rate_pct")
    rate = None if rate is None else _number("target.budget_rate_pct", rate, 0.5, 50, "% per år")
    return TargetSpec(sel, int(year), int(base), pct, rate)


def _toml_error(exc: tomllib.TOMLDecodeError) -> ScenarioFileError:
    # tomllib words its errors in English with the place at the end: "Invalid value (at line 3, column 9)".
    where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    line, column = (int(where[1]), int(where[2])) if where else ("?", "?")
    return ScenarioFileError("(fil)", str(exc), "syntax", line=line, column=column)


def loads_scenario(text: str | bytes, reg: Registry | None = None) -> Scenario:
    """Parse and validate scenario TOML text (at most :data:`MAX_FILE_BYTES` bytes as UTF-8).

    A UTF-8 byte-order mark (as Windows editors write) is accepted.

    Raises
    ------
    ScenarioFileError
        The only exception, for any input: too big, not UTF-8, not TOML, nested too deep, or invalid.
    """
    if isinstance(text, str):
        if len(text) > MAX_FILE_BYTES:  # every character is at least one byte: no need to encode it all
            raise ScenarioFileError("(fil)", f"> {MAX_FILE_BYTES} byte", "too_big", max=MAX_FILE_BYTES)
        data = text.encode("utf-8", errors="surrogatepass")
    elif isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
    else:
        raise ScenarioFileError("(fil)", type(text).__name__, "encoding")
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioFileError("(fil)", f"{len(data)} byte", "too_big", max=MAX_FILE_BYTES)
    if data[:2] in _BOMS:
        raise ScenarioFileError("(fil)", _BOMS[data[:2]], "encoding")
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioFileError("(fil)", data[max(0, exc.start - 4):exc.start + 4], "encoding") from exc
    if _text_nesting(text) > MAX_TEXT_NESTING:
        raise ScenarioFileError("(fil)", f"> {MAX_TEXT_NESTING}", "too_deep", max=MAX_DEPTH)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc) from exc
    except RecursionError as exc:  # tomllib recurses once per nested array or inline table
        raise ScenarioFileError("(fil)", f"> {MAX_DEPTH}", "too_deep", max=MAX_DEPTH) from exc
    except ValueError as exc:  # an integer past Python's 4 300-digit conversion limit
        raise ScenarioFileError("(fil)", str(exc)[:60], "syntax", line="?", column="?") from exc
    return scenario_from_dict(raw, reg)


def load_scenario(path: str | Path, reg: Registry | None = None) -> Scenario:
    """Read and validate a scenario file; its size is checked before it is read, and at most
    ``MAX_FILE_BYTES + 1`` bytes are ever read.

    Raises
    ------
    ScenarioFileError
        Missing, not a regular file, unreadable, too big, or invalid content.
    """
    p = Path(path)
    try:
        if not p.is_file():
            raise ScenarioFileError("(fil)", str(p), "missing_file")
        if (size := p.stat().st_size) > MAX_FILE_BYTES:
            raise ScenarioFileError("(fil)", f"{size} byte", "too_big", max=MAX_FILE_BYTES)
        with p.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat
    except ScenarioFileError:
        raise
    except (OSError, ValueError) as exc:  # permission denied, a NUL in the path, a name too long
        raise ScenarioFileError("(fil)", str(p), "unreadable") from exc
    return loads_scenario(data, reg)


def scenario_to_dict(sc: Scenario) -> dict[str, Any]:
    """Mapping form of a scenario, as written to TOML."""
    meta: dict[str, Any] = {"id": sc.id, "name": sc.name, "description": sc.description,
                            "national_policy": sc.national_policy, "horizon": sc.horizon}
    if sc.kommun:
        meta["kommun"] = sc.kommun
    if sc.release is not None:
        meta["release"] = sc.release
    tgt: dict[str, Any] = {"selected": sc.target.selected, "year": sc.target.year,
                           "base_year": sc.target.base_year, "max_gross_pct": sc.target.max_gross_pct}
    if sc.target.budget_rate_pct is not None:
        tgt["budget_rate_pct"] = sc.target.budget_rate_pct
    out: dict[str, Any] = {"format_version": FORMAT_VERSION, "scenario": meta,
                           "levers": {k: (int(v) if float(v).is_integer() else v) for k, v in sc.levers.items()},
                           "target": tgt}
    if sc.reasons:
        out["reasons"] = sc.reasons
    if sc.measures:
        out["measure"] = [measure_to_dict(m) for m in sc.measures]
    return out


def dumps_scenario(sc: Scenario) -> str:
    """Scenario as TOML text (round-trips through :func:`loads_scenario`)."""
    return tomli_w.dumps(scenario_to_dict(sc))


def save_scenario(sc: Scenario, path: str | Path) -> None:
    """Write a scenario file."""
    Path(path).write_text(dumps_scenario(sc), encoding="utf-8")
