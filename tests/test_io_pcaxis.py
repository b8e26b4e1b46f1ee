"""PC-Axis reader: CHARSET="ANSI", multi-line values, KEYS, symbols kept as status."""

from pathlib import Path

import pytest

from evalkit.io import ReaderError, read_with_quarantine
from evalkit.io.pcaxis import parse

FIX = Path(__file__).parent / "fixtures" / "io"


def test_ansi_px_keeps_symbols_and_swedish_letters():
    raw = (FIX / "folkmangd_stadsdel_ansi.px").read_bytes()
    assert "Skärholmen".encode("cp1252") in raw and b'CHARSET="ANSI"' in raw
    result = read_with_quarantine(FIX / "folkmangd_stadsdel_ansi.px", indicator="folkmangd", level="stadsdel")
    data = result.data.set_index(["area_code", "year"])
    assert data.loc[("sd-skarholmen", 2014), "value"] == 10100
    assert data.loc[("sd-skarholmen", 2016), "status"] == ".."
    assert data.loc[("sd-rinkeby", 2014), "status"] == "–"      # "-" in PC-Axis = nothing to report
    assert data.loc[("sd-varberg", 2015), "status"] == "x"
    assert data.loc[data["status"] != "", "value"].isna().all()
    assert len(result.data) == 15 and result.reconciles()
    assert data.loc[("sd-tensta", 2016), "source_row"] == 24  # the DATA line of the cell
    assert any("2014–2016" in n for n in result.notes)          # TITLE continued on the next line


def test_multiline_values_and_keys(tmp_path):
    text = ('CHARSET="ANSI";\nSTUB="region","kön";\nHEADING="år";\n'
            'VALUES("region")="Skärholmen",\n"Tensta";\nVALUES("kön")="män","kvinnor";\n'
            'CODES("region")="SK","TE";\nVALUES("år")="2015","2016";\nKEYS("region")=CODES;\nKEYS("kön")=VALUES;\nDATA=\n'
            '"SK" "män" 1 2\n"SK" "kvinnor" 3 ".."\n"TE" "män" 5 6;\n')
    (tmp_path / "k.px").write_bytes(text.encode("cp1252"))
    px = parse(text)
    assert px["values"]["region"] == ["Skärholmen", "Tensta"]
    result = read_with_quarantine(tmp_path / "k.px", indicator="folkmangd", level="stadsdel",
                                  select={"kön": "kvinnor"}, dimension_map={})
    assert result.rows_read == 6 and result.reconciles()
    kept = result.data
    assert kept["area_code"].tolist() == ["sd-skarholmen", "sd-skarholmen"]
    assert kept["status"].tolist() == ["", ".."]
    assert (result.quarantine["reason"] == "utanför urvalet (kön = män)").sum() == 4


def test_unknown_district_and_bad_cell_count(tmp_path):
    body = 'STUB="stadsdel";\nHEADING="år";\nVALUES("stadsdel")="Tensat","Tensta";\nVALUES("år")="2015";\nDATA=\n1 2;\n'
    (tmp_path / "u.px").write_text(body, encoding="utf-8")
    result = read_with_quarantine(tmp_path / "u.px", indicator="folkmangd", level="stadsdel")
    assert "Okänt område 'Tensat'" in result.quarantine["reason"].iloc[0] and result.reconciles()
    (tmp_path / "c.px").write_text(body.replace("1 2;", "1;"), encoding="utf-8")
    with pytest.raises(ReaderError, match="c.px: DATA har 1 celler"):
        read_with_quarantine(tmp_path / "c.px", indicator="folkmangd", level="stadsdel")
    (tmp_path / "n.px").write_text(body.replace("DATA=\n1 2;\n", ""), encoding="utf-8")
    with pytest.raises(ReaderError, match="DATA= saknas"):
        read_with_quarantine(tmp_path / "n.px", indicator="folkmangd")
