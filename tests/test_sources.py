"""One ingestion path: every input is listed in sources.csv with its kind, and a new kind of input
needs a schema and a registration, no code in the clean step."""

import json
import shutil

import pandas as pd
import pandera.pandas as pa
import pytest

from evalkit import clean, contracts, fingerprint
from evalkit.paths import raw_dir

#: A kind evalkit does not have: library visits per stadsdel and year, as a city unit might send them.
LIBRARY_SCHEMA = pa.DataFrameSchema(
    {
        "area_code": pa.Column(str, pa.Check.isin(contracts.known_area_codes(), error="okänt område")),
        "year": pa.Column(int, pa.Check.in_range(*contracts.YEAR_RANGE, error="år utanför intervallet"),
                          metadata={"headers": ["År"]}),
        "visits": pa.Column(float, pa.Check.ge(0, error="negativt antal"), nullable=True,
                            metadata={"headers": ["Besök", "Antal besök"]}),
        "status": pa.Column(str, pa.Check.isin(contracts.STATUS_SYMBOLS, error="okänd statussymbol")),
        "source": pa.Column(str),
    },
    checks=[pa.Check(lambda df: ~(df["visits"].isna() & (df["status"] == "")),
                     error="värde saknas utan statussymbol")],
    unique=["area_code", "year"],
    report_duplicates="exclude_first",
    coerce=True,
    strict=False,
)
LIBRARY_FILE = (
    "Område;År;Antal besök;Status;Källa\n"
    "Tensta;2015;1 234;;Kulturförvaltningen\n"    # 2 kept (Swedish thousands)
    "Rinkeby;2016;..;;Kulturförvaltningen\n"      # 3 kept: a symbol, never 0
    "Tensat;2015;5;;Kulturförvaltningen\n"        # 4 unknown area (reader)
    "Husby;2015;tolv;;Kulturförvaltningen\n"      # 5 text in a number column (reader)
    "Husby;2016;-3;;Kulturförvaltningen\n"        # 6 negative (contract)
    "Tensta;2015;1 234;;Kulturförvaltningen\n"    # 7 same key again (contract)
)


def listing_row(path, kind, description="test"):
    return f"{path},,,{description},{kind}\n"


def test_every_input_is_listed_with_a_known_kind():
    sources = clean.listing(raw_dir())
    assert set(sources["kind"]) == {"indicators", "projects", "project_frames", "schools", "surveys"}
    assert set(sources["kind"]) <= set(clean.KINDS)
    for path in sources["path"]:
        assert (raw_dir() / path).is_file(), path
    # every table the clean step writes comes from a listed kind, and no two kinds write the same table
    outputs = [clean.KINDS[k].output for k in dict.fromkeys(sources["kind"])]
    assert len(outputs) == len(set(outputs))
    assert {"indicators.parquet", "projects.parquet", "project_frames.parquet", "schools.parquet",
            "surveys.parquet"} == set(outputs)


def test_a_listing_without_kind_column_means_indicators(tmp_path):
    (tmp_path / "sources.csv").write_text("path,indicator,level,description\na.csv,folkmangd,stadsdel,x\n",
                                          encoding="utf-8")
    sources = clean.listing(tmp_path)
    assert sources["kind"].tolist() == [clean.INDICATORS]
    assert sources.loc[0, "indicator"] == "folkmangd"


