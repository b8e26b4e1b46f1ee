"""Bad inputs: every file in tests/bad_inputs/corpus gives a clear one-line ReaderError naming the file,
or is read with every record either kept or set aside with file, row, column and reason – never lost.

Also property tests: Swedish-formatted numbers and symbols round-trip through a generated CSV;
random bytes and random CSV-ish text never raise anything but ReaderError; random area-name
strings resolve or raise AreaNameError; letters from another script never resolve silently.
The session ends with a figure line (cases tried, rows lost).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit import clean, contracts, geography
from evalkit.io import ReaderError, read_with_quarantine

CORPUS = Path(__file__).parent / "bad_inputs" / "corpus"
sys.path.insert(0, str(CORPUS.parent))
import make_corpus  # noqa: E402

IND = {"indicator": "folkmangd"}
ERR = "error"

# file -> (options, expectation). Expectation: (ERR, words in the message) or
# (kept, {reason substring: minimum number of quarantine rows}).
CASES: dict[str, tuple[dict, tuple]] = {
    # empty, truncated, not a table
    "empty.csv": ({}, (ERR, "tom")),
    "whitespace_only.csv": ({}, (ERR, "tom")),
    "header_only.csv": ({}, (0, {})),
    "no_header.csv": ({}, (ERR, "rubrikrad")),
    "footnotes_only.csv": ({}, (ERR, "rubrikrad")),
    "truncated_mid_row.csv": ({}, (3, {"okänd indikator": 1})),
    "truncated_mid_quote.csv": ({}, (ERR, "rad 5: citattecken utan avslut")),
    "unclosed_quote_mid_file.csv": ({}, (ERR, "rad 3: citattecken utan avslut")),
    "excel_truncated.xlsx": (IND, (ERR, "inte en läsbar .xlsx")),
    "excel_not_zip.xlsx": (IND, (ERR, "inte en läsbar .xlsx")),
    "excel_no_table.xlsx": (IND, (ERR, "rubrikrad")),
    "binary_garbage.csv": ({}, (ERR, "binär fil")),
    "nul_bytes.csv": ({}, (ERR, "NUL")),
    # encodings and BOMs
    "utf16_bom.csv": ({}, (2, {})),
    "utf16le_no_bom.csv": ({}, (ERR, "teckenkodning")),
    "cp1252.csv": ({}, (3, {})),
    "mojibake_utf8_as_cp1252.csv": ({}, (1, {"felaktig teckenkodning": 1})),
    "mixed_utf8_cp1252.csv": ({}, (1, {"felaktig teckenkodning": 1})),
    "bom_utf8.csv": ({}, (1, {})),
    "double_bom.csv": ({}, (1, {})),
    "bom_mid_file.csv": ({}, (2, {"Okänd nivå": 1})),
    # delimiters and row shapes
    "mixed_delimiters.csv": ({}, (2, {"annan avgränsare": 2})),
    "extra_cells.csv": ({}, (1, {"fler celler än rubrikraden": 1})),
    "first_row_extra_cell.csv": ({}, (1, {"fler celler än rubrikraden": 1})),
    "too_few_cells.csv": ({}, (1, {"år är inte ett heltal": 1})),
    # merged header rows
    "merged_header_wide.csv": (IND, (6, {})),
    "three_row_header.csv": (IND, (3, {})),
    # Excel: formulas, #REF!, other errors, merged cells
    "excel_formulas_ref_merged.xlsx": (IND, (11, {"formel utan sparat värde": 3, "felvärde i Excel (#REF!)": 1,
                                                  "felvärde i Excel (#DIV/0!)": 1, "talet har en enhet": 1})),
    # duplicates: the reader keeps them, clean.read_source sets them aside (checked below)
    "duplicates_5000.csv": ({}, (5002, {})),
    # numbers with units, odd numbers, formulas as text
    "units_in_cells.csv": ({}, (1, {"talet har en enhet (%)": 1, "talet har en enhet (kr)": 1,
                                    "talet har en enhet (st)": 1, "text i en talkolumn": 1})),
    "units_percent_expected.csv": ({}, (0, {"talet har en enhet": 3})),
    "numbers_odd.csv": ({}, (2, {"fler celler än rubrikraden": 2, "text i en talkolumn": 4,
                                 "okänd statussymbol": 1, "både värde och statussymbol": 1})),
    "formula_text_in_csv.csv": ({}, (0, {"text i en talkolumn": 2, "Okänt område": 2})),
    "unknown_indicator.csv": ({}, (0, {"okänd indikator": 3})),
    # dates for years
    "dates_for_years.csv": ({}, (1, {"år är inte ett heltal": 3, "fyra siffror": 1})),
    "dates_as_year_columns.csv": (IND, (ERR, "rubrikrad")),
    # districts that no longer exist or never did, look-alikes
    "unknown_districts.csv": ({}, (3, {"Okänt område 'Atlantis'": 1, "Tvetydigt": 1, "Vällingby sdn": 1})),
    "lookalike_names.csv": ({}, (6, {"inte är latinska bokstäver": 4})),
    "lookalike_dashes_borough.csv": ({}, (5, {})),
    # PC-Axis
    "pcaxis_data_short.px": (IND, (ERR, "DATA har 3 celler men VALUES ger 4")),
    "pcaxis_data_long.px": (IND, (ERR, "DATA har 5 celler")),
    "pcaxis_truncated_data.px": (IND, (ERR, "DATA har 3 celler")),
    "pcaxis_no_data.px": (IND, (ERR, "DATA= saknas")),
    "pcaxis_data_after_end.px": (IND, (ERR, "efter DATA-blockets slut")),
    "pcaxis_missing_values.px": (IND, (ERR, "VALUES saknas")),
    "pcaxis_bad_statement.px": (IND, (ERR, "ogiltig PC-Axis-sats")),
    "pcaxis_bad_tokens.px": (IND, (2, {"okänd symbol i DATA": 2})),
    "pcaxis_text_cell.px": (IND, (3, {"text i en talkolumn": 1})),
    "pcaxis_monthly_time.px": (IND, (0, {"år är inte ett heltal": 4})),
    # JSON-stat
    "jsonstat_size_mismatch.json": (IND, (ERR, "size säger 3")),
    "jsonstat_value_count_mismatch.json": (IND, (ERR, "value har 3 celler")),
    "jsonstat_status_count_mismatch.json": (IND, (ERR, "status har 2 celler")),
    "jsonstat_sparse_out_of_range.json": (IND, (ERR, "positionen '7'")),
    "jsonstat_sparse_negative.json": (IND, (ERR, "positionen '-1'")),
    "jsonstat_bad_sparse_key.json": (IND, (ERR, "positionen 'a'")),
    "jsonstat_size_not_int.json": (IND, (ERR, "size ska vara")),
    "jsonstat_text_values.json": (IND, (1, {"text i en talkolumn": 2, "värde saknas (null)": 1})),
    "jsonstat_truncated.json": (IND, (ERR, "ogiltig JSON")),
    "jsonstat_not_dataset.json": (IND, (ERR, "inte ett JSON-stat-dataset")),
    "jsonstat_list_top.json": (IND, (ERR, "inte ett JSON-stat-dataset")),
    "jsonstat_year_dates.json": (IND, (0, {"år är inte ett heltal": 4})),
    # values without numerator and denominator: read as they are (what happens next: test below)
    "share_only_trangboddhet.csv": ({"indicator": "trangboddhet"}, (2, {})),
    "share_only_ekonomiskt_bistand.csv": ({"indicator": "ekonomiskt_bistand"}, (2, {})),
}


# --------------------------------------------------------------------------- figures for the summary

class _Figures:
    """Collects per-case counts; prints one line at the end of the session."""

    def __init__(self):
        self.cases: set[str] = set()
        self.lost = 0
        self.records = 0

    def pytest_terminal_summary(self, terminalreporter):
        if self.cases:
            terminalreporter.write_line(
                f"Felaktiga indata: {len(self.cases)} fall prövade, {self.lost} rader försvunna "
                f"(in = behållna + undantagna i alla fall; {self.records} poster lästa)")


@pytest.fixture(scope="session")
def figures(request):
    plugin = request.config.pluginmanager.get_plugin("evalkit-bad-inputs")
    if plugin is None:
        plugin = _Figures()
        request.config.pluginmanager.register(plugin, "evalkit-bad-inputs")
    return plugin


def _check_quarantine(q: pd.DataFrame, name: str) -> None:
    assert (q["source_file"] == name).all(), q["source_file"].unique()
    assert (q["row_number"] > 0).all()
    assert (q["column"].astype(str).str.strip() != "").all()
    assert (q["reason"].astype(str).str.strip() != "").all()


def test_every_corpus_file_has_a_case_and_every_case_a_file():
    files = {p.name for p in CORPUS.iterdir()}
    assert files == set(CASES), (sorted(files - set(CASES)), sorted(set(CASES) - files))
    assert set(make_corpus.text_files()) | {"excel_formulas_ref_merged.xlsx", "excel_truncated.xlsx",
                                           "excel_no_table.xlsx", "excel_not_zip.xlsx"} == files


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_an_error_or_reconciled_quarantine(name, figures):
    options, expect = CASES[name]
    path = CORPUS / name
    if expect[0] == ERR:
        with pytest.raises(ReaderError) as info:
            read_with_quarantine(path, **options)
        message = str(info.value)
        assert "\n" not in message and name in message and expect[1] in message, message
        # `evalkit validate` / `clean` go through the same reader: the same error, not a traceback
        with pytest.raises(ReaderError):
            clean.read_source(path, **options)
        figures.cases.add(name)
        return
    kept, reasons = expect
    result = read_with_quarantine(path, **options)
    q = result.quarantine
    assert result.reconciles(), (result.rows_read, len(result.data), result.set_aside_count())
    assert result.rows_read == len(result.data) + result.set_aside_count()
    assert len(result.data) == kept, result.quarantine.to_string()
    _check_quarantine(q, name)
    for words, at_least in reasons.items():
        assert q["reason"].str.contains(words, regex=False).sum() >= at_least, (words, q.to_string())
    # kept rows: a real value or a status symbol, a canonical area code, an integer year
    assert result.data["area_code"].str.fullmatch(r"(sdo?-[a-z0-9-]+|programomradet|ovriga-staden|stockholm|riket)").all()
    assert result.data["year"].between(1950, 2049).all()
    # through clean (duplicates and the contract): still nothing lost
    data, quarantine, rows_read, set_aside = clean.read_source(path, **options)
    assert rows_read == len(data) + set_aside == result.rows_read
    _check_quarantine(quarantine, name)
    figures.cases.add(name)
    figures.records += rows_read
    figures.lost += rows_read - len(data) - set_aside


def test_duplicates_are_set_aside_by_clean_with_the_first_row_named():
    data, q, rows_read, set_aside = clean.read_source(CORPUS / "duplicates_5000.csv")
    assert rows_read == 5002 and len(data) == 1 and set_aside == 5001
    repeats = q[q["reason"].str.startswith("dubblett av rad 2")]
    assert len(repeats) == 4999 and set(repeats["row_number"]) == set(range(3, 5002))
    assert (q["reason"].str.contains("olika värden")).sum() == 2  # Rinkeby 1 vs 2: both set aside


def test_empty_cells_are_set_aside_by_the_contract_never_published_without_status():
    data, q, rows_read, set_aside = clean.read_source(CORPUS / "numbers_odd.csv")
    assert "värde saknas utan statussymbol" in set(q["reason"])
    assert not (data["value"].isna() & (data["status"] == "")).any()


def test_units_are_accepted_when_declared_and_match_the_catalogue():
    result = read_with_quarantine(CORPUS / "units_percent_expected.csv", value_unit="%")
    assert result.reconciles() and sorted(result.data["value"]) == [11.0, 12.5]
    assert result.quarantine["reason"].str.contains("oväntad enhet kr").sum() == 1


def test_read_sources_with_a_listing_reconciles_every_source(tmp_path, figures):
    """`clean.read_sources` on a temporary raw folder listing every readable corpus CSV."""
    names = [n for n, (opts, exp) in CASES.items() if exp[0] != ERR and n.endswith(".csv")]
    rows = []
    for n in names:
        (tmp_path / n).write_bytes((CORPUS / n).read_bytes())
        rows.append({"path": n, "indicator": CASES[n][0].get("indicator", ""), "level": "", "description": "korpus"})
    pd.DataFrame(rows).to_csv(tmp_path / "sources.csv", index=False)
    kept, quarantine, reports = clean.read_sources(tmp_path)
    assert [r.path for r in reports] == names
    for report in reports:
        assert report.reconciles and report.rows_read == report.rows_kept + report.rows_set_aside, report
    assert len(kept) == sum(r.rows_kept for r in reports)
    assert len(quarantine) >= sum(r.rows_set_aside for r in reports)
    assert quarantine["source_file"].isin(names).all()
    assert (quarantine["reason"].str.strip() != "").all() and (quarantine["column"].str.strip() != "").all()
    figures.cases.add("read_sources")
    figures.lost += sum(r.rows_read - r.rows_kept - r.rows_set_aside for r in reports)


@pytest.mark.parametrize("indicator", ["trangboddhet", "ekonomiskt_bistand"])
def test_a_share_only_file_is_aggregated_where_it_can_and_published_without_a_crash(indicator, tidy, figures):
    """A real file with values but no counts (it crashed the disclosure step's MILP): its rows
    replace the demo rows, every group it would enter says '.' (beräknas inte) unless the members
    with counts cover it, nothing of it is hidden, and the audit passes and counts it."""
    from evalkit import aggregate, programme
    from evalkit.analysis import disclosure

    name = f"share_only_{indicator}.csv"
    result = clean.read_input(CORPUS / name, indicator=indicator)
    real = clean._with_origin(result.data, "real", "Statistikenheten: andel per stadsdel 2020")
    years = [2019, 2020]
    base = tidy[(tidy["area_level"] == "stadsdel") & tidy["year"].isin(years)
                & tidy["indicator"].isin(["folkmangd", indicator])].assign(source_row=0)
    parts = [base.reset_index(drop=True), real]
    replaced = clean.apply_precedence(parts, ["demo/x.csv", name], [True, False])
    assert len(replaced[0]) == 2 and len(replaced[1]) == 0  # Husby and Akalla 2020: demo rows superseded
    kept = pd.concat(parts, ignore_index=True)
    assert clean.aggregation_warnings(kept) and "beräknas inte ('.')" in clean.aggregation_warnings(kept)[0]
    full = aggregate.add_aggregates(contracts.tidy_frame(kept), programme.indicator_catalogue())
    published = disclosure.publish(full)  # before: ValueError from the MILP

    def cell(frame, code, year):
        return frame[(frame["area_code"] == code) & (frame["indicator"] == indicator) & (frame["year"] == year)].iloc[0]

    husby = cell(published.frame, "sd-husby", 2020)
    assert husby["value"] == float(result.data.loc[result.data["area_code"] == "sd-husby", "value"].iloc[0])
    assert husby["status"] == "" and husby["origin"] == "real" and husby["source"].startswith("Statistikenheten")
    assert cell(published.frame, "sdo-rinkeby-kista", 2020)["status"] == aggregate.NOT_COMPUTED == "."
    assert cell(published.frame, "programomradet", 2020)["status"] == "."
    city = cell(published.frame, "stockholm", 2020)  # the rest cover over 95 % of the city: computed
    assert city["status"] in ("", "x") and city["origin"] == "demo"  # formed from demo members
    assert cell(published.frame, "sdo-rinkeby-kista", 2019)["status"] in ("", "x")  # other years as before
    assert published.audit.ok and published.audit.figures()["values_without_counts"] == 2
    assert "utan täljare och nämnare" in published.audit.text()
    assert not ((published.log["area_code"].isin(["sd-husby", "sd-akalla"])) & (published.log["year"] == 2020)
                & (published.log["indicator"] == indicator)).any()  # nothing of them to hide
    figures.cases.add(f"share-only {indicator}")


# --------------------------------------------------------------------------- property tests: readers

def _swedish(value: float, decimals: int) -> str:
    text = f"{abs(value):,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", "\u00a0")
    return ("−" if value < 0 else "") + text


SYMBOLS = {"..": "..", "–": "–", "x": "x", ".": "."}
AREAS = ["Tensta", "Rinkeby", "Husby", "Skärholmen", "Hässelby gård", "Vårberg"]
cell = st.one_of(
    st.tuples(st.integers(0, 10**9), st.integers(0, 2)).map(lambda t: ("num", t[0] / 10**t[1], t[1])),
    st.sampled_from(sorted(SYMBOLS)).map(lambda s: ("sym", s, 0)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=len(AREAS)),
       st.sampled_from([";", "\t"]), st.sampled_from(["utf-8-sig", "cp1252", "utf-16"]))
def test_property_swedish_numbers_and_symbols_round_trip_through_a_csv(rows, delimiter, encoding):
    years = [2014, 2015, 2016]
    lines = ["Tabell 1. Folkmängd", delimiter.join(["Stadsdel"] + [str(y) for y in years])]
    for area, cells in zip(AREAS, rows):
        texts = [_swedish(v, d) if kind == "num" else v for kind, v, d in cells]
        lines.append(delimiter.join([area] + texts))
    lines.append("Källa: hypotes")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
        result = read_with_quarantine(path, indicator="folkmangd")
    assert result.reconciles() and result.set_aside_count() == 0, result.quarantine.to_string()
    got = result.data.set_index(["area_code", "year"])
    for area, cells in zip(AREAS, rows):
        code = geography.resolve(area, level="stadsdel")
        for year, (kind, v, _d) in zip(years, cells):
            r = got.loc[(code, year)]
            if kind == "num":
                assert r["status"] == "" and r["value"] == pytest.approx(v, rel=1e-12, abs=1e-9)
            else:
                assert r["status"] == SYMBOLS[v] and pd.isna(r["value"])  # a symbol is never 0


def _read_or_reader_error(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"x{suffix}"
        path.write_bytes(data)
        try:
            result = read_with_quarantine(path, indicator="folkmangd")
        except ReaderError as exc:
            assert "\n" not in str(exc) and path.name in str(exc)
            return
    assert result.reconciles()
    if len(result.quarantine):
        _check_quarantine(result.quarantine, path.name)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from([".csv", ".px", ".json", ".xlsx", ".txt", ".dat"]))
def test_property_random_bytes_raise_only_reader_error(data, suffix):
    _read_or_reader_error(data, suffix)


csvish = st.lists(st.lists(st.one_of(st.sampled_from(["Tensta", "Rinkeby", "Stadsdel", "År", "2015", "2016",
                                                       "1 234,5", "..", "x", '"', '""', "=1+1", "Källa: x",
                                                       "folkmangd", "indikator", "omrade", "ar", "varde", ""]),
                                      st.text(max_size=6)), max_size=6), max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(csvish, st.sampled_from([";", ",", "\t"]), st.sampled_from([".csv", ".px", ".json"]))
def test_property_random_csvish_text_is_read_or_reader_error(rows, delimiter, suffix):
    text = "\n".join(delimiter.join(r) for r in rows)
    _read_or_reader_error(text.encode("utf-8", "surrogatepass"), suffix)


# --------------------------------------------------------------------------- property tests: resolver
# (case, dash and space variants of every canonical name: tests/test_geography.py)

@settings(max_examples=400, deadline=None)
@given(st.text(max_size=30), st.sampled_from([None, "stadsdel", "stadsdelsomrade"]))
def test_property_random_names_resolve_or_raise_area_name_error(name, level):
    try:
        code = geography.resolve(name, level=level)
    except geography.AreaNameError as exc:
        assert str(exc)
        return
    assert geography.area_name(code)  # a canonical code


CONFUSABLES = "аеорсхуіјѕкмтнвАЕОРСХУІЈЅКМТНВαοριυκνΑΟΡΙΥΚΝ"
NAMES = sorted(geography.stadsdelar()["stadsdel"])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NAMES), st.sampled_from(CONFUSABLES), st.integers(0, 40), st.booleans())
def test_property_a_letter_from_another_script_never_resolves_silently(name, letter, at, replace):
    at = at % (len(name) + 1)
    spoofed = name[:at] + letter + name[at + (1 if replace else 0):]
    with pytest.raises(geography.UnknownAreaError, match="inte är latinska bokstäver"):
        geography.resolve(spoofed, level="stadsdel")


def test_lookalike_error_suggests_the_intended_name():
    with pytest.raises(geography.UnknownAreaError) as info:
        geography.resolve("T\u0435nsta")
    assert info.value.candidates[0] == "sd-tensta" and "U+0435" in str(info.value)


def test_dash_space_and_width_variants_still_resolve():
    for variant in ["Hässelby\u00a0gård", "Hässelby\u2013gård", "HÄSSELBY  GÅRD", "Ｈässelby gård", "Hässelby gård\u200b"]:
        assert geography.resolve(variant) == "sd-hasselby-gard", variant

