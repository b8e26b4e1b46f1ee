"""Seeded demo data for age shares and household size."""

import pandas as pd

from evalkit import demo_population


def test_shipped_file_is_reproduced_byte_for_byte(tmp_path):
    out = demo_population.write(tmp_path / "b.csv")
    assert out.read_bytes() == demo_population.default_path().read_bytes()


def test_shares_and_household_sizes_are_plausible():
    frame = pd.read_csv(demo_population.default_path())
    assert set(frame["indikator"]) == set(demo_population.INDICATORS)
    assert frame["omrade"].nunique() == 117 and set(frame["ar"]) == set(range(2006, 2021))
    shares = frame[frame["indikator"] != "personer_per_hushall"].dropna(subset=["varde"])
    assert shares["varde"].between(0, 100).all() and (shares["taljare"] <= shares["namnare"]).all()
    sizes = frame[frame["indikator"] == "personer_per_hushall"].dropna(subset=["varde"])
    assert sizes["varde"].between(1.0, 4.0).all()
    # Empty areas get no value but a status, never a zero.
    assert (frame.loc[frame["namnare"] == 0, "status"] == "..").all()
