"""Reader of school results per school × year × grade × measure × pupil group (kind ``schools``).

The raw file (``data/raw/schools/skolresultat_demo.csv``; synthetic, see its README) is written
the way Skolverket's school statistics are exported: Swedish headers, ``;``, decimal commas and
``x`` for results withheld because the group has fewer than 10 pupils. Columns::

    Skola;Skolenhetskod;Stadsdel;År;Årskurs;Mått;Elevgrupp;Antal elever;Värde;Riksgenomsnitt;Status;Källa

The comparison with the national average is in :mod:`evalkit.analysis.schools`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import geography
from evalkit.contracts.inputs import SCHOOL_GROUPS, SCHOOL_MEASURES, SUPPRESSION_LIMIT
from evalkit.geography import slugify
from evalkit.io.core import ReadResult, parse_numbers, resolve_areas
from evalkit.io.records import SetAside, read_table

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
def _words(series: pd.Series, words: dict[str, str]) -> pd.Series:
    """Each cell's code: its slug in ``words``, or the cell itself if it is a code, else ""."""
    codes = set(words.values())
    found: dict = {}  # a column has a handful of distinct cells: slugify each once, not per row

    def word(v):
        if v not in found:
            found[v] = words.get(slugify(v), v if v in codes else "")
        return found[v]

    return series.map(word).astype(str)


def read_school_results(path: str | Path) -> ReadResult:
    """Read school results; rows that cannot be used are set aside with file, row, column, reason.

    ``value`` is NaN when the cell holds a symbol (``x`` small group, ``..`` missing, ``.``
    cannot occur, ``–`` no pupils) and the symbol is kept in ``status``; a suppressed cell
    never becomes 0. The school's stadsdel is resolved through the geography registry.
    """
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
    return ReadResult(data.reset_index(drop=True), check.quarantine(), rows_read, source)
