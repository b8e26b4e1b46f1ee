"""Schemas of the result tables `evalkit analyse` stores beside the effects: goal statuses and the
rank intervals of the social risk index (numbers and codes only; docs/CONTRACTS.md)."""

from __future__ import annotations

import pandera.pandas as pa

from evalkit import programme
from evalkit.contracts.tidy import AREA_LEVELS, STATUS_SYMBOLS, YEAR_RANGE

# The codes of the goal-status table live here, beside its contract, so that the contract uses nothing
# above the ground floor; evalkit.analysis.goals decides by them (and imports them from here).

# Status codes (the Swedish names and one sentence each are in evalkit.present.goals).
MET = "met"
ON_TRACK = "on_track"
NOT_MET = "not_met"
WITHIN_UNCERTAINTY = "within_uncertainty"
NO_DATA = "no_data"
STATUSES = (MET, ON_TRACK, NOT_MET, WITHIN_UNCERTAINTY, NO_DATA)

# How a difference is judged (column ``method``).
SURVEY_TEST = "two_proportion"
BINOMIAL_TEST = "binomial"
POISSON_TEST = "poisson"
TOLERANCE_TEST = "tolerance"
SCHOOL_TEST = "schools"
METHODS = (SURVEY_TEST, BINOMIAL_TEST, POISSON_TEST, TOLERANCE_TEST, SCHOOL_TEST)

#: The decision table: reason code → status. evalkit.analysis.goals only ever sets a reason; the
#: status is looked up here, and the rule text and legend on the pages are rendered from this table.
DECISIONS = {
    "missing_baseline": NO_DATA,
    "missing_latest": NO_DATA,
    "missing_both": NO_DATA,
    "mixed_origin": NO_DATA,
    "basis_differs": NO_DATA,
    "no_sample_size": NO_DATA,
    "unknown_direction": NO_DATA,
    # change goals
    "improved": MET,
    "change_within_uncertainty": WITHIN_UNCERTAINTY,
    "no_change": NOT_MET,
    "worsened": NOT_MET,
    # level goals
    "reference_missing": NO_DATA,
    "above_reference": MET,
    "within_margin": MET,
    "level_within_uncertainty": WITHIN_UNCERTAINTY,
    "below_gap_narrowed": ON_TRACK,
    "below_gap_not_narrowed": NOT_MET,
    # Skola 1.1 per school
    "all_schools_meet": MET,
    "more_schools_meet": ON_TRACK,
    "schools_below": NOT_MET,
    "no_school_assessed": NO_DATA,
}
REASONS = tuple(DECISIONS)


