"""The intruder's view of the published indicator table, and the audit that proves protection.

An intruder has everything that is published and nothing else:

* every published cell: a count (``antal``), or a rate's numerator and denominator. A rate
  published without them (a share-only source) publishes no count: it is in no equation and
  there is nothing to hide in it (:func:`values_without_counts`, counted in the audit's figures). Which cells
  are *the same quantity* is stated once in ``data/raw/programme/quantities.csv`` (the population
  is ``folkmangd`` and also the denominator of ekonomiskt bistånd, anmälda brott …); a quantity
  published in any cell is known in every cell;
* the aggregation rule (:mod:`evalkit.aggregate`): each borough, programme-area, rest-of-city and
  city row is the sum of the stadsdelar that had data (status ``""`` or ``x`` — a hidden member
  still counts, ``..`` does not). That gives one linear equation per aggregate, indicator and
  quantity, whether the aggregate itself is shown or hidden;
* identities between quantities (:data:`evalkit.aggregate.IDENTITIES`, e.g. utrikes födda +
  födda i Sverige = folkmängd);
* bounds: every quantity is ≥ 0, a share's numerator is ≤ its denominator.

:func:`audit` computes, for every hidden quantity, the interval of values consistent with all of
that — the minimum and maximum of the variable by linear programming (HiGHS via
:func:`scipy.optimize.linprog`), per connected component of hidden variables — and checks the
protection rule: every hidden count of 1 … ``threshold − 1`` (and every small complement,
denominator − numerator) has an interval at least ``threshold`` wide, and no hidden quantity is
determined exactly. Counts are whole numbers, so their LP bounds are rounded inwards (ceil of the
minimum, floor of the maximum) before the width is measured; τ-ARGUS's audit uses the same
LP relaxation.

**Earlier publications.** An intruder also keeps the publications before this one. `evalkit publish`
records each publication's published table (and the full table it was protected against) in
``data/publications/`` (:func:`record_publication`); :func:`with_history` adds the last
:data:`HISTORY_KEPT` of them to the system: every earlier equation and published cell, where a
quantity whose true value did not change between that publication and this one is the *same*
variable (known if either publication shows it) and a changed one is a variable of its own. So a
late correction of one cell, published with another suppression pattern, cannot pin what either
release hid (issue 25: Eneby, Bällsta and Olovslund). :func:`audit` checks every hidden quantity of
the joint system; :func:`evalkit.analysis.disclosure.suppress_tidy` protects the new release jointly.
Not covered: publications older than the last :data:`HISTORY_KEPT`, publications not made by
`evalkit publish` in this project, and anything published elsewhere.

Composites are audited separately by :func:`composite_breaches`: a published social-risk index,
tenure diversity or rank must not rest on a hidden input.

This module knows nothing of pages: everything a page shows comes from the published table
(:func:`evalkit.data.published_tidy`), so auditing that table audits the pages.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import highspy
import numpy as np
import pandas as pd

from evalkit import aggregate, programme
from evalkit.geography import PROGRAMME_ERA
from evalkit.programme import DISCLOSURE_THRESHOLD, PUBLICATIONS_KEPT

PARTS = ("value", "numerator", "denominator")
#: Releases back the audit looks (:data:`evalkit.programme.PUBLICATIONS_KEPT`, 3): the served
#: publication and the two before it, which is what `evalkit publish` keeps beside the served site
#: (a yearly round and its corrections). Each one adds a copy of every cell that changed since; the
#: cells it showed unchanged are known anyway. Three keep the clean step within its time budget.
HISTORY_KEPT = PUBLICATIONS_KEPT
#: Where `evalkit publish` records what each publication published (under the project root).
HISTORY_FOLDER = ("data", "publications")
HISTORY_ORDER = "order.txt"
#: statuses of rows that take part in sums: published, hidden (``x``) or a true zero (``–``).
IN_SUMS = ("", "x", "–")
HIDDEN = "x"
TOL = 1e-6


@lru_cache(maxsize=1)
def _default_quantities() -> pd.DataFrame:
    return programme.quantities()


def load_quantities(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """``indicator, part, quantity, count``: which quantity each cell of the tidy table is.

    ``part`` is ``value`` (counts), ``numerator`` or ``denominator``; ``quantity`` names the
    quantity (cells with the same name, area and year are one number); an empty quantity is a
    published constant outside the system (a city total shared by every row); ``count`` is True
    for counts of people or units, which the threshold protects.
    """
    q = (_default_quantities() if frame is None else frame).copy()
    q["count"] = q["count"].astype(str).isin(["1", "True", "true", "ja"])
    bad = set(q["part"]) - set(PARTS)
    if bad:
        raise ValueError(f"quantities.csv: okänd del {sorted(bad)}; använd {PARTS}")
    return q[q["quantity"] != ""].reset_index(drop=True)


@dataclass
class System:
    """The linear system of one tidy table, in the intruder's terms.

    ``variables``: ``var, year, quantity, area_code, area_level, count, known, value`` — one row
    per quantity × area × year; ``known`` when some cell publishes it, ``value`` its value
    (NaN when hidden in a published table). ``cells``: ``row, part, var`` links tidy rows to
    variables. ``equations``: ``eq, var, coef`` (``sum coef · x = 0``). ``pairs``: ``num, den``
    (``x_num ≤ x_den``, shares).
    """

    variables: pd.DataFrame
    cells: pd.DataFrame
    equations: pd.DataFrame
    pairs: pd.DataFrame


class NoCells(ValueError):
    """A table (or a block of one) with no cell of any quantity: no system to build."""


def _share_only(rows: pd.DataFrame) -> pd.Series:
    """Rows published with a value but without their numerator or denominator (status empty): a
    share-only source. Nothing of them was hidden (a hidden part sets the row's status to ``x``),
    and :mod:`evalkit.aggregate` leaves them out of every sum, so they are in no equation."""
    plain = rows["status"].fillna("").astype(str) == ""
    return plain & (rows["numerator"].isna() | rows["denominator"].isna()) & rows["value"].notna()


def _text(column: pd.Series):
    """A text column's values for a new frame: what ``column.to_numpy()`` gives once the frame
    infers its string dtype, without the round trip through Python objects (most of the cost of
    :func:`_cells` on a DeSO-sized batch) when the column holds strings or string categories."""
    dtype, plain = column.dtype, pd.StringDtype(na_value=np.nan)  # "str", what a frame infers
    if isinstance(dtype, pd.CategoricalDtype) and dtype.categories.dtype == plain:
        # the categories looked up by code (astype took 20 times as long)
        return dtype.categories.array.take(column.cat.codes.to_numpy(), allow_fill=True)
    if dtype == plain:
        return column.array
    return column.to_numpy()


def _cells(tidy: pd.DataFrame, quantities: pd.DataFrame) -> pd.DataFrame:
    status = tidy["status"].fillna("").astype(str)
    rows = tidy[status.isin(IN_SUMS)]
    rate_indicators = set(quantities.loc[quantities["part"] != "value", "indicator"])
    outside_sums = _share_only(rows) & rows["indicator"].isin(rate_indicators)
    parts = []
    for part in PARTS:
        q = quantities[quantities["part"] == part]
        sub = rows[rows["indicator"].isin(q["indicator"])]
        if part != "value":
            # a part the source never gave is no quantity at all: nothing to hide or to work out
            # (before, it entered the system as an unknown with no value and broke the MILP)
            delivered = ~(outside_sums.loc[sub.index] & sub[part].isna())
            sub = sub[delivered]
        if sub.empty:
            continue
        val = sub[part].astype(float)
        zero = sub["status"].fillna("") == "–"
        val = val.where(~zero, 0.0)
        meta = q.set_index("indicator")
        parts.append(pd.DataFrame({
            "row": sub.index.to_numpy(), "area_code": _text(sub["area_code"]),
            "area_level": _text(sub["area_level"]), "indicator": _text(sub["indicator"]),
            "year": sub["year"].astype("int64").to_numpy(), "part": part,
            "quantity": _text(sub["indicator"].map(meta["quantity"])),
            "count": sub["indicator"].map(meta["count"]).to_numpy(bool),
            "value": val.to_numpy(float), "status": _text(sub["status"].fillna("")),
            "in_sums": ~outside_sums.loc[sub.index].to_numpy(bool),
        }))
    if not parts:
        raise NoCells("tabellen har inga celler med storheter")
    return pd.concat(parts, ignore_index=True)


def _split_partial_totals(cells: pd.DataFrame, mem: pd.DataFrame, shortcut: bool = True) -> pd.DataFrame:
    """An aggregate summed over other members than the same quantity's aggregate in the other
    indicators is another number: give it its own variable.

    Several indicators share a quantity (the population is the denominator of eight). When one
    member's row is missing or set aside for one indicator only, that indicator's borough or city
    total is summed over fewer areas (the coverage rule in :mod:`evalkit.aggregate`) and is not
    the population of the group; treating it as the same variable would make the system
    contradictory (infeasible). The usual member set of each quantity, year and group keeps the
    shared variable, so tables whose indicators agree on their members are modelled as before.
    ``shortcut=False`` compares member sets even where no aggregate's quantity comes from two
    indicators (the same result, slower; for tests).
    """
    groups = set(mem["group_code"])
    is_total = cells["area_code"].isin(groups)
    if not is_total.any():
        return cells
    if shortcut and not cells.loc[is_total, ["quantity", "year", "area_code"]].duplicated().any():
        # each aggregate's quantity comes from one indicator and part only: it is its own usual
        # member set, nothing to split (the member signatures below cost most of this function)
        return cells
    members = cells[(cells["area_level"] == "stadsdel") & cells["in_sums"]].merge(
        mem, left_on="area_code", right_on="stadsdel_code")
    signature = _member_signatures(members, ["indicator", "part", "year", "group_code"])
    totals = cells[is_total].reset_index().rename(columns={"area_code": "group_code"}).merge(
        signature, on=["indicator", "part", "year", "group_code"], how="left")
    totals["members"] = totals["members"].fillna("")
    usual = _most_common(totals, ["quantity", "year", "group_code"], "members")
    odd = totals["members"].to_numpy() != usual.reindex(
        pd.MultiIndex.from_frame(totals[["quantity", "year", "group_code"]])).to_numpy()
    if not odd.any():
        return cells
    cells = cells.copy()
    at = totals.loc[odd, "index"].to_numpy()
    cells.loc[at, "quantity"] = cells.loc[at, "quantity"] + "@" + cells.loc[at, "indicator"]
    return cells


def _member_signatures(members: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """``key + [members]``: the sorted member codes of each group, joined by ``|``.

    Vectorised (a per-group ``"|".join(sorted(…))`` took 7 s of the clean step): the sorted codes
    of a group are cut out of one sorted array, and only the distinct member sets are joined.
    """
    m = members[key + ["area_code"]].sort_values(key + ["area_code"], kind="stable")
    if m.empty:
        return pd.DataFrame(columns=key + ["members"])
    codes, names = pd.factorize(m["area_code"])
    names = np.asarray(names, dtype=object)
    g = m.groupby(key, sort=False).ngroup().to_numpy()
    starts = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    codes = codes.astype(np.int64)
    chunks = [codes[a:b] for a, b in zip(starts.tolist(), np.r_[starts[1:], len(codes)].tolist())]
    joined: dict[bytes, str] = {}
    sig = []
    for c in chunks:
        k = c.tobytes()
        if k not in joined:
            joined[k] = "|".join(names[c])
        sig.append(joined[k])
    out = m.iloc[starts][key].reset_index(drop=True)
    out["members"] = sig
    return out


def _most_common(frame: pd.DataFrame, key: list[str], column: str) -> pd.Series:
    """Per group of ``key``, the most common value of ``column`` — what
    ``groupby(key)[column].agg(lambda s: s.value_counts().index[0])`` gives, without a Python call
    per group: groups with a tie fall back to exactly that, so the choice is the same."""
    sizes = frame.groupby(key + [column], sort=True).size().rename("n").reset_index()
    best = sizes.groupby(key, sort=True)["n"].transform("max")
    top = sizes[sizes["n"] == best]
    ties = top.duplicated(key, keep=False)
    usual = top[~ties].set_index(key)[column]
    if ties.any():
        tied = top.loc[ties, key].drop_duplicates()
        # the original rows in their original order, so value_counts breaks the tie as before
        sub = frame.loc[frame.set_index(key).index.isin(pd.MultiIndex.from_frame(tied))]
        usual = pd.concat([usual, sub.groupby(key)[column].agg(lambda s: s.value_counts().index[0])])
    return usual.sort_index()


def build_system(tidy: pd.DataFrame, quantities: pd.DataFrame | None = None, era: str = PROGRAMME_ERA,
                 membership: pd.DataFrame | None = None) -> System:
    """Set up the intruder's linear system from a tidy table (published, or full for suppression).

    A cell is *known* when its value is present; in a published table hidden cells are NaN.
    ``membership`` (``stadsdel_code, group_code``; default :func:`evalkit.aggregate.membership`
    of ``era``) says which aggregate sums which areas — another area system (e.g. DeSO → RegSO →
    kommun) passes its own.
    """
    quantities = load_quantities(quantities)
    cells = _cells(tidy, quantities)
    mem = (aggregate.membership(era) if membership is None else membership)[["stadsdel_code", "group_code"]]
    cells = _split_partial_totals(cells, mem)
    key = ["year", "quantity", "area_code"]
    cells["known"] = cells["value"].notna()
    var_rows = cells.sort_values("known", ascending=False, kind="stable").groupby(key, sort=True).agg(
        area_level=("area_level", "first"), count=("count", "any"), known=("known", "any"),
        value=("value", "first")).reset_index()
    var_rows.insert(0, "var", np.arange(len(var_rows)))
    cells = cells.merge(var_rows[key + ["var"]], on=key, how="left")

    # one equation per published-or-hidden aggregate row, indicator and part: aggregate = sum of
    # the members that took part in the sum
    members = cells[(cells["area_level"] == "stadsdel") & cells["in_sums"]].merge(
        mem, left_on="area_code", right_on="stadsdel_code")
    totals = cells[cells["area_code"].isin(set(mem["group_code"]))]
    eq_key = ["indicator", "part", "year", "group_code"]
    totals = totals.rename(columns={"area_code": "group_code"})[eq_key + ["var"]]
    members = members[eq_key + ["var"]].merge(totals[eq_key], on=eq_key)
    terms = pd.concat([members.assign(coef=1.0), totals.merge(members[eq_key].drop_duplicates(), on=eq_key)
                       .assign(coef=-1.0)], ignore_index=True)
    terms["eq"] = terms.groupby(eq_key, sort=True).ngroup()
    terms = terms[["eq", "var", "coef"]]
    # identities between quantities of the same area and year
    ident_terms = []
    for i, ident in enumerate(aggregate.IDENTITIES):
        sub = var_rows[var_rows["quantity"].isin(list(ident))]
        complete = sub.groupby(["year", "area_code"])["quantity"].transform("nunique") == len(ident)
        sub = sub[complete]
        if sub.empty:
            continue
        ids = sub.groupby(["year", "area_code"]).ngroup()
        ident_terms.append(pd.DataFrame({"eq": f"id{i}-" + ids.astype(str), "var": sub["var"],
                                         "coef": sub["quantity"].map(ident).astype(float)}))
    equations = _dedupe_equations(terms, ident_terms)

    cat = _catalogue_kinds()
    shares = cells[cells["indicator"].map(cat) == "andel"]
    num = shares[shares["part"] == "numerator"][["row", "var"]].rename(columns={"var": "num"})
    den = shares[shares["part"] == "denominator"][["row", "var"]].rename(columns={"var": "den"})
    pairs = num.merge(den, on="row")[["num", "den"]].drop_duplicates().reset_index(drop=True)
    return System(var_rows, cells[["row", "part", "var", "indicator", "in_sums"]], equations, pairs)


def published_system(full_system: System, published: pd.DataFrame, quantities: pd.DataFrame | None = None,
                     era: str = PROGRAMME_ERA, membership: pd.DataFrame | None = None) -> System:
    """The intruder's system of ``published``, on the structure already built from the full table.

    The equations and pairs of a published table are those of its full table (a hidden row is
    still in every sum); only what is known differs. So the structure is shared and the knowledge
    is read from the published cells themselves: a variable is known when any published cell of
    it has a value (as :func:`build_system` decides). ``published`` must carry the full table's
    row labels; if its cells are not the full table's (another row set, or a row that left or
    joined the sums), the system is built from ``published`` alone instead, so the audit never
    rests on the suppression's own view.
    """
    q = load_quantities(quantities)
    cells = _cells(published, q)
    fc = full_system.cells
    if _same_cells(cells, fc, ordered=True):
        # the usual case (the suppressed rows of the full table): the cells come in the full
        # table's order, so each cell's published value is at the same position
        shown = cells["value"].to_numpy(float)
    elif _same_cells(cells, fc, ordered=False):
        val = cells.set_index(["row", "part"])["value"]
        shown = val.reindex(pd.MultiIndex.from_frame(fc[["row", "part"]])).to_numpy(float)
    else:
        return build_system(published, quantities, era, membership)
    var = fc["var"].to_numpy()
    n = len(full_system.variables)
    known = np.zeros(n, dtype=bool)
    np.logical_or.at(known, var, ~np.isnan(shown))
    value = np.full(n, np.nan)
    # first published value per variable, in cell order (build_system takes the first known cell)
    order = np.flatnonzero(~np.isnan(shown))
    first = pd.Series(shown[order]).groupby(var[order], sort=False).first()
    value[first.index.to_numpy()] = first.to_numpy()
    variables = full_system.variables.assign(known=known, value=value)
    return System(variables, full_system.cells, full_system.equations, full_system.pairs)


def _same_cells(cells: pd.DataFrame, full_cells: pd.DataFrame, ordered: bool) -> bool:
    """Whether two tables' cells are the same ``row, part, in_sums`` (in the same order, or as sets)."""
    if len(cells) != len(full_cells):
        return False
    cols = ["row", "part", "in_sums"]
    a, b = cells[cols], full_cells[cols]
    if not ordered:
        a, b = a.sort_values(["row", "part"]), b.sort_values(["row", "part"])
    return all(np.array_equal(a[c].to_numpy(), b[c].to_numpy()) for c in cols)


