"""The kommun switch: a new kommun starts from its own "no new measures", with an offer to keep the old ones.

The kommun picker is bound like every setting (:func:`ui.state.settings.bind`) plus a callback
that resets levers and own measures (both are kommun-specific) and remembers them, so the
Scenario page can say what happened and bring them back with one button.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.state.lever_state import default_levers, levers, moved_levers, set_levers
from ui.state.own_measures import MEASURES, MEASURES_UNDO, measures
from ui.state.settings import bind

KOMMUN_SWITCH = "_kommun_switch"


def on_kommun_change(old: str) -> None:
    """A new kommun starts from its own "no new measures"; the measures moved before can be kept.

    The previous levers are remembered (:data:`KOMMUN_SWITCH`) so the Scenario page can say what
    happened and offer to keep them (:func:`keep_measures`).
    """
    ss = st.session_state
    new = ss["kommun"]
    if new == old:
        return
    before = levers()
    moved = moved_levers(before, old)
    own = measures()
    set_levers({})
    # Own measures are kommun-specific (a plan's plant, a kommun's tonnes): they go with the levers,
    # and "keep my N measures" brings both back. "moved" counts both for the note.
    ss[MEASURES] = ()
    ss.pop(MEASURES_UNDO, None)
    ss[KOMMUN_SWITCH] = {"from": old, "to": new, "levers": before, "moved": moved + [m.id for m in own],
                         "moved_levers": moved, "measures": own, "kept": False}


def _after_kommun(old: str) -> Callable[[], None]:
    return lambda: on_kommun_change(old)


def bind_kommun() -> dict[str, Any]:
    """:func:`ui.state.settings.bind` for the kommun picker, with the lever reset of :func:`on_kommun_change`."""
    return bind("kommun", after=_after_kommun(st.session_state["kommun"]))


def keep_measures() -> None:
    """Button callback: the measures moved in the previous kommun apply to the new one too."""
    ss = st.session_state
    info = ss.get(KOMMUN_SWITCH)
    if not info or info["to"] != ss["kommun"]:
        return
    vals = default_levers(ss["kommun"])
    for lid in info.get("moved_levers", info["moved"]):
        vals[lid] = info["levers"][lid]
    ss["levers"] = vals
    # Streams are the registry's, the same in every kommun, so the measures stay valid; a tonne
    # measure larger than the new kommun's stream is capped by the model.
    ss[MEASURES] = tuple(info.get("measures", ()))
    info["kept"] = True


def kommun_switch() -> dict[str, Any] | None:
    """What the last kommun change did to the levers (for the Scenario page), or None."""
    info = st.session_state.get(KOMMUN_SWITCH)
    return info if info and info["to"] == st.session_state.get("kommun") else None


def dismiss_kommun_switch() -> None:
    """Button callback: hide the kommun-change note."""
    st.session_state.pop(KOMMUN_SWITCH, None)
