"""How far each lever reaches in one kommun: range rules, known capacities, clamping.

The registry's ``min``/``max`` are absolute bounds (every link and file is checked
against them); a lever's ``range_rule`` turns the kommun's own data into its maximum
there (:attr:`model.baseline.KommunContext.lever_max`), and a kommun profile's known
plants may replace it (``capacities``). The UI's sliders, the codec and the optimiser
use :func:`lever_bounds`; the engine itself never clamps, so a value stays what it says.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from model.data import SECTORS
from model.registry import Lever, Registry, load_registry

if TYPE_CHECKING:  # baseline imports this module; the context type is only needed for annotations
    from model.baseline import KommunContext


def basis_value(basis: str, e0_sector: np.ndarray, e0_stream: dict[str, float], population: float) -> float:
    """A range rule's basis in one kommun: sector or stream tonnes (t CO2e) or population (persons)."""
    kind, _, name = basis.partition(":")
    if kind == "sector":
        return float(e0_sector[SECTORS.index(name)])
    if kind == "stream":
        return e0_stream[name]
    return population


def floor_to_grid(lv: Lever, value: float) -> float:
    """The highest grid position ``min + k * step`` at or below ``value``, within [min, max]."""
    k = np.floor((min(value, lv.max) - lv.min) / lv.step + 1e-9)
    return float(lv.min + max(k, 0.0) * lv.step)


def lever_bounds(ctx: KommunContext, capacities: Mapping[str, float] | None = None,
                 reg: Registry | None = None) -> dict[str, tuple[float, float]]:
    """The range each lever's slider may take in this kommun, (min, max) in lever units.

    Parameters
    ----------
    ctx : KommunContext
        The kommun (its ``lever_max`` from the registry's range rules).
    capacities : Mapping, optional
        Lever id -> the kommun's known capacity in lever units (for example a real plant
        from the kommun's profile); it replaces the rule's maximum, within the lever's
        absolute ``[min, max]`` and rounded down to its step.
    reg : Registry, optional

    Returns
    -------
    dict
        Lever id -> (min, max); ``min`` is the registry's, ``max`` never exceeds the
        registry's ``max`` and is never below the kommun's "no new measures" position.

    Raises
    ------
    KeyError
        A capacity names an unknown lever.
    ValueError
        A capacity is not a finite, non-negative number.
    """
    reg = reg or load_registry()
    out = {lv.id: (lv.min, float(ctx.lever_max[i])) for i, lv in enumerate(reg.levers)}
    for lid, cap in (capacities or {}).items():
        lv = reg.lever(lid)
        if not (isinstance(cap, (int, float)) and np.isfinite(cap) and cap >= 0):
            raise ValueError(f"capacity for {lid!r} must be a finite number >= 0, got {cap!r}")
        i = reg.lever_ids.index(lid)
        out[lid] = (lv.min, max(floor_to_grid(lv, float(cap)), float(ctx.nnm[i])))
    return out


def clamp_levers(ctx: KommunContext, levers: Mapping[str, float], capacities: Mapping[str, float] | None = None,
                 reg: Registry | None = None) -> tuple[dict[str, float], tuple[str, ...]]:
    """Lever values held within the kommun's range (:func:`lever_bounds`), and which were lowered.

    For a preset or a link whose values a kommun cannot reach (200 kt BECCS in a kommun with no
    plant): the caller shows a notice naming the returned ids. Values below the range are left
    alone (they are within the registry's absolute range and mean "less than no new measures").

    Returns
    -------
    tuple
        (lever id -> value in lever units, ids of the levers lowered to their kommun maximum).
    """
    bounds = lever_bounds(ctx, capacities, reg)
    out, lowered = {}, []
    for lid, value in levers.items():
        hi = bounds[lid][1]
        out[lid] = min(float(value), hi)
        if float(value) > hi:
            lowered.append(lid)
    return out, tuple(lowered)