#: The catalogue's kinds while :func:`catalogue_held` is in force (None: read on each call).
_HELD_KINDS: pd.Series | None = None


def _catalogue_kinds() -> pd.Series:
    """``indicator -> kind`` of the indicator catalogue (the one held by :func:`catalogue_held`)."""
    if _HELD_KINDS is not None:
        return _HELD_KINDS
    from evalkit import programme

    return programme.indicator_catalogue().set_index("indicator")["kind"]


@contextmanager
def catalogue_held():
    """Read the indicator catalogue once for a run that builds many systems (one per batch of
    :func:`evalkit.analysis.disclosure.suppress_and_audit`: reading and checking it for every
    batch was 4 % of a DeSO-sized run); worker processes forked inside inherit it."""
    global _HELD_KINDS
    before = _HELD_KINDS
    _HELD_KINDS = _catalogue_kinds()  # inside another hold: the one held already
    try:
        yield _HELD_KINDS
    finally:
        _HELD_KINDS = before


def _dedupe_equations(terms: pd.DataFrame, extra: list[pd.DataFrame]) -> pd.DataFrame:
    """Number equations 0…m−1 and drop repeats (the same members and total from several indicators)."""
    frames = [terms.assign(eq=terms["eq"].astype(str))] + [e.assign(eq=e["eq"].astype(str)) for e in extra]
    allt = pd.concat(frames, ignore_index=True)
    allt["eq"] = allt.groupby("eq", sort=True).ngroup()
    allt = allt.sort_values(["eq", "var"], kind="stable").reset_index(drop=True)
    ids = allt["eq"].to_numpy()
    cut = np.flatnonzero(np.diff(ids)) + 1
    # an equation's key is the bytes of its sorted (var, coef) pairs: exact, and far faster than
    # joining strings per group in pandas (which took most of the time on a DeSO-sized table)
    pairs = np.column_stack([allt["var"].to_numpy(np.float64), allt["coef"].to_numpy(np.float64)])
    keys = [chunk.tobytes() for chunk in np.split(pairs, cut)]
    first = {}
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    keep = np.zeros(len(keys), dtype=bool)
    keep[list(first.values())] = True
    allt = allt[keep[ids]].copy()
    allt["eq"] = allt.groupby("eq", sort=True).ngroup()
    return allt.reset_index(drop=True)


