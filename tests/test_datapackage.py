"""The site's data package (evalkit.build.datapackage): valid Frictionless, typed and described
fields, exact round trip of every number, only published numbers, and the researchers' guide runs."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evalkit import data, stamp
from evalkit.analysis import intruder
from evalkit.build import datapackage, export, provenance, site
from evalkit.paths import processed_dir

DOCS = Path(__file__).resolve().parents[1] / "docs" / "researchers.md"  # the checkout's docs (tests run on a copy of the data)


@pytest.fixture(scope="module")
def built(processed, tmp_path_factory):
    """A package written from the processed data into ``<tmp>/reports/site/data`` (the layout
    the researchers' guide reads), and the tables it was written from."""
    root = tmp_path_factory.mktemp("pkg")
    path = datapackage.write(root / "reports" / "site")
    return root, path, datapackage.tables()


@pytest.fixture(scope="module")
def descriptor(built):
    return json.loads(built[1].read_text(encoding="utf-8"))


def read(folder: Path, spec: dict) -> pd.DataFrame:
    """A resource read back by its schema: text as text, numbers parsed exactly, empty = missing."""
    fields = spec["schema"]["fields"]
    frame = pd.read_csv(folder / spec["path"], dtype=str, keep_default_na=False, encoding="utf-8")
    for f in fields:
        col = frame[f["name"]]
        if f["type"] == "number":
            frame[f["name"]] = col.map(lambda t: float(t) if t else np.nan)
        elif f["type"] == "integer":
            frame[f["name"]] = col.map(lambda t: int(t) if t else pd.NA).astype("Int64")
        elif f["type"] == "boolean":
            frame[f["name"]] = col.map({"true": True, "false": False})
    return frame


def test_frictionless_validates_the_package(built):
    import frictionless

    report = frictionless.validate(built[1])
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
    # and every table the reports draw on is in it
    assert {r.name for r in report.tasks} == {"indikatorer", "omraden", "index", *datapackage.DEFINITION_TABLES,
                                              *datapackage.RESULT_TABLES}


def test_every_field_is_typed_and_described_in_swedish_and_english(descriptor):
    for spec in descriptor["resources"]:
        schema = spec["schema"]
        assert schema["missingValues"] == [""]
        names = [f["name"] for f in schema["fields"]]
        assert schema["primaryKey"] and set(schema["primaryKey"]) <= set(names), spec["name"]
        for f in schema["fields"]:
            assert f["type"] in ("string", "integer", "number", "boolean"), (spec["name"], f)
            assert f["description"].strip() and f["description_en"].strip(), (spec["name"], f["name"])
            assert f["description"] != f["description_en"], (spec["name"], f["name"])  # two languages
        assert spec["title"] and spec["hash"].startswith("sha256:")


def test_the_package_names_its_sources_licences_and_evalkit(descriptor):
    report = data.clean_report()
    assert {s["path"]: s["sha256"] for s in descriptor["sources"]} == {
        f"data/raw/{s['path']}": s["sha256"] for s in report["sources"]}
    assert all(s["license"] for s in descriptor["sources"]) and descriptor["licenses"]
    # licences are names with a URL, never a pointer to a file outside the package
    for entry in descriptor["sources"] + descriptor["licenses"]:
        url = entry.get("license_url", entry.get("path"))
        assert url.startswith("https://"), entry
        assert "README" not in json.dumps(entry), entry
    import evalkit

    assert descriptor["evalkit"]["version"] == evalkit.__version__
    assert descriptor["evalkit"]["commit"] == provenance.full_commit()


def test_rows_and_values_round_trip_exactly(built, descriptor):
    root, path, tables = built
    for spec in descriptor["resources"]:
        frame, key, _ = tables[spec["name"]]
        back = read(path.parent, spec)
        assert len(back) == len(frame), spec["name"]
        assert not back.duplicated(spec["schema"]["primaryKey"]).any(), spec["name"]
        want = frame.sort_values(key, kind="mergesort").reset_index(drop=True)
        for f in spec["schema"]["fields"]:
            got, exp = back[f["name"]], want[f["name"]]
            if f["type"] == "number":
                assert np.array_equal(got.to_numpy(float), exp.to_numpy(float), equal_nan=True), (spec["name"], f["name"])
            elif f["type"] == "string":
                assert got.tolist() == exp.fillna("").astype(str).tolist(), (spec["name"], f["name"])
            else:
                assert got.astype(object).where(got.notna(), None).tolist() == \
                    exp.astype(object).where(exp.notna(), None).tolist(), (spec["name"], f["name"])


def test_the_indicator_resource_is_the_published_table_and_passes_the_audit(built, descriptor):
    root, path, _ = built
    spec = next(r for r in descriptor["resources"] if r["name"] == "indikatorer")
    back = read(path.parent, spec)
    published = data.published_tidy()[0]
    key = ["area_code", "indicator", "year"]
    want = published.sort_values(key).reset_index(drop=True)
    assert np.array_equal(back["value"].to_numpy(float), want["value"].to_numpy(float), equal_nan=True)
    assert (back["status"] == want["status"].fillna("")).all()
    # The intruder plays on what a researcher downloads: nothing hidden can be worked out.
    back["year"] = back["year"].astype(int)
    result = intruder.audit(back, data.tidy(), data.DISCLOSURE_THRESHOLD)
    assert result.ok, result.text()
    assert (back["status"] == "x").sum() > 0  # there is something to protect


def test_no_result_rests_on_a_hidden_number(built, descriptor):
    root, path, _ = built
    resources = {r["name"]: read(path.parent, r) for r in descriptor["resources"]}
    # The stored results were computed from exactly the published table in the package.
    digest = hashlib.sha256((processed_dir() / data.PUBLISHED_TABLE).read_bytes()).hexdigest()
    assert descriptor["evalkit"]["published_table_sha256"] == digest
    assert stamp.problem(processed_dir()) == ""
    published = resources["indikatorer"]
    hidden = published[published["status"] == "x"]
    # no rank, and no index value, for an area-year whose index has a hidden input
    assert intruder.rank_breaches(resources["rank_intervals"], published).empty
    inputs = intruder.composite_inputs()["index_sociala_risker"]
    index = resources["index"]
    shown = index[index["value"].notna() & (index["domain"] == "total")][["area_code", "year"]].drop_duplicates()
    over_hidden = shown.merge(hidden[hidden["indicator"].isin(inputs)][["area_code", "year"]])
    assert over_hidden.empty, over_hidden.head()
    # a goal's baseline and latest value are the published ones: never a hidden cell's
    goals = resources["goal_status"]
    cells = published.set_index(["area_code", "indicator", "year"])["value"]
    checked = 0
    for when in ("baseline", "latest"):
        keys = list(zip(goals["area_code"], goals["indicator"], goals[f"{when}_year"].astype(int)))
        known = [k in cells.index for k in keys]
        values = goals.loc[known, when].to_numpy(float)
        shown_cells = cells.loc[[k for k, ok in zip(keys, known) if ok]].to_numpy(float)
        assert not (np.isnan(shown_cells) & ~np.isnan(values)).any(), when
        checked += sum(known)
    assert checked > 0
    # no count of 1-4 people among the result tables' counts (respondents of a survey share)
    for name in datapackage.RESULT_TABLES:
        frame = resources[name]
        for col in ("baseline_n", "latest_n"):
            if col in frame and name == "goal_status":
                people = frame.loc[frame["method"] == "two_proportion", col].to_numpy(float)
                assert not ((people > 0) & (people < data.DISCLOSURE_THRESHOLD)).any(), (name, col)


def test_same_inputs_same_bytes_and_a_second_build_skips_it(processed, tmp_path):
    first = datapackage.write(tmp_path / "a" / "site").parent
    second = datapackage.write(tmp_path / "b" / "site").parent
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir()) and "datapackage.json" in names
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    out = tmp_path / "out"
    assert datapackage.write_if_changed(out, "inputs-1") is True
    assert datapackage.write_if_changed(out, "inputs-1") is False
    assert datapackage.write_if_changed(out, "inputs-2") is True  # other data: written again


