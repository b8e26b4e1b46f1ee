"""Published layouts (issue 19): each fixture, written as its publisher writes it, reads to exact values.

The corpus test reads them all and prints how many layouts were tried and that rows in = kept +
set aside for every one; the single tests pin what each layout is about (a note naming an
ignored column, a sum row set aside with its reason, the city resolved from a total row).
"""

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from evalkit import geography
from evalkit.io import read_with_quarantine

spec = importlib.util.spec_from_file_location(
    "make_layouts", Path(__file__).parent / "fixtures" / "layouts" / "make_layouts.py")
make_layouts = importlib.util.module_from_spec(spec)
sys.modules["make_layouts"] = make_layouts  # dataclasses look their module up there
spec.loader.exec_module(make_layouts)
LAYOUTS = make_layouts.LAYOUTS
INDICATOR = "ekonomiskt_bistand"


def read_layout(layout, folder: Path):
    path = folder / layout.filename
    layout.write(path)
    return read_with_quarantine(path, indicator=layout.indicator, **layout.options)


READ = [x for x in LAYOUTS if not x.error]
STOPS = [x for x in LAYOUTS if x.error]


def tidy_values(result) -> dict:
    """``{(area_code, year): value}`` (with the indicator first when there are several); fails on a
    duplicate key (a column read twice as one year)."""
    cols = [result.data["area_code"], result.data["year"].astype(int)]
    if result.data["indicator"].nunique() > 1:
        cols.insert(0, result.data["indicator"])
    keys = list(zip(*cols))
    assert len(keys) == len(set(keys)), f"dubbla poster: {keys}"
    return dict(zip(keys, result.data["value"]))


@pytest.mark.parametrize("layout", READ, ids=[x.filename for x in READ])
def test_layout_reads_to_exact_values(layout, tmp_path):
    result = read_layout(layout, tmp_path)
    assert tidy_values(result) == pytest.approx(layout.expected)
    got_aside = result.quarantine.groupby("row_number")["reason"].first().to_dict()
    if layout.set_aside is None:  # PC-Axis/JSON-stat: the members beside the total, whatever their cells
        assert got_aside and all(r.startswith("utanför urvalet") for r in got_aside.values()), got_aside
    else:
        assert set(got_aside) == set(layout.set_aside)
        for row, start in layout.set_aside.items():
            assert got_aside[row].startswith(start), (row, got_aside[row])
    for heading in layout.ignored:
        assert any("läses inte" in n and heading in n for n in result.notes), result.notes
    assert result.reconciles()


@pytest.mark.parametrize("layout", STOPS, ids=[x.filename for x in STOPS])
def test_layout_that_cannot_be_read_stops_with_one_line(layout, tmp_path):
    from evalkit.io import ReaderError

    with pytest.raises(ReaderError) as stop:
        read_layout(layout, tmp_path)
    assert str(stop.value).startswith(layout.error) and "\n" not in str(stop.value)


def test_corpus_every_layout_reconciles(tmp_path, capsys):
    """All layouts: exact values, and rows in = kept + set aside for each."""
    lines = []
    for layout in READ:
        result = read_layout(layout, tmp_path)
        assert tidy_values(result) == pytest.approx(layout.expected)
        assert result.rows_read == len(result.data) + result.set_aside_count()
        lines.append(f"{layout.filename}: in {result.rows_read} = behållna {len(result.data)} "
                     f"+ undantagna {result.set_aside_count()}")
    with capsys.disabled():
        print(f"\n{len(LAYOUTS)} layouter provade; in = behållna + undantagna för alla")
        print("\n".join(lines))
    assert len(lines) == len(READ) >= 8


def test_change_column_is_not_read_as_its_last_year(tmp_path):
    """"Förändring 2015–2017" ends in 2017 but holds a difference: 2017 is read from the 2017 column."""
    result = read_layout(LAYOUTS[2], tmp_path)
    assert tidy_values(result)[("sdo-rinkeby-kista", 2017)] == pytest.approx(11.2)
    assert result.rows_read == 4 * 3


