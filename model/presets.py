"""Presets as rules that make sense in every kommun (pure: no Streamlit).

A preset is a scenario (name, description, national policy, horizon, target) plus a
:class:`PresetRule` that says where each lever goes *in the chosen kommun*:

* ``nnm``   -- every lever at the kommun's "no new measures" position ("Följ nationell politik");
* ``share`` -- the levers whose actor is one of ``actors`` (ids from ``model/registry.toml``) moved
  ``share_pct`` of the way from "no new measures" to the kommun's own maximum; the rest stay
  ("Det kommunen själv kan göra");
* ``max``   -- every lever at the kommun's maximum ("Allt inom räckhåll");
* ``fixed`` -- the scenario's own lever values (a file in ``scenarios/`` or a kommun profile's
  preset), held within the kommun's range.

Every rule's result lies within the kommun's range (:func:`model.ranges.lever_bounds`) and on the
lever's grid. Rule files live in ``scenarios/rules/`` (a scenario file with an extra ``[rule]``
table; kept out of ``scenarios/*.toml`` so every file there stays a plain scenario the command
line runs as it is).
"""
from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.ranges import floor_to_grid
from model.registry import ACTORS, Registry, load_registry
from model.scenario import Scenario, ScenarioFileError, load_scenario
from model.scenario_parse import scenario_from_dict

if TYPE_CHECKING:
    from model.baseline import KommunContext
    from model.profiles import Profile

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
RULE_DIR = SCENARIO_DIR / "rules"
RULE_KINDS = ("nnm", "share", "max", "fixed")
RULE_KEYS = {"kind", "actors", "share_pct", "share_source"}
#: Order of the generic presets on the Scenario page; others follow by id.
PRESET_ORDER = ("nuvarande_politik", "kommunens_egna", "klimatkontrakt", "hog_ambition", "allt_inom_rackhall")


class PresetError(ValueError):
    """A rule file is invalid; the message names the file, the field and what is allowed."""


@dataclass(frozen=True)
class PresetRule:
    """Where a preset puts each lever in one kommun.

    Attributes
    ----------
    kind : str
        One of :data:`RULE_KINDS`.
    actors : tuple of str
        For ``share``: the actors whose levers move (registry actor ids).
    share_pct : float
        For ``share``: how far, in percent of the way from "no new measures" to the kommun's
        maximum, the levers move (0–100).
    share_source : dict
        Why that share, in "sv" and "en" (an assumption says so and gives its reasoning).
    """

    kind: str = "fixed"
    actors: tuple[str, ...] = ()
    share_pct: float = 100.0
    share_source: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Preset:
    """A preset: its scenario settings and its rule.

    Attributes
    ----------
    scenario : Scenario
        Name, description, policy, horizon, target; for a ``fixed`` rule also the lever values
        (lever units) and their reasons.
    rule : PresetRule
    own : bool
        True for a kommun profile's own preset (listed after the generic ones).
    source : str
        Where the preset comes from ("scenarios/rules/max.toml", "kommuner/0381.toml").
    """

    scenario: Scenario
    rule: PresetRule
    own: bool = False
    source: str = ""

    @property
    def id(self) -> str:
        """The preset id (also its file stem)."""
        return self.scenario.id


def _rule(raw: Any, file: str) -> PresetRule:
    if not isinstance(raw, dict):
        raise PresetError(f"{file}: [rule] måste vara en tabell / must be a table")
    if unknown := set(raw) - RULE_KEYS:
        raise PresetError(f"{file}: okända fält i [rule] / unknown fields in [rule]: {sorted(unknown)}")
    kind = raw.get("kind")
    if kind not in RULE_KINDS:
        raise PresetError(f"{file}: rule.kind = {kind!r}; tillåtet / allowed: {', '.join(RULE_KINDS)}")
    actors = raw.get("actors", [])
    if not isinstance(actors, list) or not all(a in ACTORS for a in actors):
        raise PresetError(f"{file}: rule.actors = {actors!r}; tillåtet / allowed: {', '.join(ACTORS)}")
    share = raw.get("share_pct", 100.0)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not (math.isfinite(share)
                                                                              and 0 <= share <= 100):
        raise PresetError(f"{file}: rule.share_pct = {share!r}; tillåtet / allowed: 0–100 %")
    src = raw.get("share_source", {})
    if kind == "share" and not (isinstance(src, dict) and all(str(src.get(k, "")).strip() for k in ("sv", "en"))):
        raise PresetError(f"{file}: rule.share_source måste ha sv och en / needs sv and en")
    if kind == "share" and not actors:
        raise PresetError(f"{file}: rule.actors saknas / is missing")
    return PresetRule(kind, tuple(actors), float(share), dict(src) if isinstance(src, dict) else {})


