"""Reader for long ("tidy-ish") CSV/TXT tables: one row per area × indicator × year.

Accepts Swedish or English headers, `;` `,` or tab delimiters, UTF-8 (with or without BOM) or
Windows-1252, decimal commas and official-statistics symbols in number cells.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from evalkit import geography, programme
from evalkit.io.core import (
    ReaderError,
    ReadResult,
    empty_quarantine,
    parse_numbers,
    quarantine_rows,
    resolve_areas,
)

# Header aliases -> tidy names. Lower-cased, Swedish first.
HEADER_ALIASES = {
    "omrade": "area", "område": "area", "area": "area", "region": "area", "stadsdel": "area",
    "omradesniva": "level", "områdesnivå": "level", "level": "level", "niva": "level", "nivå": "level",
    "indikator": "indicator", "indicator": "indicator",
    "ar": "year", "år": "year", "year": "year",
    "taljare": "numerator", "täljare": "numerator", "numerator": "numerator",
    "namnare": "denominator", "nämnare": "denominator", "denominator": "denominator",
    "varde": "value", "värde": "value", "value": "value",
    "status": "status",
    "kalla": "source", "källa": "source", "source": "source",
}
REQUIRED = ["area", "year", "value"]
ENCODINGS = ("utf-8-sig", "cp1252")


def decode(path: Path) -> tuple[str, str]:
    """Return the file's text and the encoding used (UTF-8 with/without BOM, else Windows-1252)."""
    raw = path.read_bytes()
    if not raw.strip():
        raise ReaderError(f"{path.name}: filen är tom")
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ReaderError(f"{path.name}: okänd teckenkodning (varken UTF-8 eller Windows-1252)")


def sniff_delimiter(text: str) -> str:
    """Pick `;`, `,` or tab from the header line."""
    try:
        return csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,\t").delimiter
    except csv.Error:
        return ","


def read(path: Path, indicator: str | None = None, level: str | None = None) -> ReadResult:
    """Read a long CSV into tidy rows (see docs/CONTRACTS.md) and set-aside rows with reasons.

    ``indicator`` names the indicator when the file has no indicator column; ``level`` states the
    area level when the file has no level column (names are never resolved by guessing).
    """
    text, encoding = decode(path)
    source = path.name
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sniff_delimiter(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReaderError(f"{source}: kan inte tolkas som CSV ({exc})") from exc
    frame = frame.rename(columns=lambda c: HEADER_ALIASES.get(str(c).strip().casefold(), str(c).strip()))
    missing = [c for c in REQUIRED if c not in frame.columns]
    if "indicator" not in frame.columns and indicator is None:
        missing.append("indicator (kolumn eller argumentet indicator=)")
    if missing:
        raise ReaderError(f"{source}: kolumner saknas: {', '.join(missing)}")
    # Row numbers as a person sees them in the file: header is line 1.
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    rows_read = len(frame)
    if indicator is not None and "indicator" not in frame.columns:
        frame["indicator"] = indicator
    if "level" not in frame.columns:
        frame["level"] = level or ""

    catalogue = programme.indicator_catalogue().set_index("indicator")
    parts = [empty_quarantine()]
    usable = pd.Series(True, index=frame.index)

    def set_aside(mask: pd.Series, column: str, reasons) -> None:
        mask = mask & usable
        if mask.any():
            reason_values = reasons[mask] if isinstance(reasons, pd.Series) else reasons
            parts.append(quarantine_rows(source, frame.index[mask], column, frame.loc[mask, column], reason_values))
            usable.loc[mask] = False

    codes, errors = resolve_areas(frame["area"], frame["level"].where(frame["level"] != "", None))
    set_aside(codes == "", "area", errors)
    set_aside(~frame["indicator"].isin(catalogue.index), "indicator", "okänd indikator (finns inte i indicators.csv)")
    years = pd.to_numeric(frame["year"].str.strip(), errors="coerce")
    set_aside(years.isna() | (years % 1 != 0), "year", "år är inte ett heltal")

    parsed = {}
    for column in ("value", "numerator", "denominator"):
        cells = frame[column] if column in frame.columns else pd.Series("", index=frame.index)
        values, status, bad = parse_numbers(cells)
        if column in frame.columns:
            set_aside(bad, column, "text i en talkolumn")
        parsed[column] = (values, status)

    value, value_status = parsed["value"]
    status = frame["status"].str.strip() if "status" in frame.columns else pd.Series("", index=frame.index)
    status = status.where(status != "", value_status)
    # A value without its own status but computable from numerator/denominator is recomputed below.
    kept = frame[usable]
    if kept.empty:
        data = pd.DataFrame(columns=["area_code", "area_name", "area_level", "indicator", "year", "value", "status",
                                     "numerator", "denominator", "unit", "source"])
    else:
        area_codes = codes[usable]
        data = pd.DataFrame(
            {
                "area_code": area_codes,
                "area_name": area_codes.map(geography.area_name),
                "area_level": area_codes.map(geography.area_level),
                "indicator": kept["indicator"],
                "year": years[usable].astype("int64"),
                "value": value[usable],
                "status": status[usable].astype(str),
                "numerator": parsed["numerator"][0][usable],
                "denominator": parsed["denominator"][0][usable],
                "unit": kept["indicator"].map(catalogue["unit"]).astype(str),
                "source": (kept["source"] if "source" in kept.columns else pd.Series(source, index=kept.index)).astype(str),
            }
        )
        data.loc[data["status"] != "", "value"] = float("nan")
    data["source_row"] = data.index.astype("int64")
    data["source_file"] = source
    result = ReadResult(data.reset_index(drop=True), pd.concat(parts, ignore_index=True), rows_read, source)
    result.notes.append(f"teckenkodning {encoding}")
    return result
