"""The area level comes from the file (issue 16): the area column/dimension's name, the title, or codes
that exist at one level only; names that fit both a stadsdel and a stadsdelsområde (Skärholmen, Farsta)
are set aside as ambiguous only when nothing in the file says the level, and an explicit level wins."""

import json
from pathlib import Path

import openpyxl
import pytest

from evalkit import geography
from evalkit.io import read_with_quarantine

FIX = Path(__file__).parent / "fixtures" / "io"
JSONSTAT = FIX / "sdn_ekonomiskt_bistand.jsonstat.json"
CSV = FIX / "stadsdelsomrade_bred.csv"
PX = FIX / "stadsdelsomrade_folkmangd.px"
AMBIGUOUS = {"Skärholmen", "Farsta"}


def level_note(result) -> str:
    return next(n for n in result.notes if "områdesnivå" in n)


def assert_all_boroughs(result, rows=12):
    """Every record kept, every area a stadsdelsområde, the two ambiguous names among them."""
    assert result.reconciles() and result.quarantine.empty
    assert len(result.data) == rows
    assert set(result.data["area_level"]) == {"stadsdelsomrade"}
    assert {"sdo-skarholmen", "sdo-farsta"} <= set(result.data["area_code"])


def assert_ambiguous_set_aside(result, rows=4):
    """The file does not say: the ambiguous names are set aside, naming the name and both meanings."""
    assert result.reconciles() and len(result.quarantine) == rows
    assert result.quarantine["reason"].str.startswith("Tvetydigt områdesnamn").all()
    # one record per year of a wide row: each listed with its year ("Farsta (år 2018)")
    assert set(result.quarantine["value"].str.replace(r" \(år \d{4}\)$", "", regex=True)) == AMBIGUOUS
    for name in AMBIGUOUS:
        code = geography.slugify(name)
        assert result.quarantine["reason"].str.contains(f"sd-{code} eller sdo-{code}").any()
    assert "anges inte av filen" in level_note(result)


def jsonstat_doc(**changes) -> dict:
    doc = json.loads(JSONSTAT.read_text(encoding="utf-8"))
    dim = doc["dimension"].pop("Stadsdelsomrade")
    dim["label"] = changes.get("label", dim["label"])
    if "codes" in changes:
        old = list(dim["category"]["index"])
        dim["category"] = {"index": {c: i for i, c in enumerate(changes["codes"])},
                           "label": {c: dim["category"]["label"][o] for c, o in zip(changes["codes"], old)}}
    for code, name in changes.get("names", {}).items():
        dim["category"]["label"][code] = name
    area_id = changes.get("id", "Stadsdelsomrade")
    doc["dimension"][area_id] = dim
    doc["id"][0] = area_id
    doc["label"] = changes.get("title", doc["label"])
    return doc


def write_json(tmp_path, doc) -> Path:
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- JSON-stat


def test_jsonstat_dimension_named_stadsdelsomrade_sets_the_level():
    result = read_with_quarantine(JSONSTAT, indicator="ekonomiskt_bistand")
    assert_all_boroughs(result)
    data = result.data.set_index(["area_code", "year"])
    assert data.loc[("sdo-skarholmen", 2018), "value"] == 5.9 and data.loc[("sdo-farsta", 2019), "value"] == 3.1
    assert level_note(result) == "områdesnivå stadsdelsområde: från områdesdimensionens namn 'Stadsdelsområde'"


def test_jsonstat_that_does_not_say_sets_a_third_aside(tmp_path):
    doc = jsonstat_doc(id="Omrade", label="Område", codes=[f"A{i}" for i in range(6)])
    assert_ambiguous_set_aside(read_with_quarantine(write_json(tmp_path, doc), indicator="ekonomiskt_bistand"))


def test_jsonstat_codes_that_exist_at_one_level_set_it(tmp_path):
    doc = jsonstat_doc(id="Omrade", label="Område")  # codes SDN01 … SDN06 stay
    result = read_with_quarantine(write_json(tmp_path, doc), indicator="ekonomiskt_bistand")
    assert_all_boroughs(result)
    assert level_note(result) == "områdesnivå stadsdelsområde: från områdeskoderna (SDN01, SDN02, SDN03 …)"
    doc = jsonstat_doc(id="Omrade", label="Område", codes=[f"sd-{geography.slugify(n)}" for n in
                                                           ("Rinkeby", "Tensta", "Husby", "Akalla", "Skärholmen",
                                                            "Farsta")],
                       names={"sd-rinkeby": "Rinkeby", "sd-tensta": "Tensta", "sd-husby": "Husby",
                              "sd-akalla": "Akalla"})
    result = read_with_quarantine(write_json(tmp_path, doc), indicator="ekonomiskt_bistand")
    assert result.quarantine.empty and set(result.data["area_level"]) == {"stadsdel"}
    assert {"sd-skarholmen", "sd-farsta"} <= set(result.data["area_code"])


