"""Goal status in Swedish: status names, the reason for each status, and the rule text.

:mod:`evalkit.analysis.goals` decides (codes and numbers); this module only words the decision.
The rule text (:data:`STATUS_RULE_SV`) is rendered from the analysis module's decision table
(:data:`~evalkit.analysis.goals.DECISIONS`) and its constants (``ALPHA``, ``TOLERANCE``), so the
text on the pages states the rule the code applies.
"""

from __future__ import annotations

import math

import pandas as pd

from evalkit.analysis import goals as rule
from evalkit.present import format as fmt
from evalkit.present.labels import area_label
from evalkit.programme import BASELINE_YEAR, PROGRAMME_END, SCHOOL_SUPPRESSION_LIMIT

STATUS_SV = {rule.MET: "uppfyllt", rule.ON_TRACK: "på väg", rule.NOT_MET: "ej uppfyllt",
             rule.NOT_ASSESSABLE: "kan ej bedömas"}
#: Label of the per-school row of Skola 1.1 (a pseudo-indicator, not in the catalogue).
SCHOOL_LABEL_SV = "Skolor med alla resultat minst i nivå med riksgenomsnittet (exkl. nyanlända)"
BASIS_SV = {"syntetisk": "syntetiska demodata", "verklig": "verklig statistik",
            "blandad": "delvis syntetiska demodata och delvis verklig statistik"}
#: Reference areas as written inside a sentence.
REFERENCE_SV = {"riket": "riket", "ovriga-staden": "övriga staden", "stockholm": "staden",
                "programomradet": "programområdena"}


def status_sv(code: str) -> str:
    """The Swedish name of a status code (``met`` → ``uppfyllt``)."""
    return STATUS_SV[code]


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


def _evidence(r, what: str) -> str:
    """Whether the tested difference is beyond the uncertainty, as a predicate ("är …")."""
    if r.method == rule.SURVEY_TEST:
        beyond = r.p_value < rule.ALPHA
        return (f"är statistiskt säkerställd ({_p(r.p_value)})" if beyond
                else f"ryms inom den statistiska osäkerheten ({_p(r.p_value)})")
    limit = _pct(rule.TOLERANCE)
    if abs(r.difference) > r.tolerance:
        return f"är större än toleransen {limit} av {what}"
    return f"ryms inom toleransen {limit} av {what}"


def reason_sv(r) -> str:
    """One Swedish sentence saying why row ``r`` (a goal-status row, e.g. from itertuples) has its status."""
    reason, unit = r.reason, r.unit
    by, ly = fmt.year(r.baseline_year), fmt.year(r.latest_year)
    ref = _ref(r.reference_area)
    delta = fmt.change(r.change, _dec(unit), r.change_unit)
    moved = f"från {_val(r.baseline, unit)} {by} till {_val(r.latest, unit)} {ly} ({delta})"
    if reason in ("missing_baseline", "missing_latest", "missing_both"):
        years = [(by, r.baseline_status)] * (reason != "missing_latest") + [(ly, r.latest_status)] * (reason != "missing_baseline")
        return "Uppgift saknas för " + " och ".join(f"{y} ({s})" if s else y for y, s in years) + "."
    if reason == "basis_differs":
        return (f"Värdet för {by} bygger på {BASIS_SV[r.baseline_basis]} och värdet för {ly} på "
                f"{BASIS_SV[r.latest_basis]}; de går inte att jämföra.")
    if reason == "no_sample_size":
        return "Antalet svarande saknas, så förändringen kan inte prövas mot den statistiska osäkerheten."
    if reason == "unknown_direction":
        return f"Okänd riktning {r.direction!r}; kan inte bedömas."
    if reason in ("improved", "worsened", "unchanged"):
        evidence = _evidence(r, "basårets värde")
        if reason == "unchanged":
            return f"{_verb(r.change)} {moved}: förändringen {evidence} och räknas inte åt något håll."
        way = "i målets riktning" if reason == "improved" else "mot målets riktning"
        return f"{_verb(r.change)} {moved}, {way}; förändringen {evidence}."
    if reason == "reference_missing":
        symbol = f" ({r.reference_latest_status})" if r.reference_latest_status else ""
        return f"Uppgift saknas för {ref} {ly}{symbol}; jämförelsen kan inte göras."
    if reason in ("above_reference", "level_with_reference"):
        head = f"{ly}: {_val(r.latest, unit)} mot {ref} {_val(r.reference_latest, unit)}"
        diff = fmt.change(r.difference, _dec(unit), r.change_unit)
        evidence = _evidence(r, f"{ref}s värde" if ref != "riket" else "rikets värde")
        if reason == "above_reference":
            return f"{head}; över {ref} ({diff}), och skillnaden {evidence}."
        return f"{head}; skillnaden ({diff}) {evidence}: i nivå med {ref}."
    if reason in ("below_gap_narrowed", "below_gap_not_narrowed"):
        head = f"{ly}: {_val(r.latest, unit)} mot {ref} {_val(r.reference_latest, unit)}, under {ref}"
        if not math.isfinite(r.gap_baseline):
            return f"{head}; uppgift för {ref} {by} saknas, så en minskning av avståndet kan inte visas."
        dec = _dec(unit)
        gaps = (f"avståndet var {fmt.number(r.gap_baseline, dec)} {r.change_unit} {by} och "
                f"{fmt.number(r.gap_latest, dec)} {r.change_unit} {ly}")
        if r.method == rule.SURVEY_TEST:
            test = f" ({_p(r.gap_p_value)})"
        else:
            test = f" (toleransen är {fmt.number(r.tolerance, dec)} {r.change_unit})"
        if reason == "below_gap_narrowed":
            return f"{head} men närmare: {gaps}{test}."
        return f"{head} och inte säkert närmare: {gaps}{test}."
    if reason in ("all_schools_meet", "more_schools_meet", "schools_below", "no_school_assessed"):
        n_l = int(r.latest_n) if math.isfinite(r.latest_n) else 0
        if reason == "no_school_assessed":
            return (f"Inga redovisade skolresultat med riksgenomsnitt {ly} (färre än {SCHOOL_SUPPRESSION_LIMIT} "
                    "elever, x, eller uppgift saknas).")
        met_l = round(r.latest * n_l / 100)
        limit = _pct(rule.TOLERANCE)
        if reason == "all_schools_meet":
            return (f"Alla {n_l} skolor med redovisade resultat {ly} ligger minst i nivå med riksgenomsnittet "
                    f"(högst {limit} under) i varje årskurs och mått.")
        now = f"{met_l} av {n_l} skolor {ly} har alla resultat minst i nivå med riksgenomsnittet (högst {limit} under)"
        n_b = int(r.baseline_n) if math.isfinite(r.baseline_n) else 0
        then = (f"mot {round(r.baseline * n_b / 100)} av {n_b} {by}" if n_b else f"inga redovisade resultat {by}")
        return f"{now}, {then}."
    raise ValueError(f"okänt skäl {reason!r}")


