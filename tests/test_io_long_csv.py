"""Long CSV tables (one row per area × indicator × year, read by :mod:`evalkit.io.delimited`): encodings, delimiters, Swedish numbers, symbols, quarantine with reasons."""

import pandas as pd
import pytest

from evalkit.io import ReaderError, read_with_quarantine

HEADER = "omrade;omradesniva;indikator;ar;taljare;namnare;varde;status;kalla\n"


def write(tmp_path, text, encoding="utf-8", name="in.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_swedish_semicolon_cp1252_with_decimal_comma(tmp_path):
    body = HEADER + "Hässelby gård;stadsdel;ekonomiskt_bistand;2015;1 234;12 000;10,3;;test\n"
    result = read_with_quarantine(write(tmp_path, body, "cp1252"))
    row = result.data.iloc[0]
    assert row["area_code"] == "sd-hasselby-gard"
    assert row["numerator"] == 1234 and row["denominator"] == 12000
    assert row["value"] == pytest.approx(10.3)
    assert result.reconciles()


def test_utf8_bom_and_comma_delimiter(tmp_path):
    body = "\ufeff" + HEADER.replace(";", ",") + "Tensta,stadsdel,folkmangd,2015,,,19000,,test\n"
    result = read_with_quarantine(write(tmp_path, body))
    assert result.data["area_code"].tolist() == ["sd-tensta"]


def test_symbols_are_status_not_zero(tmp_path):
    body = HEADER + "Tensta;stadsdel;otrygghet;2015;;;..;;t\nTensta;stadsdel;otrygghet;2016;;;–;;t\n"
    data = read_with_quarantine(write(tmp_path, body)).data
    assert data["status"].tolist() == ["..", "–"]
    assert data["value"].isna().all()


def test_bad_rows_are_set_aside_with_file_row_column_reason(tmp_path):
    body = (HEADER
            + "Tensat;stadsdel;folkmangd;2015;;;100;;t\n"      # unknown area (line 2)
            + "Tensta;stadsdel;folkmangd;2015;;;tolv;;t\n"    # text in number (line 3)
            + "Tensta;stadsdel;inget_sadant;2015;;;1;;t\n"     # unknown indicator (line 4)
            + "Skärholmen;;folkmangd;2015;;;1;;t\n"            # ambiguous without level (line 5)
            + "Tensta;stadsdel;folkmangd;2016;;;5;;t\n")       # fine (line 6)
    result = read_with_quarantine(write(tmp_path, body))
    q = result.quarantine.set_index("row_number")
    assert set(q.index) == {2, 3, 4, 5}
    assert q.loc[2, "column"] == "omrade" and "Tensta" in q.loc[2, "reason"]
    assert q.loc[3, "column"] == "varde"  # the file's own heading, never the internal name
    assert q.loc[4, "column"] == "indikator"
    assert q.loc[5, "column"] == "omrade"
    assert (q["source_file"] == "in.csv").all()
    assert len(result.data) == 1 and result.rows_read == 5 and result.reconciles()


def test_unreadable_files_raise_one_line_errors(tmp_path):
    with pytest.raises(ReaderError, match="tom"):
        read_with_quarantine(write(tmp_path, ""))
    with pytest.raises(ReaderError, match="kolumner saknas"):
        read_with_quarantine(write(tmp_path, "a;b\n1;2\n"))
    with pytest.raises(ReaderError, match="finns inte"):
        read_with_quarantine(tmp_path / "nope.csv")
