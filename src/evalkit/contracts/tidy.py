"""The tidy indicator table: one row per area × indicator × year (docs/CONTRACTS.md).

Its columns, the area codes it accepts, the pandera schema and the one constructor every module
uses to build tidy rows (:func:`tidy_frame`), so the 12 columns are written down once. The last,
``origin`` (``real`` | ``demo``, :mod:`evalkit.origin`), is set by `evalkit clean` from
``sources.csv``; a reader's rows do not have it yet, so the contract takes rows without it.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from evalkit import geography, programme
from evalkit.origin import ORIGINS

TIDY_COLUMNS = [
    "area_code", "area_name", "area_level", "indicator", "year", "value", "status",
    "numerator", "denominator", "unit", "source", "origin",
]
#: Column dtypes of the tidy table (the text columns are pandas' default string dtype).
TIDY_DTYPES = {"year": "int64", "value": "float64", "numerator": "float64", "denominator": "float64"}
AREA_LEVELS = ["stadsdel", "stadsdelsomrade", "omradesgrupp", "stad", "riket"]
STATUS_SYMBOLS = ["", "..", "–", ".", "0", "x"]
YEAR_RANGE = (1990, 2035)


def known_area_codes() -> list[str]:
    """Every code a contract accepts: stadsdelar, boroughs of all eras, the groups and Sweden."""
    codes = set(geography.stadsdelar()["stadsdel_code"]) | set(geography.stadsdelsomraden()["sdo_code"])
    return sorted(codes | {geography.PROGRAMME_CODE, geography.REST_CODE, geography.CITY_CODE,
                           geography.RIKET_CODE})


def tidy_frame(rows=None, **columns) -> pd.DataFrame:
    """Tidy rows with the 12 columns of :data:`TIDY_COLUMNS`, in order, numbers as numbers.

    ``rows`` is a frame (extra columns are dropped), a list of records or a dict of columns;
    or give the columns as keyword arguments (scalars are broadcast, as in ``pd.DataFrame``).
    ``tidy_frame()`` is an empty tidy table. A missing column is an error, not a blank.
    """
    frame = pd.DataFrame(rows if rows is not None else columns)
    if frame.empty and not len(frame.columns):
        frame = pd.DataFrame({c: pd.Series(dtype=TIDY_DTYPES.get(c, "str")) for c in TIDY_COLUMNS})
    missing = [c for c in TIDY_COLUMNS if c not in frame.columns]
    if missing:
        raise KeyError(f"tidy_frame: kolumner saknas: {', '.join(missing)}")
    frame = frame[TIDY_COLUMNS]
    return frame.astype({c: t for c, t in TIDY_DTYPES.items() if frame[c].dtype != t})


def tidy_schema(known_areas: list[str], indicators: list[str], share_indicators: list[str],
                nonnegative_indicators: list[str] = ()) -> pa.DataFrameSchema:
    """Schema of the tidy indicator table.

    ``known_areas`` and ``indicators`` come from the geography registry and the indicator
    catalogue, so the contract follows the data files rather than code.
    ``share_indicators`` (kind ``andel``) must lie in [0, 100] percent;
    ``nonnegative_indicators`` (counts, rates, means) can't be negative.
    """
    nonnegative = list(nonnegative_indicators)
    return pa.DataFrameSchema(
        {
            "area_code": pa.Column(str, pa.Check.isin(known_areas, error="okänt område")),
            "area_name": pa.Column(str),
            "area_level": pa.Column(str, pa.Check.isin(AREA_LEVELS)),
            "indicator": pa.Column(str, pa.Check.isin(indicators, error="okänd indikator")),
            "year": pa.Column(int, pa.Check.in_range(*YEAR_RANGE, error="år utanför intervallet")),
            "value": pa.Column(float, nullable=True),
            "status": pa.Column(str, pa.Check.isin(STATUS_SYMBOLS, error="okänd statussymbol")),
            "numerator": pa.Column(float, pa.Check.ge(0, error="negativt antal"), nullable=True),
            "denominator": pa.Column(float, pa.Check.ge(0, error="negativt antal"), nullable=True),
            "unit": pa.Column(str),
            "source": pa.Column(str),
            # set by `evalkit clean` (sources.csv); a reader's rows are checked before they have it
            "origin": pa.Column(str, pa.Check.isin(list(ORIGINS), error="okänt ursprung (real eller demo)"),
                                required=False),
        },
        checks=[
            pa.Check(
                # Only shares: for means (days per person, kWh per m²) the numerator is larger.
                lambda df: ~(df["indicator"].isin(share_indicators) & (df["numerator"] > df["denominator"])),
                error="täljaren är större än nämnaren",
            ),
            pa.Check(
                lambda df: ~(df["indicator"].isin(share_indicators) & ((df["value"] < 0) | (df["value"] > 100))),
                error="andel utanför 0–100 %",
            ),
            pa.Check(
                lambda df: ~(df["indicator"].isin(nonnegative) & (df["value"] < 0)),
                error="negativt värde för en indikator som inte kan vara negativ",
            ),
            pa.Check(
                lambda df: ~(df["value"].isna() & (df["status"] == "")),
                error="värde saknas utan statussymbol",
            ),
        ],
        unique=["area_code", "indicator", "year"],
        report_duplicates="all",
        strict=False,  # provenance columns (source_file, source_row) ride along
        coerce=True,
        ordered=False,
    )


def indicator_contract() -> pa.DataFrameSchema:
    """The tidy contract instantiated with today's geography registry and indicator catalogue."""
    catalogue = programme.indicator_catalogue()
    shares = catalogue.loc[catalogue["kind"] == "andel", "indicator"].tolist()
    nonnegative = catalogue.loc[catalogue["kind"] != "index", "indicator"].tolist()
    return tidy_schema(known_area_codes(), catalogue["indicator"].tolist(), shares, nonnegative)


