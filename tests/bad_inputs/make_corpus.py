"""Writes the bad-input corpus into tests/bad_inputs/corpus/ (deterministic; run by the tests too).

Most files are small enough to read in an editor; a few must be generated (UTF-16, cp1252 bytes,
mojibake, 5 000 duplicate rows, workbooks with formulas, #REF! and merged cells, a truncated zip).
Each file's expected outcome is listed in ``tests/test_bad_inputs.py`` (CASES).

    .venv/bin/python tests/bad_inputs/make_corpus.py
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = Path(__file__).with_name("corpus")
HEAD = "omrade,omradesniva,indikator,ar,taljare,namnare,varde,status,kalla\n"
SRC = "korpus"


def row(area, ind="folkmangd", year="2015", num="", den="", value="100", status="", level="stadsdel"):
    return f"{area},{level},{ind},{year},{num},{den},{value},{status},{SRC}\n"


def text_files() -> dict[str, bytes]:
    f: dict[str, bytes] = {}
    f["empty.csv"] = b""
    f["whitespace_only.csv"] = b"  \r\n\t\r\n"
    f["header_only.csv"] = HEAD.encode()
    f["no_header.csv"] = b"Tensta;12;13\nRinkeby;14;15\n"
    body = HEAD + row("Tensta") + row("Rinkeby") + row("Kista")
    f["truncated_mid_row.csv"] = (body + "Husby,stadsdel,folkm").encode()
    f["truncated_mid_quote.csv"] = (body + 'Husby,stadsdel,folkmangd,2015,,,100,,"korp').encode()
    # encodings
    f["utf16_bom.csv"] = (HEAD + row("Skärholmen") + row("Hässelby gård")).encode("utf-16")
    f["utf16le_no_bom.csv"] = (HEAD + row("Skärholmen")).encode("utf-16-le")
    f["cp1252.csv"] = (HEAD + row("Skärholmen") + row("Hässelby gård") + row("Älvsjö", level="stadsdelsomrade")
                       ).encode("cp1252")
    mojibake = "Skärholmen".encode("utf-8").decode("cp1252")  # SkÃ¤rholmen
    f["mojibake_utf8_as_cp1252.csv"] = (HEAD + row(mojibake) + row("Tensta")).encode("utf-8")
    # a UTF-8 file with one Windows-1252 byte: decoded as cp1252 -> the UTF-8 names become mojibake
    f["mixed_utf8_cp1252.csv"] = (HEAD + row("Skärholmen")).encode("utf-8") + row("Vårberg").encode("cp1252")
    f["bom_utf8.csv"] = ("\ufeff" + HEAD + row("Tensta")).encode("utf-8")
    f["double_bom.csv"] = ("\ufeff\ufeff" + HEAD + row("Tensta")).encode("utf-8")
    # two exports pasted together: the second header (with its BOM) sits in the middle
    f["bom_mid_file.csv"] = ("\ufeff" + HEAD + row("Tensta") + "\ufeff" + HEAD + row("Rinkeby")).encode("utf-8")
    f["nul_bytes.csv"] = (HEAD + row("Tensta")).encode() + b"\x00\x00\x00garbage"
    f["binary_garbage.csv"] = bytes(range(256)) * 4
    # delimiters
    f["mixed_delimiters.csv"] = ("omrade;omradesniva;indikator;ar;taljare;namnare;varde;status;kalla\n"
                                 "Tensta;stadsdel;folkmangd;2015;;;100;;korpus\n"
                                 "Rinkeby,stadsdel,folkmangd,2015,,,200,,korpus\n"
                                 "Kista;stadsdel;folkmangd;2015;;;300;;korpus\n"
                                 "Husby\tstadsdel\tfolkmangd\t2015\t\t\t400\t\tkorpus\n").encode()
    f["extra_cells.csv"] = (HEAD + row("Tensta") + "Rinkeby,stadsdel,folkmangd,2015,,,100,,korpus,extra,cells\n"
                            ).encode()
    f["too_few_cells.csv"] = (HEAD + row("Tensta") + "Rinkeby,stadsdel,folkmangd\n").encode()
    # merged header rows (a merged "År" above the years, as exported from Excel)
    f["merged_header_wide.csv"] = ("Tabell 1. Folkmängd\n"
                                   "Stadsdel;År;;\n"
                                   ";2014;2015;2016\n"
                                   "Tensta;18 500;18 700;18 900\n"
                                   "Rinkeby;15 900;..;16 100\n"
                                   "Källa: korpus\n").encode("utf-8")
    f["three_row_header.csv"] = ("Stadsdel;Folkmängd;;\n"
                                 ";År;;\n"
                                 ";2014;2015;2016\n"
                                 "Tensta;18500;18700;18900\n").encode("utf-8")
    # duplicates: 5 000 exact repeats and one conflicting key
    dup = HEAD + row("Tensta", year="2015", value="18700") * 5000 + row("Rinkeby", value="1") + row("Rinkeby", value="2")
    f["duplicates_5000.csv"] = dup.encode()
    # units in number cells
    f["units_in_cells.csv"] = (HEAD + row("Tensta", value="12 %") + row("Rinkeby", value="1 234 kr")
                               + row("Kista", value="18 700 st") + row("Husby", value="100")
                               + row("Akalla", value="ca 100") + row("Hjulsta", value="100+")).encode()
    f["units_percent_expected.csv"] = (HEAD.replace("taljare,namnare,", "") .replace("omradesniva,", "")
                                       + "Tensta,ekonomiskt_bistand,2015,\"12,5 %\",,korpus\n"
                                       + "Rinkeby,ekonomiskt_bistand,2015,\"1 234 kr\",,korpus\n"
                                       + "Kista,ekonomiskt_bistand,2015,\"11,0 %\",,korpus\n").encode()
    # dates where years belong
    f["dates_for_years.csv"] = (HEAD + row("Tensta", year="2015-12-31") + row("Rinkeby", year="31/12/2015")
                                + row("Kista", year="2015.5") + row("Husby", year="2015")
                                + row("Akalla", year="1e3") + row("Hjulsta", year="20015")).encode()
    f["dates_as_year_columns.csv"] = ("Stadsdel;2015-12-31;2016-12-31\nTensta;18700;18900\n").encode()
    # districts that no longer exist or never did
    f["unknown_districts.csv"] = (HEAD + row("Atlantis") + row("Tensta Norra") + row("Vällingby sdn", level="")
                                  + row("Rinkeby-Kista", level="stadsdelsomrade")  # exists 2007-2020 only
                                  + row("Järva", level="stadsdelsomrade")          # from 2020 on
                                  + row("Farsta", level="") + row("") + row("Tensta")).encode()
    # Unicode look-alikes, dashes, NBSP
    lookalike = [
        "T\u0435nsta",            # Cyrillic е
        "Rinkeby\u0430",          # trailing Cyrillic а
        "\u0422ensta",            # Cyrillic Т
        "Hässelby\u00a0gård",     # NBSP
        "Hässelby\u2013gård",     # en dash
        "Farsta\u2011strand",     # non-breaking hyphen
        "Tensta\u200b",           # zero-width space
        "Ｔｅｎｓｔａ",             # full width
        "Tensta北",               # CJK letter
        "Te\u0301nsta",           # combining accent
    ]
    f["lookalike_names.csv"] = (HEAD + "".join(row(n) for n in lookalike)).encode("utf-8")
    f["lookalike_dashes_borough.csv"] = (HEAD + "".join(row(n, level="stadsdelsomrade") for n in [
        "Rinkeby\u2013Kista", "Rinkeby\u2014Kista", "Rinkeby \u2212 Kista", "Spånga\u2010Tensta",
        "Enskede\u00a0–\u00a0Årsta–Vantör"])).encode("utf-8")
    # numbers and symbols that must not become 0 or something else
    f["numbers_odd.csv"] = (HEAD + row("Tensta", value="1,234") + row("Rinkeby", value="1.234,5")
                            + row("Kista", value="inf") + row("Husby", value="nan") + row("Akalla", value="0x10")
                            + row("Hjulsta", value="12e400") + row("Vårberg", value="--5")
                            + row("Bredäng", value="..", status="..") + row("Sätra", value="5", status="x")
                            + row("Skärholmen", value="", status="")
                            + row("Fagersjö", value="", status="?")).encode("utf-8")
    f["formula_text_in_csv.csv"] = (HEAD + row("Tensta", value="=1+1") + row("Rinkeby", value="=HYPERLINK(\"x\")")
                                    + row("=cmd|' /C calc'!A0") + row("@SUM(A1)")).encode("utf-8")
    f["unknown_indicator.csv"] = (HEAD + row("Tensta", ind="folkmängd") + row("Tensta", ind="")
                                  + row("Tensta", ind="<script>")).encode("utf-8")
    f["footnotes_only.csv"] = ("Tabell 3\nKälla: SCB\nAnm. inget\n").encode("utf-8")
    # PC-Axis
    px_head = ('CHARSET="ANSI";\nMATRIX="K";\nSTUB="stadsdel";\nHEADING="år";\n'
               'VALUES("stadsdel")="Tensta","Rinkeby";\nVALUES("år")="2014","2015";\n')
    f["pcaxis_data_short.px"] = (px_head + "DATA=\n1 2\n3;\n").encode("cp1252")
    f["pcaxis_data_long.px"] = (px_head + "DATA=\n1 2\n3 4 5;\n").encode("cp1252")
    f["pcaxis_no_data.px"] = px_head.encode("cp1252")
    f["pcaxis_truncated_data.px"] = (px_head + "DATA=\n1 2\n3").encode("cp1252")
    f["pcaxis_bad_tokens.px"] = (px_head + 'DATA=\n1 "?"\n"tolv" 4;\n').encode("cp1252")
    f["pcaxis_text_cell.px"] = (px_head + 'DATA=\n1 tolv\n3 4;\n').encode("cp1252")
    f["pcaxis_missing_values.px"] = ('CHARSET="ANSI";\nSTUB="stadsdel";\nHEADING="år";\n'
                                     'VALUES("stadsdel")="Tensta";\nDATA=\n1 2;\n').encode("cp1252")
    f["pcaxis_bad_statement.px"] = (px_head.replace('MATRIX="K";', 'MATRIX "K";') + "DATA=\n1 2 3 4;\n"
                                    ).encode("cp1252")
    # share-only: the value per stadsdel without numerator and denominator, as the city often sends it
    f["share_only_trangboddhet.csv"] = "Stadsdel;År;Andel\nHusby;2020;12,5\nAkalla;2020;8,1\n".encode()
    f["share_only_ekonomiskt_bistand.csv"] = "Stadsdel;År;Andel\nHusby;2020;9,4\nAkalla;2020;6,2\n".encode()
    # JSON-stat
    def js(values, sizes=(2, 2), status=None, regions=("Tensta", "Rinkeby"), years=("2015", "2016")):
        doc = {"version": "2.0", "class": "dataset", "id": ["Region", "Tid"], "size": list(sizes),
               "role": {"geo": ["Region"], "time": ["Tid"]},
               "dimension": {"Region": {"category": {"index": list(regions)}},
                             "Tid": {"category": {"index": list(years)}}},
               "value": values}
        if status is not None:
            doc["status"] = status
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    f["jsonstat_size_mismatch.json"] = js([1, 2, 3, 4], sizes=(3, 2))
    f["jsonstat_value_count_mismatch.json"] = js([1, 2, 3])
    f["jsonstat_status_count_mismatch.json"] = js([1, 2, 3, 4], status=["..", ""])
    f["jsonstat_sparse_out_of_range.json"] = js({"0": 1, "7": 2})
    f["jsonstat_text_values.json"] = js([1, "tolv", None, True])
    f["jsonstat_truncated.json"] = js([1, 2, 3, 4])[:-25]
    f["jsonstat_not_dataset.json"] = b'{"hello": "world"}'
    f["jsonstat_list_top.json"] = b'[1, 2, 3]'
    f["jsonstat_bad_sparse_key.json"] = js({"a": 1, "1": 2})
    f["jsonstat_size_not_int.json"] = js([1, 2, 3, 4], sizes=("2", 2))
    f["jsonstat_sparse_negative.json"] = js({"0": 1, "-1": 2})
    f["jsonstat_year_dates.json"] = js([1, 2, 3, 4], years=("2015-12-31", "2016M01"))
    f["pcaxis_data_after_end.px"] = (px_head + "DATA=\n1 2\n3 4;\n5 6;\n").encode("cp1252")
    f["pcaxis_monthly_time.px"] = (px_head.replace('"2014","2015"', '"2015M01","2015M02"') + "DATA=\n1 2\n3 4;\n"
                                   ).encode("cp1252")
    f["unclosed_quote_mid_file.csv"] = (HEAD + row("Tensta") + '"Rinkeby,stadsdel,folkmangd,2015,,,5,,korpus\n'
                                        + row("Kista") + row("Husby")).encode()
    f["first_row_extra_cell.csv"] = (HEAD + "Tensta,stadsdel,folkmangd,2015,,,1,234,,korpus\n" + row("Rinkeby")
                                     ).encode()
    return f


def excel_files() -> dict[str, bytes]:
    import io

    import openpyxl

    out = {}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Blad1"
    ws["A1"] = "Tabell. Folkmängd"
    ws.append([])
    ws.append(["Stadsdel", "År", None, None])
    ws.merge_cells("B3:D3")
    ws.append([None, 2014, 2015, 2016])
    ws.append(["Tensta", 18500, "=B5+200", 18900])       # formula without saved value
    ws.append(["Rinkeby", "#REF!", "#DIV/0!", "#N/A"])    # Excel errors
    ws.append(["Kista", "=SUM(#REF!)", "12 %", "x"])
    ws.append(["Husby", "=HYPERLINK(\"http://x\")", 1.5, None])
    ws.merge_cells("A9:A10")                               # area merged down two rows
    ws["A9"] = "Akalla"
    ws["B9"], ws["C9"], ws["D9"] = 1, 2, 3
    ws["B10"], ws["C10"], ws["D10"] = 4, 5, 6
    ws.append([])
    ws.append(["Källa: korpus"])
    buf = io.BytesIO()
    wb.save(buf)
    out["excel_formulas_ref_merged.xlsx"] = buf.getvalue()
    out["excel_truncated.xlsx"] = buf.getvalue()[: len(buf.getvalue()) // 2]
    wb2 = openpyxl.Workbook()
    wb2.active.append(["nothing", "to", "see"])
    buf2 = io.BytesIO()
    wb2.save(buf2)
    out["excel_no_table.xlsx"] = buf2.getvalue()
    out["excel_not_zip.xlsx"] = b"Stadsdel;2015\nTensta;1\n"
    return out


def write(folder: Path = CORPUS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in {**text_files(), **excel_files()}.items():
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write():
        print(p.relative_to(Path.cwd()) if p.is_relative_to(Path.cwd()) else p)
