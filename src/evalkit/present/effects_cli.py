"""Swedish text for ``evalkit effects``: the estimates of :mod:`evalkit.analysis.panel_effects` as a
plain-text table (decimal comma, `−` for minus, `95 % KI`), and the same numbers as CSV rows.

Words only: every number comes from the result dict (``PanelEffects.as_dict()``), nothing is
computed here but the number of decimals (from the standard error, so that an estimate is shown
to about two significant digits of its uncertainty).
"""

from __future__ import annotations

import math

import pandas as pd

from evalkit.present.format import number

#: Rows of the CSV written by ``--csv``: one per estimate (machine-readable, dot decimals).
CSV_COLUMNS = ["estimator", "first_year", "year", "relative", "estimate", "se", "ci_low", "ci_high", "p_value",
               "n_areas", "n_treated", "draws"]


def decimals_for(se) -> int:
    """Decimals that show a number to about two significant digits of its standard error."""
    if se is None or not se or (isinstance(se, float) and not math.isfinite(se)):
        return 2
    return max(0, min(6, 1 - math.floor(math.log10(abs(se)))))


#: Warning codes (evalkit.analysis.inference.WARNINGS) in words; the reports use the same words.
WARNING_SV = {
    "one_treated_cluster": "bara ett behandlat kluster: inget klustrat medelfel och inget bootstrapintervall; "
                           "bara placebotestet, vars minsta möjliga p är 1 genom antalet kluster",
    "few_treated_clusters": "få behandlade kluster",
    "crv1_not_headlined": "klustrade standardfel ger för små p-värden med så få kluster och redovisas inte som huvudresultat",
    "no_randomisation": "inget placebotest finns för skattningen",
    "few_assignments": "så få möjliga tilldelningar att inget p-värde kan bli under 5 %",
    "ri_sampled": "randomiseringen bygger på slumpvisa dragningar, inte alla tilldelningar",
    "clustered_below_assignment": "osäkerheten mäts under den nivå insatsen tilldelades på",
}
#: The clustering level in words.
CLUSTER_SV = {"stadsdelsomrade": "stadsdelsområde (den nivå insatsen tilldelades på)", "area": "område",
              "stadsdel": "stadsdel"}


def _p(p, floor=None) -> str:
    """A p-value never printed below what it can attain: "≤ 0,001" below 0,001, "≤ floor" at the
    method's floor (1/assignments, 1/(draws + 1))."""
    if p is None:
        return ""
    if p < 0.001:
        return "≤ 0,001"
    if floor is not None and floor >= 0.001 and p <= floor + 1e-12:
        return f"≤ {number(math.ceil(floor * 1000 - 1e-9) / 1000, 3)}"   # rounded up: "≤" stays true
    return number(p, 3)


def _headline_p(row: dict) -> str:
    """The clustered p of a row only when the few-cluster rules let it lead; else ".."."""
    if row.get("p_method", "crv1") != "crv1":
        return ".."
    return _p(row.get("p_value"))


def _ci(low, high, dec: int) -> str:
    if low is None or high is None:
        return ""
    return f"{number(low, dec)} till {number(high, dec)}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    fmt = lambda r: "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)  # noqa: E731
                              for i, (c, w) in enumerate(zip(r, widths))).rstrip()
    return [fmt(header)] + [fmt(r) for r in rows]


