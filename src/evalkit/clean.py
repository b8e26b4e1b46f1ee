"""`evalkit clean`: raw files -> validated tidy Parquet, quarantine and a reconciled clean report.

Steps, per source listed in ``data/raw/sources.csv``:

1. read with the matching reader (rows it cannot use are set aside with file, row, column, reason);
2. set aside duplicate keys (exact repeats after the first; all rows of a conflicting key);
3. validate against the tidy contract (:mod:`evalkit.contracts`); failing rows are set aside;

then for all sources together: add boroughs, programme area, rest of city and city totals
(:mod:`evalkit.aggregate`), the derived tenure-diversity indicator and the social risk index.
Counts reconcile per source: rows read = rows kept + rows set aside.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from evalkit import aggregate, contracts, geography, programme
from evalkit.analysis import index as risk_index
from evalkit.io import read_with_quarantine
from evalkit.io.core import empty_quarantine, quarantine_rows
from evalkit.paths import processed_dir, raw_dir

KEY = ["area_code", "indicator", "year"]


@dataclass
class SourceReport:
    """Counts for one source file; ``rows_read == rows_kept + rows_set_aside`` always."""

    path: str
    sha256: str
    rows_read: int
    rows_kept: int = 0
    rows_set_aside: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_kept + self.rows_set_aside


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (for provenance)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def known_area_codes() -> list[str]:
    """Every code the tidy contract accepts: stadsdelar, boroughs of all eras and the groups."""
    codes = set(geography.stadsdelar()["stadsdel_code"]) | set(geography.stadsdelsomraden()["sdo_code"])
    return sorted(codes | {"programomradet", "ovriga-staden", geography.CITY_CODE, "riket"})


def schema() -> pa.DataFrameSchema:
    """The tidy contract instantiated with the current registry and catalogue."""
    catalogue = programme.indicator_catalogue()
    shares = catalogue.loc[catalogue["kind"] == "andel", "indicator"].tolist()
    nonnegative = catalogue.loc[catalogue["kind"] != "index", "indicator"].tolist()
    return contracts.tidy_schema(known_area_codes(), catalogue["indicator"].tolist(), shares, nonnegative)


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


def validate(data: pd.DataFrame, contract: pa.DataFrameSchema) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate against the tidy contract; rows that fail are returned as quarantine rows."""
    try:
        return contract.validate(data, lazy=True), empty_quarantine()
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases.dropna(subset=["index"])
        failures = failures.drop_duplicates("index")
        bad_index = failures["index"].astype("int64").tolist()
        rows = data.loc[bad_index]
        columns = failures["column"].fillna("rad").astype(str).tolist()
        reasons = failures["check"].astype(str).tolist()
        q = pd.concat(
            [quarantine_rows(f, [r], c, [v], [reason])
             for f, r, c, v, reason in zip(rows["source_file"], rows["source_row"], columns,
                                           failures["failure_case"].astype(str), reasons)],
            ignore_index=True,
        )
        kept = data.drop(index=bad_index)
        return contract.validate(kept, lazy=True), q


REPLACED_BY_REAL = "ersatta av verkliga uppgifter"


def is_demo_source(path: str) -> bool:
    """Synthetic demo sources (``demo/...`` in ``sources.csv``) rank below every real source."""
    return str(path).replace("\\", "/").startswith("demo/")


def read_source(path: Path, contract: pa.DataFrameSchema | None = None, **options):
    """Read one file, set aside duplicate keys and contract failures.

    Returns ``(kept rows, quarantine, records read, records set aside)``; every record read is
    either kept or set aside exactly once. Used by ``clean`` and by ``evalkit validate``.
    """
    result = read_with_quarantine(path, **options)
    data, dup_q = set_aside_duplicates(result.data)
    data = data.reset_index(drop=True)
    data, schema_q = validate(data, contract if contract is not None else schema())
    quarantine = pd.concat([result.quarantine, dup_q, schema_q], ignore_index=True)
    return data, quarantine, result.rows_read, result.set_aside_count() + len(dup_q) + len(schema_q)


