"""Which reports exist and with which parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from evalkit import geography
from evalkit.paths import project_root
from evalkit.programme import FIRST_DATA_YEAR, PROGRAMME_END, PROGRAMME_START

DEFAULT_YEARS = (PROGRAMME_START, PROGRAMME_END)
YEAR_LIMITS = (FIRST_DATA_YEAR, PROGRAMME_END)  # what the bundled data cover


@dataclass(frozen=True)
class ReportJob:
    """One report to build: a notebook, its parameters and the output name (from canonical codes)."""

    report: str
    notebook: Path
    parameters: dict = field(hash=False)
    slug: str
    title: str
    group: str

    @property
    def html_name(self) -> str:
        return f"{self.slug}.html"


def notebook_path(report: str) -> Path:
    """The notebook file of a report type."""
    return project_root() / "notebooks" / f"{report}.ipynb"


def validate_years(start_year: int, end_year: int) -> tuple[int, int]:
    """Check a year range before any notebook runs; raise ValueError with a Swedish message."""
    start_year, end_year = int(start_year), int(end_year)
    lo, hi = YEAR_LIMITS
    if not (lo <= start_year <= end_year <= hi):
        raise ValueError(f"Ogiltigt årsintervall {start_year}–{end_year}: måste ligga inom {lo}–{hi}"
                         " och startåret får inte vara senare än slutåret")
    return start_year, end_year


_YEAR_RANGE = re.compile(r"^\s*(\d{4})\s*[-\u2010-\u2015\u2212]\s*(\d{4})\s*$")


def parse_years(text: str) -> tuple[int, int]:
    """A year range as people write it: ``2016-2019``, ``2016–2019`` (en dash), ``2016 — 2019``.

    Raises ValueError with a Swedish message naming ``--years`` (the option that takes it).
    """
    match = _YEAR_RANGE.match(str(text))
    if not match:
        raise ValueError(f"--years ska skrivas START-SLUT, t.ex. --years 2016-2019, inte {text!r}")
    try:
        return validate_years(int(match.group(1)), int(match.group(2)))
    except ValueError as exc:
        raise ValueError(f"--years: {exc}") from None


def district_jobs(districts: list[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS,
                  level: str | None = None) -> list[ReportJob]:
    """District reports for the programme's 6 boroughs and 21 stadsdelar (or the given codes/names).

    Names are resolved once, into the area record the notebook's sections take
    (:func:`evalkit.present.area.resolve`; ``level``: ``stadsdel`` or ``stadsdelsomrade`` for
    names that are both), so output paths derive from canonical codes only.
    """
    start, end = validate_years(*years)
    codes = districts or geography.plain_programme_areas()
    found = [_area(d, level) for d in codes]
    jobs = []
    # Boroughs first, then stadsdelar alphabetically (Swedish order), within each borough group.
    from evalkit.present.format import sort_key_sv

    found = sorted({a.code: a for a in found}.values(), key=lambda a: (not a.is_borough, sort_key_sv(a.name)))
    for area in found:
        suffix = "" if (start, end) == DEFAULT_YEARS else f"_{start}-{end}"
        jobs.append(
            ReportJob(
                report="district",
                notebook=notebook_path("district"),
                parameters={"district": area.code, "start_year": start, "end_year": end},
                slug=f"{area.code}{suffix}",
                title=f"{area.name}{' (stadsdelsområde)' if area.is_borough else ''} {start}–{end}",
                group=area.borough,
            )
        )
    return jobs


def _area(name_or_code: str, level: str | None = None):
    """What a page needs of its area (code, name, borough, whether it is a borough): a canonical
    code from the registry read without pandas (a no-op build lists its pages from these), any
    other spelling through :func:`evalkit.present.area.resolve`."""
    plain = geography.plain_area(name_or_code) if level is None else None
    if plain is not None:
        return plain
    from evalkit.present import area as areas

    return areas.resolve(name_or_code, level)


#: City-wide pages: (report/notebook name, slug, title). Listed first on the index page.
SITE_REPORTS = (
    ("city", "hela-staden", "Hela staden: alla programområden"),
    ("projects", "projekt", "Projekt med ytterstadsmedel"),
    ("method", "metod-och-data", "Metod och data"),
)
OVERVIEW_GROUP = "oversikt"
REPORT_TYPES = ("district",) + tuple(r for r, _, _ in SITE_REPORTS)


def site_jobs(years: tuple[int, int] = DEFAULT_YEARS, reports: tuple[str, ...] = REPORT_TYPES) -> list[ReportJob]:
    """The city overview, projects and method pages (one each per year range)."""
    start, end = validate_years(*years)
    suffix = "" if (start, end) == DEFAULT_YEARS else f"_{start}-{end}"
    return [
        ReportJob(report=report, notebook=notebook_path(report), parameters={"start_year": start, "end_year": end},
                  slug=f"{slug}{suffix}", title=f"{title} {start}–{end}", group=OVERVIEW_GROUP)
        for report, slug, title in SITE_REPORTS if report in reports
    ]


_PAGE = re.compile(r"^(?P<base>[a-z0-9-]+?)(?:_(?P<start>\d{4})-(?P<end>\d{4}))?\.html$")


def job_for_page(html_name: str) -> ReportJob | None:
    """The job that writes the page ``html_name`` (``sd-husby_2016-2019.html``), or None.

    Page names derive from canonical codes and year ranges only, so the index can list every
    page in the site folder - also those that a build of another selection left there.
    """
    match = _PAGE.match(html_name)
    if not match:
        return None
    base = match.group("base")
    years = (int(match.group("start")), int(match.group("end"))) if match.group("start") else DEFAULT_YEARS
    site = {slug: report for report, slug, _title in SITE_REPORTS}
    try:
        if base in site:
            job = site_jobs(years, (site[base],))[0]
        elif base.startswith(("sd-", "sdo-")):
            job = district_jobs([base], years)[0]
        else:
            return None
    except ValueError:  # unknown area, or years outside what the data cover
        return None
    # Only names evalkit itself writes (not "sd-tensta_2015-2020.html", nor a name that the
    # registry would merely resolve to another code).
    return job if job.html_name == html_name else None
