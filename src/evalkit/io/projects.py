"""Reader of the project register of *ytterstadsmedel* and of the document's money frames.

The register is kept by evaluators as a CSV with Swedish headers and ``;`` delimiter
(``data/raw/projects/ytterstadsprojekt.csv``, kind ``projects`` in ``sources.csv``): one row per
project with vision, theme, responsible board, districts, years, amount granted as written
("2,5 mnkr", "850 tkr", "1 234 567 kr"), implementation plan and evaluation status, and a
``Källa`` column quoting where the project is named. The document's frames (450 mnkr reserved;
ca 285 / 80 / 70 / 13 mnkr per theme) are kept apart in ``data/raw/projects/ramar_per_tema.csv``
(kind ``project_frames``) because the document gives no per-project amounts.

This module turns the file's words into the codes of :mod:`evalkit.contracts.inputs` and sets
aside rows it cannot read; `evalkit clean` validates the rest against the contract. The sums and
comparisons are in :mod:`evalkit.analysis.register`.

API::

    read_register(path) -> ReadResult          # one row per project (columns REGISTER_COLUMNS)
    read_frames(path) -> ReadResult            # the document's reserved money and theme totals
    parse_amounts(cells, default_unit=None) -> DataFrame(amount_sek, amount_status, amount_approx, bad)
    written_precision(text, amount_sek) -> (unit factor, decimals) | None
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import geography
from evalkit.contracts.inputs import EVALUATION_VALUES, THEMES
from evalkit.geography import slugify
from evalkit.io.core import STATUS_IN_CELL, ReadResult, parse_numbers
from evalkit.io.records import SetAside, read_table

REGISTER_COLUMNS = [
    "project", "vision", "theme", "board", "district_codes", "district_names", "start_year", "end_year",
    "amount_sek", "amount_text", "amount_status", "amount_approx", "implementation_plan",
    "evaluation_status", "source", "note", "source_file", "source_row",
]

# Header slug -> internal name.
REGISTER_HEADERS = {
    "projekt": "project", "project": "project", "projektnamn": "project",
    "vision": "vision",
    "tema": "theme", "theme": "theme", "fokusomrade": "theme",
    "ansvarig-namnd": "board", "namnd": "board", "board": "board", "ansvarig": "board",
    "omraden": "districts", "omrade": "districts", "stadsdelar": "districts", "districts": "districts",
    "startar": "start_year", "start": "start_year", "start-ar": "start_year", "startar-": "start_year",
    "slutar": "end_year", "slut": "end_year", "slut-ar": "end_year",
    "beviljat-belopp": "amount", "beviljat": "amount", "belopp": "amount", "amount": "amount",
    "beviljat-belopp-tkr": "amount_tkr", "belopp-tkr": "amount_tkr",
    "beviljat-belopp-mnkr": "amount_mnkr", "belopp-mnkr": "amount_mnkr",
    "beloppsstatus": "amount_status", "status-belopp": "amount_status",
    "genomforandeplan": "plan", "implementeringsplan": "plan", "plan-for-implementering": "plan",
    "utvardering": "evaluation", "utvarderingsstatus": "evaluation",
    "kalla": "source", "source": "source",
    "anmarkning": "note", "kommentar": "note", "note": "note",
}
FRAME_HEADERS = {
    "typ": "kind", "ram": "label", "benamning": "label", "teman": "themes", "tema": "themes",
    "belopp": "amount", "beloppsstatus": "amount_status", "kalla": "source", "anmarkning": "note",
}

# --------------------------------------------------------------------------- amounts

#: Unit words (slugs) -> factor to SEK. "mkr" is read as *miljoner kronor*, as in city documents.
AMOUNT_UNITS = {
    "kr": 1, "kronor": 1, "sek": 1, ":-": 1,
    "tkr": 1_000, "kkr": 1_000, "tsek": 1_000, "tusen-kronor": 1_000, "tusen-kr": 1_000,
    "mnkr": 1_000_000, "mkr": 1_000_000, "msek": 1_000_000, "mnsek": 1_000_000, "milj-kr": 1_000_000,
    "miljoner-kronor": 1_000_000, "miljoner-kr": 1_000_000, "miljoner": 1_000_000, "mn-kr": 1_000_000,
    "mdkr": 1_000_000_000, "mdr-kr": 1_000_000_000, "miljarder-kronor": 1_000_000_000,
}
_APPROX = re.compile(r"^(ca\.?|cirka|runt|omkring|ungefär|drygt|knappt|närmare)\s*", re.IGNORECASE)
_AMOUNT = re.compile(r"^(?P<num>[-−]?\d[\d\s\u00a0\u202f.,]*?)\s*(?P<unit>[^\W\d_].*|:-)?$")


def parse_amounts(cells: pd.Series, default_unit: str | None = None) -> pd.DataFrame:
    """Parse money as written ("2,5 mnkr", "850 tkr", "1 234 567 kr", "ca 285 mkr") into SEK.

    Returns a frame with ``amount_sek`` (float, NaN where no amount), ``amount_status`` (an
    official-statistics symbol written instead of an amount, else ""), ``amount_approx`` (the
    text says "ca", "runt", ...) and ``bad`` (a reason string for cells that are neither an
    amount with a known unit, nor a symbol, nor empty; "" otherwise). A number without a unit is
    only accepted when ``default_unit`` (e.g. from a header "Belopp (tkr)") gives one.
    """
    text = cells.fillna("").astype(str).str.strip()
    out = pd.DataFrame(
        {"amount_sek": np.nan, "amount_status": "", "amount_approx": False, "bad": ""}, index=cells.index
    )
    default_factor = AMOUNT_UNITS[slugify(default_unit)] if default_unit else None
    for idx, cell in text.items():
        if cell == "":
            continue
        if cell in STATUS_IN_CELL:
            out.at[idx, "amount_status"] = STATUS_IN_CELL[cell]
            continue
        body = _APPROX.sub("", cell)
        out.at[idx, "amount_approx"] = body != cell
        match = _AMOUNT.match(body)
        if not match:
            out.at[idx, "bad"] = "beloppet är inte ett tal med enhet (kr, tkr, mnkr)"
            continue
        unit = match.group("unit")
        factor = AMOUNT_UNITS.get(slugify(unit.rstrip("."))) if unit else default_factor
        if unit and unit.strip() == ":-":
            factor = 1
        if factor is None:
            out.at[idx, "bad"] = (f"okänd beloppsenhet {unit!r} (använd kr, tkr eller mnkr)" if unit
                                  else "belopp utan enhet (skriv kr, tkr eller mnkr)")
            continue
        values, _status, bad = parse_numbers(pd.Series([match.group("num")]))
        if bad.iloc[0] or np.isnan(values.iloc[0]):
            out.at[idx, "bad"] = "beloppet är inte ett tal med enhet (kr, tkr, mnkr)"
            continue
        out.at[idx, "amount_sek"] = round(float(values.iloc[0]) * factor, 2)
    out["amount_approx"] = out["amount_approx"].astype(bool)
    return out


#: How an amount is shown, by the size of the unit it was written in (mkr and "miljoner kronor" -> mnkr).
UNIT_LABELS = {1: "kr", 1_000: "tkr", 1_000_000: "mnkr", 1_000_000_000: "mdkr"}


def written_precision(text, amount_sek) -> tuple[int, int] | None:
    """The unit (as a factor to SEK) and the number of decimals an amount was written with.

    "850 tkr" -> (1000, 0), "2,5 mnkr" -> (1000000, 1), "ca.285 mkr" -> (1000000, 0). A bare
    number whose unit came from the header ("Belopp (tkr)": "850") gets its unit from the parsed
    amount. None when the text holds no number (a status symbol, empty).
    """
    if not isinstance(text, str) or pd.isna(amount_sek):
        return None
    match = _AMOUNT.match(_APPROX.sub("", text.strip()))
    if not match:
        return None
    num = re.sub(r"[\s\u00a0\u202f]", "", match.group("num"))
    values, _status, bad = parse_numbers(pd.Series([num]))
    written = float(values.iloc[0]) if not bad.iloc[0] else float("nan")
    if not written or np.isnan(written):
        return None
    factor = min(UNIT_LABELS, key=lambda f: abs(np.log10(abs(amount_sek / written)) - np.log10(f)))
    # The decimal separator as parse_numbers reads it: a comma, or a single point ("1.234.567" groups).
    separator = "," if "," in num else ("." if num.count(".") == 1 else None)
    decimals = len(num.rsplit(separator, 1)[1]) if separator else 0
    return factor, decimals


# --------------------------------------------------------------------------- vocabularies

_VISION_WORDS = {
    "jarva": "Järva", "vision-jarva": "Järva", "jarvalyftet": "Järva", "vision-jarva-2030": "Järva",
    "soderort": "Söderort", "vision-soderort": "Söderort", "vision-soderort-2030": "Söderort",
    "hasselby-vallingby": "Hässelby-Vällingby", "vision-hasselby-vallingby": "Hässelby-Vällingby",
    "vision-hasselby-vallingby-2030": "Hässelby-Vällingby",
    "flera": "flera", "gemensam": "flera", "alla": "flera", "samtliga": "flera",
    "okand": "okänd", "ej-angiven": "okänd", "uppgift-saknas": "okänd",
}
_THEME_WORDS = {
    "trygghet": "trygghet", "trygghet-i-vardagen": "trygghet",
    "arbete": "arbete", "jobb": "arbete", "jobb-och-foretagande": "arbete", "arbetsmarknad": "arbete",
    "utbildning": "utbildning", "skola": "utbildning", "skola-och-utbildning": "utbildning",
    "stadsmiljo": "stadsmiljö", "stadsmiljo-boende": "stadsmiljö", "stadsmiljo-och-boende": "stadsmiljö",
    "samordning": "samordning", "projektsamordning": "samordning",
}
_PLAN_WORDS = {"ja": "ja", "yes": "ja", "nej": "nej", "no": "nej", "": "okänd", "okand": "okänd",
               "vet-ej": "okänd", "uppgift-saknas": "okänd"}
_EVALUATION_WORDS = {slugify(v): v for v in EVALUATION_VALUES} | {"": "okänd", "pagaende": "pågår",
                                                                  "fardig": "klar", "ingen": "saknas"}


def _vocabulary(series: pd.Series, words: dict[str, str]) -> pd.Series:
    """Map written values to the vocabulary (via slugs); "" where unknown."""
    return series.map(lambda v: words.get(slugify(v) if v not in STATUS_IN_CELL else "", "")).astype(str)


def _resolve_districts(cells: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Resolve comma-separated area names per cell: ``(codes ';'-joined, names, error)``."""
    codes, names, errors = [], [], []
    for cell in cells:
        parts = [p.strip() for p in cell.split(",") if p.strip() and p.strip() not in STATUS_IN_CELL]
        found, problems = [], []
        for part in parts:
            try:
                found.append(geography.resolve(part))
            except geography.AreaNameError as exc:
                problems.append(str(exc))
        codes.append(";".join(found))
        names.append(";".join(geography.area_name(c) for c in found))
        errors.append(" | ".join(problems))
    return (pd.Series(codes, index=cells.index, dtype="str"), pd.Series(names, index=cells.index, dtype="str"),
            pd.Series(errors, index=cells.index, dtype="str"))


