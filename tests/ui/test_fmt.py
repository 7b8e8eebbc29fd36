"""Tests for ui.text.fmt: Swedish/English number, tonne and percentage formatting."""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.text.fmt import fmt_number, fmt_pct, fmt_signed_pct, fmt_tonnes

# Pinned here, not imported, so a change of character in ui.text.fmt fails the tests.
NBSP = "\u00a0"  # NO-BREAK SPACE: thousands separator and before units/%
MINUS = "\u2212"  # MINUS SIGN

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
SV_NUMBER = re.compile(rf"^[+{MINUS}]?\d{{1,3}}(?:{NBSP}\d{{3}})*(?:,\d+)?$")
EN_NUMBER = re.compile(rf"^[+{MINUS}]?\d{{1,3}}(?:,\d{{3}})*(?:\.\d+)?$")


def parse_sv(text: str) -> Decimal:
    """Read a Swedish-formatted number back (test oracle, deliberately independent)."""
    return Decimal(text.replace(NBSP, "").replace(",", ".").replace(MINUS, "-"))


def parse_en(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace(MINUS, "-"))


def half_up(x: float, decimals: int) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (1234.5, 1, "sv", f"1{NBSP}234,5"),
        (1234.5, 1, "en", "1,234.5"),
        (-1234.5, 1, "sv", f"{MINUS}1{NBSP}234,5"),
        (61000, 0, "sv", f"61{NBSP}000"),
        (1_234_567, 0, "sv", f"1{NBSP}234{NBSP}567"),
        (999, 0, "sv", "999"),
        (0.5, 0, "sv", "1"),  # half away from zero, not banker's rounding
        (2.5, 0, "en", "3"),
        (-2.5, 0, "en", f"{MINUS}3"),
        (0.125, 2, "sv", "0,13"),
        (-0.04, 1, "sv", "0,0"),  # no "−0,0"
        (7, 2, "sv-SE", "7,00"),
        (7, 2, "EN", "7.00"),
    ],
)
def test_fmt_number_examples(value: float, decimals: int, lang: str, expected: str) -> None:
    assert fmt_number(value, decimals, lang) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, "not a number"])
def test_missing_values_render_as_dash(missing: object) -> None:
    assert fmt_number(missing) == "–"  # type: ignore[arg-type]
    assert fmt_tonnes(missing) == "–"  # type: ignore[arg-type]
    assert fmt_pct(missing) == "–"  # type: ignore[arg-type]
    assert fmt_signed_pct(missing, 1, "en") == "–"  # type: ignore[arg-type]


def test_numpy_and_decimal_inputs() -> None:
    assert fmt_number(np.int64(48201)) == f"48{NBSP}201"
    assert fmt_number(np.float32(0.25), 2, "en") == "0.25"
    assert fmt_number(Decimal("1234.5"), 1) == f"1{NBSP}234,5"


def test_infinity_and_signed() -> None:
    assert fmt_number(float("inf")) == "∞"
    assert fmt_number(float("-inf")) == f"{MINUS}∞"
    assert fmt_number(12.0, signed=True) == "+12"
    assert fmt_number(0.0, signed=True) == "0"


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (61000, {}, f"61{NBSP}000{NBSP}ton"),
        (61000, {"lang": "en"}, f"61,000{NBSP}t"),
        (61234, {}, f"61{NBSP}200{NBSP}ton"),  # about three significant figures
        (123_456, {}, f"123{NBSP}000{NBSP}ton"),
        (3147.4, {}, f"3{NBSP}150{NBSP}ton"),
        (235.4, {}, f"235{NBSP}ton"),
        (61234, {"decimals": 0}, f"61{NBSP}234{NBSP}ton"),
        (61234, {"unit": "kt"}, f"61,2{NBSP}kt"),
        (61234, {"unit": "kt", "lang": "en"}, f"61.2{NBSP}kt"),
        (61234, {"co2e": True}, f"61{NBSP}200{NBSP}ton CO₂e"),
        (-12345, {"signed": True}, f"{MINUS}12{NBSP}300{NBSP}ton"),
        (3000, {"signed": True, "lang": "en"}, f"+3,000{NBSP}t"),
    ],
)
def test_fmt_tonnes_examples(value: float, kwargs: dict, expected: str) -> None:
    assert fmt_tonnes(value, **kwargs) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (0.48, 0, "sv", f"48{NBSP}%"),
        (0.48, 0, "en", "48%"),
        (0.1172, 2, "sv", f"11,72{NBSP}%"),
        (-0.05, 0, "sv", f"{MINUS}5{NBSP}%"),
        (1.5, 0, "sv", f"150{NBSP}%"),
    ],
)
def test_fmt_pct_examples(value: float, decimals: int, lang: str, expected: str) -> None:
    assert fmt_pct(value, decimals, lang) == expected


def test_fmt_signed_pct_examples() -> None:
    assert fmt_signed_pct(0.12) == f"+12{NBSP}%"
    assert fmt_signed_pct(-0.48) == f"{MINUS}48{NBSP}%"
    assert fmt_signed_pct(0.0) == f"0{NBSP}%"
    assert fmt_signed_pct(0.123, 1, "en") == "+12.3%"
    assert fmt_signed_pct(-0.0001, 0, "en") == "0%"


@given(x=finite, decimals=st.integers(min_value=0, max_value=3))
def test_swedish_string_parses_back_to_rounded_value(x: float, decimals: int) -> None:
    text = fmt_number(x, decimals, "sv")
    assert SV_NUMBER.match(text), text
    assert " " not in text and "." not in text and "-" not in text
    assert parse_sv(text) == half_up(x, decimals)
    # Independent of the oracle's rounding rule: never off by more than half a unit.
    assert abs(float(parse_sv(text)) - x) <= 0.5 * 10 ** -decimals + 1e-9 * max(1.0, abs(x))


@given(x=finite, decimals=st.integers(min_value=0, max_value=3))
def test_english_and_swedish_encode_the_same_number(x: float, decimals: int) -> None:
    en = fmt_number(x, decimals, "en")
    assert EN_NUMBER.match(en), en
    assert parse_en(en) == parse_sv(fmt_number(x, decimals, "sv"))


@given(x=st.floats(min_value=-5e7, max_value=5e7, allow_nan=False))
def test_auto_tonnes_rounding_keeps_three_significant_figures(x: float) -> None:
    text = fmt_tonnes(x)
    assert text.endswith(f"{NBSP}ton")
    shown = parse_sv(text.removesuffix(f"{NBSP}ton"))
    step = 1000 if abs(x) >= 100_000 else 100 if abs(x) >= 10_000 else 10 if abs(x) >= 1000 else 1
    assert shown % step == 0
    assert abs(float(shown) - x) <= step / 2 + 1e-6


@given(x=st.floats(min_value=-100, max_value=100, allow_nan=False),
       decimals=st.integers(min_value=0, max_value=2))
def test_pct_parses_back(x: float, decimals: int) -> None:
    sv = fmt_pct(x, decimals, "sv")
    assert sv.endswith(f"{NBSP}%")
    value = float(parse_sv(sv.removesuffix(f"{NBSP}%")))
    assert math.isclose(value, x * 100, abs_tol=0.5 * 10 ** -decimals + 1e-6)
    assert fmt_pct(x, decimals, "en") == fmt_number(x * 100, decimals, "en") + "%"
