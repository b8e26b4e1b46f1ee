"""Orchestrate a build: keys, reuse, parallel execution, the index and a summary.

Executors (where reports run):

- ``local`` (default): ``n_jobs`` reports at a time, each in a fresh process forked from one
  warm template (:mod:`evalkit.build.isolate`); start-up is paid once per build.
- ``dask``: the same per-report function as Dask distributed tasks on an existing cluster
  (``scheduler`` = its address, or a ``distributed.Client``); each Dask worker keeps its own
  warm template. Results come back as text and are written here, so workers need the project
  (code and ``data/``) but no shared output folder.

Either way a report runs in-process in its forked child (:mod:`evalkit.build.inprocess`); the
papermill + kernel engine it must equal byte for byte is :mod:`evalkit.build.reference`, which
only the tests and the benchmark use.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.build import cache, changes_page, datapackage, site
from evalkit.build.output import JobResult, atomic_write, write_outcome
from evalkit.build.plan import ReportJob

DEFAULT_REPORT_TIMEOUT = 900


@dataclass
class BuildSummary:
    """What a build did; ``ok`` is False when any report failed."""

    built: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def text(self) -> str:
        lines = [f"Byggda: {len(self.built)}, återanvända: {len(self.reused)}, misslyckade: {len(self.failed)},"
                 f" tid: {self.seconds:.1f} s"]
        lines += [f"  MISSLYCKAD {slug}: {err}" for slug, err in sorted(self.failed.items())]
        return "\n".join(lines)


def default_jobs() -> int:
    """Reports run at the same time: one per core (:func:`evalkit.workers.cores`)."""
    from evalkit.workers import cores

    return cores()


def build(jobs: list[ReportJob], out_dir: Path, n_jobs: int | None = None, force: bool = False,
          cell_timeout: int | None = 300, progress: bool = True, *, report_timeout: float | None = DEFAULT_REPORT_TIMEOUT,
          executor: str = "local", scheduler=None, compare_with: Path | None = None) -> BuildSummary:
    """Build ``jobs`` into ``out_dir`` (site/, notebooks/, failed/), reusing unchanged reports.

    ``cell_timeout`` and ``report_timeout`` are in seconds (None or 0: no limit). A report that
    fails, hangs past ``report_timeout`` or kills its process is listed in ``failed`` and on the
    index page; its executed notebook is kept in ``failed/``; its last good page stays.
    ``compare_with``: the publication the changes page compares with (default: the last one
    `evalkit publish` made from ``out_dir``, see :mod:`evalkit.build.changes_page`).
    """
    if executor not in ("local", "dask"):
        raise ValueError(f"okänd exekverare {executor!r} (local eller dask)")
    start = time.perf_counter()
    out_dir = Path(out_dir)
    summary = BuildSummary()
    if force and jobs and executor == "local":
        # Everything will run: let the template warm up while the keys are hashed.
        from evalkit.build import isolate

        isolate.start_template()
    shared = cache.inputs_hash()
    keys = {job.slug: cache.job_key(job.notebook, job.parameters, shared) for job in jobs}
    site_dir = out_dir / "site"
    todo = []
    for job in jobs:
        if not force and cache.stored_key(out_dir, job.slug) == keys[job.slug] and (site_dir / job.html_name).exists():
            summary.reused.append(job.slug)
            # The page is current for this key: a failure of some other version no longer applies.
            for stale in (out_dir / "failed" / f"{job.slug}.ipynb", out_dir / "failed" / f"{job.slug}.txt"):
                stale.unlink(missing_ok=True)
        else:
            todo.append(job)
    # The data package (before the index, which links to it once it exists) and the index's
    # synthetic-data flag depend on the processed data and the code, not on the pages: they are
    # made while the reports run, on the core the template's warm-up and the last report leave free
    # (a thread of the coordinator, which otherwise only waits; its error is raised here).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="evalkit-build-side") as beside:
        side = beside.submit(_side_work, out_dir, shared) if todo else None
        if todo:
            charts = cache.chart_folder(out_dir, shared, force)
            results = _run_isolated(todo, out_dir, n_jobs, cell_timeout, report_timeout, progress, executor,
                                    scheduler, charts)
            for result in results:
                if result.ok:
                    summary.built.append(result.slug)
                    cache.store_key(out_dir, result.slug, keys[result.slug])
                else:
                    summary.failed[result.slug] = result.error
    if side is None:
        _side_work(out_dir, shared)
    else:
        side.result()
    changes_page.update(out_dir, compare_with)
    write_index(out_dir, jobs, summary.failed, shared)
    summary.built.sort()
    summary.reused.sort()
    summary.seconds = time.perf_counter() - start
    return summary


def _side_work(out_dir: Path, shared: str) -> None:
    """What a build makes from the processed data and the code rather than the pages: the data
    package and the index's synthetic-data flag."""
    datapackage.write_if_changed(out_dir, shared)
    _synthetic(out_dir, shared)


