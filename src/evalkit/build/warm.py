"""Warm-up of the template process every report is forked from (see :mod:`evalkit.build.isolate`).

Imported once, in multiprocessing's fork server, before any report runs. It pays once what a
fresh kernel pays per report:

- imports: the in-process engine, IPython, papermill, nbconvert, and every module the project's
  notebooks import (read by :func:`evalkit.fingerprint.notebook_imports`, the one import scanner);
- shared data: the tidy table (``evalkit.data.tidy``) and every zero-argument ``lru_cache``
  loader of the evalkit modules the notebooks use (geography and programme tables, map
  geometries, …). By convention these are pure functions of files, so computing them once and
  letting every report inherit the result (copy-on-write after ``fork``) changes no output;
- matplotlib's font loading (one throw-away figure) and the HTML exporter's templates.

Nothing here executes notebook code, so no report variable, figure or rcParam exists in the
template; each report then runs in its own forked child. Every step is best effort: a failure
here only makes reports slower (they then do the work themselves), never different.
"""

from __future__ import annotations

import functools
import gc
import importlib
import inspect
import io
import sys
import time
import warnings

WARM_SECONDS: dict[str, float] = {}


def _timed(name):
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            except BaseException:  # noqa: BLE001 - best effort, see module docstring
                return None
            finally:
                WARM_SECONDS[name] = round(time.perf_counter() - start, 3)
        return inner
    return wrap


@_timed("imports")
def _imports() -> None:
    # jsonschema (imported by nbformat) imports rfc3987_syntax when it is installed, which builds
    # a Lark grammar at import: about 1 s here, for IRI format checks that the notebook schema
    # never uses. Marking it absent makes jsonschema skip just those checks.
    sys.modules.setdefault("rfc3987_syntax", None)
    import matplotlib

    matplotlib.use("Agg")
    import nbformat  # noqa: F401
    import pandas  # noqa: F401

    from evalkit.build import export, inprocess  # noqa: F401
    from evalkit.fingerprint import notebook_imports
    from evalkit.paths import project_root

    for name in notebook_imports(sorted((project_root() / "notebooks").glob("*.ipynb"))):
        try:
            importlib.import_module(name)
        except BaseException:  # noqa: BLE001 - ``from x import function`` is not a module
            pass


@_timed("data")
def _data() -> None:
    from evalkit import data

    data.tidy()
    data.published_tidy()  # what the sections read (keyed on the files' mtimes)
    from evalkit.present import district

    district.published_banner()  # the same on every district page (keyed likewise)
    from evalkit import programme
    from evalkit.present import effects

    effects.programme_parts(programme.effect_outcomes()[0])  # likewise


@_timed("loaders")
def _loaders() -> None:
    for name, module in sorted(sys.modules.items()):
        if not name.startswith("evalkit.") or name.startswith("evalkit.build") or module is None:
            continue
        for attr, value in sorted(vars(module).items()):
            if not isinstance(value, functools._lru_cache_wrapper) or getattr(value, "__module__", "") != name:
                continue
            try:
                params = inspect.signature(value.__wrapped__).parameters.values()
            except (TypeError, ValueError):
                continue
            if all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
                try:
                    value()
                except BaseException:  # noqa: BLE001
                    pass


@_timed("matplotlib")
def _matplotlib() -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1], label="åäö")
    ax.set_title("Värme", loc="left")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png", dpi=50)
    plt.close("all")


@_timed("exporter")
def _exporter() -> None:
    import nbformat

    from evalkit.build import export

    # A page's kinds of content (a table, an entity, a chart): the HTML parser that nbconvert runs
    # on every page builds its entity tables and compiles its patterns at first use.
    html = '<table><tr><th>a&nbsp;b</th><td>1&#160;234,5 &amp; &lt;</td></tr></table>'
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text x="0" y="1">å &amp; ä</text></svg>'
    code = nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "a"}),
        nbformat.v4.new_output("display_data", data={"image/svg+xml": svg, "text/plain": "b"})])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("värme &amp; *kyla*"), code])
    export.to_html(nb, "värme")


def warm() -> dict[str, float]:
    """Run the warm-up (idempotent); return seconds per step."""
    if WARM_SECONDS:
        return WARM_SECONDS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _imports()
        _data()
        _loaders()
        _matplotlib()
        _exporter()
    # Forget which warnings were already shown, so a report shows its warnings like a fresh kernel.
    if hasattr(warnings, "_filters_mutated"):
        warnings._filters_mutated()
    # Move everything loaded so far out of the garbage collector's reach (the pre-fork pattern of
    # gc.freeze's documentation): otherwise a report's first full collection walks the template's
    # whole heap – tables, charts, modules – writing to every page it visits, so that the forked
    # child copies them and stalls (py-spy showed ~0.5 s per report inside the first Axes it made).
    gc.collect()
    gc.freeze()
    return WARM_SECONDS


warm()
