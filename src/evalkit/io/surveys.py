"""Reader of survey results (trygghetsmätning, medborgarundersökning) per area and year, with
respondents (kind ``surveys``).

Raw file (``data/raw/surveys/enkater_demo.csv``; synthetic, see its README), Swedish headers and
``;``, decimal commas::

    Undersökning;Fråga;Område;Områdesnivå;År;Antal svarande;Andel (%);Status;Källa

A stadsdelsområde is resolved in the borough era of its year (:func:`geography.era_for_year`),
so a 2021 row for "Hägersten-Älvsjö" is valid and a 2015 row for it is set aside with the reason.
Confidence intervals are added by :mod:`evalkit.analysis.surveys`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import geography
from evalkit.contracts.inputs import SURVEYS
from evalkit.geography import slugify
from evalkit.io.core import ReadResult, parse_numbers
from evalkit.io.records import SetAside, read_table

SURVEY_COLUMNS = ["survey", "question", "area_code", "area_name", "area_level", "year", "n", "value", "status",
                  "source", "source_file", "source_row"]
HEADERS = {
    "undersokning": "survey", "enkat": "survey", "survey": "survey",
    "fraga": "question", "question": "question", "indikator": "question",
    "omrade": "area", "area": "area",
    "omradesniva": "level", "niva": "level", "level": "level",
    "ar": "year", "year": "year",
    "antal-svarande": "n", "svarande": "n", "n": "n",
    "andel": "value", "andel-procent": "value", "andel-%": "value", "varde": "value", "value": "value",
    "status": "status", "kalla": "source", "source": "source",
}
SURVEY_WORDS = {
    "trygghetsmatning": "trygghetsmatning", "trygghetsmatningen": "trygghetsmatning",
    "stockholms-stads-trygghetsmatning": "trygghetsmatning",
    "medborgarundersokning": "medborgarundersokning", "medborgarundersokningen": "medborgarundersokning",
}
def _resolve(names: pd.Series, levels: pd.Series, years: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Resolve names with level and (for boroughs) the era of the year; cached per distinct key."""
    cache: dict[tuple, tuple[str, str]] = {}
    codes, errors = [], []
    for name, level, year in zip(names, levels, years):
        era = geography.era_for_year(int(year)) if pd.notna(year) else None
        key = (name, level or None, era)
        if key not in cache:
            try:
                cache[key] = (geography.resolve(name, level=level or None, era=era), "")
            except (geography.AreaNameError, ValueError) as exc:
                cache[key] = ("", str(exc))
        codes.append(cache[key][0])
        errors.append(cache[key][1])
    return pd.Series(codes, index=names.index, dtype="str"), pd.Series(errors, index=names.index, dtype="str")


def read_surveys(path: str | Path) -> ReadResult:
    """Read survey results; unusable rows are set aside with file, row, column and reason.

    ``value`` is the share in percent (NaN with the symbol in ``status`` when withheld or
    missing), ``n`` the number of respondents behind it.
    """
    frame, source = read_table(path, HEADERS, ["survey", "question", "area", "year", "n", "value"])
    rows_read = len(frame)
    for column in ("level", "status", "source"):
        if column not in frame.columns:
            frame[column] = ""
    check = SetAside(frame, source)
    survey = frame["survey"].map(lambda v: SURVEY_WORDS.get(slugify(v), v if v in SURVEYS else "")).astype(str)
    check(survey == "", "survey", f"okänd undersökning ({', '.join(SURVEYS)})")
    years, _s, bad_year = parse_numbers(frame["year"])
    bad_year = bad_year | years.isna() | (years % 1 != 0)
    check(bad_year, "year", "år är inte ett heltal")
    codes, errors = _resolve(frame["area"], frame["level"], years.where(~bad_year))
    check(codes == "", "area", errors)
    n, _ns, bad_n = parse_numbers(frame["n"])
    check(bad_n | (n % 1 > 0), "n", "antal svarande är inte ett heltal")
    value, value_status, bad_value = parse_numbers(frame["value"])
    check(bad_value, "value", "text i en talkolumn")
    check(value.notna() & (n.isna() | (value > 100) | (value < 0)), "value",
          "andel utan antal svarande eller utanför 0–100 %")
    status = frame["status"].where(frame["status"] != "", value_status)

    keep = check.usable
    data = pd.DataFrame(
        {
            "survey": survey, "question": frame["question"], "area_code": codes,
            "area_name": codes.map(lambda c: geography.area_name(c) if c else ""),
            "area_level": codes.map(lambda c: geography.area_level(c) if c else ""),
            "year": years.astype("Int64"), "n": n.round().astype("Int64"), "value": value,
            "status": status.astype(str), "source": frame["source"].where(frame["source"] != "", source),
            "source_file": source, "source_row": frame.index.astype("int64"),
        }
    )[keep]
    data.loc[data["status"] != "", "value"] = np.nan
    data = data.astype({"year": "int64"}) if len(data) else data
    return ReadResult(data.reset_index(drop=True), check.quarantine(), rows_read, source)
