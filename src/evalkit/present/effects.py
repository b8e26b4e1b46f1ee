"""Effect estimates for reports: event study, DiD table, placebo distribution, synthetic control.

Everything shown here was estimated once by `evalkit analyse` (:mod:`evalkit.results`).
"""

from __future__ import annotations

import jinja2
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from functools import lru_cache

from evalkit import geography, programme, results
from evalkit.present import format as fmt
from evalkit.present import tables
from evalkit.present.charts import PALETTE, Chart, SwedishTicks, _style, render
from evalkit.present.page import Html, paragraph
from evalkit.programme import BASELINE_YEAR, PROGRAMME_END, PROGRAMME_START

_LIST = jinja2.Environment(autoescape=True).from_string(
    "<ul class=\"ek-threats\">{% for h, d in items %}<li><strong>{{ h }}</strong>: {{ d }}</li>{% endfor %}</ul>")


def headline_specification() -> str:
    """The specification `evalkit analyse` marked as the headline (``did.headline``), read from the
    stored table so that reports need not import the estimators."""
    did = results.load("did")
    return str(did.loc[did["headline"], "specification"].iloc[0])


def did_table(did: pd.DataFrame, indicator: str, label: str, ri: pd.DataFrame | None = None,
              wild: pd.DataFrame | None = None, unit: str = "procent") -> tables.HtmlTable:
    """The programme's effect per specification and the cohort effects, with clustered,
    randomisation and wild-bootstrap p-values (all precomputed by `evalkit analyse`)."""
    ri = results.load("ri") if ri is None else ri
    wild = results.load("wild_bootstrap") if wild is None else wild
    frame = did_table_sv(did, ri, wild, indicator, unit)
    return tables.table(frame, f"Skillnad i skillnader: {label}",
                        numeric_columns=("Skattning", "p (klustrat)", "p (randomisering)", "p (wild bootstrap)"))


def did_reading(indicator: str, unit: str = "procent") -> Html:
    """The reading of the stored DiD rows (headline, specifications, cohorts) as a paragraph."""
    return paragraph(did_reading_sv(results.load("did"), indicator, unit))


def event_reading(indicator: str) -> Html:
    return paragraph(event_reading_sv(results.load("event_study"), indicator))


def threats(indicator: str) -> Html:
    """The threats to validity of ``indicator``'s estimate (pre-trend p of the headline event study)."""
    HEADLINE_SPECIFICATION = headline_specification()

    e = results.load("event_study")
    e = e[(e["indicator"] == indicator) & (e["cohort"] == "programmet") & (e["specification"] == HEADLINE_SPECIFICATION)]
    p = float(e["pretrend_p"].iloc[0]) if len(e) else None
    return threats_list(threats_sv(indicator, pretrend_p=p).assign(indicator=indicator), indicator)


def event_chart(event: pd.DataFrame, indicator: str, label: str, unit: str) -> Chart:
    """Year-by-year difference programme areas − other areas relative to 2014, with 95 % intervals."""
    HEADLINE_SPECIFICATION = headline_specification()

    rows = event[(event["indicator"] == indicator) & (event["cohort"] == "programmet")
                 & (event["specification"] == HEADLINE_SPECIFICATION)].sort_values("year")
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    colours = [PALETTE[0] if p == "före" else PALETTE[5] for p in rows["period"]]
    ax.errorbar(rows["year"], rows["estimate"], yerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]],
                fmt="none", ecolor="#777777", elinewidth=1, capsize=2)
    ax.scatter(rows["year"], rows["estimate"], c=colours, zorder=3, s=22)
    ax.axhline(0, color="#333333", linewidth=0.8)
    ax.axvline(PROGRAMME_START - 0.5, color="#555555", linestyle="--", linewidth=1)
    ax.set_title(f"Händelsestudie: {label}", loc="left", fontsize=11)
    ax.set_ylabel(f"Skillnad mot {BASELINE_YEAR}\n({'procentenheter' if unit == 'procent' else unit})", fontsize=8)
    ax.set_xlabel("År (blått: före programmet, rött: under)")
    ax.yaxis.set_major_formatter(SwedishTicks())
    _style(ax)
    fig.text(0.01, -0.02, "Källa: evalkit, skattning på stadsdelsnivå med områdes- och årseffekter, befolkningsviktad;"
             " 95 % intervall med klustrade standardfel.", fontsize=7.5, color="#333333", ha="left", va="top")
    last = rows.iloc[-1]
    pre = rows[rows["period"] == "före"]
    alt = (f"Punktdiagram med intervall: skillnaden i {label.lower()} mellan programområden och övriga områden, "
           f"relativt {BASELINE_YEAR}. Före programmet låg skattningarna mellan {fmt.number(pre['estimate'].min(), 2)} och "
           f"{fmt.number(pre['estimate'].max(), 2)}; år {fmt.year(last['year'])} {fmt.number(last['estimate'], 2)} "
           f"(95 % intervall {fmt.number(last['ci_low'], 2)} till {fmt.number(last['ci_high'], 2)}).")
    return render(fig, alt)


