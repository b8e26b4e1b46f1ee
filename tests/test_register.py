"""Project register of ytterstadsmedel: amount units, schema, quarantine, totals vs the document."""

import pandas as pd
import pytest

from evalkit import clean
from evalkit.analysis import register
from evalkit.contracts import THEMES, VISIONS
from evalkit.io.projects import parse_amounts
from evalkit.paths import raw_dir


def read_register(path=None):
    """The register read as `evalkit clean` reads it (reader, then contract); default the bundled file."""
    return clean.read_input(path or clean.listed_path("projects"), "projects")


def read_frames():
    return clean.read_input(clean.listed_path("project_frames"), "project_frames")

HEADER = ("Projekt;Vision;Tema;Ansvarig nämnd;Områden;Startår;Slutår;Beviljat belopp;Beloppsstatus;"
          "Genomförandeplan;Utvärdering;Källa;Anmärkning\n")


def write(tmp_path, body, name="reg.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


@pytest.mark.parametrize("text, sek, approx", [
    ("2,5 mnkr", 2_500_000, False),
    ("850 tkr", 850_000, False),
    ("1 234 567 kr", 1_234_567, False),
    ("1\u00a0234\u00a0567 kronor", 1_234_567, False),
    ("ca.285 mkr", 285_000_000, True),
    ("runt 70 mkr", 70_000_000, True),
    ("200 miljoner kronor", 200_000_000, False),
    ("12 500 SEK", 12_500, False),
    ("0,75 Mnkr", 750_000, False),
])
def test_amounts_are_normalised_to_sek(text, sek, approx):
    parsed = parse_amounts(pd.Series([text])).iloc[0]
    assert parsed["amount_sek"] == pytest.approx(sek)
    assert parsed["amount_approx"] is approx or parsed["amount_approx"] == approx
    assert parsed["bad"] == "" and parsed["amount_status"] == ""


def test_amount_symbols_and_bad_cells():
    parsed = parse_amounts(pd.Series(["..", "", "850", "tolv mnkr", "5 pesos"]))
    assert parsed["amount_status"].tolist() == ["..", "", "", "", ""]
    assert parsed["amount_sek"].isna().all()
    assert parsed["bad"].iloc[0] == "" and parsed["bad"].iloc[1] == ""
    assert "enhet" in parsed["bad"].iloc[2]
    assert parsed["bad"].iloc[3] != "" and "pesos" in parsed["bad"].iloc[4]
    # a unit from the header makes a bare number valid
    assert parse_amounts(pd.Series(["850"]), default_unit="tkr").iloc[0]["amount_sek"] == 850_000


def test_register_row_is_parsed_into_the_schema(tmp_path):
    body = ("Testprojekt;Vision Järva;Trygghet i vardagen;Spånga-Tensta sdn;Tensta, Hjulsta;2012;2014;"
            "2,5 mnkr;;Ja;Pågår;k;\n")
    result = read_register(write(tmp_path, body))
    # Hjulsta is not one of the 117 stadsdelar: the row is set aside, not silently shortened
    assert result.data.empty and result.reconciles()
    q = result.quarantine.iloc[0]
    assert q["column"] == "districts" and "Hjulsta" in q["reason"] and q["row_number"] == 2

    body = body.replace(", Hjulsta", ", Rinkeby-Kista sdn")
    row = read_register(write(tmp_path, body)).data.iloc[0]
    assert (row["vision"], row["theme"], row["implementation_plan"], row["evaluation_status"]) == (
        "Järva", "trygghet", "ja", "pågår")
    assert row["district_codes"] == "sd-tensta;sdo-rinkeby-kista"
    assert (row["start_year"], row["end_year"]) == (2012, 2014)
    assert row["amount_sek"] == 2_500_000 and row["amount_text"] == "2,5 mnkr" and row["amount_status"] == ""


def test_malformed_rows_are_set_aside_with_reasons(tmp_path):
    body = (
        "A;Järva;trygghet;;Tensta;2012;2014;2,5 mnkr;;ja;klar;k;\n"        # 2 fine
        "B;Mars;trygghet;;Tensta;;;850 tkr;;ja;klar;k;\n"                  # 3 unknown vision
        "C;Söderort;kultur;;Rågsved;;;850 tkr;;ja;klar;k;\n"               # 4 unknown theme
        "D;Söderort;arbete;;Rågsved;tjugo;;850 tkr;;ja;klar;k;\n"          # 5 year not a number
        "E;Söderort;arbete;;Rågsved;;;850;;ja;klar;k;\n"                   # 6 amount without unit
        "F;Söderort;arbete;;Rågsved;;;;;ja;klar;k;\n"                      # 7 amount missing, no symbol
        "G;Söderort;arbete;;Rågsved;2016;2014;1 mnkr;;ja;klar;k;\n"        # 8 start after end
        "A;Järva;trygghet;;Tensta;2012;2014;2,5 mnkr;;ja;klar;k;\n"        # 9 duplicate of 2
        "H;Söderort;arbete;;Skärholmen;;;1 mnkr;;ja;klar;k;\n"             # 10 ambiguous area
        "I;Söderort;arbete;;Rågsved;;;1 mnkr;;kanske;klar;k;\n"            # 11 bad plan value
    )
    result = read_register(write(tmp_path, body, encoding="cp1252"))
    q = result.quarantine.drop_duplicates("row_number").set_index("row_number")
    assert set(q.index) == {3, 4, 5, 6, 7, 8, 2, 9, 10, 11} - {2}
    assert q.loc[3, "column"] == "vision"
    assert q.loc[4, "column"] == "theme"
    assert q.loc[5, "column"] == "start_year"
    assert q.loc[6, "column"] == "amount" and "enhet" in q.loc[6, "reason"]
    assert "statussymbol" in q.loc[7, "reason"]
    assert "startår" in q.loc[8, "reason"]
    assert q.loc[10, "column"] == "districts" and "Tvetydigt" in q.loc[10, "reason"]
    assert q.loc[11, "column"] == "plan"
    assert result.data["project"].tolist() == ["A"]
    assert result.rows_read == 10 and result.reconciles()


def test_bundled_register_is_clean_and_honest_about_amounts():
    result = read_register()
    data = result.data
    assert result.reconciles() and result.quarantine.empty
    assert len(data) >= 15
    assert set(data["vision"]) <= set(VISIONS) and set(data["theme"]) <= set(THEMES)
    # every project quotes where it comes from in the document
    assert data["source"].str.contains("Uppföljning av ytterstadsarbetet").all()
    assert data["source"].str.contains("”").all()
    # the document gives no per-project amount: all unknown, marked "..", never 0
    assert data["amount_sek"].isna().all() and (data["amount_status"] == "..").all()
    assert data["note"].str.contains("anges inte").all()
    # named projects from the document are there
    for name in ("Järva Rent & Snyggt", "Skarpnäckslyftet", "SamTidigtFörst", "SALUT", "Bibblerian"):
        assert data["project"].str.contains(name, regex=False).any(), name


def test_document_frames_agree_with_the_document():
    frames = read_frames().data
    by_label = frames.set_index("label")["amount_sek"]
    themes = frames[frames["kind"] == "tema"].set_index("themes")["amount_sek"]
    assert themes["trygghet"] == 285e6 and themes["arbete"] == 80e6
    assert themes["utbildning;stadsmiljö"] == 70e6 and themes["samordning"] == 13e6
    assert frames[frames["kind"] == "tema"]["amount_approx"].all()
    check = register.frames_consistency(frames)
    assert check["reserved_sek"] == 450e6
    assert check["decisions_sek"] == 450e6          # 200 + 200 + 50
    assert check["themes_minus_reserved_sek"] == -2e6  # ca 448 of 450 mnkr
    assert by_label.notna().all()


def test_compare_with_document_reports_gap_and_unknowns():
    reg = read_register().data
    frames = read_frames().data
    table = register.compare_with_document(reg, frames).set_index("frame")
    trygghet = table.loc["Trygghet"]
    assert trygghet["document_sek"] == 285e6
    assert trygghet["n_projects"] == (reg["theme"] == "trygghet").sum()
    assert trygghet["n_amount_unknown"] == trygghet["n_projects"]
    assert trygghet["difference_sek"] == -285e6 and trygghet["assessment"] == "unknown_amounts"
    # codes in analysis/, words in present/
    from evalkit.present.projects import assessment_sv

    assert set(table["assessment"]) <= set(register.ASSESSMENTS)
    words = {code: assessment_sv(row) for code, row in zip(table["assessment"], table.itertuples(index=False))}
    assert "kan inte bedömas" in words["unknown_amounts"] and "0\u00a0%" in words["unknown_amounts"]
    assert table.loc["summa teman", "document_sek"] == 448e6
    assert table.loc["summa teman", "n_projects"] == len(reg)


def test_compare_with_document_when_amounts_are_known(tmp_path):
    body = ("A;Järva;trygghet;;Tensta;;;200 mnkr;;ja;klar;k;\n"
            "B;Söderort;trygghet;;Rågsved;;;85 000 tkr;;ja;klar;k;\n"
            "C;Söderort;arbete;;Rågsved;;;40 mnkr;;ja;klar;k;\n")
    reg = read_register(write(tmp_path, body)).data
    table = register.compare_with_document(reg, read_frames().data).set_index("frame")
    assert table.loc["Trygghet", "register_known_sek"] == 285e6
    assert table.loc["Trygghet", "assessment"] == "matches_approx"
    assert table.loc["Arbete", "share_covered"] == pytest.approx(0.5)
    assert table.loc["Arbete", "assessment"] == "below_all_known"
    from evalkit.present.projects import assessment_sv

    rows = {r.frame: r for r in table.reset_index().itertuples(index=False)}
    assert assessment_sv(rows["Trygghet"]).startswith("stämmer med dokumentet (inom 5\u00a0%")
    assert "understiger" in assessment_sv(rows["Arbete"])


def test_totals_by_counts_unknown_amounts(tmp_path):
    body = ("A;Järva;trygghet;Socialnämnden;Tensta;2012;;1 mnkr;;ja;klar;k;\n"
            "B;Järva;trygghet;;Tensta;2013;;;..;ja;klar;k;\n"
            "C;Söderort;arbete;Arbetsmarknadsnämnden;Rågsved;2012;;500 tkr;;ja;klar;k;\n")
    reg = read_register(write(tmp_path, body)).data
    by_vision = register.totals_by(reg, "vision").set_index("vision")
    assert by_vision.loc["Järva", "amount_known_sek"] == 1e6
    assert by_vision.loc["Järva", "n_amount_unknown"] == 1 and not by_vision.loc["Järva", "complete"]
    assert by_vision.loc["Söderort", "complete"]
    by_year = register.totals_by(reg, "year").set_index("year")
    assert by_year.loc["2012", "amount_known_sek"] == 1.5e6
    by_board = register.totals_by(reg, "board")
    assert by_board["board"].tolist() == [register.UNKNOWN, "Arbetsmarknadsnämnden", "Socialnämnden"]  # unknown first
    from evalkit.present.projects import totals_table

    assert ">(okänd)</th>" in totals_table(reg, "board", "Nämnd")._repr_html_()  # the word is present's
    assert register.totals_by(reg, "theme")["amount_known_sek"].sum() == 1.5e6
    with pytest.raises(ValueError):
        register.totals_by(reg, "colour")


def test_districts_long():
    reg = read_register().data
    long = register.districts_long(reg)
    akademier = long[long["project"].str.startswith("Akademier")]
    assert set(akademier["district_code"]) == {"sd-rinkeby", "sd-bredang", "sd-hasselby-gard"}


def test_register_and_frames_are_listed_and_reconcile():
    for kind in ("projects", "project_frames"):
        kept, quarantine, reports = clean.read_sources(raw_dir(), kind)
        assert [r.path for r in reports] == [clean.listed_path(kind).relative_to(raw_dir()).as_posix()]
        (report,) = reports
        assert report.reconciles and report.rows_kept == len(kept) > 0
        assert sum(report.reasons.values()) == report.rows_set_aside == len(quarantine)
        assert len(report.sha256) == 64


@pytest.mark.parametrize("text, shown", [
    ("850 tkr", "850\u00a0tkr"),                 # not "0,9 mnkr"
    ("2,5 mnkr", "2,5\u00a0mnkr"),
    ("2,50 mnkr", "2,50\u00a0mnkr"),             # the written precision, trailing zero included
    ("1 234 567 kr", "1\u00a0234\u00a0567\u00a0kr"),
    ("ca.285 mkr", "ca 285\u00a0mnkr"),
    ("200 miljoner kronor", "200\u00a0mnkr"),
    ("0,75 Mnkr", "0,75\u00a0mnkr"),
    ("..", ".."),
])
def test_amounts_are_shown_in_the_unit_and_precision_written(text, shown):
    from evalkit.present import projects

    parsed = parse_amounts(pd.Series([text])).iloc[0]
    assert projects.amount(parsed["amount_sek"], text, parsed["amount_approx"], parsed["amount_status"]) == shown


def test_amount_with_its_unit_in_the_header_is_shown_in_that_unit(tmp_path):
    from evalkit.present import projects

    path = tmp_path / "reg.csv"
    path.write_text(HEADER.replace("Beviljat belopp", "Belopp (tkr)") + "A;Järva;trygghet;;Tensta;;;850;;ja;klar;k;\n",
                    encoding="utf-8")
    result = read_register(path)
    html = projects.project_list(result.data)._repr_html_()
    assert "850\u00a0tkr" in html and "mnkr" not in html


def test_sums_in_mnkr_keep_whole_tkr():
    from evalkit.present import projects

    assert projects.mnkr(850_000) == "0,85\u00a0mnkr"
    assert projects.mnkr(2_500_000 + 850_000) == "3,35\u00a0mnkr"
    assert projects.mnkr(285_000_000, approx=True) == "ca 285\u00a0mnkr"
