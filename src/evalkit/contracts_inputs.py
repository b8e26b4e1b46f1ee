"""Contracts (pandera schemas) and shared reading helpers for the follow-up's other inputs.

Three inputs besides the tidy indicator table (see :mod:`evalkit.contracts`):

* the project register of *ytterstadsmedel* (:mod:`evalkit.register`),
* school results per school × year × grade × measure × pupil group (:mod:`evalkit.schools`),
* survey results per area × year × question with respondents (:mod:`evalkit.surveys`).

Each reader follows the same discipline as the indicator readers (:mod:`evalkit.io.core`):
official-statistics symbols are kept in a ``status`` column (the value is then NaN, never 0),
areas are resolved only through :func:`evalkit.geography.resolve`, and every row that cannot be
used is set aside with file, row, column and reason, so that rows read = rows kept + rows set
aside.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from evalkit.contracts import STATUS_SYMBOLS, YEAR_RANGE
from evalkit.geography import slugify
from evalkit.io.core import ReaderError, empty_quarantine, quarantine_rows
from evalkit.io.long_csv import decode, sniff_delimiter

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

# --------------------------------------------------------------------------- schemas


def _symbol_check(column: str = "status") -> pa.Check:
    return pa.Check(lambda df: ~(df["value"].isna() & (df[column] == "")),
                    error="värde saknas utan statussymbol")


def register_schema(known_areas: list[str]) -> pa.DataFrameSchema:
    """Contract of the project register (one row per project)."""

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


def school_schema(known_areas: list[str]) -> pa.DataFrameSchema:
    """Contract of school results: one row per school × year × grade × measure × group."""
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


def survey_schema(known_areas: list[str]) -> pa.DataFrameSchema:
    """Contract of survey results: one row per survey × question × area × year."""
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


# --------------------------------------------------------------------------- helpers


def read_table(path: str | Path, aliases: dict[str, str], required: list[str]) -> tuple[pd.DataFrame, str]:
    """Read a delimited text file as strings, rename headers via ``aliases`` (keys are slugs).

    Rows are indexed by their line number in the file (header = line 1). Raises
    :class:`ReaderError` with a one-line message naming the file when it cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise ReaderError(f"{path}: filen finns inte")
    text, _encoding = decode(path)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sniff_delimiter(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReaderError(f"{path.name}: kan inte tolkas som CSV ({str(exc).strip()})") from exc
    frame = frame.rename(columns=lambda c: aliases.get(slugify(str(c)), str(c).strip()))
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ReaderError(f"{path.name}: kolumner saknas: {', '.join(missing)}")
    frame = frame.apply(lambda s: s.str.strip())
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame, path.name


class SetAside:
    """Collects quarantine rows for one file and tracks which rows are still usable."""

    def __init__(self, frame: pd.DataFrame, source: str):
        self.frame = frame
        self.source = source
        self.usable = pd.Series(True, index=frame.index)
        self.parts = [empty_quarantine()]

    def __call__(self, mask: pd.Series, column: str, reasons, values=None) -> None:
        mask = mask.reindex(self.frame.index, fill_value=False).astype(bool) & self.usable
        if not mask.any():
            return
        reason_values = reasons[mask] if isinstance(reasons, pd.Series) else reasons
        if values is None:
            values = self.frame.loc[mask, column] if column in self.frame.columns else ""
        elif isinstance(values, pd.Series):
            values = values[mask]
        self.parts.append(quarantine_rows(self.source, self.frame.index[mask], column, values, reason_values))
        self.usable.loc[mask] = False

    def quarantine(self) -> pd.DataFrame:
        return pd.concat(self.parts, ignore_index=True)


def _reason(check: str) -> str:
    """Swedish text for pandera's built-in check names (own checks already carry Swedish errors)."""
    if "uniqueness" in check or check.startswith("unique"):
        return "dubblett: samma nyckel finns på en tidigare rad"
    if check.startswith("coerce_dtype"):
        return f"fel datatyp ({check})"
    if check.startswith("not_nullable"):
        return "värde saknas"
    return check


def validate_rows(data: pd.DataFrame, schema: pa.DataFrameSchema, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate ``data`` (with a ``source_row`` column); failing rows become quarantine rows.

    Returns ``(kept, quarantine)``; ``kept`` has been coerced by the schema.
    """
    data = data.reset_index(drop=True)
    try:
        return schema.validate(data, lazy=True), empty_quarantine()
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases.dropna(subset=["index"]).drop_duplicates("index")
        bad = failures["index"].astype("int64").tolist()
        q = quarantine_rows(
            source, data.loc[bad, "source_row"].tolist(), "",
            failures["failure_case"].astype(str).tolist(), failures["check"].astype(str).map(_reason).tolist(),
        )
        q["column"] = failures["column"].fillna("rad").astype(str).tolist()
        kept = data.drop(index=bad).reset_index(drop=True)
        return schema.validate(kept, lazy=True), q


def known_area_codes() -> list[str]:
    """Stadsdelar, boroughs of all eras and the groups (same set as the tidy contract)."""
    from evalkit import geography

    codes = set(geography.stadsdelar()["stadsdel_code"]) | set(geography.stadsdelsomraden()["sdo_code"])
    return sorted(codes | {geography.PROGRAMME_CODE, geography.REST_CODE, geography.CITY_CODE,
                           geography.RIKET_CODE})
