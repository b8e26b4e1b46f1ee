"""Effect estimates for reports: event study, DiD table, placebo distribution, synthetic control.

Everything shown here was estimated once by `evalkit analyse` (:mod:`evalkit.results`).
"""

from __future__ import annotations

import jinja2
import matplotlib.pyplot as plt
import pandas as pd

from functools import lru_cache

from evalkit import geography, programme, results
from evalkit.present import format as fmt
from evalkit.present import tables
from evalkit.present.charts import PALETTE, Chart, SwedishTicks, _style, render
from evalkit.present.page import Html, paragraph

_LIST = jinja2.Environment(autoescape=True).from_string(
    "<ul class=\"ek-threats\">{% for h, d in items %}<li><strong>{{ h }}</strong>: {{ d }}</li>{% endfor %}</ul>")


def did_table(did: pd.DataFrame, indicator: str, label: str) -> tables.HtmlTable:
    """The DiD estimate with clustered, randomisation and wild-bootstrap inference (precomputed)."""
    rows = did[did["indicator"] == indicator].sort_values("order")
    return tables.table(rows[["Mått", "Värde"]], f"Skillnad i skillnader: {label}", numeric_columns=("Värde",))


def event_chart(event: pd.DataFrame, indicator: str, label: str, unit: str) -> Chart:
    """Year-by-year difference programme areas − other areas relative to 2014, with 95 % intervals."""
    rows = event[event["indicator"] == indicator].sort_values("year")
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    colours = [PALETTE[0] if p == "före" else PALETTE[5] for p in rows["period"]]
    ax.errorbar(rows["year"], rows["estimate"], yerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]],
                fmt="none", ecolor="#777777", elinewidth=1, capsize=2)
    ax.scatter(rows["year"], rows["estimate"], c=colours, zorder=3, s=22)
    ax.axhline(0, color="#333333", linewidth=0.8)
    ax.axvline(2014.5, color="#555555", linestyle="--", linewidth=1)
    ax.set_title(f"Händelsestudie: {label}", loc="left", fontsize=11)
    ax.set_ylabel(f"Skillnad mot 2014\n({'procentenheter' if unit == 'procent' else unit})", fontsize=8)
    ax.set_xlabel("År (blått: före programmet, rött: under)")
    ax.yaxis.set_major_formatter(SwedishTicks())
    _style(ax)
    fig.text(0.01, -0.02, "Källa: evalkit, skattning på stadsdelsnivå med områdes- och årseffekter; 95 % intervall"
             " med klustrade standardfel.", fontsize=7.5, color="#333333", ha="left", va="top")
    last = rows.iloc[-1]
    pre = rows[rows["period"] == "före"]
    alt = (f"Punktdiagram med intervall: skillnaden i {label.lower()} mellan programområden och övriga områden, "
           f"relativt 2014. Före programmet låg skattningarna mellan {fmt.number(pre['estimate'].min(), 2)} och "
           f"{fmt.number(pre['estimate'].max(), 2)}; år {fmt.year(last['year'])} {fmt.number(last['estimate'], 2)} "
           f"(95 % intervall {fmt.number(last['ci_low'], 2)} till {fmt.number(last['ci_high'], 2)}).")
    return render(fig, alt)


def placebo_chart(ri: pd.DataFrame, indicator: str, label: str) -> Chart:
    """Histogram of DiD estimates with programme status reassigned at random, and the real estimate."""
    rows = ri[ri["indicator"] == indicator]
    estimate = float(rows["estimate"].iloc[0])
    fig, ax = plt.subplots(figsize=(7.2, 3.2))
    ax.hist(rows["placebo_estimate"], bins=40, color="#bbbbbb", edgecolor="white")
    ax.axvline(estimate, color=PALETTE[5], linewidth=2)
    ax.set_title(f"Placebofördelning: {label}", loc="left", fontsize=11)
    ax.set_xlabel("Skattad effekt när programstatus lottats ut slumpvis")
    ax.set_ylabel("Antal lottningar")
    ax.xaxis.set_major_formatter(SwedishTicks())
    _style(ax)
    share = float((rows["placebo_estimate"].abs() >= abs(estimate)).mean())
    alt = (f"Histogram över {len(rows)} placeboskattningar för {label.lower()}; den faktiska skattningen "
           f"{fmt.number(estimate, 2)} (röd linje). Andel placebon minst lika stora i absolutbelopp: "
           f"{fmt.percent(100 * share, 1)}.")
    return render(fig, alt)


