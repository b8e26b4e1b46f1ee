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


RANK_COLUMNS = ["rank", "rank_low", "rank_high", "rank_median", "rank_min_variant", "rank_max_variant"]


def rank_intervals_schema() -> pa.DataFrameSchema:
    """Schema of the stored rank intervals of the social risk index (``effects/rank_intervals``).

    One row per area × year × level. Ranks count from 1 (highest index) among the ``n_ranked``
    areas of the level with a complete published index; an area without one has no rank of any
    kind (and no text), so a rank can never rest on a suppressed input or exceed ``n_ranked``.
    """
    def ranks(df):
        return df[RANK_COLUMNS].astype("Float64")

    def le(a, b):  # a <= b where both are ranked
        return lambda df: ~(df[a].astype("Float64") > df[b].astype("Float64")).fillna(False)

    rank_col = pa.Column("Int64", pa.Check.ge(1, error="rang under 1"), nullable=True)
    return pa.DataFrameSchema(
        {
            "area_code": pa.Column(str),
            "area_name": pa.Column(str),
            "level": pa.Column(str, pa.Check.isin(AREA_LEVELS)),
            "year": pa.Column(int, pa.Check.in_range(*YEAR_RANGE, error="år utanför intervallet")),
            "total": pa.Column(float, nullable=True),
            **{col: rank_col for col in RANK_COLUMNS},
            "coverage": pa.Column(float, pa.Check.in_range(0, 1, include_min=False, include_max=False)),
            "n_ranked": pa.Column(int, pa.Check.ge(0)),
            "n_boot": pa.Column(int, pa.Check.ge(1)),
        },
        checks=[
            pa.Check(lambda df: ~ranks(df).gt(df["n_ranked"], axis=0).any(axis=1),
                     error="rang större än antalet rangordnade områden"),
            pa.Check(lambda df: ranks(df).isna().all(axis=1) | ranks(df).notna().all(axis=1),
                     error="ett område utan index har en rang"),
            pa.Check(lambda df: df["total"].isna() == df["rank"].isna(), error="rang utan index"),
            pa.Check(le("rank_low", "rank_median"), error="median under intervallet"),
            pa.Check(le("rank_median", "rank_high"), error="median över intervallet"),
            pa.Check(le("rank_min_variant", "rank"), error="rangen utanför metodvarianterna"),
            pa.Check(le("rank", "rank_max_variant"), error="rangen utanför metodvarianterna"),
            pa.Check(lambda df: df.groupby(["level", "year"])["rank"].transform("count") == df["n_ranked"],
                     error="n_ranked stämmer inte med antalet rangordnade"),
        ],
        unique=["area_code", "year", "level"],
        report_duplicates="all",
        strict=False,
        coerce=True,
        ordered=False,
    )
