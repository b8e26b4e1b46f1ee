"""Adding an indicator (README, "Ny indikator"): a share without numerator and denominator is
reported once per indicator by `evalkit clean`, and the report says why comparisons are missing."""

import contextlib
import io
import json
import re
import shutil

import pandas as pd
import pytest

from evalkit import aggregate, cli, clean, data, geography, paths, programme
from evalkit.present import city, district, effects
from evalkit.present import format as fmt
from evalkit.present.area import resolve

from conftest import seed_disclosure_cache

REAL_RAW = paths.raw_dir()
NEW = "andel_gymnasieexamen"


def _rows(indicator, level, values, numerator=None, denominator=None, status=""):
    n = len(values)
    return pd.DataFrame({
        "area_code": [f"sd-{i}" for i in range(n)], "area_level": level, "indicator": indicator,
        "year": 2020, "value": values, "status": status,
        "numerator": numerator if numerator is not None else [float("nan")] * n,
        "denominator": denominator if denominator is not None else [float("nan")] * n,
    })


def test_one_warning_per_share_or_rate_without_numerator_and_denominator():
    catalogue = programme.indicator_catalogue()
    kept = pd.concat([
        _rows("ekonomiskt_bistand", "stadsdel", [1.0, 2.0, 3.0]),                        # share: none
        _rows("anmalda_brott", "stadsdel", [5.0, 6.0], [1.0, float("nan")], [10.0, 10.0]),  # rate: one of two
        _rows("ohalsotal", "stadsdel", [20.0], [200.0], [10.0]),                          # mean: complete
        _rows("folkmangd", "stadsdel", [100.0, 200.0]),                                   # count: needs none
        _rows("sysselsattning", "riket", [80.0]),                                         # not aggregated
        _rows("trangboddhet", "stadsdel", [float("nan")] * 4, status=".."),               # no value to aggregate
    ], ignore_index=True)
    warnings = clean.aggregation_warnings(kept, catalogue)
    assert len(warnings) == 2  # one line per indicator, in indicator order
    assert warnings[0].startswith("anmalda_brott (kvot): 1 av 2 värden per stadsdel saknar täljare eller nämnare")
    assert warnings[1].startswith("ekonomiskt_bistand (andel): inget av 3 värden per stadsdel har täljare och nämnare")
    assert all("beräknas inte ('.')" in w for w in warnings)
    text = clean.format_report([], 0, warnings)
    assert text.count("varning: ") == 2 and "Varningar:" in text
    assert "Varningar" not in clean.format_report([], 0)


def test_rate_kinds_are_what_aggregate_forms_from_numerator_and_denominator():
    assert set(aggregate.RATE_KINDS) == set(aggregate.AGGREGABLE_KINDS) - {"antal"}