def load_rule_file(path: Path, reg: Registry | None = None) -> Preset:
    """Read one rule file (a scenario file with a ``[rule]`` table).

    Raises
    ------
    PresetError
        The rule is invalid.
    model.scenario.ScenarioFileError
        The scenario part is invalid.
    """
    file = f"scenarios/rules/{path.name}"
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PresetError(f"{file}: {exc}") from exc
    rule = _rule(raw.pop("rule", None), file)
    sc = scenario_from_dict(raw, reg)
    if sc.id != path.stem:
        raise PresetError(f"{file}: scenario.id = {sc.id!r}; tillåtet / allowed: {path.stem!r}")
    if rule.kind != "fixed" and sc.levers:
        raise PresetError(f"{file}: en regel ({rule.kind}) sätter inga [levers] / a rule sets no [levers]")
    return Preset(sc, rule, source=file)


def generic_presets(reg: Registry | None = None) -> dict[str, Preset]:
    """The presets every kommun gets: ``scenarios/*.toml`` (fixed values; ``nuvarande_politik``
    has none, so it is the ``nnm`` rule) and ``scenarios/rules/*.toml``, in :data:`PRESET_ORDER`."""
    found: dict[str, Preset] = {}
    for p in sorted(SCENARIO_DIR.glob("*.toml")):
        sc = load_scenario(p, reg)
        found[sc.id] = Preset(sc, PresetRule("fixed" if sc.levers else "nnm"), source=f"scenarios/{p.name}")
    for p in sorted(RULE_DIR.glob("*.toml")):
        pr = load_rule_file(p, reg)
        found[pr.id] = pr
    order = {k: i for i, k in enumerate(PRESET_ORDER)}
    return {k: found[k] for k in sorted(found, key=lambda k: (order.get(k, len(order)), k))}


def profile_presets(profile: Profile) -> dict[str, Preset]:
    """A kommun profile's own presets (fixed values, held within the kommun's range), with the profile's
    own measures each names."""
    out = {}
    for pp in profile.presets:
        # The profile's own measures the preset names (validated on load: every id exists).
        own = tuple(m for m in profile.measures if m.id in pp.measures)
        sc = Scenario(levers=dict(pp.levers), national_policy=pp.national_policy, id=pp.id,
                      name={"sv": pp.name_sv, "en": pp.name_en},
                      description={"sv": pp.description_sv, "en": pp.description_en},
                      reasons={lid: {"sv": sv, "en": en} for lid, sv, en in pp.reasons}, measures=own)
        out[pp.id] = Preset(sc, PresetRule("fixed"), own=True, source=f"kommuner/{profile.code}.toml")
    return out


def preset_levers(preset: Preset, ctx: KommunContext, bounds: Mapping[str, tuple[float, float]],
                  reg: Registry | None = None) -> dict[str, float]:
    """Every lever's value under ``preset`` in the kommun of ``ctx``, in lever units.

    Parameters
    ----------
    preset : Preset
    ctx : KommunContext
        The kommun (its "no new measures" positions ``ctx.nnm``).
    bounds : Mapping
        Lever id -> (min, max) in the kommun (:func:`model.ranges.lever_bounds`, with the
        profile's capacities).
    reg : Registry, optional

    Returns
    -------
    dict
        Lever id -> value, for every lever, on the lever's grid and at most the kommun's maximum.
        A ``share`` move is rounded down to the grid, so it never passes the share it states.
    """
    reg = reg or load_registry()
    nnm = {lv.id: float(ctx.nnm[i]) for i, lv in enumerate(reg.levers)}
    rule = preset.rule
    out: dict[str, float] = {}
    for lv in reg.levers:
        lo_nnm, hi = nnm[lv.id], float(bounds[lv.id][1])
        if rule.kind == "max":
            value = hi
        elif rule.kind == "share" and lv.actor in rule.actors:
            value = floor_to_grid(lv, lo_nnm + rule.share_pct / 100.0 * max(hi - lo_nnm, 0.0))
        elif rule.kind == "fixed" and lv.id in preset.scenario.levers:
            value = min(float(preset.scenario.levers[lv.id]), hi)
        else:
            value = lo_nnm
        out[lv.id] = round(value, 6)
    return out


def lowered_levers(preset: Preset, bounds: Mapping[str, tuple[float, float]]) -> tuple[str, ...]:
    """Ids of the levers a ``fixed`` preset sets above the kommun's maximum (lowered to it)."""
    if preset.rule.kind != "fixed":
        return ()
    return tuple(lid for lid, v in preset.scenario.levers.items() if float(v) > float(bounds[lid][1]) + 1e-9)


def preset_scenario(preset: Preset, ctx: KommunContext, bounds: Mapping[str, tuple[float, float]],
                    reg: Registry | None = None) -> Scenario:
    """The preset as a scenario for the kommun of ``ctx``: every lever explicit (:func:`preset_levers`)."""
    return replace(preset.scenario, levers=preset_levers(preset, ctx, bounds, reg), kommun=ctx.kommun.code)


def check_rule_files(reg: Registry | None = None) -> list[str]:
    """Problems in ``scenarios/rules/*.toml`` (empty when all load); for tests and the CLI."""
    problems = []
    for p in sorted(RULE_DIR.glob("*.toml")):
        try:
            load_rule_file(p, reg)
        except (PresetError, ScenarioFileError) as exc:
            problems.append(str(exc))
    return problems