#: Rough relative cost of each report type, for the order reports start in: longest first, so
#: that the short method and projects pages fill the end and both cores finish together.
_COST = {"district": 2, "city": 2, "method": 1, "projects": 0}


def _longest_first(todo: list[ReportJob]) -> list[ReportJob]:
    """``todo`` in the order to start them (stable: the plan's order within a cost)."""
    return sorted(todo, key=lambda job: -_COST.get(job.report, 2))


def write_index(out_dir: Path, jobs: list[ReportJob] = (), failed=(), shared: str | None = None) -> None:
    """(Re)write ``site/index.html``: every page in ``site/`` plus this build's ``jobs`` (a report
    that failed before it ever had a page is listed without a link); ``failed``: slugs that failed now."""
    site_dir = out_dir / "site"
    synthetic = _synthetic(out_dir, shared if shared is not None else cache.inputs_hash())
    atomic_write(site_dir / "index.html", site.render_index(list(jobs), set(failed), site_dir, synthetic,
                                                            failed_dir=out_dir / "failed"))


def _synthetic(out_dir: Path, shared: str) -> bool:
    """Whether the data are synthetic (banner on the index); remembered per input hash so that a
    no-op rebuild does not need to load the table."""
    marker = out_dir / ".cache" / "synthetic.txt"
    if marker.exists():
        stored_hash, _, flag = marker.read_text().strip().partition(" ")
        if stored_hash == shared:
            return flag == "1"
    from evalkit import data

    flag = data.is_synthetic(data.tidy())
    atomic_write(marker, f"{shared} {int(flag)}\n")
    return flag


def _bar(total: int, enabled: bool):
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread
    return tqdm(total=total, disable=not enabled, unit="rapport", desc="Bygger", file=sys.stderr,
                dynamic_ncols=True, leave=True)


def _report(bar, result: JobResult) -> None:
    if not result.ok:
        bar.write(f"MISSLYCKAD {result.slug}: {result.error}", file=sys.stderr)
    bar.set_postfix_str(f"{result.slug} {result.seconds:.1f} s", refresh=False)
    bar.update(1)


def _run_isolated(todo, out_dir, n_jobs, cell_timeout, report_timeout, progress, executor, scheduler,
                  charts: Path | None = None) -> list[JobResult]:
    from evalkit.build import isolate, provenance

    base = provenance.provenance({})  # once per build: git commit, build date, input hashes
    todo = _longest_first(todo)
    specs = {job.slug: (job.slug, str(job.notebook), job.parameters, job.title, dict(base, parameters=job.parameters),
                        cell_timeout or None, report_timeout or None) for job in todo}
    by_slug = {job.slug: job for job in todo}
    results: list[JobResult] = []
    bar = _bar(len(todo), progress)
    try:
        if executor == "dask":
            for slug, outcome in _dask(specs, scheduler):
                results.append(write_outcome(by_slug[slug], outcome, out_dir))
                _report(bar, results[-1])
            return results
        isolate.start_template()
        env = dict(os.environ)
        if charts is not None:  # the reports draw each chart once per data version (present.charts.reuse)
            env[cache.CHART_ENV] = str(charts)
        cancel = threading.Event()
        n = max(1, min(n_jobs or default_jobs(), len(todo)))
        with ThreadPoolExecutor(max_workers=n, thread_name_prefix="evalkit-build") as pool:
            futures = {pool.submit(isolate.run, *specs[job.slug], env=env, cancel=cancel,
                                   check_template=False): job for job in todo}
            try:
                for future in as_completed(futures):
                    job = futures[future]
                    results.append(write_outcome(job, future.result(), out_dir))
                    _report(bar, results[-1])
            except BaseException:
                cancel.set()  # Ctrl-C: stop the running reports; finished ones are already written
                for future in futures:
                    future.cancel()
                raise
        return results
    finally:
        bar.close()


def _dask(specs: dict, scheduler):
    """Run the reports as Dask tasks; yield (slug, Outcome) as they finish."""
    from distributed import Client, as_completed as dask_completed

    from evalkit.build import isolate

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        futures = {client.submit(isolate.run, *spec, pure=False, key=f"evalkit-report-{slug}-{time.time_ns()}"): slug
                   for slug, spec in specs.items()}
        for future in dask_completed(futures):
            slug = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker, an unpicklable result, …
                outcome = isolate.Outcome(slug, False, 0.0, error=f"Dask: {type(exc).__name__}: {exc}"[:500],
                                          details=repr(exc))
            yield slug, outcome
    finally:
        if own:
            client.close()
