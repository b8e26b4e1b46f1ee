"""Contract of the indicator catalogue (``data/raw/programme/indicators.csv``, docs/CONTRACTS.md).

The catalogue is evalkit's own configuration: one row per indicator with its label, unit and kind,
and the *roles* that decide where it appears (key figure, city overview, map, effect outcome,
sensitivity caveats, composite input, comparisons). :func:`evalkit.programme.indicator_catalogue`
reads it, normalises it and stops on a malformed cell with one line naming the row and column;
this schema states the same rules for the table it returns, each column described once.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from evalkit.programme import COMPARISONS, OVERVIEW_YEARS, POSITION_ROLES, SENSITIVITIES

#: Kinds of indicator (column ``kind``) and what ``scale`` means for them.
KINDS = ("antal", "andel", "kvot", "medel", "index")
BETTER = ("higher", "lower", "")

#: What each column means: the catalogue's codebook (README "Ny indikator" lists the same).
CATALOGUE_DESCRIPTIONS: dict[str, str] = {
    "indicator": "Indicator code (lower case, unique); the key every other file uses.",
    "label_sv": "Swedish label shown on the pages.",
    "unit": "Unit as shown (procent, per 1 000 invånare, antal, …).",
    "kind": "antal (count), andel (share), kvot (rate), medel (mean) or index.",
    "scale": "value = numerator / denominator × scale: 100 for procent, 1000 per 1 000, 1 for means; "
             "empty (NaN) for counts.",
    "better": "Which direction is better: higher, lower or empty (neither).",
    "description_sv": "Swedish definition shown in the method page.",
    "origin": "Where the values come from, in words (the pages read the origin from the data).",
    "comparisons": "Comparisons allowed, ;-separated: areas (against borough, programme areas, rest of "
                   "the city, city) and time; empty = areas;time. time alone marks a share of the whole "
                   "city: its group values keep the city's denominator (evalkit.programme.shared_denominator).",
    "key_figure": "Position (1, 2, …) in the key-figure table of the stadsdel and borough reports; empty = "
                  "not a key figure (evalkit.programme.key_figures).",
    "overview": "Position in the city page's overview table (all programme areas side by side); empty = "
                "not shown (evalkit.programme.overview_columns).",
    "overview_years": "Years the overview shows, ;-separated, in column order: index_baseline (2012), "
                      "baseline (2014), latest (the report's last year); empty = latest.",
    "map": "Position among the city page's maps; empty = not mapped (evalkit.programme.map_indicators).",
    "effect_outcome": "Position among the outcomes whose programme-wide effect `evalkit analyse` "
                      "estimates; the first also gets the synthetic controls and is the one the "
                      "district reports show (evalkit.programme.effect_outcomes).",
    "sensitive_to": "Events the effect reports name as a caveat, ;-separated: refugees (refugee "
                    "reception 2015–2016), covid (2020), jobbtorg (the city-wide Jobbtorg).",
    "composite_input": "The composite indicator(s) this one enters, ;-separated codes of the "
                       "catalogue (upplatelseform_mangfald: the tenure counts; index_sociala_risker: "
                       "the rows of index_indicators.csv, which give their weights).",
}


def _tokens_in(allowed) -> pa.Check:
    """Each ``;``-separated part of a text cell is one of ``allowed`` (an empty cell passes)."""
    allowed = set(allowed)
    return pa.Check(lambda s: s.map(lambda v: all(t.strip() in allowed for t in str(v).split(";") if t.strip())),
                    element_wise=False, error=f"tillåtna värden: {', '.join(sorted(allowed))}, åtskilda med ;")


def catalogue_schema(indicators: list[str]) -> pa.DataFrameSchema:
    """The catalogue as :func:`evalkit.programme.indicator_catalogue` returns it; ``indicators``
    are the codes a ``composite_input`` may name (the catalogue's own)."""
    d = CATALOGUE_DESCRIPTIONS
    text = {c: pa.Column(str, description=d[c]) for c in ("label_sv", "unit", "description_sv", "origin")}
    # unique positions are checked on the frame (_positions_unique): a column's unique=True would
    # count the blanks (NA) as repeated values
    positions = {c: pa.Column("Int64", pa.Check.ge(1), nullable=True, description=d[c]) for c in POSITION_ROLES}
    return pa.DataFrameSchema(
        {
            "indicator": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True, description=d["indicator"]),
            **text,
            "kind": pa.Column(str, pa.Check.isin(KINDS), description=d["kind"]),
            "scale": pa.Column(float, pa.Check.gt(0), nullable=True, description=d["scale"]),
            "better": pa.Column(str, pa.Check.isin(BETTER), description=d["better"]),
            "comparisons": pa.Column(str, _tokens_in(COMPARISONS), description=d["comparisons"]),
            **positions,
            "overview_years": pa.Column(str, _tokens_in(OVERVIEW_YEARS), description=d["overview_years"]),
            "sensitive_to": pa.Column(str, _tokens_in(SENSITIVITIES), description=d["sensitive_to"]),
            "composite_input": pa.Column(str, _tokens_in(indicators), description=d["composite_input"]),
        },
        checks=[pa.Check(lambda df: _positions_unique(df), error="en position används av två rader")],
        strict=True,
        ordered=False,
    )


def _positions_unique(df: pd.DataFrame) -> bool:
    """No position number is used twice in a role column (blanks aside)."""
    return all(not df[c].dropna().duplicated().any() for c in POSITION_ROLES)