def equation_groups(equations: pd.DataFrame) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """``{eq: (vars, coefs)}`` as numpy arrays (pandas groupby per equation is too slow here)."""
    e = equations.sort_values("eq", kind="stable")
    ids = e["eq"].to_numpy()
    if not len(ids):
        return {}
    cut = np.flatnonzero(np.diff(ids)) + 1
    starts, ends = np.r_[0, cut].tolist(), np.r_[cut, len(ids)].tolist()
    var, coef = e["var"].to_numpy(), e["coef"].to_numpy(float)
    # slices, not np.split (which took most of this function's time on a DeSO-sized batch)
    return {k: (var[a:b], coef[a:b]) for k, a, b in zip(ids[starts].tolist(), starts, ends)}


# --- earlier publications ----------------------------------------------------------------------

def publications_dir():
    """``data/publications`` under the project root (outside ``data/processed``: `evalkit clean`
    reads it, never rewrites it)."""
    from evalkit.paths import project_root

    return project_root().joinpath(*HISTORY_FOLDER)


def record_publication(published_path, full_path, sha256: str, folder=None):
    """Record one publication: its published table and the full table it was protected against,
    under its SHA-256; the newest last in ``order.txt``, only the last :data:`HISTORY_KEPT` kept
    (a republication of the same table moves it to the end). Returns its folder.

    A record is not an input of the clean step's stamp on purpose: what is recorded is always
    today's published table (`evalkit publish` records nothing else), which is protected jointly
    with itself already; the next data change re-runs `evalkit clean`, which then reads it."""
    import shutil

    root = publications_dir() if folder is None else folder
    root.mkdir(parents=True, exist_ok=True)
    name = sha256[:16]
    target = root / name
    target.mkdir(exist_ok=True)
    shutil.copyfile(published_path, target / "published.parquet")
    shutil.copyfile(full_path, target / "full.parquet")
    order_file = root / HISTORY_ORDER
    order = [n for n in (order_file.read_text().split() if order_file.is_file() else []) if n != name] + [name]
    for dropped in order[:-HISTORY_KEPT]:
        if (root / dropped).is_dir() and not (root / dropped).is_symlink():
            shutil.rmtree(root / dropped)
    order_file.write_text("".join(f"{n}\n" for n in order[-HISTORY_KEPT:]))
    return target