def test_an_unknown_kind_is_one_clear_error_naming_file_row_and_column(tmp_path):
    (tmp_path / "sources.csv").write_text("path,indicator,level,description,kind\n"
                                          "a.csv,,,x,indicators\nb.csv,,,y,bibliotek\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"sources\.csv, rad 3, kolumn kind: okänd sorts indata 'bibliotek'"):
        clean.listing(tmp_path)


def test_a_new_kind_needs_only_a_schema_and_a_row_in_sources_csv(tmp_path, monkeypatch):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    (raw / "bibliotek").mkdir(parents=True)
    (raw / "bibliotek" / "besok.csv").write_text(LIBRARY_FILE, encoding="utf-8")
    (raw / "sources.csv").write_text("path,indicator,level,description,kind\n"
                                     + listing_row("bibliotek/besok.csv", "bibliotek"), encoding="utf-8")
    # The registration: a schema and the name of the table to write – no reader, no clean-step code.
    monkeypatch.setitem(clean.KINDS, "bibliotek", clean.kind_from_schema(LIBRARY_SCHEMA, "bibliotek.parquet"))

    (report,) = clean.run(raw, out)
    assert (report.path, report.rows_read, report.rows_kept, report.rows_set_aside) == ("bibliotek/besok.csv", 6, 2, 4)
    assert report.reconciles and sum(report.reasons.values()) == report.rows_set_aside

    table = pd.read_parquet(out / "bibliotek.parquet")
    assert table["area_code"].tolist() == ["sd-tensta", "sd-rinkeby"]
    assert table["visits"].iloc[0] == 1234 and pd.isna(table["visits"].iloc[1])
    assert table["status"].tolist() == ["", ".."]
    assert table["source_row"].tolist() == [2, 3]

    quarantine = pd.read_csv(out / "quarantine_inputs.csv", dtype={"value": str}).set_index("row_number")
    assert (quarantine["source_file"] == "bibliotek/besok.csv").all()
    assert sorted(quarantine.index) == [4, 5, 6, 7]
    assert quarantine.loc[4, "column"] == "area_code" and "Tensat" in quarantine.loc[4, "reason"]
    assert quarantine.loc[5, "column"] == "visits" and quarantine.loc[5, "reason"] == "text i en talkolumn"
    assert quarantine.loc[6, "column"] == "visits" and quarantine.loc[6, "reason"] == "negativt antal"
    assert quarantine.loc[7, "reason"].startswith("dubblett")

    summary = json.loads((out / "clean_report.json").read_text(encoding="utf-8"))
    assert summary["rows_read"] == summary["rows_kept"] + summary["rows_set_aside"] == 6
    assert [s["reconciles"] for s in summary["sources"]] == [True]
    text = (out / "clean_report.txt").read_text(encoding="utf-8")
    assert "bibliotek/besok.csv: lästa 6, behållna 2, undantagna 4 (stämmer)" in text


def test_record_kinds_run_through_the_same_loop_and_reconcile(tmp_path):
    """The bundled register, frames, schools and surveys, cleaned on their own from a copy of their listing."""
    raw, out = tmp_path / "raw", tmp_path / "processed"
    sources = clean.listing(raw_dir())
    records = sources[sources["kind"] != clean.INDICATORS]
    for path in records["path"]:
        (raw / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(raw_dir() / path, raw / path)
    records.to_csv(raw / "sources.csv", index=False)
    reports = clean.run(raw, out)
    assert [r.path for r in reports] == records["path"].tolist()
    for report, kind in zip(reports, records["kind"]):
        assert report.reconciles
        table = pd.read_parquet(out / clean.KINDS[kind].output)
        assert len(table) == report.rows_kept > 0
        if clean.KINDS[kind].columns:
            assert table.columns.tolist() == list(clean.KINDS[kind].columns)
    assert not (out / "indicators.parquet").exists()  # no indicator source listed, no tidy table


def test_the_clean_stamp_covers_every_module_of_the_ingestion_path():
    covered = {p.relative_to(fingerprint.package_root()).as_posix()
               for p in fingerprint.import_closure(["evalkit.clean"])}
    assert {"contracts/__init__.py", "contracts/tidy.py", "contracts/inputs.py", "io/records.py",
            "io/projects.py", "io/schools.py", "io/surveys.py", "aggregate.py"} <= covered


# --------------------------------------------------------------------------- contracts


def test_tidy_frame_gives_the_twelve_columns_in_order_with_their_dtypes():
    records = [{"origin": "real", "source": "s", "unit": "antal", "denominator": None, "numerator": None, "status": "", "value": 3,
                "year": "2015", "indicator": "folkmangd", "area_level": "stadsdel", "area_name": "Tensta",
                "area_code": "sd-tensta", "extra": 1}]
    frame = contracts.tidy_frame(records)
    assert frame.columns.tolist() == contracts.TIDY_COLUMNS
    assert frame["year"].dtype == "int64" and frame["value"].dtype == "float64"
    assert frame["numerator"].isna().all() and frame["numerator"].dtype == "float64"
    scalars = contracts.tidy_frame(area_code=["sd-tensta", "sd-husby"], area_name="x", area_level="stadsdel",
                                   indicator="folkmangd", year=2015, value=[1.0, 2.0], status="",
                                   numerator=float("nan"), denominator=float("nan"), unit="antal", source="s",
                                   origin="demo")
    assert len(scalars) == 2 and scalars.columns.tolist() == contracts.TIDY_COLUMNS
    empty = contracts.tidy_frame()
    assert empty.empty and empty.columns.tolist() == contracts.TIDY_COLUMNS and empty["year"].dtype == "int64"
    with pytest.raises(KeyError, match="source"):
        contracts.tidy_frame([{c: "x" for c in contracts.TIDY_COLUMNS if c != "source"}])


def test_known_area_codes_are_the_registry_and_the_groups():
    codes = set(contracts.known_area_codes())
    assert len([c for c in codes if c.startswith("sd-")]) == 117
    assert {"programomradet", "ovriga-staden", "stockholm", "riket", "sdo-hagersten-alvsjo", "sdo-alvsjo"} <= codes
