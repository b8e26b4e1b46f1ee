"""The site's index.html: every report grouped by borough, a filter box, failures shown honestly."""

from __future__ import annotations

from pathlib import Path

import jinja2

from evalkit import geography
from evalkit.build.export import stylesheet
from evalkit.build.plan import OVERVIEW_GROUP, ReportJob

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
<p>{{ n_reports }} rapporter: översikt, projekt och metod samt en rapport per programstadsdelsområde och programstadsdel.</p>
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


_SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "Å": "{", "Ä": "|", "Ö": "}", "é": "e"})


def swedish_sort_key(text: str) -> str:
    """Sort key putting å, ä, ö after z, as Swedish readers expect."""
    return text.casefold().translate(_SWEDISH_ORDER)


def render_index(jobs: list[ReportJob], failed: set[str], site_dir: Path, synthetic: bool) -> str:
    """Render index.html: reports grouped by borough (programme order), failures marked."""
    groups: dict[str, list[dict]] = {}
    for job in jobs:
        exists = (site_dir / job.html_name).exists()
        groups.setdefault(job.group, []).append(
            {"title": job.title, "href": job.html_name if exists else "", "ok": job.slug not in failed and exists}
        )
    overview = [{"name": "Hela staden, projekt och metod", "reports": groups.pop(OVERVIEW_GROUP)}] if OVERVIEW_GROUP in groups else []
    ordered = [{"name": geography.area_name(code), "reports": reports} for code, reports in groups.items()]
    ordered = overview + sorted(ordered, key=lambda g: swedish_sort_key(g["name"]))
    return _INDEX.render(css=stylesheet(), groups=ordered, n_reports=len(jobs), synthetic=synthetic)