def test_index_method_page_and_provenance_link_to_the_package(processed, tmp_path):
    from evalkit.present import method

    assert method.DATA_PACKAGE_HREF == datapackage.HREF
    assert f'href="{datapackage.HREF}"' in method.data_for_researchers()._repr_html_()
    block = export.provenance_html(provenance.provenance({"district": "sd-husby"}))
    assert f'href="{datapackage.HREF}"' in block and "Data för forskare" in block
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    assert datapackage.HREF not in site.render_index([], set(), site_dir, synthetic=False)  # no package, no link
    datapackage.write(site_dir)
    assert f'href="{datapackage.HREF}"' in site.render_index([], set(), site_dir, synthetic=False)


def python_example(markdown: str) -> str:
    """The Python code block of the researchers' guide (the one that re-estimates the headline)."""
    blocks = re.findall(r"```python\n(.*?)```", markdown, flags=re.S)
    assert blocks, "docs/researchers.md has no Python example"
    return "\n".join(blocks)


def test_the_researchers_python_example_gets_the_reported_number(built, monkeypatch, capsys):
    root, _, tables = built
    monkeypatch.chdir(root)
    namespace: dict = {}
    exec(compile(python_example(DOCS.read_text(encoding="utf-8")), str(DOCS), "exec"), namespace)
    did = tables["did"][0]
    head = did[did["headline"] & (did["cohort"] == "programmet") & (did["indicator"] == namespace["INDICATOR"])].iloc[0]
    # The guide's own re-estimate from the CSV files equals the stored (and reported) estimate.
    assert namespace["estimate"] == pytest.approx(head["estimate"], rel=1e-9, abs=1e-12)
    assert namespace["se"] == pytest.approx(head["se"], rel=1e-9)
    assert f"{namespace['estimate']:.2f}" == f"{head['estimate']:.2f}"
    assert len(namespace["panel"]) == head["n_obs"]  # the same rows as `evalkit analyse` used


