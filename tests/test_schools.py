"""School results: reader, suppression, compare_to_national, seeded generator."""

import hashlib

import pytest

from evalkit import clean, demo_inputs
from evalkit.analysis import schools
from evalkit.contracts import SCHOOL_GROUPS, SCHOOL_MEASURES, SUPPRESSION_LIMIT

HEADER = "Skola;Skolenhetskod;Stadsdel;År;Årskurs;Mått;Elevgrupp;Antal elever;Värde;Riksgenomsnitt;Status;Källa\n"
MERIT = "Genomsnittligt meritvärde"
EXKL = "Exkl. nyanlända (< 3 år i svensk skola)"


def read(path=None):
    """School results read as `evalkit clean` reads them (reader, then contract); default the bundled file."""
    return clean.read_input(path or clean.listed_path("schools"), "schools")


def write(tmp_path, body, encoding="utf-8"):
    path = tmp_path / "skolor.csv"
    path.write_bytes((HEADER + body).encode(encoding))
    return path


@pytest.fixture(scope="module")
def bundled():
    return read()


def test_bundled_file_meets_the_contract(bundled):
    data = bundled.data
    assert bundled.reconciles() and bundled.quarantine.empty
    assert set(data["grade"]) == {3, 6, 9}
    assert set(data["measure"]) == set(SCHOOL_MEASURES) and set(data["group"]) == set(SCHOOL_GROUPS)
    assert data["year"].min() == 2012 and data["year"].max() == 2020
    assert data["area_code"].str.startswith("sd-").all()
    assert data["school"].str.endswith("(demo)").all()
    assert data["source"].str.contains("demodata").all()
    # 2–4 schools in every programme stadsdel, some elsewhere
    from evalkit import geography
    per_area = data.groupby("area_code")["school_id"].nunique()
    programme = geography.programme_stadsdelar()
    assert per_area.reindex(programme).between(2, 4).all()
    assert (~per_area.index.isin(programme)).sum() >= 5


def test_small_groups_are_suppressed_never_zero(bundled):
    data = bundled.data
    small = data[(data["n_pupils"] > 0) & (data["n_pupils"] < SUPPRESSION_LIMIT)]
    assert len(small) > 0
    assert (small["status"].isin(["x", ".", ".."])).all() and small["value"].isna().all()
    assert (data.loc[data["status"] == "x", "n_pupils"] < 10).all()
    shown = data[data["status"] == ""]
    assert (shown["n_pupils"] >= 10).all() and shown["value"].notna().all()
    empty = data[data["n_pupils"] == 0]
    assert (empty["status"].isin(["–", ".", ".."])).all()


def test_groups_are_consistent(bundled):
    """alla = exkl_nyanlanda + nyanlanda in pupils, and the alla share lies between the groups."""
    data = bundled.data
    wide = data.pivot_table(index=["school_id", "year", "grade", "measure"], columns="group",
                            values="n_pupils", aggfunc="first")
    assert (wide["alla"] == wide["exkl_nyanlanda"] + wide["nyanlanda"]).all()
    values = data.pivot_table(index=["school_id", "year", "grade", "measure"], columns="group",
                              values="value", aggfunc="first").dropna()
    lo = values[["exkl_nyanlanda", "nyanlanda"]].min(axis=1) - 0.1
    hi = values[["exkl_nyanlanda", "nyanlanda"]].max(axis=1) + 0.1
    assert values["alla"].between(lo, hi).all()


def test_no_grades_in_year_6_before_2013_and_no_tests_in_2020(bundled):
    data = bundled.data
    ak6_2012 = data[(data["grade"] == 6) & (data["measure"] == "kunskapskrav_alla_amnen") & (data["year"] == 2012)]
    assert (ak6_2012["status"] == ".").all()
    np2020 = data[(data["measure"] == "np_godkand") & (data["year"] == 2020)]
    assert (np2020["status"] == "..").all() and np2020["national"].isna().all()


def test_compare_to_national(bundled):
    table = schools.compare_to_national(bundled.data, 2016)
    assert set(table["status"]) <= {schools.AT_LEAST, schools.BELOW, schools.CANNOT_ASSESS}
    assert (table["group"] == "exkl_nyanlanda").all()
    ok = table[table["status"] != schools.CANNOT_ASSESS]
    assert (ok["difference"] == ok["value"] - ok["national"]).all()
    assert ((ok["status"] == schools.AT_LEAST) == (ok["value"] >= ok["national"])).all()
    cannot = table[table["status"] == schools.CANNOT_ASSESS]
    assert cannot["difference"].isna().all() and cannot["reason"].isin(schools.REASON_CODES).all()
    # np in 2020: no national tests, nothing can be assessed
    t2020 = schools.compare_to_national(bundled.data, 2020, measure="np_godkand")
    assert (t2020["status"] == schools.CANNOT_ASSESS).all()
    # codes only: the words are made in present/ (every code has them)
    from evalkit.present.district import SCHOOL_REASON_SV, SCHOOL_STATUS_SV

    assert set(SCHOOL_STATUS_SV) == {schools.AT_LEAST, schools.BELOW, schools.CANNOT_ASSESS}
    assert set(SCHOOL_REASON_SV) == set(schools.REASON_CODES)
    with pytest.raises(ValueError):
        schools.compare_to_national(bundled.data, 2016, group="pojkar")


