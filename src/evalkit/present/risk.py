"""The social risk index in reports: domains against the city, rank intervals, funnel plot."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from evalkit import geography, programme
from evalkit.analysis import index as risk_index, robustness
from evalkit.present import format as fmt
from evalkit.present.labels import area_label
from evalkit.present import tables
from evalkit.present.charts import PALETTE, Chart, SwedishTicks, _style, render

#: The indicator of the district report's funnel plot (the programme's first effect indicator).
FUNNEL_INDICATOR = "ekonomiskt_bistand"
#: Base year of the fixed reference (the programme's baseline): the city that year = 100.
INDEX_BASE_YEAR = risk_index.DEFAULT_BASE_YEAR
DOMAINS = [("sociala_riskfaktorer", "Sociala riskfaktorer"), ("halsa", "Hälsa"),
           ("sakerhet_trygghet", "Säkerhet & trygghet"), ("forsorjning", "Försörjning"), ("total", "Totalt")]


#: Swedish names of the method variants of :func:`evalkit.analysis.robustness.variant_table`.
VARIANT_LABELS_SV = {
    robustness.BASE: "Grundindex (lika vikt per huvudområde, aritmetiskt medel)",
    "lika_vikt_per_indikator": "Lika vikt per indikator",
    "geometrisk": "Geometriskt medel",
    "storda_vikter": "Slumpvis störda vikter (median)",
}
LEVEL_PLURAL_SV = {"stadsdel": "stadsdelar", "stadsdelsomrade": "stadsdelsområden"}
#: What the district report says when the area has no row in the rank table.
NO_INDEX_SV = "Inget index för området."


def variant_label_sv(variant: str) -> str:
    """Swedish label of a variant id (``utan_<indikator>`` -> ``Utan <indikator>``)."""
    if variant.startswith(robustness.LEAVE_OUT_PREFIX):
        return f"Utan {variant[len(robustness.LEAVE_OUT_PREFIX):]}"
    return VARIANT_LABELS_SV.get(variant, variant)


def band_label_sv(coverage: float = robustness.COVERAGE) -> str:
    """Name of the rank band, e.g. "90 %-intervall" (the share of replicates it holds)."""
    return f"{fmt.percent(100 * coverage, 0)}-intervall"


def rank_sentence_sv(row) -> str:
    """Swedish sentence for one row of :func:`evalkit.analysis.robustness.rank_intervals`
    (1 = highest index among the areas of the same level with a complete index).

    When the band, the method variants and the point rank agree: "Tensta rankas 1:a av 68
    stadsdelar med index, i alla metodvarianter och i hela 90 %-intervallet."; otherwise
    "Rinkeby rankas 4:e av 68 stadsdelar med index; 90 %-intervall 3:e–9:e (median 5:e),
    metodvarianter 4:e–6:e: inte särskiljbart från områden med rang inom intervallet."
    (without ``n_ranked`` the "av …" part is left out).
    """
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))

    def present(key):
        v = get(key)
        return v is not None and pd.notna(v)

    ordinal = fmt.ordinal
    name = get("area_name") or get("area_code")
    rank = int(get("rank"))
    coverage = float(get("coverage")) if present("coverage") else robustness.COVERAGE
    among = ""
    if present("n_ranked"):
        plural = LEVEL_PLURAL_SV.get(get("level") or get("area_level"), "områden")
        among = f" av {int(get('n_ranked'))} {plural} med index"
    low = int(get("rank_low")) if present("rank_low") else rank
    high = int(get("rank_high")) if present("rank_high") else rank
    vmin = int(get("rank_min_variant")) if present("rank_min_variant") else rank
    vmax = int(get("rank_max_variant")) if present("rank_max_variant") else rank
    band = band_label_sv(coverage)
    if low == high == vmin == vmax == rank:
        return f"{name} rankas {ordinal(rank)}{among}, i alla metodvarianter och i hela {band}et."
    med = int(get("rank_median")) if present("rank_median") else rank
    variants = (f"{ordinal(vmin)} i alla metodvarianter" if vmin == vmax
                else f"metodvarianter {ordinal(vmin)}–{ordinal(vmax)}")
    return (f"{name} rankas {ordinal(rank)}{among}; {band} {ordinal(low)}–{ordinal(high)} "
            f"(median {ordinal(med)}), {variants}: inte särskiljbart från områden med rang inom intervallet.")


def rank_text(ranks: pd.DataFrame, area_code: str) -> str:
    """The rank sentence of ``area_code`` in a rank table; empty for an area in the table without a
    rank, :data:`NO_INDEX_SV` for an area not in it."""
    mine = ranks[ranks["area_code"] == area_code]
    if not len(mine):
        return NO_INDEX_SV
    row = mine.iloc[0]
    return rank_sentence_sv(row) if pd.notna(row["rank"]) else ""


def dominance_warning_sv(row, label: str) -> str:
    """The warning for one flagged row of :func:`evalkit.analysis.index.dominance_warnings`
    (``label``: the indicator's name as written in a sentence); empty when it does not dominate."""
    if not row["dominates"]:
        return ""
    effect = ("Rangordningen ändras märkbart utan den" if row["reorders"] else
              "Rangordningen ändras dock lite utan den, eftersom indikatorn samvarierar med de andra")
    return (f"Varning ({fmt.year(row['year'])}): {label} ({row['indicator']}) väger tungt i totalindexet – den "
            f"står för {fmt.percent(100 * row['variance_share'], 0)} av totalindexets variation mellan områdena "
            f"men har {fmt.percent(100 * row['nominal_weight'], 0)} av vikten. Kvoterna mot staden går från "
            f"{fmt.number(row['ratio_min'] / 100, 1)} till {fmt.number(row['ratio_max'] / 100, 1)} gånger stadens "
            f"nivå. {effect} (rangkorrelation {fmt.number(row['rank_corr_without'], 3)}). Redovisa gärna index "
            "med och utan indikatorn.")


def _reference_sv(base_year: int | None) -> str:
    """The reference in words: the city a fixed year (``base_year``) or the same year (None)."""
    return f"staden {base_year} = 100" if base_year else "staden = 100"


def domain_chart(index_rows: pd.DataFrame, area_code: str, years: tuple[int, int],
                 base_year: int | None = None, note: str = "") -> Chart:
    """Bars per domain and total for the area, baseline year vs latest year, with the reference line.

    ``base_year`` says that ``index_rows`` has a fixed reference (the city that year = 100), as
    it should when two years are compared; None = moving reference (the city each year = 100).
    ``note`` (e.g. that the two years are demo and real data, :func:`mixed_origin_sv`) goes under
    the source and into the alt text.
    """
    rows = index_rows[(index_rows["area_code"] == area_code) & index_rows["year"].isin(years)].set_index("year")
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    x = np.arange(len(DOMAINS))
    for i, year in enumerate(years):
        if year not in rows.index:
            continue
        values = [rows.loc[year, d] for d, _ in DOMAINS]
        ax.bar(x + (i - 0.5) * 0.38, values, width=0.36, color=PALETTE[i], label=str(year))
    ax.axhline(100, color="#333333", linewidth=1)
    reference = _reference_sv(base_year)
    ax.annotate(reference[0].upper() + reference[1:], (len(DOMAINS) - 0.5, 100), xytext=(0, 3),
                textcoords="offset points", ha="right", fontsize=8)
    ax.set_xticks(x, [label for _, label in DOMAINS], fontsize=8)
    ax.set_ylabel(f"Index ({reference})")
    name = geography.area_name(area_code)
    ax.set_title(f"Index för sociala risker per huvudområde, {name}", loc="left", fontsize=11)
    ax.yaxis.set_major_formatter(SwedishTicks())
    ax.legend(frameon=False, fontsize=8)
    _style(ax)
    how = f"fast referens, {reference}" if base_year else "rörlig referens, staden samma år = 100"
    fig.text(0.01, -0.02, f"Källa: evalkit, beräknat från indikatorerna i index_indicators.csv ({how})."
             + (f"\n{note}" if note else ""), fontsize=7.5, color="#333333", ha="left", va="top")
    parts = []
    for year in years:
        if year in rows.index:
            parts.append(f"{year}: " + ", ".join(f"{label.lower()} {fmt.number(rows.loc[year, d], 1)}" for d, label in DOMAINS))
    alt = f"Stapeldiagram: index för sociala risker i {name} per huvudområde ({reference}). " + "; ".join(parts) + "."
    return render(fig, f"{alt} {note}" if note else alt)


def domain_table(index_rows: pd.DataFrame, codes: list[str], year: int) -> tables.HtmlTable:
    """Domain scores and total for the area and its comparisons in one year."""
    rows = index_rows[(index_rows["year"] == year) & index_rows["area_code"].isin(codes)].set_index("area_code")
    records = []
    for code in codes:
        line = {"Område": area_label(code)}
        for d, label in DOMAINS:
            line[label] = fmt.number(rows.loc[code, d], 1) if code in rows.index else ".."
        records.append(line)
    frame = pd.DataFrame(records)
    return tables.table(frame, f"Index för sociala risker {year} (staden = 100)", numeric_columns=frame.columns[1:])


def _total(rows: pd.DataFrame, code: str, year: int) -> float:
    hit = rows[(rows["area_code"] == code) & (rows["year"] == year)]["total"]
    return float(hit.iloc[0]) if len(hit) else float("nan")


def trend_table(moving: pd.DataFrame, fixed: pd.DataFrame, area_code: str, years: range,
                base_year: int = INDEX_BASE_YEAR, city: str = "stockholm") -> tables.HtmlTable:
    """Total index of the area per year with both references, and the city with the fixed one.

    The fixed reference (the city in ``base_year`` = 100) shows whether risks rose or fell; the
    moving one (the city the same year = 100) whether the area moved relative to the city.
    """
    name = geography.area_name(area_code)
    frame = pd.DataFrame({
        "År": [str(y) for y in years],
        f"{name}, fast referens ({_reference_sv(base_year)})": [fmt.number(_total(fixed, area_code, y), 1) for y in years],
        f"Staden, fast referens ({_reference_sv(base_year)})": [fmt.number(_total(fixed, city, y), 1) for y in years],
        f"{name}, rörlig referens (staden samma år = 100)": [fmt.number(_total(moving, area_code, y), 1) for y in years],
    })
    return tables.table(frame, f"Index för sociala risker över tid, {name}", numeric_columns=frame.columns[1:])


def index_origins(tidy: pd.DataFrame, base_year: int | None = None, city: str = "stockholm") -> dict:
    """``{(area_code, year): origin}`` of the published social-risk index (its tidy rows). With
    ``base_year`` (fixed reference) a value is also formed from the city's index that year, so it
    is real only if both are (:func:`evalkit.analysis.origin.combine`)."""
    from evalkit.analysis import origin

    rows = tidy[tidy["indicator"] == "index_sociala_risker"]
    found = dict(zip(zip(rows["area_code"], rows["year"].astype(int)), origin.column(rows)))
    if base_year is None or (city, base_year) not in found:
        return found
    return {key: origin.combine([o, found[(city, base_year)]]) for key, o in found.items()}


def mixed_origin_sv(origins: dict | None, area_code: str, first: int, last: int) -> str:
    """Empty when ``first`` and ``last`` of the area may be compared (same origin, the rule of
    :func:`evalkit.analysis.origin.comparable`); else the Swedish reason they are not."""
    from evalkit.analysis import origin
    from evalkit.present.page import MIXED_ORIGIN_SV, ORIGIN_SV

    a, b = ((origins or {}).get((area_code, y)) for y in (first, last))
    if origin.comparable(a, b):
        return ""
    return f"{MIXED_ORIGIN_SV[0].upper()}{MIXED_ORIGIN_SV[1:]} ({first}: {ORIGIN_SV[a]}, {last}: {ORIGIN_SV[b]})."


def trend_sentence_sv(moving: pd.DataFrame, fixed: pd.DataFrame, area_code: str, first: int, last: int,
                      base_year: int = INDEX_BASE_YEAR, city: str = "stockholm", origins: dict | None = None) -> str:
    """One Swedish sentence comparing ``first`` and ``last`` with the fixed reference, the moving one beside it.

    ``origins`` (:func:`index_origins` of the fixed reference): when the two years differ in
    origin (demo against real), the sentence says the change is not assessed instead."""
    name = geography.area_name(area_code)
    mixed = mixed_origin_sv(origins, area_code, first, last)
    if mixed:
        return f"Förändringen av totalindexet för {name} mellan {first} och {last}: {mixed[0].lower()}{mixed[1:]}"
    def span(rows, code):
        return f"{fmt.number(_total(rows, code, first), 1)} år {first} till {fmt.number(_total(rows, code, last), 1)} år {last}"
    baseline = ", programmets basår" if base_year == risk_index.DEFAULT_BASE_YEAR else ""
    return (f"Mätt mot en fast referens ({_reference_sv(base_year)}{baseline}) gick totalindexet för "
            f"{name} från {span(fixed, area_code)}; för staden från {span(fixed, city)}. Mot staden samma år "
            f"(rörlig referens, visar läget i förhållande till staden, inte förändringen) gick det från "
            f"{span(moving, area_code)}.")


def _span(low, high) -> str:
    return ".." if pd.isna(low) or pd.isna(high) else f"{int(low)}–{int(high)}"


def rank_table(ranks: pd.DataFrame, area_code: str, neighbours: int = 3) -> tables.HtmlTable:
    """The area's rank with its 90 % band and the areas ranked just above and below it."""
    ranks = ranks.dropna(subset=["rank"]).sort_values("rank").reset_index(drop=True)
    hit = ranks.index[ranks["area_code"] == area_code]
    if len(hit) == 0:
        frame = pd.DataFrame({"Område": [geography.area_name(area_code)], "Kommentar": ["inget index (för få invånare)"]})
        return tables.table(frame, "Rangordning")
    i = int(hit[0])
    window = ranks.iloc[max(0, i - neighbours): i + neighbours + 1]
    band = f"Rang, {band_label_sv(float(ranks['coverage'].iloc[0]))}"
    frame = pd.DataFrame({
        "Område": window["area_name"],
        "Index": window["total"].map(lambda v: fmt.number(v, 1)),
        "Rang": window["rank"].astype(int).astype(str),
        band: [_span(a, b) for a, b in zip(window["rank_low"], window["rank_high"])],
        "Rang i metodvarianter": [_span(a, b) for a, b in zip(window["rank_min_variant"], window["rank_max_variant"])],
    })
    year = int(ranks["year"].iloc[0])
    return tables.table(frame, f"Rangordning {year} bland {int(ranks['n_ranked'].iloc[0])} områden med index",
                        numeric_columns=("Index", "Rang", band, "Rang i metodvarianter"))


def funnel_chart(funnel: pd.DataFrame, area_code: str, label: str) -> Chart:
    """Funnel plot: each area's rate against its denominator, with 95 % / 99,8 % limits around the city."""
    rows = funnel.dropna(subset=["value"]).sort_values("denominator")
    fig, ax = plt.subplots(figsize=(7.2, 4.0))
    ax.scatter(rows["denominator"], rows["value"], s=12, color="#999999", label="Stadsdelar")
    hit = rows[rows["area_code"] == area_code]
    if len(hit):
        ax.scatter(hit["denominator"], hit["value"], s=50, color=PALETTE[5], zorder=3, label=area_label(area_code))
    for low, high, style in (("lower_95", "upper_95", "--"), ("lower_998", "upper_998", ":")):
        ax.plot(rows["denominator"], rows[low], color="#333333", linestyle=style, linewidth=0.9)
        ax.plot(rows["denominator"], rows[high], color="#333333", linestyle=style, linewidth=0.9)
    ax.axhline(rows["reference_value"].iloc[0], color="#333333", linewidth=0.8)
    ax.set_xscale("log")
    # Labelled ticks at powers of ten and no minor ticks: log-scale minor ticks are the
    # costliest part of drawing this chart and carry no number the reader needs.
    ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0,)))
    ax.xaxis.set_major_formatter(SwedishTicks())
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_xlabel("Nämnare (invånare), logaritmisk skala")
    ax.set_ylabel(label)
    ax.yaxis.set_major_formatter(SwedishTicks())
    ax.set_title(f"Trattdiagram: {label}", loc="left", fontsize=11)
    ax.legend(frameon=False, fontsize=8)
    _style(ax)
    fig.text(0.01, -0.02, "Streckat: 95 % kontrollgräns, prickat: 99,8 % kring stadens nivå.", fontsize=7.5,
             color="#333333", ha="left", va="top")
    n_out = int((rows["outside_998"] != "").sum())
    where = ""
    if len(hit):
        h = hit.iloc[0]
        where = (f" {geography.area_name(area_code)}: {fmt.number(h['value'], 1)} "
                 f"({'utanför' if h['outside_998'] else 'inom'} 99,8 %-gränsen).")
    alt = f"Trattdiagram för {label.lower()}: {n_out} av {len(rows)} stadsdelar ligger utanför 99,8 %-gränsen.{where}"
    return render(fig, alt)



