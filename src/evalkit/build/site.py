"""The site's index.html: every report grouped by borough, a filter box, failures shown honestly."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from evalkit import geography
from evalkit.build import datapackage

#: The changes page, written by evalkit.build.changes_page (the index links it when it exists).
CHANGES_PAGE = "andringar.html"
from evalkit.build.export import stylesheet
from evalkit.build.plan import DEFAULT_YEARS, OVERVIEW_GROUP, SITE_REPORTS, ReportJob, job_for_page

_INDEX = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
    """<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="icon" href="data:,">
<title>Uppföljning av Programmet för en sammanhållen stad</title>
<style>
{{ css|safe }}
</style>
</head>
<body>
<main id="innehall">
<h1>Uppföljning av Programmet för en sammanhållen stad 2015–2020</h1>
{% if synthetic %}<div class="ek-banner" role="alert"><strong>OBS! Rapporterna bygger på syntetiska demodata. Siffrorna beskriver inte verkligheten.</strong></div>
{% endif %}
<p>{{ summary }}</p>
{% if changes_href %}<p><a href="{{ changes_href }}">Förändringar sedan förra publiceringen</a></p>
{% endif %}
{% if data_href %}<p>Data för forskare: <a href="{{ data_href }}">datapaketet</a> (Frictionless Data Package: den publicerade, röjandeskyddade indikatortabellen och de numeriska resultaten som CSV med punkt som decimaltecken, med kodbok på svenska och engelska).</p>
{% endif %}
<div class="ek-filter"><label for="filter">Filtrera rapporter</label><br><input id="filter" type="search" autocomplete="off"></div>
{% for group in groups %}
<section class="ek-group">
<h2>{{ group.name }}</h2>
<ul>
{% for r in group.reports %}
<li data-name="{{ r.title|lower }}">{% if r.ok %}<a href="{{ r.href }}">{{ r.title }}</a>{% else %}{{ r.title }} <span class="ek-failed">(bygget misslyckades{% if r.href %}; <a href="{{ r.href }}">senast lyckade version</a>{% endif %})</span>{% endif %}</li>
{% endfor %}
</ul>
</section>
{% endfor %}
</main>
<script>
// Inline and dependency-free: the intranet has no internet.
document.getElementById("filter").addEventListener("input", function (e) {
  var q = e.target.value.toLowerCase();
  document.querySelectorAll("li[data-name]").forEach(function (li) {
    li.hidden = q && li.getAttribute("data-name").indexOf(q) === -1;
  });
  document.querySelectorAll(".ek-group").forEach(function (s) {
    s.hidden = !s.querySelector("li:not([hidden])");
  });
});
</script>
</body>
</html>
"""
)


def swedish_sort_key(text: str):
    """Sort key putting å, ä, ö after z, as Swedish readers expect (ICU collation, :func:`evalkit.present.format.sort_key_sv`)."""
    from evalkit.present.format import sort_key_sv

    return sort_key_sv(text)


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
    overview = [{"name": "Hela staden, projekt och metod", "reports": groups.pop(OVERVIEW_GROUP)}] if OVERVIEW_GROUP in groups else []
    ordered = [{"name": _group_name(code), "reports": reports} for code, reports in groups.items()]
    ordered = overview + sorted(ordered, key=lambda g: swedish_sort_key(g["name"]))
    if others:  # pages evalkit does not know how to name: still part of the site
        ordered.append({"name": "Övriga sidor", "reports": [{"title": name.removesuffix(".html"), "href": name,
                                                             "ok": True, "kind": "other"} for name in others]})
    entries = [r for g in ordered for r in g["reports"]]
    data_href = datapackage.HREF if (site_dir / datapackage.HREF).exists() else ""
    changes_href = CHANGES_PAGE if (site_dir / CHANGES_PAGE).exists() else ""
    return _INDEX.render(css=stylesheet(), groups=ordered, summary=count_sentence(entries), synthetic=synthetic,
                         data_href=data_href, changes_href=changes_href)


def _left_failed(failed_dir: Path | None) -> set[str]:
    """Slugs whose last attempt failed (the runner keeps their notebook or traceback there)."""
    if failed_dir is None or not failed_dir.is_dir():
        return set()
    return {p.stem for p in failed_dir.iterdir() if p.suffix in (".ipynb", ".txt") and not p.name.startswith(".")}


def _group_name(code: str) -> str:
    """Heading of a borough group (the code itself if the registry does not know it)."""
    try:
        return geography.area_name(code)
    except ValueError:
        return code


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
    return (rank, swedish_sort_key(name), years != DEFAULT_YEARS, str(years))


def _kind(job: ReportJob) -> str:
    """What a listed page is, for the count sentence."""
    if job.group == OVERVIEW_GROUP:
        kind = "overview"
    else:
        kind = "sdo" if str(job.parameters.get("district", "")).startswith("sdo-") else "sd"
    years = (job.parameters.get("start_year"), job.parameters.get("end_year"))
    return kind if years == DEFAULT_YEARS else f"{kind}:years"


def _n(count: int, one: str, many: str) -> str:
    """``count`` with the singular or plural noun (Swedish has no rule to derive one from the other)."""
    return f"{count} {one if count == 1 else many}"


def count_sentence(entries: list[dict]) -> str:
    """The sentence above the list, counted from what is listed (never from what was built)."""
    kinds = [e["kind"].split(":")[0] for e in entries]
    parts = [text for text in (
        _n(kinds.count("overview"), "översiktssida (hela staden, projekt eller metod)",
           "översiktssidor (hela staden, projekt och metod)") if "overview" in kinds else "",
        _n(kinds.count("sdo"), "stadsdelsområde", "stadsdelsområden") if "sdo" in kinds else "",
        _n(kinds.count("sd"), "stadsdel", "stadsdelar") if "sd" in kinds else "",
        _n(kinds.count("other"), "annan sida", "andra sidor") if "other" in kinds else "",
    ) if text]
    if not parts:
        return "Inga rapporter är byggda ännu."
    listing = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " och " + parts[-1]
    sentence = f"{_n(len(entries), 'rapport', 'rapporter')}: {listing}."
    other_years = sum(e["kind"].endswith(":years") for e in entries)
    if other_years:
        start, end = DEFAULT_YEARS
        sentence += f" Av dem gäller {other_years} ett annat årsintervall än {start}–{end}."
    n_failed = sum(not e["ok"] for e in entries)
    if n_failed:
        sentence += f" {n_failed} kunde inte byggas senast (markerade nedan)."
    return sentence
