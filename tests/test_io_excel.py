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


def test_percent_formatted_cells_become_percent(tmp_path):
    """Excel stores 12,3 % as 0.123 in a cell formatted "0.0%": the reader gives 12.3, not 0.123.
    A quoted "%" is literal text after a value that already is in percent: unchanged."""
    import openpyxl

    from evalkit.io.excel import is_percent_format

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Stadsdel", "2014", "2015"])
    ws.append(["Tensta", 0.123, 12.3])
    ws.append(["Rinkeby", 0.5, 7])
    for row in (2, 3):
        ws.cell(row, 2).number_format = "0.0%"
        ws.cell(row, 3).number_format = '0.0" %"'
    wb.save(tmp_path / "p.xlsx")
    result = read_with_quarantine(tmp_path / "p.xlsx", indicator="ekonomiskt_bistand")
    data = result.data.set_index(["area_code", "year"])["value"]
    assert data[("sd-tensta", 2014)] == pytest.approx(12.3) and data[("sd-tensta", 2015)] == pytest.approx(12.3)
    assert data[("sd-rinkeby", 2014)] == pytest.approx(50.0) and data[("sd-rinkeby", 2015)] == pytest.approx(7.0)
    assert any("procent" in n and "2 talceller" in n for n in result.notes)
    assert result.reconciles()
    assert is_percent_format("0%") and is_percent_format("#,##0.00%") and not is_percent_format('0.0" %"')
    assert not is_percent_format("General") and not is_percent_format(None) and not is_percent_format("0\\%")
