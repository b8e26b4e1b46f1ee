"""Known-answer tests of evalkit.analysis.disclosure: suppression that subtraction cannot undo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit import aggregate
from evalkit.analysis import disclosure as dc


def test_one_dimensional_known_answer():
    f = pd.DataFrame({"n": [3, 10, 20, 7]}, index=list("abcd"))
    out, log = dc.suppress(f, "n")
    assert list(out["status"]) == ["x", "", "", "x"]  # 3 primary, 7 = next smallest, secondary
    assert out["n"].isna().tolist() == [True, False, False, True]
    assert list(zip(log["row"], log["kind"])) == [("a", "primary"), ("d", "secondary")]
    assert "inte kan räknas fram" in log.loc[1, "reason_sv"]
    assert "3" not in " ".join(log["reason_sv"].str.replace("tröskeln 5", ""))  # no hidden values


def test_nothing_to_hide_and_zeros_published():
    f = pd.DataFrame({"n": [0, 10, 20]})
    out, log = dc.suppress(f, "n")
    assert (out["status"] == "").all() and log.empty
    out, log = dc.suppress(f, "n", suppress_zero=True)
    assert list(out["status"]) == ["x", "x", ""]


def test_threshold_configurable_and_groups():
    f = pd.DataFrame({"g": ["A", "A", "A", "B", "B"], "n": [8, 12, 30, 40, 50]})
    out, _ = dc.suppress(f, "n", threshold=10, group_cols="g")
    assert list(out["status"]) == ["x", "x", "", "", ""]
    # a group with one member: its total must be hidden as well
    f = pd.DataFrame({"g": ["A", "B", "B"], "n": [3, 40, 50]})
    out, log = dc.suppress(f, "n", group_cols="g")
    assert list(out["status"]) == ["x", "", ""]
    assert (log["kind"] == "total").sum() == 1


def test_two_dimensional_known_answer():
    f = pd.DataFrame({"k": [3, 10, 12, 8], "m": [9, 11, 14, 6], "q": [20, 2, 15, 9]}, index=list("ABCD"))
    out, log = dc.suppress(f, ["k", "m", "q"])
    hidden = {(r, c) for r in f.index for c in ["k", "m", "q"] if out.loc[r, f"status_{c}"] == "x"}
    assert hidden == {("A", "k"), ("A", "q"), ("B", "k"), ("B", "q")}  # the 2 × 2 rectangle
    assert set(log["kind"]) == {"primary", "secondary"}


def test_shares_small_denominator_and_complement():
    f = pd.DataFrame({"n": [6, 40, 97, 10], "d": [8, 100, 100, 3000]})
    f["share"] = f["n"] / f["d"] * 100
    out, log = dc.suppress(f, ["n"], shares={"share": ("n", "d")}, min_denominator=10, row_totals=False,
                           column_totals=False)
    assert list(out["status_share"]) == ["x", "", "x", ""]
    assert out["share"].isna().tolist() == [True, False, True, False]
    reasons = log.set_index(["row", "column"])["reason_sv"]
    assert "nämnaren" in reasons[(0, "share")] and "nämnare − täljare" in reasons[(2, "share")]


def _attacks(values: np.ndarray, hidden: np.ndarray) -> list[float]:
    """All single-subtraction attacks on a 2-D table with row, column and grand totals.

    For each line (row, column) and for the grand total against row or column totals: if a
    line has exactly one unknown, total − published = that unknown. Returns recovered values.
    """
    recovered = []
    for axis in (0, 1):
        for line_vals, line_hidden in zip(np.moveaxis(values, axis, 0), np.moveaxis(hidden, axis, 0)):
            if line_hidden.sum() == 1:
                recovered.append(line_vals.sum() - line_vals[~line_hidden].sum())
    return recovered


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_resist_subtraction(seed):
    rng = np.random.default_rng(seed)
    n_rows, n_cols = rng.integers(3, 8), rng.integers(2, 6)
    values = rng.choice([0, 1, 2, 3, 4, 6, 8, 12, 20, 35], size=(n_rows, n_cols),
                        p=[0.05, 0.1, 0.1, 0.05, 0.05, 0.15, 0.15, 0.15, 0.1, 0.1])
    cols = [f"c{j}" for j in range(n_cols)]
    f = pd.DataFrame(values, columns=cols)
    out, log = dc.suppress(f, cols)
    hidden = np.column_stack([out[f"status_{c}"] == "x" for c in cols])
    primary = (values > 0) & (values < 5)
    assert (hidden | ~primary).all()                      # every primary cell hidden
    assert np.isnan(out[cols].to_numpy()[hidden]).all()
    assert len(log[log["kind"] != "total"]) == hidden.sum() + 0
    totals_hidden = (log["kind"] == "total").any()
    if not totals_hidden:
        assert _attacks(values, hidden) == []             # no line with a single unknown
    # stronger: no hidden cell is determined by any combination of the published totals
    A, vals = _equations(n_rows, n_cols)
    h = np.concatenate([hidden.ravel(), np.zeros(len(vals) - hidden.size, dtype=bool)])
    if not totals_hidden:
        assert not dc.recoverable(A, h).any()


def _equations(n_rows: int, n_cols: int):
    cells = n_rows * n_cols
    n = cells + n_rows + n_cols + 1
    A = []
    for r in range(n_rows):
        row = np.zeros(n); row[r * n_cols:(r + 1) * n_cols] = 1; row[cells + r] = -1; A.append(row)
    for c in range(n_cols):
        row = np.zeros(n); row[[r * n_cols + c for r in range(n_rows)]] = 1; row[cells + n_rows + c] = -1
        A.append(row)
    return np.array(A), np.zeros(n)


def test_bridge_between_hidden_groups_is_caught():
    # two hidden 2×2 rectangles joined by one extra hidden cell: every line has two hidden cells,
    # but the joining cell is still determined (it is a bridge) — the audit must see it
    A, _ = _equations(4, 4)
    hidden = np.zeros(A.shape[1], dtype=bool)
    for r, c in [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)]:
        hidden[r * 4 + c] = True
    rec = dc.recoverable(A, hidden)
    assert rec[1 * 4 + 2] and rec.sum() == 1


@pytest.mark.parametrize("seed", range(6))
def test_random_one_dimensional_groups(seed):
    rng = np.random.default_rng(100 + seed)
    n = 40
    f = pd.DataFrame({"g": rng.integers(0, 6, n), "n": rng.choice([1, 2, 4, 5, 9, 30, 100], n)})
    out, log = dc.suppress(f, "n", group_cols="g")
    for g, block in out.groupby("g"):
        k = (block["status"] == "x").sum()
        group_total_hidden = ((log["kind"] == "total") & (log["group"] == (g,))).any()
        assert k != 1 or group_total_hidden                # total − the rest never gives a cell
    assert ((f["n"] < 5) <= (out["status"] == "x")).all()


# --- the tidy table ----------------------------------------------------------------------------

def _tidy(seed: int = 0) -> pd.DataFrame:
    from evalkit.geography import stadsdelar
    rng = np.random.default_rng(seed)
    rows = []
    for code in stadsdelar()["stadsdel_code"]:
        den = float(rng.integers(50, 5000))
        num = float(rng.choice([0, 1, 3, 6, 20, 150]))
        rows.append({"area_code": code, "area_name": code, "area_level": "stadsdel",
                     "indicator": "ekonomiskt_bistand", "year": 2012, "value": num / den * 100, "status": "",
                     "numerator": num, "denominator": den, "unit": "procent", "source": "test"})
    cat = pd.read_csv(__import__("evalkit.paths").paths.raw_dir() / "programme" / "indicators.csv")
    return aggregate.add_aggregates(pd.DataFrame(rows), cat)


def test_suppress_tidy_protects_every_aggregate():
    tidy = _tidy(1)
    out, log = dc.suppress_tidy(tidy)
    hidden = out["status"] == "x"
    assert out.loc[hidden, ["value", "numerator"]].isna().all().all()
    small = (tidy["numerator"] > 0) & (tidy["numerator"] < 5)
    assert (hidden | ~small).all()
    assert set(log["kind"]) == {"primary", "secondary"}
    # single subtraction on every published aggregate (borough, programme area, rest, city)
    mem = aggregate.membership("2007")
    by_code = out.set_index("area_code")
    for g, members in mem.groupby("group_code")["stadsdel_code"]:
        if by_code.loc[g, "status"] == "x":
            continue
        k = (by_code.loc[list(members), "status"] == "x").sum()
        assert k != 1, g
    # and no combination of aggregates recovers a hidden stadsdel
    codes = list(out["area_code"])
    pos = {c: i for i, c in enumerate(codes)}
    A = []
    for g, members in mem.groupby("group_code")["stadsdel_code"]:
        row = np.zeros(len(codes))
        row[[pos[m] for m in members]] = 1
        row[pos[g]] = -1
        A.append(row)
    assert not dc.recoverable(np.array(A), hidden.to_numpy()).any()


def test_suppress_tidy_threshold_and_log_columns():
    tidy = _tidy(2)
    none, log0 = dc.suppress_tidy(tidy, threshold=1)
    assert (none["status"] != "x").all() and log0.empty
    out, log = dc.suppress_tidy(tidy, threshold=7)
    assert list(log.columns) == ["area_code", "area_name", "area_level", "indicator", "year", "part", "kind",
                                 "reason_sv"]
    assert ((tidy["numerator"] == 6) <= (out["status"] == "x")).all()
    assert len(out) == len(tidy)


def test_secondary_suppression_spares_headline_cells_on_bundled_data(processed):
    """Protecting tiny Hansta and Lunda must not hide Tensta's social assistance (regression)."""
    from evalkit import data

    tidy, log = data.published_tidy()
    rows = tidy[(tidy["area_code"] == "sd-tensta") & (tidy["indicator"] == "ekonomiskt_bistand")
                & tidy["year"].between(2014, 2020)]
    assert len(rows) == 7 and (rows["status"] != "x").all()
    # …while the small cells that forced the question stay hidden.
    hidden = set(log.loc[(log["indicator"] == "ekonomiskt_bistand") & (log["year"] == 2020), "area_code"])
    assert {"sd-hansta", "sd-lunda"} <= hidden


