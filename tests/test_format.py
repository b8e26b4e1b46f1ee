"""Swedish number formatting."""

import math

from evalkit.present import format as fmt

NBSP = "\u00a0"


def test_decimal_comma_and_space_thousands():
    assert fmt.number(1234567.891, 1) == f"1{NBSP}234{NBSP}567,9"
    assert fmt.number(999, 0) == "999"


def test_percent_has_space_before_sign():
    assert fmt.percent(12.345) == f"12,3{NBSP}%"


def test_rounds_half_up_like_official_statistics():
    assert fmt.number(2.675, 2) == "2,68"
    assert fmt.number(0.05, 1) == "0,1"


def test_missing_and_status_symbols():
    assert fmt.number(math.nan) == ".."
    assert fmt.percent(12.0, status="x") == "x"
    assert fmt.value_for_unit(3.0, "procent", "..") == ".."


def test_change_is_signed_with_unit():
    assert fmt.change(-1.25, 1, "procentenheter") == "\u22121,3 procentenheter"
    assert fmt.change(2, 1) == "+2,0"
    assert fmt.change(0, 1) == "±0,0"


def test_years_have_no_separator():
    assert fmt.year(2015.0) == "2015"
