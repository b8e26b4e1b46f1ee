"""The social risk index in reports: domains against the city, rank intervals, funnel plot."""

from __future__ import annotations

import os
import textwrap
from functools import lru_cache

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from evalkit import geography, programme
from evalkit.analysis import index as risk_index, robustness
from evalkit.present import format as fmt
from evalkit.present.labels import area_label
from evalkit.present import tables
from evalkit.present.charts import NARROW_RC, NARROW_WIDTH, PALETTE, TITLE_Y, Chart, SwedishTicks, _style, render, reuse

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
    return f"staden {base_year} = 100" if base_year else "staden samma år = 100"


#: The two questions the index answers, each with its own reference (issue 26: one figure per question).
QUESTION_NOW_SV = "Hur ligger området till jämfört med staden samma år?"
QUESTION_CHANGE_SV = "Har riskerna ökat eller minskat sedan {base_year}?"


def domain_chart(index_rows: pd.DataFrame, area_code: str, years: tuple[int, int],
                 base_year: int | None = None, note: str = "") -> Chart:
    """Bars per domain and total for the area, two years, with the reference line.

    ``base_year`` says that ``index_rows`` has a fixed reference (the city that year = 100), as
    it should when two years are compared; None = moving reference (the city each year = 100).
    :func:`domain_change_table` shows the same numbers as a table. ``note`` (e.g. that the two
    years are demo and real data, :func:`mixed_origin_sv`) goes under the source and into the alt text.
    """
    rows = index_rows[(index_rows["area_code"] == area_code) & index_rows["year"].isin(years)].set_index("year")
    name = geography.area_name(area_code)
    return reuse(("domain_chart", rows, name, tuple(years), base_year, note),
                 lambda: _domain_chart(rows, name, years, base_year, note), __name__)


def _domain_chart(rows: pd.DataFrame, name: str, years: tuple[int, int], base_year: int | None,
                  note: str) -> Chart:
    """:func:`domain_chart` of the area's rows (index ``year``), named ``name``."""
    reference = _reference_sv(base_year)
    # Horizontal bars, drawn narrow: the domain names read on a phone and in print two to a row.
    with matplotlib.rc_context(NARROW_RC):
        fig, ax = plt.subplots(figsize=(NARROW_WIDTH, 4.4))
        y = np.arange(len(DOMAINS))
        for i, year in enumerate(years):
            if year not in rows.index:
                continue
            values = [rows.loc[year, d] for d, _ in DOMAINS]
            ax.barh(y + (i - 0.5) * 0.38, values, height=0.36, color=PALETTE[i], label=str(year))
        ax.axvline(100, color="#333333", linewidth=1)
        ax.set_yticks(y, [label for _, label in DOMAINS])
        ax.invert_yaxis()
        ax.set_xlabel(f"Index ({reference})")
        ax.set_title(textwrap.fill(f"Index för sociala risker per huvudområde, {name}", 34), loc="left", y=TITLE_Y)
        ax.xaxis.set_major_formatter(SwedishTicks())
        # Legend and source below the figure's lower edge, from its left edge (beside the bars there
        # is no free corner, and text tied to the axes would widen the chart).
        handles, names = ax.get_legend_handles_labels()
        fig.legend(handles, names, frameon=False, loc="upper left", bbox_to_anchor=(0.0, 0.0), ncols=2,
                   borderaxespad=0)
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        fig.text(0.01, -0.09, textwrap.fill(f"Linjen vid 100: {reference}. Källa: evalkit, beräknat från "
                                            "indikatorerna i index_indicators.csv." + (f" {note}" if note else ""), 50),
                 fontsize=9.5, color="#333333", ha="left", va="top")
    parts = []
    for year in years:
        if year in rows.index:
            parts.append(f"{year}: " + ", ".join(f"{label.lower()} {fmt.number(rows.loc[year, d], 1)}" for d, label in DOMAINS))
    alt = f"Stapeldiagram: index för sociala risker i {name} per huvudområde ({reference}). " + "; ".join(parts) + "."
    return render(fig, f"{alt} {note}" if note else alt, layout="narrow")