def index_section(district: str, end_year: int, first_year: int, funnel_indicator: str = FUNNEL_INDICATOR) -> list:
    """The social-risk-index section of a district report: the domains compared over time (fixed
    reference), the trend sentence and table, the domains beside the comparison areas, the rank
    sentence and table, and the funnel plot of ``funnel_indicator`` – all from the published table.

    ``district``: a name or code, as the notebook parameter (resolved as on the command line).
    """
    from evalkit import data, results
    from evalkit.present import district as report
    from evalkit.present.page import heading, paragraph

    area_code = geography.code_for(district)
    meta = programme.indicator_catalogue().set_index("indicator").loc[funnel_indicator]
    index_rows = data.published_index()
    fixed_rows = data.published_index_fixed()  # years compared: fixed reference, the city 2014 = 100
    ranks = results.rank_intervals(end_year, geography.area_level(area_code))
    tidy = data.published_tidy()[0]
    origins = index_origins(tidy, INDEX_BASE_YEAR)
    return [heading("Index för sociala risker"),
            domain_chart(fixed_rows, area_code, (first_year, end_year), base_year=INDEX_BASE_YEAR,
                         note=mixed_origin_sv(origins, area_code, first_year, end_year)),
            paragraph(trend_sentence_sv(index_rows, fixed_rows, area_code, first_year, end_year, origins=origins)),
            trend_table(index_rows, fixed_rows, area_code, range(first_year, end_year + 1)),
            domain_table(index_rows, report.comparison_codes(area_code), end_year),
            paragraph(rank_text(ranks, area_code)), rank_table(ranks, area_code),
            funnel_chart(robustness.funnel_data(tidy, funnel_indicator, end_year, level="stadsdel"), area_code,
                         f"{meta['label_sv']} ({meta['unit']})")]
