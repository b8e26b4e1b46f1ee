"""The build engine: clean state per report, failure isolation, reproducible bytes, fidelity, Dask."""

import json
import shutil

import nbformat
import pytest

from evalkit import fingerprint
from evalkit.build import cache, isolate, plan, runner
from evalkit.build.plan import ReportJob

TWO = ["sd-tensta", "sdo-skarholmen"]


def _notebook(path, *cells, parameters="district = 'x'"):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
                                  + [nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _job(notebook, slug, group="sdo-skarholmen"):
    return ReportJob("test", notebook, {"district": slug}, slug, f"Test {slug}", group)


def _run(notebook, slug="t", cell_timeout=30, report_timeout=60):
    return isolate.run(slug, str(notebook), {"district": slug}, "Test", {}, cell_timeout, report_timeout)


def _outputs(outcome):
    nb = nbformat.reads(outcome.notebook or outcome.failed_notebook, as_version=4)
    return {i: c.get("outputs", []) for i, c in enumerate(nb.cells)}


# --- a clean state for every report ---------------------------------------------------------------

def test_no_variable_figure_rcparam_or_option_leaks_into_the_next_report(tmp_path):
    polluter = _notebook(
        tmp_path / "polluter.ipynb",
        "import matplotlib, matplotlib.pyplot as plt, pandas as pd, numpy as np, os, sys, warnings\n"
        "leak = 'från förra rapporten'\n"
        "fig = plt.figure(); plt.plot([1, 2])\n"
        "matplotlib.rcParams['lines.linewidth'] = 9.5\n"
        "matplotlib.rcParams['font.size'] = 31\n"
        "pd.set_option('display.max_rows', 3)\n"
        "np.set_printoptions(precision=1)\n"
        "os.environ['EVALKIT_LEAK'] = '1'\n"
        "sys.evalkit_leak = True\n"
        "import evalkit\n"
        "evalkit.leaked = True\n"
        "warnings.simplefilter('error')\n"
        "print('polluted')",
    )
    checker = _notebook(
        tmp_path / "checker.ipynb",
        "import matplotlib, matplotlib.pyplot as plt, pandas as pd, numpy as np, os, sys, warnings\n"
        "import evalkit\n"
        "problems = []\n"
        "if 'leak' in globals() or 'fig' in globals(): problems.append('variable')\n"
        "if plt.get_fignums(): problems.append('figure')\n"
        "if matplotlib.rcParams['lines.linewidth'] == 9.5 or matplotlib.rcParams['font.size'] == 31: problems.append('rcParams')\n"
        "if pd.get_option('display.max_rows') == 3: problems.append('pandas option')\n"
        "if np.get_printoptions()['precision'] == 1: problems.append('numpy option')\n"
        "if 'EVALKIT_LEAK' in os.environ: problems.append('environment')\n"
        "if hasattr(sys, 'evalkit_leak') or hasattr(evalkit, 'leaked'): problems.append('module state')\n"
        "if any(f[0] == 'error' and f[2] is Warning for f in warnings.filters): problems.append('warnings filter')\n"
        "assert not problems, problems\n"
        "print('clean')",
    )
    first = _run(polluter, "a")
    assert first.ok, first.error
    assert "polluted" in json.dumps(_outputs(first))
    # The checker runs after the polluter in the same template, several times (any child).
    for slug in ("b", "c"):
        outcome = _run(checker, slug)
        assert outcome.ok, outcome.error
        assert _outputs(outcome)[2] == [{"output_type": "stream", "name": "stdout", "text": "clean\n"}]


def test_outputs_are_captured_as_a_kernel_stores_them(tmp_path):
    nb = _notebook(
        tmp_path / "outputs.ipynb",
        "print('a'); print('b')\nimport sys; print('fel', file=sys.stderr)",
        "from IPython.display import display, HTML\ndisplay(HTML('<b>fet</b>'))\n1 + 1",
        "x = 5;",  # trailing semicolon: no result
        "",  # empty cells are not executed (no execution count)
        "import pandas as pd\npd.DataFrame({'a': [1]})",
        "from IPython.display import clear_output\nprint('borta'); clear_output(); print('kvar')",
        "import warnings; warnings.warn('varning')",
    )
    outcome = _run(nb)
    assert outcome.ok, outcome.error
    out = nbformat.reads(outcome.notebook, as_version=4)
    counts = [c.execution_count for c in out.cells]
    assert counts == [1, 2, 3, 4, 5, None, 6, 7, 8]  # parameters, injected parameters, then the cells
    cells = {i: c.outputs for i, c in enumerate(out.cells)}
    assert cells[2] == [{"output_type": "stream", "name": "stdout", "text": "a\nb\n"},
                        {"output_type": "stream", "name": "stderr", "text": "fel\n"}]
    assert [o.output_type for o in cells[3]] == ["display_data", "execute_result"]
    assert cells[3][0].data["text/html"] == "<b>fet</b>"
    assert cells[3][1].data == {"text/plain": "2"} and cells[3][1].execution_count == 4
    assert cells[4] == []
    assert set(cells[6][0].data) == {"text/plain", "text/html"} and cells[6][0].execution_count == 6
    assert cells[7] == [{"output_type": "stream", "name": "stdout", "text": "kvar\n"}]
    assert cells[8][0].name == "stderr" and "UserWarning: varning" in cells[8][0].text
    assert out.cells[1].metadata.tags == ["injected-parameters"] and "district = \"t\"" in out.cells[1].source


# --- failures stay contained ----------------------------------------------------------------------

@pytest.mark.slow
def test_failing_hung_and_process_killing_reports_leave_the_others_built(built_dir, tmp_path):
    target = tmp_path / "out"
    shutil.copytree(built_dir, target)
    good = {slug: (target / "site" / f"{slug}.html").read_bytes() for slug in TWO}
    broken = _notebook(tmp_path / "broken.ipynb", "raise RuntimeError('avsiktligt fel')")
    slow_cell = _notebook(tmp_path / "slow.ipynb", "print('före')", "import time\ntime.sleep(120)")
    # SIGALRM blocked: the per-cell timeout cannot interrupt it, the per-report timeout kills it.
    hung = _notebook(tmp_path / "hung.ipynb", "import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, "
                     "[signal.SIGALRM])\ntime.sleep(120)")
    killer = _notebook(tmp_path / "killer.ipynb", "print('strax')", "import os\nos._exit(3)")
    fine = _notebook(tmp_path / "fine.ipynb", "print('hel')")
    jobs = {job.slug: job for job in plan.district_jobs(TWO)}
    group = jobs["sd-tensta"].group
    bad = [ReportJob("district", nb, {"district": "sd-tensta"}, slug, f"Trasig {slug}", group)
           for nb, slug in ((broken, "sd-tensta"), (slow_cell, "trasig-langsam"), (hung, "trasig-hangd"),
                            (killer, "trasig-dodar"))]
    others = [ReportJob("district", fine, {"district": "sd-tensta"}, f"hel-{i}", f"Hel {i}", group) for i in range(3)]
    # A tiny good notebook keeps the per-report timeout short enough for a test.
    summary = runner.build(bad + others, target, n_jobs=2, force=True, progress=False, cell_timeout=2, report_timeout=8)
    assert not summary.ok and summary.built == ["hel-0", "hel-1", "hel-2"]
    assert set(summary.failed) == {"sd-tensta", "trasig-langsam", "trasig-hangd", "trasig-dodar"}
    assert "avsiktligt fel" in summary.failed["sd-tensta"]
    assert "CellTimeoutError" in summary.failed["trasig-langsam"]
    assert "tidsgräns per rapport" in summary.failed["trasig-hangd"]
    assert "dog" in summary.failed["trasig-dodar"] and "status 3" in summary.failed["trasig-dodar"]
    # The last good page is kept; no page for reports that never built.
    assert (target / "site" / "sd-tensta.html").read_bytes() == good["sd-tensta"]
    assert not (target / "site" / "trasig-hangd.html").exists()
    # Executed notebooks with the error are kept for debugging, the cells before it included.
    for slug, text in (("sd-tensta", "avsiktligt fel"), ("trasig-langsam", "före"), ("trasig-hangd", "ReportTimeout"),
                       ("trasig-dodar", "strax")):
        kept = (target / "failed" / f"{slug}.ipynb").read_text(encoding="utf-8")
        assert text in kept, slug
        nbformat.validate(nbformat.reads(kept, as_version=4))
    assert "papermill-error-cell-tag" in (target / "failed" / "sd-tensta.ipynb").read_text(encoding="utf-8")
    assert "DeadKernelError" in (target / "failed" / "trasig-dodar.ipynb").read_text(encoding="utf-8")
    # The index is honest: failures marked, the last good version linked.
    index = (target / "site" / "index.html").read_text(encoding="utf-8")
    assert index.count("bygget misslyckades") == 4
    assert 'href="sd-tensta.html">senast lyckade version' in index
    # No temp files left behind (writes are atomic).
    assert not list(target.rglob("*.tmp"))
    # Back to the notebook of the last good page: reused, and the failed copy no longer applies.
    again = runner.build([jobs["sd-tensta"]], target, n_jobs=1, progress=False)
    assert again.reused == ["sd-tensta"] and not (target / "failed" / "sd-tensta.ipynb").exists()
    # A report that failed is tried again by the next build (its key was not stored).
    retry = runner.build([bad[1]], target, n_jobs=1, progress=False, cell_timeout=1)
    assert list(retry.failed) == ["trasig-langsam"]


def test_cli_exits_non_zero_when_a_report_fails(monkeypatch, tmp_path, processed):
    from evalkit import cli

    broken = _notebook(tmp_path / "district.ipynb", "raise ValueError('nej')")
    monkeypatch.setattr(plan, "notebook_path", lambda report: broken)
    assert cli.main(["build", "--district", "sd-tensta", "--out", str(tmp_path / "o"), "--no-progress"]) == 1


def test_cli_refuses_to_build_on_outdated_shared_results(monkeypatch, tmp_path, processed, capsys):
    """After `evalkit clean` changed the data but before `evalkit analyse`: one clear message and
    exit 2, instead of every report failing on old goal statuses, ranks and effects."""
    from evalkit import cli, paths, stamp

    copy = tmp_path / "processed"
    shutil.copytree(paths.processed_dir(), copy)
    monkeypatch.setattr(paths, "processed_dir", lambda: copy)
    assert stamp.problem(copy) == ""
    target = copy / "indicators_published.parquet"
    target.write_bytes(target.read_bytes() + b"newer")
    out = tmp_path / "o"
    assert cli.main(["build", "--district", "sd-tensta", "--out", str(out), "--no-progress"]) == 2
    assert "kör `evalkit analyse`" in capsys.readouterr().err
    assert not (out / "site").exists()
    stamp.remove(copy)
    assert "saknas eller är ofullständig" in stamp.problem(copy)


# --- reproducible bytes, fidelity, reuse ----------------------------------------------------------

@pytest.fixture(scope="module")
def built_dir(processed, tmp_path_factory):
    out = tmp_path_factory.mktemp("engine")
    summary = runner.build(plan.district_jobs(TWO), out, n_jobs=2, progress=False)
    assert summary.ok, summary.failed
    return out


@pytest.mark.slow
def test_two_builds_with_different_jobs_give_identical_bytes(built_dir, tmp_path):
    summary = runner.build(plan.district_jobs(TWO), tmp_path, n_jobs=1, force=True, progress=False)
    assert summary.ok
    files = sorted(p.relative_to(built_dir) for p in built_dir.rglob("*")
                   if p.is_file() and p.parent.name in ("site", "notebooks"))
    assert len(files) == 5
    for rel in files:
        assert (built_dir / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel


@pytest.mark.slow
def test_output_matches_papermill_with_a_kernel_byte_for_byte(built_dir, tmp_path):
    """The engine's notebook and page equal what papermill + a Jupyter kernel + nbconvert give
    (the reference engine, which exists for this comparison)."""
    from evalkit.build import reference

    results = reference.run_all(plan.district_jobs(["sdo-skarholmen"]), tmp_path)
    assert all(r.ok for r in results), [r.error for r in results]
    for rel in ("notebooks/sdo-skarholmen.ipynb", "site/sdo-skarholmen.html"):
        assert (built_dir / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel


@pytest.mark.slow
def test_key_covers_the_code_the_notebook_reaches_not_unrelated_modules(built_dir, tmp_path):
    closure = {p.relative_to(fingerprint.package_root()).as_posix()
               for p in cache.module_closure(plan.notebook_path("district"))}
    assert {"present/district.py", "analysis/goals.py", "data.py", "build/export.py", "__init__.py"} <= closure
    assert "clean.py" not in closure and "demo.py" not in closure


def test_every_processed_table_is_part_of_the_key(processed, monkeypatch, tmp_path):
    """A report reads the published table, schools, surveys, projects and the analyse tables too:
    a change in any of them must rebuild it (the key once covered only indicators.parquet)."""
    import shutil

    from evalkit import paths

    copy = tmp_path / "processed"
    shutil.copytree(paths.processed_dir(), copy)
    monkeypatch.setattr(cache, "processed_dir", lambda: copy)
    before = cache.inputs_hash()
    for name in ("indicators_published.parquet", "schools.parquet", "effects/goal_status.parquet",
                 "effects/rank_intervals.parquet"):
        target = copy / name
        original = target.read_bytes()
        target.write_bytes(original + b"changed")
        assert cache.inputs_hash() != before, name
        target.write_bytes(original)
    assert cache.inputs_hash() == before


def test_changed_notebook_or_parameters_change_the_key(tmp_path):
    nb = _notebook(tmp_path / "a.ipynb", "x = 1")
    key = cache.job_key(nb, {"district": "a"}, "s")
    assert cache.job_key(nb, {"district": "b"}, "s") != key
    assert cache.job_key(nb, {"district": "a"}, "t") != key
    _notebook(nb, "x = 2")
    cache.package_hash.cache_clear()
    assert cache.job_key(nb, {"district": "a"}, "s") != key


# --- Dask ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_dask_executor_gives_the_same_bytes(built_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        summary = runner.build(plan.district_jobs(TWO), tmp_path, force=True, progress=False,
                               executor="dask", scheduler=client)
    assert summary.ok, summary.failed
    for slug in TWO:
        for rel in (f"site/{slug}.html", f"notebooks/{slug}.ipynb"):
            assert (built_dir / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel
