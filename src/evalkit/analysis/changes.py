"""What changed between two publications: numbers, goal statuses, effects, ranks and inputs.

Pure functions on the tables a publication holds (the published tidy table, the stored goal
statuses, effect estimates and rank intervals, the sources with their SHA-256). They return
numeric tables; the Swedish words are in :mod:`evalkit.present.changes`.

The rule that protects the published table holds here too: a value hidden in a publication is
compared *as hidden*. Suppression is per cell: a row with status ``x`` may still show some of its
numbers (e.g. the denominator), so a field counts as hidden where the row says ``x`` and the field
is empty. A change from hidden to hidden is no change; a change between hidden and
shown reports the shown value and ``None`` for the hidden one — never a value that was hidden.
Only values that a publication showed are ever written by this module.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: A published number is identified by these columns; ``value``, ``numerator`` and ``denominator``
#: are compared for each key.
VALUE_KEY = ["area_code", "indicator", "year"]
VALUE_FIELDS = ("value", "numerator", "denominator")
#: Status symbol of a suppressed cell in the published table (see docs/CONTRACTS.md).
HIDDEN = "x"
STATUS_KEY = ["area_code", "goal_id", "indicator"]  # a goal may have several indicators
EFFECT_KEY = ["indicator", "cohort", "specification", "estimator"]
RANK_KEY = ["area_code", "level", "year"]
#: Floating-point noise below this relative size is not a change (values pass through CSV and
#: Parquet; 1e-9 is far below any published rounding).
RELATIVE_TOLERANCE = 1e-9

CHANGE_COLUMNS = ["area_code", "area_name", "indicator", "year", "field", "old", "new", "old_status",
                  "new_status", "kind"]


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise equality of two float columns: both missing, or equal within the tolerance."""
    a, b = a.astype(float).to_numpy(), b.astype(float).to_numpy()
    both_missing = np.isnan(a) & np.isnan(b)
    close = np.isclose(a, b, rtol=RELATIVE_TOLERANCE, atol=0.0)
    return both_missing | close


def value_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Every published number that differs between two published tidy tables.

    One row per (area, indicator, year, field) with ``kind``: ``changed`` (shown in both, other
    value), ``hidden`` (shown before, hidden now), ``shown`` (hidden before, shown now), ``added``
    / ``removed`` (the key exists in one publication only). Hidden values are ``None`` — the
    status column says ``x`` — so the diff never reveals what a publication hid.
    """
    cols = VALUE_KEY + ["area_name", "status", *VALUE_FIELDS]
    merged = old[cols].merge(new[cols], on=VALUE_KEY, how="outer", suffixes=("_old", "_new"), indicator=True)
    merged["area_name"] = merged["area_name_new"].fillna(merged["area_name_old"])
    old_status = merged["status_old"].fillna("").astype(str)
    new_status = merged["status_new"].fillna("").astype(str)
    old_x, new_x = old_status.eq(HIDDEN).to_numpy(), new_status.eq(HIDDEN).to_numpy()
    only_old = (merged["_merge"] == "left_only").to_numpy()
    only_new = (merged["_merge"] == "right_only").to_numpy()
    parts = []
    for name in VALUE_FIELDS:
        o, n = merged[f"{name}_old"], merged[f"{name}_new"]
        o_na, n_na = o.isna().to_numpy(), n.isna().to_numpy()
        old_hidden, new_hidden = old_x & o_na, new_x & n_na
        kind = np.full(len(merged), "", dtype=object)
        shown_both = ~old_hidden & ~new_hidden
        kind[shown_both & ~_same(o, n)] = "changed"
        kind[~old_hidden & ~o_na & new_hidden] = "hidden"
        kind[old_hidden & ~new_hidden & ~n_na] = "shown"
        kind[only_old & ~o_na] = "removed"
        kind[only_new & ~n_na] = "added"
        keep = kind != ""
        if not keep.any():
            continue
        part = merged.loc[keep, VALUE_KEY + ["area_name"]].copy()
        part["field"] = name
        part["old"] = o[keep].where(~old_hidden[keep] & ~only_new[keep])
        part["new"] = n[keep].where(~new_hidden[keep] & ~only_old[keep])
        part["old_status"] = old_status[keep].where(~only_new[keep], "")
        part["new_status"] = new_status[keep].where(~only_old[keep], "")
        part["kind"] = kind[keep]
        parts.append(part)
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in CHANGE_COLUMNS})
    out = pd.concat(parts, ignore_index=True)[CHANGE_COLUMNS]
    out["old"] = out["old"].astype(float)
    out["new"] = out["new"].astype(float)
    out["year"] = out["year"].astype("int64")
    order = {f: i for i, f in enumerate(VALUE_FIELDS)}
    out["_f"] = out["field"].map(order)
    return out.sort_values(VALUE_KEY + ["_f"]).drop(columns="_f").reset_index(drop=True)


def _dtype(column: str) -> str:
    return {"year": "int64", "old": "float64", "new": "float64"}.get(column, "object")


def status_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Goal statuses that differ: ``area_code, goal_id, indicator, goal_number, old, new,
    old_reason, new_reason`` (the reason codes of :mod:`evalkit.analysis.goals` say why)."""
    cols = STATUS_KEY + ["goal_number", "status", "reason"]
    merged = old[cols].merge(new[cols], on=STATUS_KEY, how="outer", suffixes=("_old", "_new"))
    differs = merged["status_old"].fillna("") != merged["status_new"].fillna("")
    out = merged[differs]
    return pd.DataFrame({
        "area_code": out["area_code"], "goal_id": out["goal_id"],
        "goal_number": out["goal_number_new"].fillna(out["goal_number_old"]),
        "indicator": out["indicator"],
        "old": out["status_old"].fillna(""), "new": out["status_new"].fillna(""),
        "old_reason": out["reason_old"].fillna(""), "new_reason": out["reason_new"].fillna(""),
    }).sort_values(STATUS_KEY).reset_index(drop=True)


