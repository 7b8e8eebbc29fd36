"""Presets as rules (model/presets.py): each rule in three kommuner of different kinds, within range."""
from __future__ import annotations

from pathlib import Path

import pytest

from model.baseline import build_context
from model.presets import (
    Preset,
    PresetError,
    PresetRule,
    check_rule_files,
    generic_presets,
    load_rule_file,
    lowered_levers,
    preset_levers,
    preset_scenario,
    profile_presets,
)
from model.profiles import lever_capacities, load_profile
from model.ranges import lever_bounds
from model.registry import load_registry
from model.run import run_scenario
from model.scenario import Scenario

REG = load_registry()
#: Enköping (farming, profile), Kiruna (industry), Stockholm (city), Arjeplog (rural, no plant).
KOMMUNER = ("0381", "2584", "0180", "2506")


def _setup(code: str) -> tuple[object, dict[str, tuple[float, float]]]:
    ctx = build_context(code)
    return ctx, lever_bounds(ctx, lever_capacities(load_profile(code)))


def _nnm(ctx: object) -> dict[str, float]:
    return {lv.id: float(ctx.nnm[i]) for i, lv in enumerate(REG.levers)}  # type: ignore[attr-defined]


def test_rule_files_load_and_order() -> None:
    assert check_rule_files() == []
    ids = list(generic_presets())
    assert ids[:5] == ["nuvarande_politik", "kommunens_egna", "klimatkontrakt", "hog_ambition",
                       "allt_inom_rackhall"]
    ps = generic_presets()
    assert ps["nuvarande_politik"].rule.kind == "nnm"
    assert ps["kommunens_egna"].rule == PresetRule("share", ("kommun",), 75.0, ps["kommunens_egna"].rule.share_source)
    assert ps["kommunens_egna"].rule.share_source["sv"].startswith("antagande")
    assert ps["allt_inom_rackhall"].rule.kind == "max"
    assert ps["klimatkontrakt"].rule.kind == "fixed"


@pytest.mark.parametrize("code", KOMMUNER)
def test_nnm_rule_is_no_new_measures(code: str) -> None:
    ctx, bounds = _setup(code)
    assert preset_levers(generic_presets()["nuvarande_politik"], ctx, bounds) == _nnm(ctx)


@pytest.mark.parametrize("code", KOMMUNER)
def test_max_rule_is_every_lever_at_the_kommun_maximum(code: str) -> None:
    ctx, bounds = _setup(code)
    got = preset_levers(generic_presets()["allt_inom_rackhall"], ctx, bounds)
    assert got == {lid: hi for lid, (_, hi) in bounds.items()}


@pytest.mark.parametrize("code", KOMMUNER)
def test_share_rule_moves_only_the_kommuns_levers_by_the_stated_share(code: str) -> None:
    ctx, bounds = _setup(code)
    nnm = _nnm(ctx)
    got = preset_levers(generic_presets()["kommunens_egna"], ctx, bounds)
    for lv in REG.levers:
        if lv.actor != "kommun":
            assert got[lv.id] == nnm[lv.id], lv.id
            continue
        hi = bounds[lv.id][1]
        target = nnm[lv.id] + 0.75 * (hi - nnm[lv.id])
        # Rounded down to the slider grid: never past the stated share, less than one step short.
        assert target - lv.step < got[lv.id] <= target + 1e-9, lv.id
        assert nnm[lv.id] <= got[lv.id] <= hi


def test_share_rule_by_hand_for_enkoping() -> None:
    """Enköping by hand: car traffic 0-30 %, 75 % is 22.5 -> 22 (step 1); biochar 0-200 t, 150 -> 100 (step 100)."""
    ctx, bounds = _setup("0381")
    got = preset_levers(generic_presets()["kommunens_egna"], ctx, bounds)
    assert bounds["car_traffic"] == (0.0, 30.0) and got["car_traffic"] == 22.0
    assert bounds["biochar"][1] == 200.0 and got["biochar"] == 100.0
    assert got["ev_cars"] == _nnm(ctx)["ev_cars"]  # residents' lever: unchanged


@pytest.mark.parametrize("code", KOMMUNER)
def test_fixed_presets_are_held_within_the_kommun_range(code: str) -> None:
    ctx, bounds = _setup(code)
    for pid in ("klimatkontrakt", "hog_ambition"):
        p = generic_presets()[pid]
        got = preset_levers(p, ctx, bounds)
        for lid, v in p.scenario.levers.items():
            assert got[lid] == min(v, bounds[lid][1]), (pid, lid)
        assert set(lowered_levers(p, bounds)) == {lid for lid, v in p.scenario.levers.items()
                                                  if v > bounds[lid][1]}


