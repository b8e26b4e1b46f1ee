"""The reference engine: papermill with a Jupyter kernel per report, then nbconvert.

This is how parameterised notebooks are usually rendered, and what `evalkit build` (a warm
template forked per report, :mod:`evalkit.build.isolate` and :mod:`evalkit.build.inprocess`)
must equal byte for byte. It is not a way to build the site: it is kept only for the test that
compares the two engines' notebooks and pages, and for ``benchmarks/build_benchmark.py``, which
measures it as variant (b):

    python -m evalkit.build.reference --out DIR [--jobs N]

builds the whole site with it (pages, executed notebooks, index) into ``DIR``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from evalkit.build import export, provenance
from evalkit.build.output import JobResult, atomic_write, summarise
from evalkit.build.plan import ReportJob


def kernel_config():
    """Kernel-manager settings for papermill: CurveZMQ-encrypted kernel sockets where available.

    Without them ipykernel (7+) warns on every start that its TCP sockets on 127.0.0.1 carry
    plain text and are "susceptible to eavesdropping". Encrypting them costs nothing noticeable
    and removes the warning; the outputs are the same.
    """
    import zmq
    from traitlets.config import Config

    config = Config()
    if zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    return config


def run_job(job: ReportJob, out_dir: Path, cell_timeout: int = 300) -> JobResult:
    """Execute ``job`` and write ``site/<slug>.html`` and ``notebooks/<slug>.ipynb`` under ``out_dir``."""
    start = time.perf_counter()
    executed_path = out_dir / "notebooks" / f"{job.slug}.ipynb"
    failed_path = out_dir / "failed" / f"{job.slug}.ipynb"
    failed_path.parent.mkdir(parents=True, exist_ok=True)
    # papermill saves the notebook as it runs, so a failure leaves the executed cells and the error.
    in_progress = failed_path.with_name(f".{job.slug}.running.ipynb")
    import nbformat
    import papermill

    try:
        nb = papermill.execute_notebook(
            str(job.notebook), str(in_progress), parameters=job.parameters, kernel_name="python3",
            cwd=str(job.notebook.parent), progress_bar=False, log_output=False,
            execution_timeout=cell_timeout, config=kernel_config(),
        )
    except BaseException as exc:  # PapermillExecutionError, dead kernels, timeouts
        if in_progress.exists():
            os.replace(in_progress, failed_path)
        else:
            atomic_write(failed_path.with_suffix(".txt"), traceback.format_exc())
        return JobResult(job.slug, False, time.perf_counter() - start, summarise(exc))
    in_progress.unlink(missing_ok=True)
    nb = export.normalise(nb)
    html = export.to_html(nb, job.title, provenance.provenance(job.parameters))
    atomic_write(executed_path, nbformat.writes(nb) + "\n")
    atomic_write(out_dir / "site" / job.html_name, html)
    if failed_path.exists():
        failed_path.unlink()
    return JobResult(job.slug, True, time.perf_counter() - start)


def run_all(jobs: list[ReportJob], out_dir: Path, n_jobs: int = 1, cell_timeout: int = 300) -> list[JobResult]:
    """Run ``jobs`` with :func:`run_job`, ``n_jobs`` kernels at a time (a process pool); no reuse."""
    out_dir = Path(out_dir)
    n = max(1, min(n_jobs, len(jobs)))
    if n == 1:
        return [run_job(job, out_dir, cell_timeout) for job in jobs]
    with ProcessPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run_job, jobs, [out_dir] * len(jobs), [cell_timeout] * len(jobs)))


def main(argv: list[str] | None = None) -> int:
    """Build the whole site with the reference engine (the benchmark's variant (b))."""
    ap = argparse.ArgumentParser(prog="python -m evalkit.build.reference", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="folder for site/, notebooks/, failed/")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kernels at a time")
    args = ap.parse_args(argv)
    from evalkit.build import plan, runner

    jobs = plan.site_jobs() + plan.district_jobs()
    results = run_all(jobs, Path(args.out), args.jobs)
    failed = {r.slug: r.error for r in results if not r.ok}
    runner.write_index(Path(args.out), jobs, failed)
    for slug, error in sorted(failed.items()):
        print(f"MISSLYCKAD {slug}: {error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
