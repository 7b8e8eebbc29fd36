"""Words, tables and source lines of a follow-up (pure: shared by the page and the report).

Every figure carries its unit and every block its source; Swedish numbers read "1 234,5",
English "1,234.5" (:mod:`ui.text.fmt`).
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from model.data import SECTORS
from model.followup import TOTAL, Followup, IndicatorFollowup, Message, SectorFollowup
from model.registry import load_registry
from model.run import MODEL_VERSION
from ui.text.fmt import NBSP, fmt_number, fmt_pct, fmt_tonnes
from ui.text.i18n import normalize_lang, sector_id, sector_label, t, target_label


def _pct_sign(text: str, lang: str) -> str:
    # Catalog templates write "{x} %" with a plain space; Swedish wants a no-break space there.
    return text.replace(" %", NBSP + "%") if lang == "sv" else text


def tonnes(value: float | None, lang: str, signed: bool = False) -> str:
    """Tonnes with unit ("236 600 ton CO₂e" / "236,600 t CO₂e")."""
    return fmt_tonnes(value, lang, co2e=True, signed=signed)


def pct(value_pct: float | None, lang: str, signed: bool = False, decimals: int = 0) -> str:
    """A percentage given in percent (13.3 -> "13 %")."""
    return fmt_pct(None if value_pct is None else value_pct / 100.0, decimals, lang, signed=signed)


def subject(sector: str, lang: str) -> str:
    """The sector as the subject of a sentence ("Transporterna", "De totala utsläppen")."""
    sid = TOTAL if sector == TOTAL else (sector_id(sector) or "")
    return t(f"followup.subject.{sid}", lang) if sid else str(sector)


def sector_name(sector: str, lang: str) -> str:
    """Display name of an SMHI sector or the total."""
    return t("followup.total_title", lang) if sector == TOTAL else sector_label(sector, lang)


def sentence_text(msg: Message, lang: str) -> str:
    """One sector's sentence ("Transporterna ökade 20 % i stället för att minska 1 % som planerat.")."""
    lang = normalize_lang(lang)
    p: dict[str, Any] = dict(msg.params)
    p["measured_signed"] = fmt_number(p.get("measured_change", 0), 0, lang, signed=True)
    p["sector"] = subject(str(p.get("sector", "")), lang)
    for k in ("measured", "planned"):
        p[k] = fmt_number(p.get(k, 0), 0, lang)
    # The model's sentence kinds (model.followup.sentence); anything else is not a sentence key.
    known = ("followup.sentence.down_less", "followup.sentence.down_more", "followup.sentence.up_more",
             "followup.sentence.up_less", "followup.sentence.on_plan", "followup.sentence.up_planned_down",
             "followup.sentence.down_planned_up", "followup.sentence.flat_planned_down",
             "followup.sentence.flat_planned_up", "followup.sentence.down_planned_flat",
             "followup.sentence.up_planned_flat", "followup.sentence.none")
    key = msg.key if msg.key in known else "followup.sentence.none"
    return _pct_sign(t(key, lang, **p), lang)


def sentences(f: Followup, lang: str) -> list[str]:
    """Every sector's sentence (sectors with no emissions either year left out), then the total."""
    out = [sentence_text(r.sentence, lang) for r in f.sectors if r.sentence.key != "followup.sentence.none"]
    if f.total is not None:
        out.append(sentence_text(f.total.sentence, lang))
    return out


def _rows(f: Followup) -> list[SectorFollowup]:
    return [*(r for r in f.sectors if r.base_old_t or r.measured_t[f.years[-1]] or r.expected_t[f.years[-1]]),
            *([f.total] if f.total is not None else [])]


def sector_frame(f: Followup, lang: str) -> pd.DataFrame:
    """Planned and measured per sector in the last compared year, with gap and revision (t CO₂e)."""
    y = f.years[-1]
    cols = [t("followup.col.sector", lang), t("followup.col.expected", lang, year=y),
            t("followup.col.measured", lang, year=y), t("followup.col.gap", lang), t("followup.col.gap_pct", lang),
            t("followup.col.revision", lang, year=f.base_year)]
    rows = [[sector_name(r.sector, lang), round(r.expected_t[y]), round(r.measured_t[y]), round(r.gap_t),
             None if r.gap_pct is None else round(r.gap_pct, 1), round(r.revision_t)] for r in _rows(f)]
    return pd.DataFrame(rows, columns=cols)