def cohort_chart(event: pd.DataFrame, indicator: str, label: str, unit: str) -> Chart:
    """Each earlier-work cohort's own path (Sun–Abraham), by years since the cohort's start; the
    programme's 2015 is marked on each path."""
    rows = event[(event["indicator"] == indicator) & (event["estimator"] == "sun_abraham")]
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    summary = []
    for i, (cohort, g) in enumerate(sorted(rows.groupby("cohort"), key=lambda kv: kv[1]["first_year"].min())):
        g = g.sort_values("relative")
        colour = PALETTE[(i * 2) % len(PALETTE)]
        name = COHORT_SV.get(cohort, cohort)
        ax.plot(g["relative"], g["estimate"], marker="o", markersize=3, color=colour, linewidth=1.6, label=name)
        p15 = g[g["year"] == PROGRAMME_START]
        if len(p15):
            ax.scatter(p15["relative"], p15["estimate"], marker="s", s=40, facecolors="none", edgecolors=colour, zorder=4)
        last = g.iloc[-1]
        summary.append(f"{name}: {fmt.number(last['estimate'], 2)} efter {int(last['relative'])} år")
    ax.axhline(0, color="#333333", linewidth=0.8)
    ax.axvline(-0.5, color="#555555", linestyle="--", linewidth=1)
    ax.set_title(f"Kohorternas förlopp: {label}", loc="left", fontsize=11)
    ax.set_ylabel(f"Skillnad mot året före start\n({'procentenheter' if unit == 'procent' else unit})", fontsize=8)
    ax.set_xlabel(f"År sedan kohortens start (fyrkant: {PROGRAMME_START}, programmets start)")
    ax.yaxis.set_major_formatter(SwedishTicks())
    ax.legend(frameon=False, fontsize=7.5)
    _style(ax)
    fig.text(0.01, -0.02, "Källa: evalkit; Sun–Abraham-skattning (pyfixest), jämförelse med stadsdelar utan tidigare "
             "arbete, oviktad.", fontsize=7.5, color="#333333", ha="left", va="top")
    alt = (f"Linjediagram: {label.lower()} i kohorterna med tidigare arbete jämfört med övriga stadsdelar, per år "
           f"sedan start. " + "; ".join(summary) + ".")
    return render(fig, alt)


def placebo_chart(ri: pd.DataFrame, indicator: str, label: str) -> Chart:
    """Histogram of DiD estimates with programme status reassigned at random, and the real estimate."""
    HEADLINE_SPECIFICATION = headline_specification()

    rows = ri[(ri["indicator"] == indicator) & (ri["specification"] == HEADLINE_SPECIFICATION)]
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
    p = path[path["treated"] == borough].sort_values("year")
    g = placebo[placebo["treated"] == borough]
    name = geography.area_name(borough)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.2, 5.2), sharex=True, gridspec_kw={"height_ratios": [1.3, 1]})
    top.plot(p["year"], p["observed"], color=PALETTE[0], linewidth=2.4, label=name)
    top.plot(p["year"], p["synthetic"], color=PALETTE[1], linewidth=1.8, linestyle="--", label=f"Syntetiskt {name}")
    for _, donor in g.groupby("donor"):
        bottom.plot(donor["year"], donor["gap"], color="#cccccc", linewidth=0.7)
    bottom.plot(p["year"], p["gap"], color=PALETTE[0], linewidth=2.4)
    bottom.axhline(0, color="#333333", linewidth=0.8)
    for ax in (top, bottom):
        ax.axvline(PROGRAMME_START, color="#555555", linestyle="--", linewidth=1)
        ax.yaxis.set_major_formatter(SwedishTicks())
        _style(ax)
    top.set_title(f"Syntetisk kontroll: {label}, {name}", loc="left", fontsize=11)
    top.legend(frameon=False, fontsize=8)
    bottom.set_ylabel("Gap (grått: placebo)", fontsize=8)
    bottom.set_xlabel("År")
    fig.text(0.01, -0.01, "Källa: evalkit; givarområden är stadsdelar utanför programmet och stadsdelsområdet. Nivåerna är"
             " avvikelser från förperiodens medelvärde.", fontsize=7.5, color="#333333", ha="left", va="top")
    post = p[p["year"] >= PROGRAMME_START]
    alt = (f"Linjediagram: {label.lower()} i {name} och dess syntetiska kontroll, samt gapet bland "
           f"{g['donor'].nunique()} placeboområdens gap. Genomsnittligt gap {fmt.year(PROGRAMME_START)}–{fmt.year(p['year'].max())}: "
           f"{fmt.number(post['gap'].mean(), 2)}.")
    return render(fig, alt)


