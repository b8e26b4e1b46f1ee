"""The changes page (``andringar.html``) and the "Ändrat sedan förra publiceringen" box on district pages.

After the pages and the data package are written, the build compares this site's package with the
previous publication's (:mod:`evalkit.analysis.changes`; words in :mod:`evalkit.present.changes`).
Which publication: ``evalkit build --compare-with PATH``, or by default the folder that
``evalkit publish`` last wrote to — unless that folder already holds exactly this build (then its
``.previous``, the publication before it), so a rebuild after publishing keeps describing the
changes that publication brought.

The page and the box are made in :mod:`evalkit.present.changes` (templates
``present/templates/changes.html.j2`` and ``changes_box.html.j2``, on the site's base template);
here only which publication is compared with and which files are written. The box is put into the
district pages after they are built (:func:`evalkit.present.site.with_box`: under the title,
between two comments, replaced on every build), not computed by the notebooks: what a page's
numbers are does not depend on which publication it is compared with, so the report cache keys
stay as they are. Same inputs and the same compared publication give the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from evalkit.build import datapackage
from evalkit.build.export import stylesheet
from evalkit.build.output import atomic_write, previous_dir
from evalkit.build.publish import published_to
from evalkit.build.site import CHANGES_PAGE as PAGE
from evalkit.present.site import with_box


def compare_target(out_dir: Path, explicit: Path | None = None) -> Path | None:
    """The publication to compare with (see the module docstring), or None when there is none."""
    if explicit is not None:
        return Path(explicit)
    dest = published_to(out_dir)
    if dest is None:
        return None
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
    atomic_write(site_dir / PAGE, words.page_html(result, catalogue, css=stylesheet()))
    _set_boxes(site_dir, words.area_boxes(result, catalogue, changes_href=PAGE))
    return result


def _set_boxes(site_dir: Path, boxes: dict[str, str]) -> None:
    """Give each district page its box (or take an old one out, :func:`evalkit.present.site.with_box`);
    write only the pages that change."""
    for page in sorted(site_dir.glob("sd*-*.html")):
        html = page.read_text(encoding="utf-8")
        new = with_box(html, boxes.get(page.stem.split("_")[0]))
        if new != html:
            atomic_write(page, new)