def add_worked_example(raw):
    """The README's example: a wide share per stadsdel from the statistics unit, in four places."""
    names = geography.stadsdelar()["stadsdel"].tolist()
    years = range(2014, 2021)
    lines = ["Andel 20-åringar med gymnasieexamen per stadsdel, procent",
             "Stadsdel;" + ";".join(map(str, years))]
    lines += [f"{name};" + ";".join(f"{60 + i % 30 + 0.5 * k:.1f}".replace(".", ",") for k, _ in enumerate(years))
              for i, name in enumerate(names)]
    lines.append("Källa: Stockholms stad, statistikenheten")
    (raw / "stad").mkdir()
    (raw / "stad" / "andel_gymnasieexamen_2014-2020.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (raw / "sources.csv").open("a", encoding="utf-8") as f:
        f.write('stad/andel_gymnasieexamen_2014-2020.csv,andel_gymnasieexamen,stadsdel,'
                '"Statistikenheten: andel 20-åringar med gymnasieexamen per stadsdel 2014–2020"\n')
    with (raw / "programme" / "indicators.csv").open("a", encoding="utf-8") as f:
        f.write("andel_gymnasieexamen,Andel 20-åringar med gymnasieexamen,procent,andel,100,higher,"
                "Andel av folkbokförda 20-åringar som har gymnasieexamen.,Statistikenheten\n")
    with (raw / "programme" / "goal_indicators.csv").open("a", encoding="utf-8") as f:
        f.write('skola_utbildning-1.1,andel_gymnasieexamen,increase,,'
                '"Fler 20-åringar med gymnasieexamen visar att skolresultaten i området förbättras."\n')
    return len(names) * len(years)


ROLES = "andel_bibliotekskort"
#: The catalogue row of the README's second example: role columns after ``comparisons``
#: (key_figure, overview, overview_years, map, effect_outcome, sensitive_to, composite_input).
ROLES_ROW = ("andel_bibliotekskort,Andel invånare med bibliotekskort,procent,andel,100,higher,"
             "Andel av folkbokförda invånare som har ett lånekort på Stockholms stadsbibliotek.,Stadsbiblioteket,"
             "areas;time,11,5,baseline;latest,3,4,covid,\n")


def add_indicator_with_roles(raw):
    """The README's second example: a long file with numerator and denominator, a sources.csv line
    and a catalogue row whose role columns make it a key figure, an overview column, a map and an
    effect outcome sensitive to covid – three files under data/raw, no Python."""
    names = geography.stadsdelar()["stadsdel"].tolist()
    lines = ["Stadsdel;År;Täljare;Nämnare;Andel"]
    for i, name in enumerate(names):
        for k, year in enumerate(range(2006, 2021)):  # an effect outcome needs the years from 2006
            num, den = 200 + 3 * i + 7 * k, 800 + 13 * i + 5 * k
            lines.append(f"{name};{year};{num};{den};" + f"{num / den * 100:.1f}".replace(".", ","))
    (raw / "stadsbiblioteket").mkdir()
    (raw / "stadsbiblioteket" / "bibliotekskort.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (raw / "sources.csv").open("a", encoding="utf-8") as f:
        f.write(f'stadsbiblioteket/bibliotekskort.csv,{ROLES},stadsdel,'
                '"Stadsbiblioteket: invånare med lånekort per stadsdel 2006–2020"\n')
    with (raw / "programme" / "indicators.csv").open("a", encoding="utf-8") as f:
        f.write(ROLES_ROW)


@pytest.fixture(scope="module")
def wide_share_cleaned(tmp_path_factory):
    """`evalkit clean` on a copy of data/raw with both worked examples added (stdout kept)."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(REAL_RAW, root / "data" / "raw")
    cells = add_worked_example(root / "data" / "raw")
    add_indicator_with_roles(root / "data" / "raw")
    seed_disclosure_cache(root / "data" / "processed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALKIT_ROOT", str(root))
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            status = cli.main(["clean", "--force"])
        tidy = pd.read_parquet(root / "data" / "processed" / "indicators.parquet")
        catalogue = programme.indicator_catalogue()
        links = programme.goal_indicators()
    return root, status, stdout.getvalue(), cells, tidy, catalogue, links


@pytest.mark.slow
def test_clean_warns_once_for_a_wide_share_and_still_reconciles(wide_share_cleaned):
    root, status, stdout, cells, tidy, _, _ = wide_share_cleaned
    assert status == 0  # every row is used and counts reconcile: a warning, not a failure
    processed = root / "data" / "processed"
    report = json.loads((processed / "clean_report.json").read_text(encoding="utf-8"))
    assert all(s["reconciles"] for s in report["sources"])
    assert len(report["warnings"]) == 1
    assert report["warnings"][0].startswith(f"{NEW} (andel): inget av {cells} värden per stadsdel")
    text = (processed / "clean_report.txt").read_text(encoding="utf-8")
    assert text.count(f"varning: {NEW}") == 1 and stdout.count(f"varning: {NEW}") == 1
    groups = tidy[(tidy["indicator"] == NEW) & (tidy["area_level"] != "stadsdel")]
    assert len(groups) and (groups["status"] == ".").all()  # what the warning is about: beräknas inte


@pytest.mark.slow
def test_goal_chart_names_the_missing_comparisons_instead_of_empty_series(wide_share_cleaned):
    _, _, _, _, tidy, catalogue, links = wide_share_cleaned
    charts = district.goal_trends(tidy, catalogue, links[links["indicator"] == NEW], resolve("sd-tensta"), 2006, 2020)
    assert len(charts) == 1
    alt = charts[0].alt
    assert "Jämförelse saknas för Spånga-Tensta, Programområdena, Övriga staden, Hela staden" in alt
    assert "täljare och nämnare" in alt
    assert not re.search(r"(Övriga staden|Hela staden) \d", alt)  # no (empty) series for them
    svg = charts[0].data.decode("utf-8")
    assert "kan inte visas" in svg  # the gap panel says why it is empty


@pytest.mark.slow
def test_no_note_when_every_comparison_has_values(wide_share_cleaned):
    _, _, _, _, tidy, catalogue, links = wide_share_cleaned
    charts = district.goal_trends(tidy, catalogue, links[links["indicator"] != NEW], resolve("sd-tensta"), 2006, 2020)
    assert len(charts) >= 10 and not any("Jämförelse saknas" in c.alt for c in charts)


def test_roles_of_a_new_indicator_are_read_from_its_catalogue_row(wide_share_cleaned):
    catalogue = wide_share_cleaned[5]
    assert programme.key_figures(catalogue)[-1] == ROLES and len(programme.key_figures(catalogue)) == 11
    assert programme.map_indicators(catalogue) == ["index_sociala_risker", "ekonomiskt_bistand", ROLES]
    assert programme.effect_outcomes(catalogue)[-1] == ROLES
    assert programme.overview_columns(catalogue)[-2:] == [(ROLES, programme.BASELINE_YEAR), (ROLES, None)]
    assert ROLES in programme.sensitive_to("covid", catalogue) and ROLES not in programme.sensitive_to(
        "refugees", catalogue)
    # the README's first example has no role columns at all: a plain indicator
    assert NEW not in programme.key_figures(catalogue) + programme.map_indicators(catalogue)


@pytest.fixture(scope="module")
def published_copy(wide_share_cleaned):
    """The copy's published table, and the sections reading it (as a report would)."""
    root = wide_share_cleaned[0]
    published = pd.read_parquet(root / "data" / "processed" / "indicators_published.parquet")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALKIT_ROOT", str(root))
        mp.setattr(data, "published_tidy", lambda: (published.copy(), pd.DataFrame()))
        yield published


def test_new_indicator_is_published_with_its_group_values(published_copy):
    rows = published_copy[(published_copy["indicator"] == ROLES) & (published_copy["year"] == 2020)]
    levels = set(rows["area_level"])
    assert {"stadsdel", "stadsdelsomrade", "omradesgrupp", "stad"} <= levels
    city = rows[rows["area_code"] == geography.CITY_CODE].iloc[0]
    stadsdel = rows[rows["area_level"] == "stadsdel"]
    # the city's value is the sum of numerators over the sum of denominators (README)
    assert city["value"] == pytest.approx(stadsdel["numerator"].sum() / stadsdel["denominator"].sum() * 100)


def test_new_indicator_is_a_key_figure_of_a_stadsdel_report(published_copy):
    _, table = district.key_figures_section(resolve("Tensta"), 2020)
    frame = table.frame
    assert frame["Indikator"].iloc[-1] == "Andel invånare med bibliotekskort (procent)"
    value = published_copy[(published_copy["indicator"] == ROLES) & (published_copy["year"] == 2020)
                           & (published_copy["area_code"] == "sd-tensta")]["value"].iloc[0]
    assert frame.iloc[-1, 1] == fmt.value_for_unit(value, "procent")


def test_new_indicator_is_mapped_and_in_the_overview_of_the_city_page(published_copy):
    _, *maps = city.map_section(2020)
    assert len(maps) == 3 and "Andel invånare med bibliotekskort 2020" in maps[-1].alt
    _, overview = city.overview_section(2020)
    assert list(overview.frame.columns[-2:]) == [f"Andel invånare med bibliotekskort {programme.BASELINE_YEAR}",
                                                 "Andel invånare med bibliotekskort 2020"]


def test_new_effect_outcome_gets_the_caveats_its_row_names(published_copy):
    threats = effects.threats_sv(ROLES)
    keys = set(threats["nyckel"])
    assert "covid" in keys and "flyktingmottagande" not in keys  # sensitive_to: covid only
    assert "Spridningseffekter (Jobbtorg)" not in set(threats["hot"])  # the general spillover caveat


def test_an_effect_outcome_without_the_early_years_stops_analyse_with_one_line(published_copy):
    from evalkit import results

    results.check_outcomes(published_copy, programme.effect_outcomes())  # the whole series: estimable
    short = published_copy[(published_copy["indicator"] != ROLES) | (published_copy["year"] >= 2014)]
    with pytest.raises(results.OutcomeTooShort) as err:
        results.check_outcomes(short, programme.effect_outcomes())
    message = str(err.value)
    assert message.startswith(f"{ROLES} är effektutfall (indicators.csv, kolumnen effect_outcome)")
    assert "2006, 2007, 2008, 2009, 2010, 2011, 2012, 2013:" in message and "\n" not in message
