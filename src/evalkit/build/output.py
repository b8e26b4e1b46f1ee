"""Write what a build produced, atomically: pages, executed notebooks, failures, cache keys.

:func:`write_outcome` stores what :mod:`evalkit.build.isolate` produced for one report: on
success the page and the executed notebook; on failure the executed notebook with the error in
``failed/`` and nothing else — the last good page is never overwritten by a broken one.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

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


def previous_dir(dest: Path, age: int = 1) -> Path:
    """The publication ``age`` steps before the current one beside ``dest`` (1: what the changes page
    compares with). Here, below both: :mod:`~evalkit.build.publish` keeps them and
    :mod:`~evalkit.build.changes_page` reads one."""
    return dest.parent / (f".{dest.name}.previous" + (f".{age}" if age > 1 else ""))


def summarise(exc: BaseException) -> str:
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
