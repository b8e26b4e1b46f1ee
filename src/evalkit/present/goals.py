"""Goal status in Swedish: status names, one plain sentence per status (the legend), the reason for
each row's status, and the rule text.

:mod:`evalkit.analysis.goals` decides (codes and numbers); this module only words the decision.
The rule text (:data:`STATUS_RULE_SV`) is rendered from the analysis module's decision table
(:data:`~evalkit.contracts.results.DECISIONS`) and its constants (``ALPHA``, ``MARGIN``,
``TOLERANCE``, ``DESIGN_EFFECT``, ``SCHOOL_SLACK``), so the text on the pages states the rule the
code applies.
"""

from __future__ import annotations

import math

import pandas as pd

from evalkit.analysis import goals as rule
from evalkit.present import format as fmt
from evalkit.present.labels import area_label
from evalkit.programme import BASELINE_YEAR, PROGRAMME_END, SCHOOL_SUPPRESSION_LIMIT

STATUS_SV = {rule.MET: "uppfyllt", rule.ON_TRACK: "på väg", rule.NOT_MET: "ej uppfyllt",
             rule.WITHIN_UNCERTAINTY: "ryms i osäkerheten", rule.NO_DATA: "saknar underlag"}
#: Status codes of earlier publications (the changes page compares with them).
LEGACY_STATUS_SV = {"not_assessable": "kan ej bedömas"}
#: What each status means, in one plain sentence (the legend under the goal tables).
STATUS_MEANING_SV = {
    rule.MET: "Målet är nått: indikatorn har rört sig åt rätt håll, eller ligger minst i nivå med "
              "jämförelsen, mer än slumpen kan förklara.",
    rule.ON_TRACK: "Området ligger fortfarande under jämförelsen, men avståndet har minskat mer än slumpen kan förklara.",
    rule.NOT_MET: "Målet är inte nått: indikatorn har rört sig åt fel håll, står still eller ligger tydligt under "
                  "jämförelsen.",
    rule.WITHIN_UNCERTAINTY: "Skillnaden är så liten jämfört med osäkerheten i uppgifterna att den lika gärna kan "
                             "bero på slumpen, så det går inte att säga om målet är nått.",
    rule.NO_DATA: "Det finns inga jämförbara uppgifter för båda åren (uppgiften saknas, är dold eller bygger på "
                  "olika underlag), så målet kan inte bedömas.",
}
#: Label of the per-school row of Skola 1.1 (a pseudo-indicator, not in the catalogue).
SCHOOL_LABEL_SV = "Skolor med alla resultat minst i nivå med riksgenomsnittet (exkl. nyanlända)"
BASIS_SV = {"syntetisk": "syntetiska demodata", "verklig": "verklig statistik",
            "blandad": "delvis syntetiska demodata och delvis verklig statistik"}
#: Reference areas as written inside a sentence.
REFERENCE_SV = {"riket": "riket", "ovriga-staden": "övriga staden", "stockholm": "staden",
                "programomradet": "programområdena"}


def status_sv(code: str) -> str:
    """The Swedish name of a status code (``met`` → ``uppfyllt``; codes of earlier publications too)."""
    return STATUS_SV.get(code) or LEGACY_STATUS_SV[code]


def status_legend():
    """The status legend shown with the goal tables: each status name and its plain sentence."""
    from evalkit.present.page import _ENV, Html

    items = [(STATUS_SV[s], STATUS_MEANING_SV[s]) for s in rule.STATUSES]
    html = _ENV.from_string(
        '<section class="ek-legend ek-status-legend"><h3>Så läses statusen</h3><dl>'
        "{% for name, text in items %}<dt>{{ name }}</dt><dd>{{ text }}</dd>{% endfor %}</dl></section>"
    ).render(items=items)
    text = "Så läses statusen: " + " ".join(f"{name.capitalize()}: {text}" for name, text in items)
    return Html(html, text)


def _q(reason: str) -> str:
    """The status a reason leads to, quoted as in the rule text: ”uppfyllt”."""
    return f"”{STATUS_SV[rule.DECISIONS[reason]]}”"


