"""Preset pills on the Scenario page: the generic rules for every kommun, then the kommun's own.

The presets are evaluated for the chosen kommun by :mod:`model.presets` (rules in
``scenarios/rules/``, fixed values in ``scenarios/*.toml``, a profile's presets in
``kommuner/<code>.toml``), so every value lies within the kommun's range. Their reasons are the
file's (neutral) or generated from the kommun's own data; a profile's are the kommun's own.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import streamlit as st

from model.baseline import build_context
from model.kommuner import find_kommun
from model.presets import Preset, generic_presets, lowered_levers, preset_scenario, profile_presets
from model.profiles import load_profile
from model.registry import POLICIES, load_registry
from model.scenario import Scenario
from ui import state
from ui.compute import run_for
from ui.scenario.ranges import kommun_bounds, note_lowered, range_text, with_unit
from ui.text.fmt import fmt_pct, fmt_tonnes
from ui.text.i18n import policy_label, t
from ui.text.narrative import in_kommun

PRESET_KEY = "preset_choice"
#: Session key of the preset last applied.
CHOSEN = "_preset_chosen"


@dataclass(frozen=True)
class KommunPreset:
    """A preset evaluated for one kommun: the scenario to apply and the levers it had to lower."""

    preset: Preset
    scenario: Scenario
    lowered: tuple[str, ...]


@lru_cache(maxsize=64)
def kommun_presets(kommun: str) -> dict[str, KommunPreset]:
    """Preset id -> the preset for ``kommun``: generic ones first, then the kommun profile's own (cached)."""
    ctx = build_context(kommun, "current_law", 2030)
    b = kommun_bounds(kommun)
    items = [*generic_presets().values(), *profile_presets(load_profile(kommun)).values()]
    return {p.id: KommunPreset(p, preset_scenario(p, ctx, b), lowered_levers(p, b)) for p in items}


def presets() -> dict[str, Scenario]:
    """The fixed-value preset files of ``scenarios/`` (id -> scenario, values as written).

    For pages that show a preset as a file (Jämför); the Scenario page uses :func:`kommun_presets`.
    """
    return {pid: p.scenario for pid, p in generic_presets().items() if p.rule.kind in ("nnm", "fixed")}


def preset_label(item: KommunPreset, lang: str) -> str:
    """The pill's label; a kommun's own preset is marked as such."""
    name = item.preset.scenario.name.get(lang, item.preset.id)
    return t("app.preset_own_mark", lang, name=name) if item.preset.own else name


def active_preset() -> str | None:
    """The preset whose levers and national policy the session holds exactly, or None."""
    current = state.levers()
    items = kommun_presets(state.get("kommun"))
    # Two presets may set the same values (Enköping's own Klimatkontrakt and the generic one): the one
    # the user chose is named first.
    chosen = str(state.recall(CHOSEN, ""))
    order: list[str] = ([chosen] if chosen in items else []) + [pid for pid in items if pid != chosen]
    for pid in order:
        item = items[pid]
        want = item.scenario.levers
        if item.scenario.national_policy == state.get("policy") and all(abs(current[k] - want[k]) < 1e-9 for k in want):
            return pid
    return None


def _apply_preset(key: str) -> None:
    choice = state.recall(key)
    items = kommun_presets(state.get("kommun"))
    # None: the active pill was clicked again; the next run shows it as active anyway.
    if choice not in items:
        return
    item = items[choice]
    state.apply_scenario(item.scenario, whole=False)  # the user's target and horizon stay
    state.remember(CHOSEN, choice)
    b = kommun_bounds(state.get("kommun"))
    note_lowered(state.get("kommun"), "preset", [(lid, float(item.preset.scenario.levers[lid]), float(b[lid][1]))
                                          for lid in item.lowered])


def _policy_note(lang: str) -> str | None:
    """What national policy other than current law does, so a preset never moves it silently."""
    policy = state.get("policy")
    if policy == POLICIES[0]:
        return None
    horizon, target = int(state.get("horizon")), state.target_spec()
    base = state.default_levers(state.get("kommun"))
    year = min(2030, horizon)
    law = run_for(state.get("kommun"), base, POLICIES[0], horizon, target)
    chosen = run_for(state.get("kommun"), base, policy, horizon, target)
    i = int(list(law.years).index(year))
    cut = float(law.baseline_gross[i] - chosen.baseline_gross[i])
    return t("app.policy_note", lang, policy=policy_label(policy, lang), law=policy_label(POLICIES[0], lang),
             year=year, cut=fmt_tonnes(cut, lang, co2e=True))


