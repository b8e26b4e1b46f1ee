"""Tests of the geography registry (evalkit.geography)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit import geography as geo
from evalkit.paths import raw_dir

DOUBLE_NAMES = ["Skärholmen", "Farsta", "Älvsjö", "Kungsholmen", "Norrmalm", "Östermalm", "Södermalm"]

# As written in the programme text (Hässelby Strand / Farsta Strand are capitalised there;
# the city's canonical stadsdel names write "strand").
PROGRAMME_TEXT_STADSDELAR = (
    "Rinkeby, Husby, Akalla, Kista, Tensta, Vårberg, Bredäng, Sätra, Skärholmen, Hässelby gård, "
    "Grimsta, Hässelby Strand, Rågsved, Hagsätra, Högdalen, Bandhagen, Östberga, Farsta Strand, "
    "Hökarängen, Farsta och Fagersjö"
)
PROGRAMME_TEXT_BOROUGHS = (
    "Rinkeby-Kista, Spånga-Tensta, Skärholmen, Hässelby-Vällingby, Enskede-Årsta-Vantör och Farsta"
)


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r",| och ", text) if part.strip()]


# ----------------------------------------------------------------------------- tables


def test_117_stadsdelar_with_unique_codes():
    sd = geo.stadsdelar()
    assert len(sd) == 117
    assert sd["stadsdel_code"].is_unique
    assert sd["stadsdel_code"].str.match(r"^sd-[a-z0-9-]+$").all()
    assert list(sd.columns) == ["stadsdel_code", "stadsdel", "sdo_2007", "sdo_2020", "sdo_2023", "programme"]


def test_borough_counts_per_era():
    sdo = geo.stadsdelsomraden()
    assert list(sdo.columns) == ["sdo_code", "stadsdelsomrade", "era", "n_stadsdelar", "programme"]
    assert sdo.groupby("era").size().to_dict() == {"2007": 14, "2020": 13, "2023": 11}
    assert (sdo.groupby("era")["n_stadsdelar"].sum() == 117).all()
    assert sdo["sdo_code"].str.startswith("sdo-").all()


def test_era_specific_boroughs():
    sdo = geo.stadsdelsomraden()
    names = {era: set(g["stadsdelsomrade"]) for era, g in sdo.groupby("era")}
    assert {"Hägersten-Liljeholmen", "Älvsjö"} <= names["2007"]
    assert "Hägersten-Älvsjö" in names["2020"] and "Hägersten-Älvsjö" not in names["2007"]
    assert {"Järva", "Norra innerstaden"} <= names["2023"]
    assert not {"Rinkeby-Kista", "Spånga-Tensta", "Norrmalm", "Östermalm"} & names["2023"]


def test_returned_tables_are_copies():
    sd = geo.stadsdelar()
    sd["stadsdel"] = "x"
    assert geo.stadsdelar()["stadsdel"].ne("x").all()
    sdo = geo.stadsdelsomraden()
    sdo.loc[:, "programme"] = False
    assert geo.stadsdelsomraden()["programme"].any()


def test_programme_areas_match_programme_text():
    sd_codes = geo.programme_stadsdelar()
    assert len(sd_codes) == 21
    expected_sd = [geo.resolve(n, level="stadsdel") for n in _split_list(PROGRAMME_TEXT_STADSDELAR)]
    assert len(expected_sd) == 21
    assert sd_codes == sorted(expected_sd)
    borough_codes = geo.programme_boroughs()
    expected_b = [geo.resolve(n, level="stadsdelsomrade") for n in _split_list(PROGRAMME_TEXT_BOROUGHS)]
    assert len(borough_codes) == 6 and borough_codes == sorted(expected_b)
    # the quotes in programme_areas.csv are the source of those lists
    quotes = pd.read_csv(raw_dir() / "programme" / "programme_areas.csv")["source_quote"]
    assert PROGRAMME_TEXT_STADSDELAR in quotes.iloc[6]
    assert PROGRAMME_TEXT_BOROUGHS in quotes.iloc[0]
    names = {geo.area_name(c) for c in sd_codes}
    assert names == {
        "Rinkeby", "Husby", "Akalla", "Kista", "Tensta", "Vårberg", "Bredäng", "Sätra", "Skärholmen",
        "Hässelby gård", "Grimsta", "Hässelby strand", "Rågsved", "Hagsätra", "Högdalen", "Bandhagen",
        "Östberga", "Farsta strand", "Hökarängen", "Farsta", "Fagersjö",
    }


def test_programme_flags_per_era():
    sdo = geo.stadsdelsomraden()
    prog = {era: sorted(g.loc[g["programme"], "sdo_code"]) for era, g in sdo.groupby("era")}
    assert prog["2007"] == geo.programme_boroughs()
    # in 2007 the six programme boroughs are exactly those holding programme stadsdelar
    held = sorted({geo.borough_of(c, "2007") for c in geo.programme_stadsdelar()})
    assert held == geo.programme_boroughs()
    assert prog["2020"] == prog["2007"]
    assert prog["2023"] == sorted(
        ["sdo-enskede-arsta-vantor", "sdo-farsta", "sdo-hasselby-vallingby", "sdo-jarva", "sdo-skarholmen"]
    )


@pytest.mark.parametrize(
    ("year", "era"),
    [(1999, "2007"), (2006, "2007"), (2007, "2007"), (2015, "2007"), (2019, "2007"),
     (2020, "2020"), (2022, "2020"), (2023, "2023"), (2030, "2023")],
)
def test_era_for_year(year, era):
    assert geo.era_for_year(year) == era


def test_borough_of_and_reform_consistency():
    assert geo.borough_of("sd-tensta") == "sdo-spanga-tensta"
    assert geo.borough_of("sd-tensta", "2023") == "sdo-jarva"
    sd = geo.stadsdelar()
    old = sd[sd["sdo_2007"].isin(["sdo-hagersten-liljeholmen", "sdo-alvsjo"])]["stadsdel_code"]
    new = sd[sd["sdo_2020"] == "sdo-hagersten-alvsjo"]["stadsdel_code"]
    assert set(old) == set(new) and len(old) > 0
    assert all(geo.borough_of(c, "2020") == "sdo-hagersten-alvsjo" for c in old)
    assert geo.borough_of("sd-alvsjo", "2007") == "sdo-alvsjo"
    assert geo.borough_of("sd-aspudden", "2007") == "sdo-hagersten-liljeholmen"
    with pytest.raises(geo.UnknownAreaError):
        geo.borough_of("sd-nowhere")
    with pytest.raises(ValueError, match="2007, 2020, 2023"):
        geo.borough_of("sd-tensta", "2010")


def test_area_name_and_level():
    assert geo.area_name("programomradet") == "Programområdena"
    assert geo.area_name("ovriga-staden") == "Övriga staden"
    assert geo.area_name("stockholm") == "Hela staden"
    assert geo.area_name("riket") == "Riket"
    assert geo.area_name("sd-hasselby-gard") == "Hässelby gård"
    assert geo.area_name("sdo-hagersten-alvsjo") == "Hägersten-Älvsjö"
    assert geo.area_level("sd-farsta") == "stadsdel"
    assert geo.area_level("sdo-farsta") == "stadsdelsomrade"
    assert geo.area_level("programomradet") == "omradesgrupp"
    assert geo.area_level("ovriga-staden") == "omradesgrupp"
    assert geo.area_level("stockholm") == "stad"
    assert geo.area_level("riket") == "riket"
    with pytest.raises(geo.UnknownAreaError):
        geo.area_name("sd-atlantis")


# ----------------------------------------------------------------------------- resolve


@pytest.mark.parametrize(
    ("name", "level", "era", "code"),
    [
        ("HÄSSELBY GÅRD", None, None, "sd-hasselby-gard"),
        ("Hässelby gård", None, None, "sd-hasselby-gard"),
        ("Hässelby-Vällingby", None, None, "sdo-hasselby-vallingby"),
        ("Hässelby Vällingby", None, None, "sdo-hasselby-vallingby"),
        ("Rinkeby- Kista", None, None, "sdo-rinkeby-kista"),
        ("Enskede–Årsta–Vantör", None, None, "sdo-enskede-arsta-vantor"),
        ("Enskede—Årsta—Vantör", None, None, "sdo-enskede-arsta-vantor"),
        ("Enskede – Årsta ‐ Vantör", None, None, "sdo-enskede-arsta-vantor"),
        ("Skärholmens sdn", None, None, "sdo-skarholmen"),
        ("Skärholmens stadsdelsnämnd", None, None, "sdo-skarholmen"),
        ("SKÄRHOLMENS SDN", None, None, "sdo-skarholmen"),
        ("Stadsdelsområde Farsta", None, None, "sdo-farsta"),
        ("Farsta SDO", None, None, "sdo-farsta"),
        ("Södermalms stadsdelsförvaltning", None, None, "sdo-sodermalm"),
        ("Rinkeby-Kistas stadsdelsnämnd", None, None, "sdo-rinkeby-kista"),
        ("Stockholm (Akalla)", None, None, "sd-akalla"),
        ("Stockholm (Farsta strand)", None, None, "sd-farsta-strand"),
        ("Hässelby\u00a0gård", None, None, "sd-hasselby-gard"),
        ("  Hässelby gård\t", None, None, "sd-hasselby-gard"),
        ("Ｔｅｎｓｔａ", None, None, "sd-tensta"),
        ("ULVSUNDA INDUSTRIOMR", None, None, "sd-ulvsunda-industriomrade"),
        ("ULVSUNDA INDUSTRIOMR", "stadsdel", None, "sd-ulvsunda-industriomrade"),
        ("Vasastan", None, None, "sd-vasastaden"),
        ("Hägersten-Liljeholmen", None, "2007", "sdo-hagersten-liljeholmen"),
        ("Hägersten-Liljeholmen", None, None, "sdo-hagersten-liljeholmen"),
        ("Älvsjö", "stadsdelsomrade", "2007", "sdo-alvsjo"),
        ("Älvsjö sdn", None, "2007", "sdo-alvsjo"),
        ("Hägersten-Älvsjö", None, "2020", "sdo-hagersten-alvsjo"),
        ("Hägersten–Älvsjö", None, "2023", "sdo-hagersten-alvsjo"),
        ("Järva", None, "2023", "sdo-jarva"),
        ("Norra innerstaden", None, "2023", "sdo-norra-innerstaden"),
        ("Stockholm", None, None, "stockholm"),
        ("Stockholm", "stad", None, "stockholm"),
        ("Hela staden", "stad", None, "stockholm"),
        ("Stockholms stad", None, None, "stockholm"),
        ("Riket", "riket", None, "riket"),
        ("Sverige", "riket", None, "riket"),
        ("RIKET", None, None, "riket"),
        ("Programområdena", None, None, "programomradet"),
        ("Övriga staden", "omradesgrupp", None, "ovriga-staden"),
        ("sd-farsta", None, None, "sd-farsta"),
        ("sdo-farsta", None, None, "sdo-farsta"),
        ("Tensta", "stadsdel", "2023", "sd-tensta"),
        ("Kista", "sd", None, "sd-kista"),
        ("Spånga-Tensta", "stadsdelsområde", None, "sdo-spanga-tensta"),
    ],
)
def test_resolve_spellings(name, level, era, code):
    assert geo.resolve(name, level=level, era=era) == code


@pytest.mark.parametrize("name", DOUBLE_NAMES)
def test_double_names_need_a_level(name):
    with pytest.raises(geo.AmbiguousAreaError) as info:
        geo.resolve(name)
    sd_code, sdo_code = geo.stadsdel_code(name), geo.stadsdelsomrade_code(name)
    assert set(info.value.candidates) == {sd_code, sdo_code}
    assert sd_code in str(info.value) and sdo_code in str(info.value)
    assert info.value.name == name
    with pytest.raises(geo.AmbiguousAreaError):
        geo.resolve(name.upper(), era="2007")
    assert geo.resolve(name, level="stadsdel") == sd_code
    assert geo.resolve(name, level="stadsdelsomrade", era="2007") == sdo_code
    assert geo.resolve(f"{name}s sdn") == sdo_code
    assert geo.resolve(f"Stadsdelsområde {name}") == sdo_code


def test_double_names_are_exactly_the_seven():
    sd_names = {geo.slugify(n) for n in geo.stadsdelar()["stadsdel"]}
    sdo_names = {geo.slugify(n) for n in geo.stadsdelsomraden()["stadsdelsomrade"]}
    assert sd_names & sdo_names == {geo.slugify(n) for n in DOUBLE_NAMES}


def test_errors_are_value_errors():
    assert issubclass(geo.AreaNameError, ValueError)
    assert issubclass(geo.AmbiguousAreaError, geo.AreaNameError)
    assert issubclass(geo.UnknownAreaError, geo.AreaNameError)


def test_unknown_name_gives_suggestions():
    with pytest.raises(geo.UnknownAreaError) as info:
        geo.resolve("Tensat", level="stadsdel")
    msg = str(info.value)
    assert msg.startswith("Okänt område 'Tensat' (nivå: stadsdel). Närmaste: Tensta")
    assert info.value.name == "Tensat"
    assert len(info.value.candidates) == 3 and info.value.candidates[0] == "sd-tensta"
    assert all(c.startswith("sd-") for c in info.value.candidates)
    with pytest.raises(geo.UnknownAreaError, match="Närmaste: Rinkeby-Kista"):
        geo.resolve("Rinkeby-Kisa", level="stadsdelsomrade")
    with pytest.raises(geo.UnknownAreaError):
        geo.resolve("Atlantis")


def test_era_errors_name_the_valid_eras():
    with pytest.raises(geo.AreaEraError, match=r"finns inte i indelningen 2007.*2020, 2023"):
        geo.resolve("Hägersten-Älvsjö", era="2007")
    with pytest.raises(geo.AreaEraError, match=r"indelningen 2020.*2007"):
        geo.resolve("Älvsjö", level="stadsdelsomrade", era="2020")
    with pytest.raises(geo.AreaEraError, match=r"indelningen: 2023"):
        geo.resolve("Järva", era="2007")
    with pytest.raises(geo.AreaEraError, match=r"indelningen: 2007, 2020"):
        geo.resolve("Rinkeby-Kista", era="2023")
    assert issubclass(geo.AreaEraError, geo.AreaNameError)
    with pytest.raises(ValueError, match="era"):
        geo.resolve("Tensta", era="1999")


def test_conflicting_levels_and_bad_level():
    with pytest.raises(geo.AreaNameError):
        geo.resolve("Skärholmens sdn", level="stadsdel")
    with pytest.raises(ValueError, match="nivå"):
        geo.resolve("Tensta", level="planet")
    with pytest.raises(geo.UnknownAreaError):
        geo.resolve("Tensta", level="stadsdelsomrade")


def test_every_alias_resolves_to_its_canonical_name():
    aliases = pd.read_csv(raw_dir() / "geography" / "aliases.csv", dtype=str, keep_default_na=False)
    assert list(aliases.columns) == ["alias", "level", "canonical", "note"]
    for row in aliases.itertuples(index=False):
        assert geo.area_name(geo.resolve(row.alias, level=row.level)) == row.canonical


def test_resolving_many_spellings_is_consistent():
    # Speed is measured in benchmarks, not asserted here; this checks the cached path agrees.
    names = list(geo.stadsdelar()["stadsdel"].str.upper()) * 3
    codes = [geo.resolve(n, level="stadsdel") for n in names]
    assert len(set(codes)) == 117


# ----------------------------------------------------------------------------- property test


def _canonical_entries() -> list[tuple[str, str, str]]:
    sd = geo.stadsdelar()
    sdo = geo.stadsdelsomraden().drop_duplicates("sdo_code")
    entries = [(n, "stadsdel", c) for n, c in zip(sd["stadsdel"], sd["stadsdel_code"])]
    entries += [(n, "stadsdelsomrade", c) for n, c in zip(sdo["stadsdelsomrade"], sdo["sdo_code"])]
    entries += [(n, geo.area_level(c), c) for c, n in geo.GROUP_NAMES.items()]
    return entries


ENTRIES = _canonical_entries()
DASHES = ["-", "\u2013", "\u2014", "\u2010", "\u2011", "\u2212", " - ", " \u2013 ", "- ", " -"]
SPACES = [" ", "  ", "\u00a0", "\u2009", "\t"]
PADDING = ["", " ", "  ", "\u00a0", "\t", "\n "]


@st.composite
def spelled(draw):
    name, level, code = draw(st.sampled_from(ENTRIES))
    flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    out = []
    for ch, flip in zip(name, flips):
        if ch == "-":
            out.append(draw(st.sampled_from(DASHES)))
        elif ch == " ":
            out.append(draw(st.sampled_from(SPACES)))
        else:
            out.append(ch.swapcase() if flip else ch)
    text = draw(st.sampled_from(PADDING)) + "".join(out) + draw(st.sampled_from(PADDING))
    return text, level, code


@settings(max_examples=400, deadline=None)
@given(spelled())
def test_property_spelling_variants_resolve_to_same_code(case):
    text, level, code = case
    assert geo.resolve(text, level=level) == code


def test_all_canonical_names_resolve_without_level_unless_double():
    doubles = {geo.slugify(n) for n in DOUBLE_NAMES}
    for name, level, code in ENTRIES:
        if geo.slugify(name) in doubles:
            continue
        assert geo.resolve(name) == code, name


# ----------------------------------------------------------------------------- geometries


def test_geometries_match_all_117():
    gdf = geo.geometries()
    assert len(gdf) == 117
    assert set(gdf["stadsdel_code"]) == set(geo.stadsdelar()["stadsdel_code"])
    assert gdf["stadsdel_code"].is_unique
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf.columns) == ["stadsdel_code", "stadsdel", "geometry"]
    assert gdf.geometry.is_valid.mean() > 0.95
    assert "Ulvsunda industriområde" in set(gdf["stadsdel"])
    # Stockholm's bounding box
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 17.7 < minx < maxx < 18.3 and 59.2 < miny < maxy < 59.5


@pytest.mark.parametrize(("era", "n"), [("2007", 14), ("2020", 13), ("2023", 11)])
def test_borough_geometries(era, n):
    b = geo.borough_geometries(era)
    assert len(b) == n
    expected = set(geo.stadsdelsomraden().query("era == @era")["sdo_code"])
    assert set(b["sdo_code"]) == expected
    assert b.crs.to_epsg() == 4326


def test_dissolved_2020_boroughs_agree_with_official_layer():
    import geopandas as gpd

    official = gpd.read_file(raw_dir() / "geo" / "stadsdelsnamnder_2020.geo.json")
    official["sdo_code"] = official["Sdn_omarde"].map(lambda n: geo.resolve(n, level="stadsdelsomrade", era="2020"))
    assert set(official["sdo_code"]) == set(geo.borough_geometries("2020")["sdo_code"])
    ours = geo.borough_geometries("2020").to_crs(3006).set_index("sdo_code").geometry
    theirs = official.to_crs(3006).set_index("sdo_code").geometry.make_valid()
    for code in ours.index:
        a, b = ours[code], theirs[code]
        iou = a.intersection(b).area / a.union(b).area
        assert iou > 0.8, (code, iou)


# --- one name per area code in everything published (issue 28) --------------------------------

#: (code column, name column) pairs a published table may carry.
NAMED_CODES = (("area_code", "area_name"), ("stadsdel_code", "stadsdel"), ("sdo_code", "stadsdelsomrade"))


def name_problems(tables: dict[str, pd.DataFrame]) -> tuple[list[str], list[str]]:
    """(problems, tables checked): a code with more than one name, or a name that is not the registry's."""
    problems, checked = [], []
    for table_name, table in tables.items():
        for code, name in NAMED_CODES:
            if {code, name} <= set(table.columns):
                pairs = table[[code, name]].drop_duplicates()
                twice = pairs[pairs[code].duplicated(keep=False)]
                if not twice.empty:
                    problems.append(f"{table_name}: {code} with more than one {name}: {twice.head(6).values.tolist()}")
                wrong = pairs[pairs[name] != pairs[code].map(geo.area_name)]
                if not wrong.empty:
                    problems.append(f"{table_name}: {name} not the registry's: {wrong.head(6).values.tolist()}")
                checked.append(table_name)
    return problems, checked