def apply_precedence(kept_parts: list[pd.DataFrame], paths: list[str]) -> list[pd.DataFrame]:
    """Real data replaces demo data for the same (area, indicator, year) key.

    Returns one quarantine frame per source with the replaced demo rows (reason
    :data:`REPLACED_BY_REAL`); the rows are removed from ``kept_parts`` in place.
    """
    real = [d for d, p in zip(kept_parts, paths) if not is_demo_source(p)]
    replaced = [empty_quarantine() for _ in paths]
    if not real:
        return replaced
    real_keys = pd.concat([d[KEY] for d in real], ignore_index=True).drop_duplicates()
    real_keys["_real"] = True
    for i, (data, path) in enumerate(zip(kept_parts, paths)):
        if not is_demo_source(path) or data.empty:
            continue
        hit = data[KEY].merge(real_keys, on=KEY, how="left")["_real"].fillna(False).to_numpy(bool)
        if hit.any():
            rows = data[hit]
            replaced[i] = quarantine_rows(path, rows["source_row"], "area_code/indicator/year",
                                          rows["area_code"] + "/" + rows["indicator"] + "/" + rows["year"].astype(str),
                                          REPLACED_BY_REAL)
            kept_parts[i] = data[~hit].reset_index(drop=True)
    return replaced


def read_sources(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame, list[SourceReport]]:
    """Read, de-duplicate and validate every listed source; return kept rows, quarantine, counts.

    Where a real source and a demo source (``demo/…``) have the same (area, indicator, year), the
    real row is kept and the demo row is set aside as "ersatta av verkliga uppgifter" in the demo
    source's counts, so every source still reconciles.
    """
    sources = pd.read_csv(raw / "sources.csv", dtype=str, keep_default_na=False)
    contract = schema()
    kept_parts, quarantine_parts, reports = [], [], []
    for row in sources.itertuples(index=False):
        path = raw / row.path
        data, quarantine, rows_read, set_aside = read_source(path, contract, indicator=row.indicator or None,
                                                             level=row.level or None)
        reports.append(SourceReport(row.path, file_sha256(path), rows_read, len(data), set_aside))
        kept_parts.append(data)
        quarantine_parts.append(quarantine)
    replaced = apply_precedence(kept_parts, [r.path for r in reports])
    for i, (report, data, quarantine, extra) in enumerate(zip(reports, kept_parts, quarantine_parts, replaced)):
        report.rows_kept = len(data)
        report.rows_set_aside += len(extra)
        combined = pd.concat([quarantine, extra], ignore_index=True)
        report.reasons = combined["reason"].value_counts().sort_index().to_dict()
        if not report.reconciles:
            raise AssertionError(f"{report.path}: rader lästa {report.rows_read} ≠ behållna {report.rows_kept}"
                                 f" + undantagna {report.rows_set_aside}")
        quarantine_parts[i] = combined
    return (pd.concat(kept_parts, ignore_index=True),
            pd.concat([empty_quarantine(), *quarantine_parts], ignore_index=True), reports)


def derive(kept: pd.DataFrame, era: str = "2007") -> pd.DataFrame:
    """Add aggregates, the tenure-diversity indicator and the social risk index to kept rows."""
    catalogue = programme.indicator_catalogue()
    tidy = kept[contracts.TIDY_COLUMNS]
    tidy = aggregate.add_aggregates(tidy, catalogue, era=era)
    tidy = pd.concat([tidy, aggregate.tenure_diversity(tidy), aggregate.foreign_born_share(tidy)], ignore_index=True)
    tidy = pd.concat([tidy, risk_index.index_rows(tidy, catalogue)], ignore_index=True)
    tidy = tidy.sort_values(["indicator", "area_code", "year"]).reset_index(drop=True)
    return schema().validate(tidy[contracts.TIDY_COLUMNS])