def _years(cells: pd.Series, check: SetAside, column: str) -> pd.Series:
    """Years as nullable integers; symbols/empty are unknown; anything else is set aside."""
    values, _status, bad = parse_numbers(cells)
    bad = bad | (values.notna() & (values % 1 != 0))
    check(bad, column, "år är inte ett heltal")
    return values.round().astype("Int64")


def read_register(path: str | Path) -> ReadResult:
    """Read the project register; rows that cannot be used are set aside with reasons.

    ``data`` has the columns of :data:`REGISTER_COLUMNS`. ``district_codes`` is a ``;``-joined
    list of canonical area codes (stadsdelar or stadsdelsområden, resolved through the geography
    registry; "" when the source names none). ``amount_sek`` is NaN with ``amount_status`` ".."
    when the amount is not known; ``amount_text`` keeps the amount as written.
    """
    frame, source = read_table(path, REGISTER_HEADERS, ["project", "vision", "theme"])
    rows_read = len(frame)
    for column in ("board", "districts", "start_year", "end_year", "amount", "amount_status", "plan",
                   "evaluation", "source", "note"):
        if column not in frame.columns:
            frame[column] = ""
    check = SetAside(frame, source)

    check(frame["project"] == "", "project", "projektnamn saknas")
    vision = _vocabulary(frame["vision"], _VISION_WORDS)
    check(vision == "", "vision", "okänd vision (Järva, Söderort, Hässelby-Vällingby, flera eller okänd)")
    theme = _vocabulary(frame["theme"], _THEME_WORDS)
    check(theme == "", "theme", f"okänt tema ({', '.join(THEMES)})")
    codes, names, errors = _resolve_districts(frame["districts"])
    check(errors != "", "districts", errors)
    start = _years(frame["start_year"], check, "start_year")
    end = _years(frame["end_year"], check, "end_year")

    # Amount: a unit may come from the header ("Belopp (tkr)") when cells hold bare numbers.
    if "amount_tkr" in frame.columns:
        amount_cells, unit = frame["amount_tkr"], "tkr"
    elif "amount_mnkr" in frame.columns:
        amount_cells, unit = frame["amount_mnkr"], "mnkr"
    else:
        amount_cells, unit = frame["amount"], None
    amounts = parse_amounts(amount_cells, default_unit=unit)
    check(amounts["bad"] != "", "amount", amounts["bad"], values=amount_cells)
    status_cells = frame["amount_status"].map(lambda s: STATUS_IN_CELL.get(s, s))
    amount_status = amounts["amount_status"].where(amounts["amount_status"] != "", status_cells)
    check(amounts["amount_sek"].notna() & (amount_status != ""), "amount_status",
          "både belopp och statussymbol angivna")
    plan = _vocabulary(frame["plan"], _PLAN_WORDS)
    check(plan == "", "plan", "genomförandeplan ska vara ja, nej eller okänd")
    evaluation = _vocabulary(frame["evaluation"], _EVALUATION_WORDS)
    check(evaluation == "", "evaluation", f"okänd utvärderingsstatus ({', '.join(EVALUATION_VALUES)})")

    keep = check.usable
    data = pd.DataFrame(
        {
            "project": frame["project"], "vision": vision, "theme": theme, "board": frame["board"],
            "district_codes": codes, "district_names": names, "start_year": start, "end_year": end,
            "amount_sek": amounts["amount_sek"].astype("float64"), "amount_text": amount_cells.astype(str),
            "amount_status": amount_status.astype(str), "amount_approx": amounts["amount_approx"],
            "implementation_plan": plan, "evaluation_status": evaluation,
            "source": frame["source"], "note": frame["note"],
            "source_file": source, "source_row": frame.index.astype("int64"),
        }
    )[keep]
    return ReadResult(data.reset_index(drop=True), check.quarantine(), rows_read, source)


