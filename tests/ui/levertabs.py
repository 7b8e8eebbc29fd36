"""Test helpers for the Scenario page's lazy lever tabs (only the open group's sliders are drawn)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from model.registry import GROUPS, load_registry
from ui.text.i18n import t


def open_group(at: AppTest, group: str) -> AppTest:
    """Open a lever tab (as a click would) and rerun."""
    lang = str(at.session_state["lang"]).lower()
    at.session_state["lever_group"] = group
    at.session_state[f"lever_tab_{lang}"] = t(f"app.group.{group}", lang)
    return at.run()


def open_lever(at: AppTest, lever_id: str) -> AppTest:
    """Open the tab holding ``lever_id`` unless its slider is already drawn."""
    key = f"lv_{lever_id}"
    if any(s.key == key for s in at.slider):
        return at
    return open_group(at, load_registry().lever(lever_id).group)


def group_ids(group: str) -> list[str]:
    """Lever ids of one group, in registry order."""
    return [lv.id for lv in load_registry().levers if lv.group == group]


def all_slider_values(at: AppTest) -> dict[str, float]:
    """Every lever's shown value, collected by opening each tab in turn.

    A lever with no room in the kommun (maximum equal to its minimum: Stockholm's land sink) is
    drawn as text, not a slider; it shows the session's value, which is what is returned for it.
    """
    from ui.scenario.ranges import kommun_bounds

    values: dict[str, float] = {}
    for g in GROUPS:
        open_group(at, g)
        values.update({s.key: float(s.value) for s in at.slider if s.key and s.key.startswith("lv_")})
    bounds = kommun_bounds(str(at.session_state["kommun"]))
    levers = at.session_state["levers"]
    values.update({f"lv_{lid}": float(levers[lid]) for lid, (lo, hi) in bounds.items() if hi <= lo})
    return values
