"""Aggregates of stadsdel rows: boroughs, the programme area, the rest of the city and the city.

Rule (docs/CONTRACTS.md): aggregates are **sums of numerators and denominators**, never means of
rates::

    value[G] = sum_{i in G} numerator_i / sum_{i in G} denominator_i * scale

with ``scale`` from the indicator catalogue (100 for shares, 1 000 for "per 1 000 inhabitants",
1 for means such as days per inhabitant or minutes). Counts (``kind == antal``) are summed.

Missing data (coverage rule): a member row "has data" when its status is empty and its
numerator and denominator (counts: value) are present; a row with status ``–`` counts as zero
for counts. If any member of a group lacks data, the aggregate is still computed from the members
that have data **only if those cover at least 95 %** (:data:`COVERAGE_THRESHOLD`) of the group's
total denominator; otherwise the aggregate gets status ``..`` and no value. A member's weight in
this coverage share is its denominator when known (so an area with denominator 0, e.g. no
inhabitants, does not matter), else its population (``folkmangd``) of the same year; if neither
is known the coverage cannot be established and the aggregate is ``..``. Where a member
gives a share or rate without numerator and denominator (a share-only source) and the rest do
not cover the group, the aggregate gets status ``.`` (:data:`NOT_COMPUTED`, "beräknas inte"):
the value exists but cannot be formed from what was delivered. A member with no row
at all for an indicator-year is treated like a row with status ``..`` and unknown denominator.

Indicators whose denominator is a city-wide total shared by every stadsdel (a share of the whole
city, e.g. an area's share of the city's workplaces: the catalogue's ``comparisons`` is ``time``
only, :func:`evalkit.programme.shared_denominator`) are aggregated with
the numerators summed and that common denominator kept (summing it would count the city many
times); their coverage weight is the population.

Derived indicators (``kind == index``) are not aggregated; see :func:`tenure_diversity` and
:mod:`evalkit.analysis.index`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit import contracts, geography, programme
from evalkit import origin as origins
from evalkit.geography import stadsdelar

COVERAGE_THRESHOLD = 0.95
AGGREGABLE_KINDS = ("andel", "kvot", "medel", "antal")
#: Kinds aggregated from numerators and denominators: without them no group value can be formed.
RATE_KINDS = ("andel", "kvot", "medel")
#: Status of a group value that is not computed (``.``, "beräknas inte"): some member gives its
#: rate without numerator and denominator (a share-only source), and the members with counts do
#: not cover the group – a group's rate is not a mean of its members' rates. ``..`` stays for
#: values that are missing.
NOT_COMPUTED = "."
#: Linear identities between quantities of one area and year (names as in
#: ``data/raw/programme/quantities.csv``): ``sum coef · quantity = 0``. :func:`foreign_born_share`
#: makes the first one true; disclosure control and its audit use them (an intruder can).
IDENTITIES = ({"utrikes_fodda": 1.0, "fodda_i_sverige": 1.0, "folkmangd_scb": -1.0},)


def membership(era: str = geography.PROGRAMME_ERA) -> pd.DataFrame:
    """Stadsdel -> aggregate table: ``stadsdel_code, group_code, group_name, group_level``.

    Each stadsdel belongs to its borough of the era, to ``programomradet`` or ``ovriga-staden``
    and to ``stockholm``. Names and levels come from the geography registry (one name per code:
    the published table once carried "Programområdet" and "Programområdena" for the same area).
    """
    geography.check_era(era)
    areas = stadsdelar()
    sdo = areas[geography.borough_column(era)]
    groups = pd.Series(np.where(areas["programme"], geography.PROGRAMME_CODE, geography.REST_CODE))
    parts = [
        pd.DataFrame({"stadsdel_code": areas["stadsdel_code"], "group_code": sdo}),
        pd.DataFrame({"stadsdel_code": areas["stadsdel_code"], "group_code": groups.to_numpy()}),
        pd.DataFrame({"stadsdel_code": areas["stadsdel_code"], "group_code": geography.CITY_CODE}),
    ]
    for part in parts:
        part["group_name"] = part["group_code"].map(geography.area_name)
        part["group_level"] = part["group_code"].map(geography.area_level)
    return pd.concat(parts, ignore_index=True)


def _catalogue_info(catalogue: pd.DataFrame) -> pd.DataFrame:
    cat = catalogue.set_index("indicator")
    return pd.DataFrame({"kind": cat["kind"], "scale": pd.to_numeric(cat["scale"], errors="coerce"),
                         "unit": cat["unit"]})


def add_aggregates(tidy: pd.DataFrame, catalogue: pd.DataFrame, era: str = geography.PROGRAMME_ERA) -> pd.DataFrame:
    """Return ``tidy`` plus aggregate rows for boroughs (era), programme area, rest of city, city.

    ``tidy`` holds rows in the tidy format (docs/CONTRACTS.md); only ``area_level == "stadsdel"``
    rows feed the aggregates. Input rows carrying a code that is recomputed here are replaced;
    all other rows (e.g. ``riket``) pass through untouched. See the module docstring for the
    formula and the 95 % coverage rule.
    """
    info = _catalogue_info(catalogue)
    shared_codes = programme.shared_denominator(catalogue)
    members = membership(era)
    codes = set(members["group_code"])
    keep = tidy[~tidy["area_code"].isin(codes)]
    base = tidy[tidy["area_level"] == "stadsdel"].copy()
    base = base[base["indicator"].map(info["kind"]).isin(AGGREGABLE_KINDS)]
    base["origin"] = origins.column(base)
    if base.empty:
        return keep.reset_index(drop=True)

    # full grid of members × indicator-years present, so missing rows count as missing
    pairs = base[["indicator", "year"]].drop_duplicates()
    grid = members.merge(pairs, how="cross")
    cols = ["area_code", "indicator", "year", "value", "status", "numerator", "denominator", "source", "origin"]
    grid = grid.merge(base[cols].rename(columns={"area_code": "stadsdel_code"}),
                      on=["stadsdel_code", "indicator", "year"], how="left")
    pop = base[(base["indicator"] == "folkmangd") & (base["status"].fillna("") == "")]
    pop = pop[["area_code", "year", "value"]].rename(columns={"area_code": "stadsdel_code", "value": "pop"})
    grid = grid.merge(pop, on=["stadsdel_code", "year"], how="left")

    kind = grid["indicator"].map(info["kind"])
    is_count = kind == "antal"
    shared = grid["indicator"].isin(shared_codes)
    status = grid["status"].fillna("..").astype(str)  # no row -> missing
    present = grid["status"].notna()
    zero_count = is_count & (status == "–")
    ok = present & (status == "") & np.where(is_count, grid["value"].notna(),
                                             grid["numerator"].notna() & grid["denominator"].notna())
    ok = ok | zero_count
    # a member that gives the rate but not its numerator and denominator (a share-only source):
    # the group's value cannot be formed from it, and a mean of rates is not the group's rate
    share_only = present & (status == "") & ~is_count & grid["value"].notna() & ~ok
    weight = np.where(is_count | shared, grid["pop"], grid["denominator"].fillna(grid["pop"]))
    grid = grid.assign(
        ok=ok,
        num_ok=np.where(ok & ~is_count, grid["numerator"], 0.0),
        den_ok=np.where(ok & ~is_count, grid["denominator"], 0.0),
        den_shared=np.where(ok & shared, grid["denominator"], np.nan),
        cnt_ok=np.where(ok & is_count & ~zero_count, grid["value"], 0.0),
        w_ok=np.where(ok, weight, 0.0),
        w_all=weight,
        w_unknown=~ok & pd.isna(weight),
        bad=~ok,
        share_only=share_only,
        src=grid["source"].where(ok),
        demo_ok=ok & (grid["origin"] == origins.DEMO),
        demo_any=present & (grid["origin"] == origins.DEMO),
    )
    grouped = grid.groupby(["group_code", "group_name", "group_level", "indicator", "year"], sort=True)
    agg = grouped.agg(
        num=("num_ok", "sum"), den=("den_ok", "sum"), den_shared=("den_shared", "max"),
        cnt=("cnt_ok", "sum"), w_ok=("w_ok", "sum"), w_all=("w_all", "sum"),
        w_unknown=("w_unknown", "any"), bad=("bad", "any"), n_ok=("ok", "sum"),
        share_only=("share_only", "any"), demo_ok=("demo_ok", "any"), demo_any=("demo_any", "any"),
    ).reset_index()
    number = grouped.ngroup()  # NaN for a row groupby leaves out (a key with NaN)
    agg["source"] = _joined_sources(number[number.notna()].to_numpy(np.int64), grid["src"][number.notna()], len(agg))

    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(agg["w_all"] > 0, agg["w_ok"] / agg["w_all"], np.nan)
    complete = ~agg["bad"] | (~agg["w_unknown"] & (coverage >= COVERAGE_THRESHOLD))
    complete = complete & (agg["n_ok"] > 0)
    agg_kind = agg["indicator"].map(info["kind"])
    agg_count = agg_kind == "antal"
    agg_shared = agg["indicator"].isin(shared_codes)
    den = np.where(agg_shared, agg["den_shared"], agg["den"])
    scale = agg["indicator"].map(info["scale"]).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_value = np.where(den > 0, agg["num"] / den * scale, np.nan)
    value = np.where(agg_count, agg["cnt"], rate_value)
    value = np.where(complete, value, np.nan)
    out = contracts.tidy_frame(
        area_code=agg["group_code"],
        area_name=agg["group_name"],
        area_level=agg["group_level"],
        indicator=agg["indicator"],
        year=agg["year"],
        value=value.astype(float),
        status=np.where(~np.isnan(value.astype(float)), "",
                        np.where(agg["share_only"].to_numpy(bool), NOT_COMPUTED, "..")),
        numerator=np.where(agg_count | ~complete, np.nan, agg["num"]).astype(float),
        denominator=np.where(agg_count | ~complete, np.nan, den).astype(float),
        unit=agg["indicator"].map(info["unit"]),
        source=agg["source"],
        # real only when every member it is formed from is real (those with data; with none, all present)
        origin=np.where(np.where(agg["n_ok"] > 0, agg["demo_ok"], agg["demo_any"]), origins.DEMO, origins.REAL),
    )
    return pd.concat([keep, out], ignore_index=True)


def _joined_sources(group: np.ndarray, src: pd.Series, n_groups: int) -> np.ndarray:
    """Per group (``group``: its number per row, 0 … n_groups − 1) its distinct sources, sorted,
    joined by "; " ("" for none). One sort of the distinct (group, source) pairs instead of a
    Python function per group (that was most of deriving the aggregates)."""
    pairs = pd.DataFrame({"group": group, "src": src.to_numpy(object)})
    pairs = pairs[src.notna().to_numpy()].drop_duplicates()
    out = np.full(n_groups, "", dtype=object)
    if pairs.empty:
        return out
    # sorted as Python sorts strings (code points), as sorted() did
    g, s = pairs["group"].to_numpy(), pairs["src"].to_numpy()
    order = sorted(range(len(pairs)), key=lambda i: (g[i], s[i]))
    g, s = g[order], s[order]
    cut = np.flatnonzero(np.diff(g)) + 1
    for at, part in zip(np.split(g, cut), np.split(s, cut)):
        out[at[0]] = "; ".join(part)
    return out


def tenure_diversity(tidy: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows of the derived indicator ``upplatelseform_mangfald`` (only those rows are returned).

    Simpson's diversity over the tenure counts (the catalogue's inputs of the composite, column
    ``composite_input``: ``bostader_hyresratt``, ``bostader_bostadsratt``, ``bostader_aganderatt``)
    for every area-year present in ``tidy`` (stadsdelar and aggregates alike)::

        D = 1 - sum_j p_j**2,   p_j = n_j / (n_hyresratt + n_bostadsratt + n_aganderatt)

    0 = a single tenure, 2/3 = three equally large. Status ``..`` (no value) when a count is
    missing or the total is 0. Unit from the catalogue (default: ``data/raw/programme/indicators.csv``).
    """
    if catalogue is None:
        catalogue = programme.indicator_catalogue()
    unit = catalogue.set_index("indicator").loc["upplatelseform_mangfald", "unit"]
    tenure_counts = list(programme.composite_inputs("upplatelseform_mangfald", catalogue))
    rows = tidy[tidy["indicator"].isin(tenure_counts)].copy()
    if rows.empty:
        return contracts.tidy_frame()
    rows["n"] = rows["value"].where(rows["status"].fillna("") == "")
    rows["demo"] = origins.column(rows) == origins.DEMO
    rows.loc[rows["status"] == "–", "n"] = 0.0
    wide = rows.pivot_table(index=["area_code", "year"], columns="indicator", values="n",
                            aggfunc="first", dropna=False)
    wide = wide.reindex(columns=tenure_counts)
    # dropna=False keeps all-missing combinations (an area-year with a status symbol) but also
    # creates area × year pairs that have no rows at all; those are not ours to report.
    present = pd.MultiIndex.from_frame(rows[["area_code", "year"]].drop_duplicates())
    wide = wide[wide.index.isin(present)]
    meta = rows.drop_duplicates(["area_code", "year"]).set_index(["area_code", "year"])
    meta = meta.reindex(wide.index)  # some years have tenure rows for only part of the areas
    demo = rows.groupby(["area_code", "year"])["demo"].any().reindex(wide.index).fillna(False).to_numpy(bool)
    counts = wide.to_numpy(float)
    total = counts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = counts / total[:, None]
        d = 1 - (p**2).sum(axis=1)
    d = np.where(np.isfinite(d) & (total > 0), d, np.nan)
    return contracts.tidy_frame(
        area_code=wide.index.get_level_values("area_code"),
        area_name=meta["area_name"].to_numpy(),
        area_level=meta["area_level"].to_numpy(),
        indicator="upplatelseform_mangfald",
        year=wide.index.get_level_values("year"),
        value=d,
        status=np.where(np.isnan(d), "..", ""),
        numerator=np.nan,
        denominator=np.nan,
        unit=unit,
        source="evalkit: härlett (Simpsons index över bostader_*); " + meta["source"].astype(str).to_numpy(),
        origin=np.where(demo, origins.DEMO, origins.REAL),
    )


