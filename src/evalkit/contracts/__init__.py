"""Data contracts: the pandera schemas of every table evalkit reads or writes, in one package.

* :mod:`~evalkit.contracts.tidy` – the tidy indicator table (the one internal contract), its
  columns, the area codes every contract accepts (:func:`known_area_codes`) and the one
  constructor of tidy rows (:func:`tidy_frame`);
* :mod:`~evalkit.contracts.inputs` – the other inputs (project register, money frames, school
  results, surveys) and their vocabularies;
* :mod:`~evalkit.contracts.catalogue` – the indicator catalogue and its role columns;
* :mod:`~evalkit.contracts.results` and :mod:`~evalkit.contracts.effects` – the tables
  `evalkit analyse` stores (goal statuses, rank intervals, effect estimates).

The columns are documented in docs/CONTRACTS.md; `evalkit clean` validates every input against
its contract (:data:`evalkit.clean.KINDS`).
"""

from evalkit.contracts.catalogue import CATALOGUE_DESCRIPTIONS, catalogue_schema
from evalkit.contracts.inputs import (
    EVALUATION_VALUES,
    PLAN_VALUES,
    SCHOOL_GRADES,
    SCHOOL_GROUPS,
    SCHOOL_MEASURES,
    SUPPRESSION_LIMIT,
    SURVEYS,
    THEMES,
    VISIONS,
    frames_schema,
    register_schema,
    school_schema,
    survey_schema,
)
from evalkit.contracts.results import (
    GOAL_STATUS_DESCRIPTIONS,
    RANK_COLUMNS,
    RANK_DESCRIPTIONS,
    goal_status_schema,
    rank_intervals_schema,
)
from evalkit.contracts.tidy import (
    AREA_LEVELS,
    STATUS_SYMBOLS,
    TIDY_COLUMNS,
    TIDY_DESCRIPTIONS,
    TIDY_DTYPES,
    YEAR_RANGE,
    indicator_contract,
    known_area_codes,
    tidy_frame,
    tidy_schema,
)

__all__ = [
    "AREA_LEVELS", "CATALOGUE_DESCRIPTIONS", "EVALUATION_VALUES", "GOAL_STATUS_DESCRIPTIONS", "RANK_DESCRIPTIONS", "TIDY_DESCRIPTIONS", "PLAN_VALUES", "RANK_COLUMNS", "SCHOOL_GRADES", "SCHOOL_GROUPS",
    "SCHOOL_MEASURES", "STATUS_SYMBOLS", "SUPPRESSION_LIMIT", "SURVEYS", "THEMES", "TIDY_COLUMNS",
    "TIDY_DTYPES", "VISIONS", "YEAR_RANGE", "frames_schema", "goal_status_schema", "indicator_contract",
    "known_area_codes", "rank_intervals_schema", "register_schema", "school_schema", "survey_schema",
    "tidy_frame", "tidy_schema", "catalogue_schema",
]
