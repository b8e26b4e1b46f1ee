"""`evalkit clean`: reconciliation, aggregates, quarantine of malformed input."""

import json
import shutil

import pandas as pd
import pytest

from evalkit import clean
from evalkit.paths import processed_dir, raw_dir


def test_bundled_data_reconciles_exactly(processed):
    for report in processed:
        assert report.rows_read == report.rows_kept + report.rows_set_aside
        assert report.rows_read > 0
    summary = json.loads((processed_dir() / "clean_report.json").read_text(encoding="utf-8"))
    assert summary["rows_read"] == summary["rows_kept"] + summary["rows_set_aside"]


def test_tidy_table_has_every_level_and_one_row_per_key(tidy):
    assert set(tidy["area_level"]) >= {"stadsdel", "stadsdelsomrade", "omradesgrupp", "stad", "riket"}
    assert not tidy.duplicated(["area_code", "indicator", "year"]).any()
    assert tidy.loc[tidy["area_level"] == "stadsdel", "area_code"].nunique() == 117


def test_city_share_is_ratio_of_sums_not_mean_of_rates(tidy):
    rows = tidy[(tidy["indicator"] == "ekonomiskt_bistand") & (tidy["year"] == 2015)]
    districts = rows[rows["area_level"] == "stadsdel"].dropna(subset=["numerator", "denominator"])
    city = rows[rows["area_code"] == "stockholm"].iloc[0]
    assert city["numerator"] == districts["numerator"].sum()
    assert city["value"] == pytest.approx(100 * districts["numerator"].sum() / districts["denominator"].sum())
    assert city["value"] != pytest.approx(districts["value"].mean(), rel=1e-3)


def test_social_risk_index_is_100_for_the_city(tidy):
    city = tidy[(tidy["indicator"] == "index_sociala_risker") & (tidy["area_code"] == "stockholm")]
    assert len(city) == 15
    assert city["value"].to_numpy() == pytest.approx(100.0)


def test_malformed_file_rows_are_set_aside_with_reasons(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "sources.csv").write_text("path,indicator,level,description\nbad.csv,,,test\n", encoding="utf-8")
    (raw / "bad.csv").write_text(
        "omrade,omradesniva,indikator,ar,taljare,namnare,varde,status,kalla\n"
        "Tensta,stadsdel,ekonomiskt_bistand,2015,50,40,125.0,,t\n"   # numerator > denominator
        "Tensta,stadsdel,folkmangd,2015,,,100,,t\n"
        "Tensta,stadsdel,folkmangd,2015,,,100,,t\n"                 # exact duplicate
        "Rinkeby,stadsdel,folkmangd,2015,,,100,,t\n"
        "Rinkeby,stadsdel,folkmangd,2015,,,200,,t\n"                # conflicting duplicate
        "Tensta,stadsdel,folkmangd,1850,,,100,,t\n"                 # year out of range
        "Tensta,stadsdel,folkmangd,2016,,,-5,,t\n",                 # negative count
        encoding="utf-8",
    )
    kept, quarantine, reports = clean.read_sources(raw)
    report = reports[0]
    assert report.rows_read == 7
    assert report.rows_read == report.rows_kept + report.rows_set_aside
    reasons = dict(zip(quarantine["row_number"], quarantine["reason"]))
    assert "täljaren är större än nämnaren" in reasons[2] or "andel" in reasons[2]
    assert reasons[4].startswith("dubblett av rad 3")
    assert "olika värden" in reasons[5] and "olika värden" in reasons[6]
    assert "år" in reasons[7]
    assert "negativt" in reasons[8]
    assert set(kept["source_row"]) == {3}
