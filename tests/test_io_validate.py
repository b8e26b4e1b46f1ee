"""`evalkit validate` (exit 0/1/2, no writes) and the clean step's precedence of real over demo data."""

import os
import shutil
from pathlib import Path

import pandas as pd

from evalkit import clean
from evalkit.cli import main
from evalkit.paths import processed_dir

FIX = Path(__file__).parent / "fixtures" / "io"


def snapshot(folder: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*")} if folder.exists() else {}


def test_exit_codes_and_listing(capsys):
    before = snapshot(processed_dir())
    assert main(["validate", str(FIX / "long_english_tab.txt")]) == 0
    assert main(["validate", str(FIX / "malformed.csv")]) == 1
    out = capsys.readouterr().out
    for row, reason in [(2, "täljaren är större än nämnaren"), (3, "Okänt område 'Tensat'"),
                        (4, "text i en talkolumn"), (6, "dubblett av rad 5"), (7, "talet har en enhet (%)"),
                        (8, "talet har en enhet (kr)"), (9, "felaktig teckenkodning")]:
        assert any(line.startswith(f"malformed.csv\trad {row}\t") and reason in line for line in out.splitlines()), row
    assert "lästa 9, användbara 2, undantagna 7 (stämmer)" in out
    assert snapshot(processed_dir()) == before  # nothing written


def test_unreadable_file_is_one_line_exit_2(tmp_path, capsys):
    (tmp_path / "b.px").write_text('STUB="x";\n', encoding="utf-8")
    for path in [tmp_path / "missing.csv", tmp_path / "b.px"]:
        assert main(["validate", str(path)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and path.name in err and "Traceback" not in err


def test_real_rows_replace_demo_rows_and_counts_reconcile(tmp_path):
    raw = tmp_path / "raw"
    (raw / "demo").mkdir(parents=True)
    (raw / "scb").mkdir()
    (raw / "sources.csv").write_text("path,indicator,level,description\ndemo/d.csv,,,demo\nscb/r.csv,,,real\n",
                                     encoding="utf-8")
    (raw / "demo" / "d.csv").write_text(
        "omrade,omradesniva,indikator,ar,taljare,namnare,varde,status,kalla\n"
        "Akalla,stadsdel,bostader_hyresratt,2019,,,1000,,demo\n"
        "Akalla,stadsdel,bostader_hyresratt,2020,,,1001,,demo\n", encoding="utf-8")
    shutil.copy(FIX / "scb_upplatelseform_sample.csv", raw / "scb" / "r.csv")
    (raw / "scb" / "r.csv.evalkit.json").write_text(
        '{"level": "stadsdel", "area_type": "regso", "years": [2020], "dimension_map": {"upplåtelseform": '
        '{"hyresrätt": "bostader_hyresratt", "bostadsrätt": "bostader_bostadsratt", '
        '"äganderätt": "bostader_aganderatt", "uppgift saknas": null}}}', encoding="utf-8")
    kept, quarantine, reports = clean.read_sources(raw)
    demo, real = reports
    assert (demo.rows_read, demo.rows_kept, demo.rows_set_aside) == (2, 1, 1)
    assert demo.reasons == {clean.REPLACED_BY_REAL: 1}
    assert all(r.reconciles for r in reports)
    akalla = kept[(kept["area_code"] == "sd-akalla") & (kept["indicator"] == "bostader_hyresratt")]
    assert dict(zip(akalla["year"], akalla["value"])) == {2019: 1000, 2020: 1046}
    assert not kept.duplicated(clean.KEY).any()
    replaced = quarantine[quarantine["reason"] == clean.REPLACED_BY_REAL]
    assert replaced[["source_file", "row_number"]].values.tolist() == [["demo/d.csv", 3]]


def test_bundled_clean_report_counts_replaced_demo_rows(processed):
    demo = next(r for r in processed if r.path.startswith("demo/"))
    scb = next(r for r in processed if r.path.startswith("scb/"))
    assert demo.reasons.get(clean.REPLACED_BY_REAL) == scb.rows_kept == 91 * 3
    assert all(r.reconciles for r in processed)
