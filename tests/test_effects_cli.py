"""`evalkit effects FILE`: the reports' estimators on a researcher's own panel.

Seeded panels with a planted effect are written the way researchers' files come (semicolon CSV
with Swedish headers and decimal commas, Excel with a title row, wide tables with a column per
year, PC-Axis and JSON-stat cubes), read back through the command line, and the planted effect
must be recovered; the point estimate and standard error must equal a statsmodels regression on
the same data; bad input must give one line and exit 2.
"""

import json

import numpy as np
import pandas as pd
import pytest

from evalkit import cli, geography
from evalkit.io import panel as io_panel

YEARS = range(2010, 2021)
START = 2015
EFFECT = -0.8
DRAWS = ["--permutations", "199", "--bootstrap", "199"]


def planted_panel(seed: int, effect: float = EFFECT, cohorts: dict | None = None) -> pd.DataFrame:
    """All 117 stadsdelar × 2010–2020: a rate (per 100) with area and year effects and noise, and
    ``effect`` added in the 21 programme stadsdelar from 2015 (or, with ``cohorts`` =
    {first_year: (n_areas, effect)}, in the first areas by name from each cohort's first year)."""
    rng = np.random.default_rng(seed)
    sd = geography.stadsdelar().sort_values("stadsdel_code")
    programme = set(geography.programme_stadsdelar())
    first = {}
    if cohorts:
        codes = list(sd["stadsdel_code"])
        i = 0
        for g, (n, _eff) in cohorts.items():
            for c in codes[i:i + n]:
                first[c] = g
            i += n
    year_fx = np.cumsum(rng.normal(0, 0.2, len(YEARS)))
    rows = []
    for code, name in zip(sd["stadsdel_code"], sd["stadsdel"]):
        level = 5 + rng.normal(0, 1) + (1 if code in programme else 0)
        pop = int(rng.integers(2_000, 30_000))
        for j, year in enumerate(YEARS):
            if cohorts:
                g = first.get(code, 0)
                add = cohorts[g][1] if g and year >= g else 0.0
            else:
                add = effect if (code in programme and year >= START) else 0.0
            rate = level + year_fx[j] + add + rng.normal(0, 0.3)
            rows.append((code, name, year, round(rate * pop / 100), pop, first.get(code, 0)))
    out = pd.DataFrame(rows, columns=["code", "stadsdel", "år", "antal_brott", "befolkning", "start"])
    out["andel"] = (out["antal_brott"] / out["befolkning"] * 100).round(4)
    return out


def swedish(x: float, decimals: int = 4) -> str:
    """A number as a Swedish file writes it: decimal comma, space between thousands."""
    text = f"{x:,.{decimals}f}" if decimals else f"{x:,.0f}"
    return text.replace(",", " ").replace(".", ",")


def write_semicolon(df: pd.DataFrame, path, extra: dict | None = None) -> None:
    """``stadsdel;år;antal_brott;befolkning`` with a title line above and a footnote below."""
    lines = ["Anmälda brott per stadsdel (exempel)", "stadsdel;år;antal_brott;befolkning"
             + (";" + ";".join(extra) if extra else "")]
    for r in df.itertuples(index=False):
        cells = [r.stadsdel, str(r.år), swedish(r.antal_brott, 0), swedish(r.befolkning, 0)]
        if extra:
            cells += [str(v(r)) for v in extra.values()]
        lines.append(";".join(cells))
    lines.append("Källa: påhittade data för evalkits tester")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(["effects", *map(str, argv)])
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys, *argv) -> dict:
    code, out, err = run(capsys, *argv, "--json", *DRAWS)
    assert code == 0, err
    return json.loads(out)


MAPPING = ["--area", "stadsdel", "--year", "år", "--numerator", "antal_brott", "--denominator", "befolkning"]


@pytest.fixture(scope="module")
def single():
    return planted_panel(seed=11)


@pytest.fixture(scope="module")
def csv_file(single, tmp_path_factory):
    path = tmp_path_factory.mktemp("panel") / "brott.csv"
    write_semicolon(single, path)
    return path


@pytest.fixture(scope="module")
def csv_result(csv_file):
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert cli.main(["effects", str(csv_file), *MAPPING, "--treated", "programme", "--json", *DRAWS]) == 0
    return json.loads(buf.getvalue())


def _covers(d: dict, effect: float) -> None:
    assert d["ci_low"] < effect < d["ci_high"]
    assert abs(d["estimate"] - effect) < 0.15


def test_semicolon_csv_with_swedish_headers_recovers_planted_effect(csv_result):
    r = csv_result
    _covers(r["did"], EFFECT)
    assert r["did"]["p_value"] < 0.01
    assert (r["did"]["n_areas"], r["did"]["n_treated"]) == (117, 21)
    assert r["ri"]["p_value"] < 0.05 and r["ri"]["estimate"] == pytest.approx(r["did"]["estimate"], rel=1e-8)
    _covers(r["wild_bootstrap"], EFFECT)
    assert r["rows"] == {"read": 117 * len(YEARS), "used": 117 * len(YEARS), "set_aside": 0}