def goal_status_schema() -> pa.DataFrameSchema:
    """The stored goal-status table (``evalkit analyse`` → ``effects/goal_status.parquet``).

    Numbers and codes only: ``status`` and ``reason`` are codes of
    :mod:`evalkit.analysis.goals`; the Swedish wording is made in :mod:`evalkit.present.goals`.
    """
    text = pa.Column(str)
    number = pa.Column(float, nullable=True)
    symbol = pa.Column(str, pa.Check.isin(STATUS_SYMBOLS, error="okänd statussymbol"))
    return pa.DataFrameSchema(
        {
            "area_code": text, "goal_id": text, "goal_number": text, "malomrade": text, "indicator": text,
            "direction": pa.Column(str, pa.Check.isin(list(programme.DIRECTIONS))),
            "reference_area": text,
            "sampling": pa.Column(str, pa.Check.isin(list(programme.SAMPLING))),
            "method": pa.Column(str, pa.Check.isin(list(METHODS))),
            "unit": text, "change_unit": text,
            "baseline_year": pa.Column(int), "latest_year": pa.Column(int),
            "baseline": number, "latest": number, "change": number,
            "baseline_status": symbol, "latest_status": symbol, "reference_latest_status": symbol,
            "baseline_basis": pa.Column(str, pa.Check.isin(["", "syntetisk", "verklig", "blandad"])),
            "latest_basis": pa.Column(str, pa.Check.isin(["", "syntetisk", "verklig", "blandad"])),
            "reference_baseline": number, "reference_latest": number, "difference": number,
            "se": pa.Column(float, pa.Check.ge(0), nullable=True),
            "margin": pa.Column(float, pa.Check.ge(0), nullable=True),
            "tolerance": pa.Column(float, pa.Check.ge(0), nullable=True),
            "design_effect": pa.Column(float, pa.Check.ge(1), nullable=True),
            "p_value": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
            "p_value_bh": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
            "gap_baseline": number, "gap_latest": number,
            "gap_p_value": pa.Column(float, pa.Check.in_range(0, 1), nullable=True),
            "baseline_n": pa.Column(float, pa.Check.ge(0), nullable=True),
            "latest_n": pa.Column(float, pa.Check.ge(0), nullable=True),
            "status": pa.Column(str, pa.Check.isin(list(STATUSES))),
            "reason": pa.Column(str, pa.Check.isin(list(REASONS))),
        },
        checks=[
            pa.Check(lambda df: df["status"] == df["reason"].map(DECISIONS),
                     error="status stämmer inte med beslutstabellen för skälet"),
            # A hidden or missing value is never used: then the goal has no data to be judged on.
            pa.Check(lambda df: ~((df["baseline_status"] != "") | (df["latest_status"] != ""))
                     | (df["status"] == NO_DATA), error="dolt värde har använts"),
            # An adjusted p-value is never below its unadjusted one, and exists exactly where it does.
            pa.Check(lambda df: (df["p_value_bh"].isna() == df["p_value"].isna())
                     & ~(df["p_value_bh"] < df["p_value"] - 1e-12), error="justerat p-värde stämmer inte"),
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


# --------------------------------------------------------------------------------------------
# What each column means, in Swedish and English: the codebook of the published data package
# (evalkit.build.datapackage) is read from here, so each contract is described once, beside it.
# --------------------------------------------------------------------------------------------


from evalkit.contracts.tidy import _AREA  # noqa: E402  (the area columns' words, shared)

#: Rank intervals of the social risk index: column -> (Swedish, English).
RANK_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    **_AREA,
    "level": ("Områdesnivå som rangordnas: stadsdel eller stadsdelsomrade.", "Area level ranked: stadsdel (district) or stadsdelsomrade (borough)."),
    "total": ("Indexets totalvärde (staden samma år = 100).", "Index total (the city the same year = 100)."),
    "rank": ("Rang (1 = högst index) bland de rangordnade; tomt utan fullständigt publicerat index.",
             "Rank (1 = highest index) among those ranked; empty without a complete published index."),
    "rank_low": ("Nedre gräns för 90 % rangband (5 %-kvantil över bootstrapreplikat).", "Lower bound of the 90 % rank band (5 % quantile over bootstrap replicates)."),
    "rank_high": ("Övre gräns för 90 % rangband (95 %-kvantil).", "Upper bound of the 90 % rank band (95 % quantile)."),
    "rank_median": ("Medianrang över replikaten.", "Median rank over the replicates."),
    "rank_min_variant": ("Bästa rang över metodvarianterna.", "Lowest rank over the method variants."),
    "rank_max_variant": ("Sämsta rang över metodvarianterna.", "Highest rank over the method variants."),
    "coverage": ("Rangbandets täckning (0,9).", "Coverage of the rank band (0.9)."),
    "n_ranked": ("Antal rangordnade områden på nivån det året.", "Areas ranked at the level that year."),
    "n_boot": ("Antal bootstrapreplikat.", "Bootstrap replicates."),
    "text_sv": ("Rangen i ord (svenska); tom utan rang.", "The rank in words (Swedish); empty without a rank."),
}

_GOAL_VALUE = "{} (i unit; tomt om värdet saknas eller är dolt)"
#: Goal statuses: column -> (Swedish, English).
GOAL_STATUS_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "area_code": _AREA["area_code"],
    "goal_id": ("Målets id (programme/goals.csv).", "Goal id (programme/goals.csv)."),
    "goal_number": ("Målets nummer i programtexten.", "The goal's number in the programme text."),
    "malomrade": ("Målområde.", "Goal area (målområde)."),
    "indicator": ("Indikatorns id; skolor_minst_riket = andel bedömda skolor som når målet (Skola 1.1 per skola).",
                  "Indicator id; skolor_minst_riket = share of assessed schools meeting the goal (Skola 1.1 per school)."),
    "direction": ("Riktning: increase, decrease eller at_least_reference.", "Direction: increase, decrease or at_least_reference."),
    "reference_area": ("Jämförelseområde för nivåmål (t.ex. riket).", "Reference area of level goals (e.g. riket)."),
    "sampling": ("survey (urvalsundersökning) eller register (totalräkning).",
                 "survey (sample survey) or register (complete count)."),
    "method": ("Bedömningsmetod: two_proportion (enkät, binomial med designeffekt), binomial (andel), poisson "
               "(kvot per invånare), tolerance (register utan antal) eller schools (per skola).",
               "Assessment method: two_proportion (survey, binomial with design effect), binomial (share), poisson "
               "(rate per inhabitants), tolerance (register data without counts) or schools (per school)."),
    "unit": ("Enhet för värdena.", "Unit of the values."),
    "change_unit": ("Enhet för förändringen (t.ex. procentenheter).", "Unit of the change (e.g. percentage points)."),
    "baseline_year": ("Basår (2014).", "Baseline year (2014)."),
    "latest_year": ("Senaste år (2020).", "Latest year (2020)."),
    "baseline": (_GOAL_VALUE.format("Värde basåret"), "Baseline value (in unit; empty when missing or suppressed)."),
    "latest": (_GOAL_VALUE.format("Värde senaste året"), "Latest value (in unit; empty when missing or suppressed)."),
    "change": ("Förändring senaste − basår (tomt om ett värde saknas eller åren vilar på olika data).",
               "Change latest − baseline (empty when a value is missing or the years rest on different data)."),
    "baseline_status": ("Symbol för saknat eller dolt basvärde (tomt = vanligt värde).", "Symbol of a missing or suppressed baseline value (empty = ordinary)."),
    "latest_status": ("Symbol för saknat eller dolt senaste värde.", "Symbol of a missing or suppressed latest value."),
    "reference_latest_status": ("Symbol för saknat eller dolt jämförelsevärde.", "Symbol of a missing or suppressed reference value."),
    "baseline_basis": ("Basvärdets underlag: syntetisk, verklig eller blandad.", "Basis of the baseline value: syntetisk (synthetic), verklig (real) or blandad (mixed)."),
    "latest_basis": ("Det senaste värdets underlag: syntetisk, verklig eller blandad.", "Basis of the latest value: syntetisk, verklig or blandad."),
    "reference_baseline": ("Jämförelseområdets värde basåret.", "Reference area's baseline value."),
    "reference_latest": ("Jämförelseområdets värde senaste året.", "Reference area's latest value."),
    "difference": ("Testad skillnad: förändringen, eller senaste − jämförelsevärdet; för skolraden antal skolor som når "
                   "målet utöver basårets andel.",
                   "Tested difference: the change, or latest − reference; for the school row the schools meeting the "
                   "goal beyond the baseline share."),
    "se": ("Skillnadens standardfel (binomial- eller Poissonmodell; enkäter med designeffekt).",
           "Standard error of the difference (binomial or Poisson model; surveys with the design effect)."),
    "margin": ("Marginal för praktisk betydelse (absolut, 2 % av jämförelsevärdet): ekvivalens för förändringsmål, "
               "non-inferiority för nivåmål.",
               "Margin of practical importance (absolute, 2 % of the value compared with): equivalence for change "
               "goals, non-inferiority for level goals."),
    "tolerance": ("Tolerans för registeruppgifter utan antal (absolut, 2 % av jämförelsevärdet).",
                  "Tolerance for register data without counts (absolute, 2 % of the value compared with)."),
    "design_effect": ("Antagen designeffekt för enkätandelar.", "Assumed design effect of survey shares."),
    "p_value": ("p-värde (Wald z-test av skillnaden; nivåmål: mot marginalen).",
                "p-value (Wald z test of the difference; level goals: against the margin)."),
    "p_value_bh": ("p-värde justerat för flera jämförelser (Benjamini–Hochberg inom områdets måltabell).",
                   "p-value adjusted for multiple comparisons (Benjamini–Hochberg within the area's goal table)."),
    "gap_baseline": ("Nivåmål: avstånd till jämförelsen basåret.", "Level goal: gap to the reference at baseline."),
    "gap_latest": ("Nivåmål: avstånd till jämförelsen senaste året.", "Level goal: gap to the reference in the latest year."),
    "gap_p_value": ("p-värde för att avståndet minskat.", "p-value that the gap narrowed."),
    "baseline_n": ("Antal svarande (eller bedömda skolor) basåret.", "Respondents (or schools assessed) at baseline."),
    "latest_n": ("Antal svarande (eller bedömda skolor) senaste året.", "Respondents (or schools assessed) in the latest year."),
    "status": ("Status (kod): met, on_track, not_met, within_uncertainty (ryms i osäkerheten), no_data (saknar underlag).",
               "Status (code): met, on_track, not_met, within_uncertainty, no_data."),
    "reason": ("Skäl (kod i contracts.results.DECISIONS).", "Reason (code of contracts.results.DECISIONS)."),
}
