"""`evalkit inspect`: how a file is read, why one cannot be, and a sidecar with which it then can."""

import json

import openpyxl
import pandas as pd
import pytest

from evalkit.cli import main
from evalkit.io import read_with_quarantine
from evalkit.present import inspect

from conftest import seed_disclosure_cache
from test_layouts import LAYOUTS


def unit_sheet(path, one_year: bool = False):
    """A city export whose area column is headed "Enhet" (the unit of the administration), which
    evalkit does not know as an area heading; with ``one_year`` the header has a single year, so
    evalkit does not even find it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Ekonomiskt bistånd, andel av befolkningen (procent)"
    ws.append([])
    years = [2019] if one_year else [2018, 2019]
    ws.append(["Enhet", *years])                                  # row 3
    ws.append(["Rinkeby-Kista", *([11.0, 10.5][-len(years):])])   # row 4
    ws.append(["Spånga-Tensta", *([8.5, 8.25][-len(years):])])    # row 5
    wb.save(path)
    return path


def test_readable_file_is_described(tmp_path):
    layout = next(x for x in LAYOUTS if x.filename == "both.xlsx")
    path = tmp_path / layout.filename
    layout.write(path)
    found = inspect.inspect(path, indicator="ekonomiskt_bistand")
    text = "\n".join(found.lines)
    assert found.exit_code == 0
    assert "rubrikrad: rad 4: Stadsdelsområde | 2015 | 2016 | 2017 | Totalt | Kommentar" in text
    assert "  Stadsdelsområde: område" in text and "  2016: värden för år 2016" in text
    assert "  Totalt: läses inte" in text and "  Kommentar: läses inte" in text
    assert "områdesnivå stadsdelsområde: från områdeskolumnens namn 'Stadsdelsområde'" in text
    assert "år: 2015, 2016, 2017" in text and "indikator: ekonomiskt_bistand (enhet: procent)" in text
    assert "  rad 5: sdo-rinkeby-kista (Rinkeby-Kista), ekonomiskt_bistand, 2015, 12,5, –" in text
    assert "lästa 12, användbara 12, undantagna 0 (stämmer)" in text
    assert not (tmp_path / "both.xlsx.evalkit.json").exists()  # inspect writes nothing unasked


def test_set_aside_rows_are_listed_with_exit_1(tmp_path):
    layout = next(x for x in LAYOUTS if x.filename == "total_rows.xlsx")
    path = tmp_path / layout.filename
    layout.write(path)
    found = inspect.inspect(path, indicator="ekonomiskt_bistand")
    assert found.exit_code == 1
    assert any("rad 9" in line and "summarad ('Summa')" in line for line in found.lines)


@pytest.mark.parametrize("one_year", [False, True], ids=["okand-rubrik", "ingen-rubrikrad"])
def test_unreadable_file_explained_and_sidecar_makes_it_readable(tmp_path, one_year):
    path = unit_sheet(tmp_path / "enhet.xlsx", one_year)
    found = inspect.inspect(path, indicator="ekonomiskt_bistand")
    text = "\n".join(found.lines)
    if one_year:
        assert found.exit_code == 2
        assert "kan inte läsas: enhet.xlsx:" in text
        assert "  rad 3: Enhet | " in text                      # the rows as evalkit saw them
        assert "evalkit hittade ingen rubrikrad" in text
    else:  # "Enhet" holds area names evalkit knows: guessed before asking, and said
        assert found.exit_code == 0, found.lines
        assert "områdeskolumn 'Enhet': gissad från innehållet" in text
        assert found.lines[-1].startswith("läsanvisning som ger denna läsning")
    assert found.sidecar["header_row"] == 3 and found.sidecar["area_column"] == "Enhet"
    assert found.sidecar["indicator"] == "ekonomiskt_bistand"

    written = inspect.write_sidecar(path, found.sidecar)
    assert written == tmp_path / "enhet.xlsx.evalkit.json"
    assert json.loads(written.read_text(encoding="utf-8"))["area_column"] == "Enhet"
    again = inspect.inspect(path)                           # the indicator now comes from the sidecar
    assert again.exit_code == 0, again.lines
    assert "  Enhet: område (area_column)" in again.lines
    data = read_with_quarantine(path).data.set_index(["area_code", "year"])["value"].to_dict()
    expected = {("sdo-rinkeby-kista", 2019): 10.5, ("sdo-spanga-tensta", 2019): 8.25}
    if not one_year:
        expected.update({("sdo-rinkeby-kista", 2018): 11.0, ("sdo-spanga-tensta", 2018): 8.5})
    assert data == pytest.approx(expected)


def test_cli_writes_the_sidecar_once_and_never_over_an_edited_one(tmp_path, capsys):
    path = unit_sheet(tmp_path / "enhet.xlsx")
    assert main(["inspect", str(path), "--indicator", "ekonomiskt_bistand", "--write-sidecar"]) == 0
    out = capsys.readouterr().out
    assert "läsanvisning som ger denna läsning" in out and "skrev enhet.xlsx.evalkit.json" in out
    side = tmp_path / "enhet.xlsx.evalkit.json"
    edited = json.loads(side.read_text(encoding="utf-8")) | {"years": [2019]}
    side.write_text(json.dumps(edited), encoding="utf-8")
    assert main(["inspect", str(path), "--write-sidecar"]) == 1   # 2018 now outside the selection
    out = capsys.readouterr().out
    assert "finns redan och skrivs inte över" in out
    assert json.loads(side.read_text(encoding="utf-8"))["years"] == [2019]


def test_missing_indicator_is_said_and_left_to_the_user(tmp_path):
    path = unit_sheet(tmp_path / "enhet.xlsx")
    (tmp_path / "enhet.xlsx.evalkit.json").write_text('{"area_column": "Enhet"}', encoding="utf-8")
    found = inspect.inspect(path)
    assert found.exit_code == 2
    assert any("filen anger ingen indikator" in line for line in found.lines)
    assert "indicator" not in found.sidecar and '"indicator"' in found.sidecar["_comment"]


def test_wrong_area_column_in_sidecar_is_named(tmp_path):
    path = unit_sheet(tmp_path / "enhet.xlsx")
    (tmp_path / "enhet.xlsx.evalkit.json").write_text('{"area_column": "Område", "indicator": "ekonomiskt_bistand"}',
                                                      encoding="utf-8")
    found = inspect.inspect(path)
    assert found.exit_code == 2
    assert any("områdeskolumnen 'Område' (area_column) finns inte i rubrikraden" in line for line in found.lines)


def test_transposed_table_roles(tmp_path):
    layout = next(x for x in LAYOUTS if x.filename == "transposed.xlsx")
    path = tmp_path / layout.filename
    layout.write(path)
    found = inspect.inspect(path, indicator="ekonomiskt_bistand")
    assert found.exit_code == 1                      # the change row is no year: set aside
    assert "  År: år (ett år per rad)" in found.lines and "  Farsta: område (värden per år)" in found.lines
    assert "  Kommentar: läses inte: förändring, total eller kommentar, inte ett område" in found.lines


# --------------------------------------------------------------------------- README: "Bring your own data"

@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """The README's walk on a copy of data/raw: the messy file saved unchanged under data/raw/stad/,
    `inspect --write-sidecar`, `validate`, a line in sources.csv, `clean`."""
    import contextlib
    import io
    import shutil

    from evalkit import paths

    from test_layouts import make_layouts

    root = tmp_path_factory.mktemp("walk")
    shutil.copytree(paths.raw_dir(), root / "data" / "raw")
    raw = root / "data" / "raw"
    (raw / "stad").mkdir(exist_ok=True)
    path = raw / "stad" / "ohalsotal.xlsx"
    make_layouts.write_walk_xlsx(path)
    out = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALKIT_ROOT", str(root))
        for step, argv in (("inspect", ["inspect", str(path), "--indicator", "ohalsotal", "--write-sidecar"]),
                           ("validate", ["validate", str(path)])):
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                out[step] = (main(argv), buffer.getvalue())
        with (raw / "sources.csv").open("a", encoding="utf-8") as f:
            f.write('stad/ohalsotal.xlsx,,,"Försäkringskassan via stadsledningskontoret: ohälsotal per stadsdel '
                    '2019–2020",indicators\n')
        buffer = io.StringIO()
        seed_disclosure_cache(root / "data" / "processed")
        with contextlib.redirect_stdout(buffer):
            out["clean"] = (main(["clean", "--force"]), buffer.getvalue())
    published = pd.read_parquet(root / "data" / "processed" / "indicators_published.parquet")
    return path, out, published, make_layouts.walk_expected()


@pytest.mark.slow
def test_walk_inspect_writes_a_sidecar_that_names_every_column(walked):
    path, out, _published, _expected = walked
    code, text = out["inspect"]
    assert code == 1                               # Kön's Kvinnor and Män are set aside, the total read
    assert "lästa 18, användbara 6, undantagna 12 (stämmer)" in text
    assert "skrev ohalsotal.xlsx.evalkit.json" in text
    side = json.loads(path.with_name("ohalsotal.xlsx.evalkit.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in side.items() if k != "_comment"} == {
        "header_row": 3, "area_column": "Enhet", "year_column": "Årtal", "value_column": "Ohälsotal (dagar)",
        "numerator_column": "Antal dagar", "denominator_column": "Befolkning 16–64 år",
        "select": {"Kön": ["Totalt"]}, "indicator": "ohalsotal"}
    assert "2020*" in text                         # the preliminary marker is noted, the year read as 2020


@pytest.mark.slow
def test_walk_validate_agrees_and_clean_publishes_the_file(walked):
    _path, out, published, expected = walked
    code, text = out["validate"]
    assert code == 1 and "ohalsotal.xlsx: lästa 18, användbara 6, undantagna 12 (stämmer)" in text
    code, report = out["clean"]
    assert code == 0, report
    assert "stad/ohalsotal.xlsx: lästa 18, behållna 6, undantagna 12 (stämmer)" in report
    rows = published[published["indicator"] == "ohalsotal"]
    got = {(r.area_code, int(r.year)): (r.value, r.numerator, r.denominator) for r in rows.itertuples()
           if (r.area_code, int(r.year)) in expected}
    assert got == expected          # the file's values (as typed), not the demo's they replace


@pytest.mark.parametrize("kind", ["dangling link", "link to a file", "folder", "file"])
def test_write_sidecar_refuses_any_existing_name_and_never_follows_a_link(tmp_path, kind):
    """Issue 25: ``exists()`` is False for a dangling link, so the old check wrote through it."""
    path = tmp_path / "in" / "tabell.csv"
    path.parent.mkdir()
    path.write_text("x")
    target = path.with_name(path.name + ".evalkit.json")
    outside = tmp_path / "utanfor.json"
    if kind == "dangling link":
        target.symlink_to(outside)
    elif kind == "link to a file":
        outside.write_text("användarens egen fil")
        target.symlink_to(outside)
    elif kind == "folder":
        target.mkdir()
    else:
        target.write_text('{"header_row": 2}')
    assert inspect.write_sidecar(path, {"header_row": 3}) is None
    assert (not outside.exists()) if kind == "dangling link" else True
    if kind == "link to a file":
        assert outside.read_text() == "användarens egen fil"
    if kind == "file":
        assert target.read_text() == '{"header_row": 2}'


def test_write_sidecar_writes_a_new_one(tmp_path):
    path = tmp_path / "tabell.csv"
    path.write_text("x")
    written = inspect.write_sidecar(path, {"header_row": 3})
    assert written == tmp_path / "tabell.csv.evalkit.json" and '"header_row": 3' in written.read_text()
