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
from evalkit.analysis import synth as synth_rules
from evalkit.analysis.inference import headline_interval, pretrend_code, verdict
from evalkit.present import format as fmt
from evalkit.present.effects_cli import WARNING_SV as _WARNING_SV
from evalkit.present import tables
from evalkit.present.charts import PALETTE, Chart, SwedishTicks, _style, render
from evalkit.present.page import Html, paragraph
from evalkit.programme import BASELINE_YEAR, EFFECT_YEARS, PROGRAMME_START, SMALL_AREA_DENOMINATOR

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
                        numeric_columns=("Skattning", "p", "Minsta upptäckbara effekt"))


def _suppression() -> pd.DataFrame | None:
    """The stored suppression sensitivity, or None for results written before it existed."""
    try:
        return results.load("suppression")
    except Exception:  # noqa: BLE001 – an older analysis has no such table; the reading then omits it
        return None


def did_reading(indicator: str, unit: str = "procent") -> Html:
    """The reading of the stored DiD rows (headline, specifications, cohorts) as a paragraph."""
    return paragraph(did_reading_sv(results.load("did"), indicator, unit, _suppression()))


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
    ref = rows.loc[rows["period"] == "referens", "year"]
    ref_year = int(ref.iloc[0]) if len(ref) else BASELINE_YEAR
    ax.set_title(f"Händelsestudie: {label}", loc="left", fontsize=11)
    ax.set_ylabel(f"Skillnad mot {ref_year}\n({_unit_sv(unit)})", fontsize=8)
    ax.set_xlabel("År (blått: före programmet, rött: under)")
    ax.yaxis.set_major_formatter(SwedishTicks())
    _style(ax)
    fig.text(0.01, -0.02, "Källa: evalkit, skattning på stadsdelsnivå med områdes- och årseffekter, befolkningsviktad;"
             " 95 % intervall med standardfel klustrade per stadsdelsområde (med få stadsdelsområden något för smala).",
             fontsize=7.5, color="#333333", ha="left", va="top")
    last = rows.iloc[-1]
    pre = rows[rows["period"] == "före"]
    alt = (f"Punktdiagram med intervall: skillnaden i {label.lower()} mellan programområden och övriga områden, "
           f"relativt {ref_year}. Före programmet låg skattningarna mellan {fmt.number(pre['estimate'].min(), 2)} och "
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
    ax.set_ylabel(f"Skillnad mot året före start\n({_unit_sv(unit)})", fontsize=8)
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
    exact = bool(rows["exact"].iloc[0]) if "exact" in rows else False
    column = "placebo_t" if "placebo_t" in rows else "placebo_estimate"
    # the share at least as extreme is the stored randomisation p-value (exact: all assignments)
    share = float(rows["p_value"].iloc[0])
    fig, ax = plt.subplots(figsize=(7.2, 3.2))
    ax.hist(rows[column], bins=40, color="#bbbbbb", edgecolor="white")
    d = results.load("did")
    head = d[(d["indicator"] == indicator) & d["headline"].astype(bool) & (d["cohort"] == "programmet")]
    t_obs = float(head["estimate"].iloc[0] / head["se"].iloc[0]) if len(head) else float("nan")
    ax.axvline(t_obs, color=PALETTE[5], linewidth=2)
    ax.set_title(f"Placebofördelning: {label}", loc="left", fontsize=11)
    ax.set_xlabel("Skattning i förhållande till sin osäkerhet (t-värde) när programmet lottats ut bland "
                  "stadsdelsområdena")
    ax.set_ylabel("Antal lottningar")
    ax.xaxis.set_major_formatter(SwedishTicks())
    _style(ax)
    what = (f"alla {fmt.number(len(rows))} möjliga sätt att välja programmets stadsdelsområden" if exact
            else f"{fmt.number(len(rows))} slumpvisa lottningar")
    alt = (f"Histogram över placeboskattningarna för {label.lower()} ({what}); den faktiska skattningens "
           f"t-värde {fmt.number(t_obs, 2)} (röd linje). Andel lottningar minst lika extrema: "
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
    top.set_ylabel("Logaritmerat värde", fontsize=8)
    fig.text(0.01, -0.01, "Källa: evalkit; givarområden är stadsdelar utanför alla programstadsdelsområden och områden "
             "med tidigare arbete. Logaritmerade värden; kontrollen följer avvikelserna från förperiodens medelvärde, "
             "så gapet är relativt (0,1 ≈ 10 %).",
             fontsize=7.5, color="#333333", ha="left", va="top")
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
        for indicator in programme.effect_outcomes()
    }


@lru_cache(maxsize=1)
def synth_charts() -> dict[str, Chart]:
    """The synthetic-control chart of each programme borough (for ekonomiskt bistånd), drawn once
    per process like :func:`programme_charts`: every report of a borough and its stadsdelar shows it."""
    indicator = programme.effect_outcomes()[0]
    label = programme.indicator_catalogue().set_index("indicator").loc[indicator, "label_sv"]
    path, placebo = results.load("synth_path"), results.load("synth_placebo")
    return {borough: synth_chart(path, placebo, borough, label) for borough in sorted(set(path["treated"]))}


def synth_section(borough: str) -> list:
    """What a report shows under "Syntetisk kontroll": the borough's chart and reading, or why
    there is none (synthetic controls are estimated for the programme boroughs only)."""
    summary = results.load("synth_summary")
    mine = summary[summary["treated"] == borough]
    if mine.empty:
        if borough in geography.programme_boroughs():
            # a programme borough without a series to fit (e.g. a year its value is not formed: '.')
            return [paragraph(f"Ingen syntetisk kontroll för {geography.area_name(borough)}: stadsdelsområdets "
                              "värde finns inte för alla år som jämförelsen behöver.")]
        return [paragraph(f"Syntetisk kontroll skattas bara för programmets stadsdelsområden; "
                          f"{geography.area_name(borough)} ingår inte i programmet.")]
    drawn = mine[mine["transform"] == "log"] if "transform" in mine else mine
    row = drawn.iloc[0]
    w = results.load("synth_weights")
    w = w[(w["treated"] == borough) & (w["weight"] >= 0.01)].sort_values("weight", ascending=False)
    weights = "; ".join(f"{geography.area_name(c)} {fmt.number(v, 2)}" for c, v in zip(w["donor"], w["weight"]))
    return [synth_charts()[borough],
            paragraph(f"{synth_reading_sv(row, geography.area_name(borough), mine)} Vikter: {weights}.")]


# --------------------------------------------------------------------------------------------
# Swedish texts made from the stored numbers (moved here from evalkit.analysis.effects)
# --------------------------------------------------------------------------------------------


#: Swedish names of the specifications (evalkit.analysis.effects.SPECIFICATIONS).
SPECIFICATION_SV = {
    "omraden": "alla stadsdelar väger lika (genomsnitt över områden)",
    "personer": "viktad med befolkningen i nämnaren (genomsnitt över personer)",
    "utan_sma": f"utan mycket små stadsdelar (nämnare under {SMALL_AREA_DENOMINATOR} något år), områden väger lika",
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
HEADLINE_WHY_SV = ("Huvudskattningen är den befolkningsviktade: måtten avser de boende, och frågan är hur det "
                   "gick för människorna i programområdena. Oviktad får en stadsdel med bara några hundra personer "
                   "i nämnaren lika stor vikt som Rinkeby, och då blir skattningen ett genomsnitt över områden, "
                   "inte över personer.")
#: Names of the sensitivity rows of the DiD table (did.cohort / did.estimator).
SENSITIVITY_SV = {"twfe": f"Känslighet: {EFFECT_YEARS[0]}–{BASELINE_YEAR} som jämförelseperiod (tidigare arbete räknas som ”före”)"}

# --- the decision table of the readings ------------------------------------------------------
#: What a result may be called, by verdict code: the words a reading uses. The verdict is decided
#: from the stored numbers in analysis (:func:`evalkit.analysis.inference.verdict`: the p-value that
#: leads under the few-cluster rules, and the interval that leads), so a sentence can never say
#: "signifikant" beside a p-value or an interval that says otherwise.
VERDICT_SV = {
    "clear": "skillnaden är större än slumpen brukar ge",
    "unclear": "skillnaden kan inte skiljas från slumpen",
    "methods_differ": "metoderna ger olika besked om skillnaden kan skiljas från slumpen; den läses som osäker",
    "no_test": "osäkerheten kan inte bedömas tillförlitligt med så få stadsdelsområden",
}
#: Direction words by (sign of the estimate, the indicator's better direction).
DIRECTION_SV = {(-1, "lower"): "en förbättring", (1, "lower"): "en försämring",
                (1, "higher"): "en förbättring", (-1, "higher"): "en försämring"}
#: Pre-trend verdicts: code -> sentence (event study of the programme).
PRETREND_SV = {
    "differs": ("skillnaden mellan programområdena och övriga förändrades redan före {start} mer än slumpen brukar "
                "ge – av det tidigare arbetet eller av olika utveckling; skattningen ska läsas med stor försiktighet"),
    "flat": ("åren före {start} avviker inte mer än slumpen brukar ge – men med få stadsdelsområden kan testet "
             "bara upptäcka stora avvikelser, så det bevisar inte att utvecklingen var parallell"),
    "unknown": "förtrenderna kan inte prövas",
}
#: Warning codes in words: one home, :data:`evalkit.present.effects_cli.WARNING_SV`.
WARNING_SV = _WARNING_SV
#: How each p-value that can lead was computed, in words.
P_METHOD_SV = {"ri": "placebotest: programmet lottat bland stadsdelsområdena",
               "crv1": "klustrade standardfel", "none": "inget tillförlitligt p-värde"}


def _fmt(x: float, d: int = 2) -> str:
    # fmt.number writes a missing value as ".." already; an infinite one (a ratio over 0) too.
    return fmt.number(x, d) if pd.notna(x) and np.isfinite(x) else ".."


def _bound(x: float, d: int = 2) -> str:
    """An interval bound with enough decimals that a non-zero bound never shows as 0 (+0,0009 is
    "0,0009", not "0,00", so that an interval's sign is never misread)."""
    if pd.isna(x) or not np.isfinite(x):
        return ".."
    while d < 4 and x != 0 and round(abs(x), d) == 0:
        d += 1
    return fmt.number(x, d)


def _p(x: float, floor: float | None = None) -> str:
    """A p-value with three decimals, never below what it can attain: below 0,001 it is written
    "≤ 0,001" (never "< 0,001" or "0,000"), and a p at its method's floor (1/assignments,
    1/(draws + 1)) as "≤" the floor."""
    if pd.isna(x):
        return ".."
    if x < 0.001:
        return f"≤{fmt.NBSP}0,001"
    if floor is not None and pd.notna(floor) and floor >= 0.001 and x <= floor + 1e-12:
        # rounded up, so that "≤" stays true of the unrounded floor (1/286 is "≤ 0,004")
        return f"≤{fmt.NBSP}{_fmt(np.ceil(floor * 1000 - 1e-9) / 1000, 3)}"
    return _fmt(x, 3)


def _p_is(x: float, floor: float | None = None) -> str:
    """ "p = 0,214" or "p ≤ 0,001": the relation the printed p-value allows."""
    text = _p(x, floor)
    return f"p {text}" if text.startswith("≤") else f"p = {text}"


def _unit_sv(unit: str | None) -> str:
    """The unit of a difference, from the catalogue's ``unit``: a share's difference is in
    percentage points; any other unit (``per 1 000 invånare``, ``dagar``) is kept as it is."""
    return {"procent": "procentenheter", "": "enheter"}.get(unit or "", unit)


def _catalogue_row(indicator: str) -> pd.Series | None:
    cat = programme.indicator_catalogue().set_index("indicator")
    return cat.loc[indicator] if indicator in cat.index else None


def warnings_sv(codes: str | list | None) -> list[str]:
    """The Swedish words of a row's warning codes (``did.warnings`` is ``;``-separated)."""
    if codes is None or (isinstance(codes, float) and pd.isna(codes)):
        return []
    items = codes.split(";") if isinstance(codes, str) else list(codes)
    return [WARNING_SV.get(c, c) for c in items if c]


def mde_sentence_sv(row, unit: str | None) -> str:
    """ "Med 6 behandlade stadsdelsområden av 14 kan skattningen upptäcka effekter större än X …" """
    if pd.isna(row.get("mde", np.nan)):
        return ""
    return (f"Med {int(row['n_treated_clusters'])} behandlade stadsdelsområden av {int(row['n_clusters'])} kan "
            f"skattningen upptäcka effekter större än ungefär {_fmt(row['mde'])} {_unit_sv(unit)} (i fyra fall av "
            f"fem, på 5 % nivå); mindre effekter kan finnas utan att synas.")


def threats_sv(indicator: str, years: tuple[int, int] = EFFECT_YEARS, level: str = "stadsdel",
               pretrend_p: float | None = None) -> pd.DataFrame:
    """Threats to validity a report must name for an effect estimate of ``indicator``.

    Returns a DataFrame with columns ``nyckel`` (stable key), ``hot`` (short Swedish heading) and
    ``beskrivning``. Which threats are listed depends on the indicator and the years: earlier work
    and regression to the mean and selective migration always; refugee reception 2015–16 if the
    years cover 2015–16 and the indicator is sensitive; COVID-19 if 2020 is included and it is
    sensitive; Jobbtorg spillovers for the indicators it touches (sensitivity: the catalogue's
    column ``sensitive_to``); small numbers on stadsdel level. ``pretrend_p`` (the
    event study's joint pre-trend test) is cited in the regression-to-the-mean text.
    """
    start = programme.cohorts().groupby("initiative")["start_year"].min()  # the years as cohorts.csv has them
    rows = [("tidigare_arbete", "Tidigare arbete i samma områden",
             f"Järvalyftet startade hösten {start['jarvalyftet']}, Vision Söderort {start['vision_soderort']} och "
             f"Vision Hässelby-Vällingby i maj {start['vision_hasselby_vallingby']}. "
             f"Huvudskattningen jämför därför varje kohort med dess egna år med tidigare arbete: effekten från "
             f"{PROGRAMME_START} är förändringen utöver den nivå det arbetet redan hade nått. För Vision "
             f"Hässelby-Vällingby finns bara ett sådant år ({start['vision_hasselby_vallingby']}). Skattningen med hela "
             f"{EFFECT_YEARS[0]}–{BASELINE_YEAR} som jämförelse och "
             "skattningar utan en kohort i taget visas som känslighet, kohorternas egna skattningar separat.")]
    rtm = ("Programområdena valdes för att de hade höga risknivåer 2012. Områden som väljs för "
           "ovanligt höga värden tenderar att närma sig genomsnittet av sig själva, även utan insats. "
           "En sådan återgång kan misstas för en effekt. Förtrenderna visas därför år för år: skillnader före "
           f"{PROGRAMME_START} som krymper mot {PROGRAMME_START} tyder på återgång mot medelvärdet.")
    if pretrend_p is not None and np.isfinite(pretrend_p):
        code = pretrend_code(pretrend_p)
        rtm += (f" Gemensamt test av förtrenderna: {_p_is(pretrend_p)}"
                + (" – förtrenderna är inte parallella, skattningen bör läsas med stor försiktighet."
                   if code == "differs" else
                   " – inga tydliga avvikelser, men testet har låg styrka med få stadsdelsområden."))
    rows.append(("regression", "Återgång mot medelvärdet", rtm))
    rows.append(("migration", "Selektiv flyttning",
                 "Måtten är genomsnitt för dem som bor i området. Om de som flyttar in har svagare "
                 "ekonomi än de som flyttar ut förändras områdets värde utan att någon boende fått det "
                 "sämre, och omvänt kan den som fått arbete flytta därifrån. Skattningen blandar "
                 "alltså effekter för individer med förändringar i vilka som bor i området."))
    catalogue = programme.indicator_catalogue()  # which events the indicator is sensitive to: column sensitive_to
    if years[0] <= 2016 and years[1] >= 2015 and indicator in programme.sensitive_to("refugees", catalogue):
        rows.append(("flyktingmottagande", "Flyktingmottagandet 2015–2016",
                     "Mottagandet av nyanlända 2015–2016 var störst i programområdena och sammanföll med "
                     "programmets start. Det drar måttet åt det sämre just där, oberoende av programmet, "
                     f"och gör en jämförelse före/efter {PROGRAMME_START} svårtolkad (en gynnsam effekt kan döljas). "
                     "Jämför gärna med en skattning där 2015–2016 utesluts."))
    if years[1] >= 2020 and indicator in programme.sensitive_to("covid", catalogue):
        rows.append(("covid", "Covid-19 2020",
                     "Pandemin 2020 slog olika mot olika delar av staden (trångboddhet, yrken som inte "
                     "kunde arbeta hemifrån). Värden för 2020 kan spegla pandemin snarare än programmet; "
                     "jämför med en skattning utan 2020."))
    if indicator in programme.sensitive_to("jobbtorg", catalogue):
        rows.append(("spridning", "Spridningseffekter (Jobbtorg)",
                     "Jobbtorg Stockholm och andra insatser verkar i hela staden, så jämförelseområdena är "
                     "inte opåverkade. Om liknande insatser når även dem underskattar jämförelsen "
                     "programmets effekt; om programmet drar resurser från andra områden överskattas den."))
    else:
        rows.append(("spridning", "Spridningseffekter",
                     "Insatser i ett område kan påverka grannområden (t.ex. brottslighet som flyttar eller "
                     "trygghetsarbete som når fler). Då är jämförelseområdena inte opåverkade."))
    if level == "stadsdel":
        rows.append(("sma_tal", "Få stadsdelsområden och små tal",
                     "Programmet tilldelades 6 av stadens 14 stadsdelsområden, och händelser som drabbar ett helt "
                     "stadsdelsområde ett visst år påverkar alla dess stadsdelar samtidigt. Osäkerheten mäts därför "
                     "på stadsdelsområdesnivå: p-värdet kommer från ett placebotest där programmet lottas ut på alla "
                     "3 003 sätt att välja 6 av 14 stadsdelsområden, intervallet från upprepade simuleringar där hela "
                     "stadsdelsområden slumpas om. "
                     "Med så få enheter kan bara ganska stora effekter upptäckas; skattningen visas även "
                     "befolkningsviktad och utan de minsta stadsdelarna."))
    return pd.DataFrame(rows, columns=["nyckel", "hot", "beskrivning"])


def _programme_rows(d: pd.DataFrame) -> pd.DataFrame:
    """The headline estimator's programme rows (one per specification), from a stored did table
    (an older table without ``estimator`` is read as it is)."""
    prog = d[d["cohort"] == "programmet"]
    if "estimator" in prog and (prog["estimator"] == "twfe_tidigare").any():
        prog = prog[prog["estimator"] == "twfe_tidigare"]
    return prog


def _row_cells(r, label: str, spec_label: str, u: str) -> tuple:
    lo, hi = headline_interval(r)
    p = r.get("p_headline", r.get("p_value"))
    method = r.get("p_method", "crv1")
    floor = r.get("p_floor", np.nan)
    treated = (f"{int(r['n_treated_clusters'])} av {int(r['n_clusters'])}" if pd.notna(r.get("n_clusters", np.nan))
               else f"{int(r['n_treated'])} av {int(r['n_areas'])}")
    interval = f"{_bound(lo)} till {_bound(hi)}" if pd.notna(lo) else ".."
    return (label, spec_label, f"{_fmt(r['estimate'])} {u}", interval,
            _p(p, floor) if method != "none" else "..", P_METHOD_SV.get(method, method),
            f"{_fmt(r['mde'])} {u}" if pd.notna(r.get("mde", np.nan)) else "..", treated)


DID_COLUMNS = ["Insats", "Specifikation", "Skattning", "95 % intervall", "p", "p beräknat med",
               "Minsta upptäckbara effekt", "Behandlade stadsdelsområden av alla"]


def did_table_sv(did: pd.DataFrame, ri: pd.DataFrame | None, wild: pd.DataFrame | None, indicator: str,
                 unit: str | None = "procent") -> pd.DataFrame:
    """The programme's 2015 effect per specification (headline estimator), its sensitivity rows
    (2007–2014 as one baseline; without each earlier-work cohort) and the cohort effects of the
    earlier work, as a Swedish table. The p-value and interval are the ones the few-cluster rules
    let lead (``p_headline``, :func:`headline_interval`); the table of an older analysis without
    them falls back on the clustered ones."""
    u = _unit_sv(unit)
    d = did[did["indicator"] == indicator]
    rows = []
    for _, r in _programme_rows(d).iterrows():
        spec = r["specification"]
        rows.append(_row_cells(r, COHORT_SV["programmet"],
                               SPECIFICATION_SHORT_SV[spec] + (" – huvudskattning" if r["headline"] else ""), u))
    hspec = d.loc[d["headline"].astype(bool), "specification"].iloc[0] if d["headline"].any() else "personer"
    if "estimator" in d:
        for _, r in d[(d["cohort"] == "programmet") & (d["estimator"] == "twfe") & (d["specification"] == hspec)].iterrows():
            rows.append(_row_cells(r, SENSITIVITY_SV["twfe"], SPECIFICATION_SHORT_SV[hspec], u))
        for _, r in d[d["cohort"].str.startswith("programmet_utan_") & (d["specification"] == hspec)].iterrows():
            left = r["cohort"].removeprefix("programmet_utan_")
            rows.append(_row_cells(r, f"Känslighet: utan {COHORT_SV.get(left, left).split(' (')[0]}",
                                   SPECIFICATION_SHORT_SV[hspec], u))
    coh = d[~d["cohort"].str.startswith("programmet") & (d["specification"] == hspec)]
    for _, r in coh.iterrows():
        rows.append(_row_cells(r, COHORT_SV.get(r["cohort"], r["cohort"]), SPECIFICATION_SHORT_SV[r["specification"]], u))
    return pd.DataFrame(rows, columns=DID_COLUMNS)


def did_reading_sv(did: pd.DataFrame, indicator: str, unit: str | None = "procent",
                   suppression: pd.DataFrame | None = None) -> str:
    """Plain-language reading of the stored DiD rows of ``indicator``, every clause chosen by the
    decision tables above from the numbers beside it: the headline and why, its verdict
    (:func:`verdict`), direction (catalogue's ``better``), what it can detect (MDE), whether the
    specifications and the sensitivity rows agree, the cohort effects, and what suppression does."""
    u = _unit_sv(unit)
    cat = _catalogue_row(indicator)
    better = str(cat["better"]) if cat is not None else ""
    d = did[did["indicator"] == indicator]
    prog = _programme_rows(d).set_index("specification")
    head = prog[prog["headline"].astype(bool)].iloc[0]
    hspec = prog.index[prog["headline"].astype(bool)][0]
    v = verdict(head)
    lo, hi = headline_interval(head)
    direction = "lägre" if head["estimate"] < 0 else "högre"
    counted = programme.cohorts().groupby("initiative")["first_year_counted"].min()  # as cohorts.csv has them
    txt = (f"{HEADLINE_WHY_SV} Befolkningsviktat var skillnaden mellan programområdena och övriga stadsdelar "
           f"{int(head['first_year'])}–{int(head['year_last'])} i genomsnitt {_fmt(abs(head['estimate']))} {u} "
           f"{direction} än under åren före, räknat från varje områdes egen nivå med det tidigare arbetet "
           f"(Järvalyftet från {counted['jarvalyftet']}, Vision Söderort från {counted['vision_soderort']}, "
           f"Vision Hässelby-Vällingby {counted['vision_hasselby_vallingby']}). "
           + (f"95 % intervall {_bound(lo)} till {_bound(hi)}, " if pd.notna(lo) else "")
           + f"{_p_is(head.get('p_headline'), head.get('p_floor'))}"
           f" ({P_METHOD_SV.get(head.get('p_method', 'crv1'))}): {VERDICT_SV[v]}.")
    sign = int(np.sign(head["estimate"]))
    if v == "clear" and (sign, better) in DIRECTION_SV:
        txt += f" För måttet är det {DIRECTION_SV[(sign, better)]}."
    txt += " " + mde_sentence_sv(head, unit)
    others = [s for s in prog.index if s != hspec]
    parts = [f"{SPECIFICATION_SV[s]}: {_fmt(prog.loc[s, 'estimate'])} ({_p_is(prog.loc[s].get('p_headline'), prog.loc[s].get('p_floor'))})"
             for s in others]
    differs = [s for s in others if verdict(prog.loc[s]) != v
               or np.sign(prog.loc[s, "estimate"]) != np.sign(head["estimate"])]
    txt += " Andra specifikationer – " + "; ".join(parts) + "."
    if differs:
        names = " och ".join(f"”{SPECIFICATION_SHORT_SV[s].lower()}”" for s in differs)
        txt += (f" Slutsatsen beror på hur områdena vägs (specifikationen {names} ger ett annat besked än "
                "huvudskattningen), så resultatet ska läsas som osäkert.")
    else:
        txt += " Specifikationerna ger samma besked."
    if "estimator" in d:
        sens = d[d["cohort"].str.startswith("programmet_utan_") & (d["specification"] == hspec)]
        if len(sens):
            txt += (" Utan en kohort i taget blir huvudskattningen "
                    + "; ".join(f"{_fmt(r['estimate'])} utan {COHORT_SV.get(r['cohort'].removeprefix('programmet_utan_'), '').split(' (')[0]}"
                                for _, r in sens.iterrows()) + ".")
        old = d[(d["cohort"] == "programmet") & (d["estimator"] == "twfe") & (d["specification"] == hspec)]
        if len(old):
            txt += (f" Med hela {EFFECT_YEARS[0]}–{PROGRAMME_START - 1} som jämförelse (det tidigare arbetet räknat som ”före”) "
                    f"blir den {_fmt(old['estimate'].iloc[0])}.")
    coh = d[~d["cohort"].str.startswith("programmet") & (d["specification"] == hspec) & (d["cohort"] != "alla_kohorter")]
    if len(coh):
        txt += (" Det tidigare arbetet skattat per kohort (från kohortens start till " + str(int(coh["year_last"].max()))
                + ", programåren inräknade, mot stadsdelar utan sådant arbete): "
                + "; ".join(f"{COHORT_SV.get(r['cohort'], r['cohort'])} {_fmt(r['estimate'])} {u}"
                            for _, r in coh.iterrows())
                + ". Kohorterna omfattar ett till tre stadsdelsområden var, så deras osäkerhet kan inte skattas "
                  "tillförlitligt och inga p-värden anges.")
    if suppression is not None and len(suppression):
        srow = suppression[(suppression["indicator"] == indicator) & (suppression["specification"] == hspec)]
        if len(srow) and bool(srow["published"].iloc[0]):
            diff = float(srow["difference"].iloc[0])
            txt += (f" Röjandeskyddet döljer {int(srow['n_hidden'].iloc[0])} värden i panelen; skattad på den "
                    "fullständiga tabellen blir effekten "
                    + (f"{_fmt(abs(diff))} {u} {'högre' if diff > 0 else 'lägre'}" if diff != 0
                       else "densamma (skillnad under 0,005)")
                    + " (bara skillnaden redovisas, inga värden per område).")
    txt += (" Skattningarna är effekter endast om utvecklingen annars hade varit parallell (se förtrenderna) och "
            "inget annat samtidigt slog olika mot områdena; de säger inget om enskilda personer och inte "
            "vilken insats som gjorde skillnaden.")
    return txt


def event_reading_sv(event: pd.DataFrame, indicator: str) -> str:
    """Reading of the programme's event study (headline specification), from the pre-trend
    decision table (:data:`PRETREND_SV`)."""
    e = event[(event["indicator"] == indicator) & (event["cohort"] == "programmet")]
    e = e[e["specification"] == headline_specification()]
    pre = e[e["period"] == "före"]
    ref = e.loc[e["period"] == "referens", "year"]
    ref_year = int(ref.iloc[0]) if len(ref) else BASELINE_YEAR
    p = float(e["pretrend_p"].iloc[0]) if len(e) else float("nan")
    code = pretrend_code(p)
    return (f"Varje punkt visar hur mycket skillnaden mellan programområden och övriga områden ett år avviker "
            f"från skillnaden {ref_year} (= 0), befolkningsviktat. {ref_year} är året före allt tidigare "
            f"områdesarbete (Järvalyftet räknas från 2008), så åren {ref_year + 1}–{PROGRAMME_START - 1} visar "
            f"både det tidigare arbetets verkan och eventuella olika trender. Största avvikelse före "
            f"{PROGRAMME_START}: {_fmt(pre['estimate'].abs().max())}; gemensamt test {_p_is(p)}: "
            + PRETREND_SV[code].format(start=PROGRAMME_START) + ".")


def synth_reading_sv(row, name: str, rows: pd.DataFrame | None = None) -> str:
    """Reading of one borough's stored synthetic-control summary (``synth_summary``; ``row`` the
    row that is drawn, ``rows`` both scales), worded from its reading code
    (:func:`evalkit.analysis.synth.reading_code`: clear only when the log and the ratio scale agree
    and the control followed the area); the smallest attainable p (``min_p``) is stated beside p."""
    pct = 100 * (np.exp(row["post_gap_mean"]) - 1) if row.get("transform", "log") == "log" else 100 * row["post_gap_mean"]
    n = int(row["n_placebos"])
    p = row["p_value_gap"]
    txt = (f"Den syntetiska kontrollen för {name} är ett viktat genomsnitt av stadsdelar utanför alla "
           f"programstadsdelsområden och utanför områden med tidigare arbete, som följde {name} före "
           f"{PROGRAMME_START} (jämförelsen görs på relativ skala, så nivåskillnader spelar ingen roll). "
           f"Efter start låg {name} i genomsnitt {_fmt(abs(pct), 1)} % {'högre' if pct > 0 else 'lägre'} än sin "
           f"syntetiska kontroll. Placebotest mot {n} stadsdelar som följdes lika väl av sina kontroller: "
           f"{_p_is(p, row.get('min_p'))} (minsta möjliga p = 1/{n + 1}).")
    code = synth_rules.reading_code(row)
    if code == "poor_fit":
        typical = row["pre_rmspe_placebo_median"]
        txt += (f" Men kontrollen följde inte {name} väl före start (genomsnittlig avvikelse "
                f"{_fmt(100 * row['pre_rmspe'], 1)} % mot {_fmt(100 * typical, 1)} % för en typisk placebo): ingen "
                f"kombination av givarna liknar {name}, så gapet efter start säger lite om programmet.")
        return txt + " Gapet är en effekt endast om vikterna hade fortsatt följa området utan programmet."
    if code == "scales_differ":
        txt += (" Beräknat som kvot mot den egna nivån före start i stället för på logaritmerad skala blir "
                "slutsatsen en annan, så inget resultat redovisas som huvudresultat.")
    elif code == "clear":
        txt += " Båda skalorna ger samma besked: skillnaden är större än bland nästan alla placebon."
    else:
        txt += " Båda skalorna ger samma besked: skillnaden kan inte skiljas från placebonas."
    return txt + " Gapet är en effekt endast om vikterna hade fortsatt följa området utan programmet."


def district_section(area, indicator: str | None = None) -> list:
    """The programme-wide effect section of a district report: event study, cohort paths, the
    DiD table and reading, the placebo distribution, the synthetic control of the area's borough
    and the caveats, in that order.

    ``area``: the report's :class:`evalkit.present.area.Area`; ``indicator`` defaults to the first
    effect outcome (:func:`evalkit.programme.effect_outcomes`, the one with synthetic controls).
    """
    from evalkit.present.page import heading

    indicator = indicator or programme.effect_outcomes()[0]
    event, placebo, cohort = programme_charts()[indicator]
    reading_event, table, reading_did, caveats = programme_parts(indicator)
    return [heading("Effektskattningar för hela programmet"), event, reading_event, cohort,
            table, reading_did, placebo,
            heading("Syntetisk kontroll för stadsdelsområdet", 3), *synth_section(area.borough),
            heading("Förbehåll", 3), caveats]


def programme_parts(indicator: str) -> list[Html]:
    """The programme-wide texts and table of :func:`district_section` for ``indicator``: event-study
    reading, DiD table, DiD reading, caveats – the same on every district page.

    Made once per version of the result tables and the catalogue (the build's template makes them
    before the reports are forked) and handed out as new :class:`Html` objects holding what the
    page shows of them (the HTML and the plain text)."""
    from evalkit.fingerprint import file_stats

    tables_version = file_stats(sorted(results.effects_dir().glob("*.parquet")))
    catalogue = tuple(programme.indicator_catalogue().astype(str).itertuples(index=False, name=None))
    return [Html(p.html, p.text) for p in _programme_parts(indicator, tables_version, catalogue)]


@lru_cache(maxsize=4)
def _programme_parts(indicator: str, *versions) -> tuple[Html, ...]:
    label = programme.indicator_catalogue().set_index("indicator").loc[indicator, "label_sv"]
    parts = (event_reading(indicator), did_table(results.load("did"), indicator, label), did_reading(indicator),
             threats(indicator))
    return tuple(Html(p._repr_html_(), repr(p)) for p in parts)


def city_section() -> list:
    """The city page's effect section: per effect indicator its event study, cohort paths, DiD
    table, reading and caveats."""
    from evalkit.present.page import heading

    cat = programme.indicator_catalogue().set_index("indicator")
    did = results.load("did")
    out = [heading("Effektskattningar för hela programmet")]
    for indicator in programme.effect_outcomes(cat.reset_index()):
        label, unit = cat.loc[indicator, "label_sv"], cat.loc[indicator, "unit"]
        event, _, cohort = programme_charts()[indicator]
        out += [heading(label, 3), event, cohort, did_table(did, indicator, label, unit=unit),
                did_reading(indicator, unit), threats(indicator)]
    return out
