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

It touches only its own publications. ``DEST`` must be missing, an empty folder, or a folder that
carries evalkit's manifest (``publicering.txt``); a file, a symbolic link, a folder of anything else
or one that holds the build itself is refused with one line, and nothing is moved or deleted that
lacks the manifest (the kept publications beside it are checked the same way before they are
rotated). No symbolic link is ever followed: a site that contains one is refused, and the copy keeps
links as links. The last :data:`KEEP` publications are kept by content: ``DEST``, ``.DEST.previous``,
``.DEST.previous.2`` …; publishing the very same site again changes nothing, so an identical rebuild
does not push the previous publication out. Each publication's published table (and the full one
it was protected against) is recorded in ``data/publications/`` (:func:`record_history`), so that
`evalkit clean` protects the next release jointly with the last :data:`KEEP` ones an intruder holds.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from evalkit.build.output import atomic_write, previous_dir
from evalkit.programme import PUBLICATIONS_KEPT

MANIFEST = "publicering.txt"
#: Written by :func:`publish` into the build folder's .cache: where its site was published (the
#: next build's changes page compares with it, :mod:`evalkit.build.changes_page`).
PUBLISHED_TO = "published_to.txt"
#: Publications kept (the served one and the ones before it): as many as the intruder's audit in
#: `evalkit clean` looks back (one constant, one home).
KEEP = PUBLICATIONS_KEPT
#: Marker written first into a staging folder: only a folder carrying it (or the manifest) is ever removed.
STAGING_MARK = ".evalkit-staging"
_MANIFEST_LINE = re.compile(r"^[0-9a-f]{64}  \S.*$")


class PublishRefused(RuntimeError):
    """The build may not be published; the message lists why (Swedish, one line per problem)."""


@dataclass
class Published:
    """Where the site went and what it replaced."""

    destination: Path
    previous: Path | None
    files: int
    unchanged: bool = False  # the very same site was already served: nothing was moved


def staging_dir(dest: Path) -> Path:
    return dest.parent / f".{dest.name}.staging"


def is_publication(folder: Path) -> bool:
    """A real folder (not a link) holding evalkit's manifest: a regular file of ``sha256  path`` lines."""
    folder = Path(folder)
    manifest = folder / MANIFEST
    if folder.is_symlink() or not folder.is_dir() or manifest.is_symlink() or not manifest.is_file():
        return False
    lines = manifest.read_text(encoding="utf-8", errors="replace").splitlines()
    return all(_MANIFEST_LINE.match(line) for line in lines)


def destination_problem(dest: Path, out_dir: Path | None = None) -> str | None:
    """Why ``dest`` (or a kept publication or staging folder beside it) may not be written to; None
    when it may: missing, an empty folder, or one of evalkit's publications (one line, Swedish)."""
    dest = Path(dest)
    if out_dir is not None:
        built, target = Path(out_dir).resolve(), dest.resolve()
        if target == built or built in target.parents or target in built.parents:
            return f"{dest}: ligger i eller omfattar byggkatalogen {out_dir}; välj en katalog utanför"
    if dest.is_symlink():
        return f"{dest}: är en symbolisk länk; evalkit publicerar inte genom länkar"
    if dest.exists() and not dest.is_dir():
        return f"{dest}: är en fil, inte en publicering; välj en tom eller ny katalog"
    if dest.is_dir() and any(dest.iterdir()) and not is_publication(dest):
        return (f"{dest}: katalogen är inte en evalkit-publicering (saknar {MANIFEST}); "
                "välj en tom eller ny katalog – inget flyttas eller tas bort")
    for age in range(1, KEEP):
        kept = previous_dir(dest, age)
        if (kept.exists() or kept.is_symlink()) and not is_publication(kept):
            return f"{kept}: är inte en evalkit-publicering (saknar {MANIFEST}); flytta den först"
    stage = staging_dir(dest)
    if (stage.exists() or stage.is_symlink()) and not _is_staging(stage):
        return f"{stage}: är inte evalkits mellanlagring; flytta den först"
    return None


