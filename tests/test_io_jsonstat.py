"""JSON-stat 2.0 reader: the status member is kept; nulls without status are set aside."""

import json
from pathlib import Path

from evalkit.io import read_with_quarantine

FIX = Path(__file__).parent / "fixtures" / "io"


def test_status_member_is_kept():
    result = read_with_quarantine(FIX / "ekonomiskt_bistand.jsonstat.json", indicator="ekonomiskt_bistand",
                                  level="stadsdel")
    data = result.data.set_index(["area_code", "year"])
    assert data.loc[("sd-rinkeby", 2015), "status"] == ".." and data.loc[("sd-skarholmen", 2016), "status"] == "x"
    assert data.loc[("sd-tensta", 2015), "value"] == 12.4
    assert data.loc[data["status"] != "", "value"].isna().all()
    assert result.reconciles() and len(result.data) == 6


def test_null_without_status_unknown_status_and_dimension_map(tmp_path):
    doc = json.loads((FIX / "ekonomiskt_bistand.jsonstat.json").read_text(encoding="utf-8"))
    doc["status"] = {"2": "..", "5": "?"}
    doc["value"][1] = None
    doc["dimension"]["Region"]["category"]["label"]["sd-tensta"] = "Tensat"
    (tmp_path / "d.json").write_text(json.dumps(doc), encoding="utf-8")
    result = read_with_quarantine(tmp_path / "d.json", level="stadsdel",
                                  dimension_map={"tabellinnehåll": {"EB": "ekonomiskt_bistand"}})
    reasons = result.quarantine.set_index("row_number")["reason"]
    assert reasons[1].startswith("Okänt område 'Tensat'")
    assert reasons[2] == "värde saknas (null) utan statussymbol"  # one reason per record, reader checks first
    assert reasons[6] == "okänd statussymbol (?)"
    assert result.reconciles() and len(result.data) == 3


def test_sparse_value_object(tmp_path):
    doc = json.loads((FIX / "ekonomiskt_bistand.jsonstat.json").read_text(encoding="utf-8"))
    doc["value"] = {"0": 1.5, "3": 2.5}
    doc["status"] = None
    (tmp_path / "s.json").write_text(json.dumps(doc), encoding="utf-8")
    result = read_with_quarantine(tmp_path / "s.json", indicator="ekonomiskt_bistand", level="stadsdel")
    assert result.data["value"].tolist() == [1.5, 2.5]
    assert (result.quarantine["reason"] == "värde saknas (null) utan statussymbol").sum() == 4