def test_json_has_the_documented_keys_with_numbers(csv_result):
    for key in ("estimate", "se", "ci_low", "ci_high", "p_value", "n_areas", "n_treated"):
        assert isinstance(csv_result["did"][key], (int, float)), key
    assert {"ri", "wild_bootstrap", "event_study"} <= set(csv_result)
    years = [e["year"] for e in csv_result["event_study"]]
    assert years == list(YEARS)
    ref = [e for e in csv_result["event_study"] if e["reference"]]
    assert [e["year"] for e in ref] == [START - 1] and ref[0]["estimate"] == 0
    post = [e["estimate"] for e in csv_result["event_study"] if e["year"] >= START]
    pre = [e["estimate"] for e in csv_result["event_study"] if e["year"] < START - 1]
    assert abs(np.mean(post) - EFFECT) < 0.2 and max(map(abs, pre)) < 0.3
    assert isinstance(csv_result["wild_bootstrap"]["p_value"], float)


def test_estimate_and_se_equal_statsmodels_on_the_same_data(single, csv_result):
    """Known answer computed another way: OLS with area and year dummies in statsmodels, CR1
    clustered by stadsdelsområde. Same estimate; the SE differs only by the documented small-sample factor
    (statsmodels counts the area dummies, pyfixest does not: they are nested in the clusters)."""
    import statsmodels.formula.api as smf

    q = single.assign(y=single["antal_brott"] / single["befolkning"] * 100,
                      d=lambda d: (d["code"].isin(geography.programme_stadsdelar()) & (d["år"] >= START)).astype(int))
    q = q.rename(columns={"år": "year"})
    # clustered by the assignment unit: the stadsdelsområde (era 2007) of each stadsdel
    boroughs = q["code"].map(lambda c: geography.borough_of(c, "2007"))
    fit = smf.ols("y ~ d + C(code) + C(year)", data=q).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(boroughs)[0]}, use_t=True)
    did = csv_result["did"]
    assert (did["cluster_level"], did["n_clusters"], did["n_treated_clusters"]) == ("stadsdelsomrade", 14, 6)
    assert csv_result["settings"]["cluster"] == "stadsdelsomrade" and did["df"] == 13
    assert did["estimate"] == pytest.approx(float(fit.params["d"]), rel=1e-8)
    N, G, T = len(q), q["code"].nunique(), q["year"].nunique()
    factor = np.sqrt((N - T) / (N - T - G))
    assert float(fit.bse["d"]) == pytest.approx(did["se"] * factor, rel=2e-3)


def test_population_weights_equal_statsmodels_wls(single, csv_file, capsys):
    import statsmodels.formula.api as smf

    r = run_json(capsys, csv_file, *MAPPING, "--treated", "programme", "--weights", "population")
    q = single.assign(y=single["antal_brott"] / single["befolkning"] * 100,
                      d=lambda d: (d["code"].isin(geography.programme_stadsdelar()) & (d["år"] >= START)).astype(int))
    fit = smf.wls("y ~ d + C(code) + C(år)", data=q, weights=q["befolkning"]).fit()
    assert r["did"]["estimate"] == pytest.approx(float(fit.params["d"]), rel=1e-8)
    assert r["settings"]["weights"] == "population"


def test_swedish_table_and_same_output_twice(csv_file, capsys):
    code, first, _ = run(capsys, csv_file, *MAPPING, "--treated", "programme", *DRAWS)
    assert code == 0
    assert "Skillnad i skillnader" in first and "Randomiseringsinferens" in first and "95 % KI" in first
    assert "lästa 1 287, använda 1 287, undantagna 0 (stämmer)" in first.replace("\u00a0", " ")
    assert "0,8" in first  # decimal comma, the planted −0,8
    _, second, _ = run(capsys, csv_file, *MAPPING, "--treated", "programme", *DRAWS)
    assert first == second  # seeded: same inputs, same output


def test_treated_as_comma_list_and_as_file_give_the_programme_result(csv_file, csv_result, capsys, tmp_path):
    codes = geography.programme_stadsdelar()
    names = ",".join(geography.area_name(c) for c in codes)
    by_names = run_json(capsys, csv_file, *MAPPING, "--treated", names, "--start", START)
    listing = tmp_path / "behandlade.txt"
    listing.write_text("# programmets stadsdelar\n" + "\n".join(codes) + "\n", encoding="utf-8")
    by_file = run_json(capsys, csv_file, *MAPPING, "--treated", listing, "--start", START)
    for r in (by_names, by_file):
        assert r["did"] == csv_result["did"]
    fewer = run_json(capsys, csv_file, *MAPPING, "--treated", "Husby,Rinkeby,sd-tensta", "--start", START)
    assert fewer["did"]["n_treated"] == 3


def test_excel_with_title_row_recovers_planted_effect(single, tmp_path, capsys):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Brott"
    ws.append(["Anmälda brott per 100 invånare, exempel"])
    ws.append([])
    ws.append(["Stadsdel", "År", "Andel"])
    for r in single.itertuples(index=False):
        ws.append([r.stadsdel, r.år, float(r.andel)])
    ws.append(["Källa: påhittade data"])
    path = tmp_path / "brott.xlsx"
    wb.save(path)
    r = run_json(capsys, path, "--area", "Stadsdel", "--year", "År", "--value", "Andel", "--treated", "programme")
    _covers(r["did"], EFFECT)
    assert r["rows"]["used"] == 117 * len(YEARS)