def _is_staging(folder: Path) -> bool:
    """evalkit's own staging folder: carries the staging mark (or, stopped just before the swap, the manifest)."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    mark = folder / STAGING_MARK
    return (mark.is_file() and not mark.is_symlink()) or is_publication(folder)


def links_in(site_dir: Path) -> list[str]:
    """Symbolic links anywhere under ``site_dir`` (relative paths; never followed)."""
    found = []
    for root, dirs, files in os.walk(site_dir, followlinks=False):
        for name in dirs + files:
            path = Path(root) / name
            if path.is_symlink():
                found.append(path.relative_to(site_dir).as_posix())
    return sorted(found)


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
    links = links_in(site_dir)
    if links:
        found.append(f"webbplatsen innehåller symboliska länkar, som aldrig publiceras: {', '.join(links)}")
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
    from evalkit.programme import DISCLOSURE_THRESHOLD

    published, _ = data.published_tidy()
    result = intruder.audit(published, data.tidy(), DISCLOSURE_THRESHOLD, history=intruder.load_history())
    return [] if result.ok else [f"inkräktarens granskning underkänner den publicerade tabellen: {result.text()}"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every regular file under ``root`` (sorted: the manifest is
    byte-stable). Links are listed as such (never read through), so a copy that differs by a link fails."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = "symlink:" + os.readlink(p)
        elif p.is_file() and rel not in (MANIFEST, STAGING_MARK):
            out[rel] = _digest(p)
    return out


def _manifest_text(entries: dict[str, str]) -> str:
    return "".join(f"{h}  {p}\n" for p, h in entries.items())


def recover(dest: Path) -> bool:
    """Put the previous publication back if a publish died between its two renames (``DEST`` gone,
    ``.DEST.previous`` there). Returns True when it did."""
    dest = Path(dest)
    prev = previous_dir(dest)
    if not dest.exists() and not dest.is_symlink() and is_publication(prev):
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


def _rotate(dest: Path) -> Path:
    """Make room for a new publication: drop the oldest kept one, age the others, move ``dest``
    to ``.DEST.previous``. Only folders carrying the manifest are touched (checked before)."""
    oldest = previous_dir(dest, KEEP - 1)
    if is_publication(oldest):
        shutil.rmtree(oldest)
    for age in range(KEEP - 2, 0, -1):
        if is_publication(previous_dir(dest, age)):
            os.rename(previous_dir(dest, age), previous_dir(dest, age + 1))
    prev = previous_dir(dest)
    os.rename(dest, prev)
    return prev


def publish(out_dir: Path, dest: Path, *, jobs=None, audit: bool = True, _before_swap=None) -> Published:
    """Check the build in ``out_dir``, stage ``out_dir/site`` beside ``dest`` and swap it in.

    Raises :class:`PublishRefused` (nothing copied, nothing changed at ``dest``) when
    :func:`problems` finds anything or ``dest`` is not evalkit's to write (:func:`destination_problem`).
    The same site as the one served changes nothing (``unchanged``). ``_before_swap`` is a test hook
    called after staging.
    """
    _refuse_if_raw_changed()
    out_dir, dest = Path(out_dir), Path(dest).absolute()
    refused = destination_problem(dest, out_dir)  # first: a destination that is not ours is one line
    if refused:
        raise PublishRefused(f"publiceras inte: {refused}")
    found = problems(out_dir, jobs, audit)
    if found:
        raise PublishRefused("publiceras inte:\n" + "\n".join(f"  - {p}" for p in found))
    recover(dest)
    source = out_dir / "site"
    wanted = _manifest(source)
    if is_publication(dest) and (dest / MANIFEST).read_text(encoding="utf-8") == _manifest_text(wanted) \
            and _manifest(dest) == wanted:
        _record(out_dir, dest)
        prev = previous_dir(dest)
        return Published(dest, prev if is_publication(prev) else None, len(wanted), unchanged=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    stage = staging_dir(dest)
    if _is_staging(stage):
        shutil.rmtree(stage)  # left by an interrupted publish: never served, safe to drop
    stage.mkdir()
    (stage / STAGING_MARK).write_text("evalkit publish\n", encoding="utf-8")
    shutil.copytree(source, stage, symlinks=True, dirs_exist_ok=True)
    got = _manifest(stage)
    if wanted != got:
        shutil.rmtree(stage)
        raise PublishRefused(f"kopian i {stage} stämmer inte med {source}; inget publicerades")
    (stage / MANIFEST).write_text(_manifest_text(wanted), encoding="utf-8")
    if _before_swap is not None:
        _before_swap(stage)
    prev = _rotate(dest) if is_publication(dest) else None
    if dest.is_dir() and not any(dest.iterdir()):
        dest.rmdir()  # an empty folder the user made for us
    (stage / STAGING_MARK).unlink()
    os.rename(stage, dest)
    _record(out_dir, dest)
    return Published(dest, prev, len(wanted))


def _record(out_dir: Path, dest: Path) -> None:
    """Remember where the site went (changes page) and what it published (the next clean's audit)."""
    record_publication(out_dir, dest)
    record_history(out_dir / "site")


def record_publication(out_dir: Path, dest: Path) -> None:
    """Remember where this build folder's site was published (the next build compares with it)."""
    atomic_write(Path(out_dir) / ".cache" / PUBLISHED_TO, f"{Path(dest).absolute()}\n")


def published_to(out_dir: Path) -> Path | None:
    """Where this build folder's site was last published (:func:`record_publication`), or None."""
    record = Path(out_dir) / ".cache" / PUBLISHED_TO
    if not record.exists():
        return None
    return Path(record.read_text(encoding="utf-8").strip())


def record_history(site_dir: Path) -> Path | None:
    """Record the published table this site carries, and the full table it was protected against,
    in ``data/publications/`` (newest last in ``order.txt``, the last :data:`KEEP` kept).

    Only when the site's data package names today's published table (its SHA-256): a site built
    from other data cannot be matched with the table it was protected against, and is not recorded.
    """
    import json

    from evalkit import data
    from evalkit.analysis import intruder
    from evalkit.build import datapackage
    from evalkit.paths import processed_dir

    descriptor = datapackage.site_data_dir(site_dir) / datapackage.DESCRIPTOR
    published = processed_dir() / data.PUBLISHED_TABLE
    full = processed_dir() / "indicators.parquet"
    if not (descriptor.is_file() and published.is_file() and full.is_file()):
        return None
    try:
        named = json.loads(descriptor.read_text(encoding="utf-8"))["evalkit"]["published_table_sha256"]
    except (ValueError, KeyError, TypeError):
        return None
    if named != _digest(published):
        return None
    return intruder.record_publication(published, full, named)
