"""Disclosure control (röjandekontroll) for tables of counts before anything is published.

Rules (threshold ``t``, default 5, configurable):

* **Primary suppression**: a count ``c`` with ``0 < c < t`` is hidden (``c == 0`` too if
  ``suppress_zero=True``; by default zeros are published, as is usual for official statistics).
  A share is hidden when its denominator is below ``min_denominator`` (default ``t``), when its
  numerator is hidden, or — with ``check_complement`` — when the complement ``denominator -
  numerator`` is a small count (``0 < d - n < t``: "97 of 100" reveals the 3 as much as "3 of
  100" does).
* **Secondary suppression**: totals (row, column, group and grand totals) are published, so a
  hidden cell must not be recoverable from them. The published totals give linear equations
  ``sum(members) - total = 0``; a hidden cell is *recoverable* when its value is determined by
  those equations and the published cells, i.e. when the unit vector of that cell lies in the
  row space of the equations restricted to the hidden cells (checked with the null space: cell
  *j* is determined iff row *j* of an orthonormal null-space basis is zero). This covers the
  simple attack "total minus the published cells" (a line with exactly one hidden cell) and
  combinations of lines (e.g. in a 2-D table a hidden cell that links two otherwise separate
  groups of hidden cells, or a stadsdel that is its borough's only non-programme member). While
  some hidden cell is recoverable, the cheapest set of extra cells that makes it unrecoverable
  is hidden, found by a small linear programme (minimise the cost-weighted L1 norm of a null
  vector through that cell; costs favour few, small, non-zero, non-total cells) — for a 1-D
  table with one hidden cell this is "the next smallest cell of the group". If a line has no
  other cell, its total is hidden instead (reported in the log).
  This guarantees that no hidden value can be computed *exactly*; it does not bound the
  interval an attacker can derive using non-negativity (audit that separately if needed).

Hidden cells get value NaN and status ``x`` (docs/CONTRACTS.md). Every function also returns a
log (one row per hidden cell: where, ``kind`` = ``primary`` | ``secondary`` | ``total`` and a
Swedish ``reason_sv``) so reports can say where and why figures are hidden. The log never
contains the hidden values.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.linalg import null_space

from evalkit import aggregate
from evalkit.paths import raw_dir

DEFAULT_THRESHOLD = 5
SUPPRESSED = "x"
COUNT_KINDS = ("andel", "kvot", "antal")


class Suppressed(NamedTuple):
    """Result of a suppression: the frame with hidden cells and the log of what was hidden."""

    frame: pd.DataFrame
    log: pd.DataFrame


# --- core ------------------------------------------------------------------------------------

def recoverable(A: np.ndarray, hidden: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Boolean mask over cells: hidden cells whose value the equations ``A x = b`` determine.

    ``A`` is (equations × cells) with the published cells' values known; only the columns of
    hidden cells matter. A hidden cell *j* is determined iff ``e_j`` is in the row space of
    ``A[:, hidden]``, i.e. iff row *j* of an orthonormal basis of its null space is zero.
    """
    hidden = np.asarray(hidden, dtype=bool)
    out = np.zeros(hidden.shape, dtype=bool)
    idx = np.flatnonzero(hidden)
    if idx.size == 0:
        return out
    sub = A[:, idx]
    sub = sub[np.abs(sub).sum(axis=1) > 0]
    if sub.shape[0] == 0:
        return out
    N = null_space(sub)
    norms = np.sqrt((N**2).sum(axis=1)) if N.size else np.zeros(idx.size)
    out[idx] = norms < tol
    return out


