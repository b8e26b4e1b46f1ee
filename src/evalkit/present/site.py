"""The site's own pages in Swedish: the index and the changes page and box, from templates.

The templates are in ``present/templates/`` and share one base (``page.html.j2``: head, inlined
stylesheet, the way back to the index, the main landmark). :mod:`evalkit.build` gathers the facts
(which pages exist, which failed, what changed) and writes the files; the words and the markup are
made here. Kept light (jinja2 only at import): the index is rewritten by every build, a no-op one too.

API::

    render(template, **context) -> str                    # any of present/templates/
    index_page(overview, boroughs, others, ...) -> str    # index.html
    count_sentence(entries, years) -> str                 # the sentence above the list
    with_box(page_html, box) -> str                       # a report page with its changes box (or none)
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import jinja2

from evalkit import geography
from evalkit.programme import PROGRAMME_END, PROGRAMME_START

TEMPLATES = Path(__file__).parent / "templates"
#: Heading of the city-wide pages' group and of pages evalkit cannot name.
OVERVIEW_SV = "Hela staden, projekt och metod"
OTHERS_SV = "Övriga sidor"
#: A changes box in a report page: between two comments, so that the next build replaces it.
_BOX = re.compile(r"<!-- ek-changes -->.*?<!-- /ek-changes -->", re.S)
_TITLE_END = "</h1>"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # trim_blocks/lstrip_blocks: a block tag on its own line leaves no blank line in the page.
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True)


def render(template: str, **context) -> str:
    """``template`` (a file of ``present/templates/``) filled with ``context``."""
    return _environment().get_template(template).render(**context)


def index_page(overview: list[dict], boroughs: dict[str, list[dict]], others: list[dict], *, css: str,
               synthetic: bool, data_href: str, changes_href: str, years: tuple[int, int]) -> str:
    """index.html: the city-wide pages first, then one group per borough in Swedish order of its
    name, then pages evalkit does not know how to name; above them the count sentence.

    Each entry is a dict with ``title``, ``href`` ("" when there is no page), ``ok`` (built in
    its last attempt) and ``kind`` (``overview``/``sdo``/``sd``/``other``, with ``:years`` for
    another year range than ``years``); ``boroughs`` maps a borough code to its entries, in order.
    ``data_href`` / ``changes_href``: links to the data package and the changes page ("" when
    the site has none).
    """
    from evalkit.present.format import sort_key_sv

    groups = [{"name": OVERVIEW_SV, "reports": overview}] if overview else []
    named = [{"name": _group_name(code), "reports": reports} for code, reports in boroughs.items()]
    groups += sorted(named, key=lambda g: sort_key_sv(g["name"]))
    if others:  # pages evalkit does not know how to name: still part of the site
        groups.append({"name": OTHERS_SV, "reports": others})
    entries = [r for g in groups for r in g["reports"]]
    return render("index.html.j2", css=css, groups=groups, summary=count_sentence(entries, years),
                  synthetic=synthetic, data_href=data_href, changes_href=changes_href,
                  programme_years=f"{PROGRAMME_START}–{PROGRAMME_END}")


def _group_name(code: str) -> str:
    """Heading of a borough group (the code itself if the registry does not know it)."""
    try:
        return geography.area_name(code)
    except ValueError:
        return code


def _n(count: int, one: str, many: str) -> str:
    """``count`` with the singular or plural noun (Swedish has no rule to derive one from the other)."""
    return f"{count} {one if count == 1 else many}"


def count_sentence(entries: list[dict], years: tuple[int, int]) -> str:
    """The sentence above the list, counted from what is listed (never from what was built);
    ``years``: the default year range (entries of another range have a kind ending ``:years``)."""
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
        start, end = years
        sentence += f" Av dem gäller {other_years} ett annat årsintervall än {start}–{end}."
    n_failed = sum(not e["ok"] for e in entries)
    if n_failed:
        sentence += f" {n_failed} kunde inte byggas senast (markerade nedan)."
    return sentence


def with_box(page_html: str, box: str | None) -> str:
    """A built report page with ``box`` (:func:`evalkit.present.changes.area_boxes`) right under its
    title, between the two comments; without ``box``, the page with any earlier box taken out.

    The box is put in after the page is built (not by the notebook) so that which publication a
    page is compared with stays out of the report cache keys; the title is the first ``<h1>``.
    """
    stripped = _BOX.sub("", page_html)
    if not box or _TITLE_END not in stripped:
        return stripped
    return stripped.replace(_TITLE_END, f"{_TITLE_END}<!-- ek-changes -->{box}<!-- /ek-changes -->", 1)
