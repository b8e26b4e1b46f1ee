"""Write one report's results atomically; and the reference engine (papermill + a kernel).

:func:`write_outcome` stores what :mod:`evalkit.build.isolate` produced: on success the page and
the executed notebook; on failure the executed notebook with the error in ``failed/`` and
nothing else — the last good page is never overwritten by a broken one.

:func:`run_job` is the previous engine (``papermill.execute_notebook`` with a Jupyter kernel,
then nbconvert), kept as ``evalkit build --engine papermill`` and for the benchmark.
"""

from __future__ import annotations

import os
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from evalkit.build import export, provenance
from evalkit.build.plan import ReportJob


@dataclass
class JobResult:
    """Outcome of one report."""

    slug: str
    ok: bool
    seconds: float
    error: str = ""
    reused: bool = False


def atomic_write(path: Path, text: str) -> None:
    """Write via a temp file in the same folder, then rename (never a half-written file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a web server must be able to read the site
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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
        return JobResult(job.slug, False, time.perf_counter() - start, _summarise(exc))
    in_progress.unlink(missing_ok=True)
    nb = export.normalise(nb)
    html = export.to_html(nb, job.title, provenance.provenance(job.parameters))
    atomic_write(executed_path, nbformat.writes(nb) + "\n")
    atomic_write(out_dir / "site" / job.html_name, html)
    if failed_path.exists():
        failed_path.unlink()
    return JobResult(job.slug, True, time.perf_counter() - start)


def _summarise(exc: BaseException) -> str:
    """One line for the build summary: the error and, for notebook errors, the cell."""
    if hasattr(exc, "ename") and hasattr(exc, "evalue"):  # papermill.PapermillExecutionError
        return f"{exc.ename}: {exc.evalue} (cell {getattr(exc, 'exec_count', '?')})"[:500]
    text = f"{type(exc).__name__}: {exc}".strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return " ".join(lines[:3])[:500]


def write_outcome(job: ReportJob, outcome, out_dir: Path) -> JobResult:
    """Write an :class:`~evalkit.build.isolate.Outcome` under ``out_dir``; return the summary line."""
    failed_path = out_dir / "failed" / f"{job.slug}.ipynb"
    if outcome.ok:
        atomic_write(out_dir / "notebooks" / f"{job.slug}.ipynb", outcome.notebook)
        atomic_write(out_dir / "site" / job.html_name, outcome.html)
        failed_path.unlink(missing_ok=True)
        failed_path.with_suffix(".txt").unlink(missing_ok=True)
    else:
        if outcome.failed_notebook:
            atomic_write(failed_path, outcome.failed_notebook)
        else:
            failed_path.unlink(missing_ok=True)
        if outcome.details:
            atomic_write(failed_path.with_suffix(".txt"), outcome.details + "\n")
        else:
            failed_path.with_suffix(".txt").unlink(missing_ok=True)
    return JobResult(job.slug, outcome.ok, outcome.seconds, outcome.error)