def aggregation_warnings(kept: pd.DataFrame, catalogue: pd.DataFrame) -> list[str]:
    """One line per share or rate whose stadsdel values lack a numerator or denominator.

    Aggregates are sums of numerators and denominators (:mod:`evalkit.aggregate`), so such values
    make every borough, programme-area and city value ``..`` – all rows still reconcile, so
    without this the clean report would say "stämmer" and the reports would show empty
    comparisons. A wide table (years as columns) carries values only, which is the usual cause.
    """
    kinds = catalogue.set_index("indicator")["kind"]
    rows = kept[(kept["area_level"] == "stadsdel") & kept["indicator"].map(kinds).isin(aggregate.RATE_KINDS)
                & (kept["status"].fillna("") == "") & kept["value"].notna()]
    lacking = (rows["numerator"].isna() | rows["denominator"].isna()).groupby(rows["indicator"]).agg(["sum", "size"])
    groups = "stadsdelsområden, programområdena, övriga staden och staden"
    fix = "Lämna täljare och nämnare (långt format med kolumnerna täljare och nämnare; se README, Ny indikator)."
    out = []
    for indicator, (missing, total) in lacking[lacking["sum"] > 0].iterrows():
        if missing == total:
            problem = f"inget av {total} värden per stadsdel har täljare och nämnare – {groups} blir '..'"
        else:
            problem = (f"{missing} av {total} värden per stadsdel saknar täljare eller nämnare – {groups} blir '..'"
                       " de år de stadsdelarna väger mer än 5 %")
        out.append(f"{indicator} ({kinds[indicator]}): {problem}. {fix}")
    return out


def run(raw: Path | None = None, out: Path | None = None) -> list[SourceReport]:
    """Run the whole clean step and write its outputs to ``out`` (default ``data/processed``)."""
    raw = raw or raw_dir()
    out = out or processed_dir()
    out.mkdir(parents=True, exist_ok=True)
    kept, quarantine, reports = read_sources(raw)
    warnings = aggregation_warnings(kept, programme.indicator_catalogue())
    tidy = derive(kept)
    tidy.to_parquet(out / "indicators.parquet", index=False)
    from evalkit.data import write_published

    audit = write_published(out)
    quarantine.sort_values(["source_file", "row_number"]).to_csv(out / "quarantine.csv", index=False)
    # Project register, school results and surveys have their own tables and contracts.
    from evalkit.clean_inputs import clean_inputs

    inputs = [SourceReport(d["path"], d["sha256"], d["rows_read"], d["rows_kept"], d["rows_set_aside"], d["reasons"])
              for d in clean_inputs(raw, out)]
    reports = reports + inputs
    summary = {
        "sources": [dict(r.__dict__, reconciles=r.reconciles) for r in reports],
        "rows_read": sum(r.rows_read for r in reports),
        "rows_kept": sum(r.rows_kept for r in reports),
        "rows_set_aside": sum(r.rows_set_aside for r in reports),
        "tidy_rows_written": len(tidy),
        "cells_suppressed_for_publication": audit["cells_hidden"],
        "disclosure_audit": audit,
        "warnings": warnings,
    }
    (out / "clean_report.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "clean_report.txt").write_text(format_report(reports, len(tidy), warnings), encoding="utf-8")
    return reports


def format_report(reports: list[SourceReport], tidy_rows: int, warnings: list[str] = ()) -> str:
    """Human-readable summary of a clean run (Swedish); warnings last, one line each."""
    lines = ["evalkit clean – sammanfattning", ""]
    for r in reports:
        lines.append(f"{r.path}: lästa {r.rows_read}, behållna {r.rows_kept}, undantagna {r.rows_set_aside}"
                     f" ({'stämmer' if r.reconciles else 'STÄMMER INTE'})")
        for reason, n in r.reasons.items():
            lines.append(f"    {n} × {reason}")
    lines += ["", f"Rader i den städade tabellen (inkl. aggregat och index): {tidy_rows}", ""]
    if warnings:
        lines += ["Varningar:", *(f"    varning: {w}" for w in warnings), ""]
    return "\n".join(lines)