def sector_table_text(f: Followup, lang: str) -> list[tuple[str, str, str, str]]:
    """(sector, planned, measured, gap) as formatted text, for the report."""
    y = f.years[-1]
    return [(sector_name(r.sector, lang), tonnes(r.expected_t[y], lang), tonnes(r.measured_t[y], lang),
             f"{tonnes(r.gap_t, lang, signed=True)} ({pct(r.gap_pct, lang, signed=True)})") for r in _rows(f)]


def revision_text(f: Followup, lang: str) -> str:
    """The base year's revision and how it splits the total gap."""
    tot = f.total
    assert tot is not None
    return t("followup.revision", lang, year=f.base_year, year_now=f.years[-1],
             revision=tonnes(tot.revision_t, lang, signed=True),
             revision_pct=pct(tot.revision_pct, lang, signed=True, decimals=1),
             performance=tonnes(tot.performance_gap_t, lang, signed=True),
             effect=tonnes(tot.revision_effect_t, lang, signed=True))


def _verdict(met: bool | None, lang: str) -> str:
    return t("followup.verdict_na" if met is None else "followup.verdict_yes" if met else "followup.verdict_no", lang)


def rate_lines(f: Followup, lang: str) -> list[str]:
    """The target, the required yearly rate then and now, and whether the measures meet it."""
    r = f.rates
    assert r is not None
    out = [t("followup.rates_target", lang, target=target_label(r.target_id, lang), target_year=r.target_year)]
    for key, year, gross, rate in (("followup.rate_then", r.from_year_then, r.gross_then_t, r.rate_then_pct),
                                   ("followup.rate_now", r.from_year_now, r.gross_now_t, r.rate_now_pct)):
        line = t(key, lang, year=year, gross=tonnes(gross, lang), rate=pct(rate, lang, decimals=1))
        out.append(line if rate is not None else f"{line.split(':')[0]}: {t('followup.rate_none', lang)}")
    out.append(t("followup.met_then", lang, verdict=_verdict(r.met_then, lang)))
    out.append(t("followup.met_now", lang, verdict=_verdict(r.met_now, lang)))
    return out


def emissions_source(f: Followup, lang: str) -> str:
    """Source line of the planned-vs-measured figures."""
    lang = normalize_lang(lang)
    return t("followup.source_emissions", lang, version=MODEL_VERSION, old=f.old_release.source[lang],
             new=f.new_release.source[lang])


def indicator_frame(ind: IndicatorFollowup, lang: str) -> pd.DataFrame:
    """Year, the scenario's share and the recorded share of new cars that are rechargeable (%)."""
    years = sorted(set(ind.planned) | set(ind.recorded))
    return pd.DataFrame({t("followup.col.year", lang): years,
                         t("followup.col.planned", lang): [_r1(ind.planned.get(y)) for y in years],
                         t("followup.col.recorded", lang): [_r1(ind.recorded.get(y)) for y in years]})


def _r1(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def indicator_text(ind: IndicatorFollowup, lang: str) -> str:
    """One sentence: the scenario's share in its last compared year against the latest record."""
    # With records: the latest recorded year the path covers; without: the lever's own year (its end).
    y = max([y for y in ind.planned if y <= max(ind.recorded)] or [min(ind.planned)]) if ind.recorded \
        else max(ind.planned)
    planned = pct(ind.planned[y], lang)
    if not ind.recorded:
        return t("followup.indicator_desc_none", lang, planned=planned, year=y)
    ry = max(ind.recorded)
    return t("followup.indicator_desc", lang, planned=planned, year=y, recorded_year=ry,
             recorded=pct(ind.recorded[ry], lang, decimals=1))


def indicator_source(ind: IndicatorFollowup, lang: str) -> str:
    """Source line of the indicator chart."""
    lever = load_registry().lever(ind.lever_id).label[normalize_lang(lang)]
    srcs = "; ".join(ind.sources) if ind.sources else "–"
    return t("followup.source_indicator", lang, lever=lever, version=MODEL_VERSION, sources=srcs)


def years_text(years: tuple[int, ...]) -> str:
    """Compared years as text ("2024", "2024–2025")."""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


SECTOR_ORDER = {s: i for i, s in enumerate((*SECTORS, TOTAL))}