def _pct(share: float, decimals: int = 0) -> str:
    return fmt.percent(100 * share, decimals)


def _ref(code: str) -> str:
    return REFERENCE_SV.get(code) or (area_label(code) if code else "referensområdet")


def _val(x: float, unit: str) -> str:
    text = fmt.value_for_unit(x, unit)
    return text if unit in ("procent", "antal") or unit.startswith("index") or not unit else f"{text} {unit}"


def _dec(unit: str) -> int:
    return 2 if unit.startswith("index 0") else 1


def _p(p: float) -> str:
    return "p < 0,001" if p < 0.001 else f"p = {fmt.number(p, 3)}"


def _verb(change: float) -> str:
    return "Ökade" if change > 0 else ("Minskade" if change < 0 else "Oförändrat")


def _amount(x: float, r) -> str:
    """A number in the row's change unit: ``1,4 procentenheter``."""
    return f"{fmt.number(x, _dec(r.unit))} {r.change_unit}".strip()


def _interval(r) -> str:
    """The difference's 95 % interval in words: ``95 %-intervall −1,2 till 3,4 procentenheter``."""
    h = rule.z_critical() * r.se
    lo, hi = r.difference - h, r.difference + h
    return (f"95 %-intervall {fmt.number(lo, _dec(r.unit))} till {fmt.number(hi, _dec(r.unit))}"
            f" {r.change_unit}".rstrip())


def _model(r) -> str:
    """How the uncertainty was measured, for a reason sentence."""
    if r.method == rule.SURVEY_TEST:
        return f"enkätsvar, designeffekt {fmt.number(r.design_effect, 1)}"
    return "binomialmodell" if r.method == rule.BINOMIAL_TEST else "Poissonmodell"


def _multiplicity(r) -> str:
    """A sentence when a difference is significant alone but not after the Benjamini–Hochberg adjustment."""
    if math.isfinite(r.p_value) and r.p_value < rule.ALPHA and math.isfinite(r.p_value_bh) and r.p_value_bh >= rule.ALPHA:
        return (f" Justerat för att tabellen prövar många indikatorer samtidigt är skillnaden inte säkerställd "
                f"(justerat {_p(r.p_value_bh)}).")
    return ""


def _evidence(r, what: str) -> str:
    """Whether the tested change is beyond the uncertainty, as a predicate ("är …")."""
    if r.method != rule.TOLERANCE_TEST:
        beyond = r.p_value < rule.ALPHA
        return (f"är statistiskt säkerställd ({_p(r.p_value)}, {_model(r)})" if beyond
                else f"ryms inom den statistiska osäkerheten ({_p(r.p_value)}, {_model(r)})")
    limit = _pct(rule.TOLERANCE)
    if abs(r.difference) > r.tolerance:
        return f"är större än toleransen {limit} av {what}"
    return f"ryms inom toleransen {limit} av {what}"


def _change_reason(r, moved: str) -> str:
    evidence = _evidence(r, "basårets värde")
    if r.reason == "change_within_uncertainty":
        return f"{_verb(r.change)} {moved}: förändringen {evidence} och räknas inte åt något håll."
    if r.reason == "no_change":
        return (f"{_verb(r.change)} {moved}: hela {_interval(r)} ligger inom ±{_amount(r.margin, r)} "
                f"({_pct(rule.MARGIN)} av basårets värde), så en förändring av betydelse kan uteslutas.")
    way = "i målets riktning" if r.reason == "improved" else "mot målets riktning"
    return f"{_verb(r.change)} {moved}, {way}; förändringen {evidence}.{_multiplicity(r)}"


