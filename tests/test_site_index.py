"""The site stays whole: index.html lists every page in reports/site, whatever a build rebuilt."""

import re

import nbformat
import pytest

from evalkit.build import plan, site


def _stand_in(path):
    """A tiny report notebook with the real parameters, so that a whole site builds in seconds."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("district = ''\nstart_year = 0\nend_year = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print(district, start_year, end_year)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _links(index_html: str) -> list[str]:
    """The index's links to report pages (not the one to the data package, data/datapackage.json)."""
    return [href for href in re.findall(r'<a href="([^"]+)">', index_html) if href.endswith(".html")]


def _sentence(index_html: str) -> str:
    return re.search(r"<p>(\d+ rapport[^<]*)</p>", index_html).group(1)


def test_rebuilding_one_district_for_other_years_keeps_every_page_in_the_index(monkeypatch, tmp_path, processed):
    """Build all, then `--district Rinkeby --years 2016–2019`: the index still
    links all 30 pages plus the new one, under Rinkeby's borough, and counts 31."""
    from evalkit import cli

    stand_in = _stand_in(tmp_path / "stand_in.ipynb")
    monkeypatch.setattr(plan, "notebook_path", lambda report: stand_in)
    out = tmp_path / "out"
    assert cli.main(["build", "--out", str(out), "--no-progress", "--jobs", "2"]) == 0
    index = (out / "site" / "index.html").read_text(encoding="utf-8")
    everything = sorted(p.name for p in (out / "site").glob("*.html") if p.name != "index.html")
    assert len(everything) == 30 and sorted(_links(index)) == everything

    assert cli.main(["build", "--district", "Rinkeby", "--years", "2016–2019",
                     "--out", str(out), "--no-progress"]) == 0
    index = (out / "site" / "index.html").read_text(encoding="utf-8")
    assert sorted(_links(index)) == sorted(everything + ["sd-rinkeby_2016-2019.html"])
    assert _sentence(index).startswith("31 rapporter: 3 översiktssidor (hela staden, projekt och metod), "
                                       "6 stadsdelsområden och 22 stadsdelar.")
    assert "Av dem gäller 1 ett annat årsintervall än 2015–2020." in _sentence(index)
    # Under its area: in the Rinkeby-Kista group, right after Rinkeby's default page.
    group = re.search(r"<h2>Rinkeby-Kista</h2>(.*?)</section>", index, re.S).group(1)
    links = _links(group)
    assert links.index("sd-rinkeby_2016-2019.html") == links.index("sd-rinkeby.html") + 1
    assert links[0] == "sdo-rinkeby-kista.html"


def test_index_lists_pages_left_by_other_builds_and_marks_earlier_failures(tmp_path):
    site_dir, failed_dir = tmp_path / "site", tmp_path / "failed"
    site_dir.mkdir()
    failed_dir.mkdir()
    for name in ("hela-staden.html", "sd-tensta.html", "sd-tensta_2010-2014.html", "egen-sida.html"):
        (site_dir / name).write_text("<html></html>", encoding="utf-8")
    (failed_dir / "sd-tensta_2010-2014.ipynb").write_text("{}", encoding="utf-8")
    (failed_dir / ".sd-husby.running.ipynb").write_text("{}", encoding="utf-8")  # papermill's scratch file
    jobs = plan.district_jobs(["Husby"])  # this build: Husby only, and it failed without a page
    html = site.render_index(jobs, {"sd-husby"}, site_dir, synthetic=False, failed_dir=failed_dir)
    assert sorted(_links(html)) == ["egen-sida.html", "hela-staden.html", "sd-tensta.html",
                                    "sd-tensta_2010-2014.html"]
    assert html.count("bygget misslyckades") == 2  # Husby (no page yet) and Tensta 2010–2014 (last good page)
    assert "Husby 2015–2020 <span" in html and "Tensta 2010–2014 <span" in html
    assert _sentence(html) == ("5 rapporter: 1 översiktssida (hela staden, projekt eller metod), 3 stadsdelar "
                               "och 1 annan sida. Av dem gäller 1 ett annat årsintervall än 2015–2020. "
                               "2 kunde inte byggas senast (markerade nedan).")
    assert "<h2>Övriga sidor</h2>" in html


@pytest.mark.parametrize("name, slug, group", [
    ("sd-husby.html", "sd-husby", "sdo-rinkeby-kista"),
    ("sd-husby_2016-2019.html", "sd-husby_2016-2019", "sdo-rinkeby-kista"),
    ("sdo-skarholmen_2006-2020.html", "sdo-skarholmen_2006-2020", "sdo-skarholmen"),
    ("projekt_2016-2019.html", "projekt_2016-2019", plan.OVERVIEW_GROUP),
])
def test_page_names_map_back_to_their_report(name, slug, group):
    job = plan.job_for_page(name)
    assert (job.slug, job.group, job.html_name) == (slug, group, name)


@pytest.mark.parametrize("name", ["index.html", "sd-husby_2015-2020.html", "sd-atlantis.html",
                                  "sd-husby_1990-2020.html", "sd-husby.htm", "../sd-husby.html"])
def test_names_evalkit_does_not_write_are_not_taken_for_reports(name):
    assert plan.job_for_page(name) is None


def test_the_index_words_are_present_s_and_build_places_the_file():
    """The count sentence and the page come from present/ (template and words); build/site.py
    holds no Swedish text of its own."""
    import ast
    from pathlib import Path

    from evalkit.present import site as words

    one_each = [{"kind": k, "ok": True} for k in ("overview", "sdo", "sd", "other")]
    assert words.count_sentence(one_each, (2015, 2020)) == (
        "4 rapporter: 1 översiktssida (hela staden, projekt eller metod), 1 stadsdelsområde, 1 stadsdel "
        "och 1 annan sida.")
    assert words.count_sentence([{"kind": "sd:years", "ok": False}], (2015, 2020)) == (
        "1 rapport: 1 stadsdel. Av dem gäller 1 ett annat årsintervall än 2015–2020. "
        "1 kunde inte byggas senast (markerade nedan).")
    assert words.count_sentence([], (2015, 2020)) == "Inga rapporter är byggda ännu."
    tree = ast.parse(Path(site.__file__).read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef)) and n.body and isinstance(n.body[0], ast.Expr)}
    literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                and id(n) not in docstrings]
    assert not [t for t in literals if re.search("[åäöÅÄÖ]", t)]
