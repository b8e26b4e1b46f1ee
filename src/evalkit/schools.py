"""School results per school × year × grade × measure × pupil group, for goal 1.1 of *Skola och utbildning*.

Goal 1.1: "Varje grundskolas betygsresultat och resultat för nationella prov i årskurs 3, 6 och
9 ska motsvara minst medelvärdet för riksgenomsnittet i Sveriges skolor när elever som gått i
svensk skola mindre än 3 år särredovisas."

The raw file (``data/raw/schools/skolresultat_demo.csv``; synthetic, see its README) is written
the way Skolverket's school statistics are exported: Swedish headers, ``;``, decimal commas and
``x`` for results withheld because the group has fewer than 10 pupils. Columns::

    Skola;Skolenhetskod;Stadsdel;År;Årskurs;Mått;Elevgrupp;Antal elever;Värde;Riksgenomsnitt;Status;Källa

API::

    read_school_results(path) -> ReadResult     # data: see contracts_inputs.school_schema
    compare_to_national(frame, year, group="exkl_nyanlanda", measure=None, grade=None) -> DataFrame
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import geography
from evalkit.contracts_inputs import (
    SCHOOL_GROUPS,
    SCHOOL_MEASURES,
    SetAside,
    known_area_codes,
    read_table,
    school_schema,
    validate_rows,
)
from evalkit.geography import slugify
from evalkit.io.core import ReadResult, parse_numbers, resolve_areas
from evalkit.paths import raw_dir
from evalkit.programme import SCHOOL_SUPPRESSION_LIMIT

SCHOOL_COLUMNS = [
    "school_id", "school", "area_code", "area_name", "year", "grade", "measure", "group", "n_pupils",
    "value", "national", "status", "unit", "source", "source_file", "source_row",
]
HEADERS = {
    "skola": "school", "skolenhet": "school", "skolnamn": "school", "school": "school",
    "skolenhetskod": "school_id", "skolkod": "school_id", "school-id": "school_id",
    "stadsdel": "area", "omrade": "area", "area": "area",
    "ar": "year", "year": "year", "lasar": "year",
    "arskurs": "grade", "grade": "grade", "ak": "grade",
    "matt": "measure", "measure": "measure", "indikator": "measure",
    "elevgrupp": "group", "grupp": "group", "group": "group",
    "antal-elever": "n_pupils", "antal": "n_pupils", "n": "n_pupils", "elever": "n_pupils",
    "varde": "value", "value": "value", "resultat": "value",
    "riksgenomsnitt": "national", "riket": "national", "national": "national",
    "status": "status", "kalla": "source", "source": "source",
}
MEASURE_WORDS = {
    "meritvarde": "meritvarde", "genomsnittligt-meritvarde": "meritvarde", "meritvarde-ak-9": "meritvarde",
    "kunskapskrav-alla-amnen": "kunskapskrav_alla_amnen",
    "andel-som-natt-kunskapskraven-i-alla-amnen": "kunskapskrav_alla_amnen",
    "andel-som-natt-kunskapskraven-i-alla-amnen-procent": "kunskapskrav_alla_amnen",
    "np-godkand": "np_godkand", "andel-godkanda-pa-nationella-prov": "np_godkand",
    "andel-godkanda-pa-nationella-prov-procent": "np_godkand",
}
GROUP_WORDS = {
    "alla": "alla", "alla-elever": "alla", "totalt": "alla",
    "exkl-nyanlanda": "exkl_nyanlanda", "exkl-nyanlanda-3-ar-i-svensk-skola": "exkl_nyanlanda",
    "exklusive-nyanlanda": "exkl_nyanlanda", "exkl-nyanlanda-mindre-an-3-ar-i-svensk-skola": "exkl_nyanlanda",
    "nyanlanda": "nyanlanda", "nyanlanda-3-ar-i-svensk-skola": "nyanlanda",
    "nyanlanda-mindre-an-3-ar-i-svensk-skola": "nyanlanda",
}
#: Display labels (Swedish) used in the raw file.
MEASURE_LABELS = {
    "meritvarde": "Genomsnittligt meritvärde",
    "kunskapskrav_alla_amnen": "Andel som nått kunskapskraven i alla ämnen (%)",
    "np_godkand": "Andel godkända på nationella prov (%)",
}
GROUP_LABELS = {
    "alla": "Alla elever",
    "exkl_nyanlanda": "Exkl. nyanlända (< 3 år i svensk skola)",
    "nyanlanda": "Nyanlända (< 3 år i svensk skola)",
}
#: Skolverket withholds results for fewer than this many pupils (status "x").
SUPPRESSION_LIMIT = SCHOOL_SUPPRESSION_LIMIT

AT_LEAST = "minst riksgenomsnittet"
BELOW = "under riksgenomsnittet"
CANNOT_ASSESS = "kan ej bedömas"
STATUS_REASONS = {
    "x": "resultatet redovisas inte (färre än 10 elever)",
    "..": "uppgift saknas",
    ".": "uppgift kan inte förekomma",
    "–": "inga elever i gruppen",
}


def default_path() -> Path:
    return raw_dir() / "schools" / "skolresultat_demo.csv"


def _words(series: pd.Series, words: dict[str, str]) -> pd.Series:
    return series.map(lambda v: words.get(slugify(v), v if v in words.values() else "")).astype(str)


def read_school_results(path: str | Path | None = None) -> ReadResult:
    """Read school results; rows that cannot be used are set aside with file, row, column, reason.

    ``value`` is NaN when the cell holds a symbol (``x`` small group, ``..`` missing, ``.``
    cannot occur, ``–`` no pupils) and the symbol is kept in ``status``; a suppressed cell
    never becomes 0. The school's stadsdel is resolved through the geography registry.
    """
    path = Path(path) if path is not None else default_path()
    required = ["school", "school_id", "area", "year", "grade", "measure", "group", "value"]
    frame, source = read_table(path, HEADERS, required)
    rows_read = len(frame)
    for column in ("n_pupils", "national", "status", "source"):
        if column not in frame.columns:
            frame[column] = ""
    check = SetAside(frame, source)

    codes, errors = resolve_areas(frame["area"], "stadsdel")
    check(codes == "", "area", errors)
    years, _s, bad_year = parse_numbers(frame["year"])
    check(bad_year | years.isna() | (years % 1 != 0), "year", "år är inte ett heltal")
    grades, _s, bad_grade = parse_numbers(frame["grade"].str.replace(r"^(åk|årskurs)\s*", "", regex=True))
    check(bad_grade | grades.isna(), "grade", "årskurs är inte ett tal")
    measure = _words(frame["measure"], MEASURE_WORDS)
    check(measure == "", "measure", f"okänt mått ({', '.join(SCHOOL_MEASURES)})")
    group = _words(frame["group"], GROUP_WORDS)
    check(group == "", "group", f"okänd elevgrupp ({', '.join(SCHOOL_GROUPS)})")
    n_pupils, n_status, bad_n = parse_numbers(frame["n_pupils"])
    check(bad_n | (n_pupils % 1 > 0), "n_pupils", "antal elever är inte ett heltal")
    value, value_status, bad_value = parse_numbers(frame["value"])
    check(bad_value, "value", "text i en talkolumn")
    national, _ns, bad_national = parse_numbers(frame["national"])
    check(bad_national, "national", "text i en talkolumn")
    status = frame["status"].where(frame["status"] != "", value_status)
    # A published value for a group below the suppression limit is a disclosure error: set aside.
    check(value.notna() & (n_pupils < SUPPRESSION_LIMIT), "value",
          f"resultat redovisat för färre än {SUPPRESSION_LIMIT} elever (ska vara x)")

    keep = check.usable
    data = pd.DataFrame(
        {
            "school_id": frame["school_id"], "school": frame["school"], "area_code": codes,
            "area_name": codes.map(lambda c: geography.area_name(c) if c else ""),
            "year": years.astype("Int64"), "grade": grades.astype("Int64"), "measure": measure, "group": group,
            "n_pupils": n_pupils.round().astype("Int64"), "value": value, "national": national,
            "status": status.astype(str),
            "unit": measure.map(lambda m: SCHOOL_MEASURES.get(m, ("", []))[0]),
            "source": frame["source"].where(frame["source"] != "", source),
            "source_file": source, "source_row": frame.index.astype("int64"),
        }
    )[keep]
    data.loc[data["status"] != "", "value"] = np.nan
    data = data.astype({"year": "int64", "grade": "int64"}) if len(data) else data
    data, schema_q = validate_rows(data, school_schema(known_area_codes()), source)
    quarantine = pd.concat([check.quarantine(), schema_q], ignore_index=True)
    return ReadResult(data[SCHOOL_COLUMNS].reset_index(drop=True), quarantine, rows_read, source)


def compare_to_national(frame: pd.DataFrame, year: int, group: str = "exkl_nyanlanda",
                        measure: str | None = None, grade: int | None = None) -> pd.DataFrame:
    """Each school's result against the national average (goal 1.1), for one year and pupil group.

    One row per school × grade × measure with ``value``, ``national``, ``difference`` (school −
    national), ``n_pupils``, ``status`` and ``reason``. ``status`` is ``minst riksgenomsnittet``
    (value ≥ national), ``under riksgenomsnittet`` or ``kan ej bedömas`` when the school's
    result is withheld (``x``), missing (``..``), cannot occur (``.``), the group is empty, or no
    national average exists for the year (e.g. no national tests in spring 2020); ``reason``
    says which. The goal asks for results "when pupils who have been in Swedish school less than
    3 years are reported separately", hence the default group ``exkl_nyanlanda``.
    """
    if group not in SCHOOL_GROUPS:
        raise ValueError(f"okänd elevgrupp {group!r}; giltiga: {', '.join(SCHOOL_GROUPS)}")
    rows = frame[(frame["year"] == int(year)) & (frame["group"] == group)]
    if measure is not None:
        rows = rows[rows["measure"] == measure]
    if grade is not None:
        rows = rows[rows["grade"] == int(grade)]
    out = rows[["school_id", "school", "area_code", "year", "grade", "measure", "group", "n_pupils",
                "value", "national", "unit"]].copy()
    has_value = rows["status"].eq("") & rows["value"].notna()
    has_national = rows["national"].notna()
    out["difference"] = (rows["value"] - rows["national"]).where(has_value & has_national)
    status = np.where(~(has_value & has_national), CANNOT_ASSESS,
                      np.where(rows["value"] >= rows["national"], AT_LEAST, BELOW))
    out["status"] = pd.Series(status, index=rows.index, dtype="str")
    reason = rows["status"].map(lambda s: STATUS_REASONS.get(s, f"statussymbol {s}") if s else "")
    reason = reason.where(~(reason.eq("") & rows["value"].isna()), "uppgift saknas")
    reason = reason.where(~(reason.eq("") & ~has_national), "riksgenomsnitt saknas för året")
    out["reason"] = reason.astype(str)
    return out.sort_values(["area_code", "school", "grade", "measure"]).reset_index(drop=True)
