"""CSV/TXT reader on tables as published: wide and long, notes and footnotes, encodings, SCB exports."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from evalkit.io import ReaderError, read_indicators, read_with_quarantine
from evalkit.paths import raw_dir

FIX = Path(__file__).parent / "fixtures" / "io"
TENURE = {"upplåtelseform": {"hyresrätt": "bostader_hyresratt", "bostadsrätt": "bostader_bostadsratt",
                             "äganderätt": "bostader_aganderatt", "uppgift saknas": None}}


def test_wide_cp1252_with_title_rows_and_footnotes():
    result = read_with_quarantine(FIX / "trangboddhet_bred_cp1252.csv", indicator="trangboddhet")
    data = result.data.set_index(["area_code", "year"])
    assert result.rows_read == 12 and len(result.data) == 12 and result.reconciles()
    assert data.loc[("sd-skarholmen", 2015), "value"] == pytest.approx(24.8)
    assert data.loc[("sd-skarholmen", 2016), "status"] == ".."
    assert data.loc[("sd-rinkeby", 2014), "status"] == "x"
    assert data.loc[("sd-hasselby-gard", 2015), "status"] == "–"
    assert data.loc[data["status"] != "", "value"].isna().all()  # symbols are never 0
    # title/notes above and footnotes below are counted, not data and not quarantine
    assert list(result.note_lines["row_number"]) == [1, 2, 3, 9, 10, 11]
    assert result.note_lines["text"].str.startswith("Källa").any()
    assert any("ovanför rubriken" in n for n in result.notes)
    assert any("cp1252" in n for n in result.notes)
    # quarantine/data row numbers are file lines
    assert set(result.data["source_row"]) == {5, 6, 7, 8}


def test_scb_export_shape_with_dimension_map_and_regso():
    result = read_with_quarantine(FIX / "scb_upplatelseform_sample.csv", level="stadsdel", area_type="regso",
                                  dimension_map=TENURE)
    assert result.rows_read == 14 and result.reconciles()
    kept = result.data.set_index(["area_code", "indicator", "year"])
    assert kept.loc[("sd-akalla", "bostader_hyresratt", 2020), "value"] == 1046
    assert kept.loc[("sd-rinkeby", "bostader_hyresratt", 2020), "status"] == ".."
    q = result.quarantine
    reasons = q.groupby("row_number")["reason"].first()
    assert reasons[5].startswith("utesluten enligt dimension_map (upplåtelseform = uppgift saknas)")
    assert reasons[6] == "RegSO motsvarar ingen enskild stadsdel"
    assert "Okänt RegSO-område" in reasons[8]
    assert (q.groupby("row_number").size() == 2).all()  # both year cells of each set-aside row


def test_real_scb_tenure_file_reconciles_and_maps_91_regso():
    path = raw_dir() / "scb" / "regso_upplatelseform_2020-2023.csv"
    result = read_with_quarantine(path, years="2020-2023")  # sidecar options, all four years
    assert result.rows_read == 127 * 4 * 4
    assert result.reconciles()
    assert result.data["area_code"].nunique() == 91
    assert set(result.data["year"]) == {2020, 2021, 2022, 2023}
    no_single = result.quarantine["reason"] == "RegSO motsvarar ingen enskild stadsdel"
    assert no_single.sum() == 36 * 3 * 4  # 36 RegSO × 3 tenures × 4 years (uppgift saknas excluded first)
    akalla = result.data[(result.data["area_code"] == "sd-akalla") & (result.data["year"] == 2020)]
    assert dict(zip(akalla["indicator"], akalla["value"])) == {
        "bostader_hyresratt": 1046, "bostader_bostadsratt": 2879, "bostader_aganderatt": 170}


def test_real_scb_files_all_read_with_same_reader():
    for name, options in [("regso_fodelseregion_2020-2023.csv",
                           # years overrides the sidecar's selection (the clean step keeps only 2020)
                           dict(dimension_map={"födelseregion": {"totalt": "folkmangd", "sverige": None}},
                                select={"kön": "totalt"}, years=[2020, 2021, 2022, 2023])),
                          ("regso_loneinkomst_2020-2023.csv", dict(indicator="folkmangd"))]:
        result = read_with_quarantine(raw_dir() / "scb" / name, level="stadsdel", area_type="regso", **options)
        assert result.reconciles() and len(result.data) == 91 * 4


def test_sidecar_options_are_used_and_overridable(tmp_path):
    shutil.copy(FIX / "scb_upplatelseform_sample.csv", tmp_path / "t.csv")
    (tmp_path / "t.csv.evalkit.json").write_text(json.dumps(
        {"level": "stadsdel", "area_type": "regso", "dimension_map": TENURE}), encoding="utf-8")
    assert len(read_indicators(tmp_path / "t.csv")) == 8
    assert len(read_indicators(tmp_path / "t.csv", years=[2021])) == 4


def test_long_english_tab_separated():
    data = read_indicators(FIX / "long_english_tab.txt")
    row = data.set_index("area_code").loc["sdo-skarholmen"]
    assert row["numerator"] == 1234 and row["denominator"] == 35000 and row["value"] == pytest.approx(3.5)
    assert data.set_index("area_code").loc["sd-tensta", "status"] == ".."


def test_utf16_excel_unicode_text_export(tmp_path):
    text = "Stadsdel\t2015\t2016\r\nSkärholmen\t1 234\t1 300\r\n"
    (tmp_path / "u16.txt").write_bytes(text.encode("utf-16"))
    data = read_indicators(tmp_path / "u16.txt", indicator="folkmangd")
    assert data["value"].tolist() == [1234, 1300] and set(data["area_code"]) == {"sd-skarholmen"}


def test_wrong_encoding_gives_row_level_reason(tmp_path):
    # UTF-8 text that was once read as Windows-1252 and saved again ("SkÃ¤rholmen")
    text = "omrade;indikator;ar;varde\nSkärholmen;folkmangd;2015;100\nTensta;folkmangd;2015;200\n"
    (tmp_path / "moji.csv").write_bytes(text.encode("utf-8").decode("cp1252").encode("utf-8"))
    result = read_with_quarantine(tmp_path / "moji.csv", level="stadsdel")
    assert result.quarantine.set_index("row_number").loc[2, "reason"].startswith("felaktig teckenkodning")
    assert result.data["area_code"].tolist() == ["sd-tensta"] and result.reconciles()


def test_binary_or_forced_wrong_codec_is_unreadable(tmp_path):
    (tmp_path / "bin.csv").write_bytes(b"omrade\x00;ar\n\x00\x01")
    with pytest.raises(ReaderError, match="bin.csv"):
        read_with_quarantine(tmp_path / "bin.csv")
    (tmp_path / "c.csv").write_bytes("omrade;ar;varde\nSkärholmen;2015;1\n".encode("cp1252"))
    with pytest.raises(ReaderError, match="utf-8"):
        read_with_quarantine(tmp_path / "c.csv", encoding="utf-8", indicator="folkmangd")


def test_units_in_cells_need_an_option_and_must_match_the_catalogue(tmp_path):
    (tmp_path / "u.csv").write_text("omrade;indikator;ar;varde\nTensta;trangboddhet;2015;12 %\n"
                                    "Tensta;folkmangd;2015;12 %\nTensta;trangboddhet;2016;1 234 kr\n", encoding="utf-8")
    plain = read_with_quarantine(tmp_path / "u.csv", level="stadsdel")
    assert len(plain.data) == 0 and plain.quarantine["reason"].str.contains("enhet").all()
    expected = read_with_quarantine(tmp_path / "u.csv", level="stadsdel", value_unit="%")
    assert expected.data["value"].tolist() == [12.0]
    reasons = expected.quarantine.set_index("row_number")["reason"]
    assert "katalogens enhet" in reasons[3] and "oväntad enhet kr" in reasons[4]
    assert expected.reconciles()


def test_extra_cells_and_status_column_problems(tmp_path):
    (tmp_path / "e.csv").write_text("omrade;indikator;ar;varde;status\nTensta;folkmangd;2015;1;\n"
                                    "Tensta;folkmangd;2016;2;;extra\nTensta;folkmangd;2017;;?\n"
                                    "Tensta;folkmangd;2018;5;..\n", encoding="utf-8")
    result = read_with_quarantine(tmp_path / "e.csv", level="stadsdel")
    reasons = result.quarantine.set_index("row_number")["reason"]
    assert reasons[3] == "raden har fler celler än rubrikraden"
    assert reasons[4] == "okänd statussymbol"
    assert reasons[5] == "både värde och statussymbol"
    assert result.data["year"].tolist() == [2015] and result.reconciles()


def test_missing_columns_is_one_line_error(tmp_path):
    (tmp_path / "w.csv").write_text("Stadsdel;2015\nTensta;1\n", encoding="utf-8")
    with pytest.raises(ReaderError, match="indicator"):
        read_with_quarantine(tmp_path / "w.csv")
    (tmp_path / "d.csv").write_text("Stadsdel;kön;2015\nTensta;män;1\n", encoding="utf-8")
    with pytest.raises(ReaderError, match="dimensionen"):
        read_with_quarantine(tmp_path / "d.csv", dimension_map={"födelseregion": {}})


def test_classify_rows_joins_cells_only_where_the_first_is_empty():
    """Notes found by a row's first non-empty text: the row's cells are joined only where the first
    cell is empty (issue 29: joining every row was most of reading a large CSV); the masks equal
    those of the rule written out (the reference: the first cell, else all cells joined)."""
    import numpy as np
    import pandas as pd

    from evalkit.io import table

    rng = np.random.default_rng(29)
    words = ["", "", "Källa: SCB", "Anm. preliminärt", "Akalla", "9,1", ".. = uppgift saknas", "- Akalla", "12"]
    for _ in range(30):
        rows, cols = int(rng.integers(1, 40)), int(rng.integers(1, 5))
        body = pd.DataFrame(rng.choice(words, (rows, cols)), columns=[f"c{i}" for i in range(cols)])
        note, blank = table.classify_rows(body)
        text = body.apply(lambda s: s.str.strip())
        joined = text.agg("".join, axis=1)
        first = text.iloc[:, 0].where(text.iloc[:, 0] != "", joined)
        nonempty = (text != "").sum(axis=1).to_numpy()
        footnote = first.str.match(table.FOOTNOTE).to_numpy() & (nonempty >= 1)
        numbers = text.iloc[:, 1:].apply(lambda c: c.str.fullmatch(r"[-−+]?[\d\s\u00a0]+(?:[.,]\d+)?")).any(axis=1) \
            if cols > 1 else pd.Series(False, index=body.index)
        footnote &= ~(first.str.match(table._SYMBOL_NOTE).to_numpy() & numbers.to_numpy())
        multi = np.flatnonzero((nonempty >= 2) & ~footnote)
        last = multi[-1] if len(multi) else -1
        trailing = (np.arange(rows) > last) & (nonempty == 1) & ~table.other_delimiter_rows(body)
        assert (blank == (nonempty == 0)).all()
        assert (note == (footnote | trailing)).all()