def domain_change_table(index_rows: pd.DataFrame, area_code: str, years: tuple[int, int],
                        base_year: int) -> tables.HtmlTable:
    """The numbers of :func:`domain_chart` as a table: each domain in two years and the change
    (fixed reference, so the change is the area's own)."""
    rows = index_rows[(index_rows["area_code"] == area_code) & index_rows["year"].isin(years)].set_index("year")
    first, last = years

    def value(year, d):
        return rows.loc[year, d] if year in rows.index else float("nan")

    frame = pd.DataFrame({
        "Huvudområde": [label for _, label in DOMAINS],
        str(first): [fmt.number(value(first, d), 1) for d, _ in DOMAINS],
        str(last): [fmt.number(value(last, d), 1) for d, _ in DOMAINS],
        "Förändring": [fmt.change(value(last, d) - value(first, d), 1) for d, _ in DOMAINS],
    })
    name = geography.area_name(area_code)
    return tables.table(frame, f"Index för sociala risker per huvudområde, {name} {first} och {last} "
                               f"({_reference_sv(base_year)})", numeric_columns=frame.columns[1:])


def domain_table(index_rows: pd.DataFrame, codes: list[str], year: int) -> tables.HtmlTable:
    """Domain scores and total for the area and its comparisons in one year (moving reference)."""
    rows = index_rows[(index_rows["year"] == year) & index_rows["area_code"].isin(codes)].set_index("area_code")
    records = []
    for code in codes:
        line = {"Område": area_label(code)}
        for d, label in DOMAINS:
            line[label] = fmt.number(rows.loc[code, d], 1) if code in rows.index else ".."
        records.append(line)
    frame = pd.DataFrame(records)
    return tables.table(frame, f"Index för sociala risker {year} per huvudområde ({_reference_sv(None)})",
                        numeric_columns=frame.columns[1:])


def _total(rows: pd.DataFrame, code: str, year: int) -> float:
    hit = rows[(rows["area_code"] == code) & (rows["year"] == year)]["total"]
    return float(hit.iloc[0]) if len(hit) else float("nan")


def trend_table(moving: pd.DataFrame, fixed: pd.DataFrame, area_code: str, years: range,
                base_year: int = INDEX_BASE_YEAR, city: str = "stockholm") -> tables.HtmlTable:
    """Total index of the area and the city per year against the fixed reference (the city in
    ``base_year`` = 100): whether risks rose or fell. The moving index (``moving``, the city the
    same year = 100) answers another question and is shown once, in the domain and rank tables;
    the argument stays so that callers need not change."""
    name = geography.area_name(area_code)
    reference = _reference_sv(base_year)
    frame = pd.DataFrame({
        "År": [str(y) for y in years],
        name: [fmt.number(_total(fixed, area_code, y), 1) for y in years],
        "Staden": [fmt.number(_total(fixed, city, y), 1) for y in years],
    })
    return tables.table(frame, f"Index för sociala risker över tid, {name} och staden ({reference})",
                        numeric_columns=frame.columns[1:])


def index_origins(tidy: pd.DataFrame, base_year: int | None = None, city: str = "stockholm") -> dict:
    """``{(area_code, year): origin}`` of the published social-risk index (its tidy rows). With
    ``base_year`` (fixed reference) a value is also formed from the city's index that year, so it
    is real only if both are (:func:`evalkit.origin.combine`)."""
    from evalkit import origin

    rows = tidy[tidy["indicator"] == "index_sociala_risker"]
    found = dict(zip(zip(rows["area_code"], rows["year"].astype(int)), origin.column(rows)))
    if base_year is None or (city, base_year) not in found:
        return found
    return {key: origin.combine([o, found[(city, base_year)]]) for key, o in found.items()}


def mixed_origin_sv(origins: dict | None, area_code: str, first: int, last: int) -> str:
    """Empty when ``first`` and ``last`` of the area may be compared (same origin, the rule of
    :func:`evalkit.origin.comparable`); else the Swedish reason they are not."""
    from evalkit import origin
    from evalkit.present.page import MIXED_ORIGIN_SV, ORIGIN_SV

    a, b = ((origins or {}).get((area_code, y)) for y in (first, last))
    if origin.comparable(a, b):
        return ""
    return f"{MIXED_ORIGIN_SV[0].upper()}{MIXED_ORIGIN_SV[1:]} ({first}: {ORIGIN_SV[a]}, {last}: {ORIGIN_SV[b]})."