def effect_moves(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Effect estimates that moved by more than their (old) standard error, or appeared/vanished.

    Columns ``indicator, cohort, specification, estimator, old, new, old_se, new_se, shift_in_se``.
    """
    cols = EFFECT_KEY + ["estimate", "se"]
    merged = old[cols].merge(new[cols], on=EFFECT_KEY, how="outer", suffixes=("_old", "_new"))
    shift = (merged["estimate_new"] - merged["estimate_old"]) / merged["se_old"]
    moved = shift.abs() > 1
    one_side = merged["estimate_old"].isna() != merged["estimate_new"].isna()
    out = merged[moved | one_side]
    return pd.DataFrame({
        **{k: out[k] for k in EFFECT_KEY},
        "old": out["estimate_old"], "new": out["estimate_new"],
        "old_se": out["se_old"], "new_se": out["se_new"], "shift_in_se": shift[moved | one_side],
    }).sort_values(EFFECT_KEY).reset_index(drop=True)


def rank_moves(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Index ranks that differ: ``area_code, area_name, level, year, old, new`` (``<NA>`` where the
    area had no published rank in that publication)."""
    cols = RANK_KEY + ["area_name", "rank"]
    merged = old[cols].merge(new[cols], on=RANK_KEY, how="outer", suffixes=("_old", "_new"))
    o, n = merged["rank_old"].astype("Int64"), merged["rank_new"].astype("Int64")
    differs = (o.fillna(-1) != n.fillna(-1)).to_numpy()
    out = merged[differs]
    return pd.DataFrame({
        **{k: out[k] for k in RANK_KEY},
        "area_name": out["area_name_new"].fillna(out["area_name_old"]),
        "old": o[differs], "new": n[differs],
    })[RANK_KEY[:1] + ["area_name"] + RANK_KEY[1:] + ["old", "new"]].sort_values(RANK_KEY).reset_index(drop=True)


def input_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Input files whose SHA-256 differs, or that were added or removed: ``path, old, new`` (hashes;
    empty where the file is missing in that publication)."""
    merged = old[["path", "sha256"]].merge(new[["path", "sha256"]], on="path", how="outer",
                                           suffixes=("_old", "_new"))
    o, n = merged["sha256_old"].fillna(""), merged["sha256_new"].fillna("")
    out = merged[o != n]
    return pd.DataFrame({"path": out["path"], "old": o[o != n], "new": n[o != n]}) \
        .sort_values("path").reset_index(drop=True)


#: The package resources each comparison reads (names as in evalkit.build.datapackage).
RESOURCES = {"changes": "indikatorer", "status_changes": "goal_status", "effects": "did", "ranks": "rank_intervals"}


#: Columns each comparison needs, by resource: a package without them is another schema.
REQUIRED = {
    "indikatorer": VALUE_KEY + ["area_name", "status", *VALUE_FIELDS],
    "goal_status": STATUS_KEY + ["goal_number", "status", "reason"],
    "did": EFFECT_KEY + ["estimate", "se"],
    "rank_intervals": RANK_KEY + ["area_name", "rank"],
    "sources": ["path", "sha256"],
}


class SchemaMismatch(ValueError):
    """A publication's tables lack what the comparison needs (one line, Swedish)."""


def check_tables(tables: dict, which: str) -> None:
    """Every table :func:`diff` reads is there with its columns, and no key repeats; else
    :class:`SchemaMismatch` naming the publication (``which``), the table and the columns."""
    keys = {"indikatorer": VALUE_KEY, "goal_status": STATUS_KEY, "did": EFFECT_KEY, "rank_intervals": RANK_KEY,
            "sources": ["path"]}
    for name, columns in REQUIRED.items():
        if name not in tables:
            raise SchemaMismatch(f"{which}: tabellen {name} saknas")
        missing = [c for c in columns if c not in tables[name].columns]
        if missing:
            raise SchemaMismatch(f"{which}: tabellen {name} saknar kolumnerna {', '.join(missing)}")
        if tables[name].duplicated(keys[name]).any():
            raise SchemaMismatch(f"{which}: tabellen {name} har samma nyckel ({', '.join(keys[name])}) två gånger")


def diff(old: dict, new: dict) -> dict[str, pd.DataFrame]:
    """Everything that moved between two publications, given their tables by resource name
    (``indikatorer``, ``goal_status``, ``did``, ``rank_intervals``, ``sources``).

    Both are checked first (:func:`check_tables`): a previous publication is untrusted input."""
    check_tables(old, "förra publiceringen")
    check_tables(new, "den nya publiceringen")
    return {
        "changes": value_changes(old["indikatorer"], new["indikatorer"]),
        "status_changes": status_changes(old["goal_status"], new["goal_status"]),
        "effects": effect_moves(old["did"], new["did"]),
        "ranks": rank_moves(old["rank_intervals"], new["rank_intervals"]),
        "inputs": input_changes(old["sources"], new["sources"]),
    }


def to_records(result: dict[str, pd.DataFrame]) -> dict[str, list[dict]]:
    """The diff as plain JSON-ready records: numbers as numbers, missing as None."""
    out = {}
    for name, frame in result.items():
        clean = frame.astype(object).where(frame.notna(), None)
        out[name] = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                     for row in clean.to_dict("records")]
    return out
