"""Levers: their sliders' binding, and the lever values as a whole (presets, reset, comparisons).

A lever's canonical value lives in ``st.session_state["levers"][lever_id]``, in lever units; its
slider is a view of it, keyed by :func:`ui.state.settings.lever_key` and seeded like every other
widget (:func:`ui.state.settings.bind`). Values from a link, the database or a hand-made message
are put on the lever's range and step before they reach the slider or the model.
"""
from __future__ import annotations

import math
from typing import Any

import streamlit as st

from model.codec import default_state
from model.registry import POLICIES, load_registry
from ui.state.own_measures import MEASURES, MEASURES_UNDO, measures
from ui.state.settings import _seed, lever_key


def _on_grid(lever_id: str, value: Any, fallback: float) -> float:
    """A slider value put on the lever's range and step (a hand-made message can leave them)."""
    lv = load_registry().lever(lever_id)
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        return fallback
    if not math.isfinite(v):
        return fallback
    v = min(max(v, lv.min), lv.max)
    v = lv.min + round((v - lv.min) / lv.step) * lv.step
    return round(min(max(v, lv.min), lv.max), 6)


def slider_value(lever_id: str, value: float) -> float | int:
    """A lever value in the slider's own type: int for integer-step levers (int bounds), else float.

    Streamlit refuses a float value on a slider with int bounds, so an off-grid value from a link
    or the database must never reach the widget as it is.
    """
    lv = load_registry().lever(lever_id)
    v = _on_grid(lever_id, value, float(lv.min))
    return int(round(v)) if lv.decimals == 0 else float(v)


def bind_lever(lever_id: str) -> dict[str, Any]:
    """Keyword arguments (``key``, ``value``, ``on_change``, ``args``) for a lever slider.

    The explicit ``value`` (the canonical one) spares Streamlit a scan of the whole session state
    per slider; the value is not part of the widget's identity, so it never resets the slider.
    """
    key = lever_key(lever_id)
    value = slider_value(lever_id, st.session_state["levers"][lever_id])
    _seed(key, value)
    return {"key": key, "value": value, "on_change": commit_lever, "args": (lever_id,)}


def commit_lever(lever_id: str) -> None:
    """on_change callback of a lever slider: the value, on the lever's grid, becomes canonical."""
    ss = st.session_state
    current = ss["levers"][lever_id]
    ss["levers"][lever_id] = _on_grid(lever_id, ss.get(lever_key(lever_id)), current)


def levers() -> dict[str, float]:
    """Current lever values (lever id -> value in lever units)."""
    return dict(st.session_state["levers"])


def default_levers(kommun: str) -> dict[str, float]:
    """Every lever at its "no new measures" position for ``kommun``."""
    return dict(default_state(kommun).levers)


def set_levers(values: dict[str, float]) -> None:
    """Replace lever values (presets, reset, optimiser, workshop submissions); widgets follow."""
    ss = st.session_state
    ss["levers"] = {**default_levers(ss["kommun"]), **values}


def reset_levers() -> None:
    """Back to "no new measures": every lever at the kommun's default, national policy as decided,
    and no own measures (they are measures too). The removed measures can be brought back
    once (:func:`ui.state.own_measures.undo_measures_reset`); the editor says so."""
    ss = st.session_state
    ss["policy"] = POLICIES[0]
    set_levers({})
    if measures():
        ss[MEASURES_UNDO] = measures()
    ss[MEASURES] = ()


def moved_levers(values: dict[str, float], kommun: str) -> list[str]:
    """Lever ids whose value differs from ``kommun``'s "no new measures" position."""
    base = default_levers(kommun)
    return [lid for lid in load_registry().lever_ids if abs(values[lid] - base[lid]) > 1e-9]