def trend_sentence_sv(moving: pd.DataFrame, fixed: pd.DataFrame, area_code: str, first: int, last: int,
                      base_year: int = INDEX_BASE_YEAR, city: str = "stockholm", origins: dict | None = None) -> str:
    """One Swedish sentence comparing ``first`` and ``last`` against the fixed reference (the
    moving index is not repeated here: it answers another question).

    ``origins`` (:func:`index_origins` of the fixed reference): when the two years differ in
    origin (demo against real), the sentence says the change is not assessed instead."""
    name = geography.area_name(area_code)
    mixed = mixed_origin_sv(origins, area_code, first, last)
    if mixed:
        return f"Förändringen av totalindexet för {name} mellan {first} och {last}: {mixed[0].lower()}{mixed[1:]}"

    def span(rows, code):
        return f"{fmt.number(_total(rows, code, first), 1)} år {first} till {fmt.number(_total(rows, code, last), 1)} år {last}"

    baseline = ", programmets basår" if base_year == risk_index.DEFAULT_BASE_YEAR else ""
    missing = [y for y in (first, last) if pd.isna(_total(fixed, area_code, y))]
    if missing:  # never "från .. år 2012": say which year has no index
        years = " och ".join(str(y) for y in missing)
        return (f"Totalindexet för {name} mätt mot en fast referens ({_reference_sv(base_year)}{baseline}) kan inte "
                f"jämföras mellan {first} och {last}: det saknas för {years} (för få invånare eller dolda uppgifter).")
    return (f"Mätt mot en fast referens ({_reference_sv(base_year)}{baseline}) gick totalindexet för "
            f"{name} från {span(fixed, area_code)}; för staden från {span(fixed, city)}.")


def index_questions(moving: pd.DataFrame, fixed: pd.DataFrame, area_code: str, year: int,
                    base_year: int = INDEX_BASE_YEAR):
    """The two questions the index answers, each with its one figure and reference, and why the
    figures differ (:class:`evalkit.present.page.Html`, a ``dl``, class ``ek-index-questions``)."""
    from evalkit.present.page import Html, _ENV

    name = geography.area_name(area_code)
    now, then, later = (_total(moving, area_code, year), _total(fixed, area_code, base_year),
                        _total(fixed, area_code, year))

    def figure(value):  # a missing index in words, not "..", in a sentence
        return "saknas" if pd.isna(value) else fmt.number(value, 1)

    items = [
        (QUESTION_NOW_SV, f"{name} {figure(now)} år {year} ({_reference_sv(None)})",
         "Tabellen per huvudområde och rangordningen nedan."),
        (QUESTION_CHANGE_SV.format(base_year=base_year),
         f"{name} {figure(then)} år {base_year} och {figure(later)} år {year} ({_reference_sv(base_year)})",
         "Diagrammet och tabellerna under rubriken Förändring."),
    ]
    why = (f"Talen skiljer sig för att referensen skiljer sig: staden själv har förändrats sedan {base_year}. "
           f"Ett index över 100 betyder högre sociala risker än i staden.")
    html = _ENV.from_string(
        '<dl class="ek-index-questions">{% for q, a, where in items %}<dt>{{ q }}</dt>'
        '<dd><strong class="ek-index-figure">{{ a }}</strong>. {{ where }}</dd>{% endfor %}</dl><p>{{ why }}</p>'
    ).render(items=items, why=why)
    text = " ".join(f"{q} {a}. {where}" for q, a, where in items) + " " + why
    return Html(html, text)


def _span(low, high) -> str:
    return ".." if pd.isna(low) or pd.isna(high) else f"{int(low)}–{int(high)}"


#: The rank table's index column, with its reference (the moving one: ranks are within a year).
INDEX_COLUMN_SV = "Index (staden samma år = 100)"


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
        INDEX_COLUMN_SV: window["total"].map(lambda v: fmt.number(v, 1)),
        "Rang": window["rank"].astype(int).astype(str),
        band: [_span(a, b) for a, b in zip(window["rank_low"], window["rank_high"])],
        "Rang i metodvarianter": [_span(a, b) for a, b in zip(window["rank_min_variant"], window["rank_max_variant"])],
    })
    year = int(ranks["year"].iloc[0])
    return tables.table(frame, f"Rangordning {year} bland {int(ranks['n_ranked'].iloc[0])} områden med index",
                        numeric_columns=(INDEX_COLUMN_SV, "Rang", band, "Rang i metodvarianter"))


