"""evalkit: follow-up of Stockholm's Programmet för en sammanhållen stad 2015–2020.

Data flows raw files -> :mod:`evalkit.clean` (tidy Parquet) -> :mod:`evalkit.analysis`
-> :mod:`evalkit.present` -> notebooks built by :mod:`evalkit.build`.
"""

__version__ = "0.1.0"
