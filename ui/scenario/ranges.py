"""Each lever's range in the chosen kommun: the slider's maximum, its rule in words, values held within it.

The kommun's maximum comes from the registry's range rules and the kommun profile's known plants
(:func:`model.ranges.lever_bounds`). The engine never clamps, so two cases differ:

* a share link whose values lie above the kommun's maximum opens with the link's figures (the
  slider is widened to the link's value) and a notice says so, lever by lever;
* any other value above the maximum (measures kept across a kommun change, a preset made for a
  bigger kommun, a workshop or optimiser value) is lowered to the maximum through
  :func:`ui.state.set_levers`, with a note naming the levers lowered.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import streamlit as st

from model.baseline import build_context
from model.kommuner import find_kommun
from model.profiles import lever_capacities, load_profile
from model.ranges import lever_bounds
from model.registry import Lever, load_registry, unit_label
from ui import state
from ui.text.fmt import fmt_number
from ui.text.i18n import t
from ui.text.narrative import in_kommun

#: Session keys: the link's values above the kommun's maximum (kept, with a notice), whether the
#: first check of the session has run, and the last lowering (for its note).
LINK_OVER = "_range_link_over"
SEEN = "_range_seen"
LOWERED = "_range_lowered"
_TOL = 1e-9


@lru_cache(maxsize=512)
def kommun_bounds(kommun: str) -> Mapping[str, tuple[float, float]]:
    """Lever id -> (min, max) in lever units for ``kommun`` (range rules and profile capacities; cached)."""
    ctx = build_context(kommun, "current_law", 2030)
    return lever_bounds(ctx, lever_capacities(load_profile(kommun)))


def unit(lv: Lever, lang: str) -> str:
    """The lever's unit in ``lang`` ("kt/år" -> "kt/yr")."""
    return unit_label(lv.unit, lang)


def with_unit(lv: Lever, value: float, lang: str) -> str:
    """A lever value with its unit ("20 kt/år", "75 %"; English "75%")."""
    text = fmt_number(value, lv.decimals, lang)
    u = unit(lv, lang)
    return f"{text}%" if u == "%" and lang == "en" else f"{text}\u00a0{u}"


def range_text(lv: Lever, kommun: str, lang: str) -> str:
    """The lever's range in ``kommun`` and the rule behind its maximum, in words.

    "Högst 20 kt/år i Enköping: högst 8 gånger kommunens utsläpp från el och fjärrvärme (…), antagande."
    A known plant in the kommun's profile replaces the rule; a lever without a rule has the same
    range everywhere.
    """
    hi = kommun_bounds(kommun)[lv.id][1]
    name = find_kommun(kommun).name
    caps = lever_capacities(load_profile(kommun))
    if lv.id in caps:
        return t("app.range.capacity", lang, value=with_unit(lv, hi, lang), in_kommun=in_kommun(name, lang))
    if not lv.range_rules:
        return t("app.range.same_everywhere", lang, low=fmt_number(lv.min, lv.decimals, lang),
                 high=with_unit(lv, lv.max, lang))
    rule = " ".join(r.reason[lang] for r in lv.range_rules)
    assumption = any(r.is_assumption for r in lv.range_rules)
    key = "app.range.rule_assumption" if assumption else "app.range.rule"
    return t(key, lang, value=with_unit(lv, hi, lang), in_kommun=in_kommun(name, lang), rule=rule)


def slider_max(lever_id: str, kommun: str) -> float:
    """The slider's maximum: the kommun's, or the link's higher value while it is kept."""
    hi = float(kommun_bounds(kommun)[lever_id][1])
    kept = link_over(kommun).get(lever_id)
    return max(hi, kept) if kept is not None else hi


def link_over(kommun: str) -> dict[str, float]:
    """The link's lever values above ``kommun``'s maximum that the session still holds unchanged."""
    info = state.recall(LINK_OVER) or {}
    if info.get("kommun") != kommun:
        return {}
    values = state.levers()
    return {lid: v for lid, v in info.get("values", {}).items() if abs(float(values[lid]) - v) < _TOL}


def above_max(kommun: str, values: Mapping[str, float]) -> dict[str, float]:
    """Lever id -> kommun maximum, for the values in ``values`` above it."""
    b = kommun_bounds(kommun)
    return {lid: float(b[lid][1]) for lid, v in values.items() if float(v) > b[lid][1] + _TOL}


def lower_to_max(kommun: str, reason: str) -> bool:
    """Lower every session value above ``kommun``'s maximum (except a link's kept values) and note it.

    Parameters
    ----------
    kommun : str
        The session's kommun.
    reason : str
        What brought the values ("kept" after a kommun change, "preset", "other"), for the note.

    Returns
    -------
    bool
        True when a value was lowered.
    """
    kept = link_over(kommun)
    before = dict(state.levers())
    lower = {lid: hi for lid, hi in above_max(kommun, before).items() if lid not in kept}
    if not lower:
        return False
    state.set_levers({**before, **lower})
    state.remember(LOWERED, {"kommun": kommun, "reason": reason,
                             "items": [(lid, float(before[lid]), hi) for lid, hi in lower.items()]})
    return True


def note_lowered(kommun: str, reason: str, items: list[tuple[str, float, float]]) -> None:
    """Remember levers a caller lowered itself (a preset held within the kommun's range)."""
    if items:
        state.remember(LOWERED, {"kommun": kommun, "reason": reason, "items": items})
    else:
        state.forget(LOWERED)


def hold_within_range() -> bool:
    """Once per run, before the sliders: keep a link's values (first check of the session), lower others.

    Returns
    -------
    bool
        True when values were lowered (the caller reruns so the figures follow).
    """
    kommun = state.get("kommun")
    if not state.recall(SEEN):
        state.remember(SEEN, True)
        values = state.levers()
        over = {lid: float(values[lid]) for lid in above_max(kommun, values)}
        if over:
            state.remember(LINK_OVER, {"kommun": kommun, "values": over})
        return False
    if (state.recall(LINK_OVER) or {}).get("kommun") not in (None, kommun):
        state.forget(LINK_OVER)
    return lower_to_max(kommun, "other")


def _items_text(items: list[tuple[str, float, float]], lang: str) -> str:
    reg = load_registry()
    parts = []
    for lid, old, new in items:
        lv = reg.lever(lid)
        parts.append(t("app.range.item", lang, lever=lv.label[lang], old=with_unit(lv, old, lang),
                       new=with_unit(lv, new, lang)))
    return "; ".join(parts)


def _dismiss_lowered() -> None:
    state.forget(LOWERED)


def render_range_notes(lang: str) -> None:
    """The notice for a link's values above the kommun's maximum, and the note on lowered levers."""
    kommun = state.get("kommun")
    name = find_kommun(kommun).name
    kept = link_over(kommun)
    if kept:
        b = kommun_bounds(kommun)
        items = [(lid, v, float(b[lid][1])) for lid, v in kept.items()]
        st.info(t("app.range.link_over", lang, kommun=name, items=_items_text(items, lang)),
                icon=":material/link:")
    info = state.recall(LOWERED)
    if info and info.get("kommun") == kommun and info.get("items"):
        with st.container(key="range_lowered"):
            st.info(t(f"app.range.lowered_{info.get('reason', 'other')}", lang, kommun=name,
                      items=_items_text(info["items"], lang)), icon=":material/vertical_align_bottom:")
            st.button(t("app.kommun_switch.dismiss", lang), key="range_lowered_close", on_click=_dismiss_lowered)