def threats_list(threats: pd.DataFrame, indicator: str) -> Html:
    """The threats to validity that apply to an estimate, as an escaped list."""
    rows = threats[threats["indicator"] == indicator]
    items = list(zip(rows["hot"], rows["beskrivning"]))
    return Html(_LIST.render(items=items), "\n".join(f"- {h}: {d}" for h, d in items))


@lru_cache(maxsize=1)
def programme_charts() -> dict[str, tuple[Chart, Chart, Chart]]:
    """Event-study, placebo and cohort-path charts per effect indicator, the same in every report: drawn once
    per process (the build's warm template draws them before reports are forked)."""
    catalogue = programme.indicator_catalogue().set_index("indicator")
    event, ri = results.load("event_study"), results.load("ri")
    return {
        indicator: (event_chart(event, indicator, catalogue.loc[indicator, "label_sv"], catalogue.loc[indicator, "unit"]),
                    placebo_chart(ri, indicator, catalogue.loc[indicator, "label_sv"]),
                    cohort_chart(event, indicator, catalogue.loc[indicator, "label_sv"], catalogue.loc[indicator, "unit"]))
        for indicator in results.EFFECT_INDICATORS
    }


@lru_cache(maxsize=1)
def synth_charts() -> dict[str, Chart]:
    """The synthetic-control chart of each programme borough (for ekonomiskt bistånd), drawn once
    per process like :func:`programme_charts`: every report of a borough and its stadsdelar shows it."""
    indicator = results.EFFECT_INDICATORS[0]
    label = programme.indicator_catalogue().set_index("indicator").loc[indicator, "label_sv"]
    path, placebo = results.load("synth_path"), results.load("synth_placebo")
    return {borough: synth_chart(path, placebo, borough, label) for borough in sorted(set(path["treated"]))}


def synth_section(borough: str) -> list:
    """What a report shows under "Syntetisk kontroll": the borough's chart and reading, or why
    there is none (synthetic controls are estimated for the programme boroughs only)."""
    summary = results.load("synth_summary").set_index("treated")
    if borough not in summary.index:
        return [paragraph(f"Syntetisk kontroll skattas bara för programmets stadsdelsområden; "
                          f"{geography.area_name(borough)} ingår inte i programmet.")]
    row = summary.loc[borough]
    w = results.load("synth_weights")
    w = w[(w["treated"] == borough) & (w["weight"] >= 0.01)].sort_values("weight", ascending=False)
    weights = "; ".join(f"{geography.area_name(c)} {fmt.number(v, 2)}" for c, v in zip(w["donor"], w["weight"]))
    return [synth_charts()[borough], paragraph(f"{synth_reading_sv(row, geography.area_name(borough))} Vikter: {weights}.")]


# --------------------------------------------------------------------------------------------
# Swedish texts made from the stored numbers (moved here from evalkit.analysis.effects)
# --------------------------------------------------------------------------------------------

#: Indicators plausibly hit harder in programme areas by refugee reception 2015–16.
REFUGEE_SENSITIVE = {"ekonomiskt_bistand", "sysselsattning", "behorighet_gymnasiet", "trangboddhet",
                     "kunskapskrav_ak9_exkl_nyanlanda", "jobbtorg_sjalvforsorjande"}
