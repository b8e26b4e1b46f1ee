"""evalkit: follow-up of Stockholm's Programmet för en sammanhållen stad 2015–2020.

Data flows raw files -> :mod:`evalkit.clean` (tidy Parquet) -> :mod:`evalkit.analysis`
-> :mod:`evalkit.present` -> notebooks built by :mod:`evalkit.build`.

Public API for researchers (:mod:`evalkit.api`, see ``docs/effects-cli.md``):

* ``evalkit.effects(path, area=…, year=…, numerator=…, denominator=…, treated=…, start=…)`` – the
  reports' effect estimators on your own panel file (what ``evalkit effects FILE`` runs);
* ``evalkit.effects_for_panel(frame, …)`` – the same on a pandas frame you already have.
"""

__version__ = "0.1.0"

#: Names served lazily from :mod:`evalkit.api` (importing evalkit stays light: no pyfixest, no pandas).
_API = ("effects", "effects_for_panel", "read_panel")


def __getattr__(name: str):
    if name in _API:
        # importlib, not an import statement: the change detector (evalkit.fingerprint) follows
        # import statements, and every module's closure includes this file – an import here would
        # make each report's cache key depend on the researchers' API.
        import importlib

        return getattr(importlib.import_module("evalkit.api"), name)
    raise AttributeError(f"module 'evalkit' has no attribute {name!r}")
