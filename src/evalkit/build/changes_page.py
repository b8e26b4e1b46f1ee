"""The changes page (``andringar.html``) and the "Ändrat sedan förra publiceringen" box on district pages.

After the pages and the data package are written, the build compares this site's package with the
previous publication's (:mod:`evalkit.analysis.changes`; words in :mod:`evalkit.present.changes`).
Which publication: ``evalkit build --compare-with PATH``, or by default the folder that
``evalkit publish`` last wrote to — unless that folder already holds exactly this build (then its
``.previous``, the publication before it), so a rebuild after publishing keeps describing the
changes that publication brought.

The box is put into the district pages after they are built (between two comments, replaced on
every build), not computed by the notebooks: what a page's numbers are does not depend on which
publication it is compared with, so the report cache keys stay as they are. Same inputs and the
same compared publication give the same bytes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jinja2

from evalkit.build import datapackage
from evalkit.build.export import stylesheet
from evalkit.build.output import atomic_write, previous_dir
from evalkit.build.site import CHANGES_PAGE as PAGE

#: Written by `evalkit publish` into the build folder's .cache: where the site was published.
PUBLISHED_TO = "published_to.txt"
_BOX = re.compile(r"<!-- ek-changes -->.*?<!-- /ek-changes -->", re.S)
_H1_END = "</h1>"

_TEMPLATE = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
    """<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="icon" href="data:,">
<title>Förändringar sedan förra publiceringen</title>
<style>
{{ css|safe }}
</style>
</head>
<body>
<a class="ek-skip" href="#innehall">Hoppa till innehållet</a>
<header class="ek-top"><a href="index.html">Alla rapporter</a></header>
<main id="innehall">
<h1>Förändringar sedan förra publiceringen</h1>
<p>{{ intro }}</p>
<h2>Måluppfyllelse som ändrats</h2>
{% if statuses %}{{ statuses|safe }}{% else %}<p>Ingen målstatus har ändrats.</p>{% endif %}
<h2>Största förändringar per område</h2>
{% if moves %}{{ moves|safe }}{% else %}<p>Inga publicerade värden har ändrats.</p>{% endif %}
<h2>Effektskattningar som flyttat mer än ett medelfel</h2>
{% if effects %}{{ effects|safe }}{% else %}<p>Ingen effektskattning har flyttat mer än ett medelfel.</p>{% endif %}
<h2>Ändrade indata</h2>
{% if inputs %}<ul>{% for p in inputs %}<li>{{ p }}</li>{% endfor %}</ul>{% else %}<p>Inga indatafiler har ändrats.</p>{% endif %}
</main>
</body>
</html>
"""
)


def record_publication(out_dir: Path, dest: Path) -> None:
    """Remember where this build folder's site was published (the next build compares with it)."""
    atomic_write(Path(out_dir) / ".cache" / PUBLISHED_TO, f"{Path(dest).absolute()}\n")


def compare_target(out_dir: Path, explicit: Path | None = None) -> Path | None:
    """The publication to compare with (see the module docstring), or None when there is none."""
    if explicit is not None:
        return Path(explicit)
    record = Path(out_dir) / ".cache" / PUBLISHED_TO
    if not record.exists():
        return None
    dest = Path(record.read_text(encoding="utf-8").strip())
    ours = Path(out_dir) / "site" / datapackage.HREF
    served = dest / datapackage.HREF
    if served.is_file() and ours.is_file() and served.read_bytes() == ours.read_bytes():
        dest = previous_dir(dest)
    return dest if (dest / datapackage.HREF).is_file() else None


def update(out_dir: Path, compare_with: Path | None = None) -> dict | None:
    """Write the changes page and the district boxes for the site in ``out_dir``; without a
    publication to compare with, remove them. Returns the diff (None when nothing was compared).

    Raises ValueError (Swedish) when ``compare_with`` was given and holds no data package.
    """
    out_dir = Path(out_dir)
    site_dir = out_dir / "site"
    target = compare_target(out_dir, compare_with)
    if target is None or not (site_dir / datapackage.HREF).is_file():
        # Page and boxes are written together, so without the page there are no boxes to take out:
        # a no-op build reads no district page.
        if (site_dir / PAGE).exists():
            (site_dir / PAGE).unlink()
            _set_boxes(site_dir, {})
        return None
    # Imported only when comparing: the words pull in the goal rules (scipy.stats, ~1 s), which a
    # no-op build without a previous publication must not pay.
    from evalkit import programme
    from evalkit.analysis import changes
    from evalkit.present import changes as words

    wanted = tuple(changes.RESOURCES.values())
    try:
        result = changes.diff(datapackage.read(target, wanted), datapackage.read(site_dir, wanted))
    except (datapackage.PackageError, changes.SchemaMismatch) as exc:
        # A previous publication is untrusted input: one that does not check out gives no changes
        # page (and no boxes), with a warning, rather than a crash of the whole build.
        print(f"varning: ingen förändringssida: {exc}", file=sys.stderr)
        if (site_dir / PAGE).exists():
            (site_dir / PAGE).unlink()
        _set_boxes(site_dir, {})
        return None
    catalogue = programme.indicator_catalogue()
    atomic_write(site_dir / PAGE, render(result, catalogue))
    _set_boxes(site_dir, words.area_boxes(result, catalogue))
    return result


def render(result: dict, catalogue) -> str:
    """The changes page: status changes first, then the largest moves per area, then effects and inputs."""
    from evalkit.present import changes as words

    statuses = _in_swedish_order(words.status_table(result["status_changes"], catalogue))
    moves = _in_swedish_order(words.value_table(words.largest_moves(result["changes"]), catalogue))
    effects = words.effect_table(result["effects"])
    return _TEMPLATE.render(
        css=stylesheet(), intro=words.page_intro_sv(result),
        statuses=words.as_html(statuses, "Målstatus före och nu"),
        moves=words.as_html(moves, "Största förändringar av publicerade värden, högst tre per område"),
        effects=words.as_html(effects, "Effektskattningar före och nu"),
        inputs=result["inputs"]["path"].tolist())


def _in_swedish_order(frame):
    """Rows by area name in Swedish order (Å, Ä, Ö after Z; ICU), each area's rows kept in their
    order (a stable sort): the area codes the diff is sorted by spell å as a and ö as o."""
    from evalkit.present.format import sort_key_sv

    if frame.empty:
        return frame
    keys = frame["Område"].map(sort_key_sv)
    order = sorted(range(len(frame)), key=lambda i: keys.iloc[i])
    return frame.iloc[order].reset_index(drop=True)


def _set_boxes(site_dir: Path, boxes: dict[str, str]) -> None:
    """Put each district page's box after its title (or take an old one out); write only what changes."""
    for page in sorted(site_dir.glob("sd*-*.html")):
        slug = page.stem.split("_")[0]
        html = page.read_text(encoding="utf-8")
        stripped = _BOX.sub("", html)
        box = boxes.get(slug)
        new = stripped
        if box and _H1_END in stripped:
            new = stripped.replace(_H1_END, f"{_H1_END}<!-- ek-changes -->{box}<!-- /ek-changes -->", 1)
        if new != html:
            atomic_write(page, new)