def _level_reason(r, ref: str, by: str, ly: str) -> str:
    unit = r.unit
    head = f"{ly}: {_val(r.latest, unit)} mot {ref} {_val(r.reference_latest, unit)}"
    diff = fmt.change(r.difference, _dec(unit), r.change_unit)
    margin = f"{_amount(r.margin, r)} ({_pct(rule.MARGIN)} av {ref}s värde)"
    modelled = r.method != rule.TOLERANCE_TEST
    band = f" ({_interval(r)}, {_model(r)})" if modelled else ""
    if r.reason == "above_reference":
        return f"{head}; över {ref} ({diff}) även med hänsyn till osäkerheten{band}.{_multiplicity(r)}"
    if r.reason == "within_margin":
        how = "även med hänsyn till osäkerheten " if modelled else ""
        return (f"{head}; skillnaden ({diff}) ligger {how}inte mer än marginalen {margin} under{band}: "
                f"minst i nivå med {ref}.{_multiplicity(r)}")
    if r.reason == "level_within_uncertainty":
        return (f"{head}; skillnaden ({diff}) är för osäker för att visa om området ligger minst i nivå med {ref} "
                f"eller under{band}; marginalen är {margin}.")
    head = f"{head}, mer än marginalen {margin} under {ref}{band}"
    if not math.isfinite(r.gap_baseline):
        return f"{head}; uppgift för {ref} {by} saknas, så en minskning av avståndet kan inte visas."
    dec = _dec(unit)
    gaps = (f"avståndet var {fmt.number(r.gap_baseline, dec)} {r.change_unit} {by} och "
            f"{fmt.number(r.gap_latest, dec)} {r.change_unit} {ly}")
    test = f" ({_p(r.gap_p_value)})" if modelled else f" (toleransen är {fmt.number(r.tolerance, dec)} {r.change_unit})"
    if r.reason == "below_gap_narrowed":
        return f"{head}, men närmare: {gaps}{test}."
    return f"{head}, och inte säkert närmare: {gaps}{test}."


def _school_reason(r, by: str, ly: str) -> str:
    n_l = int(r.latest_n) if math.isfinite(r.latest_n) else 0
    if r.reason == "no_school_assessed":
        return (f"Inga redovisade skolresultat med riksgenomsnitt {ly} (färre än {SCHOOL_SUPPRESSION_LIMIT} "
                "elever, x, eller uppgift saknas).")
    met_l = round(r.latest * n_l / 100)
    limit = _pct(rule.MARGIN)
    if r.reason == "all_schools_meet":
        return (f"Alla {n_l} skolor med redovisade resultat {ly} ligger minst i nivå med riksgenomsnittet "
                f"(högst {limit} under) i varje årskurs och mått.")
    now = f"{met_l} av {n_l} skolor {ly} har alla resultat minst i nivå med riksgenomsnittet (högst {limit} under)"
    n_b = int(r.baseline_n) if math.isfinite(r.baseline_n) else 0
    if not n_b:
        return f"{now}, och inga redovisade resultat {by} att jämföra med."
    then = f"mot {round(r.baseline * n_b / 100)} av {n_b} {by}"
    if r.reason == "more_schools_meet":
        return f"{now}, {then}: fler skolor än en skolas skillnad når målet."
    return f"{now}, {then}; en skola fler eller färre ryms i osäkerheten."


def reason_sv(r) -> str:
    """One Swedish sentence saying why row ``r`` (a goal-status row, e.g. from itertuples) has its status."""
    reason, unit = r.reason, r.unit
    by, ly = fmt.year(r.baseline_year), fmt.year(r.latest_year)
    delta = fmt.change(r.change, _dec(unit), r.change_unit)
    moved = f"från {_val(r.baseline, unit)} {by} till {_val(r.latest, unit)} {ly} ({delta})"
    if reason in ("missing_baseline", "missing_latest", "missing_both"):
        years = [(by, r.baseline_status)] * (reason != "missing_latest") + [(ly, r.latest_status)] * (reason != "missing_baseline")
        return "Uppgift saknas för " + " och ".join(f"{y} ({s})" if s else y for y, s in years) + "."
    if reason in ("basis_differs", "mixed_origin"):
        return (f"Värdet för {by} bygger på {BASIS_SV.get(r.baseline_basis, 'ett underlag')} och värdet för {ly} på "
                f"{BASIS_SV.get(r.latest_basis, 'ett annat')}; det saknas jämförbart underlag.")
    if reason == "no_sample_size":
        return "Antalet svarande saknas, så förändringen kan inte prövas mot den statistiska osäkerheten."
    if reason == "unknown_direction":
        return f"Okänd riktning {r.direction!r}; kan inte bedömas."
    if reason in ("improved", "worsened", "change_within_uncertainty", "no_change"):
        return _change_reason(r, moved)
    if reason == "reference_missing":
        symbol = f" ({r.reference_latest_status})" if r.reference_latest_status else ""
        return f"Uppgift saknas för {_ref(r.reference_area)} {ly}{symbol}; jämförelsen kan inte göras."
    if reason in ("above_reference", "within_margin", "level_within_uncertainty", "below_gap_narrowed",
                  "below_gap_not_narrowed"):
        return _level_reason(r, _ref(r.reference_area), by, ly)
    if reason in ("all_schools_meet", "more_schools_meet", "schools_below", "no_school_assessed"):
        return _school_reason(r, by, ly)
    raise ValueError(f"okänt skäl {reason!r}")


