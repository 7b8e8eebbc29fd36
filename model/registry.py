"""The lever registry: streams, levers and parameters from ``model/registry.toml``.

The TOML file is the single source of truth; this module only parses and
validates it into frozen dataclasses. Sliders, the URL codec, scenario-file
validation and the docs are all generated from :func:`load_registry`.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

REGISTRY_PATH = Path(__file__).with_name("registry.toml")
KINDS = ("multiplier", "stock", "removal")
RAMP_SHAPES = ("linear", "logistic", "step", "stock")


class RegistryError(ValueError):
    """The registry file is inconsistent; the message names the entry and field."""


def _model_choices(path: Path = REGISTRY_PATH) -> dict[str, Any]:
    """The registry's ``[model]`` table: horizons, target years, groups, actors and policies."""
    with open(path, "rb") as fh:
        table = tomllib.load(fh).get("model", {})
    keys = ("horizons", "target_years", "groups", "actors", "policies")
    if missing := [k for k in keys if not table.get(k)]:
        raise RegistryError(f"[model] saknar {', '.join(missing)}")
    out: dict[str, Any] = {k: tuple(table[k]) for k in keys}
    units = table.get("units", {})
    if not units or any(set(v) != {"sv", "en"} for v in units.values()):
        raise RegistryError("[model.units] måste ge varje enhet på sv och en")
    out["units"] = {u: dict(v) for u, v in units.items()}
    return out


_CHOICES = _model_choices()
#: Lever unit -> {"sv": …, "en": …}, from ``[model.units]``.
UNITS: dict[str, dict[str, str]] = _CHOICES["units"]
#: Years a scenario can run to (the horizon), from ``[model]`` in registry.toml.
HORIZONS: tuple[int, ...] = _CHOICES["horizons"]
#: Years a target can be set for.
TARGET_YEARS: tuple[int, ...] = _CHOICES["target_years"]
#: Lever groups in display order (one tab each on the Scenario page).
GROUPS: tuple[str, ...] = _CHOICES["groups"]
#: Who acts on a lever or own measure.
ACTORS: tuple[str, ...] = _CHOICES["actors"]
#: National fuel policies in display order (each a ``[policy.<id>]`` table).
POLICIES: tuple[str, ...] = _CHOICES["policies"]


def unit_label(unit: str, lang: str) -> str:
    """A lever unit in ``lang`` ("kt/år" -> "kt/yr" in English); an unknown unit as it is."""
    forms = UNITS.get(unit)
    return forms.get("en" if lang == "en" else "sv", unit) if forms else unit


@dataclass(frozen=True)
class Ramp:
    """When a lever takes effect: 0 before ``start``, 1 from ``full`` (years)."""

    shape: str
    start: int
    full: int


@dataclass(frozen=True)
class RangeRule:
    """How far a lever can reach in one kommun, from the kommun's own data.

    The kommun's maximum, in lever units, is ``factor * basis_value / t_per_unit``
    (``t_per_unit`` is 1 for levers that are not removals), never above the lever's
    absolute ``max`` and rounded down to its step grid.

    Attributes
    ----------
    basis : str
        ``"population"`` (SCB, persons, latest year), ``"sector:<SMHI sector>"`` or
        ``"stream:<stream id>"`` (t CO2e in the base year).
    factor : float
        Tonnes (or lever units times ``t_per_unit``) per unit of the basis.
    reason : dict
        Plain-language rule in "sv" and "en".
    source : str
        A citation, or text starting with "assumption" and giving the reasoning.
    """

    basis: str
    factor: float
    reason: dict[str, str]
    source: str

    @property
    def is_assumption(self) -> bool:
        """True when the rule is an assumption rather than sourced."""
        return self.source.strip().lower().startswith("assumption")


@dataclass(frozen=True)
class Stream:
    """A part of one SMHI sector on which levers act."""

    id: str
    sector: str
    share: str
    fuel: str
    driver: str


@dataclass(frozen=True)
class Lever:
    """One slider. Values are in ``unit``; higher always means more climate action."""

    id: str
    url_key: str
    group: str
    label: dict[str, str]
    help: dict[str, str]
    unit: str
    min: float
    max: float
    step: float
    nnm: float | str
    nnm_fallback: float | None
    default: float | str
    kind: str
    streams: dict[str, float]
    ramp: Ramp
    effectiveness: tuple[float, float, float]
    actor: str
    source: str
    turnover: float | str | None = None
    initial_fleet_share: float | str | None = None
    initial_fleet_fallback: float | None = None
    t_per_unit: float | None = None
    cost_sek_per_t: tuple[float, float, float] | None = None
    cost_source: str | None = None
    electric_km_share: float | str = 1.0
    #: Every rule bounds the lever in a kommun; the lowest one applies (empty: the absolute max).
    range_rules: tuple[RangeRule, ...] = ()
    #: The share-link format version (``v``) that first carried the lever: a link of an older
    #: version lacks it because it did not exist (``link.levers_added``), not by mistake.
    added_in_link: int = 1
    #: A removal lever's IAMC variable under "Carbon Removal" ("Land Use|Biochar"), for the IAMC CSV.
    iamc_removal: str | None = None

    @property
    def is_assumption(self) -> bool:
        """True when the lever's basis is an assumption rather than a source."""
        return self.source.strip().lower().startswith("assumption")

    @property
    def range_rule(self) -> RangeRule | None:
        """The first range rule, or None (a lever may have several; the lowest bound applies)."""
        return self.range_rules[0] if self.range_rules else None

    @property
    def decimals(self) -> int:
        """Decimals needed to show a value on this lever's step."""
        return 0 if float(self.step).is_integer() else len(str(self.step).split(".")[1])


@dataclass(frozen=True, eq=False)
class Registry:
    """Parsed registry."""

    version: int
    levers: tuple[Lever, ...]
    streams: tuple[Stream, ...]
    parameters: dict[str, dict[str, Any]]
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)

    def lever(self, lever_id: str) -> Lever:
        """Lever by id (KeyError if unknown)."""
        return _lever_index(self)[lever_id]

    def by_url_key(self, key: str) -> Lever | None:
        """Lever by its URL key, or None."""
        return next((lv for lv in self.levers if lv.url_key == key), None)

    def policy_source(self, policy: str, lang: str) -> str:
        """Source of a national-policy table in ``lang`` ("sv" or "en"; Swedish when unknown)."""
        src = self.policies.get(policy, {}).get("source", "")
        if isinstance(src, dict):
            return str(src.get(lang) or src.get("sv", ""))
        return str(src)

    def param(self, name: str) -> float:
        """Numeric value of a model parameter."""
        return float(self.parameters[name]["value"])

    @property
    def lever_ids(self) -> tuple[str, ...]:
        """Lever ids in registry order (the order of every lever axis in the engine)."""
        return tuple(lv.id for lv in self.levers)

    @property
    def stream_ids(self) -> tuple[str, ...]:
        """Stream ids in registry order."""
        return tuple(s.id for s in self.streams)


@lru_cache(maxsize=32)
def _lever_index(reg: Registry) -> dict[str, Lever]:
    return {lv.id: lv for lv in reg.levers}


@lru_cache(maxsize=1)
def load_registry(path: Path | None = None) -> Registry:
    """Read and validate the registry file (cached)."""
    # Imported here: the parser builds this module's dataclasses.
    from model.registry_parse import parse_registry

    with open(path or REGISTRY_PATH, "rb") as fh:
        return parse_registry(tomllib.load(fh))