def _cheapest_cover(A: np.ndarray, hidden: np.ndarray, j: int, cost: np.ndarray) -> np.ndarray | None:
    """Cells to hide so that cell *j* becomes unrecoverable, by linear programming.

    Cell *j* is unrecoverable iff some ``v`` with ``A v = 0`` and ``v_j = 1`` is supported on the
    hidden cells. Minimising ``sum_i cost_i |v_i|`` (cost 0 for cells already hidden) over such
    ``v`` gives a sparse, cheap set of extra cells: the support of ``v`` outside the hidden ones.
    Returns None if no such ``v`` exists.
    """
    from scipy.optimize import linprog

    m, n = A.shape
    c = np.where(hidden, 0.0, cost)
    # v = p - q, p, q >= 0
    A_eq = np.vstack([np.hstack([A, -A]), np.concatenate([np.eye(n)[j], -np.eye(n)[j]])[None, :]])
    b_eq = np.concatenate([np.zeros(m), [1.0]])
    res = linprog(np.concatenate([c, c]), A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if res.status != 0:
        return None
    v = res.x[:n] - res.x[n:]
    return np.flatnonzero((np.abs(v) > 1e-9) & ~hidden)


def _protect(A: np.ndarray, values: np.ndarray, primary: np.ndarray, is_total: np.ndarray
             ) -> tuple[np.ndarray, dict[int, int]]:
    """Secondary suppression; returns the hidden mask and {secondary cell: cell it protects}.

    While some hidden cell *j* is recoverable, hide the cheapest set of extra cells that makes it
    unrecoverable (:func:`_cheapest_cover`), with cost per cell ``1 + 3 · value / (1 + max cell value)``,
    plus 0.5 for a zero cell and 1 000 for a total/aggregate — so in a group with one hidden cell
    the next smallest cell of the group is chosen, and totals only when nothing else helps.
    """
    hidden = primary.copy()
    protects: dict[int, int] = {}
    vals = np.abs(np.asarray(values, dtype=float))
    # Value weight 3 (relative to the largest non-total cell): a headline cell such as Tensta
    # costs as much as ~3 small cells, so covers go round it through small cells where they can
    # (before: Tensta's ekonomiskt bistånd was hidden in four years to protect Hansta).
    scale = 1 + vals[~np.asarray(is_total, dtype=bool)].max(initial=0)
    cost = 1 + 3 * vals / scale + 0.5 * (vals == 0) + 1000 * is_total
    while True:
        det = np.flatnonzero(recoverable(A, hidden))
        if det.size == 0:
            return hidden, protects
        j = det[0]
        extra = _cheapest_cover(A, hidden, j, cost)
        if extra is None or extra.size == 0:
            extra = np.flatnonzero(((A[A[:, j] != 0] != 0).any(axis=0)) & ~hidden)
            if extra.size == 0:
                return hidden, protects
        hidden[extra] = True
        for e in extra:
            protects[int(e)] = int(j)


def _primary_count(c: np.ndarray, threshold: float, suppress_zero: bool) -> np.ndarray:
    c = np.asarray(c, dtype=float)
    low = (c < threshold) & ~np.isnan(c)
    return low if suppress_zero else low & (c != 0)


# --- wide tables -----------------------------------------------------------------------------

def suppress(frame: pd.DataFrame, count_cols: list[str] | str, threshold: float = DEFAULT_THRESHOLD, *,
             group_cols: list[str] | str | None = None, row_totals: bool = True, column_totals: bool = True,
             shares: dict[str, tuple[str | None, str]] | None = None, min_denominator: float | None = None,
             check_complement: bool = True, suppress_zero: bool = False) -> Suppressed:
    """Suppress a table of counts (rows × ``count_cols``) so no hidden cell can be recovered.

    * 1-D table: one count column; rows grouped by ``group_cols`` (the whole frame is one group
      if None), each group's total is published (``column_totals``).
    * 2-D table: several count columns; each row's total across ``count_cols`` (``row_totals``,
      only with 2+ columns), each column's total within a group and the group's grand total are
      published.
    * ``shares``: ``{share_col: (numerator_col or None, denominator_col)}``. A share is hidden
      when its denominator is below ``min_denominator`` (default ``threshold``), when its
      numerator cell is hidden, or (``check_complement``) when ``0 < denominator - numerator <
      threshold``. Shares take part in no equation; hide their numerator through ``count_cols``.

    Totals are also checked against the primary rule (a total below the threshold must not be
    published either). Returns :class:`Suppressed` ``(frame, log)``: the frame with hidden cells
    NaN and a status column per count/share column, ``status_<col>`` (``"x"`` or ``""``) — or a
    single ``status`` column when there is exactly one count column and no shares. Log columns:
    ``row`` (index label, or ``None`` for a total), ``column``, ``group`` (tuple of group values
    or ``()``), ``kind`` (``primary`` | ``secondary`` | ``total``), ``reason_sv``. See the module
    docstring for the rule.
    """
    count_cols = [count_cols] if isinstance(count_cols, str) else list(count_cols)
    group_cols = [] if group_cols is None else ([group_cols] if isinstance(group_cols, str) else list(group_cols))
    shares = shares or {}
    min_denominator = threshold if min_denominator is None else min_denominator
    out = frame.copy()
    n_rows, n_cols = len(frame), len(count_cols)
    vals = frame[count_cols].to_numpy(float)
    if np.isnan(vals).any():
        raise ValueError("räknetabellen får inte innehålla saknade värden")
    groups = (frame.groupby(group_cols, sort=False).ngroup().to_numpy() if group_cols
              else np.zeros(n_rows, dtype=int))
    group_keys = (list(frame[group_cols].drop_duplicates().itertuples(index=False, name=None)) if group_cols
                  else [()])

    cells = [("cell", r, c, groups[r]) for r in range(n_rows) for c in range(n_cols)]
    values = list(vals.ravel())
    eqs: list[dict[int, float]] = []
    use_rows = row_totals and n_cols > 1
    row_tot_idx, col_tot_idx, grand_idx = {}, {}, {}
    if use_rows:
        for r in range(n_rows):
            row_tot_idx[r] = len(cells)
            cells.append(("row_total", r, None, groups[r]))
            values.append(vals[r].sum())
            eq = {r * n_cols + c: 1.0 for c in range(n_cols)}
            eq[row_tot_idx[r]] = -1.0
            eqs.append(eq)
    if column_totals:
        for g in range(len(group_keys)):
            members = np.flatnonzero(groups == g)
            for c in range(n_cols):
                col_tot_idx[g, c] = len(cells)
                cells.append(("column_total", None, c, g))
                values.append(vals[members, c].sum())
                eq = {r * n_cols + c: 1.0 for r in members}
                eq[col_tot_idx[g, c]] = -1.0
                eqs.append(eq)
            if use_rows:
                grand_idx[g] = len(cells)
                cells.append(("grand_total", None, None, g))
                values.append(vals[members].sum())
                eq = {row_tot_idx[r]: 1.0 for r in members}
                eq[grand_idx[g]] = -1.0
                eqs.append(eq)
                eq = {col_tot_idx[g, c]: 1.0 for c in range(n_cols)}
                eq[grand_idx[g]] = -1.0
                eqs.append(eq)
    values = np.array(values, dtype=float)
    A = np.zeros((len(eqs), len(values)))
    for i, eq in enumerate(eqs):
        for j, a in eq.items():
            A[i, j] = a
    is_total = np.array([c[0] != "cell" for c in cells])
    primary = _primary_count(values, threshold, suppress_zero)
    hidden, protects = _protect(A, values, primary, is_total)

    def where(j):
        kind, r, c, g = cells[j]
        col = count_cols[c] if c is not None else None
        if kind == "cell":
            label = f"{frame.index[r]!s}/{col}"
        elif kind == "row_total":
            label = f"radsumman för {frame.index[r]!s}"
        elif kind == "column_total":
            label = f"summan av {col}"
        else:
            label = "totalsumman"
        if group_keys[g]:
            label += f" i {'/'.join(map(str, group_keys[g]))}"
        return label

    log = []
    for j in np.flatnonzero(hidden):
        kind, r, c, g = cells[j]
        if primary[j]:
            what, reason = "primary", f"primär: antalet är under tröskeln {threshold:g}"
        else:
            what, reason = "secondary", f"sekundär: döljs så att {where(protects[j])} inte kan räknas fram ur summorna"
        if kind != "cell":
            reason = f"{where(j)} får inte publiceras – {reason}"
            what = "total"
        log.append({"row": frame.index[r] if r is not None and kind == "cell" else None,
                    "column": count_cols[c] if c is not None else None, "group": group_keys[g],
                    "kind": what, "reason_sv": reason})

    cell_hidden = hidden[: n_rows * n_cols].reshape(n_rows, n_cols)
    status_name = (lambda col: "status") if (n_cols == 1 and not shares) else (lambda col: f"status_{col}")
    for c, col in enumerate(count_cols):
        out[col] = np.where(cell_hidden[:, c], np.nan, vals[:, c])
        out[status_name(col)] = np.where(cell_hidden[:, c], SUPPRESSED, "")
    for share_col, (num_col, den_col) in shares.items():
        den = frame[den_col].to_numpy(float)
        small = den < min_denominator
        reason = np.where(small, f"primär: nämnaren är under {min_denominator:g}", "")
        if num_col is not None:
            num = frame[num_col].to_numpy(float)
            if check_complement:
                comp = _primary_count(den - num, threshold, False) & ~small
                reason = np.where(comp, f"primär: antalet utan egenskapen (nämnare − täljare) är under "
                                        f"tröskeln {threshold:g}", reason)
            if num_col in count_cols:
                nh = cell_hidden[:, count_cols.index(num_col)] & (reason == "")
                reason = np.where(nh, f"täljaren ({num_col}) är dold", reason)
        hide = reason != ""
        out[share_col] = np.where(hide, np.nan, frame[share_col].to_numpy(float))
        out[f"status_{share_col}"] = np.where(hide, SUPPRESSED, "")
        for r in np.flatnonzero(hide):
            log.append({"row": frame.index[r], "column": share_col, "group": group_keys[groups[r]],
                        "kind": "primary" if reason[r].startswith("primär") else "secondary",
                        "reason_sv": reason[r]})
    return Suppressed(out, pd.DataFrame(log, columns=["row", "column", "group", "kind", "reason_sv"]))


# --- the tidy table --------------------------------------------------------------------------

def suppress_tidy(tidy: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD, *, min_denominator: float | None = None,
                  check_complement: bool = True, suppress_zero: bool = False, kinds: tuple[str, ...] = COUNT_KINDS,
                  era: str = "2007", catalogue: pd.DataFrame | None = None) -> Suppressed:
    """Disclosure control of the tidy indicator table (docs/CONTRACTS.md).

    For each indicator of a ``kind`` in ``kinds`` (catalogue; default shares, rates per
    inhabitant and counts — not means such as sickness days, whose numerators are days, nor
    derived indices) and year, the *count* of a row is its numerator (``andel``, ``kvot``) or its
    value (``antal``). Primary rule on every row (stadsdelar and aggregates): count below
    ``threshold`` (zeros published unless ``suppress_zero``); for ``andel`` and ``kvot`` also
    denominator below ``min_denominator`` (default ``threshold``) and, for ``andel`` with
    ``check_complement``, ``0 < denominator - numerator < threshold``. Secondary rule: borough,
    programme-area, rest-of-city and city rows are sums of their stadsdelar's numerators
    (:func:`evalkit.aggregate.membership` of ``era``; only members with a usable numerator), so
    each published aggregate is an equation; hidden rows are added until no hidden count is
    recoverable from them (module docstring) — within each borough × indicator × year and across
    the overlapping programme-area/rest-of-city split. Hidden rows get ``value``, ``numerator``
    NaN and ``status`` ``x``; the denominator is kept (populations are published) unless it was
    itself the reason. Returns :class:`Suppressed` ``(tidy, log)``; log columns ``area_code,
    area_name, area_level, indicator, year, kind, reason_sv``.
    """
    cat = (pd.read_csv(raw_dir() / "programme" / "indicators.csv", dtype=str) if catalogue is None
           else catalogue).set_index("indicator")
    min_denominator = threshold if min_denominator is None else min_denominator
    out = tidy.copy()
    kind = out["indicator"].map(cat["kind"])
    is_count = kind == "antal"
    count = np.where(is_count, out["value"], out["numerator"]).astype(float)
    usable = (out["status"].fillna("") == "").to_numpy() & ~np.isnan(count) & kind.isin(kinds).to_numpy()
    mem = aggregate.membership(era)
    members = mem.groupby("group_code")["stadsdel_code"].apply(set).to_dict()
    hide = np.zeros(len(out), dtype=bool)
    den_hide = np.zeros(len(out), dtype=bool)
    log = []
    work = pd.DataFrame({"pos": np.arange(len(out)), "indicator": out["indicator"].to_numpy(),
                         "year": out["year"].to_numpy(), "area_code": out["area_code"].to_numpy(),
                         "count": count, "den": out["denominator"].to_numpy(float),
                         "kind": kind.to_numpy()})[usable]
    for (ind, year), block in work.groupby(["indicator", "year"], sort=False):
        pos = block["pos"].to_numpy()
        codes = block["area_code"].to_numpy()
        c = block["count"].to_numpy(float)
        k = block["kind"].iloc[0]
        reasons = np.where(_primary_count(c, threshold, suppress_zero),
                           f"primär: antalet är under tröskeln {threshold:g}", "")
        small_den = np.zeros(len(c), dtype=bool)
        if k in ("andel", "kvot"):
            d = block["den"].to_numpy(float)
            small_den = (d < min_denominator) & (reasons == "")
            reasons = np.where(small_den, f"primär: nämnaren är under {min_denominator:g}", reasons)
            if k == "andel" and check_complement:
                comp = _primary_count(d - c, threshold, False) & (reasons == "")
                reasons = np.where(comp, "primär: antalet utan egenskapen (nämnare − täljare) är under "
                                         f"tröskeln {threshold:g}", reasons)
        primary = reasons != ""
        if not primary.any():
            continue
        where = {code: i for i, code in enumerate(codes)}
        eqs = []
        for g, sds in members.items():
            if g in where:
                eq = {where[s]: 1.0 for s in sds if s in where}
                if eq:
                    eq[where[g]] = -1.0
                    eqs.append(eq)
        A = np.zeros((len(eqs), len(c)))
        for i, eq in enumerate(eqs):
            for j, a in eq.items():
                A[i, j] = a
        is_agg = np.array([code in members for code in codes])
        hidden, protects = _protect(A, c, primary, is_agg)
        for j in np.flatnonzero(hidden):
            hide[pos[j]] = True
            den_hide[pos[j]] = bool(small_den[j])
            if primary[j]:
                what, reason = "primary", reasons[j]
            else:
                what = "secondary"
                reason = (f"sekundär: döljs så att värdet för {codes[protects[j]]} inte kan räknas fram ur "
                          "summorna för stadsdelsområde, programområde och stad")
            log.append({"area_code": codes[j], "indicator": ind, "year": int(year), "kind": what,
                        "reason_sv": reason})
    out.loc[hide, ["value", "numerator"]] = np.nan
    out.loc[den_hide, "denominator"] = np.nan
    out.loc[hide, "status"] = SUPPRESSED
    log = pd.DataFrame(log, columns=["area_code", "indicator", "year", "kind", "reason_sv"])
    meta = tidy.drop_duplicates("area_code").set_index("area_code")
    log.insert(1, "area_name", log["area_code"].map(meta["area_name"]))
    log.insert(2, "area_level", log["area_code"].map(meta["area_level"]))
    return Suppressed(out, log)