def rule_text_sv() -> str:
    """The status rule in Swedish, rendered from the decision table and constants of the analysis."""
    alpha = _pct(rule.ALPHA)
    tol = _pct(rule.TOLERANCE)
    margin = _pct(rule.MARGIN)
    deff = fmt.number(rule.DESIGN_EFFECT, 1)
    slack = rule.SCHOOL_SLACK
    return (
        "Målens status bedöms per mål och indikator genom att jämföra basåret med det senaste året "
        f"i området (normalt {BASELINE_YEAR} och {PROGRAMME_END}). Indikatorerna är valda av evalkit; programmet anger "
        "inga egna indikatorer. Regeln skiljer på tre saker: att uppgifter saknas, att en skillnad ryms i "
        "osäkerheten och att ingen förändring av betydelse har skett. Den är symmetrisk: en skillnad som ryms "
        "inom osäkerheten får samma status oavsett åt vilket håll den går. "
        f"(1) Saknas uppgift för basåret eller det senaste året (inget värde, eller en symbol som "
        f"”..” eller ”x” för en dold uppgift) är statusen {_q('missing_baseline')}, och det anges vilket år "
        f"som saknas; ett dolt värde används aldrig. Detsamma gäller när det ena året bygger på "
        f"demodata och det andra på verkliga uppgifter ({_q('mixed_origin')}): värdena går inte att jämföra. "
        f"(2) Osäkerhet: varje skillnad får ett 95 %-intervall. Andelar från enkäter "
        f"(trygghetsmätningen, medborgarundersökningen) är urval; deras osäkerhet räknas som för ett "
        f"slumpmässigt urval med antalet svarande delat med designeffekten {deff} (enkäterna anger "
        f"ingen egen designeffekt, så den är antagen: vikterna som rättar för bortfall gör urvalet "
        f"osäkrare än ett enkelt slumpurval av samma storlek). Registeruppgifter är "
        f"totalräkningar, men även ett fullständigt antal varierar av slumpskäl från år till år: andelar "
        f"prövas med en binomialmodell och antal per invånare med en Poissonmodell. Uppgifter utan antal "
        f"(medelvärden som restid och index) har ingen sådan modell; där räknas en skillnad när den är "
        f"större än toleransen {tol} av det värde den jämförs med. En skillnad mindre än {margin} av "
        f"värdet den jämförs med räknas som utan praktisk betydelse (marginalen). "
        f"(3) Mål om förändring (ska öka eller minska): ligger hela intervallet på ena sidan om noll "
        f"(säkerställd på {alpha}-nivån) ger en förändring i målets riktning {_q('improved')} och en "
        f"förändring mot målets riktning {_q('worsened')}. Ligger hela intervallet inom marginalen har "
        f"ingen förändring av betydelse skett, och målet om förändring är då {_q('no_change')}. Annars "
        f"– åt vilket håll det än är – är statusen {_q('change_within_uncertainty')}. "
        f"(4) Mål om en nivå (skolresultat minst i nivå med riket; god tillgång till idrott och till "
        f"kulturutövning, jämfört med övriga staden) bedöms med en marginal (non-inferiority): ligger hela "
        f"intervallet över referensen minus marginalen är området minst i nivå med referensen, "
        f"{_q('within_margin')}. Ligger hela intervallet under referensen minus marginalen ger ett "
        f"säkerställt minskat avstånd sedan basåret {_q('below_gap_narrowed')}, annars "
        f"{_q('below_gap_not_narrowed')}. Däremellan är statusen {_q('level_within_uncertainty')} – "
        f"ett värde nära referensen räknas alltså inte som uppfyllt bara för att skillnaden inte är "
        f"säkerställd. Saknas referensens värde blir statusen {_q('reference_missing')}. "
        f"(5) Skolmålet gäller varje grundskola. Där underlaget har skolor bedöms det därför också per "
        f"skola: en skola når målet ett år när vart och ett av dess redovisade resultat (elever exklusive "
        f"nyanlända, varje årskurs och mått med ett riksgenomsnitt) är minst riksgenomsnittet minus {margin} "
        f"av det. Når alla bedömda skolor målet är det {_q('all_schools_meet')}; når fler än {slack} "
        f"{'skola' if slack == 1 else 'skolor'} mer än basårets andel skulle ge målet är det "
        f"{_q('more_schools_meet')}, annars {_q('schools_below')} – {slack} "
        f"{'skola' if slack == 1 else 'skolor'} fler eller färre ryms i osäkerheten åt båda hållen. "
        f"Resultat för färre än {SCHOOL_SUPPRESSION_LIMIT} elever redovisas inte och ingår inte; finns inget "
        f"bedömbart resultat blir statusen {_q('no_school_assessed')}. "
        f"(6) Målsättningen om social hållbarhet bedöms på indexet för sociala risker med fast referens "
        f"(staden {BASELINE_YEAR} = 100), det index som jämför år; indexet med rörlig referens (staden "
        f"samma år = 100) visar bara läget jämfört med staden. "
        f"(7) Många jämförelser: en måltabell prövar ett femtontal indikatorer, och på {alpha}-nivån blir "
        f"ungefär var tjugonde skillnad som egentligen är noll ändå ”säkerställd”. Statusen följer varje "
        f"test för sig; i den nedladdningsbara tabellen finns också p-värden justerade med "
        f"Benjamini–Hochbergs metod (kolumnen p_value_bh), och motiveringen säger till när en säkerställd "
        f"skillnad inte håller efter justeringen."
    )


