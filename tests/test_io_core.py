"""Shared reader machinery: sidecar options (``<file>.evalkit.json``) are checked key by key, so a
misspelt instruction is an error naming the key and the file instead of being dropped; the level
a file states is taken in a fixed order."""

import importlib
import inspect
import json
import shutil
from pathlib import Path

import pytest

from evalkit import cli
from evalkit.io import ReaderError, read_with_quarantine
from evalkit.io import core, table
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
    fmt = core.sniff_format(path)
    assert message.endswith(", ".join(sorted(core.reader_options(fmt))))  # the allowed keys, listed


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
        core.check_sidecar_options(core.sidecar_options(data_file), data_file, core.sniff_format(data_file))


@pytest.mark.parametrize("fmt", sorted(core.FORMAT_OPTIONS))
def test_every_allowed_option_is_taken_by_the_reader(fmt):
    """The allowed list is no promise the code does not keep: each name is a parameter of the reader
    or of the shared steps it hands its options to."""
    reader = importlib.import_module(f"evalkit.io.{fmt}")
    takes = set(inspect.signature(reader.read).parameters) | set(inspect.signature(core.records_to_result).parameters)
    if fmt in ("delimited", "excel"):
        takes |= set(inspect.signature(table.table_to_records).parameters)
    assert core.reader_options(fmt) <= takes


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
