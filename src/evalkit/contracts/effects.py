"""pandera schemas of the numeric effect tables `evalkit analyse` writes to ``data/processed/effects/``
(documented in ``docs/CONTRACTS.md``). Numbers only: the Swedish sentences are made from them in
:mod:`evalkit.present.effects`."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.pandas import Check, Column, DataFrameSchema

SPECIFICATIONS = ["omraden", "personer", "utan_sma"]
ESTIMATORS = ["twfe", "did2s", "sun_abraham"]
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
}, checks=[Check(lambda d: (d["ci_low"] <= d["estimate"]) & (d["estimate"] <= d["ci_high"]), name="ci_contains_estimate"),
           Check(lambda d: d["n_treated"] < d["n_areas"], name="controls_exist")],
    unique=["indicator", "cohort", "specification"], strict=True, ordered=True)

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
}, unique=["indicator", "cohort", "specification", "year"], strict=True, ordered=True)

ri = DataFrameSchema({
    "indicator": Column(**_str),
    "specification": Column(**_str, checks=Check.isin(SPECIFICATIONS)),
    "draw": Column(**_int, checks=Check.ge(0)),
    "placebo_estimate": Column(float, coerce=True),
    "estimate": Column(float, coerce=True),
    "p_value": Column(float, coerce=True, checks=Check.in_range(0, 1)),
    "n_perm": Column(**_int),
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
    "pre_rmspe": Column(float, coerce=True, checks=Check.ge(0)),
    "post_rmspe": Column(float, coerce=True, checks=Check.ge(0)),
    "ratio": Column(float, coerce=True),
    "post_gap_mean": Column(float, coerce=True),
    "p_value": Column(float, coerce=True, checks=Check.in_range(0, 1)),
    "p_value_gap": Column(float, coerce=True, checks=Check.in_range(0, 1)),
    "n_placebos": Column(**_int),
    "n_donors": Column(**_int),
    "pre_fit_factor": Column(float, coerce=True),
}, unique=["treated", "indicator"], strict=True, ordered=True)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "did": did, "event_study": event_study, "ri": ri, "wild_bootstrap": wild_bootstrap,
    "synth_weights": synth_weights, "synth_path": synth_path, "synth_placebo": synth_placebo,
    "synth_summary": synth_summary,
}


def validate(name: str, frame):
    """Validate (and coerce) one stored table; raises pandera's SchemaError on a violation."""
    return SCHEMAS[name].validate(frame)
