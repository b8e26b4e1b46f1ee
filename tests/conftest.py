"""Shared set-up: every test session works on a temporary copy of the project, never the checkout.

At import, before anything resolves a path, this module copies what the steps read (``data/raw``,
``notebooks``, ``requirements.lock``) and the processed tables the user's last `make data` left
(``data/processed``, if any) into a temporary folder and points ``EVALKIT_ROOT`` at it. Every test,
every `evalkit …` subprocess and every nbval kernel inherits that environment, so they all read
and write there: a user's last build in ``reports/`` is never overwritten, ``data/`` is never
touched and `git status` stays clean (`make test` checks both after its two pytest runs).

The processed tables are copied rather than rebuilt: the clean and results stamps say whether
they belong to today's raw files, code and lock, and the `processed` fixture then skips
`evalkit clean` and `evalkit analyse` exactly as `make report` would (``make test`` has just run
them in the checkout). Only when they are missing or out of date does the session redo them, in
the copy.

Under pytest-xdist (`make test` runs ``-n auto --dist loadfile``) every worker is a session of its
own with its own copy, made from the controller's copy (the workers inherit ``EVALKIT_ROOT``).
Module-scoped fixtures (a build, a clean of a changed copy) stay in one worker because a file is
never split. The one expensive session-wide step, bringing the processed tables up to date, is
done once per run: the first worker to need it takes a lock on the controller's copy, brings its
own tables up to date and leaves them there; the others wait for the lock and copy them (see
:func:`processed`).
"""

import atexit
import dataclasses
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from evalkit import paths

#: The folder the session's copy was made from: the checkout, or ``$EVALKIT_ROOT`` if already set.
SOURCE_ROOT = paths.project_root()
#: What the steps read from the project root (the evalkit code is imported from the checkout).
COPIED = ("data/raw", "data/processed", "notebooks", "requirements.lock")


def _temporary_project(source: Path) -> Path:
    """A fresh project root holding a copy of ``COPIED`` from ``source`` (what exists of it)."""
    root = Path(tempfile.mkdtemp(prefix="evalkit-tests-")).resolve()
    for rel in COPIED:
        src, dst = source / rel, root / rel
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        elif src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    (root / "reports").mkdir()
    return root


def _remove(root: Path, owner: int) -> None:
    """Delete the session's copy when the process that made it exits (a forked child that happens
    to run exit handlers must not pull it from under the session)."""
    if os.getpid() == owner:
        shutil.rmtree(root, ignore_errors=True)


TEST_ROOT = _temporary_project(SOURCE_ROOT)
os.environ["EVALKIT_ROOT"] = str(TEST_ROOT)
#: The xdist worker this session is ("gw0", …), or None in a plain run or the xdist controller.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
#: The copy the workers share processed tables through: the controller's (set there, inherited).
SHARED_ENV = "EVALKIT_TESTS_SHARED_ROOT"
if WORKER is None:
    os.environ[SHARED_ENV] = str(TEST_ROOT)
atexit.register(_remove, TEST_ROOT, os.getpid())

from hypothesis import settings  # noqa: E402 - after EVALKIT_ROOT, like every evalkit import below

# Same inputs, same outputs: property tests draw the same examples on every run and machine
# (explore more locally with HYPOTHESIS_PROFILE=explore).
settings.register_profile("evalkit", derandomize=True, deadline=None, database=None)
settings.register_profile("explore", deadline=None, max_examples=1000, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "evalkit"))

from evalkit import cli, clean, data  # noqa: E402


def _bring_processed_up_to_date() -> None:
    """`evalkit clean` and `evalkit analyse` on the session's copy (each skipped when its stamp
    says its outputs are current)."""
    assert cli.main(["clean"]) in (0, 1), "evalkit clean failed"  # 1: counts that do not reconcile (tested)
    assert cli.main(["analyse"]) == 0, "evalkit analyse failed"