#: Indicators touched by the city-wide Jobbtorg (spillover to comparison areas).
JOBBTORG_SENSITIVE = {"ekonomiskt_bistand", "sysselsattning", "jobbtorg_sjalvforsorjande"}
#: Indicators the COVID-19 pandemic in 2020 plausibly hit unevenly.
COVID_SENSITIVE = {"ekonomiskt_bistand", "sysselsattning", "ohalsotal", "psykisk_ohalsa", "anmalda_brott",
                   "otrygghet", "jobbtorg_sjalvforsorjande", "behorighet_gymnasiet"}

#: Swedish names of the specifications (evalkit.analysis.effects.SPECIFICATIONS).
SPECIFICATION_SV = {
    "omraden": "alla stadsdelar väger lika (genomsnitt över områden)",
    "personer": "viktad med befolkningen i nämnaren (genomsnitt över personer)",
    "utan_sma": "utan mycket små stadsdelar (nämnare under 500 något år), områden väger lika",
}
SPECIFICATION_SHORT_SV = {"omraden": "Områden (oviktad)", "personer": "Personer (befolkningsviktad)",
                          "utan_sma": "Utan små områden"}
#: Swedish names of the cohorts (initiatives in data/raw/programme/cohorts.csv).
COHORT_SV = {"programmet": f"Programmet från {PROGRAMME_START} (utöver tidigare arbete)",
             "jarvalyftet": "Järvalyftet (från hösten 2007)",
             "vision_soderort": "Vision Söderort (från 2010)",
             "vision_hasselby_vallingby": "Vision Hässelby-Vällingby (från maj 2014)",
             "alla_kohorter": "Tidigare arbete, alla kohorter"}
#: Why the headline specification is the population-weighted one.
HEADLINE_WHY_SV = ("Huvudskattningen är den befolkningsviktade: måtten är andelar av de boende, och frågan är hur det "
                   "gick för människorna i programområdena. Oviktad får en stadsdel med två–tre personer i nämnaren "
                   "(som Flaten) lika stor vikt som Rinkeby, och då blir skattningen ett genomsnitt över områden, "
                   "inte över personer.")


def _fmt(x: float, d: int = 2) -> str:
    # fmt.number writes a missing value as ".." already; an infinite one (a ratio over 0) too.
    return fmt.number(x, d) if pd.notna(x) and np.isfinite(x) else ".."


def _p(x: float) -> str:
    """A p-value with three decimals; below 0.001 as "< 0,001" (never "0,000")."""
    return f"<{fmt.NBSP}0,001" if pd.notna(x) and x < 0.001 else _fmt(x, 3)


def _unit_sv(unit: str | None) -> str:
    return {"procent": "procentenheter"}.get(unit or "", "enheter")


def _significant(row) -> bool:
    return not (row["ci_low"] <= 0 <= row["ci_high"])