def load_history(folder=None) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """The recorded publications, oldest first: ``[(published, full), …]`` (empty when none)."""
    root = publications_dir() if folder is None else folder
    order_file = root / HISTORY_ORDER
    if not order_file.is_file():
        return []
    out = []
    for name in order_file.read_text().split()[-HISTORY_KEPT:]:
        pub, full = root / name / "published.parquet", root / name / "full.parquet"
        if pub.is_file() and full.is_file():
            out.append((pd.read_parquet(pub), pd.read_parquet(full)))
    return out


@dataclass
class Joint:
    """A system extended with earlier publications (:func:`with_history`).

    ``system``: the first ``n_new`` variables are this release's; the others are earlier values
    that differ from today's (one per publication and changed quantity). ``truth``: true value of
    every variable. ``old_known``: the variable is shown by an earlier publication (an unchanged
    quantity an earlier release showed is known whatever this release hides). ``old_only``:
    variables of earlier releases only. ``releases``: how many earlier publications were added.
    """

    system: System
    truth: np.ndarray
    old_known: np.ndarray
    old_only: np.ndarray
    n_new: int
    releases: int


def history_systems(history, era: str = PROGRAMME_ERA, quantities=None, membership=None) -> list[tuple[System, System]]:
    """``[(published system, full system), …]`` of earlier publications, built once for
    :func:`with_history` (suppression and audit both take the same)."""
    return [(build_system(published, quantities, era, membership), build_system(full, quantities, era, membership))
            for published, full in history]


