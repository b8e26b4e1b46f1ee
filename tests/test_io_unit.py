"""The unit a file states in its title or headings is checked against the indicator catalogue."""

from pathlib import Path

import pytest

from evalkit.io import read_with_quarantine
from evalkit.io.core import stated_unit

ROWS = "Stadsdel;2019;2020\nRinkeby;{a};{b}\nHusby;{c};{d}\n"


def _write(tmp_path: Path, title: str, a="10,5", b="9,8", c="8,1", d="7,9") -> Path:
    path = tmp_path / "tabell.csv"
    path.write_text(f"{title}\n\n" + ROWS.format(a=a, b=b, c=c, d=d), encoding="utf-8")
    return path


@pytest.mark.parametrize("text, unit", [
    ("Andel invånare med ekonomiskt bistånd 2015–2020, procent", "procent"),
    ("Andel med ekonomiskt bistånd (%)", "procent"),
    ("Anmälda brott per 1 000 invånare", "per 1 000 invånare"),
    ("Antal färdigställda bostäder", "antal"),
    ("Andel av antalet invånare som har ekonomiskt bistånd", None),  # a share, not a count
    ("Folkmängd 31 december", None),
])
def test_units_stated_in_titles(text, unit):
    found = stated_unit([text])
    assert (found[0] if found else None) == unit


def test_several_different_units_say_nothing():
    assert stated_unit(["Antal personer", "Andel i procent"]) is None


def test_a_share_table_titled_in_percent_reads_and_says_where_the_unit_came_from(tmp_path):
    result = read_with_quarantine(_write(tmp_path, "Tabell 1. Andel invånare med ekonomiskt bistånd, procent"),
                                  indicator="ekonomiskt_bistand")
    assert result.quarantine.empty and len(result.data) == 4
    assert sorted(result.data["value"]) == [7.9, 8.1, 9.8, 10.5]
    assert any(n.startswith("enhet procent: från 'Tabell 1.") for n in result.notes)


def test_a_count_table_is_never_read_as_shares(tmp_path):
    result = read_with_quarantine(_write(tmp_path, "Tabell 1. Antal personer med ekonomiskt bistånd",
                                         "1050", "980", "810", "790"), indicator="ekonomiskt_bistand")
    assert result.data.empty and result.reconciles()
    assert result.quarantine["column"].eq("indicator").all()
    assert result.quarantine["reason"].str.contains("filen anger enheten antal").all()


def test_a_given_value_unit_wins_over_the_title(tmp_path):
    path = _write(tmp_path, "Tabell 1. Antal personer med ekonomiskt bistånd")
    assert read_with_quarantine(path, indicator="ekonomiskt_bistand").data.empty
    result = read_with_quarantine(path, indicator="ekonomiskt_bistand", value_unit="procent")
    assert len(result.data) == 4 and not any(n.startswith("enhet ") for n in result.notes)
