"""Plain-language summary of a scenario against one target (pure: no Streamlit).

The sentences are built from the same :class:`model.run.ScenarioResult` and
:class:`model.targets.TargetVerdict` the headline figures use, with numbers
formatted by :mod:`ui.text.fmt`, so text and figures always agree. Strings live in
``ui/text/locales/results.<lang>.toml`` under ``results.narrative``.
"""
from __future__ import annotations

import numpy as np

from model.data import SECTORS, load_dataset
from model.kommuner import find_kommun
from model.registry import load_registry
from model.run import ScenarioResult
from model.target_defs import PATH_TARGETS, SECTOR_TARGETS, sector_index
from model.targets import TargetVerdict
from model.verdicts import focus_year, year_reached
from ui.text.fmt import fmt_pct, fmt_tonnes
from ui.text.i18n import catalog, normalize_lang, sector_id, t

#: Contributions below this (t CO2e/yr) count as "nothing moved": the engine's float noise.
NOTHING_T = 0.5
#: Changes smaller than this fraction are described as "about the same".
FLAT = 0.005
#: Kommuner that are islands: "på Gotland" / "on Gotland", not "i Gotland".
ISLANDS = ("Gotland", "Tjörn", "Orust", "Öckerö")


def genitive(name: str) -> str:
    """Swedish genitive of a kommun name.

    Parameters
    ----------
    name : str
        e.g. "Enköping", "Borås".

    Returns
    -------
    str
        "Enköpings"; names ending in s, x or z take no extra s ("Borås", "Grums", "Kalix").
    """
    return name if name[-1:].lower() in ("s", "x", "z") else name + "s"


def lever_short(lever_id: str, lang: str) -> str:
    """Short lower-case lever name for use inside a sentence.

    Parameters
    ----------
    lever_id : str
        Registry id, e.g. "ev_cars".
    lang : str
        "sv" or "en".

    Returns
    -------
    str
        e.g. "elbilar" / "electric cars" from ``results.lever_short.<id>``; without an
        entry, the registry label with a lower-cased first letter (kept for acronyms).
    """
    key = f"results.lever_short.{lever_id}"
    if key in catalog(normalize_lang(lang)) or key in catalog("sv"):
        return t(key, lang)
    label = load_registry().lever(lever_id).label[normalize_lang(lang)]
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _index(result: ScenarioResult, year: int) -> int:
    return int(np.flatnonzero(result.years == year)[0])


def contributions(result: ScenarioResult, year: int, target_id: str | None = None) -> list[tuple[str, float]]:
    """Levers with a non-zero contribution in ``year``, largest first.

    Parameters
    ----------
    result : ScenarioResult
    year : int
        A model year.
    target_id : str, optional
        For a sector target (the transport goal) only levers acting on its sector count.

    Returns
    -------
    list of (str, float)
        Lever id and its reduction vs the baseline, t CO2e/yr (removals included);
        ties keep registry order, so the order is deterministic.
    """
    reg = load_registry()
    sector = {s.id: s.sector for s in reg.streams}
    si = sector_index(target_id) if target_id else None
    target_sector = None if si is None else SECTORS[si]
    i = _index(result, year)
    out = []
    for lid in reg.lever_ids:
        lever = reg.lever(lid)
        if target_sector is not None and (
                not lever.streams or any(sector[s] != target_sector for s in lever.streams)):
            continue
        value = float(result.attribution[lid][i])
        if abs(value) >= NOTHING_T:
            out.append((lid, value))
    return sorted(out, key=lambda kv: -kv[1])


def _lead(result: ScenarioResult, year: int, lang: str) -> str:
    moved = contributions(result, year)
    return t("results.narrative.lead_scenario" if moved else "results.narrative.lead_nnm", lang)


def _change(key: str, value: float, ref: float, lead: str, kommun: str, year: int,
            base_year: int, lang: str) -> str:
    change = (value - ref) / ref if ref else 0.0
    kind = "flat" if abs(change) < FLAT else ("down" if change < 0 else "up")
    return t(f"results.narrative.{key}_{kind}", lang, lead=lead, kommun=kommun,
             pct=fmt_pct(abs(change), 0, lang), year=year, base_year=base_year)


def _top(result: ScenarioResult, year: int, target_id: str, lang: str) -> str:
    top = [(lid, v) for lid, v in contributions(result, year, target_id) if v > 0][:2]
    if not top:
        return t("results.narrative.no_measures", lang) if not contributions(result, year) else ""
    names = [lever_short(lid, lang) for lid, _ in top]
    joined = f" {t('results.narrative.and', lang)} ".join(names)
    return t("results.narrative.top_two" if len(names) > 1 else "results.narrative.top_one", lang,
             levers=joined)


def _neutrality(result: ScenarioResult, v: TargetVerdict, lead: str, kommun: str,
                lang: str) -> list[str]:
    year = focus_year(result, v)
    ref = float(v.details["reference_t"])
    out = [_change("change", float(result.gross[_index(result, year)]), ref, lead, kommun, year,
                   int(v.details["base_year"]), lang)]
    if not v.evaluable:
        out.append(t("results.narrative.needs_horizon", lang, year=v.year))
        return out
    if v.met:
        out.append(t("results.narrative.met", lang,
                     year=year_reached(result, v.id) or v.year_met or v.year))
        return out
    required = fmt_pct(1 - float(v.details["max_gross_pct"]) / 100, 0, lang)
    gross_gap, removal_gap = float(v.details["gross_gap_t"]), float(v.details["removal_gap_t"])
    if gross_gap <= 0:
        out.append(t("results.narrative.gap_removals", lang, required=required,
                     removal_gap=fmt_tonnes(removal_gap, lang)))
    elif removal_gap > 0:
        out.append(t("results.narrative.gap_both", lang, required=required,
                     gap=fmt_tonnes(v.gap_t, lang), gross_gap=fmt_tonnes(gross_gap, lang),
                     removal_gap=fmt_tonnes(removal_gap, lang)))
    else:
        out.append(t("results.narrative.gap", lang, required=required, gap=fmt_tonnes(v.gap_t, lang)))
    return out