def test_hog_ambition_biochar_is_lowered_in_enkoping_and_not_in_stockholm() -> None:
    p = generic_presets()["hog_ambition"]
    assert "biochar" in lowered_levers(p, _setup("0381")[1])  # 3 000 t > Enköping's 200 t
    assert "biochar" not in lowered_levers(p, _setup("0180")[1])  # Stockholm reaches 4 900 t


@pytest.mark.parametrize("code", KOMMUNER)
def test_rules_change_the_figures_in_the_expected_order(code: str) -> None:
    """Net 2030: following national policy >= the kommun's own levers >= everything within reach."""
    ctx, bounds = _setup(code)
    ps = generic_presets()
    net = {}
    for pid in ("nuvarande_politik", "kommunens_egna", "allt_inom_rackhall"):
        sc = preset_scenario(ps[pid], ctx, bounds)
        assert sc.kommun == code
        net[pid] = float(run_scenario(sc, code).net[-1])
    assert net["nuvarande_politik"] > net["kommunens_egna"] > net["allt_inom_rackhall"]


def test_enkoping_profile_preset_is_the_kommuns_own() -> None:
    own = profile_presets(load_profile("0381"))
    p = own["klimatkontrakt_enkoping"]
    assert p.own and p.source == "kommuner/0381.toml" and p.rule.kind == "fixed"
    assert "Enköping" in p.scenario.reasons["ev_cars"]["sv"]
    assert profile_presets(load_profile("2584")) == {}


def test_generic_presets_say_nothing_enkoping_specific() -> None:
    for p in generic_presets().values():
        sc = p.scenario
        texts = [*sc.name.values(), *sc.description.values(),
                 *(x for why in sc.reasons.values() for x in why.values()), *p.rule.share_source.values()]
        for word in ("Enköping", "E18", "ENA ", "Mulljord"):
            assert not [x for x in texts if word in x], (p.id, word)


def _write(tmp_path: Path, rule: str, levers: str = "") -> Path:
    path = tmp_path / "x.toml"
    path.write_text(f'format_version = 1\n[scenario]\nid = "x"\nname = "X"\nnational_policy = "current_law"\n'
                    f'horizon = 2030\n[levers]\n{levers}\n[rule]\n{rule}\n', "utf-8")
    return path


@pytest.mark.parametrize("rule, levers, words", [
    ('kind = "half"', "", "rule.kind"),
    ('kind = "share"\nactors = ["mayor"]\nshare_pct = 50\nshare_source = { sv = "a", en = "b" }', "", "rule.actors"),
    ('kind = "share"\nactors = ["kommun"]\nshare_pct = 150\nshare_source = { sv = "a", en = "b" }', "",
     "rule.share_pct"),
    ('kind = "share"\nactors = ["kommun"]\nshare_pct = 50', "", "share_source"),
    ('kind = "max"\ncolour = "red"', "", "unknown fields"),
    ('kind = "max"', "ev_cars = 80", "[levers]"),
])
def test_bad_rule_files_are_refused_with_the_field_named(tmp_path: Path, rule: str, levers: str, words: str) -> None:
    with pytest.raises(PresetError, match="x.toml") as exc:
        load_rule_file(_write(tmp_path, rule, levers))
    assert words in str(exc.value)


def test_preset_id_is_the_file_stem() -> None:
    p = Preset(Scenario(id="abc"), PresetRule("nnm"))
    assert p.id == "abc"


def test_a_profile_preset_brings_the_measures_it_names() -> None:
    from dataclasses import replace as dc_replace

    from model.profiles import ProfilePreset

    prof = load_profile("0980")
    assert prof.measures, "Gotland's profile has an own measure (kommuner/0980.toml)"
    m = prof.measures[0]
    pp = ProfilePreset("x", "X", "X", "d", "d", "current_law", (), (), (m.id,))
    got = profile_presets(dc_replace(prof, presets=(pp,)))["x"].scenario
    assert got.measures == (m,)
    pp_none = dc_replace(pp, measures=())
    assert profile_presets(dc_replace(prof, presets=(pp_none,)))["x"].scenario.measures == ()