def test_year_headers_that_stay_year_columns():
    """A total or mean *with a year* is still that year's column (SCB: "Totalt 2020"); a change or
    a range is not."""
    from evalkit.io.table import year_of_header

    assert year_of_header("Totalt 2020") == (2020, "Totalt")
    assert year_of_header("Medelvärde för samtliga, tkr 2020") == (2020, "Medelvärde för samtliga, tkr")
    assert year_of_header("Förändring 2019") is None
    assert year_of_header("2015–2019") is None
    assert year_of_header("Kommentar 2019") is None


def test_total_rows_resolve_to_the_city_whatever_the_level():
    """"Stockholm totalt" under a "Stadsdelsområde" heading is the city; "Summa" is no area."""
    from evalkit.io.core import resolve_areas
    import pandas as pd

    names = pd.Series(["Stockholm totalt", "Hela staden", "Summa", "TOTALT", "Farsta", "Riket totalt"])
    codes, errors = resolve_areas(names, "stadsdelsomrade")
    assert codes.tolist() == ["stockholm", "stockholm", "", "", "sdo-farsta", "riket"]
    assert errors[2].startswith("summarad ('Summa')") and errors[3].startswith("summarad ('TOTALT')")
    assert geography.is_sum_row("Summa:") and not geography.is_sum_row("Summer")


@pytest.mark.parametrize("skip", [False, True])
def test_hidden_rows_and_columns_are_never_silent(tmp_path, skip):
    layout = next(x for x in LAYOUTS if x.filename == ("hidden_skip.xlsx" if skip else "hidden_read.xlsx"))
    result = read_layout(layout, tmp_path)
    note = next(n for n in result.notes if "dolda rader" in n)
    assert note.startswith("1 dolda rader och 1 dolda kolumner")
    assert ("undantogs" in note) == skip
    assert result.set_aside_count() == (3 + 3 if skip else 0)   # Farsta's 3 cells + 2016 of the other 3 rows


def test_hidden_option_is_checked(tmp_path):
    from evalkit.io import ReaderError

    path = tmp_path / "hidden.xlsx"
    make_layouts.write_hidden_xlsx(path)
    with pytest.raises(ReaderError, match="hidden ska vara"):
        read_with_quarantine(path, indicator=INDICATOR, hidden="ja")


@pytest.mark.parametrize("written", make_layouts.SUFFIXED)
def test_area_names_with_level_words(written):
    assert geography.resolve(written).startswith("sdo-")


def test_numbers_like_years_and_level_words_never_start_a_table(tmp_path):
    """A population of 2015 and 2016, or "stadsdel" in a level column, are data, not a new table's header."""
    (tmp_path / "pop.csv").write_text("Stadsdel;2015;2016\nHusby;2015;2016\nAkalla;2017;2030\n", encoding="utf-8")
    wide = read_with_quarantine(tmp_path / "pop.csv", indicator="folkmangd")
    assert tidy_values(wide) == {("sd-husby", 2015): 2015, ("sd-husby", 2016): 2016,
                                 ("sd-akalla", 2015): 2017, ("sd-akalla", 2016): 2030}
    (tmp_path / "long.csv").write_text("Nivå;Område;År;Värde\nstadsdel;Husby;2015;3\nstadsdel;Akalla;2016;4\n",
                                       encoding="utf-8")
    long = read_with_quarantine(tmp_path / "long.csv", indicator="folkmangd")
    assert tidy_values(long) == {("sd-husby", 2015): 3, ("sd-akalla", 2016): 4}
    assert not any("tabeller under varandra" in n for n in wide.notes + long.notes)


# --------------------------------------------------------------------------- one reading path (issue 23)

def _placed(layout, folder: Path) -> Path:
    """The layout's file in ``folder``, its reader options (if any) in a sidecar beside it – the
    way `clean` gets them – so that inspect, validate and clean read the very same thing."""
    import json

    path = folder / layout.filename
    layout.write(path)
    if layout.options:
        (folder / (layout.filename + ".evalkit.json")).write_text(json.dumps(layout.options), encoding="utf-8")
    return path


def _counts(text: str) -> tuple[int, int, int] | None:
    import re

    found = re.search(r"lästa (\d+), användbara (\d+), undantagna (\d+)", text)
    return tuple(int(x) for x in found.groups()) if found else None


