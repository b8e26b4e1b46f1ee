"""The indicator catalogue's role columns (issue 28 item 2): read, validated, described once."""

import pandas as pd
import pandera.errors
import pytest

from evalkit import paths, programme
from evalkit.contracts.catalogue import CATALOGUE_DESCRIPTIONS, catalogue_schema

HEADER = ("indicator,label_sv,unit,kind,scale,better,description_sv,origin,comparisons,"
          "key_figure,overview,overview_years,map,effect_outcome,sensitive_to,composite_input")


def write(folder, *rows):
    """A programme folder whose catalogue is ``rows`` (the other files are not read here)."""
    folder.mkdir(exist_ok=True)
    (folder / "indicators.csv").write_text("\n".join((HEADER, *rows)) + "\n", encoding="utf-8")
    return folder


ROWS = (
    "a,A,procent,andel,100,higher,,,areas;time,3,,,,,covid,c",
    "b,B,antal,antal,,,,,,,2,baseline;latest,1,2,refugees;jobbtorg,c",
    "c,C,index,index,1,lower,,,,1,1,index_baseline,,1,,",
    "d,D,procent,andel,100,higher,,,time,,,,,,,",
    "e,E,procent,andel,100,higher,,,,2,,,2,,covid,",
)


def test_bundled_catalogue_meets_its_contract_and_every_column_is_described():
    catalogue = programme.indicator_catalogue()
    catalogue_schema(catalogue["indicator"].tolist()).validate(catalogue)
    assert set(CATALOGUE_DESCRIPTIONS) == set(catalogue.columns) == set(catalogue_schema([]).columns)


def test_roles_are_read_in_the_order_of_their_positions(tmp_path):
    cat = programme.indicator_catalogue(write(tmp_path / "p", *ROWS))
    assert programme.key_figures(cat) == ["c", "e", "a"]           # positions 1, 2, 3, not file order
    assert programme.map_indicators(cat) == ["b", "e"]
    assert programme.effect_outcomes(cat) == ["c", "b"]
    assert programme.overview_columns(cat) == [("c", programme.INDEX_BASELINE_YEAR),
                                               ("b", programme.BASELINE_YEAR), ("b", None)]
    assert programme.sensitive_to("covid", cat) == {"a", "e"}
    assert programme.sensitive_to("refugees", cat) == programme.sensitive_to("jobbtorg", cat) == {"b"}
    assert programme.composites(cat) == ("c",) and programme.composite_inputs("c", cat) == ("a", "b")
    assert programme.shared_denominator(cat) == {"d"}


def test_a_row_without_role_columns_has_no_role(tmp_path):
    folder = write(tmp_path / "p", *ROWS)
    with (folder / "indicators.csv").open("a", encoding="utf-8") as f:
        f.write("f,F,procent,andel,100,higher,Ny.,Demodata\n")  # stops after origin
    cat = programme.indicator_catalogue(folder)
    row = cat.set_index("indicator").loc["f"]
    assert row["comparisons"] == "areas;time" and pd.isna(row["key_figure"]) and row["sensitive_to"] == ""
    assert "f" not in programme.key_figures(cat) + programme.map_indicators(cat) + programme.effect_outcomes(cat)
    catalogue_schema(cat["indicator"].tolist()).validate(cat)


@pytest.mark.parametrize("row, column, words", [
    ("x,X,procent,andel,100,,,,,första,,,,,,", "key_figure", "inte ett heltal från 1"),
    ("x,X,procent,andel,100,,,,,0,,,,,,", "key_figure", "inte ett heltal från 1"),
    ("x,X,procent,andel,100,,,,,,,,2,,,", "map", "positionen används redan"),
    ("x,X,procent,andel,100,,,,,,,,,,krig,", "sensitive_to", "'krig' – tillåtna värden: refugees, covid, jobbtorg"),
    ("x,X,procent,andel,100,,,,,,,,,,,okand", "composite_input", "'okand' – inte en indikator i katalogen"),
    ("x,X,procent,andel,100,,,,,,,latest,,,,", "overview_years", "år utan position i kolumnen 'overview'"),
    ("x,X,procent,andel,100,,,,,,9,igår,,,,", "overview_years", "'igår' – tillåtna värden: index_baseline"),
])
def test_a_malformed_role_stops_with_one_line_naming_row_and_column(tmp_path, row, column, words):
    folder = write(tmp_path / "p", *ROWS, row)
    with pytest.raises(programme.ProgrammeDataError) as err:
        programme.indicator_catalogue(folder)
    message = str(err.value)
    assert f"row 7 (data row 6), column '{column}'" in message and words in message
    assert "\n" not in message


def test_the_schema_catches_what_a_hand_built_catalogue_gets_wrong():
    cat = programme.indicator_catalogue()
    twice = cat.assign(map=cat["map"].fillna(1))  # every row on map position 1
    with pytest.raises(pandera.errors.SchemaError):
        catalogue_schema(cat["indicator"].tolist()).validate(twice)


def test_index_inputs_in_the_catalogue_are_the_rows_of_index_indicators():
    # two homes for one list: index_indicators.csv gives the weights, the catalogue the role
    config = pd.read_csv(paths.raw_dir() / "programme" / "index_indicators.csv", dtype=str)
    assert set(programme.composite_inputs("index_sociala_risker")) == set(config["indicator"])
