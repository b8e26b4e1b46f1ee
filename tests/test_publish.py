"""`evalkit publish`: all or nothing, never a build with failed, missing or stale reports."""

from pathlib import Path

import pytest

from evalkit.build import cache, plan, publish


def _build(root: Path, pages=("a.html", "b.html"), failed=()) -> Path:
    out = root / "reports"
    site = out / "site"
    site.mkdir(parents=True)
    links = "".join(f'<a href="{p}">{p}</a>' for p in pages)
    (site / "index.html").write_text(f"<html><body>{links}<a href='https://example.org/x.html'></a></body></html>")
    for p in pages:
        (site / p).write_text(f"<html>{p}</html>")
    for slug in failed:
        (out / "failed").mkdir(exist_ok=True)
        (out / "failed" / f"{slug}.txt").write_text("Traceback ...")
    return out


def test_publish_copies_the_site_and_keeps_the_previous(tmp_path):
    dest = tmp_path / "intranet" / "uppfoljning"
    first = publish.publish(_build(tmp_path / "one"), dest, jobs=[], audit=False)
    assert first.previous is None and (dest / "a.html").read_text() == "<html>a.html</html>"
    assert "a.html" in (dest / publish.MANIFEST).read_text()
    second_build = _build(tmp_path / "two", pages=("a.html", "c.html"))
    second = publish.publish(second_build, dest, jobs=[], audit=False)
    assert (dest / "c.html").exists() and not (dest / "b.html").exists()
    assert second.previous == publish.previous_dir(dest)
    assert (publish.previous_dir(dest) / "b.html").exists()
    assert not publish.staging_dir(dest).exists()


def test_interrupted_publish_leaves_the_old_site_served(tmp_path):
    dest = tmp_path / "share" / "site"
    publish.publish(_build(tmp_path / "one"), dest, jobs=[], audit=False)

    def die(stage):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish.publish(_build(tmp_path / "two", pages=("z.html",)), dest, jobs=[], audit=False, _before_swap=die)
    assert (dest / "a.html").exists() and not (dest / "z.html").exists()
    # The half-made staging folder is never served and is replaced by the next publish.
    publish.publish(_build(tmp_path / "three", pages=("z.html",)), dest, jobs=[], audit=False)
    assert (dest / "z.html").exists()


def test_a_publish_that_died_between_the_renames_is_recovered(tmp_path):
    dest = tmp_path / "share" / "site"
    publish.publish(_build(tmp_path / "one"), dest, jobs=[], audit=False)
    publish.publish(_build(tmp_path / "two"), dest, jobs=[], audit=False)
    dest.rename(tmp_path / "gone")  # as if killed after the first rename
    assert publish.recover(dest) and (dest / "a.html").exists()


def test_failed_report_refuses_and_copies_nothing(tmp_path):
    dest = tmp_path / "share" / "site"
    with pytest.raises(publish.PublishRefused, match="misslyckades senast: sd-husby"):
        publish.publish(_build(tmp_path / "one", failed=("sd-husby",)), dest, jobs=[], audit=False)
    assert not dest.exists() and not publish.staging_dir(dest).exists()


def test_missing_linked_page_refuses(tmp_path):
    out = _build(tmp_path / "one")
    (out / "site" / "b.html").unlink()
    assert publish.problems(out, jobs=[], audit=False) == ["index.html länkar till sidor som saknas: b.html"]


def test_stale_or_missing_report_refuses(tmp_path):
    """A page built from other data (its key is not today's) or a report of the plan without a
    page: a partial rebuild after a data change must not go out as a mix."""
    job = plan.site_jobs()[0]
    out = _build(tmp_path / "one", pages=(job.html_name,))
    current = cache.job_key(job.notebook, job.parameters, cache.inputs_hash())
    cache.store_key(out, job.slug, current)
    assert publish.problems(out, jobs=[job], audit=False) == []
    cache.store_key(out, job.slug, "0" * 64)
    assert "andra data eller annan kod" in publish.problems(out, jobs=[job], audit=False)[0]
    missing = plan.site_jobs()[1]
    assert "sidor som saknas: " + missing.html_name in publish.problems(out, jobs=[missing], audit=False)[0]


def test_no_index_refuses(tmp_path):
    (tmp_path / "site").mkdir()
    assert "kör `evalkit build` först" in publish.problems(tmp_path, jobs=[], audit=False)[0]


def test_audit_of_the_bundled_publication_passes(processed):
    assert publish._audit_problems() == []


def test_cli_publish_refuses_with_one_line_per_problem_and_exit_1(tmp_path, capsys):
    from evalkit import cli

    out = _build(tmp_path / "one", failed=("sd-husby",))
    assert cli.main(["publish", str(tmp_path / "dest"), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("fel: publiceras inte:") and "sd-husby" in err
    assert not (tmp_path / "dest").exists()