def with_history(system: System, truth: np.ndarray, history, era: str = PROGRAMME_ERA, quantities=None,
                 membership=None, built=None) -> Joint:
    """Add earlier publications ``[(published, full), …]`` to ``system`` (module docstring).

    ``truth`` is the true value of each of ``system``'s variables. An earlier variable is today's
    when its area, year and quantity match and its true value then equals today's; otherwise it
    is a variable of its own, with that publication's knowledge of it. ``built``: the history's
    systems from :func:`history_systems`, when they are at hand already.
    """
    key = ["year", "quantity", "area_code"]
    history = list(history)
    built = history_systems(history, era, quantities, membership) if built is None else built
    v = system.variables
    n_new = len(v)
    index = pd.MultiIndex.from_frame(v[key])
    extra_rows, eq_parts, pair_parts = [], [system.equations], [system.pairs]
    old_known = np.zeros(n_new, dtype=bool)
    old_value = np.full(n_new, np.nan)
    truths = [np.asarray(truth, dtype=float)]
    next_var, next_eq = n_new, int(system.equations["eq"].max()) + 1 if len(system.equations) else 0
    for pub, tru in built:
        ov = pub.variables
        then = ov[key].merge(tru.variables[key + ["value"]], on=key, how="left")["value"].to_numpy(float)
        at = index.get_indexer(pd.MultiIndex.from_frame(ov[key]))
        now = np.where(at >= 0, truths[0][np.maximum(at, 0)], np.nan)
        same = (at >= 0) & np.isclose(then, now, rtol=0, atol=1e-6)
        mapping = np.empty(len(ov), dtype=np.int64)
        mapping[same] = at[same]
        changed = np.flatnonzero(~same)
        mapping[changed] = next_var + np.arange(changed.size)
        next_var += changed.size
        known = ov["known"].to_numpy(bool)
        shown_same = same & known
        old_known[at[shown_same]] = True
        old_value[at[shown_same]] = ov["value"].to_numpy(float)[shown_same]
        extra_rows.append(ov.iloc[changed].assign(var=mapping[changed]))
        truths.append(then[changed])
        eqs = pub.equations.assign(var=mapping[pub.equations["var"].to_numpy()],
                                   eq=pub.equations["eq"].to_numpy() + next_eq)
        next_eq += int(pub.equations["eq"].max()) + 1 if len(pub.equations) else 0
        eq_parts.append(eqs)
        pair_parts.append(pd.DataFrame({"num": mapping[pub.pairs["num"].to_numpy()],
                                        "den": mapping[pub.pairs["den"].to_numpy()]}))
    if not history:
        return Joint(system, np.asarray(truth, float), old_known, np.zeros(n_new, bool), n_new, 0)
    variables = pd.concat([v] + extra_rows, ignore_index=True)
    variables["var"] = np.arange(len(variables))
    # what the intruder knows: today's release, or an earlier one that showed the same number
    known = variables["known"].to_numpy(bool).copy()
    value = variables["value"].to_numpy(float).copy()
    from_old = old_known & ~known[:n_new]
    known[:n_new] |= old_known
    value[:n_new][from_old] = old_value[from_old]
    variables["known"], variables["value"] = known, value
    equations = _dedupe_equations(pd.concat(eq_parts, ignore_index=True), [])
    pairs = pd.concat(pair_parts, ignore_index=True).drop_duplicates().reset_index(drop=True)
    old_only = np.zeros(len(variables), dtype=bool)
    old_only[n_new:] = True
    full_old_known = np.concatenate([old_known, np.zeros(len(variables) - n_new, bool)])
    return Joint(System(variables, system.cells, equations, pairs), np.concatenate(truths), full_old_known,
                 old_only, n_new, len(history))


# --- the audit ---------------------------------------------------------------------------------

def components(n_hidden: int, links: list[np.ndarray]) -> np.ndarray:
    """Union-find over ``n_hidden`` items (local ids 0…n−1, e.g. hidden variables) joined by links
    (constraints); returns each item's root. :mod:`evalkit.analysis.disclosure` uses it too."""
    parent = np.arange(n_hidden)

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for group in links:
        if len(group) < 2:
            continue
        r0 = find(group[0])
        for g in group[1:]:
            r = find(g)
            if r != r0:
                parent[r] = r0
    return np.array([find(i) for i in range(n_hidden)])