def test_compare_to_national_on_a_hand_made_file(tmp_path):
    body = (f"A skola;S1;Tensta;2016;9;{MERIT};{EXKL};25;230,5;228,0;;k\n"
            f"A skola;S1;Tensta;2016;9;{MERIT};Nyanlända (< 3 år i svensk skola);4;x;160,0;;k\n"
            f"B skola;S2;Rinkeby;2016;9;{MERIT};{EXKL};40;200,0;228,0;;k\n"
            f"C skola;S3;Husby;2016;9;{MERIT};{EXKL};8;x;228,0;;k\n"
            f"D skola;S4;Akalla;2016;9;{MERIT};{EXKL};30;..;228,0;;k\n")
    result = read(write(tmp_path, body, "cp1252"))
    assert result.reconciles() and result.quarantine.empty
    table = schools.compare_to_national(result.data, 2016, measure="meritvarde").set_index("school_id")
    assert table.loc["S1", "status"] == schools.AT_LEAST and table.loc["S1", "difference"] == pytest.approx(2.5)
    assert table.loc["S2", "status"] == schools.BELOW and table.loc["S2", "difference"] == pytest.approx(-28.0)
    assert table.loc["S3", "status"] == schools.CANNOT_ASSESS and table.loc["S3", "reason"] == "withheld"
    assert table.loc["S4", "status"] == schools.CANNOT_ASSESS and table.loc["S4", "reason"] == "missing"
    nyanl = schools.compare_to_national(result.data, 2016, group="nyanlanda")
    assert nyanl["status"].tolist() == [schools.CANNOT_ASSESS]


def test_malformed_rows_are_set_aside(tmp_path):
    body = (f"A skola;S1;Tensat;2016;9;{MERIT};{EXKL};25;230,5;228,0;;k\n"            # 2 unknown area
            f"A skola;S1;Tensta;2016;7;{MERIT};{EXKL};25;230,5;228,0;;k\n"            # 3 grade 7
            f"A skola;S1;Tensta;2016;9;Betyg i idrott;{EXKL};25;230,5;228,0;;k\n"     # 4 unknown measure
            f"A skola;S1;Tensta;2016;9;{MERIT};Pojkar;25;230,5;228,0;;k\n"             # 5 unknown group
            f"A skola;S1;Tensta;2016;9;{MERIT};{EXKL};25;hög;228,0;;k\n"               # 6 text in number
            f"A skola;S1;Tensta;2016;9;{MERIT};{EXKL};6;230,5;228,0;;k\n"              # 7 not suppressed
            f"A skola;S1;Tensta;2016;3;{MERIT};{EXKL};25;230,5;228,0;;k\n"             # 8 merit in grade 3
            f"A skola;S1;Tensta;2016;9;Andel godkända på nationella prov (%);{EXKL};25;130;88;;k\n"  # 9 > 100 %
            f"A skola;S1;Tensta;2016;9;{MERIT};{EXKL};25;230,5;228,0;;k\n"             # 10 fine
            f"A skola;S1;Tensta;2016;9;{MERIT};{EXKL};25;230,5;228,0;;k\n")            # 11 duplicate
    result = read(write(tmp_path, body))
    q = result.quarantine.drop_duplicates("row_number").set_index("row_number")
    assert set(q.index) == {2, 3, 4, 5, 6, 7, 8, 9, 11}
    assert q.loc[2, "column"] == "area" and "Tensta" in q.loc[2, "reason"]
    assert q.loc[4, "column"] == "measure" and q.loc[5, "column"] == "group"
    assert q.loc[6, "column"] == "value" and "text" in q.loc[6, "reason"]
    assert "färre än 10" in q.loc[7, "reason"]
    assert "årskursen" in q.loc[8, "reason"]
    assert "0–100" in q.loc[9, "reason"]
    assert "dubblett" in q.loc[11, "reason"]
    assert len(result.data) == 1 and result.rows_read == 10 and result.reconciles()


def test_generator_is_deterministic():
    a = demo_inputs.school_text(seed=7)
    assert a == demo_inputs.school_text(seed=7)
    assert a != demo_inputs.school_text(seed=8)
    shipped = clean.listed_path("schools").read_bytes()
    assert hashlib.sha256(shipped).digest() == hashlib.sha256(demo_inputs.school_text().encode("utf-8")).digest()


# --- issue 25: pupils passing and failing are protected counts ------------------------------------

def _groups(rows):
    """School rows of one school, year, grade and measure: (group, n, share, status)."""
    import pandas as pd

    return pd.DataFrame([{"school_id": "S1", "school": "Bandhagen norra skola", "area_code": "sd-bandhagen",
                          "year": 2019, "grade": 6, "measure": "np_godkand", "group": g, "n_pupils": n,
                          "value": v, "national": 80.0, "status": s, "unit": "procent"} for g, n, v, s in rows])