def test_a_column_without_a_description_stops_the_package_with_a_clear_message():
    frame = pd.DataFrame({"indicator": ["a"], "new_column": [1.5]})
    with pytest.raises(ValueError, match="new_column.*saknar beskrivning"):
        datapackage.resource("did", frame, ["indicator"], {"indicator": ("Indikator.", "Indicator.")})


def test_the_package_states_its_methods_citation_and_contributors(descriptor):
    """What a reader needs beyond the tables: the SE convention, the rank band's method and seed,
    the index formulas, the goal rule; who made it and how to cite it (as CITATION.cff)."""
    import yaml

    from evalkit import results

    methods = descriptor["evalkit"]["methods"]
    assert "G-1" in methods["standard_errors"]["df"] and "nested" in methods["standard_errors"]["small_sample_factor"]
    assert (methods["rank_band"]["n_boot"], methods["rank_band"]["seed"]) == (
        results.RANK_SETTINGS["n_boot"], results.RANK_SETTINGS["seed"])
    assert methods["goal_status"]["tolerance"] == 0.02 and methods["index"]["resource"] == "index_indikatorer"
    assert descriptor["contributors"] and all(c["title"] and c["roles"] for c in descriptor["contributors"])
    cff = yaml.safe_load((Path(__file__).resolve().parents[1] / "CITATION.cff").read_text(encoding="utf-8"))
    import evalkit

    assert cff["version"] == evalkit.__version__ and cff["version"] in descriptor["citation"]
    assert cff["authors"][0]["name"] in descriptor["citation"]


def test_definition_tables_cover_what_the_published_tables_use(built):
    _, _, tables = built
    published = tables["indikatorer"][0]
    codes = tables["statuskoder"][0]
    status_codes = set(codes.loc[(codes["resource"] == "indikatorer") & (codes["column"] == "status"), "code"])
    assert set(published["status"].fillna("")) <= status_codes and "0" in status_codes
    goals = tables["goal_status"][0]
    reasons = codes[(codes["resource"] == "goal_status") & (codes["column"] == "reason")].set_index("code")["status"]
    assert set(goals["reason"]) <= set(reasons.index)
    assert (goals["reason"].map(reasons) == goals["status"]).all()  # the decision table, as published
    book = tables["kodbok"][0]
    assert set(published["indicator"]) == set(book["indicator"])
    assert (book["license_url"].str.startswith("https://")).all() and book["origin"].str.len().gt(0).all()
    hierarchy = tables["omradeshierarki"][0]
    assert len(hierarchy) == 117 * 3 and hierarchy.groupby("era")["sdo_code"].nunique().to_dict() == {
        "2007": 14, "2020": 13, "2023": 11}
    config = tables["index_indikatorer"][0]
    assert config["position"].tolist() == list(range(1, len(config) + 1)) and (config["weight"] > 0).all()


def test_the_guide_re_derives_five_published_numbers_from_the_package_alone(built, monkeypatch, tmp_path, capsys):
    """docs/researchers.md's code, run on a built package with evalkit's own data out of reach
    (EVALKIT_ROOT points at an empty folder): a key figure, a goal status, an index value, an
    effect with its interval and a rank band come out as published."""
    root, _, _ = built
    monkeypatch.chdir(root)
    monkeypatch.setenv("EVALKIT_ROOT", str(tmp_path))
    namespace: dict = {}
    exec(compile(python_example(DOCS.read_text(encoding="utf-8")), str(DOCS), "exec"), namespace)
    got = namespace["rederived"]
    assert set(got) == {"key_figure", "goal_status", "index_value", "effect", "rank_band"}
    assert got["key_figure"][0] == pytest.approx(got["key_figure"][1], rel=1e-12)
    assert got["goal_status"][0] == got["goal_status"][1]
    assert got["index_value"][0] == pytest.approx(got["index_value"][1], rel=1e-12)
    assert np.allclose(np.array(got["effect"][0], float), np.array(got["effect"][1], float), rtol=1e-8)
    assert got["rank_band"][0] == got["rank_band"][1]
    assert "rank_band: re-derived" in capsys.readouterr().out


def test_no_text_field_of_the_package_starts_like_a_formula(built, descriptor):
    """Issue 25: text starting with = + - @ tab or CR is set aside at clean, so no published file
    carries one; numbers are numbers (never quoted)."""
    checked = 0
    for spec in descriptor["resources"]:
        frame = read(built[1].parent, spec)
        for f in spec["schema"]["fields"]:
            if f["type"] != "string":
                continue
            text = frame[f["name"]].dropna().astype(str)
            bad = text[text.str.match(r"^[=+\-@\t\r]")]
            assert bad.empty, (spec["name"], f["name"], bad.head().tolist())
            checked += len(text)
    assert checked > 100_000
    assert len(datapackage.read(built[1])) == len(descriptor["resources"]) + 1  # and reads back, verified