def read_frames(path: str | Path) -> ReadResult:
    """Read the document's frames: reserved money (``reserverat``), decisions (``beslut``), theme totals (``tema``).

    ``themes`` is a ``;``-joined list (the document gives utbildning and stadsmiljö one joint total).
    """
    frame, source = read_table(path, FRAME_HEADERS, ["kind", "label", "amount"])
    rows_read = len(frame)
    for column in ("themes", "amount_status", "source", "note"):
        if column not in frame.columns:
            frame[column] = ""
    check = SetAside(frame, source)
    amounts = parse_amounts(frame["amount"])
    check(amounts["bad"] != "", "amount", amounts["bad"])
    themes = frame["themes"].map(
        lambda t: ";".join(_THEME_WORDS.get(slugify(x.strip()), "?" + x.strip()) for x in t.split(",") if x.strip())
    )
    check(themes.str.contains("?", regex=False), "themes", f"okänt tema ({', '.join(THEMES)})")
    status = amounts["amount_status"].where(amounts["amount_status"] != "",
                                            frame["amount_status"].map(lambda s: STATUS_IN_CELL.get(s, s)))
    data = pd.DataFrame(
        {
            "kind": frame["kind"].str.casefold(), "label": frame["label"], "themes": themes,
            "amount_sek": amounts["amount_sek"].astype("float64"), "amount_text": frame["amount"],
            "amount_status": status.astype(str), "amount_approx": amounts["amount_approx"],
            "source": frame["source"], "note": frame["note"],
            "source_file": source, "source_row": frame.index.astype("int64"),
        }
    )[check.usable]
    return ReadResult(data.reset_index(drop=True), check.quarantine(), rows_read, source)