def test_every_area_code_has_one_name_in_every_published_table(processed, tmp_path):
    """The names come from one table (the registry): in the processed and published tables, the
    results `evalkit analyse` stores and the data package's CSV files, each area code has exactly
    one name, the registry's (the published table once had "Programområdet" and "Programområdena"
    for ``programomradet``)."""
    from evalkit.build import datapackage
    from evalkit.paths import processed_dir

    datapackage.write(tmp_path / "site")
    folder = processed_dir()
    tables = {p.relative_to(folder).as_posix(): pd.read_parquet(p)
              for p in sorted(folder.glob("*.parquet")) + sorted((folder / "effects").glob("*.parquet"))}
    tables |= {f"data/{p.name}": pd.read_csv(p, dtype=str, keep_default_na=False)
               for p in sorted((tmp_path / "site" / "data").glob("*.csv"))}
    problems, checked = name_problems(tables)
    assert problems == []
    assert {"indicators_published.parquet", "effects/rank_intervals.parquet", "data/indikatorer.csv",
            "data/omraden.csv", "data/index.csv", "data/omradeshierarki.csv"} <= set(checked)


def test_the_name_check_catches_a_second_name():
    """The check above fails on the bug it guards against: one code, two names (as main had)."""
    table = pd.DataFrame({"area_code": ["programomradet", "programomradet", "stockholm", "sd-husby"],
                          "area_name": ["Programområdena", "Programområdet", "Hela staden", "Husby"]})
    problems, checked = name_problems({"t": table})
    assert checked == ["t"] and len(problems) == 2
    assert "more than one area_name" in problems[0] and "'Programområdet'" in problems[1]
    assert name_problems({"t": table.iloc[2:]}) == ([], ["t"])


