"""Orchestrate a build: keys, reuse, a parallel pool, the index and a summary."""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from evalkit import data
from evalkit.build import cache, execute, site
from evalkit.build.execute import JobResult, atomic_write
from evalkit.build.plan import ReportJob


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
    """Worker processes: one per core."""
    return os.cpu_count() or 1


def build(jobs: list[ReportJob], out_dir: Path, n_jobs: int | None = None, force: bool = False,
          cell_timeout: int = 300, progress: bool = True) -> BuildSummary:
    """Build ``jobs`` into ``out_dir`` (site/, notebooks/, failed/), reusing unchanged reports."""
    start = time.perf_counter()
    summary = BuildSummary()
    shared = cache.package_hash() + cache.inputs_hash()
    keys = {job.slug: cache.job_key(job.notebook, job.parameters, shared) for job in jobs}
    site_dir = out_dir / "site"
    todo = []
    for job in jobs:
        if not force and cache.stored_key(out_dir, job.slug) == keys[job.slug] and (site_dir / job.html_name).exists():
            summary.reused.append(job.slug)
        else:
            todo.append(job)
    results: list[JobResult] = []
    n_jobs = max(1, min(n_jobs or default_jobs(), len(todo) or 1))
    if todo:
        if n_jobs == 1:
            for i, job in enumerate(todo, 1):
                results.append(execute.run_job(job, out_dir, cell_timeout))
                _progress(progress, i, len(todo), results[-1])
        else:
            with ProcessPoolExecutor(max_workers=n_jobs) as pool:
                futures = [pool.submit(execute.run_job, job, out_dir, cell_timeout) for job in todo]
                for i, future in enumerate(as_completed(futures), 1):
                    results.append(future.result())
                    _progress(progress, i, len(todo), results[-1])
    for result in results:
        if result.ok:
            summary.built.append(result.slug)
            cache.store_key(out_dir, result.slug, keys[result.slug])
        else:
            summary.failed[result.slug] = result.error
    synthetic = data.is_synthetic(data.tidy())
    atomic_write(site_dir / "index.html", site.render_index(jobs, set(summary.failed), site_dir, synthetic))
    summary.built.sort()
    summary.reused.sort()
    summary.seconds = time.perf_counter() - start
    return summary


def _progress(enabled: bool, done: int, total: int, result: JobResult) -> None:
    if enabled:
        mark = "ok" if result.ok else "FEL"
        print(f"[{done}/{total}] {result.slug}: {mark} ({result.seconds:.1f} s)", file=sys.stderr, flush=True)
