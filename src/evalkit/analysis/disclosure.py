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
from evalkit.geography import PROGRAMME_ERA
from evalkit.paths import raw_dir
from evalkit.programme import DISCLOSURE_THRESHOLD

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

def suppress(frame: pd.DataFrame, count_cols: list[str] | str, threshold: float = DISCLOSURE_THRESHOLD, *,
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

#: Cost of hiding a cell in a cover (see :func:`_block_covers`): aggregates only when nothing else
#: helps; a programme stadsdel costs more than an ordinary one, so covers go round the areas the
#: reports are about; within that, larger values cost more (value-weighted, as in τ-ARGUS): a
#: cell as large as the block's largest stadsdel costs 31 small ones, so a cover takes several
#: small cells rather than one headline figure (VALUE_COST 3 hid six of Tensta's figures, among
#: them sysselsättning 2014, the goal baseline; 30 hides one, for 12 more small cells in all).
AGGREGATE_COST = 1000.0
PROGRAMME_COST = 2.0
VALUE_COST = 30.0
ZERO_COST = 0.5
#: Boroughs with at least this many items in a block are protected by one MILP, the rest item by item.
MILP_MIN_ITEMS = 1


def suppress_tidy(tidy: pd.DataFrame, threshold: float = DISCLOSURE_THRESHOLD, *, era: str = PROGRAMME_ERA,
                  quantities: pd.DataFrame | None = None, check_complement: bool = True, method: str = "milp",
                  membership: pd.DataFrame | None = None, history=()) -> Suppressed:
    """Disclosure control of the tidy indicator table (docs/CONTRACTS.md), proven by the audit.

    Works on *quantities*, not rows (:mod:`evalkit.analysis.intruder`): a population that is
    both ``folkmangd`` and the denominator of five rates is one number, hidden everywhere once
    hidden anywhere. Rules, per year:

    * **primary**: every count (``count`` in ``quantities.csv``: numerators and denominators of
      shares and rates, counts of people, dwellings, pupils, respondents) with
      ``0 < value < threshold`` — at stadsdel and aggregate level alike; and with
      ``check_complement`` the numerator of a share whose complement ``denominator − numerator``
      is ``1 … threshold − 1``;
    * **secondary**: each sensitive item (a small count, or a small complement) must have an
      interval at least ``threshold`` wide against everything published — the sums over every
      area grouping, quantities shared between indicators, identities and the bounds
      ``0 ≤ numerator ≤ denominator``. The items of one borough are protected together by a
      mixed-integer programme (``method="milp"``, :func:`_milp_cover`): the cheapest set of extra
      quantities whose hiding lets every item move down to 0 and up to ``threshold`` while all
      published numbers stay as they are (costs :data:`AGGREGATE_COST` …); items on aggregates,
      and ``method="greedy"``, take one linear programme per item, cells already hidden costing
      nothing. That is the protection the audit then measures;
    * a row's ``value`` is hidden whenever its numerator or denominator is (a rate and one part
      give the other), its status becomes ``x``; only the hidden part is blanked.

    * **earlier publications** (``history``, :func:`evalkit.analysis.intruder.load_history`): the
      release is protected jointly with them (:func:`evalkit.analysis.intruder.with_history`). A
      quantity an earlier release showed and whose value has not changed is known and cannot be
      hidden now; a changed one the earlier release hid is an item too (a late correction must
      not pin the earlier value either).

    Composites (social-risk index, tenure diversity) are not handled here: recompute them from
    the result (:func:`evalkit.clean.publishable`). Returns :class:`Suppressed` ``(tidy, log)``;
    log columns ``area_code, area_name, area_level, indicator, year, part, kind, reason_sv``.
    """
    return _suppress(tidy, threshold, era, quantities, check_complement, method, membership, history)[0]


def _suppress(tidy: pd.DataFrame, threshold: float, era: str, quantities, check_complement: bool, method: str,
              membership, history, built_history=None):
    """:func:`suppress_tidy`, returning also the system of ``tidy`` it built (the audit shares it)."""
    from evalkit.analysis import intruder

    system = intruder.build_system(tidy, quantities, era, membership)
    own = system
    fixed = np.zeros(len(system.variables), dtype=bool)
    earlier_hidden = fixed.copy()
    history = list(history)
    if history:
        joint = intruder.with_history(system, system.variables["value"].to_numpy(float), history, era, quantities,
                                      membership, built=built_history)
        # every variable at its true value; what the intruder already holds can no longer be hidden
        earlier_hidden = joint.old_only & ~joint.system.variables["known"].to_numpy(bool)
        fixed = joint.old_known | (joint.old_only & ~earlier_hidden)
        system = intruder.System(joint.system.variables.assign(value=joint.truth, known=True), joint.system.cells,
                                 joint.system.equations, joint.system.pairs)
    v = system.variables
    value = v["value"].to_numpy(float)
    count = v["count"].to_numpy(bool)
    primary = count & (value > 0) & (value < threshold) & ~fixed
    reason = np.where(primary, f"primär: antalet är under tröskeln {threshold:g}", "").astype(object)
    items = [({int(j): 1.0}, float(value[j])) for j in np.flatnonzero(primary)]
    if check_complement:
        p = system.pairs
        both = count[p["num"]] & count[p["den"]]
        comp = value[p["den"]] - value[p["num"]]
        # with a small denominator and a zero numerator the complement is the denominator, which
        # is an item already
        small = (both & (comp > 0) & (comp < threshold) & (~primary[p["den"]] | (value[p["num"]] > 0))
                 & ~fixed[p["num"]])
        for num, den, c in zip(p["num"][small], p["den"][small], comp[small]):
            if not primary[num]:
                reason[num] = ("primär: antalet utan egenskapen (nämnare − täljare) är under "
                               f"tröskeln {threshold:g}")
            primary[num] = True
            # numerator first: the item is covered in the numerator's block (denominator published)
            items.append(({int(num): -1.0, int(den): 1.0}, float(c)))
    groups = _first_groups(era, membership)
    hidden, protects = _block_covers(system, primary, items, threshold, _blocks(system), primary | earlier_hidden,
                                     method, groups, fixed)
    # Blocks treat the other part of a share as held (or, if small, as free to move by the
    # threshold); where that was too hopeful, the audit finds the item and it is covered again in
    # a block that holds both parts of every share of the quantity.
    for _ in range(3):
        failing = _unprotected(system, hidden, items, threshold)
        if not failing:
            break
        hidden, more = _block_covers(system, primary, failing, threshold, _blocks(system, join_pairs=True), hidden,
                                     "greedy", groups, fixed)
        protects.update(more)
    secondary = hidden & ~primary & ~earlier_hidden
    for j in np.flatnonzero(secondary):
        prot = v.iloc[protects[j]]
        reason[j] = (f"sekundär: döljs så att {prot['quantity']} för {prot['area_code']} inte kan räknas "
                     "fram ur summor och andra publicerade uppgifter")
    return _apply(tidy, system, hidden, primary, reason), own


def _first_groups(era: str, membership: pd.DataFrame | None) -> pd.Series:
    """Area -> its smallest aggregate (the borough), which bounds one MILP of :func:`_block_covers`."""
    from evalkit import aggregate

    mem = aggregate.membership(era) if membership is None else membership
    return mem.drop_duplicates("stadsdel_code").set_index("stadsdel_code")["group_code"]


def _blocks(system, join_pairs: bool = False) -> np.ndarray:
    """Block id per variable: one quantity in one year, joined with the quantities an identity
    links (and, with ``join_pairs``, with the numerators and denominators of its shares)."""
    from evalkit import aggregate
    from evalkit.analysis.intruder import components

    v = system.variables
    names = sorted(set(v["quantity"]))
    ids = {q: i for i, q in enumerate(names)}
    links = [np.array([ids[q] for q in ident if q in ids]) for ident in aggregate.IDENTITIES]
    if join_pairs:
        q = v["quantity"].to_numpy()
        pq = set(zip(q[system.pairs["num"]], q[system.pairs["den"]]))
        links += [np.array([ids[a], ids[b]]) for a, b in pq]
    root = components(len(names), links)
    q_codes, q_names = pd.factorize(v["quantity"])
    q_root = root[np.array([ids[q] for q in q_names], dtype=np.int64)][q_codes]
    # (year, component) as one integer, numbered in order of appearance as the MultiIndex
    # factorize did (the order blocks are solved in matters), at a fraction of its cost
    year = v["year"].to_numpy(np.int64)
    return pd.factorize((year - year.min(initial=0)) * (len(names) + 1) + q_root)[0] if len(v) else np.zeros(0, int)


def _unprotected(system, hidden: np.ndarray, items: list, threshold: float) -> list:
    """Items whose interval, against everything published, is narrower than ``threshold``.

    The intervals are those the audit computes (:func:`evalkit.analysis.intruder.audit`): every
    hidden variable and every complement ``den − num``, component by component in the audit's
    order, so when nothing fails the audit that follows finds each component's LPs solved
    already (:func:`evalkit.analysis.intruder._component_ranges`) instead of solving them again.
    """
    from evalkit.analysis import intruder

    variables = system.variables.assign(known=~hidden, value=system.variables["value"].where(~hidden))
    view = intruder.System(variables, system.cells, system.equations, system.pairs)
    funs = intruder.complements(view)
    iv = intruder.intervals(view, funs)
    width = dict(zip(iv["var"], np.floor(iv["hi"] + intruder.TOL) - np.ceil(iv["lo"] - intruder.TOL)))
    # a complement item {num: −1, den: 1} is the functional den − num of its pair
    fid = {(int(n), int(d)): -1 - int(f) for f, n, d in
           zip(funs["fid"].to_numpy()[1::2], funs["var"].to_numpy()[1::2], funs["var"].to_numpy()[::2])}
    failing = []
    for f, c in items:
        if len(f) > 1:
            num = next(k for k, co in f.items() if co < 0)
            den = next(k for k, co in f.items() if co > 0)
            key = fid.get((num, den))
        else:
            key = next(iter(f))
        if width.get(key, np.inf) < threshold - intruder.TOL:
            failing.append((f, c))
    return failing


def _block_covers(system, primary: np.ndarray, items: list, threshold: float, block: np.ndarray,
                  hidden: np.ndarray, method: str, groups: pd.Series,
                  fixed: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
    """Secondary suppression: hide, per block, what each sensitive item needs (module docstring of
    :func:`suppress_tidy`). Returns the hidden mask and ``{secondary var: var it protects}``.

    ``method="milp"``: the items of one borough in one block are protected together by one
    mixed-integer programme (:func:`_milp_cover`: the cheapest set of cells that gives every item
    its interval at once); items it cannot place (aggregates, or a borough with no room) and
    ``method="greedy"`` take one linear programme per item (:func:`_solve_cover`), each reusing
    what is already hidden at no cost.
    """
    import highspy

    from evalkit.analysis import intruder

    v = system.variables
    value = v["value"].to_numpy(float)
    hidden = hidden.copy()
    # cells an earlier publication shows (unchanged since): known to the intruder, never a cover
    frozen = np.zeros(len(v), dtype=bool) if fixed is None else (fixed & ~hidden)
    protects: dict[int, int] = {}
    is_agg = (v["area_level"] != "stadsdel").to_numpy()
    from evalkit import geography

    areas = geography.stadsdelar().set_index("stadsdel_code")
    in_prog = v["area_code"].map(areas["programme"]).fillna(False).to_numpy(bool)
    borough = v["area_code"].map(groups).to_numpy(object)
    eq_by_block: dict[int, list] = {}
    for vs, cs in intruder.equation_groups(system.equations).values():
        eq_by_block.setdefault(int(block[vs[0]]), []).append((vs, cs))
    pairs = system.pairs
    pair_num, pair_den = pairs["num"].to_numpy(), pairs["den"].to_numpy()  # read once, not per pair and block
    num_b, den_b = block[pair_num], block[pair_den]
    pair_idx: dict[int, list] = {}
    for i, (bn, bd) in enumerate(zip(num_b, den_b)):
        pair_idx.setdefault(int(bn), []).append(i)
        if bd != bn:
            pair_idx.setdefault(int(bd), []).append(i)
    items_by_block: dict[int, list] = {}
    for f, c in items:
        items_by_block.setdefault(int(block[next(iter(f))]), []).append((f, c))
    inf = highspy.kHighsInf
    local_index = np.zeros(len(v), dtype=np.int64)
    for b, block_items in sorted(items_by_block.items()):
        gvars = np.flatnonzero(block == b)
        n = gvars.size
        pos = {int(g): i for i, g in enumerate(gvars)}
        a = value[gvars]
        lb = np.zeros(n)
        ub = np.full(n, np.inf)
        inner_pairs = []
        for i in pair_idx.get(b, []):
            num, den = int(pair_num[i]), int(pair_den[i])
            if num in pos and den in pos:
                inner_pairs.append((pos[num], pos[den]))
            # the other part lies in another block: held at its value (conservative) unless it is
            # a small count itself, whose own cover lets it move up by `threshold` / down to 0
            elif num in pos:
                ub[pos[num]] = min(ub[pos[num]], value[den] + (threshold if primary[den] else 0))
            elif den in pos:
                lb[pos[den]] = max(lb[pos[den]], 0 if primary[num] else value[num])
        scale = 1 + np.abs(a[~is_agg[gvars]]).max(initial=0)
        cost = (1 + VALUE_COST * np.abs(a) / scale + ZERO_COST * (a == 0) + AGGREGATE_COST * is_agg[gvars]
                + PROGRAMME_COST * in_prog[gvars])
        local_index[gvars] = np.arange(n)
        equations = [(local_index[vs], cs) for vs, cs in eq_by_block.get(b, [])]
        # every term of the block's equations as flat arrays (cell, coefficient, equation): the
        # equations and totals a borough's cells are in are looked up with numpy, not in dicts
        # of Python lists built for every block (a tenth of a DeSO-sized run)
        term_cell = np.concatenate([idx for idx, _ in equations]) if equations else np.zeros(0, np.int64)
        term_coef = np.concatenate([cs for _, cs in equations]) if equations else np.zeros(0)
        term_eq = np.repeat(np.arange(len(equations)), [idx.size for idx, _ in equations])
        greedy_items = block_items
        if method == "milp":
            greedy_items = []
            by_borough: dict[object, list] = {}
            for f, c in block_items:
                first = next(iter(f))
                if is_agg[first]:
                    greedy_items.append((f, c))
                else:
                    by_borough.setdefault(borough[first], []).append((f, c))
            for sdo, sub_items in by_borough.items():
                if len(sub_items) < MILP_MIN_ITEMS:
                    greedy_items += sub_items
                    continue
                members = np.flatnonzero(borough[gvars] == sdo)
                # the borough's cells and the totals that sum them (not every total of the block:
                # a DeSO-sized block has thousands)
                summed = np.unique(term_eq[np.isin(term_cell, members) & (term_coef > 0)])
                totals = term_cell[np.isin(term_eq, summed) & (term_coef < 0)]
                sub = np.union1d(members, totals.astype(np.int64))
                # only the equations that touch the sub-problem (a DeSO-sized block has thousands)
                touching = [equations[k] for k in np.unique(term_eq[np.isin(term_cell, sub)]).tolist()]
                chosen = _milp_cover(sub, touching, inner_pairs, a, lb, ub, cost, hidden[gvars], sub_items, pos,
                                     threshold, frozen[gvars])
                if chosen is None or (chosen & is_agg[gvars] & ~hidden[gvars]).any():
                    # Within its borough the items could only be covered by hiding a total (e.g. a
                    # stadsdel outside the programme whose borough is otherwise all programme):
                    # let the programme cover use cells of other boroughs before any total.
                    chosen = _milp_cover(np.arange(n), equations, inner_pairs, a, lb, ub, cost, hidden[gvars],
                                         sub_items, pos, threshold, frozen[gvars])
                if chosen is None:
                    greedy_items += sub_items
                    continue
                new = gvars[chosen & ~hidden[gvars]]
                hidden[new] = True
                for j in new:
                    protects[int(j)] = int(next(iter(sub_items[0][0])))
        if not greedy_items:
            continue
        # v = p − q, columns p_0…p_{n−1}, q_0…q_{n−1}; 0 ≤ p ≤ ub − a, 0 ≤ q ≤ a − lb
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        still = frozen[gvars]
        h.addVars(2 * n, np.zeros(2 * n), np.concatenate([np.where(still, 0.0, np.where(np.isfinite(ub), ub - a, inf)),
                                                          np.where(still, 0.0, np.maximum(a - lb, 0))]))
        rows = 0
        for idx, coef in equations:
            idx = idx.astype(np.int32)
            h.addRow(0.0, 0.0, 2 * idx.size, np.concatenate([idx, idx + n]).astype(np.int32),
                     np.concatenate([coef, -coef]))
            rows += 1
        for i_num, i_den in inner_pairs:  # a_num + v_num ≤ a_den + v_den
            h.addRow(-inf, float(a[i_den] - a[i_num]), 4, np.array([i_num, i_den, i_num + n, i_den + n], dtype=np.int32),
                     np.array([1.0, -1.0, -1.0, 1.0]))
            rows += 1
        target_row = rows
        h.addRow(0.0, 0.0, 0, np.array([], dtype=np.int32), np.array([]))
        for f, c in greedy_items:
            fidx = [pos[k] for k in f if k in pos]
            fcoef = [f[k] for k in f if k in pos]
            for i, co in zip(fidx, fcoef):
                h.changeCoeff(target_row, i, co)
                h.changeCoeff(target_row, i + n, -co)
            # an interval [0, threshold] around the value (down to 0 and up to the threshold);
            # where one side is blocked (a bound), one move up by the whole threshold instead
            solutions = [_solve_cover(h, n, target_row, t, hidden[gvars], cost) for t in (-c, threshold - c)]
            if any(x is None for x in solutions):
                solutions = [_solve_cover(h, n, target_row, float(threshold), hidden[gvars], cost)]
            for x in solutions:
                if x is None:
                    continue  # cannot move that far at all: the audit reports it
                move = np.abs(x[:n] - x[n:]) > 1e-7
                new = gvars[move & ~hidden[gvars]]
                hidden[new] = True
                for j in new:
                    protects[int(j)] = int(next(iter(f)))
            for i in fidx:
                h.changeCoeff(target_row, i, 0.0)
                h.changeCoeff(target_row, i + n, 0.0)
    return hidden, protects


def _milp_cover(sub: np.ndarray, equations: list, inner_pairs: list, a: np.ndarray, lb: np.ndarray,
                ub: np.ndarray, cost: np.ndarray, hidden: np.ndarray, items: list, pos: dict,
                threshold: float, frozen: np.ndarray | None = None) -> np.ndarray | None:
    """Protect several items at once: the cheapest cells to hide, by a mixed-integer programme.

    Variables: ``x_i`` ∈ {0, 1} (hide cell *i*; 1 for cells hidden already) and, per item and
    direction (down to 0, up to ``threshold``), a move ``v`` of the cells of ``sub`` (the item's
    borough and the aggregates; every other cell held). Each move keeps every equation, keeps
    ``lb ≤ a + v ≤ ub`` and numerator ≤ denominator, and may touch only hidden cells
    (``|v_i| ≤ threshold · x_i``); minimise ``sum cost_i x_i``. This is the multi-commodity
    formulation of cell suppression (Fischetti & Salazar), restricted to one borough so that it
    stays small. Returns the mask over the block of cells to hide, or None if infeasible.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = sub.size
    local = {int(g): i for i, g in enumerate(sub)}
    commodities = []
    for f, c in items:
        fl = {local[pos_k]: co for k, co in f.items() if (pos_k := pos.get(k)) is not None and pos_k in local}
        if not fl:
            return None
        commodities += [(fl, -c), (fl, threshold - c)]
    up = np.minimum(ub[sub] - a[sub], threshold)
    down = np.minimum(np.maximum(a[sub] - lb[sub], 0), threshold)
    K = len(commodities)
    A, lo, hi = _milp_rows(n, sub, a, equations, inner_pairs, commodities, up, down)
    c = np.concatenate([np.where(hidden[sub], 0.0, cost[sub]), np.zeros(n * K)])
    lower = np.concatenate([hidden[sub].astype(float), np.tile(-down, K)])
    x_upper = np.ones(n) if frozen is None else np.where(frozen[sub], 0.0, 1.0)  # a frozen cell stays shown
    upper = np.concatenate([x_upper, np.tile(up, K)])
    integrality = np.concatenate([np.ones(n), np.zeros(n * K)])
    res = milp(c, constraints=LinearConstraint(A, lo, hi), integrality=integrality, bounds=Bounds(lower, upper),
               options={"time_limit": 10})
    if res.x is None:
        return None
    chosen = np.zeros(a.size, dtype=bool)
    chosen[sub[res.x[:n] > 0.5]] = True
    return chosen


def _milp_rows(n: int, sub: np.ndarray, a: np.ndarray, equations: list, inner_pairs: list, commodities: list,
               up: np.ndarray, down: np.ndarray):
    """The constraint rows of :func:`_milp_cover` as a CSR matrix with their lower and upper bounds.

    Per commodity *k* (columns ``n·(k+1) …`` of its move ``v``), in this order: every equation
    touching ``sub`` (= 0), the item's target (= target), each inner pair (``v_num − v_den ≤
    a_den − a_num``), and per cell ``v_i ≤ up_i · x_i`` and ``−v_i ≤ down_i · x_i``. Built with
    whole arrays, one block per commodity, entry for entry in the order the row-by-row builder
    appended them (a Python call per row was a fifth of the suppression's own time), so the
    matrix HiGHS gets is the same.
    """
    from scipy.sparse import coo_array

    local_of = np.full(a.size, -1, dtype=np.int64)
    local_of[sub] = np.arange(n)
    eq_rows, eq_cols, eq_vals = [], [], []
    m = 0
    for idx, coef in equations:
        at = local_of[idx]
        keep = at >= 0
        if keep.any():
            eq_cols.append(at[keep])
            eq_vals.append(np.asarray(coef, dtype=float)[keep])
            eq_rows.append(np.full(int(keep.sum()), m, dtype=np.int64))
            m += 1
    eq_rows = np.concatenate(eq_rows) if eq_rows else np.zeros(0, dtype=np.int64)
    eq_cols = np.concatenate(eq_cols) if eq_cols else np.zeros(0, dtype=np.int64)
    eq_vals = np.concatenate(eq_vals) if eq_vals else np.zeros(0)
    pr = np.array([(local_of[p], local_of[d]) for p, d in inner_pairs], dtype=np.int64).reshape(-1, 2)
    pr = pr[(pr >= 0).all(axis=1)]
    npr = len(pr)
    a_sub = a[sub]
    pair_hi = (a_sub[pr[:, 1]] - a_sub[pr[:, 0]]).astype(float)
    cells = np.arange(n, dtype=np.int64)
    per = m + 1 + npr + 2 * n  # rows per commodity
    rows, cols, vals, lo, hi = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)], [np.zeros(0)], [], []
    for k, (fl, target) in enumerate(commodities):
        off, r0 = n * (k + 1), per * k
        keys = np.fromiter(fl.keys(), dtype=np.int64, count=len(fl))
        rows += [r0 + eq_rows, np.full(len(fl), r0 + m, dtype=np.int64),
                 r0 + m + 1 + np.repeat(np.arange(npr, dtype=np.int64), 2),
                 r0 + m + 1 + npr + np.repeat(np.arange(2 * n, dtype=np.int64), 2)]
        cols += [off + eq_cols, off + keys, (off + pr).ravel(),
                 np.column_stack([off + cells, cells, off + cells, cells]).ravel()]
        vals += [eq_vals, np.fromiter(fl.values(), dtype=float, count=len(fl)), np.tile([1.0, -1.0], npr),
                 np.column_stack([np.ones(n), -up.astype(float), -np.ones(n), -down.astype(float)]).ravel()]
        lo += [np.zeros(m), [target], np.full(npr + 2 * n, -np.inf)]
        hi += [np.zeros(m), [target], pair_hi, np.zeros(2 * n)]
    K = len(commodities)
    A = coo_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                  shape=(per * K, n * (K + 1))).tocsr()
    return A, np.concatenate([np.zeros(0), *lo]), np.concatenate([np.zeros(0), *hi])


def _solve_cover(h, n: int, target_row: int, target: float, local_hidden: np.ndarray, cost: np.ndarray):
    """Cheapest move of the item by ``target`` (hidden cells free); column values, or None."""
    import highspy

    col_cost = np.where(local_hidden, 0.0, cost)
    h.changeColsCost(2 * n, np.arange(2 * n, dtype=np.int32), np.concatenate([col_cost, col_cost]))
    h.changeRowBounds(target_row, float(target), float(target))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value)


def _apply(tidy: pd.DataFrame, system, hidden: np.ndarray, primary: np.ndarray, reason: np.ndarray) -> Suppressed:
    """Blank hidden cells in the tidy table, hide values of rows with a hidden part, build the log."""
    out = tidy.copy()
    cells = system.cells
    hid = hidden[cells["var"].to_numpy()]
    hc = cells[hid]
    for part in ("value", "numerator", "denominator"):
        rows = hc.loc[hc["part"] == part, "row"].to_numpy()
        out.loc[rows, part] = np.nan
    rows = np.unique(hc["row"].to_numpy())
    out.loc[rows, "value"] = np.nan
    out.loc[rows, "status"] = SUPPRESSED
    log = hc.assign(kind=np.where(primary[hc["var"].to_numpy()], "primary", "secondary"),
                    reason_sv=reason[hc["var"].to_numpy()])
    log = log.merge(tidy[["area_code", "area_name", "area_level", "year"]], left_on="row", right_index=True)
    log = log.sort_values(["indicator", "year", "area_code", "part"], kind="stable")
    return Suppressed(out, log[["area_code", "area_name", "area_level", "indicator", "year", "part", "kind",
                                "reason_sv"]].reset_index(drop=True))


# --- block by block ---------------------------------------------------------------------------

#: Blocks are solved together until a batch has this many rows: a block of the bundled data has a
#: few hundred rows, and building a system has a fixed cost (pandas) that a few hundred rows do
#: not repay (the bundled data: about 6 batches; DeSO-sized blocks of ≈ 9 300 rows go two by two).
#: A batch is the unit of the cache: when one block changes, its batch is solved again.
BATCH_ROWS = 10000
#: A large table is cut into about this many batches at most (at least :data:`BATCH_ROWS` rows
#: each): the fixed cost of a batch (building its system: pandas on a few thousand rows, ≈ 0.2 s)
#: made a DeSO-sized table of 7 M rows in batches of 10 000 rows cost twice the CPU of batches of
#: 80 000, while 100 batches still keep two or more worker processes evenly busy.
MAX_BATCHES = 100


def batch_size(rows: int) -> int:
    """Rows per batch for a table of ``rows`` rows: :data:`BATCH_ROWS`, more for a large table."""
    return max(BATCH_ROWS, -(-rows // MAX_BATCHES))


def batches(tidy: pd.DataFrame, quantities: pd.DataFrame | None = None, rows: int | None = None) -> list[np.ndarray]:
    """:func:`blocks` joined in order into batches of at least ``rows`` rows (the last may be
    smaller; default :func:`batch_size` of the table)."""
    rows = batch_size(len(tidy)) if rows is None else rows
    out, current, size = [], [], 0
    for at in blocks(tidy, quantities):
        current.append(at)
        size += at.size
        if size >= rows:
            out.append(np.concatenate(current))
            current, size = [], 0
    if current:
        out.append(np.concatenate(current))
    return out


def blocks(tidy: pd.DataFrame, quantities: pd.DataFrame | None = None) -> list[np.ndarray]:
    """Row positions of ``tidy`` per independent block: one year of a group of indicators that
    share a quantity, an identity (:data:`evalkit.aggregate.IDENTITIES`) or a share's parts.

    No equation, pair, identity or earlier-publication link crosses a block (they are all within
    one year and one such group), so suppressing and auditing block by block gives the same
    result as one run on the whole table while holding only one block's system. Rows of
    indicators with no quantity take part in nothing and are left out.
    """
    from evalkit import aggregate
    from evalkit.analysis import intruder

    q = intruder.load_quantities(quantities)
    names = sorted(set(q["indicator"]) | set(q["quantity"]))
    ids = {n: i for i, n in enumerate(names)}
    links = [np.array([ids[i], ids[k]]) for i, k in zip(q["indicator"], q["quantity"])]
    links += [np.array([ids[k] for k in ident if k in ids]) for ident in aggregate.IDENTITIES]
    root = intruder.components(len(names), links)
    ind_codes, ind_names = pd.factorize(tidy["indicator"])
    group_of = np.array([root[ids[i]] if i in ids and i in set(q["indicator"]) else -1 for i in ind_names],
                        dtype=np.int64)
    group = group_of[ind_codes] if len(ind_codes) else np.zeros(0, dtype=np.int64)
    inside = (ind_codes >= 0) & (group >= 0)
    year_codes, _ = pd.factorize(tidy["year"].to_numpy()[inside], sort=True)
    # (year, group) as one sortable integer (a MultiIndex factorize took seconds on 7 M rows)
    codes = np.unique(year_codes.astype(np.int64) * (len(names) + 1) + group[inside], return_inverse=True)[1]
    at = np.flatnonzero(inside)
    order = np.argsort(codes, kind="stable")
    cut = np.flatnonzero(np.diff(codes[order])) + 1
    return [at[part] for part in np.split(order, cut)] if at.size else []


def _history_block(history: list, years: set, indicators: set) -> list:
    """The rows of each earlier publication that belong to one block (a publication with none —
    a year or an indicator it did not have — adds nothing to the block and is left out)."""
    def sub(frame):
        return frame[frame["year"].isin(years) & frame["indicator"].isin(indicators)]

    parts = [(sub(p), sub(f)) for p, f in history]
    return [(p, f) for p, f in parts if len(p) and len(f)]


def _code_version() -> str:
    """What the result of a block depends on besides its data: the evalkit code this module can run
    (its import closure, as the build's cache keys take it) and the solvers' versions."""
    import highspy
    import scipy

    from evalkit import fingerprint

    return f"{fingerprint.code_hash([__name__])}|{scipy.__version__}|{getattr(highspy, '__version__', '')}"


#: Salts of the two 64-bit row hashes of a batch's cache key (128 bits per row).
_ROW_SALTS = ("0123456789123456", "evalkit-block-k2")


def row_digests(frame: pd.DataFrame) -> np.ndarray:
    """Per row of ``frame``, its two 64-bit content hashes (columns and index label), shape (rows, 2).

    A row's hash depends on that row only (:func:`pandas.util.hash_pandas_object` hashes each
    value, a category by its value), so hashing the whole table once and cutting out a batch's
    rows gives what hashing the batch gives — once for 7 M rows instead of once per batch.
    """
    return np.column_stack([pd.util.hash_pandas_object(frame, index=True, hash_key=salt).to_numpy()
                            for salt in _ROW_SALTS]) if len(frame) else np.zeros((0, 2), dtype=np.uint64)


def _frame_digest(h, frame: pd.DataFrame, digests: np.ndarray | None = None) -> None:
    """Feed a frame's columns, index and values into the hash ``h`` (``digests``: its
    :func:`row_digests`, when they are at hand)."""
    h.update("|".join(map(str, frame.columns)).encode())
    h.update(str(len(frame)).encode())
    digests = row_digests(frame) if digests is None else digests
    for k in range(len(_ROW_SALTS)):
        h.update(np.ascontiguousarray(digests[:, k]).tobytes())


def _block_key(version: str, rows: pd.DataFrame, hist: list, context: tuple, digests: np.ndarray | None = None
               ) -> str:
    """Content hash of everything one block's suppression and audit read (``digests``: the
    :func:`row_digests` of ``rows``, cut out of the whole table's)."""
    import hashlib

    h = hashlib.sha256(version.encode())
    _frame_digest(h, rows, digests)
    for p, f in hist:
        _frame_digest(h, p)
        _frame_digest(h, f)
    for item in context:
        if isinstance(item, pd.DataFrame):
            _frame_digest(h, item)
        else:
            h.update(repr(item).encode())
    return h.hexdigest()


#: The four columns suppression changes.
_CHANGED = ["value", "numerator", "denominator", "status"]
#: The work of the running :func:`suppress_and_audit` call, set before its worker processes are
#: forked so that they read the table from the parent's memory instead of receiving a copy.
_JOB: dict | None = None


def _solve_batch(i: int):
    """Suppress and audit batch ``i`` of :data:`_JOB` (in a worker or in the calling process);
    ``(changed columns, log, audit)``, or None when the batch has no cell of any quantity. The
    batch's system lives only here; a cache entry is written when the job names one."""
    import os
    import pickle

    from evalkit.analysis import intruder

    job = _JOB
    rows = job["base"].iloc[job["batches"][i]]
    history, era, quantities, membership = job["history"], job["era"], job["quantities"], job["membership"]
    hist = _history_block(history, set(rows["year"]), set(rows["indicator"])) if history else []
    built = []
    for entry in hist:  # an earlier publication with no cell in this block adds nothing
        try:
            built.append((entry, intruder.history_systems([entry], era, quantities, membership)[0]))
        except intruder.NoCells:
            pass
    hist, built = [e for e, _ in built], [b for _, b in built]
    try:
        (sup, log), system = _suppress(rows, job["threshold"], era, quantities, True, job["method"], membership,
                                       hist, built)
    except intruder.NoCells:
        return None  # no cell of any quantity in the block: nothing to hide or to work out
    result = intruder.audit(sup, rows, job["threshold"], era, quantities, membership, history=hist,
                            full_system=system, built_history=built, whole_table=False)
    out = (sup[_CHANGED], log, result)
    path = job["paths"][i]
    if path is not None:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return out


def _solved(todo: list[int], workers: int):
    """The results of :func:`_solve_batch` for ``todo``, in that order: in this process, or in
    ``workers`` forked processes (:func:`evalkit.workers.fork_map`; the batches are independent and
    the workers share the parent's table copy-on-write, so the parent holds results, never a
    batch's system)."""
    from evalkit.workers import fork_map

    yield from fork_map(_solve_batch, todo, workers)


def suppress_and_audit(base: pd.DataFrame, threshold: float = DISCLOSURE_THRESHOLD, *, era: str = PROGRAMME_ERA,
                       quantities: pd.DataFrame | None = None, membership: pd.DataFrame | None = None,
                       history=(), cache=None, method: str = "milp", batch_rows: int | None = None,
                       workers: int = 1):
    """Suppress and audit ``base`` block by block (:func:`blocks`); returns ``(frame, log, audits)``.

    Each block's system is built once and shared by its suppression and its audit (the audit
    reads what is known from the suppressed rows themselves, :func:`intruder.published_system`);
    only one batch's system is in memory at a time in each process. ``cache`` (a folder, or None):
    the result of each batch is stored under a content hash of its rows, its rows in the earlier
    publications, the threshold, era, membership, quantities, areas and this code, and read back
    when they are the same — a run where only some blocks changed solves only those, with the
    same result as a full run. Entries of batches no longer present are removed. ``batch_rows``:
    rows per batch (default :func:`batch_size`; blocks are never cut). ``workers``:
    batches are solved in that many forked processes (1: in this one); the results are merged in
    batch order, so the output is the same for any number. ``audits``: one
    :class:`~evalkit.analysis.intruder.AuditResult` per batch (combine with
    :func:`~evalkit.analysis.intruder.combine`).
    """
    import pickle
    from pathlib import Path

    from evalkit import aggregate, geography
    from evalkit.analysis import intruder

    global _JOB
    history = list(history)
    # the four columns suppression changes, filled batch by batch (no copy of the whole table)
    new = {col: base[col].to_numpy(dtype=object if col == "status" else float, copy=True) for col in _CHANGED}
    logs, audits = [], []
    parts = batches(base, quantities, batch_rows)
    paths: list = [None] * len(parts)
    if cache is not None:
        cache = Path(cache)
        cache.mkdir(parents=True, exist_ok=True)
        version = _code_version()
        mem = aggregate.membership(era) if membership is None else membership
        context = (float(threshold), era, method, mem, intruder.load_quantities(quantities),
                   geography.stadsdelar()[["stadsdel_code", "programme"]], intruder._catalogue_kinds().reset_index())
        digests = row_digests(base)
        for i, at in enumerate(parts):
            rows = base.iloc[at]
            hist = _history_block(history, set(rows["year"]), set(rows["indicator"])) if history else []
            paths[i] = cache / f"{_block_key(version, rows, hist, context, digests[at])}.pkl"
    todo = [i for i, path in enumerate(paths) if path is None or not path.is_file()]
    _JOB = dict(base=base, batches=parts, history=history, threshold=threshold, era=era, quantities=quantities,
                membership=membership, method=method, paths=paths)
    used = set()
    # the catalogue read once, before the workers are forked (they inherit it)
    with intruder.catalogue_held():
        solved = _solved(todo, workers)
        try:
            waiting = set(todo)
            for i in range(len(parts)):
                if i in waiting:
                    got = next(solved)
                else:
                    with paths[i].open("rb") as fh:
                        got = pickle.load(fh)
                if got is None:
                    continue
                part, log, result = got
                if paths[i] is not None:
                    used.add(paths[i].name)
                at_part = base.index.get_indexer(part.index)
                for col in _CHANGED:
                    new[col][at_part] = part[col].to_numpy(dtype=object if col == "status" else float)
                logs.append(log)
                audits.append(result)
        finally:
            solved.close()  # ends the pool, also when a batch failed
            _JOB = None
    out = base.copy(deep=False)
    for col in _CHANGED:
        out[col] = pd.Series(new[col], index=base.index).astype(base[col].dtype)
    if cache is not None:
        for old in cache.glob("*.pkl"):
            if old.name not in used:
                old.unlink()
    log = (pd.concat(logs, ignore_index=True) if logs else
           pd.DataFrame(columns=["area_code", "area_name", "area_level", "indicator", "year", "part", "kind",
                                 "reason_sv"]))
    log = log.sort_values(["indicator", "year", "area_code", "part"], kind="stable").reset_index(drop=True)
    return out, log, audits


# --- what is published -----------------------------------------------------------------------

class DisclosureBreach(RuntimeError):
    """The intruder's audit found a hidden number that can be worked out: nothing may be published."""


class Published(NamedTuple):
    """The publishable table, the log of what is hidden and why, and the audit that proves it."""

    frame: pd.DataFrame
    log: pd.DataFrame
    audit: object  # evalkit.analysis.intruder.AuditResult


def publish(full: pd.DataFrame, threshold: float = DISCLOSURE_THRESHOLD, *, era: str = PROGRAMME_ERA,
            catalogue: pd.DataFrame | None = None, history=(), cache=None, workers: int | None = None) -> Published:
    """Suppress, recompute composites from what is published, and audit; raise on any breach.

    Composites (indicators computed from others, :func:`evalkit.programme.composites`: the
    social-risk index and tenure diversity) are computed from
    the suppressed table only, so none rests on a hidden input; an area-year that has a composite
    in the full table but not in the published one gets status ``x`` (logged as ``composite``).
    Ranks and rank intervals are computed from this table by their readers. The audit
    (:func:`evalkit.analysis.intruder.audit`) must pass, else :class:`DisclosureBreach`.
    ``history``: the earlier publications the intruder holds (``[(published, full), …]``,
    :func:`evalkit.analysis.intruder.load_history`); suppression and audit take them in. Both run
    block by block on one system per block (:func:`suppress_and_audit`; ``cache``: a folder where
    unchanged blocks are kept between runs; ``workers``: processes that solve batches, one per
    core by default, :func:`evalkit.workers.cores`).
    """
    from evalkit import aggregate, contracts, programme
    from evalkit.analysis import index as risk_index
    from evalkit.analysis import intruder
    from evalkit.workers import cores

    catalogue = programme.indicator_catalogue() if catalogue is None else catalogue
    composites = programme.composites(catalogue)
    base = full[~full["indicator"].isin(composites)].reset_index(drop=True)
    history = list(history)
    suppressed, log, audits = suppress_and_audit(base, threshold, era=era, history=history, cache=cache,
                                                 workers=cores() if workers is None else workers)
    parts = [suppressed, aggregate.tenure_diversity(suppressed, catalogue)]
    parts.append(risk_index.index_rows(pd.concat(parts, ignore_index=True), catalogue))
    published = pd.concat(parts, ignore_index=True)
    key = ["area_code", "indicator", "year"]
    had = full[full["indicator"].isin(composites) & full["value"].notna()][key + ["area_name", "area_level", "unit",
                                                                              "source", "origin"]]
    shown = published[published["indicator"].isin(composites) & published["value"].notna()][key]
    lost = had.merge(shown, on=key, how="left", indicator=True)
    lost = lost[lost["_merge"] == "left_only"].drop(columns="_merge")
    published = published[~published.set_index(key).index.isin(lost.set_index(key).index)]
    hidden_rows = lost.assign(value=np.nan, status=SUPPRESSED, numerator=np.nan, denominator=np.nan)
    published = pd.concat([published, hidden_rows[contracts.TIDY_COLUMNS]], ignore_index=True)
    published = published.sort_values(["indicator", "area_code", "year"]).reset_index(drop=True)
    published = published[contracts.TIDY_COLUMNS]
    log = pd.concat([log, lost.assign(part="value", kind="composite",
                                      reason_sv="sammanvägt värde: en ingående uppgift är dold")[log.columns]],
                    ignore_index=True)
    # the blocks were audited on what they publish; the composites, on the whole published table
    result = intruder.combine(audits, published, releases=len(history))
    if not result.ok:
        raise DisclosureBreach(result.text())
    return Published(published, log, result)
