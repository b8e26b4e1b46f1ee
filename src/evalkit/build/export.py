"""Executed notebook -> deterministic, offline, self-contained HTML.

Volatile things are removed before export so that the same inputs give the same bytes:
papermill's timings and machine paths, random cell ids, execution timestamps.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources

import jinja2

# nbformat/nbconvert are imported where used: the build's coordinator process (plan, cache,
# index) must start fast, so that a no-op rebuild takes well under two seconds.

_VOLATILE_NB_PAPERMILL = ("input_path", "output_path", "start_time", "end_time", "duration", "exception",
                          "environment_variables")


def templates_dir() -> str:
    """Folder holding the ``evalkit`` nbconvert template."""
    return str(resources.files("evalkit") / "templates")


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The report stylesheet (inlined in every page)."""
    return (resources.files("evalkit") / "templates" / "evalkit" / "evalkit.css").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def exporter():
    """One configured exporter per process: no code, no prompts, Swedish, offline template."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = {"remove_cell"}
    c.HTMLExporter.preprocessors = ["nbconvert.preprocessors.TagRemovePreprocessor"]
    # Validate the notebook once, after all preprocessors, not after each of the 13: validation
    # changes nothing in a valid notebook and still raises on an invalid one.
    c.HTMLExporter.optimistic_validation = True
    exp = HTMLExporter(config=c, template_name="evalkit", extra_template_basedirs=[templates_dir()])
    exp.exclude_input = True
    exp.exclude_input_prompt = True
    exp.exclude_output_prompt = True
    exp.language_code = "sv"
    exp.embed_images = True
    return exp


def normalise(nb):
    """Strip volatile metadata and give cells ids from their position (deterministic bytes)."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
        cell.metadata.pop("execution", None)
        pm = cell.metadata.get("papermill")
        if pm is not None:
            cell.metadata["papermill"] = {k: v for k, v in pm.items() if k not in ("start_time", "end_time", "duration")}
        for output in cell.get("outputs", []):
            output.get("metadata", {}).pop("execution", None)
    pm = nb.metadata.get("papermill")
    if pm is not None:
        nb.metadata["papermill"] = {k: v for k, v in pm.items() if k not in _VOLATILE_NB_PAPERMILL}
    nb.metadata.get("widgets", None) and nb.metadata.pop("widgets")
    return nb


def notebook_json(nb) -> str:
    """The file text of a notebook made by :func:`normalise`: ``nbformat.writes(nb) + "\\n"``
    without its schema validation.

    ``nbformat.writes`` validates before writing, logs (does not raise) what is invalid, and gives
    cells without an id a random one. A normalised notebook has an id in every cell, and the
    build validates each report's notebook once anyway, when :func:`to_html` exports it (which
    raises if it is invalid); the bytes are the same (``tests/test_export.py``).
    """
    import nbformat

    if any("id" not in cell for cell in nb.cells):  # not normalised: let nbformat repair and log
        return nbformat.writes(nb) + "\n"
    return nbformat.versions[nb.nbformat].writes_json(nb) + "\n"


_PROVENANCE = jinja2.Environment(autoescape=True).from_string(
    """<h2>Om rapporten</h2>
<dl>
<dt>evalkit</dt><dd>version {{ version }}, commit {{ commit }}</dd>
<dt>Parametrar</dt><dd>{% for k, v in parameters.items() %}{{ k }} = {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}</dd>
<dt>Byggdatum</dt><dd>{{ build_date }}</dd>
{% if data_package %}<dt>Data</dt><dd><a href="{{ data_package }}">Data för forskare</a>: sidornas publicerade data som datapaket (CSV med kodbok)</dd>
{% endif %}{% for f in inputs %}<dt>Indata</dt><dd>{{ f.path }} (sha256 {{ f.sha256[:16] }}…){% if f.synthetic %} – syntetiska demodata{% endif %}</dd>
{% endfor %}</dl>"""
)


def provenance_html(provenance: dict) -> str:
    """Render the provenance block shown at the foot of every page."""
    return _PROVENANCE.render(**provenance)


def to_html(nb, title: str, provenance: dict | None = None) -> str:
    """Export an executed notebook to one self-contained HTML page (images inline, no scripts)."""
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    res = {"evalkit_css": stylesheet(), "evalkit_provenance": provenance_html(provenance) if provenance else ""}
    body, _ = exporter().from_notebook_node(nb, resources=res)
    return body
