"""AppTest runs of ui.scenario.results.render_results for real presets, kommuner and languages."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from model.run import ScenarioResult, run_scenario
from model.scenario import load_scenario
from ui.scenario.results import long_run
from ui.text.fmt import fmt_number, fmt_signed_pct, fmt_tonnes
from ui.text.narrative import summary_sentences

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
NBSP, MINUS = "\u00a0", "\u2212"
SV_TONNES = re.compile(rf"^[+{MINUS}]?\d{{1,3}}(?:{NBSP}\d{{3}})*{NBSP}ton CO₂e$")
EN_TONNES = re.compile(rf"^[+{MINUS}]?\d{{1,3}}(?:,\d{{3}})*{NBSP}t CO₂e$")


def script(preset: str, codes: list[str], lang: str, target: str | None, horizon: int | None) -> None:
    """The app under test: run a preset and render its results (one block per kommun)."""
    from dataclasses import replace as _replace
    from pathlib import Path as _Path

    from model.run import run_scenario as _run
    from model.scenario import load_scenario as _load
    from ui.scenario.results import render_results

    sc = _load(_Path("scenarios") / f"{preset}.toml")
    if target:
        sc = _replace(sc, target=_replace(sc.target, selected=target))
    if horizon:
        sc = _replace(sc, horizon=horizon)
    for code in codes:
        render_results(_run(sc, code), lang, lazy=False)


def _result(preset: str, code: str, target: str | None = None, horizon: int | None = None) -> ScenarioResult:
    sc = load_scenario(ROOT / "scenarios" / f"{preset}.toml")
    if target:
        sc = replace(sc, target=replace(sc.target, selected=target))
    if horizon:
        sc = replace(sc, horizon=horizon)
    return run_scenario(sc, code)


def _app(preset: str, codes: list[str], lang: str, target: str | None = None,
         horizon: int | None = None) -> AppTest:
    at = AppTest.from_function(script, args=(preset, codes, lang, target, horizon),
                               default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _text(at: AppTest) -> str:
    # Markdown is escaped by ui.render.safe_text; drop the escapes to compare plain text.
    return " ".join(m.value.replace("\\", "") for m in at.markdown)


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


CASES = [("hog_ambition", "0381", "sv"), ("nuvarande_politik", "0381", "sv"),
         ("hog_ambition", "0180", "en"), ("nuvarande_politik", "0180", "en"),
         ("klimatkontrakt", "0180", "sv")]


@pytest.mark.parametrize("preset, code, lang", CASES)
def test_renders_metrics_sentences_and_charts(preset: str, code: str, lang: str) -> None:
    at = _app(preset, [code], lang)
    r = _result(preset, code)
    v = r.target("klimatneutral_2030")
    m = _metrics(at)
    assert len(m) == 6
    pattern = SV_TONNES if lang == "sv" else EN_TONNES
    net_label = "Nettoutsläpp 2030" if lang == "sv" else "Net emissions 2030"
    assert m[net_label] == fmt_tonnes(r.net[-1], lang, co2e=True)
    assert pattern.match(m[net_label]), m[net_label]
    change = (r.gross[-1] - v.details["reference_t"]) / v.details["reference_t"]
    assert m["Förändring 1990–2030" if lang == "sv" else "Change 1990–2030"] == fmt_signed_pct(change, 0, lang)
    assert m["Gap till målet 2030" if lang == "sv" else "Gap to the target 2030"] == \
        fmt_tonnes(v.gap_t, lang, co2e=True)
    assert pattern.match(m["Utsläpp 2025–2030" if lang == "sv" else "Emissions 2025–2030"])
    assert all(el.proto.show_border for el in at.metric)
    for sentence in summary_sentences(r, "klimatneutral_2030", lang):
        assert sentence in _text(at)
    specs = _charts(at)
    assert len(specs) == 4, "main, waterfall, actor and per-capita charts"
    assert all(s.get("description") for s in specs)
    assert len(at.dataframe) == 4, "every chart has a table alternative"
    captions = [c.value for c in at.caption]
    assert sum(c.startswith("Källa:" if lang == "sv" else "Source:") for c in captions) == 4
    assert any("SMHI" in c for c in captions)


def test_swedish_figures_for_enkoping_not_met() -> None:
    at = _app("nuvarande_politik", ["0381"], "sv")
    m = _metrics(at)
    assert m["Målet nås år"] == "inte till och med 2045"
    assert m["Förändring 1990–2030"] == f"{MINUS}32{NBSP}%"
    assert m["Nödvändig minskningstakt"] == f"19,0{NBSP}% per år"
    delta = {el.label: el.proto.delta for el in at.metric}
    assert delta["Nettoutsläpp 2030"] == f"0{NBSP}ton CO₂e", "no measures: same as the baseline"
    assert "Utan nya åtgärder minskar Enköpings utsläpp" in _text(at)


def test_target_met_cases() -> None:
    at = _app("hog_ambition", ["0381"], "sv", target="national_transport_2030")
    m = _metrics(at)
    assert m["Gap till målet 2030"] == "Målet nås"
    assert m["Målet nås år"] == "2029"
    assert m["Transporter 2010–2030"].startswith(MINUS)
    assert "Målet nås 2029." in _text(at)

    at = _app("hog_ambition", ["0180"], "en", target="budget_rate")
    m = _metrics(at)
    assert m["Above the path 2025–2030"] == "Target met"
    assert m["Below the path from"] == "2027"
    cum = next(el for el in at.metric if el.label == "Emissions 2025–2030")
    assert cum.proto.delta.startswith(MINUS), "below the path"
    assert "The target is met" in _text(at)


def test_year_from_the_2045_run_when_missed_by_2030() -> None:
    r = _result("klimatkontrakt", "0381", target="budget_rate")
    long = long_run(r)
    assert long.scenario.horizon == 2045 and long.years[-1] == 2045
    assert long_run(r) is long, "cached"
    assert long_run(long) is long


def test_long_run_is_keyed_on_measures_and_release_too() -> None:
    """The 2045 run of a scenario with an own measure, or on an older SMHI release, is that scenario's,
    not a cached run of the same levers without it (the former cache key left both out)."""
    from dataclasses import replace

    from model.measures_parse import measure_from_dict
    from model.run import run_scenario

    r = _result("klimatkontrakt", "0381", target="budget_rate")
    m = measure_from_dict({"id": "biogas", "name": {"sv": "Biogas", "en": "Biogas"}, "stream": "cars", "unit": "t",
                           "effect": 5_000, "start": 2025, "full": 2028, "actor": "kommun",
                           "source": {"sv": "Plan", "en": "Plan"}})
    with_m = run_scenario(replace(r.scenario, measures=(m,), kommun="0381"))
    on_2023 = run_scenario(replace(r.scenario, release="smhi-2023", kommun="0381"))
    plain, measured, older = long_run(r), long_run(with_m), long_run(on_2023)
    assert [x.id for x in measured.scenario.measures] == ["biogas"] and measured.net[-1] < plain.net[-1] - 1_000
    assert older.scenario.release == "smhi-2023" and older is not plain
    assert long_run(with_m) is measured, "cached on its own key"
    at = _app("klimatkontrakt", ["0381"], "sv", target="budget_rate")
    value = _metrics(at)["Under banan från år"]
    assert value == "inte till och med 2045" or 2031 <= int(value) <= 2045


def test_national_2045_with_the_2030_horizon() -> None:
    at = _app("klimatkontrakt", ["0381"], "sv", target="national_2045")
    m = _metrics(at)
    assert m["Gap till målet 2045"] == "Kräver 2045"
    assert "välj tidshorisonten 2045" in _text(at)
    at = _app("klimatkontrakt", ["0381"], "sv", target="national_2045", horizon=2045)
    m = _metrics(at)
    v = _result("klimatkontrakt", "0381", "national_2045", 2045).target("national_2045")
    assert m["Gap till målet 2045"] == fmt_tonnes(v.gap_t, "sv", co2e=True)
    assert "Nettoutsläpp 2045" in m


def test_two_kommuner_on_one_page() -> None:
    at = _app("klimatkontrakt", ["0381", "0180"], "sv")
    assert len(_charts(at)) == 8, "chart keys are unique per kommun"
    assert "Enköpings utsläpp" in _text(at) and "Stockholms utsläpp" in _text(at)


def _datasets(at: AppTest) -> list[dict[str, pd.DataFrame]]:
    """Each chart's named datasets (Streamlit moves them out of the spec, as Arrow)."""
    return [{d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in el.proto.datasets}
            for el in at.get("vega_lite_chart")]


