"""Hostile share links, table-driven: ``decode`` never raises, says what it ignored or changed, and
always returns a state the dashboard can draw (levers on their slider grid, in the slider's type).

Issue 11, items 1, 2 and 11: unicode digits and 5 000-digit versions crashed ``decode``; off-grid lever
values inside the old 1e-6 tolerance crashed the slider later; ``tb=2024`` was used without a word
while the sidebar offers base years up to 2020; a link with too many fields lost its own fields.
"""
from __future__ import annotations

from typing import Any

import pytest

from model import codec
from model.codec import MAX_PARAMS, decode, default_state, encode
from model.data import load_dataset
from model.registry import load_registry
from model.targets import base_years
from ui.text.i18n import catalog

REG = load_registry()
LEVER = {lv.id: lv for lv in REG.levers}
FULL = encode(default_state())
BASE_YEARS = "1990, 2000, 2005, 2010, 2015, 2020"


def full(**changes: Any) -> dict[str, Any]:
    """A complete, valid link with some fields changed."""
    return {**FULL, **changes}


def lever_on_grid(lever_id: str, value: Any) -> bool:
    lv = LEVER[lever_id]
    k = (value - lv.min) / lv.step
    exact = lv.min + round(k) * lv.step
    return lv.min <= value <= lv.max and value == exact and (type(value) is int) == (lv.decimals == 0)


