"""`evalkit publish DEST`: copy a built site to where readers get it, all or nothing.

Why not ``cp -r``: a copy interrupted half-way serves a mixed site, and nothing stops a build with
failed reports, stale pages or a failing disclosure audit from going out. Here:

1. **Checks first** (:func:`problems`): the site has its index; no report failed in its last
   attempt (``failed/`` is empty); every page the index links to exists; every page was built
   from today's data and code (its cache key is current, so a partial rebuild after a data change
   cannot publish a mix of old and new pages); the intruder's audit of the published table passes
   (re-run here, not read from a file). Any problem: nothing is copied, exit 1.
2. **Stage beside the destination** (same file system, so the swap is a rename): the site is
   copied to ``.DEST.staging`` and checked file by file (SHA-256) against the source.
3. **Swap**: the served folder is renamed to ``.DEST.previous`` (the previous publication, kept
   for ``evalkit diff`` and the changes page) and the staged one takes its name. Two renames of
   the same file system; the only moment without a ``DEST`` is between them. If a publish dies
   exactly there, the next ``publish`` (or :func:`recover`) puts the previous one back first.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "publicering.txt"


class PublishRefused(RuntimeError):
    """The build may not be published; the message lists why (Swedish, one line per problem)."""


@dataclass
class Published:
    """Where the site went and what it replaced."""

    destination: Path
    previous: Path | None
    files: int


def staging_dir(dest: Path) -> Path:
    return dest.parent / f".{dest.name}.staging"


def previous_dir(dest: Path) -> Path:
    """The publication before the current one (what the changes page compares with)."""
    return dest.parent / f".{dest.name}.previous"


def _linked_pages(index_html: str) -> set[str]:
    """Local pages the index links to (``href="x.html"``, no scheme, no fragment-only links)."""
    hrefs = re.findall(r'href="([^"#?:]+\.html)"', index_html)
    return {h for h in hrefs if "/" not in h}


def problems(out_dir: Path, jobs=None, audit: bool = True) -> list[str]:
    """Why the build in ``out_dir`` (holding ``site/``, ``failed/``, ``.cache/``) may not be
    published; empty when it may. ``jobs``: the reports the site should hold (default: the full
    plan, as `evalkit build` without options builds it)."""
    out_dir = Path(out_dir)
    site_dir = out_dir / "site"
    index = site_dir / "index.html"
    if not index.is_file():
        return [f"{index}: sidan saknas – kör `evalkit build` först"]
    found = []
    failed_dir = out_dir / "failed"
    failed = sorted({p.stem for p in failed_dir.glob("*") if p.suffix in (".ipynb", ".txt")}) \
        if failed_dir.is_dir() else []
    if failed:
        found.append(f"rapporter som misslyckades senast: {', '.join(failed)}")
    missing = sorted(p for p in _linked_pages(index.read_text(encoding="utf-8")) if not (site_dir / p).is_file())
    if missing:
        found.append(f"index.html länkar till sidor som saknas: {', '.join(missing)}")
    found += _stale_pages(out_dir, jobs)
    if audit:
        found += _audit_problems()
    return found


def _stale_pages(out_dir: Path, jobs) -> list[str]:
    """Reports the site should hold that are missing, and pages whose stored build key is not
    today's (built from other data or code). The site should hold ``jobs`` (default: the full
    plan) and every other page it has (e.g. from ``--all-stadsdelar``), each with a current key."""
    from evalkit.build import cache, plan

    site_dir = out_dir / "site"
    jobs = list(plan.site_jobs() + plan.district_jobs() if jobs is None else jobs)
    slugs = {job.slug for job in jobs}
    for page in sorted(site_dir.glob("*.html")):
        job = plan.job_for_page(page.name)
        if job is not None and job.slug not in slugs:
            jobs.append(job)
            slugs.add(job.slug)
    missing = sorted(job.html_name for job in jobs if not (site_dir / job.html_name).is_file())
    shared = cache.inputs_hash()
    stale = sorted(job.slug for job in jobs if (site_dir / job.html_name).is_file()
                   and cache.stored_key(out_dir, job.slug) != cache.job_key(job.notebook, job.parameters, shared))
    found = []
    if missing:
        found.append(f"sidor som saknas: {', '.join(missing)} – kör `evalkit build`")
    if stale:
        found.append(f"sidor byggda av andra data eller annan kod än dagens: {', '.join(stale)} – kör `evalkit build`")
    return found


def _audit_problems() -> list[str]:
    """The intruder's audit of the published table against the full one, re-run now."""
    from evalkit import data
    from evalkit.analysis import intruder

    published, _ = data.published_tidy()
    result = intruder.audit(published, data.tidy(), data.DISCLOSURE_THRESHOLD)
    return [] if result.ok else [f"inkräktarens granskning underkänner den publicerade tabellen: {result.text()}"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``root`` (sorted: the manifest is byte-stable)."""
    return {p.relative_to(root).as_posix(): _digest(p) for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def recover(dest: Path) -> bool:
    """Put the previous publication back if a publish died between its two renames (``DEST`` gone,
    ``.DEST.previous`` there). Returns True when it did."""
    dest = Path(dest)
    prev = previous_dir(dest)
    if not dest.exists() and prev.is_dir():
        os.rename(prev, dest)
        return True
    return False


def _refuse_if_raw_changed() -> None:
    """Refuse in one line when data/raw is not what `evalkit clean` last read: the build's own
    keys only see data/processed, so after an edit of data/raw they would call old pages current."""
    from evalkit import stamp
    from evalkit.paths import processed_dir

    problem = stamp.raw_problem(processed_dir())
    if problem:
        raise PublishRefused(f"publiceras inte: {problem}")


def publish(out_dir: Path, dest: Path, *, jobs=None, audit: bool = True, _before_swap=None) -> Published:
    """Check the build in ``out_dir``, stage ``out_dir/site`` beside ``dest`` and swap it in.

    Raises :class:`PublishRefused` (nothing copied, nothing changed at ``dest``) when
    :func:`problems` finds anything. ``_before_swap`` is a test hook called after staging.
    """
    _refuse_if_raw_changed()
    out_dir, dest = Path(out_dir), Path(dest).absolute()
    found = problems(out_dir, jobs, audit)
    if found:
        raise PublishRefused("publiceras inte:\n" + "\n".join(f"  - {p}" for p in found))
    recover(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = staging_dir(dest)
    if stage.exists():
        shutil.rmtree(stage)  # left by an interrupted publish: never served, safe to drop
    source = out_dir / "site"
    shutil.copytree(source, stage)
    wanted, got = _manifest(source), _manifest(stage)
    if wanted != got:
        shutil.rmtree(stage)
        raise PublishRefused(f"kopian i {stage} stämmer inte med {source}; inget publicerades")
    (stage / MANIFEST).write_text("".join(f"{h}  {p}\n" for p, h in wanted.items()), encoding="utf-8")
    if _before_swap is not None:
        _before_swap(stage)
    prev = previous_dir(dest)
    had_previous = dest.exists()
    if had_previous:
        if prev.exists():
            shutil.rmtree(prev)
        os.rename(dest, prev)
    os.rename(stage, dest)
    from evalkit.build import changes_page

    changes_page.record_publication(out_dir, dest)
    return Published(dest, prev if had_previous else None, len(wanted))
