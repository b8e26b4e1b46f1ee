"""`evalkit export`: a notebook run by hand (papermill, JupyterLab) -> the published page.

After execution, `evalkit build` normalises the notebook, exports it with the project's template,
adds the provenance block and writes page, notebook and index atomically. Plain
``jupyter nbconvert`` can do none of the evalkit-specific parts (title, provenance, Swedish
offline template, deterministic cell ids), so this module applies exactly the build's steps:
a report executed by papermill gives the same page bytes as ``evalkit build``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from evalkit.build import export, plan, provenance
from evalkit.build.output import atomic_write
from evalkit.build.plan import ReportJob


class NotExportable(ValueError):
    """The notebook cannot become a page (not executed, failed, unknown report); message in Swedish."""


def default_parameters(nb) -> dict:
    """The literal assignments of the cell tagged ``parameters`` (the notebook's defaults)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            values = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    try:
                        values[node.targets[0].id] = ast.literal_eval(node.value)
                    except ValueError:  # not a literal: papermill could not have set it either
                        continue
            return values
    return {}


def parameters_of(nb) -> dict:
    """Parameters the notebook ran with: its defaults, overridden by what papermill injected."""
    given = nb.metadata.get("papermill", {}).get("parameters", {}) or {}
    return {**default_parameters(nb), **given}


def report_of(nb, report: str | None = None) -> str:
    """Report type: as given, else the notebook papermill ran (``notebooks/district.ipynb``)."""
    if report:
        return report
    source = nb.metadata.get("papermill", {}).get("input_path") or ""
    stem = Path(source).name.removesuffix(".ipynb")
    if stem in plan.REPORT_TYPES:
        return stem
    if "district" in parameters_of(nb):
        return "district"
    raise NotExportable("kan inte avgöra vilken rapport notebooken är; ange --report "
                        + "|".join(plan.REPORT_TYPES))


def check_executed(nb) -> None:
    """Refuse notebooks that did not run to the end: a page must never show a half report."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        raise NotExportable(f"notebooken avbröts med ett fel ({errors[0].get('ename')}: "
                            f"{errors[0].get('evalue')}); ingen sida skrevs")
    if nb.metadata.get("papermill", {}).get("exception") or any(c.get("execution_count") is None for c in code):
        raise NotExportable("notebooken är inte körd till slut (kör den med papermill eller "
                            "\"Run All\" i JupyterLab först); ingen sida skrevs")


def job_of(nb, report: str | None = None) -> tuple[ReportJob, dict]:
    """The build job this notebook corresponds to, and the provenance parameters of its page.

    The district may be given as a name ("Husby") or a code, as on the command line; the page
    name, title and group follow the canonical code. Parameters the build never varies (e.g.
    ``baseline_year``) are added to the provenance only when they differ from the notebook's
    defaults, so that a page is always honest about how it was made.
    """
    kind = report_of(nb, report)
    params = parameters_of(nb)
    years = (params.get("start_year", plan.DEFAULT_YEARS[0]), params.get("end_year", plan.DEFAULT_YEARS[1]))
    if kind == "district":
        if "district" not in params:
            raise NotExportable("notebooken saknar parametern district")
        job = plan.district_jobs([params["district"]], years)[0]
    else:
        job = plan.site_jobs(years, (kind,))[0]
    defaults = default_parameters(nb)
    extra = {k: v for k, v in params.items()
             if k not in job.parameters and k in defaults and v != defaults[k]}
    return job, {**job.parameters, **extra}


def export_notebook(path: Path, out_dir: Path, report: str | None = None) -> Path:
    """Write ``site/<slug>.html`` and ``notebooks/<slug>.ipynb`` under ``out_dir`` from an executed
    notebook, refresh ``site/index.html``, and return the page's path."""
    import nbformat

    from evalkit.build import runner

    nb = nbformat.read(path, as_version=4)
    check_executed(nb)
    job, shown = job_of(nb, report)
    nb = export.normalise(nb)
    html = export.to_html(nb, job.title, provenance.provenance(shown))
    atomic_write(out_dir / "notebooks" / f"{job.slug}.ipynb", nbformat.writes(nb) + "\n")
    page = out_dir / "site" / job.html_name
    atomic_write(page, html)
    # This page is now the current one: an earlier failed attempt no longer applies.
    for stale in (out_dir / "failed" / f"{job.slug}.ipynb", out_dir / "failed" / f"{job.slug}.txt"):
        stale.unlink(missing_ok=True)
    runner.write_index(out_dir)
    return page