# (case id, params, notice keys that must appear, expected values: "levers.<id>" or a LinkState attribute)
CASES: list[tuple[str, dict[str, Any], set[str], dict[str, Any]]] = [
    # -- item 1: link version
    ("v_superscript_two", {"v": "²"}, {"link.bad_version"}, {}),
    ("v_circled_one", {"v": "①"}, {"link.bad_version"}, {}),
    ("v_5000_digits", {"v": "9" * 5000}, {"link.bad_version"}, {}),
    ("v_arabic_indic_one", {"v": "١"}, {"link.bad_version"}, {}),
    ("v_fullwidth_one", {"v": "１"}, {"link.bad_version"}, {}),
    ("v_zero", {"v": "0"}, {"link.bad_version"}, {}),
    ("v_negative", {"v": "-1"}, {"link.bad_version"}, {}),
    ("v_future", {"v": "3"}, {"link.bad_version"}, {}),
    ("v_float", {"v": "1.0"}, {"link.bad_version"}, {}),
    ("v_empty", {"v": ""}, {"link.bad_version"}, {}),
    ("v_space", {"v": " 1"}, {"link.bad_version"}, {}),
    ("v_superscript_full_link", full(v="²", ev="90"), {"link.bad_version"}, {"levers.ev_cars": 90}),
    # -- item 2: values between grid steps are rounded to the grid, with a notice
    ("bkl_0.0001", full(bkl="0.0001"), {"link.lever_rounded"}, {"levers.biochar": 0}),
    ("bkl_300.0001", full(bkl="300.0001"), {"link.lever_rounded"}, {"levers.biochar": 300}),
    ("bkl_4999.9999", full(bkl="4999.9999"), {"link.lever_rounded"}, {"levers.biochar": 5000}),
    ("bkl_123", full(bkl="123"), {"link.lever_rounded"}, {"levers.biochar": 100}),
    ("ev_82", full(ev="82"), {"link.lever_rounded"}, {"levers.ev_cars": 80}),
    ("ev_82.5_half_up", full(ev="82.5"), {"link.lever_rounded"}, {"levers.ev_cars": 85}),
    ("ev_99.9999", full(ev="99.9999"), {"link.lever_rounded"}, {"levers.ev_cars": 100}),
    ("vkm_7.5", full(vkm="7.5"), {"link.lever_rounded"}, {"levers.car_traffic": 8}),
    ("ev_80.0_is_on_grid", full(ev="80.0"), set(), {"levers.ev_cars": 80}),
    ("ev_minus_zero", full(ev="-0"), set(), {"levers.ev_cars": 0}),
    ("ev_padded", full(ev=" 80 "), set(), {"levers.ev_cars": 80}),
    # -- lever values that are not numbers in range: refused, default kept
    ("ev_superscript", full(ev="²"), {"link.bad_lever"}, {}),
    ("ev_arabic_indic", full(ev="٨٠"), {"link.bad_lever"}, {}),
    ("ev_fullwidth", full(ev="８０"), {"link.bad_lever"}, {}),
    ("ev_nan", full(ev="NaN"), {"link.bad_lever"}, {}),
    ("ev_nan_lower", full(ev="nan"), {"link.bad_lever"}, {}),
    ("ev_inf", full(ev="inf"), {"link.bad_lever"}, {}),
    ("ev_minus_infinity", full(ev="-Infinity"), {"link.bad_lever"}, {}),
    ("ev_1e400", full(ev="1e400"), {"link.bad_lever"}, {}),
    ("ev_exponent", full(ev="8e1"), {"link.bad_lever"}, {}),
    ("ev_hex", full(ev="0x50"), {"link.bad_lever"}, {}),
    ("ev_underscore_digits", full(ev="8_0"), {"link.bad_lever"}, {}),
    ("ev_5000_digits", full(ev="9" * 5000), {"link.bad_lever"}, {}),
    ("ev_5_decimals", full(ev="55.55555"), {"link.bad_lever"}, {}),
    ("ev_empty", full(ev=""), {"link.bad_lever"}, {}),
    ("ev_150", full(ev="150"), {"link.bad_lever"}, {}),
    ("ev_minus_5", full(ev="-5"), {"link.bad_lever"}, {}),
    ("ev_nul", full(ev="8\x000"), {"link.bad_lever"}, {}),
    ("ev_lone_surrogate", full(ev="\ud800"), {"link.bad_lever"}, {}),
    ("ev_html", full(ev="<img src=x onerror=alert(1)>"), {"link.bad_lever"}, {}),
    # -- item 11: base year from the one list; other fixed sets name their allowed values
    ("tb_2024", full(tb="2024"), {"link.bad_base_year"}, {"target.base_year": 1990}),
    ("tb_2021", full(tb="2021"), {"link.bad_base_year"}, {"target.base_year": 1990}),
    ("tb_1991", full(tb="1991"), {"link.bad_base_year"}, {"target.base_year": 1990}),
    ("tb_1990.5", full(tb="1990.5"), {"link.bad_base_year"}, {"target.base_year": 1990}),
    ("tb_superscript", full(tb="²⁰²⁰"), {"link.bad_base_year"}, {"target.base_year": 1990}),
    ("tb_2010_ok", full(tb="2010"), set(), {"target.base_year": 2010}),
    ("tb_2020_ok", full(tb="2020"), set(), {"target.base_year": 2020}),
    ("ty_2029", full(ty="2029"), {"link.bad_choice"}, {"target.year": 2030}),
    ("ty_5000_digits", full(ty="2" * 5000), {"link.bad_choice"}, {"target.year": 2030}),
    ("tp_150", full(tp="150"), {"link.bad_range"}, {"target.max_gross_pct": 20.0}),
    ("tp_nan", full(tp="nan"), {"link.bad_range"}, {"target.max_gross_pct": 20.0}),
    ("tp_1e400", full(tp="1e400"), {"link.bad_range"}, {"target.max_gross_pct": 20.0}),
    ("tr_0", full(tr="0"), {"link.bad_range"}, {"target.budget_rate_pct": None}),
    ("tr_inf", full(tr="inf"), {"link.bad_range"}, {"target.budget_rate_pct": None}),
    ("h_2031", full(h="2031"), {"link.bad_choice"}, {"horizon": 2030}),
    ("h_superscript", full(h="²⁰³⁰"), {"link.bad_choice"}, {"horizon": 2030}),
    ("np_99", full(np="99"), {"link.bad_choice"}, {"policy": "current_law"}),
    ("mt_moon", full(mt="moon"), {"link.bad_choice"}, {"target.selected": "klimatneutral_2030"}),
    ("lang_fr", full(lang="fr"), {"link.bad_choice"}, {"lang": "sv"}),
    ("lang_upper_ok", full(lang="EN"), set(), {"lang": "en"}),
    # -- kommun
    ("k_empty", full(k=""), {"link.bad_kommun"}, {"kommun": "0381"}),
    ("k_5000", full(k="x" * 5000), {"link.bad_kommun"}, {"kommun": "0381"}),
    ("k_arabic_indic_code", full(k="٠٣٨١"), {"link.bad_kommun"}, {"kommun": "0381"}),
    ("k_superscript", full(k="¹⁴⁸⁰"), {"link.bad_kommun"}, {"kommun": "0381"}),
    ("k_sql", full(k="0381'; DROP TABLE x;--"), {"link.bad_kommun"}, {"kommun": "0381"}),
    ("k_markdown", full(k="**bold** [link](http://evil)"), {"link.bad_kommun"}, {"kommun": "0381"}),
    ("k_code_without_zero", full(k="1480"), set(), {"kommun": "1480"}),
    # -- repeated fields: the last value counts, and a notice says so when they differ
    ("repeated_differing", full(ev=["80", "90"]), {"link.repeated"}, {"levers.ev_cars": 90}),
    ("repeated_same", full(ev=["80", "80"]), set(), {"levers.ev_cars": 80}),
    ("repeated_version", full(v=["1", "²"]), {"link.repeated", "link.bad_version"}, {}),
    ("empty_value_list", full(ev=[]), {"link.levers_missing"}, {}),
    ("none_value", full(ev=None), {"link.levers_missing"}, {}),
    ("int_value", full(ev=90), set(), {"levers.ev_cars": 90}),
    # -- unknown fields, markdown in names, overlong names and values
    ("unknown_markdown_name", full(**{"[klick](https://evil.example)": "1"}), {"link.unknown_params"}, {}),
    ("unknown_newline_name", full(**{"\n\nHACKED\n===": "1"}), {"link.unknown_params"}, {}),
    ("unknown_5000_name", full(**{"z" * 5000: "1"}), {"link.unknown_params"}, {}),
    ("unknown_script_value", full(zz="<script>alert(1)</script>"), {"link.unknown_params"}, {}),
    ("m_overlong", full(m="9" * 5000), {"link.model_version"}, {}),
    ("d_unknown_release", full(d="2019"), {"link.data_release_unknown"}, {"release": None}),
    ("d_old_release", full(d="2023"), {"link.data_release"}, {"release": "smhi-2023"}),
    ("no_version_with_levers", {"ev": "90"}, {"link.no_version"}, {"levers.ev_cars": 90}),
    ("only_version", {"v": "1"}, {"link.levers_missing"}, {}),
    ("reserved_fields_are_known", full(embed="true", ws="ABC", present="1", role="x"), set(), {}),
]