def test_implied_counts_agree_with_brute_force():
    import numpy as np

    rng = np.random.default_rng(25)
    for _ in range(300):
        n = int(rng.integers(1, 1500))
        k = int(rng.integers(0, n + 1))
        share = round(100 * k / n, 1)
        fits = [j for j in range(n + 1) if abs(100 * j / n - share) <= 0.05 + 1e-9]
        lo, hi = schools.implied_counts([share], [n])
        assert (lo[0], hi[0]) == (min(fits), max(fits))


def test_one_failing_pupil_of_twenty_is_hidden_and_the_total_with_it():
    """The issue's case: 95,0 % of 20 is 19 of 20, one pupil failed."""
    out = schools.protect(_groups([("alla", 32, 78.1, ""), ("exkl_nyanlanda", 20, 95.0, ""),
                                   ("nyanlanda", 12, 50.0, "")])).set_index("group")
    assert out.loc["exkl_nyanlanda", "status"] == "x" and out.loc["exkl_nyanlanda", "value"] != out.loc[
        "exkl_nyanlanda", "value"]
    # alla = exkl + nyanlända: with exkl alone hidden it would be alla − nyanlända; alla goes too
    assert out.loc["alla", "status"] == "x" and out.loc["nyanlanda", "status"] == ""


def test_skolverkets_ten_pupil_rule_is_kept_and_large_groups_shown():
    out = schools.protect(_groups([("alla", 60, 60.0, ""), ("exkl_nyanlanda", 52, 61.5, ""),
                                   ("nyanlanda", 8, 50.0, "")])).set_index("group")
    assert out.loc["nyanlanda", "status"] == "x"           # 4 of 8 is fine for the threshold, not for Skolverket
    assert out.loc["alla", "status"] == "x"                 # else nyanlända = alla − exkl
    assert out.loc["exkl_nyanlanda", "value"] == 61.5


def test_a_hidden_total_takes_the_smaller_member_with_it():
    out = schools.protect(_groups([("alla", 100, 97.0, ""), ("exkl_nyanlanda", 70, 80.0, ""),
                                   ("nyanlanda", 30, 50.0, "")])).set_index("group")
    assert list(out["status"]) == ["x", "", "x"]           # 3 of 100 failed; nyanlända (30) goes with it


def test_the_bundled_school_table_pins_no_small_count(processed):
    """What `evalkit clean` wrote: no shown share beside a shown base pins 1–4 pupils, or leaves 1–4."""
    from evalkit import data

    table = data.schools()
    shown = table[table["value"].notna() & table["status"].eq("") & table["unit"].eq("procent")]
    lo, hi = schools.implied_counts(shown["value"], shown["n_pupils"].astype(float))
    assert len(shown) > 1000
    assert not schools.small_count(lo, hi, shown["n_pupils"].astype(float)).any()
    assert (shown["n_pupils"] >= SUPPRESSION_LIMIT).all()


def _secondary_by_groups(frame, hidden, shown, n):
    """The secondary rule as it was written before issue 29, one groupby group at a time (reference)."""
    import numpy as np
    import pandas as pd

    hide = np.zeros(len(frame), dtype=bool)
    key = frame[schools.KEY].astype(str).agg("|".join, axis=1).to_numpy()
    frame_h = pd.DataFrame({"key": key, "group": frame["group"].to_numpy(), "hidden": hidden, "shown": shown,
                            "n": n, "pos": np.arange(len(frame))})
    for _, g in frame_h[frame_h["group"].isin((schools.TOTAL,) + schools.MEMBERS)].groupby("key", sort=False):
        if len(g) != 3 or g["hidden"].sum() != 1 or g["shown"].sum() != 2:
            continue
        if g.loc[g["hidden"], "group"].iloc[0] != schools.TOTAL:
            extra = g[g["group"] == schools.TOTAL]
        else:
            extra = g[g["group"].isin(schools.MEMBERS)].sort_values("n", kind="stable").head(1)
        hide[extra["pos"].to_numpy()] = True
    return hide


def test_secondary_rule_on_whole_arrays_equals_the_group_by_group_reference():
    """Random groups (complete and not, ties, unknown pupil counts, repeated groups): the same cells."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(29)
    for _ in range(20):
        size = int(rng.integers(1, 400))
        frame = pd.DataFrame({"school_id": rng.choice(["S1", "S2", "S3"], size), "year": rng.choice([2019, 2020], size),
                              "grade": rng.choice([6, 9], size), "measure": rng.choice(["a", "b"], size),
                              "group": rng.choice(["alla", "exkl_nyanlanda", "nyanlanda", "annan"], size)})
        n = np.where(rng.random(size) < 0.1, np.nan, rng.integers(0, 6, size).astype(float))
        hidden, shown = rng.random(size) < 0.3, rng.random(size) < 0.7
        expected = _secondary_by_groups(frame, hidden, shown, n)
        got = np.zeros(size, dtype=bool)
        got[schools._secondary(frame, hidden, shown, n)] = True
        assert (got == expected).all()
