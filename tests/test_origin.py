"""Real or demo, per row, from sources.csv: the listing, precedence, aggregates, the published
table, the words on pages and the data package; and nothing stale is built or published."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from evalkit import aggregate, clean, cli, programme, stamp
from evalkit import origin
from evalkit.geography import stadsdelar
from evalkit.paths import processed_dir, raw_dir

HEAD = "path,indicator,level,description,kind,origin\n"


# --------------------------------------------------------------------------- the rule


def test_two_observations_are_comparable_only_with_the_same_origin():
    assert origin.comparable("real", "real") and origin.comparable("demo", "demo")
    assert not origin.comparable("demo", "real") and not origin.comparable("real", "demo")
    assert origin.comparison_problem("demo", "real") == origin.MIXED_ORIGIN == "mixed_origin"
    assert origin.comparison_problem("real", "real") == ""
    assert origin.comparable(None, "real")  # unknown says nothing


def test_a_value_formed_from_a_demo_part_is_demo():
    assert origin.combine(["real", "real"]) == "real"
    assert origin.combine(["real", "demo", "real"]) == "demo"
    assert origin.year_spans([2016, 2014, 2015, 2020]) == [(2014, 2016), (2020, 2020)]


# --------------------------------------------------------------------------- sources.csv


def test_the_listing_says_which_files_are_demo(tmp_path):
    (tmp_path / "sources.csv").write_text(HEAD + "a.csv,,,x,,demo\nb.csv,,,y,,\nc.csv,,,z,,REAL\n", encoding="utf-8")
    assert clean.listing(tmp_path)["origin"].tolist() == ["demo", "real", "real"]  # empty = real


def test_a_listing_of_earlier_versions_takes_demo_from_the_folder(tmp_path):
    (tmp_path / "sources.csv").write_text("path,indicator,level,description\ndemo/a.csv,,,x\nstad/b.csv,,,y\n",
                                          encoding="utf-8")
    assert clean.listing(tmp_path)["origin"].tolist() == ["demo", "real"]


def test_an_unknown_origin_is_one_line_naming_row_and_column(tmp_path):
    (tmp_path / "sources.csv").write_text(HEAD + "a.csv,,,x,,demo\nb.csv,,,y,,syntetisk\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"sources\.csv, rad 3, kolumn origin: okänt ursprung 'syntetisk'"):
        clean.listing(tmp_path)


def test_the_bundled_listing_marks_the_demo_files():
    listed = clean.listing(raw_dir()).set_index("path")["origin"]
    assert listed["demo/indikatorer_2006-2020.csv"] == "demo" and listed["scb/regso_fodelseregion_2020-2023.csv"] == "real"
    assert listed["schools/skolresultat_demo.csv"] == "demo"


def _long(rows) -> str:
    return "omrade,omradesniva,indikator,ar,taljare,namnare,varde,status,kalla\n" + "".join(
        f"{a},stadsdel,{i},{y},{n},{d},{v},,\"{s}\"\n" for a, i, y, n, d, v, s in rows)


def test_a_real_file_supersedes_the_demo_file_by_origin_not_by_folder(tmp_path):
    """The demo file here is not under demo/: only sources.csv says it is demo."""
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "syntes.csv").write_text(_long([
        ("Tensta", "ekonomiskt_bistand", 2019, 100, 1000, 10.0, "evalkit demodata (syntetisk)"),
        ("Tensta", "ekonomiskt_bistand", 2020, 90, 1000, 9.0, "evalkit demodata (syntetisk)"),
        ("Tensta", "folkmangd", 2014, "", "", 1000, "Stockholms stad, basområden (CC0)"),
        ("Husby", "folkmangd", 2014, "", "", 900, ""),
    ]), encoding="utf-8")
    (tmp_path / "stad.csv").write_text("Stadsdel;År;Andel\nTensta;2020;8,5\n", encoding="utf-8")
    (tmp_path / "sources.csv").write_text(HEAD + "x/syntes.csv,,,Demo,,demo\n"
                                          "stad.csv,ekonomiskt_bistand,,Statistikenheten: bistånd 2020,,real\n",
                                          encoding="utf-8")
    kept, quarantine, reports = clean.read_sources(tmp_path)
    demo, real = reports
    assert demo.origin == "demo" and real.origin == "real"
    assert demo.reasons == {clean.REPLACED_BY_REAL: 1} and demo.reconciles and clean.replaced_by_real(reports) == 1
    rows = kept.set_index(["area_code", "indicator", "year"])
    assert rows.loc[("sd-tensta", "ekonomiskt_bistand", 2020), "value"] == 8.5
    assert rows.loc[("sd-tensta", "ekonomiskt_bistand", 2020), "origin"] == "real"
    assert rows.loc[("sd-tensta", "ekonomiskt_bistand", 2020), "source"] == "Statistikenheten: bistånd 2020"
    assert rows.loc[("sd-tensta", "ekonomiskt_bistand", 2019), "origin"] == "demo"
    # a demo file's row whose own source is not demo data is real; a row without a source stays demo
    assert rows.loc[("sd-tensta", "folkmangd", 2014), "origin"] == "real"
    assert rows.loc[("sd-husby", "folkmangd", 2014), "origin"] == "demo"
    text = clean.format_report(reports, 0)
    assert "x/syntes.csv [demodata]: lästa 4" in text
    assert "Demorader ersatta av verkliga uppgifter (samma område, indikator och år): 1" in text


# --------------------------------------------------------------------------- aggregates


def test_a_group_is_real_only_when_every_member_with_data_is():
    codes = stadsdelar()["stadsdel_code"].tolist()
    rows = pd.DataFrame({"area_code": codes, "area_name": codes, "area_level": "stadsdel",
                         "indicator": "folkmangd", "year": 2020, "value": 1000.0, "status": "",
                         "numerator": np.nan, "denominator": np.nan, "unit": "antal", "source": "s",
                         "origin": ["demo" if c == "sd-tensta" else "real" for c in codes]})
    out = aggregate.add_aggregates(rows, programme.indicator_catalogue()).set_index("area_code")["origin"]
    assert out["stockholm"] == "demo" and out["sdo-spanga-tensta"] == "demo" and out["ovriga-staden"] == "real"
    assert out["sdo-rinkeby-kista"] == "real"


# --------------------------------------------------------------------------- what is published


def test_every_published_row_has_its_origin_and_the_numbers_did_not_move(processed):
    published = pd.read_parquet(processed_dir() / "indicators_published.parquet")
    assert published.columns[-1] == "origin" and set(published["origin"]) == {"real", "demo"}
    pop = published[(published["indicator"] == "folkmangd") & (published["area_level"] == "stadsdel")]
    by_year = pop.groupby("year")["origin"].agg(set)
    assert by_year[2014] == by_year[2016] == {"real"} and by_year[2017] == {"demo"}  # as data/raw/demo/README says
    scb = published[published["indicator"] == "folkmangd_scb"]
    assert (scb["origin"] == "real").all()
    # the tenure mix is real exactly where its three counts are (a few stadsdelar have one count from demo)
    year = published[(published["year"] == 2020) & (published["area_level"] == "stadsdel")]
    mix = year[(year["indicator"] == "upplatelseform_mangfald") & year["value"].notna()].set_index("area_code")
    counts = year[year["indicator"].isin(programme.composite_inputs("upplatelseform_mangfald"))]
    all_real = (counts["origin"] == "real").groupby(counts["area_code"]).all()
    assert len(mix) > 80 and (mix["origin"] == all_real.reindex(mix.index).map({True: "real", False: "demo"})).all()
    assert (mix["origin"] == "demo").any() and (mix["origin"] == "real").any()


def test_the_banner_and_the_method_page_name_the_real_series(processed):
    from evalkit import data
    from evalkit.present import method, page

    tidy = data.published_tidy()[0]
    banner = page.demo_banner(tidy).text
    assert "folkmängd 2014–2016" in banner and "demodata" in banner and "geografin" in banner
    assert page.demo_banner(tidy[tidy["origin"] == "real"]).text == ""  # all real: no banner
    table = method.indicator_table(tidy).frame.set_index("Id")["Ursprung"]
    assert table["folkmangd"].startswith("Verkliga uppgifter 2014–2016 (Stockholms stad, basområden (CC0))")
    assert table["folkmangd"].endswith("övriga år demodata")
    assert table["ohalsotal"] == "Demodata"
    assert table["folkmangd_scb"].startswith("Verkliga uppgifter (SCB")
    sources = method.sources_table().frame.set_index("Fil")
    assert sources.loc["data/raw/demo/indikatorer_2006-2020.csv", "Ursprung (sources.csv)"] == "demodata"


def test_a_chart_says_which_values_are_real():
    from evalkit.present import page

    rows = pd.DataFrame({"area_code": ["sd-husby"] * 3 + ["stockholm"] * 3, "year": [2014, 2019, 2020] * 2,
                         "value": 1.0, "source": "s", "origin": ["demo", "demo", "real", "demo", "demo", "demo"]})
    note = page.origin_note_sv(rows, {"sd-husby": "Husby"}.get)
    assert note == "Verkliga uppgifter: Husby 2020; övriga värden är demodata."
    assert page.origin_note_sv(rows.assign(origin="demo"), str) == ""


def test_the_index_trend_is_not_assessed_across_demo_and_real():
    from evalkit.present import risk

    origins = {("sd-husby", 2014): "demo", ("sd-husby", 2020): "real"}
    sentence = risk.trend_sentence_sv(pd.DataFrame(), pd.DataFrame(), "sd-husby", 2014, 2020, origins=origins)
    assert "kan ej bedömas – jämför demodata med verkliga uppgifter" in sentence
    assert "2014: demodata, 2020: verkliga uppgifter" in sentence
    assert risk.mixed_origin_sv({("sd-husby", 2014): "demo", ("sd-husby", 2020): "demo"}, "sd-husby", 2014, 2020) == ""


def test_the_data_package_types_origin_and_marks_the_demo_sources(processed, tmp_path):
    from evalkit.build import datapackage

    datapackage.write(tmp_path / "site")
    desc = json.loads((tmp_path / "site" / datapackage.HREF).read_text(encoding="utf-8"))
    res = next(r for r in desc["resources"] if r["name"] == "indikatorer")
    field = next(f for f in res["schema"]["fields"] if f["name"] == "origin")
    assert field["constraints"]["enum"] == ["real", "demo"] and "demodata" in field["description"]
    sources = {s["path"]: s["origin"] for s in desc["sources"]}
    assert sources["data/raw/demo/indikatorer_2006-2020.csv"] == "demo"
    assert sources["data/raw/scb/regso_upplatelseform_2020-2023.csv"] == "real"


# --------------------------------------------------------------------------- nothing stale


def test_build_and_publish_stop_in_one_line_when_data_raw_changed(processed, tmp_path, capsys):
    from evalkit.build import publish

    processed_path = processed_dir()
    assert stamp.raw_problem(processed_path) == ""
    source = raw_dir() / "demo" / "indikatorer_2006-2020.csv"
    original = source.read_bytes()
    try:
        source.write_bytes(original + b"Husby,stadsdel,ekonomiskt_bistand,2021,1,10,10.0,,x\n")
        problem = stamp.raw_problem(processed_path)
        assert problem.startswith("data/raw har ändrats sedan `evalkit clean` senast läste den")
        assert "make report" in problem and "\n" not in problem
        assert cli.main(["build", "--district", "Husby"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "data/raw har ändrats" in err
        with pytest.raises(publish.PublishRefused, match="publiceras inte: data/raw har ändrats"):
            publish.publish(tmp_path / "reports", tmp_path / "dest", jobs=[], audit=False)
        assert not (tmp_path / "dest").exists()
    finally:
        source.write_bytes(original)
    assert stamp.raw_problem(processed_path) == ""


def test_a_processed_folder_without_a_clean_stamp_is_not_built_from(tmp_path):
    (tmp_path / "processed").mkdir()
    assert "clean.sha256 saknas" in stamp.raw_problem(tmp_path / "processed")
    shutil.rmtree(tmp_path / "processed")
