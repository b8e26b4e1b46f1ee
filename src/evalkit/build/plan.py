"""Which reports exist and with which parameters."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evalkit import geography
from evalkit.paths import project_root

DEFAULT_YEARS = (2015, 2020)
YEAR_LIMITS = (2006, 2020)  # what the bundled data cover


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


def district_jobs(districts: list[str] | None = None, years: tuple[int, int] = DEFAULT_YEARS) -> list[ReportJob]:
    """District reports for the programme's 6 boroughs and 21 stadsdelar (or the given codes/names).

    Names are resolved through the registry, so output paths derive from canonical codes only.
    """
    start, end = validate_years(*years)
    if districts:
        codes = [d if _is_code(d) else geography.resolve(d) for d in districts]
    else:
        codes = geography.programme_boroughs() + geography.programme_stadsdelar()
    jobs = []
    # Boroughs first, then stadsdelar alphabetically (Swedish order), within each borough group.
    from evalkit.build.site import swedish_sort_key

    codes = sorted(codes, key=lambda c: (geography.area_level(c) != "stadsdelsomrade",
                                         swedish_sort_key(geography.area_name(c))))
    for code in codes:
        level = geography.area_level(code)
        group = code if level == "stadsdelsomrade" else geography.borough_of(code, "2007")
        suffix = "" if (start, end) == DEFAULT_YEARS else f"_{start}-{end}"
        jobs.append(
            ReportJob(
                report="district",
                notebook=notebook_path("district"),
                parameters={"district": code, "start_year": start, "end_year": end},
                slug=f"{code}{suffix}",
                title=(f"{geography.area_name(code)}"
                       f"{' (stadsdelsområde)' if level == 'stadsdelsomrade' else ''} {start}–{end}"),
                group=group,
            )
        )
    return jobs


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


def _is_code(text: str) -> bool:
    try:
        geography.area_name(text)
        return text == text.lower() and (text.startswith(("sd-", "sdo-")))
    except (KeyError, ValueError):
        return False
