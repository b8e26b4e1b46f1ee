"""Year on year: `evalkit diff`, the changes page and the district boxes, on real data packages."""

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from evalkit import cli, clean
from evalkit.analysis import changes
from evalkit.build import changes_page, datapackage, publish
from evalkit.paths import processed_dir, raw_dir

from conftest import seed_disclosure_cache

CELL = ("sd-tensta", "ekonomiskt_bistand", 2019)


@pytest.fixture(scope="module")
def old_site(processed, tmp_path_factory):
    """The data package of the bundled publication, as a build writes it."""
    site = tmp_path_factory.mktemp("old") / "site"
    datapackage.write(site)
    return site


def _rewrite(site: Path, name: str, edit) -> None:
    """Change one resource of a package in place (as if the next year's build had written it)."""
    tables = datapackage.read(site, (name,))
    frame = edit(tables[name].copy())
    desc = json.loads((site / datapackage.HREF).read_text(encoding="utf-8"))
    spec = next(r for r in desc["resources"] if r["name"] == name)
    body, _ = datapackage.to_csv_bytes(frame, spec["schema"]["primaryKey"])
    (site / datapackage.FOLDER / f"{name}.csv").write_bytes(body)
    spec["hash"], spec["bytes"] = "sha256:" + hashlib.sha256(body).hexdigest(), len(body)
    (site / datapackage.HREF).write_text(json.dumps(desc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def new_build(old_site, tmp_path_factory):
    """A build folder whose site differs from ``old_site`` in one number and one goal status,
    with two district pages."""
    out = tmp_path_factory.mktemp("new")
    site = out / "site"
    shutil.copytree(old_site, site)

    def one_number(t):
        at = (t["area_code"] == CELL[0]) & (t["indicator"] == CELL[1]) & (t["year"] == CELL[2])
        t.loc[at, "value"] = t.loc[at, "value"] + 1.0
        return t

    def one_status(t):
        at = (t["area_code"] == "sd-tensta") & (t["indicator"] == "ekonomiskt_bistand")
        t.loc[at, "status"] = "met" if (t.loc[at, "status"] != "met").all() else "not_met"
        return t

    _rewrite(site, "indikatorer", one_number)
    _rewrite(site, "goal_status", one_status)
    for slug, name in (("sd-tensta", "Tensta"), ("sd-husby", "Husby")):
        (site / f"{slug}.html").write_text(f"<html><body><main><h1>{name}</h1><p>…</p></main></body></html>",
                                           encoding="utf-8")
    return out


def test_identical_publications_give_no_changes(old_site, capsys):
    assert cli.main(["diff", str(old_site), str(old_site), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert all(out[k] == [] for k in ("changes", "status_changes", "effects", "ranks", "inputs"))
    assert cli.main(["diff", str(old_site), str(old_site)]) == 0
    assert "Inga förändringar" in capsys.readouterr().out


@pytest.mark.slow
def test_diff_lists_exactly_the_changed_number_and_the_flipped_status(old_site, new_build, capsys):
    assert cli.main(["diff", str(old_site), str(new_build / "site"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(c["area_code"], c["indicator"], c["year"], c["field"], c["kind"]) for c in out["changes"]] == \
        [(*CELL, "value", "changed")]
    change = out["changes"][0]
    assert isinstance(change["old"], float) and change["new"] == pytest.approx(change["old"] + 1.0)
    assert [(s["area_code"], s["indicator"]) for s in out["status_changes"]] == [("sd-tensta", "ekonomiskt_bistand")]


@pytest.mark.slow
def test_changes_page_and_the_district_box(old_site, new_build):
    result = changes_page.update(new_build, compare_with=old_site)
    assert result is not None
    page = (new_build / "site" / changes_page.PAGE).read_text(encoding="utf-8")
    assert page.index("Måluppfyllelse som ändrats") < page.index("Största förändringar per område")
    assert "Tensta" in page and "Andel invånare med ekonomiskt bistånd" in page
    tensta = (new_build / "site" / "sd-tensta.html").read_text(encoding="utf-8")
    assert "Ändrat sedan förra publiceringen" in tensta and 'href="andringar.html"' in tensta
    assert "Ändrat sedan" not in (new_build / "site" / "sd-husby.html").read_text(encoding="utf-8")
    # The box sits right after the title, between the markers the next build replaces it by.
    assert tensta.index("</h1><!-- ek-changes --><div class=\"ek-changes\"") < tensta.index("<p>…</p>")
    assert tensta.count("<!-- ek-changes -->") == 1 and tensta.count("<!-- /ek-changes -->") == 1
    # Same inputs, same bytes: a second update changes nothing.
    before = {p.name: p.read_bytes() for p in (new_build / "site").glob("*.html")}
    changes_page.update(new_build, compare_with=old_site)
    assert before == {p.name: p.read_bytes() for p in (new_build / "site").glob("*.html")}


@pytest.mark.slow
def test_the_changes_page_is_the_index_s_base_template(old_site, new_build, tmp_path):
    """One base for the site's own pages: the changes page and the index share the head, the
    inlined stylesheet and the main landmark; only the changes page has the way back to the index."""
    from evalkit.build import site

    changes_page.update(new_build, compare_with=old_site)
    page = (new_build / "site" / changes_page.PAGE).read_text(encoding="utf-8")
    index = site.render_index([], set(), new_build / "site", synthetic=False)
    head = index[:index.index("<title>")]
    assert page.startswith(head) and head.startswith("<!DOCTYPE html>\n<html lang=\"sv\">")
    css = index[index.index("</title>"):index.index("<body>")]
    assert css in page and "<style>" in css
    assert '<header class="ek-top"><a href="index.html">Alla rapporter</a></header>\n<main id="innehall">' in page
    assert '<header class="ek-top">' not in index and '<body>\n<main id="innehall">' in index
    assert page.endswith("</main>\n</body>\n</html>") and index.endswith("</script>\n</body>\n</html>")


def test_the_box_escapes_what_it_says():
    """The box is a template with autoescape: an indicator label with markup stays text."""
    from evalkit import programme
    from evalkit.present import changes as words

    catalogue = programme.indicator_catalogue().copy()
    catalogue.loc[catalogue["indicator"] == CELL[1], "label_sv"] = "<b>bistånd</b> & annat"
    diff = {"changes": pd.DataFrame({"area_code": [CELL[0]], "indicator": [CELL[1]]}),
            "status_changes": pd.DataFrame({"area_code": pd.Series([], dtype=str)})}
    box = words.area_boxes(diff, catalogue, changes_href="andringar.html")[CELL[0]]
    assert "&lt;b&gt;bistånd&lt;/b&gt; &amp; annat" in box and "<b>" not in box
    assert box == ('<div class="ek-changes" role="note"><p><strong>Ändrat sedan förra publiceringen:</strong> '
                   '1 publicerad uppgift (&lt;b&gt;bistånd&lt;/b&gt; &amp; annat). '
                   '<a href="andringar.html">Alla förändringar</a></p></div>')


def test_publish_and_the_changes_page_do_not_import_each_other_both_ways():
    """publish records where it published; the changes page reads that record from publish.
    Imports inside functions count (the house rule of issue 28)."""
    import ast

    import evalkit.build.publish as publish_module

    tree = ast.parse(Path(publish_module.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert not any("changes_page" in m for m in imported if m)


@pytest.mark.slow
def test_without_a_publication_to_compare_with_page_and_boxes_go(old_site, new_build, tmp_path):
    out = tmp_path / "b"
    shutil.copytree(new_build, out)
    changes_page.update(out, compare_with=old_site)
    assert changes_page.update(out) is None
    assert not (out / "site" / changes_page.PAGE).exists()
    assert "ek-changes" not in (out / "site" / "sd-tensta.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_default_comparison_is_the_last_publication_or_the_one_before_it(old_site, new_build, tmp_path):
    dest = tmp_path / "share" / "site"
    shutil.copytree(old_site, dest)
    publish.record_publication(new_build, dest)  # as `evalkit publish` does
    assert changes_page.compare_target(new_build) == dest
    # Once this very build is what is served, the page keeps describing what it changed.
    shutil.copytree(dest, publish.previous_dir(dest))
    shutil.rmtree(dest)
    shutil.copytree(new_build / "site", dest)
    assert changes_page.compare_target(new_build) == publish.previous_dir(dest)


def test_hidden_cells_are_compared_as_hidden(old_site, tmp_path, capsys):
    """A cell hidden in the new publication shows its old (published) value and no new one; one
    hidden in both is no change whatever the data behind it."""
    site = tmp_path / "site"
    shutil.copytree(old_site, site)
    hidden_before = datapackage.read(old_site, ("indikatorer",))["indikatorer"]
    hidden_before = hidden_before[hidden_before["status"] == "x"]

    def hide(t):
        at = (t["area_code"] == CELL[0]) & (t["indicator"] == CELL[1]) & (t["year"] == CELL[2])
        t.loc[at, ["value", "numerator"]] = float("nan")
        t.loc[at, "status"] = "x"
        return t

    _rewrite(site, "indikatorer", hide)
    assert cli.main(["diff", str(old_site), str(site), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["changes"]
    assert {(c["field"], c["kind"]) for c in out} == {("value", "hidden"), ("numerator", "hidden")}
    assert all(c["new"] is None and c["new_status"] == "x" and c["old"] is not None for c in out)
    assert len(hidden_before) > 0  # the bundled publication hides cells, none of which appear above


def test_unreadable_publication_is_one_line_and_exit_2(tmp_path, capsys):
    assert cli.main(["diff", str(tmp_path), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fel: ") and "datapaket" in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_one_raw_number_changed_moves_that_cell_and_its_dependants_only(processed, tmp_path):
    """Change one count in the raw file, clean again, and diff the published tables: the cell
    itself moves, and nothing but its aggregates and composites (and cells whose protection the
    suppression had to rearrange) may move with it."""
    raw = tmp_path / "raw"
    shutil.copytree(raw_dir(), raw)
    path = raw / "demo" / "indikatorer_2006-2020.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    at = (frame["omrade"] == "Tensta") & (frame["indikator"] == CELL[1]) & (frame["ar"] == str(CELL[2]))
    assert at.sum() == 1
    numerator = int(frame.loc[at, "taljare"].iloc[0]) + 100
    frame.loc[at, "taljare"] = str(numerator)
    frame.loc[at, "varde"] = f"{100 * numerator / int(frame.loc[at, 'namnare'].iloc[0]):.1f}"  # as the file writes it
    frame.to_csv(path, index=False)
    before = pd.read_parquet(processed_dir() / "indicators_published.parquet")
    seed_disclosure_cache(tmp_path / "processed")
    clean.run(raw, tmp_path / "processed")
    after = pd.read_parquet(tmp_path / "processed" / "indicators_published.parquet")
    moved = changes.value_changes(before, after)
    assert ((moved["area_code"] == CELL[0]) & (moved["indicator"] == CELL[1]) & (moved["year"] == CELL[2])
            & (moved["field"] == "numerator")).any()
    dependants = {"sd-tensta", "sdo-spanga-tensta", "programomradet", "stockholm", "sdo-rinkeby-kista"}
    composites = {"index_sociala_risker"}
    unexpected = moved[~moved["area_code"].isin(dependants) | (moved["year"] != CELL[2])]
    unexpected = unexpected[~unexpected["indicator"].isin(composites) | (unexpected["year"] != CELL[2])]
    assert unexpected.empty, unexpected.head().to_dict("records")
    print(f"\nEn ändrad rådatauppgift: {len(moved)} publicerade celler flyttade: "
          f"{sorted(set(zip(moved['area_code'], moved['indicator'], moved['field'])))}")
    assert set(moved["indicator"]) <= {CELL[1], *composites}


# --- issue 25: a previous publication is untrusted input ------------------------------------------

def _tampered(old_site: Path, tmp_path: Path, how: str) -> Path:
    site = tmp_path / "tampered" / "site"
    shutil.copytree(old_site, site)
    csv = site / datapackage.FOLDER / "indikatorer.csv"
    desc_path = site / datapackage.HREF
    desc = json.loads(desc_path.read_text(encoding="utf-8"))
    spec = next(r for r in desc["resources"] if r["name"] == "indikatorer")
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    if how == "bytes changed, hash not":
        csv.write_text("".join(lines[:-1]), encoding="utf-8")
        return site
    if how == "injected column":
        body = "".join(line.rstrip("\n") + (",injicerad\n" if i == 0 else ",=1+1\n") for i, line in enumerate(lines))
    elif how == "text in a number field":
        body = lines[0] + lines[1].replace(lines[1].split(",")[0], lines[1].split(",")[0], 1)
        cols = lines[0].rstrip("\n").split(",")
        row = lines[1].rstrip("\n").split(",")
        row[cols.index("year")] = "tjugo"
        body = lines[0] + ",".join(row) + "\n" + "".join(lines[2:])
    elif how == "duplicated rows":
        body = "".join(lines) + "".join(lines[1:])
    elif how == "path outside the package":
        outside = tmp_path / "x.csv"
        outside.write_text("".join(lines), encoding="utf-8")
        spec["path"] = "../../../x.csv"
        desc_path.write_text(json.dumps(desc, ensure_ascii=False), encoding="utf-8")
        return site
    elif how == "a key twice":
        text = desc_path.read_text(encoding="utf-8")
        desc_path.write_text(text.replace('"resources": [', '"resources": [], "resources": [', 1), encoding="utf-8")
        return site
    csv.write_text(body, encoding="utf-8")
    spec["hash"] = "sha256:" + hashlib.sha256(body.encode()).hexdigest()
    spec["bytes"] = len(body.encode())
    desc_path.write_text(json.dumps(desc, ensure_ascii=False), encoding="utf-8")
    return site


TAMPERINGS = {"bytes changed, hash not": "byte", "injected column": "rubrikraden",
              "text in a number field": "kolumn year", "duplicated rows": "primärnyckeln",
              "path outside the package": "som inte är en fil i paketets mapp", "a key twice": "två gånger"}


@pytest.mark.parametrize("how", sorted(TAMPERINGS))
def test_a_tampered_publication_is_refused_with_one_line(old_site, tmp_path, capsys, how):
    site = _tampered(old_site, tmp_path, how)
    with pytest.raises(datapackage.PackageError, match=TAMPERINGS[how]):
        datapackage.read(site, tuple(changes.RESOURCES.values()))
    assert cli.main(["diff", str(site), str(old_site)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("fel: ") and len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("how", ["text in a number field", "injected column"])
def test_build_goes_on_without_the_changes_page_when_the_previous_publication_does_not_check_out(
        old_site, new_build, tmp_path, capsys, how):
    site = _tampered(old_site, tmp_path, how)
    changes_page.update(new_build, site)  # with a good one first: page and boxes there
    assert changes_page.update(new_build, old_site) is not None and (new_build / "site" / changes_page.PAGE).exists()
    capsys.readouterr()
    assert changes_page.update(new_build, site) is None
    assert "varning: ingen förändringssida" in capsys.readouterr().err
    assert not (new_build / "site" / changes_page.PAGE).exists()
    assert "ek-changes" not in (new_build / "site" / "sd-tensta.html").read_text(encoding="utf-8")


def test_a_table_without_the_compared_columns_is_a_schema_mismatch(old_site):
    tables = datapackage.read(old_site, tuple(changes.RESOURCES.values()))
    broken = dict(tables, indikatorer=tables["indikatorer"].drop(columns="status"))
    with pytest.raises(changes.SchemaMismatch, match="indikatorer saknar kolumnerna status"):
        changes.diff(broken, tables)


def test_a_box_goes_under_the_title_and_the_next_build_replaces_it():
    from evalkit.present.site import with_box

    page = '<main><h1 id="t">Tensta<a class="anchor-link" href="#t">¶</a></h1><p>…</p><h1>B</h1></main>'
    once = with_box(page, "<div>A</div>")
    assert once == page.replace("</h1>", "</h1><!-- ek-changes --><div>A</div><!-- /ek-changes -->", 1)
    assert with_box(once, "<div>B</div>") == with_box(page, "<div>B</div>")  # replaced, never two
    assert with_box(once, None) == page and with_box(page, None) == page
    assert with_box("<p>no title</p>", "<div>A</div>") == "<p>no title</p>"