def preset_reasons(item: KommunPreset, kommun: str, lang: str) -> list[str]:
    """One line per lever the preset moves in ``kommun``: its value and why.

    Reasons are the preset file's (neutral) or the kommun profile's own; for a rule they are
    generated from the kommun's range (``share``: the share of the way from "no new measures" to
    the kommun's maximum; ``max``: the maximum and the rule behind it).
    """
    reg = load_registry()
    ctx = build_context(kommun, "current_law", 2030)
    b = kommun_bounds(kommun)
    rule, sc = item.preset.rule, item.preset.scenario
    name = find_kommun(kommun).name
    lines = []
    for i, lv in enumerate(reg.levers):
        value, nnm = float(item.scenario.levers[lv.id]), float(ctx.nnm[i])
        if abs(value - nnm) < 1e-9:
            continue
        hi = float(b[lv.id][1])
        if rule.kind == "share":
            why = t("app.preset_reason.share", lang, share=fmt_pct(rule.share_pct / 100, 0, lang),
                    nnm=with_unit(lv, nnm, lang), max=with_unit(lv, hi, lang), in_kommun=in_kommun(name, lang))
        elif rule.kind == "max":
            why = range_text(lv, kommun, lang)
        else:
            why = sc.reasons.get(lv.id, {}).get(lang, "")
            if lv.id in item.lowered:
                why = (why + " " if why else "") + t("app.preset_reason.lowered", lang, in_kommun=in_kommun(name, lang),
                                                     wanted=with_unit(lv, float(sc.levers[lv.id]), lang),
                                                     max=with_unit(lv, hi, lang))
        lines.append(t("app.preset_reason.line", lang, lever=lv.label[lang], value=with_unit(lv, value, lang),
                       why=why).strip())
    return lines


def render_preset_details(item: KommunPreset, lang: str) -> None:
    """The active preset's description, its reasons in the kommun and where they come from."""
    kommun = state.get("kommun")
    sc, rule = item.preset.scenario, item.preset.rule
    with st.expander(t("app.preset_details", lang, name=preset_label(item, lang))):
        st.markdown(sc.description.get(lang, ""))
        lines = preset_reasons(item, kommun, lang)
        if lines:
            st.markdown("\n".join(f"- {line}" for line in lines))
        else:
            st.caption(t("app.preset_reason.none", lang))
        if rule.kind == "share":
            st.caption(t("app.preset_reason.share_source", lang, source=rule.share_source.get(lang, "")))
        key = "app.preset_source_own" if item.preset.own else "app.preset_source"
        st.caption(t(key, lang, source=item.preset.source, kommun=find_kommun(kommun).name))


def render_presets(lang: str) -> None:
    """Preset pills (apply on click; the active one stays marked), the reset button, a policy note,
    and the active preset's reasons."""
    items = kommun_presets(state.get("kommun"))
    key = f"{PRESET_KEY}.{lang}"  # the pills' labels are translated (see ui/state/settings.py)
    active = active_preset()
    if state.recall(key, "") != active:
        state.remember(key, active)
    # st.columns, not a horizontal container: there the pills do not wrap on a phone.
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    c1.pills(t("app.presets", lang), list(items), key=key, on_change=_apply_preset, args=(key,),
             format_func=lambda k: preset_label(items[k], lang), help=t("app.presets_help", lang))
    c2.button(t("common.reset", lang), on_click=state.reset_levers, help=t("common.reset_help", lang),
              icon=":material/restart_alt:", width="stretch")
    if active is not None:
        line = t("app.preset_active", lang, name=preset_label(items[active], lang))
    elif state.moved_levers(state.levers(), state.get("kommun")):
        line = t("app.preset_own", lang)
    else:
        line = t("app.preset_none", lang)
    note = _policy_note(lang)
    # One container whatever is active: the details expander comes and goes with the preset, and
    # a changing number of elements above the levers would make Streamlit redraw the sliders, so
    # the slider a keyboard user is moving would lose focus on every rerun.
    with st.container(key="preset_status"):
        st.caption(line + (" " + note if note else ""))
        if active is not None:
            render_preset_details(items[active], lang)
