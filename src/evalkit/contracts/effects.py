"""pandera schemas of the numeric effect tables `evalkit analyse` writes to ``data/processed/effects/``
(documented in ``docs/CONTRACTS.md``). Numbers only: the Swedish sentences are made from them in
:mod:`evalkit.present.effects`."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.pandas import Check, Column, DataFrameSchema

from evalkit.programme import SMALL_AREA_DENOMINATOR

SPECIFICATIONS = ["omraden", "personer", "utan_sma"]
ESTIMATORS = ["twfe_tidigare", "twfe", "did2s", "sun_abraham"]
CLUSTER_LEVELS = ["stadsdelsomrade", "stadsdel"]
P_METHODS = ["ri", "crv1", "none"]
TRANSFORMS = ["log", "ratio"]
_num = dict(dtype=float, nullable=True, coerce=True)
_str = dict(dtype=str, coerce=True)
_int = dict(dtype=int, coerce=True)

did = DataFrameSchema({
    "indicator": Column(**_str),
    "cohort": Column(**_str),
    "specification": Column(**_str, checks=Check.isin(SPECIFICATIONS)),
    "estimate": Column(float, coerce=True, nullable=False),
    "se": Column(**_num, checks=Check.ge(0)),
    "ci_low": Column(**_num),
    "ci_high": Column(**_num),
    "p_value": Column(**_num, checks=Check.in_range(0, 1)),
    "n_areas": Column(**_int, checks=Check.gt(0)),
    "n_treated": Column(**_int, checks=Check.gt(0)),
    "estimator": Column(**_str, checks=Check.isin(ESTIMATORS)),
    "first_year": Column(**_int),
    "year_first": Column(**_int),
    "year_last": Column(**_int),
    "n_obs": Column(**_int),
    "headline": Column(bool, coerce=True),
    "cluster_level": Column(**_str, checks=Check.isin(CLUSTER_LEVELS)),
    "n_clusters": Column(**_int, checks=Check.gt(0)),
    "n_treated_clusters": Column(**_int, checks=Check.gt(0)),
    "se_stadsdel": Column(**_num, checks=Check.ge(0)),
    "p_value_stadsdel": Column(**_num, checks=Check.in_range(0, 1)),
    "p_ri": Column(**_num, checks=Check.in_range(0, 1)),
    "ri_exact": Column(bool, coerce=True),
    "n_assignments": Column(**_int, checks=Check.ge(0)),
    "p_wcb": Column(**_num, checks=Check.in_range(0, 1)),
    "wcb_ci_low": Column(**_num),
    "wcb_ci_high": Column(**_num),
    "p_headline": Column(**_num, checks=Check.in_range(0, 1)),
    "p_method": Column(**_str, checks=Check.isin(P_METHODS)),
    "p_floor": Column(**_num, checks=Check.in_range(0, 1)),
    "mde": Column(**_num, checks=Check.ge(0)),
    "icc": Column(**_num),
    "warnings": Column(str, coerce=True, nullable=False),
}, checks=[Check(lambda d: (d["ci_low"] <= d["estimate"]) & (d["estimate"] <= d["ci_high"]), name="ci_contains_estimate"),
           Check(lambda d: d["n_treated"] < d["n_areas"], name="controls_exist"),
           # a p-value never leads below its rule: no headline p where the decision says none
           Check(lambda d: (d["p_method"] != "none") | d["p_headline"].isna(), name="no_p_without_rule"),
           Check(lambda d: d["n_treated_clusters"] <= d["n_clusters"], name="clusters_nested")],
    unique=["indicator", "cohort", "specification", "estimator"], strict=True, ordered=True)

event_study = DataFrameSchema({
    "indicator": Column(**_str),
    "cohort": Column(**_str),
    "specification": Column(**_str, checks=Check.isin(SPECIFICATIONS)),
    "estimator": Column(**_str, checks=Check.isin(ESTIMATORS)),
    "first_year": Column(**_int),
    "year": Column(**_int),
    "relative": Column(**_int),
    "estimate": Column(float, coerce=True),
    "se": Column(**_num, checks=Check.ge(0)),
    "ci_low": Column(**_num),
    "ci_high": Column(**_num),
    "p_value": Column(**_num, checks=Check.in_range(0, 1)),
    "period": Column(**_str, checks=Check.isin(["före", "referens", "under"])),
    "pretrend_p": Column(**_num, checks=Check.in_range(0, 1)),
    "cluster_level": Column(**_str, checks=Check.isin(CLUSTER_LEVELS)),
}, unique=["indicator", "cohort", "specification", "year"], strict=True, ordered=True)

ri = DataFrameSchema({
    "indicator": Column(**_str),
    "specification": Column(**_str, checks=Check.isin(SPECIFICATIONS)),
    "draw": Column(**_int, checks=Check.ge(0)),
    "placebo_estimate": Column(float, coerce=True),
    "placebo_t": Column(float, coerce=True),
    "estimate": Column(float, coerce=True),
    "p_value": Column(float, coerce=True, checks=Check.in_range(0, 1)),
    "n_perm": Column(**_int),
    "exact": Column(bool, coerce=True),
    "cluster_level": Column(**_str, checks=Check.isin(CLUSTER_LEVELS)),
    "seed": Column(**_int),
}, unique=["indicator", "specification", "draw"], strict=True, ordered=True)

wild_bootstrap = DataFrameSchema({
    "indicator": Column(**_str),
    "specification": Column(**_str, checks=Check.isin(SPECIFICATIONS)),
    "estimate": Column(float, coerce=True),
    "t_stat": Column(float, coerce=True),
    "p_value": Column(float, coerce=True, checks=Check.in_range(0, 1)),
    "ci_low": Column(**_num),
    "ci_high": Column(**_num),
    "n_boot": Column(**_int),
    "weights": Column(**_str, checks=Check.isin(["rademacher", "webb"])),
    "seed": Column(**_int),
    "method": Column(**_str, checks=Check.isin(["wildboottest", "evalkit"])),
    "cluster_level": Column(**_str, checks=Check.isin(CLUSTER_LEVELS)),
    "n_clusters": Column(**_int, checks=Check.gt(0)),
}, unique=["indicator", "specification"], strict=True, ordered=True)

synth_weights = DataFrameSchema({
    "treated": Column(**_str),
    "indicator": Column(**_str),
    "donor": Column(**_str),
    "weight": Column(float, coerce=True, checks=Check.in_range(0, 1)),
}, checks=[Check(lambda d: (d.groupby(["treated", "indicator"])["weight"].transform("sum") - 1).abs() < 1e-6,
                 name="weights_sum_to_one")],
    unique=["treated", "indicator", "donor"], strict=True, ordered=True)

synth_path = DataFrameSchema({
    "treated": Column(**_str),
    "indicator": Column(**_str),
    "year": Column(**_int),
    "observed": Column(float, coerce=True),
    "synthetic": Column(float, coerce=True),
    "gap": Column(float, coerce=True),
}, unique=["treated", "indicator", "year"], strict=True, ordered=True)

synth_placebo = DataFrameSchema({
    "treated": Column(**_str),
    "indicator": Column(**_str),
    "donor": Column(**_str),
    "year": Column(**_int),
    "gap": Column(float, coerce=True),
}, strict=True, ordered=True)

synth_summary = DataFrameSchema({
    "treated": Column(**_str),
    "indicator": Column(**_str),
    "transform": Column(**_str, checks=Check.isin(TRANSFORMS)),
    "pre_rmspe": Column(float, coerce=True, checks=Check.gt(0)),
    "post_rmspe": Column(float, coerce=True, checks=Check.ge(0)),
    "ratio": Column(float, coerce=True),
    "post_gap_mean": Column(float, coerce=True),
    "p_value": Column(float, coerce=True, checks=Check.in_range(0, 1)),
    "p_value_gap": Column(float, coerce=True, checks=Check.in_range(0, 1)),
    "n_placebos": Column(**_int),
    "min_p": Column(float, coerce=True, checks=Check.in_range(0, 1)),
    "n_donors": Column(**_int),
    "pre_rmspe_placebo_median": Column(**_num, checks=Check.ge(0)),
    "pre_fit_factor": Column(float, coerce=True),
    "penalty": Column(float, coerce=True, checks=Check.ge(0)),
    "headline": Column(bool, coerce=True),
    "agree": Column(bool, coerce=True),
}, checks=[Check(lambda d: (d["p_value_gap"] >= d["min_p"] - 1e-12) & (d["p_value"] >= d["min_p"] - 1e-12),
                 name="p_not_below_floor")],
    unique=["treated", "indicator", "transform"], strict=True, ordered=True)

suppression = DataFrameSchema({
    "indicator": Column(**_str),
    "specification": Column(**_str, checks=Check.isin(SPECIFICATIONS)),
    "estimator": Column(**_str, checks=Check.isin(ESTIMATORS)),
    "n_hidden": Column(**_int, checks=Check.ge(0)),
    "difference": Column(**_num),
    "published": Column(bool, coerce=True),
}, checks=[Check(lambda d: d["published"] | d["difference"].isna(), name="unpublished_has_no_number")],
    unique=["indicator", "specification", "estimator"], strict=True, ordered=True)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "did": did, "event_study": event_study, "ri": ri, "wild_bootstrap": wild_bootstrap,
    "synth_weights": synth_weights, "synth_path": synth_path, "synth_placebo": synth_placebo,
    "synth_summary": synth_summary, "suppression": suppression,
}


def validate(name: str, frame):
    """Validate (and coerce) one stored table; raises pandera's SchemaError on a violation."""
    return SCHEMAS[name].validate(frame)