def test_wide_files_with_years_as_columns(single, tmp_path, capsys):
    """Plain year columns hold one measure (named by --value); prefixed ones ("antal 2015",
    "befolkning 2015") hold one measure per prefix."""
    share = single.pivot(index="stadsdel", columns="år", values="andel")
    lines = ["Stadsdel;" + ";".join(map(str, share.columns))]
    lines += [f"{a};" + ";".join(swedish(v) for v in row) for a, row in zip(share.index, share.to_numpy())]
    plain = tmp_path / "andel_bred.csv"
    plain.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run_json(capsys, plain, "--area", "Stadsdel", "--value", "andel", "--treated", "programme")
    _covers(r["did"], EFFECT)
    assert r["rows"]["read"] == 117 * len(YEARS)

    num = single.pivot(index="stadsdel", columns="år", values="antal_brott")
    den = single.pivot(index="stadsdel", columns="år", values="befolkning")
    head = ["stadsdel"] + [f"antal {y}" for y in num.columns] + [f"befolkning {y}" for y in den.columns]
    lines = [";".join(head)] + [";".join([a] + [str(v) for v in n] + [str(v) for v in d])
                                for a, n, d in zip(num.index, num.to_numpy(), den.to_numpy())]
    prefixed = tmp_path / "brott_bred.csv"
    prefixed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r2 = run_json(capsys, prefixed, "--area", "stadsdel", "--numerator", "antal", "--denominator", "befolkning",
                  "--treated", "programme")
    _covers(r2["did"], EFFECT)


COHORTS = {2012: (15, 1.0), 2016: (15, -0.5)}


def test_staggered_cohorts_recover_planted_effects(tmp_path, capsys):
    df = planted_panel(seed=12, cohorts=COHORTS)
    path = tmp_path / "kohorter.csv"
    write_semicolon(df, path, extra={"startår": lambda r: r.start or ""})
    r = run_json(capsys, path, *MAPPING, "--cohort", "startår")
    by_year = {c["first_year"]: c for c in r["cohorts"]}
    for g, (n, eff) in COHORTS.items():
        _covers(by_year[g], eff)
        assert by_year[g]["n_treated"] == n
    # the pooled ATT is the average over treated area-years
    treated = df[(df["start"] > 0) & (df["år"] >= df["start"])]
    att = treated["start"].map({g: e for g, (_n, e) in COHORTS.items()}).mean()
    _covers(r["did"], att)
    assert r["did"]["estimator"] == "did2s"
    assert r["ri"]["estimator"] == r["wild_bootstrap"]["estimator"] == "cs_simple"
    _covers(r["callaway_santanna"]["simple"], att)
    paths = pd.DataFrame(r["event_study"])
    assert set(paths["first_year"]) == set(COHORTS)
    post = paths[(paths["relative"] >= 0) & (paths["first_year"] == 2012)]
    assert abs(post["estimate"].mean() - 1.0) < 0.2
    code, text, _ = run(capsys, path, *MAPPING, "--cohort", "startår")
    assert code == 0 and "kohort 2012" in text and "Sun–Abraham" in text


