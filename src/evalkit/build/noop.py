"""Whether `evalkit build` would change nothing, decided before the build engine is imported.

A build with nothing to do still has to look at every report's key, the data package's key, the
changes page and the index (:func:`evalkit.build.runner.build`). Importing the engine for that
(pandas, through the data package and the changes page) was most of a no-op build's time, so the
command line asks here first: after each successful build it records a fingerprint of everything
those decisions read (:func:`record`); when the fingerprint is the same now (:func:`unchanged`),
the build would reuse every report, leave the data package and the changes page alone and write
the same index bytes, so nothing needs to run.

The fingerprint holds what the keys are made of rather than the keys themselves: the processed
inputs (:func:`evalkit.build.cache.inputs_hash`), all of evalkit's code and templates, its version
and the commit (so every report key and the data package's key are as they were), the notebooks
and each job's parameters and title; and the state of the build folder that the build reads: the
stored keys, the pages and the failed reports present, the synthetic flag, the data package's key
and descriptor, and the bytes of ``index.html``. A build that compares with a publication never
takes this path (the other folder may have changed), nor does a forced one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import evalkit
from evalkit.build import cache
from evalkit.build.plan import ReportJob

#: Where the fingerprint of the last successful build is kept (in the build folder's .cache).
STATE_FILE = "build-state.txt"
#: Small files of .cache whose content the build's decisions read (the data package's key, the
#: synthetic flag of the index, the record of a publication; names as in datapackage.KEY_FILE,
#: runner._synthetic and publish.PUBLISHED_TO, which this module must not import).
CACHE_FILES = ("datapackage.key", "synthetic.txt", "published_to.txt")
#: The data package's descriptor inside the site (datapackage.HREF).
DESCRIPTOR = "data/datapackage.json"


def fingerprint(jobs: list[ReportJob], out_dir: Path, shared: str | None = None) -> str:
    """SHA-256 of what a build of ``jobs`` into ``out_dir`` decides from (see the module docstring)."""
    from evalkit.build.provenance import full_commit

    out_dir = Path(out_dir)
    site_dir, cache_dir, failed_dir = out_dir / "site", out_dir / ".cache", out_dir / "failed"
    notebooks = sorted({job.notebook for job in jobs})
    state = {
        "inputs": shared if shared is not None else cache.inputs_hash(),
        "code": cache.package_hash(None),
        "version": evalkit.__version__,
        "commit": full_commit(),
        "notebooks": {str(nb): _digest(nb) for nb in notebooks},
        "jobs": [[job.slug, job.report, str(job.notebook), job.parameters, job.title, job.group] for job in jobs],
        "keys": {job.slug: _text(cache_dir / f"{job.slug}.key") for job in jobs},
        "pages": sorted(p.name for p in site_dir.glob("*.html")) if site_dir.is_dir() else [],
        "failed": sorted(p.name for p in failed_dir.iterdir()) if failed_dir.is_dir() else [],
        "cache": {name: _text(cache_dir / name) for name in CACHE_FILES},
        "descriptor": (site_dir / DESCRIPTOR).is_file(),
        "index": _digest(site_dir / "index.html"),
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def unchanged(jobs: list[ReportJob], out_dir: Path) -> bool:
    """True when a (not forced) build of ``jobs`` into ``out_dir`` would change nothing: the last
    successful build recorded this fingerprint, every page is there and no publication is compared."""
    out_dir = Path(out_dir)
    stored = _text(out_dir / ".cache" / STATE_FILE)
    if not stored or (out_dir / ".cache" / "published_to.txt").exists():
        return False
    if not all((out_dir / "site" / job.html_name).exists() for job in jobs):
        return False
    return stored == fingerprint(jobs, out_dir)


def forget(out_dir: Path) -> None:
    """Drop the record before a build runs (a build that fails or is stopped leaves none)."""
    (Path(out_dir) / ".cache" / STATE_FILE).unlink(missing_ok=True)


def record(jobs: list[ReportJob], out_dir: Path, shared: str) -> None:
    """After a successful build: remember its fingerprint. ``shared`` is the inputs hash taken
    *before* the build, so inputs that changed while it ran make the next build look again."""
    from evalkit.build.output import atomic_write

    atomic_write(Path(out_dir) / ".cache" / STATE_FILE, fingerprint(jobs, out_dir, shared) + "\n")


def summary_text(n_reused: int, seconds: float) -> str:
    """The build's summary line for a build that reused every report (as runner.BuildSummary.text)."""
    return f"Byggda: 0, återanvända: {n_reused}, misslyckade: 0, tid: {seconds:.1f} s"


def _text(path: Path) -> str:
    """A small file's stripped text, or empty when it is not there."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def _digest(path: Path) -> str:
    """SHA-256 of a file's bytes, or empty when it is not there."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""
