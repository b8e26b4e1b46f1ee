"""Number parsing: Swedish-formatted numbers round-trip (hypothesis), symbols never become 0."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.io.core import parse_numbers


def swedish(value: float, decimals: int, sep: str) -> str:
    """Format like a Swedish table: space/NBSP thousands, decimal comma, minus sign variants."""
    text = f"{abs(value):,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", sep)
    return ("−" if value < 0 else "") + text


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-10**12, max_value=10**12), st.integers(min_value=0, max_value=3),
       st.sampled_from([" ", "\u00a0", "\u202f", ""]))
def test_swedish_numbers_round_trip(units, decimals, sep):
    value = units / 10**decimals
    values, status, bad = parse_numbers(pd.Series([swedish(value, decimals, sep)]))
    assert not bad.iloc[0] and status.iloc[0] == ""
    assert values.iloc[0] == pytest.approx(value, rel=1e-12, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda f: round(f, 4)))
def test_english_dot_decimals_round_trip(value):
    values, _status, bad = parse_numbers(pd.Series([repr(value)]))
    assert not bad.iloc[0] and values.iloc[0] == value


@given(st.sampled_from(["..", "…", "–", "-", "—", ".", "x", "X"]))
def test_symbols_are_status_never_zero(symbol):
    values, status, bad = parse_numbers(pd.Series([symbol]))
    assert status.iloc[0] in {"..", "–", ".", "x"} and pd.isna(values.iloc[0]) and not bad.iloc[0]


@pytest.mark.parametrize("cell", ["tolv", "12 %", "1 234 kr", "1,2,3,x", "inf", "nan", "2015-01"])
def test_text_and_units_are_bad_without_units_option(cell):
    _values, _status, bad = parse_numbers(pd.Series([cell]))
    assert bad.iloc[0]


def test_units_are_reported_when_asked():
    values, _status, bad, unit = parse_numbers(pd.Series(["12,5 %", "1 234 kr", "7"]), units=True)
    assert values.tolist() == [12.5, 1234.0, 7.0] and unit.tolist() == ["%", "kr", ""] and not bad.any()


def test_mixed_separators():
    values, _s, _b = parse_numbers(pd.Series(["1.234,5", "1,234.5", "1.234.567", "0,5", "12"]))
    assert values.tolist() == [1234.5, 1234.5, 1234567.0, 0.5, 12.0]