#: What each column means, in Swedish and English: the codebook of the published data package
#: (evalkit.build.datapackage) is read from here, so each contract is described once, beside it.
_AREA = {
    "area_code": ("Områdeskod: sd-<namn> (stadsdel), sdo-<namn> (stadsdelsområde), programomradet, ovriga-staden, "
                  "stockholm eller riket.",
                  "Area code: sd-<name> (district), sdo-<name> (borough), programomradet (programme areas), "
                  "ovriga-staden (rest of the city), stockholm or riket (Sweden)."),
    "area_name": ("Områdets namn.", "Area name."),
    "year": ("År (31 december för registeruppgifter).", "Year (31 December for register data)."),
}

#: Tidy indicator table: column -> (Swedish, English).
TIDY_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    **_AREA,
    "area_level": ("Områdesnivå: stadsdel, stadsdelsomrade, omradesgrupp, stad eller riket.",
                   "Area level: stadsdel (district), stadsdelsomrade (borough), omradesgrupp (group), stad (city) or riket (Sweden)."),
    "indicator": ("Indikatorns id (programmets indikatorkatalog).", "Indicator id (the programme's indicator catalogue)."),
    "value": ("Värde i enheten i unit (täljare/nämnare × skala för andelar och kvoter); tomt när status har en symbol.",
              "Value in the unit of unit (numerator/denominator × scale for shares and rates); empty when status has a symbol."),
    "status": ("Officiell statistiks symbol: tomt = vanligt värde, .. uppgift saknas, – noll/inget att redovisa, "
               ". kan inte förekomma eller beräknas inte (t.ex. ett stadsdelsområde när källan ger bara andelar), "
               "x dold (röjandeskydd).",
               "Official-statistics symbol: empty = ordinary value, .. not available, – zero/nothing to report, "
               ". cannot occur, x suppressed (disclosure control)."),
    "numerator": ("Täljare (antal); tomt om den saknas eller är dold.", "Numerator (count); empty when missing or suppressed."),
    "denominator": ("Nämnare (antal, t.ex. befolkning); tomt om den saknas eller är dold.",
                    "Denominator (count, e.g. population); empty when missing or suppressed."),
    "unit": ("Enhet för value (t.ex. procent, per 1 000 invånare, antal).", "Unit of value (e.g. procent = percent, per 1 000 invånare, antal = count)."),
    "source": ("Källa (leverantör och fil); demodata är syntetiska.", "Source (supplier and file); demodata are synthetic."),
    "origin": ("Ursprung: real = verkliga uppgifter, demo = syntetiska demodata (enligt sources.csv). Ett värde för "
               "en grupp av områden eller ett sammanvägt värde är real bara om allt det bygger på är verkligt. "
               "Jämför aldrig ett demoår med ett verkligt år.",
               "Origin: real = real data, demo = synthetic demo data (as sources.csv says). A value for a group of "
               "areas or a composite is real only if everything it is formed from is real. Never compare a demo "
               "year with a real one."),
}