def test_jsonstat_title_settles_only_names_that_fit_both_levels(tmp_path):
    # the title says stadsdelsområde; "Rinkeby" is a stadsdel only and stays one (a title may name an area)
    doc = jsonstat_doc(id="Omrade", label="Område", codes=[f"A{i}" for i in range(6)], names={"A1": "Rinkeby"},
                       title="Ekonomiskt bistånd per stadsdelsområde")
    result = read_with_quarantine(write_json(tmp_path, doc), indicator="ekonomiskt_bistand")
    assert result.quarantine.empty and len(result.data) == 12
    codes = set(result.data["area_code"])
    assert {"sdo-skarholmen", "sdo-farsta", "sd-rinkeby"} <= codes
    assert level_note(result).startswith("områdesnivå stadsdelsområde: från titeln 'Ekonomiskt bistånd per "
                                         "stadsdelsområde'")


def test_explicit_level_always_wins():
    result = read_with_quarantine(JSONSTAT, indicator="ekonomiskt_bistand", level="stadsdel")
    assert level_note(result) == "områdesnivå stadsdel: angiven (level)"
    assert {"sd-skarholmen", "sd-farsta"} == set(result.data["area_code"])
    # the boroughs that are no stadsdel are set aside as unknown at the level asked for
    assert result.reconciles() and len(result.quarantine) == 8
    assert result.quarantine["reason"].str.contains("nivå: stadsdel").all()


# --------------------------------------------------------------------------- tables (CSV, Excel)


def test_csv_with_a_stadsdelsomrade_header():
    result = read_with_quarantine(CSV, indicator="ekonomiskt_bistand")
    assert_all_boroughs(result)
    assert result.data.set_index(["area_code", "year"]).loc[("sdo-skarholmen", 2019), "value"] == 5.7
    assert level_note(result) == "områdesnivå stadsdelsområde: från områdeskolumnens namn 'Stadsdelsområde'"


@pytest.mark.parametrize("header", ["SDN", "Stadsdels-område", "STADSDELSNÄMND:", "Stadsdelsnämndsområde",
                                    "sdo", "Stadsdelsområde (SDN)"])
def test_csv_header_spellings_name_the_level(tmp_path, header):
    text = CSV.read_text(encoding="utf-8").replace("Stadsdelsområde;", f"{header};")
    (tmp_path / "h.csv").write_text(text, encoding="utf-8")
    assert_all_boroughs(read_with_quarantine(tmp_path / "h.csv", indicator="ekonomiskt_bistand"))


def test_csv_that_does_not_say_and_the_title_or_code_column_that_does(tmp_path):
    plain = CSV.read_text(encoding="utf-8").replace("Stadsdelsområde;", "Område;")
    (tmp_path / "plain.csv").write_text(plain, encoding="utf-8")
    assert_ambiguous_set_aside(read_with_quarantine(tmp_path / "plain.csv", indicator="ekonomiskt_bistand"))

    titled = plain.replace("andel av invånarna (procent)", "andel per stadsdelsnämnd (procent)")
    (tmp_path / "titled.csv").write_text(titled, encoding="utf-8")
    assert_all_boroughs(read_with_quarantine(tmp_path / "titled.csv", indicator="ekonomiskt_bistand"))

    lines = plain.splitlines()
    coded = [lines[0], "Område;Områdeskod;2018;2019"]
    coded += [f"{line.split(';', 1)[0]};SDN{i:02d};{line.split(';', 1)[1]}" for i, line in enumerate(lines[2:8], 1)]
    (tmp_path / "coded.csv").write_text("\n".join(coded + lines[8:]) + "\n", encoding="utf-8")
    result = read_with_quarantine(tmp_path / "coded.csv", indicator="ekonomiskt_bistand")
    assert_all_boroughs(result)
    assert "från områdeskoderna" in level_note(result)


