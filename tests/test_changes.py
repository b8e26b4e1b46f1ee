"""What changed between two publications (evalkit.analysis.changes): exactly the moved cells, and
never a value that a publication hid."""

import numpy as np
import pandas as pd
import pytest

from evalkit.analysis import changes


def _tidy(rows):
    cols = ["area_code", "area_name", "indicator", "year", "status", "value", "numerator", "denominator"]
    return pd.DataFrame(rows, columns=cols)


OLD = _tidy([
    ("sd-a", "A", "ekonomiskt_bistand", 2019, "", 5.0, 50.0, 1000.0),
    ("sd-a", "A", "ekonomiskt_bistand", 2020, "", 6.0, 60.0, 1000.0),
    ("sd-b", "B", "ekonomiskt_bistand", 2020, "x", np.nan, np.nan, 80.0),
    ("sd-c", "C", "index_sociala_risker", 2020, "", 120.0, np.nan, np.nan),
])


def test_identical_tables_have_no_changes():
    assert changes.value_changes(OLD, OLD.copy()).empty


def test_one_changed_number_is_listed_with_its_dependants():
    new = OLD.copy()
    new.loc[1, ["value", "numerator"]] = [6.5, 65.0]
    out = changes.value_changes(OLD, new)
    assert out[["area_code", "year", "field", "old", "new", "kind"]].values.tolist() == [
        ["sd-a", 2020, "value", 6.0, 6.5, "changed"],
        ["sd-a", 2020, "numerator", 60.0, 65.0, "changed"],
    ]


def test_floating_point_noise_is_not_a_change():
    new = OLD.copy()
    new.loc[0, "value"] = 5.0 * (1 + 1e-13)
    assert changes.value_changes(OLD, new).empty


def test_hidden_values_are_never_revealed():
    """Old shows 6,0 for A 2020; new hides it: the diff shows old 6,0 (it was published) and no new
    value. B was hidden and is shown now: the diff shows only the new value."""
    new = OLD.copy()
    new.loc[1, ["status", "value", "numerator"]] = ["x", np.nan, np.nan]
    new.loc[2, ["status", "value", "numerator"]] = ["", 3.75, 3.0]
    out = changes.value_changes(OLD, new).set_index(["area_code", "field"])
    assert out.loc[("sd-a", "value"), "kind"] == "hidden"
    assert out.loc[("sd-a", "value"), "old"] == 6.0 and np.isnan(out.loc[("sd-a", "value"), "new"])
    assert out.loc[("sd-b", "value"), "kind"] == "shown"
    assert np.isnan(out.loc[("sd-b", "value"), "old"]) and out.loc[("sd-b", "value"), "new"] == 3.75
    # The denominator was shown in both publications and did not change; a field hidden in both
    # is no change whatever the full data behind it did.
    assert ("sd-b", "denominator") not in out.index
    both_hidden = OLD.copy(), OLD.copy()
    assert changes.value_changes(*both_hidden).empty


def test_added_and_removed_keys():
    new = pd.concat([OLD.iloc[:3], _tidy([("sd-d", "D", "ekonomiskt_bistand", 2020, "", 2.0, 20.0, 1000.0)])])
    out = changes.value_changes(OLD, new)
    assert set(zip(out["area_code"], out["kind"])) == {("sd-c", "removed"), ("sd-d", "added")}
    assert out.loc[out["kind"] == "removed", "new"].isna().all()


def _statuses(status):
    return pd.DataFrame({"area_code": ["sd-a", "sd-a"], "goal_id": ["g-1", "g-2"], "goal_number": ["1.1", "1.2"],
                         "indicator": ["i1", "i2"], "status": status, "reason": ["improved", "worse"]})


def test_status_flip_is_reported():
    out = changes.status_changes(_statuses(["met", "not_met"]), _statuses(["met", "met"]))
    assert out[["goal_id", "old", "new", "old_reason"]].values.tolist() == [["g-2", "not_met", "met", "worse"]]
    assert changes.status_changes(_statuses(["met", "met"]), _statuses(["met", "met"])).empty


def test_effects_move_only_beyond_one_standard_error():
    old = pd.DataFrame({"indicator": ["i", "j"], "cohort": "programmet", "specification": "omraden",
                        "estimator": "twfe", "estimate": [1.0, 1.0], "se": [0.5, 0.5]})
    new = old.assign(estimate=[1.4, 1.6])
    out = changes.effect_moves(old, new)
    assert out["indicator"].tolist() == ["j"]
    assert out["shift_in_se"].iloc[0] == pytest.approx(1.2)


def test_rank_and_input_changes():
    ranks = pd.DataFrame({"area_code": ["sd-a", "sd-b"], "area_name": ["A", "B"], "level": "stadsdel",
                          "year": 2020, "rank": pd.array([1, 2], dtype="Int64")})
    moved = changes.rank_moves(ranks, ranks.assign(rank=pd.array([2, 1], dtype="Int64")))
    assert moved[["area_code", "old", "new"]].values.tolist() == [["sd-a", 1, 2], ["sd-b", 2, 1]]
    old = pd.DataFrame({"path": ["a.csv", "b.csv"], "sha256": ["1", "2"]})
    new = pd.DataFrame({"path": ["a.csv", "c.csv"], "sha256": ["1", "3"]})
    assert changes.input_changes(old, new).values.tolist() == [["b.csv", "2", ""], ["c.csv", "", "3"]]


def test_diff_of_the_bundled_publication_against_itself_is_empty(tidy):
    from evalkit import data

    published, _ = data.published_tidy()
    assert changes.value_changes(published, published.copy()).empty
    statuses = pd.read_parquet(data.processed_dir() / "effects" / "goal_status.parquet")
    assert changes.status_changes(statuses, statuses.copy()).empty
    flipped = statuses.copy()
    flipped.loc[0, "status"] = "not_met" if statuses.loc[0, "status"] != "not_met" else "met"
    assert len(changes.status_changes(statuses, flipped)) == 1