def _transport(result: ScenarioResult, v: TargetVerdict, lead: str, kommun: str,
               lang: str) -> list[str]:
    year = focus_year(result, v)
    value = float(result.by_sector[SECTORS.index(v.details["sector"]), _index(result, year)])
    out = [_change("transport", value, float(v.details["reference_t"]), lead, kommun, year,
                   int(v.details["reference_year"]), lang)]
    if v.met:
        out.append(t("results.narrative.met", lang,
                     year=year_reached(result, v.id) or v.year_met or v.year))
    elif v.evaluable:
        out.append(t("results.narrative.gap", lang, required=fmt_pct(v.details["cut_pct"] / 100, 0, lang),
                     gap=fmt_tonnes(v.gap_t, lang)))
    return out


def _path(result: ScenarioResult, v: TargetVerdict, lead: str, kommun: str, lang: str) -> list[str]:
    cum, cum_path = float(v.cumulative_t), float(v.details["cumulative_path_t"])
    out = [t("results.narrative.cumulative", lang, lead=lead, kommun=kommun,
             from_year=v.details["from_year"], to_year=v.details["to_year"],
             cumulative=fmt_tonnes(cum, lang), path=t(f"results.path_name.{v.id}", lang),
             allowed=fmt_tonnes(cum_path, lang))]
    if v.met:
        out.append(t("results.narrative.path_met", lang, margin=fmt_tonnes(cum_path - cum, lang)))
    else:
        rate = float(v.required_rate_pct)
        out.append(t("results.narrative.path_gap", lang, over=fmt_tonnes(cum - cum_path, lang),
                     rate=fmt_pct(rate / 100, 0 if rate.is_integer() else 1, lang)))
    return out


def summary_sentences(result: ScenarioResult, target_id: str, lang: str) -> list[str]:
    """Two to four plain-language sentences on the scenario against one target.

    Parameters
    ----------
    result : ScenarioResult
        A deterministic run.
    target_id : str
        One of :data:`model.targets.TARGET_IDS`, usually ``result.scenario.target.selected``.
    lang : str
        "sv" (default language) or "en".

    Returns
    -------
    list of str
        1. the change against the target's reference (base year for neutrality, 2010
           transport for the transport goal, cumulative emissions against the path for
           budget targets); 2. whether the target is met and, if not, what is missing
           (or that the target needs the 2045 horizon); an extra sentence when emissions
           rise over the projection; last, the two levers contributing most in the
           target year, or a note that no measure has been moved.
    """
    lang = normalize_lang(lang)
    v = result.target(target_id)
    year = focus_year(result, v)
    kommun = genitive(result.kommun.name) if lang == "sv" else result.kommun.name
    lead = _lead(result, year, lang)
    if target_id in PATH_TARGETS:
        out = _path(result, v, lead, kommun, lang)
    elif target_id in SECTOR_TARGETS:
        out = _transport(result, v, lead, kommun, lang)
    else:
        out = _neutrality(result, v, lead, kommun, lang)
    si = sector_index(target_id)
    series = result.gross if si is None else result.by_sector[si]
    i = _index(result, year)
    if series[i] > series[0] * (1 + FLAT):
        out.append(t("results.narrative.rising", lang, start_year=int(result.years[0]), year=year))
    top = _top(result, year, target_id, lang)
    return out + ([top] if top else [])


def in_kommun(name: str, lang: str) -> str:
    """"i Kiruna", "på Gotland" / "in Kiruna", "on Gotland": the kommun as a place inside a sentence."""
    key = "results.kommun_fact.in_island_text" if name in ISLANDS else "results.kommun_fact.in_text"
    return t(key, normalize_lang(lang), kommun=name)


def largest_sector(code: str, year: int | None = None) -> tuple[str, float, int]:
    """The sector with the largest share of a kommun's emissions in one inventory year.

    Parameters
    ----------
    code : str
        SCB kommun code, e.g. "2584".
    year : int, optional
        An SMHI inventory year; the latest when None.

    Returns
    -------
    tuple
        (SMHI sector name, share of the kommun's total as a fraction 0–1, year). A kommun with
        no emissions at all gets the first sector and share 0.
    """
    ds = load_dataset()
    yr = ds.last_year if year is None else int(year)
    row = ds.emissions[ds.index_of(code), ds.inventory_years.index(yr)]
    total = float(row.sum())
    i = int(np.argmax(row))
    return SECTORS[i], (float(row[i]) / total if total > 0 else 0.0), yr


def largest_sector_sentence(code: str, lang: str, year: int | None = None) -> str:
    """"I Kiruna står industrin för 76 % av utsläppen 2024." from the shipped SMHI inventory.

    Parameters
    ----------
    code : str
        SCB kommun code.
    lang : str
        "sv" or "en".
    year : int, optional
        Inventory year; the latest when None.

    Returns
    -------
    str
        One sentence naming the kommun, its largest sector (definite form), its share in percent
        and the year.
    """
    lang = normalize_lang(lang)
    sector, share, yr = largest_sector(code, year)
    name = find_kommun(code).name
    sid = sector_id(sector) or "transport"
    key = "results.kommun_fact.in_island" if name in ISLANDS else "results.kommun_fact.in"
    return t("results.kommun_fact.largest_sector", lang, where=t(key, lang, kommun=name),
             sector=t(f"results.sector_definite.{sid}", lang), pct=fmt_pct(share, 0, lang), year=yr)
