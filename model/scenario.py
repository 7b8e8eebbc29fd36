"""Scenarios and scenario files (TOML, with a format version).

A scenario is a kommun, lever positions, a national fuel-policy path, a
horizon and target settings. Files name levers by id; a lever a file leaves
out stays at its "no new measures" position for the chosen kommun.

Every error, for any input whatever (binary, huge, nested thousands deep, 400-digit
numbers), is a :class:`ScenarioFileError` naming the field, the value and what is
allowed: a message key with parameters for the dashboard to word, and a one-line
Swedish and English message for the command line. Lever values must lie on the
lever's grid (``min + k * step``) and are returned exactly on it.

This module holds the scenario, its error, and reading and writing its files;
:mod:`model.scenario_guard` checks the text before and while it is parsed and
:mod:`model.scenario_parse` validates what it holds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from model.measures import MeasureError, OwnMeasure, measure_to_dict
from model.registry import Lever, Registry
from model.targets import TargetSpec

FORMAT_VERSION = 1
MAX_FILE_BYTES = 64 * 1024
#: A value this close to a grid step (in steps) is float noise of ``min + k * step``, not a user's value.
GRID_TOL = 1e-9

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


def grid_value(lv: Lever, value: float) -> tuple[float, bool]:
    """The lever's grid value nearest ``value`` (``min + k * step``, within range) and whether
    ``value`` was already on it (up to float noise, :data:`GRID_TOL`)."""
    n = round((lv.max - lv.min) / lv.step)
    steps = (value - lv.min) / lv.step
    k = min(max(math.floor(steps + 0.5), 0), n)
    return lv.min + k * lv.step, abs(steps - k) <= GRID_TOL


def loads_scenario(text: str | bytes, reg: Registry | None = None) -> Scenario:
    """Parse and validate scenario TOML text (at most :data:`MAX_FILE_BYTES` bytes as UTF-8).

    A UTF-8 byte-order mark (as Windows editors write) is accepted.

    Raises
    ------
    ScenarioFileError
        The only exception, for any input: too big, not UTF-8, not TOML, nested too deep, or invalid.
    """
    # Imported here: both modules raise this module's ScenarioFileError (and scenario_parse builds its
    # Scenario), so they import this module.
    from model.scenario_guard import checked_toml
    from model.scenario_parse import scenario_from_dict

    return scenario_from_dict(checked_toml(text), reg)


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