def test_a_level_column_still_decides_per_row(tmp_path):
    (tmp_path / "l.csv").write_text("Stadsdelsområde;Nivå;År;Värde\nSkärholmen;stadsdel;2019;1,0\n"
                                    "Skärholmen;;2019;2,0\n", encoding="utf-8")
    result = read_with_quarantine(tmp_path / "l.csv", indicator="ekonomiskt_bistand")
    assert result.data["area_code"].tolist() == ["sd-skarholmen", "sdo-skarholmen"]
    assert level_note(result).startswith("områdesnivå per rad från kolumnen 'Nivå'")


def test_a_stadsdel_under_a_borough_header_is_set_aside_not_moved(tmp_path):
    (tmp_path / "m.csv").write_text("Stadsdelsområde;2019\nRinkeby;1,0\nFarsta;2,0\n", encoding="utf-8")
    result = read_with_quarantine(tmp_path / "m.csv", indicator="ekonomiskt_bistand")
    assert result.data["area_code"].tolist() == ["sdo-farsta"]
    assert result.quarantine["reason"].iloc[0].startswith("Okänt område 'Rinkeby' (nivå: stadsdelsområde)")


def write_xlsx(path: Path, area_header: str) -> Path:
    """The CSV fixture as a workbook: a title row, then the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tabell"
    lines = CSV.read_text(encoding="utf-8").splitlines()
    ws.append([lines[0]])
    ws.append([area_header, 2018, 2019])
    for line in lines[2:8]:
        name, a, b = line.split(";")
        ws.append([name, float(a.replace(",", ".")), float(b.replace(",", "."))])
    wb.save(path)
    return path


def test_excel_with_a_stadsdelsomrade_header(tmp_path):
    result = read_with_quarantine(write_xlsx(tmp_path / "s.xlsx", "Stadsdelsområde"), indicator="ekonomiskt_bistand")
    assert_all_boroughs(result)
    assert result.data.set_index(["area_code", "year"]).loc[("sdo-farsta", 2018), "value"] == 3.2
    assert_ambiguous_set_aside(read_with_quarantine(write_xlsx(tmp_path / "o.xlsx", "Område"),
                                                    indicator="ekonomiskt_bistand"))


# --------------------------------------------------------------------------- PC-Axis


def test_pcaxis_with_a_stadsdelsomrade_variable():
    result = read_with_quarantine(PX, indicator="folkmangd")
    assert_all_boroughs(result)
    data = result.data.set_index(["area_code", "year"])
    assert data.loc[("sdo-skarholmen", 2018), "value"] == 70100 and data.loc[("sdo-skarholmen", 2019), "status"] == ".."
    assert level_note(result) == "områdesnivå stadsdelsområde: från områdesvariabelns namn 'stadsdelsområde'"


def test_pcaxis_that_does_not_say_and_its_codes(tmp_path):
    text = PX.read_bytes().decode("cp1252").replace('"stadsdelsområde"', '"region"')
    (tmp_path / "r.px").write_bytes(text.encode("cp1252"))
    assert_ambiguous_set_aside(read_with_quarantine(tmp_path / "r.px", indicator="folkmangd"))
    coded = text.replace('VALUES("år")', 'CODES("region")=' + ",".join(f'"SDN{i:02d}"' for i in range(1, 7))
                         + ';\nVALUES("år")')
    (tmp_path / "c.px").write_bytes(coded.encode("cp1252"))
    assert_all_boroughs(read_with_quarantine(tmp_path / "c.px", indicator="folkmangd"))


# --------------------------------------------------------------------------- the registry's part


@pytest.mark.parametrize("text, whole, level", [
    ("Stadsdelsområde", True, "stadsdelsomrade"), ("stadsdelsnämnd", True, "stadsdelsomrade"),
    ("SDN", True, "stadsdelsomrade"), ("Stadsdel", True, "stadsdel"), ("Stadsdels-område", True, "stadsdelsomrade"),
    ("Region", True, None), ("Region (stadsdelsområde)", True, None), ("Region (stadsdelsområde)", False,
                                                                       "stadsdelsomrade"),
    ("Folkmängd per stadsdel och stadsdelsområde", False, None), ("Andel per stadsdel, procent", False, "stadsdel"),
    ("Farsta", False, None),
])
def test_level_named(text, whole, level):
    assert geography.level_named(text, whole=whole) == level


@pytest.mark.parametrize("code, level", [("SDN12", "stadsdelsomrade"), ("sdo 3", "stadsdelsomrade"),
                                         ("sdo-farsta", "stadsdelsomrade"), ("sd-farsta", "stadsdel"),
                                         ("stockholm", "stad"), ("Farsta", None), ("0180R002", None), ("12", None)])
def test_level_of_code(code, level):
    assert geography.level_of_code(code) == level