def table_text(result: dict, source: str, level: float = 0.95) -> str:
    """The Swedish table ``evalkit effects`` prints (``result`` = ``FileEffects.as_dict()``)."""
    s, did, rows = result["settings"], result["did"], result.get("rows", {})
    dec = decimals_for(did["se"])
    ki = f"{number(100 * level)} % KI"
    lines = [f"evalkit effects: {source}"]
    if rows:
        ok = "stämmer" if rows["read"] == rows["used"] + rows["set_aside"] else "STÄMMER INTE"
        lines.append(f"Rader: lästa {number(rows['read'])}, använda {number(rows['used'])}, "
                     f"undantagna {number(rows['set_aside'])} ({ok})")
    weights = "befolkningen (nämnaren)" if s["weights"] == "population" else "inga (varje område väger lika)"
    outcome = "logaritmen (effekt i logpunkter ≈ relativ förändring)" if s["outcome"] == "log" else "nivå"
    if s.get("per"):
        outcome += f", per {number(s['per'])}"
    start = "olika startår (kohorter)" if s["staggered"] else f"start {s['start']}"
    lines.append(f"Panel: {number(s['n_areas'])} områden ({number(did['n_treated'])} behandlade), "
                 f"{s['years'][0]}–{s['years'][1]}, {start}, {number(did['n_obs'])} observationer; "
                 f"vikter: {weights}; utfall: {outcome}")
    lines += _spec_lines(s)
    lines.append("")
    head = ["Skattning", "Effekt", "Medelfel", ki, "p"]
    body = []
    if s["staggered"]:
        body.append(["Tvåstegsimputering, alla kohorter (did2s)", number(did["estimate"], dec), number(did["se"], dec),
                     _ci(did["ci_low"], did["ci_high"], dec), _headline_p(did)])
        for c in result["cohorts"]:
            body.append([f"  kohort {c['first_year']} ({c['n_treated']} områden)", number(c["estimate"], dec),
                         number(c["se"], dec), _ci(c["ci_low"], c["ci_high"], dec), _headline_p(c)])
        body += _cs_rows(result, dec)
    else:
        body.append(["Skillnad i skillnader (område- och årseffekter)", number(did["estimate"], dec),
                     number(did["se"], dec), _ci(did["ci_low"], did["ci_high"], dec), _headline_p(did)])
        ri, wb = result["ri"], result["wild_bootstrap"]
        lead = did.get("p_method")
        what = (f"alla {number(ri['n_perm'])} tilldelningar" if ri.get("exact")
                else f"{number(ri['n_perm'])} omlottningar")
        body.append([f"Randomiseringsinferens, t-värde ({what})" + (" *" if lead == "ri" else ""),
                     number(ri["estimate"], dec), "", "", _p(ri["p_value"], ri.get("p_floor"))])
        body.append([f"Vild klusterbootstrap, {wb.get('weights', 'webb').capitalize()}-vikter ({number(wb['n_boot'])} dragningar)"
                     + (" *" if did.get("ci_method") == "wcb" else ""),
                     number(wb["estimate"], dec), "", _ci(wb["ci_low"], wb["ci_high"], dec),
                     _p(wb["p_value"], wb.get("p_floor"))])
    lines += _table(head, body)
    lines.append(_cluster_line(s))
    if not s["staggered"]:
        n_cl, n_tr = did.get("n_clusters"), did.get("n_treated_clusters")
        extra = []
        if n_cl:
            extra.append(f"{number(n_tr)} av {number(n_cl)} kluster behandlade.")
        if did.get("p_method") == "ri":
            extra.append("* = det som redovisas enligt reglerna för få kluster (p från randomiseringen, "
                         "intervall från bootstrap).")
        if did.get("mde") is not None:
            extra.append(f"Minsta upptäckbara effekt (5 % nivå, 80 % styrka): {number(did['mde'], dec)}.")
        if extra:
            lines.append(" ".join(extra))
    for code in result.get("warnings") or []:
        lines.append(f"Varning: {WARNING_SV.get(code, code)}.")
    lines.append("")
    if s["staggered"]:
        lines.append("Händelsestudie per kohort (Sun–Abraham, oviktad; referens: året före kohortens start)")
        head = ["Kohort", "År", "Relativt", "Effekt", "Medelfel", ki]
        body = [[str(e["first_year"]), str(e["year"]), str(e["relative"]), number(e["estimate"], dec),
                 number(e["se"], dec) if not e["reference"] else "ref.",
                 _ci(e["ci_low"], e["ci_high"], dec) if not e["reference"] else ""] for e in result["event_study"]]
    else:
        lines.append(f"Händelsestudie (skillnad mot {s['reference_year']})")
        head = ["År", "Effekt", "Medelfel", ki, "p"]
        # per-year p-values are clustered (CRV1): shown only where the few-cluster rules allow it
        crv1_ok = did.get("p_method", "crv1") == "crv1"
        body = [[str(e["year"]), number(e["estimate"], dec), number(e["se"], dec) if not e["reference"] else "ref.",
                 _ci(e["ci_low"], e["ci_high"], dec) if not e["reference"] else "",
                 _p(e["p_value"]) if crv1_ok else ("" if e["reference"] else "..")]
                for e in result["event_study"]]
    lines += _table(head, body)
    if s["staggered"] and result.get("callaway_santanna"):
        lines += _cs_dynamic(result["callaway_santanna"], dec, ki)
    if s.get("pretrend_p") is not None:
        lines.append(f"Gemensamt test att alla år före starten är 0 (parallella förtrender): p = {_p(s['pretrend_p'])}"
                     + (" (klustrade standardfel: med få kluster för litet)"
                        if not s["staggered"] and did.get("p_method") != "crv1" else ""))
    return "\n".join(lines) + "\n"


def _cluster_line(s: dict) -> str:
    """Which clusters the standard errors use, and their number."""
    cl = s.get("cluster", "area")
    what = CLUSTER_SV.get(cl, f"kolumnen {cl}")
    n = s.get("n_clusters")
    return f"Medelfel klustrade per {what}" + (f" ({number(n)} kluster, t med {number(n - 1)} frihetsgrader)."
                                                 if n else ".")