def test_chart_contents() -> None:
    at = _app("hog_ambition", ["0381"], "sv")
    r = _result("hog_ambition", "0381")
    main, waterfall, actor, per_capita = _datasets(at)
    bars = main["bars"]
    assert set(bars["year"]) == set(r.history) | set(r.years.tolist())
    removals = bars[bars["sid"] == "removals"]
    assert len(removals) and (removals["tonnes"] < 0).all(), "removals are drawn below zero"
    assert set(main["lines"]["series"]) == {"Nettoutsläpp", "Utan nya åtgärder"}
    target = main["target"]
    # Both conditions of the two-part target, each where it belongs: the gross limit and net zero.
    assert target["label"].tolist() == ["Högsta bruttoutsläpp 2030", "Mål för nettoutsläpp 2030"]
    assert target["tonnes"].tolist() == pytest.approx([r.target("klimatneutral_2030").allowed_t, 0.0])
    steps = " ".join(" ".join(map(str, df.to_numpy().ravel())) for df in waterfall.values())
    assert "Minskad biltrafik" in steps and "Biokol" in steps
    actors = " ".join(" ".join(map(str, df.to_numpy().ravel())) for df in actor.values())
    assert "Kommunen" in actors and "Näringslivet" in actors
    names = " ".join(" ".join(map(str, df.to_numpy().ravel())) for df in per_capita.values())
    assert "Enköping" in names and "Sverige" in names
    tables = [d.value for d in at.dataframe]
    assert list(tables[0].columns[:2]) == ["År", "Uppgift"]
    assert tables[0]["År"].tolist()[0] == "1990" and tables[0]["År"].tolist()[-1] == "2030"
    assert tables[0]["Nettoutsläpp (ton CO₂e/år)"].tolist()[-1] == fmt_number(r.net[-1], 0, "sv")
    assert tables[3].iloc[0, 0] == "Enköping" and tables[3].iloc[1, 0] == "Sverige"
    assert tables[3].iloc[0, 3] == "4,9"  # 4.87 t per resident
