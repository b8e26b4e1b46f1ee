"""Shared results computed once by `evalkit analyse` equal what a report would compute itself."""

import pandas as pd
import pytest

from evalkit import contracts, data, results, stamp
from evalkit.analysis import robustness
from evalkit.analysis.goals import goal_status


def test_rank_intervals_are_read_from_analyse_and_equal_a_fresh_computation(processed):
    published = data.published_tidy()[0]
    stored = results.rank_intervals(2020, "stadsdel")
    fresh = robustness.rank_intervals(published, 2020, level="stadsdel", **results.RANK_SETTINGS)
    pd.testing.assert_frame_equal(stored, fresh, check_dtype=False)
    assert set(results.load("rank_intervals")["year"]) == set(published["year"])


def test_every_stored_rank_lies_within_1_and_n_ranked(processed):
    table = results.load("rank_intervals")
    contracts.rank_intervals_schema().validate(table)
    ranks = table[list(contracts.RANK_COLUMNS)].astype("Float64")
    assert ranks.notna().any(axis=None)
    assert not (ranks < 1).any(axis=None) and not ranks.gt(table["n_ranked"], axis=0).any(axis=None)
    assert {"area_code", "year", "level", "rank", "rank_low", "rank_high", "n_ranked"} <= set(table.columns)
    assert set(table["coverage"]) == {0.9}


def test_the_rank_contract_refuses_a_rank_beyond_n_ranked(processed):
    import pandera.errors

    table = results.load("rank_intervals")
    bad = table.copy()
    i = bad.index[bad["rank"].notna()][0]
    bad.loc[i, "rank_high"] = bad.loc[i, "n_ranked"] + 1
    with pytest.raises(pandera.errors.SchemaError, match="större än antalet"):
        contracts.rank_intervals_schema().validate(bad)


def test_rank_intervals_outside_the_stored_years_are_computed(processed, monkeypatch):
    stored = results.load("rank_intervals")
    monkeypatch.setattr(results, "load", lambda name: stored[stored["year"] != 2019])
    got = results.rank_intervals(2019, "stadsdelsomrade")
    assert len(got) and set(got["year"]) == {2019} and set(got["level"]) == {"stadsdelsomrade"}


def test_goal_status_is_stored_for_every_programme_area_and_equals_a_fresh_computation(processed):
    published = data.published_tidy()[0]
    table = results.goal_status(None)
    assert set(table["area_code"]) == set(results.goal_status_areas())
    assert "programomradet" in set(table["area_code"])
    contracts.goal_status_schema().validate(table)
    for area in ("sd-tensta", "sdo-skarholmen", "programomradet"):
        pd.testing.assert_frame_equal(results.goal_status(area), goal_status(published, area, schools=data.schools()),
                                      check_dtype=False)


def test_stored_goal_status_never_uses_a_hidden_value(processed):
    """Statuses come from the published table: where the area's baseline or latest value is
    hidden (x), the goal has no data ("saknar underlag") and the value is NaN, never the unpublished figure."""
    table = results.goal_status(None)
    hidden = table[(table["baseline_status"] == "x") | (table["latest_status"] == "x")]
    assert len(hidden)  # the bundled data hide some (e.g. programomradet, ekonomiskt_bistand 2020)
    assert (hidden["status"] == "no_data").all()
    assert hidden["reason"].str.startswith("missing_").all()
    assert (hidden.loc[hidden["latest_status"] == "x", "latest"].isna()).all()


def test_goal_status_for_other_years_is_computed(processed):
    published = data.published_tidy()[0]
    got = results.goal_status("sd-husby", 2014, 2018)
    assert set(got["latest_year"].dropna()) <= {2018}
    pd.testing.assert_frame_equal(got, goal_status(published, "sd-husby", baseline_year=2014, latest_year=2018,
                                                   schools=data.schools()))
    everyone = results.goal_status(None, 2014, 2018)
    assert set(everyone["area_code"]) == set(results.goal_status_areas())


def test_results_from_older_data_are_refused(processed, tmp_path):
    """After `evalkit clean` changed the data, reading results of the previous `evalkit analyse`
    fails with a clear message instead of mixing old statuses and ranks with new figures."""
    import shutil

    from evalkit import paths

    copy = tmp_path / "processed"
    shutil.copytree(paths.processed_dir(), copy)
    assert len(results.load("did", base=copy))
    target = copy / "indicators_published.parquet"
    target.write_bytes(target.read_bytes() + b"newer data")
    with pytest.raises(results.ResultsOutdated, match="evalkit analyse"):
        results.load("did", base=copy)
    (copy / "effects" / stamp.STAMP).unlink()
    with pytest.raises(results.ResultsOutdated):
        results.load("goal_status", base=copy)


def test_stamp_covers_goal_definitions_and_analysis_code(processed, tmp_path, monkeypatch):
    """Stored goal statuses depend on the programme's goal files and on the analysis code too:
    changing either makes the results outdated (the build key alone would rebuild reports that
    then read the stale table)."""
    import shutil

    from evalkit import fingerprint, paths

    processed_dir = paths.processed_dir()
    assert stamp.problem(processed_dir) == ""
    raw = tmp_path / "raw"
    shutil.copytree(paths.raw_dir(), raw)
    monkeypatch.setattr(fingerprint, "raw_dir", lambda: raw)
    monkeypatch.setattr(stamp, "raw_dir", lambda: raw)
    assert stamp.problem(processed_dir) == ""  # an identical copy
    links = raw / "programme" / "goal_indicators.csv"
    links.write_text(links.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "måldefinitioner" in stamp.problem(processed_dir)
    monkeypatch.undo()
    code = [p.name for p in fingerprint.import_closure(["evalkit.results"])]
    assert {"goals.py", "robustness.py", "index.py", "results.py"} <= set(code)


def test_school_results_are_an_analyse_input(processed, tmp_path):
    """Goal Skola 1.1 is judged per school from schools.parquet: new school data make the stored
    goal statuses outdated, like new indicator data do."""
    import shutil

    from evalkit import paths

    copy = tmp_path / "processed"
    shutil.copytree(paths.processed_dir(), copy)
    assert stamp.problem(copy) == ""
    target = copy / "schools.parquet"
    target.write_bytes(target.read_bytes() + b"newer school data")
    assert "evalkit analyse" in stamp.problem(copy)
