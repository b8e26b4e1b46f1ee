"""Contracts of the follow-up's other inputs, with their vocabularies (pandera schemas).

* the project register of *ytterstadsmedel* and the document's money frames,
* school results per school × year × grade × measure × pupil group,
* survey results per area × year × question with respondents.

Their readers (:mod:`evalkit.io.projects`, :mod:`evalkit.io.schools`, :mod:`evalkit.io.surveys`)
turn the words of a file into these codes; `evalkit clean` validates what they read against
these schemas and sets failing rows aside with their reason.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from evalkit.contracts.tidy import STATUS_SYMBOLS, YEAR_RANGE, known_area_codes
from evalkit.programme import SCHOOL_SUPPRESSION_LIMIT

# --------------------------------------------------------------------------- vocabularies

#: "flera": the project spans more than one vision; "okänd": the source does not say.
VISIONS = ["Järva", "Söderort", "Hässelby-Vällingby", "flera", "okänd"]
THEMES = ["trygghet", "arbete", "utbildning", "stadsmiljö", "samordning"]
PLAN_VALUES = ["ja", "nej", "okänd"]
EVALUATION_VALUES = ["klar", "pågår", "ej påbörjad", "saknas", "okänd"]

SCHOOL_GRADES = [3, 6, 9]
SCHOOL_MEASURES = {
    # measure code: (unit, grades where it exists)
    "meritvarde": ("poäng", [9]),
    "kunskapskrav_alla_amnen": ("procent", [6, 9]),
    "np_godkand": ("procent", [3, 6, 9]),
}
SCHOOL_GROUPS = ["alla", "exkl_nyanlanda", "nyanlanda"]

SURVEYS = ["trygghetsmatning", "medborgarundersokning"]
#: Skolverket withholds results for fewer than this many pupils (status "x"); its home is programme.py.
SUPPRESSION_LIMIT = SCHOOL_SUPPRESSION_LIMIT

# --------------------------------------------------------------------------- schemas


def _symbol_check(column: str = "status") -> pa.Check:
    return pa.Check(lambda df: ~(df["value"].isna() & (df[column] == "")),
                    error="värde saknas utan statussymbol")


def register_schema(known_areas: list[str] | None = None) -> pa.DataFrameSchema:
    """Contract of the project register (one row per project); areas default to every known code."""
    known_areas = known_area_codes() if known_areas is None else known_areas

    def districts_known(series: pd.Series) -> pd.Series:
        known = set(known_areas)
        return series.map(lambda s: all(c in known for c in s.split(";") if c))

    return pa.DataFrameSchema(
        {
            "project": pa.Column(str, pa.Check.str_length(min_value=1, error="projektnamn saknas")),
            "vision": pa.Column(str, pa.Check.isin(VISIONS, error="okänd vision")),
            "theme": pa.Column(str, pa.Check.isin(THEMES, error="okänt tema")),
            "board": pa.Column(str),
            "district_codes": pa.Column(str, pa.Check(districts_known, element_wise=False,
                                                      error="okänt område")),
            "start_year": pa.Column("Int64", pa.Check.in_range(*YEAR_RANGE, error="år utanför intervallet"),
                                    nullable=True),
            "end_year": pa.Column("Int64", pa.Check.in_range(*YEAR_RANGE, error="år utanför intervallet"),
                                  nullable=True),
            "amount_sek": pa.Column(float, pa.Check.ge(0, error="negativt belopp"), nullable=True),
            "amount_text": pa.Column(str),
            "amount_status": pa.Column(str, pa.Check.isin(STATUS_SYMBOLS, error="okänd statussymbol")),
            "amount_approx": pa.Column(bool),
            "implementation_plan": pa.Column(str, pa.Check.isin(PLAN_VALUES, error="okänt värde för genomförandeplan")),
            "evaluation_status": pa.Column(str, pa.Check.isin(EVALUATION_VALUES, error="okänd utvärderingsstatus")),
            "source": pa.Column(str),
        },
        checks=[
            pa.Check(lambda df: ~(df["amount_sek"].isna() & (df["amount_status"] == "")),
                     error="belopp saknas utan statussymbol"),
            pa.Check(lambda df: ~(df["start_year"].notna() & df["end_year"].notna()
                                  & (df["start_year"] > df["end_year"])).fillna(False).astype(bool),
                     error="startår efter slutår"),
        ],
        unique=["project", "vision"],
        report_duplicates="exclude_first",
        strict=False,
        coerce=True,
        ordered=False,
    )


def frames_schema() -> pa.DataFrameSchema:
    """Contract of the document's frames (reserved money and theme totals)."""
    return pa.DataFrameSchema(
        {
            "kind": pa.Column(str, pa.Check.isin(["reserverat", "beslut", "tema"], error="okänd typ")),
            "label": pa.Column(str),
            "themes": pa.Column(str, pa.Check(lambda s: s.map(lambda t: all(x in THEMES for x in t.split(";") if x)),
                                              element_wise=False, error="okänt tema")),
            "amount_sek": pa.Column(float, pa.Check.ge(0, error="negativt belopp"), nullable=True),
            "amount_text": pa.Column(str),
            "amount_status": pa.Column(str, pa.Check.isin(STATUS_SYMBOLS, error="okänd statussymbol")),
            "amount_approx": pa.Column(bool),
            "source": pa.Column(str),
        },
        checks=[pa.Check(lambda df: ~(df["amount_sek"].isna() & (df["amount_status"] == "")),
                         error="belopp saknas utan statussymbol")],
        strict=False,
        coerce=True,
    )