@pytest.mark.parametrize("layout", LAYOUTS, ids=[x.filename for x in LAYOUTS])
def test_inspect_validate_and_clean_agree(layout, tmp_path, capsys):
    """Same result, same counts, same exit status from `inspect`, `validate` and `clean`'s reading
    of every source (:func:`evalkit.clean.read_sources`), for every layout; no traceback."""
    from evalkit import clean
    from evalkit.cli import main
    from evalkit.io import ReaderError
    from evalkit.present import inspect

    raw = tmp_path / "raw"
    (raw / "stad").mkdir(parents=True)
    path = _placed(layout, raw / "stad")
    (raw / "sources.csv").write_text("path,indicator,level,description,kind\n"
                                     f"stad/{layout.filename},{layout.indicator},,fixtur,indicators\n", encoding="utf-8")
    found = inspect.inspect(path, indicator=layout.indicator)
    validate_code = main(["validate", str(path), "--indicator", layout.indicator])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert found.exit_code == validate_code
    if layout.error:
        assert validate_code == 2 and layout.error in out.err and any(layout.error in x for x in found.lines)
        with pytest.raises(ReaderError, match=layout.error[:40].replace("(", r"\(").replace(")", r"\)")):
            clean.read_sources(raw)
        return
    kept, _quarantine, reports = clean.read_sources(raw)
    (report,) = reports
    counts = (report.rows_read, report.rows_kept, report.rows_set_aside)
    assert _counts(out.out) == counts
    assert _counts("\n".join(found.lines)) == counts
    assert validate_code == (1 if report.rows_set_aside else 0)
    assert report.reconciles
    inspected = inspect.read_as_clean(path, indicator=layout.indicator).data
    # clean adds what sources.csv says of the file – its origin (empty there: real) and, for rows
    # without a source of their own, its description as the source; the reading itself is the same
    assert set(kept["origin"]) <= {"real"} and set(kept["source"]) <= {"fixtur"}
    pd.testing.assert_frame_equal(inspected.drop(columns="source").reset_index(drop=True),
                                  kept.drop(columns=["origin", "source"]).reset_index(drop=True))
    got = dict(zip(zip(kept["area_code"], kept["year"].astype(int)), kept["value"]))
    if kept["indicator"].nunique() == 1:
        assert got == pytest.approx(layout.expected)


def test_inspect_always_ends_with_a_sidecar_that_reads_the_file(tmp_path):
    """For every readable layout, the reading instruction inspect proposes, written beside a fresh
    copy, reads it to the same values without any option given."""
    import json

    from evalkit.present import inspect

    for layout in READ:
        folder = tmp_path / layout.filename.replace(".", "_")
        folder.mkdir()
        path = _placed(layout, folder)
        found = inspect.inspect(path, indicator=layout.indicator)
        assert found.exit_code in (0, 1), found.lines
        assert found.lines[-1].startswith("läsanvisning som ger denna läsning"), found.lines[-1]
        fresh = tmp_path / "fresh" / layout.filename.replace(".", "_")
        fresh.mkdir(parents=True)
        layout.write(fresh / layout.filename)
        side = {**{k: v for k, v in found.sidecar.items() if k != "_comment"}}
        (fresh / (layout.filename + ".evalkit.json")).write_text(json.dumps(side), encoding="utf-8")
        again = read_with_quarantine(fresh / layout.filename)
        assert tidy_values(again) == pytest.approx(layout.expected), layout.filename


# --------------------------------------------------------------------------- roles, messages, units (issue 23)

