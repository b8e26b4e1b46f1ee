"""Schemas of the result tables `evalkit analyse` stores beside the effects: goal statuses and the
rank intervals of the social risk index (numbers and codes only; docs/CONTRACTS.md)."""

from __future__ import annotations

import pandera.pandas as pa

from evalkit.contracts.tidy import AREA_LEVELS, STATUS_SYMBOLS, YEAR_RANGE


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