def intervals(system: System, functionals: pd.DataFrame | None = None, only: set | None = None) -> pd.DataFrame:
    """Feasible interval of every hidden variable (and of extra linear functionals).

    Returns ``var, lo, hi`` for each variable not known to the intruder (``hi`` may be inf).
    ``functionals`` (optional): ``fid, var, coef`` — e.g. a complement ``den − num``; their
    intervals are returned with ``var = -1 - fid``. ``only``: compute just these variables
    (and all functionals), e.g. the sensitive ones.
    """
    v = system.variables
    value = v["value"].to_numpy(float)
    known = v["known"].to_numpy(bool)
    hidden_ids = np.flatnonzero(~known)
    local = -np.ones(len(v), dtype=np.int64)
    local[hidden_ids] = np.arange(hidden_ids.size)
    eq_groups, rhs = {}, {}
    for k, (vs, cs) in equation_groups(system.equations).items():
        kn = known[vs]
        if kn.all():
            continue
        eq_groups[k] = (vs[~kn], cs[~kn])
        # published terms move to the right-hand side
        rhs[k] = -float((cs[kn] * value[vs[kn]]).sum())
    links = [local[vs] for vs, _ in eq_groups.values()]
    pairs = system.pairs
    pn, pd_ = pairs["num"].to_numpy(), pairs["den"].to_numpy()
    sel = ~known[pn] | ~known[pd_]
    pair_rows = list(zip(pn[sel], pd_[sel]))
    links += [local[[a, b]] for a, b in pair_rows if not known[a] and not known[b]]
    fun_groups = {}
    if functionals is not None and len(functionals):
        # per fid in ascending order, its terms in row order (as groupby gave them, without a
        # pandas group per functional)
        fids = functionals["fid"].to_numpy()
        order = np.argsort(fids, kind="stable")
        cut = np.flatnonzero(np.diff(fids[order])) + 1
        all_v, all_c = functionals["var"].to_numpy()[order], functionals["coef"].to_numpy(float)[order]
        for fid, fv, fc in zip(fids[order][np.r_[0, cut]], np.split(all_v, cut), np.split(all_c, cut)):
            if (~known[fv]).any():
                fun_groups[int(fid)] = (fv, fc)
                links.append(local[fv[~known[fv]]])
    comp = components(hidden_ids.size, links)

    by_comp: dict[int, list] = {}
    for k, (vs, _) in eq_groups.items():
        by_comp.setdefault(comp[local[vs[0]]], []).append(k)
    pairs_by_comp: dict[int, list] = {}
    for a, b in pair_rows:
        c = comp[local[a]] if not known[a] else comp[local[b]]
        pairs_by_comp.setdefault(c, []).append((a, b))
    fun_by_comp: dict[int, list] = {}
    for fid, (fv, _) in fun_groups.items():
        fun_by_comp.setdefault(comp[local[fv[~known[fv]][0]]], []).append(fid)
    order = np.argsort(comp, kind="stable")
    cut = np.flatnonzero(np.diff(comp[order])) + 1
    out = []
    for locs in np.split(order, cut) if hidden_ids.size else []:
        c = comp[locs[0]]
        gvars = hidden_ids[locs]
        wanted = gvars if only is None else [g for g in gvars if g in only]
        if not len(wanted) and c not in fun_by_comp:
            continue
        pos = {int(g): i for i, g in enumerate(gvars)}
        n = len(gvars)
        A_eq, b_eq = [], []
        for k in by_comp.get(c, []):
            vs, cs = eq_groups[k]
            row = np.zeros(n)
            for var, coef in zip(vs, cs):
                row[pos[int(var)]] += coef
            A_eq.append(row)
            b_eq.append(rhs[k])
        A_ub, b_ub = [], []
        for a, b in pairs_by_comp.get(c, []):
            row = np.zeros(n)
            const = 0.0
            if known[a]:
                const += value[a]
            else:
                row[pos[int(a)]] += 1
            if known[b]:
                const -= value[b]
            else:
                row[pos[int(b)]] -= 1
            A_ub.append(row)
            b_ub.append(-const)
        objectives, ids, consts = [], [], []
        for g in wanted:
            obj = np.zeros(n)
            obj[pos[int(g)]] = 1.0
            objectives.append(obj)
            ids.append(int(g))
            consts.append(None)
        for fid in fun_by_comp.get(c, []):
            fv, fc = fun_groups[fid]
            obj = np.zeros(n)
            const = 0.0
            for var, coef in zip(fv, fc):
                if known[var]:
                    const += coef * value[var]
                else:
                    obj[pos[int(var)]] += coef
            objectives.append(obj)
            ids.append(-1 - int(fid))
            consts.append(const)
        ranges = _component_ranges(n, A_eq, b_eq, A_ub, b_ub, objectives)
        for i, (lo, hi), const in zip(ids, ranges, consts):
            out.append((i, lo, hi) if const is None else (i, lo + const, hi + const))
    return pd.DataFrame(out, columns=["var", "lo", "hi"])


#: Ranges of components solved in this process, by :func:`_range_key` (bounded, oldest out first).
#: The suppression's last check of its items (``disclosure._unprotected``) asks for the same
#: components with the same objectives as the audit that follows it, on the same system; the
#: audit then reads them here instead of solving every LP twice. Only the current batch's
#: components are needed again (the bundled data: about 40 per batch), so a few thousand are kept.
_RANGES: dict[str, list] = {}
RANGES_KEPT = 20_000


def _range_key(n, A_eq, b_eq, A_ub, b_ub, objectives) -> str:
    """Exact content of one component's LPs: its constraints and its objectives in order (HiGHS
    is warm-started from one objective to the next, so the order is part of what is solved)."""
    import hashlib

    h = hashlib.blake2b(digest_size=20)
    h.update(np.array([n, len(A_eq), len(A_ub), len(objectives)], dtype=np.int64).tobytes())
    for part in (A_eq, b_eq, A_ub, b_ub, objectives):
        if len(part):
            h.update(np.ascontiguousarray(np.asarray(part, dtype=float)).tobytes())
    return h.hexdigest()


def _component_ranges(n, A_eq, b_eq, A_ub, b_ub, objectives) -> list:
    """``[(min, max), …]`` of each objective over one component (:class:`_LP`), solved once per
    process for the same constraints and objectives (:data:`_RANGES`): a repeat gets the numbers
    the first solve gave, bit for bit, as solving again would."""
    if not objectives:
        return []
    key = _range_key(n, A_eq, b_eq, A_ub, b_ub, objectives)
    hit = _RANGES.pop(key, None)
    if hit is None:
        lp = _LP(n, A_eq, b_eq, A_ub, b_ub)
        hit = [lp.range(obj) for obj in objectives]
    _RANGES[key] = hit  # (re)inserted last: the oldest entries go first
    while len(_RANGES) > RANGES_KEPT:
        del _RANGES[next(iter(_RANGES))]
    return hit


