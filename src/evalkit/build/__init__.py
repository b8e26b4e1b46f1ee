"""`evalkit build`: plan reports, execute notebooks (papermill), export offline HTML, write the site.

Modules: ``plan`` (which reports, with which parameters), ``execute`` (run one report),
``export`` (notebook -> deterministic offline HTML), ``cache`` (incremental keys),
``site`` (index.html), ``runner`` (parallel orchestration and summary).
"""