def test_the_programme_era_names_the_boroughs_the_programme_was_assigned_in():
    assert geo.PROGRAMME_ERA in geo.ERAS and geo.borough_column() == f"sdo_{geo.PROGRAMME_ERA}"
    era = geo.stadsdelsomraden().query("era == @geo.PROGRAMME_ERA")
    assert sorted(era.loc[era["programme"], "sdo_code"]) == geo.programme_boroughs()
    assert geo.members("sdo-rinkeby-kista") == ["sd-akalla", "sd-hansta", "sd-husby", "sd-kista", "sd-rinkeby"]
    assert all(geo.borough_of(c) == "sdo-rinkeby-kista" for c in geo.members("sdo-rinkeby-kista"))
    assert sum(len(geo.members(b)) for b in era["sdo_code"]) == 117
    assert geo.members("sdo-rinkeby-kista", "2023") == []  # Rinkeby-Kista is part of Järva from 2023
    with pytest.raises(ValueError):
        geo.borough_column("1999")


def test_the_regso_key_is_read_by_geography():
    key = geo.regso_key()
    assert len(key) == 127 and {"regso_2020_code", "regso_2020_name", "method"} <= set(key.columns)


def test_plain_registry_agrees_with_the_pandas_tables():
    """The csv-module reader a no-op build lists its pages from (no pandas) gives every code the
    name, level and borough the registry's tables give it, and the same programme lists."""
    sd = geo.stadsdelar()
    assert geo.plain_stadsdelar() == sd["stadsdel_code"].tolist()
    assert geo.plain_programme_areas() == geo.programme_boroughs() + geo.programme_stadsdelar()
    boroughs = set(geo.stadsdelsomraden()["sdo_code"])
    plain = {code: geo.plain_area(code) for code in geo._names_by_code()}
    assert {c for c, a in plain.items() if a is not None} == set(sd["stadsdel_code"]) | boroughs
    for code, area in plain.items():
        if area is None:  # the group codes are no district page
            assert geo.area_level(code) not in ("stadsdel", "stadsdelsomrade")
            continue
        assert (area.code, area.name, area.level) == (code, geo.area_name(code), geo.area_level(code))
        assert area.borough == (code if area.is_borough else geo.borough_of(code))
    assert geo.plain_area("Husby") is None and geo.plain_area("sd-finns-inte") is None
