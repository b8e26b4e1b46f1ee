"""Survey results (trygghetsmätning, medborgarundersökning) per area and year, with respondents.

Raw file (``data/raw/surveys/enkater_demo.csv``; synthetic, see its README), Swedish headers and
``;``, decimal commas::

    Undersökning;Fråga;Område;Områdesnivå;År;Antal svarande;Andel (%);Status;Källa

A stadsdelsområde is resolved in the borough era of its year (:func:`geography.era_for_year`),
so a 2021 row for "Hägersten-Älvsjö" is valid and a 2015 row for it is set aside with the reason.

API::

    read_surveys(path) -> ReadResult
    with_confidence(frame, level=0.95, min_n=30) -> DataFrame   # adds Wilson intervals
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from evalkit import geography
from evalkit.contracts_inputs import SURVEYS, SetAside, known_area_codes, read_table, survey_schema, validate_rows
from evalkit.geography import slugify
from evalkit.io.core import ReadResult, parse_numbers
from evalkit.paths import raw_dir

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
#: Below this many respondents a share is flagged as too uncertain to report on its own.
MIN_RESPONDENTS = 30


def default_path() -> Path:
    return raw_dir() / "surveys" / "enkater_demo.csv"


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


def read_surveys(path: str | Path | None = None) -> ReadResult:
    """Read survey results; unusable rows are set aside with file, row, column and reason.

    ``value`` is the share in percent (NaN with the symbol in ``status`` when withheld or
    missing), ``n`` the number of respondents behind it.
    """
    path = Path(path) if path is not None else default_path()
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
    data, schema_q = validate_rows(data, survey_schema(known_area_codes()), source)
    quarantine = pd.concat([check.quarantine(), schema_q], ignore_index=True)
    return ReadResult(data[SURVEY_COLUMNS].reset_index(drop=True), quarantine, rows_read, source)


def with_confidence(frame: pd.DataFrame, level: float = 0.95, min_n: int = MIN_RESPONDENTS) -> pd.DataFrame:
    """Add Wilson score intervals for each share (statsmodels ``proportion_confint``).

    Adds ``ci_low`` and ``ci_high`` (percent, same scale as ``value``), ``successes`` (the
    number of respondents the share stands for, ``round(value / 100 × n)``) and ``too_uncertain``
    (True when ``n`` < ``min_n`` or unknown: such a share should not be reported on its own).
    Rows without a value (status symbol) get NaN bounds.
    """
    if not 0 < level < 1:
        raise ValueError("level ska ligga mellan 0 och 1")
    out = frame.copy()
    n = out["n"].astype("float64")
    usable = out["value"].notna() & (n > 0)
    successes = (out["value"] / 100 * n).round()
    low = pd.Series(np.nan, index=out.index)
    high = pd.Series(np.nan, index=out.index)
    if usable.any():
        lo, hi = proportion_confint(successes[usable].to_numpy(), n[usable].to_numpy(), alpha=1 - level,
                                    method="wilson")
        low[usable] = np.asarray(lo) * 100
        high[usable] = np.asarray(hi) * 100
    out["successes"] = successes.where(usable).astype("Int64")
    out["ci_low"] = low
    out["ci_high"] = high
    out["too_uncertain"] = ~(n >= min_n).fillna(False).astype(bool)
    return out