def threats_sv(indicator: str, years: tuple[int, int] = (2007, PROGRAMME_END), level: str = "stadsdel",
               pretrend_p: float | None = None) -> pd.DataFrame:
    """Threats to validity a report must name for an effect estimate of ``indicator``.

    Returns a DataFrame with columns ``nyckel`` (stable key), ``hot`` (short Swedish heading) and
    ``beskrivning``. Which threats are listed depends on the indicator and the years: earlier work
    and regression to the mean and selective migration always; refugee reception 2015–16 if the
    years cover 2015–16 and the indicator is sensitive; COVID-19 if 2020 is included; Jobbtorg
    spillovers for labour-market indicators; small numbers on stadsdel level. ``pretrend_p`` (the
    event study's joint pre-trend test) is cited in the regression-to-the-mean text.
    """
    rows = [("tidigare_arbete", "Tidigare arbete i samma områden",
             "Järvalyftet startade hösten 2007, Vision Söderort 2010 och Vision Hässelby-Vällingby i maj 2014. "
             f"Jämförelsen före/efter {PROGRAMME_START} räknar 2007–{BASELINE_YEAR} som en period utan insats, "
             "så skattningen för programmet mäter bara förändringen utöver det arbete som redan pågick. Kohorternas egna "
             "skattningar visas separat.")]
    rtm = ("Programområdena valdes för att de hade höga risknivåer 2012. Områden som väljs för "
           "ovanligt höga värden tenderar att närma sig genomsnittet av sig själva, även utan insats. "
           f"En sådan återgång kan misstas för en effekt. Förtrenderna visas därför med {BASELINE_YEAR} som "
           f"referensår: skillnader före {PROGRAMME_START} som krymper mot {BASELINE_YEAR} tyder på återgång mot "
           "medelvärdet.")
    if pretrend_p is not None and np.isfinite(pretrend_p):
        rtm += (f" Gemensamt test av förtrenderna: p = {_fmt(pretrend_p, 3)}"
                + (" – förtrenderna är inte parallella, skattningen bör läsas med stor försiktighet."
                   if pretrend_p < 0.05 else
                   " – inga tydliga avvikelser, men testet har låg styrka med få programområden."))
    rows.append(("regression", "Återgång mot medelvärdet", rtm))
    rows.append(("migration", "Selektiv flyttning",
                 "Måtten är genomsnitt för dem som bor i området. Om de som flyttar in har svagare "
                 "ekonomi än de som flyttar ut förändras områdets värde utan att någon boende fått det "
                 "sämre, och omvänt kan den som fått arbete flytta därifrån. Skattningen blandar "
                 "alltså effekter för individer med förändringar i vilka som bor i området."))
    if years[0] <= 2016 and years[1] >= 2015 and indicator in REFUGEE_SENSITIVE:
        rows.append(("flyktingmottagande", "Flyktingmottagandet 2015–2016",
                     "Mottagandet av nyanlända 2015–2016 var störst i programområdena och sammanföll med "
                     "programmets start. Det drar måttet åt det sämre just där, oberoende av programmet, "
                     f"och gör en jämförelse före/efter {PROGRAMME_START} svårtolkad (en gynnsam effekt kan döljas). "
                     "Jämför gärna med en skattning där 2015–2016 utesluts."))
    if years[1] >= 2020 and indicator in COVID_SENSITIVE:
        rows.append(("covid", "Covid-19 2020",
                     "Pandemin 2020 slog olika mot olika delar av staden (trångboddhet, yrken som inte "
                     "kunde arbeta hemifrån). Värden för 2020 kan spegla pandemin snarare än programmet; "
                     "jämför med en skattning utan 2020."))
    if indicator in JOBBTORG_SENSITIVE:
        rows.append(("spridning", "Spridningseffekter (Jobbtorg)",
                     "Jobbtorg Stockholm och andra insatser verkar i hela staden, så jämförelseområdena är "
                     "inte opåverkade. Om liknande insatser når även dem underskattar jämförelsen "
                     "programmets effekt; om programmet drar resurser från andra områden överskattas den."))
    else:
        rows.append(("spridning", "Spridningseffekter",
                     "Insatser i ett område kan påverka grannområden (t.ex. brottslighet som flyttar eller "
                     "trygghetsarbete som når fler). Då är jämförelseområdena inte opåverkade."))
    if level == "stadsdel":
        rows.append(("sma_tal", "Små tal och få programområden",
                     "Med 21 programstadsdelar av 117 och få invånare i vissa stadsdelar är slumpvariationen "
                     "stor. Klustrade standardfel kan då bli för små; randomiseringsinferens och "
                     "wild cluster bootstrap redovisas därför också, och skattningen visas även "
                     "befolkningsviktad och utan de minsta stadsdelarna."))
    return pd.DataFrame(rows, columns=["nyckel", "hot", "beskrivning"])


def did_table_sv(did: pd.DataFrame, ri: pd.DataFrame, wild: pd.DataFrame, indicator: str,
                 unit: str | None = "procent") -> pd.DataFrame:
    """The programme's 2015 effect per specification side by side, then the cohort effects of the
    earlier work (headline specification), as a Swedish table with formatted numbers."""
    u = _unit_sv(unit)
    d = did[did["indicator"] == indicator]
    ri1 = ri[ri["indicator"] == indicator].drop_duplicates("specification").set_index("specification")
    wb = wild[wild["indicator"] == indicator].set_index("specification")
    rows = []
    for _, r in d[d["cohort"] == "programmet"].iterrows():
        spec = r["specification"]
        rows.append((COHORT_SV["programmet"], SPECIFICATION_SHORT_SV[spec] + (" – huvudskattning" if r["headline"] else ""),
                     f"{_fmt(r['estimate'])} {u}", f"{_fmt(r['ci_low'])} till {_fmt(r['ci_high'])}",
                     _p(r["p_value"]),
                     _p(ri1.loc[spec, "p_value"]) if spec in ri1.index else "..",
                     _p(wb.loc[spec, "p_value"]) if spec in wb.index else "..",
                     f"{int(r['n_treated'])} av {int(r['n_areas'])}"))
    coh = d[(d["cohort"] != "programmet") & d["headline"]]
    for _, r in coh.iterrows():
        rows.append((COHORT_SV.get(r["cohort"], r["cohort"]), SPECIFICATION_SHORT_SV[r["specification"]],
                     f"{_fmt(r['estimate'])} {u}", f"{_fmt(r['ci_low'])} till {_fmt(r['ci_high'])}",
                     _p(r["p_value"]), "..", "..", f"{int(r['n_treated'])} av {int(r['n_areas'])}"))
    return pd.DataFrame(rows, columns=["Insats", "Specifikation", "Skattning", "95 % konfidensintervall",
                                       "p (klustrat)", "p (randomisering)", "p (wild bootstrap)",
                                       "Behandlade av alla områden"])