# --- block by block, and the cache (issue 29) ------------------------------------------------------

def _two_blocks_per_year(years=(2012, 2013, 2014), seed: int = 3) -> pd.DataFrame:
    """ekonomiskt_bistand (share over the population) with folkmangd, which shares its
    denominator, and anmalda_brott-free counts of another quantity: two blocks per year."""
    from evalkit.geography import stadsdelar
    rng = np.random.default_rng(seed)
    rows = []
    for year in years:
        for code in stadsdelar()["stadsdel_code"]:
            den = float(rng.integers(50, 5000))
            num = float(rng.choice([0, 1, 3, 6, 20, 150]))
            rows.append({"area_code": code, "area_name": code, "area_level": "stadsdel",
                         "indicator": "ekonomiskt_bistand", "year": year, "value": num / den * 100, "status": "",
                         "numerator": num, "denominator": den, "unit": "procent", "source": "test"})
            rows.append({"area_code": code, "area_name": code, "area_level": "stadsdel", "indicator": "folkmangd",
                         "year": year, "value": den, "status": "", "numerator": np.nan, "denominator": np.nan,
                         "unit": "antal", "source": "test"})
            rows.append({"area_code": code, "area_name": code, "area_level": "stadsdel",
                         "indicator": "folkmangd_scb", "year": year, "value": float(rng.choice([2, 40, 900])),
                         "status": "", "numerator": np.nan, "denominator": np.nan, "unit": "antal", "source": "test"})
    cat = pd.read_csv(__import__("evalkit.paths").paths.raw_dir() / "programme" / "indicators.csv")
    return aggregate.add_aggregates(pd.DataFrame(rows), cat)