# --------------------------------------------------------------------------------------------
# What each column means, in Swedish and English: the codebook of the published data package
# (evalkit.build.datapackage) is read from here, so the contract is written once.
# --------------------------------------------------------------------------------------------

#: column -> (Swedish, English); a table's own entry in TABLE_DESCRIPTIONS overrides these.
DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "indicator": ("Indikatorns id (se resursen indikatorer och programmets indikatorkatalog).",
                  "Indicator id (see the indikatorer resource and the programme's indicator catalogue)."),
    "cohort": ("Behandlingskohort: programmet (från 2015), ett tidigare arbete (jarvalyftet, vision_soderort, "
               "vision_hasselby_vallingby), alla_kohorter, eller programmet_utan_<kohort> (programmet utan den "
               "kohortens områden: känslighet).",
               "Treatment cohort: programmet (from 2015), earlier work (jarvalyftet, vision_soderort, "
               "vision_hasselby_vallingby), alla_kohorter (all cohorts), or programmet_utan_<cohort> (the programme "
               "without that cohort's areas: sensitivity)."),
    "specification": ("Specifikation: omraden (oviktad, genomsnitt över områden), personer (viktad med nämnaren, "
                      "genomsnitt över personer; huvudskattning), utan_sma (oviktad, utan stadsdelar med nämnare under "
                      f"{SMALL_AREA_DENOMINATOR}).",
                      "Specification: omraden (unweighted, average over areas), personer (weighted by the denominator, "
                      "average over people; headline), utan_sma (unweighted, without districts whose denominator is below "
                      f"{SMALL_AREA_DENOMINATOR})."),
    "estimate": ("Skattad effekt i indikatorns enhet (procentenheter för andelar).",
                 "Estimated effect in the indicator's unit (percentage points for shares)."),
    "se": ("Standardfel, klustrat på tilldelningsnivån (cluster_level, CRV1).",
           "Standard error, clustered at the assignment level (cluster_level, CRV1)."),
    "ci_low": ("Nedre gräns för 95 % konfidensintervall.", "Lower bound of the 95 % confidence interval."),
    "ci_high": ("Övre gräns för 95 % konfidensintervall.", "Upper bound of the 95 % confidence interval."),
    "p_value": ("p-värde (tvåsidigt).", "p-value (two-sided)."),
    "n_areas": ("Antal områden i skattningen (behandlade och kontroller).", "Areas in the estimation (treated and controls)."),
    "n_treated": ("Antal behandlade områden.", "Treated areas."),
    "estimator": ("Skattare: twfe_tidigare (tvåvägs fixa effekter med varje kohorts tidigare arbete som egen nivå; "
                  "huvudskattning), twfe (tvåvägs fixa effekter, 2007–2014 som förperiod), did2s (Gardners tvåstegsimputering), "
                  "sun_abraham (Sun–Abrahams kohortvisa händelsestudie).",
                  "Estimator: twfe_tidigare (two-way fixed effects with each cohort's earlier work as its own level; "
                  "headline), twfe (two-way fixed effects, 2007–2014 as pre-period), did2s (Gardner's two-stage imputation), "
                  "sun_abraham (Sun–Abraham cohort event study)."),
    "first_year": ("Första behandlingsår för kohorten.", "First treated year of the cohort."),
    "year_first": ("Första året i panelen.", "First year of the panel."),
    "year_last": ("Sista året i panelen.", "Last year of the panel."),
    "n_obs": ("Antal observationer (område × år).", "Observations (area × year)."),
    "headline": ("Sant för huvudskattningen (den specifikation rapporterna leder med).",
                 "True for the headline estimate (the specification the reports lead with)."),
    "year": ("År.", "Year."),
    "relative": ("År relativt första behandlingsåret.", "Year relative to the first treated year."),
    "period": ("Period: före, referens (referensåret, satt till 0) eller under.",
               "Period: före (before), referens (reference year, set to 0) or under (during)."),
    "pretrend_p": ("p-värde för gemensamt test att alla förperiodskoefficienter är 0.",
                   "p-value of the joint test that all pre-period coefficients are 0."),
    "draw": ("Dragningens nummer i randomiseringsfördelningen.", "Draw number in the randomisation distribution."),
    "placebo_estimate": ("Skattning med omfördelad behandling (placebo), på utfallet med den skattade effekten borttagen "
                         "(ger spridningen utan effekt, för minsta upptäckbara effekt).",
                         "Estimate with treatment reassigned (placebo), on the outcome with the estimated effect removed "
                         "(the spread under no effect, for the minimum detectable effect)."),
    "n_perm": ("Antal tilldelningar i randomiseringsinferensen (alla, när exact är sant, annars dragningar).",
               "Assignments in randomisation inference (all of them when exact is true, else draws)."),
    "seed": ("Slumpfrö.", "Random seed."),
    "t_stat": ("t-statistika.", "t statistic."),
    "n_boot": ("Antal bootstrapdragningar.", "Number of bootstrap draws."),
    "weights": ("Bootstrapvikter: rademacher eller webb.", "Bootstrap weights: rademacher or webb."),
    "method": ("Implementering: wildboottest (oviktad) eller evalkit (viktad; intervallet alltid evalkits testinvertering).",
               "Implementation: wildboottest (unweighted) or evalkit (weighted; interval always evalkit's test inversion)."),
    "treated": ("Behandlat stadsdelsområde (programstadsdelsområde, områdeskod).", "Treated borough (programme borough, area code)."),
    "donor": ("Donatorstadsdel (områdeskod) utanför programmet och stadsdelsområdet.",
              "Donor district (area code) outside the programme and the borough."),
    "weight": ("Donatorns vikt i den syntetiska kontrollen (summerar till 1).", "Donor's weight in the synthetic control (sums to 1)."),
    "observed": ("Observerat värde för det behandlade området.", "Observed value of the treated area."),
    "synthetic": ("Värde för den syntetiska kontrollen.", "Value of the synthetic control."),
    "gap": ("Skillnad observerat − syntetiskt.", "Gap observed − synthetic."),
    "pre_rmspe": ("RMSPE före programmet (anpassning).", "Pre-programme RMSPE (fit)."),
    "post_rmspe": ("RMSPE under programmet.", "RMSPE during the programme."),
    "ratio": ("Kvot post-RMSPE / pre-RMSPE.", "Ratio post-RMSPE / pre-RMSPE."),
    "post_gap_mean": ("Medelskillnad under programmet.", "Mean gap during the programme."),
    "p_value_gap": ("Placebo-p-värde för medelskillnaden (det som ska läsas).", "Placebo p-value of the mean gap (the one to read)."),
    "n_placebos": ("Antal placebos kvar efter anpassningsfiltret.", "Placebos kept after the pre-fit filter."),
    "n_donors": ("Antal möjliga donatorer.", "Candidate donors."),
    "cluster_level": ("Nivån som osäkerheten mäts på (klustring, placebotilldelning): stadsdelsomrade = den nivå "
                      "programmet tilldelades på (stadsdelsområde i indelningen som gällde vid start).",
                      "Level at which uncertainty is measured (clusters, placebo assignment): stadsdelsomrade = the level "
                      "the programme was assigned at (borough of the era in force at the start)."),
    "n_clusters": ("Antal kluster (tilldelningsenheter).", "Clusters (assignment units)."),
    "n_treated_clusters": ("Antal kluster med minst ett behandlat område.", "Clusters holding at least one treated area."),
    "se_stadsdel": ("Känslighet: standardfel klustrat på stadsdel (inte huvudresultat).",
                    "Sensitivity: standard error clustered by district (not the headline)."),
    "p_value_stadsdel": ("Känslighet: p-värde med standardfel klustrat på stadsdel.",
                         "Sensitivity: p-value with district-clustered standard errors."),
    "p_ri": ("Randomiseringsinferens över tilldelningsenheterna (studentiserad).",
             "Randomisation inference over the assignment units (studentised)."),
    "ri_exact": ("Sant när alla möjliga tilldelningar räknades upp (p exakt).",
                 "True when every possible assignment was enumerated (exact p)."),
    "n_assignments": ("Antal tilldelningar i randomiseringsinferensen (alla, eller dragningar).",
                      "Assignments in randomisation inference (all, or draws)."),
    "p_wcb": ("Vild klusterbootstrap (Webb-vikter) på tilldelningsnivån.", "Wild cluster bootstrap (Webb weights) at the assignment level."),
    "wcb_ci_low": ("Nedre gräns, bootstrapintervall (testinvertering).", "Lower bound, bootstrap interval (test inversion)."),
    "wcb_ci_high": ("Övre gräns, bootstrapintervall (testinvertering).", "Upper bound, bootstrap interval (test inversion)."),
    "p_headline": ("Det p-värde som redovisas enligt reglerna för få kluster (tomt: inget p-värde är tillförlitligt).",
                   "The p-value reported under the few-cluster rules (empty: no p-value is reliable)."),
    "p_method": ("Vilket p-värde som leder: ri, crv1 eller none.", "Which p-value leads: ri, crv1 or none."),
    "p_floor": ("Minsta möjliga p-värde för metoden (1/antal tilldelningar eller dragningar).",
                "Smallest attainable p-value of the method (1/assignments or draws)."),
    "mde": ("Minsta upptäckbara effekt (5 % nivå, 80 % styrka), i indikatorns enhet.",
            "Minimum detectable effect (5 % level, 80 % power), in the indicator's unit."),
    "icc": ("Intraklasskorrelation för residualerna inom tilldelningsenhet och år.",
            "Intra-cluster correlation of the residuals within assignment unit and year."),
    "warnings": ("Varningskoder, semikolonseparerade (evalkit.analysis.inference.WARNINGS).",
                 "Warning codes, semicolon-separated (evalkit.analysis.inference.WARNINGS)."),
    "placebo_t": ("Placebons t-statistika (klustrad).", "The placebo's (clustered) t statistic."),
    "exact": ("Sant när alla tilldelningar räknades upp.", "True when every assignment was enumerated."),
    "transform": ("Skala: log (logaritm) eller ratio (kvot mot egen förperiod).",
                  "Scale: log or ratio (to own pre-period mean)."),
    "min_p": ("Minsta möjliga p-värde: 1/(antal placebos + 1).", "Smallest attainable p-value: 1/(placebos + 1)."),
    "penalty": ("Straffterm i den straffade anpassningen (Abadie–L'Hour).", "Penalty of the penalised fit (Abadie–L'Hour)."),
    "agree": ("Sant när log- och kvotskalan ger samma slutsats.", "True when the log and ratio scales agree."),
    "pre_rmspe_placebo_median": ("Median av placebonas anpassningsfel före start (jämförelse för den behandlades).",
                                 "Median pre-period fit error of the placebos (benchmark for the treated unit's)."),
    "n_hidden": ("Antal dolda celler i panelen.", "Hidden cells in the panel."),
    "difference": ("Skillnad i skattning: hela tabellen minus den publicerade (avrundad).",
                   "Difference in estimate: full table minus the published one (rounded)."),
    "published": ("Sant när skillnaden publiceras (minst tio dolda celler).", "True when the difference is published (at least ten hidden cells)."),
    "pre_fit_factor": ("Filtrets gräns: placebos med pre-RMSPE över faktorn × den behandlades tas bort.",
                       "Filter bound: placebos with pre-RMSPE above factor × the treated one's are dropped."),
}