def test_symbols_and_text_cells_are_set_aside_and_counted(single, tmp_path, capsys):
    df = single.copy()
    path = tmp_path / "luckor.csv"
    write_semicolon(df, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = ";".join(lines[2].split(";")[:2] + ["..", lines[2].split(";")[3]])   # file line 3
    lines[5] = ";".join(lines[5].split(";")[:3] + ["många"])                        # file line 6
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run_json(capsys, path, *MAPPING, "--treated", "programme")
    assert r["rows"] == {"read": 1287, "used": 1285, "set_aside": 2}
    code, text, _ = run(capsys, path, *MAPPING, "--treated", "programme", *DRAWS)
    assert code == 0
    assert "luckor.csv\trad 3\tantal_brott\t..\tingen uppgift (..)" in text
    assert "luckor.csv\trad 6\tbefolkning\tmånga\ttext i en talkolumn" in text


def test_csv_output(csv_file, tmp_path, capsys):
    out = tmp_path / "skattningar.csv"
    code, _, _ = run(capsys, csv_file, *MAPPING, "--treated", "programme", "--csv", out, *DRAWS)
    assert code == 0
    table = pd.read_csv(out)
    assert {"twfe", "ri", "wild_bootstrap", "event_study"} <= set(table["estimator"])
    assert table.loc[table["estimator"] == "twfe", "estimate"].iloc[0] < 0


# ---------------------------------------------------------------- bad input: one line, exit 2


def _one_line_exit_2(capsys, *argv) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == "" and err.count("\n") == 1 and err.startswith("fel: ")
    return err


def test_unknown_area_names_stop_with_one_line_listing_them(single, tmp_path, capsys):
    df = single.copy()
    df.loc[df["stadsdel"] == "Husby", "stadsdel"] = "Husbyy"
    df.loc[df["stadsdel"] == "Tensta", "stadsdel"] = "Atlantis"
    path = tmp_path / "okanda.csv"
    write_semicolon(df, path)
    err = _one_line_exit_2(capsys, path, *MAPPING, "--treated", "programme")
    assert "'Husbyy'" in err and "'Atlantis'" in err and "okända områden" in err


def test_ambiguous_names_need_a_level_unless_the_column_says_it(single, tmp_path, capsys):
    path = tmp_path / "omrade.csv"
    write_semicolon(single.assign(omrade=single["stadsdel"]), path)
    text = path.read_text(encoding="utf-8").replace("stadsdel;år", "område;år", 1)
    path.write_text(text, encoding="utf-8")
    mapping = ["--area", "område"] + MAPPING[2:]
    err = _one_line_exit_2(capsys, path, *mapping, "--treated", "programme")
    assert "tvetydiga" in err and "'Skärholmen'" in err and "--level" in err
    r = run_json(capsys, path, *mapping, "--treated", "programme", "--level", "stadsdel")
    assert r["did"]["n_areas"] == 117


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary\x00", b"a;b\n1;2\n"])
def test_unreadable_files_exit_2_with_one_line(content, tmp_path, capsys):
    path = tmp_path / "trasig.csv"
    path.write_bytes(content)
    _one_line_exit_2(capsys, path, *MAPPING, "--treated", "programme")


def test_missing_file_broken_excel_and_bad_mapping_exit_2(csv_file, tmp_path, capsys):
    _one_line_exit_2(capsys, tmp_path / "finns_inte.csv", *MAPPING, "--treated", "programme")
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    _one_line_exit_2(capsys, broken, *MAPPING, "--treated", "programme")
    err = _one_line_exit_2(capsys, csv_file, "--area", "stadsdel", "--year", "år", "--numerator", "brott",
                           "--denominator", "befolkning", "--treated", "programme")
    assert "'brott'" in err
    _one_line_exit_2(capsys, csv_file, *MAPPING)  # neither --treated nor --cohort
    _one_line_exit_2(capsys, csv_file, *MAPPING, "--treated", "Husby")  # no --start
    _one_line_exit_2(capsys, csv_file, *MAPPING, "--treated", "Husby", "--start", 2030)  # no post years
    err = _one_line_exit_2(capsys, csv_file, *MAPPING, "--treated", "Husby,Nangijala", "--start", START)
    assert "Nangijala" in err


def test_duplicate_area_year_exit_2_naming_rows(single, tmp_path, capsys):
    path = tmp_path / "dubbel.csv"
    write_semicolon(pd.concat([single, single.iloc[[0]]]), path)
    err = _one_line_exit_2(capsys, path, *MAPPING, "--treated", "programme")
    assert "rad" in err and "Abrahamsberg 2010" in err


# ---------------------------------------------------------------- other formats and the library API


def test_pcaxis_cube_with_a_contents_variable(single, tmp_path):
    """PC-Axis: the measures are categories of "tabellinnehåll", spread into columns."""
    sub = single[single["stadsdel"].isin(["Husby", "Skärholmen", "Tensta"]) & single["år"].isin([2014, 2015])]
    areas, years = ["Husby", "Skärholmen", "Tensta"], ["2014", "2015"]
    cells = []
    for a in areas:
        for what in ("antal_brott", "befolkning"):
            for y in years:
                v = sub[(sub["stadsdel"] == a) & (sub["år"] == int(y))][what].iloc[0]
                cells.append('".."' if (a, what, y) == ("Tensta", "antal_brott", "2015") else str(v))
    px = (f'CHARSET="ANSI";\nMATRIX="X";\nTITLE="Brott";\nCONTENTS="Brott";\nUNITS="antal";\n'
          f'STUB="stadsdel","tabellinnehåll";\nHEADING="år";\n'
          f'VALUES("stadsdel")={",".join(chr(34) + a + chr(34) for a in areas)};\n'
          f'VALUES("tabellinnehåll")="antal_brott","befolkning";\n'
          f'VALUES("år")="2014","2015";\nDATA=\n' + " ".join(cells) + ";\n")
    path = tmp_path / "brott.px"
    path.write_bytes(px.encode("cp1252"))
    read = io_panel.read_panel(path, area="stadsdel", year="år", numerator="antal_brott", denominator="befolkning")
    assert read.rows_read == 6 and len(read.data) == 5 and read.reconciles()
    assert read.set_aside["reason"].tolist() == ["ingen uppgift (..)"]
    row = read.data[(read.data["area"] == "Skärholmen") & (read.data["year"] == 2015)].iloc[0]
    truth = sub[(sub["stadsdel"] == "Skärholmen") & (sub["år"] == 2015)].iloc[0]
    assert (row["numerator"], row["denominator"]) == (truth["antal_brott"], truth["befolkning"])


def test_jsonstat_single_measure(tmp_path):
    doc = {"version": "2.0", "class": "dataset", "id": ["Region", "Tid"], "size": [2, 2],
           "dimension": {"Region": {"label": "region", "category": {"index": ["sd-husby", "sd-tensta"],
                                                                     "label": {"sd-husby": "Husby",
                                                                               "sd-tensta": "Tensta"}}},
                         "Tid": {"label": "år", "category": {"index": ["2014", "2015"]}}},
           "value": [12.5, 11.0, None, 9.5], "status": {"2": ".."}}
    path = tmp_path / "andel.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    read = io_panel.read_panel(path, area="region", year="år", value="andel")
    assert read.data["value"].tolist() == [12.5, 11.0, 9.5]
    assert read.set_aside["row_number"].tolist() == [3] and read.reconciles()


def test_library_api_matches_the_command(csv_file, csv_result, single):
    import evalkit
    from evalkit import results
    from evalkit.analysis import panel_effects

    assert (panel_effects.DEFAULT_SEED, panel_effects.DEFAULT_DRAWS) == (results.SEED, results.N_DRAWS)
    run_ = evalkit.effects(csv_file, area="stadsdel", year="år", numerator="antal_brott", denominator="befolkning",
                           treated="programme", permutations=199, bootstrap=199)
    assert run_.effects.did["estimate"] == pytest.approx(csv_result["did"]["estimate"], rel=1e-12)
    frame = single.assign(y=single["antal_brott"] / single["befolkning"] * 100,
                          t=single["code"].isin(geography.programme_stadsdelar()).astype(int),
                          b=single["code"].map(lambda c: geography.borough_of(c, "2007")))
    direct = evalkit.effects_for_panel(frame, area="code", year="år", value="y", treated="t", start=START,
                                       permutations=199, bootstrap=199, cluster="b", cluster_level="stadsdelsomrade")
    assert direct.did["estimate"] == pytest.approx(csv_result["did"]["estimate"], rel=1e-10)
    assert direct.ri["p_value"] == csv_result["ri"]["p_value"]


def test_no_geography_takes_own_codes(single, tmp_path, capsys):
    own = single.assign(stadsdel="omr-" + single["code"].str[3:])
    path = tmp_path / "egna.csv"
    write_semicolon(own, path)
    treated = ",".join("omr-" + c[3:] for c in geography.programme_stadsdelar())
    r = run_json(capsys, path, *MAPPING, "--no-geography", "--treated", treated, "--start", START)
    _covers(r["did"], EFFECT)
    _one_line_exit_2(capsys, path, *MAPPING, "--no-geography", "--treated", "programme")


# ---------------------------------------------------------------- the specification flags (issue 27)

SMALL_YEARS = range(2008, 2019)
FEW_DRAWS = ["--permutations", "49", "--bootstrap", "49"]


def small_panel(seed: int = 5, n: int = 40, treated: int = 12) -> pd.DataFrame:
    """Own area codes (``--no-geography``), 2008–2018: region × year shocks, a time-varying
    covariate that moves the outcome, unequal populations, and EFFECT in the first ``treated``
    areas from their ``start`` (2013 or 2015: staggered for the cohort tests; the single-start
    tests compare with a regression on the same data, not with the planted value)."""
    rng = np.random.default_rng(seed)
    rows = []
    region_year = rng.normal(0, 0.4, (4, len(SMALL_YEARS)))
    for i in range(n):
        region = i % 4
        a = rng.normal(5, 1)
        pop = float(rng.integers(500, 20_000))
        g = (2013 if i % 2 else 2015) if i < treated else 0
        for j, year in enumerate(SMALL_YEARS):
            x = rng.normal(0, 1) + 0.1 * j
            y = (a + 0.05 * j + region_year[region, j] + 0.5 * x + (EFFECT if g and year >= g else 0.0)
                 + rng.normal(0, 0.3))
            rows.append((f"o{i:02d}", year, y, pop * (1 + 0.01 * j), f"r{region}", x, g, int(i < treated)))
    return pd.DataFrame(rows, columns=["omr", "ar", "y", "pop", "region", "x", "start", "treated"])


@pytest.fixture(scope="module")
def small():
    return small_panel()


@pytest.fixture(scope="module")
def small_file(small, tmp_path_factory):
    path = tmp_path_factory.mktemp("spec") / "egen.csv"
    small.drop(columns="treated").to_csv(path, sep=";", decimal=",", index=False)
    return path


SMALL_MAP = ["--area", "omr", "--year", "ar", "--value", "y", "--no-geography"]


def _small_treated(small) -> str:
    return ",".join(sorted(small.loc[small["treated"] == 1, "omr"].unique()))


def _small_json(capsys, small_file, small, *flags) -> dict:
    code, out, err = run(capsys, small_file, *SMALL_MAP, "--treated", _small_treated(small), "--start", START,
                         *flags, "--json", *FEW_DRAWS)
    assert code == 0, err
    return json.loads(out)


def _ols(q: pd.DataFrame, formula: str, groups=None, weights=None):
    """The independent reference: statsmodels OLS/WLS with dummies, CR1 by ``groups``."""
    import statsmodels.formula.api as smf

    model = smf.wls(formula, data=q, weights=weights) if weights is not None else smf.ols(formula, data=q)
    g = pd.factorize(q["omr"] if groups is None else groups)[0]
    return model.fit(cov_type="cluster", cov_kwds={"groups": g}, use_t=True)


def _did_frame(small, years=None) -> pd.DataFrame:
    q = small.assign(d=lambda d: d["treated"] * (d["ar"] >= START))
    return q[q["ar"].isin(set(years))] if years is not None else q


def test_help_lists_the_specification_flags(capsys):
    with pytest.raises(SystemExit):
        cli.main(["effects", "--help"])
    text = capsys.readouterr().out
    for flag in ("--cluster", "--covariates", "--fe", "--window", "--reference-year", "--control", "--conf-level",
                 "--trends", "--exclude-years", "--no-geography"):
        assert flag in text, flag


def test_cluster_column_equals_statsmodels_clustered_by_it(small, small_file, capsys):
    r = _small_json(capsys, small_file, small, "--cluster", "region")
    q = _did_frame(small)
    fit = _ols(q, "y ~ d + C(omr) + C(ar)", groups=q["region"])
    assert r["did"]["estimate"] == pytest.approx(float(fit.params["d"]), rel=1e-8)
    N, G, T = len(q), q["omr"].nunique(), q["ar"].nunique()
    assert float(fit.bse["d"]) == pytest.approx(r["did"]["se"] * np.sqrt((N - T) / (N - T - G)), rel=2e-3)
    assert (r["settings"]["cluster"], r["settings"]["n_clusters"], r["did"]["df"]) == ("region", 4, 3)
    default = _small_json(capsys, small_file, small)
    assert default["settings"]["cluster"] == "area" and default["settings"]["n_clusters"] == 40


def test_covariates_equal_statsmodels_and_carry_the_bad_control_note(small, small_file, capsys):
    r = _small_json(capsys, small_file, small, "--covariates", "x")
    fit = _ols(_did_frame(small), "y ~ d + x + C(omr) + C(ar)")
    assert r["did"]["estimate"] == pytest.approx(float(fit.params["d"]), rel=1e-8)
    assert r["settings"]["covariates"] == ["x"] and "dåliga kontroller" in r["settings"]["notes"][0]
    # RI and the bootstrap partial the covariate out too: the same estimate
    assert r["ri"]["estimate"] == pytest.approx(r["did"]["estimate"], rel=1e-8)
    assert r["wild_bootstrap"]["estimate"] == pytest.approx(r["did"]["estimate"], rel=1e-8)


def test_region_by_year_fixed_effects_equal_statsmodels(small, small_file, capsys):
    r = _small_json(capsys, small_file, small, "--fe", "region^ar")
    fit = _ols(_did_frame(small), "y ~ d + C(omr) + C(region):C(ar)")
    assert r["did"]["estimate"] == pytest.approx(float(fit.params["d"]), rel=1e-8)
    assert r["ri"]["estimate"] == pytest.approx(r["did"]["estimate"], rel=1e-8)


def test_window_and_excluded_years_set_rows_aside_and_equal_statsmodels_on_the_rest(small, small_file, capsys):
    r = _small_json(capsys, small_file, small, "--window", "-3", "2")
    years = range(START - 3, START + 3)
    fit = _ols(_did_frame(small, years), "y ~ d + C(omr) + C(ar)")
    assert r["did"]["estimate"] == pytest.approx(float(fit.params["d"]), rel=1e-8)
    outside = len(small) - 40 * len(years)
    assert r["rows"] == {"read": len(small), "used": 40 * len(years), "set_aside": outside}
    assert r["did"]["n_obs"] == r["settings"]["n_obs"] == 40 * len(years)
    assert {a["reason"] for a in r["set_aside"]} == {"året ligger utanför --window"}
    ex = _small_json(capsys, small_file, small, "--exclude-years", "2015,2016")
    kept = [y for y in SMALL_YEARS if y not in (2015, 2016)]
    fit = _ols(_did_frame(small, kept), "y ~ d + C(omr) + C(ar)")
    assert ex["did"]["estimate"] == pytest.approx(float(fit.params["d"]), rel=1e-8)
    assert ex["rows"]["set_aside"] == 80 and ex["did"]["n_obs"] == 40 * len(kept)


def test_reference_year_gives_the_hand_computed_difference_of_gaps(small, small_file, capsys):
    r = _small_json(capsys, small_file, small, "--reference-year", "2011")
    gap = small.groupby(["ar", "treated"])["y"].mean().unstack()
    gap = gap[1] - gap[0]
    rows = {e["year"]: e for e in r["event_study"]}
    assert rows[2011]["reference"] and r["settings"]["reference_year"] == 2011
    for year in (2009, 2014, 2017):
        assert rows[year]["estimate"] == pytest.approx(gap[year] - gap[2011], abs=1e-8)


def test_conf_level_gives_t_intervals_on_g_minus_1(small, small_file, capsys):
    from scipy import stats

    r = _small_json(capsys, small_file, small, "--conf-level", "0.9")
    d = r["did"]
    t = stats.t.ppf(0.95, 39)
    assert d["ci_low"] == pytest.approx(d["estimate"] - t * d["se"], rel=1e-10)
    assert d["ci_high"] == pytest.approx(d["estimate"] + t * d["se"], rel=1e-10)
    code, text, _ = run(capsys, small_file, *SMALL_MAP, "--treated", _small_treated(small), "--start", START,
                        "--conf-level", "0.9", *FEW_DRAWS)
    assert code == 0 and "90 % KI" in text


def test_trends_equal_statsmodels_with_area_trends(small, small_file, capsys):
    r = _small_json(capsys, small_file, small, "--trends")
    fit = _ols(_did_frame(small).assign(t=lambda d: d["ar"] - d["ar"].mean()), "y ~ d + C(omr) + C(ar) + C(omr):t")
    assert r["did"]["estimate"] == pytest.approx(float(fit.params["d"]), rel=1e-6)
    assert r["settings"]["trends"] is True


def _hand_att(small: pd.DataFrame, g: int, t: int, base: int, control: str, weights: bool) -> float:
    """ATT(g,t) as a hand 2×2: mean change of cohort g minus mean change of the comparison areas."""
    wide = small.pivot(index="omr", columns="ar", values="y")
    first = small.groupby("omr")["start"].first()
    w = small.groupby("omr")["pop"].mean() if weights else pd.Series(1.0, index=wide.index)
    change = wide[t] - wide[base]
    treated = first == g
    ctl = (first == 0) if control == "never" else ((first == 0) | ((first > max(t, base)) & (first != g)))
    mean = lambda m: float((change[m] * w[m]).sum() / w[m].sum())  # noqa: E731
    return mean(treated) - mean(ctl)


@pytest.mark.parametrize("weights", ["none", "population"])
@pytest.mark.parametrize("control", ["never", "notyet"])
def test_callaway_santanna_cells_equal_hand_2x2(small, small_file, capsys, weights, control):
    code, out, err = run(capsys, small_file, *SMALL_MAP, "--denominator", "pop", "--cohort", "start",
                         "--weights", weights, "--control", control, "--json", *FEW_DRAWS)
    assert code == 0, err
    cs = json.loads(out)["callaway_santanna"]
    cells = pd.DataFrame(cs["cells"])
    assert set(cells["first_year"]) == {2013, 2015}
    for c in cells.itertuples():
        hand = _hand_att(small, c.first_year, c.year, c.base_year, control, weights == "population")
        assert c.estimate == pytest.approx(hand, abs=1e-9), (c.first_year, c.year)
    # simple aggregation: post cells weighted by cohort size (weighted: by the cohorts' weight)
    post = cells[cells["post"]]
    size = small.groupby("omr").agg(g=("start", "first"), w=("pop", "mean"))
    by_g = size.groupby("g")["w"].sum() if weights == "population" else size.groupby("g").size()
    hand = float((post["estimate"] * post["first_year"].map(by_g)).sum() / post["first_year"].map(by_g).sum())
    assert cs["simple"]["estimate"] == pytest.approx(hand, abs=1e-9)
    assert cs["simple"]["ci_low"] < EFFECT < cs["simple"]["ci_high"]  # region × year shocks: wide interval


def test_callaway_santanna_cell_se_equals_statsmodels_on_the_2x2(small):
    """The influence-function SE of one ATT(g,t) is the cluster-robust SE of the 2×2 regression of
    the change on a cohort dummy (no small-sample correction), times sqrt(G/(G−1))."""
    import statsmodels.formula.api as smf

    from evalkit.analysis import panel_effects, staggered

    frame = small.rename(columns={"omr": "area", "ar": "year"})
    panel, first, _ = panel_effects.to_panel(frame, value="y", first_year="start")
    res = staggered.callaway_santanna(panel, first)
    cell = res.cells.query("first_year == 2015 and year == 2017").iloc[0]
    wide = small.pivot(index="omr", columns="ar", values="y")
    g = small.groupby("omr")["start"].first()
    q = pd.DataFrame({"dy": wide[2017] - wide[2014], "tr": (g == 2015).astype(float)})[(g == 2015) | (g == 0)]
    fit = smf.ols("dy ~ tr", data=q).fit(cov_type="cluster", cov_kwds={"groups": np.arange(len(q)),
                                                                        "use_correction": False})
    G = res.n_clusters
    assert cell["estimate"] == pytest.approx(float(fit.params["tr"]), abs=1e-10)
    assert cell["se"] == pytest.approx(float(fit.bse["tr"]) * np.sqrt(G / (G - 1)), rel=1e-8)


def test_staggered_inference_and_pooled_path(small, small_file, capsys):
    code, out, err = run(capsys, small_file, *SMALL_MAP, "--cohort", "start", "--json", *FEW_DRAWS)
    assert code == 0, err
    r = json.loads(out)
    cs = r["callaway_santanna"]
    assert r["ri"]["n_perm"] == 49 and 0 < r["ri"]["p_value"] <= 1
    assert r["wild_bootstrap"]["ci_low"] < cs["simple"]["estimate"] < r["wild_bootstrap"]["ci_high"]
    assert 0 <= cs["pretrend"]["p_value"] <= 1 and r["settings"]["pretrend_p"] == cs["pretrend"]["p_value"]
    dyn = {e["relative"]: e for e in cs["dynamic"]}
    assert abs(dyn[0]["estimate"] - EFFECT) < 0.4
    # the pooled path: at each event time the cohort-size weighted mean of that event time's cells
    cells = pd.DataFrame(cs["cells"])
    sizes = small.groupby("omr")["start"].first().value_counts()
    for e, part in cells.groupby("relative"):
        hand = float((part["estimate"] * part["first_year"].map(sizes)).sum() / part["first_year"].map(sizes).sum())
        assert dyn[e]["estimate"] == pytest.approx(hand, abs=1e-10), e
    code, text, _ = run(capsys, small_file, *SMALL_MAP, "--cohort", "start", *FEW_DRAWS)
    assert code == 0 and "Callaway–Sant'Anna, enkel sammanvägning" in text and "Sammanvägd händelsestudie" in text


def test_api_takes_the_flag_names_and_returns_set_aside_rows(small, tmp_path):
    """``no_geography``, ``conf_level``, ``outcome``: the flags' names; a NaN outcome and a negative
    value under log come back with reasons and every count agrees."""
    import evalkit

    bad = small.drop(columns="treated").copy()
    bad.loc[3, "y"] = np.nan
    bad.loc[7, "y"] = -1.0
    path = tmp_path / "luckor.csv"
    bad.to_csv(path, sep=";", decimal=",", index=False)
    run_ = evalkit.effects(path, area="omr", year="ar", value="y", no_geography=True, treated=_small_treated(small),
                           start=START, outcome="log", conf_level=0.9, permutations=19, bootstrap=19)
    aside = run_.read.set_aside
    reasons = dict(zip(aside["row_number"], aside["reason"]))
    assert reasons[5] == "värdet saknas"  # file line 5 = frame row 3 (header on line 1)
    assert reasons[9] == "utfallet är 0 eller negativt och kan inte logaritmeras"
    n_used = len(small) - 2
    assert run_.effects.did["n_obs"] == run_.effects.settings["n_obs"] == len(run_.panel) == n_used
    assert run_.as_dict()["rows"] == {"read": len(small), "used": n_used, "set_aside": 2}
    assert run_.effects.settings["conf_level"] == 0.9
    frame = bad.assign(t=bad["treated"] if "treated" in bad else small["treated"])
    direct = evalkit.effects_for_panel(frame, area="omr", year="ar", value="y", treated="t", start=START,
                                       outcome="log", permutations=19, bootstrap=19)
    assert list(direct.set_aside["reason"]) == ["utfallet saknas",
                                                "utfallet är 0 eller negativt och kan inte logaritmeras"]
    assert direct.did["n_obs"] == direct.settings["n_obs"] == n_used
    with pytest.raises(TypeError):
        evalkit.effects(path, area="omr", year="ar", value="y", registry=False, treated="o01", start=START)


def test_staggered_specification_flags(small, small_file, capsys):
    """With --cohort: --window limits the event-study paths (no rows set aside), --cluster counts
    its clusters in every t, and CS (no covariates, no extra fixed effects) steps aside with a note."""
    base = [small_file, *SMALL_MAP, "--cohort", "start"]
    code, out, err = run(capsys, *base, "--window", "-2", "1", "--cluster", "region", "--json", *FEW_DRAWS)
    assert code == 0, err
    r = json.loads(out)
    assert r["rows"]["set_aside"] == 0
    assert {e["relative"] for e in r["event_study"]} <= set(range(-2, 2))
    assert [e["relative"] for e in r["callaway_santanna"]["dynamic"]] == [-2, -1, 0, 1]
    assert r["callaway_santanna"]["n_clusters"] == r["settings"]["n_clusters"] == 4
    for flag in (["--covariates", "x"], ["--fe", "region^ar"]):
        code, out, err = run(capsys, *base, *flag, "--json", *FEW_DRAWS)
        assert code == 0, err
        r = json.loads(out)
        assert r["callaway_santanna"] is None and r["ri"] is None and r["did"]["estimator"] == "did2s"
        assert "Callaway–Sant'Anna" in r["settings"]["notes"][-1]
    err = _one_line_exit_2(capsys, *base, "--trends")
    assert "gemensamt startår" in err


def borough_shock_panel(seed: int, shock: float = 1.0) -> pd.DataFrame:
    """No effect at all, but shocks that hit a whole stadsdelsområde in a year (sd ``shock``)."""
    rng = np.random.default_rng(seed)
    sd = geography.stadsdelar().sort_values("stadsdel_code")
    boroughs = sorted(sd["sdo_2007"].unique())
    u = {(b, y): rng.normal(0, shock) for b in boroughs for y in YEARS}
    programme = set(geography.programme_stadsdelar())
    year_fx = np.cumsum(rng.normal(0, 0.2, len(YEARS)))
    rows = []
    for code, name, b in zip(sd["stadsdel_code"], sd["stadsdel"], sd["sdo_2007"]):
        level = 5 + rng.normal(0, 1) + (1 if code in programme else 0)
        pop = int(rng.integers(2_000, 30_000))
        for j, year in enumerate(YEARS):
            rate = level + year_fx[j] + u[(b, year)] + rng.normal(0, 0.3)
            rows.append((code, name, year, round(rate * pop / 100), pop, 0))
    return pd.DataFrame(rows, columns=["code", "stadsdel", "år", "antal_brott", "befolkning", "start"])


def test_borough_shocks_without_effect_are_not_called_significant(tmp_path, capsys):
    """Issue 24: a panel with borough-year shocks and no effect. Seed 3 is one where stadsdel
    clustering gives p < 0,001 and even borough-clustered CRV1 gives p ≈ 0,04; the headline
    (randomisation over the 3 003 ways to pick 6 of 14 boroughs) must not call it significant, the
    clustered p must not be printed, and the JSON must say why."""
    path = tmp_path / "chocker.csv"
    write_semicolon(borough_shock_panel(seed=3), path)
    r = run_json(capsys, path, *MAPPING, "--treated", "programme")
    did = r["did"]
    assert r["cluster_level"] == "stadsdelsomrade" and did["n_treated_clusters"] == 6
    assert did["p_method"] == "ri" and did["p_headline"] >= 0.05
    assert r["ri"]["exact"] and r["ri"]["n_perm"] == 3003
    assert {"few_treated_clusters", "crv1_not_headlined"} <= set(r["warnings"])
    assert r["wild_bootstrap"]["ci_low"] < 0 < r["wild_bootstrap"]["ci_high"]
    code, text, _ = run(capsys, path, *MAPPING, "--treated", "programme", *DRAWS)
    assert code == 0 and "alla 3 003 tilldelningar" in text.replace("\u00a0", " ")
    assert "Varning: få behandlade kluster." in text and "< 0,001" not in text
    first = text.splitlines()[[i for i, l in enumerate(text.splitlines()) if l.startswith("Skillnad i skillnader")][0]]
    assert first.rstrip().endswith("..")   # the clustered p is not headlined below the rule
