"""The site's index.html: which pages the site holds, grouped by borough, failures marked.

What the index says and looks like is made in :mod:`evalkit.present.site` (template
``present/templates/index.html.j2``); here only which pages there are, in which order, and whether
their last build failed.
"""

from __future__ import annotations

import re
from pathlib import Path

from evalkit.build import datapackage
from evalkit.build.export import stylesheet
from evalkit.build.plan import DEFAULT_YEARS, OVERVIEW_GROUP, SITE_REPORTS, ReportJob, job_for_page
from evalkit.present.format import sort_key_sv
from evalkit.present.site import index_page

#: The changes page, written by evalkit.build.changes_page (the index links it when it exists).
CHANGES_PAGE = "andringar.html"


def render_index(jobs: list[ReportJob], failed: set[str], site_dir: Path, synthetic: bool,
                 failed_dir: Path | None = None) -> str:
    """Render index.html: every page in ``site_dir`` grouped by borough (programme order), failures marked.

    ``jobs`` are this build's reports; pages that earlier builds of other selections or year
    ranges left in ``site_dir`` are listed too (a build of one district must not drop the rest
    of the site). A report counts as failed when it failed now or its last attempt left an
    executed notebook in ``failed_dir``; its last good page, if any, stays linked.
    """
    failed = set(failed) | _left_failed(failed_dir)
    listed = {job.html_name: job for job in jobs}
    others = []
    for page in sorted(site_dir.glob("*.html")) if site_dir.is_dir() else []:
        if page.name in ("index.html", CHANGES_PAGE) or page.name in listed:
            continue
        job = job_for_page(page.name)
        if job is None:
            others.append(page.name)
        else:
            listed[page.name] = job
    groups: dict[str, list[dict]] = {}
    for job in sorted(listed.values(), key=_order):
        exists = (site_dir / job.html_name).exists()
        groups.setdefault(job.group, []).append(
            {"title": job.title, "href": job.html_name if exists else "", "ok": job.slug not in failed and exists,
             "kind": _kind(job)}
        )
    overview = groups.pop(OVERVIEW_GROUP, [])
    unnamed = [{"title": name.removesuffix(".html"), "href": name, "ok": True, "kind": "other"} for name in others]
    return index_page(overview, groups, unnamed, css=stylesheet(), synthetic=synthetic,
                      data_href=datapackage.HREF if (site_dir / datapackage.HREF).exists() else "",
                      changes_href=CHANGES_PAGE if (site_dir / CHANGES_PAGE).exists() else "",
                      years=DEFAULT_YEARS)


def _left_failed(failed_dir: Path | None) -> set[str]:
    """Slugs whose last attempt failed (the runner keeps their notebook or traceback there)."""
    if failed_dir is None or not failed_dir.is_dir():
        return set()
    return {p.stem for p in failed_dir.iterdir() if p.suffix in (".ipynb", ".txt") and not p.name.startswith(".")}


_TITLE_YEARS = re.compile(r"\s\d{4}–\d{4}$")


def _order(job: ReportJob) -> tuple:
    """Within a group: overview pages in their fixed order, the borough before its stadsdelar,
    names in Swedish order, and each area's default years before its other year ranges."""
    years = (job.parameters.get("start_year"), job.parameters.get("end_year"))
    if job.group == OVERVIEW_GROUP:
        rank = next((i for i, (report, _, _) in enumerate(SITE_REPORTS) if report == job.report), len(SITE_REPORTS))
    else:
        rank = 0 if str(job.parameters.get("district", "")).startswith("sdo-") else 1
    name = _TITLE_YEARS.sub("", job.title)
    return (rank, sort_key_sv(name), years != DEFAULT_YEARS, str(years))


def _kind(job: ReportJob) -> str:
    """What a listed page is, for the count sentence."""
    if job.group == OVERVIEW_GROUP:
        kind = "overview"
    else:
        kind = "sdo" if str(job.parameters.get("district", "")).startswith("sdo-") else "sd"
    years = (job.parameters.get("start_year"), job.parameters.get("end_year"))
    return kind if years == DEFAULT_YEARS else f"{kind}:years"
