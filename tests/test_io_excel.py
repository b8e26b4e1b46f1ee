"""Excel reader: title rows, merged header, years as columns, formulas and #REF! set aside."""

import importlib.util
from pathlib import Path

import pytest

from evalkit.io import ReaderError, read_with_quarantine

FIX = Path(__file__).parent / "fixtures" / "io"
spec = importlib.util.spec_from_file_location("make_xlsx", FIX / "make_xlsx.py")
make_xlsx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_xlsx)


@pytest.mark.parametrize("fresh", [False, True])
def test_published_sheet(tmp_path, fresh):
    path = make_xlsx.write(tmp_path / "o.xlsx") if fresh else FIX / "ohalsotal_stadsdel.xlsx"
    result = read_with_quarantine(path, indicator="ohalsotal")
    data = result.data.set_index(["area_code", "year"])
    assert data.loc[("sd-tensta", 2015), "value"] == pytest.approx(34.8)   # "34,8" typed as text
    assert data.loc[("sd-rinkeby", 2014), "status"] == ".."
    assert data.loc[("sd-kista", 2014), "status"] == "–"
    q = result.quarantine.set_index("row_number")
    assert q.loc[8, "reason"].startswith("formel utan sparat värde")
    assert q.loc[9, "reason"] == "felvärde i Excel (#REF!)"
    assert q.loc[10, "reason"].startswith("text i en talkolumn")
    assert result.rows_read == 15 and result.reconciles()
    assert len(result.note_lines) == 6  # 2 title rows, blank, blank, Källa, Anm.


def test_not_a_workbook(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ReaderError, match="x.xlsx"):
        read_with_quarantine(tmp_path / "x.xlsx", indicator="ohalsotal")