def funnel_chart(funnel: pd.DataFrame, area_code: str, label: str) -> Chart:
    """Funnel plot: each area's rate against its denominator, with 95 % / 99,8 % limits around the
    city that allow for overdispersion (Spiegelhalter 2005, additive random effects,
    :func:`evalkit.analysis.robustness.overdispersion`): areas differ more than chance alone would
    make them, so limits for chance alone would put almost every area outside.

    Drawn once per data and code version (:func:`evalkit.present.charts.reuse`): a report of an
    area that is not a stadsdel (a borough) shows the same chart as every other such report."""
    rows = funnel.dropna(subset=["value"]).sort_values("denominator")
    hit = rows[rows["area_code"] == area_code]
    shown = (area_code, area_label(area_code), geography.area_name(area_code)) if len(hit) else None
    return reuse(("funnel_chart", rows, label, shown), lambda: _funnel_chart(rows, hit, shown, label), __name__)


def _funnel_chart(rows: pd.DataFrame, hit: pd.DataFrame, shown: tuple | None, label: str) -> Chart:
    """:func:`funnel_chart` of the areas ``rows``, the area's own ``hit`` marked as ``shown``
    (code, label, name), or nothing marked when None."""
    with matplotlib.rc_context(NARROW_RC):
        fig, ax = plt.subplots(figsize=(NARROW_WIDTH, 4.2))
        ax.scatter(rows["denominator"], rows["value"], s=14, color="#999999", label="Stadsdelar")
        if len(hit):
            ax.scatter(hit["denominator"], hit["value"], s=60, color=PALETTE[5], zorder=3, label=shown[1])
        for low, high, style in (("lower_95_od", "upper_95_od", "--"), ("lower_998_od", "upper_998_od", ":")):
            ax.plot(rows["denominator"], rows[low], color="#333333", linestyle=style, linewidth=0.9)
            ax.plot(rows["denominator"], rows[high], color="#333333", linestyle=style, linewidth=0.9)
        ax.axhline(rows["reference_value"].iloc[0], color="#333333", linewidth=0.8)
        ax.set_xscale("log")
        # Labelled ticks at powers of ten and no minor ticks: log-scale minor ticks are the
        # costliest part of drawing this chart and carry no number the reader needs.
        ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0,)))
        ax.xaxis.set_major_formatter(SwedishTicks())
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.set_xlabel("Invånare (logaritmisk skala)")
        ax.set_ylabel(textwrap.fill(label, 30))
        ax.yaxis.set_major_formatter(SwedishTicks())
        ax.set_title(textwrap.fill(f"Trattdiagram: {label}", 36), loc="left", y=TITLE_Y)
        ax.legend(frameon=False)
        _style(ax)
        fig.text(0.01, -0.02, textwrap.fill("Streckat: 95 %-gräns, prickat: 99,8 %-gräns kring stadens nivå. "
                                            "Gränserna tar hänsyn till att stadsdelar skiljer sig mer än slumpen "
                                            "ensam ger (Spiegelhalter 2005).", 58),
                 fontsize=9.5, color="#333333", ha="left", va="top")
    n_out = int((rows["outside_998_od"] != "").sum())
    where = ""
    if len(hit):
        h = hit.iloc[0]
        where = (f" {shown[2]}: {fmt.number(h['value'], 1)} "
                 f"({'utanför' if h['outside_998_od'] else 'inom'} 99,8 %-gränsen).")
    alt = (f"Trattdiagram för {label[0].lower() + label[1:]}: {n_out} av {len(rows)} stadsdelar ligger utanför "
           f"99,8 %-gränsen.{where}")
    return render(fig, alt, layout="narrow")


def funnel_sentence_sv(funnel: pd.DataFrame, area_code: str) -> str:
    """What the funnel plot says about the area, in words a reader can act on."""
    rows = funnel.dropna(subset=["value"])
    hit = rows[rows["area_code"] == area_code]
    n_out = int((rows["outside_998_od"] != "").sum())
    text = (f"Trattdiagrammet visar om en stadsdel avviker från staden mer än vad slump och vanliga skillnader "
            f"mellan stadsdelar förklarar: {n_out} av {len(rows)} stadsdelar ligger utanför 99,8 %-gränsen.")
    if len(hit):
        side = hit.iloc[0]["outside_998_od"]
        name = geography.area_name(area_code)
        text += (f" {name} ligger {'över' if side == 'över' else 'under'} gränsen." if side
                 else f" {name} ligger inom gränserna.")
    return text