def test_blocks_keep_shared_quantities_together_and_years_apart():
    tidy = _two_blocks_per_year()
    blocks = dc.blocks(tidy)
    assert len(blocks) == 6  # 3 years × {ekonomiskt_bistand + folkmangd, folkmangd_scb}
    assert sorted(np.concatenate(blocks).tolist()) == list(range(len(tidy)))
    for at in blocks:
        part = tidy.iloc[at]
        assert part["year"].nunique() == 1
        assert set(part["indicator"]) in ({"ekonomiskt_bistand", "folkmangd"}, {"folkmangd_scb"})


def test_block_by_block_equals_the_whole_table():
    from evalkit.analysis import intruder

    tidy = _two_blocks_per_year()
    whole, whole_log = dc.suppress_tidy(tidy)
    whole_audit = intruder.audit(whole, tidy)
    out, log, audits = dc.suppress_and_audit(tidy, batch_rows=1)  # every block alone
    assert len(audits) == 6
    cols = ["value", "numerator", "denominator", "status"]
    pd.testing.assert_frame_equal(out[cols], whole[cols])
    pd.testing.assert_frame_equal(log.astype(str), whole_log.astype(str))
    combined = intruder.combine(audits, out)
    assert combined.ok and whole_audit.ok
    assert combined.figures() == whole_audit.figures()
    assert (out["status"] == "x").sum() > 0


