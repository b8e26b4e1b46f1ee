"""`evalkit build`: offline self-contained pages, reproducible bytes, reuse, failure isolation."""

import re
import shutil

import nbformat
import pytest

from evalkit.build import plan, runner
from evalkit.build.plan import ReportJob

pytestmark = pytest.mark.slow  # every test reads one build of two reports (make test runs it; -m 'not slow' leaves it out)

TWO = ["sd-tensta", "sdo-skarholmen"]


@pytest.fixture(scope="module")
def built(processed, tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    summary = runner.build(plan.district_jobs(TWO), out, n_jobs=2, progress=False)
    return out, summary


def test_builds_pages_and_index(built):
    out, summary = built
    assert summary.ok and sorted(summary.built) == sorted(TWO)
    index = (out / "site" / "index.html").read_text(encoding="utf-8")
    for slug in TWO:
        assert f'href="{slug}.html"' in index


def test_pages_are_offline_swedish_and_show_no_code(built):
    out, _ = built
    html = (out / "site" / "sd-tensta.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in html
    # No request may leave the page: no external src/href, no scripts from anywhere.
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    assert "<script" not in html
    assert "syntetiska demodata" in html
    assert "from evalkit" not in html and "goal_status(" not in html
    images = re.findall(r"<img [^>]*>", html)
    assert images and all(re.search(r'alt="[^"]{20,}"', img) and re.search(r"data:image/(svg\+xml|png);base64,", img) for img in images)
    assert any('alt="Linjediagram' in img for img in images)
    assert "Måluppfyllelse" in html and '<th scope="col">Status</th>' in html


def test_stadsdelar_outside_the_programme_get_a_full_report(processed, tmp_path):
    """`--all-stadsdelar` builds every stadsdel; sections that exist only for programme areas
    (the synthetic control of a programme borough) say so instead of failing."""
    summary = runner.build(plan.district_jobs(["sd-sodermalm", "sd-skrubba"]), tmp_path, n_jobs=2, progress=False)
    assert summary.ok, summary.failed
    html = (tmp_path / "site" / "sd-sodermalm.html").read_text(encoding="utf-8")
    assert "Södermalm ingår inte i programmet" in html and "Måluppfyllelse" in html


def test_noop_rebuild_reuses_everything(built):
    out, _ = built
    again = runner.build(plan.district_jobs(TWO), out, n_jobs=2, progress=False)
    assert again.built == [] and sorted(again.reused) == sorted(TWO)


def test_same_inputs_give_identical_bytes(built, tmp_path):
    out, _ = built
    second = runner.build(plan.district_jobs(["sd-tensta"]), tmp_path, n_jobs=1, force=True, progress=False)
    assert second.ok
    for sub in ("site/sd-tensta.html", "notebooks/sd-tensta.ipynb"):
        assert (out / sub).read_bytes() == (tmp_path / sub).read_bytes(), sub


def test_a_failing_report_does_not_stop_others_nor_replace_last_good_page(built, tmp_path):
    out, _ = built
    shutil.copytree(out, tmp_path / "out")
    target = tmp_path / "out"
    good_html = (target / "site" / "sd-tensta.html").read_bytes()
    broken = tmp_path / "broken.ipynb"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("district = 'x'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise RuntimeError('avsiktligt fel')"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, broken)
    jobs = {job.slug: job for job in plan.district_jobs(TWO)}
    tensta = jobs["sd-tensta"]
    bad = ReportJob("district", broken, {"district": "sd-tensta"}, "sd-tensta", tensta.title, tensta.group)
    summary = runner.build([bad, jobs["sdo-skarholmen"]], target, n_jobs=2, force=True, progress=False)
    assert not summary.ok and "sd-tensta" in summary.failed and "avsiktligt fel" in summary.failed["sd-tensta"]
    assert summary.built == ["sdo-skarholmen"]
    assert (target / "site" / "sd-tensta.html").read_bytes() == good_html
    assert (target / "failed" / "sd-tensta.ipynb").exists()
    index = (target / "site" / "index.html").read_text(encoding="utf-8")
    assert "bygget misslyckades" in index


def test_parameters_are_validated_before_anything_runs():
    with pytest.raises(ValueError, match="årsintervall"):
        plan.district_jobs(["sd-tensta"], (2020, 2015))
    with pytest.raises(ValueError):
        plan.district_jobs(["../../etc/passwd"])


def test_plan_lists_the_same_pages_from_the_plain_registry():
    """Canonical codes are listed from the registry read without pandas, other spellings through
    present.area.resolve: both give each page the same area, so the same slug, title and group."""
    from evalkit import geography
    from evalkit.present import area as areas

    for code in geography.plain_programme_areas() + geography.plain_stadsdelar() + ["sdo-jarva"]:
        plain, resolved = plan._area(code), areas.resolve(code)
        assert (plain.code, plain.name, plain.is_borough, plain.borough) == (
            resolved.code, resolved.name, resolved.is_borough, resolved.borough)
    assert plan.district_jobs(["Tensta", "Skärholmens sdn"]) == plan.district_jobs(TWO)


def test_noop_build_is_decided_without_the_engine_and_changes_no_byte(built, tmp_path, monkeypatch, capsys):
    """Issue 29: `evalkit build` with nothing to do answers from the fingerprint the last build
    recorded (build/noop.py) without importing the engine or pandas, and leaves every file as
    the engine's own no-op leaves it; anything the build decides from makes it look again."""
    import os
    import subprocess
    import sys

    from evalkit import cli
    from evalkit.build import noop

    out = tmp_path / "out"
    shutil.copytree(built[0], out)
    argv = ["build", "--no-progress", "--out", str(out), *[x for slug in TWO for x in ("--district", slug)]]
    jobs = plan.district_jobs(TWO)
    assert not noop.unchanged(jobs, out)  # the fixture's build went through runner.build, not the command
    assert cli.main(argv) == 0 and noop.unchanged(jobs, out)
    files = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    index_time = (out / "site" / "index.html").stat().st_mtime_ns

    def no_engine(*args, **kwargs):
        raise AssertionError("the build engine ran")

    monkeypatch.setattr(runner, "build", no_engine)
    capsys.readouterr()
    assert cli.main(argv) == 0
    assert "Byggda: 0, återanvända: 2, misslyckade: 0" in capsys.readouterr().out
    assert (out / "site" / "index.html").stat().st_mtime_ns == index_time  # not even rewritten
    monkeypatch.undo()
    # The engine's own no-op writes the same bytes (it rewrites the index, with the same content).
    again = runner.build(jobs, out, n_jobs=1, progress=False)
    assert again.built == [] and {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == files
    assert noop.summary_text(2, 0.0) == runner.BuildSummary(reused=TWO).text()

    # The command line's no-op imports neither the engine nor pandas.
    code = ("import sys; from evalkit import cli; assert cli.main(sys.argv[1:]) == 0; "
            "assert not {'pandas', 'evalkit.build.runner'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code, *argv], check=True, env=os.environ, capture_output=True)

    # Whatever a build decides from makes the next one look again.
    changes = [
        lambda: (out / "site" / "index.html").write_text("edited by hand"),
        lambda: (out / "site" / "sd-tensta.html").unlink(),
        lambda: (out / ".cache" / "sd-tensta.key").write_text("old\n"),
        lambda: (out / ".cache" / "synthetic.txt").write_text("other 0\n"),
        lambda: (out / ".cache" / "datapackage.key").unlink(),
        lambda: (out / ".cache" / "published_to.txt").write_text(str(tmp_path / "published")),
        lambda: (out / "failed").mkdir() or (out / "failed" / "sd-tensta.txt").write_text("fel"),
        lambda: (out / "site" / "andringar.html").write_text("<html></html>"),
    ]
    saved = tmp_path / "saved"
    shutil.copytree(out, saved)
    for change in changes:
        change()
        assert not noop.unchanged(jobs, out)
        shutil.rmtree(out)
        shutil.copytree(saved, out)
        assert noop.unchanged(jobs, out)
    assert not noop.unchanged(plan.district_jobs(["sd-tensta"]), out)  # another selection
    from evalkit.build import cache

    monkeypatch.setattr(cache, "inputs_hash", lambda: "other data")  # new processed tables
    assert not noop.unchanged(jobs, out)
    monkeypatch.undo()
    monkeypatch.setattr(cache, "package_hash", lambda notebook=None: "other code")
    assert not noop.unchanged(jobs, out)
    assert not noop.unchanged(plan.district_jobs(TWO, (2016, 2019)), out)
