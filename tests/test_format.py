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


def test_negative_numbers_carry_a_real_minus_sign():
    # Alt texts, tables and sentences all go through number(): a hyphen would be read as a dash.
    assert fmt.number(-1234.5, 1) == f"\u22121{NBSP}234,5"
    assert "-" not in fmt.number(-0.5, 2)
    assert fmt.percent(-3.0, 0) == f"\u22123{NBSP}%"


def test_a_value_that_rounds_to_zero_has_no_sign():
    assert fmt.number(-0.04, 1) == "0,0"
    assert fmt.number(-0.0) == "0"


def test_number_exact_shows_the_decimals_a_value_needs():
    assert fmt.number_exact(0.25) == "0,25"
    assert fmt.number_exact(2.0) == "2"
    assert fmt.number_exact(0.85, 3) == "0,85"
    assert fmt.number_exact(1 / 3, 3) == "0,333"
    assert fmt.number_exact(math.nan) == ".."


def test_swedish_ordinals():
    assert [fmt.ordinal(n) for n in (1, 2, 3, 11, 12, 21, 22, 101, 111, 112)] == [
        "1:a", "2:a", "3:e", "11:e", "12:e", "21:a", "22:a", "101:a", "111:e", "112:e"]


def test_counts_take_the_noun_in_the_right_number():
    assert fmt.count(1, "indatafil", "indatafiler") == "1 indatafil"
    assert fmt.count(0, "rad", "rader") == "0 rader"
    assert fmt.count(1234, "rad", "rader") == "1\u00a0234 rader"


def test_names_sort_in_swedish_order():
    names = ["Östberga", "Älvsjö", "Åkeshov", "Abrahamsberg", "Oxhagen", "Zinkensdamm", "Ängby", "Ålsten", "Enskede"]
    assert sorted(names, key=fmt.sort_key_sv) == ["Abrahamsberg", "Enskede", "Oxhagen", "Zinkensdamm", "Åkeshov",
                                                  "Ålsten", "Älvsjö", "Ängby", "Östberga"]