def did_reading_sv(did: pd.DataFrame, indicator: str, unit: str | None = "procent") -> str:
    """Plain-language reading of the stored DiD rows of ``indicator``: the headline and why, that
    the programme's number is *in addition to* earlier work, whether the specifications agree,
    and the cohort effects."""
    u = _unit_sv(unit)
    d = did[did["indicator"] == indicator]
    prog = d[d["cohort"] == "programmet"].set_index("specification")
    head = prog[prog["headline"]].iloc[0]
    hspec = prog.index[prog["headline"]][0]
    direction = "lägre" if head["estimate"] < 0 else "högre"
    txt = (f"{HEADLINE_WHY_SV} Befolkningsviktat var skillnaden mellan programområdena och övriga stadsdelar "
           f"{int(head['first_year'])}–{int(head['year_last'])} i genomsnitt {_fmt(abs(head['estimate']))} {u} "
           f"{direction} än {int(head['year_first'])}–{int(head['first_year']) - 1} "
           f"(95 % konfidensintervall {_fmt(head['ci_low'])} till {_fmt(head['ci_high'])}"
           + (", omfattar noll: en effekt kan inte skiljas från slumpen)." if not _significant(head)
              else ", omfattar inte noll).")
           + " Det är förändringen utöver det arbete som redan pågick i de flesta programområdena "
             "(Järvalyftet från 2007, Vision Söderort från 2010, Vision Hässelby-Vällingby från 2014), "
             "inte effekten av allt områdesarbete.")
    others = [s for s in prog.index if s != hspec]
    parts = [f"{SPECIFICATION_SV[s]}: {_fmt(prog.loc[s, 'estimate'])} ({_fmt(prog.loc[s, 'ci_low'])} till "
             f"{_fmt(prog.loc[s, 'ci_high'])})" for s in others]
    differs = [s for s in others if _significant(prog.loc[s]) != _significant(head)
               or (prog.loc[s, "estimate"] > 0) != (head["estimate"] > 0)]
    txt += " Andra specifikationer – " + "; ".join(parts) + "."
    if differs:
        names = " och ".join(SPECIFICATION_SHORT_SV[s].lower() for s in differs)
        txt += (f" Slutsatsen beror på hur områdena vägs: med {names} "
                + ("omfattar intervallet inte noll" if not _significant(head) else "omfattar intervallet noll")
                + ", till skillnad från huvudskattningen. Resultatet ska därför läsas som osäkert.")
    else:
        txt += " Specifikationerna leder till samma slutsats."
    coh = d[(d["cohort"] != "programmet") & (d["specification"] == hspec) & (d["cohort"] != "alla_kohorter")]
    if len(coh):
        txt += (" Det tidigare arbetet skattat per kohort (tvåstegsimputering, robust mot olika effekter i olika "
                "kohorter; från kohortens start till " + str(int(coh["year_last"].max())) + ", programåren "
                "inräknade, mot stadsdelar utan sådant arbete): "
                + "; ".join(f"{COHORT_SV.get(r['cohort'], r['cohort'])} {_fmt(r['estimate'])} "
                            f"({_fmt(r['ci_low'])} till {_fmt(r['ci_high'])})" for _, r in coh.iterrows()) + ".")
    txt += (" Skattningarna är effekter endast om utvecklingen annars hade varit parallell (se förtrenderna) och "
            "inget annat samtidigt slog olika mot områdena; de säger inget om enskilda personer och inte "
            "vilken insats som gjorde skillnaden.")
    return txt