def foreign_born_share(tidy: pd.DataFrame, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Derive ``andel_utrikes_fodda`` = (folkmängd − födda i Sverige) / folkmängd × 100.

    Computed for every area-year (incl. aggregates) that has both SCB counts with a value; the
    numerator and denominator are kept so the share aggregates like any other.
    """
    counts = tidy[tidy["indicator"].isin(["fodda_i_sverige", "folkmangd_scb"]) & (tidy["status"].fillna("") == "")]
    if counts.empty:
        return contracts.tidy_frame()
    wide = counts.pivot_table(index=["area_code", "year"], columns="indicator", values="value", aggfunc="first")
    wide = wide.dropna(subset=["fodda_i_sverige", "folkmangd_scb"])
    wide = wide[wide["folkmangd_scb"] > 0]
    meta = counts.drop_duplicates(["area_code", "year"]).set_index(["area_code", "year"]).reindex(wide.index)
    demo = ((origins.column(counts) == origins.DEMO).groupby([counts["area_code"], counts["year"]]).any()
            .reindex(wide.index).fillna(False).to_numpy(bool))
    numerator = (wide["folkmangd_scb"] - wide["fodda_i_sverige"]).to_numpy()
    denominator = wide["folkmangd_scb"].to_numpy()
    return contracts.tidy_frame(
        area_code=wide.index.get_level_values("area_code"),
        area_name=meta["area_name"].to_numpy(),
        area_level=meta["area_level"].to_numpy(),
        indicator="andel_utrikes_fodda",
        year=wide.index.get_level_values("year"),
        value=100 * numerator / denominator,
        status="",
        numerator=numerator,
        denominator=denominator,
        unit="procent",
        source="evalkit: härlett ur SCB:s folkmängd efter födelseregion (RegSO, CC0)",
        origin=np.where(demo, origins.DEMO, origins.REAL),
    )