def _spec_lines(s: dict) -> list[str]:
    """The specification beyond area and year effects (covariates, fixed effects, window …) and notes."""
    parts = []
    if s.get("covariates"):
        parts.append("kovariater: " + ", ".join(s["covariates"]))
    if s.get("fe"):
        parts.append("fler fixa effekter: " + ", ".join(f.replace("^", " × ") for f in s["fe"]))
    if s.get("window"):
        parts.append(f"fönster: {s['window'][0]} till {s['window'][1]} år från start")
    if s.get("exclude_years"):
        parts.append("utelämnade år: " + ", ".join(map(str, s["exclude_years"])))
    if s.get("trends"):
        parts.append("områdesspecifika linjära trender")
    if s.get("staggered"):
        parts.append("jämförelse (Callaway–Sant'Anna): " + ("aldrig behandlade" if s.get("control") == "never"
                                                            else "aldrig och ännu inte behandlade"))
    out = ["Specifikation: " + "; ".join(parts)] if parts else []
    return out + [f"Obs: {note}" for note in s.get("notes", [])]


def _cs_rows(result: dict, dec: int) -> list[list[str]]:
    """Callaway–Sant'Anna's aggregations and the inference of its simple ATT (staggered starts)."""
    cs = result.get("callaway_santanna")
    if not cs:
        return []
    simple, group = cs["simple"], cs["simple"].get("group_average")
    rows = [["Callaway–Sant'Anna, enkel sammanvägning", number(simple["estimate"], dec), number(simple["se"], dec),
             _ci(simple["ci_low"], simple["ci_high"], dec), _p(simple["p_value"])]]
    if group:
        rows.append(["Callaway–Sant'Anna, per kohort sammanvägd", number(group["estimate"], dec),
                     number(group["se"], dec), _ci(group["ci_low"], group["ci_high"], dec), _p(group["p_value"])])
    ri, wb = result.get("ri"), result.get("wild_bootstrap")
    if ri:
        rows.append([f"  randomiseringsinferens ({number(ri['n_perm'])} omlottningar av kohorterna)",
                     number(ri["estimate"], dec), "", "", _p(ri["p_value"])])
    if wb:
        rows.append([f"  vild (multiplikator-)bootstrap ({number(wb['n_boot'])} dragningar)",
                     number(wb["estimate"], dec), "", _ci(wb["ci_low"], wb["ci_high"], dec), _p(wb["p_value"])])
    return rows


def _cs_dynamic(cs: dict, dec: int, ki: str) -> list[str]:
    """The pooled event-study path: Callaway–Sant'Anna by years since start."""
    lines = ["", "Sammanvägd händelsestudie (Callaway–Sant'Anna efter år från start; före start: förändring "
                 "år för år)"]
    body = [[str(e["relative"]), number(e["estimate"], dec), number(e["se"], dec),
             _ci(e["ci_low"], e["ci_high"], dec), _p(e["p_value"])] for e in cs["dynamic"]]
    return lines + _table(["Relativt", "Effekt", "Medelfel", ki, "p"], body)


def csv_rows(result: dict) -> pd.DataFrame:
    """The estimates as one table (``--csv``): ``estimator`` is did/twfe, did2s, cohort, ri,
    wild_bootstrap, event_study; numbers as numbers."""
    did, rows = result["did"], []
    rows.append({"estimator": did["estimator"], "estimate": did["estimate"], "se": did["se"],
                 "ci_low": did["ci_low"], "ci_high": did["ci_high"], "p_value": did["p_value"],
                 "n_areas": did["n_areas"], "n_treated": did["n_treated"]})
    for c in result["cohorts"]:
        rows.append({"estimator": "cohort", **{k: c[k] for k in ("first_year", "estimate", "se", "ci_low", "ci_high",
                                                                 "p_value", "n_treated")}})
    if result["ri"]:
        ri = result["ri"]
        rows.append({"estimator": "ri", "estimate": ri["estimate"], "p_value": ri["p_value"], "draws": ri["n_perm"],
                     "n_areas": ri["n_areas"], "n_treated": ri["n_treated"]})
    if result["wild_bootstrap"]:
        wb = result["wild_bootstrap"]
        rows.append({"estimator": "wild_bootstrap", "estimate": wb["estimate"], "ci_low": wb["ci_low"],
                     "ci_high": wb["ci_high"], "p_value": wb["p_value"], "draws": wb["n_boot"]})
    cs = result.get("callaway_santanna")
    if cs:
        rows.append({"estimator": "cs_simple", **{k: cs["simple"][k] for k in ("estimate", "se", "ci_low", "ci_high",
                                                                              "p_value")}})
        for e in cs["dynamic"]:
            rows.append({"estimator": "cs_dynamic", **{k: e[k] for k in ("relative", "estimate", "se", "ci_low",
                                                                         "ci_high", "p_value")}})
        for g in cs["group"]:
            rows.append({"estimator": "cs_group", **{k: g[k] for k in ("first_year", "estimate", "se", "ci_low",
                                                                       "ci_high", "p_value", "n_treated")}})
    for e in result["event_study"]:
        rows.append({"estimator": "event_study", **{k: e.get(k) for k in ("first_year", "year", "relative", "estimate",
                                                                          "se", "ci_low", "ci_high", "p_value")}})
    return pd.DataFrame(rows).reindex(columns=CSV_COLUMNS)
