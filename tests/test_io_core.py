"""Shared reader machinery: sidecar options (``<file>.evalkit.json``) are checked key by key, so a
misspelt instruction is an error naming the key and the file instead of being dropped; the level
a file states is taken in a fixed order."""

import dataclasses
import inspect
import json
import shutil
from pathlib import Path

import pytest

from evalkit import cli
from evalkit.io import ReaderError, read_with_quarantine
from evalkit.io import core, formats, table
from evalkit.paths import raw_dir

FIX = Path(__file__).parent / "fixtures" / "io"


def with_sidecar(tmp_path, fixture: str, options) -> Path:
    path = tmp_path / fixture
    shutil.copy(FIX / fixture, path)
    (tmp_path / (fixture + core.SIDECAR_SUFFIX)).write_text(json.dumps(options, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("fixture, options, key", [
    ("stadsdelsomrade_bred.csv", {"indicator": "ekonomiskt_bistand", "levle": "stadsdel"}, "'levle'"),
    # a key another format takes is still unknown here: a CSV has no sheets
    ("stadsdelsomrade_bred.csv", {"indicator": "ekonomiskt_bistand", "sheet": 0}, "'sheet'"),
    ("stadsdelsomrade_folkmangd.px", {"indicator": "folkmangd", "dimension_mapp": {}, "yeras": [2018]},
     "'dimension_mapp', 'yeras'"),
])
def test_unknown_sidecar_key_is_an_error_naming_key_and_file(tmp_path, fixture, options, key):
    path = with_sidecar(tmp_path, fixture, options)
    with pytest.raises(ReaderError) as info:
        read_with_quarantine(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{fixture}.evalkit.json: okänd inställning {key} i läsanvisningen")
    fmt = formats.format_of(path)
    assert message.endswith(", ".join(sorted(fmt.allowed_options)))  # the allowed keys, listed


def test_known_sidecar_keys_are_used(tmp_path):
    path = with_sidecar(tmp_path, "stadsdelsomrade_bred.csv",
                        {"_comment": "kommentar", "indicator": "ekonomiskt_bistand", "years": [2019],
                         "level": "stadsdel"})
    result = read_with_quarantine(path)
    assert set(result.data["year"]) == {2019} and set(result.data["area_code"]) == {"sd-skarholmen", "sd-farsta"}
    assert "områdesnivå stadsdel: angiven (level)" in result.notes


def test_sidecar_that_is_not_an_object(tmp_path):
    path = with_sidecar(tmp_path, "stadsdelsomrade_bred.csv", ["level", "stadsdel"])
    with pytest.raises(ReaderError, match="stadsdelsomrade_bred.csv.evalkit.json: läsanvisningen ska vara ett"):
        read_with_quarantine(path)


def test_unknown_option_from_code_is_a_type_error():
    with pytest.raises(TypeError, match="levle"):
        read_with_quarantine(FIX / "stadsdelsomrade_bred.csv", indicator="ekonomiskt_bistand", levle="stadsdel")


def test_bundled_sidecars_pass():
    sidecars = sorted(raw_dir().rglob("*" + core.SIDECAR_SUFFIX))
    assert sidecars
    for side in sidecars:
        data_file = side.with_name(side.name[: -len(core.SIDECAR_SUFFIX)])
        formats.check_sidecar_options(core.sidecar_options(data_file), data_file, formats.format_of(data_file))


@pytest.mark.parametrize("name", sorted(formats.FORMATS))
def test_every_allowed_option_is_taken_by_the_reader(name):
    """The allowed list is no promise the code does not keep: each name is a parameter of the reader
    or of the shared steps it hands its options to."""
    fmt = formats.FORMATS[name]
    takes = set(inspect.signature(fmt.read).parameters) | {f.name for f in dataclasses.fields(core.CheckOptions)}
    if fmt.is_table:
        takes |= set(inspect.signature(table.table_to_records).parameters)
    assert fmt.allowed_options <= takes


@pytest.mark.parametrize("fixture, name", [
    ("stadsdelsomrade_bred.csv", "delimited"), ("stadsdelsomrade_folkmangd.px", "pcaxis"),
    ("ekonomiskt_bistand.jsonstat.json", "jsonstat"), ("ohalsotal_stadsdel.xlsx", "excel"),
])
def test_format_by_suffix_and_by_content(tmp_path, fixture, name):
    """The registry knows a file by its name, and by its first bytes when the name says nothing."""
    assert formats.format_of(FIX / fixture).name == name
    renamed = tmp_path / "utan_filändelse"
    shutil.copy(FIX / fixture, renamed)
    assert formats.format_of(renamed).name == name


def test_clean_effects_and_inspect_read_through_the_registry(tmp_path):
    """One dispatch: the panel reader and the indicator reader of a file are its format's entries."""
    from evalkit.io import panel

    path = tmp_path / "panel.dat"  # no suffix the registry knows: found by content, both ways
    path.write_text("Stadsdel;År;Värde\nRinkeby;2019;1,5\nHusby;2019;2,5\n", encoding="utf-8")
    assert formats.format_of(path) is formats.DELIMITED
    read = panel.read_panel(path, area="Stadsdel", year="År", value="Värde")
    assert read.data["value"].tolist() == [1.5, 2.5]
    tidy = formats.read_with_quarantine(path, indicator="ekonomiskt_bistand", level="stadsdel").data
    assert tidy["value"].tolist() == [1.5, 2.5]


def test_validate_and_clean_exit_2_on_an_unknown_key(tmp_path, monkeypatch, capsys):
    path = with_sidecar(tmp_path, "stadsdelsomrade_bred.csv", {"indicator": "ekonomiskt_bistand", "nivå": "sdo"})
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'nivå'" in err and "stadsdelsomrade_bred.csv.evalkit.json" in err

    root = tmp_path / "root"
    raw = root / "data" / "raw"
    (raw / "stad").mkdir(parents=True)
    for folder in ("programme", "geography"):  # the catalogue and the registry the checks read
        shutil.copytree(raw_dir() / folder, raw / folder)
    (raw / "sources.csv").write_text("path,indicator,level,description\nstad/stadsdelsomrade_bred.csv,,,test\n",
                                     encoding="utf-8")
    with_sidecar(raw / "stad", "stadsdelsomrade_bred.csv", {"indicator": "ekonomiskt_bistand", "nivå": "sdo"})
    monkeypatch.setenv("EVALKIT_ROOT", str(root))
    assert cli.main(["clean", "--force"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("fel: stadsdelsomrade_bred.csv.evalkit.json: okänd inställning 'nivå'")


def test_file_level_order():
    """Given level > heading > title > codes; a title only settles names that fit both levels."""
    everything = dict(heading="Stadsdel", titles=["Per stadsdelsområde"], codes=["SDN01"])
    assert core.file_level("stadsdelsomrade", **everything).options() == {"level": "stadsdelsomrade",
                                                                         "tie_level": None}
    assert core.file_level(None, **everything).options() == {"level": "stadsdel", "tie_level": None}
    assert core.file_level(None, heading="Område", titles=["Per stadsdelsområde"], codes=["sd-husby"]).options() == \
        {"level": None, "tie_level": "stadsdelsomrade"}
    assert core.file_level(None, heading="Område", titles=[""], codes=["sd-husby", "stockholm"]).options() == \
        {"level": "stadsdel", "tie_level": None}
    # codes of both levels say nothing
    nothing = core.file_level(None, heading="Område", codes=["sd-husby", "sdo-farsta"])
    assert nothing.options() == {"level": None, "tie_level": None} and "anges inte av filen" in nothing.note
