"""Data contracts, written once as pandera schemas and reused for validation and documentation.

The tidy indicator table is the one internal contract (see docs/CONTRACTS.md): one row per
area × indicator × year.
"""

from __future__ import annotations

import pandera.pandas as pa

TIDY_COLUMNS = [
    "area_code", "area_name", "area_level", "indicator", "year", "value", "status",
    "numerator", "denominator", "unit", "source",
]
AREA_LEVELS = ["stadsdel", "stadsdelsomrade", "omradesgrupp", "stad", "riket"]
STATUS_SYMBOLS = ["", "..", "–", ".", "0", "x"]
YEAR_RANGE = (1990, 2035)


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


def goal_status_schema() -> pa.DataFrameSchema:
    """The stored goal-status table (``evalkit analyse`` → ``effects/goal_status.parquet``).

    Numbers and codes only: ``status`` and ``reason`` are codes of
    :mod:`evalkit.analysis.goals`; the Swedish wording is made in :mod:`evalkit.present.goals`.
    """
    # Imported here: the goal module imports scipy, which contracts' other users do not need.
    from evalkit.analysis import goals

    text = pa.Column(str)
    number = pa.Column(float, nullable=True)
    symbol = pa.Column(str, pa.Check.isin(STATUS_SYMBOLS, error="okänd statussymbol"))
    return pa.DataFrameSchema(
        {
            "area_code": text, "goal_id": text, "goal_number": text, "malomrade": text, "indicator": text,
            "direction": pa.Column(str, pa.Check.isin(["increase", "decrease", "at_least_reference"])),
            "reference_area": text,
            "sampling": pa.Column(str, pa.Check.isin(["survey", "register"])),
            "method": pa.Column(str, pa.Check.isin(list(goals.METHODS))),
            "unit": text, "change_unit": text,
            "baseline_year": pa.Column(int), "latest_year": pa.Column(int),
            "baseline": number, "latest": number, "change": number,
            "baseline_status": symbol, "latest_status": symbol, "reference_latest_status": symbol,
            "baseline_basis": pa.Column(str, pa.Check.isin(["", "syntetisk", "verklig", "blandad"])),
            "latest_basis": pa.Column(str, pa.Check.isin(["", "syntetisk", "verklig", "blandad"])),
            "reference_baseline": number, "reference_latest": number, "difference": number,
            "tolerance": pa.Column(float, pa.Check.ge(0), nullable=True),
            "p_value": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
            "gap_baseline": number, "gap_latest": number,
            "gap_p_value": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
            "baseline_n": pa.Column(float, pa.Check.ge(0), nullable=True),
            "latest_n": pa.Column(float, pa.Check.ge(0), nullable=True),
            "status": pa.Column(str, pa.Check.isin(list(goals.STATUSES))),
            "reason": pa.Column(str, pa.Check.isin(list(goals.REASONS))),
        },
        checks=[
            pa.Check(lambda df: df["status"] == df["reason"].map(goals.DECISIONS),
                     error="status stämmer inte med beslutstabellen för skälet"),
            # A hidden or missing value is never used: then the goal cannot be assessed.
            pa.Check(lambda df: ~((df["baseline_status"] != "") | (df["latest_status"] != ""))
                     | (df["status"] == goals.NOT_ASSESSABLE), error="dolt värde har använts"),
        ],
        unique=["area_code", "goal_id", "indicator", "baseline_year", "latest_year"],
        strict=True,
        ordered=False,
    )
