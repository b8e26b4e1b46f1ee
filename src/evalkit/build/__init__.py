"""`evalkit build`: plan reports, run each in a process forked from a warm template, export offline HTML, write the site.

Modules: ``plan`` (which reports, with which parameters), ``runner`` (orchestration: keys, reuse,
local pool or Dask, summary), ``isolate`` and ``warm`` (the warm template and one forked child per
report), ``inprocess`` (papermill's parameters, cells run in an IPython shell), ``export``
(notebook -> deterministic offline HTML), ``output`` (atomic writes of pages, notebooks and
failures), ``cache`` (incremental keys, via :mod:`evalkit.fingerprint`), ``site`` (index.html),
``provenance``, ``publish`` (`evalkit export`), ``reference`` (papermill + a Jupyter kernel: what
the build must equal byte for byte; used by the tests and the benchmark only).

Only :mod:`evalkit.cli` imports this package; nothing else in evalkit does (tested).
"""