STATUS_RULE_SV = rule_text_sv()


def with_labels(status: pd.DataFrame, goals: pd.DataFrame | None = None,
                catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add the programme's wording to a goal-status table: ``malomrade_label_sv``, ``heading_sv``,
    ``text_sv`` (the goal's wording), ``label_sv`` (from goals.csv and indicators.csv),
    ``status_sv`` and ``reason_sv``."""
    from evalkit import programme

    goals = programme.goals() if goals is None else goals
    catalogue = programme.indicator_catalogue() if catalogue is None else catalogue
    g = goals.set_index("goal_id")
    labels = catalogue.set_index("indicator")["label_sv"].to_dict() | {rule.SCHOOL_INDICATOR: SCHOOL_LABEL_SV}
    out = status.copy()
    out["malomrade_label_sv"] = out["goal_id"].map(g["malomrade_label_sv"])
    out["heading_sv"] = out["goal_id"].map(g["heading_sv"])
    out["text_sv"] = out["goal_id"].map(g["text_sv"])
    out["label_sv"] = out["indicator"].map(labels)
    fixed = out["indicator"].isin(set(rule.FIXED_REFERENCE_INDICATORS))
    out.loc[fixed, "label_sv"] = out.loc[fixed, "label_sv"] + f" (fast referens, staden {BASELINE_YEAR} = 100)"
    out["status_sv"] = out["status"].map(status_sv)
    out["reason_sv"] = [reason_sv(r) for r in out.itertuples(index=False)]
    return out
