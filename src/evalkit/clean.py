"""`evalkit clean`: every input listed in ``data/raw/sources.csv`` -> validated Parquet, quarantine
and a reconciled clean report, the same way for every kind of input.

``sources.csv`` names each file, its ``kind`` (empty = ``indicators``), its ``origin`` (``demo`` for
synthetic demo data, ``real`` or empty for real data) and, for indicator files, what the file does
not say (``indicator``, ``level``). Every tidy row carries its file's origin
(:mod:`evalkit.origin`). A kind (:data:`KINDS`) says how its files
are read and checked:

1. the reader in :mod:`evalkit.io` (rows it cannot use are set aside with file, row, column, reason);
2. for kinds with a key (the tidy table: area × indicator × year), duplicate keys are set aside
   (exact repeats after the first; all rows of a conflicting key), and real data replace demo data;
3. the contract in :mod:`evalkit.contracts` (pandera): failing rows are set aside (:func:`validate`);
4. counts reconcile per source: rows read = rows kept + rows set aside, asserted for every source;
5. the kind's table is written to ``data/processed``; the tidy table first gets boroughs,
   programme area, rest of city and city totals (:mod:`evalkit.aggregate`), the derived
   indicators and the social risk index, and is then published through disclosure control.

A new kind of input is a reader (or none: :func:`kind_from_schema` reads a record file driven by
its contract), a schema and an entry in :data:`KINDS`; a new file of a known kind is one row in
``sources.csv``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from evalkit import aggregate, contracts, programme
from evalkit import origin as origins
from evalkit.analysis import index as risk_index
from evalkit.geography import PROGRAMME_ERA
from evalkit.io import projects, records, schools, surveys
from evalkit.io.core import ReadResult, empty_quarantine, quarantine_rows
from evalkit.io.formats import read_with_quarantine
from evalkit.paths import processed_dir, raw_dir, sources_listing

KEY = ["area_code", "indicator", "year"]
#: The kind of a ``sources.csv`` row whose ``kind`` is empty (the file format of earlier versions).
INDICATORS = "indicators"


@dataclass(frozen=True)
class Kind:
    """How one kind of input is read, checked and written.

    ``reader`` (in :mod:`evalkit.io`) takes the path (and, with ``options``, the ``indicator`` and
    ``level`` of the ``sources.csv`` row) and returns a :class:`~evalkit.io.core.ReadResult`;
    ``contract`` returns the pandera schema every kept row must pass; ``output`` is the table
    written under ``data/processed`` (``columns``: its columns in order, None = as read);
    ``key`` (only the tidy table's :data:`KEY` so far) turns on duplicate-key checks and the rule
    that real data replace demo data; ``quarantine`` names the file the set-aside rows go to;
    ``derive`` makes the written table from the kept rows and ``publish`` writes what may be
    published from it (the tidy table only); ``warn`` lists warnings for the clean report.
    ``listed_name``: quarantine rows name the file as ``sources.csv`` lists it (the indicator
    readers name it themselves, by file name, as their quarantine always has).
    """

    reader: Callable[..., ReadResult]
    contract: Callable[[], pa.DataFrameSchema]
    output: str
    columns: tuple[str, ...] | None = None
    key: tuple[str, ...] | None = None
    quarantine: str = "quarantine_inputs.csv"
    options: bool = False
    derive: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    publish: Callable[[Path], dict] | None = None
    warn: Callable[[pd.DataFrame], list[str]] | None = None
    listed_name: bool = True


def kind_from_schema(schema: pa.DataFrameSchema, output: str, **fields) -> Kind:
    """A kind that needs nothing but its contract: a record file read by
    :func:`evalkit.io.records.read_by_schema`, validated against ``schema``, written to ``output``."""
    return Kind(partial(records.read_by_schema, schema=schema), lambda: schema, output, **fields)


@dataclass
class SourceReport:
    """Counts for one source file; ``rows_read == rows_kept + rows_set_aside`` always."""

    path: str
    sha256: str
    rows_read: int
    rows_kept: int = 0
    rows_set_aside: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    origin: str = origins.REAL

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_kept + self.rows_set_aside


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (for provenance)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def set_aside_duplicates(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the first of exact repeats; set aside every row of a key whose rows disagree."""
    dup_key = data.duplicated(KEY, keep=False)
    if not dup_key.any():
        return data, empty_quarantine()
    compare = KEY + ["value", "status", "numerator", "denominator"]
    exact_repeat = data.duplicated(compare, keep="first")
    groups = data[dup_key].groupby(KEY, dropna=False)
    conflicting_keys = groups.filter(lambda g: g[compare].drop_duplicates().shape[0] > 1).index
    conflicting = data.index.isin(conflicting_keys)
    first_rows = data[dup_key].groupby(KEY)["source_row"].transform("min")
    parts = [empty_quarantine()]
    repeat_mask = exact_repeat & ~conflicting
    if repeat_mask.any():
        rows = data[repeat_mask]
        parts.append(
            quarantine_rows(rows["source_file"].iloc[0], rows["source_row"], "area_code/indicator/year",
                            rows["area_code"] + "/" + rows["indicator"] + "/" + rows["year"].astype(str),
                            "dubblett av rad " + first_rows[repeat_mask].astype(str))
        )
    if conflicting.any():
        rows = data[conflicting]
        parts.append(
            quarantine_rows(rows["source_file"].iloc[0], rows["source_row"], "area_code/indicator/year",
                            rows["area_code"] + "/" + rows["indicator"] + "/" + rows["year"].astype(str),
                            "samma område, indikator och år förekommer flera gånger med olika värden")
        )
    return data[~(repeat_mask | conflicting)], pd.concat(parts, ignore_index=True)


def _reason(check: str) -> str:
    """Swedish text for pandera's built-in check names (our own checks already carry Swedish errors)."""
    if "uniqueness" in check or check.startswith("unique"):
        return "dubblett: samma nyckel finns på en tidigare rad"
    if check.startswith("coerce_dtype"):
        return f"fel datatyp ({check})"
    if check.startswith("not_nullable"):
        return "värde saknas"
    return check


def validate(data: pd.DataFrame, contract: pa.DataFrameSchema) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate rows (with ``source_file``, ``source_row``) against a contract: the one way
    failures become quarantine rows, for every kind.

    Returns ``(kept, quarantine)``: one quarantine row per failing row (its first failure: file,
    row, column – ``rad`` for a check over the row –, value, reason), ``kept`` coerced by the schema.
    """
    data = data.reset_index(drop=True)
    try:
        return contract.validate(data, lazy=True), empty_quarantine()
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases.dropna(subset=["index"]).drop_duplicates("index")
        bad_index = failures["index"].astype("int64").tolist()
        rows = data.loc[bad_index]
        quarantine = pd.concat(
            [empty_quarantine()]
            + [quarantine_rows(f, [r], c, [v], [_reason(reason)])
               for f, r, c, v, reason in zip(rows["source_file"], rows["source_row"],
                                             failures["column"].fillna("rad").astype(str),
                                             failures["failure_case"].astype(str), failures["check"].astype(str))],
            ignore_index=True,
        )
        kept = data.drop(index=bad_index).reset_index(drop=True)
        return contract.validate(kept, lazy=True), quarantine


REPLACED_BY_REAL = "ersatta av verkliga uppgifter"
#: First characters that make a spreadsheet read a cell as a formula (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_REASON = "texten börjar med ett formeltecken (= + - @ tabb eller radbrytning) och kan köras som formel i ett kalkylark"


def set_aside_formulas(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set aside rows with a text field that starts like a spreadsheet formula (``=HYPERLINK(…)``).

    Such a text would reach every published file (the data package, the CSV downloads) and every
    aggregate that inherits it; it is set aside here, at the source, with its reason – not stored
    neutralised, so that no file carries it in any form. The quarantine shows the value with a
    leading apostrophe, so that opening quarantine.csv in a spreadsheet does not run it either.
    """
    text = [c for c in data.columns if c != "source_file" and not pd.api.types.is_numeric_dtype(data[c])
            and not pd.api.types.is_bool_dtype(data[c])]
    hits = [(c, data[c].astype(str).str.startswith(FORMULA_START) & data[c].notna()) for c in text]
    hits = [(c, m) for c, m in hits if m.any()]
    if not hits:
        return data, empty_quarantine()
    first = pd.Series("", index=data.index, dtype=object)
    for column, mask in reversed(hits):  # name the first offending column of each row
        first[mask] = column
    bad = first.ne("")
    rows = data[bad]
    values = ["'" + str(rows.at[i, c]) for i, c in zip(rows.index, first[bad])]
    quarantine = quarantine_rows(rows["source_file"].iloc[0] if "source_file" in rows else "",
                                 rows["source_row"] if "source_row" in rows else rows.index,
                                 first[bad].tolist(), values, FORMULA_REASON)
    return data[~bad].reset_index(drop=True), quarantine


def is_demo_source(path: str) -> bool:
    """Where ``sources.csv`` has no ``origin`` column (listings of earlier versions): files under
    ``demo/`` are the synthetic demo data."""
    return str(path).replace("\\", "/").startswith("demo/")


def row_origins(data: pd.DataFrame, file_origin: str) -> pd.Series:
    """Origin of each row read from a file whose ``sources.csv`` origin is ``file_origin``.

    A real file's rows are real. A demo file's rows are demo, except rows whose own ``source``
    column names a source that is not demo data (the bundled demo file carries the real
    population 2014–2016 as "Stockholms stad, basområden (CC0)"): the file says so per row.
    A row without a source of its own (the reader puts the file name there) stays demo.
    """
    if file_origin != origins.DEMO or data.empty:
        return pd.Series(file_origin, index=data.index, dtype=str)
    own = data["source"].astype(str)
    stated = (own != "") & (own != data["source_file"].astype(str))
    real = stated & (own.map(origins.from_source) == origins.REAL)
    return pd.Series(origins.DEMO, index=data.index, dtype=str).where(~real, origins.REAL)


def read_input(path: Path, kind: str = INDICATORS, contract: pa.DataFrameSchema | None = None,
               **options) -> ReadResult:
    """Read one file of a kind as `evalkit clean` does: reader, duplicate keys, contract.

    ``options`` (``indicator``, ``level``, reader options) go to readers that take them. Every
    record read is either kept (``data``, coerced by the contract) or set aside exactly once
    (``quarantine``: file, row, column, value, reason), so ``result.reconciles()``.
    """
    spec = KINDS[kind]
    result = spec.reader(path, **options) if spec.options else spec.reader(path)
    data, dup_q = set_aside_duplicates(result.data) if spec.key else (result.data, empty_quarantine())
    data, schema_q = validate(data, contract if contract is not None else spec.contract())
    data, formula_q = set_aside_formulas(data)
    if spec.columns is not None:
        data = data[list(spec.columns)]
    return dataclasses.replace(result, data=data,
                               quarantine=pd.concat([result.quarantine, dup_q, schema_q, formula_q], ignore_index=True),
                               rows_set_aside=result.set_aside_count() + len(dup_q) + len(schema_q) + len(formula_q))


def read_source(path: Path, contract: pa.DataFrameSchema | None = None, **options):
    """:func:`read_input` for an indicator file, as ``(kept rows, quarantine, records read, records
    set aside)`` – the shape `evalkit validate` reports from."""
    result = read_input(path, INDICATORS, contract, **options)
    return result.data, result.quarantine, result.rows_read, result.set_aside_count()


def apply_precedence(kept_parts: list[pd.DataFrame], paths: list[str],
                     demo: list[bool] | None = None) -> list[pd.DataFrame]:
    """Real data replaces demo data for the same (area, indicator, year) key.

    ``demo`` says which sources are demo (``sources.csv``'s ``origin``; default: files under
    ``demo/``). Returns one quarantine frame per source with the replaced demo rows (reason
    :data:`REPLACED_BY_REAL`); the rows are removed from ``kept_parts`` in place.
    """
    demo = [is_demo_source(p) for p in paths] if demo is None else list(demo)
    real = [d for d, is_demo in zip(kept_parts, demo) if not is_demo]
    replaced = [empty_quarantine() for _ in paths]
    if not real:
        return replaced
    real_keys = pd.concat([d[KEY] for d in real], ignore_index=True).drop_duplicates()
    real_keys["_real"] = True
    for i, (data, path) in enumerate(zip(kept_parts, paths)):
        if not demo[i] or data.empty:
            continue
        hit = data[KEY].merge(real_keys, on=KEY, how="left")["_real"].fillna(False).to_numpy(bool)
        if hit.any():
            rows = data[hit]
            replaced[i] = quarantine_rows(path, rows["source_row"], "area_code/indicator/year",
                                          rows["area_code"] + "/" + rows["indicator"] + "/" + rows["year"].astype(str),
                                          REPLACED_BY_REAL)
            kept_parts[i] = data[~hit].reset_index(drop=True)
    return replaced


def listing(raw: Path) -> pd.DataFrame:
    """``sources.csv``: one row per input, ``kind`` filled in (empty or absent = ``indicators``)
    and ``origin`` (``demo`` or ``real``; empty = ``real``; a listing without the column: files
    under ``demo/`` are demo).

    Raises ``ValueError`` naming the row for a kind or an origin evalkit does not know.
    """
    header, rows = sources_listing(raw)
    sources = pd.DataFrame(rows, columns=header, dtype=str).fillna("")
    if "origin" not in sources.columns:
        sources["origin"] = [origins.DEMO if is_demo_source(p) else "" for p in sources["path"]]
    for column in ("indicator", "level", "kind", "description"):
        if column not in sources.columns:
            sources[column] = ""
    sources["kind"] = sources["kind"].str.strip().replace("", INDICATORS)
    sources["origin"] = sources["origin"].str.strip().str.lower().replace("", origins.REAL)
    for column, known in (("kind", list(KINDS)), ("origin", list(origins.ORIGINS))):
        unknown = ~sources[column].isin(known)
        if unknown.any():
            row = unknown.to_numpy().nonzero()[0][0]
            what = "okänd sorts indata" if column == "kind" else "okänt ursprung"
            raise ValueError(f"sources.csv, rad {row + 2}, kolumn {column}: {what} {sources[column].iloc[row]!r}"
                             f" (kända: {', '.join(known)})")
    return sources


def listed_path(kind: str, raw: Path | None = None) -> Path:
    """The one file of ``kind`` that ``sources.csv`` lists (e.g. the project register)."""
    raw = raw or raw_dir()
    paths = listing(raw).loc[lambda s: s["kind"] == kind, "path"].tolist()
    if len(paths) != 1:
        raise ValueError(f"sources.csv: {len(paths)} filer av sorten {kind!r}, väntade en")
    return raw / paths[0]


def read_sources(raw: Path, kind: str = INDICATORS) -> tuple[pd.DataFrame, pd.DataFrame, list[SourceReport]]:
    """Read and check every listed source of one kind; return kept rows, quarantine, counts.

    Where a real source and a demo source (``demo/…``) have the same key, the real row is kept
    and the demo row is set aside as "ersatta av verkliga uppgifter" in the demo source's counts,
    so every source still reconciles (asserted). Quarantine rows name the file as ``sources.csv``
    lists it, except rows the reader named itself.
    """
    spec = KINDS[kind]
    sources = listing(raw)
    sources = sources[sources["kind"] == kind]
    contract = spec.contract()
    kept_parts, quarantine_parts, reports = [], [], []
    for row in sources.itertuples(index=False):
        path = raw / row.path
        options = {"indicator": row.indicator or None, "level": row.level or None} if spec.options else {}
        result = read_input(path, kind, contract, **options)
        quarantine = result.quarantine
        if spec.listed_name:
            quarantine["source_file"] = row.path
        reports.append(SourceReport(row.path, file_sha256(path), result.rows_read, len(result.data),
                                    result.set_aside_count(), origin=row.origin))
        kept_parts.append(_with_origin(result.data, row.origin, row.description) if spec.key else result.data)
        quarantine_parts.append(quarantine)
    replaced = (apply_precedence(kept_parts, [r.path for r in reports], [r.origin == origins.DEMO for r in reports])
                if spec.key else [empty_quarantine() for _ in reports])
    for i, (report, data, quarantine, extra) in enumerate(zip(reports, kept_parts, quarantine_parts, replaced)):
        report.rows_kept = len(data)
        report.rows_set_aside += len(extra)
        combined = pd.concat([quarantine, extra], ignore_index=True)
        report.reasons = combined["reason"].value_counts().sort_index().to_dict()
        if not report.reconciles:
            raise AssertionError(f"{report.path}: rader lästa {report.rows_read} ≠ behållna {report.rows_kept}"
                                 f" + undantagna {report.rows_set_aside}")
        quarantine_parts[i] = combined
    kept = pd.concat(kept_parts, ignore_index=True) if kept_parts else pd.DataFrame()
    return kept, pd.concat([empty_quarantine(), *quarantine_parts], ignore_index=True), reports


def _with_origin(data: pd.DataFrame, file_origin: str, description: str) -> pd.DataFrame:
    """Tidy rows with ``origin`` (:func:`row_origins`); a row without a source of its own (the
    reader wrote the file name) is named by the file's ``sources.csv`` description, so pages and
    the data package name the real supplier rather than a file name."""
    data = data.assign(origin=row_origins(data, file_origin))
    if description and not data.empty:
        data["source"] = data["source"].where(data["source"].astype(str) != data["source_file"].astype(str),
                                              description)
    return data


def derive(kept: pd.DataFrame, era: str = PROGRAMME_ERA) -> pd.DataFrame:
    """Add aggregates, the tenure-diversity indicator and the social risk index to kept rows."""
    catalogue = programme.indicator_catalogue()
    tidy = contracts.tidy_frame(kept)
    tidy = aggregate.add_aggregates(tidy, catalogue, era=era)
    tidy = pd.concat([tidy, aggregate.tenure_diversity(tidy), aggregate.foreign_born_share(tidy)], ignore_index=True)
    tidy = pd.concat([tidy, risk_index.index_rows(tidy, catalogue)], ignore_index=True)
    tidy = tidy.sort_values(["indicator", "area_code", "year"]).reset_index(drop=True)
    return contracts.indicator_contract().validate(contracts.tidy_frame(tidy))


def aggregation_warnings(kept: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> list[str]:
    """One line per share or rate whose stadsdel values lack a numerator or denominator.

    Aggregates are sums of numerators and denominators (:mod:`evalkit.aggregate`), so such values
    make every borough, programme-area and city value ``.`` ("beräknas inte",
    :data:`evalkit.aggregate.NOT_COMPUTED`) – all rows still reconcile, so
    without this the clean report would say "stämmer" and the reports would show empty
    comparisons. A wide table (years as columns) carries values only, which is the usual cause.
    """
    catalogue = programme.indicator_catalogue() if catalogue is None else catalogue
    kinds = catalogue.set_index("indicator")["kind"]
    rows = kept[(kept["area_level"] == "stadsdel") & kept["indicator"].map(kinds).isin(aggregate.RATE_KINDS)
                & (kept["status"].fillna("") == "") & kept["value"].notna()]
    lacking = (rows["numerator"].isna() | rows["denominator"].isna()).groupby(rows["indicator"]).agg(["sum", "size"])
    groups = "stadsdelsområden, programområdena, övriga staden och staden"
    fix = "Lämna täljare och nämnare (långt format med kolumnerna täljare och nämnare; se README, Ny indikator)."
    out = []
    for indicator, (missing, total) in lacking[lacking["sum"] > 0].iterrows():
        if missing == total:
            problem = f"inget av {total} värden per stadsdel har täljare och nämnare – {groups} beräknas inte ('.')"
        else:
            problem = (f"{missing} av {total} värden per stadsdel saknar täljare eller nämnare – {groups} beräknas inte ('.')"
                       " de år de stadsdelarna väger mer än 5 %")
        out.append(f"{indicator} ({kinds[indicator]}): {problem}. {fix}")
    return out


def _publish(out: Path) -> dict:
    """Disclosure control and the intruder's audit on the tidy table just written."""
    from evalkit.data import write_published  # data imports the analysis stack only when publishing

    return write_published(out)


def _protect_schools(kept: pd.DataFrame) -> pd.DataFrame:
    """Pupils passing and failing are protected counts (:func:`evalkit.analysis.schools.protect`)."""
    from evalkit.analysis import schools as school_results

    return school_results.protect(kept)


def _protect_surveys(kept: pd.DataFrame) -> pd.DataFrame:
    """Respondents agreeing and not are protected counts (:func:`evalkit.analysis.surveys.protect`)."""
    from evalkit.analysis import surveys as survey_results

    return survey_results.protect(kept)


#: Every kind of input ``sources.csv`` may list (its ``kind`` column).
KINDS: dict[str, Kind] = {
    INDICATORS: Kind(read_with_quarantine, contracts.indicator_contract, "indicators.parquet",
                     key=tuple(KEY), quarantine="quarantine.csv", options=True, listed_name=False,
                     derive=derive, publish=_publish, warn=aggregation_warnings),
    "projects": Kind(projects.read_register, contracts.register_schema, "projects.parquet",
                     columns=tuple(projects.REGISTER_COLUMNS)),
    "project_frames": Kind(projects.read_frames, contracts.frames_schema, "project_frames.parquet"),
    "schools": Kind(schools.read_school_results, contracts.school_schema, "schools.parquet",
                    columns=tuple(schools.SCHOOL_COLUMNS), derive=_protect_schools),
    "surveys": Kind(surveys.read_surveys, contracts.survey_schema, "surveys.parquet",
                    columns=tuple(surveys.SURVEY_COLUMNS), derive=_protect_surveys),
}


def run(raw: Path | None = None, out: Path | None = None) -> list[SourceReport]:
    """Run the whole clean step and write its outputs to ``out`` (default ``data/processed``)."""
    raw = raw or raw_dir()
    out = out or processed_dir()
    out.mkdir(parents=True, exist_ok=True)
    reports, warnings, quarantines = [], [], {}
    audit, tidy_rows = {}, 0
    for kind in dict.fromkeys(listing(raw)["kind"]):  # kinds in the order sources.csv first names them
        spec = KINDS[kind]
        kept, quarantine, kind_reports = read_sources(raw, kind)
        reports += kind_reports
        quarantines.setdefault(spec.quarantine, []).append(quarantine)
        if spec.warn:
            warnings += spec.warn(kept)
        table = spec.derive(kept) if spec.derive else kept
        table.to_parquet(out / spec.output, index=False)
        if spec.publish:
            audit, tidy_rows = spec.publish(out), len(table)
    for name, parts in quarantines.items():
        quarantine = pd.concat(parts, ignore_index=True)
        if name == KINDS[INDICATORS].quarantine:  # the tidy table's quarantine, in file order
            quarantine = quarantine.sort_values(["source_file", "row_number"])
        quarantine.to_csv(out / name, index=False)
    summary = {
        "sources": [dict(r.__dict__, reconciles=r.reconciles) for r in reports],
        "rows_read": sum(r.rows_read for r in reports),
        "rows_kept": sum(r.rows_kept for r in reports),
        "rows_set_aside": sum(r.rows_set_aside for r in reports),
        "tidy_rows_written": tidy_rows,
        "demo_rows_replaced_by_real": replaced_by_real(reports),
        "cells_suppressed_for_publication": audit.get("cells_hidden", 0),
        "disclosure_audit": audit,
        "warnings": warnings,
    }
    (out / "clean_report.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "clean_report.txt").write_text(format_report(reports, tidy_rows, warnings), encoding="utf-8")
    return reports


def replaced_by_real(reports: list[SourceReport]) -> int:
    """Demo rows a real file superseded (same area, indicator and year), over all sources."""
    return sum(r.reasons.get(REPLACED_BY_REAL, 0) for r in reports)


def format_report(reports: list[SourceReport], tidy_rows: int, warnings: list[str] = ()) -> str:
    """Human-readable summary of a clean run (Swedish); warnings last, one line each."""
    lines = ["evalkit clean – sammanfattning", ""]
    for r in reports:
        demo = " [demodata]" if r.origin == origins.DEMO else ""
        lines.append(f"{r.path}{demo}: lästa {r.rows_read}, behållna {r.rows_kept}, undantagna {r.rows_set_aside}"
                     f" ({'stämmer' if r.reconciles else 'STÄMMER INTE'})")
        for reason, n in r.reasons.items():
            lines.append(f"    {n} × {reason}")
    lines += ["", f"Rader i den städade tabellen (inkl. aggregat och index): {tidy_rows}"]
    replaced = replaced_by_real(reports)
    if replaced:
        lines.append(f"Demorader ersatta av verkliga uppgifter (samma område, indikator och år): {replaced}")
    lines.append("")
    if warnings:
        lines += ["Varningar:", *(f"    varning: {w}" for w in warnings), ""]
    return "\n".join(lines)
