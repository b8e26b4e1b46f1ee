"""Messages in the user's terms: options to use (--level, --indicator, --years), never Python syntax."""

import argparse
import errno

import pytest

from evalkit import cli
from evalkit.build import plan


def _build_jobs(*argv):
    return cli.build_jobs(cli.parser().parse_args(["build", *argv]))


@pytest.mark.parametrize("text", ["2016-2019", "2016–2019", "2016—2019", " 2016 – 2019 ", "2016−2019"])
def test_years_accept_hyphen_and_dashes(text):
    assert plan.parse_years(text) == (2016, 2019)
    assert [job.slug for job in _build_jobs("--district", "Rinkeby", "--years", text)] == ["sd-rinkeby_2016-2019"]


@pytest.mark.parametrize("text, expected", [("2016", "--years ska skrivas START-SLUT, t.ex. --years 2016-2019"),
                                            ("2016/2019", "--years ska skrivas START-SLUT"),
                                            ("2019–2016", "--years: Ogiltigt årsintervall 2019–2016"),
                                            ("2001-2019", "--years: Ogiltigt årsintervall")])
def test_bad_years_name_the_option(text, expected, capsys):
    assert cli.main(["build", "--district", "Rinkeby", "--years", text]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"fel: {expected}") and "int()" not in err


def test_ambiguous_district_names_the_level_option_not_python(capsys):
    assert cli.main(["build", "--district", "Skarholmen"]) == 2
    err = capsys.readouterr().err
    assert "--level stadsdel eller --level stadsdelsomrade" in err
    assert "--district sd-skarholmen eller --district sdo-skarholmen" in err
    assert "level=" not in err and "'stadsdel'" not in err
    assert [job.slug for job in _build_jobs("--district", "Skarholmen", "--level", "stadsdelsomrade")] == ["sdo-skarholmen"]
    assert [job.slug for job in _build_jobs("--district", "Skärholmen", "--level", "stadsdel")] == ["sd-skarholmen"]


def test_unknown_district_names_the_option(capsys):
    assert cli.main(["build", "--district", "Atlantis"]) == 2
    assert capsys.readouterr().err.startswith("fel: --district: Okänt område 'Atlantis'")


def test_every_option_of_every_subcommand_is_described(capsys):
    subparsers = next(a for a in cli.parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        assert sub.description, name
        for action in sub._actions:
            assert action.help and action.help.strip(), (name, action.dest)
    with pytest.raises(SystemExit):
        cli.main(["validate", "--help"])
    out = capsys.readouterr().out
    for text in ("FIL", "--indicator NAMN", "indikatorn som filens värden avser", "--level", "områdesnivå"):
        assert text in out


def test_repeated_set_aside_reasons_are_grouped_with_count_and_first_rows(tmp_path, capsys):
    path = tmp_path / "okand.csv"
    path.write_text("omrade;indikator;ar;varde\n" + "".join(f"Tensta;finns_inte;{2000 + i % 20};{i}\n" for i in range(702))
                    + "Atlantis;folkmangd;2015;1\n", encoding="utf-8")
    assert cli.main(["validate", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "okand.csv: lästa 703, användbara 0, undantagna 703 (stämmer)"
    assert lines[1].startswith("702 rader undantas med samma skäl (kolumn indikator): okänd indikator")  # the file's heading
    assert [line.split("\t")[1] for line in lines[2:5]] == ["rad 2", "rad 3", "rad 4"]
    assert lines[5] == "  … och 699 rader till med samma skäl"
    assert lines[6].startswith("okand.csv\trad 704\tomrade\tAtlantis\tOkänt område 'Atlantis'")  # a single one: as before
    assert len(lines) == 7


def test_ambiguous_area_in_a_file_points_to_level(tmp_path, capsys):
    path = tmp_path / "tvetydig.csv"
    path.write_text("omrade;indikator;ar;varde\nSkärholmen;folkmangd;2015;100\n", encoding="utf-8")
    assert cli.main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "--level stadsdel eller --level stadsdelsomrade" in out and "level=" not in out
    assert cli.main(["validate", str(path), "--level", "stadsdel"]) == 0


@pytest.mark.parametrize("name, text", [
    ("utan_indikator.csv", "omrade;ar;varde\nTensta;2015;1\n"),
    ("utan_indikator.px", 'CHARSET="ANSI";\nMATRIX="X";\nSTUB="region";\nHEADING="år";\n'
                          'VALUES("region")="Tensta";\nVALUES("år")="2015";\nDATA=\n1;\n'),
])
def test_a_file_without_indicator_asks_for_the_option_or_a_sidecar(tmp_path, capsys, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="cp1252")
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "--indicator NAMN" in err and f"{name}.evalkit.json" in err
    assert "indicator=" not in err and "argumentet" not in err
    assert cli.main(["validate", str(path), "--indicator", "folkmangd"]) == 0


# --- file-system errors: one line naming the folder and what to do (issue 26) ------------------

@pytest.mark.parametrize("code, advice", [
    (errno.EACCES, "ingen skrivrätt – ge din användare skrivrätt till mappen"),
    (errno.EPERM, "ingen skrivrätt – ge din användare skrivrätt till mappen"),
    (errno.EROFS, "filsystemet är skrivskyddat"),
    (errno.ENOSPC, "disken är full – frigör utrymme"),
])
def test_file_system_errors_of_a_build_are_one_line_naming_the_folder(tmp_path, monkeypatch, capsys, code, advice):
    import os

    site = tmp_path / "site"
    site.mkdir()

    def fail(args):  # what a write into a read-only or full site folder raises
        raise OSError(code, os.strerror(code), str(site / ".index.html.x1y2.tmp"))

    monkeypatch.setattr(cli, "cmd_build", fail)
    assert cli.main(["build", "--district", "Husby", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"fel: kan inte skriva i {site}: {advice}")


def test_publishing_under_a_read_only_parent_names_the_parent(tmp_path, monkeypatch, capsys):
    from evalkit.build import publish

    parent = tmp_path / "intranat"
    parent.mkdir()

    def refuse(out, dest):  # the staging copy beside the destination cannot be created
        raise PermissionError(errno.EPERM, "Operation not permitted", str(parent / ".uppfoljning.staging"))

    monkeypatch.setattr(publish, "publish", refuse)
    assert cli.main(["publish", str(parent / "uppfoljning")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"fel: kan inte skriva i {parent}: ingen skrivrätt") and err.count("\n") == 1
