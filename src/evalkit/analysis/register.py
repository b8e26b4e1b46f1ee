"""Sums and comparisons over the project register of *ytterstadsmedel* (read by
:mod:`evalkit.io.projects`, written by `evalkit clean` to ``projects.parquet`` and
``project_frames.parquet``).

The document gives no per-project amounts, so :func:`compare_with_document` reports how far the
projects' known amounts are from the document's frames instead of inventing amounts, and
:func:`totals_by` counts unknown amounts instead of treating them as zero.

API::

    totals_by(frame, by="theme"|"vision"|"board"|"year") -> DataFrame
    compare_with_document(register, frames) -> DataFrame
    frames_consistency(frames) -> dict
    districts_long(frame) -> DataFrame         # one row per project × district code
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def districts_long(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per project × district code (projects without districts keep one row with "")."""
    out = frame.assign(district_code=frame["district_codes"].str.split(";")).explode("district_code")
    return out.drop(columns=["district_codes", "district_names"]).reset_index(drop=True)


#: Group key of :func:`totals_by` for rows whose key is empty or missing.
UNKNOWN = ""
_BY = {"theme": "theme", "tema": "theme", "vision": "vision", "board": "board", "namnd": "board",
       "year": "start_year", "ar": "start_year", "start_year": "start_year"}


def totals_by(frame: pd.DataFrame, by: str | list[str] = "theme") -> pd.DataFrame:
    """Granted amounts per group, counting unknown amounts instead of treating them as zero.

    ``by`` is ``"theme"``, ``"vision"``, ``"board"`` or ``"year"`` (the project's start year:
    the register holds no per-year split, so a multi-year amount is never spread over years), or
    a list of those. Returns ``n_projects``, ``n_amount_known``, ``n_amount_unknown``,
    ``amount_known_sek`` (sum of known amounts; 0 when none is known) and ``complete`` (every
    amount in the group known, so the sum is a total rather than a lower bound). Rows with
    an empty or missing key ("" board, unknown year) form one group with the key :data:`UNKNOWN`,
    sorted first (worded in :mod:`evalkit.present.projects`).
    """
    keys = [by] if isinstance(by, str) else list(by)
    columns = []
    for key in keys:
        if key not in _BY:
            raise ValueError(f"totals_by: okänd gruppering {key!r}; giltiga: theme, vision, board, year")
        columns.append(_BY[key])
    work = frame.copy()
    for column in columns:
        work[column] = work[column].astype("string").fillna(UNKNOWN)
    known = work["amount_sek"].notna()
    out = (
        work.assign(_known=known, _amount=work["amount_sek"].fillna(0.0))
        .groupby(columns, sort=True)
        .agg(n_projects=("project", "size"), n_amount_known=("_known", "sum"), amount_known_sek=("_amount", "sum"))
        .reset_index()
    )
    out["n_amount_unknown"] = out["n_projects"] - out["n_amount_known"]
    out["complete"] = out["n_amount_unknown"] == 0
    out = out.rename(columns={"start_year": "year"})
    return out[[*[c if c != "start_year" else "year" for c in columns], "n_projects", "n_amount_known",
                "n_amount_unknown", "amount_known_sek", "complete"]]


#: Assessment codes of :func:`compare_with_document` (the Swedish words are in evalkit.present.projects).
ASSESSMENTS = ("no_document_amount", "no_projects", "matches", "matches_approx", "unknown_amounts",
               "below_all_known", "above")
#: How close the register must come to an approximate frame ("ca 285 mnkr") to match it.
APPROX_SHARE = 0.05


def compare_with_document(register: pd.DataFrame, frames: pd.DataFrame) -> pd.DataFrame:
    """How far the register's per-project amounts are from the document's frames.

    One row per theme frame of ``frames`` (kind ``tema``; a frame may cover several themes, e.g.
    utbildning + stadsmiljö) plus a row ``summa teman`` and a row per ``reserverat`` frame.
    Columns: ``frame``, ``themes``, ``document_sek``, ``approx`` (the document says "ca"),
    ``register_known_sek``, ``n_projects``, ``n_amount_unknown``, ``difference_sek``
    (register − document), ``share_covered`` (register / document) and ``assessment`` (a code of
    :data:`ASSESSMENTS`: whether the gap can be explained by unknown amounts; worded in
    :mod:`evalkit.present.projects`).
    """
    rows = []
    theme_frames = frames[frames["kind"] == "tema"]
    for frame in theme_frames.itertuples(index=False):
        themes = [t for t in frame.themes.split(";") if t]
        part = register[register["theme"].isin(themes)]
        rows.append(_comparison(frame.label, ";".join(themes), frame.amount_sek, frame.amount_approx, part))
    covered = sorted({t for f in theme_frames["themes"] for t in f.split(";") if t})
    rows.append(_comparison("summa teman", ";".join(covered), theme_frames["amount_sek"].sum(min_count=1),
                            bool(theme_frames["amount_approx"].any()), register[register["theme"].isin(covered)]))
    for frame in frames[frames["kind"] == "reserverat"].itertuples(index=False):
        rows.append(_comparison(frame.label, "alla", frame.amount_sek, frame.amount_approx, register))
    return pd.DataFrame(rows)


def _comparison(label: str, themes: str, document: float, approx: bool, part: pd.DataFrame) -> dict:
    known = float(part["amount_sek"].sum(min_count=0))
    unknown = int(part["amount_sek"].isna().sum())
    diff = known - document if pd.notna(document) else np.nan
    if pd.isna(document):
        code = "no_document_amount"
    elif part.empty:
        code = "no_projects"
    elif abs(diff) <= (APPROX_SHARE * document if approx else 0.5):
        code = "matches_approx" if approx else "matches"
    elif diff < 0 and unknown:
        code = "unknown_amounts"
    elif diff < 0:
        code = "below_all_known"
    else:
        code = "above"
    return {
        "frame": label, "themes": themes, "document_sek": float(document), "approx": bool(approx),
        "register_known_sek": known, "n_projects": int(len(part)), "n_amount_unknown": unknown,
        "difference_sek": float(diff), "share_covered": float(known / document) if document else np.nan,
        "assessment": code,
    }


def frames_consistency(frames: pd.DataFrame) -> dict:
    """Internal arithmetic of the document's frames: decisions vs reserved, themes vs reserved (SEK)."""
    reserved = frames.loc[frames["kind"] == "reserverat", "amount_sek"].sum()
    decisions = frames.loc[frames["kind"] == "beslut", "amount_sek"].sum()
    themes = frames.loc[frames["kind"] == "tema", "amount_sek"].sum()
    return {"reserved_sek": float(reserved), "decisions_sek": float(decisions), "themes_sek": float(themes),
            "decisions_minus_reserved_sek": float(decisions - reserved),
            "themes_minus_reserved_sek": float(themes - reserved)}