class _LP:
    """min and max of linear objectives over one component's feasible set (x ≥ 0).

    One HiGHS model per component, re-solved with a new objective for each variable (warm
    start): scipy's ``linprog`` builds the model anew on every call, which made the audit of the
    bundled data take 17 s instead of about 2.
    """

    def __init__(self, n, A_eq, b_eq, A_ub, b_ub):
        self.n = n
        self.trivial = not A_eq and not A_ub
        if self.trivial:
            return
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        inf = highspy.kHighsInf
        h.addVars(n, np.zeros(n), np.full(n, inf))
        for rows, rhs, equal in ((A_eq, b_eq, True), (A_ub, b_ub, False)):
            for row, b in zip(rows, rhs):
                idx = np.flatnonzero(row).astype(np.int32)
                h.addRow(float(b) if equal else -inf, float(b), idx.size, idx, row[idx].astype(float))
        self.h = h
        self.cols = np.arange(n, dtype=np.int32)

    def _solve(self, obj: np.ndarray, sense) -> float:
        h = self.h
        h.changeColsCost(self.n, self.cols, obj.astype(float))
        h.changeObjectiveSense(sense)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return h.getInfo().objective_function_value
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return -np.inf if sense == highspy.ObjSense.kMinimize else np.inf
        raise RuntimeError(f"granskningens LP kunde inte lösas ({h.modelStatusToString(status)})")

    def range(self, obj: np.ndarray) -> tuple[float, float]:
        if self.trivial:  # no constraint: anything from 0 up
            return 0.0 if (obj >= 0).all() else -np.inf, np.inf if (obj > 0).any() else 0.0
        return self._solve(obj, highspy.ObjSense.kMinimize), self._solve(obj, highspy.ObjSense.kMaximize)


def complements(system: System) -> pd.DataFrame:
    """Complement functionals ``den − num`` of the shares whose both parts are counts: ``fid, var, coef``."""
    v = system.variables.set_index("var")
    p = system.pairs[v.loc[system.pairs["num"], "count"].to_numpy() & v.loc[system.pairs["den"], "count"].to_numpy()]
    p = p.reset_index(drop=True)
    fid = np.repeat(np.arange(len(p)), 2)
    return pd.DataFrame({"fid": fid, "var": np.column_stack([p["den"], p["num"]]).ravel(),
                         "coef": np.tile([1.0, -1.0], len(p))})


def audit(published: pd.DataFrame, full: pd.DataFrame, threshold: float = DISCLOSURE_THRESHOLD, era: str = PROGRAMME_ERA,
          quantities: pd.DataFrame | None = None, membership: pd.DataFrame | None = None,
          history=(), full_system: System | None = None, built_history=None,
          whole_table: bool = True) -> "AuditResult":
    """Play the intruder on ``published`` and check the protection rule against ``full``.

    The intervals are computed from ``published`` only — and from the earlier publications in
    ``history`` (``[(published, full), …]``, :func:`load_history`), which the intruder holds too
    (:func:`with_history`); ``full`` (the unsuppressed table) is used to know which hidden values
    are small counts and to check that each interval contains the true value. Returns
    :class:`AuditResult`. ``full_system`` (the system of ``full``, e.g. from the suppression) and
    ``built_history`` (:func:`history_systems`) are used instead of building them again; the
    published knowledge is still read from ``published`` (:func:`published_system`).
    ``whole_table=False`` (a block of the table, :func:`combine` checks the whole table): skip the
    checks of composites and of values without counts.
    """
    if full_system is None:
        tru = build_system(full, quantities, era, membership)
        pub = build_system(published, quantities, era, membership)
    else:
        tru = full_system
        pub = published_system(tru, published, quantities, era, membership)
    key = ["year", "quantity", "area_code"]
    truth = pub.variables[key].merge(tru.variables[key + ["value"]], on=key, how="left")["value"].to_numpy(float)
    n_cells = int(len(pub.cells))
    n_hidden_cells = int((~pub.variables["known"].to_numpy()[pub.cells["var"].to_numpy()]).sum())
    history = list(history)
    if history:
        joint = with_history(pub, truth, history, era, quantities, membership, built=built_history)
        pub, truth = joint.system, joint.truth
    funs = complements(pub)
    iv = intervals(pub, funs)
    var_iv = iv[iv["var"] >= 0].merge(pub.variables, on="var")
    var_iv["true"] = truth[var_iv["var"].to_numpy(np.int64)]  # int also when nothing is hidden (empty)
    count = var_iv["count"].to_numpy(bool)
    lo = np.where(count, np.ceil(var_iv["lo"] - TOL), var_iv["lo"])
    hi = np.where(count, np.floor(var_iv["hi"] + TOL), var_iv["hi"])
    var_iv["width"] = hi - lo
    var_iv["small"] = count & (var_iv["true"] > 0) & (var_iv["true"] < threshold)
    # complements: den − num small and hidden
    f_iv = iv[iv["var"] < 0].assign(fid=lambda d: -1 - d["var"])
    rows = []
    if len(f_iv):
        fv = funs.pivot(index="fid", columns="coef", values="var").rename(columns={1.0: "den", -1.0: "num"})
        f_iv = f_iv.join(fv, on="fid")
        f_iv["true"] = truth[f_iv["den"].to_numpy()] - truth[f_iv["num"].to_numpy()]
        f_iv["width"] = np.floor(f_iv["hi"] + TOL) - np.ceil(f_iv["lo"] - TOL)
        f_iv["small"] = (f_iv["true"] > 0) & (f_iv["true"] < threshold)
        rows = f_iv
    exact = var_iv[var_iv["width"] <= TOL]
    narrow = var_iv[var_iv["small"] & (var_iv["width"] < threshold - TOL)]
    outside = var_iv[(var_iv["true"] < var_iv["lo"] - 1e-4) | (var_iv["true"] > var_iv["hi"] + 1e-4)]
    narrow_comp = rows[rows["small"] & (rows["width"] < threshold - TOL)] if len(rows) else pd.DataFrame()
    published_small = _published_small(pub, threshold)
    composites = composite_breaches(published) if whole_table else pd.DataFrame()
    return AuditResult(var_iv, rows if len(rows) else pd.DataFrame(), exact, narrow, narrow_comp, outside,
                       published_small, composites, n_cells=n_cells, n_hidden_cells=n_hidden_cells,
                       n_without_counts=values_without_counts(published, quantities) if whole_table else 0,
                       releases=len(history))