def index_section(area, end_year: int, first_year: int, funnel_indicator: str = FUNNEL_INDICATOR) -> list:
    """The social-risk-index section of a district report: the two questions the index answers,
    each with its one figure and reference; then "compared with the city this year" (moving
    reference: domains beside the comparison areas, rank sentence and table) and "changed since
    the baseline" (fixed reference, the city in :data:`INDEX_BASE_YEAR` = 100: the domain chart
    and the same numbers as a table, the trend sentence and the totals from ``first_year``); then
    the funnel plot of ``funnel_indicator`` with limits that allow for overdispersion – all from
    the published table.

    ``area``: the report's :class:`evalkit.present.area.Area` (resolved once in the notebook).
    """
    from evalkit import data, results
    from evalkit.present.page import heading, paragraph

    area_code = area.code
    meta = programme.indicator_catalogue().set_index("indicator").loc[funnel_indicator]
    index_rows = data.published_index()
    fixed_rows = data.published_index_fixed()  # years compared: fixed reference, the city 2014 = 100
    ranks = results.rank_intervals(end_year, area.level)
    tidy = data.published_tidy()[0]
    base = INDEX_BASE_YEAR
    origins = index_origins(tidy, base)
    funnel = robustness.funnel_data(tidy, funnel_indicator, end_year, level="stadsdel")
    return [heading("Index för sociala risker"),
            index_questions(index_rows, fixed_rows, area_code, end_year, base),
            heading(f"Jämfört med staden samma år ({_reference_sv(None)})", 3),
            domain_table(index_rows, list(area.comparisons), end_year),
            paragraph(rank_text(ranks, area_code)), rank_table(ranks, area_code),
            heading(f"Förändring sedan {base} ({_reference_sv(base)})", 3),
            domain_chart(fixed_rows, area_code, (base, end_year), base_year=base,
                         note=mixed_origin_sv(origins, area_code, base, end_year)),
            domain_change_table(fixed_rows, area_code, (base, end_year), base),
            paragraph(trend_sentence_sv(index_rows, fixed_rows, area_code, first_year, end_year, origins=origins)),
            trend_table(index_rows, fixed_rows, area_code, range(first_year, end_year + 1)),
            heading(f"Trattdiagram: {meta['label_sv'].lower()} {end_year}", 3),
            funnel_chart(funnel, area_code, f"{meta['label_sv']} ({meta['unit']})"),
            paragraph(funnel_sentence_sv(funnel, area_code))]


@lru_cache(maxsize=1)
def warm_text_measurement() -> int:
    """Measure, once per process, the text that every district report's charts share; return how
    many measurements are kept (:mod:`evalkit.present.svg`).

    The build's warm template calls it (a zero-argument cached loader, :mod:`evalkit.build.warm`),
    so a report forked from it finds the indicator titles, sources, notes, years, tick numbers,
    legend names and axis words already measured – about four in five of the strings its charts
    measure, ~0.1 s of FreeType per report. It draws the goal-indicator, index and tenure charts
    of the first programme stadsdel and throws them away (never into the chart cache): the
    measurements are exact (a pure function of string, font and dpi), so no report changes.
    """
    # Here, not in present/charts (which district imports): no import cycle.
    from evalkit import data
    from evalkit.present import area as areas, district, svg
    from evalkit.present.charts import CACHE_ENV

    end = int(data.published_tidy()[0]["year"].max())
    area = areas.resolve(sorted(geography.programme_stadsdelar())[0])
    cache = os.environ.pop(CACHE_ENV, None)  # drawn to be measured, not kept
    try:
        district.goal_trend_section(area, end)
        index_section(area, end, programme.INDEX_BASELINE_YEAR)
        district.tenure_section(area, programme.BASELINE_YEAR, end)
    finally:
        if cache is not None:
            os.environ[CACHE_ENV] = cache
    return len(svg._TEXT)