def test_value_column_that_cannot_be_told_is_asked_for_by_heading_and_key(tmp_path, capsys):
    """Two number columns, neither named like the indicator: the stop names the file's headings
    and the sidecar key, never the internal name; the flag (or the key) then reads the file."""
    from evalkit.cli import main
    from evalkit.io import ReaderError

    path = tmp_path / "matt.csv"
    path.write_text("Stadsdelsområde;År;Mått A;Mått B\nFarsta;2015;41;4,1\nFarsta;2016;39;3,9\n", encoding="utf-8")
    with pytest.raises(ReaderError) as stop:
        read_with_quarantine(path, indicator=INDICATOR)
    message = str(stop.value)
    assert "ingen värdekolumn" in message and "'Mått A', 'Mått B'" in message
    assert '"value_column": "Mått A"' in message and "value:" not in message and "saknas: value" not in message
    assert main(["validate", str(path), "--indicator", INDICATOR, "--value-column", "Mått B"]) == 0
    assert "matt.csv: lästa 2, användbara 2, undantagna 0" in capsys.readouterr().out
    got = read_with_quarantine(path, indicator=INDICATOR, value_column="Mått B").data
    assert dict(zip(got["year"], got["value"])) == {2015: 4.1, 2016: 3.9}
    with pytest.raises(ReaderError, match=r"värdekolumnen 'Mått C' \(value_column\) finns inte i rubrikraden"):
        read_with_quarantine(path, indicator=INDICATOR, value_column="Mått C")


def test_guessed_roles_read_numerator_and_denominator(tmp_path):
    """The issue's workbook: value, numerator and denominator told from the catalogue; Akalla 2015
    = 162 624 / 6 160 = 26,4, one row per area and year (Kön's total), the guesses in the notes."""
    layout = next(x for x in LAYOUTS if x.filename == "long_roles.xlsx")
    result = read_layout(layout, tmp_path)
    akalla = result.data.set_index(["area_code", "year"]).loc[("sd-akalla", 2015)]
    assert (akalla["value"], akalla["numerator"], akalla["denominator"]) == (26.4, 162624, 6160)
    notes = " ".join(result.notes)
    assert "värdekolumn 'Ohälsotal (dagar)': gissad" in notes and "täljarkolumn 'Antal dagar'" in notes
    assert "nämnarkolumn 'Befolkning 16–64 år'" in notes and "bara totalen 'Totalt' läses" in notes


def test_year_markers_are_noted(tmp_path):
    for name, marked in (("year_markers.csv", "2016*"), ("long_markers.csv", "2017*"), ("year_markers.xlsx", "2017¹")):
        result = read_layout(next(x for x in LAYOUTS if x.filename == name), tmp_path)
        assert any("markering" in n and marked in n for n in result.notes), result.notes


def test_tree_levels_per_row_and_set_aside_rows_with_their_year(tmp_path):
    result = read_layout(next(x for x in LAYOUTS if x.filename == "tree_indent.xlsx"), tmp_path)
    levels = dict(zip(result.data["area_code"], result.data["area_level"]))
    assert levels["sdo-skarholmen"] == "stadsdelsomrade" and levels["sd-skarholmen"] == "stadsdel"
    assert any(n.startswith("hierarkisk områdeskolumn") for n in result.notes)
    aside = result.quarantine[result.quarantine["row_number"] == 15]
    assert sorted(aside["value"]) == [f"Ingenstans (år {y})" for y in make_layouts.YEARS]
    assert set(aside["column"]) == {"Område"}                      # the file's heading


@pytest.mark.parametrize("fmt", ["px", "json"])
def test_pcaxis_units_and_jsonstat_unit_are_checked(tmp_path, fmt):
    """A PC-Axis UNITS or a JSON-stat unit that is not the catalogue's sets the rows aside with the reason."""
    path = tmp_path / f"kon.{fmt}"
    (make_layouts.write_px if fmt == "px" else make_layouts.write_jsonstat)(path)
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'UNITS="procent"', b'UNITS="antal"') if fmt == "px"
                     else raw.replace(b'"label": "procent"', b'"label": "antal"'))
    result = read_with_quarantine(path, indicator=INDICATOR)
    assert result.data.empty and result.reconciles()
    assert result.quarantine["reason"].str.startswith("filen anger enheten antal").sum() == 12
    assert any(n.startswith("enhet antal: från") for n in result.notes)


def test_breakdown_total_members():
    from evalkit.io.table import is_total_member

    assert all(map(is_total_member, ["Totalt", "Samtliga", "Båda könen", "Alla", "samtliga åldrar", "Totalt 16-64 år"]))
    assert not any(map(is_total_member, ["Kvinnor", "Män", "16–29 år", "Sverige", "Allmänt"]))