def combine(parts: list["AuditResult"], published: pd.DataFrame, quantities: pd.DataFrame | None = None,
            releases: int = 0) -> "AuditResult":
    """One audit from the audits of independent blocks of one table (no equation, pair or
    identity crosses a block), with the checks that need the whole published table (composites,
    values without counts) done on ``published``. The figures equal those of one audit of it."""
    def cat(name):
        frames = [getattr(p, name) for p in parts if len(getattr(p, name))]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    intervals_ = cat("intervals")
    if not len(intervals_):
        intervals_ = pd.DataFrame(columns=["var", "lo", "hi", "count", "width", "small", "true"])
    return AuditResult(intervals_, cat("complement_intervals"), cat("exact"), cat("narrow"),
                       cat("narrow_complements"), cat("outside"), cat("published_small"),
                       composite_breaches(published), n_cells=sum(p.n_cells for p in parts),
                       n_hidden_cells=sum(p.n_hidden_cells for p in parts),
                       n_without_counts=values_without_counts(published, quantities), releases=releases)


def values_without_counts(published: pd.DataFrame, quantities: pd.DataFrame | None = None) -> int:
    """Published shares and rates whose source gave no numerator or denominator: no count of them
    is published, so there is nothing to hide and nothing to work out (the audit says how many)."""
    q = load_quantities(quantities)
    rates = published["indicator"].isin(set(q.loc[q["part"] != "value", "indicator"]))
    return int((_share_only(published) & rates).sum())


def _published_small(system: System, threshold: float) -> pd.DataFrame:
    """Known (published) count variables with a value 1 … threshold − 1: must be none."""
    v = system.variables
    bad = v["known"] & v["count"] & (v["value"] > 0) & (v["value"] < threshold)
    return v[bad]


@dataclass
class AuditResult:
    """What the intruder can work out, and every breach of the protection rule."""

    intervals: pd.DataFrame          # per hidden variable: lo, hi, width, true, small
    complement_intervals: pd.DataFrame
    exact: pd.DataFrame              # hidden variables determined exactly
    narrow: pd.DataFrame             # hidden small counts with an interval < threshold
    narrow_complements: pd.DataFrame
    outside: pd.DataFrame            # true value outside its interval (the system is wrong)
    published_small: pd.DataFrame    # small counts in the open
    composites: pd.DataFrame         # composites/ranks published over hidden inputs
    n_cells: int = 0
    n_hidden_cells: int = 0
    n_without_counts: int = 0        # shares/rates published without numerator and denominator
    releases: int = 0                # earlier publications audited together with this one

    @property
    def ok(self) -> bool:
        return not (len(self.exact) or len(self.narrow) or len(self.narrow_complements) or len(self.outside)
                    or len(self.published_small) or len(self.composites))

    def figures(self) -> dict:
        """Counts for reports and the clean report (numbers only)."""
        small = self.intervals[self.intervals["small"]]
        return {
            "cells": self.n_cells, "cells_hidden": self.n_hidden_cells,
            "quantities_hidden": int(len(self.intervals)),
            "hidden_small_counts": int(len(small)),
            "narrowest_small_interval": float(small["width"].min()) if len(small) else None,
            "breaches_exact": int(len(self.exact)), "breaches_narrow": int(len(self.narrow)),
            "breaches_complement": int(len(self.narrow_complements)),
            "breaches_published_small": int(len(self.published_small)),
            "breaches_composite": int(len(self.composites)), "inconsistent": int(len(self.outside)),
            "values_without_counts": self.n_without_counts,
            "earlier_publications": self.releases,
        }

    def text(self) -> str:
        f = self.figures()
        narrow = f["narrowest_small_interval"]
        return (f"Granskning som inkräktare: {f['cells']} celler, {f['cells_hidden']} dolda "
                f"({f['quantities_hidden']} dolda storheter, varav {f['hidden_small_counts']} små antal); "
                f"smalaste intervall för ett dolt litet antal: {narrow if narrow is not None else '–'}; "
                f"brott: exakt bestämda {f['breaches_exact']}, för smala {f['breaches_narrow']}, "
                f"komplement {f['breaches_complement']}, små antal i klartext {f['breaches_published_small']}, "
                f"sammanvägda över dolda {f['breaches_composite']}; "
                f"tidigare publiceringar i granskningen: {f['earlier_publications']}"
                + (f"; värden utan täljare och nämnare (inget antal publiceras, inget att dölja): "
                   f"{f['values_without_counts']}" if f["values_without_counts"] else ""))


#: Composite indicators and the inputs they are computed from.
def composite_inputs() -> dict[str, tuple[str, ...]]:
    """``{composite indicator: its input indicators}`` (index config and the tenure counts, the
    catalogue's inputs of ``upplatelseform_mangfald``)."""
    from evalkit.analysis import index as risk_index

    return {"index_sociala_risker": tuple(risk_index.load_index_config()["indicator"]),
            "upplatelseform_mangfald": programme.composite_inputs("upplatelseform_mangfald")}


def composite_breaches(published: pd.DataFrame) -> pd.DataFrame:
    """Published composite values whose area-year has a hidden input: must be none."""
    status = published["status"].fillna("")
    hidden = published[status == HIDDEN][["area_code", "year", "indicator"]]
    out = []
    for comp, inputs in composite_inputs().items():
        shown = published[(published["indicator"] == comp) & published["value"].notna()][["area_code", "year"]]
        bad = shown.merge(hidden[hidden["indicator"].isin(inputs)], on=["area_code", "year"])
        if len(bad):
            out.append(bad.assign(composite=comp))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["area_code", "year", "indicator",
                                                                               "composite"])


def rank_breaches(ranks: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Rows of a rank table that show a rank (any ``rank*`` column) for an area-year whose
    published index is missing — i.e. whose index would rest on a hidden input."""
    idx = published[(published["indicator"] == "index_sociala_risker") & published["value"].notna()]
    ok = set(zip(idx["area_code"], idx["year"].astype(int)))
    rank_cols = [c for c in ranks.columns if c.startswith("rank")]
    shown = ranks[rank_cols].notna().any(axis=1).to_numpy()
    mask = np.array([(a, int(y)) not in ok for a, y in zip(ranks["area_code"], ranks["year"])]) & shown
    return ranks[mask]