def _get(state: codec.LinkState, path: str) -> Any:
    if path.startswith("levers."):
        return state.levers[path.split(".", 1)[1]]
    obj: Any = state
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("params, keys, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_link(params: dict[str, Any], keys: set[str], expected: dict[str, Any]) -> None:
    state = decode(params)
    got = {n.key for n in state.notices}
    assert keys <= got, f"missing notices {keys - got}; got {got}"
    if not keys:
        assert not got, f"unexpected notices {got}"
    assert "link.unreadable" not in got, "the safety net caught an exception: a parse is not total"
    for path, value in expected.items():
        assert _get(state, path) == value, path
        if isinstance(value, int) and path.startswith("levers."):
            assert type(_get(state, path)) is int, path
    for lid, v in state.levers.items():
        assert lever_on_grid(lid, v), (lid, v)
    assert state.target.base_year in base_years(load_dataset().inventory_years)
    # The state writes a complete link that reads back with no notice at all, except that a link on an
    # older release says so every time it is opened.
    again = decode(encode(state))
    kept = {"link.data_release"} if state.release is not None else set()
    assert {n.key for n in again.notices} == kept and encode(again) == encode(state)


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 80 and len({c[0] for c in CASES}) == len(CASES)


def test_off_grid_notice_names_value_step_and_result() -> None:
    (n,) = [n for n in decode(full(bkl="300.0001")).notices]
    assert n.key == "link.lever_rounded"
    assert n.params == {"lever": "biochar", "value": "300.0001", "used": 300, "step": 100, "unit": "t/år"}


def test_base_year_notice_names_field_and_allowed_values() -> None:
    (n,) = decode(full(tb="2024")).notices
    assert n.key == "link.bad_base_year"
    assert n.params == {"param": "tb", "value": "2024", "allowed": BASE_YEARS}


@pytest.mark.parametrize("param, value, allowed", [
    ("ty", "2029", "2030, 2035, 2040, 2045"), ("h", "2031", "2030, 2045"), ("np", "99", "cl, 10, og"),
    ("mt", "moon", "kn, br, cl, nt, n45, gl"), ("lang", "fr", "sv, en"),
])
def test_choice_notices_list_allowed_values(param: str, value: str, allowed: str) -> None:
    (n,) = decode(full(**{param: value})).notices
    assert n.key == "link.bad_choice" and n.params == {"param": param, "value": value, "allowed": allowed}


def test_base_years_are_one_list() -> None:
    """The years a link, a file and the sidebar accept (the sidebar's options stopped at 2020)."""
    ds = load_dataset()
    assert base_years(ds.inventory_years) == (1990, 2000, 2005, 2010, 2015, 2020)
    assert codec.base_years_now() == base_years(ds.inventory_years)
    assert max(ds.inventory_years) > 2020  # so the rule is doing something


def test_too_many_fields_names_the_limit_and_keeps_own_fields() -> None:
    """201 fields, junk first: the link's own fields are still read and the notice says the limit."""
    junk = {f"p{i}": str(i) for i in range(201 - len(FULL))}
    params = {**junk, **full(ev="90")}
    assert len(params) == 201
    state = decode(params)
    notes = {n.key: n.params for n in state.notices}
    assert notes["link.too_many_fields"] == {"n": 201, "max": MAX_PARAMS}
    assert state.levers["ev_cars"] == 90 and "link.levers_missing" not in notes


@pytest.mark.parametrize("n, noticed", [(MAX_PARAMS, False), (MAX_PARAMS + 1, True)])
def test_field_limit_boundary(n: int, noticed: bool) -> None:
    params = {**{f"p{i}": "1" for i in range(n - len(FULL))}, **FULL}
    assert len(params) == n
    keys = {x.key for x in decode(params).notices}
    assert ("link.too_many_fields" in keys) is noticed


def test_unknown_names_are_shortened_and_counted() -> None:
    params = full(**{f"x{i:03d}" + "y" * 40: "1" for i in range(9)})
    (n,) = [n for n in decode(params).notices if n.key == "link.unknown_params"]
    names = n.params["names"]
    assert names.endswith("(+4)") and all(len(x) <= 20 for x in names.split(" (+")[0].split(", "))


def test_empty_link_is_the_default_state() -> None:
    assert decode({}) == default_state()


def test_safety_net_returns_defaults_with_a_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(codec, "_decode", broken)
    state = decode(FULL)
    assert [n.key for n in state.notices] == ["link.unreadable"]
    assert state.levers == default_state().levers


def test_default_state_is_on_grid_in_slider_types() -> None:
    for lid, v in default_state().levers.items():
        assert lever_on_grid(lid, v), (lid, v)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_notice_key_has_a_text(lang: str) -> None:
    emitted = {n.key for _, params, _, _ in CASES for n in decode(params).notices} | {"link.unreadable"}
    texts = catalog(lang)
    missing = [k for k in emitted if f"app.notice.{k.split('.', 1)[1]}" not in texts]
    assert not missing


def test_unknown_kommun_notice_names_the_kommun_shown_instead() -> None:
    """The message names the default kommun from the data, not a literal in a text."""
    from model.codec import decode
    from model.kommuner import find_kommun
    from model.run import DEFAULT_KOMMUN

    notice = next(n for n in decode({"k": "Atlantis"}).notices if n.key == "link.bad_kommun")
    assert notice.params == {"value": "Atlantis", "default": find_kommun(DEFAULT_KOMMUN).name}