def _shared_processed() -> None:
    """Under xdist: the processed tables are made current once per run, not once per worker.

    The first worker holding the lock brings its copy up to date (a skip when `make test` has just
    run `make data`, else clean and analyse, about a minute) and publishes ``data/processed`` into
    the controller's copy; every later worker copies that folder over its own (the stamps hold
    relative hashes only, so they stay valid) and confirms it with the same skip checks.
    """
    shared = Path(os.environ[SHARED_ENV])
    ready = shared / ".processed-ready"
    mine = paths.processed_dir()
    with open(shared / ".processed.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if ready.exists():
            shutil.rmtree(mine, ignore_errors=True)
            shutil.copytree(shared / "data" / "processed", mine)
            _bring_processed_up_to_date()
            return
        _bring_processed_up_to_date()
        target = shared / "data" / "processed"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(mine, target)
        ready.touch()


@pytest.fixture(scope="session")
def processed():
    """`evalkit clean` and `evalkit analyse` on the session's copy (each skipped when its stamp
    says its outputs are current; once per run under xdist); return the clean step's per-source
    reports."""
    if WORKER is not None and SHARED_ENV in os.environ:
        _shared_processed()
    else:
        _bring_processed_up_to_date()
    fields = {f.name for f in dataclasses.fields(clean.SourceReport)}
    return [clean.SourceReport(**{k: v for k, v in source.items() if k in fields})
            for source in data.clean_report()["sources"]]


def seed_disclosure_cache(processed: Path) -> None:
    """Before a clean of a changed copy: give it the blocks the session's clean already solved
    (``data/processed/disclosure_cache``, keyed by each block's content and the code, so a block
    the change touches is solved again and the rest are read back – as in a user's next clean).
    The suppression of every block from scratch is tested where it is the point (test_disclosure,
    test_clean); here it only cost each of these runs the same quarter of a minute again."""
    cache = paths.processed_dir() / "disclosure_cache"
    if cache.is_dir():
        shutil.copytree(cache, Path(processed) / "disclosure_cache", dirs_exist_ok=True)


def _shared_build(name: str, jobs: list, out: Path):
    """`runner.build(jobs, out)` once per run under xdist, as :func:`_shared_processed` does for
    the tables: the first worker builds and leaves a copy of ``out`` in the controller's copy of
    the project; a later worker copies it and runs the build again, which must reuse every
    report (the keys hold relative hashes only, so they hold in any copy) – what a user's no-op
    build does. Returns the summary of the build that made the pages (where it ran)."""
    import pickle

    from evalkit.build import runner

    if WORKER is None or SHARED_ENV not in os.environ:
        return runner.build(jobs, out, progress=False)
    shared = Path(os.environ[SHARED_ENV]) / "shared-builds"
    shared.mkdir(exist_ok=True)
    copy, made = shared / name, shared / f"{name}.summary"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if made.exists():
            shutil.rmtree(out, ignore_errors=True)
            shutil.copytree(copy, out)
            again = runner.build(jobs, out, progress=False)
            assert again.ok and not again.built, f"a copied build was not current: {again.text()}"
            return pickle.loads(made.read_bytes())
        summary = runner.build(jobs, out, progress=False)
        if summary.ok:
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(out, copy)
            made.write_bytes(pickle.dumps(summary))
        return summary


@pytest.fixture(scope="session")
def full_site(processed):
    """The full site (every page `make report` builds) in the session's reports/, built once per
    run (:func:`_shared_build`); the summary of the build that made it. The browser and privacy
    tests both read it; modules that change reports/ afterwards rebuild on top of it themselves."""
    from evalkit.build import plan

    return _shared_build("site", plan.site_jobs() + plan.district_jobs(), paths.reports_dir())


@pytest.fixture(scope="session")
def tidy(processed):
    """The tidy indicator table written by the clean step."""
    return data.tidy()


def pytest_collection_modifyitems(session, config, items):
    """nbval skips PNG/JPEG when comparing outputs; charts are SVG now, so skip those too.

    The chart's text/plain twin (its alt text with the key numbers) is still compared.

    When xdist hands out whole files (``--dist loadfile``), files with slow tests go first: the
    longest jobs start first and the short ones fill the gaps, instead of one slow file at the end
    keeping a worker busy while the other idles. The order within a file stays as written.
    """
    if getattr(config.option, "dist", "no") != "no":
        slow_files = {item.path for item in items if item.get_closest_marker("slow")}
        items.sort(key=lambda item: item.path not in slow_files)  # stable: otherwise as collected
    for item in items:
        parent = getattr(item, "parent", None)
        skip = getattr(parent, "skip_compare", None)
        if skip is not None and "image/svg+xml" not in skip:
            parent.skip_compare = tuple(skip) + ("image/svg+xml",)