#: table -> {column: (Swedish, English)}: where a column means something else in that table.
TABLE_DESCRIPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "did": {"estimate": ("Skattad effekt (DiD) i indikatorns enhet: förändringen i programområdena utöver övriga stadsdelar.",
                         "Estimated effect (DiD) in the indicator's unit: the change in programme areas beyond other districts.")},
    "event_study": {"estimate": ("Skattad skillnad det året mot referensåret, i indikatorns enhet.",
                                 "Estimated difference that year against the reference year, in the indicator's unit.")},
    "ri": {"estimate": ("Den faktiska skattningen (samma på varje rad).", "The actual estimate (same on every row)."),
           "p_value": ("Randomiseringsinferensens p-värde.", "Randomisation-inference p-value.")},
    "wild_bootstrap": {"p_value": ("Vild klusterbootstraps p-värde.", "Wild cluster bootstrap p-value."),
                       "ci_low": ("Nedre gräns för 95 % intervall (testinvertering).", "Lower bound of the 95 % interval (test inversion)."),
                       "ci_high": ("Övre gräns för 95 % intervall (testinvertering).", "Upper bound of the 95 % interval (test inversion).")},
    "synth_summary": {"p_value": ("Placebo-p-värde för RMSPE-kvoten.", "Placebo p-value of the RMSPE ratio."),
                      "headline": ("Sant för den skala som redovisas (bara när skalorna är överens).",
                                   "True for the scale reported (only when the scales agree).")},
    "synth_placebo": {"donor": ("Placebostadsdel (områdeskod) behandlad som om den fått programmet.",
                                "Placebo district (area code) treated as if it had the programme."),
                      "gap": ("Placebons skillnad observerat − syntetiskt.", "The placebo's gap observed − synthetic.")},
}


def describe(name: str) -> dict[str, tuple[str, str]]:
    """Swedish and English description of every column of table ``name`` (KeyError if one lacks it)."""
    own = TABLE_DESCRIPTIONS.get(name, {})
    return {col: own.get(col) or DESCRIPTIONS[col] for col in SCHEMAS[name].columns}