def rule_text_sv() -> str:
    """The status rule in Swedish, rendered from the decision table and constants of the analysis."""
    alpha = _pct(rule.ALPHA)
    tol = _pct(rule.TOLERANCE)
    return (
        "Målens status bedöms per mål och indikator genom att jämföra basåret med det senaste året "
        f"i området (normalt {BASELINE_YEAR} och {PROGRAMME_END}). Indikatorerna är valda av evalkit; programmet anger "
        "inga egna indikatorer. Regeln är symmetrisk: en skillnad som ryms inom osäkerheten får samma "
        "status oavsett åt vilket håll den går. "
        f"(1) Saknas uppgift för basåret eller det senaste året (inget värde, eller en symbol som "
        f"”..” eller ”x” för en dold uppgift) är statusen {_q('missing_baseline')}, och det anges vilket år "
        f"som saknas; ett dolt värde används aldrig. Detsamma gäller när det ena året bygger på syntetiska "
        f"demodata och det andra på verklig statistik ({_q('basis_differs')}): värdena går inte att jämföra. "
        f"(2) Osäkerhet: andelar från enkäter (trygghetsmätningen, medborgarundersökningen) är urval, och "
        f"en skillnad prövas med ett tvåsidigt test av skillnaden mellan två andelar (z-test) på "
        f"{alpha}-nivån; skillnaden är säkerställd när p-värdet är under {fmt.number(rule.ALPHA, 2)}. "
        f"Övriga uppgifter kommer från register och är totalräkningar, inte urval: en skillnad räknas när "
        f"den är större än toleransen {tol} av det värde den jämförs med. "
        f"(3) Mål om förändring (ska öka eller minska): en säkerställd förändring i målets riktning ger "
        f"{_q('improved')}, en säkerställd förändring mot målets riktning ger {_q('worsened')}, och en "
        f"förändring inom osäkerheten – åt vilket håll det än är – ger {_q('unchanged')}, eftersom "
        f"uppgifterna inte kan visa någon förändring. "
        f"(4) Mål om en nivå (skolresultat minst i nivå med riket; god tillgång till idrott och till "
        f"kulturutövning, jämfört med övriga staden): ett värde det senaste året som ligger säkerställt "
        f"över referensen ger {_q('above_reference')}, och ett värde inom osäkerheten från referensen – "
        f"över eller under – ger också {_q('level_with_reference')}, eftersom det motsvarar referensens "
        f"nivå. Ligger värdet säkerställt under referensen ger ett säkerställt minskat avstånd sedan "
        f"basåret {_q('below_gap_narrowed')}, annars {_q('below_gap_not_narrowed')}. Saknas referensens "
        f"värde blir statusen {_q('reference_missing')}. "
        f"(5) Skolmålet gäller varje grundskola. Där underlaget har skolor bedöms det därför också per "
        f"skola: en skola når målet ett år när vart och ett av dess redovisade resultat (elever exklusive "
        f"nyanlända, varje årskurs och mått med ett riksgenomsnitt) är minst riksgenomsnittet minus {tol} "
        f"av det. Når alla bedömda skolor målet är det {_q('all_schools_meet')}; når en större andel av "
        f"skolorna målet än basåret är det {_q('more_schools_meet')}, annars {_q('schools_below')}. Resultat "
        f"för färre än {SCHOOL_SUPPRESSION_LIMIT} elever redovisas inte och ingår inte; finns inget bedömbart resultat blir "
        f"statusen {_q('no_school_assessed')}."
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
    out["status_sv"] = out["status"].map(STATUS_SV)
    out["reason_sv"] = [reason_sv(r) for r in out.itertuples(index=False)]
    return out