def school_schema(known_areas: list[str] | None = None) -> pa.DataFrameSchema:
    """Contract of school results: one row per school × year × grade × measure × group."""
    known_areas = known_area_codes() if known_areas is None else known_areas
    measures = list(SCHOOL_MEASURES)
    return pa.DataFrameSchema(
        {
            "school_id": pa.Column(str, pa.Check.str_length(min_value=1, error="skolkod saknas")),
            "school": pa.Column(str),
            "area_code": pa.Column(str, pa.Check.isin(known_areas, error="okänt område")),
            "year": pa.Column(int, pa.Check.in_range(*YEAR_RANGE, error="år utanför intervallet")),
            "grade": pa.Column(int, pa.Check.isin(SCHOOL_GRADES, error="årskurs ska vara 3, 6 eller 9")),
            "measure": pa.Column(str, pa.Check.isin(measures, error="okänt mått")),
            "group": pa.Column(str, pa.Check.isin(SCHOOL_GROUPS, error="okänd elevgrupp")),
            "n_pupils": pa.Column("Int64", pa.Check.ge(0, error="negativt antal"), nullable=True),
            "value": pa.Column(float, pa.Check.ge(0, error="negativt värde"), nullable=True),
            "national": pa.Column(float, pa.Check.ge(0, error="negativt värde"), nullable=True),
            "status": pa.Column(str, pa.Check.isin(STATUS_SYMBOLS, error="okänd statussymbol")),
            "unit": pa.Column(str),
            "source": pa.Column(str),
        },
        checks=[
            _symbol_check(),
            pa.Check(lambda df: ~((df["unit"] == "procent") & ((df["value"] > 100) | (df["national"] > 100))),
                     error="andel utanför 0–100 %"),
            pa.Check(lambda df: ~((df["measure"] == "meritvarde") & (df["value"] > 340)),
                     error="meritvärde över 340"),
            pa.Check(lambda df: df.apply(lambda r: r["grade"] in SCHOOL_MEASURES.get(r["measure"], ("", SCHOOL_GRADES))[1],
                                         axis=1) if len(df) else pd.Series(dtype=bool),
                     error="måttet finns inte i den årskursen"),
        ],
        unique=["school_id", "year", "grade", "measure", "group"],
        report_duplicates="exclude_first",
        strict=False,
        coerce=True,
        ordered=False,
    )


def survey_schema(known_areas: list[str] | None = None) -> pa.DataFrameSchema:
    """Contract of survey results: one row per survey × question × area × year."""
    known_areas = known_area_codes() if known_areas is None else known_areas
    return pa.DataFrameSchema(
        {
            "survey": pa.Column(str, pa.Check.isin(SURVEYS, error="okänd undersökning")),
            "question": pa.Column(str, pa.Check.str_length(min_value=1, error="fråga saknas")),
            "area_code": pa.Column(str, pa.Check.isin(known_areas, error="okänt område")),
            "area_level": pa.Column(str),
            "year": pa.Column(int, pa.Check.in_range(*YEAR_RANGE, error="år utanför intervallet")),
            "n": pa.Column("Int64", pa.Check.ge(0, error="negativt antal svarande"), nullable=True),
            "value": pa.Column(float, pa.Check.in_range(0, 100, error="andel utanför 0–100 %"), nullable=True),
            "status": pa.Column(str, pa.Check.isin(STATUS_SYMBOLS, error="okänd statussymbol")),
            "source": pa.Column(str),
        },
        checks=[
            _symbol_check(),
            pa.Check(lambda df: ~(df["value"].notna() & ~(df["n"].fillna(0) > 0)).astype(bool),
                     error="andel utan svarande (n saknas eller är 0)"),
        ],
        unique=["survey", "question", "area_code", "year"],
        report_duplicates="exclude_first",
        strict=False,
        coerce=True,
        ordered=False,
    )