def test_the_cache_solves_only_changed_blocks_with_the_same_result(tmp_path):
    tidy = _two_blocks_per_year()
    first = dc.suppress_and_audit(tidy, cache=tmp_path, batch_rows=1)
    files = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.pkl")}
    assert len(files) == 6
    again = dc.suppress_and_audit(tidy, cache=tmp_path, batch_rows=1)
    pd.testing.assert_frame_equal(again[0], first[0])
    pd.testing.assert_frame_equal(again[1], first[1])
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("*.pkl")} == files  # nothing solved again
    # one count of one block changes (and the sums it is in): one block is solved again
    changed = tidy.copy()
    row = (changed["indicator"] == "folkmangd_scb") & (changed["year"] == 2013)
    changed.loc[row & (changed["area_code"] == "sd-tensta"), "value"] = 3.0
    changed = aggregate.add_aggregates(changed[changed["area_level"] == "stadsdel"].drop(columns=[]),
                                       pd.read_csv(__import__("evalkit.paths").paths.raw_dir() / "programme"
                                                   / "indicators.csv"))
    cached = dc.suppress_and_audit(changed, cache=tmp_path, batch_rows=1)
    now = {p.name for p in tmp_path.glob("*.pkl")}
    assert len(now) == 6 and len(now - set(files)) == 1  # the old entry of that block is removed
    fresh = dc.suppress_and_audit(changed, batch_rows=1)
    pd.testing.assert_frame_equal(cached[0], fresh[0])
    pd.testing.assert_frame_equal(cached[1], fresh[1])
    assert cached[0].loc[row.to_numpy() & (changed["area_code"] == "sd-tensta").to_numpy(), "status"].eq("x").all()


def test_a_year_the_earlier_publication_did_not_have_is_protected_alone():
    from evalkit.analysis import intruder

    old = _two_blocks_per_year(years=(2012, 2013))
    old_published = dc.suppress_tidy(old).frame
    tidy = _two_blocks_per_year()  # the same seed: 2012–2013 as before, and 2014 new
    out, log, audits = dc.suppress_and_audit(tidy, history=[(old_published, old)], batch_rows=1)
    assert intruder.combine(audits, out, releases=1).ok
    new_year = (tidy["year"] == 2014).to_numpy()
    alone = dc.suppress_tidy(tidy[new_year]).frame
    pd.testing.assert_series_equal(out.loc[new_year, "status"], alone["status"])
    assert (out.loc[new_year, "status"] == "x").any()


def _milp_rows_one_by_one(n, sub, a, equations, inner_pairs, commodities, up, down):
    """The constraint rows of the MILP as they were built before issue 29, one Python call per row
    (the reference the whole-array builder must equal entry for entry)."""
    from scipy.sparse import coo_array

    local = {int(g): i for i, g in enumerate(sub)}
    eqs = []
    for idx, coef in equations:
        keep = np.isin(idx, sub)
        if keep.any():
            eqs.append((np.array([local[int(i)] for i in idx[keep]]), coef[keep]))
    prs = [(local[p], local[d]) for p, d in inner_pairs if p in local and d in local]
    K = len(commodities)
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0

    def add(cs, vs, low, high):
        nonlocal r
        rows.extend([r] * len(cs))
        cols.extend(cs)
        vals.extend(vs)
        lo.append(low)
        hi.append(high)
        r += 1

    for k, (fl, target) in enumerate(commodities):
        off = n * (k + 1)
        for idx, coef in eqs:
            add(list(off + idx), list(coef), 0.0, 0.0)
        add([off + i for i in fl], list(fl.values()), target, target)
        for p, d in prs:
            add([off + p, off + d], [1.0, -1.0], -np.inf, float(a[sub][d] - a[sub][p]))
        for i in range(n):
            add([off + i, i], [1.0, -float(up[i])], -np.inf, 0.0)
            add([off + i, i], [-1.0, -float(down[i])], -np.inf, 0.0)
    return coo_array((vals, (rows, cols)), shape=(r, n * (K + 1))).tocsr(), lo, hi