def synth_chart(path: pd.DataFrame, placebo: pd.DataFrame, borough: str, label: str) -> Chart:
    """Observed vs synthetic path for a programme borough, and its gap among the placebo gaps."""
    p = path[path["borough"] == borough].sort_values("year")
    g = placebo[placebo["borough"] == borough]
    name = geography.area_name(borough)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.2, 5.2), sharex=True, gridspec_kw={"height_ratios": [1.3, 1]})
    top.plot(p["year"], p["observed"], color=PALETTE[0], linewidth=2.4, label=name)
    top.plot(p["year"], p["synthetic"], color=PALETTE[1], linewidth=1.8, linestyle="--", label=f"Syntetiskt {name}")
    for _, donor in g.groupby("donor"):
        bottom.plot(donor["year"], donor["gap"], color="#cccccc", linewidth=0.7)
    bottom.plot(p["year"], p["gap"], color=PALETTE[0], linewidth=2.4)
    bottom.axhline(0, color="#333333", linewidth=0.8)
    for ax in (top, bottom):
        ax.axvline(2015, color="#555555", linestyle="--", linewidth=1)
        ax.yaxis.set_major_formatter(SwedishTicks())
        _style(ax)
    top.set_title(f"Syntetisk kontroll: {label}, {name}", loc="left", fontsize=11)
    top.legend(frameon=False, fontsize=8)
    bottom.set_ylabel("Gap (grått: placebo)", fontsize=8)
    bottom.set_xlabel("År")
    fig.text(0.01, -0.01, "Källa: evalkit; givarområden är stadsdelar utanför programmet. Nivåerna är"
             " avvikelser från förperiodens medelvärde.", fontsize=7.5, color="#333333", ha="left", va="top")
    post = p[p["year"] >= 2015]
    alt = (f"Linjediagram: {label.lower()} i {name} och dess syntetiska kontroll, samt gapet bland "
           f"{g['donor'].nunique()} placeboområdens gap. Genomsnittligt gap 2015–{fmt.year(p['year'].max())}: "
           f"{fmt.number(post['gap'].mean(), 2)}.")
    return render(fig, alt)


def threats_list(threats: pd.DataFrame, indicator: str) -> Html:
    """The threats to validity that apply to an estimate, as an escaped list."""
    rows = threats[threats["indicator"] == indicator]
    items = list(zip(rows["hot"], rows["beskrivning"]))
    return Html(_LIST.render(items=items), "\n".join(f"- {h}: {d}" for h, d in items))


@lru_cache(maxsize=1)
def programme_charts() -> dict[str, tuple[Chart, Chart]]:
    """Event-study and placebo charts per effect indicator, the same in every report: drawn once
    per process (the build's warm template draws them before reports are forked)."""
    catalogue = programme.indicator_catalogue().set_index("indicator")
    event, ri = results.load("event"), results.load("ri")
    return {
        indicator: (event_chart(event, indicator, catalogue.loc[indicator, "label_sv"], catalogue.loc[indicator, "unit"]),
                    placebo_chart(ri, indicator, catalogue.loc[indicator, "label_sv"]))
        for indicator in results.EFFECT_INDICATORS
    }


@lru_cache(maxsize=1)
def synth_charts() -> dict[str, Chart]:
    """The synthetic-control chart of each programme borough (for ekonomiskt bistånd), drawn once
    per process like :func:`programme_charts`: every report of a borough and its stadsdelar shows it."""
    indicator = results.EFFECT_INDICATORS[0]
    label = programme.indicator_catalogue().set_index("indicator").loc[indicator, "label_sv"]
    path, placebo = results.load("synth_path"), results.load("synth_placebo")
    return {borough: synth_chart(path, placebo, borough, label) for borough in sorted(set(path["borough"]))}


def synth_section(borough: str) -> list:
    """What a report shows under "Syntetisk kontroll": the borough's chart and reading, or why
    there is none (synthetic controls are estimated for the programme boroughs only)."""
    summary = results.load("synth_summary").set_index("borough")
    if borough not in summary.index:
        return [paragraph(f"Syntetisk kontroll skattas bara för programmets stadsdelsområden; "
                          f"{geography.area_name(borough)} ingår inte i programmet.")]
    row = summary.loc[borough]
    return [synth_charts()[borough], paragraph(f"{row['reading']} Vikter: {row['weights']}.")]
