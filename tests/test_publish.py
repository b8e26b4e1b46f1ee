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
    publish.publish(_build(tmp_path / "two", pages=("c.html",)), dest, jobs=[], audit=False)
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


# --- issue 25: publish only into its own publications ---------------------------------------------

def _tree(root: Path) -> dict:
    """Every path under ``root`` (links as links) with its content: what must not change."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = ("link", str(p.readlink())) if p.is_symlink() else \
            (("file", p.read_bytes()) if p.is_file() else ("dir", None))
    return out


def test_a_folder_that_is_no_publication_is_refused_and_kept_as_it_was(tmp_path):
    dest = tmp_path / "share" / "mina-filer"
    dest.mkdir(parents=True)
    (dest / "viktigt.docx").write_text("ett år av arbete")
    (dest / "under").mkdir()
    (dest / "under" / "b.txt").write_text("b")
    before = _tree(tmp_path / "share")
    out = _build(tmp_path / "one")
    for _ in range(2):  # the second publish must not remove anything either
        with pytest.raises(publish.PublishRefused, match="inte en evalkit-publicering") as refused:
            publish.publish(out, dest, jobs=[], audit=False)
        assert "\n" not in str(refused.value)
    assert _tree(tmp_path / "share") == before


def test_the_build_folder_itself_is_refused(tmp_path):
    out = _build(tmp_path / "one")
    before = _tree(out)
    for dest in (out, out / "site", out / "site" / "pub", tmp_path / "one"):
        with pytest.raises(publish.PublishRefused, match="byggkatalogen"):
            publish.publish(out, dest, jobs=[], audit=False)
    assert _tree(out) == before and not publish.staging_dir(out).exists()


def test_a_file_as_destination_is_refused_and_nothing_is_left(tmp_path):
    dest = tmp_path / "share" / "site"
    dest.parent.mkdir()
    dest.write_text("en fil")
    before = _tree(tmp_path / "share")
    for _ in range(2):
        with pytest.raises(publish.PublishRefused, match="är en fil"):
            publish.publish(_build(tmp_path / f"b{_}"), dest, jobs=[], audit=False)
    assert _tree(tmp_path / "share") == before


def test_a_symlink_as_destination_is_refused_and_not_replaced(tmp_path):
    real = tmp_path / "real"
    publish.publish(_build(tmp_path / "one"), real, jobs=[], audit=False)  # even a link to a publication
    dest = tmp_path / "share" / "site"
    dest.parent.mkdir()
    dest.symlink_to(real, target_is_directory=True)
    before = _tree(tmp_path / "share"), _tree(real)
    with pytest.raises(publish.PublishRefused, match="symbolisk länk"):
        publish.publish(_build(tmp_path / "two"), dest, jobs=[], audit=False)
    assert (_tree(tmp_path / "share"), _tree(real)) == before and dest.is_symlink()


def test_a_symlink_inside_the_site_refuses_the_whole_site(tmp_path):
    outside = tmp_path / "hemligt.txt"
    outside.write_text("utanför webbplatsen")
    out = _build(tmp_path / "one")
    (out / "site" / "data").mkdir()
    (out / "site" / "data" / "x.csv").symlink_to(outside)
    (out / "site" / "mapp").symlink_to(tmp_path, target_is_directory=True)
    assert publish.problems(out, jobs=[], audit=False) == [
        "webbplatsen innehåller symboliska länkar, som aldrig publiceras: data/x.csv, mapp"]
    dest = tmp_path / "share" / "site"
    with pytest.raises(publish.PublishRefused, match="symboliska länkar"):
        publish.publish(out, dest, jobs=[], audit=False)
    assert not dest.exists() and not publish.staging_dir(dest).exists()


def test_the_same_build_twice_keeps_the_previous_publication(tmp_path):
    dest = tmp_path / "share" / "site"
    publish.publish(_build(tmp_path / "one", pages=("a.html",)), dest, jobs=[], audit=False)
    second = _build(tmp_path / "two", pages=("a.html", "c.html"))
    publish.publish(second, dest, jobs=[], audit=False)
    kept = _tree(tmp_path / "share")
    again = publish.publish(second, dest, jobs=[], audit=False)
    assert again.unchanged and again.previous == publish.previous_dir(dest)
    assert _tree(tmp_path / "share") == kept
    assert not (publish.previous_dir(dest) / "c.html").exists()  # still the first publication


def test_the_last_publications_are_kept_and_the_oldest_goes(tmp_path):
    dest = tmp_path / "share" / "site"
    for i in range(publish.KEEP + 2):
        publish.publish(_build(tmp_path / f"b{i}", pages=(f"p{i}.html",)), dest, jobs=[], audit=False)
    assert (dest / f"p{publish.KEEP + 1}.html").exists()
    for age in range(1, publish.KEEP):
        assert (publish.previous_dir(dest, age) / f"p{publish.KEEP + 1 - age}.html").exists()
    assert not publish.previous_dir(dest, publish.KEEP).exists()
    assert sorted(p.name for p in dest.parent.iterdir()) == sorted(
        [dest.name] + [publish.previous_dir(dest, a).name for a in range(1, publish.KEEP)])


def test_a_kept_folder_without_the_manifest_is_never_rotated_away(tmp_path):
    dest = tmp_path / "share" / "site"
    publish.publish(_build(tmp_path / "one"), dest, jobs=[], audit=False)
    stranger = publish.previous_dir(dest, publish.KEEP - 1)
    stranger.mkdir()
    (stranger / "egen.txt").write_text("inte evalkits")
    before = _tree(tmp_path / "share")
    with pytest.raises(publish.PublishRefused, match="inte en evalkit-publicering"):
        publish.publish(_build(tmp_path / "two", pages=("z.html",)), dest, jobs=[], audit=False)
    assert _tree(tmp_path / "share") == before


def test_an_empty_folder_is_a_valid_destination(tmp_path):
    dest = tmp_path / "share" / "site"
    dest.mkdir(parents=True)
    done = publish.publish(_build(tmp_path / "one"), dest, jobs=[], audit=False)
    assert done.previous is None and publish.is_publication(dest)


def test_cli_refuses_a_foreign_folder_with_one_line(tmp_path, capsys):
    from evalkit import cli

    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "x.txt").write_text("x")
    assert cli.main(["publish", str(dest), "--out", str(_build(tmp_path / "one"))]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("fel: publiceras inte:") and len(err.splitlines()) == 1
    assert (dest / "x.txt").read_text() == "x"


def test_a_publication_records_its_published_table_for_the_next_audit(processed, tmp_path, monkeypatch):
    """What the intruder will hold: the published table the site's data package names, with the
    full table it was protected against (for the joint audit of the next release)."""
    import pandas as pd

    from evalkit import data
    from evalkit.analysis import intruder
    from evalkit.build import datapackage
    from evalkit.paths import processed_dir

    monkeypatch.setattr(intruder, "publications_dir", lambda: tmp_path / "publications")
    out = _build(tmp_path / "one")
    datapackage.write(out / "site")
    publish.publish(out, tmp_path / "share" / "site", jobs=[], audit=False)
    history = intruder.load_history()
    assert len(history) == 1
    published, full = history[0]
    pd.testing.assert_frame_equal(published, pd.read_parquet(processed_dir() / data.PUBLISHED_TABLE))
    pd.testing.assert_frame_equal(full, pd.read_parquet(processed_dir() / "indicators.parquet"))
    # a site built from other data names another table: recorded is nothing
    other = _build(tmp_path / "two", pages=("q.html",))
    (other / "site" / "data").mkdir()
    (other / "site" / "data" / "datapackage.json").write_text('{"evalkit": {"published_table_sha256": "0"}}')
    publish.publish(other, tmp_path / "share" / "site", jobs=[], audit=False)
    assert len(intruder.load_history()) == 1