def event_reading_sv(event: pd.DataFrame, indicator: str) -> str:
    """Reading of the programme's event study (headline specification) and the cohort paths."""
    e = event[(event["indicator"] == indicator) & (event["cohort"] == "programmet")]
    e = e[e["specification"] == headline_specification()]
    pre = e[e["period"] == "före"]
    p = float(e["pretrend_p"].iloc[0]) if len(e) else float("nan")
    return (f"Varje punkt visar hur mycket skillnaden mellan programområden och övriga områden ett år avviker "
            f"från skillnaden {BASELINE_YEAR} (= 0), befolkningsviktat. Före programmet (största avvikelse "
            f"{_fmt(pre['estimate'].abs().max())}) bör punkterna ligga nära noll om antagandet om parallella "
            f"trender håller; gemensamt test p = {_fmt(p, 3)}. Åren före {PROGRAMME_START} är inte opåverkade: Järvalyftet, "
            "Vision Söderort och Vision Hässelby-Vällingby pågick redan, så en förtrend kan vara deras effekt. "
            "Ett icke-signifikant test bevisar inte parallella trender.")


def synth_reading_sv(row, name: str) -> str:
    """Reading of one stored synthetic-control summary row (``synth_summary``)."""
    txt = (f"Den syntetiska kontrollen för {name} är ett viktat genomsnitt av stadsdelar utanför programmet och "
           f"utanför {name}, som följde {name} före {PROGRAMME_START} (pre-RMSPE {_fmt(row['pre_rmspe'])}). "
           f"Genomsnittligt gap efter start: {_fmt(row['post_gap_mean'])}. Rangtest mot {int(row['n_placebos'])} "
           f"placebostadsdelar (av {int(row['n_donors'])} givare; placebon vars förhandsanpassning var mer än "
           f"{_fmt(row['pre_fit_factor'], 0)} gånger sämre än {name}s utelämnades): p = {_fmt(row['p_value_gap'], 3)} "
           "för det genomsnittliga gapet, som läses i första hand. Med åtta år före start och många givare kan "
           "kontrollen passa nästan exakt, och då mäter kvoten efter/före-RMSPE "
           f"(p = {_fmt(row['p_value'], 3)}) mest överanpassning. Stadsdelsområdet är dessutom ett jämnt aggregat "
           "medan placebona är enskilda, brusigare stadsdelar.")
    return txt + (" Gapet är en effekt endast om vikterna hade fortsatt följa området utan programmet.")


def district_section(district: str, indicator: str | None = None) -> list:
    """The programme-wide effect section of a district report: event study, cohort paths, the
    DiD table and reading, the placebo distribution, the synthetic control of the area's borough
    and the caveats, in that order.

    ``district``: a name or code, as the notebook parameter; ``indicator`` defaults to the first
    effect indicator (:data:`evalkit.results.EFFECT_INDICATORS`, the one with synthetic controls).
    """
    from evalkit.present.page import heading

    area_code = geography.code_for(district)
    indicator = indicator or results.EFFECT_INDICATORS[0]
    label = programme.indicator_catalogue().set_index("indicator").loc[indicator, "label_sv"]
    event, placebo, cohort = programme_charts()[indicator]
    borough = (area_code if geography.area_level(area_code) == "stadsdelsomrade"
               else geography.borough_of(area_code))
    return [heading("Effektskattningar för hela programmet"), event, event_reading(indicator), cohort,
            did_table(results.load("did"), indicator, label), did_reading(indicator), placebo,
            heading("Syntetisk kontroll för stadsdelsområdet", 3), *synth_section(borough),
            heading("Förbehåll", 3), threats(indicator)]


def city_section() -> list:
    """The city page's effect section: per effect indicator its event study, cohort paths, DiD
    table, reading and caveats."""
    from evalkit.present.page import heading

    cat = programme.indicator_catalogue().set_index("indicator")
    did = results.load("did")
    out = [heading("Effektskattningar för hela programmet")]
    for indicator in results.EFFECT_INDICATORS:
        label, unit = cat.loc[indicator, "label_sv"], cat.loc[indicator, "unit"]
        event, _, cohort = programme_charts()[indicator]
        out += [heading(label, 3), event, cohort, did_table(did, indicator, label, unit=unit),
                did_reading(indicator, unit), threats(indicator)]
    return out