def test_milp_rows_equal_the_row_by_row_builder():
    """Issue 29: the MILP's matrix, built with whole arrays, is the row-by-row one entry for entry
    (same data, column indices, row pointers and their types; same bounds), so HiGHS solves the
    same programme and hides the same cells."""
    rng = np.random.default_rng(29)
    for _ in range(40):
        size = int(rng.integers(2, 40))
        a = rng.integers(0, 50, size).astype(float)
        sub = np.sort(rng.choice(size, int(rng.integers(1, size + 1)), replace=False))
        equations = []
        for _ in range(int(rng.integers(0, 8))):
            members = rng.choice(size, int(rng.integers(1, min(size, 6) + 1)), replace=False)
            equations.append((members.astype(np.int64), np.where(rng.random(members.size) < 0.2, -1.0, 1.0)))
        inner_pairs = [(int(p), int(d)) for p, d in rng.integers(0, size, (int(rng.integers(0, 6)), 2))]
        commodities = []
        for _ in range(int(rng.integers(1, 4))):
            keys = rng.choice(sub.size, int(rng.integers(1, min(sub.size, 2) + 1)), replace=False)
            fl = {int(k): float(rng.choice([1.0, -1.0])) for k in keys}
            c = float(rng.integers(1, 5))
            commodities += [(fl, -c), (fl, 5 - c)]
        up = np.minimum(rng.integers(0, 9, sub.size).astype(float), 5)
        down = np.minimum(rng.integers(0, 9, sub.size).astype(float), 5)
        A, lo, hi = dc._milp_rows(sub.size, sub, a, equations, inner_pairs, commodities, up, down)
        B, lo_ref, hi_ref = _milp_rows_one_by_one(sub.size, sub, a, equations, inner_pairs, commodities, up, down)
        assert A.shape == B.shape
        for part in ("data", "indices", "indptr"):
            got, want = getattr(A, part), getattr(B, part)
            assert got.dtype == want.dtype and np.array_equal(got, want)
        assert np.array_equal(lo, np.asarray(lo_ref, dtype=float))
        assert np.array_equal(hi, np.asarray(hi_ref, dtype=float))

def test_one_or_two_worker_processes_give_the_same_result(tmp_path):
    from evalkit.analysis import intruder

    tidy = _two_blocks_per_year()
    one = dc.suppress_and_audit(tidy, batch_rows=1, workers=1)
    two = dc.suppress_and_audit(tidy, batch_rows=1, workers=2, cache=tmp_path)  # 6 batches in 2 processes
    pd.testing.assert_frame_equal(two[0], one[0], check_exact=True)
    pd.testing.assert_frame_equal(two[1], one[1], check_exact=True)
    assert [a.figures() for a in two[2]] == [a.figures() for a in one[2]]
    for a, b in zip(one[2], two[2]):
        pd.testing.assert_frame_equal(b.intervals, a.intervals, check_exact=True)
    assert len(list(tmp_path.glob("*.pkl"))) == 6 and not list(tmp_path.glob("*.tmp"))  # the workers wrote them
    warm = dc.suppress_and_audit(tidy, batch_rows=1, workers=2, cache=tmp_path)  # read back in the parent
    pd.testing.assert_frame_equal(warm[0], one[0], check_exact=True)
    pd.testing.assert_frame_equal(warm[1], one[1], check_exact=True)
    assert intruder.combine(two[2], two[0]).figures() == intruder.combine(one[2], one[0]).figures()
    assert (one[0]["status"] == "x").any()


def test_row_digests_of_the_whole_table_cut_per_batch_give_the_batch_key():
    tidy = _two_blocks_per_year()
    digests = dc.row_digests(tidy)
    context = (5.0, "x", tidy.head(3))
    for at in dc.batches(tidy, rows=1):
        rows = tidy.iloc[at]
        assert dc._block_key("v", rows, [], context, digests[at]) == dc._block_key("v", rows, [], context)
    assert dc._block_key("v", tidy.iloc[:5], [], ()) != dc._block_key("v", tidy.iloc[1:6], [], ())


def test_batches_grow_with_the_table_and_never_cut_a_block():
    assert dc.batch_size(50_000) == dc.BATCH_ROWS
    assert dc.batch_size(7_000_000) == 70_000
    tidy = _two_blocks_per_year()
    blocks = dc.blocks(tidy)
    for rows in (1, 100, 10**6):
        parts = dc.batches(tidy, rows=rows)
        assert np.array_equal(np.concatenate(parts), np.concatenate(blocks))
        cuts = {int(p[-1]) for p in parts}
        assert cuts <= {int(b[-1]) for b in blocks}  # a batch ends where a block ends
    assert len(dc.batches(tidy, rows=10**6)) == 1 and len(dc.batches(tidy, rows=1)) == len(blocks)


def test_a_failing_batch_in_a_worker_stops_the_run_with_its_error(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("batch failed")

    monkeypatch.setattr(dc, "_suppress", fail)  # the forked workers inherit it
    with pytest.raises(RuntimeError, match="batch failed"):
        dc.suppress_and_audit(_two_blocks_per_year(), batch_rows=1, workers=2)
    assert dc._JOB is None  # the table is not kept after the run
